"""The database file mapped instead of read (issue 19, memory): on a local Linux disk the records a live store
keeps as their JSON bytes are the system's cached pages of the file, not a private copy of it.

What must hold: everything reads and saves as before; another window's save is seen; the pages the store
touched are given back after opening and after each save; a protected file, a network share and any other
system read the file as before."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ouder_tui import backups, storage
from ouder_tui.filestore import FileStore

PUPILS = "leerlingen"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def open_store(path: Path, **kwargs) -> FileStore:
    return FileStore.open(path, user="Els", clock=Clock(), **kwargs)


def filled(path: Path, count: int) -> FileStore:
    store = open_store(path, create=True)
    store.insert_many(PUPILS, [{"voornaam": f"Kind{n}", "familienaam": "Peeters", "klas": "3A",
                                "notities": "x" * 300} for n in range(count)])
    return store


def resident_kb_of(path: Path) -> int | None:
    """How much of the mapped file ``path`` is resident in this process (kB, from /proc/self/smaps)."""
    found, inside = None, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5 and ":" in head[3]:  # a mapping's first line
            inside = line.endswith(str(path))
        elif inside and line.startswith("Rss:"):
            found = (found or 0) + int(head[1])
    return found


@pytest.fixture
def db(tmp_path: Path) -> Path:
    if not storage.maps_files_in(tmp_path):  # elsewhere than Linux, or a temporary folder on a share
        pytest.skip("the temporary folder is not on a local disk this system maps")
    return tmp_path / "school.json"


def test_a_database_on_a_local_disk_is_mapped_and_reads_and_saves_as_before(db: Path) -> None:
    filled(db, 50)
    store = open_store(db)
    assert store.storage.mapped
    pupils = {p["voornaam"]: p for p in store.all(PUPILS)}
    assert len(pupils) == 50 and pupils["Kind7"]["klas"] == "3A"

    store.update(PUPILS, pupils["Kind7"]["id"], {**pupils["Kind7"], "klas": "4B"}, expected_rev=pupils["Kind7"]["_rev"])
    store.delete(PUPILS, pupils["Kind8"]["id"], label="Kind8", expected_rev=pupils["Kind8"]["_rev"])
    # the records that did not change still come from the file as it was first read
    assert store.get(PUPILS, pupils["Kind9"]["id"])["voornaam"] == "Kind9"

    again = {p["voornaam"]: p for p in open_store(db, make_backup=False).all(PUPILS)}
    assert len(again) == 49 and again["Kind7"]["klas"] == "4B" and again["Kind9"]["notities"] == "x" * 300
    assert "Kind8" not in again


def test_another_windows_save_replaces_the_file_and_is_seen(db: Path) -> None:
    filled(db, 20)
    mine, theirs = open_store(db), open_store(db, make_backup=False)
    assert mine.storage.mapped and theirs.storage.mapped
    first = mine.all(PUPILS)[0]
    theirs.update(PUPILS, first["id"], {**first, "klas": "6C"}, expected_rev=first["_rev"])
    second = mine.all(PUPILS)[1]
    mine.update(PUPILS, second["id"], {**second, "klas": "1A"}, expected_rev=second["_rev"])

    after = open_store(db, make_backup=False).all(PUPILS)
    assert [after[0]["klas"], after[1]["klas"], after[2]["klas"]] == ["6C", "1A", "3A"]
    assert len(after) == 20


def test_the_pages_are_given_back_after_opening_and_after_each_save(db: Path) -> None:
    filled(db, 3000)  # ~1 MB of records
    store = open_store(db)
    assert store.storage.mapped
    size_kb = db.stat().st_size // 1024
    assert size_kb > 500
    assert (resident_kb_of(db) or 0) < size_kb // 10  # read and checked, then given back

    pupil = store.all(PUPILS)[5]
    store.update(PUPILS, pupil["id"], {**pupil, "klas": "2B"}, expected_rev=pupil["_rev"])
    # the save copied every unchanged record from the old file's pages into the new file, then let them go
    assert (resident_kb_of(db) or 0) < size_kb // 10
    assert store.get(PUPILS, store.all(PUPILS)[6]["id"])["notities"] == "x" * 300


def test_opening_twice_makes_one_start_backup_from_a_mapped_file(db: Path) -> None:
    """The start backup is skipped when the newest one holds the same bytes, also when they are a mapping."""
    filled(db, 10)
    first = open_store(db)
    assert first.storage.mapped and first.start_backup is not None
    second = open_store(db)
    assert second.start_backup is None
    assert len(backups.list_backups(db, backups.START)) == 1


def test_a_protected_database_is_read_not_mapped(db: Path) -> None:
    """Its plain text exists only in this process's memory: there is nothing to map."""
    from ouder_tui import crypto

    filled(db, 5).set_passphrase(crypto.Passphrase("Zonnebloem op het speelplein"))
    store = open_store(db, passphrase=crypto.Passphrase("Zonnebloem op het speelplein"))
    assert not store.storage.mapped
    assert len(store.all(PUPILS)) == 5


