"""The store's contract, once per home (DESIGN.md, "The store: one interface, several homes").

Every test here talks to :class:`ouder_tui.store.Store` only, through the ``home`` fixture, which
yields a fresh database in each home: the JSON file and memory. A new home (a PostgreSQL server)
joins by adding itself to ``HOMES``; it is done when this file passes on it unchanged.

What only one home guarantees (a file surviving SIGKILL, its backups and passphrase) is proven in
``test_store.py``, ``test_store_process.py`` and ``test_encryption.py``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ouder_tui.errors import ConflictError, NotFoundError, StoreError, ValidationError
from ouder_tui.filestore import FileStore
from ouder_tui.memstore import MemoryStore
from ouder_tui.store import LOG, SETTINGS, Store

BRUSSELS = timezone(timedelta(hours=1))
PUPILS = "leerlingen"
FAMILIES = "gezinnen"


class Clock:
    """Moves one minute on every reading, so every stamp differs."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 8, 0, tzinfo=BRUSSELS)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def _file(tmp_path: Path, user: str, clock: Clock) -> Store:
    return FileStore.open(tmp_path / "school.json", user=user, clock=clock, make_backup=False)


def _memory(tmp_path: Path, user: str, clock: Clock) -> Store:
    return MemoryStore(user=user, clock=clock)


def _server(request: pytest.FixtureRequest, user: str) -> Store:
    """A fresh school database on the tests' PostgreSQL server, as a login ``user`` with every role."""
    from ouder_tui.pgadmin import add_login
    from ouder_tui.pgschema import ROLES, group_role
    from ouder_tui.pgstore import PgStore

    import psycopg

    url = request.getfixturevalue("pg_db")
    server = request.getfixturevalue("pg_server")
    with contextlib.suppress(StoreError):  # logins are the server's, shared by its databases
        add_login(url, user, "zorg", "een-goed-wachtwoord")
    with psycopg.connect(url, autocommit=True) as conn:
        database = conn.execute("SELECT current_database()").fetchone()[0]
        for role in ROLES:
            conn.execute(f'GRANT "{group_role(role, database)}" TO "{user}"')
    return PgStore.connect(server.url_for(user=user, password="een-goed-wachtwoord",
                                          dbname=url.rsplit("/", 1)[1].split("?")[0]))


#: Every home of the store, by name: a function making an empty database as ``user``.
HOMES: dict[str, Callable[[Path, str, Clock], Store]] = {"bestand": _file, "geheugen": _memory}
#: Homes that need the tests' PostgreSQL server.
SERVER_HOMES = ("server",)


