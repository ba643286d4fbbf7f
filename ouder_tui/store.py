"""The store interface: what services and screens may ask of a database, wherever it lives.

Homes (DESIGN.md, "The store: one interface, several homes"):

* :class:`~ouder_tui.filestore.FileStore`, one JSON file on this PC (the default);
* :class:`~ouder_tui.memstore.MemoryStore`, in memory (most tests, trying things out).

Every home passes the same contract suite (``tests/test_store_contract.py``):

1. Records carry a revision (``_rev``); saving over a revision someone else changed raises
   :class:`~ouder_tui.errors.ConflictError` saying who and when, and changes nothing.
2. Several changes run as one :meth:`Store.transaction`: all of them are kept, or none.
   Readers in other threads see the last committed state until the commit; a rollback
   leaves nothing visible anywhere.
3. Deleting moves a record to the recycle bin (*prullenbak*); it can be restored or purged.
4. Every change is stamped with who and when, and logged in the same transaction (the log
   holds field names, never values); :meth:`Store.wis` erases records for good.
5. Settings, the current user and the users seen on this database.
6. Change notifications (:meth:`Store.subscribe`) for open screens.

What only one home has (a file's passphrase, backups and lock file) is an optional capability:
:attr:`Store.file` is ``None`` elsewhere. Services and screens depend on this module only.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ouder_tui.errors import ConflictError, ServerUnreachableError, ValidationError
from ouder_tui.models import STORE_KEYS
from ouder_tui.text import clean_text, format_datetime

if TYPE_CHECKING:
    from pathlib import Path

    from ouder_tui import crypto

T = TypeVar("T")
M = TypeVar("M")

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

#: The "table" of a change notice that says a server stopped answering (screens keep what they show).
SERVER_AWAY = "_verbinding_weg"
#: A change notification: the names of the tables that changed (empty: unknown, reload everything).
ChangeListener = Callable[[frozenset[str]], None]


def now() -> datetime:
    """The local time, to the second: the default clock of every home."""
    return datetime.now().astimezone().replace(microsecond=0)


def conflict_error(current: Mapping[str, Any]) -> ConflictError:
    """Someone else saved ``current`` since it was opened: who and when, in Dutch (every home says it alike)."""
    who = current.get("_changed_by", "onbekend")
    when = current.get("_changed_at", "")
    return ConflictError(
        f"{who} heeft dit intussen gewijzigd ({format_datetime(when)}). "
        "Laad de nieuwe versie of overschrijf ze met wat jij invulde.",
        changed_by=who, changed_at=when, current=dict(current))


def validate_user(name: str) -> str:
    """``name`` cleaned of control characters; :class:`ValidationError` when empty or too long."""
    cleaned = clean_text(name)
    if not cleaned:
        raise ValidationError({"gebruiker": "Vul je naam in."})
    if len(cleaned) > MAX_USER_NAME:
        raise ValidationError({"gebruiker": f"Een naam telt hoogstens {MAX_USER_NAME} tekens."})
    return cleaned


class FileCapability(Protocol):
    """What only a database file has: its path, its passphrase protection and its backups.

    Reach it through :attr:`Store.file`; it is ``None`` on homes without a file.
    """

    path: Path
    start_backup: Path | None

    @property
    def protected(self) -> bool: ...

    @property
    def key(self) -> crypto.Key | None: ...

    def needs_passphrase(self) -> bool: ...

    def unlock(self, passphrase: crypto.Passphrase) -> None: ...

    def check_passphrase(self, passphrase: crypto.Passphrase) -> bool: ...

    def set_passphrase(self, new: crypto.Passphrase | None, *,
                       current: crypto.Passphrase | None = None) -> list[str]: ...

    def protection_changed(self) -> dict | None: ...

    def seal_export(self, payload: bytes) -> bytes: ...


class ServerCapability(Protocol):
    """What only a school server has: the login's roles and a check of its password (to unlock the screen).

    Reach it through :attr:`Store.server`; it is ``None`` on homes without a server.
    """

    @property
    def roles(self) -> frozenset[str]: ...

    def check_password(self, password: str) -> bool: ...


class Store(abc.ABC):
    """An open database, whatever its home. Every method raises Dutch errors from :mod:`ouder_tui.errors`.

    Records are plain dicts: the caller's fields plus ``id``, ``_rev`` and the stamps
    ``_created_by``/``_created_at``/``_changed_by``/``_changed_at``, which only the store sets.
    """

    #: The clock that stamps changes (tests pass a fixed one).
    clock: Callable[[], datetime]
    #: Dutch notes about things that went wrong but did not stop the start (e.g. a backup).
    warnings: list[str]
    #: Whether :meth:`load` has run; before that nothing may be read or written.
    loaded: bool

    # -- where it lives -----------------------------------------------------------------
    @property
    @abc.abstractmethod
    def location(self) -> str:
        """Where this database lives, for messages (a path, or ``in het geheugen``)."""

    @property
    def file(self) -> FileCapability | None:
        """The file's own operations (passphrase, backups), or ``None`` for a home without a file."""
        return None

    @property
    def server(self) -> ServerCapability | None:
        """The server's own operations (roles, the login's password), or ``None`` for a home without one."""
        return None

    @property
    def protected(self) -> bool:
        """Whether the database is protected with a passphrase (only a file can be)."""
        return self.file is not None and self.file.protected

    def needs_passphrase(self) -> bool:
        """Whether a passphrase must be given (:attr:`file`'s ``unlock``) before :meth:`load`."""
        return self.file is not None and self.file.needs_passphrase()

    @abc.abstractmethod
    def load(self, *, make_backup: bool = True, create: bool = True, migrate_schema: bool = True,
             backup_later: bool = False) -> None:
        """Open the data (read, check, migrate); the interface calls it in the background after its first frame.

        ``backup_later``: a home that makes a backup at every start (a file) may leave it to :meth:`finish_load`,
        so the data is shown without waiting for it."""

    def finish_load(self) -> list[str]:
        """What :meth:`load` left for later (a file's start backup, what its first save needs); returns Dutch
        warnings about what failed."""
        return []

    def close(self) -> None:
        """Let go of what the store holds open (nothing, for most homes)."""

    def lock_holder(self) -> str | None:
        """Who holds the database for a save right now, when the home can tell (else ``None``)."""
        return None

    # -- the user -------------------------------------------------------------------------
    @property
    @abc.abstractmethod
    def user(self) -> str:
        """The name that stamps every change."""

    @property
    def user_is_login(self) -> bool:
        """Whether :attr:`user` is the login the home itself checked (a server), not a name someone typed."""
        return False

    @abc.abstractmethod
    def set_user(self, name: str) -> str:
        """Switch to ``name`` (validated) and remember it on this database; returns the cleaned name."""

    @abc.abstractmethod
    def known_users(self) -> list[str]:
        """Names used on this database, most recently seen first."""

    # -- transactions and derived data --------------------------------------------------------
    @abc.abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """Run several changes as one save: all of them are kept, or none. Nested calls join the outer one."""

    @property
    @abc.abstractmethod
    def generation(self) -> int:
        """Changes whenever the data this thread sees changes; services key their caches on it."""

    def _uncommitted_here(self) -> bool:
        """Whether this thread is inside a transaction that changed something not yet committed."""
        return False

    # Per-table states let derived data follow only the tables it is made of, and be brought up to date
    # from the records that changed instead of built again (a save at 50,000 records: one record).
    def table_state(self, table: str) -> object:
        """A token that is different whenever ``table`` (as this thread sees it) changed; see :meth:`same_state`.

        The default is the whole store's generation: right, only coarser than a home can do."""
        return self.generation

    def table_states(self, tables: tuple[str, ...]) -> tuple[object, ...]:
        """:meth:`table_state` of each of ``tables``, as one look (a home may check for news once, not per table)."""
        return tuple(self.table_state(t) for t in tables)

    def same_state(self, a: object, b: object) -> bool:
        """Whether two tokens of :meth:`table_state` are the same state of a table."""
        return a == b

    def changed_ids(self, table: str, old: object, new: object) -> set[int] | None:
        """The ids of the records of ``table`` added, changed or removed between two of its states, or
        ``None`` when the home cannot tell (then derived data is built again)."""
        return None

    def all_as(self, kind: type[M], table: str) -> list[M]:
        """Every record of ``table`` as a model ``kind`` (keys it does not know are ignored), in id order.

        The same as converting :meth:`all`; a home may do it faster (straight from what it stored)."""
        import msgspec

        from ouder_tui.collector import paused_gc

        with paused_gc():
            return msgspec.convert(self.all(table), list[kind], strict=False)

    def derived(self, key: str, build: Callable[[], T], *, tables: tuple[str, ...] | None = None,
                update: Callable[[T, dict[str, set[int]]], T] | None = None) -> T:
        """A value computed from the data, built again only when the data changed (shared by services).

        With ``tables`` only a change of those tables counts, and with ``update`` the value is brought up to
        date from the old one and the ids that changed per table (``update(old, {table: ids})`` returns the
        new value and never changes the old one: other threads may still be reading it); when the home
        cannot tell which records changed it is built again. Inside a transaction with uncommitted changes
        it is built on the spot and never cached, so nothing uncommitted is ever seen by another thread.
        """
        if self._uncommitted_here():
            return build()
        cache = self.__dict__.setdefault("_derived_cache", {})
        cached = cache.get(key)
        if tables is None:
            state: tuple = (self.generation,)
            names: tuple[str, ...] = ()
        else:
            names = tables
            state = self.table_states(names)
        if cached is not None and (cached[0] == state if tables is None  # the generation: a number
                                   else all(self.same_state(a, b) for a, b in zip(cached[0], state))):
            return cached[1]
        try:
            value = None
            if cached is not None and update is not None and names:
                changes: dict[str, set[int]] | None = {}
                for name, old, new in zip(names, cached[0], state):
                    if self.same_state(old, new):
                        continue
                    ids = self.changed_ids(name, old, new)
                    if ids is None:
                        changes = None
                        break
                    changes[name] = ids
                if changes is not None:
                    value = (state, update(cached[1], changes))
            if value is None:
                value = (state, build())
        except ServerUnreachableError:
            if cached is None:
                raise
            return cached[1]  # the server is away: the last data it gave, until it is back
        cache[key] = value
        return value[1]

    def subscribe(self, listener: ChangeListener, *, others_only: bool = False) -> Callable[[], None]:
        """Call ``listener`` (from any thread) after data changed; returns the function that unsubscribes.

        With ``others_only`` only for changes made elsewhere (another PC on a server), not this store's own.
        """
        entry = (listener, others_only)
        listeners = self.__dict__.setdefault("_change_listeners", [])
        listeners.append(entry)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                listeners.remove(entry)

        return unsubscribe

    def _notify(self, tables: frozenset[str], *, elsewhere: bool = False) -> None:
        """Tell the listeners that ``tables`` changed (``elsewhere``: by another PC)."""
        for listener, others_only in list(self.__dict__.get("_change_listeners", ())):
            if others_only and not elsewhere:
                continue
            try:
                listener(tables)
            except Exception:  # noqa: BLE001 - a broken screen must not undo or fail a save that is done
                continue

    # -- records ----------------------------------------------------------------------------
    @abc.abstractmethod
    def get(self, table: str, record_id: int) -> dict | None:
        """One record with its ``id`` and revision, or ``None``."""

    @abc.abstractmethod
    def all(self, table: str) -> list[dict]:
        """Every record of ``table`` (not those in the recycle bin), each a copy with its ``id``."""

    @abc.abstractmethod
    def count(self, table: str) -> int:
        """How many records ``table`` holds."""

    def insert(self, table: str, data: Mapping[str, Any]) -> dict:
        """Add a record; returns it with its new ``id`` and revision 1."""
        return self.insert_many(table, [data])[0]

    @abc.abstractmethod
    def insert_many(self, table: str, items: Iterable[Mapping[str, Any]]) -> list[dict]:
        """Add several records in one save."""

    def update(self, table: str, record_id: int, data: Mapping[str, Any], *, expected_rev: int | None) -> dict:
        """Replace a record's fields; returns the saved record.

        ``expected_rev`` is the revision the caller opened; when someone saved in between,
        :class:`~ouder_tui.errors.ConflictError` is raised and nothing changes. ``None``
        overwrites whatever is there (the user chose to).
        """
        return self.update_many(table, [(record_id, data, expected_rev)])[0]

    @abc.abstractmethod
    def update_many(self, table: str, changes: Iterable[tuple[int, Mapping[str, Any], int | None]]) -> list[dict]:
        """Replace several records in one save; a single conflict cancels all of them."""

    # -- recycle bin ---------------------------------------------------------------------------
    @abc.abstractmethod
    def delete(self, table: str, record_id: int, *, label: str = "", expected_rev: int | None = None) -> int:
        """Move a record to the recycle bin; returns the bin entry's id."""

    @abc.abstractmethod
    def recycle_bin(self, table: str | None = None) -> list[dict]:
        """What is in the bin (newest first), optionally for one table.

        Each entry: ``id``, ``table``, ``record_id``, ``label``, ``record``, ``_deleted_by``, ``_deleted_at``.
        """

    @abc.abstractmethod
    def restore(self, bin_id: int) -> dict:
        """Put a deleted record back under its old id; returns it."""

    @abc.abstractmethod
    def purge(self, bin_id: int) -> None:
        """Remove an entry from the bin for good."""

    @abc.abstractmethod
    def scrub_bin(self, bin_id: int, record: Mapping[str, Any]) -> None:
        """Replace the record a bin entry holds, for an erasure: a deleted session that stays in the bin
        forgets an erased parent. Not logged on its own: it belongs to the erasure's transaction."""

    # -- the log and erasure ----------------------------------------------------------------------
    @abc.abstractmethod
    def logboek(self, *, door: str = "", van: str = "", tot: str = "", tabel: str = "",
                record_id: int | None = None) -> list[dict]:
        """Log entries, newest first; ``van``/``tot`` are ISO dates (both included)."""

    @abc.abstractmethod
    def wis(self, records: Iterable[tuple[str, int]], bin_ids: Iterable[int] = ()) -> int:
        """Erase records for good: from their tables, the recycle bin (``bin_ids``) and the log.

        One log entry then says that an erasure happened, by whom and when, and how many
        records it took, never which. Returns that number.
        """

    # -- settings and information --------------------------------------------------------------------
    def settings(self) -> dict:
        """The database's settings (school name, ...), with who changed them last."""
        return self.get(SETTINGS, 1) or {}

    @abc.abstractmethod
    def update_settings(self, **values: Any) -> dict:
        """Change some settings; the others stay."""

    @abc.abstractmethod
    def schema_version(self) -> int:
        """The version of the data's layout."""

    @abc.abstractmethod
    def table_names(self) -> list[str]:
        """The names of the tables that hold records (not the store's own)."""

