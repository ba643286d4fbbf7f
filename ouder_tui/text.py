"""Text and date helpers shared by every area: cleaning hostile text, Dutch dates, school years."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

# Escape sequences (CSI, OSC, other ESC-introduced), then every control and
# bidi-formatting character that could move the cursor or reorder what a
# terminal shows. Tab and newline survive only where multi-line text is allowed.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[@-Z\\-_]"  # other two-byte sequences
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_BIDI_AND_INVISIBLE = ("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufeff"
                       "\u200b\u2060\u180e")
#: Joiners shape letters around them (Persian, emoji) but are nothing on their own.
_JOINERS = "\u200c\u200d"
_DROP_ONE_LINE: dict[int, None] = {c: None for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]}
_DROP_ONE_LINE.update({ord(c): None for c in _BIDI_AND_INVISIBLE})
_DROP_ONE_LINE.update({0x2028: None, 0x2029: None})
# Lone surrogates (bytes that were no UTF-8 in a file name or an environment variable) cannot be written
# to a UTF-8 file at all: they become the replacement character.
_DROP_ONE_LINE.update({c: "\ufffd" for c in range(0xD800, 0xE000)})
_DROP_MULTI_LINE = {k: v for k, v in _DROP_ONE_LINE.items() if k not in (0x09, 0x0A)}
_TERMINAL_DROP = {k: v for k, v in _DROP_MULTI_LINE.items() if k != 0x0D}
_SPACES = re.compile(r"[ \t]+")


def clean_text(value: object, *, multiline: bool = False) -> str:
    """Return ``value`` as text that is safe to store and show.

    Escape sequences, control characters and bidi overrides are removed; on a
    single line every tab or newline becomes a space and runs of spaces fold.
    Markup-like text such as ``[bold]`` is kept as typed: it is the display
    layer's job never to parse it.
    """
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    if multiline:
        text = text.translate(_DROP_MULTI_LINE)
        return _visible_or_nothing("\n".join(line.rstrip() for line in text.split("\n")).strip("\n"))
    text = text.replace("\t", " ").replace("\n", " ").translate(_DROP_ONE_LINE)
    return _visible_or_nothing(_SPACES.sub(" ", text).strip())


def _visible_or_nothing(text: str) -> str:
    """``text``, or nothing when it holds only joiners and white space (a name nobody can see)."""
    if text.isascii() or text.strip(_JOINERS + " \t\n"):
        return text
    return ""


def strip_controls(value: str) -> str:
    """``value`` without escape sequences, control characters or bidi overrides; tabs and newlines stay.

    The store's boundary: applied to every text that enters a record, whatever the field (the models'
    checks fold single-line fields further). Nothing else changes, so clean text passes untouched.
    """
    if value.isprintable():
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return _ESCAPE_SEQUENCE.sub("", text).translate(_DROP_MULTI_LINE)


def strip_controls_deep(value):
    """:func:`strip_controls` on every text in ``value`` (dicts, lists and tuples, keys included)."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, dict):
        return {strip_controls(k) if isinstance(k, str) else k: strip_controls_deep(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strip_controls_deep(v) for v in value]
    return value


def terminal_safe(text: str) -> str:
    """Text for a terminal: escape sequences and control characters out, line ends and tabs kept."""
    if text.isprintable():
        return text
    return _ESCAPE_SEQUENCE.sub("", text).translate(_TERMINAL_DROP)


#: Letters that are no accented letter to Unicode (nothing to take off), but that people type as the plain
#: one: ``Yılmaz`` is found by "yilmaz", ``Łukasz`` by "lukasz". One letter for one: lengths stay.
_PLAIN_LETTERS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d"})


def fold(value: str) -> str:
    """Lowercase ``value`` without accents, for matching and searching (``Çelik`` -> ``celik``)."""
    if value.isascii():
        return value.lower()
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().translate(_PLAIN_LETTERS)


_DATE_DMY = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")
_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?\s*$")


def parse_date(value: str) -> date:
    """Parse a Dutch date (``dd/mm/jjjj``, also with ``-`` or ``.``) or an ISO date.

    Raises ``ValueError`` with a Dutch message for anything else or an impossible date.
    """
    text = value.strip()
    if m := _DATE_DMY.match(text):
        day, month, year = (int(g) for g in m.groups())
    elif m := _DATE_ISO.match(text):
        year, month, day = (int(g) for g in m.groups())
    else:
        raise ValueError(f"'{text}' is geen datum (gebruik dd/mm/jjjj)")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' bestaat niet als datum") from None


def format_date(value: date | None) -> str:
    """``date(2026, 9, 1)`` -> ``01/09/2026``; ``None`` -> empty text."""
    return value.strftime("%d/%m/%Y") if value else ""


def format_datetime(value: str | datetime | None) -> str:
    """An ISO timestamp -> ``22/11/2026 08:53``; empty for nothing."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%d/%m/%Y %H:%M")


def school_year_of(day: date) -> str:
    """The school year a day falls in: 1 September to 31 August (``2026-2027``)."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


_SCHOOL_YEAR = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")


def parse_school_year(value: str) -> str:
    """Check and normalise a school year such as ``2026-2027``; ``ValueError`` in Dutch otherwise."""
    m = _SCHOOL_YEAR.match(value.strip())
    if not m or int(m.group(2)) != int(m.group(1)) + 1:
        raise ValueError(f"'{value.strip()}' is geen schooljaar (bv. 2026-2027)")
    return f"{m.group(1)}-{m.group(2)}"


def plural(count: int, one: str, many: str) -> str:
    """``plural(1, "gezin", "gezinnen")`` -> ``1 gezin``; ``plural(3, ...)`` -> ``3 gezinnen``."""
    return f"{count} {one if count == 1 else many}"


def shortened(text: str, width: int) -> str:
    """``text`` as it is when it has at most ``width`` characters, else cut to fit with "…" at the end."""
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


DAGEN = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MAANDEN = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december")


def lange_datum(day: date | None) -> str:
    """``dinsdag 8 december 2026``: how a letter to parents says a date."""
    if day is None:
        return ""
    return f"{DAGEN[day.weekday()]} {day.day} {MAANDEN[day.month - 1]} {day.year}"


def staaf(waarde: float, maximum: float, breedte: int = 30) -> str:
    """A horizontal bar of block characters, ``breedte`` wide at ``maximum`` (eighths for the last bit)."""
    if maximum <= 0 or waarde <= 0:
        return ""
    eighths = round(waarde / maximum * breedte * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("" if not rest else " ▏▎▍▌▋▊▉"[rest])
