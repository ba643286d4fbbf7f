"""The file home at its edges (issue 16): restores that drop protection, symlinks, lock permissions, and the
smaller cases an adversarial run found (point 10). Each was a traceback, a silent change or a wrong message."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from ouder_tui import backups, crypto
from ouder_tui.filestore import FileStore
from ouder_tui.maintenance import UnprotectedRestoreError, make_backup, restore_backup

ROOT = Path(__file__).resolve().parent.parent
SECRET = "een lange zin als wachtwoord"
CSV = "Stamboeknummer;Naam;Voornaam;Geboortedatum\r\n1;Peeters;Anna;01/02/2016\r\n2;Claes;Bram;03/04/2016\r\n"


def pp(value: str = SECRET) -> crypto.Passphrase:
    return crypto.Passphrase(value)


def run_cli(*args: str, cwd: Path, env: dict | None = None, **options) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "OUDER_TUI_GEBRUIKER": "Test", **(env or {})}
    return subprocess.run([sys.executable, "-m", "ouder_tui", *args], cwd=cwd, env=environment, capture_output=True,
                          timeout=60, check=False, **options)


# -- restoring an unprotected copy onto a protected database ----------------------------------------------

def test_restoring_an_unprotected_copy_over_a_protected_database_asks_and_is_logged(tmp_path: Path) -> None:
    path = tmp_path / "school.json"
    FileStore.open(path).insert("leerlingen", {"voornaam": "Anna"})
    copy = make_backup(path, tmp_path / "kopie.json")  # outside the backup folder: stays readable
    FileStore.open(path).set_passphrase(pp())
    before = path.read_bytes()

    with pytest.raises(UnprotectedRestoreError, match="zet de beveiliging uit"):
        restore_backup(path, copy, key=FileStore.open(path, passphrase=pp()).key)
    assert path.read_bytes() == before

    done = run_cli("--db", str(path), "restore", str(copy), cwd=tmp_path, env={"OUDER_TUI_WACHTWOORD": SECRET},
                   stdin=subprocess.DEVNULL)
    assert done.returncode == 1 and b"--beveiliging-uit" in done.stderr and path.read_bytes() == before

    done = run_cli("--db", str(path), "--gebruiker", "Els", "restore", str(copy), "--beveiliging-uit", cwd=tmp_path,
                   env={"OUDER_TUI_WACHTWOORD": SECRET}, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    store = FileStore.open(path)
    assert not store.protected
    changed = store.protection_changed()
    assert changed is not None and changed["actie"] == "onbeveiligd" and changed["door"] == "Els"


# -- a symlinked database -------------------------------------------------------------------------------------

def test_a_symlinked_database_is_written_through_and_locked_beside_its_target(tmp_path: Path) -> None:
    shared, mine = tmp_path / "gedeeld", tmp_path / "eigen"
    shared.mkdir()
    mine.mkdir()
    target = shared / "school.json"
    FileStore.open(target).insert("leerlingen", {"voornaam": "Anna"})
    link = mine / "school.json"
    link.symlink_to(target)

    store = FileStore.open(link)
    store.insert("leerlingen", {"voornaam": "Bram"})
    store.insert("leerlingen", {"voornaam": "Chloé"})
    assert link.is_symlink() and link.resolve() == target
    assert sorted(r["voornaam"] for r in FileStore.open(target).all("leerlingen")) == ["Anna", "Bram", "Chloé"]
    assert (shared / "school.json.lock").exists() and not (mine / "school.json.lock").exists()
    restore_backup(link, backups.list_backups(target)[-1][1])  # a restore through the link also keeps it
    assert link.is_symlink()


# -- lock files -----------------------------------------------------------------------------------------------

def test_a_lock_file_gets_the_write_permissions_of_the_database(tmp_path: Path) -> None:
    path = tmp_path / "school.json"
    FileStore.open(path)
    assert stat.S_IMODE((tmp_path / "school.json.lock").stat().st_mode) == 0o600  # a private database
    os.chmod(path, 0o664)  # shared with the group
    FileStore.open(path).insert("leerlingen", {"voornaam": "Anna"})
    assert stat.S_IMODE((tmp_path / "school.json.lock").stat().st_mode) & 0o060 == 0o060


needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not hasattr(os, "fork"),
                                reason="needs root to act as a second account")
NOBODY = 65534


def as_other_account(work) -> str:
    """Run ``work()`` in a forked child as another account (everything it needs is imported here first)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            result = str(work())
        except BaseException as exc:  # noqa: BLE001 - everything is reported to the parent
            result = f"{type(exc).__name__}: {exc}"
        os.write(write, result.encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


def shared_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="ouder-tui-gedeeld-"))
    os.chmod(folder, 0o777)
    return folder


