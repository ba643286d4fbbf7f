"""The school server's own guarantees (issue 14), on the tests' PostgreSQL server (tests/pgserver.py).

The contract every home keeps is in ``test_store_contract.py`` (it runs on the server too). Here:
roles enforced by the server itself (also for plain SQL), stamps and the log written by the
database, and process-level proofs: several PCs writing at once, two editing one record, a client
killed in the middle of a transaction.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time

import psycopg
import pytest

from ouder_tui.areas import HIDDEN
from ouder_tui.errors import ConflictError, StoreError
from ouder_tui.pgadmin import add_login, change_role, list_logins, remove_login
from ouder_tui.pgschema import group_role
from ouder_tui.pgstore import PasswordNeededError, PgStore

PASSWORD = "een-goed-wachtwoord"
VISITS = "huisbezoeken"
SECRET = "Moeder vertelde over de scheiding; broer in begeleiding."


def _login(pg_server, url: str, name: str, role: str) -> str:
    """A staff login with ``role`` on the database of ``url``; its own URL."""
    add_login(url, name, role, PASSWORD)  # a login of an earlier test's database gets the role here
    return pg_server.url_for(user=name, password=PASSWORD, dbname=url.rsplit("/", 1)[1])


@pytest.fixture
def logins(pg_server, pg_db) -> dict[str, str]:
    """One login per role: URLs by role."""
    return {role: _login(pg_server, pg_db, f"test_{role}", role) for role in ("zorg", "leerkracht", "beheer")}


def _visit(**extra) -> dict:
    return {"gezin_id": 1, "datum": "2026-11-20", "vertrouwelijk": True, "besproken": SECRET,
            "verwachtingen": "", "afspraken": "Opvolging met het CLB",
            "acties": [{"wat": "CLB bellen over de broer", "tegen": "2026-12-01", "klaar": False}], **extra}


# -- roles ------------------------------------------------------------------------------------------
def test_a_teacher_sees_that_notes_exist_never_their_text(logins: dict[str, str]) -> None:
    zorg = PgStore.connect(logins["zorg"], listen=False)
    saved = zorg.insert(VISITS, _visit())
    assert zorg.get(VISITS, saved["id"])["besproken"] == SECRET
    teacher = PgStore.connect(logins["leerkracht"], listen=False)
    seen = teacher.get(VISITS, saved["id"])
    assert seen["besproken"] == HIDDEN and seen["afspraken"] == HIDDEN and seen["verwachtingen"] == ""
    assert seen["acties"][0]["wat"] == HIDDEN and seen["acties"][0]["tegen"] == "2026-12-01"
    assert SECRET not in repr(teacher.all(VISITS)) and SECRET not in repr(teacher.recycle_bin())
    # a teacher who saves the visit (the date, say) does not wipe or overwrite the notes
    teacher.update(VISITS, saved["id"], {**seen, "datum": "2026-11-21"}, expected_rev=seen["_rev"])
    again = zorg.get(VISITS, saved["id"])
    assert again["besproken"] == SECRET and again["datum"] == "2026-11-21"
    assert again["acties"][0]["wat"] == "CLB bellen over de broer"


def test_confidential_action_texts_stay_with_their_own_action(logins: dict[str, str]) -> None:
    """A teacher who removes an action of a confidential visit (or a list that changes order) does not
    give the remaining actions another action's text: texts are kept by the action's id."""
    zorg = PgStore.connect(logins["zorg"], listen=False)
    acties = [{"id": "a1", "wat": "CLB bellen over de broer", "tegen": "2026-12-01"},
              {"id": "b2", "wat": "Tolk Arabisch vragen voor het vervolg", "tegen": "2026-12-08"}]
    saved = zorg.insert(VISITS, _visit(acties=acties))
    teacher = PgStore.connect(logins["leerkracht"], listen=False)
    seen = teacher.get(VISITS, saved["id"])
    done = {**seen["acties"][1], "gedaan_op": "2026-12-02"}
    teacher.update(VISITS, saved["id"], {**seen, "acties": [done]}, expected_rev=seen["_rev"])
    after = zorg.get(VISITS, saved["id"])["acties"]
    assert [(a["id"], a["wat"], a.get("gedaan_op")) for a in after] == [
        ("b2", "Tolk Arabisch vragen voor het vervolg", "2026-12-02")]


def test_a_teacher_cannot_add_action_text_to_a_confidential_visit(logins: dict[str, str]) -> None:
    """The text would have to be stored where the teacher cannot write; it is refused, never made public."""
    zorg = PgStore.connect(logins["zorg"], listen=False)
    saved = zorg.insert(VISITS, _visit(acties=[{"id": "a1", "wat": "CLB bellen over de broer"}]))
    teacher = PgStore.connect(logins["leerkracht"], listen=False)
    seen = teacher.get(VISITS, saved["id"])
    new_action = {"id": "n9", "wat": "Zus van Amira mee uitnodigen"}
    for acties in ([*seen["acties"], new_action], [{**seen["acties"][0], "wat": "Iets anders"}]):
        with pytest.raises(StoreError, match="vertrouwelijk"):
            teacher.update(VISITS, saved["id"], {**seen, "acties": acties}, expected_rev=seen["_rev"])
    with psycopg.connect(logins["zorg"]) as conn:
        texts = " ".join(t for (t,) in conn.execute("SELECT data::text FROM ouder_tui.records").fetchall())
    assert "Zus van Amira" not in texts and "Iets anders" not in texts
    assert zorg.get(VISITS, saved["id"])["acties"] == [{**seen["acties"][0], "wat": "CLB bellen over de broer"}]


def test_a_teacher_cannot_read_confidential_notes_with_plain_sql(logins: dict[str, str]) -> None:
    PgStore.connect(logins["zorg"], listen=False).insert(VISITS, _visit())
    with psycopg.connect(logins["leerkracht"]) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT data FROM ouder_tui.vertrouwelijk").fetchall()
        conn.rollback()
        rows = conn.execute("SELECT data::text FROM ouder_tui.records").fetchall()
        assert rows and not any(SECRET in text for (text,) in rows)
    with psycopg.connect(logins["zorg"]) as conn:
        assert SECRET in conn.execute("SELECT data::text FROM ouder_tui.vertrouwelijk").fetchone()[0]


def test_confidential_notes_follow_a_visit_into_the_bin_and_back(logins: dict[str, str]) -> None:
    zorg = PgStore.connect(logins["zorg"], listen=False)
    saved = zorg.insert(VISITS, _visit())
    bin_id = zorg.delete(VISITS, saved["id"], label="Huisbezoek")
    teacher = PgStore.connect(logins["leerkracht"], listen=False)
    assert teacher.recycle_bin()[0]["record"]["besproken"] == HIDDEN
    assert zorg.recycle_bin()[0]["record"]["besproken"] == SECRET
    assert zorg.restore(bin_id)["besproken"] == SECRET


def test_only_beheer_erases_and_changes_settings(logins: dict[str, str]) -> None:
    teacher = PgStore.connect(logins["leerkracht"], listen=False)
    pupil = teacher.insert("leerlingen", {"naam": "Yasmina"})
    with pytest.raises(StoreError, match="niet"):
        teacher.wis([("leerlingen", pupil["id"])])
    with pytest.raises(StoreError):
        teacher.update_settings(school_naam="Eigen naam")
    beheer = PgStore.connect(logins["beheer"], listen=False)
    beheer.update_settings(school_naam="De Notelaar")
    assert teacher.settings()["school_naam"] == "De Notelaar"
    assert beheer.wis([("leerlingen", pupil["id"])]) == 1
    assert teacher.get("leerlingen", pupil["id"]) is None


def test_the_log_is_append_only_for_everyone(logins: dict[str, str]) -> None:
    PgStore.connect(logins["leerkracht"], listen=False).insert("leerlingen", {"naam": "Yasmina"})
    for role in ("leerkracht", "zorg", "beheer"):
        with psycopg.connect(logins[role]) as conn:
            for statement in ("UPDATE ouder_tui.logboek SET door = 'iemand anders'",
                              "DELETE FROM ouder_tui.logboek",
                              "INSERT INTO ouder_tui.logboek (tabel, actie) VALUES ('leerlingen', 'vals')"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
                conn.rollback()
    assert [e["door"] for e in PgStore.connect(logins["beheer"], listen=False).logboek()] == ["test_leerkracht"]


def test_who_and_when_are_the_server_s_word(logins: dict[str, str]) -> None:
    """A client that writes its own stamps with plain SQL is overruled by the server."""
    store = PgStore.connect(logins["leerkracht"], listen=False)
    pupil = store.insert("leerlingen", {"naam": "Yasmina"})
    with psycopg.connect(logins["leerkracht"]) as conn:
        conn.execute("UPDATE ouder_tui.records SET changed_by = 'directeur', rev = 99, "
                     "changed_at = '2001-01-01' WHERE tabel = 'leerlingen'")
    after = store.get("leerlingen", pupil["id"])
    assert after["_changed_by"] == "test_leerkracht" and after["_rev"] == 2
    assert after["_changed_at"] > pupil["_changed_at"]


def test_logins_are_managed_and_a_login_without_a_role_is_refused(pg_server, pg_db: str) -> None:
    url = _login(pg_server, pg_db, "juf_anja", "leerkracht")
    assert ("juf_anja", ("leerkracht",)) in list_logins(pg_db)
    assert PgStore.connect(url, listen=False).roles == {"leerkracht"}
    change_role(pg_db, "juf_anja", "zorg")
    assert PgStore.connect(url, listen=False).roles == {"zorg"}
    with psycopg.connect(pg_db, autocommit=True) as conn:
        database = conn.execute("SELECT current_database()").fetchone()[0]
        conn.execute(f'REVOKE "{group_role("zorg", database)}" FROM "juf_anja"')
    with pytest.raises(StoreError, match="geen rol"):
        PgStore.connect(url, listen=False)
    remove_login(pg_db, "juf_anja")
    with pytest.raises(PasswordNeededError):
        PgStore.connect(url, listen=False)


def test_a_database_without_init_says_what_to_do(pg_server) -> None:
    name = pg_server.create_database()
    try:
        with pytest.raises(StoreError, match="server init"):
            PgStore.connect(pg_server.url_for(dbname=name), listen=False)
    finally:
        pg_server.drop_database(name)


def test_a_missing_password_is_asked_not_a_crash(pg_server, pg_db: str) -> None:
    url = _login(pg_server, pg_db, "meester_tom", "leerkracht")
    without = url.replace(f":{PASSWORD}@", "@")
    with pytest.raises(PasswordNeededError):
        PgStore.connect(without, listen=False)
    assert PgStore.connect(without, password=PASSWORD, listen=False).user == "meester_tom"


# -- several PCs at once -----------------------------------------------------------------------------
def _writer(url: str, n: int, start: multiprocessing.Event) -> None:
    store = PgStore.connect(url, listen=False)
    start.wait(10)
    for i in range(n):
        store.insert("leerlingen", {"naam": f"{os.getpid()}-{i}"})
    store.close()


@pytest.mark.process
def test_four_pcs_writing_at_once_lose_nothing(logins: dict[str, str], pg_server) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    writers = [context.Process(target=_writer, args=(logins["leerkracht"], 500, start)) for _ in range(4)]
    for process in writers:
        process.start()
    start.set()
    for process in writers:
        process.join(120)
        assert process.exitcode == 0, pg_server.log_tail(60)
    records = PgStore.connect(logins["zorg"], listen=False).all("leerlingen")
    assert len(records) == 2000 and len({r["id"] for r in records}) == 2000
    assert len({r["naam"] for r in records}) == 2000


def test_two_pcs_editing_one_record_one_conflict_naming_who(logins: dict[str, str]) -> None:
    office = PgStore.connect(logins["zorg"], listen=False)
    classroom = PgStore.connect(logins["leerkracht"], listen=False)
    pupil = office.insert("leerlingen", {"naam": "Yasmina", "klas": "3A"})
    opened = classroom.get("leerlingen", pupil["id"])
    office.update("leerlingen", pupil["id"], {**pupil, "klas": "4A"}, expected_rev=1)
    with pytest.raises(ConflictError) as caught:
        classroom.update("leerlingen", pupil["id"], {**opened, "klas": "5B"}, expected_rev=opened["_rev"])
    assert caught.value.changed_by == "test_zorg" and caught.value.current["klas"] == "4A"
    assert "test_zorg" in str(caught.value)


def test_another_pc_s_save_reaches_open_screens(logins: dict[str, str]) -> None:
    here = PgStore.connect(logins["leerkracht"])
    heard: list[frozenset[str]] = []
    here.subscribe(heard.append)
    before = here.generation
    time.sleep(0.3)  # the listening connection is up
    PgStore.connect(logins["zorg"], listen=False).insert("leerlingen", {"naam": "Nieuw"})
    deadline = time.monotonic() + 5
    while not heard and time.monotonic() < deadline:
        time.sleep(0.05)
    assert heard and "leerlingen" in heard[0] and here.generation != before
    here.close()


@pytest.mark.process
def test_a_client_killed_mid_transaction_leaves_nothing(logins: dict[str, str]) -> None:
    script = textwrap.dedent(f"""
        import sys, time
        from ouder_tui.pgstore import PgStore
        store = PgStore.connect({logins['leerkracht']!r}, listen=False)
        with store.transaction():
            store.insert_many("leerlingen", [{{"naam": f"half {{i}}"}} for i in range(300)])
            print("binnen", flush=True)
            time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "binnen"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    store = PgStore.connect(logins["zorg"], listen=False)
    deadline = time.monotonic() + 10
    while store.count("leerlingen") and time.monotonic() < deadline:  # pragma: no cover - never seen
        time.sleep(0.1)
    assert store.count("leerlingen") == 0 and store.logboek() == []
    assert store.insert("leerlingen", {"naam": "Daarna"})["naam"] == "Daarna"


