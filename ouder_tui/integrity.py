"""Whether a database document can be trusted: its checksum, its shape and every record.

A file is checked whole before anything uses it (the store on open and on every re-read, the
backups, ``check``, ``restore``). What fails is a damaged file: :class:`DamagedDocument` with a
Dutch reason naming the table and the record, which the store turns into its message offering
the newest good backup. Nothing here raises anything else, whatever the bytes.

The checksum
    Since schema version 2 the file carries a checksum of its own bytes in ``_meta``::

        {"_meta":{"1":{...},"controle":{"crc32":"<8 hex>"}}, ...tables}

    computed over the file with the hex digits written as zeros. A file of version 2 or later
    without it, or with one that does not match, is damaged. Older files have none and are migrated
    (after a backup) on their next open; from then on every save writes it.

    Version 2 wrote a SHA-256 (``"sha256"``, 64 hex digits), which is still read. Version 3 writes
    CRC-32 (zlib's, as in zip, gzip and PNG): the checksum guards against damage, not against a
    person (anyone who edits the file can compute either), and CRC-32 catches every burst of up to
    32 flipped bits and all but one in four billion other damages, at a quarter of SHA-256's time
    (5 against 19 ms for 38 MB, on every save of a large database).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Annotated, Any

import msgspec

from ouder_tui.collector import paused_gc
from ouder_tui.crc import Prefixes
from ouder_tui.migrations import META_ID, META_TABLE
from ouder_tui.tables import Pieces, write_document

CHECK_KEY = "controle"
#: The first schema version whose files must carry a checksum.
CHECKSUM_SINCE = 2
#: What the checksum's name says it is: its length in hex digits and how it is computed over the pieces.
_KINDS = {"crc32": 8, "sha256": 64}
_WRITTEN = "crc32"


def _mark(kind: str) -> bytes:
    return b'"' + CHECK_KEY.encode() + b'":{"' + kind.encode() + b'":"'


def _sha256(pieces: list) -> str:
    hasher = hashlib.sha256()
    for piece in pieces:
        hasher.update(piece)
    return hasher.hexdigest()


class DamagedDocument(Exception):
    """The document is not a sound ouder-tui database; ``str()`` is the Dutch reason."""


_decode_record = msgspec.json.Decoder().decode


def record_of(value: Any) -> Any:
    """A stored record as a dict: a live store keeps unchanged records as their JSON bytes (:class:`msgspec.Raw`)."""
    return _decode_record(value) if type(value) is msgspec.Raw else value


def plain_document(document: dict) -> dict:
    """``document`` with every record a dict (for what works on whole documents: migrations, copies, checks)."""
    return {name: {key: record_of(record) for key, record in table.items()} for name, table in document.items()}


_encode_record = msgspec.json.Encoder().encode


def joined_records(records: Iterable[Any]) -> bytes:
    """The records as one JSON array (compact ones as they are, changed ones encoded) for one decode."""
    return b"[" + b",".join(r if type(r) is msgspec.Raw else _encode_record(r) for r in records) + b"]"


def _is_object(value: Any) -> bool:
    if type(value) is msgspec.Raw:
        return memoryview(value)[:1] == b"{"  # msgspec's Raw starts at the value's first byte
    return isinstance(value, dict)


# -- checksum ---------------------------------------------------------------------------------------

def seal_document(document: dict, encode_into, buffer: bytearray | None = None) -> list[bytearray | memoryview]:
    """``document`` encoded (msgspec's ``Encoder.encode_into``) with its checksum in ``_meta`` (a document without
    ``_meta`` has none), as the pieces to write one after the other (see :class:`ouder_tui.tables.Pieces`).

    What is encoded goes into ``buffer`` first (when given: overwritten). The checksum is written into the
    first piece in place, where ``_meta`` is: a large file is not copied again."""
    pieces = Pieces(encode_into, buffer)
    meta = document.get(META_TABLE)
    if not isinstance(meta, dict):
        write_document(document, pieces)
        return pieces.done()
    length = _KINDS[_WRITTEN]
    ordered = {META_TABLE: {**meta, CHECK_KEY: {_WRITTEN: "0" * length}}}
    ordered.update((name, table) for name, table in document.items() if name != META_TABLE)
    write_document(ordered, pieces)
    parts = pieces.done()
    first = parts[0]  # "{" and _meta: encoded before any table
    mark = _mark(_WRITTEN)
    at = first.find(mark + b"0" * length + b'"}') + len(mark)
    first[at:at + length] = f"{pieces.crc32():08x}".encode("ascii")  # what _WRITTEN names
    return parts


def verify_checksum(raw: bytes, document: dict) -> tuple[bool, Prefixes | None]:
    """Check and remove the checksum of a decoded ``document`` read from ``raw``; :class:`DamagedDocument` if off.

    Returns whether there was one (files older than checksums have none), and for a CRC-32 the CRCs of
    ``raw``'s prefixes, so a save need not compute that of the stretches it writes again (:mod:`ouder_tui.crc`)."""
    meta = document.get(META_TABLE)
    check = meta.pop(CHECK_KEY, None) if isinstance(meta, dict) else None
    if check is None:
        if schema_version_strict(document) >= CHECKSUM_SINCE:
            raise DamagedDocument("het controlegetal ontbreekt")
        return False, None
    kind = next(iter(check), None) if isinstance(check, dict) and len(check) == 1 else None
    digest = check.get(kind) if kind in _KINDS else None
    if not isinstance(digest, str) or len(digest) != _KINDS[kind] or not digest.isascii():
        raise DamagedDocument("het controlegetal is beschadigd")
    mark = _mark(kind)
    at = raw.find(mark + digest.encode("ascii") + b'"}')
    if at < 0:
        raise DamagedDocument("het controlegetal klopt niet: het bestand is beschadigd of buiten ouder-tui gewijzigd")
    start = at + len(mark)
    view = memoryview(raw)
    prefixes = None
    if kind == "crc32":
        crc, prefixes = Prefixes.computed(view, (start, start + len(digest)))
        found = f"{crc:08x}"
    else:
        found = _sha256([view[:start], b"0" * len(digest), view[start + len(digest):]])
    if found != digest:
        raise DamagedDocument("het controlegetal klopt niet: het bestand is beschadigd of buiten ouder-tui gewijzigd")
    return True, prefixes


