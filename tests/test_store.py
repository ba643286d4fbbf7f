"""Unit tests of the store's contract (DESIGN.md, "The store's contract"), against real files.

Every test names the user-facing guarantee it proves. The process-level proofs
(SIGKILL, several writers at once) live in ``test_store_process.py``.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import msgspec
import pytest
from tinydb import TinyDB

from ouder_tui import backups, migrations, storage, tables
from ouder_tui import filestore as store_module
from ouder_tui.errors import (
    ConflictError,
    CorruptDatabaseError,
    NewerSchemaError,
    NotFoundError,
    OuderTuiError,
    StoreError,
    ValidationError,
)
from ouder_tui.migrations import CURRENT_SCHEMA
from ouder_tui.filestore import FileStore
from ouder_tui.store import Store
from ouder_tui.text import format_datetime

BRUSSELS = timezone(timedelta(hours=1))
PUPILS = "leerlingen"


class Clock:
    """A clock for ``FileStore.open(clock=...)`` that moves one minute on every reading."""

    def __init__(self, start: datetime = datetime(2026, 11, 22, 8, 53, tzinfo=BRUSSELS)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def pupil(naam: str = "Yasmina", **extra) -> dict:
    return {"naam": naam, "voornaam": "El Idrissi", "klas": "3A", **extra}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "school.json"


def open_store(path: Path, user: str = "Els", clock: Clock | None = None, **kwargs) -> Store:
    return FileStore.open(path, user=user, clock=clock or Clock(), **kwargs)


def snapshot(path: Path) -> tuple[bytes, int]:
    """The file's bytes and modification time: both must survive a refused operation."""
    return path.read_bytes(), path.stat().st_mtime_ns


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def on_disk(path: Path) -> dict:
    return json.loads(path.read_bytes())


# ---------------------------------------------------------------------------
# 3. Revisions and conflicts
# ---------------------------------------------------------------------------


def test_insert_starts_at_revision_one_and_every_save_bumps_it(db: Path) -> None:
    """Each record carries a revision that goes up with every save, also on disk."""
    store = open_store(db)
    record = store.insert(PUPILS, pupil())
    assert record["_rev"] == 1
    saved = store.update(PUPILS, record["id"], pupil(klas="3B"), expected_rev=1)
    assert saved["_rev"] == 2
    saved = store.update(PUPILS, record["id"], pupil(klas="3C"), expected_rev=2)
    assert saved["_rev"] == 3
    assert on_disk(db)[PUPILS][str(record["id"])]["_rev"] == 3
    assert store.get(PUPILS, record["id"])["klas"] == "3C"


def test_saving_a_record_someone_else_changed_is_a_conflict_naming_who_and_when(db: Path) -> None:
    """Saving a stale record raises ConflictError saying who changed it and when; nothing changes."""
    els = open_store(db, "Els")
    record = els.insert(PUPILS, pupil())

    jan_clock = Clock(datetime(2026, 12, 3, 14, 20, tzinfo=BRUSSELS))
    jan = open_store(db, "Jan", jan_clock)
    jans = jan.update(PUPILS, record["id"], pupil(klas="4A"), expected_rev=1)
    before = snapshot(db)

    with pytest.raises(ConflictError) as caught:
        els.update(PUPILS, record["id"], pupil(klas="5B", notitie="wat Els typte"), expected_rev=1)

    error = caught.value
    assert error.changed_by == "Jan"
    assert error.changed_at == jans["_changed_at"] == jan_clock.now.isoformat()
    assert "Jan" in str(error) and format_datetime(jans["_changed_at"]) in str(error)
    assert "03/12/2026 14:21" in str(error)
    assert error.current["klas"] == "4A" and error.current["_rev"] == 2 and error.current["id"] == record["id"]
    assert isinstance(error, OuderTuiError)
    # nothing changed: not on disk, not in either window
    assert snapshot(db) == before
    assert els.get(PUPILS, record["id"])["klas"] == "4A"
    assert "notitie" not in els.get(PUPILS, record["id"])


def test_after_a_conflict_the_user_can_choose_to_overwrite(db: Path) -> None:
    """The user's input is not lost: saving again with the current revision (or None) succeeds."""
    els = open_store(db, "Els")
    record = els.insert(PUPILS, pupil())
    open_store(db, "Jan").update(PUPILS, record["id"], pupil(klas="4A"), expected_rev=1)
    mine = pupil(klas="5B")
    with pytest.raises(ConflictError) as caught:
        els.update(PUPILS, record["id"], mine, expected_rev=1)
    saved = els.update(PUPILS, record["id"], mine, expected_rev=caught.value.current["_rev"])
    assert saved["klas"] == "5B" and saved["_rev"] == 3
    forced = els.update(PUPILS, record["id"], pupil(klas="6C"), expected_rev=None)
    assert forced["_rev"] == 4


def test_one_conflict_cancels_a_whole_update_many(db: Path) -> None:
    """update_many saves all records or none: one stale revision leaves every record as it was."""
    els = open_store(db, "Els")
    first, second = els.insert_many(PUPILS, [pupil("Anna"), pupil("Bram")])
    open_store(db, "Jan").update(PUPILS, second["id"], pupil("Bram", klas="4A"), expected_rev=1)
    before = snapshot(db)
    with pytest.raises(ConflictError):
        els.update_many(
            PUPILS,
            [(first["id"], pupil("Anna", klas="9Z"), 1), (second["id"], pupil("Bram", klas="9Z"), 1)],
        )
    assert snapshot(db) == before
    assert els.get(PUPILS, first["id"])["klas"] == "3A"
    assert els.get(PUPILS, first["id"])["_rev"] == 1


def test_deleting_a_record_someone_else_changed_is_a_conflict(db: Path) -> None:
    """A delete with a stale revision is refused like a save, naming who changed the record."""
    els = open_store(db, "Els")
    record = els.insert(PUPILS, pupil())
    open_store(db, "Jan").update(PUPILS, record["id"], pupil(klas="4A"), expected_rev=1)
    with pytest.raises(ConflictError) as caught:
        els.delete(PUPILS, record["id"], expected_rev=1)
    assert caught.value.changed_by == "Jan"
    assert els.get(PUPILS, record["id"]) is not None
    assert els.recycle_bin() == []


