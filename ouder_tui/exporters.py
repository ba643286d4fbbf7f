"""Exports shared by every area: tables for Excel (xlsx) and other tools (CSV), JSON, printable reports.

xlsx (openpyxl): one sheet per table, real dates, numbers as numbers and everything else as text
(phone and pupil numbers keep their leading zeros), a bold frozen header row with filters and
column widths that fit. CSV: ``;`` as delimiter, UTF-8 with BOM, CRLF, dates ``dd/mm/jjjj``;
text cells are quoted (a spreadsheet told to read quoted fields as text keeps ``0470…``) and
a text cell gets a leading apostrophe only when a spreadsheet would run it as a formula
(:func:`runs_as_formula`); numbers are never touched. JSON: one shape for every export
(:func:`json_document`), ISO dates, no store bookkeeping. Files are written atomically: a
cancelled or failed export leaves no half file.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import msgspec

from ouder_tui.errors import OuderTuiError
from ouder_tui.leerlingen import Gezin, Leerling, Registry
from ouder_tui.models import to_record
from ouder_tui.storage import write_atomic
from ouder_tui.text import format_date

FORMATS = ("xlsx", "csv", "json")
#: The formats of a tabular export, in the order the interface offers them (Excel first).
TABLE_FORMATS = ("xlsx", "csv")

# -- tables: xlsx and CSV ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """One table of a tabular export: its name (the xlsx tab), a header and rows of typed cells.

    A cell is ``None``, text, a number, a ``bool`` (``ja``/``nee``) or a ``date``; text stays text
    everywhere (``"0470123456"`` is never turned into a number).
    """

    name: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]] = field(default_factory=list)


# A formula needs a function call, a DDE link or a reference to another sheet or file to do harm;
# "-Jan", "+32 470 12 34 56" or "@home" are names and numbers, not formulas.
_FORMULA_SIGN = ("+", "-", "@")
_FORMULA_PART = re.compile(r"[(|!]")
_FIRST_SIGNS = frozenset("=+-@ \t\r\n")


def runs_as_formula(text: str) -> bool:
    """Whether a spreadsheet would run this text cell as a formula (``=…``, or ``+ - @`` with a call,
    a DDE ``|`` or a reference ``!``), also after leading tabs, returns or spaces."""
    if not text or text[0] not in _FIRST_SIGNS:  # nearly every cell: decided by its first character
        return False
    stripped = text.lstrip(" \t\r\n")
    if not stripped:
        return False
    if stripped[0] == "=":
        return True
    return stripped[0] in _FORMULA_SIGN and bool(_FORMULA_PART.search(stripped))


def excel_safe(value: Any) -> str:
    """A cell as CSV text: dates as ``dd/mm/jjjj``, yes/no, numbers as they are, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, (date, datetime)):
        return format_date(value)
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return _defused(str(value))


def _defused(text: str) -> str:
    """Text a spreadsheet would run as a formula, shown as the text it is (a leading apostrophe)."""
    return "'" + text if runs_as_formula(text) else text


