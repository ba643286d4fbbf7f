"""Erasure and retention: take a family (or a pupil who left long ago) out of the database for good.

An erasure removes the records everywhere: the family, its parents and children, their home
visits, start-of-year conversations, the parents' attendance, invitations and contacts in the
parent group, whatever of theirs sits in the recycle bin, and their lines in the log. The log
keeps one line saying that an erasure happened, by whom and when. Backups made before the
erasure still hold the data until they rotate out; backups made after it do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import msgspec

from ouder_tui.huisbezoek import HUISBEZOEKEN
from ouder_tui.leerlingen import GEZINNEN, LEERLINGEN, Leerling, Registry
from ouder_tui.models import from_record, record_data
from ouder_tui.oudergroep import CONTACTEN, SESSIES, Sessie
from ouder_tui.settings import load_settings
from ouder_tui.startgesprek import STARTGESPREKKEN
from ouder_tui.text import plural, school_year_of


@dataclass
class Wisplan:
    """What an erasure will take: the records, the recycle-bin entries, and a readable list."""

    titel: str
    records: list[tuple[str, int]] = field(default_factory=list)
    bin_ids: list[int] = field(default_factory=list)
    personen: set[str] = field(default_factory=set)
    regels: list[str] = field(default_factory=list)


def _plan(registry: Registry, *, gezin_id: int | None, leerling_ids: set[int], titel: str) -> Wisplan:
    store = registry.store
    plan = Wisplan(titel)
    pupils = [from_record(Leerling, r) for r in store.all(LEERLINGEN) if r["id"] in leerling_ids]
    plan.records += [(LEERLINGEN, p.id) for p in pupils]
    if pupils:
        plan.regels.append(f"{plural(len(pupils), 'leerling', 'leerlingen')}: {', '.join(p.naam for p in pupils)}")
    talks = [r["id"] for r in store.all(STARTGESPREKKEN) if r.get("leerling_id") in leerling_ids]
    plan.records += [(STARTGESPREKKEN, t) for t in talks]
    if talks:
        plan.regels.append(plural(len(talks), "startgesprek of omgekeerd oudergesprek",
                                  "startgesprekken en omgekeerde oudergesprekken"))
    if gezin_id is not None:
        family = store.get(GEZINNEN, gezin_id)
        if family is not None:
            plan.records.append((GEZINNEN, gezin_id))
            parents = family.get("ouders", [])
            plan.personen = {p.get("id", "") for p in parents if p.get("id")}
            plan.regels.insert(0, f"het gezin {family.get('naam', '')} met "
                                  f"{plural(len(parents), 'ouder', 'ouders')}")
        visits = [r["id"] for r in store.all(HUISBEZOEKEN) if r.get("gezin_id") == gezin_id]
        plan.records += [(HUISBEZOEKEN, v) for v in visits]
        if visits:
            plan.regels.append(plural(len(visits), "huisbezoek", "huisbezoeken"))
        contacts = [r["id"] for r in store.all(CONTACTEN) if r.get("persoon_id") in plan.personen]
        plan.records += [(CONTACTEN, c) for c in contacts]
        sessions = [r for r in store.all(SESSIES) if plan.personen & {*r.get("aanwezig", ()),
                                                                       *(u.get("persoon_id") for u in
                                                                         r.get("uitnodigingen", ()))}]
        if sessions or contacts:
            plan.regels.append(f"oudergroep: aanwezigheden of uitnodigingen in {plural(len(sessions), 'sessie', 'sessies')}"
                               f", {plural(len(contacts), 'contact', 'contacten')}")
    for entry in store.recycle_bin():
        record, table = entry.get("record", {}), entry.get("table")
        if (table == GEZINNEN and entry.get("record_id") == gezin_id and gezin_id is not None) \
                or (table == LEERLINGEN and (entry.get("record_id") in leerling_ids
                                             or (gezin_id is not None and record.get("gezin_id") == gezin_id))) \
                or (table == HUISBEZOEKEN and gezin_id is not None and record.get("gezin_id") == gezin_id) \
                or (table == STARTGESPREKKEN and record.get("leerling_id") in leerling_ids) \
                or (table == CONTACTEN and record.get("persoon_id") in plan.personen):
            plan.bin_ids.append(entry["id"])
    if plan.bin_ids:
        plan.regels.append(f"{plural(len(plan.bin_ids), 'item', 'items')} in de prullenbak")
    plan.regels.append("hun regels in het logboek (er komt één regel bij: dat er gewist werd, niet wat)")
    return plan


def wisplan_gezin(registry: Registry, gezin_id: int) -> Wisplan:
    """Everything that erasing family ``gezin_id`` takes, also its children that left or sit in the bin."""
    gezin = registry.gezin(gezin_id)  # NotFoundError in Dutch when it does not exist
    store = registry.store
    kids = {r["id"] for r in store.all(LEERLINGEN) if r.get("gezin_id") == gezin_id}
    kids |= {e.get("record_id") for e in store.recycle_bin(LEERLINGEN) if e.get("record", {}).get("gezin_id") == gezin_id}
    return _plan(registry, gezin_id=gezin_id, leerling_ids=kids, titel=f"gezin {gezin.naam}")


def wis(registry: Registry, plan: Wisplan) -> int:
    """Carry out an erasure plan in one save; returns how many records and bin entries went."""
    store = registry.store
    with store.transaction():
        if plan.personen:  # the parents' ticks and invitations leave the sessions they were in
            changes = []
            for record in store.all(SESSIES):
                session = from_record(Sessie, record)
                kept = msgspec.structs.replace(
                    session, aanwezig=tuple(p for p in session.aanwezig if p not in plan.personen),
                    uitnodigingen=tuple(u for u in session.uitnodigingen if u.persoon_id not in plan.personen))
                if kept != session:
                    changes.append((session.id, record_data(kept), None))
            store.update_many(SESSIES, changes)
        return store.wis(plan.records, plan.bin_ids)


# -- retention --------------------------------------------------------------------------------------
@dataclass
class Vervallen:
    """A pupil who left longer ago than the school keeps data, with what their erasure takes."""

    leerling: Leerling
    plan: Wisplan


def vervallen(registry: Registry) -> list[Vervallen]:
    """Pupils marked as left more than the retention period (school years) ago. When none of a
    family's children is still at school or within the period, the family goes with them."""
    store = registry.store
    keep_years = load_settings(store).bewaartermijn_schooljaren
    this_year = int(school_year_of(store.clock().date())[:4])

    def expired(p: Leerling) -> bool:
        left = p.vertrokken_op
        if left is None and p.schooljaar:  # no date: the end of the last school year they were in
            left = date(int(p.schooljaar[:4]) + 1, 6, 30)
        return (not p.actief) and left is not None and this_year - int(school_year_of(left)[:4]) > keep_years

    pupils = registry.leerlingen(ook_vertrokken=True)
    gone = [p for p in pupils if expired(p)]
    found = []
    for pupil in gone:
        siblings = [k for k in registry.kinderen(pupil.gezin_id) if k.id != pupil.id] if pupil.gezin_id else []
        family_goes = pupil.gezin_id is not None and all(expired(k) for k in siblings)
        if family_goes:
            plan = wisplan_gezin(registry, pupil.gezin_id)  # type: ignore[arg-type]
        else:
            plan = _plan(registry, gezin_id=None, leerling_ids={pupil.id}, titel=f"leerling {pupil.naam}")
        found.append(Vervallen(pupil, plan))
    return found


def wis_vervallen(registry: Registry, items: list[Vervallen]) -> int:
    """Erase the listed pupils (and the families that go with them) in one save."""
    merged = Wisplan("bewaartermijn")
    for item in items:
        merged.records += [r for r in item.plan.records if r not in merged.records]
        merged.bin_ids += [b for b in item.plan.bin_ids if b not in merged.bin_ids]
        merged.personen |= item.plan.personen
    return wis(registry, merged) if merged.records or merged.bin_ids else 0
