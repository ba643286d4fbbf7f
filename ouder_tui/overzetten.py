"""Moving a school between a database file and a server, either way, and proving that nothing was lost.

``ouder-tui overzetten --van BRON --naar DOEL`` (and ``backup``/``restore`` on a server) run
:func:`transfer`: read the whole source as one document (the file's layout: ``{table: {str(id): record}}``
plus ``_prullenbak``, ``_logboek`` and ``_meta``), write it into a target that must be new or empty, read
the target back, and compare per table the number of records and a SHA-256 checksum over a canonical
encoding (keys sorted, compact JSON) of every record: revisions, who and when included. ``_meta`` is
compared on what it means (the schema version; no id can be handed out again), not byte for byte.

A source and a target are small protocols (document out; document in and back out), so this module
knows no server and no psycopg: :class:`FileSource`/:class:`FileTarget` are the JSON file,
:class:`StoreSource`/:class:`StoreTarget` any store that can export and import a whole document
(the server's :class:`~ouder_tui.pgstore.PgStore`), and the tests bring their own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import msgspec

from ouder_tui import crypto
from ouder_tui.errors import OuderTuiError, StoreError
from ouder_tui.migrations import CURRENT_SCHEMA, META_ID, META_TABLE, migrate, schema_version_of
from ouder_tui.storage import UnreadableFileError, decode, encode, write_atomic
from ouder_tui.store import LOG, RECYCLE_BIN, SETTINGS, USERS

Document = dict[str, dict[str, Any]]
#: Asks for the passphrase of what it names ("het bestand X"), as the command line does.
AskPassphrase = Callable[[str], crypto.Passphrase]
#: Hears what is happening, in Dutch (the command line prints it on stderr).
Progress = Callable[[str], None]

#: How the store's own tables are called in the report.
TABLE_NAMES = {RECYCLE_BIN: "prullenbak", LOG: "logboek", SETTINGS: "instellingen", USERS: "gebruikers",
               META_TABLE: "versie en nummers"}
_ORDER_LAST = [SETTINGS, USERS, RECYCLE_BIN, LOG]
_canonical = msgspec.json.Encoder(order="sorted")

#: The server role that reads everything, confidential notes included: only it can make a whole copy.
FULL_READ_ROLE = "zorg"

NOT_EMPTY_ADVICE = (
    "Overzetten en terugzetten gebeuren alleen in een lege serverdatabank: andere pc's werken misschien al "
    "op deze, en wat daar bewaard is zou zich vermengen met de kopie of verloren gaan. Maak een nieuwe, lege "
    "databank, voer er ouder-tui server init op uit en zet de gegevens daarin; wijs daarna elke pc naar die "
    "databank."
)


# --- sources and targets ----------------------------------------------------------------------------------


class Source(Protocol):
    """Where a school comes from: one consistent document."""

    location: str

    def read(self) -> Document: ...


class Target(Protocol):
    """Where a school goes: new or empty, written once, then read back for the check."""

    location: str

    def check_ready(self) -> None:
        """Raise a Dutch :class:`OuderTuiError` when the target is not new or not empty (before anything is read)."""

    def write(self, document: Document) -> None: ...

    def read_back(self) -> Document: ...

    def discard(self) -> str | None:
        """After a failed check: undo what can be undone; a Dutch note on what is left, or ``None``."""


class FileSource:
    """A database file (or a backup of one); a protected file is opened with its passphrase (``ask``)."""

    def __init__(self, path: Path, ask: AskPassphrase | None = None) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._ask = ask

    def read(self) -> Document:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raise OuderTuiError(f"Er is geen databank op {self.path}.") from None
        except OSError as exc:
            raise OuderTuiError(f"Kan {self.path} niet lezen: {exc.strerror or exc}.") from None
        try:
            if crypto.is_protected(raw):
                what = f"het bestand {self.path.name}"
                if self._ask is None:
                    raise crypto.PassphraseNeededError(f"{what.capitalize()} is beveiligd met een wachtwoord.")
                try:
                    _, raw = crypto.unlock(raw, self._ask(what))
                except crypto.DamagedFileError as exc:
                    raise UnreadableFileError(str(exc)) from None
            return decode(raw)
        except UnreadableFileError as exc:
            raise OuderTuiError(f"{self.path} is geen bruikbare databank: {exc}. Er is niets overgezet.") from None


class FileTarget:
    """A new database file: refused when the file exists; written in one atomic step, plain (not protected).

    With ``overwrite`` (a server's ``backup --output``) an existing file is replaced, also atomically.
    """

    def __init__(self, path: Path, *, overwrite: bool = False) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.overwrite = overwrite
        self._written = False

    def check_ready(self) -> None:
        if self.path.exists() and not self.overwrite:
            raise OuderTuiError(f"{self.path} bestaat al. Overzetten schrijft alleen een nieuw bestand: "
                                "kies een andere naam, of verplaats het bestaande eerst. Er is niets gewijzigd.")
        if self.path.is_dir():
            raise OuderTuiError(f"{self.path} is een map; geef de naam van een nieuw bestand.")

    def write(self, document: Document) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, encode(document))
        except OSError as exc:
            raise StoreError(f"Kan {self.path} niet schrijven: {exc.strerror or exc}.") from None
        self._written = True

    def read_back(self) -> Document:
        try:
            return decode(self.path.read_bytes())
        except (OSError, UnreadableFileError) as exc:
            raise StoreError(f"Kan {self.path} niet teruglezen: {getattr(exc, 'strerror', None) or exc}.") from None

    def discard(self) -> str | None:
        if self._written and not self.overwrite:
            try:
                self.path.unlink()
            except OSError:
                return f"Verwijder {self.path}: het is geen volledige kopie."
            return f"{self.path} is weer verwijderd."
        return f"{self.path} is geen volledige kopie; gebruik het niet."


class StoreSource:
    """An open store that can give its whole content as one document (``export_document``).

    On a server whose login may not read everything (``roles`` without ``zorg``: a teacher's login sees
    that confidential notes exist, never their text) the copy would be complete-looking and still lack
    those notes; that is refused, before anything is written.
    """

    def __init__(self, store: Any) -> None:
        self.store = store
        self.location = store.location

    def read(self) -> Document:
        roles = getattr(self.store, "roles", None)
        if roles is not None and FULL_READ_ROLE not in roles:
            raise OuderTuiError(
                f"De login {self.store.user} mag niet alles lezen (rol: {', '.join(sorted(roles)) or 'geen'}), "
                "dus een kopie zou de vertrouwelijke notities missen. Maak de kopie met een login met de rol "
                f"{FULL_READ_ROLE}, bv. die waarmee de server ingericht is. Er is niets geschreven.")
        return self.store.export_document()


class StoreTarget:
    """An open store that takes a whole document into an empty database (``import_document``)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.location = store.location

    def check_ready(self) -> None:
        held = sum(self.store.count(table) for table in self.store.table_names() if table not in (SETTINGS, USERS))
        held += len(self.store.recycle_bin())
        if held:
            raise OuderTuiError(f"De databank {self.location} is niet leeg: ze bevat al {held} "
                                f"record{'s' if held != 1 else ''}. {NOT_EMPTY_ADVICE} Er is niets gewijzigd.")

    def write(self, document: Document) -> None:
        self.store.import_document(document)

    def read_back(self) -> Document:
        return self.store.export_document()

    def discard(self) -> str | None:
        return (f"De databank {self.location} bevat nu een onvolledige kopie: gebruik ze niet. Verwijder ze "
                "(of maak ze leeg) en zet opnieuw over.")


# --- the check --------------------------------------------------------------------------------------------


def _id_order(key: str) -> tuple[int, str]:
    """Ids in numeric order (``2`` before ``10``), anything else after them."""
    return (len(key), key) if key.isdigit() else (1 << 30, key)


def table_checksum(table: Mapping[str, Any]) -> str:
    """SHA-256 (hex) over a table's records in a canonical form: ids in order, keys sorted, compact JSON."""
    digest = hashlib.sha256()
    for key in sorted(table, key=_id_order):
        digest.update(_canonical.encode(key))
        digest.update(b":")
        digest.update(_canonical.encode(table[key]))
        digest.update(b"\n")
    return digest.hexdigest()


@dataclass(frozen=True)
class TableCheck:
    """One table of the report: its records in source and target, their checksums, and whether they agree."""

    table: str
    source_count: int
    target_count: int
    source_sum: str
    target_sum: str

    @property
    def ok(self) -> bool:
        return self.source_count == self.target_count and self.source_sum == self.target_sum

    @property
    def label(self) -> str:
        return TABLE_NAMES.get(self.table, self.table)


@dataclass
class Report:
    """What :func:`transfer` (or :func:`verify`) found."""

    source: str
    target: str
    tables: list[TableCheck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def records(self) -> int:
        return sum(check.source_count for check in self.tables)

    def lines(self) -> list[str]:
        """The report as a Dutch table for the terminal (fits 80 columns)."""
        width = max([len("tabel"), *(len(c.label) for c in self.tables)])
        lines = [f"{'tabel':<{width}}  {'bron':>7}  {'doel':>7}  {'controlesom':<12}  uitkomst"]
        for check in self.tables:
            verdict = "gelijk" if check.ok else ("AANTAL VERSCHILT" if check.source_count != check.target_count
                                                 else "INHOUD VERSCHILT")
            lines.append(f"{check.label:<{width}}  {check.source_count:>7}  {check.target_count:>7}  "
                         f"{check.source_sum[:12]:<12}  {verdict}")
        return lines


def _ordered(names: set[str]) -> list[str]:
    own = [name for name in _ORDER_LAST if name in names]
    return sorted(name for name in names if name not in _ORDER_LAST) + own


def _effective_next_ids(document: Document) -> dict[str, int]:
    """Per table the lowest id that may still be handed out: past the counter and past every id in use."""
    meta = document.get(META_TABLE, {}).get(META_ID, {})
    counters = meta.get("next_ids", {}) if isinstance(meta, dict) else {}
    result: dict[str, int] = {}
    for name, table in document.items():
        if name == META_TABLE:
            continue
        ids = [int(key) for key in table if key.isdigit()]
        result[name] = max(ids, default=0) + 1
    for name, value in (counters.items() if isinstance(counters, dict) else ()):
        if isinstance(value, int):
            result[name] = max(result.get(name, 1), value)
    return result


def _first_difference(label: str, source: Mapping[str, Any], target: Mapping[str, Any]) -> str:
    """Where a table first differs: missing or extra ids, else the first record and the names of its fields
    that differ (never their values: the report may end up in a ticket or an e-mail)."""
    missing = sorted(set(source) - set(target), key=_id_order)
    extra = sorted(set(target) - set(source), key=_id_order)
    if missing:
        return f"{label}: {len(missing)} record(s) ontbreken in het doel, het eerste is nummer {missing[0]}."
    if extra:
        return f"{label}: het doel heeft {len(extra)} record(s) te veel, het eerste is nummer {extra[0]}."
    for key in sorted(source, key=_id_order):
        a, b = source[key], target[key]
        if _canonical.encode(a) != _canonical.encode(b):
            if isinstance(a, dict) and isinstance(b, dict):
                fields = sorted(k for k in {*a, *b} if _canonical.encode(a.get(k)) != _canonical.encode(b.get(k))
                                or (k in a) != (k in b))
                return f"{label}: record {key} verschilt in {', '.join(fields)}."
            return f"{label}: record {key} verschilt."
    return f"{label}: de records verschillen."


def verify(source: Document, target: Document, *, source_name: str = "bron", target_name: str = "doel") -> Report:
    """Compare two documents table by table (a missing table counts as an empty one; the settings, the bin and
    the log are always in the report, also when both are empty)."""
    report = Report(source_name, target_name)
    names = (set(source) | set(target) | {SETTINGS, RECYCLE_BIN, LOG}) - {META_TABLE}  # these always shown
    for name in _ordered(names):
        a, b = source.get(name, {}), target.get(name, {})
        report.tables.append(TableCheck(name, len(a), len(b), table_checksum(a), table_checksum(b)))
    different = [check for check in report.tables if not check.ok]
    if different:
        report.problems.append(f"De controle faalt voor {', '.join(c.label for c in different)}: het doel bevat "
                               "niet precies wat de bron bevat.")
        report.problems += [_first_difference(c.label, source.get(c.table, {}), target.get(c.table, {}))
                            for c in different]
    if schema_version_of(source) != schema_version_of(target):
        report.problems.append(f"De schemaversie verschilt: {schema_version_of(source)} in de bron, "
                               f"{schema_version_of(target)} in het doel.")
    wanted, given = _effective_next_ids(source), _effective_next_ids(target)
    reused = sorted(TABLE_NAMES.get(t, t) for t, n in wanted.items() if given.get(t, 1) < n)
    if reused:
        report.problems.append(f"In het doel kunnen nummers opnieuw uitgedeeld worden voor {', '.join(reused)}: "
                               "de tellers staan lager dan in de bron.")
    return report


# --- moving ---------------------------------------------------------------------------------------------------


def _prepare(document: Document, report: Report, where: str) -> Document:
    """A document at this version's schema: an older one is brought up to date in memory, a newer one refused."""
    version = schema_version_of(document)
    if version > CURRENT_SCHEMA:
        raise OuderTuiError(f"{where} is gemaakt met een nieuwere versie van ouder-tui (schemaversie {version}; "
                            f"deze versie kent tot {CURRENT_SCHEMA}). Installeer de nieuwste versie; er is niets "
                            "overgezet.")
    if version < CURRENT_SCHEMA:
        report.notes.append(f"De bron had schemaversie {version}; de kopie is bijgewerkt naar {CURRENT_SCHEMA} "
                            "(de bron zelf is niet gewijzigd).")
        document = migrate(document)
    return document


def transfer(source: Source, target: Target, *, progress: Progress | None = None) -> Report:
    """Copy everything from ``source`` into ``target``, read the target back and compare.

    The target is checked first (new or empty), so a refusal costs nothing. A failed comparison is in the
    returned report (``ok`` false, the tables that differ named in ``problems``) after ``target.discard()``.
    """
    say = progress or (lambda _message: None)
    report = Report(source.location, target.location)
    target.check_ready()
    say(f"Lezen: {source.location} ...")
    document = _prepare(source.read(), report, source.location)
    count = sum(len(table) for name, table in document.items() if name != META_TABLE)
    say(f"Schrijven: {count} records naar {target.location} ...")
    target.write(document)
    say("Teruglezen en controleren ...")
    checked = verify(document, target.read_back(), source_name=source.location, target_name=target.location)
    checked.notes[:0] = report.notes
    if not checked.ok and (note := target.discard()):
        checked.problems.append(note)
    return checked
