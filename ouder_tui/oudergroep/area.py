"""The parent group as an area: its tables, erasure, part of the inspection report, export and palette hits.

A parent of the group is a person id: a parent in the registry, or a walk-in guest (*gast*)
who may later be linked to a family under the same id. Whatever points at an erased family's
parents goes with the family: their contacts, their guest record (also the copy in the recycle
bin that linking a guest leaves), and their ticks and invitations in the sessions that stay.
"""

from __future__ import annotations

import msgspec

from ouder_tui.areas import (
    MAX_HITS,
    SCHOOLJAAR_OPTION,
    AreaDescriptor,
    ErasurePart,
    ExportSpec,
    SearchHit,
    Services,
    Subject,
)
from ouder_tui.areas import (
    Contact as ReachContact,
)
from ouder_tui.models import from_record, record_data
from ouder_tui.oudergroep.models import CONTACTEN, GASTEN, SESSIES, THEMAS, VERZOEKEN, Contact, Gast, Sessie, Thema, Verzoek
from ouder_tui.oudergroep.service import Oudergroep
from ouder_tui.store import Store
from ouder_tui.text import format_date, plural, school_year_of

#: The tables that point at a person by ``persoon_id``.
_PERSONAL = (CONTACTEN, GASTEN)


def _mentions(record: dict, persoon_ids: frozenset[str]) -> bool:
    """Whether a session holds one of these people's attendance or invitation."""
    invited = (u.get("persoon_id") for u in record.get("uitnodigingen", ()))
    return bool(persoon_ids & {*record.get("aanwezig", ()), *invited})


def _erase(store: Store, subject: Subject) -> ErasurePart:
    """The parents' contacts and guest records go; the sessions they were in stay (see :func:`_scrub`)."""
    part = ErasurePart()
    if not subject.persoon_ids:
        return part
    found = {table: [r["id"] for r in store.all(table) if r.get("persoon_id") in subject.persoon_ids]
             for table in _PERSONAL}
    part.records += [(table, record_id) for table, ids in found.items() for record_id in ids]
    sessions = [r for r in store.all(SESSIES) if _mentions(r, subject.persoon_ids)]
    contacts, guests = found[CONTACTEN], found[GASTEN]
    if sessions or contacts or guests:
        part.family_lines.append(
            f"oudergroep: aanwezigheden of uitnodigingen in {plural(len(sessions), 'sessie', 'sessies')}"
            f", {plural(len(contacts), 'contact', 'contacten')}"
            + (f", {plural(len(guests), 'gast', 'gasten')}" if guests else ""))
    return part


def _scrub(store: Store, subject: Subject) -> None:
    """The parents' ticks and invitations leave the sessions they were in."""
    if not subject.persoon_ids:
        return
    changes = []
    for record in store.all(SESSIES):
        session = from_record(Sessie, record)
        kept = msgspec.structs.replace(
            session, aanwezig=tuple(p for p in session.aanwezig if p not in subject.persoon_ids),
            uitnodigingen=tuple(u for u in session.uitnodigingen if u.persoon_id not in subject.persoon_ids))
        if kept != session:
            changes.append((session.id, record_data(kept), None))
    store.update_many(SESSIES, changes)
    for entry in store.recycle_bin(SESSIES):  # a deleted session may be restored: it forgets them too
        record = entry.get("record", {})
        kept_record = {**record,
                       "aanwezig": [p for p in record.get("aanwezig", ()) if p not in subject.persoon_ids],
                       "uitnodigingen": [u for u in record.get("uitnodigingen", ())
                                         if u.get("persoon_id") not in subject.persoon_ids]}
        if kept_record != record:
            store.scrub_bin(entry["id"], kept_record)


def _in_bin(entry: dict, subject: Subject) -> bool:
    """A deleted contact or guest record belongs to its person; sessions, themes and requests to the group."""
    return entry.get("table") in _PERSONAL and entry.get("record", {}).get("persoon_id") in subject.persoon_ids


