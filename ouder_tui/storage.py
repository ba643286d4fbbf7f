"""The TinyDB storage class that makes every save crash-safe.

TinyDB's own ``JSONStorage`` rewrites the file in place, so a crash halfway
leaves a broken file. :class:`AtomicJSONStorage` instead

* writes the whole document to a temporary file in the same folder, flushes and
  fsyncs it, swaps it in with :func:`os.replace` and fsyncs the folder, so the
  file on disk is always a complete document;
* keeps the parsed document in memory and re-reads the file only when it changed
  on disk (another window or PC wrote it), so reads cost a ``stat``;
* on a local Linux filesystem reads the file by mapping it (:func:`read_file`): the
  records kept as their JSON bytes are then the system's cached pages of the file,
  not a private copy of it (at 50,000 records 38 MB less resident memory);
* refuses to write outside a transaction: the :class:`~ouder_tui.filestore.FileStore`
  opens one under an inter-process lock, and only commits write to disk.

It never creates, repairs or overwrites a file that does not parse.

A database protected with a passphrase (see :mod:`ouder_tui.crypto`) is sealed on
every save and opened on every read with the :class:`~ouder_tui.crypto.Key` the
store hands over; the plain document exists only in memory. Whether a save seals
follows the file as it was last read, so a window that did not turn protection on
or off itself keeps writing what the file is.
"""

from __future__ import annotations

import codecs
import contextlib
import mmap
import os
import re
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec
from tinydb.storages import Storage

from ouder_tui import crc, crypto, integrity, migrations, tables
from ouder_tui.collector import paused_gc
from ouder_tui.errors import StoreError

Document = dict[str, dict[str, Any]]

#: How long a Windows ``os.replace`` is retried while antivirus, the indexer or a
#: sync client holds the file open.
REPLACE_RETRY_SECONDS = 5.0

_encoder = msgspec.json.Encoder()


class UnreadableFileError(Exception):
    """The file exists but is empty or is not a JSON document of tables (internal)."""


def encode(document: Document, buffer: bytearray | None = None) -> bytes | bytearray:
    """Serialise a whole database document (compact JSON, UTF-8) with its checksum (see :mod:`ouder_tui.integrity`),
    in one piece (``buffer``: encode into it, overwriting it). A save writes :func:`encode_pieces` instead."""
    pieces = encode_pieces(document, buffer)
    return pieces[0] if len(pieces) == 1 else b"".join(pieces)


def encode_pieces(document: Document, buffer: bytearray | None = None) -> list[bytearray | memoryview]:
    """:func:`encode` as the pieces to write one after the other: records a live store kept as their bytes (see
    :func:`decode`) are not encoded again, and long stretches of them are views of the file as read, not
    copies (see :class:`ouder_tui.tables.Pieces`). What is encoded goes into ``buffer`` first."""
    return integrity.seal_document(document, _encoder.encode_into, buffer)


#: A live document's tables: each record the JSON bytes it was read as (:class:`msgspec.Raw`, a view into
#: the file's bytes) until it is changed, then the changed record as a dict.
_COMPACT = dict[str, dict[str, msgspec.Raw]]


_SLICE = 1 << 20
_BLANK = re.compile(rb"\s*")


def _check_utf8(raw: bytes | mmap.mmap) -> None:
    """:class:`UnicodeDecodeError` unless ``raw`` is UTF-8 throughout (read in slices: no copy of a large file)."""
    if isinstance(raw, bytes) and raw.isascii():
        return
    check = codecs.getincrementaldecoder("utf-8")().decode
    view = memoryview(raw)
    for start in range(0, len(raw), _SLICE):
        check(view[start:start + _SLICE])
    check(b"", True)


