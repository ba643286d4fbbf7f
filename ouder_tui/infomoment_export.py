"""Exports of the infomoment: the checklist for Excel (xlsx or CSV), the evening for a calendar, JSON, the top 5 of
the questions for the school website, and the rotation to print (a grid, a card per group, a sheet
per table, in large type to cut). Nothing here names parents: questions are kept without names.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ouder_tui.errors import OuderTuiError
from ouder_tui.exporters import (
    Block,
    Card,
    Heading,
    PageBreak,
    Para,
    Sheet,
    Table,
    ical_bytes,
    json_document,
    render_report,
    table_bytes,
)
from ouder_tui.infomoment import TAAK_STATUSSEN, Infomoment, Infomomenten, groep_naam
from ouder_tui.infomoment.area import AREA
from ouder_tui.models import to_record
from ouder_tui.text import lange_datum, parse_school_year, plural, school_year_of

FORMATS = AREA.export("infomoment").formats
WAT = ("top5", "rotatie")
TIMEZONE = "Europe/Brussels"
EVENT = "Infomoment: de overstap naar het secundair"
_COUNT_WORDS = {2: "twee", 3: "drie", 4: "vier", 5: "vijf"}


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
    if fmt in ("csv", "xlsx"):
        return table_bytes(fmt, [_checklist(info)])
    if fmt == "json":
        return _json(service, info)
    if fmt == "ics":
        return _ics(service, info)
    if wat == "rotatie":
        return render_report(fmt, f"Infomoment {info.schooljaar}: de rotatie langs de tafels", _rotation(service, info))
    top = _answered_top(service, info)
    what = "de meest gestelde vraag" if len(top) == 1 else f"de {_COUNT_WORDS.get(len(top), len(top))} meest gestelde vragen"
    return render_report(fmt, f"Infomoment {info.schooljaar}: {what}", _top5(info, top))


def _answered_top(service: Infomomenten, info: Infomoment) -> list:
    """The top of the questions for the website; refused while one of them has no answer yet."""
    top = service.top(info)
    open_ = [v.tekst for v in top if not v.antwoord.strip()]
    if open_:
        raise OuderTuiError(f"Nog geen antwoord op {plural(len(open_), 'vraag', 'vragen')} van de top: "
                            + "; ".join(f"'{t[:60]}'" for t in open_)
                            + ". Vul eerst een antwoord in: de top 5 is voor de website van de school.")
    return top


def _checklist(info: Infomoment) -> Sheet:
    tasks = sorted(info.taken, key=lambda t: -t.dagen_voor)
    return Sheet("Checklist", ("Taak", "Deadline", "Dagen voor", "Wie", "Status", "Notitie"), [
        [t.wat, t.deadline(info.datum), t.dagen_voor, t.eigenaar, TAAK_STATUSSEN.get(t.status, t.status), t.notitie]
        for t in tasks])


def _json(service: Infomomenten, info: Infomoment) -> bytes:
    record = to_record(info)
    record["einde"] = info.einde().strftime("%H:%M")
    record["programma_uren"] = [{"onderdeel": part.titel, "van": start.strftime("%H:%M"),
                                 "tot": end.strftime("%H:%M")} for part, start, end in info.tijden()]
    return json_document("infomoment", {"infomomenten": [record], "top5": [to_record(v) for v in service.top(info)]},
                         schooljaar=info.schooljaar, gemaakt_op=service.store.clock())


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
    event.add("summary", EVENT)
    if info.plaats:
        event.add("location", info.plaats)
    lines = [f"{start.strftime('%H:%M')} {part.titel}" for part, start, _ in info.tijden()]
    if info.tafels:
        lines += ["", "Tafels: " + ", ".join(t.naam for t in info.tafels)]
    event.add("description", "\n".join(lines))
    calendar.add_component(event)
    return ical_bytes(calendar)


def _top5(info: Infomoment, top: list) -> list[Block]:
    blocks: list[Block] = [Para(
        f"Op {lange_datum(info.datum)} praatten ouders en leerlingen op school over de overstap naar het secundair. "
        "Dit zijn de vragen die het vaakst terugkwamen, met een kort antwoord. Heb je nog een vraag? Spreek de "
        "klasleerkracht of de zorgcoördinator gerust aan.")]
    if not top:
        blocks.append(Para("Er zijn nog geen vragen verzameld."))
    for number, vraag in enumerate(top, 1):
        blocks += [Heading(f"{number}. {vraag.tekst}"),
                   Para(vraag.antwoord),
                   Para(f"{plural(vraag.aantal, 'keer', 'keer')} gesteld"
                        + (f", onderwerp: {vraag.onderwerp}" if vraag.onderwerp else "") + ".")]
    return blocks


def _rotation(service: Infomomenten, info: Infomoment) -> list[Block]:
    """The grid, then a card per group and a card per table (two to an A4 page, in large type to cut)."""
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
    event = [EVENT, f"{lange_datum(info.datum)}, {info.begin}"
             + (f" · {info.plaats}" if info.plaats else "")]
    blocks.append(PageBreak())
    for group in range(plan.groepen):
        blocks.append(Card(f"Groep {groep_naam(group)}", tuple(event), Table(("Ronde", "Uur", "Waar"), tuple(
            (str(r + 1), times[r], names[t] if (t := plan.tafel_van(r, group)) is not None
             else "pauze: even naar de drank") for r in range(plan.rondes)))))
    for index, tafel in enumerate(info.tafels):
        lines = ((f"Gastheer of gastvrouw: {tafel.gastheer}",) if tafel.gastheer else ()) + tuple(event)
        blocks.append(Card(f"Tafel: {tafel.naam}", lines, Table(("Ronde", "Uur", "Groep"), tuple(
            (str(r + 1), times[r], groep_naam(g) if (g := plan.groep_aan(r, index)) is not None else "(geen groep)")
            for r in range(plan.rondes)))))
    return blocks


__all__ = ["FORMATS", "WAT", "export_infomoment"]