def test_elsewhere_the_file_is_read_as_before(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    filled(db, 10)
    monkeypatch.setattr(storage, "maps_files_in", lambda folder: False)
    store = open_store(db)
    assert not store.storage.mapped
    first = store.all(PUPILS)[0]
    store.update(PUPILS, first["id"], {**first, "klas": "5A"}, expected_rev=first["_rev"])
    assert open_store(db, make_backup=False).get(PUPILS, first["id"])["klas"] == "5A"


def test_a_link_to_a_file_on_a_share_is_not_mapped(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database may be a link to a shared file (a save writes through it): where the file is counts."""
    share = tmp_path / "share"
    share.mkdir()
    filled(share / "school.json", 5)
    db.symlink_to(share / "school.json")
    kinds = {str(share.resolve()): "cifs"}
    monkeypatch.setattr(storage, "_filesystem_of", lambda folder: kinds.get(folder, "ext4"))
    store = open_store(db)
    assert not store.storage.mapped
    assert len(store.all(PUPILS)) == 5


MOUNTS = """\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
30 22 0:25 / /home rw shared:2 - btrfs /dev/sda2 rw
40 30 0:40 / /home/els/school\\040share rw shared:3 - cifs //server/school rw
41 22 0:41 / /mnt/nas rw shared:4 - nfs4 nas:/export rw
42 22 0:42 / /mnt/ssh rw shared:5 - fuse.sshfs els@host: rw
43 22 0:43 / /tmp rw shared:6 - tmpfs tmpfs rw
"""


@pytest.mark.parametrize(("folder", "kind", "mapped"), [
    ("/var/lib/ouder-tui", "ext4", True),
    ("/home/els/Documenten", "btrfs", True),
    ("/home/els/school share/databank", "cifs", False),
    ("/home/els/school", "btrfs", True),  # a name that only starts like the share's
    ("/mnt/nas/ouder-tui", "nfs4", False),
    ("/mnt/ssh", "fuse.sshfs", False),
    ("/tmp/x", "tmpfs", True),
])
def test_only_local_filesystems_are_mapped(folder: str, kind: str, mapped: bool) -> None:
    found = storage.filesystem_in(MOUNTS.splitlines(), folder)
    assert found == kind
    assert (found in storage.LOCAL_FILESYSTEMS) is mapped


def test_a_file_cut_short_in_place_by_another_program_is_refused_not_read_past_its_end(db: Path) -> None:
    """Saves never change a file in place, but an editor may: the records would then point past the end of the
    mapped file. The store sees the changed file before it reads a record again, and refuses it in Dutch."""
    from ouder_tui.errors import CorruptDatabaseError

    filled(db, 200)
    store = open_store(db)
    assert store.storage.mapped
    with db.open("r+b") as handle:
        handle.truncate(500)
    for read in (lambda: store.all(PUPILS), lambda: store.get(PUPILS, 5),
                 lambda: store.update(PUPILS, 5, {"voornaam": "x"}, expected_rev=1)):
        with pytest.raises(CorruptDatabaseError, match="onleesbaar"):
            read()


def test_a_start_backup_left_for_later_of_a_file_cut_short_meanwhile_is_not_made(db: Path) -> None:
    """The interface makes the start backup after showing the data (``backup_later``): a mapped file that
    another program cut short in between is not copied past its end (that would stop the app); it is said."""
    filled(db, 200)
    store = FileStore.unopened(db, user="Els")
    store.load(backup_later=True)
    assert store.storage.mapped
    with db.open("r+b") as handle:
        handle.truncate(500)
    warnings = store.finish_load()
    assert len(warnings) == 1 and "ander programma" in warnings[0]
    assert store.start_backup is None and backups.list_backups(db, backups.START) == []
