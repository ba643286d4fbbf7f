"""The parent group (*oudergroep*): themes, sessions, invitations, attendance, follow-up, requests.

For the facilitator. Parents ask for themes; a session is planned on a theme
(daytime, with partners, facilitators, interpreters and childcare), parents are
invited, and attendance is ticked per person: a parent or guardian from the
registry (by the parent's stable id, so it survives a re-import) or a walk-in who
is not in the registry yet (a *gast*, who can later be linked to a family while
keeping the same person id). Parents who came and then stayed away are listed
until someone contacts them; the group's requests to the school are followed up
until the answer is brought back to the group.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import msgspec

from ouder_tui.errors import NotFoundError, ValidationError
from ouder_tui.leerlingen import GEZINNEN, Gezin, Ouder, Registry, new_person_id
from ouder_tui.models import MAX_NAME, MAX_NOTE, Checker, Record, from_record, record_data
from ouder_tui.settings import load_settings
from ouder_tui.storage import paused_gc
from ouder_tui.store import Store
from ouder_tui.text import clean_text, fold, format_date, school_year_of

SESSIES = "oudergroep_sessies"
THEMAS = "oudergroep_themas"
VERZOEKEN = "oudergroep_verzoeken"
CONTACTEN = "oudergroep_contacten"
GASTEN = "oudergroep_gasten"

SESSIE_STATUSSEN = {"gepland": "gepland", "uitgenodigd": "uitgenodigd", "gehouden": "gehouden",
                    "geannuleerd": "geannuleerd"}
THEMA_STATUSSEN = {"idee": "idee", "gepland": "gepland", "gedaan": "gedaan"}
VERZOEK_STATUSSEN = {"open": "open", "in_behandeling": "in behandeling", "beantwoord": "beantwoord"}
UITNODIGING_KANALEN = {"brief": "brief", "smartschool": "Smartschool", "telefoon": "telefoon",
                       "schoolpoort": "schoolpoort", "bericht": "sms/WhatsApp"}
CONTACT_MANIEREN = {"telefoon": "telefoon", "schoolpoort": "schoolpoort", "bericht": "bericht",
                    "huisbezoek": "huisbezoek", "andere": "andere"}
HERHALINGEN = {"week": "elke week", "twee_weken": "om de twee weken", "maand": "elke maand (zelfde weekdag)"}

MAX_REEKS = 40
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.u]([0-5]\d)$")


def _time(check: Checker, field: str, value: str, *, required: bool = False) -> str:
    text = clean_text(value)
    if not text:
        if required:
            check.fail(field, "Vul een uur in (bv. 09:00).")
        return ""
    m = _TIME.match(text)
    if not m:
        check.fail(field, f"'{text}' is geen uur (bv. 09:00).")
        return text
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def _names(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for n in (clean_text(v)[:MAX_NAME] for v in values) if n))


# -- models ---------------------------------------------------------------------------------------
class Thema(Record, kw_only=True, frozen=True):
    """A theme parents asked for: who asked, how many want it, and how far it is."""

    titel: str = ""
    omschrijving: str = ""
    gevraagd_door: str = ""
    aantal: int = 1
    status: str = "idee"

    @property
    def status_tekst(self) -> str:
        return THEMA_STATUSSEN.get(self.status, self.status)

    def checked(self) -> Thema:
        check = Checker()
        titel = check.text("titel", self.titel, required=True, limit=MAX_NAME, label="Het thema")
        if not 0 <= self.aantal <= 999:
            check.fail("aantal", "Een aantal ouders tussen 0 en 999.")
        if self.status not in THEMA_STATUSSEN:
            check.fail("status", "Kies idee, gepland of gedaan.")
        result = msgspec.structs.replace(
            self, titel=titel, omschrijving=check.text("omschrijving", self.omschrijving, limit=2000, multiline=True),
            gevraagd_door=check.text("gevraagd_door", self.gevraagd_door, limit=500))
        check.done()
        return result


class Partner(msgspec.Struct, kw_only=True, frozen=True):
    """An organisation that takes part in a session, with its contact person."""

    organisatie: str = ""
    contactpersoon: str = ""
    telefoon: str = ""
    email: str = ""

    def checked(self, check: Checker, prefix: str) -> Partner:
        return Partner(
            organisatie=check.text(f"{prefix}organisatie", self.organisatie, required=True, limit=MAX_NAME,
                                   label="De organisatie"),
            contactpersoon=check.text(f"{prefix}contactpersoon", self.contactpersoon, limit=MAX_NAME),
            telefoon=check.phone(f"{prefix}telefoon", self.telefoon),
            email=check.email(f"{prefix}email", self.email),
        )

    def regel(self) -> str:
        contact = ", ".join(p for p in (self.contactpersoon, self.telefoon, self.email) if p)
        return f"{self.organisatie} ({contact})" if contact else self.organisatie


class Tolk(msgspec.Struct, kw_only=True, frozen=True):
    """An interpreter at a session and the language they interpret."""

    taal: str = ""
    naam: str = ""

    def regel(self) -> str:
        return f"{self.taal} ({self.naam})" if self.naam else self.taal


class Uitnodiging(msgspec.Struct, kw_only=True, frozen=True):
    """How and when one person was invited to a session."""

    persoon_id: str
    kanaal: str = "brief"
    op: date | None = None
    door: str = ""

    @property
    def kanaal_tekst(self) -> str:
        return UITNODIGING_KANALEN.get(self.kanaal, self.kanaal)


class Sessie(Record, kw_only=True, frozen=True):
    """One meeting of the parent group, planned and later held (or cancelled)."""

    datum: date | None = None
    begin: str = "09:00"
    einde: str = "11:00"
    plaats: str = ""
    thema_id: int | None = None
    titel: str = ""
    omschrijving: str = ""
    partners: tuple[Partner, ...] = ()
    begeleiders: tuple[str, ...] = ()
    tolken: tuple[Tolk, ...] = ()
    kinderopvang: bool = False
    kinderopvang_info: str = ""
    status: str = "gepland"
    annulatie_reden: str = ""
    reeks_id: str = ""
    uitnodigingen: tuple[Uitnodiging, ...] = ()
    aanwezig: tuple[str, ...] = ()
    verslag: str = ""
    vragen: str = ""

    @property
    def status_tekst(self) -> str:
        return SESSIE_STATUSSEN.get(self.status, self.status)

    @property
    def gehouden(self) -> bool:
        return self.status == "gehouden"

    @property
    def geannuleerd(self) -> bool:
        return self.status == "geannuleerd"

    @property
    def schooljaar(self) -> str:
        return school_year_of(self.datum) if self.datum else ""

    @property
    def uren(self) -> str:
        return f"{self.begin}-{self.einde}" if self.einde else self.begin

    def uitnodiging(self, persoon_id: str) -> Uitnodiging | None:
        return next((u for u in self.uitnodigingen if u.persoon_id == persoon_id), None)

    def checked(self) -> Sessie:
        """A cleaned copy, or :class:`ValidationError` with a Dutch message per field."""
        check = Checker()
        if self.datum is None:
            check.fail("datum", "Vul de datum in.")
        begin = _time(check, "begin", self.begin, required=True)
        einde = _time(check, "einde", self.einde)
        if begin and einde and "begin" not in check.errors and "einde" not in check.errors and einde <= begin:
            check.fail("einde", "Het einde ligt na het begin.")
        titel = check.text("titel", self.titel, required=True, limit=MAX_NAME, label="Het thema of de titel")
        if self.status not in SESSIE_STATUSSEN:
            check.fail("status", "Kies een status.")
        partners = tuple(p.checked(check, f"partners.{i}.") for i, p in enumerate(self.partners))
        tolken = tuple(Tolk(taal=clean_text(t.taal)[:40], naam=clean_text(t.naam)[:MAX_NAME])
                       for t in self.tolken if clean_text(t.taal) or clean_text(t.naam))
        for invite in self.uitnodigingen:
            if invite.kanaal not in UITNODIGING_KANALEN:
                check.fail("uitnodigingen", f"Onbekende manier van uitnodigen: {invite.kanaal}.")
        result = msgspec.structs.replace(
            self, begin=begin, einde=einde, titel=titel,
            plaats=check.text("plaats", self.plaats, limit=MAX_NAME),
            omschrijving=check.text("omschrijving", self.omschrijving, limit=2000, multiline=True),
            partners=partners, begeleiders=_names(self.begeleiders), tolken=tolken,
            kinderopvang_info=check.text("kinderopvang_info", self.kinderopvang_info, limit=200)
            if self.kinderopvang else "",
            annulatie_reden=check.text("annulatie_reden", self.annulatie_reden, limit=500)
            if self.status == "geannuleerd" else "",
            aanwezig=tuple(dict.fromkeys(p for p in self.aanwezig if p)),
            verslag=check.text("verslag", self.verslag, limit=MAX_NOTE, multiline=True),
            vragen=check.text("vragen", self.vragen, limit=MAX_NOTE, multiline=True),
        )
        check.done()
        return result

    def warnings(self, vandaag: date) -> list[str]:
        found = []
        if self.status in ("gepland", "uitgenodigd") and self.datum and self.datum < vandaag:
            found.append(f"De sessie van {format_date(self.datum)} is voorbij: duid aan wie er was.")
        if self.datum and self.datum.weekday() >= 5:
            found.append("Die dag valt in het weekend.")
        if self.begin >= "17:00":
            found.append("Sessies overdag bereiken de meeste ouders; deze begint pas om " f"{self.begin}.")
        return found


class Gast(Record, kw_only=True, frozen=True):
    """Someone who came to a session but is not (yet) a parent in the registry."""

    persoon_id: str = ""
    voornaam: str = ""
    familienaam: str = ""
    telefoon: str = ""
    talen: tuple[str, ...] = ()
    notities: str = ""

    @property
    def naam(self) -> str:
        return " ".join(p for p in (self.voornaam, self.familienaam) if p)

    def checked(self) -> Gast:
        check = Checker()
        voornaam = check.text("voornaam", self.voornaam, limit=MAX_NAME)
        familienaam = check.text("familienaam", self.familienaam, limit=MAX_NAME)
        if not (voornaam or familienaam):
            check.fail("voornaam", "Vul minstens een voornaam of familienaam in.")
        result = msgspec.structs.replace(
            self, persoon_id=self.persoon_id or new_person_id(), voornaam=voornaam, familienaam=familienaam,
            telefoon=check.phone("telefoon", self.telefoon),
            talen=tuple(dict.fromkeys(t for t in (clean_text(x)[:40] for x in self.talen) if t)),
            notities=check.text("notities", self.notities, limit=2000, multiline=True))
        check.done()
        return result


class Contact(Record, kw_only=True, frozen=True):
    """A contact with a parent who stayed away: when, how, and what came of it."""

    persoon_id: str = ""
    datum: date | None = None
    hoe: str = "telefoon"
    notitie: str = ""
    #: The parent will not come back (moved, works full time ...): no longer listed, unless they come again.
    niet_meer_opvolgen: bool = False

    @property
    def hoe_tekst(self) -> str:
        return CONTACT_MANIEREN.get(self.hoe, self.hoe)

    def checked(self) -> Contact:
        check = Checker()
        if not self.persoon_id:
            check.fail("persoon_id", "Voor wie is dit contact?")
        if self.datum is None:
            check.fail("datum", "Vul de datum in.")
        if self.hoe not in CONTACT_MANIEREN:
            check.fail("hoe", "Kies hoe je contact had.")
        result = msgspec.structs.replace(self, notitie=check.text("notitie", self.notitie, limit=2000, multiline=True))
        check.done()
        return result


class Verzoek(Record, kw_only=True, frozen=True):
    """A request from the group to the school, followed until the answer is back in the group."""

    wat: str = ""
    toelichting: str = ""
    gevraagd_op: date | None = None
    sessie_id: int | None = None
    eigenaar: str = ""
    status: str = "open"
    antwoord: str = ""
    teruggekoppeld: bool = False
    teruggekoppeld_op: date | None = None

    @property
    def status_tekst(self) -> str:
        text = VERZOEK_STATUSSEN.get(self.status, self.status)
        if self.status == "beantwoord":
            text += ", teruggekoppeld" if self.teruggekoppeld else ", nog terugkoppelen"
        return text

    @property
    def afgerond(self) -> bool:
        """Answered and the answer brought back to the group: nothing left to do."""
        return self.status == "beantwoord" and self.teruggekoppeld

    def checked(self) -> Verzoek:
        check = Checker()
        wat = check.text("wat", self.wat, required=True, limit=500, label="Wat de groep vraagt")
        if self.status not in VERZOEK_STATUSSEN:
            check.fail("status", "Kies een status.")
        antwoord = check.text("antwoord", self.antwoord, limit=MAX_NOTE, multiline=True)
        if self.status == "beantwoord" and not antwoord:
            check.fail("antwoord", "Noteer wat de school antwoordde.")
        if self.teruggekoppeld and not antwoord:
            check.fail("teruggekoppeld", "Terugkoppelen kan pas als er een antwoord is.")
        result = msgspec.structs.replace(
            self, wat=wat, antwoord=antwoord,
            toelichting=check.text("toelichting", self.toelichting, limit=MAX_NOTE, multiline=True),
            eigenaar=check.text("eigenaar", self.eigenaar, limit=MAX_NAME),
            teruggekoppeld_op=self.teruggekoppeld_op if self.teruggekoppeld else None)
        check.done()
        return result


# -- people ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Persoon:
    """Someone who can be invited or attend: a parent from the registry or a walk-in guest."""

    id: str
    naam: str
    gezin_id: int | None = None
    gezin_naam: str = ""
    relatie: str = ""
    talen: tuple[str, ...] = ()
    telefoon: str = ""
    klassen: tuple[str, ...] = ()
    gast_id: int | None = None
    actief: bool = True

    @property
    def gast(self) -> bool:
        return self.gast_id is not None

    @property
    def omschrijving(self) -> str:
        """Who this is, in a few words: ``moeder, gezin Peeters (3A, 5B)`` or ``gast``."""
        if self.gast:
            return "gast (niet in het register)"
        where = f"gezin {self.gezin_naam}" + (f" ({', '.join(self.klassen)})" if self.klassen else "")
        return ", ".join(p for p in (self.relatie, where) if p)


def onbekende_persoon(persoon_id: str) -> Persoon:
    return Persoon(id=persoon_id, naam="(niet meer in het register)", actief=False)


@dataclass(frozen=True)
class Weggebleven:
    """A parent who came before and has missed the last sessions, with the last contact."""

    persoon: Persoon
    keer_aanwezig: int
    laatst_aanwezig: Sessie
    gemist: int
    laatste_contact: Contact | None


@dataclass(frozen=True)
class SessieCijfers:
    """Attendance figures of one session for the year overview."""

    sessie: Sessie
    aanwezig: int
    terugkerend: int
    nieuw: int
    gasten: int


@dataclass(frozen=True)
class Jaaroverzicht:
    schooljaar: str
    sessies: list[SessieCijfers]
    geannuleerd: int
    gepland: int
    verschillende_personen: int
    vaste_kern: int
    een_keer: int

    @property
    def gehouden(self) -> int:
        return len(self.sessies)

    @property
    def totaal_aanwezig(self) -> int:
        return sum(c.aanwezig for c in self.sessies)

    @property
    def gemiddeld(self) -> float:
        return self.totaal_aanwezig / len(self.sessies) if self.sessies else 0.0


#: Sessions in the year a parent attended to belong to the core of regulars.
VASTE_KERN = 3


class _Snapshot:
    def __init__(self, registry: Registry, sessions: list[Sessie], themes: list[Thema], requests: list[Verzoek],
                 contacts: list[Contact], guests: list[Gast]) -> None:
        self.sessions = sorted(sessions, key=lambda s: (s.datum or date.min, s.begin, s.id))
        self.session_by_id = {s.id: s for s in sessions}
        self.themes = sorted(themes, key=lambda t: (list(THEMA_STATUSSEN).index(t.status)
                                                    if t.status in THEMA_STATUSSEN else 9, -t.aantal, fold(t.titel)))
        self.theme_by_id = {t.id: t for t in themes}
        self.requests = sorted(requests, key=lambda v: (v.afgerond, v.gevraagd_op or date.min, v.id))
        self.request_by_id = {v.id: v for v in requests}
        self.contacts: dict[str, list[Contact]] = {}
        for contact in sorted(contacts, key=lambda c: (c.datum or date.min, c.id)):
            self.contacts.setdefault(contact.persoon_id, []).append(contact)
        self.guests = {g.persoon_id: g for g in guests}
        people: dict[str, Persoon] = {}
        for gezin, kids in registry.gezinnen_met_kinderen():
            classes = tuple(dict.fromkeys(k.klas for k in kids if k.klas))
            for ouder in gezin.ouders:
                people[ouder.id] = Persoon(id=ouder.id, naam=ouder.naam or f"({ouder.relatie})", gezin_id=gezin.id,
                                           gezin_naam=gezin.naam, relatie=ouder.relatie, talen=ouder.talen,
                                           telefoon=ouder.telefoon, klassen=classes, actief=bool(kids))
        for guest in guests:
            people.setdefault(guest.persoon_id, Persoon(id=guest.persoon_id, naam=guest.naam, talen=guest.talen,
                                                        telefoon=guest.telefoon, gast_id=guest.id))
        self.people = people

    @cached_property
    def attended(self) -> dict[str, list[Sessie]]:
        """Per person the held sessions they attended, oldest first."""
        found: dict[str, list[Sessie]] = {}
        for session in self.sessions:
            if session.gehouden:
                for pid in session.aanwezig:
                    found.setdefault(pid, []).append(session)
        return found

    @cached_property
    def people_sorted(self) -> list[Persoon]:
        return sorted(self.people.values(), key=lambda p: (fold(p.naam), p.id))

    @cached_property
    def haystacks(self) -> dict[str, str]:
        return {p.id: fold(f"{p.naam} {p.gezin_naam} {p.telefoon} {' '.join(p.klassen)}") for p in self.people.values()}

    def haystack(self, person: Persoon) -> str:
        return self.haystacks.get(person.id, "")


class Oudergroep:
    """Operations of the parent group; the registry provides the parents."""

    def __init__(self, store: Store, registry: Registry) -> None:
        self.store = store
        self.registry = registry

    def vandaag(self) -> date:
        return self.store.clock().date()

    def weggebleven_na(self) -> int:
        """The setting: after how many missed sessions in a row a parent is listed."""
        return load_settings(self.store).oudergroep_weggebleven_na

    # -- reading --------------------------------------------------------------------------------
    def _view(self) -> _Snapshot:
        return self.store.derived("oudergroep", self._build)

    def _build(self) -> _Snapshot:
        with paused_gc():
            def load(table, kind):
                return msgspec.convert(self.store.all(table), list[kind], strict=False)

            return _Snapshot(self.registry, load(SESSIES, Sessie), load(THEMAS, Thema), load(VERZOEKEN, Verzoek),
                             load(CONTACTEN, Contact), load(GASTEN, Gast))

    def sessies(self, schooljaar: str | None = None) -> list[Sessie]:
        """Sessions oldest first, optionally of one school year."""
        return [s for s in self._view().sessions if schooljaar is None or s.schooljaar == schooljaar]

    def sessie(self, sessie_id: int) -> Sessie:
        try:
            return self._view().session_by_id[sessie_id]
        except KeyError:
            raise NotFoundError("Deze sessie bestaat niet (meer).") from None

    def komende(self) -> list[Sessie]:
        """Sessions from today on that are not cancelled, soonest first."""
        today = self.vandaag()
        return [s for s in self._view().sessions if s.datum and s.datum >= today and not s.geannuleerd
                and not s.gehouden]

    def volgende(self) -> Sessie | None:
        upcoming = self.komende()
        return upcoming[0] if upcoming else None

    def zonder_aanwezigheden(self) -> list[Sessie]:
        """Past sessions that were neither marked held nor cancelled: attendance still to record."""
        today = self.vandaag()
        return [s for s in self._view().sessions if s.datum and s.datum < today and s.status in ("gepland",
                                                                                                  "uitgenodigd")]

    def schooljaren(self) -> list[str]:
        years = {s.schooljaar for s in self._view().sessions if s.datum}
        years.add(school_year_of(self.vandaag()))
        return sorted(years, reverse=True)

    def zoek(self, text: str) -> list[Sessie]:
        """Sessions whose title, place or date (dd/mm/jjjj) holds every word of ``text``, newest first."""
        words = fold(clean_text(text)).split()
        if not words:
            return []
        found = []
        for session in reversed(self._view().sessions):
            haystack = fold(f"oudergroep {session.titel} {session.plaats} {format_date(session.datum)}")
            if all(w in haystack for w in words):
                found.append(session)
        return found

    def themas(self) -> list[Thema]:
        """Themes: ideas first (most wanted first), then planned, then done."""
        return list(self._view().themes)

    def thema(self, thema_id: int) -> Thema:
        try:
            return self._view().theme_by_id[thema_id]
        except KeyError:
            raise NotFoundError("Dit thema bestaat niet (meer).") from None

    def verzoeken(self) -> list[Verzoek]:
        """Requests: open ones first, oldest first."""
        return list(self._view().requests)

    def open_verzoeken(self) -> list[Verzoek]:
        return [v for v in self._view().requests if not v.afgerond]

    def verzoek(self, verzoek_id: int) -> Verzoek:
        try:
            return self._view().request_by_id[verzoek_id]
        except KeyError:
            raise NotFoundError("Dit verzoek bestaat niet (meer).") from None

    def persoon(self, persoon_id: str) -> Persoon:
        return self._view().people.get(persoon_id) or onbekende_persoon(persoon_id)

    def personen(self, *, tekst: str = "", klas: str = "", taal: str = "", eerder: str = "") -> list[Persoon]:
        """Parents and guests to invite, by name; filters: class of a child, language, earlier attendance
        (``ooit``: came at least once, ``nooit``: never came, ``vast``: the core of regulars)."""
        view = self._view()
        words = fold(clean_text(tekst)).split()
        wanted_class = fold(klas.strip())
        wanted_language = fold(taal.strip())
        found = []
        if eerder in ("ooit", "vast"):  # only those who came: no need to walk every parent
            candidates = sorted((view.people.get(pid) or onbekende_persoon(pid) for pid in view.attended),
                                key=lambda p: (fold(p.naam), p.id))
        else:
            candidates = view.people_sorted
        for person in candidates:
            if not person.actief and not person.gast:
                continue
            if words and not all(w in view.haystack(person) for w in words):
                continue
            if wanted_class and not any(fold(k) == wanted_class for k in person.klassen):
                continue
            if wanted_language and not any(wanted_language in fold(t) for t in person.talen):
                continue
            times = len(view.attended.get(person.id, ()))
            if (eerder == "ooit" and not times) or (eerder == "nooit" and times) or (
                    eerder == "vast" and times < VASTE_KERN):
                continue
            found.append(person)
        return found

    def aanwezigheden(self, persoon_id: str) -> list[Sessie]:
        """The held sessions someone attended, oldest first."""
        return list(self._view().attended.get(persoon_id, ()))

    def contacten(self, persoon_id: str) -> list[Contact]:
        return list(self._view().contacts.get(persoon_id, ()))

    def gast(self, persoon_id: str) -> Gast | None:
        return self._view().guests.get(persoon_id)

    def weggebleven(self, na: int | None = None) -> list[Weggebleven]:
        """Parents who came at least once and missed the ``na`` held sessions since, with no contact
        after the last one they missed. Not listed either: parents whose children all left school, and
        parents of whom a contact said not to follow them up any more (until they come again)."""
        view = self._view()
        n = na or self.weggebleven_na()
        held = [s for s in view.sessions if s.gehouden]
        position = {s.id: i for i, s in enumerate(held)}
        found = []
        for pid, sessions in view.attended.items():
            last = sessions[-1]
            missed = held[position[last.id] + 1:]
            if len(missed) < n:
                continue
            person = self.persoon(pid)
            if not person.actief:
                continue
            contacts = view.contacts.get(pid, [])
            contact = contacts[-1] if contacts else None
            if contact and contact.datum and missed[-1].datum and contact.datum >= missed[-1].datum:
                continue
            if contact and contact.niet_meer_opvolgen and contact.datum and last.datum and contact.datum >= last.datum:
                continue
            found.append(Weggebleven(person, len(sessions), last, len(missed), contact))
        return sorted(found, key=lambda w: (-w.keer_aanwezig, fold(w.persoon.naam)))

    def jaaroverzicht(self, schooljaar: str | None = None) -> Jaaroverzicht:
        """Attendance per held session of a school year, with returning and new parents."""
        year = schooljaar or school_year_of(self.vandaag())
        seen: set[str] = set()
        figures = []
        in_year: Counter[str] = Counter()
        for session in self._view().sessions:
            if not session.gehouden:
                continue
            present = set(session.aanwezig)
            if session.schooljaar == year:
                view = self._view()
                guests = sum(1 for p in present if p in view.guests)
                back = len(present & seen)
                figures.append(SessieCijfers(session, len(present), back, len(present) - back, guests))
                in_year.update(present)
            seen |= present
        sessions = self.sessies(year)
        return Jaaroverzicht(
            schooljaar=year, sessies=figures,
            geannuleerd=sum(1 for s in sessions if s.geannuleerd),
            gepland=sum(1 for s in sessions if s.status in ("gepland", "uitgenodigd")),
            verschillende_personen=len(in_year),
            vaste_kern=sum(1 for count in in_year.values() if count >= VASTE_KERN),
            een_keer=sum(1 for count in in_year.values() if count == 1),
        )

    # -- sessions -------------------------------------------------------------------------------
    def voorstel(self, thema: Thema | None = None) -> Sessie:
        """A new session; from a theme it takes the theme's title and description."""
        last = self._view().sessions[-1] if self._view().sessions else None
        base = Sessie(plaats=last.plaats if last else "", begin=last.begin if last else "09:00",
                      einde=last.einde if last else "11:00",
                      begeleiders=last.begeleiders if last else ((self.store.user,) if self.store.user else ()))
        if thema is None:
            return base
        return msgspec.structs.replace(base, thema_id=thema.id, titel=thema.titel, omschrijving=thema.omschrijving)

    def _theme_follows(self, session: Sessie) -> None:
        """A theme's status follows its sessions: planned once a session is on it, done once one was held."""
        if session.thema_id is None or session.geannuleerd:
            return
        record = self.store.get(THEMAS, session.thema_id)
        if record is None:
            return
        wanted = "gedaan" if session.gehouden else "gepland"
        order = list(THEMA_STATUSSEN)
        if order.index(record.get("status", "idee")) < order.index(wanted):
            self.store.update(THEMAS, session.thema_id, {**record, "status": wanted}, expected_rev=None)

    def _check_theme(self, session: Sessie) -> None:
        if session.thema_id is not None and self.store.get(THEMAS, session.thema_id) is None:
            raise ValidationError({"thema_id": "Dit thema bestaat niet (meer)."})

    def plan(self, session: Sessie) -> Sessie:
        session = session.checked()
        with self.store.transaction():
            self._check_theme(session)
            saved = from_record(Sessie, self.store.insert(SESSIES, record_data(session)))
            self._theme_follows(saved)
        return saved

    def bewaar(self, session: Sessie, *, overwrite: bool = False) -> Sessie:
        session = session.checked()
        with self.store.transaction():
            self._check_theme(session)
            record = self.store.update(SESSIES, session.id, record_data(session),
                                       expected_rev=None if overwrite else session.rev)
            saved = from_record(Sessie, record)
            self._theme_follows(saved)
        return saved

    def verwijder(self, session: Sessie) -> int:
        label = f"Oudergroep {format_date(session.datum)} {session.titel}"
        return self.store.delete(SESSIES, session.id, label=label, expected_rev=session.rev)

    def herhaal(self, session: Sessie, herhaling: str, aantal: int) -> list[Sessie]:
        """Repeat a saved session as a series: ``aantal`` sessions in all, this one included.

        Copies keep the plan (time, place, theme, partners, interpreters, childcare) but not the
        invitations, attendance or report. Monthly means the same weekday of the month (the second
        Tuesday stays the second Tuesday; a fifth one becomes the last)."""
        if herhaling not in HERHALINGEN:
            raise ValidationError({"herhaling": "Kies elke week, om de twee weken of elke maand."})
        if not 2 <= aantal <= MAX_REEKS:
            raise ValidationError({"aantal": f"Een reeks telt 2 tot {MAX_REEKS} sessies (deze inbegrepen)."})
        if session.datum is None:
            raise ValidationError({"datum": "Deze sessie heeft geen datum."})
        dates = reeks_data(session.datum, herhaling, aantal)[1:]
        series = session.reeks_id or uuid.uuid4().hex[:12]
        with self.store.transaction():
            current = from_record(Sessie, self.store.get(SESSIES, session.id) or record_data(session))
            first = self.bewaar(msgspec.structs.replace(current, reeks_id=series, rev=session.rev))
            copies = [record_data(msgspec.structs.replace(
                first, datum=day, status="gepland", annulatie_reden="", uitnodigingen=(), aanwezig=(), verslag="",
                vragen="")) for day in dates]
            saved = [from_record(Sessie, r) for r in self.store.insert_many(SESSIES, copies)]
        return [first, *saved]

    def reeks(self, session: Sessie) -> list[Sessie]:
        if not session.reeks_id:
            return [session]
        return [s for s in self._view().sessions if s.reeks_id == session.reeks_id]

    def _change_session(self, sessie_id: int, change) -> Sessie:
        """Apply ``change`` to the stored session under the lock: quick ticks never conflict."""
        with self.store.transaction():
            record = self.store.get(SESSIES, sessie_id)
            if record is None:
                raise NotFoundError("Deze sessie bestaat niet (meer).")
            current = from_record(Sessie, record)
            saved = from_record(Sessie, self.store.update(SESSIES, sessie_id, record_data(change(current)),
                                                          expected_rev=None))
            self._theme_follows(saved)
        return saved

    def nodig_uit(self, sessie_id: int, persoon_ids: list[str], kanaal: str, op: date | None = None) -> Sessie:
        """Record that these people were invited (how and when); a planned session becomes 'uitgenodigd'."""
        if kanaal not in UITNODIGING_KANALEN:
            raise ValidationError({"kanaal": "Kies hoe je uitnodigde."})
        if not persoon_ids:
            raise ValidationError({"personen": "Duid eerst aan wie je uitnodigde (spatie)."})
        day = op or self.vandaag()

        def change(session: Sessie) -> Sessie:
            invites = {u.persoon_id: u for u in session.uitnodigingen}
            for pid in persoon_ids:
                invites[pid] = Uitnodiging(persoon_id=pid, kanaal=kanaal, op=day, door=self.store.user)
            status = "uitgenodigd" if session.status == "gepland" else session.status
            return msgspec.structs.replace(session, uitnodigingen=tuple(invites.values()), status=status)

        return self._change_session(sessie_id, change)

    def trek_uitnodiging_in(self, sessie_id: int, persoon_id: str) -> Sessie:
        return self._change_session(sessie_id, lambda s: msgspec.structs.replace(
            s, uitnodigingen=tuple(u for u in s.uitnodigingen if u.persoon_id != persoon_id)))

    def zet_aanwezig(self, sessie_id: int, persoon_id: str, aanwezig: bool = True) -> Sessie:
        """Tick someone present (or not). The first tick marks a planned session as held."""
        def change(session: Sessie) -> Sessie:
            if session.geannuleerd:
                raise ValidationError({"status": "Deze sessie is geannuleerd."})
            if aanwezig and session.datum and session.datum > self.vandaag():
                raise ValidationError({"datum": f"De sessie van {format_date(session.datum)} moet nog plaatsvinden."})
            present = [p for p in session.aanwezig if p != persoon_id]
            if aanwezig:
                present.append(persoon_id)
            status = "gehouden" if aanwezig and session.status in ("gepland", "uitgenodigd") else session.status
            return msgspec.structs.replace(session, aanwezig=tuple(present), status=status)

        return self._change_session(sessie_id, change)

    def voeg_gast_toe(self, sessie_id: int | None, gast: Gast, gezin_id: int | None = None) -> Persoon:
        """Someone who came in passing: as a new parent of a family in the registry, or as a guest.
        With a session, they are ticked present there too."""
        gast = gast.checked()
        with self.store.transaction():
            if gezin_id is not None:
                self._add_parent(gezin_id, gast)
            else:
                self.store.insert(GASTEN, record_data(gast))
            if sessie_id is not None:
                self.zet_aanwezig(sessie_id, gast.persoon_id)
        return self.persoon(gast.persoon_id)

    def _add_parent(self, gezin_id: int, gast: Gast) -> None:
        record = self.store.get(GEZINNEN, gezin_id)
        if record is None:
            raise ValidationError({"gezin_id": "Dit gezin bestaat niet (meer)."})
        current = from_record(Gezin, record)
        parent = Ouder(id=gast.persoon_id, relatie="ouder", voornaam=gast.voornaam, familienaam=gast.familienaam,
                       telefoon=gast.telefoon, talen=gast.talen, notities=gast.notities)
        self.registry.save_gezin(msgspec.structs.replace(current, ouders=(*current.ouders, parent)), overwrite=True)

    def koppel_gast(self, gast: Gast, gezin_id: int) -> Persoon:
        """Move a guest into a family as a parent, keeping the person id (so their attendance stays)."""
        with self.store.transaction():
            self._add_parent(gezin_id, gast)
            self.store.delete(GASTEN, gast.id, label=f"Gast {gast.naam}", expected_rev=None)
        return self.persoon(gast.persoon_id)

    def bewaar_gast(self, gast: Gast, *, overwrite: bool = False) -> Gast:
        gast = gast.checked()
        record = self.store.update(GASTEN, gast.id, record_data(gast), expected_rev=None if overwrite else gast.rev)
        return from_record(Gast, record)

    # -- follow-up ------------------------------------------------------------------------------
    def noteer_contact(self, contact: Contact) -> Contact:
        contact = contact.checked()
        return from_record(Contact, self.store.insert(CONTACTEN, record_data(contact)))

    # -- themes and requests --------------------------------------------------------------------
    def bewaar_thema(self, thema: Thema, *, overwrite: bool = False) -> Thema:
        thema = thema.checked()
        if not thema.id:
            return from_record(Thema, self.store.insert(THEMAS, record_data(thema)))
        record = self.store.update(THEMAS, thema.id, record_data(thema), expected_rev=None if overwrite else thema.rev)
        return from_record(Thema, record)

    def verwijder_thema(self, thema: Thema) -> int:
        return self.store.delete(THEMAS, thema.id, label=f"Thema oudergroep: {thema.titel}", expected_rev=thema.rev)

    def bewaar_verzoek(self, verzoek: Verzoek, *, overwrite: bool = False) -> Verzoek:
        if verzoek.gevraagd_op is None:
            verzoek = msgspec.structs.replace(verzoek, gevraagd_op=self.vandaag())
        if verzoek.teruggekoppeld and verzoek.teruggekoppeld_op is None:
            verzoek = msgspec.structs.replace(verzoek, teruggekoppeld_op=self.vandaag())
        verzoek = verzoek.checked()
        if not verzoek.id:
            return from_record(Verzoek, self.store.insert(VERZOEKEN, record_data(verzoek)))
        record = self.store.update(VERZOEKEN, verzoek.id, record_data(verzoek),
                                   expected_rev=None if overwrite else verzoek.rev)
        return from_record(Verzoek, record)

    def verwijder_verzoek(self, verzoek: Verzoek) -> int:
        return self.store.delete(VERZOEKEN, verzoek.id, label=f"Verzoek oudergroep: {verzoek.wat[:60]}",
                                 expected_rev=verzoek.rev)


