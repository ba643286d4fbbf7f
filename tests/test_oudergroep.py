"""The parent group's service: sessions, series, invitations, attendance, stayed-away list, requests."""

from __future__ import annotations

from datetime import date

import pytest

from ouder_tui.errors import ValidationError
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.oudergroep import (
    Contact,
    Gast,
    Oudergroep,
    Sessie,
    Thema,
    Verzoek,
    lange_datum,
    reeks_data,
    staaf,
)
from ouder_tui.settings import load_settings, save_settings
from ouder_tui.store import Store


@pytest.fixture
def families(registry: Registry) -> list[Gezin]:
    made = []
    for i, (naam, ouder, taal, klas) in enumerate([("Peeters", "Lien", "Nederlands", "3A"),
                                                    ("El Amrani", "Fatima", "Arabisch", "5B"),
                                                    ("Nowak", "Anna", "Pools", "5B"),
                                                    ("Diallo", "Awa", "Frans", "1A")]):
        gezin = registry.add_gezin(Gezin(naam=naam, ouders=(
            Ouder(relatie="moeder", voornaam=ouder, familienaam=naam, talen=(taal,)),
            Ouder(relatie="vader", voornaam=f"Vader{i}", familienaam=naam))))
        registry.add_leerling(Leerling(voornaam=f"Kind{i}", familienaam=naam, klas=klas, gezin_id=gezin.id))
        made.append(gezin)
    return made


@pytest.fixture
def og(store: Store, registry: Registry) -> Oudergroep:
    return Oudergroep(store, registry)


def mother(gezin: Gezin) -> str:
    return gezin.ouders[0].id


def held(og: Oudergroep, day: date, *people: str, titel: str = "Koffie") -> Sessie:
    session = og.plan(Sessie(datum=day, titel=titel))
    for pid in people:
        session = og.zet_aanwezig(session.id, pid)
    if not people:  # held with nobody we follow
        session = og.bewaar(Sessie(**{**_fields(session), "status": "gehouden"}))
    return session


def _fields(session: Sessie) -> dict:
    return {f: getattr(session, f) for f in session.__struct_fields__}


def test_a_session_needs_a_date_a_title_and_an_end_after_its_start(og: Oudergroep) -> None:
    with pytest.raises(ValidationError) as caught:
        og.plan(Sessie(begin="10:00", einde="09:30"))
    assert set(caught.value.errors) == {"datum", "titel", "einde"}
    with pytest.raises(ValidationError) as caught:
        og.plan(Sessie(datum=date(2026, 12, 1), titel="x", begin="25:00"))
    assert "geen uur" in caught.value.errors["begin"]
    saved = og.plan(Sessie(datum=date(2026, 12, 1), titel="  Meertalig opvoeden ", begin="9u00", einde="11.30"))
    assert (saved.titel, saved.begin, saved.einde, saved.status) == ("Meertalig opvoeden", "09:00", "11:30", "gepland")


def test_planning_from_a_theme_moves_the_theme_along(og: Oudergroep) -> None:
    thema = og.bewaar_thema(Thema(titel="Meertalig opvoeden", gevraagd_door="Fatima en Anna", aantal=6))
    assert thema.status == "idee"
    session = og.plan(og.voorstel(thema).__class__(**{**_fields(og.voorstel(thema)), "datum": date(2026, 12, 8)}))
    assert session.titel == "Meertalig opvoeden" and session.thema_id == thema.id
    assert og.thema(thema.id).status == "gepland"
    with pytest.raises(ValidationError) as caught:  # attendance of a session still to come
        og.zet_aanwezig(session.id, "someone")
    assert "moet nog plaatsvinden" in caught.value.errors["datum"]
    earlier = og.plan(Sessie(datum=date(2026, 11, 17), titel="Meertalig opvoeden", thema_id=thema.id))
    og.zet_aanwezig(earlier.id, "someone")
    assert og.thema(thema.id).status == "gedaan"


