"""Startgesprek and omgekeerd oudergesprek as the guidance asks (issue 17): a talk in the last days of
August belongs to the coming school year; ANNA spelled out right; the omgekeerd talk records how it was
held, whether the pupil took part and the interpreter, can be planned ahead, counts in the class
overview and shows on the pupil's and the family's view; the plan proposes the registry's preferred
channel from the one list of channels."""

from __future__ import annotations

from datetime import date, datetime

import msgspec
import pytest

from ouder_tui.app import make_app
from ouder_tui.errors import ValidationError
from ouder_tui.kanalen import kanaal_id, kanalen
from ouder_tui.leerlingen import KANALEN, Gezin, Leerling, Ouder, Registry
from ouder_tui.startgesprek import Startgesprekken, ezelsbruggetjes
from ouder_tui.store import Store
from screens.startgesprek import OmgekeerdForm
from screens.startgesprekken import StartgesprekkenScreen, family_plans_card, pupil_plan_card
from screens.table import RecordTable

from .saving import saves_done


@pytest.fixture
def service(store: Store, registry: Registry) -> Startgesprekken:
    return Startgesprekken(store, registry)


@pytest.fixture
def sara(registry: Registry) -> Leerling:
    family = registry.add_gezin(Gezin(naam="Benali", ouders=(
        Ouder(relatie="moeder", voornaam="Naima", talen=("Arabisch",), tolk_nodig=True, tolk_taal="Arabisch",
              voorkeurkanaal="sms/WhatsApp"),
        Ouder(relatie="vader", voornaam="Karim", voorkeurkanaal="telefoongesprek"))))
    registry.add_leerling(Leerling(voornaam="Omar", familienaam="Benali", klas="6B", gezin_id=family.id))
    return registry.add_leerling(Leerling(voornaam="Sara", familienaam="Benali", klas="5A", gezin_id=family.id))


# -- the school year of a talk ---------------------------------------------------------------------
def test_a_talk_in_the_last_days_of_august_belongs_to_the_coming_school_year(service, sara, clock) -> None:
    clock.moment = datetime(2027, 8, 27, 10, 0).astimezone()
    assert service.schooljaar() == "2027-2028"
    talk = service.bewaar(msgspec.structs.replace(service.nieuw(sara.id), status="gehouden"))
    assert talk.schooljaar == "2027-2028"
    [row] = service.klasoverzicht("5A")
    assert row.stand == "gehouden"  # not missing from the new year's overview
    clock.moment = datetime(2027, 9, 10, 10, 0).astimezone()
    assert service.klasoverzicht("5A")[0].stand == "gehouden"


def test_the_date_of_a_talk_decides_its_school_year(service, sara) -> None:
    talk = service.bewaar(msgspec.structs.replace(service.nieuw(sara.id), datum=date(2026, 8, 28), status="gehouden"))
    assert talk.schooljaar == "2026-2027"
    early = service.bewaar(msgspec.structs.replace(service.nieuw(sara.id), datum=date(2026, 8, 10),
                                                   status="gehouden"))
    assert early.schooljaar == "2025-2026"  # mid-August is still the year before


def test_anna_means_ask_everything_assume_nothing() -> None:
    anna = next(e for e in ezelsbruggetjes() if e["naam"] == "ANNA")
    assert anna["letters"] == "Alles Navragen, Niets Aannemen"


# -- the omgekeerd oudergesprek --------------------------------------------------------------------
def test_an_omgekeerd_talk_can_be_planned_and_counts_in_the_class_overview(service, sara) -> None:
    planned = service.bewaar(msgspec.structs.replace(service.nieuw(sara.id, soort="omgekeerd"),
                                                     datum=date(2026, 12, 3), vorm="telefoon"))
    [row] = service.klasoverzicht("5A")
    assert row.gesprek is None and row.omgekeerd == planned
    held = service.bewaar(msgspec.structs.replace(planned, status="gehouden", datum=date(2026, 12, 3),
                                                  leerling_aanwezig=False, tolk=True, tolk_naam="Samir"))
    assert service.klasoverzicht("5A")[0].omgekeerd.gehouden
    assert held.samenvatting() == ("omgekeerd oudergesprek gehouden op 03/12/2026, telefonisch, zonder de leerling, "
                                   "met tolk (Samir)")
    with pytest.raises(ValidationError) as caught:
        service.bewaar(msgspec.structs.replace(held, vorm="duif"))
    assert "vorm" in caught.value.errors


# -- one list of channels --------------------------------------------------------------------------
def test_the_registry_and_the_plan_share_one_list_of_channels(service, sara, registry) -> None:
    assert KANALEN[1:] == tuple(kanalen().values())
    assert service.nieuw(sara.id).plan.kanalen == ("sms", "telefoon")  # the parents' preferred channels
    assert kanaal_id("Smartschool") == "smartschool" and kanaal_id("e-mail") == "email" and kanaal_id("duif") is None
    family = registry.add_gezin(Gezin(naam="Peeters", ouders=(Ouder(voornaam="An", voorkeurkanaal="brief/agenda"),)))
    assert family.ouders[0].voorkeurkanaal == "brief of agenda"  # an earlier word becomes the list's name


# -- in the interface ------------------------------------------------------------------------------
async def _tab_to(pilot, widget_id: str, limit: int = 30) -> None:
    """Press Tab until the widget with this id has the focus (as a user would)."""
    for _ in range(limit):
        if pilot.app.focused is not None and pilot.app.focused.id == widget_id:
            return
        await pilot.press("tab")
    raise AssertionError(f"Tab never reached #{widget_id}")


async def test_plan_an_omgekeerd_talk_ahead_then_hold_it(store: Store, service, sara) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StartgesprekkenScreen)
        await pilot.press("o")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, OmgekeerdForm)
        known = str(form.query_one("#known").render())
        assert "broers/zussen op school: Omar (6B)" in known and "thuistaal: Arabisch (tolk: Arabisch)" in known
        assert form.field("tolk").value is True and form.field("vorm").value == "klas"
        await _tab_to(pilot, "input-datum")
        await pilot.press("end", *["backspace"] * 10, *"03/12/2026")
        await _tab_to(pilot, "input-status")
        await pilot.press("enter", "up", "enter")  # gepland
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        assert app.screen is screen, (str(app.screen.query_one("#form-error").render()), app.screen.values())
        [talk] = [t for t in service.alle() if t.soort == "omgekeerd"]
        assert (talk.status, talk.datum, talk.vorm, talk.tolk) == ("gepland", date(2026, 12, 3), "klas", True)
        row = screen.query_one(RecordTable).rows[0]
        assert row.cells[4] == "gepl. 03/12"
        await pilot.press("o")  # opens the same talk, now to note it as held
        await pilot.pause()
        assert app.screen.record.id == talk.id
        await _tab_to(pilot, "input-status")
        await pilot.press("enter", "down", "enter")  # gehouden
        await _tab_to(pilot, "input-leerling_aanwezig")
        await pilot.press("space")  # the pupil was not there
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        held = service.gesprek(talk.id)
        assert held.gehouden and not held.leerling_aanwezig
        assert "1 omgekeerd" in str(screen.query_one("#figures").render())
        assert any("Omgekeerd oudergesprek gehouden op 03/12/2026" in line for line in pupil_plan_card(app, sara)[1])
        family = app.registry.gezin(sara.gezin_id)
        assert any("Omgekeerd oudergesprek gehouden" in line for line in family_plans_card(app, family)[1])
