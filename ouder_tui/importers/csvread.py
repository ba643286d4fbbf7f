"""Reading the file: bytes to a :class:`CsvFile` (encoding, delimiter, header row).

UTF-8 with or without BOM, UTF-16 with BOM or Windows-1252; ``;``, ``,``, tab or ``|``;
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


def _decode(raw: bytes) -> tuple[str, str]:
    for signature, what in _SIGNATURES:
        if raw.startswith(signature):
            raise CsvFormatError(f"Dit is {what}, geen CSV-bestand. {_SAVE_AS_CSV}")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise CsvFormatError("Het bestand lijkt UTF-16-tekst, maar bevat ongeldige tekens.") from None
    if b"\x00" in raw[:65536]:
        raise CsvFormatError(f"Dit is geen tekstbestand (het bevat binaire gegevens). {_SAVE_AS_CSV}")
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


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
