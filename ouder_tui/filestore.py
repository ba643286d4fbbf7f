"""The file home of the store: one JSON file (TinyDB's layout) with the guarantees of DESIGN.md.

1. Crash safety: :class:`~ouder_tui.storage.AtomicJSONStorage` swaps in complete files.
2. Two writers: every change runs in :meth:`FileStore.transaction`, which takes an
   inter-process lock on a separate lock file, re-reads the file if another
   process changed it, applies the change and writes once.
3. Revisions, the recycle bin, the log and isolation between threads come from
   :class:`~ouder_tui.docstore.DocumentStore`.
4. Schema version in ``_meta``; older files are migrated after a backup, newer
   files are refused untouched.
5. Rotating backups on every open; a file that does not parse is never
   overwritten and the error names the newest good backup.
6. Optionally the file is protected with a passphrase (:mod:`ouder_tui.crypto`):
   :meth:`FileStore.unlock` before :meth:`FileStore.load`, :meth:`FileStore.set_passphrase`
   to turn protection on, change it or turn it off in one atomic save. All of the
   above holds unchanged on a protected file; its backups are protected too.

The passphrase, the backups and the lock file are this home's own: services and screens reach
them through :attr:`~ouder_tui.store.Store.file`, never by naming this class.
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
import stat
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ouder_tui import backups, crypto
from ouder_tui.docstore import Document, DocumentStore
from ouder_tui.errors import (
    CorruptDatabaseError,
    LockTimeoutError,
    NewerSchemaError,
    StoreError,
)
from ouder_tui.integrity import plain_document
from ouder_tui.migrations import (
    CURRENT_SCHEMA,
    META_ID,
    META_TABLE,
    migrate,
    schema_version_of,
)
from ouder_tui.storage import (
    AtomicJSONStorage,
    UnreadableFileError,
    remove_stale_temp_files,
)
from ouder_tui.store import DATABASE, FileCapability, now
from ouder_tui.tables import read_table

#: Beside the lock file while a window holds it: who, and since when, for "bezet door ..." elsewhere.
HOLDER_SUFFIX = ".lock.wie"

if TYPE_CHECKING:
    import filelock


def real_path(path: Path) -> Path:
    """Where the database at ``path`` really is: a symlink's target (writes go through the link, which stays)."""
    return path.resolve() if path.is_symlink() else path


def lock_mode(path: Path) -> int:
    """Permissions for the lock file: readable and writable by every account that may write the database.

    A lock file created with the default 0644 would keep a colleague who may write the database from
    locking it.
    """
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o600  # a new database is private to whoever makes it (see storage.write_atomic)
    writers = mode & 0o222
    return 0o600 | writers | (writers << 1)


def lock_for(path: Path, timeout: float = 10.0) -> filelock.FileLock:
    """The inter-process lock of the database at ``path``: a separate file beside it (beside a symlink's target)."""
    import filelock  # on first use: the interface draws its first screen before it needs a lock

    path = real_path(path)
    lock_path = Path(str(path) + ".lock")
    if os.name == "nt":  # the folder's inherited permissions decide there; a mode would make it owner-only
        return filelock.FileLock(str(lock_path), timeout=timeout)
    mode = lock_mode(path)
    with contextlib.suppress(OSError):  # widen a lock file an older version made too narrow (ours only)
        found = os.stat(lock_path)
        if found.st_uid == os.geteuid() and stat.S_IMODE(found.st_mode) & mode != mode:
            os.chmod(lock_path, stat.S_IMODE(found.st_mode) | mode)
    return filelock.FileLock(str(lock_path), timeout=timeout, mode=mode)


