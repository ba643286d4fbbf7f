"""The facilitator's flows: plan, invite, tick attendance (walk-ins too), report; the stayed-away
list; requests; themes; a repeating series; the dashboard and the family card."""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

import pytest
from textual.widgets import Input, Select, TabbedContent

from ouder_tui.app import make_app
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.oudergroep import Contact, Oudergroep, Sessie, Thema, Verzoek
from ouder_tui.store import Store
from ouder_tui.text import clean_text
from screens.gezin import GezinScreen
from screens.oudergroep import OudergroepScreen
from screens.oudergroep_forms import ContactForm, GastForm, ThemaForm, VerzoekForm
from screens.oudergroep_lijsten import AanwezigheidScreen, UitnodigenScreen
from screens.oudergroep_sessie import SessieForm, SessieScreen, VerslagForm
from screens.overzicht import OverzichtScreen
from screens.table import RecordTable
from .saving import saves_done

SIZE = (110, 40)


def shows(app, text: str) -> bool:
    return escape(text).replace(" ", "&#160;") in app.export_screenshot()


async def focus(app, pilot, selector: str) -> None:
    app.screen.query_one(selector).focus()
    await pilot.pause()


async def type_into(app, pilot, field: str, text: str) -> None:
    await focus(app, pilot, f"#input-{field}")
    await pilot.press(*text)


@pytest.fixture
def families(registry: Registry) -> list[Gezin]:
    made = []
    for naam, ouder, taal, klas in [("Peeters", "Lien", "Nederlands", "3A"), ("El Amrani", "Fatima", "Arabisch", "5B"),
                                    ("Nowak", "Anna", "Pools", "5B")]:
        gezin = registry.add_gezin(Gezin(naam=naam, ouders=(
            Ouder(relatie="moeder", voornaam=ouder, familienaam=naam, talen=(taal,), telefoon="0470 12 34 56"),)))
        registry.add_leerling(Leerling(voornaam="Kind", familienaam=naam, klas=klas, gezin_id=gezin.id))
        made.append(gezin)
    return made


def og(store: Store) -> Oudergroep:
    return Oudergroep(store, Registry(store))


async def open_area(app, pilot) -> OudergroepScreen:
    await pilot.press("f6")
    await pilot.pause()
    assert isinstance(app.screen, OudergroepScreen)
    return app.screen


async def test_plan_invite_attend_and_report(store: Store, families) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SessieForm)
        form.field("datum").value = ""
        await type_into(app, pilot, "datum", "20/11/2026")
        await type_into(app, pilot, "titel", "Meertalig opvoeden")
        await type_into(app, pilot, "plaats", "Refter")
        await type_into(app, pilot, "partners", "Vormingplus; Sofie; 09 123 45 67")
        await type_into(app, pilot, "tolken", "Arabisch: Samir")
        form.field("kinderopvang").value = True
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert app.screen is screen
        assert shows(app, "Meertalig opvoeden")
        session = og(store).sessies()[0]
        assert (session.datum, session.plaats, session.partners[0].contactpersoon, session.tolken[0].taal,
                session.kinderopvang, session.begin) == (date(2026, 11, 20), "Refter", "Sofie", "Arabisch", True,
                                                         "09:00")

        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SessieScreen)
        assert shows(app, "vrijdag 20 november 2026") and shows(app, "Vormingplus (Sofie, 09 123 45 67)")

        # invite the parents of class 5B by Smartschool
        await pilot.press("u")
        await pilot.pause()
        invite = app.screen
        assert isinstance(invite, UitnodigenScreen)
        invite.query_one("#klas", Input).value = "5b"
        await pilot.pause()
        assert [r.cells[1] for r in invite.query_one("#people", RecordTable).rows] == ["Anna Nowak",
                                                                                       "Fatima El Amrani"]
        await focus(app, pilot, "#people")
        await pilot.press("ctrl+a")
        invite.query_one("#kanaal", Select).value = "smartschool"
        invite.query_one("#op", Input).value = "13/11/2026"
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        saved = og(store).sessie(session.id)
        assert saved.status == "uitgenodigd"
        assert {(u.kanaal, u.op) for u in saved.uitnodigingen} == {("smartschool", date(2026, 11, 13))}
        assert len(saved.uitnodigingen) == 2
        assert shows(app, "Smartschool 13/11")
        await pilot.press("escape")
        await pilot.pause()

        # tick who came, and someone who walked in
        await pilot.press("a")
        await pilot.pause()
        ticks = app.screen
        assert isinstance(ticks, AanwezigheidScreen)
        table = ticks.query_one("#people", RecordTable)
        assert [r.cells[1] for r in table.rows] == ["Anna Nowak", "Fatima El Amrani"]
        await pilot.press("space")
        await pilot.pause()
        assert og(store).sessie(session.id).aanwezig == (families[2].ouders[0].id,)
        assert og(store).sessie(session.id).status == "gehouden"
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, GastForm)
        await type_into(app, pilot, "voornaam", "Samira")
        await type_into(app, pilot, "telefoon", "0488 11 22 33")
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert app.screen is ticks
        assert shows(app, "gast (niet in het register)") and shows(app, "2 aanwezig, 2 uitgenodigd")
        await pilot.press("escape")
        await pilot.pause()

        # the report and a request that came up
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, VerslagForm)
        await type_into(app, pilot, "verslag", "Veel vragen over thuistaal.")
        await type_into(app, pilot, "vragen", "Ouders willen een eigen account.")
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, VerzoekForm)
        await type_into(app, pilot, "wat", "Eigen Smartschool-account voor ouders")
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, SessieScreen)
        assert shows(app, "Veel vragen over thuistaal.") and shows(app, "2 uitgenodigd, 2 aanwezig")
    service = og(store)
    saved = service.sessie(session.id)
    assert saved.verslag == "Veel vragen over thuistaal." and len(saved.aanwezig) == 2
    guest = service.persoon(saved.aanwezig[1])
    assert guest.gast and guest.naam == "Samira" and guest.telefoon == "0488 11 22 33"
    request = service.open_verzoeken()[0]
    assert request.wat == "Eigen Smartschool-account voor ouders" and request.sessie_id == session.id


