"""Keeping a database sound: check it, back it up by hand, restore a backup.

These work on the file itself, so they also work when the database does not
open (a broken file is exactly when ``restore`` is needed).

For a protected file they ask for its passphrase through ``ask`` (the command line
reads it without echo, or from ``OUDER_TUI_WACHTWOORD``), and only when needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import msgspec

from ouder_tui import backups, crypto
from ouder_tui.errors import CorruptDatabaseError, OuderTuiError, StoreError
from ouder_tui.leerlingen import GEZINNEN, LEERLINGEN, Gezin, Leerling
from ouder_tui.migrations import CURRENT_SCHEMA, META_TABLE, schema_version_of
from ouder_tui.models import from_record
from ouder_tui.storage import UnreadableFileError, decode, ensure_writable, open_document, write_atomic
from ouder_tui.filestore import hold_lock, lock_for
from ouder_tui.store import Store

#: Asks for the passphrase of what it names ("de databank", "de reservekopie X").
AskPassphrase = Callable[[str], crypto.Passphrase]


def _open_raw(raw: bytes, what: str, ask: AskPassphrase | None, key: crypto.Key | None = None) -> dict:
    """The document in ``raw``, asking for the passphrase of a protected file (unless ``key`` opens it)."""
    return _open_with_key(raw, what, ask, key)[0]


def _open_with_key(raw: bytes, what: str, ask: AskPassphrase | None,
                   key: crypto.Key | None = None) -> tuple[dict, crypto.Key | None]:
    """:func:`_open_raw` that also returns the key that opened a protected file."""
    if crypto.is_protected(raw):
        if key is not None and key.seals(raw):
            return open_document(raw, key), key
        if ask is None:
            raise crypto.PassphraseNeededError(f"{what.capitalize()} is beveiligd met een wachtwoord.")
        try:
            key, raw = crypto.unlock(raw, ask(what))
        except crypto.DamagedFileError as exc:
            raise UnreadableFileError(str(exc)) from None
    return decode(raw), key


@dataclass
class CheckReport:
    """What ``ouder-tui check`` found: problems make it fail, notes do not."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: The file itself is damaged (it does not open); restoring a backup is the way out.
    damaged: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _newest_good_backup_hint(path: Path) -> str:
    good = backups.newest_good_backup(path, CURRENT_SCHEMA)
    if good is None:
        return "Er is geen bruikbare reservekopie gevonden."
    return f'De recentste goede reservekopie is {good}; zet ze terug met: ouder-tui --db "{path}" restore "{good}"'


def check_database(path: Path, ask: AskPassphrase | None = None) -> CheckReport:
    """Read the file and check its shape, schema version and every pupil and family."""
    report = CheckReport()
    if path.is_dir():
        report.problems.append(f"{path} is een map, geen databankbestand.")
        return report
    if not path.exists():
        report.problems.append(f"Er is geen databank op {path}.")
        return report
    try:
        raw = path.read_bytes()
        document, key = _open_with_key(raw, "de databank", ask)
    except UnreadableFileError as exc:
        report.problems.append(f"Het bestand is onleesbaar: {exc}. {_newest_good_backup_hint(path)}")
        report.damaged = True
        return report
    except OSError as exc:
        report.problems.append(f"Kan {path} niet lezen: {exc.strerror or exc}.")
        return report
    if crypto.is_protected(raw):
        report.notes.append("De databank is beveiligd met een wachtwoord.")

    version = schema_version_of(document)
    if version > CURRENT_SCHEMA:
        report.problems.append(
            f"Het bestand heeft schemaversie {version}; deze versie van ouder-tui kent tot {CURRENT_SCHEMA}. "
            "Installeer de nieuwste versie."
        )
        return report
    if version < CURRENT_SCHEMA:
        report.notes.append(f"Schemaversie {version} wordt bij de volgende start bijgewerkt naar {CURRENT_SCHEMA}.")

    for name, table in document.items():
        bad_ids = [key for key in table if not key.isdigit() or not isinstance(table[key], dict)]
        if bad_ids and name != META_TABLE:
            report.problems.append(f"Tabel '{name}' heeft ongeldige records: {', '.join(bad_ids[:5])}.")

    _check_people(document.get(GEZINNEN, {}).items(), document.get(LEERLINGEN, {}).items(), version, report)
    _check_backups(path, key if crypto.is_protected(raw) else None, crypto.is_protected(raw), report)
    return report