def test_a_teacher_deletes_and_restores_a_confidential_visit_without_losing_or_seeing_the_notes(
        logins: dict[str, str]) -> None:
    zorg = PgStore.connect(logins["zorg"], listen=False)
    saved = zorg.insert(VISITS, _visit())
    teacher = PgStore.connect(logins["leerkracht"], listen=False)
    seen = teacher.get(VISITS, saved["id"])
    # unticking "vertrouwelijk" is not how a teacher reads the notes: the visit stays confidential
    teacher.update(VISITS, saved["id"], {**seen, "vertrouwelijk": False}, expected_rev=seen["_rev"])
    assert teacher.get(VISITS, saved["id"])["besproken"] == HIDDEN
    bin_id = teacher.delete(VISITS, saved["id"], label="Huisbezoek")
    assert zorg.recycle_bin()[0]["record"]["besproken"] == SECRET
    teacher.restore(bin_id)
    assert zorg.get(VISITS, saved["id"])["besproken"] == SECRET
    assert teacher.get(VISITS, saved["id"])["besproken"] == HIDDEN
    teacher.purge(teacher.delete(VISITS, saved["id"]))
    with psycopg.connect(logins["zorg"]) as conn:
        assert conn.execute("SELECT count(*) FROM ouder_tui.vertrouwelijk").fetchone()[0] == 0