# -- dates ------------------------------------------------------------------------------------------
def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The ``nth`` (1-based) ``weekday`` of a month; the last one when the month has fewer."""
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    candidate = day + timedelta(weeks=nth - 1)
    while candidate.month != month:
        candidate -= timedelta(weeks=1)
    return candidate


def reeks_data(start: date, herhaling: str, aantal: int) -> list[date]:
    """The dates of a series of ``aantal`` sessions from ``start`` on (``start`` included)."""
    if herhaling in ("week", "twee_weken"):
        step = timedelta(weeks=1 if herhaling == "week" else 2)
        return [start + step * i for i in range(aantal)]
    nth = (start.day - 1) // 7 + 1
    dates = []
    for i in range(aantal):
        month_index = start.month - 1 + i
        dates.append(_nth_weekday(start.year + month_index // 12, month_index % 12 + 1, start.weekday(), nth))
    return dates


DAGEN = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MAANDEN = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december")


def lange_datum(day: date | None) -> str:
    """``dinsdag 8 december 2026``: how a letter to parents says a date."""
    if day is None:
        return ""
    return f"{DAGEN[day.weekday()]} {day.day} {MAANDEN[day.month - 1]} {day.year}"


def staaf(waarde: float, maximum: float, breedte: int = 30) -> str:
    """A horizontal bar of block characters, ``breedte`` wide at ``maximum`` (eighths for the last bit)."""
    if maximum <= 0 or waarde <= 0:
        return ""
    eighths = round(waarde / maximum * breedte * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("" if not rest else " ▏▎▍▌▋▊▉"[rest])