@pytest.fixture(params=[*sorted(HOMES), *SERVER_HOMES])
def home(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param in SERVER_HOMES:
        store = _server(request, "els")
    else:
        store = HOMES[request.param](tmp_path, "els", Clock())
    yield store
    store.close()


def pupil(naam: str = "Yasmina", **extra) -> dict:
    return {"naam": naam, "klas": "3A", **extra}


# -- records and revisions ------------------------------------------------------------------------
def test_an_insert_gets_an_id_revision_one_and_the_stamps(home: Store) -> None:
    saved = home.insert(PUPILS, pupil())
    assert saved["id"] == 1 and saved["_rev"] == 1
    assert saved["_created_by"] == saved["_changed_by"] == "els"
    assert saved["_created_at"] == saved["_changed_at"]
    assert home.get(PUPILS, saved["id"]) == saved
    assert home.all(PUPILS) == [saved] and home.count(PUPILS) == 1


def test_ids_are_unique_and_never_reused(home: Store) -> None:
    first, second = home.insert_many(PUPILS, [pupil("A"), pupil("B")])
    assert (first["id"], second["id"]) == (1, 2)
    home.purge(home.delete(PUPILS, second["id"]))
    assert home.insert(PUPILS, pupil("C"))["id"] == 3  # not 2 again, also not after a purge


def test_callers_cannot_set_the_store_s_own_keys(home: Store) -> None:
    saved = home.insert(PUPILS, {**pupil(), "id": 99, "_rev": 7, "_changed_by": "vals"})
    assert (saved["id"], saved["_rev"], saved["_changed_by"]) == (1, 1, "els")


def test_text_entering_the_store_loses_its_control_characters(home: Store) -> None:
    """Escape sequences, C0/C1 controls and bidi overrides never reach a record; tab and newline stay."""
    hostile = "\x1b]0;GEKAAPT\x07\x1b[2J\u202e\x00\x9b"
    saved = home.insert(PUPILS, {"voornaam": f"Anna{hostile}", "notities": f"a\tb\nc{hostile}",
                                 "talen": [f"Frans{hostile}"], "adres": {"straat": f"Kerkstraat{hostile}"}})
    updated = home.update(PUPILS, saved["id"], {**saved, "klas": f"5A{hostile}"}, expected_rev=saved["_rev"])
    for record in (saved, home.get(PUPILS, saved["id"]), updated):
        assert (record["voornaam"], record["notities"], record["talen"], record["adres"]) == (
            "Anna", "a\tb\nc", ["Frans"], {"straat": "Kerkstraat"})
    assert home.get(PUPILS, saved["id"])["klas"] == "5A"


def test_an_update_raises_the_revision_and_keeps_who_made_it(home: Store) -> None:
    saved = home.insert(PUPILS, pupil())
    updated = home.update(PUPILS, saved["id"], {**saved, "klas": "4A"}, expected_rev=1)
    assert updated["_rev"] == 2 and updated["klas"] == "4A"
    assert updated["_created_at"] == saved["_created_at"] and updated["_changed_at"] > saved["_changed_at"]
    assert home.get(PUPILS, saved["id"]) == updated


def test_a_stale_revision_is_a_conflict_naming_who_and_nothing_changes(home: Store) -> None:
    saved = home.insert(PUPILS, pupil())
    home.update(PUPILS, saved["id"], {**saved, "klas": "4A"}, expected_rev=1)
    with pytest.raises(ConflictError) as caught:
        home.update(PUPILS, saved["id"], {**saved, "klas": "5B"}, expected_rev=1)
    assert caught.value.changed_by == "els" and caught.value.current["klas"] == "4A"
    assert home.get(PUPILS, saved["id"])["klas"] == "4A"
    overwritten = home.update(PUPILS, saved["id"], {**saved, "klas": "5B"}, expected_rev=None)
    assert overwritten["_rev"] == 3  # the user chose to overwrite


def test_one_conflict_cancels_every_change_of_the_save(home: Store) -> None:
    a, b = home.insert_many(PUPILS, [pupil("A"), pupil("B")])
    home.update(PUPILS, b["id"], {**b, "klas": "6A"}, expected_rev=1)
    with pytest.raises(ConflictError):
        home.update_many(PUPILS, [(a["id"], {**a, "klas": "X"}, 1), (b["id"], {**b, "klas": "X"}, 1)])
    assert [r["klas"] for r in home.all(PUPILS)] == ["3A", "6A"]


def test_updating_what_does_not_exist_says_so(home: Store) -> None:
    with pytest.raises(NotFoundError):
        home.update(PUPILS, 42, pupil(), expected_rev=None)


# -- transactions and isolation -------------------------------------------------------------------
def test_a_transaction_keeps_all_or_nothing(home: Store) -> None:
    home.insert(PUPILS, pupil("Blijft"))
    with pytest.raises(RuntimeError), home.transaction():
        home.insert(PUPILS, pupil("Weg"))
        home.insert(FAMILIES, {"naam": "Weg"})
        raise RuntimeError("stop")
    assert [r["naam"] for r in home.all(PUPILS)] == ["Blijft"] and home.all(FAMILIES) == []
    assert [e["actie"] for e in home.logboek()] == ["aangemaakt"]
    later = home.insert(PUPILS, pupil("Later"))  # a rolled-back id may come back (a file) or not (a server)
    assert later["id"] > 1 and [r["naam"] for r in home.all(PUPILS)] == ["Blijft", "Later"]


def test_a_transaction_sees_its_own_changes(home: Store) -> None:
    with home.transaction():
        saved = home.insert(PUPILS, pupil())
        assert home.get(PUPILS, saved["id"])["naam"] == "Yasmina"
        home.update(PUPILS, saved["id"], {**saved, "klas": "4A"}, expected_rev=1)
        assert home.all(PUPILS)[0]["_rev"] == 2


def test_other_threads_see_only_committed_data(home: Store) -> None:
    """Readers elsewhere see the last committed state until the commit; a rollback leaves no trace anywhere."""
    home.insert(PUPILS, pupil("Al bewaard"))
    inside, release = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def writer(fail: bool) -> None:
        try:
            with home.transaction():
                home.insert_many(PUPILS, [pupil(f"Import {i}") for i in range(500)])
                home.update_settings(school_naam="Halverwege")
                inside.set()
                release.wait(5)
                if fail:
                    raise RuntimeError("afgebroken")
        except RuntimeError:
            pass

    for fail in (True, False):
        inside.clear()
        release.clear()
        before = home.generation
        thread = threading.Thread(target=writer, args=(fail,))
        thread.start()
        assert inside.wait(5)
        seen["count"], seen["settings"] = home.count(PUPILS), home.settings().get("school_naam")
        seen["log"], seen["generation"] = len(home.logboek()), home.generation
        release.set()
        thread.join(5)
        assert seen["count"] == 1 and seen["settings"] is None
        assert seen["generation"] == before
        if fail:
            assert home.count(PUPILS) == 1 and home.settings() == {} and len(home.logboek()) == seen["log"]
        else:
            assert home.count(PUPILS) == 501 and home.settings()["school_naam"] == "Halverwege"
            assert home.generation != before


def test_derived_values_follow_the_data(home: Store) -> None:
    builds = []

    def build() -> int:
        builds.append(1)
        return home.count(PUPILS)

    assert home.derived("aantal", build) == 0 and home.derived("aantal", build) == 0
    assert len(builds) == 1
    home.insert(PUPILS, pupil())
    assert home.derived("aantal", build) == 1 and len(builds) == 2


def test_derived_values_of_the_whole_store_are_kept_across_many_saves(home: Store) -> None:
    """Without ``tables`` a value follows the whole store's generation: built once per change, also after
    hundreds of saves (a generation past Python's small-int cache once defeated an identity check)."""
    home.insert_many(PUPILS, [pupil()] * 2)
    for _ in range(300):
        home.update_settings(school_naam="De Notelaar")
    builds: list[int] = []
    for _ in range(3):
        assert home.derived("telling", lambda: builds.append(1) or home.count(PUPILS)) == 2
    assert len(builds) == 1


def test_derived_values_follow_only_their_tables_and_learn_which_records_changed(home: Store) -> None:
    """Derived data of one table is not built again for a change of another; a save hands the update the
    ids it changed (what every home can tell of its own saves), and a value it cannot update is built again."""
    builds: list[int] = []
    updates: list[dict[str, set[int]]] = []

    def build() -> list[int]:
        builds.append(1)
        return sorted(r["id"] for r in home.all(PUPILS))

    def update(old: list[int], changes: dict[str, set[int]]) -> list[int]:
        updates.append(changes)
        present = {r["id"] for r in home.all(PUPILS)}
        return sorted((set(old) - changes[PUPILS]) | (changes[PUPILS] & present))

    def ids() -> list[int]:
        return home.derived("ids", build, tables=(PUPILS,), update=update)

    first = home.insert(PUPILS, pupil())
    assert ids() == [first["id"]] and len(builds) == 1
    home.insert("gezinnen", {"naam": "Peeters"})
    assert ids() == [first["id"]] and len(builds) == 1 and updates == []  # another table: nothing to do
    second = home.insert(PUPILS, pupil(voornaam="Noor"))
    home.update(PUPILS, first["id"], pupil(voornaam="Lien"), expected_rev=1)
    assert ids() == [first["id"], second["id"]] and len(builds) == 1
    assert updates == [{PUPILS: {first["id"], second["id"]}}]
    home.delete(PUPILS, first["id"], label="Lien")
    assert ids() == [second["id"]] and updates[-1] == {PUPILS: {first["id"]}}
    assert len(builds) == 1


def test_models_straight_from_the_home_equal_converting_its_records(home: Store) -> None:
    from ouder_tui.leerlingen import Gezin, Leerling
    from ouder_tui.models import from_record

    family = home.insert("gezinnen", {"naam": "Öztürk", "ouders": [{"naam": "Ayşe", "telefoon": "0470 12 34 56"}],
                                      "onbekend_veld": {"x": [1, 2]}})
    home.insert_many(PUPILS, [pupil(voornaam="Emre", gezin_id=family["id"], geboortedatum="2018-03-02"),
                              pupil(voornaam="Zeynep \"Zey\"", klas="3B"), {}])
    home.update("gezinnen", family["id"], {**family, "naam": "Öztürk-Yilmaz"}, expected_rev=1)
    for kind, table in ((Leerling, PUPILS), (Gezin, "gezinnen")):
        assert home.all_as(kind, table) == [from_record(kind, r) for r in home.all(table)]
    assert home.all_as(Gezin, "gezinnen")[0].rev == 2 and home.all_as(Gezin, "leeg") == []


def test_listeners_hear_of_committed_changes_only(home: Store) -> None:
    heard: list[frozenset[str]] = []
    unsubscribe = home.subscribe(heard.append)
    with pytest.raises(RuntimeError), home.transaction():
        home.insert(PUPILS, pupil())
        raise RuntimeError
    assert heard == []
    home.insert(PUPILS, pupil())
    assert len(heard) == 1 and PUPILS in heard[0]
    unsubscribe()
    home.insert(PUPILS, pupil())
    assert len(heard) == 1


# -- recycle bin --------------------------------------------------------------------------------------
def test_delete_moves_to_the_bin_and_restore_brings_it_back_under_its_id(home: Store) -> None:
    saved = home.insert(PUPILS, pupil())
    bin_id = home.delete(PUPILS, saved["id"], label="Yasmina (3A)")
    assert home.get(PUPILS, saved["id"]) is None and home.all(PUPILS) == []
    [entry] = home.recycle_bin()
    assert (entry["id"], entry["table"], entry["record_id"], entry["label"]) == (bin_id, PUPILS, 1, "Yasmina (3A)")
    assert entry["record"]["naam"] == "Yasmina" and entry["_deleted_by"] == "els"
    assert home.recycle_bin(FAMILIES) == []
    back = home.restore(bin_id)
    assert back["id"] == saved["id"] and back["_rev"] == 2 and home.recycle_bin() == []
    assert home.get(PUPILS, saved["id"])["naam"] == "Yasmina"


def test_a_stale_delete_is_a_conflict(home: Store) -> None:
    saved = home.insert(PUPILS, pupil())
    home.update(PUPILS, saved["id"], saved, expected_rev=1)
    with pytest.raises(ConflictError):
        home.delete(PUPILS, saved["id"], expected_rev=1)
    assert home.get(PUPILS, saved["id"]) is not None


def test_saving_what_someone_deleted_says_it_is_in_the_bin(home: Store) -> None:
    saved = home.insert(PUPILS, pupil())
    home.delete(PUPILS, saved["id"])
    with pytest.raises(NotFoundError, match="prullenbak"):
        home.update(PUPILS, saved["id"], saved, expected_rev=1)


def test_purge_removes_for_good(home: Store) -> None:
    bin_id = home.delete(PUPILS, home.insert(PUPILS, pupil())["id"])
    home.purge(bin_id)
    assert home.recycle_bin() == []
    with pytest.raises(NotFoundError):
        home.restore(bin_id)
    with pytest.raises(NotFoundError):
        home.purge(bin_id)


# -- log and erasure -------------------------------------------------------------------------------------
def test_the_log_names_fields_never_values(home: Store) -> None:
    saved = home.insert(PUPILS, pupil(notitie="geheim"))
    home.update(PUPILS, saved["id"], {**saved, "notitie": "nog geheimer"}, expected_rev=1)
    home.delete(PUPILS, saved["id"])
    entries = home.logboek()
    assert [e["actie"] for e in entries] == ["verwijderd", "gewijzigd", "aangemaakt"]
    assert entries[1]["velden"] == ["notitie"] and all(e["door"] == "els" for e in entries)
    assert "geheim" not in repr(entries)
    assert [e["actie"] for e in home.logboek(tabel=PUPILS, record_id=saved["id"])] == \
        ["verwijderd", "gewijzigd", "aangemaakt"]
    assert home.logboek(door="Iemand anders") == []


def test_the_log_filters_on_period(home: Store) -> None:
    home.insert(PUPILS, pupil())
    day = home.logboek()[0]["op"][:10]
    assert len(home.logboek(van=day, tot=day)) == 1
    assert home.logboek(tot="2000-01-01") == []


def test_erasure_leaves_no_trace_but_one_line(home: Store) -> None:
    keep = home.insert(PUPILS, pupil("Blijft"))
    gone = home.insert(PUPILS, pupil("Gewist"))
    binned = home.insert(FAMILIES, {"naam": "Ook weg"})
    bin_id = home.delete(FAMILIES, binned["id"])
    assert home.wis([(PUPILS, gone["id"])], [bin_id]) == 2
    assert [r["naam"] for r in home.all(PUPILS)] == ["Blijft"] and home.recycle_bin() == []
    log = home.logboek()
    assert log[0]["actie"] == "gewist" and log[0]["aantal"] == 2 and log[0]["record"] is None
    assert not [e for e in log if (e["tabel"], e["record"]) in {(PUPILS, gone["id"])}]
    assert [e for e in log if e["record"] == keep["id"] and e["tabel"] == PUPILS]


def test_the_log_is_not_a_table_callers_can_write(home: Store) -> None:
    assert LOG not in home.table_names()


# -- settings and users ------------------------------------------------------------------------------
def test_settings_change_in_part_and_carry_who(home: Store) -> None:
    assert home.settings() == {}
    home.update_settings(school_naam="De Notelaar")
    home.update_settings(vergrendel_na_minuten=10)
    settings = home.settings()
    assert settings["school_naam"] == "De Notelaar" and settings["vergrendel_na_minuten"] == 10
    assert settings["_changed_by"] == "els" and settings["_rev"] == 2
    assert SETTINGS in home.table_names()


def test_the_user_stamps_changes_and_is_remembered(home: Store) -> None:
    assert home.user == "els"
    if home.user_is_login:  # a server: who works is the login, never a typed name
        with pytest.raises(StoreError, match="login"):
            home.set_user("Juf Anja")
        assert home.insert(PUPILS, pupil())["_created_by"] == "els" and home.known_users() == ["els"]
        return
    assert home.set_user("  Juf\x07 Anja ") == "Juf Anja"
    saved = home.insert(PUPILS, pupil())
    assert saved["_created_by"] == "Juf Anja"
    home.set_user("Meester Tom")
    home.set_user("Juf Anja")
    assert home.known_users() == ["Juf Anja", "Meester Tom"]


def test_a_user_name_is_validated(home: Store) -> None:
    if home.user_is_login:
        return  # nothing typed: the server checked the login (see the test above)
    with pytest.raises(ValidationError):
        home.set_user("   ")
    with pytest.raises(ValidationError):
        home.set_user("x" * 61)
    assert home.user == "els"


def test_text_is_kept_as_given(home: Store) -> None:
    """Hostile text is data, not markup or a query: it goes in and comes out unchanged."""
    names = ["[/]", "Ahmed [tolk]", "'; DROP TABLE leerlingen; --", "ş ł Ї 🙂"]
    for name in names:
        home.insert(PUPILS, pupil(name))
    assert [r["naam"] for r in home.all(PUPILS)] == names


def test_where_it_lives_and_its_capabilities(home: Store) -> None:
    assert home.location
    assert home.loaded
    if home.file is None:
        assert not home.protected and not home.needs_passphrase()
    else:
        assert Path(home.file.path).exists()

