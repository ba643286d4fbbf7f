"""Exports of the parent group: the sessions for a calendar, attendance for Excel, the year report,
and the invitation letter to print.

The year report and the calendar never name parents: they travel (to the team, to phones).
Only the attendance grid and the personal invitations carry names.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import msgspec

from ouder_tui.errors import OuderTuiError
from ouder_tui.exporters import Block, Bullets, Heading, PageBreak, Para, Table, csv_bytes, render_report
from ouder_tui.models import to_record
from ouder_tui.oudergroep import THEMA_STATUSSEN, VASTE_KERN, Oudergroep, Sessie, lange_datum, staaf
from ouder_tui.settings import load_settings
from ouder_tui.text import format_date, parse_school_year, plural, school_year_of

FORMATS = ("csv", "json", "ics", "md", "html")
LETTER_FORMATS = ("html", "md")
TIMEZONE = "Europe/Brussels"
CHART_WIDTH = 30


def export_oudergroep(service: Oudergroep, fmt: str, *, schooljaar: str | None = None) -> bytes:
    """The parent group of one school year (default: the current one) as ``fmt``: csv, json, ics, md or html."""
    if fmt not in FORMATS:
        raise OuderTuiError(f"Onbekend formaat '{fmt}' voor de oudergroep; kies uit {', '.join(FORMATS)}.")
    year = parse_school_year(schooljaar) if schooljaar else school_year_of(service.vandaag())
    sessions = service.sessies(year)
    if fmt == "csv":
        return _attendance_csv(service, sessions)
    if fmt == "json":
        return _json(service, year, sessions)
    if fmt == "ics":
        return _ics(service, sessions)
    title = f"Oudergroep {year}"
    school = load_settings(service.store).school_naam
    if school:
        title += f" – {school}"
    return render_report(fmt, title, _year_report(service, year, sessions))


# -- attendance for Excel -------------------------------------------------------------------------------


def _attendance_csv(service: Oudergroep, sessions: list[Sessie]) -> bytes:
    """One row per person who was invited or came; one column per session that was not cancelled."""
    shown = [s for s in sessions if not s.geannuleerd]
    people = list(dict.fromkeys(pid for s in shown for pid in (*s.aanwezig, *(u.persoon_id for u in s.uitnodigingen))))
    persons = sorted((service.persoon(pid) for pid in people), key=lambda p: (p.naam.casefold(), p.id))
    header = ["Naam", "Wie", "Telefoon", *(f"{format_date(s.datum)} {s.titel}" for s in shown), "Keer aanwezig"]
    rows = []
    for person in persons:
        cells = []
        for session in shown:
            invite = session.uitnodiging(person.id)
            if person.id in session.aanwezig:
                cells.append("aanwezig")
            elif invite and session.gehouden:
                cells.append("afwezig")
            elif invite:
                cells.append(f"uitgenodigd ({invite.kanaal_tekst})")
            else:
                cells.append("")
        rows.append([person.naam, person.omschrijving, person.telefoon, *cells, cells.count("aanwezig")])
    return csv_bytes(header, rows)


# -- JSON -----------------------------------------------------------------------------------------------


def _json(service: Oudergroep, year: str, sessions: list[Sessie]) -> bytes:
    figures = {c.sessie.id: c for c in service.jaaroverzicht(year).sessies}
    session_ids = {s.id for s in sessions}
    records = []
    for session in sessions:
        record = to_record(session)
        record["aanwezig"] = [{"id": pid, "naam": service.persoon(pid).naam, "wie": service.persoon(pid).omschrijving}
                              for pid in session.aanwezig]
        if session.id in figures:
            c = figures[session.id]
            record["cijfers"] = {"aanwezig": c.aanwezig, "terugkerend": c.terugkerend, "nieuw": c.nieuw,
                                 "gasten": c.gasten}
        records.append(record)
    document = {
        "schooljaar": year,
        "sessies": records,
        "themas": [to_record(t) for t in service.themas()],
        "verzoeken": [to_record(v) for v in service.verzoeken()
                      if v.sessie_id is None or v.sessie_id in session_ids
                      or (v.gevraagd_op and school_year_of(v.gevraagd_op) == year)],
    }
    return msgspec.json.format(msgspec.json.encode(document), indent=2) + b"\n"


# -- iCalendar ------------------------------------------------------------------------------------------


def _moment(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def _ics(service: Oudergroep, sessions: list[Sessie]) -> bytes:
    """The sessions as events; a cancelled one stays in with STATUS:CANCELLED so calendars drop it.
    What, when, where, partners, interpreters and childcare: never the names of parents."""
    from icalendar import Calendar, Event  # only this export needs it

    zone = ZoneInfo(TIMEZONE)
    calendar = Calendar()
    calendar.add("prodid", "-//ouder-tui//oudergroep//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Oudergroep")
    stamp = service.store.clock().astimezone(UTC)
    for session in sessions:
        if session.datum is None:
            continue
        event = Event()
        event.add("uid", f"oudergroep-{session.id}@ouder-tui")
        event.add("dtstamp", stamp)
        event.add("sequence", max(session.rev, 0))
        start = _moment(session.datum, session.begin, zone)
        event.add("dtstart", start)
        if session.einde:
            event.add("dtend", _moment(session.datum, session.einde, zone))
        event.add("summary", f"Oudergroep: {session.titel}")
        if session.plaats:
            event.add("location", session.plaats)
        event.add("status", "CANCELLED" if session.geannuleerd else "CONFIRMED")
        event.add("description", "\n".join(_plan_lines(session)))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _plan_lines(session: Sessie) -> list[str]:
    lines = [session.omschrijving] if session.omschrijving else []
    if session.partners:
        lines.append("Partners: " + ", ".join(p.regel() for p in session.partners))
    if session.begeleiders:
        lines.append("Begeleiding: " + ", ".join(session.begeleiders))
    if session.tolken:
        lines.append("Tolken: " + ", ".join(t.taal or t.naam for t in session.tolken))
    if session.kinderopvang:
        lines.append("Kinderopvang: ja" + (f" ({session.kinderopvang_info})" if session.kinderopvang_info else ""))
    if session.geannuleerd:
        lines.append("Geannuleerd" + (f": {session.annulatie_reden}" if session.annulatie_reden else ""))
    return lines


# -- the year report ------------------------------------------------------------------------------------


def _year_report(service: Oudergroep, year: str, sessions: list[Sessie]) -> list[Block]:
    """Figures, attendance per session with an image-free chart, themes and requests: counts, no names."""
    overview = service.jaaroverzicht(year)
    average = f"{overview.gemiddeld:.1f}".replace(".", ",")
    blocks: list[Block] = [Heading("Het jaar in cijfers"), Bullets((
        f"{plural(overview.gehouden, 'sessie', 'sessies')} gehouden, {overview.geannuleerd} geannuleerd, "
        f"{overview.gepland} nog gepland",
        f"{plural(overview.totaal_aanwezig, 'aanwezigheid', 'aanwezigheden')}, gemiddeld {average} per sessie",
        f"{plural(overview.verschillende_personen, 'ouder of gast', 'verschillende ouders en gasten')} kwamen",
        f"{overview.vaste_kern} van hen kwamen {VASTE_KERN} keer of vaker (de vaste kern), "
        f"{overview.een_keer} kwamen één keer",
    ))]
    if overview.sessies:
        top = max(c.aanwezig for c in overview.sessies) or 1
        blocks += [Heading("Aanwezigheden per sessie"), Para("█ = ouders die al eerder kwamen, ░ = nieuw."),
                   Table(("Datum", "Thema", "Aanwezig", "Terugkerend", "Nieuw", "Grafiek"), tuple(
                       (format_date(c.sessie.datum), c.sessie.titel, str(c.aanwezig), str(c.terugkerend),
                        str(c.nieuw), _bar(c.terugkerend, c.aanwezig, top)) for c in overview.sessies))]
    other = [s for s in sessions if not s.gehouden]
    if other:
        blocks += [Heading("Geannuleerd en gepland"), Table(("Datum", "Thema", "Status"), tuple(
            (format_date(s.datum), s.titel, s.status_tekst + (f": {s.annulatie_reden}" if s.annulatie_reden else ""))
            for s in other))]
    themes = service.themas()
    if themes:
        blocks += [Heading("Thema's die ouders vroegen"), Table(("Thema", "Hoeveel ouders", "Status"), tuple(
            (t.titel, str(t.aantal), THEMA_STATUSSEN.get(t.status, t.status)) for t in themes))]
    requests = service.verzoeken()
    if requests:
        blocks += [Heading("Verzoeken van de groep aan de school"), Table(
            ("Verzoek", "Gevraagd", "Wie neemt op", "Status", "Antwoord van de school"), tuple(
                (v.wat, format_date(v.gevraagd_op), v.eigenaar or "-", v.status_tekst, v.antwoord or "-")
                for v in requests))]
    return blocks


def _bar(returning: int, present: int, top: int) -> str:
    back = staaf(returning, top, CHART_WIDTH)
    total = round(present / top * CHART_WIDTH) if top else 0
    return back + "░" * max(0, total - len(back))


# -- the invitation letter ------------------------------------------------------------------------------


def uitnodiging(service: Oudergroep, sessie: Sessie, fmt: str, *, per_persoon: bool = False,
                school_naam: str = "") -> bytes:
    """A plain-Dutch invitation to print (Markdown or HTML); ``per_persoon``: one page per invited person."""
    if fmt not in LETTER_FORMATS:
        raise OuderTuiError(f"Een uitnodiging kan als {' of '.join(LETTER_FORMATS)}, niet als '{fmt}'.")
    if sessie.geannuleerd:
        raise OuderTuiError(f"Deze sessie is geannuleerd: er valt niets uit te nodigen"
                            f"{' (' + sessie.annulatie_reden + ')' if sessie.annulatie_reden else ''}.")
    school = school_naam or load_settings(service.store).school_naam
    letter = _letter(sessie, school)
    if not per_persoon:
        return render_report(fmt, f"Uitnodiging: {sessie.titel}", [Para("Beste ouder,"), *letter])
    people = sorted((service.persoon(u.persoon_id) for u in sessie.uitnodigingen), key=lambda p: p.naam.casefold())
    if not people:
        raise OuderTuiError("Er is nog niemand uitgenodigd: nodig eerst ouders uit (u), of druk één brief af.")
    blocks: list[Block] = []
    for i, person in enumerate(people):
        if i:
            blocks.append(PageBreak())
        blocks += [Para(f"Beste {person.naam},"), *letter]
    return render_report(fmt, f"Uitnodiging: {sessie.titel}", blocks)


def _letter(sessie: Sessie, school: str) -> list[Block]:
    when = f"{lange_datum(sessie.datum)}, van {sessie.begin}" + (f" tot {sessie.einde}" if sessie.einde else "")
    details = [f"Wanneer: {when}", f"Waar: {sessie.plaats or 'op school'}", f"Waarover: {sessie.titel}"]
    blocks: list[Block] = [
        Para("Wij nodigen u uit voor de oudergroep van onze school. Ouders praten er samen over wat hen bezighoudt."
             " De school luistert mee."),
        Bullets(tuple(details)),
    ]
    if sessie.omschrijving:
        blocks.append(Para(sessie.omschrijving))
    extra = []
    if sessie.partners:
        extra.append("Er komen ook mensen van: " + ", ".join(p.organisatie for p in sessie.partners) + ".")
    languages = [t.taal for t in sessie.tolken if t.taal]
    if languages:
        extra.append("Er is een tolk voor: " + ", ".join(languages) + ".")
    if sessie.kinderopvang:
        extra.append("Uw kleine kinderen mogen mee: er is opvang"
                     + (f" ({sessie.kinderopvang_info})." if sessie.kinderopvang_info else "."))
    if extra:
        blocks.append(Bullets(tuple(extra)))
    blocks.append(Para("Iedereen is welkom. U hoeft niets voor te bereiden. U mag gerust iemand meebrengen."))
    signature = "Tot dan!"
    if sessie.begeleiders:
        signature += "\n" + ", ".join(sessie.begeleiders)
    if school:
        signature += "\n" + school
    blocks.append(Para(signature))
    return blocks