def _csv_cell(value: Any) -> str:
    """Text quoted (so it can be read as text), numbers and dates bare (so they stay numbers and dates)."""
    if isinstance(value, str):  # most cells: checked first, without excel_safe's checks for other types
        return '"' + _defused(value).replace('"', '""') + '"' if value else ""
    return excel_safe(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV document for Belgian Excel and LibreOffice Calc (``;``, UTF-8 with BOM, CRLF)."""
    lines = [";".join(_csv_cell(str(h)) for h in header)]
    lines += [";".join(_csv_cell(cell) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An Excel workbook, one sheet per table: typed cells, a bold frozen header with filters."""
    from openpyxl import Workbook  # only the xlsx export needs it
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    used: set[str] = set()
    for sheet in sheets:
        name = _SHEET_NAME_BAD.sub("-", sheet.name).strip("'")[:31] or "Blad"
        while name.casefold() in used:
            name = name[:28] + f" {len(used) + 1}"
        used.add(name.casefold())
        ws = book.create_sheet(name)
        widths = [len(str(h)) for h in sheet.header]
        ws.append([str(h) for h in sheet.header])
        for cell in ws[1]:
            cell.font = bold
        for r, row in enumerate(sheet.rows, start=2):
            for c, value in enumerate(row, start=1):
                _xlsx_cell(ws.cell(row=r, column=c), value)
                if c <= len(widths):
                    widths[c - 1] = max(widths[c - 1], _shown_width(value))
                else:
                    widths.append(_shown_width(value))
        ws.freeze_panes = "A2"
        if sheet.header:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.header))}{max(len(sheet.rows) + 1, 1)}"
        for c, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)
    if not sheets:
        book.create_sheet("Leeg")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(cell: Any, value: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        cell.value = "ja" if value else "nee"
    elif isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None)
        cell.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = "DD/MM/YYYY"
    elif isinstance(value, (int, float)):
        cell.value = value
    else:
        cell.value = str(value)
        cell.data_type = "s"  # text, also when it starts with "=": never a formula
        cell.number_format = "@"
        if "\n" in cell.value:
            from openpyxl.styles import Alignment

            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _shown_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).split("\n")), default=0)


def table_bytes(fmt: str, sheets: Sequence[Sheet]) -> bytes:
    """The tables as ``xlsx`` (one sheet each) or ``csv`` (the first table: CSV has one)."""
    if fmt == "xlsx":
        return xlsx_bytes(sheets)
    if fmt == "csv":
        first = sheets[0]
        return csv_bytes(first.header, first.rows)
    raise OuderTuiError(f"Onbekend formaat '{fmt}' voor een tabel; kies uit {', '.join(TABLE_FORMATS)}.")


# -- JSON ---------------------------------------------------------------------------------------------


def public(record: Any) -> Any:
    """A record without the store's bookkeeping (``_rev``, ``_created_by`` ...), also in nested records;
    who changed it last and when stay, as ``gewijzigd_door`` and ``gewijzigd_op``."""
    if isinstance(record, dict):
        data = {k: public(v) for k, v in record.items() if not str(k).startswith("_")}
        if record.get("_changed_by"):
            data["gewijzigd_door"] = record["_changed_by"]
            data["gewijzigd_op"] = record.get("_changed_at", "")
        return data
    if isinstance(record, (list, tuple)):
        return [public(item) for item in record]
    return record


def json_document(soort: str, lists: dict[str, Iterable[Any]], *, gemaakt_op: datetime,
                  schooljaar: str | None = None, samenvatting: dict[str, Any] | None = None) -> bytes:
    """The one shape of every JSON export: an object with ``soort`` (what it holds), ``schooljaar``
    (``null`` when not tied to one), ``gemaakt_op`` (ISO time) and per kind of record a list of
    records (``"leerlingen": [...]``); an optional ``samenvatting`` holds figures. No store bookkeeping."""
    document: dict[str, Any] = {"soort": soort, "schooljaar": schooljaar,
                                "gemaakt_op": gemaakt_op.isoformat(timespec="seconds")}
    for kind, items in lists.items():
        document[kind] = [public(item) for item in items]
    if samenvatting is not None:
        document["samenvatting"] = samenvatting
    return msgspec.json.format(msgspec.json.encode(document), indent=2) + b"\n"


# -- file names ---------------------------------------------------------------------------------------

_UNSAFE_IN_NAME = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f]+')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def safe_filename(text: str, fallback: str = "export") -> str:
    """A file name made from user text that Windows, macOS and Linux accept: ``1/2A`` -> ``1-2A``,
    ``K3: Vlinders`` -> ``K3- Vlinders``; no reserved names (``CON``, ``LPT1`` ...), no trailing dot or space."""
    name = _UNSAFE_IN_NAME.sub("-", text).strip().rstrip(". ")
    if not name:
        return fallback
    if name.split(".")[0].strip().lower() in _RESERVED:
        name = "_" + name
    return name[:150]


# -- the registry -------------------------------------------------------------------------------------