# ---------------------------------------------------------------------------
# 4. Recycle bin
# ---------------------------------------------------------------------------


def test_delete_moves_a_record_to_the_recycle_bin(db: Path) -> None:
    """Deleting hides the record everywhere but keeps it, whole, in the prullenbak."""
    store = open_store(db, "Els")
    keep = store.insert(PUPILS, pupil("Anna"))
    gone = store.insert(PUPILS, pupil("Bram"))
    bin_id = store.delete(PUPILS, gone["id"], label="Bram El Idrissi")

    assert store.get(PUPILS, gone["id"]) is None
    assert [r["id"] for r in store.all(PUPILS)] == [keep["id"]]
    assert store.count(PUPILS) == 1
    [entry] = store.recycle_bin(PUPILS)
    assert entry["id"] == bin_id
    assert entry["table"] == PUPILS and entry["record_id"] == gone["id"]
    assert entry["label"] == "Bram El Idrissi"
    assert entry["record"]["naam"] == "Bram"
    assert str(gone["id"]) not in on_disk(db)[PUPILS]
    assert store.recycle_bin("gezinnen") == []


def test_restore_brings_the_record_back_under_its_old_id_with_a_new_revision(db: Path) -> None:
    """Restoring from the prullenbak gives the same record, same id, revision bumped, bin emptied."""
    store = open_store(db, "Els")
    store.insert(PUPILS, pupil("Anna"))
    record = store.insert(PUPILS, pupil("Bram", notitie="spreekt Pools thuis"))
    store.update(PUPILS, record["id"], pupil("Bram", notitie="spreekt Pools thuis"), expected_rev=1)
    bin_id = store.delete(PUPILS, record["id"])
    store.insert(PUPILS, pupil("Chloë"))  # the id counter moves on meanwhile

    restored = store.restore(bin_id)
    assert restored["id"] == record["id"]
    assert restored["_rev"] == 3
    assert restored["notitie"] == "spreekt Pools thuis"
    assert store.get(PUPILS, record["id"])["naam"] == "Bram"
    assert store.recycle_bin() == []
    # and it is on disk for the next start
    assert open_store(db).get(PUPILS, record["id"])["_rev"] == 3


def test_purge_removes_an_entry_for_good(db: Path) -> None:
    """Purging is a separate, deliberate act: only then is the record gone for good."""
    store = open_store(db)
    record = store.insert(PUPILS, pupil())
    bin_id = store.delete(PUPILS, record["id"])
    assert store.recycle_bin() != []
    store.purge(bin_id)
    assert store.recycle_bin() == []
    assert store.get(PUPILS, record["id"]) is None
    assert "Bram" not in db.read_text(encoding="utf-8") and "Yasmina" not in db.read_text(encoding="utf-8")
    with pytest.raises(NotFoundError, match="prullenbak"):
        store.restore(bin_id)
    with pytest.raises(NotFoundError, match="prullenbak"):
        store.purge(bin_id)


def test_saving_a_record_someone_else_deleted_says_who_deleted_it(db: Path) -> None:
    """Saving or deleting a record another window deleted says who deleted it, when, and where it is."""
    els = open_store(db, "Els")
    record = els.insert(PUPILS, pupil())
    jan_clock = Clock(datetime(2026, 12, 3, 14, 20, tzinfo=BRUSSELS))
    open_store(db, "Jan", jan_clock).delete(PUPILS, record["id"])
    before = snapshot(db)

    with pytest.raises(NotFoundError) as caught:
        els.update(PUPILS, record["id"], pupil(klas="4A"), expected_rev=1)
    message = str(caught.value)
    assert "verwijderd door Jan" in message
    assert "03/12/2026 14:21" in message
    assert "prullenbak" in message
    with pytest.raises(NotFoundError, match="verwijderd door Jan"):
        els.delete(PUPILS, record["id"])
    assert snapshot(db) == before


def test_a_record_that_never_existed_is_not_found(db: Path) -> None:
    """Saving an unknown record gives a plain Dutch 'does not exist' message."""
    store = open_store(db)
    with pytest.raises(NotFoundError, match="bestaat niet"):
        store.update(PUPILS, 42, pupil(), expected_rev=None)


def test_restoring_twice_is_refused(db: Path) -> None:
    """A bin entry restored by another window cannot be restored a second time."""
    els = open_store(db, "Els")
    record = els.insert(PUPILS, pupil())
    bin_id = els.delete(PUPILS, record["id"])
    jan = open_store(db, "Jan")
    jan.restore(bin_id)
    with pytest.raises(NotFoundError, match="prullenbak"):
        els.restore(bin_id)
    assert len(els.all(PUPILS)) == 1


# ---------------------------------------------------------------------------
# Ids are never reused
# ---------------------------------------------------------------------------


def test_ids_are_never_reused_after_delete_or_purge(db: Path) -> None:
    """A deleted or purged record's id is never given to a new record, also not after a restart."""
    store = open_store(db)
    ids = [r["id"] for r in store.insert_many(PUPILS, [pupil(str(n)) for n in range(3)])]
    assert ids == [1, 2, 3]
    store.purge(store.delete(PUPILS, 3))
    assert store.insert(PUPILS, pupil("na purge"))["id"] == 4
    store.delete(PUPILS, 4)
    store.purge(store.recycle_bin()[0]["id"])
    reopened = open_store(db)
    assert reopened.insert(PUPILS, pupil("na herstart"))["id"] == 5
    # the bin's own entries are never reused either
    first_bin = reopened.delete(PUPILS, 5)
    reopened.purge(first_bin)
    assert reopened.delete(PUPILS, 1) == first_bin + 1


