"""Exports of startgesprekken: plans as xlsx, CSV and JSON, a printable plan per pupil for the parents,
and the class overview (Markdown and HTML).

The printable plan speaks plain Dutch to the parents; every name and note is
escaped, so text such as ``<b>`` or ``[bold]`` prints literally.
"""

from __future__ import annotations

from ouder_tui.errors import OuderTuiError
from ouder_tui.exporters import (
    Block,
    Bullets,
    Heading,
    PageBreak,
    Para,
    Sheet,
    Table,
    json_document,
    render_report,
    table_bytes,
)
from ouder_tui.models import to_record
from ouder_tui.startgesprek import AREA, WIE, Startgesprek, Startgesprekken
from ouder_tui.text import format_date

FORMATS = AREA.export("startgesprekken").formats

CSV_COLUMNS = ("Leerling", "Klas", "Schooljaar", "Soort", "Stand", "Datum", "Kanalen", "Wie contacteert wie",
               "Hoe vaak", "Wanneer zeker", "Taal", "Tolk", "Best bereikbaar", "Contactpersoon", "Herbekijken op",
               "Kwaliteiten", "Doelen", "Nodig")


def _selection(service: Startgesprekken, klas: str | None, schooljaar: str | None) -> list[tuple[str, str, Startgesprek]]:
    """(pupil name, class, talk) for the chosen class and school year, by class and name."""
    year = schooljaar or service.schooljaar()
    chosen = []
    for pupil in service.registry.leerlingen(ook_vertrokken=True):
        if klas and pupil.klas.casefold() != klas.casefold():
            continue
        for talk in service.van_leerling(pupil.id):
            if talk.schooljaar == year:
                chosen.append((pupil.naam, pupil.klas, talk))
    return chosen


def _needs(talk: Startgesprek) -> str:
    return "; ".join(f"van {WIE.get(n.van, n.van)}: {n.wat}" for n in talk.nodig)




def export_startgesprekken(service: Startgesprekken, fmt: str, *, klas: str | None = None,
                           schooljaar: str | None = None) -> bytes:
    """Plans of a class (or the whole school) for a school year, in ``fmt``."""
    if fmt not in FORMATS:
        raise OuderTuiError(f"Onbekend formaat '{fmt}' voor startgesprekken; kies uit {', '.join(FORMATS)}.")
    chosen = _selection(service, klas, schooljaar)
    year = schooljaar or service.schooljaar()
    if fmt in ("csv", "xlsx"):
        rows = []
        for name, klas_name, t in chosen:
            p = t.plan
            rows.append([name, klas_name, t.schooljaar, t.soort_tekst, t.status, t.datum, p.kanalen_tekst(),
                         p.wie_contacteert, p.frequentie, p.gelegenheden, p.taal,
                         p.tolk_taal if p.tolk else "", p.beste_momenten, p.contactpersoon, p.evaluatie_op,
                         t.kwaliteiten, t.doelen, _needs(t)])
        return table_bytes(fmt, [Sheet("Startgesprekken", CSV_COLUMNS, rows)])
    if fmt == "json":
        return json_document("startgesprekken", {"startgesprekken": (
            {"leerling": name, "klas": klas_name, **to_record(t)} for name, klas_name, t in chosen)},
            schooljaar=year, gemaakt_op=service.store.clock())
    school = service.store.settings().get("school_naam", "")
    title = f"Startgesprekken {('klas ' + klas) if klas else 'hele school'} {year}"
    overview = service.klasoverzicht(klas, year) if klas else []
    plans = [(name, klas_name, t) for name, klas_name, t in chosen if t.soort == "startgesprek" and t.gehouden]
    return render_report(fmt, title, _report(school, overview, plans))


def _plan_lines(talk: Startgesprek) -> list[str]:
    lines = []
    if talk.kwaliteiten:
        lines.append(f"Waar je kind sterk in is: {talk.kwaliteiten}")
    if talk.doelen:
        lines.append(f"Wat je kind dit jaar wil bereiken: {talk.doelen}")
    for need in talk.nodig:
        lines.append(f"Je kind heeft van {WIE.get(need.van, need.van)} nodig: {need.wat}")
    return lines + talk.plan.lines()


def _report(school: str, overview, plans) -> list[Block]:
    """The class overview, then one page per pupil with the plan in plain Dutch for the parents."""
    blocks: list[Block] = [Para(school)] if school else []
    if overview:
        rows = []
        for row in overview:
            talk = row.gesprek
            when = f"{row.stand} {format_date(talk.datum)}" if talk else "nog niet"
            rows.append((row.leerling.naam, when, format_date(talk.plan.evaluatie_op) if talk else ""))
        blocks += [Heading("Klasoverzicht"), Table(("Leerling", "Startgesprek", "Herbekijken"), tuple(rows))]
    for index, (name, klas, talk) in enumerate(plans):
        if overview or index:  # the first plan of the whole school shares the title's page
            blocks.append(PageBreak())
        blocks += [Heading(f"Ons plan voor {name} ({klas})"),
                   Para(f"Afgesproken in het startgesprek van {format_date(talk.datum)}."),
                   Bullets(tuple(_plan_lines(talk)))]
    return blocks
