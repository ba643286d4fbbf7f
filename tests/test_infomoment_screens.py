"""The team's flows for the infomoment: create it from the template, move the date, see the warnings,
tick tasks, set the rotation, collect and merge questions into a top 5, start from last year's."""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

import pytest
from textual.widgets import TabbedContent

from ouder_tui.app import make_app
from ouder_tui.infomoment import Infomomenten, Tafel, Vraag
from ouder_tui.store import Store
from screens.infomoment import InfomomentScreen
from screens.infomoment_forms import InfomomentForm, RotatieForm, TafelForm, VraagForm
from screens.overzicht import OverzichtScreen
from screens.table import RecordTable
from .saving import saves_done

SIZE = (110, 40)


def shows(app, text: str) -> bool:
    return escape(text).replace(" ", "&#160;") in app.export_screenshot()


async def type_into(app, pilot, field: str, text: str) -> None:
    app.screen.query_one(f"#input-{field}").focus()
    await pilot.pause()
    await pilot.press(*text)


async def open_area(app, pilot) -> InfomomentScreen:
    await pilot.press("f7")
    await pilot.pause()
    assert isinstance(app.screen, InfomomentScreen)
    return app.screen


def service(store: Store) -> Infomomenten:
    return Infomomenten(store)


async def test_create_from_the_template_and_move_the_date(store: Store) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        assert shows(app, "Nog geen infomoment voor 2026-2027.")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, InfomomentForm)
        await type_into(app, pilot, "datum", "11/02/2027")
        await type_into(app, pilot, "plaats", "refter")
        await type_into(app, pilot, "inschrijvingen_vanaf", "01/03/2027")
        await type_into(app, pilot, "opendeurdagen", "Atheneum; 13/03/2027")
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert app.screen is screen
        table = screen.query_one("#taken-table", RecordTable)
        assert table.row_count == 14
        invite = next(r for r in table.rows if r.cells[1].startswith("Ouders uitnodigen"))
        assert invite.cells[0] == "21/01/2027"
        assert shows(app, "11/02/2027 19:00-21:13, refter")
        # move the evening a week earlier: every deadline moves with it
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        form.field("datum").value = "04/02/2027"
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        invite = next(r for r in table.rows if r.cells[1].startswith("Ouders uitnodigen"))
        assert invite.cells[0] == "14/01/2027"
    info = service(store).huidig()
    assert (info.datum, info.plaats, info.inschrijvingen_vanaf, info.opendeurdagen[0].school) == (
        date(2027, 2, 4), "refter", date(2027, 3, 1), "Atheneum")


async def test_tick_tasks_and_see_the_progress(store: Store) -> None:
    info = service(store).nieuw("2026-2027", date(2027, 2, 11))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        tabs = screen.query_one(TabbedContent)
        assert str(tabs.get_tab("taken").label) == "Voorbereiding (0/14, 1 te laat)"
        assert screen.query_one("#taken-table", RecordTable).rows[0].cells[0] == "13/11/2026 !"
        await pilot.press("space")  # open -> bezig
        await pilot.press("space")  # bezig -> klaar
        await pilot.pause()
        assert str(tabs.get_tab("taken").label) == "Voorbereiding (1/14)"
        assert screen.query_one("#taken-table", RecordTable).rows[0].cells == (
            "13/11/2026", info.taken[0].wat, "directie", "klaar")
    assert service(store).huidig().voortgang() == (1, 14)


async def test_the_warnings_show_above_the_checklist(store: Store, clock) -> None:
    svc = service(store)
    info = svc.nieuw("2026-2027", date(2027, 3, 4), inschrijvingen_vanaf=date(2027, 3, 1))
    info = svc.verwijder_tafel(info.id, next(t.id for t in info.tafels if t.soort == "clb"))
    template_school = next(t for t in info.tafels if t.soort == "school")
    info = svc.bewaar_tafel(info.id, Tafel(id=template_school.id, soort="school", naam="Sint-Lutgart", net="katholiek"))
    info = svc.bewaar_tafel(info.id, Tafel(soort="school", naam="Sint-Jozef", net="katholiek"))
    clock.moment = clock.moment.replace(year=2027, month=2, day=25)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(app, pilot)
        assert shows(app, "start van de inschrijvingen (01/03/2027)")
        assert shows(app, "hetzelfde net (katholiek onderwijs)")
        assert shows(app, "Er is geen tafel met het CLB.")
        assert shows(app, "Het infomoment is over 7 dagen en de ouders zijn nog niet uitgenodigd.")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, OverzichtScreen)
        assert shows(app, "04/03/2027 19:00: 0 van 14 taken klaar")


async def test_tables_and_the_rotation(store: Store) -> None:
    svc = service(store)
    svc.nieuw("2026-2027", date(2027, 2, 11))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        screen.query_one(TabbedContent).active = "tafels"
        await pilot.pause()
        table = screen.query_one("#tafels-table", RecordTable)
        table.focus()
        table.cursor = next(i for i, r in enumerate(table.rows) if r.cells[0] == "secundaire school")
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, TafelForm)
        form.field("naam").value = "Atheneum"
        form.field("net").value = "go"
        await type_into(app, pilot, "gastheer", "Mevr. Claes")
        form.field("uitgenodigd").value = True
        form.field("bevestigd").value = True
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        row = next(r for r in table.rows if r.cells[1] == "Atheneum")
        assert row.cells[2:] == ("Mevr. Claes", "", "GO!", "bevestigd")
        screen.query_one(TabbedContent).active = "rotatie"
        await pilot.pause()
        assert shows(app, "5 groepen, 5 tafels, 5 rondes van 12 minuten")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RotatieForm)
        app.screen.field("groepen").value = "7"
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert shows(app, "7 groepen, 5 tafels, 7 rondes")
        assert shows(app, "Meer groepen dan tafels: elke groep heeft 2 rondes pauze.")
    info = svc.huidig()
    assert info.groepen == 7 and info.tijden()[2][2].strftime("%H:%M") == "21:11"  # 19:35 + 7x12 + 6x2


