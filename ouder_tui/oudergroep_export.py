"""Exports of the parent group: the sessions for a calendar, attendance for Excel (xlsx or CSV), JSON,
the year report, and the invitation letter to print.

The year report and the calendar never name parents: they travel (to the team, to phones).
Only the attendance grid, the JSON and the personal invitations carry names. Every piece of
user text goes through the report renderer, which escapes it for Markdown and HTML.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from ouder_tui.errors import OuderTuiError
from ouder_tui.exporters import (
    Block,
    Bullets,
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
from ouder_tui.models import from_record, to_record
from ouder_tui.oudergroep import (
    SESSIES,
    THEMA_STATUSSEN,
    VASTE_KERN,
    VERZOEK_STATUSSEN,
    Oudergroep,
    Persoon,
    Sessie,
    Verzoek,
    lange_datum,
    staaf,
)
from ouder_tui.oudergroep.area import AREA
from ouder_tui.settings import load_settings
from ouder_tui.text import fold, format_date, parse_school_year, plural, school_year_of

FORMATS = AREA.export("oudergroep").formats
LETTER_FORMATS = ("md", "html")
TIMEZONE = "Europe/Brussels"
CHART_WIDTH = 30


def export_oudergroep(service: Oudergroep, fmt: str, *, schooljaar: str | None = None) -> bytes:
    """The parent group of one school year (default: the current one) as ``fmt``: csv, json, ics, md or html.

    Raises :class:`OuderTuiError` in Dutch for an unknown format or a school year that is not one."""
    if fmt not in FORMATS:
        raise OuderTuiError(f"Onbekend formaat '{fmt}' voor de oudergroep; kies uit {', '.join(FORMATS)}.")
    try:
        year = parse_school_year(schooljaar) if schooljaar else school_year_of(service.vandaag())
    except ValueError as exc:
        raise OuderTuiError(f"{exc}.") from None
    sessions = service.sessies(year)
    if fmt in ("csv", "xlsx"):
        return table_bytes(fmt, [_attendance(service, sessions), _session_sheet(sessions)])
    if fmt == "json":
        return _json(service, year, sessions)
    if fmt == "ics":
        return _ics(service, sessions, _deleted(service, year))
    title = f"Oudergroep {year}"
    school = load_settings(service.store).school_naam
    if school:
        title += f" – {school}"
    return render_report(fmt, title, _year_report(service, year, sessions))


def _requests(service: Oudergroep, year: str, sessions: list[Sessie]) -> list[Verzoek]:
    """Requests of the school year: asked in it, or raised at one of its sessions."""
    session_ids = {s.id for s in sessions}
    return [v for v in service.verzoeken() if (v.sessie_id is not None and v.sessie_id in session_ids)
            or (v.gevraagd_op is not None and school_year_of(v.gevraagd_op) == year)]


def _one_line(text: str) -> str:
    """A multi-line note in a table cell: one line, or the Markdown table breaks."""
    return " ".join(text.split())


# -- attendance for Excel -------------------------------------------------------------------------------


def _column(session: Sessie, same_day: Counter[date | None]) -> str:
    head = format_date(session.datum)
    return f"{head} {session.begin}" if same_day[session.datum] > 1 else head


def _attendance(service: Oudergroep, sessions: list[Sessie]) -> Sheet:
    """One row per person who was invited or came; one column per held or planned session."""
    shown = [s for s in sessions if not s.geannuleerd]
    same_day = Counter(s.datum for s in shown)
    ids = dict.fromkeys(pid for s in shown for pid in (*s.aanwezig, *(u.persoon_id for u in s.uitnodigingen)))
    people = sorted((service.persoon(pid) for pid in ids), key=lambda p: (fold(p.naam), p.id))
    header = ["Naam", "Wie", "Telefoon", *(_column(s, same_day) for s in shown), "Keer aanwezig"]
    rows = []
    for person in people:
        cells = []
        for session in shown:
            invite = session.uitnodiging(person.id)
            if person.id in session.aanwezig:
                cells.append("aanwezig")
            elif invite:
                cells.append(f"uitgenodigd ({invite.kanaal_tekst})")
            else:
                cells.append("")
        rows.append([person.naam, person.omschrijving, person.telefoon, *cells, cells.count("aanwezig")])
    return Sheet("Aanwezigheden", header, rows)


def _session_sheet(sessions: list[Sessie]) -> Sheet:
    """The sessions of the year, one a row (the second sheet of the workbook)."""
    return Sheet("Sessies", ("Datum", "Begin", "Einde", "Thema", "Plaats", "Status", "Reden annulering", "Aanwezig"),
                 [[s.datum, s.begin, s.einde, s.titel, s.plaats, s.status_tekst, s.annulatie_reden,
                   len(s.aanwezig) if s.gehouden else None] for s in sessions])


# -- JSON -----------------------------------------------------------------------------------------------


def _who(person: Persoon) -> dict[str, str]:
    return {"id": person.id, "naam": person.naam, "wie": person.omschrijving}


def _json(service: Oudergroep, year: str, sessions: list[Sessie]) -> bytes:
    overview = service.jaaroverzicht(year)
    per_session = {c.sessie.id: {"aanwezig": c.aanwezig, "terugkerend": c.terugkerend, "nieuw": c.nieuw,
                                 "gasten": c.gasten} for c in overview.sessies}
    records = []
    for session in sessions:
        record = to_record(session)
        record["aanwezig"] = [_who(service.persoon(pid)) for pid in session.aanwezig]
        record["uitnodigingen"] = [{**to_record(u), "naam": service.persoon(u.persoon_id).naam}
                                   for u in session.uitnodigingen]
        if session.id in per_session:
            record["cijfers"] = per_session[session.id]
        records.append(record)
    figures: dict[str, Any] = {
            "gehouden": overview.gehouden, "geannuleerd": overview.geannuleerd, "gepland": overview.gepland,
            "totaal_aanwezig": overview.totaal_aanwezig, "gemiddeld": round(overview.gemiddeld, 2),
            "verschillende_personen": overview.verschillende_personen, "vaste_kern": overview.vaste_kern,
            "een_keer": overview.een_keer,
            "per_sessie": [{"sessie_id": c.sessie.id, "datum": c.sessie.datum, **per_session[c.sessie.id]}
                           for c in overview.sessies],
    }
    return json_document("oudergroep", {
        "sessies": records,
        "themas": [to_record(t) for t in service.themas()],
        "verzoeken": [to_record(v) for v in _requests(service, year, sessions)],
    }, schooljaar=year, gemaakt_op=service.store.clock(), samenvatting=msgspec.to_builtins(figures))


# -- iCalendar ------------------------------------------------------------------------------------------


def _moment(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def _deleted(service: Oudergroep, year: str) -> list[Sessie]:
    """Sessions of the school year in the recycle bin (deleted, not yet purged)."""
    found = []
    for entry in service.store.recycle_bin(SESSIES):
        try:
            session = from_record(Sessie, {**entry.get("record", {}), "id": entry.get("record_id", 0)})
        except (msgspec.ValidationError, TypeError):
            continue
        if session.datum is not None and school_year_of(session.datum) == year:
            found.append(session)
    return found


def _ics(service: Oudergroep, sessions: list[Sessie], deleted: list[Sessie]) -> bytes:
    """The sessions as events; a cancelled one stays in with STATUS:CANCELLED so calendars drop it,
    and so does a deleted one (same UID, a higher SEQUENCE than its last version).
    What, when, where, partners, interpreters' languages and childcare: never parents or attendance."""
    from icalendar import Calendar, Event  # only this export needs it

    zone = ZoneInfo(TIMEZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//ouder-tui//oudergroep//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Oudergroep")
    stamp = service.store.clock().astimezone(UTC)  # DTSTAMP must be UTC (RFC 5545 3.8.7.2)
    events = [(s, s.geannuleerd, max(s.rev, 0)) for s in sessions] + [(s, True, max(s.rev, 0) + 1) for s in deleted]
    for session, cancelled, sequence in events:
        if session.datum is None:
            continue
        event = Event()
        event.add("uid", f"oudergroep-{session.id}@ouder-tui")
        event.add("dtstamp", stamp)
        event.add("sequence", sequence)  # a changed, cancelled or deleted session replaces the old event
        event.add("dtstart", _moment(session.datum, session.begin, zone))
        if session.einde:
            event.add("dtend", _moment(session.datum, session.einde, zone))
        event.add("summary", f"Oudergroep: {session.titel}")
        if session.plaats:
            event.add("location", session.plaats)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("description", "\n".join(_plan_lines(session)))
        calendar.add_component(event)
    return ical_bytes(calendar)


def _plan_lines(session: Sessie) -> list[str]:
    lines = [session.omschrijving] if session.omschrijving else []
    if session.partners:
        lines.append("Partners: " + ", ".join(p.organisatie for p in session.partners))
    if session.tolken:
        lines.append("Tolk: " + ", ".join(t.taal or "taal nog niet bekend" for t in session.tolken))
    if session.kinderopvang:
        lines.append("Kinderopvang: ja" + (f" ({session.kinderopvang_info})" if session.kinderopvang_info else ""))
    if session.geannuleerd:
        lines.append("Geannuleerd" + (f": {session.annulatie_reden}" if session.annulatie_reden else ""))
    return lines


# -- the year report ------------------------------------------------------------------------------------


def _year_report(service: Oudergroep, year: str, sessions: list[Sessie]) -> list[Block]:
    """Figures, attendance per session with a text chart, themes and requests: counts, never names."""
    overview = service.jaaroverzicht(year)
    average = f"{overview.gemiddeld:.1f}".replace(".", ",")
    blocks: list[Block] = [Heading("Het jaar in cijfers"), Bullets((
        f"Sessies: {overview.gehouden} gehouden, {overview.geannuleerd} geannuleerd, {overview.gepland} nog gepland",
        f"Aanwezigheden: {overview.totaal_aanwezig} in totaal, gemiddeld {average} per gehouden sessie",
        f"Verschillende ouders en gasten: {overview.verschillende_personen}",
        f"Vaste kern ({VASTE_KERN} keer of vaker): {plural(overview.vaste_kern, 'persoon', 'personen')}",
        f"Eén keer gekomen: {plural(overview.een_keer, 'persoon', 'personen')}",
    ))]
    if overview.sessies:
        top = max(c.aanwezig for c in overview.sessies)
        blocks += [
            Heading("Aanwezigheden per sessie"),
            Table(("Datum", "Thema", "Aanwezig", "Terugkerend", "Nieuw"), tuple(
                (format_date(c.sessie.datum), c.sessie.titel, str(c.aanwezig), str(c.terugkerend), str(c.nieuw))
                for c in overview.sessies)),
            Heading("Grafiek"),
            Table(("Datum", "Aanwezig"), tuple(
                (c.sessie.datum.strftime("%d/%m") if c.sessie.datum else "",
                 f"{staaf(c.aanwezig, top, CHART_WIDTH)} {c.aanwezig}".strip()) for c in overview.sessies)),
        ]
    else:
        blocks.append(Para("Er is dit schooljaar nog geen sessie gehouden."))
    other = [s for s in sessions if not s.gehouden]
    if other:
        blocks += [Heading("Geannuleerd en gepland"), Table(("Datum", "Thema", "Status"), tuple(
            (format_date(s.datum), s.titel, s.status_tekst + (f": {s.annulatie_reden}" if s.annulatie_reden else ""))
            for s in other))]
    themes = service.themas()
    if themes:
        blocks += [Heading("Thema's die ouders vroegen"), Table(
            ("Thema", "Hoeveel ouders vroegen het", "Status"),
            tuple((t.titel, str(t.aantal), THEMA_STATUSSEN.get(t.status, t.status)) for t in themes))]
    requests = _requests(service, year, sessions)
    if requests:
        blocks += [Heading("Verzoeken van de groep aan de school"), Table(
            ("Verzoek", "Gevraagd op", "Status", "Antwoord van de school", "Teruggekoppeld"), tuple(
                (v.wat, format_date(v.gevraagd_op), VERZOEK_STATUSSEN.get(v.status, v.status),
                 _one_line(v.antwoord) or "-",
                 (f"ja, {format_date(v.teruggekoppeld_op)}" if v.teruggekoppeld_op else "ja")
                 if v.teruggekoppeld else "nee")
                for v in requests))]
    return blocks


# -- the invitation letter ------------------------------------------------------------------------------


def uitnodiging(service: Oudergroep, sessie: Sessie, fmt: str, *, per_persoon: bool = False,
                school_naam: str = "", reeks: bool = False) -> bytes:
    """A plain-Dutch invitation to print (``md`` or ``html``); ``per_persoon``: one page per invited person;
    ``reeks``: one letter for this session and the following ones of its series, listing every date.

    The school name comes from the settings unless ``school_naam`` is given. Raises
    :class:`OuderTuiError` for a cancelled session, another format, or nobody invited yet."""
    if fmt not in LETTER_FORMATS:
        raise OuderTuiError(f"Een uitnodiging kan als {' of '.join(LETTER_FORMATS)}, niet als '{fmt}'.")
    if sessie.geannuleerd:
        reason = f" ({sessie.annulatie_reden})" if sessie.annulatie_reden else ""
        raise OuderTuiError(f"Deze sessie is geannuleerd: er valt niemand voor uit te nodigen{reason}.")
    school = school_naam or load_settings(service.store).school_naam
    title = f"Uitnodiging: {sessie.titel}"
    dates = [sessie, *service.volgende_in_reeks(sessie)] if reeks else [sessie]
    letter = _letter(sessie, school, dates)
    if not per_persoon:
        return render_report(fmt, title, [Para("Beste ouder,"), *letter])
    people = sorted((service.persoon(u.persoon_id) for u in sessie.uitnodigingen),
                    key=lambda p: (fold(p.naam), p.id))
    if not people:
        raise OuderTuiError("Er is nog niemand uitgenodigd voor deze sessie: nodig eerst ouders uit, "
                            "of maak één brief voor iedereen.")
    blocks: list[Block] = []
    for i, person in enumerate(people):
        if i:
            blocks += [PageBreak(), Heading(title)]
        blocks += [Para(f"Beste {_name(person)},"), *letter]
    return render_report(fmt, title, blocks)


def _name(person: Persoon) -> str:
    """The name to greet someone by; ``ouder`` when the registry has no name (any more)."""
    return "ouder" if not person.naam or person.naam.startswith("(") else person.naam


def _letter(sessie: Sessie, school: str, dates: list[Sessie] | None = None) -> list[Block]:
    hours = lambda s: f"van {s.begin} tot {s.einde}" if s.einde else f"om {s.begin}"  # noqa: E731
    about = sessie.titel + (f"\n{sessie.omschrijving}" if sessie.omschrijving else "")
    dates = dates or [sessie]
    when = (f"Wanneer: {lange_datum(sessie.datum)} {hours(sessie)}" if len(dates) == 1 else
            "Wanneer:\n" + "\n".join(f"{lange_datum(s.datum)} {hours(s)}" for s in dates))
    blocks: list[Block] = [
        Para("Wij nodigen u graag uit voor de oudergroep van onze school. "
             "Ouders komen samen, drinken iets en praten over wat hen bezighoudt. De school luistert mee."),
        Bullets((when, f"Waar: {sessie.plaats or 'op school'}", f"Waarover: {about}")),
    ]
    extra = []
    if sessie.partners:
        extra.append("Er komen ook mensen van: " + ", ".join(p.organisatie for p in sessie.partners) + ".")
    languages = list(dict.fromkeys(t.taal for t in sessie.tolken if t.taal))
    if languages:
        extra.append("Er is een tolk voor: " + ", ".join(languages) + ".")
    elif sessie.tolken:
        extra.append("Er is een tolk.")
    if sessie.kinderopvang:
        extra.append("Er is opvang voor kleine kinderen"
                     + (f" ({sessie.kinderopvang_info})." if sessie.kinderopvang_info else "."))
    if extra:
        blocks.append(Bullets(tuple(extra)))
    blocks += [Para("Iedereen is welkom. U hoeft niets voor te bereiden. U mag gerust iemand meebrengen."),
               Para("Wij kijken ernaar uit u te zien!"), Para("Met vriendelijke groeten,")]
    if sessie.begeleiders:
        blocks.append(Para(", ".join(sessie.begeleiders)))
    if school:
        blocks.append(Para(school))
    return blocks
