"""Control characters never enter the store and never reach a terminal (issue 16).

An import file whose name held an escape sequence became the dashboard's "last import" and retitled
every later user's terminal; CSV exports and ``inzage`` printed raw ESC bytes to the screen.
"""

from __future__ import annotations

import io
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ouder_tui import cli
from ouder_tui import importers as im
from ouder_tui.errors import ValidationError
from ouder_tui.filestore import FileStore
from ouder_tui.leerlingen import Gezin, Ouder, Registry
from ouder_tui.memstore import MemoryStore
from ouder_tui.text import clean_text, strip_controls

HOSTILE = "\x1b]0;GEKAAPT\x07\x1b[2J\u202e\x00\x08\x9b31m\x85"


def has_controls(text: str) -> bool:
    return any(c in text for c in "\x1b\x07\x00\x08\x9b\x85\u202e")


def test_the_store_strips_controls_from_every_text_it_receives(tmp_path: Path) -> None:
    store = FileStore.open(tmp_path / "school.json")
    record = store.insert("leerlingen", {"voornaam": f"Anna{HOSTILE}", "notities": f"regel 1\nregel\t2{HOSTILE}",
                                         "ouders": [{"naam": f"X{HOSTILE}", "talen": [f"Frans{HOSTILE}"]}]})
    stored = store.get("leerlingen", record["id"])
    assert stored["voornaam"] == "Anna"
    assert stored["notities"] == "regel 1\nregel\t2"  # tab and newline stay in multi-line text
    assert stored["ouders"] == [{"naam": "X", "talen": ["Frans"]}]
    updated = store.update("leerlingen", record["id"], {**stored, "klas": f"5A{HOSTILE}"}, expected_rev=None)
    assert updated["klas"] == "5A"
    store.update_settings(school_naam=f"De Notelaar{HOSTILE}")
    assert store.settings()["school_naam"] == "De Notelaar"


@given(st.text())
def test_property_nothing_hostile_survives_the_boundary(text: str) -> None:
    store = MemoryStore()
    saved = store.insert("gebruikte_tabel", {"tekst": text, "lijst": [text], "dict": {text: text}})
    for value in (saved["tekst"], saved["lijst"][0], *saved["dict"], *saved["dict"].values()):
        assert not has_controls(value)
        assert value == strip_controls(value)


def test_an_import_file_name_with_an_escape_sequence_is_stored_clean(tmp_path: Path) -> None:
    registry = Registry(FileStore.open(tmp_path / "school.json"))
    raw = b"Stamboeknummer;Naam;Voornaam;Geboortedatum\r\n1;Peeters;Anna;01/02/2016\r\n"
    csv_file = im.read_csv(raw)
    plan = im.plan_import(registry, csv_file, im.detect_mapping(csv_file.headers), schooljaar="2026-2027",
                          vandaag=date(2026, 9, 1))
    im.apply_import(registry, plan, bestand=f"lijst{HOSTILE}.csv")
    assert registry.store.settings()["laatste_import"]["bestand"] == "lijst.csv"


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u200c\u200d", "\u2060 \u200b", "\ufeff", " \u200d "])
def test_a_name_of_only_invisible_characters_is_refused(name: str) -> None:
    assert clean_text(name) == ""
    with pytest.raises(ValidationError) as refused:
        Gezin(naam=name).checked()
    assert "naam" in refused.value.errors
    with pytest.raises(ValidationError):
        Gezin(naam="Peeters", ouders=(Ouder(voornaam=name, familienaam=name),)).checked()


def test_joiners_inside_a_name_stay() -> None:
    assert clean_text("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645") == "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"


class FakeTerminal(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.buffer = io.BytesIO()

    def isatty(self) -> bool:
        return True


def test_cli_output_to_a_terminal_carries_no_escape_sequences(tmp_path: Path, monkeypatch) -> None:
    """A database written before the boundary existed may hold ESC bytes; the screen never gets them."""
    from ouder_tui.storage import decode, encode

    path = tmp_path / "school.json"
    FileStore.open(path).insert("leerlingen", {"voornaam": "Anna", "familienaam": "Peeters", "status": "actief"})
    document = decode(path.read_bytes())
    document["leerlingen"]["1"]["voornaam"] = f"Anna{HOSTILE}"
    path.write_bytes(encode(document))
    out, err = FakeTerminal(), FakeTerminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    assert cli.main(["--db", str(path), "export", "leerlingen", "--format", "csv"]) == 0
    shown = out.buffer.getvalue().decode("utf-8") + out.getvalue() + err.getvalue()
    assert "Anna" in shown and not has_controls(shown.replace("\r\n", "\n"))
    assert sys.stdout is out  # the filter is gone after the command


def test_cli_output_to_a_pipe_is_left_as_it_is(tmp_path: Path, capsysbinary) -> None:
    from ouder_tui.storage import decode, encode

    path = tmp_path / "school.json"
    FileStore.open(path).insert("leerlingen", {"voornaam": "Anna", "familienaam": "Peeters", "status": "actief"})
    document = decode(path.read_bytes())
    document["leerlingen"]["1"]["voornaam"] = "Anna\x1b[31m"
    path.write_bytes(encode(document))
    assert cli.main(["--db", str(path), "export", "leerlingen", "--format", "csv"]) == 0
    assert b"Anna\x1b[31m" in capsysbinary.readouterr().out  # a file or a pipe gets the data unchanged


def test_text_stored_before_the_boundary_is_cleaned_by_the_migration(tmp_path: Path) -> None:
    import json

    path = tmp_path / "school.json"
    path.write_text(json.dumps({
        "_meta": {"1": {"schema_version": 1, "next_ids": {"leerlingen": 2}}},
        "instellingen": {"1": {"laatste_import": {"bestand": f"lijst{HOSTILE}.csv"}, "_rev": 1}},
        "leerlingen": {"1": {"voornaam": f"Anna{HOSTILE}", "notities": "a\tb\nc", "_rev": 1}},
    }), encoding="utf-8")
    store = FileStore.open(path)
    assert store.settings()["laatste_import"]["bestand"] == "lijst.csv"
    assert store.get("leerlingen", 1)["voornaam"] == "Anna"
    assert store.get("leerlingen", 1)["notities"] == "a\tb\nc"


def test_bytes_that_are_no_text_in_a_file_name_or_user_name_become_a_replacement_character(tmp_path: Path) -> None:
    """On Linux a file name or an environment variable may hold bytes that are no UTF-8 (lone surrogates in
    Python); written as they are, they made every later save of the database fail."""
    store = FileStore.open(tmp_path / "school.json", user="Jan\udcff")
    store.update_settings(laatste_import={"bestand": "lijst\udcfe.csv"})
    store.insert("leerlingen", {"voornaam": "Anna\ud800"})
    reopened = FileStore.open(tmp_path / "school.json")
    assert reopened.settings()["laatste_import"]["bestand"] == "lijst\ufffd.csv"
    assert reopened.get("leerlingen", 1)["voornaam"] == "Anna\ufffd"
    assert reopened.get("leerlingen", 1)["_created_by"] == "Jan\ufffd"
