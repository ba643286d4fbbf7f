"""Cleaning hostile text, Dutch dates and school years."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ouder_tui.text import (
    clean_text,
    fold,
    format_date,
    parse_date,
    parse_school_year,
    school_year_of,
    shortened,
)

from .conftest import HOSTILE


@given(st.text())
def test_clean_text_leaves_no_control_or_bidi_characters(value: str) -> None:
    """Whatever is typed or imported, what is stored cannot steer the terminal."""
    cleaned = clean_text(value)
    assert "\x1b" not in cleaned
    assert not any(unicodedata.category(c) == "Cc" for c in cleaned)
    assert not any(c in cleaned for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
    assert cleaned == cleaned.strip()


@given(st.text())
def test_clean_text_is_idempotent(value: str) -> None:
    """Cleaning twice changes nothing: saving a record again never alters it."""
    assert clean_text(clean_text(value)) == clean_text(value)
    assert clean_text(clean_text(value, multiline=True), multiline=True) == clean_text(value, multiline=True)


@pytest.mark.parametrize("name", [h for h in HOSTILE if "\x1b" not in h and "\u202e" not in h])
def test_markup_like_text_is_kept_as_typed(name: str) -> None:
    """Brackets are data, not markup: the display layer shows them literally."""
    assert clean_text(name) == name


def test_escape_sequences_and_bidi_are_removed() -> None:
    assert clean_text("\x1b[31mRood\x1b[0m") == "Rood"
    assert clean_text("\x1b]0;titel\x07Naam") == "Naam"
    assert clean_text("\u202eomgekeerd\u202c") == "omgekeerd"


def test_multiline_keeps_line_breaks_but_single_line_folds_them() -> None:
    assert clean_text("regel 1\r\nregel 2\t!", multiline=True) == "regel 1\nregel 2\t!"
    assert clean_text("regel 1\r\n  regel 2") == "regel 1 regel 2"


def test_fold_ignores_case_and_accents() -> None:
    assert fold("Çelik") == fold("celik") == "celik"
    assert fold("Chloé") == "chloe"
    # Letters Unicode does not see as accented, typed as the plain letter on a Belgian keyboard.
    assert fold("Yılmaz") == fold("YILMAZ") == "yilmaz"
    assert fold("Łukasz Søren Đorđević") == "lukasz soren dordevic"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("01/09/2026", date(2026, 9, 1)), ("1-9-2026", date(2026, 9, 1)), ("1.9.2026", date(2026, 9, 1)),
     ("2026-09-01", date(2026, 9, 1)), (" 29/02/2024 ", date(2024, 2, 29))],
)
def test_parse_date_accepts_dutch_and_iso(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "29/02/2025", "00/01/2026", "12/13/2026", "gisteren", "", "1/1/26"])
def test_parse_date_refuses_impossible_dates_in_dutch(text: str) -> None:
    with pytest.raises(ValueError, match="datum"):
        parse_date(text)


@given(st.dates())
def test_dates_round_trip_through_the_dutch_format(day: date) -> None:
    if day.year >= 1000:
        assert parse_date(format_date(day)) == day


def test_school_year_runs_from_september_to_august() -> None:
    assert school_year_of(date(2026, 9, 1)) == "2026-2027"
    assert school_year_of(date(2027, 8, 31)) == "2026-2027"
    assert school_year_of(date(2026, 8, 31)) == "2025-2026"
    assert parse_school_year(" 2026 - 2027 ") == "2026-2027"
    with pytest.raises(ValueError, match="schooljaar"):
        parse_school_year("2026-2028")


def test_shortened_keeps_what_fits_and_cuts_the_rest_with_an_ellipsis() -> None:
    assert shortened("Koffie en babbel", 16) == "Koffie en babbel"
    assert shortened("Koffie en babbel", 10) == "Koffie en…"
    assert shortened("Koffie en babbel", 8) == "Koffie…"  # the space before the cut goes
    assert len(shortened("x" * 50, 44)) == 44
