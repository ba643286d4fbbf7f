"""Reading the file: bytes to a :class:`CsvFile` (encoding, delimiter, header row).

UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1252 when the whole file reads
plausibly as such (a file mixing encodings, or one from a Mac, is refused rather than
read with mangled names); ``;``, ``,``, tab or ``|``;
title lines above the header row are skipped. Anything unreadable raises
:class:`CsvFormatError` with a Dutch message that says what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ouder_tui.errors import OuderTuiError
from ouder_tui.importers.columns import _classify
from ouder_tui.text import clean_text

MAX_FILE_BYTES = 100 * 1024 * 1024


class CsvFormatError(OuderTuiError):
    """The file cannot be read as a pupil list; the Dutch message says why and what to do."""


@dataclass(frozen=True, eq=False)
class CsvFile:
    """A parsed CSV file: its header row and the data rows with their line numbers.

    ``rows`` holds ``(line, cells)`` with ``line`` the physical line in the file where
    the row starts (the first line is 1); blank rows are left out. Cells are the
    text as it is in the file; cleaning happens when the rows are planned.
    """

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str
    delimiter: str
    header_line: int = 1


_DELIMITERS = (";", ",", "\t", "|")
_BLANKISH = set(";,\t| \r\n")
_SIGNATURES = (
    (b"PK\x03\x04", "een Excel-bestand (.xlsx) of een zip-bestand"),
    (b"\xd0\xcf\x11\xe0", "een oud Excel-bestand (.xls)"),
    (b"%PDF", "een PDF-bestand"),
)
_SAVE_AS_CSV = "Open het in Excel en kies Opslaan als > 'CSV (gescheiden door lijstscheidingsteken)'."


#: How each encoding is named to the user (the import summary says which one was used).
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (met BOM)",
    "utf-16": "UTF-16 (Excel 'Unicode-tekst')",
    "cp1252": "Windows-1252",
}
_SAVE_AS_UTF8 = "Open het in Excel en kies Opslaan als > 'CSV UTF-8 (door komma's gescheiden)'; er is niets ingelezen."

# Windows-1252 puts punctuation and a few rare letters at 0x80-0x9F, exactly where Mac-Roman (and DOS)
# put their accented lowercase letters: a Mac file read as Windows-1252 shows 'Zo‘', 'RenŽ', 'MŸller',
# 'Lo•c'. Such a character glued to a letter is the evidence; the characters that can honestly stand
# there are listed here.
_ALLOWED_BETWEEN_LETTERS = set("’´·")
_ALLOWED_AFTER_LETTER = set("’”»…°²³´®©")
_ALLOWED_BEFORE_LETTER = set("‘“«°")
_RARE_CAPITALS = set("ŠŽŒŸ")
#: Windows-1252 symbols that do not stand alone in a pupil list, but Mac-Roman's à, â, ë, ï, ô ... do.
_NEVER_ALONE = set("†‡ˆ‰•™˜‚„‘”")
#: Windows-1252 letters that Mac-Roman reads as common accented letters (š is ö, œ is ú, ’ is í, ‘ is ë,
#: ” is î):
#: a line holding one is only accepted when it does not read as well as Mac-Roman.
_AMBIGUOUS = set("šžœ’")


def _line_of(raw: bytes, position: int) -> int:
    return raw.count(b"\n", 0, position) + 1


def _lines_listed(lines: list[int]) -> str:
    """``regel 3`` or ``regels 2, 4 en 7`` (the first ten, then how many more)."""
    shown = [str(n) for n in lines[:10]]
    if len(lines) > 10:
        shown.append(f"nog {len(lines) - 10} andere")
    if len(shown) == 1:
        return f"regel {shown[0]}"
    return f"regels {', '.join(shown[:-1])} en {shown[-1]}"


def _are(lines: list[int]) -> str:
    return "is" if len(lines) == 1 else "zijn"


def _undecodable_lines(raw: bytes) -> list[int]:
    """Physical line numbers of the lines that are not valid UTF-8."""
    return [number for number, line in enumerate(raw.split(b"\n"), start=1)
            if not _is_utf8(line)]


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _utf8_multibyte_lines(raw: bytes) -> list[int]:
    """Lines that hold at least one valid UTF-8 multi-byte character (and are valid UTF-8 as a whole)."""
    return [number for number, line in enumerate(raw.split(b"\n"), start=1)
            if not line.isascii() and _is_utf8(line)]


def _neighbours(text: str, index: int) -> tuple[str, str]:
    return (text[index - 1] if index else "", text[index + 1] if index + 1 < len(text) else "")


def _wordish(char: str) -> bool:
    return char.isalpha() or (bool(char) and not char.isascii() and not char.isspace())


def _suspicious_cp1252(text: str) -> int | None:
    """The index of the first character that shows ``text`` was not written as Windows-1252, else ``None``."""
    for index, char in enumerate(text):
        if char.isascii():
            continue
        before, after = _neighbours(text, index)
        if char == "ƒ" or (char in _RARE_CAPITALS and (
                before.islower() or (before.isalpha() and after.islower()) or not (before + after).isalpha())):
            return index
        if char.isalpha() and char != "ˆ":  # the circumflex accent alone counts as a letter in Unicode
            continue
        # a symbol counts as glued to a word when it touches a letter or another non-ASCII symbol
        before_word, after_word = _wordish(before), _wordish(after)
        if not before_word and not after_word:
            if char in _NEVER_ALONE:
                return index
        elif before_word and after_word:
            if char not in _ALLOWED_BETWEEN_LETTERS:
                return index
        elif before_word:
            if char not in _ALLOWED_AFTER_LETTER or (char == "…" and before.isupper()):  # Mac's Ö
                return index
        elif char not in _ALLOWED_BEFORE_LETTER:
            return index
    return None


def _ambiguous_at(text: str, index: int) -> bool:
    """Whether the character at ``index`` is one Mac-Roman would read as a common accented letter."""
    char = text[index]
    before, after = _neighbours(text, index)
    if char == "‘":  # an opening quote, or Mac-Roman's ë opening a word
        return after.islower()
    if char == "”":  # a closing quote after an opening one, or Mac-Roman's î closing a word
        return before.isalpha() and not after.isalpha() and "“" not in text[:index]
    if char not in _AMBIGUOUS:
        return False
    if char != "’":
        return True
    follows = text[index + 2] if index + 2 < len(text) else ""
    # an apostrophe: D’Hondt, auto’s; between two lowercase letters or closing a word it may be
    # Mac-Roman's í (Mar’a, Mart’)
    if not before.isalpha():
        return False
    return not after.isalpha() or (after.islower() and not (after == "s" and not follows.isalpha()))


def _plausible_as_letters(text: str) -> bool:
    """Whether every non-ASCII character of ``text`` reads as an ordinary letter of a name (the Mac-Roman test)."""
    for index, char in enumerate(text):
        before, after = _neighbours(text, index)
        if char.isascii():
            if char.isupper() and before.islower() and not before.isascii():
                return False
            continue
        if not char.isalpha():
            if before.isalpha() or after.isalpha():
                return False
            continue
        if char.isupper() and (before.islower() or (before.isalpha() and after.islower())):
            return False
    return True


def _first_ambiguous(raw: bytes, text: str) -> int | None:
    """The index in ``text`` of a character on a line that reads as well as Mac-Roman, else ``None``."""
    offset = 0
    for raw_line, line in zip(raw.split(b"\n"), text.split("\n"), strict=True):
        hits = [i for i in range(len(line)) if _ambiguous_at(line, i)]
        if hits and _plausible_as_letters(raw_line.decode("mac_roman")):
            return offset + hits[0]
        offset += len(line) + 1
    return None


def _decode_single_byte(raw: bytes) -> tuple[str, str]:
    """A file that is not UTF-8: Windows-1252 when the whole file reads plausibly as such, else refused."""
    multibyte = _utf8_multibyte_lines(raw)
    if multibyte:
        bad = _undecodable_lines(raw)
        raise CsvFormatError(
            f"Het bestand mengt twee tekensets: {_lines_listed(multibyte)} {_are(multibyte)} UTF-8, maar "
            f"{_lines_listed(bad)} niet (waarschijnlijk Windows-1252). Zo zouden namen verminkt ingelezen "
            "worden. " + _SAVE_AS_UTF8
        )
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise CsvFormatError(
            f"Regel {_line_of(raw, exc.start)} bevat een teken dat noch UTF-8 noch Windows-1252 is "
            "(het bestand komt misschien van een Mac of uit DOS). " + _SAVE_AS_UTF8
        ) from None
    where = _suspicious_cp1252(text)
    if where is None:
        where = _first_ambiguous(raw, text)
    if where is not None:
        line = text.count("\n", 0, where) + 1
        start, end = where, where + 1
        while start > 0 and where - start < 30 and not text[start - 1].isspace() and text[start - 1] not in _DELIMITERS:
            start -= 1
        while end < len(text) and end - where < 30 and not text[end].isspace() and text[end] not in _DELIMITERS:
            end += 1
        raise CsvFormatError(
            f"De tekenset van het bestand is niet met zekerheid te bepalen: als Windows-1252 gelezen staat op "
            f"regel {line} '{clean_text(text[start:end])}', wat op een bestand van een Mac of uit DOS wijst. "
            + _SAVE_AS_UTF8
        )
    return text, "cp1252"


def _decode(raw: bytes) -> tuple[str, str]:
    """The file's text and its encoding, decoded strictly: one encoding for the whole file, or refused."""
    for signature, what in _SIGNATURES:
        if raw.startswith(signature):
            raise CsvFormatError(f"Dit is {what}, geen CSV-bestand. {_SAVE_AS_CSV}")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            good = raw[:exc.start].decode("utf-16", errors="replace")
            raise CsvFormatError(
                f"Het bestand is UTF-16-tekst, maar regel {good.count(chr(10)) + 1} bevat ongeldige tekens. "
                + _SAVE_AS_UTF8) from None
    if b"\x00" in raw[:65536]:
        raise CsvFormatError(f"Dit is geen tekstbestand (het bevat binaire gegevens). {_SAVE_AS_CSV}")
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            bad = _undecodable_lines(raw)
            raise CsvFormatError(
                f"Het bestand begint als UTF-8, maar {_lines_listed(bad)} {_are(bad)} geen UTF-8 (waarschijnlijk "
                "Windows-1252): zo zouden namen verminkt ingelezen worden. " + _SAVE_AS_UTF8) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return _decode_single_byte(raw)


