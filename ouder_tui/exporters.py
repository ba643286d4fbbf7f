"""Exports of the registry: CSV that Belgian Excel opens as is, and JSON.

CSV: ``;`` as delimiter, UTF-8 with BOM, CRLF, dates ``dd/mm/jjjj``. Cells that
Excel would run as a formula (starting with ``=``, ``+``, ``-``, ``@``) get a
leading apostrophe. JSON: a list of objects with ISO dates, for other programs.
Files are written atomically: a cancelled or failed export leaves no half file.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from ouder_tui.errors import OuderTuiError
from ouder_tui.leerlingen import Gezin, Leerling, Registry
from ouder_tui.models import to_record
from ouder_tui.storage import write_atomic
from ouder_tui.text import format_date

FORMATS = ("csv", "json")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value: Any) -> str:
    """A cell as text for Excel: dates as ``dd/mm/jjjj``, no formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, date):
        return format_date(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV document for Belgian Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([excel_safe(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def json_bytes(items: Iterable[Any]) -> bytes:
    """A JSON list of objects, readable (indented, UTF-8 unescaped)."""
    return msgspec.json.format(msgspec.json.encode(list(items)), indent=2) + b"\n"


def _public(record: dict[str, Any]) -> dict[str, Any]:
    """Drop the store's bookkeeping except who changed it last and when."""
    data = {k: v for k, v in record.items() if not k.startswith("_") or k in ("_changed_by", "_changed_at")}
    if "_changed_by" in data:
        data["gewijzigd_door"] = data.pop("_changed_by")
        data["gewijzigd_op"] = data.pop("_changed_at", "")
    return data


LEERLING_COLUMNS = ("Stamboeknummer", "Voornaam", "Familienaam", "Geboortedatum", "Klas", "Klasnummer",
                    "Leerjaar", "Schooljaar", "Status", "Vertrokken op", "Gezin", "Notities")


def leerlingen_rows(registry: Registry, leerlingen: Iterable[Leerling]) -> Iterable[list[Any]]:
    for p in leerlingen:
        gezin = registry.gezin(p.gezin_id).naam if p.gezin_id else ""
        yield [p.stamboeknummer, p.voornaam, p.familienaam, p.geboortedatum, p.klas, p.klasnummer,
               p.leerjaar, p.schooljaar, p.status, p.vertrokken_op, gezin, p.notities]


OUDER_COLUMNS = ("relatie", "naam", "talen", "tolk nodig", "tolk taal", "telefoon", "e-mail",
                 "voorkeurkanaal", "beste momenten")


def gezinnen_rows(registry: Registry, gezinnen: Sequence[Gezin]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows: one row a family, the parents side by side."""
    most = max((len(g.ouders) for g in gezinnen), default=0)
    header = ["Gezin", "Adres", "Kinderen", "Talen", "Tolk nodig voor"]
    for i in range(1, most + 1):
        header += [f"Ouder {i} {col}" for col in OUDER_COLUMNS]
    header.append("Notities")
    rows = []
    for g in gezinnen:
        kids = ", ".join(f"{k.naam} ({k.klas})" if k.klas else k.naam for k in registry.kinderen(g.id))
        row: list[Any] = [g.naam, g.adres.regel(), kids, ", ".join(g.talen()), ", ".join(g.tolk_talen())]
        for i in range(most):
            if i < len(g.ouders):
                o = g.ouders[i]
                row += [o.relatie, o.naam, ", ".join(o.talen), o.tolk_nodig, o.tolk_taal, o.telefoon, o.email,
                        o.voorkeurkanaal, o.beste_momenten]
            else:
                row += [""] * len(OUDER_COLUMNS)
        row.append(g.notities)
        rows.append(row)
    return header, rows


def export_registry(registry: Registry, what: str, fmt: str) -> bytes:
    """``what`` is ``leerlingen`` or ``gezinnen``; ``fmt`` is ``csv`` or ``json``."""
    if fmt not in FORMATS:
        raise OuderTuiError(f"Onbekend formaat '{fmt}'; kies uit {', '.join(FORMATS)}.")
    if what == "leerlingen":
        pupils = registry.leerlingen(ook_vertrokken=True)
        if fmt == "csv":
            return csv_bytes(LEERLING_COLUMNS, leerlingen_rows(registry, pupils))
        return json_bytes(_public(to_record(p)) for p in pupils)
    if what == "gezinnen":
        families = registry.gezinnen()
        if fmt == "csv":
            header, rows = gezinnen_rows(registry, families)
            return csv_bytes(header, rows)
        return json_bytes(
            {**_public(to_record(g)), "kinderen": [k.id for k in registry.kinderen(g.id)]} for g in families
        )
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
    """Printed reports start a new page here (one plan per page)."""


Block = Heading | Para | Bullets | Table | PageBreak
REPORT_FORMATS = ("md", "html")


def render_report(fmt: str, title: str, blocks: Sequence[Block]) -> bytes:
    """The report as Markdown or as a standalone printable HTML page."""
    if fmt == "md":
        return _render_markdown(title, blocks).encode("utf-8")
    if fmt == "html":
        return _render_html(title, blocks)
    raise OuderTuiError(f"Onbekend formaat '{fmt}' voor een rapport; kies uit {', '.join(REPORT_FORMATS)}.")


def _render_markdown(title: str, blocks: Sequence[Block]) -> str:
    out = [f"# {md_escape(title)}", ""]
    for block in blocks:
        if isinstance(block, Heading):
            out += [f"## {md_escape(block.text)}", ""]
        elif isinstance(block, Para):
            out += [md_escape(block.text), ""]
        elif isinstance(block, Bullets):
            for item in block.items:
                # A note's own line breaks stay breaks (a trailing backslash), and a line that
                # starts like a list item or a number stays text.
                lines = [_md_line(line) for line in item.split("\n")]
                out.append("- " + "\\\n  ".join(lines))
            out.append("")
        elif isinstance(block, Table):
            out.append("| " + " | ".join(md_escape(h) for h in block.header) + " |")
            out.append("|" + "---|" * len(block.header))
            out += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in block.rows]
            out.append("")
    return "\n".join(out)


def _md_line(line: str) -> str:
    text = md_escape(line)
    text = re.sub(r"^(\s*)([-+])(\s)", r"\1\\\2\3", text)  # "- b" stays text: "\- b"
    return re.sub(r"^(\s*\d+)([.)])(\s)", r"\1\\\2\3", text)  # "3. c" stays text: "3\. c"


_PRINT_CSS = """
body { font-family: Arial, Helvetica, sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.3em; }
table { border-collapse: collapse; } td, th { border: 1px solid #999; padding: 0.2em 0.6em; text-align: left; }
li { white-space: pre-wrap; }
.page { page-break-before: always; }
@media print { body { margin: 1cm; } }
"""


def _render_html(title: str, blocks: Sequence[Block]) -> bytes:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="nl">', "<head>", '<meta charset="utf-8">', f"<title>{e(title)}</title>",
           f"<style>{_PRINT_CSS}</style>", "</head>", "<body>", f"<h1>{e(title)}</h1>"]
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"<h2>{e(block.text)}</h2>")
        elif isinstance(block, Para):
            out.append(f"<p>{e(block.text)}</p>")
        elif isinstance(block, Bullets):
            out += ["<ul>", *(f"<li>{e(item)}</li>" for item in block.items), "</ul>"]
        elif isinstance(block, Table):
            out.append("<table>")
            out.append("<tr>" + "".join(f"<th>{e(h)}</th>" for h in block.header) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in block.rows]
            out.append("</table>")
        elif isinstance(block, PageBreak):
            out.append('<div class="page"></div>')
    out += ["</body>", "</html>", ""]
    return "\n".join(out).encode("utf-8")