def _report(services: Services, subject: Subject) -> list:
    """Per parent: the sessions attended, the invitations, the contacts, and a guest record if any."""
    from ouder_tui.exporters import Bullets, Heading, Para
    from ouder_tui.inzage import record_lines

    group: Oudergroep = services.get("oudergroep")
    lines = []
    parents = [p for gezin_id in sorted(subject.gezin_ids) for p in services.registry.gezin(gezin_id).ouders]
    for parent in parents:
        attended = group.aanwezigheden(parent.id)
        invited = [s for s in group.sessies() if s.uitnodiging(parent.id)]
        if attended:
            lines.append(f"{parent.naam} was aanwezig op: " + ", ".join(
                f"{format_date(s.datum)} ({s.titel})" for s in attended))
        for session in invited:
            invite = session.uitnodiging(parent.id)
            lines.append(f"{parent.naam} uitgenodigd voor {format_date(session.datum)} ({session.titel}) via "
                         f"{invite.kanaal_tekst} op {format_date(invite.op)}")
        for contact in group.contacten(parent.id):
            lines.append(f"Contact met {parent.naam} op {format_date(contact.datum)} ({contact.hoe_tekst})"
                         + (f": {contact.notitie}" if contact.notitie else "")
                         + (" – niet meer opvolgen" if contact.niet_meer_opvolgen else ""))
    for record in services.store.all(GASTEN):
        if record.get("persoon_id") in subject.persoon_ids:
            lines.append("Ook als gast van de oudergroep genoteerd: " + "; ".join(record_lines(record)))
    return [Heading("Oudergroep"),
            Bullets(tuple(lines)) if lines else Para("Niets over dit gezin in de oudergroep.")]


def _search(services: Services, query: str) -> list[SearchHit]:
    """Sessions by title, place or date."""
    return [SearchHit(f"Oudergroep  ·  {format_date(session.datum)} {session.begin}  ·  {session.titel}  ·  "
                      f"{session.status_tekst}", 0.7 - rank / 100, ("oudergroep_sessie", session.id),
                      "Sessie van de oudergroep openen", order=3)
            for rank, session in enumerate(services.get("oudergroep").zoek(query)[:MAX_HITS])]


def _contacts(services: Services, schooljaar: str) -> list[ReachContact]:
    """Per held session of the school year, each family with the parents who came; and the contacts with
    parents who stayed away (a call or a word at the school gate reaches the family too)."""
    group: Oudergroep = services.get("oudergroep")
    found = []
    for session in group.sessies(schooljaar):
        if not session.gehouden:
            continue
        per_family: dict[int, list[str]] = {}
        for persoon_id in session.aanwezig:
            person = group.persoon(persoon_id)
            if person.gezin_id is not None:
                per_family.setdefault(person.gezin_id, []).append(persoon_id)
        found += [ReachContact(gezin_id, "oudergroep", session.datum, tuple(ids)) for gezin_id, ids in per_family.items()]
    for persoon_id, contacts in group.contacten_per_persoon().items():  # not a read per parent of the school
        person = group.persoon(persoon_id)
        if person.gezin_id is None or not (person.actief or person.gast):
            continue
        found += [ReachContact(person.gezin_id, "oudergroep_contact", c.datum, (person.id,))
                  for c in contacts if c.datum and school_year_of(c.datum) == schooljaar]
    return found


def _export(services: Services, fmt: str, values: dict) -> bytes:
    """``ouder-tui export oudergroep``."""
    from ouder_tui.oudergroep_export import export_oudergroep

    return export_oudergroep(services.get("oudergroep"), fmt, schooljaar=values["schooljaar"])


#: The parent group as an area.
AREA = AreaDescriptor(
    key="oudergroep",
    tables={SESSIES: "sessie", THEMAS: "thema", VERZOEKEN: "verzoek", GASTEN: "gast", CONTACTEN: "contact"},
    models={SESSIES: Sessie, THEMAS: Thema, VERZOEKEN: Verzoek, GASTEN: Gast, CONTACTEN: Contact},
    service=Oudergroep,
    erase=_erase,
    scrub=_scrub,
    in_bin=_in_bin,
    report=_report,
    exports=(ExportSpec("oudergroep", "de oudergroep", ("xlsx", "csv", "json", "ics", "md", "html"), _export,
                        (SCHOOLJAAR_OPTION,)),),
    search=_search,
    contacts=_contacts,
    contact_kinds={"oudergroep": "oudergroep", "oudergroep_contact": "contact vanuit de oudergroep"},
)
