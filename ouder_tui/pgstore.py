"""The server home of the store: one school database on a PostgreSQL server (psycopg 3).

The same contract as the file (``tests/test_store_contract.py`` runs on both), with the server as
the authority (see :mod:`ouder_tui.pgschema`): who made a change is the login (``session_user``),
stamps, revisions and the log are written by the database in the same transaction, and the roles
decide who may read confidential notes, change settings or erase.

Two connections: one for transactions, one (autocommit) for reads from other threads, so a screen
reading while a worker saves sees committed data only. A third listens for the notifications every
committed change sends, so open screens on every PC learn of it (:meth:`PgStore.subscribe`).
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec
from msgspec.structs import replace

from ouder_tui.areas import HIDDEN, Confidential, confidential_tables
from ouder_tui.errors import NotFoundError, ServerUnreachableError, StoreError
from ouder_tui.models import Record
from ouder_tui.pgschema import ROLES, SERVER_SCHEMA, group_role
from ouder_tui.store import (
    LOG,
    META_KEYS,
    RECYCLE_BIN,
    SERVER_AWAY,
    SETTINGS,
    M,
    Store,
    conflict_error,
    now,
)
from ouder_tui.text import clean_text, format_datetime, strip_controls, strip_controls_deep

if TYPE_CHECKING:
    import psycopg


#: How long the listening connection waits before trying a lost server again.
RECONNECT_SECONDS = 2.0
#: The bin's confidential parts are kept under this table name in ``vertrouwelijk``.
_BIN = "_prullenbak"
#: A record's columns; the fields come as JSON text, which msgspec decodes several times faster than
#: psycopg's own JSONB loader (50,000 records: the difference between a list in time and not).
_COLUMNS = "id, rev, data::text, created_by, created_at, changed_by, changed_at"
#: A record as the app reads it, as json, for a row the server has not kept it for (see pgschema: ``tekst``).
_TEKST = ("(data || jsonb_strip_nulls(jsonb_build_object('id', id, '_rev', rev, '_created_by', created_by, "
          "'_created_at', created_at, '_changed_by', changed_by, '_changed_at', changed_at)))::json")


class PasswordNeededError(StoreError):
    """The server asks a password that was not given (the interface and the CLI ask it, unseen)."""


def _stamps(**stamps: str | None) -> dict[str, str]:
    """Who/when keys of a record, leaving out those the record never had (a file from before stamps)."""
    return {f"_{key}": value for key, value in stamps.items() if value is not None}


def connect_raw(url: str, *, password: str | None = None, autocommit: bool = False) -> psycopg.Connection:
    """A psycopg connection to ``url``; a refusal becomes a Dutch :class:`StoreError`."""
    import psycopg

    from ouder_tui.pgurl import prepare_url, redact

    kwargs: dict[str, Any] = {"autocommit": autocommit, "connect_timeout": 10, "application_name": "ouder-tui"}
    if password is not None:
        kwargs["password"] = password
    try:
        return psycopg.connect(prepare_url(url), **kwargs)
    except psycopg.OperationalError as exc:
        text = str(exc)
        if "password" in text and ("no password supplied" in text or "fe_sendauth" in text):
            raise PasswordNeededError(f"De server {redact(url)} vraagt een wachtwoord.") from None
        if "password authentication failed" in text:
            raise PasswordNeededError(f"Het wachtwoord voor {redact(url)} klopt niet.") from None
        if "CONNECT privilege" in text:
            raise StoreError(f"Deze login heeft geen rol in de databank {redact(url)} (zorg, leerkracht of beheer). "
                             "Vraag de beheerder: ouder-tui server gebruiker NAAM --rol ...") from None
        raise StoreError(f"Kan de schoolserver {redact(url)} niet bereiken: {text.strip()}") from None


def _item_key(item: Mapping[str, Any], index: int) -> str:
    """How the secret part finds an item again: by its own id (an action keeps it when others are
    added, removed or reordered); by position only for an item without one."""
    return str(item.get("id") or f"#{index}")


def _split(spec: Confidential, data: dict) -> tuple[dict, dict | None]:
    """A confidential record's public part (with the hidden fields marked) and its secret part."""
    if not data.get(spec.flag):
        return data, None
    public, secret = dict(data), {}
    hidden = []
    for name in spec.fields:
        secret[name] = data.get(name, "")
        public[name] = ""
        if secret[name]:
            hidden.append(name)
    for name, key in spec.items.items():
        items = data.get(name) or []
        secret[name] = {_item_key(item, i): item.get(key, "") for i, item in enumerate(items)}
        public[name] = [{**item, key: ""} for item in items]
        if any(secret[name].values()):
            hidden.append(name)
    public["_verborgen"] = hidden
    return public, secret


def _join(spec: Confidential, public: dict, secret: dict | None) -> dict:
    """The record as a reader sees it: whole with ``secret``; with :data:`HIDDEN` in its place without."""
    hidden = public.pop("_verborgen", None)
    if hidden is None:
        return public
    for name in spec.fields:
        public[name] = secret.get(name, "") if secret is not None else (HIDDEN if name in hidden else "")
    for name, key in spec.items.items():
        texts = (secret or {}).get(name) or {}
        if isinstance(texts, list):  # kept by position before schema 2 of the secret part
            texts = {f"#{i}": text for i, text in enumerate(texts)}
        items = public.get(name) or []
        if secret is None:
            public[name] = [{**item, key: HIDDEN if name in hidden else ""} for item in items]
        else:
            public[name] = [{**item, key: texts.get(_item_key(item, i), texts.get(f"#{i}", ""))}
                            for i, item in enumerate(items)]
    return public


