"""Start-of-year conversations (*startgesprek*) and the communication plan agreed in them.

For the class teacher. A startgesprek is held with the pupil (always present) and
parents in the first weeks of the school year; it records the pupil's qualities,
goals and what the pupil needs from whom, and the communication plan: channels in
order of preference, who contacts whom, how often and when, language and
interpreter, best moments, the contact person and a review date. The shorter
*omgekeerd oudergesprek* records the questions asked from the question bank and
the parents' answers.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

import msgspec

from ouder_tui.areas import (
    MAX_HITS,
    SCHOOLJAAR_OPTION,
    AreaDescriptor,
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
from ouder_tui.kanalen import kanaal_id
from ouder_tui.leerlingen import LEERLINGEN, Leerling, Registry
from ouder_tui.models import MAX_NAME, MAX_NOTE, Checker, Record, from_record, record_data, to_record
from ouder_tui.store import Store
from ouder_tui.text import clean_text, fold, format_date, plural, school_year_of

STARTGESPREKKEN = "startgesprekken"
EIGEN_VRAGEN = "eigen_vragen"

SOORTEN = {"startgesprek": "startgesprek", "omgekeerd": "omgekeerd oudergesprek"}
STATUSSEN = {"gepland": "gepland", "gehouden": "gehouden"}
#: How an omgekeerd oudergesprek was held.
VORMEN = {"klas": "in de klas", "telefoon": "telefonisch", "video": "videogesprek", "bericht": "via een berichtenapp"}
WIE = {"leerkracht": "de leerkracht", "ouders": "de ouders", "leerling": "de leerling zelf", "anderen": "anderen"}

#: The first weeks of the school year in which these conversations belong.
GOUDEN_WEKEN = 5
#: A conversation held this many days before 1 September already belongs to the coming school year
#: (many schools invite pupil and parents in the last days of August).
VOOR_DE_START = 14


def gesprek_schooljaar(day: date) -> str:
    """The school year a conversation on ``day`` belongs to: the last days of August count for the next one."""
    return school_year_of(day + timedelta(days=VOOR_DE_START))



def _own_fields(record: dict) -> dict:
    """A question record without the store's own fields (id, revision, stamps)."""
    return {k: v for k, v in record.items() if not k.startswith("_") and k != "id"}