def decode(raw: bytes | mmap.mmap, *, compact: bool = False, keep: dict | None = None) -> Document:
    """Parse and check a whole database document; :class:`UnreadableFileError` with the Dutch reason otherwise.

    The checksum, the shape and every record are checked (:mod:`ouder_tui.integrity`): a document
    handed on from here can be used without further doubt.

    ``compact``: keep every record (apart from ``_meta``) as its JSON bytes, a :class:`msgspec.Raw`
    view into ``raw``, instead of building a dict of strings for each. That is how the live store
    holds a file: a third of the memory, no time spent on dicts nobody reads, and a save copies
    the bytes of the records that did not change instead of encoding them again. Records are
    decoded where they are read (:func:`ouder_tui.integrity.record_of`).

    ``keep``: filled with the models the check decoded (see :func:`ouder_tui.integrity.validate`).
    """
    if _BLANK.fullmatch(raw):
        raise UnreadableFileError("het bestand is leeg")
    try:
        with paused_gc():
            layout = None
            if compact:
                document = msgspec.json.decode(raw, type=_COMPACT)
                layout = tables.compact_layout(len(raw), document)
                meta = document.get(integrity.META_TABLE)
                if meta is not None:
                    document[integrity.META_TABLE] = {key: msgspec.json.decode(value) for key, value in meta.items()}
            else:
                document = msgspec.json.decode(raw)
    except msgspec.ValidationError:
        raise UnreadableFileError("de inhoud is geen ouder-tui-databank") from None
    except msgspec.DecodeError as exc:
        raise UnreadableFileError(f"geen geldige JSON ({exc})") from None
    except UnicodeDecodeError:
        raise UnreadableFileError("het bevat bytes die geen tekst zijn (UTF-8)") from None
    except RecursionError:
        raise UnreadableFileError("de inhoud is te diep genest") from None
    if not isinstance(document, dict) or not all(isinstance(t, dict) for t in document.values()):
        raise UnreadableFileError("de inhoud is geen ouder-tui-databank")
    try:
        if integrity.schema_version_strict(document) > migrations.CURRENT_SCHEMA:
            # a newer ouder-tui's file: it may check itself otherwise; the store refuses it untouched
            meta = document[integrity.META_TABLE]
            meta.pop(integrity.CHECK_KEY, None)
            return document
        sealed, prefixes = integrity.verify_checksum(raw, document)
        if compact and not sealed:
            # Text kept as bytes is not decoded now, so its encoding is checked here; a file whose checksum
            # matched holds the very bytes an encoder wrote, which are UTF-8 (saves ~80 ms at 70 MB).
            _check_utf8(raw)
        integrity.validate(document, raw, keep=keep)
    except integrity.DamagedDocument as exc:
        raise UnreadableFileError(str(exc)) from None
    except UnicodeDecodeError:
        raise UnreadableFileError("het bevat bytes die geen tekst zijn (UTF-8)") from None
    if layout is not None:
        _pack_tables(raw, document, layout, prefixes)
    return document


def _pack_tables(raw: bytes | mmap.mmap, document: Document, layout: dict[str, tuple],
                 prefixes: crc.Prefixes | None) -> None:
    """Keep each table of a checked compact file as its text and where its records lie in it, rather than a
    dict of their bytes (see :mod:`ouder_tui.tables`): ~150 bytes less a record. ``prefixes``: the file's
    CRC-32 prefixes, which a save uses for the CRC of the stretches it writes as they are."""
    view = memoryview(raw)
    for name, (start, end, keys, begins) in layout.items():
        if name != integrity.META_TABLE:
            packed = tables.pack(view[start:end], keys, begins, None if prefixes is None else (prefixes, start))
            if packed is not None:
                document[name] = packed


