"""Home visits (*huisbezoeken*): plan them, log them afterwards, follow up what was agreed.

For the care coordinator. A visit belongs to a family; it is planned (date, time,
who goes, why, in which language, with or without an interpreter) and logged later
(held, cancelled or nobody home; what was discussed, hoped for and agreed; follow-up
actions with an owner and a due date; a next visit). A confidential visit keeps its
notes out of every list, preview and search: only the visit itself shows them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import msgspec

from ouder_tui.areas import (
    MAX_HITS,
    AreaDescriptor,
    Confidential,
    Contact,
    ErasurePart,
    ExportOption,
    ExportSpec,
    SearchHit,
    Services,
    Subject,
)
from ouder_tui.collector import paused_gc
from ouder_tui.errors import NotFoundError, ValidationError
from ouder_tui.leerlingen import GEZINNEN, Gezin, Registry
from ouder_tui.models import MAX_NAME, MAX_NOTE, Checker, Record, from_record, record_data, to_record
from ouder_tui.store import Store
from ouder_tui.text import clean_text, fold, format_date, parse_date, plural, school_year_of

HUISBEZOEKEN = "huisbezoeken"

REDENEN = {
    "kennismaking": "kennismaking",
    "zorgvraag": "zorgvraag",
    "afwezigheden": "afwezigheden",
    "schoolloopbaan": "schoolloopbaan",
    "andere": "andere",
}
STATUSSEN = {
    "gepland": "gepland",
    "gehouden": "gehouden",
    "geannuleerd_gezin": "geannuleerd door het gezin",
    "geannuleerd_school": "geannuleerd door de school",
    "niemand_thuis": "niemand thuis",
}
ROLLEN = {"collega": "collega", "tolk": "tolk"}
CANCELLED = ("geannuleerd_gezin", "geannuleerd_school")
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.u]([0-5]\d)$")


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


class Actie(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """A follow-up action agreed during a visit: what, who does it, by when, and whether it is done."""

    id: str = ""
    wat: str = ""
    eigenaar: str = ""
    tegen: date | None = None
    gedaan_op: date | None = None
    gedaan_door: str = ""

    @property
    def open(self) -> bool:
        return self.gedaan_op is None

    def checked(self, check: Checker, prefix: str) -> Actie:
        wat = check.text(f"{prefix}wat", self.wat, required=True, limit=500, label="Wat er moet gebeuren")
        eigenaar = check.text(f"{prefix}eigenaar", self.eigenaar, limit=MAX_NAME)
        return msgspec.structs.replace(self, id=self.id or _new_id(), wat=wat, eigenaar=eigenaar,
                                       gedaan_door=clean_text(self.gedaan_door))


class Huisbezoek(Record, kw_only=True, frozen=True):
    """One home visit, planned and (later) logged."""

    gezin_id: int = 0
    datum: date | None = None
    tijd: str = ""
    duur_minuten: int = 60
    bezoeker: str = ""
    tweede_bezoeker: str = ""
    tweede_rol: str = "collega"
    reden: str = "kennismaking"
    reden_andere: str = ""
    taal: str = ""
    tolk: bool = False
    tolk_taal: str = ""
    vertrouwelijk: bool = False
    # what happened
    status: str = "gepland"
    annulatie_reden: str = ""
    besproken: str = ""
    verwachtingen: str = ""
    afspraken: str = ""
    acties: tuple[Actie, ...] = ()
    vervolgbezoek: bool = False
    vervolgbezoek_tegen: date | None = None

    @property
    def gepland(self) -> bool:
        return self.status == "gepland"

    @property
    def reden_tekst(self) -> str:
        if self.reden == "andere" and self.reden_andere:
            return self.reden_andere
        return REDENEN.get(self.reden, self.reden)

    @property
    def status_tekst(self) -> str:
        return STATUSSEN.get(self.status, self.status)

    @property
    def wie(self) -> str:
        """Who goes, as one line: ``Sarah en Ahmed (tolk)``."""
        second = f"{self.tweede_bezoeker} ({self.tweede_rol})" if self.tweede_bezoeker else ""
        return " en ".join(p for p in (self.bezoeker, second) if p)

    def checked(self) -> Huisbezoek:
        """A cleaned copy, or :class:`ValidationError` with a Dutch message per field.

        Only the family and the date are required: the rest can be completed later.
        """
        check = Checker()
        if not self.gezin_id:
            check.fail("gezin_id", "Kies het gezin.")
        if self.datum is None:
            check.fail("datum", "Vul de datum in.")
        tijd = clean_text(self.tijd)
        if tijd:
            m = _TIME.match(tijd)
            if m:
                tijd = f"{int(m.group(1)):02d}:{m.group(2)}"
            else:
                check.fail("tijd", f"'{tijd}' is geen uur (bv. 14:30).")
        if not 10 <= self.duur_minuten <= 480:
            check.fail("duur_minuten", "Een bezoek duurt tussen 10 en 480 minuten.")
        if self.reden not in REDENEN:
            check.fail("reden", "Kies een reden.")
        if self.status not in STATUSSEN:
            check.fail("status", "Kies hoe het bezoek verliep.")
        if self.tweede_rol not in ROLLEN:
            check.fail("tweede_rol", "Kies collega of tolk.")
        if self.vervolgbezoek_tegen and self.datum and self.vervolgbezoek_tegen < self.datum:
            check.fail("vervolgbezoek_tegen", "Een volgend bezoek ligt na dit bezoek.")
        note = lambda name, value: check.text(name, value, limit=MAX_NOTE, multiline=True)  # noqa: E731
        acties = tuple(a.checked(check, f"acties.{i}.") for i, a in enumerate(self.acties))
        result = msgspec.structs.replace(
            self,
            tijd=tijd,
            bezoeker=check.text("bezoeker", self.bezoeker, limit=MAX_NAME),
            tweede_bezoeker=check.text("tweede_bezoeker", self.tweede_bezoeker, limit=MAX_NAME),
            reden_andere=check.text("reden_andere", self.reden_andere, limit=200),
            taal=check.text("taal", self.taal, limit=40),
            tolk_taal=check.text("tolk_taal", self.tolk_taal, limit=40) if self.tolk else "",
            annulatie_reden=check.text("annulatie_reden", self.annulatie_reden, limit=500)
            if self.status in CANCELLED else "",
            besproken=note("besproken", self.besproken),
            verwachtingen=note("verwachtingen", self.verwachtingen),
            afspraken=note("afspraken", self.afspraken),
            acties=acties,
            vervolgbezoek_tegen=self.vervolgbezoek_tegen if self.vervolgbezoek else None,
        )
        check.done()
        return result

    def warnings(self, vandaag: date) -> list[str]:
        """Things worth a second look that do not stop a save."""
        found = []
        if self.gepland and self.datum and self.datum < vandaag:
            found.append(f"De datum {format_date(self.datum)} ligt in het verleden. Dat mag (om later te loggen).")
        if self.tolk and not self.tweede_rol == "tolk" and not self.tolk_taal:
            found.append("Er komt een tolk mee, maar voor welke taal?")
        return found


@dataclass(frozen=True)
class OpenActie:
    """A follow-up action that is not done yet, with the visit and family it belongs to."""

    bezoek: Huisbezoek
    actie: Actie
    gezin_naam: str



class _Snapshot:
    def __init__(self, visits: list[Huisbezoek]) -> None:
        self.by_id = {v.id: v for v in visits}
        self.sorted = sorted(visits, key=lambda v: (v.datum or date.min, v.tijd))
        self.by_family: dict[int, list[Huisbezoek]] = {}
        for visit in self.sorted:
            self.by_family.setdefault(visit.gezin_id, []).append(visit)

    @cached_property
    def visited(self) -> set[int]:
        return {v.gezin_id for v in self.sorted if v.status == "gehouden"}


class Huisbezoeken:
    """Operations on home visits; the registry provides the families."""

    def __init__(self, store: Store, registry: Registry) -> None:
        self.store = store
        self.registry = registry

    def vandaag(self) -> date:
        """Today as the store's clock says (tests fix it)."""
        return self.store.clock().date()

    # -- reading -----------------------------------------------------------------------------------
    def _view(self) -> _Snapshot:
        return self.store.derived("huisbezoeken", self._build, tables=(HUISBEZOEKEN,))

    def _build(self) -> _Snapshot:
        with paused_gc():
            return _Snapshot(self.store.all_as(Huisbezoek, HUISBEZOEKEN))

    def alle(self) -> list[Huisbezoek]:
        """Every visit, oldest first."""
        return list(self._view().sorted)

    def bezoek(self, visit_id: int) -> Huisbezoek:
        try:
            return self._view().by_id[visit_id]
        except KeyError:
            raise NotFoundError("Dit huisbezoek bestaat niet (meer).") from None

    def van_gezin(self, gezin_id: int) -> list[Huisbezoek]:
        """A family's visit history, newest first."""
        return list(reversed(self._view().by_family.get(gezin_id, [])))

    def gepland(self, *, vanaf: date | None = None) -> list[Huisbezoek]:
        """Planned visits from today (or ``vanaf``) on, soonest first."""
        start = vanaf or self.vandaag()
        return [v for v in self._view().sorted if v.gepland and v.datum and v.datum >= start]

    def te_loggen(self) -> list[Huisbezoek]:
        """Planned visits whose date has passed: they still need their log."""
        today = self.vandaag()
        return [v for v in self._view().sorted if v.gepland and v.datum and v.datum < today]

    def in_periode(self, van: date | None, tot: date | None) -> list[Huisbezoek]:
        return [v for v in self._view().sorted
                if v.datum and (van is None or v.datum >= van) and (tot is None or v.datum <= tot)]

    def open_acties(self) -> list[OpenActie]:
        """Follow-up actions not done yet, the earliest due first (those without a date last)."""
        found = []
        for visit in self._view().sorted:
            for actie in visit.acties:
                if actie.open:
                    found.append(OpenActie(visit, actie, self._family_name(visit.gezin_id)))
        return sorted(found, key=lambda o: (o.actie.tegen or date.max, o.gezin_naam))

    def achterstallige_acties(self) -> list[OpenActie]:
        today = self.vandaag()
        return [o for o in self.open_acties() if o.actie.tegen and o.actie.tegen < today]

    def acties_deze_week(self) -> list[OpenActie]:
        today = self.vandaag()
        return [o for o in self.open_acties() if o.actie.tegen and today <= o.actie.tegen <= today + timedelta(days=7)]

    def nooit_bezocht(self, *, klas: str = "", leerjaar: int | None = None, taal: str = "",
                      tolk: bool | None = None) -> list[Gezin]:
        """Families with a pupil at school that never had a visit that was held, with optional filters;
        families marked for extra attention first."""
        visited = self._view().visited
        wanted_class = fold(klas.strip())
        wanted_language = fold(taal.strip())
        found = []
        for gezin in self.registry.gezinnen():
            if gezin.id in visited:
                continue
            kids = self.registry.kinderen(gezin.id, ook_vertrokken=False)
            if not kids:
                continue
            if wanted_class and not any(fold(k.klas) == wanted_class for k in kids):
                continue
            if leerjaar is not None and not any(k.leerjaar == leerjaar for k in kids):
                continue
            if wanted_language and not any(wanted_language in fold(t) for t in gezin.talen()):
                continue
            if tolk is not None and bool(gezin.tolk_talen()) != tolk:
                continue
            found.append(gezin)
        from ouder_tui.bereik import marked_first

        return marked_first(self.store, found)

    def zoek(self, text: str) -> list[Huisbezoek]:
        """Visits of families whose name contains ``text`` (never their notes)."""
        words = fold(clean_text(text)).split()
        if not words:
            return []
        names = self.store.derived("huisbezoek.gezinsnamen",  # kept: the palette searches on every key
                                   lambda: {g.id: fold(g.naam) for g in self.registry.gezinnen()}, tables=(GEZINNEN,))
        return [v for v in reversed(self._view().sorted) if all(w in names.get(v.gezin_id, "") for w in words)]

    def _family_name(self, gezin_id: int) -> str:
        try:
            return self.registry.gezin(gezin_id).naam
        except NotFoundError:
            return "(gezin verwijderd)"

    def gezin_naam(self, visit: Huisbezoek) -> str:
        return self._family_name(visit.gezin_id)

    # -- suggestions ---------------------------------------------------------------------------------
    def voorstel(self, gezin_id: int, basis: Huisbezoek | None = None) -> Huisbezoek:
        """A new visit for a family, with its languages and interpreter need filled in from the registry."""
        gezin = self.registry.gezin(gezin_id)
        languages = gezin.talen()
        interpreters = gezin.tolk_talen()
        visit = basis or Huisbezoek()
        return msgspec.structs.replace(
            visit, gezin_id=gezin_id, taal=visit.taal or (languages[0] if languages else ""),
            tolk=visit.tolk or bool(interpreters), tolk_taal=visit.tolk_taal or (interpreters[0] if interpreters else ""),
        )

    # -- changing ------------------------------------------------------------------------------------
    def _check_family(self, visit: Huisbezoek) -> None:
        if visit.gezin_id and self.store.get("gezinnen", visit.gezin_id) is None:
            raise ValidationError({"gezin_id": "Dit gezin bestaat niet (meer)."})

    def plan(self, visit: Huisbezoek) -> Huisbezoek:
        """Save a new visit (planned, or straight away logged)."""
        visit = visit.checked()
        self._check_family(visit)
        return from_record(Huisbezoek, self.store.insert(HUISBEZOEKEN, record_data(visit)))

    def bewaar(self, visit: Huisbezoek, *, overwrite: bool = False) -> Huisbezoek:
        """Save an edited visit; a stale revision raises ConflictError unless ``overwrite``."""
        visit = visit.checked()
        self._check_family(visit)
        record = self.store.update(HUISBEZOEKEN, visit.id, record_data(visit), expected_rev=None if overwrite else visit.rev)
        return from_record(Huisbezoek, record)

    def vink_af(self, visit: Huisbezoek, actie_id: str, *, gedaan: bool = True) -> Huisbezoek:
        """Tick off (or reopen) a follow-up action, stamped with who and when."""
        acties = []
        for actie in visit.acties:
            if actie.id == actie_id:
                actie = msgspec.structs.replace(
                    actie, gedaan_op=self.vandaag() if gedaan else None, gedaan_door=self.store.user if gedaan else "")
            acties.append(actie)
        return self.bewaar(msgspec.structs.replace(visit, acties=tuple(acties)))

    def verwijder(self, visit: Huisbezoek) -> int:
        """Move a visit to the recycle bin (its label never holds notes)."""
        label = f"Huisbezoek {self.gezin_naam(visit)} {format_date(visit.datum)}"
        return self.store.delete(HUISBEZOEKEN, visit.id, label=label, expected_rev=visit.rev)


