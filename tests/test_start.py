"""Starting as the command line does: the file loads in the background, a broken file gets a way out."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from ouder_tui.app import make_app
from ouder_tui.leerlingen import Registry
from ouder_tui.filestore import FileStore
from ouder_tui.store import Store
from screens.instellingen import InstellingenForm
from screens.start_error import StartErrorScreen
from screens.who import WhoScreen
from .saving import saves_done


async def test_the_first_screen_shows_before_the_file_is_read(demo_path: Path) -> None:
    first = FileStore.open(demo_path, user="Meester Tom")
    first.set_user("Meester Tom")
    store = FileStore.unopened(demo_path, user="onbekend")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, WhoScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.loaded
        assert app.screen.known == ["Meester Tom"]
        await pilot.press("down", "enter")  # the known name, picked on purpose (Enter alone picks nobody)
        await pilot.pause()
        assert store.user == "Meester Tom" and not app.locked
        assert app.sub_title == "Basisschool De Notelaar (demo)"


async def test_the_dashboard_waits_with_one_notice_then_shows_its_panels_with_the_first_focused(demo_path: Path) -> None:
    """Started for a known user (``--gebruiker``): the first frame is the dashboard without its panels (they
    would only say "Laden ..."), and once the file is read the panels come, the first with the focus, as always."""
    from screens.overzicht import DashboardPanel

    store = FileStore.unopened(demo_path, user="Meester Tom")
    real_load = store.load
    held = []
    store.load = lambda **kw: held.append(kw)  # hold the load back to see the first frame
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert not app.screen.query(DashboardPanel) and app.screen.query_one("#laden")
        real_load()
        app._store_ready()
        await pilot.pause()
        await pilot.pause()
        panels = list(app.screen.query(DashboardPanel))
        assert len(panels) >= 8 and app.focused is panels[0]
        assert "leerlingen in" in str(panels[0].render())
        await pilot.press("tab")
        assert app.focused is panels[1]


@contextlib.asynccontextmanager
async def started(path: Path) -> AsyncIterator[tuple[Any, FileStore, Any]]:
    """The app on ``path`` as the command line starts it (the file read in the background), once it is read."""
    store = FileStore.unopened(path, user="Tester")
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        yield app, store, pilot


async def test_the_start_backup_is_made_once_the_dashboard_has_its_data(demo_path: Path) -> None:
    """The command line's start shows the data first, then copies the file as it was read to a start backup."""
    from ouder_tui import backups

    content = demo_path.read_bytes()
    async with started(demo_path) as (app, store, _):
        assert store.loaded and store.start_backup is not None
        assert [path for _, path in backups.list_backups(demo_path, backups.START)] == [store.start_backup]
        assert store.start_backup.read_bytes() == content
        assert not app._notifications


async def test_a_start_backup_that_fails_is_said_and_the_app_goes_on(demo_path: Path) -> None:
    from ouder_tui import backups

    backups.backup_folder(demo_path).write_text("geen map")  # the backup folder cannot be made
    async with started(demo_path) as (app, store, pilot):
        assert store.loaded and store.start_backup is None
        messages = [str(n.message) for n in app._notifications]
        assert len(messages) == 1 and messages[0].startswith("Er kon geen reservekopie gemaakt worden")
        await pilot.press("f3")
        await pilot.pause()
        assert app.screen.query_one("#pupils").row_count > 0


async def test_once_the_data_shows_frames_are_handed_to_textuals_writer_sooner(demo_path: Path) -> None:
    """After the start a busy thread hands the interpreter's lock on after 1 ms (Textual's writer thread then
    sends a frame while more work follows it); as it was before the app, once the app ends."""
    import sys

    before = sys.getswitchinterval()
    async with started(demo_path) as (_, store, _):
        assert store.loaded and sys.getswitchinterval() == min(before, 0.001)
    assert sys.getswitchinterval() == before


