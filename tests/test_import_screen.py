"""Importing the pupil list from the interface: file, columns, preview, run, cancel."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ouder_tui import importers
from ouder_tui.app import make_app
from ouder_tui.leerlingen import Registry
from ouder_tui.store import Store
from screens.importeren import FieldPicker, ImportScreen
from screens.table import RecordTable

FIXTURES = Path(__file__).parent / "fixtures"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(FIXTURES / "wisa.csv", folder / "wisa.csv")
    return folder


async def _open_file(app, pilot, folder: Path) -> ImportScreen:
    screen = ImportScreen(app.registry, folder)
    app.push_screen(screen)
    await pilot.pause()
    files = screen.query_one("#files", RecordTable)
    assert [r.cells[0] for r in files.rows] == ["wisa.csv"]
    files.focus()
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_preview_then_import_with_the_summary_and_the_dashboard_note(store: Store, tmp_path: Path) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_file(app, pilot, _folder(tmp_path))
        summary = str(screen.query_one("#summary").render())
        assert "3 nieuw, 0 bijgewerkt, 0 ongewijzigd, 2 overgeslagen" in summary
        assert "regel 6: geen voornaam" in summary
        columns = {r.cells[0]: r.cells[1:] for r in screen.query_one("#columns", RecordTable).rows}
        assert columns["VOORNAAM"][0] == "voornaam"
        assert columns["RIJKSREGISTERNR"] == ("(niet gebruikt)", "(wordt niet ingelezen)")
        assert Registry(store).leerlingen() == []  # a preview changes nothing
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, ImportScreen)
    assert len(Registry(store).leerlingen()) == 3
    last = store.settings()["laatste_import"]
    assert (last["bestand"], last["nieuw"], last["overgeslagen"], last["door"]) == ("wisa.csv", 3, 2, "Tester")


async def test_a_column_can_be_mapped_to_another_field(store: Store, tmp_path: Path) -> None:
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_file(app, pilot, _folder(tmp_path))
        table = screen.query_one("#columns", RecordTable)
        table.cursor = next(i for i, r in enumerate(table.rows) if r.cells[0] == "KLASNR")
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FieldPicker)
        app.screen.dismiss("")  # "(niet gebruiken)"
        await app.workers.wait_for_complete()
        await pilot.pause()
        columns = {r.cells[0]: r.cells[1] for r in table.rows}
        assert columns["KLASNR"] == "(niet gebruikt)"
        assert screen.overrides == {"klasnummer": ""}


@pytest.mark.file_home
async def test_cancelling_the_import_leaves_the_database_as_it_was(store: Store, tmp_path: Path,
                                                                    monkeypatch) -> None:
    real_apply = importers.apply_import
    screens_seen: list[ImportScreen] = []

    def apply_then_cancel(registry, plan, *, progress, cancelled, bestand):
        def progress_and_press_cancel(done: int, total: int) -> None:
            screens_seen[0].cancel_event.set()  # the user presses Annuleren during the run
            progress(done, total)

        return real_apply(registry, plan, progress=progress_and_press_cancel, cancelled=cancelled, bestand=bestand)

    monkeypatch.setattr(importers, "apply_import", apply_then_cancel)
    before = store.path.read_bytes()
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_file(app, pilot, _folder(tmp_path))
        screens_seen.append(screen)
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)
        assert "geannuleerd. Er is niets gewijzigd." in str(screen.query_one("#summary").render())
        assert not screen.query_one("#start").disabled  # the user can try again
    assert store.path.read_bytes() == before
    assert Registry(store).leerlingen() == []
