"""The shared registry: pupils (*leerlingen*) and families (*gezinnen*) with their parents.

Every module builds on it. A family holds its parents or guardians (each with a
stable ``id`` so attendance and notes can point at one person); a pupil points at
its family with ``gezin_id``. :class:`Registry` is the only way in: screens and
the command line call its operations, it calls the store.
"""

from __future__ import annotations

import bisect
import itertools
import re
import uuid
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from functools import cached_property, lru_cache
from operator import attrgetter
from types import MappingProxyType
from typing import Generic, Literal, TypeVar

import msgspec

from ouder_tui.areas import (
    MAX_HITS,
    AreaDescriptor,
    ErasurePart,
    ExportSpec,
    SearchHit,
    Services,
    Subject,
)
from ouder_tui.collector import paused_gc
from ouder_tui.errors import NotFoundError, ValidationError
from ouder_tui.kanalen import kanaal_naam, kanalen
from ouder_tui.models import (
    MAX_NAME,
    MAX_NOTE,
    STAMP_FIELDS,
    Checker,
    Record,
    from_record,
    record_data,
    share_values,
)
from ouder_tui.sequences import Chunked, Layered
from ouder_tui.store import Store
from ouder_tui.text import clean_text, fold, format_date, parse_school_year, plural

LEERLINGEN = "leerlingen"
GEZINNEN = "gezinnen"

RELATIES = ("moeder", "vader", "voogd", "plusouder", "grootouder", "pleegouder", "ouder", "andere")
#: The channels a parent can prefer: the one list the communication plan uses too (``ouder_tui.kanalen``).
KANALEN = ("", *kanalen().values())
STATUS_ACTIEF = "actief"
STATUS_VERTROKKEN = "vertrokken"


def new_person_id() -> str:
    """A short id for a parent, unique across PCs without coordination."""
    return uuid.uuid4().hex[:12]


def leerjaar_from_klas(klas: str) -> int | None:
    """The grade a class name points at: ``5A`` -> 5, ``L3b`` -> 3; kindergarten (``K2``) -> ``None``."""
    text = klas.strip().upper()
    if not text or text.startswith("K"):
        return None
    for char in text:
        if char.isdigit():
            grade = int(char)
            return grade if 1 <= grade <= 6 else None
    return None


