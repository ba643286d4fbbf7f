"""The tables of a live file store (ouder_tui/tables.py): a packed table and the overlays over it behave as the
dict they stand for, and write the very bytes msgspec writes for that dict."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ouder_tui import storage, tables

_encoder = msgspec.json.Encoder()


def packed_of(records: dict[str, dict]) -> tuple[tables.PackedTable, bytes]:
    """``records`` as a live store holds them after reading a file: one packed table (and the file's bytes)."""
    raw = msgspec.json.encode({"t": records})
    document = msgspec.json.decode(raw, type=dict[str, dict[str, msgspec.Raw]])
    layout = tables.compact_layout(len(raw), document)
    assert layout is not None
    start, end, keys, begins = layout["t"]
    packed = tables.pack(memoryview(raw)[start:end], keys, begins)
    assert packed is not None
    return packed, raw


def written(table: object) -> bytes:
    pieces = tables.Pieces(_encoder.encode_into)
    tables.write_document({"t": table}, pieces)
    return b"".join(pieces.done())


def plain(table: object) -> dict:
    return {key: msgspec.json.decode(v) if type(v) is msgspec.Raw else v for key, v in table.items()}


RECORDS = {str(n): {"naam": f"Kind {n}", "klas": "3A", "notities": "é" * (n % 5)} for n in range(1, 40)}


def test_a_packed_table_reads_like_the_dict_and_writes_the_file_back_byte_for_byte() -> None:
    packed, raw = packed_of(RECORDS)
    assert len(packed) == 39 and list(packed) == list(RECORDS)
    assert plain(packed) == RECORDS
    assert msgspec.json.decode(packed["7"]) == RECORDS["7"]
    assert "7" in packed and "40" not in packed and "07" not in packed and 7 not in packed
    assert packed.get("40") is None
    assert written(packed) == raw
    assert packed.decoded() == RECORDS


def test_a_record_restored_at_the_end_under_its_old_id_is_found() -> None:
    """Ids are handed out in order, but a record back from the recycle bin comes last with its old number."""
    records = {**{k: v for k, v in RECORDS.items() if k != "5"}, "5": {"naam": "terug"}}
    packed, raw = packed_of(records)
    assert list(packed) == list(records)
    assert msgspec.json.decode(packed["5"]) == {"naam": "terug"}
    assert msgspec.json.decode(packed["6"]) == RECORDS["6"]
    assert written(packed) == raw


@pytest.mark.parametrize("raw", [
    b'{"t": {"1": {"a": 1}}}',  # spaces: not what a save writes
    b'{"t":{"1":{"a":1}}}\n',  # a line break at the end
    b'{"t":{"1":{"a":1},"1":{"a":2}}}',  # a key twice
    b'{"t":{"\\u0031":{"a":1}}}',  # an escaped key
])
def test_a_file_not_written_compactly_is_not_packed(raw: bytes) -> None:
    document = msgspec.json.decode(raw, type=dict[str, dict[str, msgspec.Raw]])
    assert tables.compact_layout(len(raw), document) is None


@pytest.mark.parametrize("keys", [["1", "02"], ["1", "+2"], ["1", "x"], ["1", ""], ["1", "²"], []])
def test_a_table_whose_keys_are_not_canonical_ids_stays_a_dict(keys: list[str]) -> None:
    raw = msgspec.json.encode({"t": {key: {"a": 1} for key in keys}})
    document = msgspec.json.decode(raw, type=dict[str, dict[str, msgspec.Raw]])
    layout = tables.compact_layout(len(raw), document)
    assert layout is not None  # compact: the layout is known, but the keys are not ids
    start, end, found, begins = layout["t"]
    assert tables.pack(memoryview(raw)[start:end], found, begins) is None


def test_a_live_document_is_packed_where_it_can_be() -> None:
    raw = bytes(storage.encode({"_meta": {"1": {"schema_version": 0}}, "leerlingen": RECORDS,
                                "gebruikers": {"1": {"naam": "Els"}}, "leeg": {}}))
    document = storage.decode(raw, compact=True)
    assert isinstance(document["leerlingen"], tables.PackedTable)
    assert isinstance(document["gebruikers"], tables.PackedTable)
    assert isinstance(document["leeg"], dict) and isinstance(document["_meta"], dict)
    assert bytes(storage.encode(document)) == raw


OPS = st.lists(st.tuples(st.sampled_from(["set", "del", "copy"]), st.integers(1, 45), st.integers(0, 9)),
               max_size=40)


@settings(max_examples=200, deadline=None)
@given(ops=OPS)
def test_overlays_behave_as_the_dict_they_stand_for(ops: list[tuple[str, int, int]]) -> None:
    """Random changes, each transaction on a copy of the last (as a store's saves): the overlay iterates, counts,
    finds and writes as a dict changed the same way, and the table it was made from never changes."""
    packed, raw = packed_of(RECORDS)
    table: object = packed
    reference = dict(RECORDS)
    current = tables.writable_copy(table)
    for op, number, value in ops:
        key = str(number)
        if op == "set":
            current[key] = reference[key] = {"naam": f"nieuw {value}"}
        elif op == "del" and key in reference:
            del current[key]
            del reference[key]
        elif op == "del":
            with pytest.raises(KeyError):
                del current[key]
        else:  # a save, then the next transaction starts from it
            current = tables.writable_copy(current)
        assert len(current) == len(reference)
        assert (key in current) == (key in reference)
    assert list(current) == list(reference)
    assert plain(current) == reference
    assert msgspec.json.decode(written(current)) == {"t": reference}
    assert written(current) == msgspec.json.encode({"t": reference})  # the same bytes, in the same order
    assert written(packed) == raw and plain(packed) == RECORDS


def test_an_overlay_with_many_changes_becomes_a_dict_again() -> None:
    packed, _ = packed_of(RECORDS)
    overlay = tables.writable_copy(packed)
    for n in range(100, 100 + tables.MAX_CHANGED + 1):
        overlay[str(n)] = {"naam": "import"}
    again = tables.writable_copy(overlay)
    assert isinstance(again, tables.DictTable)
    assert list(again) == list(overlay) and len(again) == 39 + tables.MAX_CHANGED + 1


def test_two_states_over_one_packed_table_differ_where_either_changed_it() -> None:
    packed, _ = packed_of(RECORDS)
    first = tables.writable_copy(packed)
    first["3"] = {"naam": "drie"}
    del first["4"]
    second = tables.writable_copy(first)
    second["50"] = {"naam": "nieuw"}
    assert tables.compared(packed, first) == {"3", "4"}
    assert tables.compared(first, second) == {"50"}
    assert tables.compared(packed, second) == {"3", "4", "50"}
    again, _ = packed_of(RECORDS)  # the same records read again from a file: every one is another
    assert tables.compared(packed, again) == set(RECORDS)


def test_long_stretches_are_written_from_the_file_not_copied() -> None:
    records = {str(n): {"notities": "x" * 1000} for n in range(1, 200)}
    packed, _ = packed_of(records)
    overlay = tables.writable_copy(packed)
    overlay["100"] = {"notities": "kort"}
    pieces = tables.Pieces(_encoder.encode_into)
    tables.write_document({"t": overlay}, pieces)
    parts = pieces.done()
    views = [p for p in parts if isinstance(p, memoryview)]
    assert len(views) == 2 and all(v.obj is packed.text.obj for v in views)
    assert sum(map(len, views)) > 190_000
    assert msgspec.json.decode(b"".join(parts))["t"]["100"] == {"notities": "kort"}
