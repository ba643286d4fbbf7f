"""Python's cycle collector is held while a user waits for a save, and always runs again afterwards (issue 19).

With a large database one full pass of the collector takes tens of milliseconds; a save makes enough objects
to start one between ctrl+s and the list that shows the change. The form holds the collector for that moment
(:mod:`ouder_tui.collector`); these tests prove that the hold ends: shortly after the save is seen or
refused, and with holds from several threads at once. That a save which waits for another window lets the
collector go at once is checked in test_save_waits.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import screens.forms
from ouder_tui import collector
from ouder_tui.app import make_app
from ouder_tui.errors import ValidationError
from ouder_tui.filestore import FileStore
from screens.leerling import LeerlingForm
from screens.leerlingen import LeerlingenScreen
from tests.test_save_waits import SIZE, fill_new_pupil, until


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_holds_from_several_threads_end_with_the_last() -> None:
    first = collector.hold()
    assert not gc.isenabled()
    second: list = []
    thread = threading.Thread(target=lambda: second.append(collector.hold()))
    thread.start()
    thread.join()
    first()
    assert not gc.isenabled()  # the other thread still holds it
    first()  # a second release of the same hold changes nothing
    assert not gc.isenabled()
    second[0]()
    assert gc.isenabled()


def test_a_hold_released_later_ends_from_its_timer() -> None:
    collector.release_later(collector.hold(), 0.01)
    assert not gc.isenabled()
    deadline = time.monotonic() + 5
    while not gc.isenabled():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector.paused_gc():
        release = collector.hold()
    release()
    assert not gc.isenabled()


def test_paused_gc_freezes_only_when_the_last_hold_ends() -> None:
    gc.unfreeze()
    release = collector.hold()
    with collector.paused_gc(freeze=True):
        made = [[] for _ in range(100)]
    assert gc.get_freeze_count() == 0  # another hold was still in place
    release()
    with collector.paused_gc(freeze=True):
        made.append([])
    assert gc.get_freeze_count() > 0 and gc.isenabled()
    gc.unfreeze()


async def test_a_save_holds_the_collector_until_the_list_shows_it(tmp_path: Path, clock, monkeypatch) -> None:
    store = FileStore.open(tmp_path / "db.json", user="Tester", clock=clock)
    may_save = threading.Event()
    save = LeerlingForm.store_value

    def held_save(form, value, *, overwrite):
        may_save.wait(20)
        return save(form, value, overwrite=overwrite)

    monkeypatch.setattr(LeerlingForm, "store_value", held_save)
    monkeypatch.setattr(screens.forms, "SAVE_NOTICE_SECONDS", 60)  # (a slow test machine: no waiting notice)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        await fill_new_pupil(pilot)
        assert gc.isenabled()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not gc.isenabled()  # from ctrl+s on, while the save runs
        may_save.set()
        await until(pilot, lambda: isinstance(app.screen, LeerlingenScreen))
        await pilot.pause()
        assert "Vermeulen" in str(app.screen.query_one("#pupils").render_line(1).text)
        await until(pilot, gc.isenabled, seconds=5)  # shortly after the list shows the new pupil


async def test_a_save_the_store_refuses_lets_the_collector_run(tmp_path: Path, clock, monkeypatch) -> None:
    store = FileStore.open(tmp_path / "db.json", user="Tester", clock=clock)

    def refused(form, value, *, overwrite):
        raise ValidationError({"klas": "Deze klas bestaat niet."})

    monkeypatch.setattr(LeerlingForm, "store_value", refused)
    app = make_app(store, ask_user=False)
    async with app.run_test(size=SIZE) as pilot:
        form = await fill_new_pupil(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not form.saving)
        await pilot.pause()
        assert app.screen is form and "Deze klas bestaat niet." in str(form.field("klas").query_one(".field-error").render())
        await until(pilot, gc.isenabled, seconds=5)


def test_giving_back_free_memory_leaves_everything_as_it_was() -> None:
    """malloc_trim on Linux with glibc, nothing elsewhere: objects made before and after are whole."""
    from ouder_tui.collector import give_back_free_memory

    kept = [bytes(1000) * i for i in range(200)]
    del kept[::2]
    give_back_free_memory()
    assert [len(b) for b in kept] == [1000 * i for i in range(1, 200, 2)]
    assert give_back_free_memory() is None


async def test_a_save_that_breaks_in_an_unforeseen_way_stops_the_app_with_its_error(tmp_path: Path, clock,
                                                                                     monkeypatch) -> None:
    """Only the core's Dutch errors come back to the form; anything else is a bug, and the app stops on it (as a
    Textual worker that fails does), rather than leave a form that waits for ever."""
    import asyncio

    from textual.worker import WorkerFailed

    store = FileStore.open(tmp_path / "db.json", user="Tester", clock=clock)

    def broken(form, value, *, overwrite):
        raise RuntimeError("kapot")

    monkeypatch.setattr(LeerlingForm, "store_value", broken)
    app = make_app(store, ask_user=False)
    with pytest.raises(WorkerFailed, match="kapot"):
        async with app.run_test(size=SIZE) as pilot:
            await fill_new_pupil(pilot)
            await pilot.press("ctrl+s")
            for _ in range(100):
                await asyncio.sleep(0.05)
                if not app.is_running:
                    break
    assert store.all("leerlingen") == []