LEERLING_COLUMNS = ("Stamboeknummer", "Voornaam", "Familienaam", "Geboortedatum", "Klas", "Klasnummer",
                    "Leerjaar", "Schooljaar", "Status", "Vertrokken op", "Gezinsnummer", "Gezin", "Notities")


def leerlingen_rows(registry: Registry, leerlingen: Iterable[Leerling]) -> Iterable[list[Any]]:
    """One row a pupil; ``Gezinsnummer`` keeps siblings together when the file is imported again."""
    families = registry.gezinnen_op_id()  # one look for the whole list, not one per pupil
    for p in leerlingen:
        family = families.get(p.gezin_id) if p.gezin_id else None
        gezin = family.naam if family is not None else ""
        yield [p.stamboeknummer, p.voornaam, p.familienaam, p.geboortedatum, p.klas, p.klasnummer,
               p.leerjaar, p.schooljaar, p.status, p.vertrokken_op, p.gezin_id, gezin, p.notities]


OUDER_COLUMNS = ("relatie", "naam", "talen", "tolk nodig", "tolk taal", "telefoon", "e-mail",
                 "voorkeurkanaal", "beste momenten")


def _ouder_cells(o: Any) -> list[Any]:
    return [o.relatie, o.naam, ", ".join(o.talen), o.tolk_nodig, o.tolk_taal, o.telefoon, o.email,
            o.voorkeurkanaal, o.beste_momenten]


