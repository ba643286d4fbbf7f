"""Reach (*bereik*): which families the school had contact with this school year, across every area.

Each area reports its contacts with families through its descriptor (``contacts`` in
:mod:`ouder_tui.areas`); this module puts them side by side per family, lists the families nobody
reached, and counts them per class, per language, per kind of contact and per parent's role (mothers,
fathers and others apart, so a school sees whether fathers come too).

The care coordinator can mark a family for *extra aandacht* (a small network, the first child in
Flemish education, newly arrived ...), with a reason and who set it. Marked families come first in the
lists of families still to reach: the reach view, the families not yet visited, and invitation lists.

Only families with a pupil at school count. Pure logic: no Textual.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

import msgspec

from ouder_tui.areas import (
    SCHOOLJAAR_OPTION,
    AreaDescriptor,
    Contact,
    ErasurePart,
    ExportOption,
    ExportSpec,
    Services,
    Subject,
    contact_kinds,
    contacts,
)
from ouder_tui.collector import paused_gc
from ouder_tui.errors import NotFoundError, ValidationError
from ouder_tui.leerlingen import GEZINNEN, Gezin, Leerling, Registry
from ouder_tui.models import Checker, Record, from_record, record_data, to_record
from ouder_tui.store import Store
from ouder_tui.text import fold, format_date, plural, school_year_of

AANDACHT = "bereik_aandacht"

#: Why a family gets extra attention (key -> Dutch label).
REDENEN = {
    "klein_netwerk": "klein netwerk",
    "eerste_kind": "eerste kind in het Vlaamse onderwijs",
    "nieuwkomer": "pas aangekomen in België",
    "andere_thuistaal": "andere thuistaal",
    "schoolervaring": "moeilijke ervaringen met school",
    "andere": "andere reden",
}

#: How the parents' roles are counted: mothers, fathers, everyone else.
ROLGROEPEN = {"moeders": "moeders", "vaders": "vaders", "anderen": "andere opvoeders"}
_ROLGROEP = {"moeder": "moeders", "vader": "vaders"}

#: What the figures say for a family without a known language.
ONBEKENDE_TAAL = "(taal onbekend)"


def rolgroep(relatie: str) -> str:
    """``moeders``, ``vaders`` or ``anderen`` for a parent's relation to the child."""
    return _ROLGROEP.get(relatie, "anderen")


class ExtraAandacht(Record, kw_only=True, frozen=True):
    """A family marked for extra attention: why, and who marked it when."""

    gezin_id: int = 0
    redenen: tuple[str, ...] = ()
    toelichting: str = ""
    door: str = ""
    op: date | None = None

    @property
    def redenen_tekst(self) -> str:
        """The reasons in words, then the explanation: ``klein netwerk, andere thuistaal (net verhuisd)``."""
        text = ", ".join(REDENEN.get(r, r) for r in self.redenen)
        if self.toelichting:
            text = f"{text} ({self.toelichting})" if text else self.toelichting
        return text

    def checked(self) -> ExtraAandacht:
        check = Checker()
        if not self.gezin_id:
            check.fail("gezin_id", "Kies het gezin.")
        redenen = tuple(dict.fromkeys(r for r in self.redenen if r))
        if any(r not in REDENEN for r in redenen):
            check.fail("redenen", f"Kies uit: {', '.join(REDENEN.values())}.")
        toelichting = check.text("toelichting", self.toelichting, limit=300)
        if not redenen:
            check.fail("redenen", "Kies minstens één reden.")
        elif "andere" in redenen and not toelichting:
            check.fail("toelichting", "Zeg kort welke andere reden.")
        check.done()
        return msgspec.structs.replace(self, redenen=redenen, toelichting=toelichting)


def marks(store: Store) -> dict[int, ExtraAandacht]:
    """Per family id its mark for extra attention (computed once per change of the data)."""
    def build() -> dict[int, ExtraAandacht]:
        found = msgspec.convert(store.all(AANDACHT), list[ExtraAandacht], strict=False)
        return {m.gezin_id: m for m in found}

    return store.derived("bereik_aandacht", build, tables=(AANDACHT,))


