"""Erasure and retention: take a family (or a pupil who left long ago) out of the database for good.

An erasure removes the records everywhere: the family, its parents and children, their home
visits, start-of-year conversations, the parents' attendance, invitations, contacts and guest
records in the parent group, whatever of theirs sits in the recycle bin, and their lines in the
log. Each area says what it takes (its descriptor's ``erase``, ``scrub`` and ``in_bin``, see
``ouder_tui/areas.py``); this module asks them all. The log keeps one line saying that an erasure
happened, by whom and when. Backups made before the erasure still hold the data until they rotate
out; backups made after it do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ouder_tui.areas import AreaDescriptor, Subject, all_areas, in_bin
from ouder_tui.leerlingen import GEZINNEN, LEERLINGEN, Leerling, Registry
from ouder_tui.migrations import META_TABLE
from ouder_tui.settings import load_settings
from ouder_tui.store import LOG, RECYCLE_BIN, SETTINGS, USERS
from ouder_tui.text import plural, school_year_of

#: The store's own tables. None holds anything of a family: the log names tables, numbers and the
#: staff member, never content; the bin's entries belong to the area of the table they came from.
AREA = AreaDescriptor(
    key="beheer",
    tables={SETTINGS: "instellingen", USERS: "gebruiker", RECYCLE_BIN: "prullenbak", LOG: "logboek",
            META_TABLE: "metagegevens"},
)


@dataclass
class Wisplan:
    """What an erasure will take: the records, the recycle-bin entries, and a readable list.

    ``records`` holds the records in their tables and those in the bin (so their lines in the log go
    too); ``gezinnen``, ``leerlingen`` and ``personen`` are whom it is about, for the changes in place.
    """

    titel: str
    records: list[tuple[str, int]] = field(default_factory=list)
    bin_ids: list[int] = field(default_factory=list)
    personen: set[str] = field(default_factory=set)
    regels: list[str] = field(default_factory=list)
    gezinnen: set[int] = field(default_factory=set)
    leerlingen: set[int] = field(default_factory=set)

    @property
    def subject(self) -> Subject:
        """Whom the plan is about, for the areas."""
        return Subject(frozenset(self.gezinnen), frozenset(self.leerlingen), frozenset(self.personen))


def gezin_subject(registry: Registry, gezin_id: int) -> Subject:
    """A family with its children (also those who left or sit in the bin) and its parents' person ids."""
    store = registry.store
    kids = {r["id"] for r in store.all(LEERLINGEN) if r.get("gezin_id") == gezin_id}
    kids |= {e.get("record_id") for e in store.recycle_bin(LEERLINGEN)
             if e.get("record", {}).get("gezin_id") == gezin_id}
    family = store.get(GEZINNEN, gezin_id) or {}
    parents = {p.get("id", "") for p in family.get("ouders", []) if p.get("id")}
    return Subject(frozenset({gezin_id}), frozenset(kids), frozenset(parents))


def _plan(registry: Registry, subject: Subject, *, titel: str) -> Wisplan:
    """Ask every area what erasing ``subject`` takes, and which bin entries belong to it."""
    store = registry.store
    plan = Wisplan(titel, personen=set(subject.persoon_ids), gezinnen=set(subject.gezin_ids),
                   leerlingen=set(subject.leerling_ids))
    heading, pupil_lines, family_lines = [], [], []
    for area in all_areas():
        if area.erase is not None:
            part = area.erase(store, subject)
            plan.records += part.records
            heading += part.heading
            pupil_lines += part.pupil_lines
            family_lines += part.family_lines
    plan.regels = [*heading, *pupil_lines, *family_lines]
    for entry in store.recycle_bin():
        if in_bin(entry, subject):
            plan.bin_ids.append(entry["id"])
            plan.records.append((entry["table"], entry["record_id"]))
    if plan.bin_ids:
        plan.regels.append(f"{plural(len(plan.bin_ids), 'item', 'items')} in de prullenbak")
    plan.regels.append("hun regels in het logboek (er komt één regel bij: dat er gewist werd, niet wat)")
    return plan


def wisplan_gezin(registry: Registry, gezin_id: int) -> Wisplan:
    """Everything that erasing family ``gezin_id`` takes, also its children that left or sit in the bin."""
    gezin = registry.gezin(gezin_id)  # NotFoundError in Dutch when it does not exist
    return _plan(registry, gezin_subject(registry, gezin_id), titel=f"gezin {gezin.naam}")


def wis(registry: Registry, plan: Wisplan) -> int:
    """Carry out an erasure plan in one save; returns how many records and bin entries went."""
    store = registry.store
    subject = plan.subject
    with store.transaction():
        for area in all_areas():  # what stays forgets them: a session, the parents' ticks and invitations
            if area.scrub is not None:
                area.scrub(store, subject)
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
            plan = _plan(registry, Subject(leerling_ids=frozenset({pupil.id})), titel=f"leerling {pupil.naam}")
        found.append(Vervallen(pupil, plan))
    return found


def wis_vervallen(registry: Registry, items: list[Vervallen]) -> int:
    """Erase the listed pupils (and the families that go with them) in one save."""
    merged = Wisplan("bewaartermijn")
    for item in items:
        merged.records += [r for r in item.plan.records if r not in merged.records]
        merged.bin_ids += [b for b in item.plan.bin_ids if b not in merged.bin_ids]
        merged.personen |= item.plan.personen
        merged.gezinnen |= item.plan.gezinnen
        merged.leerlingen |= item.plan.leerlingen
    return wis(registry, merged) if merged.records or merged.bin_ids else 0