def summary_line(visit: Huisbezoek, gezin_naam: str) -> str:
    """A line for lists and the palette: never the notes, so also safe for confidential visits."""
    parts = [format_date(visit.datum), visit.tijd, f"gezin {gezin_naam}", visit.reden_tekst, visit.status_tekst]
    if visit.vertrouwelijk:
        parts.append("vertrouwelijk")
    return "  ·  ".join(p for p in parts if p)


CONFIDENTIAL_ACTION = "actie uit vertrouwelijk bezoek"


CONFIDENTIAL_NOTE = "(vertrouwelijk)"


def notes_text(visit: Huisbezoek, *, reveal: bool = False) -> tuple[str, str, str]:
    """What was discussed, hoped for and agreed, as shown outside the visit: hidden when confidential."""
    notes = (visit.besproken, visit.verwachtingen, visit.afspraken)
    if visit.vertrouwelijk and not reveal:
        return tuple(CONFIDENTIAL_NOTE if text else "" for text in notes)  # type: ignore[return-value]
    return notes


def action_text(visit: Huisbezoek, actie: Actie, *, reveal: bool = False) -> str:
    """What an action says outside its visit: the text stays in a confidential visit unless ``reveal``."""
    return CONFIDENTIAL_ACTION if visit.vertrouwelijk and not reveal else actie.wat


