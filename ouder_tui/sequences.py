"""Immutable containers that a change copies in part: what the registry's lists and lookups are kept in.

A save at 50,000 pupils changes one pupil, but copying a list or a dict of 50,000 to change it touches every
record it holds (~0.5-1 ms a copy in the running app, where those records are long out of the processor's
cache; a save at 50,000 pupils copied their lists and lookups seven times: ~3 ms). Both kinds here leave
the original as it was:

* :class:`Chunked`, a list kept in tuples of at most :data:`CHUNK` items: a copy with one item more or less
  (:meth:`Chunked.inserted`, :meth:`Chunked.removed`) shares every other tuple. Reading an item by its place
  looks up its tuple first (``bisect`` over where each begins).
* :class:`Layered`, a mapping kept as a dict shared with earlier states and the keys changed since (at most
  :data:`LAYER`; then it is one dict again): :meth:`Layered.changed` copies only those.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import ItemsView, Iterable, Iterator, Mapping, Sequence, ValuesView
from itertools import chain, filterfalse
from types import MappingProxyType
from typing import Any, TypeVar, overload

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

#: Items per tuple: a change copies one tuple of this many and the list of tuples (50,000 / CHUNK places).
CHUNK = 512
#: Keys changed over a shared dict before a :class:`Layered` mapping is made one dict again.
LAYER = 256
#: A key taken out, in a :class:`Layered` mapping's changes.
_GONE: Any = object()


class Chunked(Sequence[T]):
    """An immutable sequence in tuples of at most :data:`CHUNK` items (see the module's text)."""

    __slots__ = ("_chunks", "_length", "_starts")

    def __init__(self, items: Iterable[T] = ()) -> None:
        found = items if isinstance(items, (list, tuple)) else list(items)
        self._set([tuple(found[at:at + CHUNK]) for at in range(0, len(found), CHUNK)])

    def _set(self, chunks: list[tuple[T, ...]]) -> None:
        self._chunks = chunks
        self._starts = list(itertools.accumulate(map(len, chunks), initial=0))
        self._length = self._starts.pop()

    @classmethod
    def _of(cls, chunks: list[tuple[T, ...]]) -> Chunked[T]:
        new = object.__new__(cls)
        new._set(chunks)
        return new

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):  # a list (what a slice of a list is)
            start, stop, step = index.indices(self._length)
            if step == 1:
                return list(itertools.islice(self, start, max(start, stop)))
            return list(self)[index]
        place = index.__index__()
        if place < 0:
            place += self._length
        if not 0 <= place < self._length:
            raise IndexError("Chunked index out of range")
        chunk = bisect_right(self._starts, place) - 1
        return self._chunks[chunk][place - self._starts[chunk]]

    def __iter__(self) -> Iterator[T]:
        return itertools.chain.from_iterable(self._chunks)

    def __reversed__(self) -> Iterator[T]:
        return itertools.chain.from_iterable(map(reversed, reversed(self._chunks)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Chunked):
            return self._length == other._length and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  (like a list: equal by content)

    def __repr__(self) -> str:
        return f"Chunked({list(self)!r})"

    def _at(self, place: int) -> tuple[int, int]:
        """The tuple that holds (or, at the end, takes) the item at ``place``, and the place in it."""
        chunk = min(bisect_right(self._starts, place) - 1, len(self._chunks) - 1)
        return chunk, place - self._starts[chunk]

    def inserted(self, place: int, item: T) -> Chunked[T]:
        """A copy with ``item`` at ``place`` (``0 <= place <= len``); a tuple grown to twice :data:`CHUNK` splits."""
        if not 0 <= place <= self._length:
            raise IndexError("Chunked index out of range")
        if not self._chunks:
            return Chunked._of([(item,)])
        chunk, offset = self._at(place)
        old = self._chunks[chunk]
        grown = (*old[:offset], item, *old[offset:])
        parts = [grown] if len(grown) < 2 * CHUNK else [grown[:CHUNK], grown[CHUNK:]]
        return Chunked._of([*self._chunks[:chunk], *parts, *self._chunks[chunk + 1:]])

    def removed(self, place: int) -> Chunked[T]:
        """A copy without the item at ``place``; a tuple left empty goes."""
        if not 0 <= place < self._length:
            raise IndexError("Chunked index out of range")
        chunk, offset = self._at(place)
        old = self._chunks[chunk]
        left = old[:offset] + old[offset + 1:]
        return Chunked._of([*self._chunks[:chunk], *((left,) if left else ()), *self._chunks[chunk + 1:]])


class Layered(Mapping[K, V]):
    """An immutable mapping: a dict shared with earlier states, and the keys changed since (see the module's text).

    Reads as the dict it stands for; iterating it runs in C (``filterfalse`` over the shared dict), about twice
    a dict's time while it has changes."""

    __slots__ = ("_base", "_length", "_top")

    def __init__(self, base: Mapping[K, V] = MappingProxyType({})) -> None:
        self._base, self._top, self._length = dict(base), {}, len(base)

    @classmethod
    def of(cls, fresh: dict[K, V]) -> Layered[K, V]:
        """``fresh`` as a layered mapping, without a copy: nobody may change ``fresh`` after this."""
        new = object.__new__(cls)
        new._base, new._top, new._length = fresh, {}, len(fresh)
        return new

    def __getitem__(self, key: K) -> V:
        found = self._top.get(key, self)
        if found is self:
            return self._base[key]
        if found is _GONE:
            raise KeyError(key)
        return found

    def get(self, key: K, default: Any = None) -> Any:
        found = self._top.get(key, self)
        if found is self:
            return self._base.get(key, default)
        return default if found is _GONE else found

    def __contains__(self, key: object) -> bool:
        found = self._top.get(key, self)  # type: ignore[call-overload]
        return key in self._base if found is self else found is not _GONE

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[K]:
        if not self._top:
            return iter(self._base)
        return chain(filterfalse(self._top.__contains__, self._base),
                     (key for key, value in self._top.items() if value is not _GONE))

    def values(self) -> ValuesView[V]:
        return _Values(self)

    def items(self) -> ItemsView[K, V]:
        return _Items(self)

    def _values(self) -> Iterator[V]:
        if not self._top:
            return iter(self._base.values())
        return chain(map(self._base.__getitem__, filterfalse(self._top.__contains__, self._base)),
                     (value for value in self._top.values() if value is not _GONE))

    def _items(self) -> Iterator[tuple[K, V]]:
        if not self._top:
            return iter(self._base.items())
        kept = list(filterfalse(self._top.__contains__, self._base))
        return chain(zip(kept, map(self._base.__getitem__, kept)),
                     ((key, value) for key, value in self._top.items() if value is not _GONE))

    def changed(self, updates: Mapping[K, V | None]) -> Layered[K, V]:
        """A copy with ``updates`` in place (a value ``None``: the key taken out); this one stays as it was."""
        new = object.__new__(Layered)
        top = {**self._top, **{key: _GONE if value is None else value for key, value in updates.items()}}
        length = self._length
        for key, value in updates.items():
            was = key in self
            length += (value is not None) - was
        new._length = length
        if len(top) > LAYER:  # one dict again (a copy every LAYER changes, not at every change)
            base = {key: value for key, value in self._base.items() if key not in top}
            base.update((key, value) for key, value in top.items() if value is not _GONE)
            new._base, new._top = base, {}
        else:
            new._base, new._top = self._base, top
        return new


class _Values(ValuesView):
    """A :class:`Layered` mapping's values, read in C where they can be (see :meth:`Layered._values`)."""

    _mapping: Layered

    def __iter__(self) -> Iterator:
        return self._mapping._values()


class _Items(ItemsView):
    """A :class:`Layered` mapping's items (see :meth:`Layered._items`)."""

    _mapping: Layered

    def __iter__(self) -> Iterator:
        return self._mapping._items()