async def test_attendance_waits_for_the_session_day(store: Store, families) -> None:
    session = og(store).plan(Sessie(datum=date(2026, 12, 8), titel="Later"))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SessieScreen(app.oudergroep, session.id))
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, SessieScreen)
        assert any("moet nog plaatsvinden" in str(n.message) for n in app._notifications)


async def test_stayed_away_appears_contact_clears_it_a_new_miss_brings_it_back(store: Store, families) -> None:
    service = og(store)
    lien, fatima = families[0].ouders[0].id, families[1].ouders[0].id
    for day, present in ((date(2026, 9, 15), (lien, fatima)), (date(2026, 10, 6), (lien,)),
                         (date(2026, 10, 20), (lien,))):
        s = service.plan(Sessie(datum=day, titel="Koffie"))
        for pid in present:
            service.zet_aanwezig(s.id, pid)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        tabs = screen.query_one(TabbedContent)
        assert str(tabs.get_tab("weggebleven").label) == "Weggebleven (1)"
        await pilot.press("right", "right")
        await pilot.pause()
        assert tabs.active == "weggebleven"
        table = screen.query_one("#weggebleven-table", RecordTable)
        assert table.rows[0].cells[:3] == ("Fatima El Amrani", "moeder, gezin El Amrani (5B)", "1")
        assert table.rows[0].cells[5] == "nog geen"
        await pilot.press("c")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ContactForm)
        assert shows(app, "Kwam 1 keer, laatst op 15/09/2026.")
        form.field("hoe").value = "schoolpoort"
        await type_into(app, pilot, "notitie", "Werkt nu in de voormiddag.")
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert app.screen is screen and table.row_count == 0
        assert str(tabs.get_tab("weggebleven").label) == "Weggebleven (0)"
    contact = service.contacten(fatima)[0]
    assert (contact.hoe, contact.datum, contact.notitie) == ("schoolpoort", date(2026, 11, 22),
                                                             "Werkt nu in de voormiddag.")
    # she misses the next session: back on the list, with the last contact shown
    store.clock.moment = store.clock.moment.replace(day=24)
    s = service.plan(Sessie(datum=date(2026, 11, 24), titel="Koffie"))
    service.zet_aanwezig(s.id, lien)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        row = screen.query_one("#weggebleven-table", RecordTable).rows[0]
        assert row.cells[0] == "Fatima El Amrani" and row.cells[5] == "22/11/2026 schoolpoort"


async def test_a_request_is_answered_and_brought_back(store: Store) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        screen.query_one(TabbedContent).active = "verzoeken"
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, VerzoekForm)
        await type_into(app, pilot, "wat", "Bezoek aan het jongerencafé")
        await type_into(app, pilot, "eigenaar", "directie")
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        table = screen.query_one("#verzoeken-table", RecordTable)
        assert table.rows[0].cells == ("Bezoek aan het jongerencafé", "22/11/2026", "directie", "open")
        await focus(app, pilot, "#verzoeken-table")
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        form.field("status").value = "beantwoord"
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert app.screen is form  # an answer is needed first
        assert "Noteer wat de school antwoordde." in str(form.field("antwoord").query_one(".field-error").render())
        await type_into(app, pilot, "antwoord", "Kan op woensdag.")
        form.field("teruggekoppeld").value = True
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert table.rows[0].cells[3] == "beantwoord, teruggekoppeld"
        assert str(screen.query_one(TabbedContent).get_tab("verzoeken").label) == "Verzoeken (0)"
    done = og(store).verzoeken()[0]
    assert done.afgerond and done.antwoord == "Kan op woensdag." and done.teruggekoppeld_op == date(2026, 11, 22)