def visits_for(visits: Iterable[Huisbezoek], *, include_confidential_notes: bool) -> list[dict]:
    """Visits as plain data for exports; the notes and action texts of confidential visits are
    replaced unless asked for."""
    result = []
    for visit in visits:
        record = {**to_record(visit)}
        if visit.vertrouwelijk and not include_confidential_notes:
            for key, text in zip(("besproken", "verwachtingen", "afspraken"), notes_text(visit), strict=True):
                record[key] = text
            record["acties"] = [{**data, "wat": action_text(visit, actie)}
                                for data, actie in zip(record.get("acties", []), visit.acties, strict=True)]
        result.append(record)
    return result


# -- the area -------------------------------------------------------------------------------------
def _erase(store: Store, subject: Subject) -> ErasurePart:
    """A family's visits go with it."""
    visits = [r["id"] for r in store.all(HUISBEZOEKEN) if r.get("gezin_id") in subject.gezin_ids]
    return ErasurePart(records=[(HUISBEZOEKEN, v) for v in visits],
                       family_lines=[plural(len(visits), "huisbezoek", "huisbezoeken")] if visits else [])


def _in_bin(entry: dict, subject: Subject) -> bool:
    """A deleted visit belongs to its family."""
    return entry.get("record", {}).get("gezin_id") in subject.gezin_ids


