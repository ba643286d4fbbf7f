"""Pilot tests of the first start's question "waar staat de databank?": keys only, as a user presses them;
then what was kept and what opens."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from ouder_tui import locatie
from ouder_tui.filestore import FileStore
from ouder_tui.locatie import resolve
from screens.dialogs import HelpScreen
from screens.locatie import LocatieApp

SIZE = (80, 24)
REAL_TEMP_FOLDERS = locatie.temp_folders


@pytest.fixture(autouse=True)
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """This test's own machine-wide and per-user folders; tmp_path is not a temporary folder here."""
    pc, user = tmp_path / "pc", tmp_path / "gebruiker"
    monkeypatch.setenv("OUDER_TUI_MACHINE_DIR", str(pc))
    monkeypatch.setenv("OUDER_TUI_USER_DIR", str(user))
    monkeypatch.delenv("OUDER_TUI_DB", raising=False)
    monkeypatch.setattr(locatie, "temp_folders", lambda **_: [])
    return {"pc": pc, "gebruiker": user}


def make(folders: dict[str, Path]) -> LocatieApp:
    """The question as ``ouder-tui`` asks it on this PC."""
    return LocatieApp(machine_database=locatie.machine_database(), existing=locatie.existing_user_databases())


def visible(app, text: str) -> bool:
    """Whether ``text`` is drawn on the screen (searched in the SVG export; long lines may wrap)."""
    svg = app.export_screenshot()
    return escape(text).replace(" ", "&#160;") in svg


def shown(app) -> str:
    """All text of the question's lines, unwrapped (for sentences longer than a line)."""
    from textual.widgets import Static

    return " ".join(str(widget.render()) for widget in app.screen.query(Static) if widget.display)


