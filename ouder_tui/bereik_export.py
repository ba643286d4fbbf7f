"""Exports of the reach view: the figures for the team (CSV, JSON, a printable report in Markdown or HTML)
and, only when asked (``namen``), the families by name: who was reached how, and who was not.

Without ``namen`` nothing in the export names a family, a parent or a pupil: it can go to the team
meeting, the school board or the CLB as it is.
"""

from __future__ import annotations

from ouder_tui.areas import contact_kinds
from ouder_tui.bereik import AREA, Bereik, Cijfers, GezinBereik, Telling
from ouder_tui.errors import OuderTuiError
from ouder_tui.exporters import (
    Block,
    Bullets,
    Heading,
    Para,
    Sheet,
    Table,
    json_document,
    render_report,
    table_bytes,
)
from ouder_tui.text import format_date, plural

FORMATS = AREA.export("bereik").formats

FIGURE_COLUMNS = ("Schooljaar", "Onderdeel", "Groep", "Totaal", "Bereikt", "Procent")
FAMILY_COLUMNS = ("Gezin", "Klassen", "Talen", "Tolk nodig voor", "Extra aandacht", "Bereikt", "Soorten contact",
                  "Contacten")


def _figure_rows(c: Cijfers) -> list[tuple]:
    """Every figure as a row: (part, group, total, reached, percent)."""
    rows: list[tuple] = []
    for part, tellingen in (("totaal", [c.gezinnen, c.aandacht]), ("klas", c.per_klas), ("taal", c.per_taal),
                            ("ouders", c.ouders)):
        rows += [(part, t.groep, t.totaal, t.bereikt, t.procent) for t in tellingen]
    rows += [("soort contact", s.label, c.gezinnen.totaal, s.gezinnen,
              round(100 * s.gezinnen / c.gezinnen.totaal) if c.gezinnen.totaal else 0) for s in c.per_soort]
    return rows


def _family_record(row: GezinBereik, labels: dict[str, str]) -> dict:
    return {
        "gezin": row.gezin.naam,
        "klassen": row.klassen,
        "talen": row.gezin.talen(),
        "tolk_nodig_voor": row.gezin.tolk_talen(),
        "extra_aandacht": row.aandacht.redenen_tekst if row.aandacht else "",
        "bereikt": row.bereikt,
        "contacten": [{"soort": labels.get(c.soort, c.soort), "datum": c.datum.isoformat() if c.datum else None,
                       "bereikt": c.bereikt} for c in row.contacten],
    }


def export_bereik(service: Bereik, fmt: str, *, schooljaar: str | None = None, namen: bool = False) -> bytes:
    """The reach of a school year (default: this one) as ``fmt``; families by name only with ``namen``."""
    if fmt not in FORMATS:
        raise OuderTuiError(f"Onbekend formaat '{fmt}' voor het bereik; kies uit {', '.join(FORMATS)}.")
    year = schooljaar or service.schooljaar()
    figures = service.cijfers(year)
    labels = contact_kinds()
    rows = service.gezinnen(year)
    ordered = service.niet_bereikt(year) + [r for r in rows if r.bereikt]
    if fmt in ("xlsx", "csv"):  # the figures; with names also the families (a second sheet, or the CSV)
        figure_sheet = Sheet("Cijfers", FIGURE_COLUMNS, [(year, *row) for row in _figure_rows(figures)])
        family_sheet = Sheet("Gezinnen", FAMILY_COLUMNS, [
            [r.gezin.naam, ", ".join(r.klassen), ", ".join(r.gezin.talen()), ", ".join(r.gezin.tolk_talen()),
             r.aandacht.redenen_tekst if r.aandacht else "", r.bereikt,
             ", ".join(labels.get(k, k) for k in r.soorten()),
             "; ".join(f"{format_date(c.datum)} {labels.get(c.soort, c.soort)}" for c in r.contacten)]
            for r in ordered])
        if fmt == "csv":
            return table_bytes(fmt, [family_sheet if namen else figure_sheet])
        return table_bytes(fmt, [figure_sheet, family_sheet] if namen else [figure_sheet])
    if fmt == "json":
        figure_list = [dict(zip(("onderdeel", "groep", "totaal", "bereikt", "procent"), row, strict=True))
                       for row in _figure_rows(figures)]
        lists = {"cijfers": figure_list, **({"gezinnen": [_family_record(r, labels) for r in ordered]} if namen else {})}
        return json_document("bereik", lists, gemaakt_op=service.store.clock(), schooljaar=year)
    school = service.store.settings().get("school_naam", "")
    return render_report(fmt, f"Bereik van de gezinnen {year}", _report(school, figures, ordered if namen else None,
                                                                        labels, service.vandaag()))