def read_holder(path: Path) -> str | None:
    """Who took the lock of the database at ``path`` last, as the Dutch text "naam (sinds hh:mm)", if known."""
    try:
        info = json.loads((Path(str(path) + HOLDER_SUFFIX)).read_text(encoding="utf-8"))
        name, since = str(info["door"]), datetime.fromisoformat(info["sinds"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return f"{name} (sinds {since:%H:%M})"


def _note_holder(path: Path, user: str) -> None:
    """Say who holds the lock now (best effort: a folder where this fails still saves)."""
    with contextlib.suppress(OSError):
        Path(str(path) + HOLDER_SUFFIX).write_text(
            json.dumps({"door": user, "sinds": datetime.now().astimezone().isoformat(timespec="seconds")}),
            encoding="utf-8")


@contextlib.contextmanager
def hold_lock(lock: filelock.FileLock, path: Path, *, user: str | None = None) -> Iterator[None]:
    """Hold ``lock``; a timeout or an unwritable folder becomes a Dutch :class:`StoreError`.

    With ``user``, the holder is noted beside the lock so that a window waiting for it can say who.
    """
    import filelock

    path = real_path(path)
    try:
        lock.acquire()
    except filelock.Timeout:
        holder = read_holder(path)
        raise LockTimeoutError(
            f"De databank is al {lock.timeout:g} seconden bezet door "
            + (f"{holder}, in een ander venster of op een andere pc" if holder else
               "een ander venster of een andere pc")
            + ". Probeer het zo opnieuw; er is niets gewijzigd."
        ) from None
    except OSError as exc:
        raise StoreError(_lock_failure(Path(lock.lock_file), exc)) from None
    noted = user is not None and lock.lock_counter == 1  # the outermost hold notes and clears it
    try:
        if noted:
            _note_holder(path, user)
        yield
    finally:
        if noted:  # still under the lock, so the next holder's note is never the one removed
            with contextlib.suppress(OSError):
                Path(str(path) + HOLDER_SUFFIX).unlink()
        lock.release()


def _lock_failure(lock_path: Path, exc: OSError) -> str:
    """What really keeps this account from locking: the lock file, the folder, or something else."""
    reason = exc.strerror or str(exc)
    if lock_path.exists() and not os.access(lock_path, os.R_OK | os.W_OK):
        return (f"Kan de databank niet vergrendelen: het vergrendelbestand {lock_path} is gemaakt door een ander "
                "account en jij mag het niet beschrijven. Vraag wie de map beheert om iedereen die met de databank "
                "werkt schrijfrechten op dat bestand te geven (of het te verwijderen terwijl niemand ouder-tui "
                "gebruikt). Er is niets gewijzigd.")
    return (f"Kan de databank niet vergrendelen in {lock_path.parent}: {reason}. "
            "Heb je schrijfrechten in die map? Er is niets gewijzigd.")


class FileStore(DocumentStore):
    """A database in one JSON file. Build it with :meth:`FileStore.open` (or :meth:`unopened` + :meth:`load`).

    Reads are served from memory and refreshed when the file changed on disk;
    every write takes the inter-process lock for the time of one transaction.
    This class is also its own :class:`~ouder_tui.store.FileCapability`.
    """

    def __init__(
        self,
        path: Path,
        *,
        user: str,
        clock: Callable[[], datetime],
        lock_timeout: float,
    ) -> None:
        super().__init__(user=user, clock=clock)
        self.path = path
        self.lock_timeout = lock_timeout
        self.storage = AtomicJSONStorage(path)
        self.storage.table_type = read_table
        self.storage.on_unreadable = self._corrupt_error
        self._file_lock: filelock.FileLock | None = None
        self._held: contextlib.ExitStack | None = None
        #: The start backup made by this open, if any.
        self.start_backup: Path | None = None
        #: The bytes read and the moment, for the start backup :meth:`finish_load` makes (``load(backup_later=True)``).
        self._backup_later: tuple[bytes | mmap.mmap, datetime] | None = None
        self._backup_lock = threading.Lock()
        self._backup_warnings: list[str] = []

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def file(self) -> FileCapability:
        return self

    def lock_holder(self) -> str | None:
        return read_holder(self.path)

    # -- opening ---------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        user: str = "onbekend",
        clock: Callable[[], datetime] = now,
        lock_timeout: float = 10.0,
        make_backup: bool = True,
        create: bool = True,
        migrate_schema: bool = True,
        passphrase: crypto.Passphrase | None = None,
    ) -> FileStore:
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
        clock: Callable[[], datetime] = now,
        lock_timeout: float = 10.0,
    ) -> FileStore:
        """A store that has not touched its file yet (cheap); call :meth:`load` before using it.

        The interface uses this to show its first screen while the file loads in the background.
        """
        return cls(real_path(Path(path).absolute()), user=user, clock=clock, lock_timeout=lock_timeout)

    def load(self, *, make_backup: bool = True, create: bool = True, migrate_schema: bool = True,
             backup_later: bool = False) -> None:
        """Read the file, check it, make the start backup and migrate it (or create a new database).

        ``backup_later``: the start backup is made by :meth:`finish_load`, of the bytes read here (a save in
        between does not change them: it writes a new file). Not for a file that is migrated: its backups
        come before the migration.

        Raises :class:`CorruptDatabaseError` for a file that does not parse,
        :class:`NewerSchemaError` for a file from a newer version and
        :class:`StoreError` when the file cannot be read or created.
        """
        if not create and not self.path.exists():  # said before the lock, which would leave a lock file behind
            raise StoreError(f"Er is geen databank op {self.path}.")
        if self.path.is_dir():
            raise StoreError(f"{self.path} is een map, geen databankbestand. Er is niets gewijzigd.")
        with self._locked():
            remove_stale_temp_files(self.path)
            backups.remove_stale_temp_files(self.path)
            if not self.storage.exists():
                if not create:
                    raise StoreError(f"Er is geen databank op {self.path}.")
                self._create()
            else:
                self._load_checked()
                self._seal_readable_backups()
                version = schema_version_of(self.storage.read())
                if version > CURRENT_SCHEMA:
                    raise self._newer_schema_error(version)
                migrating = version < CURRENT_SCHEMA and migrate_schema
                if make_backup and backup_later and not migrating:
                    self._backup_later = (self.storage.last_raw, datetime.now())
                elif make_backup:
                    self._start_backup(self.storage.last_raw, datetime.now())
                if migrating:
                    self._migrate(version)
        self.storage.keep_raw = False  # the start backup and the migration had them; the document is enough now
        self.storage.last_raw = b""
        self.storage.release_pages()
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
            right = crypto.right_passphrase(raw, key)
        except crypto.DamagedFileError as exc:
            raise self._corrupt_error(UnreadableFileError(str(exc))) from None
        if right is False:  # the key check value in the header says so: nothing is damaged
            raise crypto.WrongPassphraseError(crypto.WRONG_PASSPHRASE)
        try:
            key.open(raw)
        except crypto.DamagedFileError:
            # Format 1 has no key check value, so a wrong passphrase and a damaged file fail alike; a backup
            # with the same salt that this key opens proves the passphrase right.
            if right is None and not self._opens_a_backup(key):
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

    def log_database_event(self, action: str) -> None:
        """Note in the log who did something to the database as a whole (``action``: a key of LOG_ACTIONS)."""
        with self.transaction():
            self._log_many(DATABASE, [(0, action, (), self.clock().isoformat())])

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

    def _seal_readable_backups(self) -> None:
        """A protected database has no readable backups: seal any a switch of protection left behind.

        Turning protection on seals the database first and its backups right after; a crash in between
        would leave readable copies beside a database everyone believes protected. Finished here, under
        the lock, on every open.
        """
        if not (self.storage.protected and self.storage.key is not None):
            return
        readable = backups.readable_backups(self.path)
        if readable:
            self.warnings += backups.reseal_all(self.path, None, self.storage.key, only=readable)

    def _start_backup(self, raw: bytes | mmap.mmap, moment: datetime) -> str | None:
        """The start backup of ``raw`` (the file as read at ``moment``, with microseconds: two starts in one
        second keep two names); a Dutch warning when it failed, also added to :attr:`warnings`."""
        try:
            self.start_backup = backups.take_backup(self.path, raw, backups.START, moment, skip_if_same=True)
            backups.rotate(self.path, moment)
        except OSError as exc:
            warning = f"Er kon geen reservekopie gemaakt worden: {exc.strerror or exc}."
            self.warnings.append(warning)
            return warning
        return None

    def finish_load(self) -> list[str]:
        """The start backup :meth:`load` left for later (``backup_later``), if any: made now, of the bytes the
        file had when it was read; then what the first save would otherwise prepare (the records' lookup, see
        :meth:`~ouder_tui.storage.AtomicJSONStorage.prepare_saves`). Returns the Dutch warnings of that backup
        (once).

        Safe beside the interface's reads and saves: it writes only into the backup folder, and the bytes it
        copies are the old file's, which a save never changes (it writes a new file and renames it). A save
        makes the backup first, or waits for it (see :meth:`_commit`): the start backup is there before the
        first change is written."""
        self._make_backup_later()
        self.storage.prepare_saves()
        with self._backup_lock:
            found, self._backup_warnings = self._backup_warnings, []
        return found

    def _make_backup_later(self) -> None:
        with self._backup_lock:  # one at a time; a save waits here for a backup under way
            pending, self._backup_later = self._backup_later, None
            if pending is None:
                return
            raw, moment = pending
            del pending
            if isinstance(raw, mmap.mmap) and raw.size() < len(raw):
                # Cut short in place since it was read (an editor; never a save): its end is gone, so copying
                # it would stop the app. The store refuses the file at its next read (see storage.read_file).
                warning = ("Er werd geen reservekopie gemaakt: een ander programma heeft het databankbestand "
                           "intussen gewijzigd.")
                self.warnings.append(warning)
            else:
                warning = self._start_backup(raw, moment)
            del raw
            if warning:
                self._backup_warnings.append(warning)
            self.storage.release_pages()  # what the copy touched (see AtomicJSONStorage.release_pages)

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
            self.storage.commit(migrate(plain_document(self.storage.read())))
        except BaseException:
            self.storage.refresh(force=True)  # the migration worked on the document in memory: read it again
            raise
        finally:
            self.storage.end()
        # The migrated document is all dicts; read back, the file is held like any other: each record as its
        # bytes, which a save copies instead of encoding again (at 50,000 pupils ~45 ms less per save, for the
        # rest of the day) and which take a third of the memory. Once per file, at the upgrade.
        self.storage.refresh(force=True)

    # -- transactions (DocumentStore's hooks) ---------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the thread and the file lock, saying beside the lock who holds it (for other windows)."""
        with self._thread_lock:
            if self._file_lock is None:
                self._file_lock = lock_for(self.path, self.lock_timeout)
            with hold_lock(self._file_lock, self.path, user=self.user):
                yield

    def _committed(self) -> Document:
        return self.storage.read()

    def _checked_models(self, table: str, rows, kind: type) -> dict | None:
        return self.storage.checked_models(table, rows, kind)

    def _committed_generation(self) -> int:
        return self.storage.generation + 1  # positive, also before the first read

    def _begin(self) -> Document:
        held = contextlib.ExitStack()
        held.enter_context(self._locked())
        try:
            try:
                self.storage.begin()
            except UnreadableFileError:
                self.storage.end()
                self._load_checked()  # raises the Dutch corrupt-file error
            document = self.storage.read()
            version = schema_version_of(document)
            if version > CURRENT_SCHEMA:  # a newer ouder-tui upgraded the file meanwhile
                raise self._newer_schema_error(version)
        except BaseException:
            self.storage.end()
            held.close()
            raise
        self._held = held
        return document

    def _must_commit(self, txn) -> bool:
        return txn.dirty or self.storage.pending_key_switch()

    def _commit(self, document: Document) -> None:
        self._make_backup_later()  # (nothing, once the start backup is made)
        self.storage.commit(document)

    def _end(self) -> None:
        self.storage.end()
        held, self._held = self._held, None
        if held is not None:
            held.close()

    def close(self) -> None:
        """Nothing is held open between operations."""
