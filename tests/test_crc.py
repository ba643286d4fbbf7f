"""The CRC-32 a save writes into the file (ouder_tui/crc.py): combined from the CRCs of the file as read, it is
always the number :func:`zlib.crc32` gives for the bytes written."""

from __future__ import annotations

import zlib

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ouder_tui import crc, integrity, storage, tables


@settings(max_examples=300, deadline=None)
@given(first=st.binary(max_size=300), second=st.binary(max_size=300), pad=st.integers(0, 5000))
def test_two_crcs_combine_into_that_of_both_pieces(first: bytes, second: bytes, pad: int) -> None:
    second = second + b"\0" * pad + second  # long and short lengths, zeros among them
    assert crc.combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(first + second)


def test_combining_over_a_large_length() -> None:
    second = bytes(range(256)) * 40_000  # 10 MB: every bit of the length up to 2**23 in play
    first = b"begin"
    assert crc.combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(first + second)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(min_size=0, max_size=700), cut=st.tuples(st.integers(0, 700), st.integers(0, 12)),
       ends=st.tuples(st.integers(0, 700), st.integers(0, 700)), before=st.binary(max_size=20),
       block=st.sampled_from([1, 7, 64, 256, 1 << 18]))
def test_any_stretch_of_a_file_as_read_extends_a_crc_as_reading_it_would(
        data: bytes, cut: tuple[int, int], ends: tuple[int, int], before: bytes, block: int) -> None:
    """The prefixes are kept every ``block`` bytes (small here, so the stretches cross many of them), with a
    stretch counted as zeros as a file's own checksum is: every stretch's CRC is that of its bytes as counted."""
    start = min(cut[0], len(data))
    end = min(start + cut[1], len(data))
    counted = data[:start] + b"0" * (end - start) + data[end:]
    low, high = sorted(min(e, len(data)) for e in ends)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(crc, "BLOCK", block)
        whole, prefixes = crc.Prefixes.computed(memoryview(data), (start, end))
        assert whole == zlib.crc32(counted)
        assert prefixes.until(high) == zlib.crc32(counted[:high])
        running = zlib.crc32(before)
        assert prefixes.extend(running, low, high) == zlib.crc32(counted[low:high], running)
        assert crc.crc32([before, memoryview(data)[low:high], b"na"], [None, (prefixes, low), None]) == \
            zlib.crc32(before + counted[low:high] + b"na")


encode_into = msgspec.json.Encoder().encode_into
RECORDS = {str(n): {"naam": f"Kind {n}", "notities": "é" * (n % 7) + "x" * (n % 50)} for n in range(1, 300)}

CHANGES = st.lists(st.tuples(st.sampled_from(["leerlingen", "gezinnen"]), st.sampled_from(["set", "del", "add"]),
                             st.integers(1, 299)), min_size=1, max_size=12)


@settings(max_examples=100, deadline=None)
@given(changes=CHANGES, block=st.sampled_from([16, 300, 4096]))
def test_a_save_writes_the_crc_of_what_it_writes(changes: list[tuple[str, str, int]], block: int) -> None:
    """A file read as a live store reads it, changed and saved again and again (each save over the last, as a
    store's): the checksum in each file is zlib's CRC-32 of its bytes, and the stretches from the file were
    not read for it (their origin was known)."""
    original = {"_meta": {"1": {"schema_version": 3}}, "leerlingen": RECORDS,
                "gezinnen": {k: {"naam": v["naam"].upper()} for k, v in RECORDS.items()}}
    raw = bytes(storage.encode(original))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(crc, "BLOCK", block)
        patch.setattr(tables.Pieces, "COPY_BELOW", 32)  # views of the file even in a small one
        document = storage.decode(raw, compact=True)
        reference = msgspec.json.decode(raw)
        for number, (table, op, at) in enumerate(changes):
            document[table] = tables.writable_copy(document[table])
            key = str(at) if op != "add" else str(1000 + number)
            if op == "del":
                document[table].pop(key, None)
                reference[table].pop(key, None)
            else:
                document[table][key] = reference[table][key] = {"naam": f"nieuw {number}"}
            written = b"".join(integrity.seal_document(document, encode_into))
            assert msgspec.json.decode(written) == {**reference, "_meta": msgspec.json.decode(written)["_meta"]}
            storage.decode(written)  # its checksum matches: zlib.crc32 over it, as every open computes it
        pieces = tables.Pieces(encode_into)
        tables.write_document(document, pieces)
        assert any(origin is not None for origin in pieces.origins)


def test_a_file_that_was_not_checked_by_its_crc_is_read_for_its_checksum() -> None:
    """A table from a file without CRC prefixes (an old SHA-256 file, or one read without them) has no
    origin: a save reads its bytes for the checksum, and the file is as sound."""
    raw = bytes(storage.encode({"_meta": {"1": {"schema_version": 3}}, "leerlingen": RECORDS}))
    document = storage.decode(raw, compact=True)
    assert document["leerlingen"].origin is not None
    document["leerlingen"].origin = None
    assert bytes(storage.encode(document)) == raw
