"""The store: one TinyDB file with the guarantees of DESIGN.md ("The store's contract").

1. Crash safety: :class:`~ouder_tui.storage.AtomicJSONStorage` swaps in complete files.
2. Two writers: every change runs in :meth:`Store.transaction`, which takes an
   inter-process lock on a separate lock file, re-reads the file if another
   process changed it, applies the change and writes once.
3. Revisions: every record carries ``_rev``; saving with a stale revision raises
   :class:`~ouder_tui.errors.ConflictError` saying who changed it and when.
4. Recycle bin: :meth:`Store.delete` moves a record to ``_prullenbak``;
   :meth:`Store.restore` brings it back; :meth:`Store.purge` removes it for good.
5. Schema version in ``_meta``; older files are migrated after a backup, newer
   files are refused untouched.
6. Rotating backups on every open; a file that does not parse is never
   overwritten and the error names the newest good backup.
7. Every change is stamped with the user's name and the time.
8. Optionally the file is protected with a passphrase (:mod:`ouder_tui.crypto`):
   :meth:`Store.unlock` before :meth:`Store.load`, :meth:`Store.set_passphrase`
   to turn protection on, change it or turn it off in one atomic save. All of the
   above holds unchanged on a protected file; its backups are protected too.

Screens and services call these operations; nothing else touches TinyDB.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tinydb import TinyDB
from tinydb.table import Document as TinyDocument
from tinydb.table import Table

from ouder_tui import backups, crypto
from ouder_tui.errors import (
    ConflictError,
    CorruptDatabaseError,
    NewerSchemaError,
    NotFoundError,
    StoreError,
    ValidationError,
)
from ouder_tui.migrations import CURRENT_SCHEMA, META_ID, META_TABLE, migrate, schema_version_of
from ouder_tui.models import STORE_KEYS
from ouder_tui.storage import AtomicJSONStorage, UnreadableFileError, remove_stale_temp_files
from ouder_tui.text import clean_text, format_datetime

T = TypeVar("T")

RECYCLE_BIN = "_prullenbak"
#: Who changed what and when: table, record, action and the names of the changed fields, never their
#: values (the log must not become a second copy of the data). The app can read it, not edit it.
LOG = "_logboek"
LOG_ACTIONS = {"aangemaakt": "aangemaakt", "gewijzigd": "gewijzigd", "verwijderd": "naar de prullenbak",
               "teruggezet": "teruggezet", "definitief": "definitief gewist uit de prullenbak",
               "gewist": "gegevens gewist", "beveiligd": "databank beveiligd met een wachtwoord",
               "wachtwoord": "wachtwoord van de databank gewijzigd", "onbeveiligd": "beveiliging uitgezet"}
#: The log's table name for events about the database as a whole (protection).
DATABASE = "databank"
SETTINGS = "instellingen"
USERS = "gebruikers"

#: Keys the store owns on every record; callers cannot set them.
META_KEYS = STORE_KEYS

MAX_USER_NAME = 60


def _now() -> datetime:
    return datetime.now().astimezone().replace(microsecond=0)


if TYPE_CHECKING:
    import filelock


def lock_for(path: Path, timeout: float = 10.0) -> filelock.FileLock:
    """The inter-process lock of the database at ``path``: a separate file, never the database."""
    import filelock  # on first use: the interface draws its first screen before it needs a lock

    return filelock.FileLock(str(path) + ".lock", timeout=timeout)


@contextlib.contextmanager
def hold_lock(lock: filelock.FileLock, path: Path) -> Iterator[None]:
    """Hold ``lock``; a timeout or an unwritable folder becomes a Dutch :class:`StoreError`."""
    import filelock

    try:
        lock.acquire()
    except filelock.Timeout:
        raise StoreError(
            f"De databank is al {lock.timeout:g} seconden bezet door een ander venster "
            "of een andere pc. Probeer het zo opnieuw; er is niets gewijzigd."
        ) from None
    except OSError as exc:
        raise StoreError(
            f"Kan de databank niet vergrendelen in {path.parent}: {exc.strerror or exc}. "
            "Heb je schrijfrechten in die map? Er is niets gewijzigd."
        ) from None
    try:
        yield
    finally:
        lock.release()


class _Table(Table):
    """A TinyDB table safe for several processes.

    TinyDB caches the next id and query results per process, which hands out
    the same id twice and serves stale results once another process wrote. Here
    ids come from a counter stored in the file itself (read under the lock, never
    reused, also not after a purge) and query results are not cached.
    """

    default_query_cache_capacity = 0

    def _get_next_id(self) -> int:
        document = self._storage.read()
        meta = document.setdefault(META_TABLE, {}).setdefault(META_ID, {})
        counters = meta.setdefault("next_ids", {})
        table = document.get(self.name, {})
        next_id = counters.get(self.name, 1)
        if str(next_id) in table:  # a file edited by hand: fall back to scanning
            next_id = max(int(key) for key in table) + 1
        counters[self.name] = next_id + 1
        return next_id

    def replace_many(self, records: Mapping[int, dict]) -> None:
        """Replace whole documents by id, in place.

        TinyDB's own update rebuilds the whole table twice (keys to numbers and
        back): 20 ms at 50,000 records for a save that changes one.
        """
        document = self._storage.read()
        table = document.setdefault(self.name, {})
        for doc_id, record in records.items():
            table[str(doc_id)] = record
        self._storage.write(document)


    def append_many(self, records: Iterable[dict]) -> None:
        """Add documents under new ids, in place (TinyDB's insert rebuilds the whole table: the log grows
        with every change, and a save must not get slower as it does)."""
        document = self._storage.read()
        added = [(self._get_next_id(), record) for record in records]
        table = document.setdefault(self.name, {})
        for doc_id, record in added:
            table[str(doc_id)] = record
        if added:
            self._storage.write(document)


class _TinyDB(TinyDB):
    table_class = _Table


def _validate_user(name: str) -> str:
    cleaned = clean_text(name)
    if not cleaned:
        raise ValidationError({"gebruiker": "Vul je naam in."})
    if len(cleaned) > MAX_USER_NAME:
        raise ValidationError({"gebruiker": f"Een naam telt hoogstens {MAX_USER_NAME} tekens."})
    return cleaned


class Store:
    """An open database. Build it with :meth:`Store.open`.

    Reads are served from memory and refreshed when the file changed on disk;
    every write takes the inter-process lock for the time of one transaction.
    """

    def __init__(
        self,
        path: Path,
        *,
        user: str,
        clock: Callable[[], datetime],
        lock_timeout: float,
    ) -> None:
        self.path = path
        self.clock = clock
        self.lock_timeout = lock_timeout
        self._user = _validate_user(user)
        self._db = _TinyDB(path, storage=AtomicJSONStorage)
        self.storage: AtomicJSONStorage = self._db.storage  # type: ignore[assignment]
        self.storage.on_unreadable = self._corrupt_error
        self._file_lock: filelock.FileLock | None = None
        self._thread_lock = threading.RLock()
        self._depth = 0
        #: Dutch notes about things that went wrong but did not stop the start (e.g. a backup).
        self.warnings: list[str] = []
        #: The start backup made by this open, if any.
        self.start_backup: Path | None = None
        #: Whether :meth:`load` has run; before that nothing may be read or written.
        self.loaded = False
        self._derived: dict[str, tuple[int, Any]] = {}

    # -- opening ---------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        user: str = "onbekend",
        clock: Callable[[], datetime] = _now,
        lock_timeout: float = 10.0,
        make_backup: bool = True,
        create: bool = True,
        migrate_schema: bool = True,
        passphrase: crypto.Passphrase | None = None,
    ) -> Store:
        """Open (or create) the database at ``path``: :meth:`unopened` followed by :meth:`load`.

        A protected file needs ``passphrase`` (:class:`~ouder_tui.crypto.PassphraseNeededError` without,
        :class:`~ouder_tui.crypto.WrongPassphraseError` when it does not open the file).
        """
        store = cls.unopened(path, user=user, clock=clock, lock_timeout=lock_timeout)
        if passphrase is not None and store.needs_passphrase():
            store.unlock(passphrase)
        store.load(make_backup=make_backup, create=create, migrate_schema=migrate_schema)
        return store

    @classmethod
    def unopened(
        cls,
        path: str | Path,
        *,
        user: str = "onbekend",
        clock: Callable[[], datetime] = _now,
        lock_timeout: float = 10.0,
    ) -> Store:
        """A store that has not touched its file yet (cheap); call :meth:`load` before using it.

        The interface uses this to show its first screen while the file loads in the background.
        """
        return cls(Path(path).absolute(), user=user, clock=clock, lock_timeout=lock_timeout)

    def load(self, *, make_backup: bool = True, create: bool = True, migrate_schema: bool = True) -> None:
        """Read the file, check it, make the start backup and migrate it (or create a new database).

        Raises :class:`CorruptDatabaseError` for a file that does not parse,
        :class:`NewerSchemaError` for a file from a newer version and
        :class:`StoreError` when the file cannot be read or created.
        """
        with self._locked():
            remove_stale_temp_files(self.path)
            if not self.storage.exists():
                if not create:
                    raise StoreError(f"Er is geen databank op {self.path}.")
                self._create()
            else:
                self._load_checked()
                version = schema_version_of(self.storage.read())
                if version > CURRENT_SCHEMA:
                    raise self._newer_schema_error(version)
                if make_backup:
                    self._start_backup()
                if version < CURRENT_SCHEMA and migrate_schema:
                    self._migrate(version)
        self.loaded = True

    # -- protection ------------------------------------------------------------------
    @property
    def protected(self) -> bool:
        """Whether the file on disk is protected with a passphrase (as last read)."""
        return self.storage.protected if self.loaded else self._file_is_protected()

    @property
    def key(self) -> crypto.Key | None:
        """The key of the protected file once unlocked (it opens the backups sealed with it), else ``None``."""
        return self.storage.key

    def needs_passphrase(self) -> bool:
        """Whether the file is protected and this store has no key for it yet (reads its first bytes)."""
        return self.storage.key is None and self._file_is_protected()

    def _file_is_protected(self) -> bool:
        try:
            return crypto.file_is_protected(self.path)
        except OSError:
            return False  # missing or unreadable: load says why

    def unlock(self, passphrase: crypto.Passphrase) -> None:
        """Derive the key of the protected file from ``passphrase``; :class:`WrongPassphraseError` otherwise."""
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise StoreError(f"Kan het databankbestand {self.path} niet lezen: {exc.strerror or exc}.") from None
        try:
            params, _ = crypto.parse_header(raw)
        except crypto.DamagedFileError as exc:
            raise self._corrupt_error(UnreadableFileError(str(exc))) from None
        key = crypto.Key(passphrase, params)
        try:
            key.open(raw)
        except crypto.DamagedFileError:
            # A wrong passphrase and a damaged file fail alike; a backup with the same salt that this key
            # opens proves the passphrase right, and the file then gets the broken-file way out.
            if not self._opens_a_backup(key):
                raise crypto.WrongPassphraseError(crypto.WRONG_PASSPHRASE) from None
            self.storage.key = key
            raise self._corrupt_error(UnreadableFileError("de versleutelde gegevens zijn beschadigd")) from None
        self.storage.key = key

    def _opens_a_backup(self, key: crypto.Key) -> bool:
        for _, path in backups.list_backups(self.path):
            try:
                raw = path.read_bytes()
                if key.seals(raw):
                    key.open(raw)
                    return True
            except (OSError, crypto.DamagedFileError):
                continue
        return False

    def check_passphrase(self, passphrase: crypto.Passphrase) -> bool:
        """Whether ``passphrase`` is the one of this protected database (to unlock the screen)."""
        key = self.storage.key
        if key is None:
            return False
        return crypto.Key(passphrase, key.params).same_as(key)

    def set_passphrase(self, new: crypto.Passphrase | None, *, current: crypto.Passphrase | None = None) -> list[str]:
        """Protect the database with ``new``, change its passphrase, or (``None``) turn protection off.

        On a protected database ``current`` must be its passphrase. The file changes in one atomic save
        (a crash leaves the old or the new form); the log notes who did it and when. Then every backup that
        was sealed with the old passphrase, or not at all, is rewritten the same way, so an old copy does not
        stay readable. Returns Dutch notes about backups that could not be rewritten.
        """
        if self.storage.protected and (current is None or not self.check_passphrase(current)):
            raise crypto.WrongPassphraseError("Het huidige wachtwoord klopt niet. Er is niets gewijzigd.")
        if new is None and not self.storage.protected:
            return []
        old_key = self.storage.key if self.storage.protected else None
        new_key = crypto.Key.new(new) if new is not None else None
        action = "onbeveiligd" if new_key is None else ("wachtwoord" if old_key else "beveiligd")
        with self._locked():  # held on through the backups, so no other window changes them meanwhile
            with self.transaction():  # re-reads the file: a passphrase changed elsewhere stops it here
                self._log_many(DATABASE, [(0, action, (), self.clock().isoformat())])
                self.storage.switch_key(new_key)
            return backups.reseal_all(self.path, old_key, new_key)

    def protection_changed(self) -> dict | None:
        """The log line of the last time protection was turned on, changed or off (who and when)."""
        for entry in self.logboek(tabel=DATABASE):
            if entry.get("actie") in ("beveiligd", "wachtwoord", "onbeveiligd"):
                return entry
        return None

    def seal_export(self, payload: bytes) -> bytes:
        """``payload`` sealed with this database's passphrase (for exports of a protected database)."""
        key = self.storage.key
        if key is None or not self.storage.protected:
            raise StoreError("Deze databank is niet beveiligd; er is geen wachtwoord om mee te versleutelen.")
        return key.seal(payload)

    def _create(self) -> None:
        now = self.clock().isoformat()
        try:
            self.storage.create(
                {META_TABLE: {META_ID: {"schema_version": CURRENT_SCHEMA, "next_ids": {}, "created_at": now}}}
            )
        except OSError as exc:
            raise StoreError(f"Kan de databank {self.path} niet aanmaken: {exc.strerror or exc}.") from None

    def _newer_schema_error(self, version: int) -> NewerSchemaError:
        return NewerSchemaError(
            f"De databank {self.path} is gemaakt met een nieuwere versie van ouder-tui "
            f"(schemaversie {version}; deze versie kent tot {CURRENT_SCHEMA}). "
            "Installeer de nieuwste versie; het bestand is niet gewijzigd."
        )

    def _corrupt_error(self, exc: UnreadableFileError) -> CorruptDatabaseError:
        good = backups.newest_good_backup(self.path, CURRENT_SCHEMA, key=self.storage.key)
        if good:
            advice = (
                f" De recentste goede reservekopie is {good}. "
                f'Zet ze terug met: ouder-tui --db "{self.path}" restore "{good}"'
            )
        else:
            advice = " Er is geen bruikbare reservekopie gevonden."
        return CorruptDatabaseError(
            f"Het databankbestand {self.path} is onleesbaar ({exc}). "
            f"Het wordt niet overschreven.{advice}",
            path=str(self.path),
            backup=str(good) if good else None,
        )

    def _load_checked(self) -> None:
        try:
            self.storage.refresh(force=True)
        except UnreadableFileError as exc:
            raise self._corrupt_error(exc) from None

    def _start_backup(self) -> None:
        moment = datetime.now()  # with microseconds: two starts in one second keep two names
        try:
            self.start_backup = backups.take_backup(
                self.path, self.storage.last_raw, backups.START, moment, skip_if_same=True
            )
            backups.rotate(self.path, moment)
        except OSError as exc:
            self.warnings.append(f"Er kon geen reservekopie gemaakt worden: {exc.strerror or exc}.")

    def _migrate(self, version: int) -> None:
        # A backup before the migration is not optional: without it we do not touch the file.
        try:
            backups.take_backup(self.path, self.storage.last_raw, f"voor-migratie-v{version}", datetime.now())
        except OSError as exc:
            raise StoreError(
                f"De databank moet bijgewerkt worden, maar er kon eerst geen reservekopie "
                f"gemaakt worden ({exc.strerror or exc}). Er is niets gewijzigd."
            ) from None
        self.storage.begin()
        try:
            self.storage.write(migrate(self.storage.read()))
            self.storage.commit()
        except BaseException:
            self.storage.rollback()
            raise

    # -- the user -------------------------------------------------------------
    @property
    def user(self) -> str:
        """The name that stamps every change."""
        return self._user

    def set_user(self, name: str) -> str:
        """Switch to ``name`` (validated) and remember it on this database."""
        cleaned = _validate_user(name)
        now = self.clock().isoformat()
        with self.transaction():
            table = self._db.table(USERS)
            existing = [doc.doc_id for doc in table if doc.get("naam") == cleaned]
            if existing:
                table.update({"laatst_gezien": now}, doc_ids=existing)
            else:
                table.insert({"naam": cleaned, "laatst_gezien": now})
        self._user = cleaned  # only once it is recorded: a failed save leaves the old user
        return cleaned

    def known_users(self) -> list[str]:
        """Names used on this database, most recently seen first."""
        users = sorted(self._db.table(USERS), key=lambda doc: (doc.get("laatst_gezien", ""), doc.doc_id),
                       reverse=True)
        return [doc["naam"] for doc in users]

    # -- transactions -----------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock:
            if self._file_lock is None:
                self._file_lock = lock_for(self.path, self.lock_timeout)
            with hold_lock(self._file_lock, self.path):
                yield

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Run several changes as one save: all of them reach the disk, or none.

        Nested calls join the outer transaction.
        """
        with self._thread_lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            with self._locked():
                try:
                    self.storage.begin()
                except UnreadableFileError:
                    self.storage.rollback()
                    self._load_checked()  # raises the Dutch corrupt-file error
                version = schema_version_of(self.storage.read())
                if version > CURRENT_SCHEMA:  # a newer ouder-tui upgraded the file meanwhile
                    self.storage.rollback()
                    raise self._newer_schema_error(version)
                self._depth = 1
                try:
                    yield
                except BaseException:
                    self.storage.rollback()
                    raise
                else:
                    try:
                        self.storage.commit()
                    except OSError as exc:
                        self.storage.rollback()
                        raise StoreError(
                            f"Bewaren is mislukt: {exc.strerror or exc}. De databank is niet gewijzigd."
                        ) from None
                    except BaseException:  # e.g. a value that cannot be encoded: forget it too
                        self.storage.rollback()
                        raise
                finally:
                    self._depth = 0

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """A value computed from the data (sorted lists, indexes), built again only when the data changed.

        Shared by every service on this store, so two services never build the same thing twice.
        """
        generation = self.generation
        cached = self._derived.get(key)
        if cached is None or cached[0] != generation:
            cached = (generation, build())
            self._derived[key] = cached
        return cached[1]

    @property
    def generation(self) -> int:
        """Changes whenever the data in memory changes; services key their caches on it."""
        self.storage.read()
        return self.storage.generation

    # -- records -------------------------------------------------------------------
    def _stamp(self, record: dict, *, created: bool) -> None:
        now = self.clock().isoformat()
        if created:
            record["_created_by"] = self.user
            record["_created_at"] = now
        record["_changed_by"] = self.user
        record["_changed_at"] = now

    @staticmethod
    def _user_fields(data: Mapping[str, Any]) -> dict:
        return {k: v for k, v in data.items() if k not in META_KEYS}

    @staticmethod
    def _with_id(doc: TinyDocument) -> dict:
        record = dict(doc)
        record["id"] = doc.doc_id
        return record

    # Reads go to the storage's parsed document directly: TinyDB would wrap and copy
    # every record first (85 ms instead of 35 ms for 50,000 records).
    def _raw_table(self, table: str) -> dict[str, dict]:
        return self.storage.read().get(table, {})

    def get(self, table: str, record_id: int) -> dict | None:
        """One record with its ``id`` and revision, or ``None``."""
        doc = self._raw_table(table).get(str(record_id))
        return {**doc, "id": record_id} if doc is not None else None

    def all(self, table: str) -> list[dict]:
        """Every record of ``table`` (not those in the recycle bin), each a shallow copy with its ``id``."""
        return [{**doc, "id": int(key)} for key, doc in self._raw_table(table).items()]

    def count(self, table: str) -> int:
        return len(self._raw_table(table))

    def insert(self, table: str, data: Mapping[str, Any]) -> dict:
        """Add a record; returns it with its new ``id`` and revision 1."""
        return self.insert_many(table, [data])[0]

    def insert_many(self, table: str, items: Iterable[Mapping[str, Any]]) -> list[dict]:
        """Add several records in one save."""
        records = []
        for data in items:
            record = self._user_fields(data)
            record["_rev"] = 1
            self._stamp(record, created=True)
            records.append(record)
        with self.transaction():
            ids = self._db.table(table).insert_multiple(records)
            self._log_many(table, ((doc_id, "aangemaakt", (), record["_changed_at"])
                                   for doc_id, record in zip(ids, records, strict=True)))
        return [{**record, "id": doc_id} for record, doc_id in zip(records, ids, strict=True)]

    def _conflict(self, current: dict) -> ConflictError:
        who = current.get("_changed_by", "onbekend")
        when = current.get("_changed_at", "")
        return ConflictError(
            f"{who} heeft dit intussen gewijzigd ({format_datetime(when)}). "
            "Laad de nieuwe versie of overschrijf ze met wat jij invulde.",
            changed_by=who,
            changed_at=when,
            current=current,
        )

    def update(self, table: str, record_id: int, data: Mapping[str, Any], *, expected_rev: int | None) -> dict:
        """Replace a record's fields; returns the saved record.

        ``expected_rev`` is the revision the caller opened; when someone saved in
        between, :class:`ConflictError` is raised and nothing changes. ``None``
        overwrites whatever is there (the user chose to).
        """
        return self.update_many(table, [(record_id, data, expected_rev)])[0]

    def update_many(
        self, table: str, changes: Iterable[tuple[int, Mapping[str, Any], int | None]]
    ) -> list[dict]:
        """Replace several records in one save; a single conflict cancels all of them."""
        changes = list(changes)
        saved: dict[int, dict] = {}
        logged: list[tuple[int, str, tuple[str, ...], str]] = []
        with self.transaction():
            tiny = self._db.table(table)
            for record_id, data, expected_rev in changes:
                current = tiny.get(doc_id=record_id)
                if current is None:
                    raise NotFoundError(self._missing_message(table, record_id))
                if expected_rev is not None and current.get("_rev") != expected_rev:
                    raise self._conflict(self._with_id(current))  # type: ignore[arg-type]
                record = self._user_fields(data)
                for key in ("_created_by", "_created_at"):
                    if key in current:
                        record[key] = current[key]
                record["_rev"] = current.get("_rev", 0) + 1
                self._stamp(record, created=False)
                saved[record_id] = record
                changed = sorted(k for k in {*record, *current} if k not in META_KEYS
                                 and record.get(k) != current.get(k))
                logged.append((record_id, "gewijzigd", tuple(changed), record["_changed_at"]))
            tiny.replace_many(saved)
            self._log_many(table, logged)
        return [{**record, "id": record_id} for record_id, record in saved.items()]

    def _missing_message(self, table: str, record_id: int) -> str:
        for entry in self._db.table(RECYCLE_BIN):
            if entry.get("table") == table and entry.get("record_id") == record_id:
                return (
                    f"Dit werd intussen verwijderd door {entry.get('_deleted_by', 'onbekend')} "
                    f"({format_datetime(entry.get('_deleted_at'))}). Je vindt het in de prullenbak."
                )
        return "Dit bestaat niet (meer)."

    # -- recycle bin -----------------------------------------------------------------
    def delete(self, table: str, record_id: int, *, label: str = "", expected_rev: int | None = None) -> int:
        """Move a record to the recycle bin; returns the bin entry's id."""
        with self.transaction():
            tiny = self._db.table(table)
            current = tiny.get(doc_id=record_id)
            if current is None:
                raise NotFoundError(self._missing_message(table, record_id))
            if expected_rev is not None and current.get("_rev") != expected_rev:
                raise self._conflict(self._with_id(current))  # type: ignore[arg-type]
            entry = {
                "table": table,
                "record_id": record_id,
                "label": clean_text(label),
                "record": dict(current),
                "_deleted_by": self.user,
                "_deleted_at": self.clock().isoformat(),
            }
            tiny.remove(doc_ids=[record_id])
            self._log_many(table, [(record_id, "verwijderd", (), entry["_deleted_at"])])
            return self._db.table(RECYCLE_BIN).insert(entry)

    def recycle_bin(self, table: str | None = None) -> list[dict]:
        """What is in the bin (newest first), optionally for one table."""
        entries = [self._with_id(doc) for doc in self._db.table(RECYCLE_BIN)]
        if table:
            entries = [e for e in entries if e.get("table") == table]
        return sorted(entries, key=lambda e: e.get("_deleted_at", ""), reverse=True)

    def restore(self, bin_id: int) -> dict:
        """Put a deleted record back under its old id; returns it."""
        with self.transaction():
            bin_table = self._db.table(RECYCLE_BIN)
            entry = bin_table.get(doc_id=bin_id)
            if entry is None:
                raise NotFoundError("Dit staat niet (meer) in de prullenbak.")
            table, record_id = entry["table"], entry["record_id"]
            record = dict(entry["record"])
            record["_rev"] = record.get("_rev", 0) + 1
            self._stamp(record, created=False)
            tiny = self._db.table(table)
            if tiny.contains(doc_id=record_id):
                raise StoreError("Er bestaat al een record met hetzelfde nummer; terugzetten kan niet.")
            tiny.insert(TinyDocument(record, doc_id=record_id))
            bin_table.remove(doc_ids=[bin_id])
            self._log_many(table, [(record_id, "teruggezet", (), record["_changed_at"])])
        return {**record, "id": record_id}

    def purge(self, bin_id: int) -> None:
        """Remove an entry from the bin for good."""
        with self.transaction():
            bin_table = self._db.table(RECYCLE_BIN)
            entry = bin_table.get(doc_id=bin_id)
            if entry is None:
                raise NotFoundError("Dit staat niet (meer) in de prullenbak.")
            bin_table.remove(doc_ids=[bin_id])
            self._log_many(entry.get("table", ""), [(entry.get("record_id", 0), "definitief", (),
                                                     self.clock().isoformat())])

    # -- the log ---------------------------------------------------------------------------
    def _log_many(self, table: str, entries: Iterable[tuple[int, str, tuple[str, ...], str]]) -> None:
        """Record changes in the log, in the same save as the changes themselves (``at``: their stamp)."""
        self._db.table(LOG).append_many(
            {"tabel": table, "record": record_id, "actie": action, "velden": list(fields), "door": self.user,
             "op": at}
            for record_id, action, fields, at in entries)

    def logboek(self, *, door: str = "", van: str = "", tot: str = "", tabel: str = "",
                record_id: int | None = None) -> list[dict]:
        """Log entries, newest first; ``van``/``tot`` are ISO dates (both included)."""
        found = []
        for key, entry in self._raw_table(LOG).items():
            if door and entry.get("door") != door:
                continue
            day = entry.get("op", "")[:10]
            if (van and day < van) or (tot and day > tot):
                continue
            if tabel and entry.get("tabel") != tabel:
                continue
            if record_id is not None and entry.get("record") != record_id:
                continue
            found.append((entry.get("op", ""), int(key), entry))
        return [entry for _, _, entry in sorted(found, key=lambda f: f[:2], reverse=True)]

    def wis(self, records: Iterable[tuple[str, int]], bin_ids: Iterable[int] = ()) -> int:
        """Erase records for good: from their tables, the recycle bin (``bin_ids``) and the log.

        One entry in the log then says that an erasure happened, by whom and when, and how many
        records it took, never which. Returns that number.
        """
        records = {(table, int(record_id)) for table, record_id in records}
        bin_ids = set(bin_ids)
        count = 0
        with self.transaction():
            for table, record_id in records:
                tiny = self._db.table(table)
                if tiny.contains(doc_id=record_id):
                    tiny.remove(doc_ids=[record_id])
                    count += 1
            bin_table = self._db.table(RECYCLE_BIN)
            binned = [doc.doc_id for doc in bin_table
                      if doc.doc_id in bin_ids or (doc.get("table"), doc.get("record_id")) in records]
            if binned:
                bin_table.remove(doc_ids=binned)
                count += len(binned)
            log = self._db.table(LOG)
            traces = [doc.doc_id for doc in log if (doc.get("tabel"), doc.get("record")) in records]
            if traces:
                log.remove(doc_ids=traces)
            log.insert({"tabel": "", "record": None, "actie": "gewist", "velden": [], "door": self.user,
                        "op": self.clock().isoformat(), "aantal": count})
        return count

    # -- settings ------------------------------------------------------------------------
    def settings(self) -> dict:
        """The database's settings (school name, ...), with who changed them last."""
        return self.get(SETTINGS, 1) or {}

    def update_settings(self, **values: Any) -> dict:
        """Change some settings; the others stay."""
        with self.transaction():
            current = self.get(SETTINGS, 1)
            if current is None:
                record = self._user_fields(values)
                record["_rev"] = 1
                self._stamp(record, created=True)
                self._db.table(SETTINGS).insert(TinyDocument(record, doc_id=1))
                self._log_many(SETTINGS, [(1, "aangemaakt", (), record["_changed_at"])])
                return {**record, "id": 1}
            merged = {**self._user_fields(current), **values}
            return self.update(SETTINGS, 1, merged, expected_rev=None)

    # -- information ----------------------------------------------------------------------
    def schema_version(self) -> int:
        return schema_version_of(self.storage.read())

    def table_names(self) -> list[str]:
        return sorted(name for name in self.storage.read() if not name.startswith("_"))

    def close(self) -> None:
        """Nothing is held open between operations; kept for symmetry with TinyDB."""
        self._db.close()
