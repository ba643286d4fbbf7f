"""The passphrase in the interface: asked at start and to unlock, set, changed and turned off in the settings,
and exports of a protected database sealed by default."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from textual.widgets import Checkbox, Input

from ouder_tui import crypto
from ouder_tui.app import make_app
from ouder_tui.filestore import FileStore
from ouder_tui.store import Store
from screens.export_dialog import ExportDialog
from screens.instellingen import InstellingenForm
from screens.start_error import StartErrorScreen
from screens.wachtwoord import PassphraseScreen, WachtwoordDialog
from screens.who import WhoScreen
from .saving import saves_done

SECRET = "Zonnebloem op het speelplein"
OTHER = "Regenboog boven de refter"
SIZE = (100, 34)


def shows(app, text: str) -> bool:
    return escape(text).replace(" ", "&#160;") in app.export_screenshot()


def error_of(app) -> str:
    return str(app.screen.query_one("#error").render())


def protect(path: Path, passphrase: str = SECRET) -> None:
    FileStore.open(path, make_backup=False).set_passphrase(crypto.Passphrase(passphrase))


async def type_passphrase(app, pilot, text: str) -> None:
    field = app.screen.query_one("#passphrase", Input)
    field.value = text
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_start_asks_the_passphrase_first_and_a_wrong_one_opens_nothing(demo_path: Path) -> None:
    protect(demo_path)
    before = demo_path.read_bytes()
    store = FileStore.unopened(demo_path, user="onbekend")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PassphraseScreen) and app.locked
        assert shows(app, "Deze databank is beveiligd")
        await type_passphrase(app, pilot, OTHER)
        assert isinstance(app.screen, PassphraseScreen) and not store.loaded
        assert shows(app, "Dat wachtwoord klopt niet.")
        assert app.screen.query_one("#passphrase", Input).value == ""  # not kept in the field
        await pilot.press("f3", "ctrl+p")  # nothing opens behind it
        assert isinstance(app.screen, PassphraseScreen)
        assert demo_path.read_bytes() == before

        await type_passphrase(app, pilot, SECRET)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.loaded and isinstance(app.screen, WhoScreen)
        app.screen.query_one("#new-name", Input).value = "Juf Els"
        app.screen.query_one("#new-name", Input).focus()
        await pilot.press("enter")
        await saves_done(pilot)
        await pilot.pause()
        assert not app.locked and store.user == "Juf Els"
        assert shows(app, "263 leerlingen")


async def test_after_five_wrong_tries_the_screen_waits(demo_path: Path) -> None:
    protect(demo_path)
    store = FileStore.unopened(demo_path)
    app = make_app(store)
    now = [1000.0]
    app.passphrase_throttle = crypto.Throttle(clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(5):
            await type_passphrase(app, pilot, "fout fout")
        assert "5 keer na elkaar een fout wachtwoord. Wacht nog 30 seconden" in error_of(app)
        await type_passphrase(app, pilot, SECRET)  # even the right one waits
        assert isinstance(app.screen, PassphraseScreen) and not store.loaded
        now[0] += 31
        await type_passphrase(app, pilot, SECRET)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.loaded and isinstance(app.screen, WhoScreen)
        assert app.passphrase_throttle.wrong == 0


@pytest.fixture
def protected_store(demo_path: Path, clock) -> Store:
    """The demo school protected with SECRET, opened by Juf Els as the app would."""
    protect(demo_path)
    return FileStore.open(demo_path, user="Juf Els", clock=clock, passphrase=crypto.Passphrase(SECRET))


async def test_the_lock_asks_the_passphrase_then_who_you_are(protected_store: Store) -> None:
    app = make_app(protected_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, PassphraseScreen) and app.locked
        assert shows(app, "Vergrendeld") and not shows(app, "leerlingen")
        await type_passphrase(app, pilot, OTHER)
        assert isinstance(app.screen, PassphraseScreen) and shows(app, "klopt niet")
        await type_passphrase(app, pilot, SECRET)
        assert isinstance(app.screen, WhoScreen) and app.locked
        await pilot.press(*"Juf Els", "enter")
        await saves_done(pilot)
        await pilot.pause()
        assert not app.locked


async def test_an_unprotected_database_locks_without_a_passphrase(store: Store) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, WhoScreen)


async def open_settings(app, pilot) -> InstellingenForm:
    app.action_instellingen()
    await pilot.pause()
    assert isinstance(app.screen, InstellingenForm)
    return app.screen


async def confirm_dialog(app, pilot, **fields: str) -> None:
    dialog = app.screen
    assert isinstance(dialog, WachtwoordDialog)
    for name, value in fields.items():
        dialog.query_one(f"#{name}", Input).value = value
    dialog.query(Input).last().focus()
    await pilot.press("enter")  # Enter in the last field confirms
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.file_home
async def test_protect_change_and_turn_off_from_the_settings(store: Store) -> None:
    store.insert("leerlingen", {"voornaam": "Lotte", "familienaam": "Zwijsenberghe"})
    store.set_user("Juf Els")
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(110, 48)) as pilot:
        form = await open_settings(app, pilot)
        assert shows(app, "Niet beveiligd")
        await pilot.click("#protect-aan")
        await pilot.pause()
        assert shows(app, "Wie het wachtwoord vergeet, verliest alle gegevens")
        await confirm_dialog(app, pilot, nieuw=SECRET, herhaal=SECRET)
        assert shows(app, "Vink aan dat je dit begrijpt.") and not store.protected  # the warning must be read
        await confirm_dialog(app, pilot, nieuw="kort", herhaal="kort")
        assert shows(app, "minstens 8 tekens")
        app.screen.query_one("#begrepen", Checkbox).value = True
        await confirm_dialog(app, pilot, nieuw=SECRET, herhaal=SECRET)
        assert app.screen is form, error_of(app) and store.protected
        assert b"Zwijsenberghe" not in store.path.read_bytes()
        assert shows(app, "Beveiligd met een wachtwoord. Laatst gewijzigd door Juf Els")

        await pilot.click("#protect-wijzig")
        await pilot.pause()
        before = store.path.read_bytes()
        await confirm_dialog(app, pilot, huidig=OTHER, nieuw=OTHER, herhaal=OTHER)
        assert isinstance(app.screen, WachtwoordDialog) and shows(app, "huidige wachtwoord klopt niet")
        assert store.path.read_bytes() == before
        await confirm_dialog(app, pilot, huidig=SECRET, nieuw=OTHER, herhaal=OTHER)
        assert app.screen is form
        crypto.unlock(store.path.read_bytes(), crypto.Passphrase(OTHER))

        await pilot.click("#protect-uit")
        await pilot.pause()
        await confirm_dialog(app, pilot, huidig=OTHER)
        assert app.screen is form and not store.protected
        assert b"Zwijsenberghe" in store.path.read_bytes()
        assert shows(app, "Niet beveiligd")


@pytest.mark.file_home
async def test_exports_of_a_protected_database_are_sealed_by_default(store: Store, tmp_path: Path) -> None:
    store.set_passphrase(crypto.Passphrase(SECRET))
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        dialog = ExportDialog("Test", "lijst", ("csv", "json"), lambda fmt, ticked: b"Voornaam;Lotte\n")
        app.push_screen(dialog)
        await pilot.pause()
        path = dialog.query_one("#path", Input)
        assert path.value.endswith(".csv.versleuteld") and dialog.query_one("#sealed", Checkbox).value
        path.value = str(tmp_path / "lijst.csv.versleuteld")
        await pilot.click("#export")
        await pilot.pause()
    sealed = (tmp_path / "lijst.csv.versleuteld").read_bytes()
    assert b"Lotte" not in sealed
    assert crypto.unlock(sealed, crypto.Passphrase(SECRET))[1] == b"Voornaam;Lotte\n"

    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        dialog = ExportDialog("Test", "lijst", ("csv", "json"), lambda fmt, ticked: b"Voornaam;Lotte\n")
        app.push_screen(dialog)
        await pilot.pause()
        dialog.query_one("#sealed", Checkbox).value = False
        await pilot.pause()
        path = dialog.query_one("#path", Input)
        assert path.value.endswith(".csv") and not path.value.endswith(".versleuteld")
        path.value = str(tmp_path / "leesbaar.csv")
        await pilot.click("#export")
        await pilot.pause()
    assert (tmp_path / "leesbaar.csv").read_bytes() == b"Voornaam;Lotte\n"


async def test_an_unprotected_database_offers_no_sealing(store: Store) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        dialog = ExportDialog("Test", "lijst", ("csv",), lambda fmt, ticked: b"x")
        app.push_screen(dialog)
        await pilot.pause()
        assert not dialog.query("#sealed") and dialog.query_one("#path", Input).value.endswith(".csv")


async def test_a_damaged_protected_file_gets_the_way_out_not_a_wrong_passphrase(demo_path: Path) -> None:
    protect(demo_path)
    FileStore.open(demo_path, passphrase=crypto.Passphrase(SECRET))  # a protected start backup
    raw = bytearray(demo_path.read_bytes())
    raw[-10] ^= 0xFF
    demo_path.write_bytes(bytes(raw))
    store = FileStore.unopened(demo_path)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await type_passphrase(app, pilot, SECRET)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StartErrorScreen)
        assert demo_path.read_bytes() == bytes(raw)
        await pilot.click("#restore")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.loaded and not isinstance(app.screen, StartErrorScreen)
        assert store.count("leerlingen") == 264


async def test_a_crash_while_unlocking_does_not_print_the_passphrase(demo_path: Path, monkeypatch) -> None:
    """Textual prints a crash with every frame's local variables; the typed passphrase must not be among them."""
    import io

    from rich.console import Console

    protect(demo_path)

    def crash(self, passphrase):
        held = passphrase  # noqa: F841 - a local the traceback shows
        raise RuntimeError("boem tijdens het ontgrendelen")

    monkeypatch.setattr(FileStore, "unlock", crash)
    app = make_app(FileStore.unopened(demo_path))
    buffer = io.StringIO()
    app.error_console = Console(file=buffer, width=200)  # where Textual prints a crash
    with pytest.raises(RuntimeError):
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            monkeypatch.setattr(screen, "_check", lambda passphrase: crash(None, passphrase))
            screen.query_one("#passphrase", Input).value = SECRET
            await pilot.press("enter")
            await pilot.pause()
    shown = buffer.getvalue()
    assert "boem tijdens het ontgrendelen" in shown and "Passphrase(***)" in shown
    assert SECRET not in shown


async def test_a_passphrase_changed_in_another_window_stops_saves_not_the_app(protected_store: Store, demo_path: Path,
                                                                             clock) -> None:
    app = make_app(protected_store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        other = FileStore.open(demo_path, user="Jan", clock=clock, passphrase=crypto.Passphrase(SECRET))
        other.set_passphrase(crypto.Passphrase(OTHER), current=crypto.Passphrase(SECRET))
        await pilot.press("f3")  # reading goes on with what was loaded
        await pilot.pause()
        assert shows(app, "Leerlingen")
        await open_settings(app, pilot)
        await pilot.press("ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert isinstance(app.screen, InstellingenForm)
        assert "intussen gewijzigd" in str(app.screen.query_one("#form-error").render())
    crypto.unlock(demo_path.read_bytes(), crypto.Passphrase(OTHER))  # the other window's change stands
