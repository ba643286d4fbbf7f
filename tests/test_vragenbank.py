"""The question bank of the omgekeerd oudergesprek can be managed: hide any question, edit or remove own ones."""

from __future__ import annotations

from ouder_tui.app import make_app
from ouder_tui.leerlingen import Registry
from ouder_tui.startgesprek import Startgesprekken
from ouder_tui.store import Store
from screens.dialogs import ConfirmDialog
from screens.table import RecordTable
from screens.vragenbank import VraagForm, VragenbankScreen
from .saving import saves_done


def service(store: Store) -> Startgesprekken:
    return Startgesprekken(store, Registry(store))


async def test_hide_edit_and_remove_questions_by_keyboard(demo_store: Store) -> None:
    own = service(demo_store).voeg_vraag_toe("Wat eet je kind graag?")
    shipped = service(demo_store).vragen()[0]
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f5", "b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, VragenbankScreen)
        table = screen.query_one(RecordTable)
        await pilot.press("e")  # on a shipped question: not possible (not offered)
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("h")  # hide the first (shipped) question
        await pilot.pause()
        assert shipped.id not in {v.id for v in service(demo_store).vragen()}
        await pilot.press("end")
        await pilot.pause()
        assert table.current_key == own.id
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, VraagForm)
        await pilot.press("ctrl+u", *"Wat eet je kind het liefst?", "ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert service(demo_store).vragen()[-1].vraag == "Wat eet je kind het liefst?"
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("tab", "enter")
        await pilot.pause()
    questions = service(demo_store).vragen(ook_verborgen=True)
    assert own.id not in {v.id for v in questions}
    assert next(v for v in questions if v.id == shipped.id).verborgen