T = TypeVar("T")


def marked_first(store: Store, families: Iterable[T], key=lambda g: g.id) -> list[T]:
    """The same families (or rows about families: ``key`` gives the family id), marked ones first,
    otherwise in the order given."""
    marked = marks(store)
    items = list(families)
    return [x for x in items if key(x) in marked] + [x for x in items if key(x) not in marked]


class GezinBereik(msgspec.Struct, frozen=True, gc=False):
    """One family this school year: its children at school, its contacts, and its mark if any.

    A struct, not a frozen dataclass: 30,000 of them at 50,000 pupils are made ten times faster, and the cycle
    collector leaves them alone (``gc=False``; they made every full collection of the app ~40 ms longer)."""

    gezin: Gezin
    kinderen: tuple[Leerling, ...]
    contacten: tuple[Contact, ...]
    aandacht: ExtraAandacht | None = None

    @property
    def bereikt(self) -> bool:
        """Whether some contact reached the family (an invitation alone does not)."""
        return any(c.bereikt for c in self.contacten)

    @property
    def klassen(self) -> list[str]:
        return list(dict.fromkeys(k.klas for k in self.kinderen if k.klas))

    def soorten(self) -> list[str]:
        """The kinds of contact, each once, in the order of the areas."""
        kinds = contact_kinds()
        present = {c.soort for c in self.contacten}
        return [k for k in kinds if k in present] + sorted(present - set(kinds))

    def bereikte_ouders(self) -> set[str]:
        """The parents (person ids) who took part in a contact that reached the family."""
        return self.bereikt_door() or set()

    def bereikt_door(self) -> set[str] | None:
        """``None`` when no contact reached the family (:attr:`bereikt`), else :meth:`bereikte_ouders`: both in
        one pass over the contacts (the dashboard asks it of every family)."""
        people: set[str] | None = None
        for contact in self.contacten:
            if contact.bereikt:
                people = set(contact.persoon_ids) if people is None else people.union(contact.persoon_ids)
        return people


@dataclass(frozen=True)
class Telling:
    """A group in the figures: how many families (or parents) there are, and how many were reached."""

    groep: str
    totaal: int
    bereikt: int

    @property
    def procent(self) -> int:
        return round(100 * self.bereikt / self.totaal) if self.totaal else 0


@dataclass(frozen=True)
class SoortTelling:
    """A kind of contact: how many families had it, and how many times it happened."""

    soort: str
    label: str
    gezinnen: int
    contacten: int


@dataclass(frozen=True)
class Cijfers:
    """The figures of a school year."""

    schooljaar: str
    gezinnen: Telling
    aandacht: Telling
    per_klas: list[Telling] = field(default_factory=list)
    per_taal: list[Telling] = field(default_factory=list)
    per_soort: list[SoortTelling] = field(default_factory=list)
    ouders: list[Telling] = field(default_factory=list)


@dataclass(frozen=True)
class Samenvatting:
    """The reach of a school year in a few figures (the dashboard's panel)."""

    gezinnen: Telling
    niet_bereikt: int
    niet_bereikt_met_aandacht: int
    ouders: list[Telling]


def _tally(counts: dict[str, list[int]], group: str, reached: bool) -> None:
    """One more in ``group`` of ``counts`` (``[total, reached]``)."""
    found = counts.get(group)
    if found is None:
        found = counts[group] = [0, 0]
    found[0] += 1
    found[1] += reached


def _count(name: str, rows: Sequence[GezinBereik]) -> Telling:
    return Telling(name, len(rows), sum(1 for r in rows if r.bereikt))


