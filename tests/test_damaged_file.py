"""A damaged database file is refused with a Dutch message and the newest good backup, never a traceback (issue 16).

Reproductions of what an adversarial run found (one bad byte, a flipped status, records that are not
objects, odd ids, wrong types, impossible schema versions, deep nesting, an empty document), and a
property test of truncations, bit flips and insertions of a real database, plain and protected.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zlib
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ouder_tui import backups, crypto, integrity, storage
from ouder_tui.demo import create_demo_database
from ouder_tui.errors import CorruptDatabaseError, OuderTuiError
from ouder_tui.filestore import FileStore
from ouder_tui.maintenance import check_database

SECRET = "een lange zin als wachtwoord"
#: A guard against a hang, not a measure of speed: one case takes milliseconds.
HANG = timedelta(seconds=30)
ROOT = Path(__file__).resolve().parent.parent


def pp(value: str = SECRET) -> crypto.Passphrase:
    return crypto.Passphrase(value)


@cache
def demo_bytes(protected: bool) -> bytes:
    """The demo database's bytes (protected with a cheap key when asked); made once per run."""
    folder = Path(tempfile.mkdtemp(prefix="ouder-tui-beschadigd-"))
    path = folder / "demo.json"
    create_demo_database(path)
    if protected:
        saved, crypto.SCRYPT_N = crypto.SCRYPT_N, 2**10
        try:
            FileStore.open(path, make_backup=False).set_passphrase(pp())
        finally:
            crypto.SCRYPT_N = saved
    return path.read_bytes()


def open_bytes(folder: Path, raw: bytes, *, protected: bool = False) -> FileStore:
    path = folder / "school.json"
    path.write_bytes(raw)
    return FileStore.open(path, make_backup=False, passphrase=pp() if protected else None)


def edit(raw: bytes, old: bytes, new: bytes) -> bytes:
    assert old in raw
    return raw.replace(old, new, 1)


def test_a_good_demo_opens_and_carries_its_checksum(tmp_path: Path) -> None:
    raw = demo_bytes(False)
    assert b'"controle":{"crc32":"' in raw
    store = open_bytes(tmp_path, raw)
    assert store.schema_version() == 3 and store.all("leerlingen")


def version_2_bytes() -> bytes:
    """The demo as version 2 wrote it: a SHA-256 over the file with its 64 hex digits written as zeros."""
    document = storage.decode(demo_bytes(False))
    document["_meta"]["1"]["schema_version"] = 2
    document["_meta"]["controle"] = {"sha256": "0" * 64}
    raw = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    import hashlib

    return raw.replace(b"0" * 64, hashlib.sha256(raw).hexdigest().encode(), 1)


def test_a_version_2_file_with_its_sha256_opens_and_is_moved_to_crc32_after_a_backup(tmp_path: Path) -> None:
    raw = version_2_bytes()
    store = open_bytes(tmp_path, raw)
    assert store.schema_version() == 3
    assert len(store.all("leerlingen")) == len(storage.decode(raw)["leerlingen"])
    now = store.path.read_bytes()
    assert b'"controle":{"crc32":"' in now and b"sha256" not in now
    backup = [p for p in backups.backup_folder(store.path).iterdir() if "migratie-v2" in p.name]
    assert backup and backup[0].read_bytes() == raw


def test_a_damaged_version_2_file_is_still_refused_by_its_sha256(tmp_path: Path) -> None:
    raw = version_2_bytes()
    at = raw.index(b'"voornaam":"') + len(b'"voornaam":"')
    damaged = raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1:]  # one letter of a first name
    with pytest.raises(CorruptDatabaseError, match="controlegetal klopt niet"):
        open_bytes(tmp_path, damaged)


# -- reproductions -------------------------------------------------------------------------------------------

def plain_document(**changes) -> bytes:
    """A small v1 file (no checksum) as JSON text, with ``changes`` to its tables."""
    document = {"_meta": {"1": {"schema_version": 1, "next_ids": {"leerlingen": 3}}},
                "leerlingen": {"1": {"voornaam": "Anna", "familienaam": "Peeters", "status": "actief", "_rev": 1}}}
    document.update(changes)
    return json.dumps(document).encode()


