"""The command line as scripts use it: exit codes, Dutch errors on stderr, nothing changed on failure."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ouder_tui import __version__
from ouder_tui.cli import main
from ouder_tui.filestore import FileStore


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"ouder-tui {__version__}"


def test_wrong_call_is_refused_in_dutch_with_exit_code_2(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["export", "huisdieren"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "fout" in err and "ongeldige keuze" in err


def test_db_option_beats_the_environment(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OUDER_TUI_DB", str(tmp_path / "env.json"))
    FileStore.open(tmp_path / "env.json")
    code, out, _ = run(capsys, "check")
    assert code == 0 and "env.json" in out
    code, _, err = run(capsys, "--db", str(tmp_path / "nergens.json"), "check")
    assert code == 1 and "Er is geen databank" in err


def test_check_passes_on_the_demo_and_fails_on_a_broken_file(demo_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "--db", str(demo_path), "check")
    assert code == 0
    assert "leerlingen" in out and "in orde" in out
    demo_path.write_bytes(b'{"leerlingen": {"1": ')
    code, _, err = run(capsys, "--db", str(demo_path), "check")
    assert code == 3 and "onleesbaar" in err  # 3: a damaged file


def test_check_finds_a_pupil_pointing_at_a_missing_family(tmp_path: Path, capsys) -> None:
    db = tmp_path / "db.json"
    store = FileStore.open(db)
    store.insert("leerlingen", {"voornaam": "A", "familienaam": "B", "gezin_id": 42})
    code, _, err = run(capsys, "--db", str(db), "check")
    assert code == 1 and "gezin 42" in err


def test_export_csv_opens_in_belgian_excel(demo_path: Path, tmp_path: Path, capsys) -> None:
    out_file = tmp_path / "uit" / "leerlingen.csv"
    code, _, _ = run(capsys, "--db", str(demo_path), "export", "leerlingen", "--output", str(out_file))
    assert code == 0
    raw = out_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Stamboeknummer", "Voornaam", "Familienaam", "Geboortedatum"]
    assert len(rows) == 1 + 264
    dates = [r[3] for r in rows[1:]]
    assert all(len(d) == 10 and d[2] == "/" and d[5] == "/" for d in dates)


def test_export_gezinnen_json_to_stdout_is_a_list_of_objects(demo_path: Path, capsysbinary) -> None:
    assert main(["--db", str(demo_path), "export", "gezinnen", "--format", "json"]) == 0
    document = json.loads(capsysbinary.readouterr().out)
    assert document["soort"] == "gezinnen"
    data = document["gezinnen"]
    assert isinstance(data, list) and len(data) == 173
    assert {"naam", "ouders", "kinderen", "adres"} <= set(data[0])


@pytest.mark.file_home
def test_csv_cells_cannot_become_excel_formulas(registry, tmp_path: Path, capsys) -> None:
    from ouder_tui.leerlingen import Leerling

    registry.add_leerling(Leerling(voornaam="=HYPERLINK(\"x\")", familienaam="@SUM(A1)"))
    out = tmp_path / "x.csv"
    assert main(["--db", str(registry.store.path), "export", "leerlingen", "--output", str(out)]) == 0
    row = list(csv.reader(io.StringIO(out.read_text("utf-8-sig")), delimiter=";"))[1]
    assert row[1] == "'=HYPERLINK(\"x\")" and row[2] == "'@SUM(A1)"


def test_backup_and_restore_bring_back_a_broken_database(demo_path: Path, tmp_path: Path, capsys) -> None:
    copy = tmp_path / "kopie.json"
    code, out, _ = run(capsys, "--db", str(demo_path), "backup", "--output", str(copy))
    assert code == 0 and copy.read_bytes() == demo_path.read_bytes()
    good = demo_path.read_bytes()
    demo_path.write_bytes(b"")  # e.g. a sync client truncated it
    with pytest.raises(Exception) as caught:
        FileStore.open(demo_path)
    assert "onleesbaar" in str(caught.value)
    assert demo_path.read_bytes() == b""  # never overwritten
    code, out, _ = run(capsys, "--db", str(demo_path), "restore", str(copy))
    assert code == 0 and "Teruggezet" in out
    assert demo_path.read_bytes() == good
    code, _, _ = run(capsys, "--db", str(demo_path), "check")
    assert code == 0


def test_restore_refuses_a_broken_backup_and_changes_nothing(demo_path: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "kapot.json"
    bad.write_text("geen json")
    before = demo_path.read_bytes()
    code, _, err = run(capsys, "--db", str(demo_path), "restore", str(bad))
    assert code == 1 and "geen bruikbare reservekopie" in err
    assert demo_path.read_bytes() == before


def test_backup_without_output_goes_to_the_backup_folder(demo_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "--db", str(demo_path), "backup")
    assert code == 0
    made = Path(out.split(": ", 1)[1].strip())
    assert made.parent.name == "demo-reservekopies" and made.read_bytes() == demo_path.read_bytes()


def test_demo_uses_its_own_database_never_the_real_one(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr("ouder_tui.paths.data_folder", lambda: tmp_path / "data")
    real = tmp_path / "echt.json"
    monkeypatch.setenv("OUDER_TUI_DB", str(real))
    code, out, _ = run(capsys, "--demo", "check")
    assert code == 0 and "demo.json" in out
    assert not real.exists()


def test_headless_commands_do_not_import_textual(demo_path: Path) -> None:
    """Scripts should not pay Textual's start-up cost."""
    code = (
        "import sys; from ouder_tui.cli import main; "
        f"rc = main(['--db', {str(demo_path)!r}, 'check']); "
        "assert 'textual' not in sys.modules, 'textual imported'; sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_real_process_reports_errors_on_stderr_with_a_nonzero_code(tmp_path: Path) -> None:
    newer = tmp_path / "nieuw.json"
    newer.write_text('{"_meta": {"1": {"schema_version": 999}}}')
    before = newer.read_bytes()
    result = subprocess.run([sys.executable, "-m", "ouder_tui", "--db", str(newer), "export", "leerlingen"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "nieuwere versie" in result.stderr and result.stdout == ""
    assert newer.read_bytes() == before


FIXTURES = Path(__file__).parent / "fixtures"


def test_import_reports_skipped_rows_and_exits_zero(tmp_path: Path, capsys) -> None:
    db = tmp_path / "db.json"
    code, out, _ = run(capsys, "--db", str(db), "import", "leerlingen", str(FIXTURES / "wisa.csv"))
    assert code == 0
    assert "3 nieuw, 0 bijgewerkt, 0 ongewijzigd, 2 overgeslagen" in out
    assert "regel 5:" in out and "regel 6: geen voornaam" in out
    assert FileStore.open(db).count("leerlingen") == 3
    code, out, _ = run(capsys, "--db", str(db), "import", "leerlingen", str(FIXTURES / "wisa.csv"))
    assert "0 nieuw, 0 bijgewerkt, 3 ongewijzigd" in out
    assert FileStore.open(db).count("leerlingen") == 3


def test_import_dry_run_and_strict_change_nothing(tmp_path: Path, capsys) -> None:
    db = tmp_path / "db.json"
    FileStore.open(db)
    before = db.read_bytes()
    code, out, _ = run(capsys, "--db", str(db), "import", "leerlingen", str(FIXTURES / "wisa.csv"), "--dry-run")
    assert code == 0 and "niets gewijzigd" in out and db.read_bytes() == before
    code, _, err = run(capsys, "--db", str(db), "import", "leerlingen", str(FIXTURES / "wisa.csv"), "--strict")
    assert code == 1 and "onbruikbare rij" in err and db.read_bytes() == before


def test_import_with_an_unknown_map_field_lists_the_fields_in_dutch(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "--db", str(tmp_path / "db.json"), "import", "leerlingen",
                       str(FIXTURES / "wisa.csv"), "--map", "schoenmaat=Maat")
    assert code == 1 and "Onbekend veld 'schoenmaat'" in err and "stamboeknummer" in err
    assert not (tmp_path / "db.json").exists()


def test_names_the_console_cannot_encode_do_not_crash_the_command_line(tmp_path: Path) -> None:
    """On a Windows console in code page 1252, Turkish or Ukrainian names must not stop a script."""
    csv_file = tmp_path / "lijst.csv"
    csv_file.write_text("Naam;Voornaam;Geboortedatum\nŞahin;Ayşe;0Ş/02/2018\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "ouder_tui", "--db", str(tmp_path / "db.json"), "import",
                             "leerlingen", str(csv_file)], capture_output=True,
                            env={**__import__("os").environ, "PYTHONIOENCODING": "cp1252"})
    assert result.returncode == 0, result.stderr
    assert b"1 overgeslagen" in result.stdout and b"'0?/02/2018'" in result.stdout
