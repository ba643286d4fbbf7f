"""The areas of the core, each declared once: what an area is, in plain data and functions.

An area (the registry, home visits, start-of-year conversations, the parent group, the
information evening, and the store's own tables) declares one :class:`AreaDescriptor` next to its
models: the tables it owns with their Dutch labels, its service, what erasing a family or a pupil
removes and changes, its part of a parent's inspection report, which recycle-bin entries belong to
a family, its exports, its hits in the palette and its contacts with families for the reach view
(*bereik*). The App, the command line, the palette, the erasure, the retention list, the inspection
report, the recycle bin and the reach view loop over :func:`all_areas` instead of naming areas.

This module is light on purpose (no store, no Textual). The area modules are imported only when
:func:`all_areas` is first called, so the command line loads them only for the commands that need
them (``export``), never for ``--version``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from ouder_tui.exporters import Block
    from ouder_tui.leerlingen import Registry
    from ouder_tui.store import Store


@dataclass(frozen=True)
class Subject:
    """Whom an erasure or an inspection report is about: families, pupils and parents (by person id).

    A family's subject holds its children (also those who left or sit in the recycle bin) and the
    person ids of its parents; a pupil erased alone after the retention period has no family here.
    """

    gezin_ids: frozenset[int] = frozenset()
    leerling_ids: frozenset[int] = frozenset()
    persoon_ids: frozenset[str] = frozenset()


@dataclass
class ErasurePart:
    """One area's part of an erasure plan: the records it takes, and what the plan says about them.

    The plan's summary reads: first the ``heading`` lines (the family itself), then every area's
    ``pupil_lines`` (what is about the children), then every area's ``family_lines`` (what is about
    the family and its parents).
    """

    records: list[tuple[str, int]] = field(default_factory=list)
    heading: list[str] = field(default_factory=list)
    pupil_lines: list[str] = field(default_factory=list)
    family_lines: list[str] = field(default_factory=list)


#: The most hits one search of one area gives the palette.
MAX_HITS = 12


@dataclass(frozen=True)
class SearchHit:
    """A hit of the palette, as plain data: the interface draws ``text`` and opens ``target``.

    ``target`` is ``(kind, value)``: the App opens it with its method ``open_<kind>(value)``
    (``("huisbezoek", 12)`` opens home visit 12). ``help`` is our own fixed Dutch words only.
    The palette shows the highest ``score`` first; among equal scores the lower ``order`` first:
    0 classes and pupils, 1 home visits, 2 conversations, 3 sessions, 4 families (a new area
    picks its place).
    """

    text: str
    score: float
    target: tuple[str, Any]
    help: str
    order: int = 0


@dataclass(frozen=True)
class ExportOption:
    """An option of ``ouder-tui export`` that only some exports accept.

    ``help`` holds ``{exports}``, filled with the exports that accept it ("huisbezoeken: vanaf ...").
    Without ``metavar`` it is a switch. ``type`` converts while the command line is read (a wrong
    value is a wrong call, by argparse); ``parse`` converts afterwards and its ``ValueError`` is
    shown as ``--optie: message.``. Two exports that accept the same flag share one object.
    """

    flag: str
    help: str
    metavar: str | None = None
    type: Callable[[str], Any] | None = None
    parse: Callable[[str], Any] | None = None

    @property
    def dest(self) -> str:
        """The attribute argparse stores it under (``--van`` → ``van``)."""
        return self.flag.lstrip("-").replace("-", "_")


def _school_year(text: str) -> str:
    """``--schooljaar`` read as ``2026-2027`` (the text module loaded only when used)."""
    from ouder_tui.text import parse_school_year

    return parse_school_year(text)


#: ``--schooljaar``, shared by the exports of a school year.
SCHOOLJAAR_OPTION = ExportOption("--schooljaar", "{exports}: schooljaar (anders het huidige)", metavar="JJJJ-JJJJ",
                                 parse=_school_year)

#: ``produce(services, format, values)``: the export's bytes; ``values`` per option ``dest``.
Producer = Callable[["Services", str, dict[str, Any]], bytes]
#: ``check(values, given)``: a Dutch message when the options do not fit together (a wrong call).
OptionCheck = Callable[[dict[str, Any], dict[str, Any]], "str | None"]


@dataclass(frozen=True)
class ExportSpec:
    """One export of an area: its name on the command line, its formats and how it is made."""

    name: str
    #: In a Dutch sentence listing the exports ("de oudergroep").
    label: str
    formats: tuple[str, ...]
    produce: Producer
    options: tuple[ExportOption, ...] = ()
    check: OptionCheck | None = None


@dataclass(frozen=True)
class Confidential:
    """Which fields of a table's records are confidential when the record's ``flag`` is true.

    A server keeps them where only the care role can read them; elsewhere a reader without that
    right gets :data:`HIDDEN` for every such field that holds text. ``items`` names, per list field,
    the key of each item that is confidential (an action's text, not its due date).
    """

    flag: str
    fields: tuple[str, ...]
    items: Mapping[str, str] = field(default_factory=dict)


#: What a reader without the right to confidential notes sees in their place.
HIDDEN = "(vertrouwelijk)"

class Contact(msgspec.Struct, frozen=True, gc=False):
    """One contact of the school with a family, as plain data for the reach view (*bereik*).

    ``soort`` is a key of the area's ``contact_kinds``. ``persoon_ids`` names the parents who took
    part, when the area knows (empty: the family as a whole, e.g. a home visit). ``bereikt`` is false
    for what only went out to the family (an invitation): shown, but no proof the family was reached.

    Plain data the cycle collector leaves alone (``gc=False``): a reach at 50,000 pupils holds thousands.
    """

    gezin_id: int
    soort: str
    datum: date | None = None
    persoon_ids: tuple[str, ...] = ()
    bereikt: bool = True
    leerling_id: int | None = None


ServiceFactory = Callable[["Store", "Registry"], Any]
EraseFn = Callable[["Store", Subject], ErasurePart]
ScrubFn = Callable[["Store", Subject], None]
BinPredicate = Callable[[dict[str, Any], Subject], bool]
ReportFn = Callable[["Services", Subject], "list[Block]"]
SearchFn = Callable[["Services", str], list[SearchHit]]
#: ``contacts(services, schooljaar)``: every contact of the area with a family in that school year.
ContactsFn = Callable[["Services", str], list[Contact]]


@dataclass(frozen=True)
class AreaDescriptor:
    """What an area is, for everything outside it. Only ``key`` and ``tables`` are required.

    - ``tables``: each table it owns with the Dutch singular label the recycle bin and the log show.
      Every table of the database belongs to exactly one area.
    - ``service``: ``(store, registry) -> service``, made once per store by :class:`Services`.
    - ``erase``: given the store and a :class:`Subject`, the records that go and the summary lines.
    - ``scrub``: the changes in place an erasure makes in records that stay (a session forgets the
      parents' attendance); it runs inside the erasure's transaction.
    - ``in_bin``: whether a recycle-bin entry of one of its tables belongs to a subject; erasure and
      inspection use the same function.
    - ``report``: its part of a parent's inspection report.
    - ``exports``: what ``ouder-tui export`` offers of it.
    - ``search``: its hits in the palette.
    - ``confidential``: per table, which fields are confidential (see :class:`Confidential`).
    - ``models``: per table the model (a ``msgspec.Struct``) every record must fit when a file is read;
      a record that does not makes the file damaged (see :mod:`ouder_tui.integrity`).
    - ``contacts``: its contacts with families in a school year, for the reach view (see :class:`Contact`);
      ``contact_kinds`` names each kind of contact it reports (key -> Dutch label), in its order.
    """

    key: str
    tables: Mapping[str, str]
    service: ServiceFactory | None = None
    erase: EraseFn | None = None
    scrub: ScrubFn | None = None
    in_bin: BinPredicate | None = None
    report: ReportFn | None = None
    exports: tuple[ExportSpec, ...] = ()
    search: SearchFn | None = None
    confidential: Mapping[str, Confidential] = field(default_factory=dict)
    models: Mapping[str, type] = field(default_factory=dict)
    contacts: ContactsFn | None = None
    contact_kinds: Mapping[str, str] = field(default_factory=dict)

    def export(self, name: str) -> ExportSpec:
        """One of its exports by name."""
        return next(e for e in self.exports if e.name == name)


@cache
def all_areas() -> tuple[AreaDescriptor, ...]:
    """Every area, in the app's order: the order of the inspection report, the exports and the palette."""
    from ouder_tui.bereik import AREA as bereik
    from ouder_tui.huisbezoek import AREA as huisbezoek
    from ouder_tui.infomoment.area import AREA as infomoment
    from ouder_tui.leerlingen import AREA as leerlingen
    from ouder_tui.oudergroep.area import AREA as oudergroep
    from ouder_tui.privacy import AREA as beheer
    from ouder_tui.startgesprek import AREA as startgesprek

    return (leerlingen, huisbezoek, startgesprek, oudergroep, infomoment, bereik, beheer)


def area(key: str) -> AreaDescriptor:
    """The area with this key; ``KeyError`` when there is none."""
    for found in all_areas():
        if found.key == key:
            return found
    raise KeyError(key)


def table_owner(table: str) -> AreaDescriptor | None:
    """The area that owns a table, or ``None`` for a table no area declares."""
    return _owners().get(table)


@cache
def _owners() -> dict[str, AreaDescriptor]:
    """Per table the area that owns it (the guard test makes sure there is only one)."""
    return {table: a for a in all_areas() for table in a.tables}


def confidential_tables() -> dict[str, Confidential]:
    """Per table that has them, its confidential fields."""
    return {table: spec for a in all_areas() for table, spec in a.confidential.items()}


def table_labels() -> dict[str, str]:
    """Every table's Dutch singular label, for the recycle bin and the log."""
    return {table: label for a in all_areas() for table, label in a.tables.items()}


def exports() -> list[ExportSpec]:
    """Every export of every area, in the areas' order."""
    return [e for a in all_areas() for e in a.exports]


def export_options() -> list[ExportOption]:
    """Every export option once, in the order the exports first declare them."""
    found: dict[str, ExportOption] = {}
    for spec in exports():
        for option in spec.options:
            found.setdefault(option.flag, option)
    return list(found.values())


def contact_kinds() -> dict[str, str]:
    """Every kind of contact of every area (key -> Dutch label), in the areas' order."""
    return {key: label for a in all_areas() for key, label in a.contact_kinds.items()}


def contacts(services: Services, schooljaar: str) -> list[Contact]:
    """Every area's contacts with families in a school year."""
    return [c for a in all_areas() if a.contacts is not None for c in a.contacts(services, schooljaar)]


def in_bin(entry: dict[str, Any], subject: Subject) -> bool:
    """Whether a recycle-bin entry belongs to the subject, asked of the area that owns its table."""
    owner = table_owner(entry.get("table", ""))
    return owner is not None and owner.in_bin is not None and owner.in_bin(entry, subject)


def palette_hits(services: Services, query: str) -> list[SearchHit]:
    """Every area's hits for ``query``, highest score first, equal scores by ``order``."""
    hits = [hit for a in all_areas() if a.search is not None for hit in a.search(services, query)]
    return sorted(hits, key=lambda hit: (-hit.score, hit.order))


class Services:
    """The areas' services on one store, each made when it is first asked for (thread-safe)."""

    def __init__(self, store: Store, registry: Registry | None = None) -> None:
        if registry is None:
            from ouder_tui.leerlingen import Registry

            registry = Registry(store)
        self.store = store
        self.registry = registry
        self._made: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        """The service of area ``key``; ``KeyError`` when the area has none."""
        try:
            return self._made[key]
        except KeyError:
            pass
        factory = area(key).service
        if factory is None:
            raise KeyError(f"{key} has no service")
        with self._lock:
            if key not in self._made:
                self._made[key] = factory(self.store, self.registry)
            return self._made[key]


def join_and(words: list[str], last: str = "en") -> str:
    """``a, b en c``: Dutch enumeration (``last="of"`` for ``a, b of c``)."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"