async def test_questions_merge_into_the_top_five(store: Store) -> None:
    svc = service(store)
    info = svc.nieuw("2026-2027", date(2027, 2, 11))
    for text, count in (("Wat is de B-stroom?", 2), ("Is er een bus?", 1)):
        info = svc.bewaar_vraag(info.id, Vraag(tekst=text, aantal=count))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        screen.query_one(TabbedContent).active = "vragen"
        await pilot.pause()
        table = screen.query_one("#vragen-table", RecordTable)
        table.focus()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, VraagForm)
        await type_into(app, pilot, "tekst", "Wat betekent B-stroom?")
        app.screen.field("onderwerp").value = "structuur en stromen"
        app.screen.field("aantal").value = "3"
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert [r.cells[1:4] for r in table.rows] == [("1", "3", "Wat betekent B-stroom?"),
                                                      ("2", "2", "Wat is de B-stroom?"),
                                                      ("3", "1", "Is er een bus?")]
        table.cursor = 1
        await pilot.press("space")  # mark the duplicate
        table.cursor = next(i for i, r in enumerate(table.rows) if r.cells[3] == "Wat betekent B-stroom?")
        await pilot.press("m")  # merge it into the selected one
        await pilot.pause()
        assert [r.cells[1:4] for r in table.rows] == [("1", "5", "Wat betekent B-stroom?"),
                                                      ("2", "1", "Is er een bus?")]
    merged = svc.huidig().vragen
    kept = next(v for v in merged if v.tekst == "Wat betekent B-stroom?")
    assert (kept.aantal, kept.varianten, kept.onderwerp) == (5, ("Wat is de B-stroom?",), "structuur en stromen")


async def test_start_from_last_years_infomoment(store: Store) -> None:
    svc = service(store)
    last = svc.nieuw("2025-2026", date(2026, 2, 12), plaats="turnzaal")
    svc.bewaar_vraag(last.id, Vraag(tekst="Wat is de B-stroom?"))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(app, pilot)
        assert shows(app, "v: vertrekken van het infomoment van 2025-2026")
        await pilot.press("v")
        await pilot.pause()
        assert shows(app, "donderdag 11 februari 2027")
        await pilot.press("j")
        await pilot.pause()
        assert shows(app, "11/02/2027 19:00-21:13, turnzaal")
    info = svc.huidig()
    assert info.datum == date(2027, 2, 11) and info.vragen == () and info.plaats == "turnzaal"


async def test_next_years_infomoment_can_be_prepared_this_year(store: Store) -> None:
    from textual.widgets import Select

    svc = service(store)
    svc.nieuw("2026-2027", date(2027, 2, 11))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        screen.query_one("#schooljaar", Select).value = "2027-2028"
        await pilot.pause()
        assert shows(app, "Nog geen infomoment voor 2027-2028.")
        await pilot.press("v", "j")
        await pilot.pause()
    assert svc.van_jaar("2027-2028").datum == date(2028, 2, 10)


@pytest.mark.parametrize("name", ["[/]", "[@click=app.quit]klik[/]", "[bold]Vet[/bold]"])
async def test_hostile_text_shows_literally(store: Store, name: str) -> None:
    svc = service(store)
    info = svc.nieuw("2026-2027", date(2027, 2, 11), plaats=name)
    info = svc.bewaar_tafel(info.id, Tafel(soort="school", naam=name, gastheer=name, net="go"))
    info = svc.bewaar_vraag(info.id, Vraag(tekst=name, antwoord=name))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        assert shows(app, f"19:00-21:27, {name}")
        for tab in ("tafels", "rotatie", "vragen"):
            screen.query_one(TabbedContent).active = tab
            await pilot.pause()
            assert shows(app, name[:9]), tab
        assert app.is_running


async def test_a_fast_typist_never_saves_before_the_last_key_arrived(store: Store) -> None:
    """ctrl+s waits behind the keys typed before it (a priority binding saved an empty field)."""
    from textual import events

    service(store).nieuw("2026-2027", date(2027, 2, 11))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_area(app, pilot)
        screen.query_one(TabbedContent).active = "vragen"
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        for key in [*"Snel getypt?", "ctrl+s"]:  # all at once, as a scanner or a fast typist sends them
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await pilot.pause(0.3)
        await saves_done(pilot)
        assert app.screen is screen
    assert [v.tekst for v in service(store).huidig().vragen] == ["Snel getypt?"]


async def test_export_from_the_area(store: Store) -> None:
    from screens.export_dialog import ExportDialog

    service(store).nieuw("2026-2027", date(2027, 2, 11))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_area(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert b"## Groep A" in dialog.produce("md", {"rotatie": True})
        assert b"meest gestelde vragen" in dialog.produce("md", {"rotatie": False})
