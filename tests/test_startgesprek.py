"""Start-of-year conversations: the pupil-present rule, plans, the class overview, last year's plan."""

from __future__ import annotations

from datetime import date, datetime

import msgspec
import pytest

from ouder_tui.errors import NotFoundError, ValidationError
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.startgesprek import (
    Antwoord,
    Communicatieplan,
    Nodig,
    Startgesprekken,
    ezelsbruggetjes,
    kanalen,
    school_days_between,
)
from ouder_tui.filestore import FileStore
from ouder_tui.store import Store


@pytest.fixture
def service(store: Store, registry: Registry) -> Startgesprekken:
    return Startgesprekken(store, registry)


@pytest.fixture
def pupil(registry: Registry) -> Leerling:
    family = registry.add_gezin(Gezin(naam="Benali", ouders=(
        Ouder(relatie="moeder", voornaam="Naima", talen=("Arabisch", "Nederlands"), tolk_nodig=True,
              tolk_taal="Arabisch", beste_momenten="na 16 uur"),)))
    return registry.add_leerling(Leerling(voornaam="Sara", familienaam="Benali", klas="5A", gezin_id=family.id))


def test_a_startgesprek_cannot_be_held_without_the_pupil(service, pupil) -> None:
    talk = msgspec.structs.replace(service.nieuw(pupil.id), status="gehouden", leerling_aanwezig=False)
    with pytest.raises(ValidationError) as caught:
        service.bewaar(talk)
    assert caught.value.errors == {"leerling_aanwezig": "Bij een startgesprek is de leerling altijd aanwezig."}
    assert service.van_leerling(pupil.id) == []


def test_a_new_talk_takes_language_interpreter_and_best_moments_from_the_family(service, pupil) -> None:
    talk = service.nieuw(pupil.id)
    assert talk.schooljaar == "2026-2027" and talk.datum == date(2026, 11, 22)
    assert (talk.plan.taal, talk.plan.tolk, talk.plan.tolk_taal, talk.plan.beste_momenten) == (
        "Arabisch", True, "Arabisch", "na 16 uur")
    assert len(talk.ouder_ids) == 1


def test_a_plan_is_saved_with_channels_in_order_and_shown_in_plain_dutch(service, pupil) -> None:
    plan = Communicatieplan(kanalen=("telefoon", "smartschool", "telefoon"), frequentie="elke maand kort bellen",
                            gelegenheden="altijd na een toets", contactpersoon="juf Lien",
                            evaluatie_op=date(2027, 2, 1))
    talk = service.bewaar(msgspec.structs.replace(
        service.nieuw(pupil.id), status="gehouden", kwaliteiten="behulpzaam, vertelt graag",
        nodig=(Nodig(van="leerkracht", wat="extra uitleg bij nieuwe leerstof"), Nodig(van="ouders", wat="")),
        plan=plan))
    assert talk.plan.kanalen == ("telefoon", "smartschool")
    assert talk.nodig == (Nodig(van="leerkracht", wat="extra uitleg bij nieuwe leerstof"),)
    lines = talk.plan.lines()
    assert lines[0] == "Zo houden we contact: telefoongesprek, Smartschool-bericht"
    assert "We bekijken dit plan opnieuw op 01/02/2027" in lines
    assert service.huidig_plan(pupil.id) == talk


def test_unknown_channels_are_refused(service, pupil) -> None:
    with pytest.raises(ValidationError) as caught:
        service.bewaar(msgspec.structs.replace(service.nieuw(pupil.id), plan=Communicatieplan(kanalen=("duif",))))
    assert "plan.kanalen" in caught.value.errors


def test_class_overview_and_overdue_reviews(service, pupil, registry) -> None:
    other = registry.add_leerling(Leerling(voornaam="Lars", familienaam="Peeters", klas="5A"))
    registry.add_leerling(Leerling(voornaam="Noor", familienaam="Maes", klas="5A"))
    service.bewaar(msgspec.structs.replace(service.nieuw(pupil.id), status="gehouden",
                                           plan=Communicatieplan(kanalen=("sms",), evaluatie_op=date(2026, 11, 1))))
    service.bewaar(msgspec.structs.replace(service.nieuw(other.id), datum=date(2026, 12, 1)))
    stand = {row.leerling.voornaam: row.stand for row in service.klasoverzicht("5A")}
    assert stand == {"Sara": "gehouden", "Lars": "gepland", "Noor": "nog niet"}
    assert [t.leerling_id for t in service.evaluatie_verlopen()] == [pupil.id]


@pytest.mark.file_home
def test_the_golden_weeks_count_school_days_from_the_first_of_september(store, registry) -> None:
    assert school_days_between(date(2026, 9, 1), date(2026, 10, 5)) == 25  # Tue 1/9 .. Mon 5/10
    early = FileStore.open(store.path, clock=lambda: datetime(2026, 9, 14, 8).astimezone(), make_backup=False)
    assert Startgesprekken(early, Registry(early)).gouden_weken_resterend() == 16  # Mon 14/9 .. Mon 5/10
    assert Startgesprekken(store, registry).gouden_weken_resterend() == 0  # 22/11: over


def test_next_year_starts_from_last_years_plan(store, service, pupil, clock) -> None:
    last_year = msgspec.structs.replace(
        service.nieuw(pupil.id), schooljaar="2025-2026", datum=date(2025, 9, 15), status="gehouden",
        plan=Communicatieplan(kanalen=("smartschool",), frequentie="om de twee weken", evaluatie_op=date(2026, 1, 1)))
    service.bewaar(last_year)
    fresh = service.uit_vorig_jaar(pupil.id)
    assert fresh.id == 0 and fresh.schooljaar == "2026-2027"
    assert (fresh.plan.kanalen, fresh.plan.frequentie, fresh.plan.evaluatie_op) == (("smartschool",),
                                                                                    "om de twee weken", None)
    with pytest.raises(NotFoundError):
        service.uit_vorig_jaar(pupil.id + 99)


def test_omgekeerd_oudergesprek_keeps_questions_and_answers_and_the_school_adds_questions(service, pupil) -> None:
    bank = service.vragen()
    assert len(bank) >= 15 and all(v.vraag.endswith("?") for v in bank)
    own = service.voeg_vraag_toe("Welk eten lust je kind het liefst?")
    assert service.vragen()[-1] == own and own.eigen
    with pytest.raises(ValidationError):
        service.voeg_vraag_toe("  ")
    talk = service.bewaar(msgspec.structs.replace(
        service.nieuw(pupil.id, soort="omgekeerd"), status="gehouden", leerling_aanwezig=False, duur_seconden=480,
        antwoorden=(Antwoord(vraag=bank[0].vraag, antwoord="Vrolijk, soms verlegen.\nHoudt van tekenen."),)))
    assert talk.soort_tekst == "omgekeerd oudergesprek" and talk.antwoorden[0].antwoord.endswith("tekenen.")


def test_shipped_data_is_complete(service) -> None:
    assert {"smartschool", "telefoon", "sms", "email", "brief", "schoolpoort"} <= set(kanalen())
    assert [e["naam"].split()[0] for e in ezelsbruggetjes()] == ["OMA", "DIK", "OEN", "ANNA", "NIVEA", "LSD"]


def test_search_finds_talks_by_pupil_name(service, pupil) -> None:
    talk = service.bewaar(service.nieuw(pupil.id))
    assert service.zoek("sara ben") == [talk]
    assert service.zoek("lars") == []