def test_two_windows_never_hand_out_the_same_id(db: Path) -> None:
    """Two stores on one file take turns handing out ids (the counter lives in the file, not in memory)."""
    a = open_store(db, "Els")
    b = open_store(db, "Jan")
    got = [a.insert(PUPILS, pupil("a1"))["id"], b.insert(PUPILS, pupil("b1"))["id"]]
    got += [a.insert(PUPILS, pupil("a2"))["id"], b.insert(PUPILS, pupil("b2"))["id"]]
    assert got == [1, 2, 3, 4]
    assert sorted(r["naam"] for r in a.all(PUPILS)) == ["a1", "a2", "b1", "b2"]
    b.insert(PUPILS, pupil("b3"))  # id 5, then deleted: no trace of it left in the table
    b.purge(b.delete(PUPILS, 5))
    assert a.insert(PUPILS, pupil("a3"))["id"] == 6


def test_callers_cannot_set_id_revision_or_stamps(db: Path) -> None:
    """The store owns id, revision and who/when: values passed in are ignored."""
    store = open_store(db, "Els")
    forged = {"id": 99, "_rev": 7, "_created_by": "hacker", "_changed_by": "hacker", "_changed_at": "1999-01-01"}
    record = store.insert(PUPILS, pupil(**forged))
    assert record["id"] == 1 and record["_rev"] == 1
    assert record["_created_by"] == record["_changed_by"] == "Els"
    saved = store.update(PUPILS, 1, {**record, "_rev": 50, "_created_by": "hacker"}, expected_rev=1)
    assert saved["_rev"] == 2 and saved["_created_by"] == "Els"
    assert "99" not in on_disk(db)[PUPILS]


# ---------------------------------------------------------------------------
# 7. Who and when
# ---------------------------------------------------------------------------


def test_every_change_is_stamped_with_who_and_when(db: Path) -> None:
    """Insert, update, delete and restore each record the user's name and the time, on disk."""
    clock = Clock()
    els = open_store(db, "Els", clock)
    record = els.insert(PUPILS, pupil())
    created_at = clock.now.isoformat()
    assert record["_created_by"] == record["_changed_by"] == "Els"
    assert record["_created_at"] == record["_changed_at"] == created_at

    jan_clock = Clock(datetime(2027, 1, 5, 10, 0, tzinfo=BRUSSELS))
    jan = open_store(db, "Jan", jan_clock)
    saved = jan.update(PUPILS, record["id"], pupil(klas="4A"), expected_rev=1)
    assert saved["_created_by"] == "Els" and saved["_created_at"] == created_at
    assert saved["_changed_by"] == "Jan" and saved["_changed_at"] == jan_clock.now.isoformat()
    stored = on_disk(db)[PUPILS][str(record["id"])]
    assert (stored["_created_by"], stored["_changed_by"]) == ("Els", "Jan")

    bin_id = jan.delete(PUPILS, record["id"])
    [entry] = els.recycle_bin()
    assert entry["_deleted_by"] == "Jan" and entry["_deleted_at"] == jan_clock.now.isoformat()

    els.set_user("Fatima")
    restored = els.restore(bin_id)
    assert restored["_changed_by"] == "Fatima" and restored["_changed_at"] == clock.now.isoformat()
    assert restored["_created_by"] == "Els"
    assert on_disk(db)[PUPILS][str(record["id"])]["_changed_by"] == "Fatima"


def test_settings_changes_are_stamped_too(db: Path) -> None:
    """Settings are records like any other: who changed them last is kept."""
    store = open_store(db, "Els")
    store.update_settings(school="GO! Basisschool De Linde")
    store.set_user("Jan")
    settings = store.update_settings(schooljaar="2026-2027")
    assert settings["school"] == "GO! Basisschool De Linde" and settings["schooljaar"] == "2026-2027"
    assert store.settings()["_changed_by"] == "Jan" and store.settings()["_created_by"] == "Els"


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Vul je naam in"), ("   \t ", "Vul je naam in"), ("\x1b[31m", "Vul je naam in"), ("x" * 61, "hoogstens 60")],
)
def test_user_names_are_validated(db: Path, name: str, message: str) -> None:
    """A user name must be filled in and at most 60 characters; the error is Dutch, per field."""
    store = open_store(db, "Els")
    with pytest.raises(ValidationError) as caught:
        store.set_user(name)
    assert message in caught.value.errors["gebruiker"]
    assert store.user == "Els"
    with pytest.raises(ValidationError):
        FileStore.open(db, user=name)


def test_user_names_are_cleaned_and_remembered(db: Path) -> None:
    """Control and escape characters are stripped from names; known users come most recent first."""
    store = open_store(db, "Els")
    assert store.set_user("  Jan\x1b[31m \u202e Peeters ") == "Jan Peeters"
    assert store.user == "Jan Peeters"
    store.set_user("Els")
    store.set_user("x" * 60)
    store.set_user("Jan Peeters")
    assert store.known_users() == ["Jan Peeters", "x" * 60, "Els"]
    assert open_store(db).known_users() == ["Jan Peeters", "x" * 60, "Els"]
    assert store.insert(PUPILS, pupil())["_created_by"] == "Jan Peeters"


# ---------------------------------------------------------------------------
# 5. Schema version
# ---------------------------------------------------------------------------


def test_a_new_file_records_the_current_schema(db: Path) -> None:
    """A freshly created database says which schema version wrote it."""
    store = open_store(db)
    assert on_disk(db)["_meta"]["1"]["schema_version"] == CURRENT_SCHEMA
    assert store.schema_version() == CURRENT_SCHEMA
    assert store.start_backup is None  # nothing to back up yet


def test_a_plain_tinydb_file_is_migrated_after_a_backup(db: Path) -> None:
    """A file written by plain TinyDB (schema 0) is backed up, then migrated to the current schema."""
    plain = TinyDB(db)  # TinyDB's own JSONStorage
    plain.table(PUPILS).insert_multiple([pupil("Anna"), pupil("Bram"), pupil("Chloë")])
    plain.table(PUPILS).remove(doc_ids=[3])
    plain.close()
    original = db.read_bytes()

    store = open_store(db, "Els")

    [(_, backup)] = backups.list_backups(db, "voor-migratie-v0")
    assert backup.read_bytes() == original
    assert migrations.schema_version_of(on_disk(db)) == CURRENT_SCHEMA == store.schema_version()
    records = store.all(PUPILS)
    assert [r["naam"] for r in records] == ["Anna", "Bram"]
    assert all(r["_rev"] == 1 for r in records)
    saved = store.update(PUPILS, 1, pupil("Anna", klas="4A"), expected_rev=1)
    assert saved["_rev"] == 2
    assert store.insert(PUPILS, pupil("Daan"))["id"] not in (1, 2)
    # opening again migrates nothing and makes no second migration backup
    open_store(db)
    assert len(backups.list_backups(db, "voor-migratie-v0")) == 1