def _records(text: str, delimiter: str, limit: int | None = None) -> list[tuple[int, list[str]]]:
    """Parse ``text``; a Dutch :class:`CsvFormatError` names the line of a malformed record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=True)
    records: list[tuple[int, list[str]]] = []
    while limit is None or len(records) < limit:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            message = str(exc)
            if "end of data" in message:
                raise CsvFormatError(
                    f"Regel {start}: een aanhalingsteken (\") wordt nergens gesloten, zodat de rest van het "
                    "bestand één veld zou worden. Controleer die regel."
                ) from None
            if "field limit" in message:
                raise CsvFormatError(
                    f"Regel {start}: een veld is langer dan {csv.field_size_limit()} tekens. "
                    "Is dit wel een leerlingenlijst?"
                ) from None
            raise CsvFormatError(
                f"Regel {start}: een aanhalingsteken (\") staat op een onverwachte plaats. Een veld met "
                "aanhalingstekens hoort zelf tussen aanhalingstekens te staan, met elk aanhalingsteken verdubbeld."
            ) from None
        if any(cell.strip() for cell in cells):
            records.append((start, cells))
    return records


def _header_index(records: list[tuple[int, list[str]]]) -> int:
    """Skip title lines ("Leerlingenlijst 2026-2027;;;") above the header row.

    The header is the first of the first ten rows with two or more column names we
    know, else the first row with two or more values, else the first row.
    """
    for index, (_line, cells) in enumerate(records[:10]):
        if sum(1 for c in cells if c.strip() and _classify(c) is not None) >= 2:
            return index
    for index, (_line, cells) in enumerate(records[:10]):
        if sum(1 for c in cells if c.strip()) >= 2:
            return index
    return 0


def _sniff(text: str) -> str:
    """The delimiter that splits the header row into the most column names we know, then into the most values."""
    best, best_score = ";", (-1, -1)
    for delimiter in _DELIMITERS:
        try:
            sample = _records(text, delimiter, limit=10)
        except CsvFormatError:
            # a broken quote further on: judge the delimiter by the first lines one by one, so that reading
            # the whole file with it names the line of the quote instead of finding no columns at all
            sample = []
            for number, line in enumerate(text.splitlines()[:10], start=1):
                try:
                    sample.append((number, next(csv.reader([line], delimiter=delimiter))))
                except (csv.Error, StopIteration):
                    continue
        if not sample:
            continue
        cells = [c for c in sample[_header_index(sample)][1] if c.strip()]
        score = (sum(1 for c in cells if _classify(c) is not None), len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(source: Path | str | bytes) -> CsvFile:
    """Read a pupil list from a file path or from its bytes.

    Raises :class:`CsvFormatError` (an :class:`OuderTuiError`) with a Dutch message
    for a file that cannot be read, is empty, binary, malformed or holds no data rows.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw = bytes(source)
    else:
        path = Path(source)
        try:
            if path.is_dir():
                raise CsvFormatError(f"{path} is een map, geen bestand.")
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CsvFormatError(
                    f"{path} is groter dan {MAX_FILE_BYTES // 2**20} MB; is dit wel een leerlingenlijst?")
            raw = path.read_bytes()
        except FileNotFoundError:
            raise CsvFormatError(f"Het bestand {path} bestaat niet.") from None
        except OSError as exc:
            raise CsvFormatError(f"Kan het bestand {path} niet lezen: {exc.strerror or exc}.") from None
    if len(raw) > MAX_FILE_BYTES:
        raise CsvFormatError(f"Het bestand is groter dan {MAX_FILE_BYTES // 2**20} MB; is dit wel een leerlingenlijst?")
    text, encoding = _decode(raw)
    if not text.strip():
        raise CsvFormatError("Het bestand is leeg.")
    delimiter = _sniff(text)
    records = _records(text, delimiter)
    if not any(set(cell) - _BLANKISH for _line, cells in records for cell in cells):
        raise CsvFormatError("Het bestand is leeg: er staan alleen lege regels in.")
    start = _header_index(records)
    header_line, headers = records[start]
    headers = list(headers)
    while headers and not headers[-1].strip():
        headers.pop()
    rows = records[start + 1:]
    if not rows:
        raise CsvFormatError(f"Het bestand bevat alleen een kopregel (regel {header_line}) en geen leerlingen.")
    return CsvFile(headers=headers, rows=rows, encoding=encoding, delimiter=delimiter, header_line=header_line)
