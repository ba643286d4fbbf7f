"""The class teacher's flows: a startgesprek with its plan, the pupil-present rule, the omgekeerd
oudergesprek with the question bank, the class overview, last year's plan."""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

import msgspec
import pytest
from textual.widgets import OptionList, Select

from ouder_tui.app import make_app
from ouder_tui.leerlingen import Gezin, Leerling, Ouder, Registry
from ouder_tui.startgesprek import Communicatieplan, Startgesprekken
from ouder_tui.store import Store
from screens.gezin import GezinScreen
from screens.leerling import LeerlingScreen
from screens.startgesprek import OmgekeerdForm, StartgesprekForm
from screens.startgesprekken import StartgesprekkenScreen
from screens.table import RecordTable
from .saving import saves_done

SIZE = (110, 40)


async def focus(app, pilot, selector: str) -> None:
    """Focus a field as Tab would (the form scrolls it into view)."""
    app.screen.query_one(selector).focus()
    await pilot.pause()


def shows(app, text: str) -> bool:
    return escape(text).replace(" ", "&#160;") in app.export_screenshot()


@pytest.fixture
def klas(registry: Registry) -> list[Leerling]:
    family = registry.add_gezin(Gezin(naam="Benali", ouders=(
        Ouder(relatie="moeder", voornaam="Naima", talen=("Arabisch",), tolk_nodig=True, tolk_taal="Arabisch"),)))
    return [registry.add_leerling(Leerling(voornaam=n, familienaam=f, klas="5A", gezin_id=family.id if f == "Benali"
                                           else None))
            for n, f in (("Sara", "Benali"), ("Lars", "Peeters"), ("Noor", "Maes"))]


async def _open_area(app, pilot) -> StartgesprekkenScreen:
    await pilot.press("f5")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, StartgesprekkenScreen)
    return screen


async def test_record_a_startgesprek_with_its_plan(store: Store, klas) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_area(app, pilot)
        assert "0 gehouden, 0 gepland, 3 nog niet" in str(screen.query_one("#figures").render())
        table = screen.query_one(RecordTable)
        table.cursor = next(i for i, r in enumerate(table.rows) if r.cells[0] == "Sara Benali")
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, StartgesprekForm)
        assert form.field("plan_taal").value == "Arabisch" and form.field("plan_tolk").value is True
        form.field("status").value = "gehouden"
        await focus(app, pilot, "#input-kwaliteiten")
        await pilot.press(*"behulpzaam")
        await focus(app, pilot, "#input-nodig-leerkracht")
        await pilot.press(*"extra uitleg bij breuken")
        form.field("kanaal1").value = "telefoon"
        form.field("kanaal2").value = "smartschool"
        await focus(app, pilot, "#input-frequentie")
        await pilot.press(*"elke maand kort bellen")
        await focus(app, pilot, "#input-evaluatie_op")
        await pilot.press(*"01/02/2027", "ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, StartgesprekkenScreen)
        assert "1 gehouden, 0 gepland, 2 nog niet" in str(screen.query_one("#figures").render())
        app.push_screen(LeerlingScreen(app.registry, klas[0].id))
        await pilot.pause()
        assert shows(app, "Zo houden we contact: telefoongesprek, Smartschool-bericht")
        app.push_screen(GezinScreen(app.registry, klas[0].gezin_id))
        await pilot.pause()
        assert shows(app, "Hoe vaak: elke maand kort bellen")
    talk = Startgesprekken(store, Registry(store)).huidig_plan(klas[0].id)
    assert talk.kwaliteiten == "behulpzaam" and talk.plan.kanalen == ("telefoon", "smartschool")
    assert talk.nodig[0].wat == "extra uitleg bij breuken" and talk.plan.evaluatie_op == date(2027, 2, 1)


async def test_the_form_refuses_a_held_startgesprek_without_the_pupil(store: Store, klas) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(StartgesprekForm(app.startgesprekken, app.startgesprekken.nieuw(klas[1].id)))
        await pilot.pause()
        form = app.screen
        form.field("status").value = "gehouden"
        form.field("leerling_aanwezig").value = False
        await focus(app, pilot, "#input-doelen")
        await pilot.press(*"vlotter lezen", "ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert app.screen is form
        error = str(form.field("leerling_aanwezig").query_one(".field-error").render())
        assert error == "Bij een startgesprek is de leerling altijd aanwezig."
        assert form.field("doelen").value == "vlotter lezen"
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert shows(app, "Zes ezelsbruggetjes") and shows(app, "OMA thuislaten")
    assert Startgesprekken(store, Registry(store)).van_leerling(klas[1].id) == []


async def test_omgekeerd_oudergesprek_with_the_question_bank_and_a_timer(store: Store, klas) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_area(app, pilot)
        table = screen.query_one(RecordTable)
        table.cursor = next(i for i, r in enumerate(table.rows) if r.cells[0] == "Noor Maes")
        await pilot.press("o")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, OmgekeerdForm)
        assert "Gesprek loopt: 00:0" in str(form.query_one("#timer").render())
        questions = form.query_one("#questions", OptionList)
        questions.focus()
        questions.highlighted = 2
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"Ze tekent graag.")
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, StartgesprekkenScreen)
        assert table.rows[[r.cells[0] for r in table.rows].index("Noor Maes")].cells[4] == "22/11/2026"
    [talk] = Startgesprekken(store, Registry(store)).van_leerling(klas[2].id)
    assert talk.soort == "omgekeerd" and talk.status == "gehouden"
    assert talk.antwoorden[0].vraag == app.startgesprekken.vragen()[2].vraag
    assert talk.antwoorden[0].antwoord == "Ze tekent graag."


