"""The command line on a protected database: the passphrase from the environment or typed unseen, sealed exports."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ouder_tui import backups, crypto
from ouder_tui.cli import main
from ouder_tui.filestore import FileStore

SECRET = "Zonnebloem op het speelplein"
OTHER = "Regenboog boven de refter"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def protected_demo(demo_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Path:
    monkeypatch.setenv("OUDER_TUI_NIEUW_WACHTWOORD", SECRET)
    code, out, _ = run(capsys, "--db", str(demo_path), "wachtwoord")
    assert code == 0 and "nu beveiligd" in out
    monkeypatch.delenv("OUDER_TUI_NIEUW_WACHTWOORD")
    return demo_path


def test_wachtwoord_turns_protection_on_and_backups_follow(protected_demo: Path) -> None:
    assert crypto.is_protected(protected_demo.read_bytes())
    assert all(crypto.is_protected(path.read_bytes()) for _, path in backups.list_backups(protected_demo))


def test_commands_read_the_passphrase_from_the_environment(protected_demo: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OUDER_TUI_WACHTWOORD", SECRET)
    code, out, _ = run(capsys, "--db", str(protected_demo), "check")
    assert code == 0 and "beveiligd met een wachtwoord" in out and "in orde" in out


def test_a_wrong_or_missing_passphrase_fails_in_dutch_and_changes_nothing(protected_demo: Path, monkeypatch,
                                                                          capsys) -> None:
    before = protected_demo.read_bytes()
    monkeypatch.setenv("OUDER_TUI_WACHTWOORD", OTHER)
    for command in (["check"], ["export", "leerlingen"], ["backup"], ["wachtwoord", "--uit"]):
        code, _, err = run(capsys, "--db", str(protected_demo), *command)
        assert code == 1 and "wachtwoord klopt niet" in err, command
    monkeypatch.delenv("OUDER_TUI_WACHTWOORD")
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # a script without a terminal
    code, _, err = run(capsys, "--db", str(protected_demo), "export", "leerlingen")
    assert code == 1 and "OUDER_TUI_WACHTWOORD" in err
    assert protected_demo.read_bytes() == before


def test_exports_of_a_protected_database_are_sealed_unless_asked_otherwise(protected_demo: Path, tmp_path: Path,
                                                                         monkeypatch, capsys) -> None:
    monkeypatch.setenv("OUDER_TUI_WACHTWOORD", SECRET)
    target = tmp_path / "leerlingen.csv"
    code, _, err = run(capsys, "--db", str(protected_demo), "export", "leerlingen", "--output", str(target))
    sealed = tmp_path / "leerlingen.csv.versleuteld"
    assert code == 0 and not target.exists() and sealed.exists()
    assert "versleuteld" in err and "ontsleutel" in err
    assert crypto.is_protected(sealed.read_bytes()) and b"Voornaam" not in sealed.read_bytes()

    code, out, _ = run(capsys, "--db", str(protected_demo), "ontsleutel", str(sealed), "--output", str(target))
    assert code == 0 and "Leesbaar bewaard" in out
    assert target.read_text(encoding="utf-8-sig").startswith('"Stamboeknummer";"Voornaam";')

    plain = tmp_path / "gewoon.csv"
    code, _, _ = run(capsys, "--db", str(protected_demo), "export", "leerlingen", "--output", str(plain),
                     "--onversleuteld")
    assert code == 0 and plain.read_bytes() == target.read_bytes()

    code, _, _ = run(capsys, "--db", str(protected_demo), "inzage", "1", "--format", "md",
                     "--output", str(tmp_path / "inzage.md"))
    assert code == 0 and crypto.is_protected((tmp_path / "inzage.md.versleuteld").read_bytes())


def test_restore_asks_for_the_passphrase_of_the_backup(protected_demo: Path, tmp_path: Path, monkeypatch,
                                                       capsys) -> None:
    """A copy kept elsewhere keeps the passphrase it was made with; restoring it asks for that one."""
    monkeypatch.setenv("OUDER_TUI_WACHTWOORD", SECRET)
    kept = tmp_path / "usb-stick.json"
    assert run(capsys, "--db", str(protected_demo), "backup", "--output", str(kept))[0] == 0
    assert crypto.is_protected(kept.read_bytes())
    monkeypatch.setenv("OUDER_TUI_NIEUW_WACHTWOORD", OTHER)
    assert run(capsys, "--db", str(protected_demo), "wachtwoord")[0] == 0

    monkeypatch.setenv("OUDER_TUI_WACHTWOORD", OTHER)  # today's passphrase does not open the old copy
    before = protected_demo.read_bytes()
    code, _, err = run(capsys, "--db", str(protected_demo), "restore", str(kept))
    assert code == 1 and "klopt niet" in err and protected_demo.read_bytes() == before

    monkeypatch.setenv("OUDER_TUI_WACHTWOORD", SECRET)
    code, out, _ = run(capsys, "--db", str(protected_demo), "restore", str(kept))
    assert code == 0 and "Teruggezet" in out
    assert FileStore.open(protected_demo, passphrase=crypto.Passphrase(SECRET)).count("leerlingen") > 200


def test_wachtwoord_uit_makes_everything_readable_again(protected_demo: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OUDER_TUI_WACHTWOORD", SECRET)
    code, out, _ = run(capsys, "--db", str(protected_demo), "wachtwoord", "--uit")
    assert code == 0 and "staat uit" in out
    assert not crypto.is_protected(protected_demo.read_bytes())
    assert not any(crypto.is_protected(path.read_bytes()) for _, path in backups.list_backups(protected_demo))


def test_a_short_new_passphrase_is_refused(demo_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OUDER_TUI_NIEUW_WACHTWOORD", "kort")
    code, _, err = run(capsys, "--db", str(demo_path), "wachtwoord")
    assert code == 1 and "minstens 8 tekens" in err
    assert not crypto.is_protected(demo_path.read_bytes())


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_typed_passphrase_never_shows_in_the_terminal(protected_demo: Path) -> None:
    """Typed in a real terminal, the passphrase is not echoed: the scrollback holds only the prompt and the result."""
    import pty

    env = {key: value for key, value in os.environ.items() if not key.startswith("OUDER_TUI")}
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "ouder_tui.cli", "--db", str(protected_demo), "check"],
                               stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    screen = b""

    def read_until(marker: bytes, timeout: float = 30) -> None:
        nonlocal screen
        deadline = time.monotonic() + timeout
        while marker not in screen and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    screen += os.read(leader, 4096)
                except OSError:
                    return

    read_until(b"Wachtwoord van de databank: ")
    os.write(leader, SECRET.encode() + b"\n")
    read_until(b"in orde")
    process.wait(30)
    os.close(leader)
    assert b"in orde" in screen, screen
    assert SECRET.encode() not in screen
    assert process.returncode == 0
