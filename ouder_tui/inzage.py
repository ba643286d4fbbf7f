"""Inspection (*inzage*): one readable report of everything the database holds about one family and
its children, across every module, for a parent who asks for it (GDPR right of access).

Nothing is left out on purpose: confidential notes of home visits are included and marked as
such, and so is what sits in the recycle bin. Every field that holds something is shown, so a
field added later appears without changes here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ouder_tui.exporters import Block, Bullets, Heading, Para, render_report
from ouder_tui.huisbezoek import HUISBEZOEKEN, Huisbezoeken
from ouder_tui.leerlingen import GEZINNEN, LEERLINGEN, Registry
from ouder_tui.models import to_record
from ouder_tui.oudergroep import CONTACTEN, GASTEN, Oudergroep
from ouder_tui.settings import load_settings
from ouder_tui.startgesprek import STARTGESPREKKEN, Startgesprekken
from ouder_tui.text import format_date, format_datetime

FORMATS = ("html", "md")
#: Store bookkeeping shown as one line ("aangemaakt door ... op ...") instead of field by field.
_META = ("id", "_rev", "_created_by", "_created_at", "_changed_by", "_changed_at")
CONFIDENTIAL = "VERTROUWELIJK"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _empty(value: Any) -> bool:
    """Nothing worth showing: an empty text or list, no value, ``False`` or zero."""
    if isinstance(value, bool):
        return not value
    return value is None or value == 0 or (isinstance(value, (str, list, tuple, dict)) and not value)


def _lines(data: dict[str, Any], prefix: str = "") -> list[str]:
    """Every field that holds something, as ``veld: waarde``; nested values get a dotted name."""
    found = []
    for key, value in data.items():
        if key in _META or _empty(value):
            continue
        name = f"{prefix}{key.replace('_', ' ')}"
        if isinstance(value, dict):
            found += _lines(value, f"{name} ")
        elif isinstance(value, (list, tuple)):
            if all(not isinstance(v, (dict, list, tuple)) for v in value):
                found.append(f"{name}: {', '.join(_value(v) for v in value)}")
            else:
                for i, item in enumerate(value, 1):
                    found += _lines(item if isinstance(item, dict) else {"waarde": item}, f"{name} {i} ")
        else:
            found.append(f"{name}: {_value(value)}")
    return found


def _stamp(record: dict[str, Any]) -> str:
    made = f"aangemaakt door {record.get('_created_by') or '?'} op {format_datetime(record.get('_created_at'))}"
    if record.get("_changed_at") and record.get("_changed_at") != record.get("_created_at"):
        made += f", laatst gewijzigd door {record.get('_changed_by') or '?'} op " \
                f"{format_datetime(record.get('_changed_at'))}"
    return made


def inzage_report(registry: Registry, gezin_id: int, fmt: str) -> bytes:
    """Everything held about family ``gezin_id`` and its children, as Markdown or printable HTML."""
    store = registry.store
    gezin = registry.gezin(gezin_id)  # NotFoundError in Dutch when it does not exist
    kids = registry.kinderen(gezin_id)
    kid_ids = {k.id for k in kids}
    parent_ids = {o.id for o in gezin.ouders}
    family = store.get(GEZINNEN, gezin_id) or {}
    school = load_settings(store).school_naam
    blocks: list[Block] = [
        Para(f"Dit overzicht toont alles wat {school or 'de school'} in ouder-tui bewaart over het gezin "
             f"{gezin.naam} en de kinderen, opgemaakt op {format_date(store.clock().date())} door "
             f"{store.user or '?'}. Ook vertrouwelijke notities staan erin; ze zijn gemarkeerd met "
             f"{CONFIDENTIAL}."),
        Heading(f"Gezin {gezin.naam}"),
        Bullets(tuple([*_lines({k: v for k, v in family.items() if k != "ouders"}), _stamp(family)])),
    ]
    for i, parent in enumerate(family.get("ouders", []), 1):
        blocks += [Heading(f"Ouder {i}: {gezin.ouders[i - 1].naam}"), Bullets(tuple(_lines(parent)))]
    for kid in kids:
        record = store.get(LEERLINGEN, kid.id) or {}
        blocks += [Heading(f"Kind: {kid.naam}"), Bullets(tuple([*_lines(record), _stamp(record)]))]

    visits = Huisbezoeken(store, registry).van_gezin(gezin_id)
    blocks.append(Heading("Huisbezoeken"))
    if not visits:
        blocks.append(Para("Geen huisbezoeken."))
    for visit in visits:
        title = f"Huisbezoek {format_date(visit.datum)}" + (f" ({CONFIDENTIAL})" if visit.vertrouwelijk else "")
        blocks += [Para(title), Bullets(tuple([*_lines(to_record(visit)), _stamp(to_record(visit))]))]

    talks = Startgesprekken(store, registry)
    blocks.append(Heading("Startgesprekken en communicatieplannen"))
    found_talks = [(kid, talk) for kid in kids for talk in talks.van_leerling(kid.id)]
    if not found_talks:
        blocks.append(Para("Geen startgesprekken."))
    for kid, talk in found_talks:
        record = to_record(talk)
        blocks += [Para(f"{talk.soort_tekst.capitalize()} over {kid.naam} ({talk.schooljaar})"),
                   Bullets(tuple([*_lines(record), _stamp(record)]))]

    group = Oudergroep(store, registry)
    blocks.append(Heading("Oudergroep"))
    group_lines = []
    for parent in gezin.ouders:
        attended = group.aanwezigheden(parent.id)
        invited = [s for s in group.sessies() if s.uitnodiging(parent.id)]
        if attended:
            group_lines.append(f"{parent.naam} was aanwezig op: " + ", ".join(
                f"{format_date(s.datum)} ({s.titel})" for s in attended))
        for session in invited:
            invite = session.uitnodiging(parent.id)
            group_lines.append(f"{parent.naam} uitgenodigd voor {format_date(session.datum)} ({session.titel}) via "
                               f"{invite.kanaal_tekst} op {format_date(invite.op)}")
        for contact in group.contacten(parent.id):
            group_lines.append(f"Contact met {parent.naam} op {format_date(contact.datum)} ({contact.hoe_tekst})"
                               + (f": {contact.notitie}" if contact.notitie else "")
                               + (" – niet meer opvolgen" if contact.niet_meer_opvolgen else ""))
    blocks.append(Bullets(tuple(group_lines)) if group_lines else Para("Niets over dit gezin in de oudergroep."))

    binned = []
    for entry in store.recycle_bin():
        record = entry.get("record", {})
        table = entry.get("table")
        ours = (table == GEZINNEN and entry.get("record_id") == gezin_id) \
            or (table == LEERLINGEN and record.get("gezin_id") == gezin_id) \
            or (table == HUISBEZOEKEN and record.get("gezin_id") == gezin_id) \
            or (table == STARTGESPREKKEN and record.get("leerling_id") in kid_ids) \
            or (table in (CONTACTEN, GASTEN) and record.get("persoon_id") in parent_ids)
        if ours:
            binned += [Para(f"{entry.get('label') or table} (verwijderd door {entry.get('_deleted_by') or '?'} op "
                            f"{format_datetime(entry.get('_deleted_at'))})"), Bullets(tuple(_lines(record)))]
    blocks.append(Heading("In de prullenbak"))
    blocks += binned or [Para("Niets van dit gezin in de prullenbak.")]
    return render_report(fmt, f"Inzage: gezin {gezin.naam}", blocks)
