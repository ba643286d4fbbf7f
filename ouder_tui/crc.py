"""CRC-32 (zlib's) of a file written from stretches of an earlier file, without reading those stretches again.

Every save writes the CRC-32 of the whole file into it (see :mod:`ouder_tui.integrity`). Most of a save's
bytes are stretches of the file as it was read (the records nobody changed, see :mod:`ouder_tui.tables`),
and running CRC-32 over them again took ~17 ms a save at 50,000 pupils (70 MB). The CRC of a stretch
follows from the CRCs of the file up to its two ends, and CRC-32 values of consecutive pieces combine
(zlib's ``crc32_combine``). So the check of a file as read keeps its CRC at every :data:`BLOCK` bytes
(:class:`Prefixes`), and a save computes only the bytes it encoded and at most a block at each end of a
stretch, plus one combine per stretch (~50 µs).

Python's :mod:`zlib` has no ``crc32_combine``: :func:`combine` is zlib's own method (``multmodp`` and
``x2nmodp`` in zlib's ``crc32.c``) in Python, on 32-bit numbers, and is checked against :func:`zlib.crc32`
in ``tests/test_crc.py``.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Iterable
from functools import lru_cache

#: CRC-32's polynomial, bits reversed (as zlib computes it).
_POLY = 0xEDB88320
#: How often the CRC of a file as read is kept: a stretch's end costs at most this many bytes of CRC (~40 µs).
BLOCK = 1 << 18


def _times(a: int, b: int) -> int:
    """``a`` times ``b`` modulo CRC-32's polynomial (both in zlib's reflected order)."""
    bit = 1 << 31
    product = 0
    while True:
        if a & bit:
            product ^= b
            if a & (bit - 1) == 0:
                return product
        bit >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1


def _powers() -> tuple[int, ...]:
    """x to the power 2**k modulo the polynomial, for k = 0..31 (the powers repeat after that)."""
    power = 1 << 30  # x
    found = []
    for _ in range(32):
        found.append(power)
        power = _times(power, power)
    return tuple(found)


_X2N = _powers()


@lru_cache(maxsize=512)
def _shift(length: int) -> int:
    """x to the power of ``length`` bytes' bits: multiplying a CRC by it moves it past ``length`` bytes.

    Kept for the lengths asked lately: a table nobody changed has the same length at every save."""
    power = 1 << 31  # 1
    k = 3  # a byte is 2**3 bits
    while length:
        if length & 1:
            power = _times(_X2N[k & 31], power)
        length >>= 1
        k += 1
    return power


def combine(first: int, second: int, length: int) -> int:
    """The CRC-32 of two pieces one after the other, from their CRCs and the second's length in bytes."""
    return _times(_shift(length), first) ^ second


class Prefixes:
    """The CRC-32 of a file's bytes from its start up to every :data:`BLOCK` bytes, to compute that of any
    stretch of it (:meth:`extend`) without reading more than a block at either end.

    ``head``: the file's first blocks as the CRC was computed over them (a checksum inside it written as
    zeros), where they differ from ``data``."""

    __slots__ = ("_crcs", "_data", "_head", "_known")

    #: How many of the CRCs :meth:`until` computed are kept: a table nobody changed begins and ends at the same
    #: places at every save.
    KEEP = 256

    def __init__(self, data: memoryview, head: bytes, crcs: array) -> None:
        self._data = data
        self._head = head
        self._crcs = crcs
        self._known: dict[int, int] = {}

    @classmethod
    def computed(cls, data: memoryview, zeroed: tuple[int, int] | None = None) -> tuple[int, Prefixes]:
        """The CRC-32 of ``data`` and its prefixes, in one pass; ``zeroed``: the stretch ``(start, end)`` is
        counted as the digit 0 throughout (where a file's own checksum is written)."""
        head = b""
        if zeroed is not None:
            start, end = zeroed
            cut = min(len(data), -(-end // BLOCK) * BLOCK)  # whole blocks, so the rest is read from data
            copy = bytearray(data[:cut])
            copy[start:end] = b"0" * (end - start)
            head = bytes(copy)
        crcs = array("I", [0])
        crc = 0
        for at in range(0, len(data), BLOCK):
            crc = zlib.crc32(head[at:at + BLOCK] if at < len(head) else data[at:at + BLOCK], crc)
            if at + BLOCK <= len(data):
                crcs.append(crc)
        return crc, cls(data, head, crcs)

    def until(self, end: int) -> int:
        """The CRC-32 of the first ``end`` bytes."""
        found = self._known.get(end)
        if found is None:
            block = end // BLOCK
            start = block * BLOCK
            piece = self._head[start:end] if start < len(self._head) else self._data[start:end]
            found = zlib.crc32(piece, self._crcs[block])
            if len(self._known) >= self.KEEP:
                self._known.clear()
            self._known[end] = found
        return found

    def extend(self, crc: int, start: int, end: int) -> int:
        """``crc`` (of what comes before) extended over this file's bytes ``start`` to ``end``."""
        # combine(before the stretch, the stretch) where the stretch's CRC is until(end) less until(start) moved
        # past it; CRCs are linear, so both moves are one.
        return combine(crc ^ self.until(start), self.until(end), end - start)


def crc32(parts: Iterable[bytes | bytearray | memoryview], origins: Iterable[tuple[Prefixes, int] | None]) -> int:
    """The CRC-32 of ``parts`` one after the other; a part whose origin is ``(prefixes, start)`` is that file's
    bytes from ``start`` on (and is not read), any other part is read."""
    crc = 0
    for part, origin in zip(parts, origins, strict=True):
        if origin is None:
            crc = zlib.crc32(part, crc)
        else:
            prefixes, start = origin
            crc = prefixes.extend(crc, start, start + len(part))
    return crc