class Bereik:
    """The reach view: per family this school year's contacts across every area."""

    def __init__(self, store: Store, registry: Registry) -> None:
        self.store = store
        self.registry = registry
        self.services = Services(store, registry)

    def vandaag(self) -> date:
        return self.store.clock().date()

    def schooljaar(self) -> str:
        return school_year_of(self.vandaag())

    # -- per family -------------------------------------------------------------------------------
    def gezinnen(self, schooljaar: str | None = None) -> list[GezinBereik]:
        """Every family with a pupil at school, by name, with its contacts of the school year (oldest first)."""
        year = schooljaar or self.schooljaar()
        return self.store.derived(f"bereik:{year}", lambda: self._in_order(self._rows(year)))

    def _rows(self, year: str) -> dict[int, GezinBereik]:
        """The families of :meth:`gezinnen` by id, in no particular order: the figures need no names in order."""
        return self.store.derived(f"bereik-rijen:{year}", lambda: self._build(year))

    def _build(self, year: str) -> dict[int, GezinBereik]:
        with paused_gc():
            per_family: dict[int, list[Contact]] = {}
            for contact in contacts(self.services, year):
                per_family.setdefault(contact.gezin_id, []).append(contact)
            marked = marks(self.store)
            families = self.registry.gezinnen_op_id()
            rows = {}
            for gezin_id, kids in self.registry.actieve_kinderen_op_gezin().items():
                gezin = families.get(gezin_id)
                if gezin is None:  # a pupil whose family is gone
                    continue
                found = per_family.get(gezin_id, ())
                if len(found) > 1:  # most families have one contact or none: no sort for them
                    found = sorted(found, key=lambda c: (c.datum or date.min, c.soort))
                rows[gezin_id] = GezinBereik(gezin, tuple(kids), tuple(found), marked.get(gezin_id))
            return rows

    def _in_order(self, rows: dict[int, GezinBereik]) -> list[GezinBereik]:
        return [row for gezin in self.registry.gezinnen() if (row := rows.get(gezin.id)) is not None]

    def gezin(self, gezin_id: int, schooljaar: str | None = None) -> GezinBereik:
        """One family's reach; a family without children at school has no contacts counted."""
        found = self._rows(schooljaar or self.schooljaar()).get(gezin_id)
        if found is not None:
            return found
        gezin = self.registry.gezin(gezin_id)
        return GezinBereik(gezin, (), (), marks(self.store).get(gezin_id))

    def filter(self, rows: Iterable[GezinBereik], *, klas: str = "", leerjaar: int | None = None, taal: str = "",
               tolk: bool | None = None, aandacht: bool | None = None) -> list[GezinBereik]:
        """The rows that fit every filter given: a class, a grade, a language (part of its name), whether an
        interpreter is needed, whether the family is marked for extra attention."""
        wanted_class = fold(klas.strip())
        wanted_language = fold(taal.strip())
        found = []
        for row in rows:
            if wanted_class and not any(fold(k.klas) == wanted_class for k in row.kinderen):
                continue
            if leerjaar is not None and not any(k.leerjaar == leerjaar for k in row.kinderen):
                continue
            if wanted_language and not any(wanted_language in fold(t) for t in row.gezin.talen()):
                continue
            if tolk is not None and bool(row.gezin.tolk_talen()) != tolk:
                continue
            if aandacht is not None and (row.aandacht is not None) != aandacht:
                continue
            found.append(row)
        return found

    def niet_bereikt(self, schooljaar: str | None = None, **filters) -> list[GezinBereik]:
        """The families nobody reached this school year, marked families first (see :meth:`filter`)."""
        rows = [r for r in self.gezinnen(schooljaar) if not r.bereikt]
        return marked_first(self.store, self.filter(rows, **filters), key=lambda r: r.gezin.id)

    # -- figures ----------------------------------------------------------------------------------
    def cijfers(self, schooljaar: str | None = None) -> Cijfers:
        """Families reached per class, per language and in total; each kind of contact; parents per role."""
        year = schooljaar or self.schooljaar()
        return self.store.derived(f"bereik-cijfers:{year}", lambda: self._cijfers(year))  # with gezinnen(year)

    def samenvatting(self, schooljaar: str | None = None) -> Samenvatting:
        """The few figures the dashboard shows: families reached, families nobody reached (and how many of those
        are marked), parents reached per role. Without the tallies per class, language and kind of contact that
        :meth:`cijfers` makes for the reach screen (most of its time at 50,000 pupils)."""
        year = schooljaar or self.schooljaar()
        return self.store.derived(f"bereik-samenvatting:{year}", lambda: self._samenvatting(year))

    def _samenvatting(self, year: str) -> Samenvatting:
        # The parents counted in line, not rolgroep and _tally per parent: 53,000 parents at 50,000 pupils.
        rows = self._rows(year).values()
        reached = 0
        marked_missing = 0
        total = dict.fromkeys(ROLGROEPEN, 0)
        found = dict.fromkeys(ROLGROEPEN, 0)
        for row in rows:
            people = row.bereikt_door()
            if people is not None:
                reached += 1
            elif row.aandacht is not None:
                marked_missing += 1
            for ouder in row.gezin.ouders:
                group = _ROLGROEP.get(ouder.relatie, "anderen")  # (rolgroep)
                total[group] += 1
                if people is not None and ouder.id in people:
                    found[group] += 1
        return Samenvatting(gezinnen=Telling("alle gezinnen", len(rows), reached),
                            niet_bereikt=len(rows) - reached, niet_bereikt_met_aandacht=marked_missing,
                            ouders=[Telling(ROLGROEPEN[g], total[g], found[g]) for g in ROLGROEPEN])

    def _cijfers(self, year: str) -> Cijfers:
        summary = self.samenvatting(year)  # the families and the parents reached: counted there
        rows = list(self._rows(year).values())  # every tally below is sorted on its own
        per_class: dict[str, list[int]] = {}
        per_language: dict[str, list[int]] = {}
        kinds = contact_kinds()
        families_per_kind: Counter[str] = Counter()
        contacts_per_kind: Counter[str] = Counter()
        for row in rows:
            hit = row.bereikt
            for klas in row.klassen or ["(geen klas)"]:
                _tally(per_class, klas, hit)
            for taal in row.gezin.talen() or [ONBEKENDE_TAAL]:
                _tally(per_language, taal, hit)
            if row.contacten:
                families_per_kind.update({c.soort for c in row.contacten})
                contacts_per_kind.update(c.soort for c in row.contacten)
        languages = sorted(per_language.items(), key=lambda item: (item[0] == ONBEKENDE_TAAL, -item[1][0], fold(item[0])))
        return Cijfers(
            schooljaar=year,
            gezinnen=summary.gezinnen,
            aandacht=_count("gezinnen met extra aandacht", [r for r in rows if r.aandacht is not None]),
            per_klas=[Telling(klas, *found) for klas, found in sorted(per_class.items())],
            per_taal=[Telling(taal, *found) for taal, found in languages],
            per_soort=[SoortTelling(k, label, families_per_kind[k], contacts_per_kind[k]) for k, label in kinds.items()],
            ouders=summary.ouders,
        )

    # -- extra attention --------------------------------------------------------------------------
    def aandacht(self, gezin_id: int) -> ExtraAandacht | None:
        return marks(self.store).get(gezin_id)

    def markeer(self, mark: ExtraAandacht, *, overwrite: bool = False) -> ExtraAandacht:
        """Mark a family (or change its mark), stamped with who did it and when."""
        mark = msgspec.structs.replace(mark, door=self.store.user, op=self.vandaag()).checked()
        if self.store.get(GEZINNEN, mark.gezin_id) is None:
            raise ValidationError({"gezin_id": "Dit gezin bestaat niet (meer)."})
        with self.store.transaction():
            current = self.aandacht(mark.gezin_id)
            if mark.id == 0 and current is not None:  # one mark per family: a second one changes the first
                mark = msgspec.structs.replace(mark, id=current.id, rev=current.rev)
            if mark.id:
                record = self.store.update(AANDACHT, mark.id, record_data(mark),
                                           expected_rev=None if overwrite else mark.rev)
            else:
                record = self.store.insert(AANDACHT, record_data(mark))
        return from_record(ExtraAandacht, record)

    def wis_markering(self, gezin_id: int) -> int:
        """Take the mark off a family (it goes to the recycle bin); returns the bin entry."""
        mark = self.aandacht(gezin_id)
        if mark is None:
            raise NotFoundError("Dit gezin heeft geen markering voor extra aandacht.")
        naam = self.registry.gezin(gezin_id).naam if self.store.get(GEZINNEN, gezin_id) else ""
        return self.store.delete(AANDACHT, mark.id, label=f"Extra aandacht voor gezin {naam}", expected_rev=mark.rev)