# -- shape and records ----------------------------------------------------------------------------------

def schema_version_strict(document: Mapping[str, Any]) -> int:
    """The schema version, or :class:`DamagedDocument` when ``_meta`` is there but makes no sense.

    A TinyDB file without ``_meta`` is version 0 (it holds tables but none of ours); an empty
    document is no database at all.
    """
    if META_TABLE not in document:
        if not document:
            raise DamagedDocument("het bestand bevat geen enkele tabel")
        return 0
    meta = document[META_TABLE]
    record = meta.get(META_ID) if isinstance(meta, dict) else None
    if not isinstance(record, dict):
        raise DamagedDocument("de metagegevens (_meta) ontbreken of zijn beschadigd")
    version = record.get("schema_version")
    if type(version) is not int or version < 0:
        raise DamagedDocument(f"de schemaversie ({_short(version)}) is geen geldig getal")
    return version


#: Record ids are counted from 1 and stay far below this (JSON numbers are exact up to 2**53).
_MAX_ID_DIGITS = 15
_Id = Annotated[int, msgspec.Meta(ge=1, lt=10**_MAX_ID_DIGITS)]
#: A record's key: its number as text, the same rule as the check in Python below.
_Key = Annotated[str, msgspec.Meta(pattern=rf"^[1-9][0-9]{{0,{_MAX_ID_DIGITS - 1}}}\Z")]


class _Meta(msgspec.Struct, kw_only=True):
    schema_version: int
    next_ids: dict[str, _Id] = {}
    created_at: str = ""


