"""The store's operations over a document of tables, shared by the file and the in-memory homes.

A document is TinyDB's layout: ``{table: {str(id): record}}``, plus ``_meta`` (schema version,
id counters), ``_prullenbak`` (the recycle bin) and ``_logboek`` (the log).

Isolation: the committed document is never changed in place. A transaction works on copies of
the tables it writes (copy on first write; records themselves are never mutated, only replaced),
so readers in other threads keep seeing the last committed document until the home publishes the
new one in a single assignment, and a rollback simply forgets the copies. A table the file home
read packed is not copied but overlaid with what the transaction changes (see :mod:`ouder_tui.tables`).
"""

from __future__ import annotations

import abc
import contextlib
import itertools
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import msgspec

from ouder_tui.collector import paused_gc
from ouder_tui.errors import NotFoundError, StoreError
from ouder_tui.integrity import joined_records, record_of
from ouder_tui.migrations import META_ID, META_TABLE, schema_version_of
from ouder_tui.store import (
    LOG,
    META_KEYS,
    RECYCLE_BIN,
    SETTINGS,
    USERS,
    M,
    Store,
    conflict_error,
    validate_user,
)
from ouder_tui.tables import MAX_CHANGED, NUMBERED, PackedTable, compared, writable_copy
from ouder_tui.text import (
    clean_text,
    format_datetime,
    strip_controls,
    strip_controls_deep,
)

Document = dict[str, dict[str, Any]]

_EMPTY: Mapping[str, dict] = MappingProxyType({})
#: Generations of uncommitted states: negative and unique, so they never equal a committed one.
_UNCOMMITTED = itertools.count(1)

LogLine = tuple[int, str, tuple[str, ...], str]


def _records(rows: Mapping[str, Any]) -> list[dict]:
    """Every record of a table as a dict, in stored order (the compact ones decoded in one go)."""
    if isinstance(rows, PackedTable):
        with paused_gc():
            return list(rows.decoded().values())
    if not any(type(value) is msgspec.Raw for value in rows.values()):
        return list(rows.values())
    with paused_gc():
        return msgspec.json.decode(joined_records(rows.values()))


class _Transaction:
    """The working state of one transaction: the base it started from and copies of the tables it wrote."""

    def __init__(self, base: Document) -> None:
        self.base = base
        self.thread = threading.get_ident()
        self.tables: dict[str, dict[str, Any]] = {}
        self.counters: dict[str, int] | None = None
        self.dirty = False
        self.generation = 0

    def table(self, name: str) -> Mapping[str, Any]:
        found = self.tables.get(name)
        return found if found is not None else self.base.get(name, _EMPTY)

    def writable(self, name: str) -> dict[str, Any]:
        """The table to change, copied from the base the first time (the base stays as it was)."""
        found = self.tables.get(name)
        if found is None:
            found = self.tables[name] = writable_copy(self.base.get(name, {}))
        self.touch()
        return found

    def touch(self) -> None:
        self.dirty = True
        self.generation = -next(_UNCOMMITTED)

    def next_id(self, name: str) -> int:
        """A new id for ``name``: from the counter kept in ``_meta`` (never reused, also not after a purge)."""
        if self.counters is None:
            meta = self.base.get(META_TABLE, {}).get(META_ID, {})
            self.counters = dict(meta.get("next_ids", {})) if isinstance(meta, dict) else {}
        table = self.table(name)
        next_id = self.counters.get(name, 1)
        if str(next_id) in table:  # a file edited by hand: fall back to scanning
            next_id = max(int(key) for key in table) + 1
        self.counters[name] = next_id + 1
        self.touch()
        return next_id

    def final_document(self) -> Document:
        """The new document to commit, each written table numbered with its changes (see :mod:`ouder_tui.tables`)."""
        for name, table in self.tables.items():
            table.committed(self.base.get(name, _EMPTY))
        return self.document()

    def document(self) -> Document:
        """The new document: the base with the changed tables (and id counters) swapped in."""
        document = {**self.base, **self.tables}
        if self.counters is not None:
            meta = dict(self.base.get(META_TABLE, {}))
            meta[META_ID] = {**meta.get(META_ID, {}), "next_ids": self.counters}
            document[META_TABLE] = meta
        return document


