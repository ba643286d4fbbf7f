"""The infomoment's record: one per school year, holding its checklist, programme, tables and partners,
rotation settings and the questions parents and pupils asked."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources

import msgspec

from ouder_tui.models import MAX_NAME, MAX_NOTE, Checker, Record
from ouder_tui.text import clean_text, format_date, parse_school_year, school_year_of

INFOMOMENTEN = "infomomenten"

TAAK_STATUSSEN = {"open": "open", "bezig": "bezig", "klaar": "klaar"}
TAFEL_SOORTEN = {"clb": "CLB", "klasleerkracht": "klasleerkracht", "zorgleerkracht": "zorgleerkracht",
                 "oud_leerlingen": "oud-leerlingen", "school": "secundaire school", "andere": "andere"}
NETTEN = {"go": "GO! (gemeenschapsonderwijs)", "katholiek": "katholiek onderwijs",
          "stedelijk": "stedelijk of gemeentelijk (OVSG)", "provinciaal": "provinciaal (POV)",
          "andere": "ander net of onbekend"}
ONDERDEEL_SOORTEN = {"opening": "opening", "uitleg": "uitleg", "rotatie": "doorschuiven langs de tafels",
                     "drankje": "drankje", "andere": "andere"}
BRONNEN = {"vooraf": "vooraf verzameld", "avond": "tijdens het infomoment"}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.u]([0-5]\d)$")


def _schools(check: Checker, field: str, schools: tuple[School, ...]) -> tuple[School, ...]:
    """The other schools of a table, cleaned: a name each, and a known network or none."""
    found = []
    for school in schools:
        naam = clean_text(school.naam)[:MAX_NAME]
        if not naam and not school.net:
            continue
        if not naam:
            check.fail(field, "Elke school heeft een naam.")
        if school.net and school.net not in NETTEN:
            check.fail(field, f"Onbekend onderwijsnet: {school.net}.")
        found.append(School(naam=naam, net=school.net))
    return tuple(found)


def new_id() -> str:
    return uuid.uuid4().hex[:12]


@cache
def sjabloon() -> dict:
    """The template shipped in ``data/infomoment/sjabloon.json``."""
    text = resources.files("ouder_tui_data").joinpath("infomoment/sjabloon.json").read_text(encoding="utf-8")
    return json.loads(text)


def onderwerpen() -> list[str]:
    return list(sjabloon()["onderwerpen"])


class Taak(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """A task of the preparation. Its deadline counts back from the event: moving the event moves it."""

    id: str = ""
    wat: str = ""
    dagen_voor: int = 14
    eigenaar: str = ""
    status: str = "open"
    notitie: str = ""
    sleutel: str = ""

    @property
    def klaar(self) -> bool:
        return self.status == "klaar"

    def deadline(self, event: date | None) -> date | None:
        return event - timedelta(days=self.dagen_voor) if event else None


class School(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """A secondary school at a table, with its network (empty: not known)."""

    naam: str = ""
    net: str = ""


class Tafel(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """A table of the rotation with its host: who, how to reach them, and how far the invitation is."""

    id: str = ""
    soort: str = "andere"
    naam: str = ""
    gastheer: str = ""
    telefoon: str = ""
    email: str = ""
    net: str = ""
    uitgenodigd: bool = False
    bevestigd: bool = False
    gebriefd: bool = False
    #: More secondary schools at the same table (a table can host several, of different networks).
    scholen: tuple[School, ...] = ()

    @property
    def soort_tekst(self) -> str:
        return TAFEL_SOORTEN.get(self.soort, self.soort)

    def alle_scholen(self) -> list[School]:
        """The secondary schools at this table: the table's own school, then the others."""
        own = [School(naam=self.naam, net=self.net)] if self.soort == "school" else []
        return own + list(self.scholen)

    @property
    def stand(self) -> str:
        """How far the partner is: ``uitgenodigd, bevestigd`` ..."""
        steps = [label for label, done in (("uitgenodigd", self.uitgenodigd), ("bevestigd", self.bevestigd),
                                           ("gebriefd", self.gebriefd)) if done]
        return ", ".join(steps) or "nog uit te nodigen"