async def test_a_theme_and_a_monthly_series_planned_from_it(store: Store) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        screen.query_one(TabbedContent).active = "themas"
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ThemaForm)
        await type_into(app, pilot, "titel", "Schermtijd")
        await type_into(app, pilot, "gevraagd_door", "ouders van het 5de")
        app.screen.field("aantal").value = "6"
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        await focus(app, pilot, "#themas-table")
        await pilot.press("p")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, SessieForm) and form.field("titel").value == "Schermtijd"
        form.field("datum").value = "08/12/2026"
        form.field("herhaling").value = "maand"
        form.field("aantal").value = "3"
        await pilot.pause()
        assert str(form.query_one("#reeks-preview").render()) == "Reeks: 08/12/2026, 12/01/2027, 09/02/2027"
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert app.screen is screen
        themes = screen.query_one("#themas-table", RecordTable)
        assert themes.rows[0].cells == ("Schermtijd", "ouders van het 5de", "6", "gepland", "3")
    service = og(store)
    sessions = service.sessies()
    assert [s.datum for s in sessions] == [date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9)]
    assert {s.titel for s in sessions} == {"Schermtijd"} and len({s.reeks_id for s in sessions}) == 1
    assert all(s.thema_id == service.themas()[0].id for s in sessions)


async def test_repeat_an_existing_session_from_its_view(store: Store) -> None:
    session = og(store).plan(Sessie(datum=date(2026, 12, 1), titel="Koffie", plaats="Refter"))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SessieScreen(app.oudergroep, session.id))
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        form = app.screen
        form.field("herhaling").value = "week"
        form.field("aantal").value = "3"
        await pilot.pause()
        assert str(form.query_one("#reeks-preview").render()) == "Reeks: 01/12/2026, 08/12/2026, 15/12/2026"
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, SessieScreen)
        assert shows(app, "Reeks: sessie 1 van 3, 01/12/2026 tot 15/12/2026")
    assert [s.datum.day for s in og(store).sessies()] == [1, 8, 15]


async def test_a_session_form_shows_every_problem_and_keeps_what_was_typed(store: Store) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SessieForm(app.oudergroep, Sessie()))
        await pilot.pause()
        form = app.screen
        form.field("begin").value = "10:00"
        form.field("einde").value = "09:00"
        await type_into(app, pilot, "partners", "; Jan; 12")
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert app.screen is form
        errors = {name: str(form.field(name).query_one(".field-error").render())
                  for name in ("datum", "titel", "einde", "partners")}
        assert errors["datum"] == "Vul de datum in (dd/mm/jjjj)."
        assert errors["titel"] == "Het thema of de titel is verplicht."
        assert errors["einde"] == "Het einde ligt na het begin."
        assert errors["partners"]
        assert form.field("partners").value == "; Jan; 12"
    assert og(store).sessies() == []


async def test_dashboard_panel_and_family_card(store: Store, families) -> None:
    service = og(store)
    lien = families[0].ouders[0].id
    held = service.plan(Sessie(datum=date(2026, 11, 10), titel="Koffie"))
    service.zet_aanwezig(held.id, lien)
    service.plan(Sessie(datum=date(2026, 12, 8), titel="Schermtijd", begin="13:30", einde="15:00"))
    service.bewaar_verzoek(Verzoek(wat="Vertaalde schoolkalender"))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, OverzichtScreen)
        assert shows(app, "Volgende sessie 08/12/2026 13:30: Schermtijd")
        assert shows(app, "1 open verzoek van de groep") and shows(app, "Vertaalde schoolkalender")
        app.push_screen(GezinScreen(app.registry, families[0].id))
        await pilot.pause()
        assert shows(app, "Lien Peeters: 1 keer, laatst 10/11/2026")


async def test_the_year_chart(store: Store, families) -> None:
    service = og(store)
    ids = [f.ouders[0].id for f in families]
    for day, present in ((date(2026, 9, 15), ids), (date(2026, 10, 6), ids[:2])):
        s = service.plan(Sessie(datum=day, titel="Koffie"))
        for pid in present:
            service.zet_aanwezig(s.id, pid)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        screen.query_one(TabbedContent).active = "jaar"
        await pilot.pause()
        assert shows(app, "2 sessies gehouden, 0 geannuleerd, 0 nog gepland.")
        assert shows(app, "gemiddeld 2,5 per sessie")
        assert shows(app, "3 (3)  Koffie") and shows(app, "2 (0)  Koffie")