async def settled(pilot) -> None:
    """Wait for the work started by Enter (making the folder, copying, keeping the choice)."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def test_enter_chooses_this_pc_for_everyone_and_says_what_happened(folders) -> None:
    app = make(folders)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert visible(app, "Alleen op deze pc, voor iedereen die zich aanmeldt")
        assert visible(app, "In een gedeelde map") and visible(app, "Op de schoolserver")
        assert "Let op" not in shown(app)
        await pilot.press("enter")
        await settled(pilot)
        assert visible(app, "De databank is gekozen")
        assert "De keuze geldt voor iedereen op deze pc" in shown(app)
        await pilot.press("enter")  # Verder
        await pilot.pause()
    target = folders["pc"] / "ouder-tui.json"
    assert app.return_value is not None and app.return_value.databank == str(target)
    assert resolve(None).databank == str(target) and resolve(None).bron == "pc"


async def test_a_cloud_folder_is_warned_against_and_can_still_be_chosen(folders, tmp_path: Path) -> None:
    synced = tmp_path / "OneDrive [tolk]"
    synced.mkdir()
    app = make(folders)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down")  # in een gedeelde map
        await pilot.pause()
        assert visible(app, "map of bestand")
        await pilot.press("enter")  # to the folder's field
        await pilot.press(*str(synced))
        await pilot.pause()
        text = shown(app)
        assert "Let op:" in text and "OneDrive synchroniseert" in text
        assert "conflictkopieën en kent geen gedeeld slot: twee pc's verliezen elkaars wijzigingen" in text
        assert str(synced / "ouder-tui.json") in text  # the name shows literally, [tolk] too
        await pilot.press("enter")
        await settled(pilot)
        assert "Lees eerst de waarschuwing" in shown(app) and visible(app, "Toch kiezen")
        assert resolve(None) is None  # nothing kept yet
        await pilot.press("backspace")  # another place: asked again before it is chosen
        await pilot.pause()
        assert not visible(app, "Toch kiezen") and "Lees eerst" not in shown(app)
        await pilot.press("]", "enter")
        await settled(pilot)
        assert "Lees eerst de waarschuwing" in shown(app) and visible(app, "Toch kiezen")
        await pilot.press("enter")  # toch kiezen
        await settled(pilot)
        assert visible(app, "De databank is gekozen")
        await pilot.press("enter")
        await pilot.pause()
    assert resolve(None).databank == str(synced / "ouder-tui.json")
    assert app.return_value.databank == str(synced / "ouder-tui.json")


async def test_the_chosen_file_opens_in_the_app(folders, tmp_path: Path, monkeypatch) -> None:
    """The whole first start: the question, then ouder-tui opens on the chosen file (and asks who you are)."""
    import ouder_tui.app
    from ouder_tui.cli import main

    shared = tmp_path / "zorg"
    shared.mkdir()
    app = make(folders)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter", *str(shared), "enter")
        await settled(pilot)
        await pilot.press("enter")
        await pilot.pause()
    outcome = app.return_value
    opened = []
    monkeypatch.setattr(ouder_tui.app, "choose_location", lambda **_: outcome)
    monkeypatch.setattr(ouder_tui.app.OuderTuiApp, "run",
                        lambda self: opened.append((self.store.location, self.ask_user)))
    assert main([]) == 0
    assert opened == [(str(shared / "ouder-tui.json"), True)]


async def test_an_old_per_user_database_is_taken_along_as_a_copy(folders) -> None:
    old = folders["gebruiker"] / "ouder-tui.json"
    FileStore.open(old).insert("leerlingen", {"voornaam": "Sara", "familienaam": "Peeters"})
    before = old.read_bytes()
    app = make(folders)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Gevonden: een databank van een vorige versie" in shown(app) and str(old) in shown(app)
        assert visible(app, "Meenemen naar de nieuwe plaats")
        await pilot.press("enter")
        await settled(pilot)
        text = shown(app)
        assert "gekopieerd naar" in text and "blijft ongewijzigd staan" in text
        await pilot.press("enter")
        await pilot.pause()
    new = folders["pc"] / "ouder-tui.json"
    assert new.read_bytes() == before and old.read_bytes() == before
    assert [r["voornaam"] for r in FileStore.open(new).all("leerlingen")] == ["Sara"]


async def test_not_taking_it_along_starts_empty_and_leaves_it(folders) -> None:
    old = folders["gebruiker"] / "ouder-tui.json"
    FileStore.open(old)
    app = make(folders)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "space")  # untick "meenemen"
        await pilot.press("shift+tab", "enter")
        await settled(pilot)
        assert "gekopieerd" not in shown(app)
        await pilot.press("enter")
    assert not (folders["pc"] / "ouder-tui.json").exists() and old.exists()
    assert resolve(None).databank == str(folders["pc"] / "ouder-tui.json")


async def test_keeping_the_old_database_where_it_is_shows_why_that_is_risky(folders, monkeypatch) -> None:
    monkeypatch.setattr(locatie, "temp_folders", REAL_TEMP_FOLDERS)  # tmp_path is a temporary folder: warned
    old = folders["gebruiker"] / "ouder-tui.json"
    FileStore.open(old)
    app = make(folders)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("up")  # from the first option to the last: "blijven werken ..."
        await pilot.pause()
        text = shown(app)
        assert f"ouder-tui blijft werken in {old}" in text and "Let op:" in text and "tijdelijke map" in text
        assert "Die keuze geldt alleen voor jou" in text
        assert not visible(app, "Meenemen naar") and not visible(app, "Alleen voor mij")
        await pilot.press("enter")
        await settled(pilot)
        assert "Lees eerst de waarschuwing" in shown(app)
        await pilot.press("enter")
        await settled(pilot)
        assert "De keuze geldt voor jou alleen" in shown(app)
        await pilot.press("enter")
    assert resolve(None).databank == str(old) and resolve(None).bron == "gebruiker"
    assert not (folders["pc"] / "locatie.json").exists()


async def test_only_for_me_keeps_it_in_the_users_own_settings(folders) -> None:
    app = make(folders)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "space")  # "alleen voor mij"
        await pilot.press("tab", "enter")  # Kiezen
        await settled(pilot)
        assert "De keuze geldt voor jou alleen" in shown(app)
        await pilot.press("enter")
    assert resolve(None).bron == "gebruiker"
    assert not (folders["pc"] / "locatie.json").exists()


async def test_a_shared_folder_needs_a_name_and_must_exist(folders, tmp_path: Path) -> None:
    app = make(folders)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter", "enter")
        await pilot.pause()
        assert "Typ de gedeelde map" in shown(app)
        await pilot.press(*str(tmp_path / "nergens"), "enter")
        await settled(pilot)
        assert "bestaat niet of is nu niet bereikbaar" in shown(app)
    assert resolve(None) is None


async def test_the_school_server_is_typed_without_password_and_kept_once_it_answers(folders) -> None:
    app = make(folders)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "down")
        await pilot.pause()
        assert "Typ de server zonder wachtwoord" in shown(app)
        await pilot.press("enter", *"schoolserver", "enter")
        await pilot.pause()
        assert "postgresql://SERVER/DATABANK" in shown(app)
        await pilot.press("ctrl+u", *"postgresql://juf:geheim@schoolserver/ouders", "enter")
        await pilot.pause()
        assert "Zet geen wachtwoord in de URL" in shown(app)
        await pilot.press("ctrl+u", *"postgresql://juf.anja@schoolserver/ouders")
        await pilot.pause()
        assert "iedereen op deze pc meldt zich dan aan als juf.anja" in shown(app)
        await pilot.press("ctrl+u", *"postgresql://schoolserver/ouders", "enter")
        await settled(pilot)
    outcome = app.return_value
    assert outcome.databank == "postgresql://schoolserver/ouders" and outcome.machine and not outcome.saved
    assert resolve(None) is None  # kept by the command line once the server answers


async def test_help_and_stopping(folders) -> None:
    app = make(folders)
    async with app.run_test(size=SIZE) as pilot:
        assert visible(app, "Stoppen") and visible(app, "Help")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and "conflictkopieën" in shown(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_value is None and resolve(None) is None