@pytest.mark.parametrize(("raw", "said"), [
    (plain_document(leerlingen={"1": {"voornaam": "Anna", "status": "acuief", "_rev": 1}}),
     "leerling 1 in tabel 'leerlingen' is beschadigd: ongeldige waarde 'acuief' in veld 'status'"),
    (plain_document(leerlingen={"1": "geen record"}), "leerling 1 in tabel 'leerlingen' is geen record"),
    (plain_document(leerlingen={"een": {"voornaam": "Anna"}}), "ongeldig nummer"),
    (plain_document(leerlingen={"-3": {"voornaam": "Anna"}}), "ongeldig nummer"),
    (plain_document(leerlingen={"1": {"voornaam": ["Anna"], "_rev": 1}}),
     "leerling 1 in tabel 'leerlingen' is beschadigd: verkeerd soort waarde in veld 'voornaam'"),
    (plain_document(leerlingen={"1": {"voornaam": "Anna", "_rev": "veel"}}), "veld '_rev'"),
    (plain_document(_meta={"1": {"schema_version": -5}}), "schemaversie (-5)"),
    (plain_document(_meta={"1": {"schema_version": "1"}}), "schemaversie ('1')"),
    (plain_document(_meta={"1": {"schema_version": 1.5}}), "schemaversie (1.5)"),
    (plain_document(_meta={"1": {"schema_version": True}}), "schemaversie (True)"),
    (plain_document(_meta={"1": "kapot"}), "metagegevens"),
    (b"{}", "geen enkele tabel"),
    (b'{"_meta":' * 5000 + b"1" + b"}" * 5000, "te diep genest"),
    (b'{"leerlingen":{"1":' + b'{"a":' * 3000 + b"1" + b"}" * 3001 + b"}", "te diep genest"),
    (plain_document().replace(b"Peeters", b"Pe\xffters"), "UTF-8"),
    (plain_document(leerlingen={"1" * 5000: {"voornaam": "Anna"}}), "ongeldig nummer"),
    (plain_document(leerlingen={"01": {"voornaam": "Anna"}}), "ongeldig nummer"),
    (plain_document(_meta={"1": {"schema_version": 1, "next_ids": {"leerlingen": 0}}}), "buiten het toegelaten bereik"),
    (plain_document(_prullenbak={"1": {"table": "leerlingen", "record_id": 2, "record": {"status": 7}}}),
     "prullenbak 1 in tabel '_prullenbak' (een leerling) is beschadigd"),
])
def test_a_damaged_file_is_refused_in_dutch_naming_what(tmp_path: Path, raw: bytes, said: str) -> None:
    with pytest.raises(CorruptDatabaseError) as refused:
        open_bytes(tmp_path, raw)
    assert said in str(refused.value)
    assert "onleesbaar" in str(refused.value) and "niet overschreven" in str(refused.value)
    assert (tmp_path / "school.json").read_bytes() == raw  # never rewritten


def resealed(raw: bytes) -> bytes:
    """``raw`` with its CRC-32 computed again, as only someone editing the file on purpose would."""
    mark = b'"controle":{"crc32":"'
    start = raw.index(mark) + len(mark)
    zeroed = raw[:start] + b"0" * 8 + raw[start + 8:]
    return raw[:start] + f"{zlib.crc32(zeroed):08x}".encode() + raw[start + 8:]


def test_bytes_that_are_no_text_are_refused_in_a_checked_file_too(tmp_path: Path) -> None:
    """The encoding of a file whose checksum matches is not checked apart (an encoder wrote it): a name that is
    no UTF-8 is still refused, by the damage it is (checksum) or by the check of the records (checksum made again)."""
    raw = demo_bytes(False)
    name = next(record["voornaam"] for record in json.loads(raw)["leerlingen"].values()).encode()
    damaged = edit(raw, b'"' + name + b'"', b'"' + name[:-1] + b'\xff"')
    for bad, said in ((damaged, "controlegetal klopt niet"), (resealed(damaged), "UTF-8")):
        with pytest.raises(CorruptDatabaseError) as refused:
            open_bytes(tmp_path, bad)
        assert said in str(refused.value)
    assert open_bytes(tmp_path, resealed(raw)).all("leerlingen")  # the helper itself makes a good file of a good one


def test_one_flipped_bit_in_a_status_is_refused_and_the_newest_good_backup_offered(tmp_path: Path) -> None:
    path = tmp_path / "school.json"
    path.write_bytes(demo_bytes(False))
    FileStore.open(path)  # a start backup
    path.write_bytes(edit(path.read_bytes(), b'"actief"', b'"acuief"'))
    with pytest.raises(CorruptDatabaseError) as refused:
        FileStore.open(path)
    assert "controlegetal klopt niet" in str(refused.value)
    assert refused.value.backup and "restore" in str(refused.value)


def test_a_v2_file_without_its_checksum_is_damaged(tmp_path: Path) -> None:
    document = json.loads(demo_bytes(False))
    del document["_meta"]["controle"]
    with pytest.raises(CorruptDatabaseError, match="controlegetal ontbreekt"):
        open_bytes(tmp_path, json.dumps(document).encode())


