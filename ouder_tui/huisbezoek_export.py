"""Exports of home visits: CSV for Excel, JSON, iCalendar for planned visits, and a printable
overview for the care team's meeting or one family's history (Markdown and HTML).

Confidential visits keep their notes out of every export unless ``vertrouwelijk``
is asked for; the calendar never carries notes at all (calendars travel to phones).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ouder_tui.errors import OuderTuiError
from ouder_tui.exporters import Block, Bullets, Heading, Para, Table, csv_bytes, json_bytes, render_report
from ouder_tui.huisbezoek import STATUSSEN, Huisbezoek, Huisbezoeken, visits_for
from ouder_tui.text import format_date

FORMATS = ("csv", "json", "ics", "md", "html")
TIMEZONE = "Europe/Brussels"
HIDDEN = "(vertrouwelijk)"

CSV_COLUMNS = ("Datum", "Uur", "Gezin", "Reden", "Bezoekers", "Taal", "Tolk", "Status", "Reden annulering",
               "Besproken", "Verwachtingen", "Afspraken", "Open acties", "Volgend bezoek", "Vertrouwelijk")


def _notes(visit: Huisbezoek, vertrouwelijk: bool) -> tuple[str, str, str]:
    if visit.vertrouwelijk and not vertrouwelijk:
        return tuple(HIDDEN if text else "" for text in (visit.besproken, visit.verwachtingen, visit.afspraken))
    return visit.besproken, visit.verwachtingen, visit.afspraken


def _action_text(visit: Huisbezoek, wat: str, vertrouwelijk: bool) -> str:
    return "actie uit vertrouwelijk bezoek" if visit.vertrouwelijk and not vertrouwelijk else wat


def export_huisbezoeken(service: Huisbezoeken, fmt: str, *, van: date | None = None, tot: date | None = None,
                        vertrouwelijk: bool = False, gezin_id: int | None = None) -> bytes:
    """Visits in a period (or one family's history) in ``fmt``."""
    if fmt not in FORMATS:
        raise OuderTuiError(f"Onbekend formaat '{fmt}' voor huisbezoeken; kies uit {', '.join(FORMATS)}.")
    if van and tot and tot < van:
        raise OuderTuiError("De einddatum (--tot) ligt voor de begindatum (--van).")
    if gezin_id is not None:
        family = service.registry.gezin(gezin_id)  # NotFoundError in Dutch when it does not exist
        visits = list(reversed(service.van_gezin(gezin_id)))
        visits = [v for v in visits if (van is None or (v.datum and v.datum >= van))
                  and (tot is None or (v.datum and v.datum <= tot))]
        title = f"Huisbezoeken bij gezin {family.naam}"
    else:
        visits = service.in_periode(van, tot)
        title = "Huisbezoeken " + _period(van, tot)
    if fmt == "csv":
        return csv_bytes(CSV_COLUMNS, (_csv_row(service, v, vertrouwelijk) for v in visits))
    if fmt == "json":
        return json_bytes({**record, "gezin": service.gezin_naam(visit)}
                          for visit, record in zip(visits, visits_for(visits, include_confidential_notes=vertrouwelijk),
                                                   strict=True))
    if fmt == "ics":
        return _ics(service, visits)
    school = service.store.settings().get("school_naam", "")
    return render_report(fmt, title, _report(service, school, visits, vertrouwelijk))


def _period(van: date | None, tot: date | None) -> str:
    if van and tot:
        return f"van {format_date(van)} tot {format_date(tot)}"
    if van:
        return f"vanaf {format_date(van)}"
    if tot:
        return f"tot {format_date(tot)}"
    return "(alle)"


def _csv_row(service: Huisbezoeken, v: Huisbezoek, vertrouwelijk: bool) -> list:
    besproken, verwachtingen, afspraken = _notes(v, vertrouwelijk)
    open_actions = "; ".join(f"{_action_text(v, a.wat, vertrouwelijk)} ({a.eigenaar or '?'}, {format_date(a.tegen)})"
                             for a in v.acties if a.open)
    follow_up = format_date(v.vervolgbezoek_tegen) if v.vervolgbezoek else ""
    return [v.datum, v.tijd, service.gezin_naam(v), v.reden_tekst, v.wie, v.taal, v.tolk_taal if v.tolk else "",
            v.status_tekst, v.annulatie_reden, besproken, verwachtingen, afspraken, open_actions, follow_up,
            v.vertrouwelijk]


def _ics(service: Huisbezoeken, visits: list[Huisbezoek]) -> bytes:
    from icalendar import Calendar, Event  # only this export needs it

    zone = ZoneInfo(TIMEZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//ouder-tui//huisbezoeken//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Huisbezoeken")
    stamp = service.store.clock()
    for visit in visits:
        if not visit.gepland or visit.datum is None:
            continue
        event = Event()
        event.add("uid", f"huisbezoek-{visit.id}@ouder-tui")
        event.add("dtstamp", stamp)
        if visit.tijd:
            hour, minute = (int(part) for part in visit.tijd.split(":"))
            start = datetime(visit.datum.year, visit.datum.month, visit.datum.day, hour, minute, tzinfo=zone)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=visit.duur_minuten))
        else:
            event.add("dtstart", visit.datum)
            event.add("dtend", visit.datum + timedelta(days=1))
        event.add("summary", f"Huisbezoek gezin {service.gezin_naam(visit)}")
        interpreter = f", met tolk ({visit.tolk_taal})" if visit.tolk else ""
        event.add("description", f"Reden: {visit.reden_tekst}\nWie: {visit.wie or '-'}\n"
                                 f"Taal: {visit.taal or '-'}{interpreter}")
        calendar.add_component(event)
    calendar.add_missing_timezones()  # a VTIMEZONE for Europe/Brussels: Outlook needs it
    return calendar.to_ical()




def _counts(visits: list[Huisbezoek]) -> str:
    counts = Counter(v.status for v in visits)
    return ", ".join(f"{STATUSSEN[key]}: {counts[key]}" for key in STATUSSEN if counts.get(key))


def _report(service: Huisbezoeken, school: str, visits: list[Huisbezoek], vertrouwelijk: bool) -> list[Block]:
    """The overview for the care team (or a family's history): each visit, then the open actions."""
    blocks: list[Block] = [Para(school)] if school else []
    blocks.append(Para(f"{len(visits)} bezoeken. {_counts(visits)}"))
    for v in visits:
        items = [f"Reden: {v.reden_tekst}", f"Wie: {v.wie or '-'}", f"Stand: {v.status_tekst}"]
        if v.annulatie_reden:
            items.append(f"Reden annulering: {v.annulatie_reden}")
        for label, text in zip(("Besproken", "Het gezin hoopt", "Afgesproken"), _notes(v, vertrouwelijk),
                               strict=True):
            if text:
                items.append(f"{label}: {text}")
        blocks += [Heading(f"{format_date(v.datum)} {v.tijd} · gezin {service.gezin_naam(v)}"), Bullets(tuple(items))]
    actions = sorted(((v, a) for v in visits for a in v.acties if a.open), key=lambda item: item[1].tegen or date.max)
    if actions:
        blocks += [Heading("Open acties"), Table(("Tegen", "Wat", "Wie", "Gezin"), tuple(
            (format_date(a.tegen), _action_text(v, a.wat, vertrouwelijk), a.eigenaar, service.gezin_naam(v))
            for v, a in actions))]
    return blocks