class _LogEntry(msgspec.Struct, kw_only=True):
    tabel: str
    record: int | None = None
    actie: str
    velden: list[str] = []
    door: str = ""
    op: str = ""


class _BinEntry(msgspec.Struct, kw_only=True):
    table: str
    record_id: int
    record: dict[str, Any]
    label: str = ""
    deleted_by: str = msgspec.field(default="", name="_deleted_by")
    deleted_at: str = msgspec.field(default="", name="_deleted_at")


class _User(msgspec.Struct, kw_only=True):
    naam: str
    laatst_gezien: str = ""


@cache
def record_models() -> dict[str, type]:
    """Per table the model its records must fit: the areas' own, the store's, else only the store's keys."""
    from ouder_tui.areas import all_areas
    from ouder_tui.settings import Settings
    from ouder_tui.store import LOG, RECYCLE_BIN, SETTINGS, USERS

    models: dict[str, type] = {LOG: _LogEntry, RECYCLE_BIN: _BinEntry, USERS: _User, SETTINGS: Settings}
    for area in all_areas():
        models.update(area.models)
    return models


def _base_model() -> type:
    from ouder_tui.models import Record

    return Record


def _labels() -> dict[str, str]:
    from ouder_tui.areas import table_labels

    return table_labels()


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _which(table: str, key: str) -> str:
    label = _labels().get(table)
    return f"{label} {key} in tabel '{table}'" if label else f"record {key} in tabel '{table}'"


def _reason(exc: msgspec.ValidationError) -> str:
    """msgspec's English reason, reduced to the field it names (the Dutch sentence around it says the rest)."""
    text = str(exc)
    where = text.rsplit(" - at `", 1)
    field = where[1].rstrip("`").removeprefix("$.") if len(where) == 2 else ""
    value = text.split("'", 2)[1] if text.count("'") >= 2 else ""
    if "enum" in text:
        detail = f"ongeldige waarde '{value}'" if value else "ongeldige waarde"
    elif text.startswith("Expected") and any(sign in text.split(" - at ")[0] for sign in ("<", ">")):
        detail = "waarde buiten het toegelaten bereik"
    elif text.startswith("Expected"):
        detail = "verkeerd soort waarde"
    elif "required" in text:
        detail = "verplicht veld ontbreekt"
        field = field or value
    else:
        detail = "ongeldige waarde"
    return f"{detail} in veld '{field}'" if field else detail


@cache
def _table_models() -> dict[str, type]:
    """Every known table with the model of its records (the store's keys only, where it has no model)."""
    tables = {**dict.fromkeys(_labels(), _base_model()), **record_models()}
    tables.pop(META_TABLE, None)
    return tables


@cache
def _document_type() -> type:
    """A struct with one field per known table (``dict[id, model]``): decoding the file's bytes into it checks
    every record at once, much faster than converting the records one by one."""
    fields = [(f"t{i}", dict[_Key, model], msgspec.field(default_factory=dict, name=name))
              for i, (name, model) in enumerate(_table_models().items())]
    return msgspec.defstruct("_Document", fields, kw_only=True)


def _check_shape(document: dict, only: list[str] | None = None) -> None:
    """Every table is a table, every key a record number and every record an object (``only``: these tables)."""
    for name, table in document.items():
        if not isinstance(table, Mapping):  # a dict as decoded, or a live store's packed table (ouder_tui.tables)
            raise DamagedDocument(f"'{_short(name)[1:-1]}' is geen tabel")
        if name == META_TABLE or (only is not None and name not in only):
            continue
        for key, record in table.items():
            if not (key.isascii() and key.isdigit() and len(key) <= _MAX_ID_DIGITS and key[0] != "0"):
                raise DamagedDocument(f"tabel '{name}' heeft een record met een ongeldig nummer ({_short(key)})")
            if not _is_object(record):
                raise DamagedDocument(f"{_which(name, key)} is geen record")


