"""Process-level proofs of the store's contract: crashes (SIGKILL), several writers, conflicts.

These start real processes (the "fork" start method, for speed) against one
database file. ``OUDER_TUI_CRASH_ROUNDS`` changes how many times the writer is
killed (default 300; a third of that on a protected file); ``OUDER_TUI_CRASH_SEED``
replays one run. Every proof runs on a plain file and on one protected with a
passphrase.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sys
import time
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ouder_tui import backups, crypto, storage
from ouder_tui.errors import ConflictError, NotFoundError
from ouder_tui.filestore import FileStore
from ouder_tui.store import Store

pytestmark = [
    pytest.mark.process,
    pytest.mark.skipif(
        sys.platform == "win32"
        or not hasattr(signal, "SIGKILL")
        or "fork" not in multiprocessing.get_all_start_methods(),
        reason="needs SIGKILL and the fork start method",
    ),
]

PUPILS = "leerlingen"
CRASH_ROUNDS = int(os.environ.get("OUDER_TUI_CRASH_ROUNDS", "300"))
WRITERS = 4
INSERTS_PER_WRITER = 500


PASSPHRASE = "correct paard batterij nietje"
PROTECTION = pytest.mark.parametrize("protected", [False, True], ids=["onbeveiligd", "beveiligd"])


def ctx():
    return multiprocessing.get_context("fork")


def open_store(path, protected: bool, **options) -> Store:
    """Open the store the way the app does, with the passphrase when the file is protected."""
    return FileStore.open(path, passphrase=crypto.Passphrase(PASSPHRASE) if protected else None, **options)


def new_database(db: Path, protected: bool, **options) -> Store:
    store = FileStore.open(db, **options)
    if protected:
        store.set_passphrase(crypto.Passphrase(PASSPHRASE))
    return store


def document_on_disk(db: Path, protected: bool) -> dict:
    """Parse the file as it is on disk, without the store's help (and without repairing anything)."""
    raw = db.read_bytes()
    assert crypto.is_protected(raw) == protected
    if protected:
        _, raw = crypto.unlock(raw, crypto.Passphrase(PASSPHRASE))
    return storage.decode(raw)


def realistic_record(writer: int, n: int) -> dict:
    """About 500 bytes on disk, with Dutch free text, like a pupil with a family note."""
    return {
        "schrijver": writer,
        "n": n,
        "voornaam": "Yasmina",
        "familienaam": f"El Idrissi-Vermeulen {writer}-{n}",
        "geboortedatum": "2015-03-14",
        "klas": "3A",
        "thuistaal": ["Arabisch", "Frans"],
        "notitie": (
            "Mama spreekt Arabisch en wat Frans; papa werkt in ploegen en is bereikbaar na 17 uur. "
            "Tolk gewenst bij het startgesprek. Huisbezoek gepland na de herfstvakantie, samen met "
            "de zorgcoördinator. Oudste zus (5de leerjaar) vertaalt soms – liever niet."
        ),
    }


def _crash_writer(path: str, conn, writer: int, protected: bool) -> None:
    """Insert records forever, reporting each id only after insert() returned."""
    store = open_store(path, protected, user=f"schrijver {writer}", make_backup=False)
    conn.send("klaar")
    n = 0
    while True:
        record = store.insert(PUPILS, realistic_record(writer, n))
        conn.send((record["id"], n))
        n += 1


def _drain(conn) -> list:
    messages = []
    while True:
        try:
            messages.append(conn.recv())
        except (EOFError, OSError):
            return messages


