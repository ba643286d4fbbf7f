"""Planning, step two: which rows are one family, and what each family looks like afterwards.

Rows share a family through a parent's full name, a phone number, an e-mail address or the
stored family of an existing pupil; a shared address joins them only when their named parents
do not contradict it. :class:`_FamilyState` merges the parents of a family in place, so a
stored parent keeps its ``id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from ouder_tui.importers.rows import _Person, _Planner, _Row
from ouder_tui.importers.values import _address_key, _is_dutch, _name_key, _phone_key
from ouder_tui.leerlingen import Adres, Gezin, Ouder, new_person_id
from ouder_tui.models import MAX_NAME
from ouder_tui.text import fold


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i


def _contradicts(a: set[str], b: set[str]) -> bool:
    """Two groups with named parents, none in common: an address alone does not make them one family."""
    return bool(a) and bool(b) and not (a & b)


def _row_keys(row: _Row) -> list[tuple[str, Any]]:
    keys: list[tuple[str, Any]] = [("naam", p.key) for p in row.persons if p.strong]
    phones = [p.telefoon for p in row.persons if p.telefoon] + row.phones
    keys += [("tel", k) for k in map(_phone_key, phones) if k]
    keys += [("mail", e.lower()) for e in [p.email for p in row.persons] + [row.email] if e]
    if row.existing is not None and row.existing.gezin_id is not None:
        keys.append(("gezin", row.existing.gezin_id))
    if row.gezinsnummer:
        keys.append(("bestand", row.gezinsnummer))
    return keys


def _ouder_strong_key(ouder: Ouder, gezin: Gezin) -> str | None:
    key = _name_key(ouder.voornaam, ouder.familienaam)
    if ouder.voornaam or (len(key.split()) >= 2 and key not in _name_key(gezin.naam)):
        return key
    return None


class _FamilyState:
    """A family as the import leaves it: an existing one (``before``) or a new one."""

    def __init__(self, before: Gezin | None) -> None:
        self.before = before
        self.ouders: list[Ouder] = list(before.ouders) if before else []
        self.keys: list[str] = []  # name keys of ``ouders`` (names never change during an import)
        self.adres: Adres | None = None
        self.names: list[str] = []  # children's family names, for a new family's name
        self.label = ""  # the family's name as the file gives it (an export of ouder-tui)
        #: A phone number or e-mail address of the family as a whole found no parent without one.
        self.lost_contact = False

    def find(self, person: _Person) -> int | None:
        if person.named:
            key = person.key
            if len(self.keys) != len(self.ouders):
                self.keys = [_name_key(o.voornaam, o.familienaam) for o in self.ouders]
            same = [i for i, k in enumerate(self.keys) if k == key]
            exact = [i for i in same if self.ouders[i].relatie == person.relatie]
            if exact or len(same) == 1:
                return (exact or same)[0]
            return None
        same_role = [i for i, o in enumerate(self.ouders) if o.relatie == person.relatie]
        if len(same_role) == 1:
            return same_role[0]
        phone, mail = _phone_key(person.telefoon), person.email.lower()
        for i in same_role:
            o = self.ouders[i]
            if (phone and _phone_key(o.telefoon) == phone) or (mail and o.email.lower() == mail):
                return i
        return None

    def merge(self, person: _Person, child_name: str) -> int:
        """Add or update the parent ``person`` describes; returns the parent's index."""
        index = self.find(person)
        if index is None:
            tolk = bool(person.tolk)
            self.ouders.append(Ouder(
                id=new_person_id(), relatie=person.relatie, voornaam=person.voornaam,
                familienaam=person.familienaam if person.named else child_name,
                talen=person.talen, tolk_nodig=tolk, tolk_taal=_tolk_taal(tolk, person.tolk_taal, person.talen),
                telefoon=person.telefoon, email=person.email, adres=person.adres or Adres(),
            ))
            return len(self.ouders) - 1
        ouder = self.ouders[index]
        talen = tuple(dict.fromkeys((*ouder.talen, *(t for t in person.talen
                                                     if fold(t) not in {fold(x) for x in ouder.talen}))))
        changes: dict[str, Any] = {"talen": talen}
        if ouder.relatie == "ouder" and person.relatie != "ouder":
            changes["relatie"] = person.relatie
        if person.telefoon and _phone_key(person.telefoon) != _phone_key(ouder.telefoon):
            changes["telefoon"] = person.telefoon
        if person.email and person.email.lower() != ouder.email.lower():
            changes["email"] = person.email
        if person.adres and person.adres != ouder.adres:
            changes["adres"] = person.adres
        if person.tolk is not None:
            changes["tolk_nodig"] = person.tolk
            changes["tolk_taal"] = _tolk_taal(person.tolk, person.tolk_taal or ouder.tolk_taal, talen)
        self.ouders[index] = msgspec.structs.replace(ouder, **changes)
        return index

    def family_values(self, row: _Row, explicit: set[int]) -> None:
        """Values the file gives for the family as a whole go to its parents.

        The home language goes to parents without a language, the interpreter answer
        to every parent without an own answer in this row (``explicit``), a phone
        number or e-mail address to the first parent without one; a family without
        parents gets one contact person named after the child's family name.
        """
        if not self.ouders and (row.phones or row.email or row.talen or row.tolk):
            tolk = bool(row.tolk)
            self.ouders.append(Ouder(
                id=new_person_id(), relatie="ouder", familienaam=row.leerling.familienaam, talen=row.talen,
                tolk_nodig=tolk, tolk_taal=_tolk_taal(tolk, row.tolk_taal, row.talen),
                telefoon=row.phones[0] if row.phones else "", email=row.email,
            ))
            phones = row.phones[1:]
        else:
            phones = row.phones
        for i, ouder in enumerate(self.ouders):
            changes: dict[str, Any] = {}
            if row.talen and not ouder.talen:
                changes["talen"] = row.talen
            if row.tolk is not None and i not in explicit and ouder.tolk_nodig != row.tolk:
                changes["tolk_nodig"] = row.tolk
                changes["tolk_taal"] = _tolk_taal(row.tolk, row.tolk_taal or ouder.tolk_taal,
                                                  changes.get("talen", ouder.talen))
            if changes:
                self.ouders[i] = msgspec.structs.replace(ouder, **changes)
        for number in phones:
            if any(_phone_key(o.telefoon) == _phone_key(number) for o in self.ouders):
                continue
            free = [i for i, o in enumerate(self.ouders) if not o.telefoon]
            if free:
                self.ouders[free[0]] = msgspec.structs.replace(self.ouders[free[0]], telefoon=number)
            else:
                self.lost_contact = True
        if row.email and not any(o.email.lower() == row.email.lower() for o in self.ouders):
            free = [i for i, o in enumerate(self.ouders) if not o.email]
            if free:
                self.ouders[free[0]] = msgspec.structs.replace(self.ouders[free[0]], email=row.email)
            else:
                self.lost_contact = True