def _check_backups(path: Path, key: crypto.Key | None, protected: bool, report: CheckReport) -> None:
    """Every backup: readable copies of a protected database are a problem (a leak), damaged ones a note."""
    found = backups.list_backups(path)
    damaged = []
    readable = []
    for _, backup in found:
        try:
            raw = backup.read_bytes()
            if crypto.is_protected(raw):
                if key is not None and key.seals(raw):
                    open_document(raw, key)
                else:
                    crypto.parse_header(raw)  # another passphrase: only its header can be judged
            else:
                readable.append(backup.name)
                decode(raw)
        except (OSError, UnreadableFileError, crypto.DamagedFileError, crypto.OtherPassphraseError):
            damaged.append(backup.name)
    if protected and readable:
        report.problems.append(
            f"De databank is beveiligd, maar {len(readable)} reservekopie(ën) zijn leesbaar zonder wachtwoord "
            f"({', '.join(readable[:5])}{' ...' if len(readable) > 5 else ''}). Open de databank met ouder-tui "
            "(met het wachtwoord): dan worden ze meteen versleuteld.")
    if damaged:
        report.notes.append(f"{len(damaged)} reservekopie(ën) zijn beschadigd en bruikbaar noch terug te zetten: "
                            f"{', '.join(damaged[:5])}{' ...' if len(damaged) > 5 else ''}.")
    if found:
        report.notes.append(f"{len(found) - len(damaged)} van de {len(found)} reservekopieën zijn in orde.")


def _check_people(gezinnen, leerlingen, version: int, report: CheckReport) -> None:
    """Check every family and pupil (``(id, record)`` pairs) against the models and each other."""
    gezin_ids = set()
    for key, record in gezinnen:
        try:
            from_record(Gezin, {**record, "id": int(key)})
            gezin_ids.add(int(key))
        except (msgspec.ValidationError, ValueError) as exc:
            report.problems.append(f"Gezin {key}: {exc}.")
    pupils = 0
    for key, record in leerlingen:
        try:
            pupil = from_record(Leerling, {**record, "id": int(key)})
        except (msgspec.ValidationError, ValueError) as exc:
            report.problems.append(f"Leerling {key}: {exc}.")
            continue
        pupils += 1
        if pupil.gezin_id is not None and pupil.gezin_id not in gezin_ids:
            report.problems.append(f"Leerling {key} ({pupil.naam}) verwijst naar gezin {pupil.gezin_id}, dat niet bestaat.")
    report.notes.append(f"{pupils} leerlingen, {len(gezin_ids)} gezinnen, schemaversie {version}.")


def check_store(store: Store) -> CheckReport:
    """Check an open database that is not a file (a school server): every family and pupil, as the file's check.

    The server itself keeps the records whole (transactions) and its schema version (``server init``);
    what it cannot know is whether the records still fit the models.
    """
    report = CheckReport()
    _check_people(((r["id"], r) for r in store.all(GEZINNEN)), ((r["id"], r) for r in store.all(LEERLINGEN)),
                  store.schema_version(), report)
    return report