def open_document(raw: bytes | mmap.mmap, key: crypto.Key | None, *, what: str = "Dit bestand", compact: bool = False,
                  keep: dict | None = None) -> Document:
    """The document in a database file's bytes (the database or a backup); a protected one is opened with ``key``.

    :class:`UnreadableFileError` when it is not a database or is damaged,
    :class:`~ouder_tui.crypto.PassphraseNeededError` without a key, and
    :class:`~ouder_tui.crypto.OtherPassphraseError` when another passphrase sealed it.
    """
    if crypto.is_protected(raw):
        if key is None:
            raise crypto.PassphraseNeededError(f"{what} is beveiligd met een wachtwoord.")
        try:
            raw = key.open(raw)
        except crypto.DamagedFileError as exc:
            raise UnreadableFileError(str(exc)) from None
    return decode(raw, compact=compact, keep=keep)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable. Windows has no folder fsync (NTFS journals it)."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_with_retry(source: str | Path, target: str | Path) -> None:
    """``os.replace`` that waits a bounded time while another program holds ``target``."""
    deadline = time.monotonic() + REPLACE_RETRY_SECONDS
    delay = 0.01
    while True:
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if os.name != "nt" or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


def write_atomic(path: Path, payload: bytes | bytearray | mmap.mmap | list[bytearray | memoryview]) -> None:
    """Replace ``path`` by ``payload`` (bytes, or a list of pieces written one after the other) so that a crash
    leaves either the old or the new file.

    A symlink is written through: its target is replaced and the link stays (it may point at a shared file).
    """
    if path.is_symlink():
        path = path.resolve()
    folder = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        # A new file is private to its owner (mkstemp's 0600: the data is about children);
        # an existing file keeps the permissions someone gave it, e.g. to share it.
        if os.name != "nt":
            with contextlib.suppress(FileNotFoundError):
                os.chmod(tmp_name, stat.S_IMODE(os.stat(path).st_mode))
        with os.fdopen(fd, "wb") as tmp:
            for piece in payload if isinstance(payload, list) else (payload,):
                tmp.write(piece)
            tmp.flush()
            os.fsync(tmp.fileno())
        replace_with_retry(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    fsync_folder(folder)


def ensure_writable(path: Path) -> None:
    """:class:`StoreError` when the database file is marked read-only: it is never replaced behind that mark.

    (Replacing a file needs only the folder's permission, so without this check a read-only database
    would be overwritten anyway.)
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    read_only = not mode & stat.S_IWUSR
    if os.name == "nt":
        read_only = read_only or bool(getattr(os.stat(path), "st_file_attributes", 0) & 1)  # FILE_ATTRIBUTE_READONLY
    if read_only:
        raise StoreError(f"Het databankbestand {path} is alleen-lezen (schrijfbeveiligd); er is niets gewijzigd. "
                         "Haal die bescherming weg (eigenschappen van het bestand) als er toch in gewerkt mag worden.")


def remove_stale_temp_files(path: Path) -> None:
    """Delete temporary files a crashed writer left beside ``path`` (call under the lock)."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


#: Filesystems on a disk of this computer, on which a database file is mapped rather than read (see
#: :func:`read_file`). Not a network share (nfs, cifs/smb, fuse...): a mapping there holds the file open,
#: which on a Windows server keeps another PC from replacing it, and its pages may have to come over the
#: network again at any time, or fail to.
LOCAL_FILESYSTEMS = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "jfs", "zfs", "bcachefs",
                               "tmpfs", "overlay"})


def filesystem_in(mountinfo: Iterable[str], folder: str) -> str:
    """The type of the filesystem holding ``folder`` (a resolved path) according to the lines of a Linux
    ``/proc/self/mountinfo``: that of the mount with the longest mount point above it; ``""`` if none."""
    best, kind = "", ""
    for line in mountinfo:
        fields = line.split()
        if "-" not in fields[5:]:
            continue
        dash = fields.index("-", 5)
        # the mount point is escaped octal-wise (a space is \040); the type follows the "-" separator
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        inside = folder == point or folder.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best) and dash + 1 < len(fields):
            best, kind = point, fields[dash + 1]
    return kind