def _tolk_taal(needed: bool, given: str, talen: Sequence[str]) -> str:
    if not needed:
        return ""
    return given or next((t for t in talen if not _is_dutch(t)), "")


def _family_name(names: list[str]) -> str:
    distinct = list({fold(n): n for n in reversed(names)}.values())[::-1]
    return " / ".join(distinct[:3])[:MAX_NAME]


def _group(planner: _Planner, rows: list[_Row]) -> dict[int, tuple[str, int]]:
    """Which family every row's pupil belongs to: ``("old", gezin_id)`` or ``("new", index)``."""
    uf = _UnionFind(len(rows))
    names: dict[int, set[str]] = {i: {p.key for p in r.persons if p.strong} for i, r in enumerate(rows)}

    def union(a: int, b: int, *, weak: bool = False) -> None:
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb or (weak and _contradicts(names[ra], names[rb])):
            return
        uf.parent[rb] = ra
        names[ra] |= names.pop(rb)

    first: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        for key in _row_keys(row):
            union(first.setdefault(key, i), i)
    first_address: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        if (key := _address_key(row.adres)) is not None:
            union(first_address.setdefault(key, i), i, weak=True)

    strong_index: dict[tuple, int] = {}
    address_index: dict[tuple, int] = {}
    family_names: dict[int, set[str]] = {}
    for gezin in planner.families.values():
        keys = {k for o in gezin.ouders if (k := _ouder_strong_key(o, gezin))}
        family_names[gezin.id] = keys
        for key in keys:
            strong_index.setdefault(("naam", key), gezin.id)
        for o in gezin.ouders:
            if k := _phone_key(o.telefoon):
                strong_index.setdefault(("tel", k), gezin.id)
            if o.email:
                strong_index.setdefault(("mail", o.email.lower()), gezin.id)
        if (key := _address_key(gezin.adres)) is not None:
            address_index.setdefault(key, gezin.id)

    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(uf.find(i), []).append(i)
    targets: dict[int, tuple[str, int]] = {}
    new_count = 0
    for root, members in groups.items():
        target: tuple[str, int] | None = None
        for i in members:
            existing = rows[i].existing
            if existing is not None and existing.gezin_id in planner.families:
                target = ("old", existing.gezin_id)
                break
        if target is None:
            hit = next((strong_index[k] for i in members for k in _row_keys(rows[i]) if k in strong_index), None)
            if hit is None:
                hit = next((gid for i in members if (k := _address_key(rows[i].adres)) is not None
                            and (gid := address_index.get(k)) is not None
                            and not _contradicts(names[root], family_names[gid])), None)
            if hit is not None:
                target = ("old", hit)
        if target is None:
            target = ("new", new_count)
            new_count += 1
        for i in members:
            existing = rows[i].existing
            own = existing is not None and existing.gezin_id in planner.families
            targets[i] = ("old", existing.gezin_id) if own else target  # type: ignore[union-attr]
    return targets