async def test_start_from_last_years_plan(store: Store, klas) -> None:
    service = Startgesprekken(store, Registry(store))
    service.bewaar(msgspec.structs.replace(
        service.nieuw(klas[1].id), schooljaar="2025-2026", datum=date(2025, 9, 10), status="gehouden",
        plan=Communicatieplan(kanalen=("brief",), frequentie="elke week een briefje in de agenda")))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_area(app, pilot)
        table = screen.query_one(RecordTable)
        table.cursor = next(i for i, r in enumerate(table.rows) if r.cells[0] == "Lars Peeters")
        await pilot.press("v")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, StartgesprekForm)
        assert form.field("frequentie").value == "elke week een briefje in de agenda"
        assert form.field("kanaal1").value == "brief"
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
    assert Startgesprekken(store, Registry(store)).huidig_plan(klas[1].id).schooljaar == "2026-2027"


async def test_the_class_overview_on_the_demo(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_area(app, pilot)
        screen.query_one("#klas", Select).value = "5A"
        await pilot.pause()
        figures = str(screen.query_one("#figures").render())
        rows = Startgesprekken(demo_store, Registry(demo_store)).klasoverzicht("5A")
        held = sum(r.stand == "gehouden" for r in rows)
        assert f"gouden weken voorbij  ·  {held} gehouden" in figures
        assert screen.query_one(RecordTable).row_count == len(rows)


async def test_an_own_question_belongs_to_the_talk_and_the_bank_only_on_request(store: Store, klas) -> None:
    """At 80x24, Tab reaches the own-question field; Enter puts the question in this talk only; with
    *ook in de vragenbank* ticked the school's bank gets it too."""
    app = make_app(store, ask_user=False)
    bank = len(app.startgesprekken.vragen())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_area(app, pilot)
        table = screen.query_one(RecordTable)
        while table.rows[table.cursor].cells[0] != "Noor Maes":
            await pilot.press("down")
        await pilot.press("o")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, OmgekeerdForm)
        own = form.query_one("#own-question")
        await pilot.press("tab")
        assert app.focused is own and own.region.bottom <= 24  # reached by Tab, and drawn on the screen
        await pilot.press(*"Welk eten lust je kind het liefst?", "enter")
        await pilot.pause()
        assert form._questions_asked() == ["Welk eten lust je kind het liefst?"]
        await pilot.press(*"Pasta.")
        for _ in range(12):  # back to "ook in de vragenbank", past how the talk went
            if app.focused is form.query_one("#to-bank"):
                break
            await pilot.press("shift+tab")
        assert app.focused is form.query_one("#to-bank")
        await pilot.press("space")
        await pilot.press("shift+tab", *"Wie brengt je kind naar school?", "enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
    service = Startgesprekken(store, Registry(store))
    assert [v.vraag for v in service.vragen()[bank:]] == ["Wie brengt je kind naar school?"]
    [talk] = service.van_leerling(klas[2].id)
    assert [(a.vraag, a.antwoord) for a in talk.antwoorden] == [("Welk eten lust je kind het liefst?", "Pasta."),
                                                              ("Wie brengt je kind naar school?", "")]


async def test_which_parents_took_part_is_recorded(store: Store, klas) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        talk = app.startgesprekken.nieuw(klas[0].id)
        app.push_screen(StartgesprekForm(app.startgesprekken, msgspec.structs.replace(talk, ouder_ids=())))
        await pilot.pause()
        form = app.screen
        assert form.field("ouder_ids").value == ()
        form.field("ouder_ids").value = talk.ouder_ids
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
    saved = Startgesprekken(store, Registry(store)).van_leerling(klas[0].id)[0]
    assert saved.ouder_ids == talk.ouder_ids and len(saved.ouder_ids) == 1


async def test_hostile_names_and_plans_show_literally(store: Store, registry: Registry) -> None:
    family = registry.add_gezin(Gezin(naam="[/]", ouders=(Ouder(voornaam="[@click=app.quit]", relatie="moeder"),)))
    pupil = registry.add_leerling(Leerling(voornaam="[bold]Ali", familienaam="[/]", klas="5A", gezin_id=family.id))
    service = Startgesprekken(store, registry)
    service.bewaar(msgspec.structs.replace(service.nieuw(pupil.id), status="gehouden", plan=Communicatieplan(
        kanalen=("sms",), frequentie="[red]altijd[/red]", evaluatie_op=date(2026, 11, 1))))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert shows(app, "[bold]Ali [/] (5A)")  # dashboard: plans to review
        await _open_area(app, pilot)
        assert shows(app, "[bold]Ali [/]")
        await pilot.press("enter")
        await pilot.pause()
        assert shows(app, "[@click=app.quit] (moeder)") and isinstance(app.screen, StartgesprekForm)
        await pilot.press("escape")
        app.push_screen(LeerlingScreen(app.registry, pupil.id))
        await pilot.pause()
        assert shows(app, "Hoe vaak: [red]altijd[/red]")
        await pilot.press("ctrl+p", *"ali")
        await pilot.pause(0.5)
        assert shows(app, "Startgesprek  ·  [bold]") and shows(app, "[/] (5A)  ·  22/11/2026")
        assert app.is_running


async def test_export_the_class_plans_from_the_interface(store: Store, klas, tmp_path) -> None:
    from textual.widgets import Input

    from screens.export_dialog import ExportDialog

    service = Startgesprekken(store, Registry(store))
    service.bewaar(msgspec.structs.replace(service.nieuw(klas[0].id), status="gehouden",
                                           plan=Communicatieplan(kanalen=("telefoon",))))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await _open_area(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        target = tmp_path / "plannen.csv"
        dialog.query_one("#path", Input).value = str(target)
        await focus(app, pilot, "#path")
        await pilot.press("enter")
        await pilot.pause()
    assert "Sara Benali" in target.read_text(encoding="utf-8-sig")