def gezinnen_rows(registry: Registry, gezinnen: Sequence[Gezin]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows: one row a family, the parents side by side."""
    most = max((len(g.ouders) for g in gezinnen), default=0)
    header = ["Gezinsnummer", "Gezin", "Adres", "Kinderen", "Talen", "Tolk nodig voor"]
    for i in range(1, most + 1):
        header += [f"Ouder {i} {col}" for col in OUDER_COLUMNS]
    header.append("Notities")
    rows = []
    for g in gezinnen:
        kids = ", ".join(f"{k.naam} ({k.klas})" if k.klas else k.naam for k in registry.kinderen(g.id))
        row: list[Any] = [g.id, g.naam, g.adres.regel(), kids, ", ".join(g.talen()), ", ".join(g.tolk_talen())]
        for i in range(most):
            row += _ouder_cells(g.ouders[i]) if i < len(g.ouders) else [""] * len(OUDER_COLUMNS)
        row.append(g.notities)
        rows.append(row)
    return header, rows


def export_registry(registry: Registry, what: str, fmt: str) -> bytes:
    """``what`` is ``leerlingen`` or ``gezinnen``; ``fmt`` is ``xlsx``, ``csv`` or ``json``."""
    if fmt not in FORMATS:
        raise OuderTuiError(f"Onbekend formaat '{fmt}'; kies uit {', '.join(FORMATS)}.")
    made = registry.store.clock()
    if what == "leerlingen":
        pupils = registry.leerlingen(ook_vertrokken=True)
        if fmt == "json":
            return json_document("leerlingen", {"leerlingen": (to_record(p) for p in pupils)}, gemaakt_op=made)
        return table_bytes(fmt, [Sheet("Leerlingen", LEERLING_COLUMNS, list(leerlingen_rows(registry, pupils)))])
    if what == "gezinnen":
        families = registry.gezinnen()
        if fmt == "json":
            return json_document("gezinnen", {"gezinnen": (
                {**to_record(g), "kinderen": [k.id for k in registry.kinderen(g.id)]} for g in families)},
                gemaakt_op=made)
        header, rows = gezinnen_rows(registry, families)
        parents = [[g.id, g.naam, *_ouder_cells(o)] for g in families for o in g.ouders]
        return table_bytes(fmt, [Sheet("Gezinnen", header, rows),
                                 Sheet("Ouders", ("Gezinsnummer", "Gezin", *(c.capitalize() for c in OUDER_COLUMNS)),
                                       parents)])
    raise OuderTuiError(f"Onbekende export '{what}'; kies uit leerlingen, gezinnen.")


def write_export(payload: bytes, output: Path) -> None:
    """Write an export file whole or not at all."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(output, payload)
    except OSError as exc:
        raise OuderTuiError(f"Kan {output} niet schrijven: {exc.strerror or exc}.") from None


def md_escape(text: str) -> str:
    """User text safe inside Markdown: characters that would format or link are escaped."""
    return re.sub(r"([\\`*_{}\[\]<>#|!])", r"\\\1", text)


# -- printable reports -------------------------------------------------------------------------------
# A report is a title and a list of blocks of plain text; one renderer per format
# escapes every piece, so a module describes its report once for Markdown and HTML.
# Text may hold line breaks: they print as line breaks and can never become markup.


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Bullets:
    """A list; an item may span several lines (notes)."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PageBreak:
    """Printed reports start a new page here (one plan per page); ignored before anything is printed."""


@dataclass(frozen=True)
class Card:
    """A card to print and cut: a big title, a few lines (event, date, place) and a table.

    Printed in large type, two cards on an A4 page."""

    title: str
    lines: tuple[str, ...]
    table: Table | None = None


Block = Heading | Para | Bullets | Table | PageBreak | Card
REPORT_FORMATS = ("md", "html")


def render_report(fmt: str, title: str, blocks: Sequence[Block]) -> bytes:
    """The report as Markdown or as a standalone printable HTML page."""
    if fmt == "md":
        return _render_markdown(title, blocks).encode("utf-8")
    if fmt == "html":
        return _render_html(title, blocks)
    raise OuderTuiError(f"Onbekend formaat '{fmt}' voor een rapport; kies uit {', '.join(REPORT_FORMATS)}.")


def _md_text(text: str) -> str:
    """Multi-line text as Markdown: every line escaped, line breaks kept as hard breaks (``\\``)."""
    return "\\\n".join(_md_line(line) for line in text.split("\n"))


def _md_cell(text: str) -> str:
    return "<br>".join(md_escape(line) for line in text.split("\n"))


def _md_table(table: Table) -> list[str]:
    out = ["| " + " | ".join(_md_cell(h) for h in table.header) + " |", "|" + "---|" * len(table.header)]
    out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
    return out + [""]


def _render_markdown(title: str, blocks: Sequence[Block]) -> str:
    out = [f"# {md_escape(title)}", ""]
    for block in blocks:
        if isinstance(block, Heading):
            out += [f"## {md_escape(block.text)}", ""]
        elif isinstance(block, Para):
            out += [_md_text(block.text), ""]
        elif isinstance(block, Bullets):
            for item in block.items:
                out.append("- " + "\\\n  ".join(_md_line(line) for line in item.split("\n")))
            out.append("")
        elif isinstance(block, Table):
            out += _md_table(block)
        elif isinstance(block, Card):
            out += [f"## {md_escape(block.title)}", ""]
            out += [*(_md_text(line) + "  " for line in block.lines), ""]
            if block.table is not None:
                out += _md_table(block.table)
    return "\n".join(out)


_MD_LINE_START = re.compile(r"^(\s*)([-+=>~]|\d+[.)])")


def _md_line(line: str) -> str:
    """One line of user text that stays text: ``- b``, ``3. c``, ``> q``, ``---`` or ``===`` (which would
    make the line above a heading) start with a backslash."""
    text = md_escape(line)
    return _MD_LINE_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if not m.group(2)[0].isdigit()
                                                      else m.group(2)[:-1] + "\\" + m.group(2)[-1]), text)


#: One stylesheet for every printed report: A4, headings kept with what follows, a record never
#: split when it fits on a page, table headers repeated on every page, cards in large type.
PRINT_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm; }
html { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; color: #111; }
body { margin: 0; line-height: 1.35; }
@media screen { body { margin: 2em auto; max-width: 50em; padding: 0 1em; } }
h1 { font-size: 18pt; margin: 0 0 0.6em 0; }
h2 { font-size: 13pt; margin: 1.2em 0 0.4em 0; }
h1, h2 { break-after: avoid; page-break-after: avoid; }
p, li { orphans: 3; widows: 3; }
.record { break-inside: avoid; page-break-inside: avoid; }
.section > h2 + * { break-before: avoid; page-break-before: avoid; }
.page { break-before: page; page-break-before: always; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 0.8em 0; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td, th { border: 1px solid #888; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; }
ul { margin: 0.3em 0 0.6em 0; padding-left: 1.4em; }
.cards { display: block; }
.card { box-sizing: border-box; height: 128mm; border: 1px dashed #666; padding: 8mm 10mm; margin: 0 0 6mm 0;
        break-inside: avoid; page-break-inside: avoid; overflow: hidden; }
.card h2 { font-size: 30pt; margin: 0 0 0.2em 0; }
.card p { font-size: 14pt; margin: 0; }
.card table { font-size: 16pt; margin-top: 5mm; }
.card td, .card th { padding: 0.2em 0.5em; }
"""


def _html_text(text: str) -> str:
    """User text for HTML: escaped, its line breaks kept (``<br>``)."""
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def _html_table(table: Table) -> list[str]:
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{_html_text(h)}</th>" for h in table.header) + "</tr></thead>",
           "<tbody>"]
    out += ["<tr>" + "".join(f"<td>{_html_text(c)}</td>" for c in row) + "</tr>" for row in table.rows]
    return out + ["</tbody>", "</table>"]


