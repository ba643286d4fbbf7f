"""The kinds of table a document-based home holds (see :mod:`ouder_tui.docstore`).

A table is a mapping of record keys (``str(id)``) to records. A record is either its JSON text, a
:class:`msgspec.Raw`, as it was read from the file and not changed since, or a dict once it was written.

* :class:`PackedTable`: a table as read from a file written compactly (what every save writes). It keeps
  the table's JSON text and, per record, its id and where its text lies: a few bytes a record, where a dict
  of keys and :class:`msgspec.Raw` views cost ~150 bytes a record (~14 MB at 50,000 pupils and families
  with their log). A record is handed out as a :class:`msgspec.Raw` made when asked.
* :class:`OverlayTable`: a packed table as a transaction changed it: the packed table as it was, and the
  records replaced, removed and added since. A save writes the unchanged stretches of the packed text as
  they are and encodes only what changed (:meth:`OverlayTable.write_into`).
* :class:`DictTable`: any other table a transaction wrote: a dict.

A committed table is never changed in place: a transaction writes a new table (:func:`writable_copy`) and
the home swaps it in. Every table a home reads or commits is numbered (``serial``), and one a transaction
wrote remembers which keys it changed against the states before it (``history``), so data derived from
an earlier state is brought up to date from those keys.
"""

from __future__ import annotations

import itertools
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from operator import add
from typing import Any

import msgspec

from ouder_tui.crc import Prefixes, crc32

_SERIALS = itertools.count(1)
#: How many earlier states of a table a written table remembers its changes against.
HISTORY = 16
#: Above this many changed records (or a quarter of a table) derived data is built again, not updated.
MAX_CHANGED = 2000

_encode = msgspec.json.Encoder().encode
_MISSING = object()


class Pieces:
    """The bytes of a document being written, as pieces to write one after the other: what is encoded goes
    into buffers, a long stretch of a packed table's text is referred to (a view of the file as read), not
    copied. A save of 38 MB thus needs no buffer of 38 MB (see :func:`write_document`)."""

    #: Shorter views than this are copied into the buffer at hand (fewer pieces, fewer writes).
    COPY_BELOW = 1 << 16

    def __init__(self, encode_into: Callable[..., None], first: bytearray | None = None) -> None:
        self._encode_into = encode_into
        self.current = bytearray() if first is None else first
        del self.current[:]
        self.parts: list[bytearray | memoryview] = []
        #: Per piece, where in a file as read it comes from (see :func:`ouder_tui.crc.crc32`), or ``None``.
        self.origins: list[tuple[Prefixes, int] | None] = []

    def encode(self, value: Any) -> None:
        self._encode_into(value, self.current, -1)

    def add(self, data: bytes | memoryview, origin: tuple[Prefixes, int] | None = None) -> None:
        """Add ``data``; ``origin``: where it lies in a file as read, so its CRC-32 is not computed again."""
        if len(data) < self.COPY_BELOW:
            self.current += data
        else:
            self.parts += (self.current, data)
            self.origins += (None, origin)
            self.current = bytearray()

    def done(self) -> list[bytearray | memoryview]:
        """The pieces, in order (the first is always a buffer: it holds the start of the document)."""
        return [*self.parts, self.current]

    def crc32(self) -> int:
        """The CRC-32 of the pieces :meth:`done` gave, as they are now."""
        return crc32([*self.parts, self.current], [*self.origins, None])


class _Numbered:
    """A table's number and the keys changed against earlier states (see the module's text)."""

    __slots__ = ()
    serial: int
    history: tuple[tuple[int, frozenset[str] | None], ...]
    written: set[str]

    def committed(self, base: Mapping[str, Any]) -> None:
        """Number this state and note its changes against ``base`` and the states ``base`` remembers."""
        self.serial = next(_SERIALS)
        keys = frozenset(self.written)
        history = [(base.serial, keys)] if isinstance(base, NUMBERED) and base.serial else []
        for serial, earlier in getattr(base, "history", ())[:HISTORY - 1]:
            union = None if earlier is None or len(earlier) + len(keys) > MAX_CHANGED else earlier | keys
            history.append((serial, union))
        self.history = tuple(history)
        self.written = set()


