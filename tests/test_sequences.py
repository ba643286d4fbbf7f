"""The registry's immutable lists (ouder_tui/sequences.py): a Chunked list reads like the list it stands for,
and a copy with an item in or out is that list changed, while the original stays as it was."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ouder_tui import sequences
from ouder_tui.sequences import Chunked, Layered

OPS = st.lists(st.tuples(st.sampled_from(["in", "out"]), st.integers(0, 10_000), st.integers()), max_size=60)


@settings(max_examples=200, deadline=None)
@given(start=st.lists(st.integers(), max_size=40), ops=OPS, chunk=st.sampled_from([1, 2, 3, 8]))
def test_a_chunked_list_changes_as_a_list_and_its_originals_stay(start: list[int], ops: list, chunk: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sequences, "CHUNK", chunk)  # small tuples: splits and empty tuples come often
        current, reference = Chunked(start), list(start)
        states = [(current, list(reference))]
        for op, where, value in ops:
            if op == "in":
                place = where % (len(reference) + 1)
                current = current.inserted(place, value)
                reference.insert(place, value)
            elif reference:
                place = where % len(reference)
                current = current.removed(place)
                del reference[place]
            states.append((current, list(reference)))
        for state, expected in states:  # every earlier state is still what it was
            assert list(state) == expected and len(state) == len(expected)
            assert [state[i] for i in range(len(expected))] == expected
            assert [state[-i] for i in range(1, len(expected) + 1)] == [expected[-i] for i in range(1, len(expected) + 1)]
            assert state[:5] == expected[:5] and state[2:7] == expected[2:7] and state[::2] == expected[::2]
            assert list(reversed(state)) == expected[::-1]
            assert all(len(chunk_) <= 2 * chunk for chunk_ in state._chunks)
        assert current == Chunked(reference)


def test_reading_outside_a_chunked_list_is_an_index_error() -> None:
    found = Chunked([1, 2, 3])
    with pytest.raises(IndexError):
        found[3]
    with pytest.raises(IndexError):
        found[-4]
    with pytest.raises(IndexError):
        found.removed(3)
    with pytest.raises(IndexError):
        found.inserted(4, 9)
    assert Chunked().inserted(0, 1) == Chunked([1]) and not Chunked() and Chunked([1]).removed(0) == Chunked()


CHANGES = st.lists(st.dictionaries(st.integers(0, 30), st.one_of(st.none(), st.integers()), max_size=6), max_size=40)


@settings(max_examples=200, deadline=None)
@given(start=st.dictionaries(st.integers(0, 30), st.integers(), max_size=20), changes=CHANGES,
       layer=st.sampled_from([1, 4, 256]))
def test_a_layered_mapping_changes_as_a_dict_and_its_originals_stay(start: dict, changes: list, layer: int) -> None:
    """Each change (a value ``None``: the key taken out) on the last state, as the registry's updates: every state
    reads as the dict changed the same way, also once its changes were made one dict again (``LAYER``)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sequences, "LAYER", layer)
        current, reference = Layered.of(dict(start)), dict(start)
        states = [(current, dict(reference))]
        for change in changes:
            current = current.changed(change)
            for key, value in change.items():
                if value is None:
                    reference.pop(key, None)
                else:
                    reference[key] = value
            states.append((current, dict(reference)))
        for state, expected in states:
            assert len(state) == len(expected) and dict(state) == expected
            assert sorted(state) == sorted(expected) and sorted(state.values()) == sorted(expected.values())
            assert sorted(state.items()) == sorted(expected.items())
            for key in range(-1, 32):
                assert (key in state) == (key in expected)
                assert state.get(key, "geen") == expected.get(key, "geen")
                if key in expected:
                    assert state[key] == expected[key]
                else:
                    with pytest.raises(KeyError):
                        state[key]


def test_a_layered_mappings_views_can_be_read_again_and_counted() -> None:
    layered = Layered.of({1: "a", 2: "b", 3: "c"}).changed({2: None, 4: "d"}).changed({1: "A"})
    values, items = layered.values(), layered.items()
    assert len(values) == 3 and sorted(values) == sorted(values) == ["A", "c", "d"]
    assert len(items) == 3 and sorted(items) == [(1, "A"), (3, "c"), (4, "d")] and (3, "c") in items
    assert "c" in values and "b" not in values and dict(layered) == {1: "A", 3: "c", 4: "d"}