def validate(document: dict, raw: bytes | None = None, *, keep: dict | None = None) -> None:
    """Check every table and record of a decoded document; :class:`DamagedDocument` names the first bad one.

    ``keep``: filled with the models the check decoded, per table whose model is a stored record
    (``{table: (model, {key: record})}``, ids not set), so whoever reads those tables next need not decode
    them a second time.

    ``raw``, the bytes ``document`` was decoded from, makes the check of the records much faster.
    """
    if not isinstance(document, dict):
        raise DamagedDocument("de inhoud is geen ouder-tui-databank")
    version = schema_version_strict(document)
    if version > 0:
        meta = document[META_TABLE]
        for key in meta:
            if key != META_ID:
                raise DamagedDocument(f"de metagegevens (_meta) bevatten een onbekend onderdeel '{_short(key)[1:-1]}'")
        try:
            msgspec.convert(meta[META_ID], _Meta)
        except msgspec.ValidationError as exc:
            raise DamagedDocument(f"de metagegevens (_meta) zijn beschadigd: {_reason(exc)}") from None
    known = _table_models()
    # With the bytes, the typed decode below checks the keys and records of the known tables itself (in C);
    # the loop in Python is then only for tables no model knows, and for naming what the decode refused.
    _check_shape(document, only=None if raw is None else [n for n in document if n not in known])
    try:
        if raw is not None:
            with paused_gc():
                checked = msgspec.json.decode(raw, type=_document_type(), strict=False)
                for name, table in document.items():  # kept as bytes and not decoded above: read once
                    if name not in known and name != META_TABLE and any(type(r) is msgspec.Raw for r in table.values()):
                        msgspec.json.decode(joined_records(table.values()))
        else:
            msgspec.convert(plain_document(document), _document_type(), strict=False)
    except msgspec.ValidationError as exc:
        _check_shape(document)  # an odd key or a record that is no object is named as such
        raise DamagedDocument(_located(exc, document)) from None
    except UnicodeDecodeError:
        raise DamagedDocument("het bevat bytes die geen tekst zijn (UTF-8)") from None
    except (msgspec.DecodeError, RecursionError):
        raise DamagedDocument("de inhoud is te diep genest of geen geldige JSON") from None
    if keep is not None and raw is not None:
        record = _base_model()
        for i, (name, model) in enumerate(_table_models().items()):
            if isinstance(model, type) and issubclass(model, record) and name in document:
                keep[name] = (model, getattr(checked, f"t{i}"))
    models = record_models()
    for key, entry in document.get("_prullenbak", {}).items():
        entry = record_of(entry)
        inner = models.get(entry["table"])
        if inner is not None:
            try:
                msgspec.convert(entry["record"], inner, strict=False)
            except msgspec.ValidationError as exc:
                raise DamagedDocument(f"{_which('_prullenbak', key)} (een {_labels().get(entry['table'], 'record')}) "
                                      f"is beschadigd: {_reason(exc)}") from None


_PATH = re.compile(r"^\$\.(?P<table>[^\[.]+)\[")


def _located(exc: msgspec.ValidationError, document: dict) -> str:
    """Which record of which table, and what is wrong with it (msgspec names the table, not the record)."""
    where = str(exc).rsplit(" - at `", 1)
    match = _PATH.match(where[1]) if len(where) == 2 else None
    table = document.get(match["table"]) if match else None
    if not isinstance(table, Mapping):
        return f"de inhoud past niet: {_reason(exc)}"
    model = _table_models()[match["table"]]
    for key, record in table.items():
        try:
            if type(record) is msgspec.Raw:
                msgspec.json.decode(record, type=model, strict=False)
            else:
                msgspec.convert(record, model, strict=False)
        except msgspec.ValidationError as inner:
            return f"{_which(match['table'], key)} is beschadigd: {_reason(inner)}"
    return f"tabel '{match['table']}' is beschadigd: {_reason(exc)}"  # pragma: no cover - both checks agree