class Adres(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """A postal address."""

    straat: str = ""
    huisnummer: str = ""
    bus: str = ""
    postcode: str = ""
    gemeente: str = ""

    def is_empty(self) -> bool:
        return not (self.straat or self.postcode or self.gemeente)

    def regel(self) -> str:
        """One line: ``Kerkstraat 12 bus 3, 9000 Gent``."""
        street = " ".join(p for p in (self.straat, self.huisnummer) if p)
        if self.bus:
            street += f" bus {self.bus}"
        town = " ".join(p for p in (self.postcode, self.gemeente) if p)
        return ", ".join(p for p in (street, town) if p)

    def checked(self, check: Checker, prefix: str) -> Adres:
        return Adres(
            straat=check.text(f"{prefix}straat", self.straat, limit=MAX_NAME),
            huisnummer=check.text(f"{prefix}huisnummer", self.huisnummer, limit=20),
            bus=check.text(f"{prefix}bus", self.bus, limit=20),
            postcode=check.text(f"{prefix}postcode", self.postcode, limit=20),
            gemeente=check.text(f"{prefix}gemeente", self.gemeente, limit=MAX_NAME),
        )


class Ouder(msgspec.Struct, kw_only=True, frozen=True, gc=False):
    """A parent or guardian, part of a family."""

    id: str = ""
    relatie: str = "ouder"
    voornaam: str = ""
    familienaam: str = ""
    talen: tuple[str, ...] = ()
    tolk_nodig: bool = False
    tolk_taal: str = ""
    telefoon: str = ""
    email: str = ""
    adres: Adres = Adres()
    voorkeurkanaal: str = ""
    beste_momenten: str = ""
    notities: str = ""

    @property
    def naam(self) -> str:
        return " ".join(p for p in (self.voornaam, self.familienaam) if p)

    def heeft_contact(self) -> bool:
        return bool(self.telefoon or self.email)

    @property
    def tolk_in(self) -> str:
        """The language an interpreter is needed in (where one is): the one given, else the first spoken."""
        return self.tolk_taal or (self.talen[0] if self.talen else "onbekend")

    def checked(self, check: Checker, prefix: str) -> Ouder:
        """A cleaned copy; messages go to fields named ``{prefix}voornaam`` etc."""
        relatie = clean_text(self.relatie).lower() or "ouder"
        if relatie not in RELATIES:
            check.fail(f"{prefix}relatie", f"Kies een van: {', '.join(RELATIES)}.")
        voornaam = check.text(f"{prefix}voornaam", self.voornaam, limit=MAX_NAME)
        familienaam = check.text(f"{prefix}familienaam", self.familienaam, limit=MAX_NAME)
        if not (voornaam or familienaam):
            check.fail(f"{prefix}voornaam", "Vul minstens een voornaam of familienaam in.")
        talen = tuple(dict.fromkeys(t for t in (clean_text(x)[:40] for x in self.talen) if t))
        tolk_taal = check.text(f"{prefix}tolk_taal", self.tolk_taal, limit=40)
        return Ouder(
            id=self.id or new_person_id(),
            relatie=relatie,
            voornaam=voornaam,
            familienaam=familienaam,
            talen=talen,
            tolk_nodig=self.tolk_nodig,
            tolk_taal=tolk_taal if self.tolk_nodig else "",
            telefoon=check.phone(f"{prefix}telefoon", self.telefoon),
            email=check.email(f"{prefix}email", self.email),
            adres=self.adres.checked(check, f"{prefix}adres."),
            voorkeurkanaal=kanaal_naam(check.text(f"{prefix}voorkeurkanaal", self.voorkeurkanaal, limit=40)),
            beste_momenten=check.text(f"{prefix}beste_momenten", self.beste_momenten, limit=MAX_NAME),
            notities=check.text(f"{prefix}notities", self.notities, limit=MAX_NOTE, multiline=True),
        )


class Gezin(Record, kw_only=True, frozen=True):
    """A family: its parents or guardians and where they live. Its children point at it."""

    naam: str = ""
    adres: Adres = Adres()
    ouders: tuple[Ouder, ...] = ()
    notities: str = ""

    def checked(self) -> Gezin:
        """A cleaned copy, or :class:`ValidationError` with a message per field."""
        check = Checker()
        naam = check.text("naam", self.naam, required=True, limit=MAX_NAME, label="De naam van het gezin")
        ouders = tuple(ouder.checked(check, f"ouders.{i}.") for i, ouder in enumerate(self.ouders))
        adres = self.adres.checked(check, "adres.")
        notities = check.text("notities", self.notities, limit=MAX_NOTE, multiline=True)
        check.done()
        return msgspec.structs.replace(self, naam=naam, ouders=ouders, adres=adres, notities=notities)

    def talen(self) -> list[str]:
        """Every language its parents speak, in order of appearance."""
        return list(dict.fromkeys(t for o in self.ouders for t in o.talen))

    def tolk_talen(self) -> list[str]:
        """Languages for which an interpreter is needed."""
        return list(dict.fromkeys(o.tolk_in for o in self.ouders if o.tolk_nodig))

    def heeft_contact(self) -> bool:
        return any(o.heeft_contact() for o in self.ouders)


class Leerling(Record, kw_only=True, frozen=True):
    """A pupil of the school."""

    stamboeknummer: str = ""
    voornaam: str = ""
    familienaam: str = ""
    geboortedatum: date | None = None
    klas: str = ""
    klasnummer: str = ""
    leerjaar: int | None = None
    schooljaar: str = ""
    status: Literal["actief", "vertrokken"] = STATUS_ACTIEF
    vertrokken_op: date | None = None
    gezin_id: int | None = None
    notities: str = ""

    @property
    def naam(self) -> str:
        return " ".join(p for p in (self.voornaam, self.familienaam) if p)

    @property
    def actief(self) -> bool:
        return self.status == STATUS_ACTIEF

    def checked(self) -> Leerling:
        """A cleaned copy, or :class:`ValidationError` with a message per field."""
        check = Checker()
        voornaam = check.text("voornaam", self.voornaam, required=True, limit=MAX_NAME, label="De voornaam")
        familienaam = check.text("familienaam", self.familienaam, required=True, limit=MAX_NAME,
                                 label="De familienaam")
        klas = check.text("klas", self.klas, limit=20)
        schooljaar = check.text("schooljaar", self.schooljaar, limit=9)
        if schooljaar:
            try:
                schooljaar = parse_school_year(schooljaar)
            except ValueError as exc:
                check.fail("schooljaar", str(exc))
        leerjaar = self.leerjaar if self.leerjaar is not None else leerjaar_from_klas(klas)
        if leerjaar is not None and not 1 <= leerjaar <= 6:
            check.fail("leerjaar", "Een leerjaar ligt tussen 1 en 6.")
        if self.geboortedatum and not date(1990, 1, 1) <= self.geboortedatum <= date.today():
            check.fail("geboortedatum", f"{format_date(self.geboortedatum)} kan geen geboortedatum zijn.")
        vertrokken_op = self.vertrokken_op if self.status == STATUS_VERTROKKEN else None
        result = msgspec.structs.replace(
            self,
            stamboeknummer=check.text("stamboeknummer", self.stamboeknummer, limit=40),
            voornaam=voornaam,
            familienaam=familienaam,
            klas=klas,
            klasnummer=check.text("klasnummer", self.klasnummer, limit=10),
            leerjaar=leerjaar,
            schooljaar=schooljaar,
            vertrokken_op=vertrokken_op,
            notities=check.text("notities", self.notities, limit=MAX_NOTE, multiline=True),
        )
        check.done()
        return result



#: Fields of the registry's models whose values repeat over many records (see Registry.share_repeated_values);
#: numbers that are one per record (stamboeknummer, phones, ids) and free text (notes, e-mail) are left out.
_PUPIL_REPEATS = (*STAMP_FIELDS, "klas", "klasnummer", "schooljaar", "voornaam", "familienaam", "geboortedatum",
                  "vertrokken_op")
_FAMILY_REPEATS = (*STAMP_FIELDS, "naam")
_ADDRESS_REPEATS = ("straat", "huisnummer", "bus", "postcode", "gemeente")
#: A parent's address as a whole: most parents have none of their own (the family's is theirs).
_PARENT_REPEATS = ("relatie", "voornaam", "familienaam", "talen", "tolk_taal", "voorkeurkanaal", "beste_momenten",
                   "adres")

#: Folding a name for sorting, remembered (names repeat: a family name over its children and their parents).
_fold_name = lru_cache(maxsize=1 << 16)(fold)


def _pupil_key(p: Leerling) -> str:
    """Where a pupil stands in lists: class, family name, first name, and the id to keep equal names apart.

    One string (parts joined by NUL, which no stored text holds, so it sorts as the tuple of its parts
    would), since strings compare far faster than tuples when 50,000 pupils are sorted."""
    return f"{p.klas}\0{_fold_name(p.familienaam)}\0{_fold_name(p.voornaam)}\0{p.id:012d}"


def _child_key(p: Leerling) -> tuple:
    """Children of a family: oldest first."""
    return (p.geboortedatum or date.max, p.voornaam, p.id)


def _family_key(g: Gezin) -> str:
    return f"{_fold_name(g.naam)}\0{g.id:012d}"


def _phones(text: str) -> str:
    """A phone number as typed and as digits in the national form (so every way of typing it finds it)."""
    return f"{text} {phone_key(text)}"


S = TypeVar("S", "Leerling", "Gezin")


class _Sorted(Generic[S]):
    """Records by id and in list order, brought up to date record by record; never changed once built.

    The order is made when first asked for: the dashboard's figures need the records, not their order
    (sorting 50,000 pupils is ~0.1 s of the dashboard otherwise)."""

    #: Whether the repeated values of these records were shared (see :meth:`Registry.share_repeated_values`).
    shared = False

    def __init__(self, by_id: Mapping[int, S], key: Callable[[S], str]) -> None:
        self.by_id = by_id
        self.key = key

    @cached_property
    def items(self) -> Chunked[S]:
        # One string per record as its key (see _pupil_key), made for the sort and not kept: a changed record
        # is placed by bisecting with the key function (~17 keys made per change, where keeping every record's
        # key cost ~4 MB at 50,000 records). Keys are unique (they end in the id): records are never compared.
        # Chunked: an update copies a few hundred records of it, not all (see ouder_tui.sequences).
        return Chunked(sorted(self.by_id.values(), key=self.key))

    def updated(self, changed: dict[int, S | None]) -> _Sorted[S]:
        """A new one with ``changed`` (id -> the record now, ``None``: gone) in place; ``self`` stays as it was."""
        new = object.__new__(type(self))
        new.key, new.by_id = self.key, _layered(self.by_id).changed(changed)
        new.shared = self.shared  # the records carried over are; a changed one or two need not be
        if "items" in self.__dict__:  # else made when first asked for, as here
            new.__dict__["items"] = self._placed(self.items, changed)
        return new

    def _placed(self, items: Chunked[S], changed: dict[int, S | None],
                wanted: Callable[[S], bool] | None = None) -> Chunked[S]:
        """``items`` (in list order) with ``changed`` in place: each record as it was taken out, as it is now put
        in, where ``wanted`` (a list of some of the records: the pupils still at school)."""
        for record_id, record in changed.items():
            old = self.by_id.get(record_id)
            if old is not None and (wanted is None or wanted(old)):
                items = items.removed(bisect.bisect_left(items, self.key(old), key=self.key))
            if record is not None and (wanted is None or wanted(record)):
                items = items.inserted(bisect.bisect_left(items, self.key(record), key=self.key), record)
        return items


def _layered(found: Mapping[int, S]) -> Layered[int, S]:
    """A state's lookup as a layered mapping, to change it (a dict of a built state is never changed: shared)."""
    return found if isinstance(found, Layered) else Layered.of(found)  # type: ignore[arg-type]


class _Pupils(_Sorted[Leerling]):
    """Every pupil, in list order, with the children per family."""

    def __init__(self, by_id: dict[int, Leerling]) -> None:
        super().__init__(by_id, _pupil_key)

    @cached_property
    def active(self) -> Chunked[Leerling]:
        """The pupils still at school, in list order."""
        return Chunked([pupil for pupil in self.items if pupil.actief])

    # Children per family as tuples: a tuple of models (which the cycle collector does not track) is left
    # alone by the collector, where 60,000 lists at 50,000 pupils made every full collection ~60 ms longer.
    @cached_property
    def children(self) -> Mapping[int, tuple[Leerling, ...]]:
        children: dict[int, list[Leerling]] = {}
        for pupil in self.by_id.values():  # sorted per family below: the list's order is not needed
            if pupil.gezin_id is not None:
                children.setdefault(pupil.gezin_id, []).append(pupil)
        # (most families have one child at school: no sort for them)
        return {gezin_id: tuple(kids) if len(kids) == 1 else tuple(sorted(kids, key=_child_key))
                for gezin_id, kids in children.items()}

    @cached_property
    def active_children(self) -> Mapping[int, tuple[Leerling, ...]]:
        active: dict[int, tuple[Leerling, ...]] = {}
        for gezin_id, kids in self.children.items():
            if all(k.actief for k in kids):  # the common case: the same tuple
                active[gezin_id] = kids
            elif still := tuple(k for k in kids if k.actief):
                active[gezin_id] = still
        return active

    def updated(self, changed: dict[int, Leerling | None]) -> _Pupils:
        new = super().updated(changed)
        if "active" in self.__dict__:  # placed record by record, as the whole list is (not 50,000 filtered again)
            new.__dict__["active"] = self._placed(self.active, changed, attrgetter("actief"))
        if "children" not in self.__dict__:
            return new  # never asked for: made when first needed
        touched = {p.gezin_id for p in (*(self.by_id.get(i) for i in changed), *changed.values())
                   if p is not None and p.gezin_id is not None}
        children: dict[int, tuple[Leerling, ...] | None] = {}
        at_school: dict[int, tuple[Leerling, ...] | None] = {}
        for gezin_id in touched:
            kids = [k for k in self.children.get(gezin_id, ()) if k.id not in changed]
            kids += [p for p in changed.values() if p is not None and p.gezin_id == gezin_id]
            kids.sort(key=_child_key)
            children[gezin_id] = tuple(kids) or None  # None: no child left, the family goes
            at_school[gezin_id] = tuple(k for k in kids if k.actief) or None
        new.__dict__["children"] = _layered(self.children).changed(children)
        if "active_children" in self.__dict__:
            new.__dict__["active_children"] = _layered(self.__dict__["active_children"]).changed(at_school)
        return new


class _Families(_Sorted[Gezin]):
    def __init__(self, by_id: dict[int, Gezin]) -> None:
        super().__init__(by_id, _family_key)

    # Figures of the dashboard, made once per state of the families (a new state is a new object).
    # Neither needs every family in order (the dashboard asks them before any list is shown): the few without
    # contact are put in order, and the languages in the order of the first family by name that needs each.
    @cached_property
    def without_contact(self) -> list[Gezin]:
        return sorted(self._parents_figures[0], key=self.key)

    @cached_property
    def interpreters(self) -> dict[str, int]:
        needing = self._parents_figures[1]
        counts = Counter(itertools.chain.from_iterable(languages for _, languages in needing))
        # Equal counts go in the order of the first family by name that needs the language: a family's key is
        # made only for those (a quarter of the families may need an interpreter, and most counts differ).
        ties = {n for n, alike in Counter(counts.values()).items() if alike > 1}
        first: dict[str, tuple[str, int]] = {}
        for g, languages in needing if ties else ():
            tied = [(place, language) for place, language in enumerate(languages) if counts[language] in ties]
            if tied:
                key = self.key(g)
                for place, language in tied:
                    if language not in first or (key, place) < first[language]:
                        first[language] = (key, place)
        return {language: counts[language]
                for language in sorted(counts, key=lambda t: (-counts[t], first.get(t, ("", 0))))}

    @cached_property
    def _parents_figures(self) -> tuple[list[Gezin], list[tuple[Gezin, list[str]]]]:
        """The families without a phone or e-mail (Gezin.heeft_contact), and those that need an interpreter
        with the languages (Gezin.tolk_talen): one pass over every parent, in line (at 50,000 records a call
        per family for each figure was ~45 ms of the dashboard)."""
        unreachable, interpreted = [], []
        for g in self.by_id.values():
            reachable = False
            languages: list[str] | None = None
            for o in g.ouders:
                reachable = reachable or o.heeft_contact()
                if o.tolk_nodig:
                    language = o.tolk_in
                    if languages is None:
                        languages = [language]
                    elif language not in languages:
                        languages.append(language)
            if not reachable:
                unreachable.append(g)
            if languages:
                interpreted.append((g, languages))
        return unreachable, interpreted

    @cached_property
    def by_parent(self) -> dict[str, Gezin]:
        return {ouder.id: g for g in self.by_id.values() for ouder in g.ouders}


#: How many searches of a list are remembered (see _Matches): a word typed and erased letter by letter.
_RECENT_SEARCHES = 16


class _Matches:
    """The search texts of a list's records, in the list's order, and where its recent searches found hits.

    A search scans every text once (~10 ms at 50,000 pupils: the first word of a filter). What a user types
    next mostly narrows it: a text holding "peet" holds "pee", so the next letter only looks among what the
    last search found. A backspace asks a search made a moment ago again, and is answered from memory.
    Positions are kept as arrays (4 bytes a hit); the whole is dropped with the list, when a record changes."""

    def __init__(self, records: Sequence, texts: list[str]) -> None:
        self.source = records
        #: The records as a list, for reading hits by their place (a Chunked list looks up its tuple each time).
        self.records = records if isinstance(records, list) else list(records)
        self.texts = texts
        self._recent: dict[tuple[str, ...], array[int]] = {}

    def positions(self, words: list[str], limit: int | None = None) -> Iterable[int]:
        """Where the texts holding every one of ``words`` are (in order); with ``limit``, at most so many."""
        key = tuple(words)
        found = self._recent.pop(key, None)
        if found is not None:
            self._recent[key] = found  # the most recent last
            return found if limit is None else found[:limit]
        texts = self.texts
        within = self._narrowest(key)
        if within is None:
            first, *rest = words
            if limit is not None:  # stop at the first ``limit`` found (the palette shows a dozen)
                hits = (i for i, text in enumerate(texts) if first in text and all(w in text for w in rest))
                return list(itertools.islice(hits, limit))
            found_list = [i for i, text in enumerate(texts) if first in text]
        else:
            rest = list(words)
            if limit is not None:
                hits = (i for i in within if all(w in texts[i] for w in rest))
                return list(itertools.islice(hits, limit))
            word = rest.pop(0)
            found_list = [i for i in within if word in texts[i]]
        for word in rest:
            found_list = [i for i in found_list if word in texts[i]]
        found = array("I", found_list)
        self._recent[key] = found
        if len(self._recent) > _RECENT_SEARCHES:
            del self._recent[next(iter(self._recent))]
        return found

    def _narrowest(self, words: tuple[str, ...]) -> array[int] | None:
        """The fewest hits of a recent search whose every hit may hold ``words``: each of its words lies
        within one of these (a text holding "peeters" holds "peet")."""
        best = None
        for earlier, found in self._recent.items():
            if (best is None or len(found) < len(best)) and all(any(e in w for w in words) for e in earlier):
                best = found
        return best


class _SearchText:
    """Per pupil and per family the folded text a search looks in (names, class, number, parents, phones,
    address, e-mail); a pupil's text holds its family's, so a family's change also renews its children's."""

    def __init__(self, pupils: _Pupils, families: _Families) -> None:
        # The part of each family in its children's text, made once per family for this build only (kept, it
        # was ~3 MB at 50,000 records; an update makes it again for the few pupils it renews).
        parts = {g.id: self._family_part(g) for g in families.by_id.values()}
        self.pupil = {p.id: self._pupil(p, parts.get(p.gezin_id, "")) for p in pupils.by_id.values()}  # type: ignore[arg-type]
        del parts
        # The families' own texts are made when families are first searched (their list's filter, the palette),
        # not with the pupils': a search of pupils alone does not need them (~4 MB at 50,000 records).
        self._families = families
        self._family: dict[int, str] | None = None
        self._aligned: dict[str, _Matches] = {}

    @property
    def family(self) -> dict[int, str]:
        """Per family its text (made when first asked; two threads asking at once each make the same)."""
        found = self._family
        if found is None:
            found = self._family = {g.id: self._family_text(g) for g in self._families.items}
        return found

    def matching(self, which: str, records: Sequence[S], texts: dict[int, str], words: list[str],
                 limit: int | None = None) -> list[S]:
        """The ``records`` (in their order) whose text in ``texts`` holds every word; with ``limit`` only the
        first so many. The texts are kept in a list next to ``records`` (made once per list, named ``which``),
        with the list's recent searches (see :class:`_Matches`)."""
        cached = self._aligned.get(which)
        if cached is None or cached.source is not records:
            cached = _Matches(records, [texts.get(r.id, "") for r in records])
            self._aligned[which] = cached
        found = cached.records
        return [found[i] for i in cached.positions(words, limit)]

    @staticmethod
    def _family_part(g: Gezin) -> str:
        return " ".join([g.naam, *(f"{o.naam} {_phones(o.telefoon)}" for o in g.ouders)])

    @staticmethod
    def _pupil(p: Leerling, family_part: str) -> str:
        return fold(f"{p.naam} {p.klas} {p.stamboeknummer} {family_part}")

    @staticmethod
    def _family_text(g: Gezin) -> str:
        return fold(" ".join([g.naam, g.adres.regel(), *(f"{o.naam} {_phones(o.telefoon)} {o.email}" for o in g.ouders)]))

    def updated(self, pupils: _Pupils, families: _Families, changes: dict[str, set[int]]) -> _SearchText:
        new = object.__new__(_SearchText)
        new.pupil = dict(self.pupil)
        new._families = families
        new._family = None if self._family is None else dict(self._family)  # not made yet: made from ``families``
        new._aligned = {}
        renew = set(changes.get(LEERLINGEN, ()))
        for gezin_id in changes.get(GEZINNEN, ()):
            g = families.by_id.get(gezin_id)
            if new._family is not None:
                if g is None:
                    new._family.pop(gezin_id, None)
                else:
                    new._family[gezin_id] = self._family_text(g)
            renew.update(k.id for k in pupils.children.get(gezin_id, ()))
        for pupil_id in renew:
            p = pupils.by_id.get(pupil_id)
            if p is None:
                new.pupil.pop(pupil_id, None)
            else:
                family = families.by_id.get(p.gezin_id) if p.gezin_id is not None else None
                new.pupil[pupil_id] = self._pupil(p, self._family_part(family) if family is not None else "")
        return new


_PHONE_TEXT = re.compile(r"^[\d\s.+/()-]+$")


def phone_key(phone: str) -> str:
    """A phone number as digits in the national form, whatever way it was typed: ``+32 499 36.43.17``,
    ``0032499364317`` and ``0499/36 43 17`` all become ``0499364317`` (a search matches on its start too)."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+"):
        digits = "0" + digits[2:] if digits.startswith("32") else "00" + digits
    if digits.startswith("0032"):
        digits = "0" + digits[4:]
    return digits


def search_words(text: str) -> list[str]:
    """The folded words of a search; a query that is a phone number (in any form) is one word, its digits."""
    cleaned = clean_text(text)
    if _PHONE_TEXT.match(cleaned) and len(re.sub(r"\D", "", cleaned)) >= 4:
        return [phone_key(cleaned)]
    return fold(cleaned).split()


class Registry:
    """Operations on pupils and families. Results are immutable models, kept up to date per table and
    record: a save at 50,000 records renews one record's place in the lists, not the lists."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- reading ----------------------------------------------------------------------
    def _pupils(self) -> _Pupils:
        return self.store.derived("registry.leerlingen", self._build_pupils, tables=(LEERLINGEN,),
                                  update=self._update_pupils)

    def _families(self) -> _Families:
        return self.store.derived("registry.gezinnen", self._build_families, tables=(GEZINNEN,),
                                  update=self._update_families)

    def _search(self) -> _SearchText:
        return self.store.derived("registry.zoektekst", lambda: _SearchText(self._pupils(), self._families()),
                                  tables=(LEERLINGEN, GEZINNEN),
                                  update=lambda old, changes: old.updated(self._pupils(), self._families(), changes))

    def _build_pupils(self) -> _Pupils:
        with paused_gc():
            return _Pupils({p.id: p for p in self.store.all_as(Leerling, LEERLINGEN)})

    def _build_families(self) -> _Families:
        with paused_gc():
            return _Families({g.id: g for g in self.store.all_as(Gezin, GEZINNEN)})

    def _now(self, kind: type[S], table: str, ids: set[int]) -> dict[int, S | None]:
        """The records ``ids`` as they are now (``None``: gone)."""
        found: dict[int, S | None] = {}
        for record_id in ids:
            record = self.store.get(table, record_id)
            found[record_id] = from_record(kind, record) if record is not None else None
        return found

    def _update_pupils(self, old: _Pupils, changes: dict[str, set[int]]) -> _Pupils:
        return old.updated(self._now(Leerling, LEERLINGEN, changes[LEERLINGEN]))

    def _update_families(self, old: _Families, changes: dict[str, set[int]]) -> _Families:
        return old.updated(self._now(Gezin, GEZINNEN, changes[GEZINNEN]))

    def leerlingen(self, *, ook_vertrokken: bool = False) -> list[Leerling]:
        """Pupils sorted by class, then name; by default only those still at school."""
        pupils = self._pupils()
        return list(pupils.items if ook_vertrokken else pupils.active)

    def gezinnen(self) -> list[Gezin]:
        """Families sorted by name."""
        return list(self._families().items)

    def leerling(self, leerling_id: int) -> Leerling:
        try:
            return self._pupils().by_id[leerling_id]
        except KeyError:
            raise NotFoundError("Deze leerling bestaat niet (meer).") from None

    def gezin(self, gezin_id: int) -> Gezin:
        try:
            return self._families().by_id[gezin_id]
        except KeyError:
            raise NotFoundError("Dit gezin bestaat niet (meer).") from None

    def gezinnen_op_id(self) -> Mapping[int, Gezin]:
        """Every family by id, read-only: for lists that look up many families at once."""
        return MappingProxyType(self._families().by_id)

    def gezinnen_op_ouder_id(self) -> Mapping[str, Gezin]:
        """Every family by the person id of each of its parents, read-only: to find the families of a few
        parents (who came to a session) without going through every family."""
        return MappingProxyType(self._families().by_parent)

    def leerlingen_op_id(self) -> Mapping[int, Leerling]:
        """Every pupil (also those who left) by id, read-only: for lists that look up many pupils at once."""
        return MappingProxyType(self._pupils().by_id)

    def kinderen(self, gezin_id: int, *, ook_vertrokken: bool = True) -> list[Leerling]:
        """The pupils of a family, oldest first."""
        kids = self._pupils().children.get(gezin_id, ())
        return [p for p in kids if ook_vertrokken or p.actief]

    def actieve_kinderen_op_gezin(self) -> Mapping[int, tuple[Leerling, ...]]:
        """Per family id its children still at school, oldest first (families without any are left out); read-only."""
        return MappingProxyType(self._pupils().active_children)

    def gezinnen_met_kinderen(self) -> list[tuple[Gezin, tuple[Leerling, ...]]]:
        """Every family (by name) with its children still at school: one pass for indexes over all parents."""
        active = self._pupils().active_children
        return [(g, active.get(g.id, ())) for g in self._families().items]

    def klassen(self) -> list[str]:
        return sorted({p.klas for p in self.leerlingen() if p.klas})

    def repeated_values_shared(self) -> bool:
        """Whether :meth:`share_repeated_values` has been done for the pupils and families as they are now."""
        return self._pupils().shared and self._families().shared

    def share_repeated_values(self) -> None:
        """Let the values that repeat from record to record be one object each: memory, nothing visible.

        The classes, school years, names, languages, relations and the stamps of an import recur over
        thousands of pupils and parents, and each decoded record holds its own copy of every one (at 50,000
        records some 40 MB). Meant for once the data is read and the first screen is filled, not while it is
        read (~100 ms at 50,000 records, which a start would wait for); done once per state of the pupils and
        of the families (later states carry the shared records over). Callable from a worker thread: only
        which of equal objects a model holds changes (see :func:`ouder_tui.models.share_values`).
        """
        pool: dict = {}
        pupils, families = self._pupils(), self._families()
        if not pupils.shared:
            share_values(pupils.by_id.values(), _PUPIL_REPEATS, pool)
            pupils.shared = True
        if not families.shared:
            share_values(families.by_id.values(), _FAMILY_REPEATS, pool)
            share_values((g.adres for g in families.by_id.values()), _ADDRESS_REPEATS, pool)
            share_values((o for g in families.by_id.values() for o in g.ouders), _PARENT_REPEATS, pool)
            families.shared = True

    # -- changing -----------------------------------------------------------------------
    def add_leerling(self, leerling: Leerling) -> Leerling:
        leerling = leerling.checked()
        self._check_gezin_exists(leerling.gezin_id)
        return from_record(Leerling, self.store.insert(LEERLINGEN, record_data(leerling)))

    def save_leerling(self, leerling: Leerling, *, overwrite: bool = False) -> Leerling:
        """Save an edited pupil. A stale ``rev`` raises ConflictError unless ``overwrite``."""
        leerling = leerling.checked()
        self._check_gezin_exists(leerling.gezin_id)
        record = self.store.update(LEERLINGEN, leerling.id, record_data(leerling),
                                   expected_rev=None if overwrite else leerling.rev)
        return from_record(Leerling, record)

    def add_gezin(self, gezin: Gezin) -> Gezin:
        return from_record(Gezin, self.store.insert(GEZINNEN, record_data(gezin.checked())))

    def save_gezin(self, gezin: Gezin, *, overwrite: bool = False) -> Gezin:
        gezin = gezin.checked()
        record = self.store.update(GEZINNEN, gezin.id, record_data(gezin), expected_rev=None if overwrite else gezin.rev)
        return from_record(Gezin, record)

    def _check_gezin_exists(self, gezin_id: int | None) -> None:
        if gezin_id is not None and self.store.get(GEZINNEN, gezin_id) is None:
            raise ValidationError({"gezin_id": "Dit gezin bestaat niet (meer)."})

    def delete_leerling(self, leerling: Leerling) -> int:
        """Move a pupil to the recycle bin; returns the bin entry."""
        return self.store.delete(LEERLINGEN, leerling.id, label=f"Leerling {leerling.naam} ({leerling.klas})",
                                 expected_rev=leerling.rev)

    def delete_gezin(self, gezin: Gezin) -> int:
        """Move a family to the recycle bin. A family that still has pupils cannot go."""
        with self.store.transaction():
            if any(p.gezin_id == gezin.id for p in (from_record(Leerling, r) for r in self.store.all(LEERLINGEN))):
                raise ValidationError({"gezin": "Dit gezin heeft nog kinderen. Verwijder of verplaats hen eerst."})
            return self.store.delete(GEZINNEN, gezin.id, label=f"Gezin {gezin.naam}", expected_rev=gezin.rev)

    def mark_left(self, leerling_ids: Iterable[int], op: date) -> int:
        """Mark pupils as left the school on ``op``; returns how many changed."""
        ids = set(leerling_ids)
        with self.store.transaction():
            changes = []
            for record in self.store.all(LEERLINGEN):
                if record["id"] in ids and record.get("status") != STATUS_VERTROKKEN:
                    changes.append((record["id"], {**record, "status": STATUS_VERTROKKEN,
                                                   "vertrokken_op": op.isoformat()}, record["_rev"]))
            self.store.update_many(LEERLINGEN, changes)
        return len(changes)

    # -- searching -----------------------------------------------------------------------
    def zoek_leerlingen(self, text: str, *, ook_vertrokken: bool = False,
                        limit: int | None = None) -> Sequence[Leerling]:
        """Pupils whose name, class, number, or parents' names or phone numbers contain every word of ``text``
        (a phone number typed in any form: spaces, dots, slashes, +32 or 0, or only its start); with ``limit``
        only the first so many (in list order). Without words, all of them: the registry's own list, which
        nobody can change (a copy of 50,000 at every save and letter otherwise)."""
        words = search_words(text)
        view = self._pupils()
        pupils = view.items if ook_vertrokken else view.active
        if not words:
            return pupils if limit is None else pupils[:limit]
        search = self._search()
        return search.matching("all" if ook_vertrokken else "active", pupils, search.pupil, words, limit)

    def zoek_gezinnen(self, text: str, *, limit: int | None = None) -> Sequence[Gezin]:
        """Families whose name, address, or parents' names, phones or e-mails contain every word of ``text``;
        "gezin NAAM" finds the family NAAM. With ``limit`` only the first so many (by name). Without words, all
        of them (the registry's own list, as :meth:`zoek_leerlingen`)."""
        words = search_words(text)
        if len(words) > 1 and words[0] == "gezin":
            words = words[1:]
        families = self._families().items
        if not words:
            return families if limit is None else families[:limit]
        search = self._search()
        return search.matching("families", families, search.family, words, limit)

    # -- figures --------------------------------------------------------------------------
    def leerlingen_per_klas(self) -> dict[str, int]:
        """Pupils at school per class (kept until the pupils change: the palette asks it per keystroke)."""
        return dict(self.store.derived("registry.per_klas", lambda: tuple(sorted(
            Counter(p.klas or "(geen klas)" for p in self._pupils().by_id.values() if p.actief).items())),
            tables=(LEERLINGEN,)))

    def gezinnen_zonder_contact(self) -> list[Gezin]:
        return list(self._families().without_contact)

    def tolk_per_taal(self) -> dict[str, int]:
        """How many families need an interpreter, per language."""
        return dict(self._families().interpreters)


# -- the area -------------------------------------------------------------------------------------
def _erase(store: Store, subject: Subject) -> ErasurePart:
    """The pupils, and the family with its parents (they live in its record)."""
    part = ErasurePart()
    pupils = [from_record(Leerling, r) for r in store.all(LEERLINGEN) if r["id"] in subject.leerling_ids]
    part.records += [(LEERLINGEN, p.id) for p in pupils]
    if pupils:
        part.pupil_lines.append(f"{plural(len(pupils), 'leerling', 'leerlingen')}: {', '.join(p.naam for p in pupils)}")
    for gezin_id in sorted(subject.gezin_ids):
        family = store.get(GEZINNEN, gezin_id)
        if family is not None:
            part.records.append((GEZINNEN, gezin_id))
            part.heading.append(f"het gezin {family.get('naam', '')} met "
                                f"{plural(len(family.get('ouders', [])), 'ouder', 'ouders')}")
    return part


def _in_bin(entry: dict, subject: Subject) -> bool:
    """A deleted family is its own; a deleted pupil belongs to the subject by id or by its family."""
    if entry.get("table") == GEZINNEN:
        return entry.get("record_id") in subject.gezin_ids
    return (entry.get("record_id") in subject.leerling_ids
            or entry.get("record", {}).get("gezin_id") in subject.gezin_ids)


def _report(services: Services, subject: Subject) -> list:
    """The family, each parent and each child, field by field."""
    from ouder_tui.exporters import Bullets, Heading
    from ouder_tui.inzage import record_lines, stamp

    registry, store = services.registry, services.store
    blocks: list = []
    for gezin_id in sorted(subject.gezin_ids):
        gezin = registry.gezin(gezin_id)
        family = store.get(GEZINNEN, gezin_id) or {}
        blocks += [Heading(f"Gezin {gezin.naam}"),
                   Bullets(tuple([*record_lines({k: v for k, v in family.items() if k != "ouders"}), stamp(family)]))]
        for i, parent in enumerate(family.get("ouders", []), 1):
            blocks += [Heading(f"Ouder {i}: {gezin.ouders[i - 1].naam}"), Bullets(tuple(record_lines(parent)))]
        for kid in registry.kinderen(gezin_id):
            record = store.get(LEERLINGEN, kid.id) or {}
            blocks += [Heading(f"Kind: {kid.naam}"), Bullets(tuple([*record_lines(record), stamp(record)]))]
    return blocks


def _search(services: Services, query: str) -> list[SearchHit]:
    """A class by its exact name, pupils, then families."""
    registry = services.registry
    hits = []
    wanted = fold(query.strip())
    for klas, count in registry.leerlingen_per_klas().items():
        if fold(klas) == wanted or fold(f"klas {klas}") == wanted:
            hits.append(SearchHit(f"Klas {klas}  ·  {count} leerlingen", 1.0, ("klas", klas), "Klas tonen"))
    for rank, pupil in enumerate(registry.zoek_leerlingen(query, ook_vertrokken=True, limit=MAX_HITS)):
        family = registry.gezin(pupil.gezin_id).naam if pupil.gezin_id else ""
        parts = [pupil.naam, pupil.klas or "geen klas"]
        if family:
            parts.append(f"gezin {family}")
        if not pupil.actief:
            parts.append("vertrokken")
        hits.append(SearchHit("  ·  ".join(parts), 0.99 - rank / 100, ("leerling", pupil.id), "Leerling openen"))
    for rank, gezin in enumerate(registry.zoek_gezinnen(query, limit=MAX_HITS)):
        parents = ", ".join(o.naam for o in gezin.ouders)
        hits.append(SearchHit(f"Gezin {gezin.naam}" + (f"  ·  {parents}" if parents else ""), 0.89 - rank / 100,
                              ("gezin", gezin.id), "Gezin openen", order=4))
    return hits


def _export(what: str):
    """``ouder-tui export leerlingen`` or ``gezinnen``."""
    def produce(services: Services, fmt: str, values: dict) -> bytes:
        """The registry export ``what`` as ``fmt``."""
        from ouder_tui.exporters import export_registry

        return export_registry(services.registry, what, fmt)

    return produce


#: The registry as an area: pupils and families.
AREA = AreaDescriptor(
    key="leerlingen",
    tables={LEERLINGEN: "leerling", GEZINNEN: "gezin"},
    models={LEERLINGEN: Leerling, GEZINNEN: Gezin},
    service=lambda store, registry: registry,
    erase=_erase,
    in_bin=_in_bin,
    report=_report,
    exports=(ExportSpec("leerlingen", "leerlingen", ("xlsx", "csv", "json"), _export("leerlingen")),
             ExportSpec("gezinnen", "gezinnen", ("xlsx", "csv", "json"), _export("gezinnen"))),
    search=_search,
)