def _table(first: str, tellingen: list[Telling]) -> Table:
    return Table((first, "Gezinnen", "Bereikt", "%"),
                 tuple((t.groep, str(t.totaal), str(t.bereikt), f"{t.procent}%") for t in tellingen))


def _report(school: str, c: Cijfers, families: list[GezinBereik] | None, labels: dict[str, str],
            today) -> list[Block]:
    """The team report: the figures, then (only when asked) the families nobody reached and who reached whom."""
    total = c.gezinnen
    blocks: list[Block] = [Para(school)] if school else []
    blocks += [
        Para(f"Stand op {format_date(today)}. Een gezin telt als bereikt zodra de school het dit schooljaar "
             f"sprak: een huisbezoek, een startgesprek of omgekeerd oudergesprek, een ouder op de oudergroep of op "
             f"het infomoment, of een contact vanuit de oudergroep. Een uitnodiging alleen telt niet."),
        Heading("In het kort"),
        Bullets((f"{total.bereikt} van de {plural(total.totaal, 'gezin', 'gezinnen')} met een kind op school bereikt "
                 f"({total.procent}%); {total.totaal - total.bereikt} nog door niemand.",
                 f"Gezinnen met extra aandacht: {c.aandacht.bereikt} van {c.aandacht.totaal} bereikt.")),
        Heading("Per soort contact"),
        Table(("Soort contact", "Gezinnen", "Keer"),
              tuple((s.label, str(s.gezinnen), str(s.contacten)) for s in c.per_soort)),
        Heading("Ouders: moeders, vaders en anderen apart"),
        Para("Een ouder telt als bereikt als die zelf aan een gesprek, de oudergroep of het infomoment deelnam. "
             "Bij een huisbezoek wordt niet genoteerd wie thuis was: dat telt alleen voor het gezin."),
        Table(("Ouders", "Aantal", "Bereikt", "%"),
              tuple((t.groep, str(t.totaal), str(t.bereikt), f"{t.procent}%") for t in c.ouders)),
        Heading("Per klas"), _table("Klas", c.per_klas),
        Para("Een gezin met kinderen in meer klassen telt in elk van die klassen."),
        Heading("Per taal"), _table("Taal", c.per_taal),
        Para("Een gezin telt bij elke taal die de ouders spreken."),
    ]
    if families is None:
        blocks.append(Para("Dit verslag noemt geen namen. Met de namen erbij: exporteer met --namen."))
        return blocks
    missing = [f for f in families if not f.bereikt]
    blocks.append(Heading(f"Nog door niemand bereikt ({len(missing)})"))
    if missing:
        blocks.append(Table(("Gezin", "Klassen", "Talen", "Tolk", "Extra aandacht"), tuple(
            (f.gezin.naam, ", ".join(f.klassen), ", ".join(f.gezin.talen()), ", ".join(f.gezin.tolk_talen()) or "nee",
             f.aandacht.redenen_tekst if f.aandacht else "") for f in missing)))
    else:
        blocks.append(Para("Elk gezin werd bereikt."))
    reached = [f for f in families if f.bereikt]
    blocks.append(Heading(f"Bereikt ({len(reached)})"))
    if reached:
        blocks.append(Table(("Gezin", "Klassen", "Contacten"), tuple(
            (f.gezin.naam, ", ".join(f.klassen),
             "; ".join(f"{format_date(x.datum)} {labels.get(x.soort, x.soort)}" for x in f.contacten))
            for f in reached)))
    return blocks