async def test_a_name_typed_while_loading_is_applied_once_loaded(demo_path: Path, monkeypatch) -> None:
    store = FileStore.unopened(demo_path, user="onbekend")
    real_load = store.load
    monkeypatch.setattr(store, "load", lambda **options: None)  # hold the load back
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.screen.query_one("#new-name", Input).focus()
        await pilot.press(*"Juf Sarah", "enter")
        await pilot.pause()
        assert isinstance(app.screen, WhoScreen) and app.screen.pending == "Juf Sarah"
        assert app.locked
        real_load()
        app._store_ready()
        await saves_done(pilot)
        await pilot.pause()
        assert store.user == "Juf Sarah" and not isinstance(app.screen, WhoScreen) and not app.locked


async def test_a_broken_file_offers_the_newest_good_backup_and_restores_it(demo_path: Path) -> None:
    FileStore.open(demo_path)  # a start: makes a backup
    good = Registry(FileStore.open(demo_path, make_backup=False)).leerlingen()
    demo_path.write_bytes(b'{"leerlingen": {"1": {"voornaam": "hal')  # e.g. a sync client cut it off
    broken = demo_path.read_bytes()
    store = FileStore.unopened(demo_path, user="Tester")
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StartErrorScreen)
        assert "onleesbaar" in str(app.screen.query_one("#message").render())
        assert demo_path.read_bytes() == broken  # never overwritten
        await pilot.press("f3", "ctrl+p")
        assert isinstance(app.screen, StartErrorScreen)  # nothing else opens meanwhile
        await pilot.click("#restore")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert store.loaded and not isinstance(app.screen, StartErrorScreen)
        assert [p.id for p in app.registry.leerlingen()] == [p.id for p in good]


async def test_stop_on_a_file_from_a_newer_version(tmp_path: Path) -> None:
    path = tmp_path / "nieuw.json"
    path.write_text('{"_meta": {"1": {"schema_version": 99}}}')
    app = make_app(FileStore.unopened(path), ask_user=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "nieuwere versie" in str(app.screen.query_one("#message").render())
        assert not app.screen.query("#restore")
        await pilot.click("#stop")
        await pilot.pause()
    assert app.return_code == 1
    assert path.read_text() == '{"_meta": {"1": {"schema_version": 99}}}'


async def test_settings_name_the_school_and_set_the_idle_time(store: Store) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, InstellingenForm)
        await pilot.press(*"De Regenboog [GO!]")
        await pilot.click("#input-vergrendel_na_minuten")
        await pilot.press("end", "backspace", *"0", "ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert "Kies tussen 1 en 120 minuten." in str(form.field("vergrendel_na_minuten").query_one(".field-error").render())
        await pilot.press("backspace", *"10", "ctrl+s")
        await saves_done(pilot)
        await pilot.pause()
        assert not isinstance(app.screen, InstellingenForm)
        assert app.sub_title == "De Regenboog [GO!]" and app.idle_minutes == 10
    settings = store.settings()
    assert (settings["school_naam"], settings["vergrendel_na_minuten"], settings["_changed_by"]) == (
        "De Regenboog [GO!]", 10, "Tester")


async def test_one_bad_byte_or_a_flipped_status_gets_the_start_error_screen_not_an_endless_wait(
        demo_path: Path) -> None:
    """Issue 16: an invalid UTF-8 byte or 'actief' flipped to 'acuief' made the interface wait forever."""
    FileStore.open(demo_path)  # a start: makes a backup
    raw = demo_path.read_bytes()
    at = raw.index(b"Peeters")
    for damaged in (raw[:at] + b"\xff" + raw[at + 1:], raw.replace(b'"actief"', b'"acuief"', 1)):
        demo_path.write_bytes(damaged)
        app = make_app(FileStore.unopened(demo_path, user="Tester"), ask_user=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, StartErrorScreen)
            assert "onleesbaar" in str(app.screen.query_one("#message").render())
            assert app.screen.backup is not None  # the newest good backup is offered
        assert demo_path.read_bytes() == damaged


async def test_an_unforeseen_failure_while_opening_also_gets_the_start_error_screen(
        demo_path: Path, monkeypatch) -> None:
    store = FileStore.unopened(demo_path, user="Tester")

    def broken(**_options) -> None:
        raise RuntimeError("iets dat niemand voorzag")

    monkeypatch.setattr(store, "load", broken)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StartErrorScreen)
        assert "onverwachte fout" in str(app.screen.query_one("#message").render())


