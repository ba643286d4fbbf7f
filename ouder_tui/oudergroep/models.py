"""The parent group's records: themes, sessions (with partners, interpreters, invitations and
attendance), walk-in guests, contacts with parents who stayed away, and the group's requests."""

from __future__ import annotations

import re
from datetime import date, timedelta

import msgspec

from ouder_tui.kalender import vrij_op
from ouder_tui.leerlingen import new_person_id
from ouder_tui.models import MAX_NAME, MAX_NOTE, Checker, Record
from ouder_tui.text import clean_text, format_date, school_year_of

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


class Partner(msgspec.Struct, kw_only=True, frozen=True, gc=False):
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


class Tolk(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """An interpreter at a session and the language they interpret."""

    taal: str = ""
    naam: str = ""

    def regel(self) -> str:
        return f"{self.taal} ({self.naam})" if self.naam else self.taal


class Uitnodiging(msgspec.Struct, kw_only=True, frozen=True, gc=False):
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
        elif self.datum and (free := vrij_op(self.datum)) is not None:
            found.append(f"{format_date(self.datum)} valt in de {free.naam} (vrij voor de Vlaamse scholen): "
                         "veel ouders zijn er dan niet, en de school is misschien dicht." if free.van != free.tot else
                         f"{format_date(self.datum)} is een vrije dag voor de Vlaamse scholen ({free.naam}).")
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
