"""Exports of home visits: CSV for Excel, JSON, iCalendar for planned visits, and a printable
overview for the care team's meeting or one family's history (Markdown and HTML).

Confidential visits keep their notes out of every export unless ``vertrouwelijk``
is asked for; the calendar never carries notes at all (calendars travel to phones).
"""

from __future__ import annotations

import html
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ouder_tui.errors import OuderTuiError
from ouder_tui.exporters import csv_bytes, html_document, json_bytes, md_escape
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
    if fmt == "md":
        return _markdown(service, title, school, visits, vertrouwelijk).encode("utf-8")
    return _html(service, title, school, visits, vertrouwelijk)


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




def _counts(visits: list[Huisbezoek]) -> list[str]:
    counts = Counter(v.status for v in visits)
    return [f"{STATUSSEN[key]}: {counts[key]}" for key in STATUSSEN if counts.get(key)]


def _markdown(service: Huisbezoeken, title: str, school: str, visits: list[Huisbezoek], vertrouwelijk: bool) -> str:
    out = [f"# {md_escape(title)}", ""]
    if school:
        out += [md_escape(school), ""]
    out += [f"{len(visits)} bezoeken. " + ", ".join(_counts(visits)), ""]
    for v in visits:
        out += [f"## {format_date(v.datum)} {v.tijd} · gezin {md_escape(service.gezin_naam(v))}", "",
                f"- Reden: {md_escape(v.reden_tekst)}", f"- Wie: {md_escape(v.wie or '-')}", f"- Stand: {md_escape(v.status_tekst)}"]
        if v.annulatie_reden:
            out.append(f"- Reden annulering: {md_escape(v.annulatie_reden)}")
        for label, text in zip(("Besproken", "Het gezin hoopt", "Afgesproken"), _notes(v, vertrouwelijk),
                               strict=True):
            if text:
                out.append(f"- {label}: {md_escape(text)}")
        out.append("")
    actions = [(v, a) for v in visits for a in v.acties if a.open]
    if actions:
        out += ["## Open acties", "", "| Tegen | Wat | Wie | Gezin |", "|---|---|---|---|"]
        for v, a in sorted(actions, key=lambda item: item[1].tegen or date.max):
            out.append(f"| {format_date(a.tegen)} | {md_escape(_action_text(v, a.wat, vertrouwelijk))} | "
                       f"{md_escape(a.eigenaar)} | {md_escape(service.gezin_naam(v))} |")
        out.append("")
    return "\n".join(out)




def _html(service: Huisbezoeken, title: str, school: str, visits: list[Huisbezoek], vertrouwelijk: bool) -> bytes:
    e = html.escape
    out: list[str] = []
    if school:
        out.append(f"<p>{e(school)}</p>")
    out.append(f"<p>{len(visits)} bezoeken. {e(', '.join(_counts(visits)))}</p>")
    for v in visits:
        out.append(f"<h2>{e(format_date(v.datum))} {e(v.tijd)} · gezin {e(service.gezin_naam(v))}</h2><ul>")
        out += [f"<li>Reden: {e(v.reden_tekst)}</li>", f"<li>Wie: {e(v.wie or '-')}</li>",
                f"<li>Stand: {e(v.status_tekst)}</li>"]
        if v.annulatie_reden:
            out.append(f"<li>Reden annulering: {e(v.annulatie_reden)}</li>")
        for label, text in zip(("Besproken", "Het gezin hoopt", "Afgesproken"), _notes(v, vertrouwelijk),
                               strict=True):
            if text:
                out.append(f'<li>{label}: <span class="note">{e(text)}</span></li>')
        out.append("</ul>")
    actions = [(v, a) for v in visits for a in v.acties if a.open]
    if actions:
        out += ["<h2>Open acties</h2>", "<table>", "<tr><th>Tegen</th><th>Wat</th><th>Wie</th><th>Gezin</th></tr>"]
        for v, a in sorted(actions, key=lambda item: item[1].tegen or date.max):
            out.append(f"<tr><td>{e(format_date(a.tegen))}</td><td>{e(_action_text(v, a.wat, vertrouwelijk))}</td>"
                       f"<td>{e(a.eigenaar)}</td><td>{e(service.gezin_naam(v))}</td></tr>")
        out.append("</table>")
    return html_document(title, out)