class Onderdeel(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """A part of the evening's programme; the rotation's length follows from its settings."""

    soort: str = "andere"
    titel: str = ""
    minuten: int = 15


class OpenDag(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """An open day of a nearby secondary school."""

    school: str = ""
    datum: date | None = None


class Vraag(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """A question from parents or pupils; merged duplicates add up in ``aantal``."""

    id: str = ""
    tekst: str = ""
    onderwerp: str = ""
    bron: str = "vooraf"
    aantal: int = 1
    antwoord: str = ""
    varianten: tuple[str, ...] = ()


class Infomoment(Record, kw_only=True, frozen=True):
    """The information evening on the move to secondary school, for one school year."""

    schooljaar: str = ""
    datum: date | None = None
    begin: str = "19:00"
    plaats: str = ""
    doelgroep: str = ""
    inschrijvingen_vanaf: date | None = None
    opendeurdagen: tuple[OpenDag, ...] = ()
    taken: tuple[Taak, ...] = ()
    programma: tuple[Onderdeel, ...] = ()
    tafels: tuple[Tafel, ...] = ()
    groepen: int = 5
    minuten_per_ronde: int = 12
    wissel_minuten: int = 2
    vragen: tuple[Vraag, ...] = ()
    #: The families invited (the target group, proposed from the registry and edited by the team).
    uitgenodigd: tuple[int, ...] = ()
    #: The parents (person ids) who came.
    aanwezig: tuple[str, ...] = ()

    def checked(self) -> Infomoment:
        check = Checker()
        try:
            year = parse_school_year(self.schooljaar)
        except ValueError as exc:
            check.fail("schooljaar", f"{exc}.")
            year = self.schooljaar
        if self.datum is None:
            check.fail("datum", "Vul de datum van het infomoment in.")
        elif "schooljaar" not in check.errors and school_year_of(self.datum) != year:
            check.fail("datum", f"{format_date(self.datum)} valt niet in het schooljaar {year}.")
        begin = clean_text(self.begin)
        m = _TIME.match(begin)
        if m:
            begin = f"{int(m.group(1)):02d}:{m.group(2)}"
        else:
            check.fail("begin", f"'{begin}' is geen uur (bv. 19:00).")
        if not 1 <= self.groepen <= 12:
            check.fail("groepen", "Tussen 1 en 12 groepen.")
        if not 3 <= self.minuten_per_ronde <= 60:
            check.fail("minuten_per_ronde", "Een ronde duurt tussen 3 en 60 minuten.")
        if not 0 <= self.wissel_minuten <= 15:
            check.fail("wissel_minuten", "Wisselen duurt tussen 0 en 15 minuten.")
        taken = []
        for i, taak in enumerate(self.taken):
            wat = check.text(f"taken.{i}.wat", taak.wat, required=True, limit=300, label="De taak")
            if taak.status not in TAAK_STATUSSEN:
                check.fail(f"taken.{i}.status", "Kies open, bezig of klaar.")
            if not -365 <= taak.dagen_voor <= 365:
                check.fail(f"taken.{i}.dagen_voor", "Een deadline ligt binnen een jaar van het infomoment.")
            taken.append(msgspec.structs.replace(
                taak, id=taak.id or new_id(), wat=wat, eigenaar=check.text(f"taken.{i}.eigenaar", taak.eigenaar),
                notitie=check.text(f"taken.{i}.notitie", taak.notitie, limit=2000, multiline=True)))
        tafels = []
        for i, tafel in enumerate(self.tafels):
            if tafel.soort not in TAFEL_SOORTEN:
                check.fail(f"tafels.{i}.soort", "Kies wat voor tafel het is.")
            if tafel.net and tafel.net not in NETTEN:
                check.fail(f"tafels.{i}.net", "Kies een onderwijsnet.")
            tafels.append(msgspec.structs.replace(
                tafel, id=tafel.id or new_id(),
                naam=check.text(f"tafels.{i}.naam", tafel.naam, required=True, limit=MAX_NAME, label="De naam"),
                gastheer=check.text(f"tafels.{i}.gastheer", tafel.gastheer, limit=MAX_NAME),
                telefoon=check.phone(f"tafels.{i}.telefoon", tafel.telefoon),
                email=check.email(f"tafels.{i}.email", tafel.email),
                net=tafel.net if tafel.soort == "school" else "",
                scholen=_schools(check, f"tafels.{i}.scholen", tafel.scholen)))
        programma = []
        for i, part in enumerate(self.programma):
            if not 0 <= part.minuten <= 240:
                check.fail(f"programma.{i}.minuten", "Tussen 0 en 240 minuten.")
            programma.append(msgspec.structs.replace(
                part, titel=check.text(f"programma.{i}.titel", part.titel, required=True, limit=MAX_NAME,
                                       label="Het onderdeel")))
        vragen = []
        for i, vraag in enumerate(self.vragen):
            if vraag.aantal < 1:
                check.fail(f"vragen.{i}.aantal", "Minstens 1 keer gesteld.")
            vragen.append(msgspec.structs.replace(
                vraag, id=vraag.id or new_id(),
                tekst=check.text(f"vragen.{i}.tekst", vraag.tekst, required=True, limit=500, label="De vraag"),
                onderwerp=check.text(f"vragen.{i}.onderwerp", vraag.onderwerp, limit=60),
                antwoord=check.text(f"vragen.{i}.antwoord", vraag.antwoord, limit=MAX_NOTE, multiline=True)))
        opendeurdagen = tuple(OpenDag(school=clean_text(o.school)[:MAX_NAME], datum=o.datum)
                              for o in self.opendeurdagen if clean_text(o.school) or o.datum)
        result = msgspec.structs.replace(
            self, schooljaar=year, begin=begin, plaats=check.text("plaats", self.plaats, limit=MAX_NAME),
            doelgroep=check.text("doelgroep", self.doelgroep, limit=300), taken=tuple(taken), tafels=tuple(tafels),
            programma=tuple(programma), vragen=tuple(vragen), opendeurdagen=opendeurdagen,
            uitgenodigd=tuple(dict.fromkeys(g for g in self.uitgenodigd if g)),
            aanwezig=tuple(dict.fromkeys(p for p in self.aanwezig if p)))
        check.done()
        return result

    # -- derived -----------------------------------------------------------------------------------
    @property
    def begin_tijd(self) -> time:
        hour, minute = (int(p) for p in self.begin.split(":"))
        return time(hour, minute)

    def rotatie_minuten(self) -> int:
        """How long the rotation takes: a round per table (or per group when there are more groups)."""
        rounds = max(self.groepen, len(self.tafels) or 1)
        return rounds * self.minuten_per_ronde + max(rounds - 1, 0) * self.wissel_minuten

    def minuten(self, part: Onderdeel) -> int:
        return self.rotatie_minuten() if part.soort == "rotatie" else part.minuten

    def tijden(self) -> list[tuple[Onderdeel, datetime, datetime]]:
        """Each part of the programme with its start and end."""
        day = self.datum or date(2000, 1, 1)
        moment = datetime.combine(day, self.begin_tijd)
        found = []
        for part in self.programma:
            end = moment + timedelta(minutes=self.minuten(part))
            found.append((part, moment, end))
            moment = end
        return found

    def einde(self) -> datetime:
        times = self.tijden()
        return times[-1][2] if times else datetime.combine(self.datum or date(2000, 1, 1), self.begin_tijd)

    def voortgang(self) -> tuple[int, int]:
        """Tasks done, out of all tasks."""
        return sum(1 for t in self.taken if t.klaar), len(self.taken)
