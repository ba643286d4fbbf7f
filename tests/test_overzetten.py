"""Moving a school: everything arrives, and the check catches what does not (no server needed here)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from ouder_tui import crypto
from ouder_tui.cli import main
from ouder_tui.errors import OuderTuiError
from ouder_tui.filestore import FileStore
from ouder_tui.memstore import MemoryStore
from ouder_tui.migrations import CURRENT_SCHEMA, META_ID, META_TABLE
from ouder_tui.overzetten import (
    FileSource,
    FileTarget,
    StoreTarget,
    table_checksum,
    transfer,
    verify,
)
from ouder_tui.integrity import plain_document
from ouder_tui.storage import decode, encode
from ouder_tui.store import LOG, RECYCLE_BIN


class DocumentTarget:
    """A target in memory: document in, document out; ``tamper`` changes what comes back."""

    location = "in het geheugen"

    def __init__(self, tamper=None) -> None:
        self.document: dict | None = None
        self.tamper = tamper
        self.discarded = False

    def check_ready(self) -> None:
        if self.document is not None:
            raise OuderTuiError("niet leeg")

    def write(self, document: dict) -> None:
        self.document = copy.deepcopy(document)

    def read_back(self) -> dict:
        document = copy.deepcopy(self.document)
        if self.tamper:
            self.tamper(document)
        return document

    def discard(self) -> str | None:
        self.discarded = True
        return "weggegooid"


def _all_tables(document: dict) -> set[str]:
    return {name for name in document if name != META_TABLE} | {RECYCLE_BIN, LOG, "instellingen"}


def add_bin_and_settings(path: Path) -> Path:
    """The demo school with what a year of use adds: records in the recycle bin (a confidential home visit
    among them), changed settings, and the log lines of all that."""
    store = FileStore.open(path, user="juf.anja", make_backup=False)
    visits = store.all("huisbezoeken")
    confidential = next(v for v in visits if v.get("vertrouwelijk"))
    store.delete("huisbezoeken", confidential["id"], label="vertrouwelijk huisbezoek")
    store.delete("huisbezoeken", next(v for v in visits if not v.get("vertrouwelijk"))["id"], label="huisbezoek")
    store.delete("oudergroep_themas", store.all("oudergroep_themas")[0]["id"], label="thema")
    store.update_settings(school_naam="Basisschool De Regenboog")
    return path


@pytest.fixture
def school(demo_path: Path) -> Path:
    return add_bin_and_settings(demo_path)


def test_the_demo_arrives_whole_in_memory(school: Path) -> None:
    source = decode(school.read_bytes())
    target = DocumentTarget()
    report = transfer(FileSource(school), target)
    assert report.ok, report.problems
    assert target.document == source
    assert {check.table for check in report.tables} == _all_tables(source)
    assert {RECYCLE_BIN, LOG, "instellingen", "leerlingen", "gezinnen"} <= {check.table for check in report.tables}
    assert all(check.ok for check in report.tables)
    assert report.records == sum(len(t) for name, t in source.items() if name != META_TABLE)


def test_file_to_new_file_round_trip_opens_with_the_file_store(school: Path, tmp_path: Path) -> None:
    copy_path = tmp_path / "kopie" / "school.json"
    report = transfer(FileSource(school), FileTarget(copy_path))
    assert report.ok, report.problems
    assert decode(copy_path.read_bytes()) == decode(school.read_bytes())
    store = FileStore.open(copy_path, make_backup=False, create=False)
    original = FileStore.open(school, make_backup=False, create=False)
    for table in original.table_names():
        assert store.all(table) == original.all(table)
    assert store.recycle_bin() == original.recycle_bin() and store.logboek() == original.logboek()


@pytest.mark.parametrize("tamper, table, verdict", [
    (lambda d: d["gezinnen"][next(iter(d["gezinnen"]))].update(_changed_by="iemand anders"), "gezinnen",
     "INHOUD VERSCHILT"),
    (lambda d: d["leerlingen"][next(iter(d["leerlingen"]))].update(_rev=99), "leerlingen", "INHOUD VERSCHILT"),
    (lambda d: d[LOG].pop(next(iter(d[LOG]))), "logboek", "AANTAL VERSCHILT"),
    (lambda d: d[RECYCLE_BIN].clear(), "prullenbak", "AANTAL VERSCHILT"),
    (lambda d: d["instellingen"]["1"].update(school_naam="Andere school"), "instellingen", "INHOUD VERSCHILT"),
])
def test_a_tampered_record_is_caught_and_named(school: Path, tamper, table: str, verdict: str) -> None:
    document = decode(school.read_bytes())
    assert document[RECYCLE_BIN] and document[LOG] and document["instellingen"], "the school has all of them"
    target = DocumentTarget(tamper)
    report = transfer(FileSource(school), target)
    assert not report.ok and target.discarded
    bad = [check for check in report.tables if not check.ok]
    assert [check.label for check in bad] == [table]
    assert table in report.problems[0] and "weggegooid" in report.problems
    assert report.problems[1].startswith(f"{table}: ")  # where: an id and field names, never a value
    assert "iemand anders" not in " ".join(report.problems) and "Andere school" not in " ".join(report.problems)
    assert any(line.startswith(table) and line.endswith(verdict) for line in report.lines())


def test_the_first_difference_names_record_and_fields() -> None:
    meta = {META_TABLE: {META_ID: {"schema_version": CURRENT_SCHEMA, "next_ids": {}}}}
    source = meta | {"gezinnen": {"1": {"naam": "A", "_rev": 1}, "2": {"naam": "B", "_rev": 1}}}
    changed = meta | {"gezinnen": {"1": {"naam": "A", "_rev": 1}, "2": {"naam": "C", "_rev": 1, "extra": 0}}}
    assert verify(source, changed).problems[1] == "gezinnen: record 2 verschilt in extra, naam."
    fewer = meta | {"gezinnen": {"1": {"naam": "A", "_rev": 1}}}
    assert "ontbreken" in verify(source, fewer).problems[1] and "nummer 2" in verify(source, fewer).problems[1]
    assert "te veel" in verify(fewer, source).problems[1]


def test_a_table_only_in_the_target_is_caught() -> None:
    source = {META_TABLE: {META_ID: {"schema_version": CURRENT_SCHEMA, "next_ids": {}}}}
    target = copy.deepcopy(source) | {"gezinnen": {"1": {"naam": "x"}}}
    report = verify(source, target)
    assert not report.ok and "gezinnen" in report.problems[0]
    assert verify(source, copy.deepcopy(source) | {"gezinnen": {}}).ok  # an empty table is no table


def test_ids_that_could_be_handed_out_again_are_caught() -> None:
    source = {"gezinnen": {"3": {"naam": "x"}},
              META_TABLE: {META_ID: {"schema_version": CURRENT_SCHEMA, "next_ids": {"gezinnen": 9}}}}
    lower = copy.deepcopy(source)
    lower[META_TABLE][META_ID]["next_ids"]["gezinnen"] = 4  # ids 4-8 were used and purged: they must not return
    report = verify(source, lower)
    assert not report.ok and "gezinnen" in report.problems[0] and "nummers" in report.problems[0]
    higher = copy.deepcopy(source)
    higher[META_TABLE][META_ID]["next_ids"]["gezinnen"] = 12
    higher[META_TABLE][META_ID]["created_at"] = "elders"  # _meta is compared on what it means
    assert verify(source, higher).ok


def test_the_checksum_is_canonical() -> None:
    a = {"2": {"b": 1, "a": [1, {"y": 2, "x": 1}]}, "10": {"naam": "é"}}
    b = {"10": {"naam": "é"}, "2": {"a": [1, {"x": 1, "y": 2}], "b": 1}}
    assert table_checksum(a) == table_checksum(b)
    assert table_checksum(a) != table_checksum({**a, "2": {"b": 1, "a": [{"y": 2, "x": 1}, 1]}})  # lists keep order
    assert table_checksum(a) != table_checksum({**a, "2": {"b": 1.0, "a": [1, {"y": 2, "x": 1}]}})  # 1 is not 1.0
    assert table_checksum({}) == table_checksum({})


def test_a_protected_file_is_opened_with_its_passphrase(tmp_path: Path, demo_path: Path) -> None:
    store = FileStore.open(demo_path, make_backup=False)
    store.set_passphrase(crypto.Passphrase("een goed wachtwoord"))
    asked = []

    def ask(what: str) -> crypto.Passphrase:
        asked.append(what)
        return crypto.Passphrase("een goed wachtwoord")

    target = DocumentTarget()
    assert transfer(FileSource(demo_path, ask=ask), target).ok
    assert asked == ["het bestand demo.json"]
    assert target.document["leerlingen"] == plain_document(store.storage.read())["leerlingen"]
    with pytest.raises(crypto.WrongPassphraseError):
        transfer(FileSource(demo_path, ask=lambda _w: crypto.Passphrase("fout fout fout")), DocumentTarget())
    with pytest.raises(crypto.PassphraseNeededError):
        transfer(FileSource(demo_path), DocumentTarget())


def test_an_older_file_is_brought_up_to_date_and_a_newer_one_refused(tmp_path: Path) -> None:
    old = tmp_path / "oud.json"
    old.write_bytes(encode({"gezinnen": {"1": {"naam": "Peeters"}, "4": {"naam": "Claes"}}}))
    target = DocumentTarget()
    report = transfer(FileSource(old), target)
    assert report.ok and "schemaversie 0" in report.notes[0]
    assert target.document[META_TABLE][META_ID]["schema_version"] == CURRENT_SCHEMA
    assert target.document["gezinnen"]["4"]["_rev"] == 1
    assert decode(old.read_bytes()) == {"gezinnen": {"1": {"naam": "Peeters"}, "4": {"naam": "Claes"}}}  # untouched
    new = tmp_path / "nieuw.json"
    new.write_bytes(encode({META_TABLE: {META_ID: {"schema_version": CURRENT_SCHEMA + 1}}}))
    with pytest.raises(OuderTuiError, match="nieuwere versie"):
        transfer(FileSource(new), DocumentTarget())


def test_unreadable_or_missing_sources_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OuderTuiError, match="Er is geen databank"):
        transfer(FileSource(tmp_path / "nergens.json"), DocumentTarget())
    broken = tmp_path / "kapot.json"
    broken.write_bytes(b'{"gezinnen": {"1": ')
    with pytest.raises(OuderTuiError, match="geen bruikbare databank"):
        transfer(FileSource(broken), DocumentTarget())


def test_an_existing_file_is_never_overwritten(demo_path: Path, tmp_path: Path) -> None:
    existing = tmp_path / "bestaat.json"
    existing.write_bytes(b"iets")
    with pytest.raises(OuderTuiError, match="bestaat al"):
        transfer(FileSource(demo_path), FileTarget(existing))
    assert existing.read_bytes() == b"iets"


def test_a_failed_check_removes_the_new_file(demo_path: Path, tmp_path: Path, monkeypatch) -> None:
    target = FileTarget(tmp_path / "kopie.json")
    real = target.read_back
    monkeypatch.setattr(target, "read_back", lambda: {**real(), "gezinnen": {}})
    report = transfer(FileSource(demo_path), target)
    assert not report.ok and "gezinnen" in report.problems[0]
    assert not target.path.exists() and "weer verwijderd" in report.problems[-1]


def test_a_store_that_is_not_empty_is_refused_before_anything_is_read(demo_path: Path) -> None:
    store = MemoryStore(user="juf")
    store.insert("gezinnen", {"naam": "Peeters"})

    class Unread:
        location = "niet gelezen"

        def read(self):
            raise AssertionError("the source must not be read")

    with pytest.raises(OuderTuiError, match="niet leeg") as refused:
        transfer(Unread(), StoreTarget(store))
    assert "lege serverdatabank" in str(refused.value) and "server init" in str(refused.value)


# --- the command line, file to file (the server's directions: tests/test_server_cli.py) -----------------------


def test_overzetten_on_the_command_line(demo_path: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "kopie.json"
    code = main(["overzetten", "--van", str(demo_path), "--naar", str(target)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.splitlines()[0].split() == ["tabel", "bron", "doel", "controlesom", "uitkomst"]
    assert "leerlingen" in out and "prullenbak" in out and "logboek" in out and "gelijk" in out
    assert "Overgezet en gecontroleerd" in out and "niet beveiligd" in err
    assert decode(target.read_bytes()) == decode(demo_path.read_bytes())
    code = main(["overzetten", "--van", str(demo_path), "--naar", str(target)])
    assert code == 1 and "bestaat al" in capsys.readouterr().err


def test_overzetten_wrong_calls(demo_path: Path, capsys) -> None:
    assert main(["overzetten", "--van", str(demo_path), "--naar", str(demo_path)]) == 2
    assert "dezelfde" in capsys.readouterr().err
    with pytest.raises(SystemExit) as done:
        main(["overzetten", "--van", str(demo_path)])
    assert done.value.code == 2 and "--naar" in capsys.readouterr().err