@needs_root
def test_another_account_that_may_write_the_database_can_lock_it() -> None:
    folder = shared_folder()
    try:
        path = folder / "school.json"
        FileStore.open(path, make_backup=False).insert("leerlingen", {"voornaam": "Anna"})
        os.chmod(path, 0o666)  # everyone on this PC may write it
        FileStore.open(path, make_backup=False).insert("leerlingen", {"voornaam": "Bram"})

        def colleague() -> str:
            FileStore.open(path, make_backup=False, user="collega").insert("leerlingen", {"voornaam": "Chloé"})
            return "ok"

        assert as_other_account(colleague) == "ok"
        assert len(FileStore.open(path, make_backup=False).all("leerlingen")) == 3
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)


@needs_root
def test_a_lock_file_of_another_account_is_named_as_the_problem() -> None:
    from ouder_tui.errors import StoreError

    folder = shared_folder()
    try:
        path = folder / "school.json"
        FileStore.open(path, make_backup=False)
        os.chmod(path, 0o666)
        os.chmod(folder / "school.json.lock", 0o644)  # as an older version made it, owned by another account

        def colleague() -> str:
            try:
                FileStore.open(path, make_backup=False).insert("leerlingen", {"voornaam": "X"})
            except StoreError as exc:
                return str(exc)
            return "geen fout"

        said = as_other_account(colleague)
        assert "vergrendelbestand" in said and "ander account" in said, said
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)


# -- point 10 ---------------------------------------------------------------------------------------------------

def test_an_unclosed_quote_names_its_line_instead_of_no_columns(tmp_path: Path) -> None:
    from ouder_tui import importers as im

    raw = 'Stamboeknummer;Naam;Voornaam;Geboortedatum\r\n1;Peeters;Anna;01/02/2016\r\n2;"Claes;Bram;03/04/2016\r\n'
    with pytest.raises(im.CsvFormatError, match="Regel 3: een aanhalingsteken"):
        im.read_csv(raw.encode())


def test_import_piped_into_head_saves_and_ends_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "lijst.csv").write_text(CSV, encoding="utf-8")
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "OUDER_TUI_GEBRUIKER": "Test"}
    process = subprocess.Popen([sys.executable, "-m", "ouder_tui", "--db", "school.json", "import", "leerlingen",
                                "lijst.csv"], cwd=tmp_path, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before anything is printed, as with | head -0
    _, err = process.communicate(timeout=60)
    assert b"Traceback" not in err and b"Exception ignored" not in err, err
    assert b"afgebroken" in err
    if (tmp_path / "school.json").exists():  # saved whole or not at all, whenever the pipe broke
        assert len(FileStore.open(tmp_path / "school.json").all("leerlingen")) in (0, 2)


def test_backup_and_check_when_a_folder_stands_where_the_database_should_be(tmp_path: Path) -> None:
    (tmp_path / "school.json").mkdir()
    for command in (["backup"], ["check"], ["export", "leerlingen"]):
        done = run_cli("--db", "school.json", *command, cwd=tmp_path)
        assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr
        assert b"een map" in done.stderr


def test_a_dry_run_on_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    (tmp_path / "lijst.csv").write_text(CSV, encoding="utf-8")
    done = run_cli("--db", "school.json", "import", "leerlingen", "lijst.csv", "--dry-run", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert b"2 nieuw" in done.stdout and b"niets gewijzigd" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lijst.csv"]


def test_a_read_only_database_file_is_not_replaced_by_an_import(tmp_path: Path) -> None:
    (tmp_path / "lijst.csv").write_text(CSV, encoding="utf-8")
    path = tmp_path / "school.json"
    FileStore.open(path)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    done = run_cli("--db", "school.json", "import", "leerlingen", "lijst.csv", cwd=tmp_path)
    assert done.returncode == 1 and b"alleen-lezen" in done.stderr, done.stderr
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o444


def test_passphrase_variables_with_bytes_that_are_no_text_give_a_dutch_message(tmp_path: Path) -> None:
    path = tmp_path / "school.json"
    FileStore.open(path).set_passphrase(pp())
    environment = {**{k.encode(): v.encode() for k, v in os.environ.items()}, b"PYTHONPATH": str(ROOT).encode(),
                   b"OUDER_TUI_WACHTWOORD": b"wachtwoord \xff\xfe"}
    done = subprocess.run([sys.executable, "-m", "ouder_tui", "--db", str(path), "check"], env=environment,
                          capture_output=True, timeout=60, check=False)
    assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr
    assert b"geen UTF-8" in done.stderr


def test_export_on_a_missing_database_leaves_no_lock_file(tmp_path: Path) -> None:
    done = run_cli("--db", "school.json", "export", "leerlingen", cwd=tmp_path)
    assert done.returncode == 1 and b"Er is geen databank" in done.stderr
    assert list(tmp_path.iterdir()) == []