def test_a_v1_file_without_checksum_is_migrated_and_then_carries_one(tmp_path: Path) -> None:
    store = open_bytes(tmp_path, plain_document())
    assert store.schema_version() == 3
    raw = store.path.read_bytes()
    assert b'"controle":{"crc32":"' in raw and storage.decode(raw)["leerlingen"]["1"]["voornaam"] == "Anna"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OUDER_TUI_GEBRUIKER": "Test"}
    return subprocess.run([sys.executable, "-m", "ouder_tui", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def test_cli_on_a_bad_byte_gives_a_dutch_message_exit_code_and_the_restore_command(tmp_path: Path) -> None:
    path = tmp_path / "school.json"
    path.write_bytes(demo_bytes(False))
    FileStore.open(path)  # a start backup
    raw = path.read_bytes()
    at = raw.index(b"Peeters")
    path.write_bytes(raw[:at] + b"\xff" + raw[at + 1:])
    for command in (["check"], ["export", "leerlingen"], ["backup"]):
        done = run_cli("--db", str(path), *command, cwd=tmp_path)
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode == 3
        assert "onleesbaar" in done.stderr and "restore" in done.stderr, done.stderr


# -- the property: loaded with every record valid, or refused in Dutch -----------------------------------------

@st.composite
def damage(draw: st.DrawFn, raw: bytes) -> bytes:
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "flips"]))
    if kind == "truncate":
        return raw[:draw(st.integers(0, len(raw) - 1))]
    if kind == "insert":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    data = bytearray(raw)
    for _ in range(1 if kind == "flip" else draw(st.integers(2, 5))):
        at = draw(st.integers(0, len(raw) - 1))
        data[at] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


def loads_valid_or_refuses(raw: bytes, *, protected: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        try:
            store = open_bytes(Path(folder), raw, protected=protected)
        except crypto.WrongPassphraseError:
            pytest.fail("a damaged file with the right passphrase was called a wrong passphrase")
        except OuderTuiError as exc:
            assert str(exc)
            return
        document = store.storage.read()
        integrity.validate(document)  # everything the store hands out fits its model


@settings(max_examples=150, deadline=HANG, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_property_damaged_plain_database_loads_valid_or_is_refused(data: st.DataObject) -> None:
    loads_valid_or_refuses(data.draw(damage(demo_bytes(False))), protected=False)


@settings(max_examples=100, deadline=HANG, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_property_damaged_protected_database_loads_valid_or_is_refused(data: st.DataObject) -> None:
    loads_valid_or_refuses(data.draw(damage(demo_bytes(True))), protected=True)


@cache
def demo_v1_bytes() -> bytes:
    """The demo as version 1 wrote it: no checksum, so damage reaches the checks of the records themselves."""
    import msgspec

    document = storage.decode(demo_bytes(False))
    document["_meta"]["1"]["schema_version"] = 1
    return msgspec.json.encode(document)


@settings(max_examples=150, deadline=HANG, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_property_damaged_v1_database_without_checksum_loads_valid_or_is_refused(data: st.DataObject) -> None:
    loads_valid_or_refuses(data.draw(damage(demo_v1_bytes())), protected=False)


@settings(max_examples=150, deadline=HANG, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_property_damage_in_the_protected_header_is_never_a_wrong_passphrase(data: st.DataObject) -> None:
    raw = demo_bytes(True)
    end = raw.index(b"\n", len(crypto.MAGIC)) + 1 + crypto.NONCE_BYTES
    at = data.draw(st.integers(0, end - 1))
    damaged = raw[:at] + bytes([raw[at] ^ (1 << data.draw(st.integers(0, 7)))]) + raw[at + 1:]
    loads_valid_or_refuses(damaged, protected=True)


def test_check_reports_a_damaged_file_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "school.json"
    path.write_bytes(edit(demo_bytes(False), b'"actief"', b'"acuief"'))
    report = check_database(path)
    assert not report.ok and "controlegetal" in report.problems[0]


# -- the leak window when protection is switched on -----------------------------------------------------------

def test_a_switch_killed_before_the_backups_were_sealed_is_finished_at_the_next_open(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database sealed, then the process dies before its backups are: they must not stay readable."""
    from ouder_tui import backups

    path = tmp_path / "school.json"
    path.write_bytes(demo_bytes(False))
    FileStore.open(path)
    FileStore.open(path).insert("leerlingen", {"voornaam": "Nieuw"})
    FileStore.open(path)  # two readable start backups

    def killed(*args, **kwargs):
        raise SystemExit("gedood")  # stands for SIGKILL right after the database was sealed

    monkeypatch.setattr(backups, "reseal_all", killed)
    with pytest.raises(SystemExit):
        FileStore.open(path, make_backup=False).set_passphrase(pp())
    monkeypatch.undo()
    assert crypto.is_protected(path.read_bytes())
    assert backups.readable_backups(path)  # the leak as the kill left it
    report = check_database(path, ask=lambda what: pp())
    assert not report.ok and "leesbaar zonder wachtwoord" in " ".join(report.problems)

    FileStore.open(path, make_backup=False, passphrase=pp())
    assert backups.list_backups(path) and not backups.readable_backups(path)
    assert check_database(path, ask=lambda what: pp()).ok
    for _, backup in backups.list_backups(path):  # sealed with the database's passphrase, still whole
        assert crypto.unlock(backup.read_bytes(), pp())[1]


def test_half_written_backups_are_cleaned_up_at_the_next_open(tmp_path: Path) -> None:
    from ouder_tui import backups

    path = tmp_path / "school.json"
    FileStore.open(path)
    leftover = backups.backup_folder(path) / ".school-start-20261129-080000-000000.json.abc123.tmp"
    leftover.parent.mkdir(exist_ok=True)
    leftover.write_bytes(b'{"leesbare": "gegevens"}')
    FileStore.open(path)
    assert not leftover.exists()