async def test_the_stayed_away_threshold_in_the_settings(store: Store) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        app.action_instellingen()
        await pilot.pause()
        form = app.screen
        form.field("oudergroep_weggebleven_na").value = "3"
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
    assert og(store).weggebleven_na() == 3


@pytest.mark.parametrize("name", ["[/]", "[@click=app.quit]klik[/]", "\x1b[31mRood\x1b[0m"])
async def test_hostile_text_shows_literally(store: Store, registry: Registry, name: str) -> None:
    gezin = registry.add_gezin(Gezin(naam=name, ouders=(Ouder(voornaam=name, familienaam="X"),)))
    registry.add_leerling(Leerling(voornaam="Kind", familienaam="X", klas="1A", gezin_id=gezin.id))
    service = og(store)
    thema = service.bewaar_thema(Thema(titel=name, gevraagd_door=name))
    session = service.plan(Sessie(datum=date(2026, 11, 17), titel=name, plaats=name, thema_id=thema.id,
                                  verslag=name))
    service.zet_aanwezig(session.id, gezin.ouders[0].id)
    service.noteer_contact(Contact(persoon_id=gezin.ouders[0].id, datum=date(2026, 11, 1), notitie=name))
    service.bewaar_verzoek(Verzoek(wat=name, eigenaar=name))
    shown = clean_text(name)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        for tab in ("sessies", "themas", "verzoeken", "jaar"):
            screen.query_one(TabbedContent).active = tab
            await pilot.pause()
            assert shows(app, shown[:8]), tab
        app.push_screen(SessieScreen(app.oudergroep, session.id))
        await pilot.pause()
        assert shows(app, f"Plaats: {shown}")
        await pilot.press("a")
        await pilot.pause()
        assert shows(app, f"{shown} X"[:20])
        assert app.is_running


async def test_link_a_guest_to_a_family_from_the_attendance_list(store: Store, families) -> None:
    from screens.picker import GezinPicker

    service = og(store)
    session = service.plan(Sessie(datum=date(2026, 11, 17), titel="Koffie"))
    from ouder_tui.oudergroep import Gast

    guest = service.voeg_gast_toe(session.id, Gast(voornaam="Samira", familienaam="Nowak"))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(AanwezigheidScreen(app.oudergroep, session.id))
        await pilot.pause()
        table = app.screen.query_one("#people", RecordTable)
        table.cursor = next(i for i, r in enumerate(table.rows) if r.key == guest.id)
        await pilot.press("k")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, GezinPicker)
        picker.dismiss(families[2].id)
        await pilot.pause()
        assert shows(app, "moeder, gezin Nowak (5B)") or shows(app, "ouder, gezin Nowak (5B)")
    person = og(store).persoon(guest.id)
    assert person.gezin_id == families[2].id and not person.gast
    assert [s.id for s in og(store).aanwezigheden(guest.id)] == [session.id]


async def test_the_palette_finds_a_session(store: Store) -> None:
    from screens.commands import Palette

    session = og(store).plan(Sessie(datum=date(2026, 12, 8), titel="Schermtijd"))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert Palette.is_open(app)
        await pilot.press(*"schermtijd")
        await pilot.pause(0.5)
        assert shows(app, "Oudergroep  ·  08/12/2026 09:00  ·  ")  # the query word itself is underlined
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SessieScreen) and app.screen.sessie_id == session.id


async def test_delete_a_session_to_the_recycle_bin_and_restore_it(store: Store, families) -> None:
    from screens.prullenbak import PrullenbakScreen

    service = og(store)
    session = service.plan(Sessie(datum=date(2026, 11, 17), titel="Koffie"))
    service.zet_aanwezig(session.id, families[0].ouders[0].id)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        await focus(app, pilot, "#sessies-table")
        await pilot.press("delete")
        await pilot.pause()
        assert shows(app, "De sessie van 17/11/2026 (Koffie) gaat naar de prullenbak.")
        await pilot.press("j")
        await pilot.pause()
        assert screen.query_one("#sessies-table", RecordTable).row_count == 0
        app.push_screen(PrullenbakScreen(store))
        await pilot.pause()
        assert shows(app, "Oudergroep 17/11/2026 Koffie") and shows(app, "sessie")
        await pilot.press("r")
        await pilot.pause()
    restored = og(store).sessie(session.id)
    assert restored.aanwezig == (families[0].ouders[0].id,) and restored.titel == "Koffie"
