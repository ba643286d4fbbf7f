"""Exports of home visits: xlsx and CSV for Excel, JSON, iCalendar for planned visits, and a printable
overview for the care team's meeting or one family's history (Markdown and HTML).

Confidential visits keep every piece of free text (notes, the text of their follow-up actions,
a reason of their own, why they were cancelled) out of every export unless ``vertrouwelijk``
is asked for: :func:`shown` masks them once, before any format sees them. The calendar never
carries notes at all, not even of ordinary visits (calendars travel to phones); a visit that was
in an earlier calendar file and is cancelled or deleted since comes back as cancelled.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from ouder_tui.errors import OuderTuiError
from ouder_tui.exporters import (
    Block,
    Bullets,
    Heading,
    Para,
    Sheet,
    Table,
    ical_bytes,
    json_document,
    render_report,
    table_bytes,
)
from ouder_tui.huisbezoek import (
    AREA,
    CANCELLED,
    CONFIDENTIAL_NOTE,
    HUISBEZOEKEN,
    STATUSSEN,
    Actie,
    Huisbezoek,
    Huisbezoeken,
    action_text,
    notes_text,
    visits_for,
)
from ouder_tui.models import from_record
from ouder_tui.text import format_date, plural

FORMATS = AREA.export("huisbezoeken").formats
TIMEZONE = "Europe/Brussels"

CSV_COLUMNS = ("Datum", "Uur", "Gezin", "Reden", "Bezoekers", "Taal", "Tolk", "Status", "Reden annulering",
               "Besproken", "Verwachtingen", "Afspraken", "Open acties", "Volgend bezoek", "Vertrouwelijk")


def export_huisbezoeken(service: Huisbezoeken, fmt: str, *, van: date | None = None, tot: date | None = None,
                        vertrouwelijk: bool = False, gezin_id: int | None = None) -> bytes:
    """Visits from ``van`` to ``tot`` (both included, either open) as ``fmt``: csv, json, ics, md or html.

    With ``gezin_id`` the export holds that family's visit history (still limited to the
    period if one is given). Notes and action texts of confidential visits are replaced
    unless ``vertrouwelijk``; ``ics`` holds only planned visits and never any notes.
    Raises :class:`OuderTuiError` in Dutch for an unknown format, a period that ends before
    it starts, or a family that does not exist.
    """
    if fmt not in FORMATS:
        raise OuderTuiError(f"Onbekend formaat '{fmt}' voor huisbezoeken; kies uit {', '.join(FORMATS)}.")
    if van and tot and tot < van:
        raise OuderTuiError(f"De einddatum {format_date(tot)} ligt voor de begindatum {format_date(van)}.")
    if gezin_id is not None:
        family = service.registry.gezin(gezin_id)  # NotFoundError in Dutch when it does not exist
        visits = [v for v in reversed(service.van_gezin(gezin_id)) if _in_period(v, van, tot)]
        title = f"Huisbezoeken bij gezin {family.naam}" + (f" {_period(van, tot)}" if van or tot else "")
    else:
        visits = service.in_periode(van, tot)
        title = f"Huisbezoeken {_period(van, tot)}" if van or tot else "Alle huisbezoeken"
    if fmt == "ics":  # before masking: the calendar shows the reason, never notes, and needs the real status
        deleted = [v for v in _deleted(service) if (gezin_id is None or v.gezin_id == gezin_id)
                   and _in_period(v, van, tot)]
        return _ics(service, [shown(v, vertrouwelijk=False) for v in visits],
                    [shown(v, vertrouwelijk=False) for v in deleted])
    visits = [shown(v, vertrouwelijk=vertrouwelijk) for v in visits]
    if fmt in ("csv", "xlsx"):
        rows = [_csv_row(service, v, vertrouwelijk) for v in visits]
        today = service.vandaag()
        actions = [[a.tegen, a.tegen is not None and a.tegen < today, action_text(v, a, reveal=vertrouwelijk),
                    a.eigenaar, service.gezin_naam(v), v.datum]
                   for v in visits for a in v.acties if a.open]
        return table_bytes(fmt, [Sheet("Huisbezoeken", CSV_COLUMNS, rows),
                                 Sheet("Open acties", ("Tegen", "Te laat", "Wat", "Wie", "Gezin", "Bezoek van"),
                                       actions)])
    if fmt == "json":
        records = visits_for(visits, include_confidential_notes=vertrouwelijk)
        return json_document("huisbezoeken", {"huisbezoeken": (
            {**record, "gezin": service.gezin_naam(visit)} for visit, record in zip(visits, records, strict=True))},
            gemaakt_op=service.store.clock())
    school = str(service.store.settings().get("school_naam") or "").strip()
    if school:
        title += f" – {school}"
    return render_report(fmt, title, _report(service, visits, vertrouwelijk))


def shown(visit: Huisbezoek, *, vertrouwelijk: bool) -> Huisbezoek:
    """The visit as exports may show it: a confidential visit without its free text unless
    ``vertrouwelijk`` (notes, actions, a reason of its own, why it was cancelled)."""
    if not visit.vertrouwelijk or vertrouwelijk:
        return visit
    besproken, verwachtingen, afspraken = notes_text(visit)
    return msgspec.structs.replace(
        visit, besproken=besproken, verwachtingen=verwachtingen, afspraken=afspraken, reden_andere="",
        annulatie_reden=CONFIDENTIAL_NOTE if visit.annulatie_reden else "",
        acties=tuple(msgspec.structs.replace(a, wat=action_text(visit, a)) for a in visit.acties))


def _deleted(service: Huisbezoeken) -> list[Huisbezoek]:
    """Visits in the recycle bin (deleted, not yet purged)."""
    found = []
    for entry in service.store.recycle_bin(HUISBEZOEKEN):
        try:
            found.append(from_record(Huisbezoek, {**entry.get("record", {}), "id": entry.get("record_id", 0)}))
        except (msgspec.ValidationError, TypeError):
            continue
    return found


# -- shared pieces --------------------------------------------------------------------------------------


def _in_period(visit: Huisbezoek, van: date | None, tot: date | None) -> bool:
    if van is None and tot is None:
        return True
    return visit.datum is not None and (van is None or visit.datum >= van) and (tot is None or visit.datum <= tot)


def _period(van: date | None, tot: date | None) -> str:
    if van and tot:
        return f"van {format_date(van)} tot {format_date(tot)}"
    if van:
        return f"vanaf {format_date(van)}"
    if tot:
        return f"tot {format_date(tot)}"
    return ""


def _interpreter(visit: Huisbezoek) -> str:
    """``Turks`` for an interpreter for Turkish, ``ja`` when the language is not known, else empty."""
    return (visit.tolk_taal or "ja") if visit.tolk else ""


# -- csv and json ---------------------------------------------------------------------------------------


def _csv_row(service: Huisbezoeken, v: Huisbezoek, vertrouwelijk: bool) -> list:
    besproken, verwachtingen, afspraken = notes_text(v, reveal=vertrouwelijk)
    open_actions = "; ".join(f"{action_text(v, a, reveal=vertrouwelijk)} ({a.eigenaar or '?'}, {format_date(a.tegen) or '?'})"
                             for a in v.acties if a.open)
    follow_up = (format_date(v.vervolgbezoek_tegen) or "ja") if v.vervolgbezoek else ""
    return [v.datum, v.tijd, service.gezin_naam(v), v.reden_tekst, v.wie, v.taal, _interpreter(v) or "nee",
            v.status_tekst, v.annulatie_reden, besproken, verwachtingen, afspraken, open_actions, follow_up,
            v.vertrouwelijk]


# -- iCalendar ------------------------------------------------------------------------------------------


def _ics(service: Huisbezoeken, visits: list[Huisbezoek], deleted: list[Huisbezoek]) -> bytes:
    """Planned visits as calendar events: what, when, who, why and in which language; never notes.

    A cancelled visit and a deleted one (from the recycle bin) keep their UID and come with
    ``STATUS:CANCELLED`` and a higher SEQUENCE, so a calendar that imported them drops them.
    Visits that were held are left out: a calendar keeps them as they were."""
    from icalendar import Calendar, Event  # only this export needs it

    zone = ZoneInfo(TIMEZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//ouder-tui//huisbezoeken//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Huisbezoeken")
    stamp = service.store.clock().astimezone(UTC)  # DTSTAMP must be UTC (RFC 5545 3.8.7.2)
    events = [(v, v.status in CANCELLED, max(v.rev, 0)) for v in visits if v.gepland or v.status in CANCELLED]
    events += [(v, True, max(v.rev, 0) + 1) for v in deleted if v.gepland or v.status in CANCELLED]
    for visit, cancelled, sequence in events:
        if visit.datum is None:
            continue
        event = Event()
        event.add("uid", f"huisbezoek-{visit.id}@ouder-tui")
        event.add("dtstamp", stamp)
        event.add("sequence", sequence)  # a changed, cancelled or deleted visit replaces the old event
        if visit.tijd:
            hour, minute = (int(part) for part in visit.tijd.split(":"))
            start = datetime(visit.datum.year, visit.datum.month, visit.datum.day, hour, minute, tzinfo=zone)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=visit.duur_minuten))
        else:  # no time yet: an all-day event
            event.add("dtstart", visit.datum)
            event.add("dtend", visit.datum + timedelta(days=1))
        event.add("summary", f"Huisbezoek gezin {service.gezin_naam(visit)}")
        lines = [f"Reden: {visit.reden_tekst}", f"Wie: {visit.wie or '-'}", f"Taal: {visit.taal or '-'}"]
        if visit.tolk:
            lines.append(f"Tolk: {visit.tolk_taal or 'ja'}")
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        if cancelled:
            lines.insert(0, "Geannuleerd")
        event.add("description", "\n".join(lines))
        calendar.add_component(event)
    return ical_bytes(calendar)


# -- the printable overview -----------------------------------------------------------------------------


def _counts(visits: list[Huisbezoek]) -> str:
    if not visits:
        return "Geen huisbezoeken in deze periode."
    counts = Counter(v.status for v in visits)
    per_status = ", ".join(f"{counts[key]} {label}" for key, label in STATUSSEN.items() if counts.get(key))
    return f"{plural(len(visits), 'huisbezoek', 'huisbezoeken')}: {per_status}."


def _report(service: Huisbezoeken, visits: list[Huisbezoek], vertrouwelijk: bool) -> list[Block]:
    """The overview for the care team (or a family's history): counts, each visit, then the open actions."""
    blocks: list[Block] = [Para(_counts(visits))]
    for v in visits:
        items = [f"Reden: {v.reden_tekst}", f"Wie: {v.wie or '-'}", f"Status: {v.status_tekst}"]
        if v.annulatie_reden:
            items.append(f"Reden annulering: {v.annulatie_reden}")
        if v.taal or v.tolk:
            items.append(f"Taal: {v.taal or '-'}" + (f", tolk: {_interpreter(v)}" if v.tolk else ""))
        if v.vertrouwelijk:
            items.append("Vertrouwelijk bezoek")
        for label, text in zip(("Besproken", "Het gezin hoopt", "Afgesproken"), notes_text(v, reveal=vertrouwelijk),
                               strict=True):
            if text:
                items.append(f"{label}: {text}")
        if v.vervolgbezoek:
            items.append(f"Volgend bezoek: {format_date(v.vervolgbezoek_tegen) or 'gewenst'}")
        when = " ".join(p for p in (format_date(v.datum), v.tijd) if p)
        heading = f"{when} · gezin {service.gezin_naam(v)}" if when else f"gezin {service.gezin_naam(v)}"
        blocks += [Heading(heading), Bullets(tuple(items))]
    today = service.vandaag()
    actions = sorted(((v, a) for v in visits for a in v.acties if a.open), key=lambda item: item[1].tegen or date.max)
    if actions:
        blocks += [Heading("Open acties"), Table(("Tegen", "Wat", "Wie", "Gezin"), tuple(
            (_due(a, today), action_text(v, a, reveal=vertrouwelijk), a.eigenaar or "-", service.gezin_naam(v))
            for v, a in actions))]
    return blocks


def _due(actie: Actie, today: date) -> str:
    if actie.tegen is None:
        return "-"
    return format_date(actie.tegen) + (" (te laat)" if actie.tegen < today else "")