def _report(services: Services, subject: Subject) -> list:
    """Every visit of the family, confidential ones marked and with their notes."""
    from ouder_tui.exporters import Bullets, Heading, Para
    from ouder_tui.inzage import CONFIDENTIAL, record_lines, stamp

    visits = [v for gezin_id in sorted(subject.gezin_ids) for v in services.get("huisbezoek").van_gezin(gezin_id)]
    blocks: list = [Heading("Huisbezoeken")]
    if not visits:
        blocks.append(Para("Geen huisbezoeken."))
    for visit in visits:
        title = f"Huisbezoek {format_date(visit.datum)}" + (f" ({CONFIDENTIAL})" if visit.vertrouwelijk else "")
        blocks += [Para(title), Bullets(tuple([*record_lines(to_record(visit)), stamp(to_record(visit))]))]
    return blocks


def _search(services: Services, query: str) -> list[SearchHit]:
    """Visits by family name; only the summary line, never notes, so confidential visits are safe too."""
    service = services.get("huisbezoek")
    return [SearchHit("Huisbezoek  ·  " + summary_line(visit, service.gezin_naam(visit)), 0.79 - rank / 100,
                      ("huisbezoek", visit.id), "Huisbezoek openen", order=1)
            for rank, visit in enumerate(service.zoek(query)[:MAX_HITS])]