@PROTECTION
def test_a_save_that_returned_survives_a_sigkill(tmp_path: Path, protected: bool) -> None:
    """Killing the app at random moments, hundreds of times, never breaks the file or loses a returned save.

    A writer process inserts records in a loop and reports each id only after
    ``insert()`` returned; it is killed with SIGKILL at a random moment. After
    every kill the file must be a complete document, open as a store, and hold
    every reported record with its content.
    """
    seed = int(os.environ.get("OUDER_TUI_CRASH_SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    db = tmp_path / "school.json"
    seed_store = new_database(db, protected, user="voorbereiding")
    seed_store.insert_many(PUPILS, [realistic_record(-1, n) for n in range(1000)])  # ~0.5 MB: writes take time
    saved: dict[int, tuple[int, int]] = {}  # id -> (round, n)
    killed_mid_write = 0
    rounds_with_a_save = 0

    def confirm(record_id: int, n: int, round_no: int) -> None:
        assert record_id not in saved, f"id {record_id} handed out twice (seed {seed})"
        saved[record_id] = (round_no, n)

    rounds = CRASH_ROUNDS // 3 if protected else CRASH_ROUNDS
    for round_no in range(rounds):
        reader, writer_end = ctx().Pipe(duplex=False)
        process = ctx().Process(target=_crash_writer, args=(str(db), writer_end, round_no, protected), daemon=True)
        process.start()
        writer_end.close()
        assert reader.poll(30), f"round {round_no}: the writer did not start (seed {seed})"
        assert reader.recv() == "klaar"
        moment = rng.random()
        if round_no == 0 or moment < 0.45:  # let a save return, then kill at a random moment
            assert reader.poll(30), f"round {round_no}: no save returned (seed {seed})"
            confirm(*reader.recv(), round_no)
            rounds_with_a_save += 1
            time.sleep(rng.uniform(0, 0.03))
        elif moment < 0.9:  # a random moment from the start
            time.sleep(rng.uniform(0, 0.03))
        # else: kill at once, before or during the first save
        os.kill(process.pid, signal.SIGKILL)
        process.join(10)
        assert process.exitcode == -signal.SIGKILL, f"round {round_no}: writer ended by itself (seed {seed})"
        for record_id, n in _drain(reader):
            confirm(record_id, n, round_no)
        reader.close()

        # the file on disk is a complete document, before anything repairs or cleans up
        if any(db.parent.glob(f".{db.name}.*.tmp")):
            killed_mid_write += 1
        document = document_on_disk(db, protected)
        stored = document[PUPILS]
        missing = [i for i in saved if str(i) not in stored]
        assert not missing, f"round {round_no}: saves that had returned are lost: {missing[:10]} (seed {seed})"

        store = open_store(db, protected, make_backup=False)
        assert not any(db.parent.glob(f".{db.name}.*.tmp"))  # leftovers of a killed writer are cleaned up
        if round_no % 25 == 0 or round_no == rounds - 1:
            for record_id, (writer, n) in saved.items():
                record = store.get(PUPILS, record_id)
                expected = realistic_record(writer, n)
                assert {key: record[key] for key in expected} == expected
                assert record["_rev"] == 1 and record["_created_by"] == f"schrijver {writer}"

    assert len(saved) >= rounds_with_a_save > 0
    print(f"\n{rounds} kills, {len(saved)} saves confirmed, {killed_mid_write} kills mid-write (seed {seed})")
    if killed_mid_write == 0:
        warnings.warn("no kill landed inside a write; raise OUDER_TUI_CRASH_ROUNDS", stacklevel=1)


def _parallel_writer(path: str, conn, start, writer: int, protected: bool) -> None:
    store = open_store(path, protected, user=f"schrijver {writer}", make_backup=False, lock_timeout=120)
    start.wait(30)
    ids = []
    for n in range(INSERTS_PER_WRITER):
        ids.append(store.insert(PUPILS, {"schrijver": writer, "n": n, "naam": f"Leerling {writer}-{n}"})["id"])
    conn.send(ids)


@PROTECTION
def test_four_writers_at_once_lose_nothing(tmp_path: Path, protected: bool) -> None:
    """Four processes inserting 500 records each at the same time end with 2,000 records, unique ids, none lost."""
    db = tmp_path / "school.json"
    new_database(db, protected)
    start = ctx().Event()
    pipes, processes = [], []
    for writer in range(WRITERS):
        reader, writer_end = ctx().Pipe(duplex=False)
        process = ctx().Process(target=_parallel_writer, args=(str(db), writer_end, start, writer, protected),
                                daemon=True)
        process.start()
        writer_end.close()
        pipes.append(reader)
        processes.append(process)
    start.set()
    reported = []
    for reader in pipes:
        assert reader.poll(120), "a writer did not finish"
        reported.append(reader.recv())
    for process in processes:
        process.join(30)
        assert process.exitcode == 0

    all_ids = [i for ids in reported for i in ids]
    assert len(all_ids) == WRITERS * INSERTS_PER_WRITER
    assert len(set(all_ids)) == len(all_ids), "two processes handed out the same id"
    assert crypto.is_protected(db.read_bytes()) == protected
    store = open_store(db, protected, make_backup=False)
    records = store.all(PUPILS)
    assert len(records) == WRITERS * INSERTS_PER_WRITER
    assert {r["id"] for r in records} == set(all_ids)
    assert {(r["schrijver"], r["n"]) for r in records} == {
        (w, n) for w in range(WRITERS) for n in range(INSERTS_PER_WRITER)
    }
    for writer, ids in enumerate(reported):  # each id holds what that writer saved under it
        for n, record_id in enumerate(ids):
            record = store.get(PUPILS, record_id)
            assert (record["schrijver"], record["n"]) == (writer, n)


def _other_pc(path: str, record_id: int, action: str, protected: bool) -> None:
    clock = lambda: datetime(2026, 12, 3, 14, 21, tzinfo=timezone(timedelta(hours=1)))  # noqa: E731
    jan = open_store(path, protected, user="Jan", clock=clock, make_backup=False)
    if action == "update":
        current = jan.get(PUPILS, record_id)
        jan.update(PUPILS, record_id, {**current, "klas": "4A"}, expected_rev=current["_rev"])
    else:
        jan.delete(PUPILS, record_id)


def _in_other_process(db: Path, record_id: int, action: str, protected: bool) -> None:
    process = ctx().Process(target=_other_pc, args=(str(db), record_id, action, protected))
    process.start()
    process.join(30)
    assert process.exitcode == 0


@PROTECTION
def test_a_change_saved_by_another_process_is_a_conflict_naming_who(tmp_path: Path, protected: bool) -> None:
    """When another PC saves a record this window has open, saving here names that user and time; nothing is lost."""
    db = tmp_path / "school.json"
    els = new_database(db, protected, user="Els")
    record = els.insert(PUPILS, {"naam": "Yasmina", "klas": "3A"})
    opened = els.get(PUPILS, record["id"])  # the form is opened

    _in_other_process(db, record["id"], "update", protected)

    with pytest.raises(ConflictError) as caught:
        els.update(PUPILS, record["id"], {**opened, "klas": "5B"}, expected_rev=opened["_rev"])
    assert caught.value.changed_by == "Jan"
    assert "Jan" in str(caught.value) and "03/12/2026 14:21" in str(caught.value)
    assert caught.value.current["klas"] == "4A"
    assert els.get(PUPILS, record["id"])["klas"] == "4A"

    # and a record the other PC deleted says so too
    _in_other_process(db, record["id"], "delete", protected)
    with pytest.raises(NotFoundError, match="verwijderd door Jan"):
        els.update(PUPILS, record["id"], {**opened, "klas": "5B"}, expected_rev=None)


# -- switching the protection -------------------------------------------------------------------------------
SWITCH_STATES = (None, PASSPHRASE, "tweede wachtwoord van de school")  # off -> on -> changed -> off -> ...


def _switcher(path: str, conn, state: int) -> None:
    """Turn protection on, change it and turn it off, round and round; report each state once it holds."""
    crypto.SCRYPT_N = 2**10  # a test's cost: the child runs hundreds of key derivations
    passphrase = SWITCH_STATES[state]
    store = FileStore.open(path, user="wisselaar", make_backup=False,
                       passphrase=crypto.Passphrase(passphrase) if passphrase else None)
    conn.send("klaar")
    while True:
        following = (state + 1) % len(SWITCH_STATES)
        new = SWITCH_STATES[following]
        store.set_passphrase(crypto.Passphrase(new) if new else None,
                             current=crypto.Passphrase(passphrase) if passphrase else None)
        state, passphrase = following, new
        conn.send(state)


def _open_any(raw: bytes) -> tuple[int | None, dict]:
    """Which of the switch states opens ``raw`` (any salt), with its document; fails when none does."""
    if not crypto.is_protected(raw):
        return 0, storage.decode(raw)
    for state, passphrase in enumerate(SWITCH_STATES[1:], start=1):
        try:
            return state, storage.decode(crypto.unlock(raw, crypto.Passphrase(passphrase))[1])
        except crypto.WrongPassphraseError:
            continue
    raise AssertionError("geen enkel wachtwoord opent dit bestand")


def test_a_crash_while_switching_the_protection_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    """SIGKILL while turning protection on, changing the passphrase or turning it off, many times over.

    After every kill the database opens with the passphrase of the last switch that returned or of the one
    that was under way (never neither), holds all its records, and every backup opens with one of them too.
    """
    seed = int(os.environ.get("OUDER_TUI_CRASH_SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    db = tmp_path / "school.json"
    store = FileStore.open(db, user="voorbereiding")
    store.insert_many(PUPILS, [realistic_record(-1, n) for n in range(1000)])  # ~0.5 MB: switches take time
    FileStore.open(db)  # two start backups to rewrite along
    store.insert(PUPILS, realistic_record(-2, 0))
    FileStore.open(db)
    state = 0
    switches = mid_switch = 0
    for round_no in range(max(CRASH_ROUNDS // 5, 20)):
        reader, writer_end = ctx().Pipe(duplex=False)
        process = ctx().Process(target=_switcher, args=(str(db), writer_end, state), daemon=True)
        process.start()
        writer_end.close()
        assert reader.poll(30) and reader.recv() == "klaar", f"round {round_no}: no start (seed {seed})"
        time.sleep(rng.uniform(0, 0.05))
        os.kill(process.pid, signal.SIGKILL)
        process.join(10)
        confirmed = [message for message in _drain(reader) if isinstance(message, int)]
        reader.close()
        switches += len(confirmed)
        if confirmed:
            state = confirmed[-1]

        opened, document = _open_any(db.read_bytes())
        under_way = (state + 1) % len(SWITCH_STATES)
        assert opened in (state, under_way), f"round {round_no}: opened by state {opened}, expected {state} (seed {seed})"
        if opened != state:
            mid_switch += 1
            state = opened  # the switch under way had landed; the next round starts from there
        assert len(document[PUPILS]) == 1001, f"round {round_no}: records lost (seed {seed})"
        for _, backup in backups.list_backups(db):
            _, copy = _open_any(backup.read_bytes())
            assert len(copy[PUPILS]) in (1000, 1001)
        # once the database opens again, a protected one has no readable backup (a kill between sealing
        # the database and its backups is finished by the open)
        passphrase = SWITCH_STATES[opened]
        FileStore.open(db, make_backup=False, passphrase=crypto.Passphrase(passphrase) if passphrase else None)
        if opened:
            readable = [path.name for _, path in backups.list_backups(db) if not crypto.is_protected(path.read_bytes())]
            assert not readable, f"round {round_no}: readable backups of a protected database: {readable} (seed {seed})"
        assert not any(backups.backup_folder(db).glob(".*.tmp")), f"round {round_no}: half-written backups left"
    print(f"\n{switches} switches, {mid_switch} kills between the new file and the report (seed {seed})")

    # once a switch to protection completes, no backup is left readable (not even one a kill left behind)
    current = crypto.Passphrase(SWITCH_STATES[state]) if state else None
    store = FileStore.open(db, make_backup=False, passphrase=current)
    store.set_passphrase(crypto.Passphrase(SWITCH_STATES[2 if state == 1 else 1]), current=current)
    assert all(crypto.is_protected(path.read_bytes()) for _, path in backups.list_backups(db))