def test_while_the_server_is_away_screens_keep_the_last_data_and_hear_why(logins: dict[str, str], pg_db: str,
                                                                           monkeypatch) -> None:
    """A restart or a network cut: what the screens read comes from the last answer (no crash), the app is
    told once, and once the server answers again everything is read afresh."""
    from ouder_tui import pgstore
    from ouder_tui.errors import ServerUnreachableError
    from ouder_tui.leerlingen import Leerling, Registry
    from ouder_tui.store import SERVER_AWAY

    store = PgStore.connect(logins["leerkracht"], listen=False)
    registry = Registry(store)
    registry.add_leerling(Leerling(voornaam="Amira", familienaam="Benali", klas="3A"))
    assert [p.naam for p in registry.leerlingen()] == ["Amira Benali"]
    heard: list[frozenset[str]] = []
    store.subscribe(heard.append, others_only=True)
    real = pgstore.connect_raw

    def server_down(*args, **kwargs):
        raise StoreError("Kan de schoolserver niet bereiken: connection refused")

    monkeypatch.setattr(pgstore, "connect_raw", server_down)
    with psycopg.connect(pg_db, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'test_leerkracht'")
    store._generation += 1  # as a notice from another PC would: the cached list must be read again
    assert [p.naam for p in registry.leerlingen()] == ["Amira Benali"]  # the last data, not a crash
    with pytest.raises(ServerUnreachableError, match="antwoordt niet"):
        store.get("leerlingen", 1)
    assert [t for t in heard if SERVER_AWAY in t] == [frozenset({SERVER_AWAY})]  # told once
    monkeypatch.setattr(pgstore, "connect_raw", real)
    assert store.get("leerlingen", 1)["voornaam"] == "Amira"
    assert [p.naam for p in registry.leerlingen()] == ["Amira Benali"]


def test_an_older_school_database_works_and_server_init_brings_it_up_to_date(pg_db: str) -> None:
    """A database set up by an earlier version (no ``tekst`` column, schema 1) is read as before, with a
    note; ``server init`` again upgrades it without stamping, logging or announcing any record."""
    from ouder_tui.leerlingen import Leerling, Registry
    from ouder_tui.pgadmin import init_server
    from ouder_tui.pgschema import SERVER_SCHEMA

    store = PgStore.connect(pg_db, listen=False)
    first = Registry(store).add_leerling(Leerling(voornaam="Ilias", familienaam="Amrani", klas="4A"))
    store.close()
    with psycopg.connect(pg_db, autocommit=True) as admin:
        admin.execute("ALTER TABLE ouder_tui.records DROP COLUMN tekst CASCADE")
        admin.execute("DROP TRIGGER IF EXISTS tekst ON ouder_tui.records")
        admin.execute("UPDATE ouder_tui.meta SET waarde = '1' WHERE sleutel = 'schema_version'")
        log_lines = admin.execute("SELECT count(*) FROM ouder_tui.logboek").fetchone()[0]
    old = PgStore.connect(pg_db, listen=False)
    assert any("oudere versie" in w and "server init" in w for w in old.warnings)
    assert Registry(old).leerlingen() == [first]
    old.close()
    init_server(pg_db)
    with psycopg.connect(pg_db, autocommit=True) as admin:
        assert admin.execute("SELECT waarde FROM ouder_tui.meta WHERE sleutel = 'schema_version'").fetchone()[0] \
            == SERVER_SCHEMA
        assert admin.execute("SELECT count(*) FROM ouder_tui.records WHERE tekst IS NULL").fetchone()[0] == 0
        assert admin.execute("SELECT count(*) FROM ouder_tui.logboek").fetchone()[0] == log_lines
    new = PgStore.connect(pg_db, listen=False)
    assert new.warnings == [] and Registry(new).leerlingen() == [first]  # same revision, same stamps
    new.close()