def _has_table(blocks: Sequence[Block], start: int) -> bool:
    """Whether the record that starts at ``start`` (up to the next heading, page break or card) has a table:
    a table may be longer than a page, so its record may break (its header row repeats on the next page)."""
    for block in blocks[start:]:
        if isinstance(block, (Heading, PageBreak, Card)):
            return False
        if isinstance(block, Table):
            return True
    return False


def _render_html(title: str, blocks: Sequence[Block]) -> bytes:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="nl">', "<head>", '<meta charset="utf-8">', f"<title>{e(title)}</title>",
           f"<style>{PRINT_CSS}</style>", "</head>", "<body>", f"<h1>{e(title)}</h1>"]
    printed = False  # anything below the title yet: a page break before that would leave an empty page
    in_record = in_cards = False

    def close() -> None:
        nonlocal in_record, in_cards
        if in_record or in_cards:
            out.append("</section>" if in_record else "</div>")
        in_record = in_cards = False

    page_next = False
    for index, block in enumerate(blocks):
        if isinstance(block, PageBreak):
            close()
            page_next = printed
            continue
        page_class = " page" if page_next else ""
        if isinstance(block, Heading):
            close()  # a heading opens a record: it and what follows stay together on one page ...
            kind = "section" if _has_table(blocks, index + 1) else "record"  # ... unless a table may need pages
            out += [f'<section class="{kind}{page_class}">', f"<h2>{_html_text(block.text)}</h2>"]
            in_record = True
        elif isinstance(block, Card):
            if not in_cards:
                close()
                out.append(f'<div class="cards{page_class}">')
                in_cards = True
            out += ['<section class="card">', f"<h2>{_html_text(block.title)}</h2>",
                    *(f"<p>{_html_text(line)}</p>" for line in block.lines)]
            if block.table is not None:
                out += _html_table(block.table)
            out.append("</section>")
        else:
            if in_cards:
                close()
            if page_next and not in_record:
                out.append('<div class="page"></div>')
            if isinstance(block, Para):
                out.append(f"<p>{_html_text(block.text)}</p>")
            elif isinstance(block, Bullets):
                out += ["<ul>", *(f"<li>{_html_text(item)}</li>" for item in block.items), "</ul>"]
            elif isinstance(block, Table):
                out += _html_table(block)
        printed, page_next = True, False
    close()
    out += ["</body>", "</html>", ""]
    return "\n".join(out).encode("utf-8")


# -- calendars ----------------------------------------------------------------------------------------


def ical_bytes(calendar: Any) -> bytes:
    """An ``icalendar.Calendar`` as the bytes of an .ics file, with the VTIMEZONE Outlook needs for the
    events' zone (Europe/Brussels) and without the English remark the library writes into it."""
    calendar.add_missing_timezones()
    for zone in calendar.walk("VTIMEZONE"):
        zone.pop("COMMENT", None)
    return calendar.to_ical()