def test_weekly_and_monthly_series(og: Oudergroep) -> None:
    assert reeks_data(date(2026, 12, 1), "week", 3) == [date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15)]
    assert reeks_data(date(2026, 12, 1), "twee_weken", 2) == [date(2026, 12, 1), date(2026, 12, 15)]
    # the second Tuesday stays the second Tuesday, across the new year
    assert reeks_data(date(2026, 12, 8), "maand", 3) == [date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9)]
    # a fifth Tuesday becomes the last one of a shorter month
    assert reeks_data(date(2026, 9, 29), "maand", 2) == [date(2026, 9, 29), date(2026, 10, 27)]

    first = og.plan(Sessie(datum=date(2026, 12, 8), titel="Koffie", plaats="Refter",
                           uitnodigingen=(), aanwezig=()))
    series = og.herhaal(first, "maand", 4)
    assert [s.datum for s in series] == [date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9)]
    assert len({s.reeks_id for s in series}) == 1 and series[0].reeks_id
    assert all(s.plaats == "Refter" and s.status == "gepland" for s in series)
    assert len(og.reeks(og.sessie(first.id))) == 4
    with pytest.raises(ValidationError):
        og.herhaal(og.sessie(first.id), "maand", 1)


def test_invitations_record_how_and_when_and_mark_the_session_invited(og: Oudergroep, families) -> None:
    session = og.plan(Sessie(datum=date(2026, 12, 8), titel="Koffie"))
    saved = og.nodig_uit(session.id, [mother(families[0]), mother(families[1])], "smartschool", date(2026, 11, 20))
    assert saved.status == "uitgenodigd"
    invite = saved.uitnodiging(mother(families[1]))
    assert (invite.kanaal_tekst, invite.op, invite.door) == ("Smartschool", date(2026, 11, 20), "Tester")
    # inviting again by phone replaces the earlier way for that person only
    saved = og.nodig_uit(session.id, [mother(families[1])], "telefoon")
    assert saved.uitnodiging(mother(families[1])).kanaal == "telefoon"
    assert saved.uitnodiging(mother(families[0])).kanaal == "smartschool"
    with pytest.raises(ValidationError):
        og.nodig_uit(session.id, [], "brief")


def test_filters_to_choose_whom_to_invite(og: Oudergroep, families) -> None:
    assert {p.naam for p in og.personen(klas="5b")} == {"Fatima El Amrani", "Vader1 El Amrani", "Anna Nowak",
                                                         "Vader2 Nowak"}
    assert [p.naam for p in og.personen(taal="arab")] == ["Fatima El Amrani"]
    held(og, date(2026, 10, 6), mother(families[2]))
    assert [p.naam for p in og.personen(eerder="ooit")] == ["Anna Nowak"]
    assert "Anna Nowak" not in {p.naam for p in og.personen(eerder="nooit")}
    person = og.personen(tekst="nowak anna")[0]
    assert person.omschrijving == "moeder, gezin Nowak (5B)"


def test_attendance_is_per_person_and_a_tick_holds_the_session(og: Oudergroep, families) -> None:
    session = og.plan(Sessie(datum=date(2026, 11, 17), titel="Koffie"))
    og.zet_aanwezig(session.id, mother(families[0]))
    og.zet_aanwezig(session.id, families[0].ouders[1].id)
    og.zet_aanwezig(session.id, mother(families[0]))  # twice is once
    saved = og.sessie(session.id)
    assert saved.status == "gehouden"
    assert saved.aanwezig == (families[0].ouders[1].id, mother(families[0]))
    og.zet_aanwezig(session.id, mother(families[0]), False)
    assert og.sessie(session.id).aanwezig == (families[0].ouders[1].id,)
    cancelled = og.plan(Sessie(datum=date(2026, 11, 24), titel="x", status="geannuleerd"))
    with pytest.raises(ValidationError):
        og.zet_aanwezig(cancelled.id, mother(families[0]))


def test_a_tick_never_conflicts_with_an_edit_made_meanwhile(og: Oudergroep, store: Store, families) -> None:
    session = og.plan(Sessie(datum=date(2026, 11, 17), titel="Koffie"))
    og.bewaar(Sessie(**{**_fields(session), "verslag": "Goed gesprek."}))  # someone else edits
    og.zet_aanwezig(session.id, mother(families[0]))  # the old view of the session still ticks fine
    saved = og.sessie(session.id)
    assert saved.verslag == "Goed gesprek." and saved.aanwezig == (mother(families[0]),)