async def test_restoring_an_unprotected_backup_over_a_protected_file_asks_first(tmp_path: Path) -> None:
    """Issue 16: the start-error screen does not turn protection off without a second, explicit choice."""
    from ouder_tui import backups, crypto

    path = tmp_path / "school.json"
    FileStore.open(path).insert("leerlingen", {"voornaam": "Anna"})
    FileStore.open(path)  # a start backup
    [(_, readable)] = backups.list_backups(path)
    readable_copy = readable.read_bytes()
    FileStore.open(path, make_backup=False).set_passphrase(crypto.Passphrase("een lange zin als wachtwoord"))
    readable.write_bytes(readable_copy)  # a readable copy left behind (e.g. copied back by hand)
    raw = path.read_bytes()
    path.write_bytes(raw[:-3] + bytes([raw[-3] ^ 1]) + raw[-2:])  # and the database damaged
    store = FileStore.unopened(path, user="Tester")
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not isinstance(app.screen, StartErrorScreen):  # the passphrase screen comes first
            await pilot.press(*"een lange zin als wachtwoord", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert isinstance(app.screen, StartErrorScreen) and app.screen.backup == str(readable)
        await pilot.click("#restore")
        await pilot.pause()
        assert "zet de beveiliging uit" in str(app.screen.query_one("#message").render())
        assert crypto.is_protected(path.read_bytes())  # nothing changed yet
        button = app.screen.query_one("#restore")
        assert str(button.label) == "Toch terugzetten"
        while button.has_class("-active"):  # a button ignores a press while it still shows the last one
            await pilot.pause(0.05)
        await pilot.press("enter")  # the button keeps the focus: a deliberate second choice
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not crypto.is_protected(path.read_bytes())
        assert store.protection_changed()["actie"] == "onbeveiligd"


async def test_once_the_dashboard_shows_its_figures_the_registry_s_repeated_values_are_shared(
        demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory at scale (issue 19): after the start, pupils of one class hold one string for its name, and the
    memory the C allocator keeps free is handed back; the screens show what they showed."""
    import screens.overzicht
    from screens.overzicht import DashboardPanel

    given_back = []
    monkeypatch.setattr(screens.overzicht, "give_back_free_memory", lambda: given_back.append(True))
    store = FileStore.open(demo_path, user="Meester Tom")
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(10):
            await pilot.pause()
            await app.workers.wait_for_complete()
        assert all(panel.filled for panel in app.screen.query(DashboardPanel))
        pupils = app.registry.leerlingen()
        first = pupils[0]
        same_class = [p for p in pupils if p.klas == first.klas]
        assert len(same_class) > 1 and all(p.klas is first.klas for p in same_class)
        assert "leerlingen in" in str(app.screen.query(DashboardPanel).first().render())
        assert given_back == [True]

        # a large import (above what is brought up to date record by record) makes the pupils again as a whole:
        # back on the dashboard they are shared again
        store.insert_many("leerlingen", [{"voornaam": f"Kind{i}", "familienaam": "Nieuw", "klas": first.klas}
                                         for i in range(2500)])
        await pilot.press("f3")
        await pilot.pause()
        assert not app.registry.repeated_values_shared()
        await pilot.press("f2")
        for _ in range(10):
            await pilot.pause()
            await app.workers.wait_for_complete()
        assert app.registry.repeated_values_shared()
        same_class = [p for p in app.registry.leerlingen() if p.klas == first.klas]
        assert len(same_class) > 2500 and all(p.klas is same_class[0].klas for p in same_class)
