"""Exports of the infomoment: the checklist for Excel, the evening for a calendar, JSON, the top 5 of
the questions for the school website, and the rotation to print (a grid, a card per group, a sheet
per table). Nothing here names parents: questions are kept without names.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from ouder_tui.errors import OuderTuiError
from ouder_tui.exporters import Block, Heading, PageBreak, Para, Table, csv_bytes, render_report
from ouder_tui.infomoment import TAAK_STATUSSEN, Infomoment, Infomomenten, groep_naam
from ouder_tui.infomoment.area import AREA
from ouder_tui.models import to_record
from ouder_tui.text import lange_datum, parse_school_year, plural, school_year_of

FORMATS = AREA.export("infomoment").formats
WAT = ("top5", "rotatie")
TIMEZONE = "Europe/Brussels"


def export_infomoment(service: Infomomenten, fmt: str, *, schooljaar: str | None = None, wat: str = "top5") -> bytes:
    """The infomoment of a school year (default: the current one) as ``fmt``. For md and html, ``wat``
    chooses the top 5 of the questions or the rotation to print. Dutch ``OuderTuiError`` otherwise."""
    if fmt not in FORMATS:
        raise OuderTuiError(f"Onbekend formaat '{fmt}' voor het infomoment; kies uit {', '.join(FORMATS)}.")
    if wat not in WAT:
        raise OuderTuiError(f"Kies wat je wilt exporteren: {' of '.join(WAT)}.")
    try:
        year = parse_school_year(schooljaar) if schooljaar else school_year_of(service.vandaag())
    except ValueError as exc:
        raise OuderTuiError(f"{exc}.") from None
    info = service.van_jaar(year)
    if info is None:
        raise OuderTuiError(f"Er is geen infomoment voor {year}.")
    if fmt == "csv":
        return _checklist(info)
    if fmt == "json":
        return _json(service, info)
    if fmt == "ics":
        return _ics(service, info)
    if wat == "rotatie":
        return render_report(fmt, f"Infomoment {info.schooljaar}: de rotatie langs de tafels", _rotation(service, info))
    return render_report(fmt, f"Infomoment {info.schooljaar}: de vijf meest gestelde vragen", _top5(service, info))


def _checklist(info: Infomoment) -> bytes:
    tasks = sorted(info.taken, key=lambda t: -t.dagen_voor)
    return csv_bytes(("Taak", "Deadline", "Dagen voor", "Wie", "Status", "Notitie"), (
        (t.wat, t.deadline(info.datum), t.dagen_voor, t.eigenaar, TAAK_STATUSSEN.get(t.status, t.status), t.notitie)
        for t in tasks))


def _json(service: Infomomenten, info: Infomoment) -> bytes:
    document = to_record(info)
    document["einde"] = info.einde().strftime("%H:%M")
    document["programma_uren"] = [{"onderdeel": part.titel, "van": start.strftime("%H:%M"),
                                   "tot": end.strftime("%H:%M")} for part, start, end in info.tijden()]
    document["top5"] = [to_record(v) for v in service.top(info)]
    return msgspec.json.format(msgspec.json.encode(document), indent=2) + b"\n"


def _ics(service: Infomomenten, info: Infomoment) -> bytes:
    """The evening as one calendar event with the programme and the tables in its description."""
    from icalendar import Calendar, Event

    zone = ZoneInfo(TIMEZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//ouder-tui//infomoment//NL")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"infomoment-{info.id}@ouder-tui")
    event.add("dtstamp", service.store.clock().astimezone(UTC))
    event.add("sequence", max(info.rev, 0))
    event.add("dtstart", info.tijden()[0][1].replace(tzinfo=zone) if info.programma else
              datetime.combine(info.datum, info.begin_tijd, zone))
    event.add("dtend", info.einde().replace(tzinfo=zone))
    event.add("summary", "Infomoment: de overstap naar het secundair")
    if info.plaats:
        event.add("location", info.plaats)
    lines = [f"{start.strftime('%H:%M')} {part.titel}" for part, start, _ in info.tijden()]
    if info.tafels:
        lines += ["", "Tafels: " + ", ".join(t.naam for t in info.tafels)]
    event.add("description", "\n".join(lines))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _top5(service: Infomomenten, info: Infomoment) -> list[Block]:
    top = service.top(info)
    blocks: list[Block] = [Para(
        f"Op {lange_datum(info.datum)} praatten ouders en leerlingen op school over de overstap naar het secundair. "
        "Dit zijn de vragen die het vaakst terugkwamen, met een kort antwoord. Heb je nog een vraag? Spreek de "
        "klasleerkracht of de zorgcoördinator gerust aan.")]
    if not top:
        blocks.append(Para("Er zijn nog geen vragen verzameld."))
    for number, vraag in enumerate(top, 1):
        blocks += [Heading(f"{number}. {vraag.tekst}"),
                   Para(vraag.antwoord or "(nog geen antwoord)"),
                   Para(f"{plural(vraag.aantal, 'keer', 'keer')} gesteld"
                        + (f", onderwerp: {vraag.onderwerp}" if vraag.onderwerp else "") + ".")]
    return blocks


def _rotation(service: Infomomenten, info: Infomoment) -> list[Block]:
    """The grid, then a card per group and a sheet per table, each on its own page."""
    if not info.tafels:
        raise OuderTuiError("Er zijn nog geen tafels: voeg ze eerst toe.")
    plan = service.rooster(info)
    start = next((s for part, s, _ in info.tijden() if part.soort == "rotatie"), info.tijden()[0][1]
                 if info.programma else datetime.combine(info.datum, info.begin_tijd))
    step = timedelta(minutes=info.minuten_per_ronde + info.wissel_minuten)
    times = [(start + step * r).strftime("%H:%M") for r in range(plan.rondes)]
    names = [t.naam for t in info.tafels]
    blocks: list[Block] = [Para(
        f"{plural(info.groepen, 'groep', 'groepen')}, {plural(len(names), 'tafel', 'tafels')}, "
        f"{plural(plan.rondes, 'ronde', 'rondes')} van {info.minuten_per_ronde} minuten, "
        f"{info.wissel_minuten} minuten om door te schuiven.")]
    if plan.met_pauzes:
        blocks.append(Para(f"Er zijn meer groepen dan tafels: elke groep heeft "
                           f"{plural(plan.rondes - len(names), 'ronde', 'rondes')} pauze. Minder groepen of meer "
                           "tafels maakt het korter."))
    blocks.append(Table(("Ronde", "Uur", *names), tuple(
        (str(r + 1), times[r], *(groep_naam(g) if (g := plan.groep_aan(r, t)) is not None else "–"
                                 for t in range(len(names))))
        for r in range(plan.rondes))))
    for group in range(plan.groepen):
        blocks += [PageBreak(), Heading(f"Groep {groep_naam(group)}"), Table(("Ronde", "Uur", "Waar"), tuple(
            (str(r + 1), times[r], names[t] if (t := plan.tafel_van(r, group)) is not None
             else "pauze: even naar de drank") for r in range(plan.rondes)))]
    for index, tafel in enumerate(info.tafels):
        host = f" – {tafel.gastheer}" if tafel.gastheer else ""
        blocks += [PageBreak(), Heading(f"Tafel: {tafel.naam}{host}"), Table(("Ronde", "Uur", "Groep"), tuple(
            (str(r + 1), times[r], groep_naam(g) if (g := plan.groep_aan(r, index)) is not None else "(geen groep)")
            for r in range(plan.rondes)))]
    return blocks


__all__ = ["FORMATS", "WAT", "export_infomoment"]
