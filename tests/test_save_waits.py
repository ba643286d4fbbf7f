"""Saves never freeze the screen (issue 13, item 5).

A real other process holds the database's lock, as another window or PC does, while the
user saves a form: the screen keeps answering, says that it waits and for whom, and the
save lands once the other lets go; with a short lock timeout the form says so in Dutch,
keeps every typed value, and saving again after the release works.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from ouder_tui.app import make_app
from ouder_tui.filestore import FileStore
from ouder_tui.leerlingen import Registry
from screens.dialogs import HelpScreen
from screens.leerling import LeerlingForm
from screens.leerlingen import LeerlingenScreen
from screens.saving import SAVE_GROUP
from screens.who import WhoScreen

SIZE = (100, 30)
ROOT = Path(__file__).resolve().parents[1]

# Another window: opens the same file, starts a save (which takes the lock and notes who holds it beside
# it, as every save does) and holds it until the test writes a line (or closes the pipe).
HOLDER = r"""
import sys
from ouder_tui.filestore import FileStore

store = FileStore.open(sys.argv[1], user=sys.argv[2], make_backup=False)
with store.transaction():
    print("ready", flush=True)
    sys.stdin.readline()
"""


class OtherWindow:
    """A process that holds the database's lock until :meth:`release`."""

    def __init__(self, db: Path, user: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), user], cwd=ROOT, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"

    @property
    def holding(self) -> bool:
        return self.process.poll() is None

    def release(self) -> None:
        if self.holding:
            assert self.process.stdin is not None
            self.process.stdin.write("los\n")
            self.process.stdin.close()
        assert self.process.wait(timeout=20) == 0


@pytest.fixture
def other_window(tmp_path: Path) -> Iterator[Callable[..., OtherWindow]]:
    """Start another window on the test's database (``db.json``) that holds its lock."""
    windows: list[OtherWindow] = []

    def start(user: str = "Juf Anja") -> OtherWindow:
        windows.append(OtherWindow(tmp_path / "db.json", user))
        return windows[-1]

    yield start
    for window in windows:  # a failed test must not leave a process holding the lock
        if window.holding:
            window.process.kill()
            window.process.wait()


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def saves_running(app) -> list:
    return [w for w in app.workers if w.group == SAVE_GROUP and not w.is_finished]