@lru_cache(maxsize=32)
def _filesystem_of(folder: str) -> str:
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as mounts:
            return filesystem_in(mounts, folder)
    except OSError:
        return ""


def maps_files_in(folder: Path) -> bool:
    """Whether a database file in ``folder`` is read by mapping it (see :func:`read_file`)."""
    if not sys.platform.startswith("linux"):
        return False
    return _filesystem_of(os.path.realpath(folder)) in LOCAL_FILESYSTEMS


def read_file(handle: Any, path: Path) -> bytes | mmap.mmap:
    """The bytes of the open database file ``handle`` (at ``path``, read from its start).

    On a local Linux filesystem an unprotected file is mapped read-only instead of read: what a live store
    keeps of it (each unchanged record as a :class:`msgspec.Raw` view, see :func:`decode`) is then the
    system's cached pages of the file, shared with the cache and given back whenever the system needs
    them, not a private copy. Saves never change the mapped file: they write a new file and put it in its
    place (:func:`write_atomic`), so the mapping keeps the file as it was read for as long as records
    point into it. A protected file is read (its plain text exists only in memory), and so is a file
    elsewhere: on Windows a mapped file cannot be replaced, and see :data:`LOCAL_FILESYSTEMS`.
    """
    if maps_files_in(path.parent):
        try:
            mapping = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError):  # an empty file cannot be mapped; anything else: read it
            pass
        else:
            if not crypto.is_protected(mapping):
                return mapping
            mapping.close()
    return handle.read()


def _signature(stat: os.stat_result) -> tuple[int, int, int]:
    # os.replace gives the file a new inode (a new file index on Windows), so the
    # signature changes on every save even where mtime has a coarse resolution.
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