def write_newer_file(db: Path) -> None:
    document = {
        "_meta": {"1": {"schema_version": CURRENT_SCHEMA + 1, "next_ids": {PUPILS: 2}, "nieuw_veld": True}},
        PUPILS: {"1": {**pupil(), "_rev": 1}},
    }
    # deliberately not our compact encoding: a rewrite would show in the bytes
    db.write_text(json.dumps(document, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")


def test_a_file_from_a_newer_version_is_refused_and_left_untouched(db: Path, tmp_path: Path) -> None:
    """A file written by a newer ouder-tui is refused in Dutch; its bytes, mtime and folder stay as they were."""
    write_newer_file(db)
    os.utime(db, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = snapshot(db)

    for _ in range(2):
        with pytest.raises(NewerSchemaError) as caught:
            open_store(db)
        assert "nieuwere versie" in str(caught.value) and "niet gewijzigd" in str(caught.value)
        assert snapshot(db) == before
    # no backup, no temporary file, no migration: only the separate lock file may appear
    assert files_under(tmp_path) <= {db.name, db.name + ".lock"}
    assert not backups.backup_folder(db).exists()


def test_a_running_store_does_not_write_into_a_file_a_newer_version_upgraded(db: Path) -> None:
    """When a newer ouder-tui on another PC upgrades the shared file, this version refuses to save into it."""
    store = open_store(db)
    record = store.insert(PUPILS, pupil())
    write_newer_file(db)
    before = snapshot(db)
    with pytest.raises(NewerSchemaError):
        store.update(PUPILS, record["id"], pupil(klas="4A"), expected_rev=None)
    with pytest.raises(NewerSchemaError):
        store.insert(PUPILS, pupil("Bram"))
    assert snapshot(db) == before


#: The schema this build writes, and a pretended next one (migrations are tested on the step between them).
THIS = CURRENT_SCHEMA
NEXT = CURRENT_SCHEMA + 1


@pytest.fixture
def schema_v2(monkeypatch: pytest.MonkeyPatch):
    """Pretend this build writes the next schema, with a migration to it that adds a status to every pupil."""
    calls = []

    def v1_to_v2(document):
        calls.append(document)
        for record in document.get(PUPILS, {}).values():
            record["status"] = "actief"
        return document

    monkeypatch.setattr(migrations, "CURRENT_SCHEMA", NEXT)
    monkeypatch.setattr(store_module, "CURRENT_SCHEMA", NEXT)
    monkeypatch.setattr(migrations, "MIGRATIONS", {**migrations.MIGRATIONS, THIS: v1_to_v2})
    return calls


def test_an_older_file_is_migrated_forward_after_a_backup(db: Path, schema_v2: list) -> None:
    """Opening a file of this version with the next build backs it up first, migrates it once, then saves it."""
    with pytest.MonkeyPatch.context() as undo:
        undo.setattr(migrations, "CURRENT_SCHEMA", THIS)
        undo.setattr(store_module, "CURRENT_SCHEMA", THIS)
        v1 = open_store(db, "Els")
        v1.insert_many(PUPILS, [pupil("Anna"), pupil("Bram")])
    v1_bytes = db.read_bytes()

    seen_backup_first = []
    original_migration = migrations.MIGRATIONS[THIS]

    def checking_migration(document):
        found = backups.list_backups(db, f"voor-migratie-v{THIS}")
        seen_backup_first.append(bool(found) and found[0][1].read_bytes() == v1_bytes)
        assert db.read_bytes() == v1_bytes  # the file itself is not touched before the backup exists
        return original_migration(document)

    migrations.MIGRATIONS[THIS] = checking_migration
    store = open_store(db, "Els")

    assert seen_backup_first == [True]
    assert migrations.schema_version_of(on_disk(db)) == NEXT
    assert [r["status"] for r in store.all(PUPILS)] == ["actief", "actief"]
    # held as the file's bytes from then on, as after any open (a save copies them instead of encoding again)
    assert {type(record) for record in store.storage.read()[PUPILS].values()} == {msgspec.Raw}
    [(_, backup)] = backups.list_backups(db, f"voor-migratie-v{THIS}")
    assert migrations.schema_version_of(json.loads(backup.read_bytes())) == THIS
    open_store(db)
    assert len(schema_v2) == 1  # not migrated twice


def test_a_failed_migration_leaves_the_file_as_it_was(db: Path, schema_v2: list, monkeypatch) -> None:
    """A migration that fails halfway changes nothing on disk."""
    with pytest.MonkeyPatch.context() as undo:
        undo.setattr(migrations, "CURRENT_SCHEMA", THIS)
        undo.setattr(store_module, "CURRENT_SCHEMA", THIS)
        open_store(db).insert(PUPILS, pupil())
    before = snapshot(db)

    def broken(document):
        document[PUPILS]["1"]["status"] = "half"
        raise RuntimeError("kapot")

    monkeypatch.setitem(migrations.MIGRATIONS, THIS, broken)
    with pytest.raises(RuntimeError):
        open_store(db)
    assert snapshot(db) == before


def test_no_migration_without_a_backup(db: Path, schema_v2: list, monkeypatch) -> None:
    """When the backup before a migration cannot be written, the file is not touched and the user is told."""
    with pytest.MonkeyPatch.context() as undo:
        undo.setattr(migrations, "CURRENT_SCHEMA", THIS)
        undo.setattr(store_module, "CURRENT_SCHEMA", THIS)
        open_store(db).insert(PUPILS, pupil())
    before = snapshot(db)
    real_take_backup = backups.take_backup

    def failing(path, raw, kind, moment, **kw):
        if kind.startswith("voor-migratie"):
            raise OSError(errno.ENOSPC, "Geen ruimte meer op het apparaat")
        return real_take_backup(path, raw, kind, moment, **kw)

    monkeypatch.setattr(backups, "take_backup", failing)
    with pytest.raises(StoreError, match="geen reservekopie") as caught:
        open_store(db)
    assert "niets gewijzigd" in str(caught.value)
    assert snapshot(db) == before
    assert schema_v2 == []


# ---------------------------------------------------------------------------
# 6. Backups
# ---------------------------------------------------------------------------


def test_every_start_makes_a_backup_but_no_duplicates(db: Path) -> None:
    """Each open backs up the file as it was; an open with nothing changed adds no duplicate."""
    open_store(db).insert(PUPILS, pupil())
    content = db.read_bytes()

    second = open_store(db)
    assert second.start_backup is not None and second.start_backup.read_bytes() == content
    assert open_store(db).start_backup is None
    assert len(backups.list_backups(db, backups.START)) == 1

    second.insert(PUPILS, pupil("Bram"))
    fourth = open_store(db)
    assert fourth.start_backup is not None and fourth.start_backup.read_bytes() == db.read_bytes()
    assert [p.read_bytes() for _, p in backups.list_backups(db, backups.START)] == [db.read_bytes(), content]


def test_a_start_backup_left_for_later_is_of_the_file_as_read_and_comes_before_the_first_save(db: Path) -> None:
    """The interface shows the data first and makes the start backup right after (``backup_later``): it holds the
    file as it was read, a save made before it waits for it (or makes it), and it is made once."""
    open_store(db).insert(PUPILS, pupil())
    content = db.read_bytes()

    store = FileStore.unopened(db, user="Els", clock=Clock())
    store.load(backup_later=True)
    assert store.start_backup is None and backups.list_backups(db, backups.START) == []
    store.insert(PUPILS, pupil("Bram"))  # the first save: the backup of the file as read is made first
    assert store.start_backup is not None and store.start_backup.read_bytes() == content
    assert db.read_bytes() != content
    assert store.finish_load() == [] and len(backups.list_backups(db, backups.START)) == 1

    later = FileStore.unopened(db, user="Els", clock=Clock())
    later.load(backup_later=True)
    saved = db.read_bytes()
    assert later.finish_load() == [] and later.start_backup is not None
    assert later.start_backup.read_bytes() == saved
    assert later.finish_load() == [] and len(backups.list_backups(db, backups.START)) == 2


def test_finishing_the_load_prepares_the_lookups_a_first_save_needs(db: Path) -> None:
    """After the data is shown, ``finish_load`` also makes what finding a record in a table as read needs (the
    first save would otherwise: ~10 ms at 50,000 pupils); saving after it works as before."""
    open_store(db).insert(PUPILS, pupil())
    store = FileStore.unopened(db, user="Els", clock=Clock())
    store.load(backup_later=True)
    packed = [table for table in store.storage.read().values() if isinstance(table, tables.PackedTable)]
    assert packed and all(table._lookup is None for table in packed)
    store.finish_load()
    assert all(table._lookup is not None for table in packed)
    store.insert(PUPILS, pupil("Bram"))
    assert sorted(r["naam"] for r in store.all(PUPILS)) == ["Bram", "Yasmina"]


def test_a_start_backup_that_fails_later_is_said_once(db: Path) -> None:
    open_store(db).insert(PUPILS, pupil())
    shutil.rmtree(backups.backup_folder(db), ignore_errors=True)
    backups.backup_folder(db).write_text("geen map")  # the backup folder cannot be made
    store = FileStore.unopened(db, user="Els", clock=Clock())
    store.load(backup_later=True)
    warnings = store.finish_load()
    assert len(warnings) == 1 and warnings[0].startswith("Er kon geen reservekopie gemaakt worden")
    assert store.finish_load() == []
    store.insert(PUPILS, pupil("Bram"))  # saving still works
    assert len(store.all(PUPILS)) == 2


def fake_backup(db: Path, moment: datetime, kind: str = backups.START, raw: bytes = b"{}") -> Path:
    folder = backups.backup_folder(db)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / backups.backup_name(db, kind, moment)
    path.write_bytes(raw)
    return path


NOW = datetime(2026, 11, 22, 12, 0)


def test_rotation_keeps_the_last_ten_starts(db: Path) -> None:
    """Of many starts on one day, the ten most recent backups stay."""
    made = [fake_backup(db, NOW - timedelta(minutes=n)) for n in range(15)]  # newest first
    removed = backups.rotate(db, NOW)
    assert sorted(removed) == sorted(made[10:])
    assert [p for _, p in backups.list_backups(db)] == made[:10]


def test_rotation_keeps_one_backup_per_day_for_thirty_days(db: Path) -> None:
    """Beyond the last ten starts, the newest start of each of the last 30 days stays; older ones go."""
    today = [fake_backup(db, NOW - timedelta(minutes=n)) for n in range(12)]
    midnight = datetime.combine(NOW.date(), datetime.min.time())
    per_day = {
        days: [fake_backup(db, midnight - timedelta(days=days) + timedelta(hours=h)) for h in (8, 13, 17)]
        for days in range(1, 60)
    }
    backups.rotate(db, NOW)
    left = {p for _, p in backups.list_backups(db)}

    assert set(today[:10]) <= left
    assert not set(today[10:]) & left  # today is already represented by its newest
    for days, made in per_day.items():
        newest, older = made[-1], made[:-1]
        assert not set(older) & left, days  # only one a day
        if days < 30:
            assert newest in left, days
        elif days > 30:
            assert newest not in left, days


def test_rotation_keeps_the_last_ten_starts_even_when_they_are_old(db: Path) -> None:
    """After months without use the ten last starts still stay, however old they are."""
    made = [fake_backup(db, NOW - timedelta(days=40 + n)) for n in range(14)]
    backups.rotate(db, NOW)
    assert [p for _, p in backups.list_backups(db)] == made[:10]


def test_rotation_leaves_other_backups_alone(db: Path) -> None:
    """Backups made by hand, before a migration or before a restore are never rotated away."""
    others = [
        fake_backup(db, NOW - timedelta(days=100 + n), kind)
        for n in range(12)
        for kind in (backups.MANUAL, "voor-migratie-v0", backups.BEFORE_RESTORE)
    ]
    starts = [fake_backup(db, NOW - timedelta(days=100 + n)) for n in range(12)]
    backups.rotate(db, NOW)
    assert all(p.exists() for p in others)
    assert sum(p.exists() for p in starts) == 10


def test_backups_of_every_kind_are_listed(db: Path) -> None:
    """Backups before a migration or a restore are found like any other (their kind has dashes)."""
    made = {
        kind: fake_backup(db, NOW - timedelta(minutes=n), kind)
        for n, kind in enumerate([backups.START, backups.MANUAL, "voor-migratie-v0", backups.BEFORE_RESTORE])
    }
    assert {p for _, p in backups.list_backups(db)} == set(made.values())
    for kind, path in made.items():
        assert [p for _, p in backups.list_backups(db, kind)] == [path]


def test_opening_rotates_the_start_backups(db: Path) -> None:
    """Each start trims the start backups: the new one and the nine before it stay."""
    open_store(db).insert(PUPILS, pupil())
    yesterday = datetime.combine(date.today() - timedelta(days=1), datetime.min.time()) + timedelta(hours=12)
    made = [fake_backup(db, yesterday - timedelta(minutes=n), raw=b'{"oud": {}}') for n in range(14)]
    store = open_store(db)
    left = [p for _, p in backups.list_backups(db, backups.START)]
    assert left == [store.start_backup, *made[:9]]


CORRUPT_CONTENTS = {
    "leeg": b"",
    "witruimte": b"  \n\t ",
    "nullen na stroompanne": b"\x00" * 4096,
    "afgebroken": b'{"_meta":{"1":{"schema_version":1,"next_ids":{"leerlingen":3}}},"leerlingen":{"1":{"naam":"An',
    "geen json": "Dit is geen databank – ‘Excel’ heeft hem opgeslagen".encode("cp1252"),
    "json maar geen databank": b"[1, 2, 3]",
    "tabel is geen object": b'{"leerlingen": [1, 2]}',
}


@pytest.mark.parametrize("content", CORRUPT_CONTENTS.values(), ids=CORRUPT_CONTENTS.keys())
def test_a_file_that_does_not_parse_is_refused_and_never_overwritten(db: Path, content: bytes) -> None:
    """An empty or unparsable file raises a Dutch CorruptDatabaseError and keeps its bytes and mtime."""
    db.write_bytes(content)
    os.utime(db, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = snapshot(db)
    for kwargs in ({}, {"create": True}, {"make_backup": False}):
        with pytest.raises(CorruptDatabaseError) as caught:
            open_store(db, **kwargs)
        error = caught.value
        assert "onleesbaar" in str(error) and "niet overschreven" in str(error)
        assert "geen bruikbare reservekopie" in str(error)
        assert error.backup is None and error.path == str(db.absolute())
        assert snapshot(db) == before


def test_the_error_names_the_newest_good_backup_and_that_backup_restores(db: Path) -> None:
    """The corrupt-file message names the newest backup that parses; putting it back brings the data back."""
    open_store(db).insert(PUPILS, pupil("Anna"))
    older = open_store(db).start_backup
    store = open_store(db)
    store.insert(PUPILS, pupil("Bram"))
    good = open_store(db).start_backup
    assert older and good and good != older
    # newer backups that cannot be used: garbage, and one from a newer version
    fake_backup(db, datetime.now() + timedelta(hours=1), raw=b"\x00\x00")
    fake_backup(db, datetime.now() + timedelta(hours=2), backups.MANUAL, raw=b"")
    newer_schema = json.dumps({"_meta": {"1": {"schema_version": CURRENT_SCHEMA + 1}}}).encode()
    fake_backup(db, datetime.now() + timedelta(hours=3), raw=newer_schema)

    db.write_bytes(b'{"_meta": {"1": {"schema_')
    before = snapshot(db)
    with pytest.raises(CorruptDatabaseError) as caught:
        open_store(db)
    assert caught.value.backup == str(good)
    assert str(good) in str(caught.value) and "restore" in str(caught.value)
    assert snapshot(db) == before
    assert backups.newest_good_backup(db, CURRENT_SCHEMA) == good

    # Restore: ouder_tui.maintenance.restore_backup / `ouder-tui restore` are tested with the CLI;
    # here: the named backup is a complete database that opens with every saved record.
    raw, _ = backups.read_backup(Path(caught.value.backup))
    storage.write_atomic(db, raw)
    assert [r["naam"] for r in open_store(db).all(PUPILS)] == ["Anna", "Bram"]


def test_a_file_that_breaks_while_open_is_never_overwritten(db: Path) -> None:
    """When another program breaks the file while the app runs, saves and reads refuse it in Dutch."""
    store = open_store(db)
    record = store.insert(PUPILS, pupil())
    good = db.read_bytes()
    for broken in (b"", b'{"leerlingen": {"1": '):
        db.write_bytes(broken)
        before = snapshot(db)
        with pytest.raises(CorruptDatabaseError):
            store.insert(PUPILS, pupil("Bram"))
        with pytest.raises(CorruptDatabaseError):
            store.update(PUPILS, record["id"], pupil(klas="4A"), expected_rev=1)
        with pytest.raises(CorruptDatabaseError):
            store.delete(PUPILS, record["id"])
        with pytest.raises(CorruptDatabaseError):
            store.all(PUPILS)
        assert snapshot(db) == before
    storage.write_atomic(db, good)  # someone puts the file back: the store carries on
    assert store.update(PUPILS, record["id"], pupil(klas="4A"), expected_rev=1)["_rev"] == 2


# ---------------------------------------------------------------------------
# Transactions, refresh, refused writes (guarantees 1 and 2 within one process)
# ---------------------------------------------------------------------------


def test_a_failing_transaction_changes_nothing(db: Path) -> None:
    """When anything in a transaction fails, neither the file nor what the app shows changes."""
    store = open_store(db)
    anna = store.insert(PUPILS, pupil("Anna"))
    before_disk = snapshot(db)
    before_view = store.all(PUPILS)

    with pytest.raises(RuntimeError, match="mislukt halverwege"):
        with store.transaction():
            store.insert(PUPILS, pupil("Bram"))
            store.update(PUPILS, anna["id"], pupil("Anna", klas="9Z"), expected_rev=1)
            store.delete(PUPILS, anna["id"])
            store.update_settings(school="De Linde")
            raise RuntimeError("mislukt halverwege")

    assert snapshot(db) == before_disk
    assert store.all(PUPILS) == before_view
    assert store.recycle_bin() == [] and store.settings() == {}
    # and the store carries on normally
    assert store.update(PUPILS, anna["id"], pupil("Anna", klas="4A"), expected_rev=1)["_rev"] == 2


def test_a_save_that_cannot_be_encoded_changes_nothing(db: Path) -> None:
    """A value that cannot be written (an object JSON has no form for) fails that save only; later saves work.

    (A lone surrogate used to be the example; the store's boundary now turns it into U+FFFD.)
    """
    store = open_store(db)
    store.insert(PUPILS, pupil("Anna"))
    before = snapshot(db)
    with pytest.raises((ValueError, TypeError)):
        store.insert(PUPILS, pupil(object()))
    assert snapshot(db) == before
    assert [r["naam"] for r in store.all(PUPILS)] == ["Anna"]
    assert store.insert(PUPILS, pupil("Bram"))["naam"] == "Bram"
    assert [r["naam"] for r in open_store(db).all(PUPILS)] == ["Anna", "Bram"]


def test_nested_transactions_save_once(db: Path) -> None:
    """Several changes in one transaction reach the disk together, in one save."""
    store = open_store(db)
    writes = []
    real = storage.write_atomic

    def counting(path, payload):
        writes.append(path)
        real(path, payload)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(storage, "write_atomic", counting)
        with store.transaction():
            store.insert(PUPILS, pupil("Anna"))
            with store.transaction():
                store.insert(PUPILS, pupil("Bram"))
            assert len(on_disk(db).get(PUPILS, {})) == 0  # not yet on disk
    assert writes == [db.absolute()]
    assert len(on_disk(db)[PUPILS]) == 2


def test_writes_outside_a_transaction_are_refused(db: Path) -> None:
    """Code that goes around the Store cannot write: the storage refuses and nothing changes."""
    store = open_store(db)
    store.insert(PUPILS, pupil("Anna"))
    before = snapshot(db)
    with pytest.raises(RuntimeError, match="transaction"):
        TinyDB(db, storage=storage.AtomicJSONStorage).table(PUPILS).insert(pupil("Bram"))
    with pytest.raises(RuntimeError, match="transaction"):
        store.storage.write({})
    assert snapshot(db) == before
    assert [r["naam"] for r in store.all(PUPILS)] == ["Anna"]
    assert store.insert(PUPILS, pupil("Chloë"))["id"] == 2


def test_opening_cleans_up_what_a_crashed_save_left_behind(db: Path, tmp_path: Path) -> None:
    """Temporary files a crashed save left beside the database are removed on the next start; the file stays."""
    open_store(db).insert(PUPILS, pupil("Anna"))
    before = snapshot(db)
    leftover = tmp_path / f".{db.name}.k3x9a.tmp"
    leftover.write_bytes(b'{"_meta": {"1": {"schema_ver')
    unrelated = tmp_path / ".ander.json.k3x9a.tmp"
    unrelated.write_bytes(b"van een andere databank")
    store = open_store(db, make_backup=False)
    assert not leftover.exists() and unrelated.exists()
    assert snapshot(db) == before
    assert [r["naam"] for r in store.all(PUPILS)] == ["Anna"]


def test_reads_see_what_another_window_saved(db: Path) -> None:
    """Reads are served from memory but refreshed as soon as another window saved."""
    a = open_store(db, "Els")
    b = open_store(db, "Jan")
    assert a.all(PUPILS) == []
    generation = a.generation
    assert a.generation == generation  # nothing changed: no reload

    record = b.insert(PUPILS, pupil("Anna"))
    assert [r["naam"] for r in a.all(PUPILS)] == ["Anna"]
    assert a.generation != generation
    b.update(PUPILS, record["id"], pupil("Anna", klas="4A"), expected_rev=1)
    assert a.get(PUPILS, record["id"])["klas"] == "4A"
    b.delete(PUPILS, record["id"])
    assert a.get(PUPILS, record["id"]) is None and a.count(PUPILS) == 0
    assert len(a.recycle_bin()) == 1


# ---------------------------------------------------------------------------
# Failing writes: disk full, no rights, Windows file locks
# ---------------------------------------------------------------------------


def _raise(exc: OSError):
    def fail(*args, **kwargs):
        raise exc

    return fail


@pytest.mark.parametrize(
    ("target", "exc"),
    [
        ("os.replace", PermissionError(errno.EACCES, "Toegang geweigerd")),
        ("tempfile.mkstemp", OSError(errno.ENOSPC, "Geen ruimte meer op het apparaat")),
        ("os.fsync", OSError(errno.ENOSPC, "Geen ruimte meer op het apparaat")),
    ],
    ids=["replace-geweigerd", "schijf-vol-bij-aanmaken", "schijf-vol-bij-fsync"],
)
def test_a_failing_write_keeps_the_old_file(db: Path, tmp_path: Path, monkeypatch, target: str, exc: OSError) -> None:
    """A save that fails (no rights, disk full) says so in Dutch; the old file and the view stay, no temp files."""
    store = open_store(db)
    store.insert(PUPILS, pupil("Anna"))
    before = snapshot(db)
    module, name = target.split(".")
    monkeypatch.setattr({"os": os, "tempfile": tempfile}[module], name, _raise(exc))

    with pytest.raises(StoreError) as caught:
        store.insert(PUPILS, pupil("Bram"))
    message = str(caught.value)
    assert "Bewaren is mislukt" in message and "niet gewijzigd" in message and exc.strerror in message

    assert snapshot(db) == before
    assert temp_files(tmp_path) == []
    assert [r["naam"] for r in store.all(PUPILS)] == ["Anna"]
    monkeypatch.undo()
    assert store.insert(PUPILS, pupil("Chloë"))["id"] == 2


ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.mark.skipif(os.name == "nt" or ROOT, reason="root ignores folder rights (try: unshare -U pytest ...)")
def test_a_read_only_folder_is_reported_and_nothing_changes(tmp_path: Path) -> None:
    """In a folder without write rights the app still opens the file, and a save says why it fails."""
    folder = tmp_path / "gedeeld"
    folder.mkdir()
    db = folder / "school.json"
    open_store(db).insert(PUPILS, pupil("Anna"))
    before = snapshot(db)
    folder.chmod(0o555)
    try:
        store = open_store(db)  # the lock file exists already; the start backup fails with a warning
        assert [r["naam"] for r in store.all(PUPILS)] == ["Anna"]
        with pytest.raises(StoreError, match="niet gewijzigd"):
            store.insert(PUPILS, pupil("Bram"))
        assert snapshot(db) == before
        assert temp_files(folder) == []
        (folder / "school.json.lock").chmod(0o444)
        with pytest.raises(StoreError, match="schrijfrechten|bezet"):
            open_store(db, lock_timeout=0.2)
    finally:
        folder.chmod(0o755)
        (folder / "school.json.lock").chmod(0o644)
    assert snapshot(db) == before


def test_a_read_only_folder_simulated(db: Path, tmp_path: Path, monkeypatch) -> None:
    """Without rights to create files (simulated, also as root) saves and backups fail in Dutch, file intact."""
    open_store(db).insert(PUPILS, pupil("Anna"))
    (tmp_path / "school.json.lock").unlink()
    before = snapshot(db)
    denied = PermissionError(errno.EACCES, "Toegang geweigerd")
    real_open = os.open

    def no_create(path, flags, *args, **kwargs):
        if flags & os.O_CREAT:
            raise denied
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_create)
    with pytest.raises(StoreError) as caught:  # no lock file can be made
        open_store(db)
    assert "schrijfrechten" in str(caught.value) and "niets gewijzigd" in str(caught.value)
    monkeypatch.undo()

    store = open_store(db, make_backup=False)  # now the lock file exists
    monkeypatch.setattr(os, "open", no_create)
    monkeypatch.setattr(tempfile, "mkstemp", _raise(denied))
    with pytest.raises(StoreError, match="Bewaren is mislukt.*Toegang geweigerd.*niet gewijzigd"):
        store.insert(PUPILS, pupil("Bram"))
    reopened = open_store(db)  # the start backup cannot be written: a warning, not a failure
    assert reopened.warnings and "reservekopie" in reopened.warnings[0]
    assert snapshot(db) == before
    assert temp_files(tmp_path) == []


class _FakeWindows:
    """Stands in for the ``os`` and ``time`` modules inside ``ouder_tui.storage`` only."""

    def __init__(self, failures: int) -> None:
        self.name = "nt"
        self.failures = failures
        self.attempts = 0
        self.now = 1000.0
        self.slept = 0.0

    def replace(self, source, target):
        self.attempts += 1
        if self.attempts <= self.failures:
            raise PermissionError(errno.EACCES, "Het proces heeft geen toegang tot het bestand")
        os.replace(source, target)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds

    def __getattr__(self, name):
        return getattr(os, name)


def fake_windows(monkeypatch, failures: int) -> _FakeWindows:
    fake = _FakeWindows(failures)
    monkeypatch.setattr(storage, "os", fake)
    monkeypatch.setattr(storage, "time", SimpleNamespace(monotonic=fake.monotonic, sleep=fake.sleep))
    return fake


def test_windows_replace_is_retried_while_another_program_holds_the_file(db: Path, monkeypatch) -> None:
    """On Windows a save waits while antivirus or a sync client briefly holds the file, then succeeds."""
    store = open_store(db)
    fake = fake_windows(monkeypatch, failures=4)
    store.insert(PUPILS, pupil("Anna"))
    assert fake.attempts == 5
    assert fake.slept < storage.REPLACE_RETRY_SECONDS
    monkeypatch.undo()
    assert [r["naam"] for r in open_store(db).all(PUPILS)] == ["Anna"]


def test_windows_replace_gives_up_after_a_bounded_time(db: Path, tmp_path: Path, monkeypatch) -> None:
    """When the file stays held, the save gives up after REPLACE_RETRY_SECONDS with a Dutch error, file intact."""
    store = open_store(db)
    store.insert(PUPILS, pupil("Anna"))
    before = snapshot(db)
    monkeypatch.setattr(storage, "REPLACE_RETRY_SECONDS", 2.0)
    fake = fake_windows(monkeypatch, failures=10**9)
    with pytest.raises(StoreError, match="Bewaren is mislukt.*niet gewijzigd"):
        store.insert(PUPILS, pupil("Bram"))
    assert fake.attempts > 3
    assert 2.0 <= fake.slept <= 2.0 + 0.25  # bounded: never more than one step past the limit
    monkeypatch.undo()
    assert snapshot(db) == before
    assert temp_files(tmp_path) == []
    assert [r["naam"] for r in store.all(PUPILS)] == ["Anna"]


def test_replace_is_not_retried_outside_windows(tmp_path: Path, monkeypatch) -> None:
    """Elsewhere a PermissionError is real (no rights): it is reported at once, not retried."""
    fake = fake_windows(monkeypatch, failures=10**9)
    fake.name = "posix"
    source, target = tmp_path / "a", tmp_path / "b"
    source.write_bytes(b"x")
    with pytest.raises(PermissionError):
        storage.replace_with_retry(source, target)
    assert fake.attempts == 1 and fake.slept == 0


def test_a_save_keeps_the_permissions_given_to_the_file(tmp_path):
    """An administrator who shares the file with a group keeps that after every save; new files are private."""
    import os
    import stat as st


    if os.name == "nt":
        pytest.skip("POSIX permissions")
    path = tmp_path / "db.json"
    store = FileStore.open(path, user="A")
    assert st.S_IMODE(path.stat().st_mode) == 0o600
    os.chmod(path, 0o640)
    store.insert("leerlingen", {"voornaam": "X"})
    assert st.S_IMODE(path.stat().st_mode) == 0o640