class DictTable(_Numbered, dict):
    """A table as a transaction wrote it (or read it, when it could not be packed): a dict."""

    __slots__ = ("history", "serial", "written")

    def __init__(self, base: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        super().__init__(base)
        self.serial = 0
        self.history = ()
        self.written = set()

    def __setitem__(self, key: str, value: Any) -> None:
        self.written.add(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.written.add(key)
        super().__delitem__(key)


def _canonical_id(key: object) -> int | None:
    """The id a record key stands for, if it is one written the canonical way (``"12"``, not ``"012"``)."""
    if type(key) is not str or not key.isascii() or not key.isdigit() or (key[0] == "0" and len(key) > 1):
        return None
    return int(key)


class PackedTable(_Numbered, Mapping[str, Any]):
    """A table as read from a file: its JSON text (``{...}``), and per record its id and where it begins.

    Made by :func:`pack` from :func:`compact_layout`: only a table whose keys are canonical ids and whose
    text is compact, so each record's key, value and separators follow from where the records begin.
    ``begins[i]`` is where record ``i`` (``"key":value``) begins; one more entry, ``begins[n]``, is where a
    record after the last would begin, so record ``i``'s value always ends just before ``begins[i + 1]``."""

    __slots__ = ("_lookup", "begins", "history", "ids", "origin", "serial", "text", "written")

    def __init__(self, text: memoryview, ids: array, begins: array, origin: tuple[Prefixes, int] | None = None) -> None:
        self.text = text
        self.ids = ids
        self.begins = begins
        #: Where ``text`` begins in the file it was read from, with that file's CRC-32 prefixes (or ``None``).
        self.origin = origin
        self.serial = next(_SERIALS)
        self.history = ()
        self.written = set()
        self._lookup: tuple[array, array | None] | None = None

    # -- reading --------------------------------------------------------------------------------------
    def _sorted(self) -> tuple[array, array | None]:
        """The ids in order, and where each is in the table (``None``: the same order), made when first asked."""
        if self._lookup is None:
            ids = self.ids
            if all(map(int.__lt__, ids, itertools.islice(ids, 1, None))):
                self._lookup = (ids, None)  # the rule: ids are handed out in order
            else:  # a record restored from the bin comes back at the end, under its old id
                order = sorted(range(len(ids)), key=ids.__getitem__)
                self._lookup = (array("q", (ids[i] for i in order)), array("q", order))
        return self._lookup

    def prepare(self) -> None:
        """Make what finding a record needs now (a save finds the records it changes: ~3 ms at 90,000 records
        the first time), rather than in the first save."""
        self._sorted()

    def position(self, key: object) -> int | None:
        """Where the record with ``key`` is in the table (its index in file order), or ``None``."""
        wanted = _canonical_id(key)
        if wanted is None:
            return None
        ids, where = self._sorted()
        at = bisect_left(ids, wanted)
        if at == len(ids) or ids[at] != wanted:
            return None
        return at if where is None else where[at]

    def raw(self, index: int) -> msgspec.Raw:
        start = self.begins[index] + len(str(self.ids[index])) + 3  # past "key":
        return msgspec.Raw(self.text[start:self.begins[index + 1] - 1])

    def __getitem__(self, key: str) -> msgspec.Raw:
        index = self.position(key)
        if index is None:
            raise KeyError(key)
        return self.raw(index)

    def __contains__(self, key: object) -> bool:
        return self.position(key) is not None

    def __iter__(self) -> Iterator[str]:
        return map(str, self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def values(self) -> list[msgspec.Raw]:  # type: ignore[override]
        return list(map(self.raw, range(len(self.ids))))

    def items(self) -> list[tuple[str, msgspec.Raw]]:  # type: ignore[override]
        return list(zip(self, self.values()))

    def decoded(self, kind: Any = Any) -> dict[str, Any]:
        """Every record decoded (as ``kind``), by key in file order: one decode of the whole text."""
        return msgspec.json.decode(self.text, type=dict[str, kind], strict=False)

    # -- writing --------------------------------------------------------------------------------------
    def write_into(self, pieces: Pieces) -> None:
        pieces.add(self.text, self.origin)

    def add_stretch(self, pieces: Pieces, first: int, until: int) -> None:
        """Add the text of the records ``first`` to ``until - 1``, with their keys and the commas between them."""
        start = self.begins[first]
        origin = None if self.origin is None else (self.origin[0], self.origin[1] + start)
        pieces.add(self.text[start:self.begins[until] - 1], origin)


def pack(text: memoryview, keys: list[str], begins: Iterable[int],
         origin: tuple[Prefixes, int] | None = None) -> PackedTable | None:
    """A :class:`PackedTable` of a table's text (``{...}``), its keys in order and where each record begins in
    it (see :class:`PackedTable`); ``None`` for an empty table, or when a key is not a canonical id (``"12"``,
    not ``"012"`` or ``"+12"``): such a table is kept as a dict. ``origin``: where ``text`` begins in the
    file, with the file's CRC-32 prefixes."""
    digits = "".join(keys)
    # digits only; and none empty or with a leading zero, which is what sorts before "1"
    if not (keys and digits.isascii() and digits.isdigit() and min(keys) >= "1"):
        return None
    try:
        ids = array("q", map(int, keys))
    except OverflowError:
        return None
    return PackedTable(text, ids, array("Q", begins), origin)


def compact_layout(total: int, document: Mapping[str, Mapping[str, msgspec.Raw]]) -> dict[str, tuple] | None:
    """Where each table of a decoded document lies in its file's text, when the file is compact.

    ``document`` is the file decoded with every record a :class:`msgspec.Raw` (``_meta`` too) and ``total``
    the file's length. Every save writes compact JSON (``{"name":{"key":{...},...},...}``), so the position
    of each table and each record follows from the lengths of the keys and values alone; the sum of them
    all must then be the file's length, which no spaces, line breaks, escaped keys or repeated keys (a file
    written by something else) allow. Returns per table ``(start, end, keys, begins)``: where its ``{...}``
    lies in the file, and where each record begins in that text (see :class:`PackedTable`); or ``None``
    when the sum does not come out."""
    layout: dict[str, tuple] = {}
    at = 1  # past the document's "{"
    for number, (name, rows) in enumerate(document.items()):
        if number:
            at += 1  # ","
        at += _encoded_length(name) + 1  # "name":
        keys = list(rows)
        count = len(keys)
        # a record is "key":value, and the next one follows a ",": counted from the table's "{", record i
        # begins at 1 + the lengths of the keys (with their quotes), values, ":" and "," before it
        if _plain(keys):
            sizes = map(add, map(len, keys), map(len, rows.values()))
            begins = list(map(add, itertools.accumulate(sizes, initial=0), range(1, 4 * count + 5, 4)))
        else:
            sizes = [_encoded_length(key) + len(value) + 2 for key, value in rows.items()]
            begins = list(itertools.accumulate(sizes, initial=1))
        size = begins[-1] if count else 2  # the last record has no "," after it, then "}"
        layout[name] = (at, at + size, keys, begins)
        at += size
    return layout if at + 1 == total else None


def _encoded_length(text: str) -> int:
    return len(_encode(text))


def _plain(keys: list[str]) -> bool:
    """Whether every key is written as itself between quotes (ASCII, nothing to escape)."""
    joined = "".join(keys)
    return joined.isascii() and joined.isprintable() and '"' not in joined and "\\" not in joined


class OverlayTable(_Numbered, MutableMapping[str, Any]):
    """A packed table as transactions changed it: the :class:`PackedTable` as read, and what changed since.

    Iterates like the dict it stands for: the packed records in file order (a replaced one where it was),
    then the added ones in the order they came (a record removed and added again is added)."""

    __slots__ = ("added", "history", "packed", "removed", "replaced", "serial", "written")

    def __init__(self, base: PackedTable | OverlayTable) -> None:
        if isinstance(base, OverlayTable):
            self.packed = base.packed
            self.replaced = dict(base.replaced)
            self.removed = set(base.removed)
            self.added = dict(base.added)
        else:
            self.packed = base
            self.replaced: dict[str, Any] = {}
            self.removed: set[str] = set()
            self.added: dict[str, Any] = {}
        self.serial = 0
        self.history = ()
        self.written = set()

    @property
    def changes(self) -> int:
        return len(self.replaced) + len(self.removed) + len(self.added)

    def _packed_has(self, key: object) -> bool:
        return key not in self.removed and key in self.packed

    def __getitem__(self, key: str) -> Any:
        found = self.added.get(key, _MISSING)
        if found is not _MISSING:
            return found
        if key in self.removed:
            raise KeyError(key)
        found = self.replaced.get(key, _MISSING)
        return self.packed[key] if found is _MISSING else found

    def __contains__(self, key: object) -> bool:
        return key in self.added or self._packed_has(key)

    def __setitem__(self, key: str, value: Any) -> None:
        self.written.add(key)
        if key not in self.added and self._packed_has(key):
            self.replaced[key] = value
        else:
            self.added[key] = value

    def __delitem__(self, key: str) -> None:
        self.written.add(key)
        if key in self.added:
            del self.added[key]
        elif self._packed_has(key):
            self.removed.add(key)
            self.replaced.pop(key, None)
        else:
            raise KeyError(key)

    def __len__(self) -> int:
        return len(self.packed) - len(self.removed) + len(self.added)

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self._pairs(values=False))

    def values(self) -> list[Any]:  # type: ignore[override]
        return [value for _, value in self._pairs()]

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return list(self._pairs())

    def _pairs(self, values: bool = True) -> Iterator[tuple[str, Any]]:
        packed, removed, replaced = self.packed, self.removed, self.replaced
        for index, key in enumerate(packed):
            if key in removed:
                continue
            if values:
                found = replaced.get(key, _MISSING)
                yield key, packed.raw(index) if found is _MISSING else found
            else:
                yield key, None
        yield from self.added.items()

    def write_into(self, pieces: Pieces) -> None:
        """Write the table as JSON: the unchanged stretches of the packed text as they are, the rest encoded."""
        packed = self.packed
        changed = sorted(packed.position(key) for key in itertools.chain(self.replaced, self.removed))
        pieces.add(b"{")
        first = True
        done = 0  # the records of the packed table before this one are written

        def stretch(until: int) -> None:  # the unchanged records done..until-1, as they are
            nonlocal first
            if done < until:
                if not first:
                    pieces.add(b",")
                packed.add_stretch(pieces, done, until)
                first = False

        def record(key: str, value: Any) -> None:
            nonlocal first
            if not first:
                pieces.add(b",")
            pieces.encode(key)
            pieces.add(b":")
            pieces.encode(value)
            first = False

        for index in changed:
            stretch(index)
            key = str(packed.ids[index])
            if key not in self.removed:
                record(key, self.replaced[key])
            done = index + 1
        stretch(len(packed))
        for key, value in self.added.items():
            record(key, value)
        pieces.add(b"}")


NUMBERED = (DictTable, PackedTable, OverlayTable)


def _source(table: Mapping[str, Any], key: str) -> object:
    """What the record under ``key`` is, for telling whether two states hold the same one: a record of a packed
    table is its place in that table (it is handed out as a new :class:`msgspec.Raw` each time), any other
    record the object itself; ``_MISSING`` when there is none."""
    if isinstance(table, OverlayTable):
        found = table.added.get(key, _MISSING)
        if found is not _MISSING:
            return id(found)
        if key in table.removed:
            return _MISSING
        found = table.replaced.get(key, _MISSING)
        if found is not _MISSING:
            return id(found)
        table = table.packed
    if isinstance(table, PackedTable):
        index = table.position(key)
        return _MISSING if index is None else (id(table), index)
    found = table.get(key, _MISSING)
    return _MISSING if found is _MISSING else id(found)


def _changes_over(table: Mapping[str, Any]) -> tuple[PackedTable | None, set[str]]:
    """The packed table ``table`` stands on, and the keys it changed over it (``None``: it stands on none)."""
    if isinstance(table, PackedTable):
        return table, set()
    if isinstance(table, OverlayTable):
        return table.packed, {*table.replaced, *table.removed, *table.added}
    return None, set()


def compared(old: Mapping[str, Any], new: Mapping[str, Any]) -> set[str]:
    """The keys whose record is not the same one in two states of a table (see :func:`_source`): changed,
    added or removed. Two states over the same packed table differ at most where either changed it."""
    old_base, old_keys = _changes_over(old)
    new_base, new_keys = _changes_over(new)
    if old_base is None and new_base is None:  # two dicts: compare the records themselves
        changed = {key for key, record in new.items() if old.get(key, _MISSING) is not record}
        changed.update(old.keys() - new.keys())
        return changed
    if old_base is not None and old_base is new_base:
        candidates: Iterable[str] = old_keys | new_keys
    else:
        candidates = set(new).union(old)
    return {key for key in candidates if _source(old, key) != _source(new, key)}


#: The kinds whose JSON a save writes itself (see :func:`write_document`).
WRITES_ITSELF = (PackedTable, OverlayTable)


def read_table(table: Mapping[str, Any]) -> Mapping[str, Any]:
    """A table as a home read it, in the store's own kind: packed as it came, or a numbered dict, so the
    first save's changes are told against it too."""
    if isinstance(table, PackedTable):
        return table
    found = DictTable(table)
    found.serial = next(_SERIALS)
    return found


def writable_copy(base: Mapping[str, Any]) -> MutableMapping[str, Any]:
    """The table a transaction changes, standing for ``base`` (which stays as it was).

    A packed table is overlaid; an overlay carrying many changes (an import) becomes a dict again, so
    its copies and saves do not grow with them."""
    if isinstance(base, PackedTable):
        return OverlayTable(base)
    if isinstance(base, OverlayTable) and base.changes <= max(MAX_CHANGED, len(base.packed) // 8):
        return OverlayTable(base)
    return DictTable(base.items() if isinstance(base, OverlayTable) else base)


def write_document(document: Mapping[str, Mapping[str, Any]], pieces: Pieces) -> None:
    """Write ``document`` as compact JSON, the same bytes msgspec writes for it as dicts: each table that
    writes itself does so (see :class:`Pieces`), the others are encoded."""
    if not any(isinstance(table, WRITES_ITSELF) for table in document.values()):
        pieces.encode(document)
        return
    pieces.add(b"{")
    for number, (name, table) in enumerate(document.items()):
        if number:
            pieces.add(b",")
        pieces.encode(name)
        pieces.add(b":")
        if isinstance(table, WRITES_ITSELF):
            table.write_into(pieces)
        else:
            pieces.encode(table)
    pieces.add(b"}")