def contact_line(contact: Contact, labels: dict[str, str] | None = None) -> str:
    """``12/10/2026  huisbezoek`` for a card or a report."""
    labels = labels if labels is not None else contact_kinds()
    label = labels.get(contact.soort, contact.soort)
    return f"{format_date(contact.datum) or '(geen datum)':<10}  {label}"


# -- the area -------------------------------------------------------------------------------------
def _erase(store: Store, subject: Subject) -> ErasurePart:
    """A family's mark goes with the family."""
    found = [r["id"] for r in store.all(AANDACHT) if r.get("gezin_id") in subject.gezin_ids]
    return ErasurePart(records=[(AANDACHT, i) for i in found],
                       family_lines=["de markering voor extra aandacht"] if found else [])


def _in_bin(entry: dict, subject: Subject) -> bool:
    return entry.get("record", {}).get("gezin_id") in subject.gezin_ids


def _report(services: Services, subject: Subject) -> list:
    """The mark, with its reasons and who set it."""
    from ouder_tui.exporters import Bullets, Heading, Para
    from ouder_tui.inzage import record_lines, stamp

    found = [r for r in services.store.all(AANDACHT) if r.get("gezin_id") in subject.gezin_ids]
    if not found:
        return [Heading("Extra aandacht"), Para("Dit gezin is niet gemarkeerd voor extra aandacht.")]
    blocks: list = [Heading("Extra aandacht")]
    for record in found:
        mark = from_record(ExtraAandacht, record)
        blocks.append(Bullets((f"Reden: {mark.redenen_tekst}", f"Gemarkeerd door {mark.door} op {format_date(mark.op)}",
                               *record_lines({k: v for k, v in to_record(mark).items() if k == "toelichting"}),
                               stamp(record))))
    return blocks


def _export(services: Services, fmt: str, values: dict) -> bytes:
    """``ouder-tui export bereik``."""
    from ouder_tui.bereik_export import export_bereik

    return export_bereik(services.get("bereik"), fmt, schooljaar=values["schooljaar"], namen=values["namen"])


NAMEN_OPTION = ExportOption("--namen", "{exports}: ook de namen van de gezinnen (anders alleen cijfers)")

#: Reach as an area: the marks for extra attention, and the export of the figures.
AREA = AreaDescriptor(
    key="bereik",
    tables={AANDACHT: "markering extra aandacht"},
    models={AANDACHT: ExtraAandacht},
    service=Bereik,
    erase=_erase,
    in_bin=_in_bin,
    report=_report,
    exports=(ExportSpec("bereik", "het bereik", ("xlsx", "csv", "json", "md", "html"), _export,
                        (SCHOOLJAAR_OPTION, NAMEN_OPTION)),),
)

__all__ = ["AANDACHT", "AREA", "Bereik", "Cijfers", "ExtraAandacht", "GezinBereik", "REDENEN", "ROLGROEPEN",
           "SoortTelling", "Telling", "contact_line", "marked_first", "marks", "rolgroep"]