def test_walk_ins_as_guest_or_new_parent_and_linking_a_guest_later(og: Oudergroep, registry, families) -> None:
    session = og.plan(Sessie(datum=date(2026, 11, 17), titel="Koffie"))
    guest = og.voeg_gast_toe(session.id, Gast(voornaam="Samira", telefoon="0470 12 34 56", talen=("Arabisch",)))
    assert guest.gast and guest.naam == "Samira"
    grandma = og.voeg_gast_toe(session.id, Gast(voornaam="Oma", familienaam="Peeters"), gezin_id=families[0].id)
    assert grandma.gezin_naam == "Peeters" and not grandma.gast
    assert "Oma Peeters" in [o.naam for o in registry.gezin(families[0].id).ouders]
    assert set(og.sessie(session.id).aanwezig) == {guest.id, grandma.id}
    # the guest turns out to be a mother of the El Amrani family: her attendance moves with her
    linked = og.koppel_gast(og.gast(guest.id), families[1].id)
    assert linked.id == guest.id and linked.gezin_naam == "El Amrani"
    assert og.gast(guest.id) is None
    assert [s.id for s in og.aanwezigheden(guest.id)] == [session.id]
    with pytest.raises(ValidationError):
        og.voeg_gast_toe(session.id, Gast())


def test_stayed_away_appears_clears_with_a_contact_and_returns_after_a_new_miss(og: Oudergroep, families) -> None:
    regular, once = mother(families[0]), mother(families[1])
    held(og, date(2026, 9, 15), regular, once)
    held(og, date(2026, 9, 29), regular)
    assert og.weggebleven() == []  # one miss is not yet two
    held(og, date(2026, 10, 13), regular)
    listed = og.weggebleven()
    assert [(w.persoon.naam, w.keer_aanwezig, w.gemist, w.laatst_aanwezig.datum) for w in listed] == [
        ("Fatima El Amrani", 1, 2, date(2026, 9, 15))]
    assert og.weggebleven(na=3) == []
    # a cancelled session is no miss
    og.plan(Sessie(datum=date(2026, 10, 20), titel="x", status="geannuleerd"))
    # a phone call takes her off the list
    og.noteer_contact(Contact(persoon_id=once, datum=date(2026, 10, 14), hoe="telefoon", notitie="Werkt nu."))
    assert og.weggebleven() == []
    # ... until she misses again
    held(og, date(2026, 10, 27), regular)
    listed = og.weggebleven()
    assert [w.persoon.naam for w in listed] == ["Fatima El Amrani"]
    assert listed[0].laatste_contact.notitie == "Werkt nu."


def test_a_parent_who_will_not_come_back_is_no_longer_followed_until_they_come_again(og: Oudergroep,
                                                                                    families) -> None:
    regular, moved = mother(families[0]), mother(families[1])
    held(og, date(2026, 9, 15), regular, moved)
    held(og, date(2026, 9, 29), regular)
    held(og, date(2026, 10, 13), regular)
    og.noteer_contact(Contact(persoon_id=moved, datum=date(2026, 10, 14), hoe="telefoon", notitie="Verhuisd.",
                              niet_meer_opvolgen=True))
    held(og, date(2026, 10, 27), regular)
    held(og, date(2026, 11, 10), regular)
    assert og.weggebleven() == []
    held(og, date(2026, 11, 17), moved)  # she came after all
    held(og, date(2026, 11, 18), regular)
    held(og, date(2026, 11, 19), regular)
    assert [w.persoon.naam for w in og.weggebleven()] == ["Fatima El Amrani"]


def test_a_cancelled_session_does_not_plan_its_theme(og: Oudergroep) -> None:
    thema = og.bewaar_thema(Thema(titel="Schermtijd"))
    og.plan(Sessie(datum=date(2026, 12, 8), titel="Schermtijd", thema_id=thema.id, status="geannuleerd"))
    assert og.thema(thema.id).status == "idee"


def test_the_stayed_away_threshold_is_a_setting(og: Oudergroep, store: Store, families) -> None:
    held(og, date(2026, 9, 15), mother(families[0]))
    held(og, date(2026, 9, 29))
    assert og.weggebleven() == []
    save_settings(store, load_settings(store).__class__(oudergroep_weggebleven_na=1))
    assert [w.persoon.naam for w in og.weggebleven()] == ["Lien Peeters"]
    with pytest.raises(ValidationError):
        save_settings(store, load_settings(store).__class__(oudergroep_weggebleven_na=0))


def test_parents_whose_children_left_are_not_followed_up(og: Oudergroep, registry: Registry, families) -> None:
    held(og, date(2026, 9, 15), mother(families[3]))
    held(og, date(2026, 9, 29))
    held(og, date(2026, 10, 13))
    assert [w.persoon.naam for w in og.weggebleven()] == ["Awa Diallo"]
    kid = registry.kinderen(families[3].id)[0]
    registry.mark_left([kid.id], date(2026, 10, 31))
    assert og.weggebleven() == []


