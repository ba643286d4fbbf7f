"""The parent group's operations: people to invite, sessions and series, attendance, the
stayed-away list, the year's figures, themes and requests."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from types import MappingProxyType

import msgspec

from ouder_tui.collector import paused_gc
from ouder_tui.errors import NotFoundError, ValidationError
from ouder_tui.leerlingen import GEZINNEN, LEERLINGEN, Gezin, Ouder, Registry
from ouder_tui.models import from_record, record_data
from ouder_tui.oudergroep.models import (
    CONTACTEN,
    GASTEN,
    HERHALINGEN,
    MAX_REEKS,
    SESSIES,
    THEMA_STATUSSEN,
    THEMAS,
    UITNODIGING_KANALEN,
    VERZOEKEN,
    Contact,
    Gast,
    Sessie,
    Thema,
    Uitnodiging,
    Verzoek,
    reeks_data,
)
from ouder_tui.settings import load_settings
from ouder_tui.store import Store
from ouder_tui.text import clean_text, fold, format_date, school_year_of


# -- people ---------------------------------------------------------------------------------------
class Persoon(msgspec.Struct, frozen=True, gc=False):
    """Someone who can be invited or attend: a parent from the registry or a walk-in guest.

    Plain data the cycle collector leaves alone (``gc=False``): everyone at 50,000 pupils is 33,000 people."""

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


class _People:
    """Every parent of the school and every guest of the group, made of the families, pupils and guests only,
    so a change to the sessions (an attendance tick) does not make them again.

    Every parent as a Persoon is only made when a list of everyone is asked for: the dashboard, a session's
    attendance and a single person need just a few (at 50,000 records that is 33,000 parents)."""

    def __init__(self, registry: Registry, guests: list[Gast]) -> None:
        self.guests = {g.persoon_id: g for g in guests}
        # the families and pupils as they are now (each a state that never changes)
        self._families = registry.gezinnen_op_ouder_id()
        self._children = registry.actieve_kinderen_op_gezin()
        self._one: dict[str, Persoon] = {}

    @staticmethod
    def _parent(gezin: Gezin, kids: tuple, ouder: Ouder) -> Persoon:
        return Persoon(id=ouder.id, naam=ouder.naam or f"({ouder.relatie})", gezin_id=gezin.id,
                       gezin_naam=gezin.naam, relatie=ouder.relatie, talen=ouder.talen, telefoon=ouder.telefoon,
                       klassen=tuple(dict.fromkeys(k.klas for k in kids if k.klas)), actief=bool(kids))

    @staticmethod
    def _guest(guest: Gast) -> Persoon:
        return Persoon(id=guest.persoon_id, naam=guest.naam, talen=guest.talen, telefoon=guest.telefoon,
                       gast_id=guest.id)

    @cached_property
    def people(self) -> dict[str, Persoon]:
        """Every parent and guest, by person id (a parent who is also a guest counts as the parent)."""
        people = {ouder.id: self._parent(gezin, self._children.get(gezin.id, ()), ouder)
                  for gezin in {g.id: g for g in self._families.values()}.values() for ouder in gezin.ouders}
        for guest in self.guests.values():
            people.setdefault(guest.persoon_id, self._guest(guest))
        return people

    def _parent_of(self, persoon_id: str) -> tuple[Gezin, tuple, Ouder] | None:
        gezin = self._families.get(persoon_id)
        if gezin is None:
            return None
        ouder = next(o for o in gezin.ouders if o.id == persoon_id)
        return gezin, self._children.get(gezin.id, ()), ouder

    def person(self, persoon_id: str) -> Persoon | None:
        """One parent or guest, without making everyone (see :attr:`people`)."""
        everyone = self.__dict__.get("people")
        if everyone is not None:
            return everyone.get(persoon_id)
        found = self._one.get(persoon_id)
        if found is None:
            parent = self._parent_of(persoon_id)
            guest = self.guests.get(persoon_id)
            found = self._parent(*parent) if parent else self._guest(guest) if guest else None
            if found is not None:
                self._one[persoon_id] = found
        return found

    @cached_property
    def people_sorted(self) -> list[Persoon]:
        return sorted(self.people.values(), key=lambda p: (fold(p.naam), p.id))

    @cached_property
    def haystacks(self) -> dict[str, str]:
        return {p.id: fold(f"{p.naam} {p.gezin_naam} {p.telefoon} {' '.join(p.klassen)}") for p in self.people.values()}


class _Snapshot:
    """The group's sessions, themes, requests and contacts, with the people (kept apart, see :class:`_People`)."""

    def __init__(self, people: _People, sessions: list[Sessie], themes: list[Thema], requests: list[Verzoek],
                 contacts: list[Contact]) -> None:
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
        self.who = people
        self.guests = people.guests

    @property
    def people(self) -> dict[str, Persoon]:
        return self.who.people

    @property
    def people_sorted(self) -> list[Persoon]:
        return self.who.people_sorted

    def person(self, persoon_id: str) -> Persoon | None:
        return self.who.person(persoon_id)

    def haystack(self, person: Persoon) -> str:
        return self.who.haystacks.get(person.id, "")

    @cached_property
    def attended(self) -> dict[str, list[Sessie]]:
        """Per person the held sessions they attended, oldest first."""
        found: dict[str, list[Sessie]] = {}
        for session in self.sessions:
            if session.gehouden:
                for pid in session.aanwezig:
                    found.setdefault(pid, []).append(session)
        return found


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
        return self.store.derived("oudergroep", self._build,  # it names parents and pupils too
                                  tables=(SESSIES, THEMAS, VERZOEKEN, CONTACTEN, GASTEN, GEZINNEN, LEERLINGEN))

    def _people(self) -> _People:
        return self.store.derived("oudergroep.mensen", self._build_people, tables=(GASTEN, GEZINNEN, LEERLINGEN))

    def _build_people(self) -> _People:
        with paused_gc():
            return _People(self.registry, self.store.all_as(Gast, GASTEN))

    def _build(self) -> _Snapshot:
        with paused_gc():
            def load(table, kind):
                return self.store.all_as(kind, table)

            return _Snapshot(self._people(), load(SESSIES, Sessie), load(THEMAS, Thema), load(VERZOEKEN, Verzoek),
                             load(CONTACTEN, Contact))

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
        return self._view().person(persoon_id) or onbekende_persoon(persoon_id)

    def personen(self, *, tekst: str = "", klas: str = "", taal: str = "", eerder: str = "") -> list[Persoon]:
        """Parents and guests to invite, parents of families marked for extra attention first, then by name;
        filters: class of a child, language, earlier attendance (``ooit``: came at least once, ``nooit``:
        never came, ``vast``: the core of regulars)."""
        view = self._view()
        words = fold(clean_text(tekst)).split()
        wanted_class = fold(klas.strip())
        wanted_language = fold(taal.strip())
        found = []
        if eerder in ("ooit", "vast"):  # only those who came: no need to walk every parent
            candidates = sorted((view.person(pid) or onbekende_persoon(pid) for pid in view.attended),
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
        from ouder_tui.bereik import marks

        marked = marks(self.store)  # parents of families marked for extra attention first
        return sorted(found, key=lambda p: p.gezin_id not in marked)

    def aanwezigheden(self, persoon_id: str) -> list[Sessie]:
        """The held sessions someone attended, oldest first."""
        return list(self._view().attended.get(persoon_id, ()))

    def contacten(self, persoon_id: str) -> list[Contact]:
        return list(self._view().contacts.get(persoon_id, ()))

    def contacten_per_persoon(self) -> Mapping[str, Sequence[Contact]]:
        """Every noted contact per person, read once (for what goes over everyone, like the school's reach)."""
        return MappingProxyType(self._view().contacts)

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

    def waarschuwingen(self, session: Sessie) -> list[str]:
        """What is worth a second look after a save: the session's own warnings (past, weekend, a school
        holiday, late in the day), other sessions of its series in a holiday, and another session at the
        same time and place."""
        from ouder_tui.kalender import vrij_op

        found = session.warnings(self.vandaag())
        if session.reeks_id:
            others = [s for s in self.reeks(session) if s.id != session.id and s.datum and not s.geannuleerd]
            holidays = [f"{format_date(s.datum)} ({free.naam})" for s in others
                        if s.datum.weekday() < 5 and (free := vrij_op(s.datum)) is not None]
            if holidays:
                found.append(f"Ook in deze reeks vallen sessies op een vrije dag: {', '.join(holidays)}.")
        for other in self.dubbel(session):
            found.append(f"Op {format_date(other.datum)} is er om {other.uren} al een sessie"
                         + (f" in {other.plaats}" if other.plaats else "") + f": {other.titel}.")
        return found

    def dubbel(self, session: Sessie) -> list[Sessie]:
        """Other sessions (not cancelled) on the same day whose hours overlap, in the same place (or where
        either has no place yet)."""
        if session.datum is None or session.geannuleerd:
            return []

        def span(s: Sessie) -> tuple[str, str]:  # "09:00" < "11:00": times compare as text
            return s.begin, s.einde if s.einde > s.begin else "23:59"

        def same_place(other: Sessie) -> bool:
            return not session.plaats or not other.plaats or fold(session.plaats) == fold(other.plaats)

        start, end = span(session)
        return [o for o in self._view().sessions
                if o.id != session.id and o.datum == session.datum and not o.geannuleerd and same_place(o)
                and span(o)[0] < end and start < span(o)[1]]

    def reeks(self, session: Sessie) -> list[Sessie]:
        if not session.reeks_id:
            return [session]
        return [s for s in self._view().sessions if s.reeks_id == session.reeks_id]

    # -- a series as a unit ---------------------------------------------------------------------
    #: What "change this and the following sessions" carries over: the plan, not the date or what happened.
    PLAN_FIELDS = ("begin", "einde", "plaats", "titel", "thema_id", "omschrijving", "partners", "begeleiders",
                   "tolken", "kinderopvang", "kinderopvang_info")

    def volgende_in_reeks(self, session: Sessie) -> list[Sessie]:
        """The later sessions of its series that have not been held or cancelled yet."""
        if not session.reeks_id or session.datum is None:
            return []
        return [s for s in self.reeks(session) if s.id != session.id and s.datum and s.datum > session.datum
                and s.status in ("gepland", "uitgenodigd")]

    def wijzig_volgende(self, session: Sessie) -> list[Sessie]:
        """Give the following sessions of the series the plan of ``session`` (hours, place, theme, partners...)."""
        plan = {name: getattr(session, name) for name in self.PLAN_FIELDS}
        with self.store.transaction():
            return [self._change_session(s.id, lambda current: msgspec.structs.replace(current, **plan).checked())
                    for s in self.volgende_in_reeks(session)]

    def annuleer_volgende(self, session: Sessie, reden: str) -> list[Sessie]:
        """Cancel the following sessions of the series too, with the same reason."""
        with self.store.transaction():
            return [self._change_session(s.id, lambda current: msgspec.structs.replace(
                current, status="geannuleerd", annulatie_reden=reden).checked()) for s in self.volgende_in_reeks(session)]

    def nodig_uit_reeks(self, sessie_id: int, persoon_ids: list[str], kanaal: str,
                        op: date | None = None) -> list[Sessie]:
        """Invite for this session and the following ones of its series at once."""
        session = self.sessie(sessie_id)
        with self.store.transaction():
            return [self.nodig_uit(s.id, persoon_ids, kanaal, op) for s in [session, *self.volgende_in_reeks(session)]]

    def te_verwittigen(self, session: Sessie) -> list[Persoon]:
        """Whom to tell that a session does not go on: the people invited to it (by name)."""
        return sorted((self.persoon(u.persoon_id) for u in session.uitnodigingen), key=lambda p: (fold(p.naam), p.id))

    # -- requests: what comes out of a session, what goes back to the group -----------------------
    def terug_te_koppelen(self) -> list[Verzoek]:
        """Requests the school answered and whose answer still has to be brought back to the group."""
        return [v for v in self._view().requests if v.status == "beantwoord" and not v.teruggekoppeld]

    def verzoeken_uit_verslag(self, sessie_id: int) -> list[Verzoek]:
        """Each line under 'questions and requests' of a session's report becomes a request (once)."""
        session = self.sessie(sessie_id)
        known = {fold(v.wat) for v in self._view().requests if v.sessie_id == sessie_id}
        lines = [line.strip(" -•*\t") for line in session.vragen.splitlines()]
        new = [line for line in dict.fromkeys(lines) if line and fold(line) not in known]
        with self.store.transaction():
            return [self.bewaar_verzoek(Verzoek(wat=line[:500], gevraagd_op=session.datum, sessie_id=sessie_id))
                    for line in new]

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