def make_backup(path: Path, output: Path | None = None, *, lock_timeout: float = 10.0,
                ask: AskPassphrase | None = None) -> Path:
    """Copy a sound database to ``output`` (default: its backup folder); returns where it went.

    The copy holds the file's bytes: the backup of a protected database is protected too.
    """
    if ask is not None and path.is_file() and crypto.file_is_protected(path):
        # Asked before the lock: nobody else waits while someone types.
        passphrase = ask("de databank")
        ask = lambda _what: passphrase  # noqa: E731
    if path.is_dir():
        raise OuderTuiError(f"{path} is een map, geen databankbestand. Er is niets gewijzigd.")
    if not path.exists():
        raise OuderTuiError(f"Er is geen databank op {path}.")
    with hold_lock(lock_for(path, lock_timeout), path):
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise OuderTuiError(f"Er is geen databank op {path}.") from None
        except OSError as exc:
            raise OuderTuiError(f"Kan {path} niet lezen: {exc.strerror or exc}.") from None
        try:
            _open_raw(raw, "de databank", ask)
        except UnreadableFileError as exc:
            good = backups.newest_good_backup(path, CURRENT_SCHEMA)
            raise CorruptDatabaseError(
                f"De databank is onleesbaar ({exc}); een reservekopie ervan helpt niet. "
                f"{_newest_good_backup_hint(path)}", path=str(path), backup=str(good) if good else None,
            ) from None
        try:
            if output is None:
                return backups.take_backup(path, raw, backups.MANUAL, datetime.now())  # type: ignore[return-value]
            output.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(output, raw)
            return output
        except OSError as exc:
            raise StoreError(f"Kan de reservekopie niet schrijven: {exc.strerror or exc}.") from None


class UnprotectedRestoreError(OuderTuiError):
    """Restoring this backup would turn the database's protection off; the caller must confirm it first."""


def restore_backup(path: Path, backup: Path, *, lock_timeout: float = 10.0,
                   ask: AskPassphrase | None = None, key: crypto.Key | None = None,
                   allow_unprotected: bool = False, user: str = "onbekend") -> Path | None:
    """Put ``backup`` in place of the database.

    A protected backup is checked with its own passphrase (asked through ``ask``, unless ``key``, the
    database's own, opens it) and put back as it is, so the database then opens with that passphrase.

    An unprotected backup put in place of a protected database turns its protection off: that needs
    ``allow_unprotected`` (:class:`UnprotectedRestoreError` otherwise, nothing changed), and the log of
    the restored database notes who did it and when.

    The current file, even a broken one, is first kept as a ``voor-herstel``
    backup, whose path is returned. A backup that does not parse or that comes
    from a newer version is refused and nothing changes.
    """
    try:
        raw = backup.read_bytes()
        document = _open_raw(raw, f"de reservekopie {backup.name}", ask, key)
    except FileNotFoundError:
        raise OuderTuiError(f"De reservekopie {backup} bestaat niet.") from None
    except OSError as exc:
        raise OuderTuiError(f"Kan {backup} niet lezen: {exc.strerror or exc}.") from None
    except UnreadableFileError as exc:
        raise OuderTuiError(f"{backup} is geen bruikbare reservekopie: {exc}. Er is niets gewijzigd.") from None
    version = schema_version_of(document)
    if version > CURRENT_SCHEMA:
        raise OuderTuiError(
            f"{backup} is gemaakt met een nieuwere versie van ouder-tui (schemaversie {version}). "
            "Er is niets gewijzigd."
        )
    if backup.resolve() == path.resolve():
        raise OuderTuiError("Dat is de databank zelf, geen reservekopie.")
    try:
        downgrade = crypto.file_is_protected(path) and not crypto.is_protected(raw)
    except OSError:
        downgrade = False
    if downgrade and not allow_unprotected:
        raise UnprotectedRestoreError(
            f"De databank is beveiligd met een wachtwoord, maar {backup.name} niet: terugzetten zet de "
            "beveiliging uit en maakt de gegevens leesbaar voor wie het bestand kan openen. Er is niets gewijzigd.")
    if path.is_dir():
        raise OuderTuiError(f"{path} is een map, geen databankbestand. Er is niets gewijzigd.")
    ensure_writable(path)
    kept = None
    with hold_lock(lock_for(path, lock_timeout), path):
        try:
            if path.exists():
                kept = backups.take_backup(path, path.read_bytes(), backups.BEFORE_RESTORE, datetime.now())
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, raw)
        except OSError as exc:
            raise StoreError(f"Terugzetten is mislukt: {exc.strerror or exc}. Er is niets gewijzigd.") from None
    if downgrade:
        from ouder_tui.filestore import FileStore

        FileStore.open(path, user=user, make_backup=False, lock_timeout=lock_timeout).log_database_event(
            "onbeveiligd")
    return kept