@cache
def _data(name: str) -> dict:
    text = resources.files("ouder_tui_data").joinpath(f"startgesprek/{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


def kanalen() -> dict[str, str]:
    """The shipped communication channels: id -> Dutch name (the list the registry uses too)."""
    from ouder_tui.kanalen import kanalen as shared

    return shared()


def ezelsbruggetjes() -> list[dict[str, str]]:
    """The six mnemonics for connecting communication, explained in the app's own words."""
    return list(_data("ezelsbruggetjes")["ezelsbruggetjes"])


@dataclass(frozen=True)
class Vraag:
    """A question from the bank: shipped, or one the school added."""

    id: str
    thema: str
    vraag: str
    eigen: bool = False
    #: Hidden from the list a teacher picks from (the bank's keeper can show it again).
    verborgen: bool = False


class Nodig(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """What the pupil needs, and from whom."""

    van: str = "leerkracht"
    wat: str = ""


class Antwoord(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """A question asked in an omgekeerd oudergesprek and what the parents answered."""

    vraag: str = ""
    antwoord: str = ""


class Communicatieplan(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """How pupil, parents and school keep in touch this year."""

    kanalen: tuple[str, ...] = ()
    wie_contacteert: str = ""
    frequentie: str = ""
    gelegenheden: str = ""
    taal: str = ""
    tolk: bool = False
    tolk_taal: str = ""
    beste_momenten: str = ""
    contactpersoon: str = ""
    evaluatie_op: date | None = None

    def is_empty(self) -> bool:
        return not (self.kanalen or self.wie_contacteert or self.frequentie or self.gelegenheden
                    or self.contactpersoon or self.evaluatie_op)

    def kanalen_tekst(self) -> str:
        names = kanalen()
        return ", ".join(names.get(k, k) for k in self.kanalen)

    def checked(self, check: Checker) -> Communicatieplan:
        known = kanalen()
        chosen = tuple(dict.fromkeys(clean_text(k) for k in self.kanalen if clean_text(k)))
        unknown = [k for k in chosen if k not in known]
        if unknown:
            check.fail("plan.kanalen", f"Onbekend kanaal: {', '.join(unknown)}.")
        text = lambda name, value, limit=MAX_NAME: check.text(f"plan.{name}", value, limit=limit)  # noqa: E731
        return Communicatieplan(
            kanalen=chosen, wie_contacteert=text("wie_contacteert", self.wie_contacteert, 300),
            frequentie=text("frequentie", self.frequentie, 300), gelegenheden=text("gelegenheden", self.gelegenheden, 500),
            taal=text("taal", self.taal, 40), tolk=self.tolk, tolk_taal=text("tolk_taal", self.tolk_taal, 40)
            if self.tolk else "",
            beste_momenten=text("beste_momenten", self.beste_momenten), contactpersoon=text("contactpersoon",
                                                                                            self.contactpersoon),
            evaluatie_op=self.evaluatie_op,
        )

    def lines(self) -> list[str]:
        """The plan in plain Dutch, a line per agreement (for cards and the letter to the parents)."""
        lines = []
        if self.kanalen:
            lines.append(f"Zo houden we contact: {self.kanalen_tekst()}")
        for label, value in (("Wie neemt contact op", self.wie_contacteert), ("Hoe vaak", self.frequentie),
                             ("Wanneer zeker", self.gelegenheden), ("Best bereikbaar", self.beste_momenten),
                             ("Contactpersoon op school", self.contactpersoon)):
            if value:
                lines.append(f"{label}: {value}")
        if self.taal or self.tolk:
            lines.append(f"Taal: {self.taal or '-'}" + (f", met tolk ({self.tolk_taal or 'taal?'})" if self.tolk else ""))
        if self.evaluatie_op:
            lines.append(f"We bekijken dit plan opnieuw op {format_date(self.evaluatie_op)}")
        return lines


class Startgesprek(Record, kw_only=True, frozen=True):
    """A startgesprek or an omgekeerd oudergesprek with one pupil and their parents."""

    leerling_id: int = 0
    schooljaar: str = ""
    soort: str = "startgesprek"
    status: str = "gepland"
    datum: date | None = None
    leerling_aanwezig: bool = True
    ouder_ids: tuple[str, ...] = ()
    tolk: bool = False
    tolk_naam: str = ""
    kwaliteiten: str = ""
    doelen: str = ""
    nodig: tuple[Nodig, ...] = ()
    plan: Communicatieplan = Communicatieplan()
    antwoorden: tuple[Antwoord, ...] = ()
    #: How the talk was held (a key of :data:`VORMEN`; empty: not noted).
    vorm: str = ""
    duur_seconden: int = 0
    notities: str = ""

    @property
    def gehouden(self) -> bool:
        return self.status == "gehouden"

    @property
    def soort_tekst(self) -> str:
        return SOORTEN.get(self.soort, self.soort)

    def samenvatting(self) -> str:
        """One line: ``omgekeerd oudergesprek gehouden op 12/09/2026, in de klas, met de leerling, met tolk``."""
        parts = [f"{self.soort_tekst} {self.status} op {format_date(self.datum)}" if self.datum
                 else f"{self.soort_tekst} {self.status}"]
        if self.vorm:
            parts.append(VORMEN.get(self.vorm, self.vorm))
        if self.soort == "omgekeerd" and self.gehouden:
            parts.append("met de leerling" if self.leerling_aanwezig else "zonder de leerling")
        if self.tolk:
            parts.append(f"met tolk ({self.tolk_naam})" if self.tolk_naam else "met tolk")
        return ", ".join(parts)

    def checked(self) -> Startgesprek:
        """A cleaned copy, or :class:`ValidationError` with a Dutch message per field.

        A startgesprek is never held without the pupil: it is a conversation *with* the pupil.
        """
        check = Checker()
        if not self.leerling_id:
            check.fail("leerling_id", "Kies de leerling.")
        if self.soort not in SOORTEN:
            check.fail("soort", "Kies startgesprek of omgekeerd oudergesprek.")
        if self.status not in STATUSSEN:
            check.fail("status", "Kies gepland of gehouden.")
        if self.gehouden and self.datum is None:
            check.fail("datum", "Vul de datum van het gesprek in.")
        if self.vorm and self.vorm not in VORMEN:
            check.fail("vorm", f"Kies uit: {', '.join(VORMEN.values())}.")
        if self.soort == "startgesprek" and self.gehouden and not self.leerling_aanwezig:
            check.fail("leerling_aanwezig", "Bij een startgesprek is de leerling altijd aanwezig.")
        # Its date says which school year it belongs to (a talk in late August: the coming one).
        schooljaar = gesprek_schooljaar(self.datum) if self.datum else clean_text(self.schooljaar)
        if not schooljaar:
            check.fail("schooljaar", "Vul het schooljaar in.")
        nodig = []
        for i, item in enumerate(self.nodig):
            wat = check.text(f"nodig.{i}.wat", item.wat, limit=500)
            if item.van not in WIE:
                check.fail(f"nodig.{i}.van", f"Kies uit: {', '.join(WIE.values())}.")
            if wat:
                nodig.append(Nodig(van=item.van, wat=wat))
        antwoorden = tuple(Antwoord(vraag=check.text(f"antwoorden.{i}.vraag", a.vraag, limit=500),
                                    antwoord=check.text(f"antwoorden.{i}.antwoord", a.antwoord, limit=MAX_NOTE,
                                                        multiline=True))
                           for i, a in enumerate(self.antwoorden))
        note = lambda name, value: check.text(name, value, limit=MAX_NOTE, multiline=True)  # noqa: E731
        result = msgspec.structs.replace(
            self, schooljaar=schooljaar, tolk_naam=check.text("tolk_naam", self.tolk_naam, limit=MAX_NAME)
            if self.tolk else "",
            kwaliteiten=note("kwaliteiten", self.kwaliteiten), doelen=note("doelen", self.doelen), nodig=tuple(nodig),
            plan=self.plan.checked(check), antwoorden=antwoorden, notities=note("notities", self.notities),
            duur_seconden=max(self.duur_seconden, 0),
        )
        check.done()
        return result


@dataclass(frozen=True)
class KlasRij:
    """One pupil in the class overview: their conversation this school year, if any."""

    leerling: Leerling
    gesprek: Startgesprek | None
    #: The omgekeerd oudergesprek of the school year (held before planned), if any.
    omgekeerd: Startgesprek | None = None

    @property
    def stand(self) -> str:
        if self.gesprek is None:
            return "nog niet"
        return "gehouden" if self.gesprek.gehouden else "gepland"


def school_days_between(start: date, end: date) -> int:
    """School days from ``start`` up to and including ``end``: weekdays outside the Flemish school holidays
    and free days (``ouder_tui.kalender``; a school's own study days are not known)."""
    from ouder_tui.kalender import schooldagen

    return schooldagen(start, end)


class _Snapshot:
    def __init__(self, talks: list[Startgesprek]) -> None:
        self.by_id = {t.id: t for t in talks}
        self.sorted = sorted(talks, key=lambda t: (t.datum or date.min, t.id))
        by_pupil: dict[int, list[Startgesprek]] = {}
        for talk in self.sorted:
            by_pupil.setdefault(talk.leerling_id, []).append(talk)
        # tuples of models: the cycle collector leaves them alone (12,000 lists at 50,000 pupils it would walk)
        self.by_pupil: dict[int, tuple[Startgesprek, ...]] = {k: tuple(v) for k, v in by_pupil.items()}


class Startgesprekken:
    """Operations on start-of-year conversations; the registry provides pupils and families."""

    def __init__(self, store: Store, registry: Registry) -> None:
        self.store = store
        self.registry = registry

    def vandaag(self) -> date:
        return self.store.clock().date()

    def schooljaar(self) -> str:
        """The school year the class teacher works on: in the last days of August already the coming one."""
        return gesprek_schooljaar(self.vandaag())

    # -- reading -----------------------------------------------------------------------------
    def _view(self) -> _Snapshot:
        return self.store.derived("startgesprekken", self._build, tables=(STARTGESPREKKEN,))

    def _build(self) -> _Snapshot:
        with paused_gc():
            return _Snapshot(self.store.all_as(Startgesprek, STARTGESPREKKEN))

    def gesprek(self, gesprek_id: int) -> Startgesprek:
        try:
            return self._view().by_id[gesprek_id]
        except KeyError:
            raise NotFoundError("Dit gesprek bestaat niet (meer).") from None

    def alle(self) -> list[Startgesprek]:
        """Every conversation, oldest first."""
        return list(self._view().sorted)

    def van_leerling(self, leerling_id: int) -> list[Startgesprek]:
        """A pupil's conversations, newest first."""
        return list(reversed(self._view().by_pupil.get(leerling_id, ())))

    def huidig_plan(self, leerling_id: int, schooljaar: str | None = None) -> Startgesprek | None:
        """The startgesprek of this school year with a communication plan, if any."""
        year = schooljaar or self.schooljaar()
        for talk in self.van_leerling(leerling_id):
            if talk.soort == "startgesprek" and talk.schooljaar == year and not talk.plan.is_empty():
                return talk
        return None

    def klasoverzicht(self, klas: str, schooljaar: str | None = None) -> list[KlasRij]:
        """Every active pupil of a class with their startgesprek and their omgekeerd oudergesprek of the school
        year (each: held before planned)."""
        year = schooljaar or self.schooljaar()
        rows = []
        for pupil in self.registry.leerlingen():
            if pupil.klas != klas:
                continue
            talks = [t for t in self.van_leerling(pupil.id) if t.soort == "startgesprek" and t.schooljaar == year]
            talks.sort(key=lambda t: not t.gehouden)
            rows.append(KlasRij(pupil, talks[0] if talks else None, self.omgekeerd(pupil.id, year)))
        return rows

    def omgekeerd(self, leerling_id: int, schooljaar: str | None = None) -> Startgesprek | None:
        """The pupil's omgekeerd oudergesprek of the school year: the held one, else the planned one."""
        year = schooljaar or self.schooljaar()
        talks = [t for t in self.van_leerling(leerling_id) if t.soort == "omgekeerd" and t.schooljaar == year]
        talks.sort(key=lambda t: not t.gehouden)
        return talks[0] if talks else None

    def gouden_weken_resterend(self) -> int:
        """School days left in the first five weeks from 1 September (0 once they are over)."""
        today = self.vandaag()
        start = date(int(self.schooljaar()[:4]), 9, 1)
        end = start + timedelta(weeks=GOUDEN_WEKEN) - timedelta(days=1)
        return school_days_between(max(today, start), end)

    def evaluatie_verlopen(self) -> list[Startgesprek]:
        """Plans whose review date has passed."""
        today = self.vandaag()
        return [t for t in self._view().sorted
                if t.plan.evaluatie_op and t.plan.evaluatie_op < today and t.schooljaar == self.schooljaar()]

    def zoek(self, text: str, *, limit: int | None = None) -> list[Startgesprek]:
        """Conversations of pupils whose name contains every word of ``text`` (with ``limit``: the first so many)."""
        words = fold(clean_text(text)).split()
        if not words:
            return []
        named = self.store.derived("startgesprekken.namen", self._named, tables=(STARTGESPREKKEN, LEERLINGEN))
        return list(itertools.islice((talk for talk, name in named if all(w in name for w in words)), limit))

    def _named(self) -> list[tuple[Startgesprek, str]]:
        """Every conversation, newest first, with its pupil's folded name (a pupil who is gone: left out).
        Kept until the talks or the pupils change: the palette searches them on every key."""
        names = {p.id: fold(p.naam) for p in self.registry.leerlingen_op_id().values()}  # no list order needed
        return [(talk, names[talk.leerling_id]) for talk in reversed(self._view().sorted) if talk.leerling_id in names]

    # -- the question bank --------------------------------------------------------------------
    def vragen(self, *, ook_verborgen: bool = False) -> list[Vraag]:
        """The shipped questions, then the school's own; hidden ones only with ``ook_verborgen``."""
        records = self.store.all(EIGEN_VRAGEN)
        hidden = {r["verbergt"] for r in records if r.get("verbergt")}
        shipped = [Vraag(q["id"], q["thema"], q["vraag"], verborgen=q["id"] in hidden)
                   for q in _data("vragenbank")["vragen"]]
        own = [Vraag(f"eigen-{r['id']}", r.get("thema") or "Eigen vragen", r["vraag"], eigen=True,
                     verborgen=bool(r.get("verborgen")))
               for r in records if not r.get("verbergt")]
        return [v for v in shipped + own if ook_verborgen or not v.verborgen]

    # -- managing the bank: hide any question, edit or remove the school's own -------------------------
    def _own_record(self, vraag_id: str) -> dict:
        record_id = int(vraag_id.removeprefix("eigen-")) if vraag_id.startswith("eigen-") else None
        record = self.store.get(EIGEN_VRAGEN, record_id) if record_id is not None else None
        if record is None or record.get("verbergt"):
            raise ValidationError({"vraag": "Alleen eigen vragen van de school kun je wijzigen of verwijderen; "
                                            "een meegeleverde vraag kun je verbergen."})
        return record

    def wijzig_vraag(self, vraag_id: str, vraag: str, thema: str = "") -> Vraag:
        """Change the text (and theme) of one of the school's own questions."""
        record = self._own_record(vraag_id)
        check = Checker()
        text = check.text("vraag", vraag, required=True, limit=300, label="De vraag")
        theme = check.text("thema", thema or record.get("thema", ""), limit=60) or "Eigen vragen"
        check.done()
        saved = self.store.update(EIGEN_VRAGEN, record["id"], {**_own_fields(record), "vraag": text, "thema": theme},
                                  expected_rev=record.get("_rev"))
        return Vraag(vraag_id, theme, text, eigen=True, verborgen=bool(saved.get("verborgen")))

    def verberg_vraag(self, vraag_id: str, verborgen: bool = True) -> None:
        """Hide a question from the list (or show it again); talks that used it keep it."""
        if vraag_id.startswith("eigen-"):
            record = self._own_record(vraag_id)
            self.store.update(EIGEN_VRAGEN, record["id"], {**_own_fields(record), "verborgen": verborgen},
                              expected_rev=record.get("_rev"))
            return
        marks = [r for r in self.store.all(EIGEN_VRAGEN) if r.get("verbergt") == vraag_id]
        if verborgen and not marks:
            self.store.insert(EIGEN_VRAGEN, {"verbergt": vraag_id, "vraag": "", "thema": ""})
        elif not verborgen:
            for mark in marks:
                self.store.delete(EIGEN_VRAGEN, mark["id"], label="vraag weer getoond")

    def verwijder_vraag(self, vraag_id: str) -> None:
        """Remove one of the school's own questions from the bank (to the recycle bin); talks keep their copy."""
        record = self._own_record(vraag_id)
        self.store.delete(EIGEN_VRAGEN, record["id"], label=record.get("vraag", "")[:60],
                          expected_rev=record.get("_rev"))

    def voeg_vraag_toe(self, vraag: str, thema: str = "Eigen vragen") -> Vraag:
        check = Checker()
        text = check.text("vraag", vraag, required=True, limit=300, label="De vraag")
        theme = check.text("thema", thema, limit=60) or "Eigen vragen"
        check.done()
        record = self.store.insert(EIGEN_VRAGEN, {"vraag": text, "thema": theme})
        return Vraag(f"eigen-{record['id']}", theme, text, eigen=True)

    # -- changing --------------------------------------------------------------------------------
    def _check_pupil(self, talk: Startgesprek) -> None:
        if talk.leerling_id and self.store.get("leerlingen", talk.leerling_id) is None:
            raise ValidationError({"leerling_id": "Deze leerling bestaat niet (meer)."})

    def nieuw(self, leerling_id: int, *, soort: str = "startgesprek") -> Startgesprek:
        """A new conversation for a pupil; its plan proposes what the registry knows: the parents' preferred
        channels, the family's language and interpreter need, the best moments."""
        pupil = self.registry.leerling(leerling_id)
        plan = Communicatieplan()
        ouder_ids: tuple[str, ...] = ()
        if pupil.gezin_id is not None:
            family = self.registry.gezin(pupil.gezin_id)
            languages, interpreters = family.talen(), family.tolk_talen()
            moments = next((o.beste_momenten for o in family.ouders if o.beste_momenten), "")
            preferred = tuple(dict.fromkeys(k for o in family.ouders if (k := kanaal_id(o.voorkeurkanaal))))
            plan = Communicatieplan(kanalen=preferred, taal=languages[0] if languages else "", tolk=bool(interpreters),
                                    tolk_taal=interpreters[0] if interpreters else "", beste_momenten=moments)
            ouder_ids = tuple(o.id for o in family.ouders)
        return Startgesprek(leerling_id=leerling_id, schooljaar=self.schooljaar(), soort=soort,
                            datum=self.vandaag(), ouder_ids=ouder_ids, plan=plan)

    def uit_vorig_jaar(self, leerling_id: int) -> Startgesprek:
        """A new startgesprek whose plan starts from last school year's plan (review date cleared)."""
        year = self.schooljaar()
        start = int(year[:4])
        previous = self.huidig_plan(leerling_id, f"{start - 1}-{start}")
        if previous is None:
            raise NotFoundError("Deze leerling heeft geen plan van vorig schooljaar.")
        fresh = self.nieuw(leerling_id)
        return msgspec.structs.replace(fresh, plan=msgspec.structs.replace(previous.plan, evaluatie_op=None),
                                       nodig=previous.nodig, kwaliteiten=previous.kwaliteiten)

    def bewaar(self, talk: Startgesprek, *, overwrite: bool = False) -> Startgesprek:
        """Save a new or edited conversation; a stale revision raises ConflictError unless ``overwrite``."""
        talk = talk.checked()
        self._check_pupil(talk)
        if not talk.id:
            return from_record(Startgesprek, self.store.insert(STARTGESPREKKEN, record_data(talk)))
        record = self.store.update(STARTGESPREKKEN, talk.id, record_data(talk),
                                   expected_rev=None if overwrite else talk.rev)
        return from_record(Startgesprek, record)

    def verwijder(self, talk: Startgesprek) -> int:
        pupil = self.registry.leerling(talk.leerling_id).naam if talk.leerling_id else ""
        return self.store.delete(STARTGESPREKKEN, talk.id, label=f"{talk.soort_tekst.capitalize()} {pupil}",
                                 expected_rev=talk.rev)


# -- the area -------------------------------------------------------------------------------------
def _erase(store: Store, subject: Subject) -> ErasurePart:
    """A pupil's conversations and plans go with the pupil."""
    talks = [r["id"] for r in store.all(STARTGESPREKKEN) if r.get("leerling_id") in subject.leerling_ids]
    lines = [plural(len(talks), "startgesprek of omgekeerd oudergesprek",
                    "startgesprekken en omgekeerde oudergesprekken")] if talks else []
    return ErasurePart(records=[(STARTGESPREKKEN, t) for t in talks], pupil_lines=lines)


def _in_bin(entry: dict, subject: Subject) -> bool:
    """A deleted conversation belongs to its pupil; the school's own questions belong to nobody."""
    return entry.get("table") == STARTGESPREKKEN and entry.get("record", {}).get("leerling_id") in subject.leerling_ids


def _report(services: Services, subject: Subject) -> list:
    """The conversations and plans of the family's children."""
    from ouder_tui.exporters import Bullets, Heading, Para
    from ouder_tui.inzage import record_lines, stamp

    talks = services.get("startgesprek")
    kids = [kid for gezin_id in sorted(subject.gezin_ids) for kid in services.registry.kinderen(gezin_id)]
    found = [(kid, talk) for kid in kids for talk in talks.van_leerling(kid.id)]
    blocks: list = [Heading("Startgesprekken en communicatieplannen")]
    if not found:
        blocks.append(Para("Geen startgesprekken."))
    for kid, talk in found:
        record = to_record(talk)
        blocks += [Para(f"{talk.soort_tekst.capitalize()} over {kid.naam} ({talk.schooljaar})"),
                   Bullets(tuple([*record_lines(record), stamp(record)]))]
    return blocks


def _search(services: Services, query: str) -> list[SearchHit]:
    """Conversations by the pupil's name."""
    registry = services.registry
    hits = []
    for rank, talk in enumerate(services.get("startgesprek").zoek(query, limit=MAX_HITS)):
        pupil = registry.leerling(talk.leerling_id)
        text = f"{talk.soort_tekst.capitalize()}  ·  {pupil.naam} ({pupil.klas})  ·  {format_date(talk.datum)}"
        hits.append(SearchHit(text, 0.75 - rank / 100, ("startgesprek", talk.id), "Gesprek en communicatieplan openen",
                              order=2))
    return hits


def _contacts(services: Services, schooljaar: str) -> list[Contact]:
    """The conversations held in the school year, with the family of the pupil and the parents who came."""
    pupils = services.registry.leerlingen_op_id()  # one look, not one per talk (12,000 at 50,000 pupils)
    found = []
    for talk in services.get("startgesprek").alle():
        if not talk.gehouden or talk.schooljaar != schooljaar:
            continue
        pupil = pupils.get(talk.leerling_id)
        if pupil is not None and pupil.gezin_id is not None:
            found.append(Contact(pupil.gezin_id, talk.soort, talk.datum, talk.ouder_ids, leerling_id=pupil.id))
    return found


def _export(services: Services, fmt: str, values: dict) -> bytes:
    """``ouder-tui export startgesprekken``; with ``--uitnodiging`` the invitations of a class."""
    if values.get("uitnodiging"):
        from ouder_tui.startgesprek_uitnodiging import uitnodigingen

        return uitnodigingen(services.get("startgesprek"), fmt, klas=values["klas"], soort=values["uitnodiging"])
    from ouder_tui.startgesprek_export import export_startgesprekken

    return export_startgesprekken(services.get("startgesprek"), fmt, klas=values["klas"],
                                  schooljaar=values["schooljaar"])


def _soort(text: str) -> str:
    """``--uitnodiging``: which talk the invitations are for."""
    if text not in SOORTEN:
        raise ValueError(f"kies {' of '.join(SOORTEN)}")
    return text


_UITNODIGING = ExportOption("--uitnodiging", "{exports}, md/html: een uitnodiging per leerling van de klas (met "
                                             "vragenlijst vooraf) voor een startgesprek of omgekeerd gesprek",
                            metavar="SOORT", parse=_soort)


def _check_invitation(values: dict, given: dict) -> str | None:
    """Invitations are for one class, on paper."""
    if values.get("uitnodiging") and not values.get("klas"):
        return "Een uitnodiging maak je per klas: geef ook --klas."
    return None


#: Start-of-year conversations as an area.
AREA = AreaDescriptor(
    key="startgesprek",
    tables={STARTGESPREKKEN: "startgesprek", EIGEN_VRAGEN: "eigen vraag"},
    models={STARTGESPREKKEN: Startgesprek},
    service=Startgesprekken,
    erase=_erase,
    in_bin=_in_bin,
    report=_report,
    exports=(ExportSpec("startgesprekken", "startgesprekken", ("xlsx", "csv", "json", "md", "html"), _export,
                        (ExportOption("--klas", "{exports}: één klas, bv. 5A", metavar="KLAS"), SCHOOLJAAR_OPTION,
                         _UITNODIGING), _check_invitation),),
    search=_search,
    contacts=_contacts,
    contact_kinds={"startgesprek": "startgesprek", "omgekeerd": "omgekeerd oudergesprek"},
)