class DocumentStore(Store):
    """Records with revisions, the bin, the log, users and settings over a document of tables.

    A home supplies the committed document (:meth:`_committed`), how a transaction starts
    (:meth:`_begin`: take the home's lock, re-read), is kept (:meth:`_commit`) and ends (:meth:`_end`).
    """

    def __init__(self, *, user: str, clock: Callable[[], Any]) -> None:
        self.clock = clock
        self._user = validate_user(user)
        self.warnings: list[str] = []
        self.loaded = False
        self._thread_lock = threading.RLock()
        self._txn: _Transaction | None = None

    # -- what a home supplies ---------------------------------------------------------------
    @abc.abstractmethod
    def _committed(self) -> Document:
        """The last committed document (a file home re-reads it first when another process saved)."""

    @abc.abstractmethod
    def _committed_generation(self) -> int:
        """A positive number that changes whenever :meth:`_committed` changes."""

    @abc.abstractmethod
    def _begin(self) -> Document:
        """Start a transaction (holding the thread lock): take the home's lock, return the current document."""

    @abc.abstractmethod
    def _commit(self, document: Document) -> None:
        """Make ``document`` the committed one (durably, for a file), in one step for readers."""

    @abc.abstractmethod
    def _end(self) -> None:
        """The transaction is over (committed or not): release the home's lock."""

    # -- transactions ------------------------------------------------------------------------
    def _own_transaction(self) -> _Transaction | None:
        txn = self._txn
        return txn if txn is not None and txn.thread == threading.get_ident() else None

    def _working(self) -> _Transaction:
        txn = self._own_transaction()
        assert txn is not None, "alleen binnen Store.transaction()"
        return txn

    def _must_commit(self, txn: _Transaction) -> bool:
        """Whether the commit has to write (a home may have more to write than records, e.g. a new key)."""
        return txn.dirty

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self._thread_lock:
            if self._txn is not None:  # the RLock is ours, so this is our own outer transaction
                yield
                return
            base = self._begin()
            txn = _Transaction(base)
            self._txn = txn
            try:
                yield
                if self._must_commit(txn):
                    try:
                        self._commit(txn.final_document())
                    except OSError as exc:
                        raise StoreError(
                            f"Bewaren is mislukt: {exc.strerror or exc}. De databank is niet gewijzigd."
                        ) from None
                    changed = frozenset(txn.tables)
                else:
                    changed = None
            finally:
                self._txn = None
                self._end()
        if changed is not None:
            self._notify(changed)

    @property
    def generation(self) -> int:
        txn = self._own_transaction()
        if txn is not None and txn.dirty:
            return txn.generation
        self._committed()
        return self._committed_generation()

    def _uncommitted_here(self) -> bool:
        txn = self._own_transaction()
        return txn is not None and txn.dirty

    # A committed table is never changed in place (a transaction writes a copy, and replaces records rather
    # than changing them), so the table's own dict is its state, and the records that changed between two
    # states are the ones that are not the same object.
    def table_state(self, table: str) -> object:
        return self._committed().get(table, _EMPTY)

    def table_states(self, tables: tuple[str, ...]) -> tuple[object, ...]:
        document = self._committed()  # a file home looks whether the file changed: once for all of them
        return tuple(document.get(table, _EMPTY) for table in tables)

    def same_state(self, a: object, b: object) -> bool:
        return a is b

    def changed_ids(self, table: str, old: object, new: object) -> set[int] | None:
        if not isinstance(old, Mapping) or not isinstance(new, Mapping):
            return None
        changed = None
        if isinstance(new, NUMBERED) and isinstance(old, NUMBERED):  # this window wrote both: it noted the keys
            for serial, keys in new.history:
                if serial == old.serial:
                    if keys is None:
                        return None
                    changed = keys
                    break
        if changed is None:  # compare: a table read again from the file (another window saved) is all new
            changed = compared(old, new)
        if len(changed) > max(MAX_CHANGED, len(new) // 4):
            return None  # another window's save read back from the file: every record is new; build again
        return {int(key) for key in changed}

    # -- reading -------------------------------------------------------------------------------
    def _table(self, name: str) -> Mapping[str, Any]:
        txn = self._own_transaction()
        if txn is not None:
            return txn.table(name)
        return self._committed().get(name, _EMPTY)

    def get(self, table: str, record_id: int) -> dict | None:
        doc = self._table(table).get(str(record_id))
        return {**record_of(doc), "id": record_id} if doc is not None else None

    def all(self, table: str) -> list[dict]:
        return [{**doc, "id": int(key)} for key, doc in self._rows(table)]

    def _rows(self, table: str) -> Iterator[tuple[str, dict]]:
        """Every record of ``table`` with its key, as dicts, from one state of the table."""
        rows = self._table(table)
        return zip(rows, _records(rows))

    def count(self, table: str) -> int:
        return len(self._table(table))

    def all_as(self, kind: type[M], table: str) -> list[M]:
        """The stored records converted as they are (no copy of each with its id added, then thrown away:
        at 50,000 records that copy cost more than the conversion), then each model given its id.

        The id is set on the new models themselves, which nothing else holds yet (a copy of each with its id
        cost ~25 ms at 50,000 records and left the memory of the first ones in holes)."""
        from msgspec.structs import force_setattr

        from ouder_tui.models import Record

        if not issubclass(kind, Record):
            return super().all_as(kind, table)
        rows = self._table(table)
        with paused_gc():
            checked = self._checked_models(table, rows, kind)
            if isinstance(rows, PackedTable):  # its ids are at hand, in the order of its records
                # the check decoded them from this very table's text (see _checked_models), in its order; its keys
                # would be made one by one to compare, so the count tells
                if checked is not None and len(checked) == len(rows):
                    models = list(checked.values())  # handed over to this reader alone
                else:
                    models = list(rows.decoded(kind).values())
                deque(map(force_setattr, models, itertools.repeat("id"), rows.ids), maxlen=0)
                return models
            if checked is not None and checked.keys() == rows.keys():  # decoded when the file was read
                for key, model in checked.items():  # handed over to this reader alone (see _checked_models)
                    force_setattr(model, "id", int(key))
                return list(checked.values())
            if any(type(value) is msgspec.Raw for value in rows.values()):
                models = msgspec.json.decode(joined_records(rows.values()), type=list[kind], strict=False)
            else:
                models = msgspec.convert(list(rows.values()), list[kind], strict=False)
            for model, key in zip(models, rows):
                force_setattr(model, "id", int(key))
            return models

    def _checked_models(self, table: str, rows: Mapping[str, Any], kind: type) -> dict | None:
        """Models of ``rows`` (the table ``table`` as read) a home already decoded when it read them, if any."""
        return None

    def schema_version(self) -> int:
        return schema_version_of({META_TABLE: dict(self._table(META_TABLE))})

    def table_names(self) -> list[str]:
        txn = self._own_transaction()
        names = txn.document() if txn is not None else self._committed()
        return sorted(name for name in names if not name.startswith("_"))

    # -- the user --------------------------------------------------------------------------------
    @property
    def user(self) -> str:
        return self._user

    def set_user(self, name: str) -> str:
        cleaned = validate_user(name)
        now = self.clock().isoformat()
        with self.transaction():
            txn = self._working()
            users = txn.writable(USERS)
            existing = [key for key, doc in users.items() if record_of(doc).get("naam") == cleaned]
            for key in existing:
                users[key] = {**record_of(users[key]), "laatst_gezien": now}
            if not existing:
                users[str(txn.next_id(USERS))] = {"naam": cleaned, "laatst_gezien": now}
        self._user = cleaned  # only once it is recorded: a failed save leaves the old user
        return cleaned

    def known_users(self) -> list[str]:
        users = sorted(((key, record_of(doc)) for key, doc in self._table(USERS).items()),
                       key=lambda item: (item[1].get("laatst_gezien", ""), int(item[0])), reverse=True)
        return [doc["naam"] for _, doc in users]

    # -- records -------------------------------------------------------------------------------------
    def _stamp(self, record: dict, *, created: bool) -> None:
        now = self.clock().isoformat()
        if created:
            record["_created_by"] = self.user
            record["_created_at"] = now
        record["_changed_by"] = self.user
        record["_changed_at"] = now

    @staticmethod
    def _user_fields(data: Mapping[str, Any]) -> dict:
        """What the caller may set, with every text stripped of control characters (the store's boundary)."""
        return {strip_controls(k): strip_controls_deep(v) for k, v in data.items() if k not in META_KEYS}

    def insert_many(self, table: str, items: Iterable[Mapping[str, Any]]) -> list[dict]:
        records = []
        for data in items:
            record = self._user_fields(data)
            record["_rev"] = 1
            self._stamp(record, created=True)
            records.append(record)
        saved = []
        with self.transaction():
            txn = self._working()
            if records:
                target = txn.writable(table)
                for record in records:
                    record_id = txn.next_id(table)
                    target[str(record_id)] = record
                    saved.append({**record, "id": record_id})
                self._log_many(table, [(r["id"], "aangemaakt", (), r["_changed_at"]) for r in saved])
        return saved


    def update_many(self, table: str, changes: Iterable[tuple[int, Mapping[str, Any], int | None]]) -> list[dict]:
        changes = list(changes)
        saved: dict[int, dict] = {}
        logged: list[LogLine] = []
        with self.transaction():
            txn = self._working()
            current_table = txn.table(table)
            for record_id, data, expected_rev in changes:
                current = record_of(current_table.get(str(record_id)))
                if current is None:
                    raise NotFoundError(self._missing_message(table, record_id))
                if expected_rev is not None and current.get("_rev") != expected_rev:
                    raise conflict_error({**current, "id": record_id})
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
            if saved:
                target = txn.writable(table)
                for record_id, record in saved.items():
                    target[str(record_id)] = record
                self._log_many(table, logged)
        return [{**record, "id": record_id} for record_id, record in saved.items()]

    def _missing_message(self, table: str, record_id: int) -> str:
        for entry in _records(self._table(RECYCLE_BIN)):
            if entry.get("table") == table and entry.get("record_id") == record_id:
                return (
                    f"Dit werd intussen verwijderd door {entry.get('_deleted_by', 'onbekend')} "
                    f"({format_datetime(entry.get('_deleted_at'))}). Je vindt het in de prullenbak."
                )
        return "Dit bestaat niet (meer)."

    # -- recycle bin ----------------------------------------------------------------------------------
    def delete(self, table: str, record_id: int, *, label: str = "", expected_rev: int | None = None) -> int:
        with self.transaction():
            txn = self._working()
            current = record_of(txn.table(table).get(str(record_id)))
            if current is None:
                raise NotFoundError(self._missing_message(table, record_id))
            if expected_rev is not None and current.get("_rev") != expected_rev:
                raise conflict_error({**current, "id": record_id})
            entry = {
                "table": table,
                "record_id": record_id,
                "label": clean_text(label),
                "record": dict(current),
                "_deleted_by": self.user,
                "_deleted_at": self.clock().isoformat(),
            }
            del txn.writable(table)[str(record_id)]
            self._log_many(table, [(record_id, "verwijderd", (), entry["_deleted_at"])])
            bin_id = txn.next_id(RECYCLE_BIN)
            txn.writable(RECYCLE_BIN)[str(bin_id)] = entry
            return bin_id

    def recycle_bin(self, table: str | None = None) -> list[dict]:
        entries = [{**doc, "id": int(key)} for key, doc in self._rows(RECYCLE_BIN)]
        if table:
            entries = [e for e in entries if e.get("table") == table]
        return sorted(entries, key=lambda e: e.get("_deleted_at", ""), reverse=True)

    def restore(self, bin_id: int) -> dict:
        with self.transaction():
            txn = self._working()
            entry = record_of(txn.table(RECYCLE_BIN).get(str(bin_id)))
            if entry is None:
                raise NotFoundError("Dit staat niet (meer) in de prullenbak.")
            table, record_id = entry["table"], entry["record_id"]
            record = dict(entry["record"])
            record["_rev"] = record.get("_rev", 0) + 1
            self._stamp(record, created=False)
            if str(record_id) in txn.table(table):
                raise StoreError("Er bestaat al een record met hetzelfde nummer; terugzetten kan niet.")
            txn.writable(table)[str(record_id)] = record
            del txn.writable(RECYCLE_BIN)[str(bin_id)]
            self._log_many(table, [(record_id, "teruggezet", (), record["_changed_at"])])
        return {**record, "id": record_id}

    def purge(self, bin_id: int) -> None:
        with self.transaction():
            txn = self._working()
            entry = record_of(txn.table(RECYCLE_BIN).get(str(bin_id)))
            if entry is None:
                raise NotFoundError("Dit staat niet (meer) in de prullenbak.")
            del txn.writable(RECYCLE_BIN)[str(bin_id)]
            self._log_many(entry.get("table", ""), [(entry.get("record_id", 0), "definitief", (),
                                                     self.clock().isoformat())])

    def scrub_bin(self, bin_id: int, record: Mapping[str, Any]) -> None:
        with self.transaction():
            txn = self._working()
            entry = record_of(txn.table(RECYCLE_BIN).get(str(bin_id)))
            if entry is None:
                raise NotFoundError("Dit staat niet (meer) in de prullenbak.")
            txn.writable(RECYCLE_BIN)[str(bin_id)] = {**entry, "record": dict(record)}

    # -- the log --------------------------------------------------------------------------------------
    def _log_many(self, table: str, entries: Iterable[LogLine]) -> None:
        """Record changes in the log, in the same transaction as the changes themselves (``at``: their stamp)."""
        txn = self._working()
        log = None
        for record_id, action, fields, at in entries:
            if log is None:
                log = txn.writable(LOG)
            log[str(txn.next_id(LOG))] = {"tabel": table, "record": record_id, "actie": action,
                                          "velden": list(fields), "door": self.user, "op": at}

    def logboek(self, *, door: str = "", van: str = "", tot: str = "", tabel: str = "",
                record_id: int | None = None) -> list[dict]:
        found = []
        for key, entry in self._rows(LOG):
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
        records = {(table, int(record_id)) for table, record_id in records}
        bin_ids = set(bin_ids)
        count = 0
        with self.transaction():
            txn = self._working()
            for table, record_id in records:
                if str(record_id) in txn.table(table):
                    del txn.writable(table)[str(record_id)]
                    count += 1
            binned = [key for key, doc in self._rows(RECYCLE_BIN)
                      if int(key) in bin_ids or (doc.get("table"), doc.get("record_id")) in records]
            if binned:
                bin_table = txn.writable(RECYCLE_BIN)
                for key in binned:
                    del bin_table[key]
                count += len(binned)
            traces = [key for key, doc in self._rows(LOG)
                      if (doc.get("tabel"), doc.get("record")) in records]
            log = txn.writable(LOG)
            for key in traces:
                del log[key]
            log[str(txn.next_id(LOG))] = {"tabel": "", "record": None, "actie": "gewist", "velden": [],
                                          "door": self.user, "op": self.clock().isoformat(), "aantal": count}
        return count

    # -- settings ------------------------------------------------------------------------------------
    def update_settings(self, **values: Any) -> dict:
        with self.transaction():
            txn = self._working()
            current = self.get(SETTINGS, 1)
            if current is None:
                record = self._user_fields(values)
                record["_rev"] = 1
                self._stamp(record, created=True)
                txn.writable(SETTINGS)["1"] = record
                self._log_many(SETTINGS, [(1, "aangemaakt", (), record["_changed_at"])])
                return {**record, "id": 1}
            merged = {**self._user_fields(current), **values}
            return self.update(SETTINGS, 1, merged, expected_rev=None)