class AtomicJSONStorage(Storage):
    """A TinyDB storage with atomic saves and an in-memory copy refreshed on change."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._data: Document | None = None
        self._signature: tuple[int, int, int] | None = None
        self._in_transaction = False
        #: Raw bytes of the last read while :attr:`keep_raw`, so the start backup needs no second read.
        self.last_raw: bytes | mmap.mmap = b""
        #: The mapped file the records of the document point into (see :func:`read_file`), if it was mapped.
        self._mapped: mmap.mmap | None = None
        #: Whether reads keep their bytes in :attr:`last_raw` (the store turns it off once opened: a
        #: protected file's sealed bytes would otherwise stay in memory beside the document).
        self.keep_raw = True
        #: Makes each table of a document read from the file (the store's own kind of table, which can tell
        #: the next save's changes against it); ``None``: plain dicts.
        self.table_type: Callable[[dict], dict] | None = None
        #: Models decoded by the check of the last read, per table, until the first reader takes them.
        self._checked: dict[str, tuple[object, type, dict]] = {}
        #: Increases whenever the in-memory document changes; caches key on it.
        self.generation = 0
        #: The key of a protected file (``None`` until the store unlocks it).
        self.key: crypto.Key | None = None
        #: Whether the file was protected when last read; saves then seal.
        self.protected = False
        #: The signature of a file sealed with a passphrase this window does not know, and the error's message.
        self._foreign: tuple[tuple[int, int, int], str] | None = None
        #: Set by :meth:`switch_key` for the coming commit: seal with this key (``False``: keep as is).
        self._next_key: crypto.Key | None | bool = False
        #: What every save encodes into first, kept from one save to the next: a fresh buffer the size of the
        #: file costs more than the encoding itself (the system hands out and clears its memory page by page).
        #: Of a packed document (see :mod:`ouder_tui.tables`) it holds only what was encoded before the first
        #: long stretch of unchanged records, which are written from the file as read.
        self._buffer = bytearray()
        #: Where a protected file's text is gathered to be sealed, kept from one save to the next (see
        #: :attr:`_buffer`); empty while the file is not protected.
        self._plain = bytearray()
        #: Serialises re-reading and publishing a new document between threads.
        self._publish_lock = threading.Lock()
        #: Turns an unreadable file met during a read into the error to raise
        #: (the Store makes it its Dutch CorruptDatabaseError naming a backup).
        self.on_unreadable: Callable[[UnreadableFileError], Exception] | None = None

    # -- TinyDB's interface -------------------------------------------------
    def read(self) -> Document:
        """The last committed document; re-read from disk first when another process saved.

        Never changed in place: a transaction writes copies and :meth:`commit` swaps them in.
        """
        if not self._in_transaction:
            try:
                self.refresh()
            except crypto.OtherPassphraseError:
                if self._data is None:
                    raise
                # Another window changed the passphrase: keep showing what was read; every save
                # refreshes first (begin) and says why it cannot go through.
            except UnreadableFileError as exc:
                if self.on_unreadable is None:
                    raise
                raise self.on_unreadable(exc) from None
        assert self._data is not None
        return self._data

    def write(self, data: Document) -> None:
        """Save a whole document (TinyDB's interface); only inside a transaction, under the store's lock."""
        if not self._in_transaction:
            raise RuntimeError("schrijven kan alleen binnen Store.transaction()")
        self.commit(data)

    def close(self) -> None:
        """Nothing stays open between operations."""

    # -- loading --------------------------------------------------------------
    def prepare_saves(self) -> None:
        """Prepare the tables of the document as read for the records a save looks up (see
        :meth:`ouder_tui.tables.PackedTable.prepare`): ~10 ms of the first save at 50,000 pupils otherwise."""
        for table in (self._data or {}).values():
            if isinstance(table, tables.PackedTable):
                table.prepare()

    def exists(self) -> bool:
        return self.path.exists()

    def refresh(self, *, force: bool = False) -> bool:
        """Re-read the file if it changed since the last read; returns whether it did."""
        with self._publish_lock:
            return self._refresh(force)

    def _refresh(self, force: bool) -> bool:
        if not force and self._data is not None and self._signature is not None:
            try:  # the common case, on every read: nothing changed; a stat is far cheaper than an open
                if _signature(os.stat(self.path)) == self._signature:
                    return False
            except OSError:
                pass  # said properly below
        try:
            with open(self.path, "rb") as handle:
                signature = _signature(os.fstat(handle.fileno()))
                if not force and signature == self._signature and self._data is not None:
                    return False
                if self._foreign is not None and self._foreign[0] == signature:
                    # still sealed with the other passphrase: no need to read it again
                    raise crypto.OtherPassphraseError(self._foreign[1])
                raw = read_file(handle, self.path)
        except FileNotFoundError:
            raise StoreError(f"Het databankbestand {self.path} bestaat niet (meer).") from None
        except OSError as exc:
            raise StoreError(f"Kan het databankbestand {self.path} niet lezen: {exc.strerror or exc}.") from None
        checked: dict = {}
        try:
            with paused_gc(freeze=self._data is None):  # the first read: see paused_gc
                document = self.decode_file(raw, keep=checked)
        except crypto.OtherPassphraseError as exc:
            self._foreign = (signature, str(exc))
            raise
        if self.table_type is not None:  # see table_type
            document = {name: self.table_type(table) for name, table in document.items()}
        self._data = document
        self._foreign = None
        # per table: the table as read, and the models its check decoded (see checked_models)
        self._checked = {name: (self._data[name], model, records) for name, (model, records) in checked.items()}
        self.protected = crypto.is_protected(raw)
        if not self.protected:
            self._plain = bytearray()
        self.last_raw = raw if self.keep_raw else b""
        self._mapped = raw if isinstance(raw, mmap.mmap) else None
        if not self.keep_raw:
            self.release_pages()
        self._signature = signature
        self.generation += 1
        return True

    @property
    def mapped(self) -> bool:
        """Whether the records of the document point into a mapped file (see :func:`read_file`)."""
        return self._mapped is not None

    def release_pages(self) -> None:
        """Let the system take back the pages of the mapped file the document points into (see :func:`read_file`)
        that this process touched: after the document was read and checked, and after each save (which copied
        its unchanged records). They stay in the system's cache of the file and come back on the next access;
        until then they are not counted as this process's memory."""
        if self._mapped is not None and hasattr(mmap, "MADV_DONTNEED"):
            self._mapped.madvise(mmap.MADV_DONTNEED)

    def decode_file(self, raw: bytes, keep: dict | None = None) -> Document:
        """The document held in a file's bytes, opening a protected file with :attr:`key` (compact, see :func:`decode`)."""
        return open_document(raw, self.key, what=f"De databank {self.path}", compact=True, keep=keep)

    def checked_models(self, name: str, table: object, kind: type) -> dict | None:
        """The models of ``table`` the check on reading decoded (once: handed over, then forgotten), if ``table``
        is still the table as read and ``kind`` the model it was checked against; else ``None``."""
        with self._publish_lock:
            found = self._checked.pop(name, None)
        if found is None or found[0] is not table or found[1] is not kind:
            return None
        return found[2]

    def payload(self, document: Document) -> list[bytes | bytearray | memoryview]:
        """What to write for ``document``, as pieces (valid until the next save): sealed when the file is
        protected, else its pieces as they are (see :func:`encode_pieces`)."""
        pieces = encode_pieces(document, self._buffer)
        if not self.protected:
            return pieces
        assert self.key is not None
        plain = self._plain  # the cipher takes the text whole: gathered where the last save's was
        del plain[:]
        for piece in pieces:
            plain += piece
        return self.key.seal_pieces(plain)

    def switch_key(self, key: crypto.Key | None) -> None:
        """Seal with ``key`` from the coming commit on (``None``: write the file unprotected).

        Call inside a transaction; the commit writes the whole file in its new form at once,
        so a crash leaves the old or the new file, never half of each.
        """
        assert self._in_transaction
        self._next_key = key

    # -- transactions (driven by the FileStore, under its lock) -------------------
    def begin(self) -> None:
        """A transaction starts (the caller holds the inter-process lock): catch up with the file."""
        self.refresh()
        self._in_transaction = True

    def commit(self, document: Document) -> None:
        """Write ``document`` atomically, then make it the committed document in one step.

        Until the new file is in place readers keep the previous document; when writing fails
        nothing changes in memory either.
        """
        ensure_writable(self.path)
        if self._next_key is not False:
            key = self._next_key
            plain = encode(document, self._buffer)
            payload = key.seal(plain) if isinstance(key, crypto.Key) else plain
        else:
            payload = self.payload(document)
        write_atomic(self.path, payload)
        with self._publish_lock:
            if self._next_key is not False:  # only once the new file is in place
                self.key = self._next_key if isinstance(self._next_key, crypto.Key) else None
                self.protected = self.key is not None
                if not self.protected:
                    self._plain = bytearray()
                self._next_key = False
            self._data = document
            if self.keep_raw:
                self.last_raw = b"".join(payload) if isinstance(payload, list) else bytes(payload)
            else:
                self.last_raw = b""
            self._signature = _signature(os.stat(self.path))
            self.generation += 1
        if not self.keep_raw:
            self.release_pages()

    def end(self) -> None:
        """The transaction is over, committed or not: forget a key switch that was not written."""
        self._in_transaction = False
        self._next_key = False

    def pending_key_switch(self) -> bool:
        """Whether :meth:`switch_key` asked for the file to be rewritten in a new form."""
        return self._next_key is not False

    def create(self, document: Document) -> None:
        """Write a brand-new database file (the caller holds the lock and checked it is absent)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = encode(document)
        write_atomic(self.path, payload)
        self._data = document
        self.last_raw = payload
        self._mapped = None
        self._signature = _signature(os.stat(self.path))
        self.generation += 1