def _contacts(services: Services, schooljaar: str) -> list[Contact]:
    """The visits held in the school year: one contact with the family (who was home is not noted)."""
    return [Contact(v.gezin_id, "huisbezoek", v.datum) for v in services.get("huisbezoek").alle()
            if v.status == "gehouden" and v.datum and school_year_of(v.datum) == schooljaar]


def _export(services: Services, fmt: str, values: dict) -> bytes:
    """``ouder-tui export huisbezoeken``."""
    from ouder_tui.huisbezoek_export import export_huisbezoeken

    return export_huisbezoeken(services.get("huisbezoek"), fmt, van=values["van"], tot=values["tot"],
                               vertrouwelijk=values["vertrouwelijk"], gezin_id=values["gezin"])


def _check_period(values: dict, given: dict) -> str | None:
    """A period that ends before it starts is a wrong call."""
    if values["van"] and values["tot"] and values["tot"] < values["van"]:
        return f"De einddatum (--tot {given['tot']}) ligt voor de begindatum (--van {given['van']})."
    return None


_OPTIONS = (
    ExportOption("--van", "{exports}: vanaf deze datum", metavar="dd/mm/jjjj", parse=parse_date),
    ExportOption("--tot", "{exports}: tot en met deze datum", metavar="dd/mm/jjjj", parse=parse_date),
    ExportOption("--gezin", "{exports}: de geschiedenis van één gezin", metavar="NUMMER", type=int),
    ExportOption("--vertrouwelijk", "{exports}: ook de notities van vertrouwelijke bezoeken (niet in ics)"),
)

#: Home visits as an area.
AREA = AreaDescriptor(
    key="huisbezoek",
    tables={HUISBEZOEKEN: "huisbezoek"},
    models={HUISBEZOEKEN: Huisbezoek},
    service=Huisbezoeken,
    erase=_erase,
    in_bin=_in_bin,
    report=_report,
    exports=(ExportSpec("huisbezoeken", "huisbezoeken", ("xlsx", "csv", "json", "ics", "md", "html"), _export, _OPTIONS,
                        _check_period),),
    search=_search,
    contacts=_contacts,
    contact_kinds={"huisbezoek": "huisbezoek"},
    confidential={HUISBEZOEKEN: Confidential("vertrouwelijk", ("besproken", "verwachtingen", "afspraken"),
                                             {"acties": "wat"})},
)