async def until(pilot, condition, seconds: float = 20.0) -> None:
    """Let the app run until ``condition()`` holds (the save is in a worker)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "niet binnen de tijd"
        await pilot.pause(0.05)


async def fill_new_pupil(pilot) -> LeerlingForm:
    await pilot.press("f3", "down", "n")  # from the search field to the list, then "new"
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, LeerlingForm)
    await pilot.press(*"Noor")
    await pilot.click("#input-familienaam")
    await pilot.press(*"Vermeulen")
    await pilot.click("#input-klas")
    await pilot.press(*"2B")
    return form


def typed(form: LeerlingForm) -> tuple:
    return tuple(form.field(name).value for name in ("voornaam", "familienaam", "klas"))


async def test_a_save_waits_for_another_window_without_freezing_the_screen(tmp_path: Path, clock,
                                                                           other_window) -> None:
    db = tmp_path / "db.json"
    store = FileStore.open(db, user="Tester", clock=clock)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        form = await fill_new_pupil(pilot)
        other = other_window()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Juf Anja" in text_of(form, "#form-status"))
        status = text_of(form, "#form-status")
        assert status.startswith("Bewaren … de databank is bezet door Juf Anja (sinds ") and "Even wachten" in status
        assert gc.isenabled()  # held from ctrl+s (test_collector), let go once the save waits: it may wait minutes

        # The screen answers while the other window holds on: keys, timers, the pilot.
        assert other.holding and app.screen is form
        started = time.monotonic()
        await pilot.pause()
        assert time.monotonic() - started < 2  # not the lock timeout (10 s)
        before = app.focused
        await pilot.press("tab")
        assert app.focused is not before
        await pilot.press("shift+tab")
        assert app.focused is before
        await until(pilot, lambda: text_of(form, "#form-status") != status)  # the seconds waited tick on
        # What was typed stays as it was sent: the fields wait, read-only, for the outcome.
        await pilot.click("#input-klas")
        await pilot.press("x")
        assert typed(form) == ("Noor", "Vermeulen", "2B")
        # ctrl+s again starts no second save; Esc and ctrl+q do not hide a save that is still waiting.
        await pilot.press("ctrl+s")
        assert len(saves_running(app)) == 1
        assert "Bewaren loopt al; er komt geen tweede." in text_of(form, "#form-status")
        await pilot.press("escape")
        assert app.screen is form and "Sluiten kan pas als het bewaren klaar is." in text_of(form, "#form-status")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and app.screen is form
        assert other.holding and Registry(store).leerlingen() == []

        other.release()
        await until(pilot, lambda: isinstance(app.screen, LeerlingenScreen))
        await until(pilot, lambda: saves_running(app) == [])  # the worker ends right after closing the form
    saved = Registry(FileStore.open(db, user="Iemand", make_backup=False)).leerlingen()
    assert [(p.naam, p.klas, p.created_by) for p in saved] == [("Noor Vermeulen", "2B", "Tester")]


async def test_a_lock_timeout_keeps_what_was_typed_and_saving_again_works(tmp_path: Path, clock,
                                                                          other_window) -> None:
    db = tmp_path / "db.json"
    store = FileStore.open(db, user="Tester", clock=clock, lock_timeout=1)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        form = await fill_new_pupil(pilot)
        other = other_window()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Probeer het zo opnieuw" in text_of(form, "#form-error"))
        error = text_of(form, "#form-error")
        assert "De databank is al 1 seconden bezet door Juf Anja (sinds " in error
        assert "Wat je typte, staat er nog: druk ctrl+s om opnieuw te bewaren." in error
        assert app.screen is form and typed(form) == ("Noor", "Vermeulen", "2B")
        await until(pilot, lambda: saves_running(app) == [])  # the worker ends right after showing the error
        assert text_of(form, "#form-status") == ""
        assert Registry(store).leerlingen() == []
        # The fields take keys again.
        await pilot.click("#input-klas")
        await pilot.press("end", "backspace", "C")
        assert typed(form) == ("Noor", "Vermeulen", "2C")

        other.release()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, LeerlingenScreen))
    saved = Registry(FileStore.open(db, user="Iemand", make_backup=False)).leerlingen()
    assert [(p.naam, p.klas) for p in saved] == [("Noor Vermeulen", "2C")]


async def test_a_save_that_lands_under_the_help_closes_the_form_once_the_help_is_closed(
        tmp_path: Path, clock, other_window) -> None:
    db = tmp_path / "db.json"
    store = FileStore.open(db, user="Tester", clock=clock)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        form = await fill_new_pupil(pilot)
        other = other_window()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "Juf Anja" in text_of(form, "#form-status"))
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        other.release()
        await until(pilot, lambda: not saves_running(app))
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and app.screen_stack[-2] is form  # nothing popped underneath
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LeerlingenScreen))
    assert [p.naam for p in Registry(store).leerlingen()] == ["Noor Vermeulen"]


async def test_who_are_you_waits_for_another_window_and_says_for_whom(tmp_path: Path, clock, other_window) -> None:
    db = tmp_path / "db.json"
    store = FileStore.open(db, user="Tester", clock=clock)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        who = app.screen
        assert isinstance(who, WhoScreen)
        other = other_window("[bold]Juf[/] Anja")  # a name is never markup
        await pilot.press(*"Juf Sarah", "enter")
        await until(pilot, lambda: "Anja" in text_of(who, "#status"))
        assert text_of(who, "#status").startswith("Bewaren … de databank is bezet door [bold]Juf[/] Anja (sinds ")
        await pilot.press("enter")  # once is enough
        assert len(saves_running(app)) == 1 and app.screen is who
        other.release()
        await until(pilot, lambda: not isinstance(app.screen, WhoScreen))
        assert store.user == "Juf Sarah"
    assert FileStore.open(db, make_backup=False).known_users() == ["Juf Sarah"]


async def test_a_save_that_fails_at_once_gives_the_keys_back_to_the_field(tmp_path: Path, monkeypatch) -> None:
    """The fields are locked while a save runs (the focus leaves them); a save that fails at once puts the
    focus back where ctrl+s was pressed, so the next key goes on in that field."""
    from ouder_tui.errors import OuderTuiError

    def refuse(registry, leerling):
        raise OuderTuiError("De schijf is vol.")

    monkeypatch.setattr(Registry, "add_leerling", refuse)
    app = make_app(FileStore.open(tmp_path / "db.json", user="Tester"), ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        form = await fill_new_pupil(pilot)  # the focus is in the class field
        await pilot.press("ctrl+s")
        await until(pilot, lambda: saves_running(app) == [] and "De schijf is vol." in text_of(form, "#form-error"))
        assert app.screen is form and app.focused is form.query_one("#input-klas")
        await pilot.press("end", "C")
        assert typed(form) == ("Noor", "Vermeulen", "2BC")
