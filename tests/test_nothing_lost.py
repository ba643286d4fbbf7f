"""Nothing typed is lost: every way out of a form with unsaved changes asks first (Nee by default),
Bewaren comes before Annuleren, and the conflict dialog lists only what this person changed."""

from __future__ import annotations

import msgspec
import pytest
from textual.widgets import Button, Input

from ouder_tui.app import make_app
from ouder_tui.filestore import FileStore
from ouder_tui.leerlingen import Registry
from ouder_tui.store import Store
from screens.dialogs import ConfirmDialog, ConflictDialog
from screens.leerling import LeerlingForm
from screens.leerlingen import LeerlingenScreen
from screens.who import WhoScreen
from .saving import saves_done

SIZE = (80, 24)


async def _new_pupil_form(app, pilot) -> LeerlingForm:
    await pilot.press("f3", "down", "n")
    await pilot.pause()
    assert isinstance(app.screen, LeerlingForm)
    return app.screen


async def test_tab_from_the_last_field_lands_on_bewaren_not_annuleren(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_pupil_form(app, pilot)
        for _ in range(40):
            await pilot.press("tab")
            if isinstance(app.focused, Button) and app.focused.parent.id == "buttons":
                break
        assert app.focused is form.query_one("#save")
        await pilot.press("tab")
        assert app.focused is form.query_one("#cancel")


async def test_a_field_typed_and_erased_again_is_no_change(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_pupil_form(app, pilot)
        await pilot.press(*"Quirina")
        assert form.has_unsaved_changes
        await pilot.press(*["backspace"] * 7)
        assert not form.has_unsaved_changes
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LeerlingenScreen)


async def test_ctrl_q_with_a_filled_form_asks_and_enter_keeps_it(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_pupil_form(app, pilot)
        await pilot.press(*"Quirina", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Wijzigingen niet bewaard. Weggooien?" in app.screen.title_text
        await pilot.press("enter")  # the default is Nee
        await pilot.pause()
        assert app.is_running and app.screen is form and form.field("voornaam").value == "Quirina"
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
    assert app.return_code == 0


async def test_ctrl_u_edits_a_text_field_and_asks_before_switching_user(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_pupil_form(app, pilot)
        await pilot.press(*"Quirina", "ctrl+u")  # in a text field: erase to the start of the line
        await pilot.pause()
        assert app.screen is form and form.field("voornaam").value == ""
        await pilot.press(*"Quirina", "tab", *"Z", "shift+tab")
        await pilot.press("tab", "tab")  # leave the text fields: on a field that is no text
        while isinstance(app.focused, Input):
            await pilot.press("tab")
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is form and form.field("voornaam").value == "Quirina"


async def test_ctrl_l_and_switching_area_ask_first(demo_store: Store) -> None:
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_pupil_form(app, pilot)
        await pilot.press(*"Quirina", "ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and not app.locked
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form and not app.locked
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and app.current_mode == "leerlingen"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form and app.current_mode == "leerlingen"
        await pilot.press("f4")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert app.current_mode == "huisbezoeken"
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, LeerlingenScreen)  # the form was thrown away, as chosen


async def test_the_idle_lock_keeps_the_form_and_asks_the_next_person(demo_store: Store, monkeypatch) -> None:
    monkeypatch.setattr("ouder_tui.app.IDLE_CHECK_SECONDS", 0.05)
    app = make_app(demo_store, ask_user=False, idle_minutes=0.01)  # 0.6 s
    async with app.run_test(size=SIZE) as pilot:
        form = await _new_pupil_form(app, pilot)
        await pilot.press(*"Quirina")
        await pilot.pause(1.0)
        assert isinstance(app.screen, WhoScreen) and app.locked
        await pilot.press(*"Juf Sarah", "enter")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # Juf Sarah decides about Tester's unsaved form
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form and form.field("voornaam").value == "Quirina"


@pytest.mark.file_home
async def test_the_conflict_dialog_lists_only_the_fields_i_changed_beside_theirs(demo_store: Store, clock) -> None:
    registry = Registry(demo_store)
    pupil = registry.leerlingen()[0]
    app = make_app(demo_store, ask_user=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3", "down", "e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, LeerlingForm)
        pupil = form.record
        while app.focused is not form.query_one("#input-notities"):
            await pilot.press("tab")
        await pilot.press(*"Belt liever na 17 uur.")
        other = Registry(FileStore.open(demo_store.path, user="Meester Tom", clock=clock, make_backup=False))
        other.save_leerling(msgspec.structs.replace(other.leerling(pupil.id), klas="6B"))
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConflictDialog)
        assert [row[0] for row in dialog.rows] == ["Notities"]  # not Klas: Tester never touched it
        assert dialog.rows[0][1] == "Belt liever na 17 uur." and dialog.rows[0][2] == "(leeg)"
        await pilot.press("escape")  # Terug: the form still saves on the version it opened (a conflict again)
        await pilot.pause()
        assert app.screen is form and form.field("klas").value == pupil.klas
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, ConflictDialog)
        await pilot.click("#herladen")
        await pilot.pause()
        typed = str(form.query_one("#typed").render())
        assert "Notities: jij Belt liever na 17 uur." in typed and "Klas" not in typed
        await pilot.press("escape")  # what was typed sits beside the fields: still asks
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