#: While the server is away, the last answer to a reading query is shown again if it had at most this
#: many rows; of these the most recent ``_KEEP_ANSWERS`` are kept.
_KEEP_ROWS = 500
_KEEP_ANSWERS = 256
#: Steps kept per table of which records changed (beyond, derived data is built again).
_JOURNAL = 64
#: Above this many records of one table in one batch of notifications, derived data is built again.
_MAX_NOTIFIED = 2000


@functools.cache
def _json_bytes_loader() -> type:
    from psycopg.adapt import Loader

    class JsonBytes(Loader):
        """A ``json`` value as its bytes (msgspec decodes them straight into models)."""

        def load(self, data: Any) -> bytes:
            return bytes(data)

    return JsonBytes


def _older_schema_note(version: int, where: str) -> str:
    return (f"De databank op {where} is ingericht door een oudere versie van ouder-tui (schemaversie {version}). "
            "Alles werkt, maar lijsten laden trager. De beheerder werkt de databank bij met: "
            f"ouder-tui server init \"{where}\"")


def _notified(payloads: Iterable[str]) -> dict[str, frozenset[int] | None]:
    """What another PC's commit changed, from the server's notifications: ``tabel`` (records unknown) or
    ``tabel:id`` (one record); the bin comes as ``_prullenbak``."""
    changes: dict[str, set[int] | None] = {}
    for payload in payloads:
        table, _, record = payload.partition(":")
        known = changes.get(table, set())
        if known is None or not record.isdigit():
            changes[table] = None
        else:
            known.add(int(record))
            changes[table] = known
    return {t: (frozenset(ids) if ids is not None and len(ids) <= _MAX_NOTIFIED else None)
            for t, ids in changes.items()}