def test_year_overview_counts_returning_and_new_parents(og: Oudergroep, families) -> None:
    a, b, c = mother(families[0]), mother(families[1]), mother(families[2])
    held(og, date(2026, 5, 5), a)  # last school year
    held(og, date(2026, 9, 15), a, b)
    og.voeg_gast_toe(held(og, date(2026, 9, 29), b, c).id, Gast(voornaam="Walk", familienaam="In"))
    held(og, date(2026, 10, 13), a, b)
    og.plan(Sessie(datum=date(2026, 10, 27), titel="x", status="geannuleerd"))
    og.plan(Sessie(datum=date(2026, 12, 8), titel="x"))
    year = og.jaaroverzicht("2026-2027")
    assert [(c.aanwezig, c.terugkerend, c.nieuw, c.gasten) for c in year.sessies] == [
        (2, 1, 1, 0), (3, 1, 2, 1), (2, 2, 0, 0)]
    assert (year.gehouden, year.geannuleerd, year.gepland, year.verschillende_personen, year.vaste_kern,
            year.een_keer) == (3, 1, 1, 4, 1, 2)
    assert year.totaal_aanwezig == 7 and round(year.gemiddeld, 2) == 2.33


def test_attendance_survives_a_reimport_of_the_pupil_list(og: Oudergroep, registry: Registry, tmp_path) -> None:
    from ouder_tui import importers

    csv_file = tmp_path / "export.csv"
    csv_file.write_text("Stamboeknummer;Voornaam;Naam;Klas;Naam moeder;Voornaam moeder;GSM moeder\n"
                        "111;Kind;Peeters;3A;Peeters;Lien;0470 11 22 33\n", encoding="utf-8")

    def run_import() -> None:
        table = importers.read_csv(csv_file)
        plan = importers.plan_import(registry, table, importers.detect_mapping(table.headers),
                                     schooljaar="2026-2027", vandaag=date(2026, 11, 22))
        importers.apply_import(registry, plan, bestand=csv_file.name)

    run_import()
    lien = next(p for p in og.personen() if p.naam == "Lien Peeters")
    session = held(og, date(2026, 10, 13), lien.id)
    csv_file.write_text("Stamboeknummer;Voornaam;Naam;Klas;Naam moeder;Voornaam moeder;GSM moeder\n"
                        "111;Kind;Peeters;4A;Peeters;Lien;0470 99 88 77\n", encoding="utf-8")
    run_import()
    after = og.persoon(lien.id)
    assert (after.naam, after.telefoon, after.klassen) == ("Lien Peeters", "0470 99 88 77", ("4A",))
    assert [s.id for s in og.aanwezigheden(lien.id)] == [session.id]


def test_requests_are_followed_until_the_answer_is_back_in_the_group(og: Oudergroep) -> None:
    with pytest.raises(ValidationError) as caught:
        og.bewaar_verzoek(Verzoek())
    assert "wat" in caught.value.errors
    request = og.bewaar_verzoek(Verzoek(wat="Een eigen account op Smartschool voor ouders", eigenaar="directie"))
    assert request.gevraagd_op == date(2026, 11, 22) and og.open_verzoeken() == [request]
    with pytest.raises(ValidationError) as caught:
        og.bewaar_verzoek(Verzoek(**{**_fields(request), "status": "beantwoord"}))
    assert "antwoord" in caught.value.errors
    answered = og.bewaar_verzoek(Verzoek(**{**_fields(request), "status": "beantwoord",
                                            "antwoord": "Vanaf januari krijgt elke ouder een account."}))
    assert answered.status_tekst == "beantwoord, nog terugkoppelen" and og.open_verzoeken() == [answered]
    done = og.bewaar_verzoek(Verzoek(**{**_fields(answered), "teruggekoppeld": True}))
    assert done.afgerond and done.teruggekoppeld_op == date(2026, 11, 22)
    assert og.open_verzoeken() == []


def test_text_helpers() -> None:
    assert lange_datum(date(2026, 12, 8)) == "dinsdag 8 december 2026"
    assert staaf(10, 10, 4) == "████"
    assert staaf(0, 10) == ""
    assert staaf(1, 16, 2) == "▏"