class PgStore(Store):
    """A school database on a PostgreSQL server. Build it with :meth:`PgStore.connect`."""

    def __init__(self, url: str, *, password: str | None = None, clock: Callable[[], datetime] = now) -> None:
        from ouder_tui.pgurl import redact

        self.url = url
        self._password = password
        self.clock = clock
        self.warnings: list[str] = []
        self.loaded = False
        self._redacted = redact(url)
        self._thread_lock = threading.RLock()
        self._txn_thread: int | None = None
        self._txn_dirty = False
        self._write: psycopg.Connection | None = None
        self._read: psycopg.Connection | None = None
        self._read_lock = threading.Lock()
        self._generation = 1
        self._schema = SERVER_SCHEMA
        #: Per-table states (see Store.table_state): (epoch, the table's generation). The epoch moves when
        #: changes may have been missed (the server was away); a journal keeps which records this PC's own
        #: commits changed, so derived data follows them record by record.
        self._state_lock = threading.Lock()
        self._epoch = 0
        self._table_generations: dict[str, int] = {}
        self._journal: dict[str, deque[tuple[int, frozenset[int] | None]]] = {}
        self._txn_changes: dict[str, set[int] | None] = {}
        #: the last answers to small reading queries (settings, a record, the bin), served while the server is away
        self._last_answers: OrderedDict[tuple, list[tuple]] = OrderedDict()
        self._listening: threading.Thread | None = None
        self._closed = False
        self._away = False
        self._user = ""
        self._database = ""
        self._roles: frozenset[str] = frozenset()
        self._confidential = confidential_tables()

    @classmethod
    def connect(cls, url: str, *, password: str | None = None, clock: Callable[[], datetime] = now,
                listen: bool = True) -> PgStore:
        """Connect and check the schema; :class:`PasswordNeededError` or a Dutch :class:`StoreError` otherwise."""
        store = cls(url, password=password, clock=clock)
        store.load(listen=listen)
        return store

    # -- connection -------------------------------------------------------------------------------
    def load(self, *, make_backup: bool = True, create: bool = True, migrate_schema: bool = True,
             backup_later: bool = False, listen: bool = True) -> None:
        """Connect (both connections) and check that ``server init`` ran with a schema this build knows."""
        try:
            self._write = connect_raw(self.url, password=self._password)
            self._read = connect_raw(self.url, password=self._password, autocommit=True)
            self._check_schema_and_roles()
        except BaseException:
            self.close()  # a refusal leaves no connection open
            raise
        self.loaded = True
        if listen:
            self._listening = threading.Thread(target=self._listen, name="ouder-tui LISTEN", daemon=True)
            self._listening.start()

    def _check_schema_and_roles(self) -> None:
        assert self._read is not None
        with self._read.cursor() as cur:
            cur.execute("SELECT session_user, current_database(), EXISTS (SELECT 1 FROM pg_class c JOIN "
                        "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'ouder_tui' AND c.relname = 'meta')")
            self._user, self._database, ready = cur.fetchone()
            if not ready:
                raise StoreError(f"De databank op {self._redacted} is nog niet ingericht voor ouder-tui. "
                                 f"Laat de beheerder eerst uitvoeren: ouder-tui server init \"{self._redacted}\"")
            cur.execute("SELECT r FROM unnest(%s::text[]) r WHERE pg_has_role(session_user, r, 'MEMBER')",
                        ([group_role(r, self._database) for r in ROLES],))
            found = {row[0] for row in cur.fetchall()}
            self._roles = frozenset(r for r in ROLES if group_role(r, self._database) in found)
            if not self._roles:
                raise StoreError(f"De login {self._user} heeft geen rol in ouder-tui (zorg, leerkracht of beheer). "
                                 "Vraag de beheerder: ouder-tui server gebruiker NAAM --rol ...")
            cur.execute("SELECT waarde FROM ouder_tui.meta WHERE sleutel = 'schema_version'")
            version = self._schema = cur.fetchone()[0]
            if version > SERVER_SCHEMA:
                raise StoreError(f"De databank op {self._redacted} is ingericht door een nieuwere versie van "
                                 f"ouder-tui (schemaversie {version}). Installeer de nieuwste versie.")
            if version < SERVER_SCHEMA and (note := _older_schema_note(version, self._redacted)) not in self.warnings:
                self.warnings.append(note)

    def _listen(self) -> None:
        """Wait for the server's notifications of committed changes (from any PC) and pass them on.

        When the connection drops it is made again (every few seconds while the server is away); the
        open screens then fill again, since changes may have been missed meanwhile.
        """
        missed = False
        while not self._closed:
            try:
                conn = connect_raw(self.url, password=self._password, autocommit=True)
            except StoreError:
                time.sleep(RECONNECT_SECONDS)
                missed = True
                continue
            try:
                conn.execute("LISTEN ouder_tui")
                if missed:
                    self._advance({}, missed=True)
                    self._away = False
                    self._notify(frozenset(), elsewhere=True)
                    missed = False
                while not self._closed:
                    own = self._write.info.backend_pid if self._write is not None else None
                    # our own commits were announced by transaction() already
                    changed = {n.payload for n in conn.notifies(timeout=0.5) if n.pid != own}
                    if changed:
                        self._advance(_notified(changed))
                        self._notify(frozenset(t.partition(":")[0] for t in changed), elsewhere=True)
            except Exception:  # noqa: BLE001 - the connection dropped: listen again once the server is back
                missed = True
            finally:
                with contextlib.suppress(Exception):
                    conn.close()

    def close(self) -> None:
        self._closed = True
        for conn in (self._write, self._read):
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn.close()

    @property
    def location(self) -> str:
        return self._redacted

    @property
    def server(self) -> PgStore:
        return self

    @property
    def roles(self) -> frozenset[str]:
        """The login's roles in ouder-tui (``zorg``, ``leerkracht``, ``beheer``)."""
        return self._roles

    def check_password(self, password: str) -> bool:
        """Whether ``password`` is the login's (the server says so by letting it in): to unlock the screen."""
        try:
            connect_raw(self.url, password=password, autocommit=True).close()
        except PasswordNeededError:
            return False
        return True

    # -- the user -------------------------------------------------------------------------------
    @property
    def user(self) -> str:
        return self._user

    @property
    def user_is_login(self) -> bool:
        return True

    def set_user(self, name: str) -> str:
        raise StoreError(f"Op de schoolserver werk je als je eigen login ({self._user}); "
                         "wisselen doe je door opnieuw aan te melden.")

    def known_users(self) -> list[str]:
        return [self._user]

    # -- transactions ----------------------------------------------------------------------------
    def _own(self) -> bool:
        return self._txn_thread == threading.get_ident()

    def _connection(self, attr: str, *, autocommit: bool) -> psycopg.Connection:
        """The connection ``attr`` (``_write`` or ``_read``), made again when the old one was lost."""
        conn = getattr(self, attr)
        if conn is None or conn.closed or conn.broken:
            with contextlib.suppress(Exception):
                if conn is not None:
                    conn.close()
            conn = connect_raw(self.url, password=self._password, autocommit=autocommit)
            setattr(self, attr, conn)
        return conn

    def _fetch(self, sql: str, params: tuple | list = (), *, json_as_bytes: bool = False) -> list[tuple]:
        """The rows of a query, on the connection this thread should use: its transaction's, or the reading
        one (committed data only). A reading connection that was lost is made again, once.
        ``json_as_bytes``: values of type ``json`` come as their UTF-8 bytes, not decoded."""
        import psycopg

        def run(conn: psycopg.Connection) -> list[tuple]:
            with conn.cursor() as cur:
                if json_as_bytes:
                    cur.adapters.register_loader("json", _json_bytes_loader())
                cur.execute(sql, params)
                return cur.fetchall()

        if self._own():
            return run(self._write)
        with self._read_lock:
            for attempt in range(2):
                try:
                    conn = self._connection("_read", autocommit=True)
                    rows = run(conn)
                except (psycopg.OperationalError, StoreError) as exc:
                    if isinstance(exc, PasswordNeededError):
                        raise
                    if attempt or isinstance(exc, StoreError) or not conn.broken:
                        self._server_away()
                        key = (sql, tuple(params))
                        if key in self._last_answers:  # what the server said last time, until it is back
                            return self._last_answers[key]
                        raise ServerUnreachableError(
                            "De schoolserver antwoordt niet. Je ziet wat er laatst gekend was; wat hier nog niet "
                            "geladen was, kan pas getoond worden als ze terug is. Probeer zo opnieuw.") from None
                    continue
                self._away = False
                if len(rows) <= _KEEP_ROWS:
                    self._remember(sql, params, rows)
                return rows
        raise AssertionError("unreachable")

    def _remember(self, sql: str, params: tuple | list, rows: list[tuple]) -> None:
        """Keep a small answer for when the server is away (the big lists live in the derived caches)."""
        key = (sql, tuple(params))
        self._last_answers[key] = rows
        self._last_answers.move_to_end(key)
        while len(self._last_answers) > _KEEP_ANSWERS:
            self._last_answers.popitem(last=False)

    def _server_away(self) -> None:
        """Tell the open screens once per outage (the listening connection tells them when it is back)."""
        if not self._away:
            self._away = True
            self._notify(frozenset({SERVER_AWAY}), elsewhere=True)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        import psycopg

        with self._thread_lock:
            if self._own():
                yield
                return
            self._txn_thread = threading.get_ident()
            self._txn_dirty = False
            self._txn_changes = {}
            try:
                with self._connection("_write", autocommit=False).transaction():
                    yield
            except psycopg.errors.InsufficientPrivilege as exc:
                raise StoreError(f"Dat mag jouw login ({self._user}) niet op de schoolserver: "
                                 f"{exc.diag.message_primary}. Er is niets gewijzigd.") from None
            except psycopg.OperationalError as exc:
                raise StoreError(f"De verbinding met de schoolserver viel weg ({str(exc).strip()}). "
                                 "Er is niets bewaard; wat je typte, blijft staan: probeer opnieuw.") from None
            finally:
                self._txn_thread = None
        if self._txn_dirty:
            changes = self._txn_changes
            self._advance({t: (frozenset(ids) if ids is not None else None) for t, ids in changes.items()})
            self._notify(frozenset(changes))

    @property
    def generation(self) -> int:
        return self._generation

    def _uncommitted_here(self) -> bool:
        return self._own() and self._txn_dirty

    def _changed(self, *tables: str, ids: Iterable[int] | None = None) -> None:
        """This transaction changes ``tables``: the records ``ids`` of them, or who knows which (``None``)."""
        self._txn_dirty = True
        for table in tables:
            known = self._txn_changes.get(table, set())
            if ids is None or known is None or table in (RECYCLE_BIN, LOG):
                self._txn_changes[table] = None
            else:
                known.update(ids)
                self._txn_changes[table] = known

    def _advance(self, changes: Mapping[str, frozenset[int] | None], *, missed: bool = False) -> None:
        """Committed: ``changes`` per table (``None``: unknown records); ``missed``: anything may have changed."""
        with self._state_lock:
            self._generation += 1
            if missed:
                self._epoch += 1
            for table, ids in changes.items():
                self._table_generations[table] = self._generation
                journal = self._journal.setdefault(table, deque(maxlen=_JOURNAL))
                journal.append((self._generation, ids))

    def table_state(self, table: str) -> object:
        with self._state_lock:
            return (self._epoch, self._table_generations.get(table, 0))

    def changed_ids(self, table: str, old: object, new: object) -> set[int] | None:
        (old_epoch, old_generation), (new_epoch, new_generation) = old, new  # type: ignore[misc]
        if old_epoch != new_epoch:
            return None
        with self._state_lock:
            entries = [(g, ids) for g, ids in self._journal.get(table, ()) if old_generation < g <= new_generation]
        if not entries or entries[-1][0] != new_generation or len(entries) == _JOURNAL:
            return None  # not all steps are still known
        changed: set[int] = set()
        for _, ids in entries:
            if ids is None:
                return None
            changed.update(ids)
        return changed

    # -- reading --------------------------------------------------------------------------------
    def _record(self, table: str, row: tuple, secret: dict | None, with_secret: bool) -> dict:
        record_id, rev, text, created_by, created_at, changed_by, changed_at = row
        data = msgspec.json.decode(text)
        spec = self._confidential.get(table)
        if spec is not None:
            data = _join(spec, data, secret if with_secret else None)
        data["id"] = record_id  # a fresh dict: filled in place (50,000 records: no copy each)
        data["_rev"] = rev
        for key, value in (("_created_by", created_by), ("_created_at", created_at), ("_changed_by", changed_by),
                           ("_changed_at", changed_at)):
            if value is not None:  # a record from a file of before the stamps has none
                data[key] = value
        return data

    def _reads_secrets(self) -> bool:
        return "zorg" in self._roles

    def _select(self, table: str, where: str = "", params: tuple = ()) -> list[dict]:
        spec = self._confidential.get(table)
        join = spec is not None and self._reads_secrets()
        columns = ", ".join(f"r.{c.strip()}" for c in _COLUMNS.split(", "))
        sql = (f"SELECT {columns}{', v.data' if join else ''} FROM ouder_tui.records r "
               + ("LEFT JOIN ouder_tui.vertrouwelijk v ON v.tabel = r.tabel AND v.id = r.id " if join else "")
               + f"WHERE r.tabel = %s {where} ORDER BY r.id")
        rows = self._fetch(sql, (table, *params))
        return [self._record(table, row[:7], row[7] if join else None, join) for row in rows]

    def all_as(self, kind: type[M], table: str) -> list[M]:
        """Straight from the rows to models: the fields of all records decoded by msgspec as one JSON array
        into ``kind``, then the columns the server keeps (id, revision, who/when) filled in."""
        if table in self._confidential or not issubclass(kind, Record):
            return super().all_as(kind, table)
        from ouder_tui.collector import paused_gc

        if self._schema >= 3:  # the record as json text, kept by the server beside the jsonb: sent as it is
            rows = self._fetch(f"SELECT coalesce(tekst, {_TEKST}) FROM ouder_tui.records WHERE tabel = %s "
                               "ORDER BY id", (table,), json_as_bytes=True)
            with paused_gc():
                return msgspec.json.decode(b"[" + b",".join([row[0] for row in rows]) + b"]", type=list[kind],
                                           strict=False)
        # the fields as json (not jsonb: the same text, in a type of its own) whose bytes go to msgspec undecoded
        rows = self._fetch("SELECT id, rev, data::json, created_by, created_at, changed_by, changed_at "
                           "FROM ouder_tui.records WHERE tabel = %s ORDER BY id", (table,), json_as_bytes=True)
        with paused_gc():
            models = msgspec.json.decode(b"[" + b",".join([row[2] for row in rows]) + b"]", type=list[kind],
                                         strict=False)
            return [replace(model, id=record_id, rev=rev, created_by=created_by or "", created_at=created_at or "",
                            changed_by=changed_by or "", changed_at=changed_at or "")
                    for model, (record_id, rev, _, created_by, created_at, changed_by, changed_at) in zip(models, rows)]

    def get(self, table: str, record_id: int) -> dict | None:
        found = self._select(table, "AND r.id = %s", (record_id,))
        return found[0] if found else None

    def all(self, table: str) -> list[dict]:
        return self._select(table)

    def count(self, table: str) -> int:
        return self._fetch("SELECT count(*) FROM ouder_tui.records WHERE tabel = %s", (table,))[0][0]

    def schema_version(self) -> int:
        return SERVER_SCHEMA

    def table_names(self) -> list[str]:
        rows = self._fetch("SELECT DISTINCT tabel FROM ouder_tui.records ORDER BY tabel")
        return [row[0] for row in rows if not row[0].startswith("_")]

    # -- writing ----------------------------------------------------------------------------------
    @staticmethod
    def _user_fields(data: Mapping[str, Any]) -> dict:
        """What the caller may set, every text stripped of control characters (the store's boundary)."""
        return {strip_controls(k): strip_controls_deep(v) for k, v in data.items() if k not in META_KEYS}

    def _write_secret(self, cur: psycopg.Cursor, table: str, record_id: int, secret: dict | None) -> None:
        """Keep (or drop) the confidential part; a login without the right keeps what is there."""
        from psycopg.types.json import Jsonb

        if not self._reads_secrets():
            return  # what it saw were placeholders: the notes stay as they are
        if secret is None:
            cur.execute("DELETE FROM ouder_tui.vertrouwelijk WHERE tabel = %s AND id = %s", (table, record_id))
        else:
            cur.execute("INSERT INTO ouder_tui.vertrouwelijk VALUES (%s, %s, %s) ON CONFLICT (tabel, id) "
                        "DO UPDATE SET data = EXCLUDED.data", (table, record_id, Jsonb(secret)))

    def _prepare(self, table: str, data: Mapping[str, Any], current: dict | None = None) -> tuple[dict, dict | None]:
        record = self._user_fields(data)
        spec = self._confidential.get(table)
        if spec is None:
            return record, None
        if not self._reads_secrets() and current is not None and current.get(spec.flag):
            # A teacher saving a confidential visit: it stays confidential, and what they could not see
            # keeps its stored form (the notes themselves are not written: see _write_secret).
            record = {**record, spec.flag: True, **{name: current.get(name) for name in spec.fields}}
            self._refuse_new_secret_text(spec, record, current)
        return _split(spec, record)

    def _refuse_new_secret_text(self, spec: Confidential, record: dict, current: dict) -> None:
        """A login that cannot read confidential text cannot write it either: new or changed text in a
        confidential list item (an action) would otherwise be dropped without a word, or land in the
        public part. The rest of the record (a date, an action ticked off) saves as usual."""
        for name, key in spec.items.items():
            known = {_item_key(item, i) for i, item in enumerate(current.get(name) or [])}
            for i, item in enumerate(record.get(name) or []):
                text = item.get(key, "")
                if text in ("", HIDDEN) and (_item_key(item, i) in known or not text):
                    continue
                raise StoreError(
                    f"Dit huisbezoek is vertrouwelijk: tekst van een actie toevoegen of wijzigen kan alleen een "
                    f"login met de rol zorg; jouw login ({self._user}) mag die tekst niet lezen of schrijven. "
                    "Er is niets bewaard. Vraag het aan de zorgcoördinator, of vink alleen af wat gedaan is.")

    def insert_many(self, table: str, items: Iterable[Mapping[str, Any]]) -> list[dict]:
        from psycopg.types.json import Jsonb

        items = list(items)
        if not items:
            return []
        with self.transaction(), self._write.cursor() as cur:
            cur.execute("SELECT ouder_tui.volgend_id(%s, %s)", (table, len(items)))
            ids = [row[0] for row in cur.fetchall()]
            prepared = [self._prepare(table, data) for data in items]
            cur.executemany("INSERT INTO ouder_tui.records (tabel, id, data) VALUES (%s, %s, %s)",
                            [(table, record_id, Jsonb(public)) for record_id, (public, _) in zip(ids, prepared)])
            for record_id, (_, secret) in zip(ids, prepared):
                if secret is not None:
                    self._write_secret(cur, table, record_id, secret)
            self._changed(table, ids=ids)
            return self._select(table, "AND r.id = ANY(%s)", (ids,))


    def update_many(self, table: str, changes: Iterable[tuple[int, Mapping[str, Any], int | None]]) -> list[dict]:
        from psycopg.types.json import Jsonb

        changes = list(changes)
        saved = []
        with self.transaction(), self._write.cursor() as cur:
            if table not in self._confidential:  # one statement a record: the revision check is in the UPDATE
                records = []
                for record_id, data, expected_rev in changes:
                    cur.execute(f"UPDATE ouder_tui.records SET data = %s WHERE tabel = %s AND id = %s "
                                f"{'AND rev = %s ' if expected_rev is not None else ''}RETURNING {_COLUMNS}",
                                (Jsonb(self._user_fields(data)), table, record_id,
                                 *((expected_rev,) if expected_rev is not None else ())))
                    row = cur.fetchone()
                    if row is None:
                        current = self.get(table, record_id)
                        if current is None:
                            raise NotFoundError(self._missing_message(table, record_id))
                        raise conflict_error(current)
                    records.append(self._record(table, row, None, False))
                if records:
                    self._changed(table, ids=[r["id"] for r in records])
                return records
            for record_id, data, expected_rev in changes:
                current = self.get(table, record_id)
                if current is None:
                    raise NotFoundError(self._missing_message(table, record_id))
                if expected_rev is not None and current["_rev"] != expected_rev:
                    raise conflict_error(current)
                public, secret = self._prepare(table, data, current)
                cur.execute("UPDATE ouder_tui.records SET data = %s WHERE tabel = %s AND id = %s "
                            + ("AND rev = %s" if expected_rev is not None else ""),
                            (Jsonb(public), table, record_id,
                             *((expected_rev,) if expected_rev is not None else ())))
                if cur.rowcount != 1:  # saved by someone else between the read and the update
                    raise conflict_error(self.get(table, record_id) or current)
                self._write_secret(cur, table, record_id, secret)
                saved.append(record_id)
            self._changed(table, ids=saved)
            return [self.get(table, record_id) for record_id in saved]

    def _missing_message(self, table: str, record_id: int) -> str:
        for entry in self.recycle_bin(table):
            if entry.get("record_id") == record_id:
                return (f"Dit werd intussen verwijderd door {entry.get('_deleted_by', 'onbekend')} "
                        f"({format_datetime(entry.get('_deleted_at'))}). Je vindt het in de prullenbak.")
        return "Dit bestaat niet (meer)."

    # -- recycle bin ---------------------------------------------------------------------------------
    def delete(self, table: str, record_id: int, *, label: str = "", expected_rev: int | None = None) -> int:
        from psycopg.types.json import Jsonb

        with self.transaction(), self._write.cursor() as cur:
            current = self.get(table, record_id)
            if current is None:
                raise NotFoundError(self._missing_message(table, record_id))
            if expected_rev is not None and current["_rev"] != expected_rev:
                raise conflict_error(current)
            cur.execute("SELECT ouder_tui.volgend_id(%s)", (_BIN,))
            bin_id = cur.fetchone()[0]
            spec = self._confidential.get(table)
            stored = {k: v for k, v in current.items() if k != "id"}
            if spec is not None:  # the bin holds the public part; the notes move along in vertrouwelijk
                cur.execute("SELECT data FROM ouder_tui.records WHERE tabel = %s AND id = %s", (table, record_id))
                public = cur.fetchone()[0]
                stored = {**{k: v for k, v in current.items() if k.startswith("_")}, **public}
            cur.execute("INSERT INTO ouder_tui.prullenbak (id, tabel, record_id, label, record) "
                        "VALUES (%s, %s, %s, %s, %s)", (bin_id, table, record_id, clean_text(label), Jsonb(stored)))
            if spec is not None:
                cur.execute("SELECT ouder_tui.verplaats_vertrouwelijk(%s, %s, %s, %s)", (table, record_id, _BIN, bin_id))
            cur.execute("DELETE FROM ouder_tui.records WHERE tabel = %s AND id = %s", (table, record_id))
            self._changed(table, ids=[record_id])
            self._changed(RECYCLE_BIN)
            return bin_id

    def recycle_bin(self, table: str | None = None) -> list[dict]:
        join = self._reads_secrets()
        sql = ("SELECT p.id, p.tabel, p.record_id, p.label, p.record, p.deleted_by, p.deleted_at"
               + (", v.data FROM ouder_tui.prullenbak p LEFT JOIN ouder_tui.vertrouwelijk v "
                  "ON v.tabel = '_prullenbak' AND v.id = p.id" if join else ", NULL FROM ouder_tui.prullenbak p")
               + (" WHERE p.tabel = %s" if table else "") + " ORDER BY p.deleted_at DESC, p.id DESC")
        rows = self._fetch(sql, (table,) if table else ())
        entries = []
        for bin_id, tabel, record_id, label, record, deleted_by, deleted_at, secret in rows:
            spec = self._confidential.get(tabel)
            if spec is not None:
                record = _join(spec, dict(record), secret if join else None)
            entries.append({"id": bin_id, "table": tabel, "record_id": record_id, "label": label, "record": record,
                            **_stamps(deleted_by=deleted_by, deleted_at=deleted_at)})
        return entries

    def restore(self, bin_id: int) -> dict:
        from psycopg.types.json import Jsonb

        with self.transaction(), self._write.cursor() as cur:
            cur.execute("SELECT tabel, record_id, record FROM ouder_tui.prullenbak WHERE id = %s", (bin_id,))
            row = cur.fetchone()
            if row is None:
                raise NotFoundError("Dit staat niet (meer) in de prullenbak.")
            table, record_id, stored = row
            cur.execute("SELECT 1 FROM ouder_tui.records WHERE tabel = %s AND id = %s", (table, record_id))
            if cur.fetchone():
                raise StoreError("Er bestaat al een record met hetzelfde nummer; terugzetten kan niet.")
            cur.execute("SELECT set_config('ouder_tui.actie', 'teruggezet', true)")
            data = {k: v for k, v in stored.items() if not k.startswith("_") or k == "_verborgen"}
            cur.execute("INSERT INTO ouder_tui.records (tabel, id, rev, data, created_by, created_at) "
                        "VALUES (%s, %s, %s, %s, %s, %s)",
                        (table, record_id, stored.get("_rev", 0) + 1, Jsonb(data),
                         stored.get("_created_by") or self._user,
                         stored.get("_created_at") or None))
            if table in self._confidential:
                cur.execute("SELECT ouder_tui.verplaats_vertrouwelijk(%s, %s, %s, %s)", (_BIN, bin_id, table, record_id))
            cur.execute("DELETE FROM ouder_tui.prullenbak WHERE id = %s", (bin_id,))
            cur.execute("SELECT set_config('ouder_tui.actie', '', true)")
            self._changed(table, ids=[record_id])
            self._changed(RECYCLE_BIN)
            return self.get(table, record_id)

    def purge(self, bin_id: int) -> None:
        with self.transaction(), self._write.cursor() as cur:
            cur.execute("DELETE FROM ouder_tui.prullenbak WHERE id = %s", (bin_id,))
            if cur.rowcount != 1:
                raise NotFoundError("Dit staat niet (meer) in de prullenbak.")
            cur.execute("SELECT ouder_tui.vergeet_vertrouwelijk(%s, %s)", (_BIN, bin_id))
            self._changed(RECYCLE_BIN)

    def scrub_bin(self, bin_id: int, record: Mapping[str, Any]) -> None:
        from psycopg.types.json import Jsonb

        with self.transaction(), self._write.cursor() as cur:
            cur.execute("UPDATE ouder_tui.prullenbak SET record = %s WHERE id = %s", (Jsonb(dict(record)), bin_id))
            if cur.rowcount != 1:
                raise NotFoundError("Dit staat niet (meer) in de prullenbak.")
            self._changed(RECYCLE_BIN)

    # -- the log and erasure ---------------------------------------------------------------------
    def logboek(self, *, door: str = "", van: str = "", tot: str = "", tabel: str = "",
                record_id: int | None = None) -> list[dict]:
        where, params = [], []
        for condition, value, clause in ((door, door, "door = %s"), (van, van, "substr(op, 1, 10) >= %s"),
                                          (tot, tot, "substr(op, 1, 10) <= %s"), (tabel, tabel, "tabel = %s"),
                                          (record_id is not None, record_id, "record = %s")):
            if condition:
                where.append(clause)
                params.append(value)
        sql = ("SELECT tabel, record, actie, velden, door, op, aantal FROM ouder_tui.logboek"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY op DESC, id DESC")
        rows = self._fetch(sql, params)
        entries = []
        for tabel_, record, actie, velden, door_, op, aantal in rows:
            entry = {"tabel": tabel_, "record": record, "actie": actie, "velden": list(velden), "door": door_,
                     "op": op}
            if aantal is not None:
                entry["aantal"] = aantal
            entries.append(entry)
        return entries

    def wis(self, records: Iterable[tuple[str, int]], bin_ids: Iterable[int] = ()) -> int:
        records = sorted({(table, int(record_id)) for table, record_id in records})
        with self.transaction(), self._write.cursor() as cur:
            cur.execute("SELECT ouder_tui.wis(%s, %s, %s)", ([t for t, _ in records], [i for _, i in records],
                                                             sorted(set(bin_ids))))
            for table in {t for t, _ in records}:
                self._changed(table, ids=[i for t, i in records if t == table])
            self._changed(RECYCLE_BIN, LOG)
            return cur.fetchone()[0]

    # -- settings -----------------------------------------------------------------------------------
    def update_settings(self, **values: Any) -> dict:
        from psycopg.types.json import Jsonb

        with self.transaction(), self._write.cursor() as cur:
            current = self.get(SETTINGS, 1)
            if current is None:
                cur.execute("INSERT INTO ouder_tui.records (tabel, id, data) VALUES (%s, 1, %s)",
                            (SETTINGS, Jsonb(self._user_fields(values))))
                self._changed(SETTINGS)
                return self.get(SETTINGS, 1)
            return self.update(SETTINGS, 1, {**self._user_fields(current), **values}, expected_rev=None)

    # -- moving in and out -------------------------------------------------------------------------
    def export_document(self) -> dict[str, dict[str, Any]]:
        """The whole database in the file's layout (records, bin, log, id counters), for a backup or a move."""
        from ouder_tui.migrations import CURRENT_SCHEMA, META_ID, META_TABLE

        if "zorg" not in self._roles:  # a copy without the confidential notes would pass for a whole one
            raise StoreError(f"Een volledige kopie van de schoolserver maak je met een login met de rol zorg "
                             f"(ook de vertrouwelijke notities); {self._user} heeft die rol niet.")
        document: dict[str, dict[str, Any]] = {}
        with self.transaction(), self._write.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")  # one consistent moment
            cur.execute("SELECT DISTINCT tabel FROM ouder_tui.records")
            for (table,) in cur.fetchall():
                document[table] = {str(r.pop("id")): r for r in self._select(table)}
            document[RECYCLE_BIN] = {str(e.pop("id")): e for e in reversed(self.recycle_bin())}
            log = {}
            cur.execute("SELECT id, tabel, record, actie, velden, door, op, aantal FROM ouder_tui.logboek ORDER BY id")
            for log_id, tabel, record, actie, velden, door, op, aantal in cur.fetchall():
                entry = {"tabel": tabel, "record": record, "actie": actie, "velden": list(velden), "door": door,
                         "op": op}
                if aantal is not None:
                    entry["aantal"] = aantal
                log[str(log_id)] = entry
            document[LOG] = log
            cur.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'ouder_tui' "
                        "AND sequencename LIKE 'id\\_%%'")
            next_ids = {name.removeprefix("id_"): (last or 0) + 1 for name, last in cur.fetchall()}
            next_ids[LOG] = max((int(k) for k in log), default=0) + 1
        for table, records in document.items():
            if records and table not in next_ids:
                next_ids[table] = max(int(k) for k in records) + 1
        document[META_TABLE] = {META_ID: {"schema_version": CURRENT_SCHEMA, "next_ids": next_ids,
                                          "created_at": now().isoformat()}}
        for records in document.values():
            for record in records.values():
                record.pop("_verborgen", None)
        return document

    def import_document(self, document: Mapping[str, Mapping[str, Any]]) -> None:
        """Fill an empty server database with a file's document, keeping ids, revisions, who and when."""
        from psycopg.types.json import Jsonb

        from ouder_tui.migrations import META_ID, META_TABLE

        with self.transaction(), self._write.cursor() as cur:
            cur.execute("SELECT (SELECT count(*) FROM ouder_tui.records) + (SELECT count(*) FROM ouder_tui.prullenbak)"
                        " + (SELECT count(*) FROM ouder_tui.logboek)")
            if cur.fetchone()[0]:
                raise StoreError(f"De databank op {self._redacted} is niet leeg; overzetten gebeurt alleen naar een "
                                 "lege databank, zodat er niets dubbel of door elkaar komt.")
            cur.execute("SELECT set_config('ouder_tui.importeren', 'ja', true)")
            rows, secrets = [], []
            for table, records in document.items():
                if table.startswith("_"):
                    continue
                spec = self._confidential.get(table)
                for key, record in records.items():
                    data = self._user_fields(record)
                    secret = None
                    if spec is not None:
                        data, secret = _split(spec, data)
                    rows.append((table, int(key), record.get("_rev", 1), Jsonb(data), record.get("_created_by"),
                                 record.get("_created_at"), record.get("_changed_by"), record.get("_changed_at")))
                    if secret is not None:
                        secrets.append((table, int(key), Jsonb(secret)))
            cur.executemany("INSERT INTO ouder_tui.records VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)
            for key, entry in document.get(RECYCLE_BIN, {}).items():
                record = dict(entry.get("record", {}))
                spec = self._confidential.get(entry.get("table", ""))
                if spec is not None:
                    public, secret = _split(spec, self._user_fields(record))
                    record = {**{k: v for k, v in record.items() if k in META_KEYS}, **public}
                    if secret is not None:
                        secrets.append((_BIN, int(key), Jsonb(secret)))
                cur.execute("INSERT INTO ouder_tui.prullenbak VALUES (%s, %s, %s, %s, %s, %s, %s)",
                            (int(key), entry.get("table", ""), entry.get("record_id", 0), entry.get("label", ""),
                             Jsonb(record), entry.get("_deleted_by"), entry.get("_deleted_at")))
            cur.executemany("INSERT INTO ouder_tui.vertrouwelijk VALUES (%s, %s, %s)", secrets)
            cur.executemany("INSERT INTO ouder_tui.logboek (id, tabel, record, actie, velden, door, op, aantal) "
                            "VALUES (%s, %s, %s, %s, %s, %s, coalesce(%s, ouder_tui.nu()), %s)",
                            [(int(k), e.get("tabel", ""), e.get("record"), e.get("actie", ""), e.get("velden", []),
                              e.get("door", "onbekend"), e.get("op") or None, e.get("aantal"))
                             for k, e in document.get(LOG, {}).items()])
            cur.execute("SELECT setval('ouder_tui.logboek_id_seq', greatest((SELECT max(id) FROM ouder_tui.logboek), 1))")
            next_ids = document.get(META_TABLE, {}).get(META_ID, {}).get("next_ids", {})
            cur.executemany("INSERT INTO ouder_tui.ids VALUES (%s, %s) ON CONFLICT (tabel) DO UPDATE "
                            "SET volgende = EXCLUDED.volgende",
                            [(t, n) for t, n in next_ids.items() if t != LOG and t != RECYCLE_BIN])
            if RECYCLE_BIN in next_ids:
                cur.execute("INSERT INTO ouder_tui.ids VALUES (%s, %s) ON CONFLICT (tabel) DO UPDATE "
                            "SET volgende = EXCLUDED.volgende", (_BIN, next_ids[RECYCLE_BIN]))
            cur.execute("SELECT ouder_tui.ids_bijwerken()")
            self._changed(*document)
