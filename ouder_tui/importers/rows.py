"""Planning, step one: every row of the file read into a checked pupil and its parents.

:class:`_Planner` holds the state of one :func:`~ouder_tui.importers.planning.plan_import` call:
it reads and checks the values of a row, matches the row to a stored pupil (number, else name
and birth date) and records skipped rows and warnings on the plan.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any

import msgspec

from ouder_tui.errors import ValidationError
from ouder_tui.importers.columns import ColumnMapping
from ouder_tui.importers.csvread import CsvFile
from ouder_tui.importers.fields import _ADDRESS_FIELDS, _ROLE_RELATIE, PERSON_FIELDS, ROLES
from ouder_tui.importers.plan import ImportPlan, RowProblem
from ouder_tui.importers.values import (
    _language,
    _looks_like_rrn,
    _name_key,
    _number_key,
    _parse_adres,
    _parse_birth_date,
    _parse_leerjaar,
    _parse_relatie,
    _parse_school_year,
    _parse_talen,
    _parse_tolk,
    _phone_key,
    _short,
    _split_street,
)
from ouder_tui.leerlingen import STATUS_ACTIEF, STATUS_VERTROKKEN, Adres, Leerling, Registry, leerjaar_from_klas
from ouder_tui.models import MAX_NAME, Checker
from ouder_tui.text import clean_text, fold, parse_date


@dataclass
class _Person:
    relatie: str
    voornaam: str = ""
    familienaam: str = ""
    telefoon: str = ""
    email: str = ""
    talen: tuple[str, ...] = ()
    tolk: bool | None = None
    tolk_taal: str = ""
    adres: Adres | None = None

    @property
    def named(self) -> bool:
        return bool(self.voornaam or self.familienaam)

    @functools.cached_property
    def key(self) -> str:
        return _name_key(self.voornaam, self.familienaam)

    @property
    def strong(self) -> bool:
        """A name specific enough to join families on (first and last name)."""
        return self.named and (bool(self.voornaam) or len(self.key.split()) >= 2)


@dataclass
class _Row:
    line: int
    leerling: Leerling  # checked; for an existing pupil: the merged new version
    existing: Leerling | None
    persons: list[_Person]
    adres: Adres
    phones: list[str]  # family-level numbers (gsm first)
    email: str
    talen: tuple[str, ...]
    tolk: bool | None
    tolk_taal: str
    gezinsnummer: str = ""  # the file's own family key (an export of ouder-tui): siblings stay together
    gezin_naam: str = ""


_NO_ADDRESS = Adres()
_LABELS = {"stamboeknummer": "leerlingnummer", "geboortedatum": "geboortedatum", "klasnummer": "klasnummer",
           "voornaam": "voornaam", "familienaam": "familienaam", "klas": "klas", "schooljaar": "schooljaar",
           "leerjaar": "leerjaar"}


class _Planner:
    """Builds an :class:`ImportPlan`; one instance per call of :func:`plan_import`."""

    def __init__(self, registry: Registry, csv_file: CsvFile, mapping: ColumnMapping, schooljaar: str,
                 vandaag: date, markeer_vertrokken: bool) -> None:
        self.csv = csv_file
        self.mapping = mapping
        self.vandaag = vandaag
        self.plan = ImportPlan(mapping=mapping, schooljaar=schooljaar, vandaag=vandaag,
                               markeer_vertrokken=markeer_vertrokken, rows=len(csv_file.rows), csv=csv_file)
        self.pupils = registry.leerlingen(ook_vertrokken=True)
        self.families = {g.id: g for g in registry.gezinnen()}
        self.plan.generation = registry.store.generation
        self.by_number: dict[str, Leerling] = {}
        self.by_name: dict[tuple[str, str], list[Leerling]] = {}
        for pupil in sorted(self.pupils, key=lambda p: p.id):
            if pupil.stamboeknummer:
                self.by_number.setdefault(_number_key(pupil.stamboeknummer), pupil)
            self.by_name.setdefault((_name_key(pupil.voornaam), _name_key(pupil.familienaam)), []).append(pupil)
        self.roles = [r for r in ROLES if any(key.startswith(f"{r}.") for key in mapping.columns)]
        self.claimed: dict[int, int] = {}  # existing pupil id -> line
        self.new_keys: dict[tuple, int] = {}  # new pupil key -> line
        self.protected: set[int] = set()  # existing pupils named by a skipped row: never marked left

    # -- problems
    def skip(self, line: int, reason: str) -> None:
        self.plan.skipped.append(RowProblem(line, reason))

    def warn(self, line: int, reason: str) -> None:
        self.plan.warnings.append(RowProblem(line, reason))

    def header(self, key: str) -> str:
        return f"'{_short(clean_text(self.mapping.headers[self.mapping.columns[key]]))}'"

    # -- one row
    def values(self, cells: list[str]) -> dict[str, str]:
        return {key: clean_text(cells[col]) if col < len(cells) else "" for key, col in self.mapping.columns.items()}

    def read_row(self, line: int, cells: list[str]) -> _Row | None:
        v = self.values(cells)
        if len(cells) > len(self.csv.headers) and any(c.strip() for c in cells[len(self.csv.headers):]):
            self.warn(line, "meer waarden dan kolommen in de kopregel; de extra waarden zijn genegeerd")
        voornaam, familienaam = v.get("voornaam", ""), v.get("familienaam", "")
        if not voornaam or not familienaam:
            missing = [label for label, value in (("voornaam", voornaam), ("familienaam", familienaam)) if not value]
            self.skip(line, "geen " + " en geen ".join(missing))
            self.protect(v)
            return None
        for key, value in (("voornaam", voornaam), ("familienaam", familienaam)):
            if len(value) > MAX_NAME:
                self.skip(line, f"de {key} is te lang ({len(value)} tekens; hoogstens {MAX_NAME})")
                return None
        changes: dict[str, Any] = {"voornaam": voornaam, "familienaam": familienaam,
                                   "status": STATUS_ACTIEF, "vertrokken_op": None}
        if text := v.get("geboortedatum"):
            try:
                changes["geboortedatum"] = _parse_birth_date(text, self.vandaag)
            except ValueError as exc:
                self.skip(line, f"geboortedatum: {exc}")
                self.protect(v)
                return None
        changes["schooljaar"] = self.plan.schooljaar
        if text := v.get("schooljaar"):
            try:
                changes["schooljaar"] = _parse_school_year(text)
            except ValueError as exc:
                self.skip(line, f"schooljaar: {exc}")
                self.protect(v)
                return None
        if number := v.get("stamboeknummer"):
            if _looks_like_rrn(number):
                self.warn(line, f"het leerlingnummer in {self.header('stamboeknummer')} lijkt een "
                                "rijksregisternummer; het is niet bewaard")
            else:
                changes["stamboeknummer"] = number
        for key in ("klas", "klasnummer"):
            if v.get(key):
                changes[key] = v[key]
        if text := v.get("leerjaar"):
            try:
                changes["leerjaar"] = _parse_leerjaar(text)
            except ValueError as exc:
                self.warn(line, f"{exc}; het leerjaar is afgeleid uit de klas")
        if "leerjaar" not in changes and "klas" in changes:
            changes["leerjaar"] = leerjaar_from_klas(changes["klas"])
        if fold(v.get("status", "")) in ("vertrokken", "uitgeschreven"):
            changes["status"] = STATUS_VERTROKKEN
            try:
                changes["vertrokken_op"] = parse_date(v["vertrokken_op"]) if v.get("vertrokken_op") else None
            except ValueError as exc:
                self.warn(line, f"vertrokken op: {exc}; niet bewaard")
        col = self.mapping.columns.get("notities")
        if col is not None and col < len(cells) and (note := clean_text(cells[col], multiline=True)):
            changes["notities"] = note  # read with its line breaks; an empty cell never wipes a stored note

        existing = self.match(line, changes)
        if existing is False:
            return None
        if existing is not None:  # only case or accents differ: keep the stored spelling (exports lose accents)
            same = [key for key in ("voornaam", "familienaam")
                    if _name_key(getattr(existing, key)) == _name_key(changes[key])]
            for key in same:
                changes[key] = getattr(existing, key)
            if not same:
                self.warn(line, f"leerlingnummer {_short(existing.stamboeknummer)} hoorde bij {_short(existing.naam)}; "
                                f"die leerling heet nu {_short(voornaam)} {_short(familienaam)}")
        base = existing if existing is not None else Leerling()
        try:
            leerling = msgspec.structs.replace(base, **changes).checked()
        except ValidationError as exc:
            reasons = [f"{_LABELS.get(k, k)}: {m[:1].lower()}{m[1:].rstrip('.')}" for k, m in exc.errors.items()]
            self.skip(line, "; ".join(reasons))
            if existing is not None:
                self.protected.add(existing.id)
            return None
        persons = [p for role in self.roles if (p := self.read_person(line, v, role)) is not None]
        phones = []
        for key in ("gsm", "telefoon"):
            if (number := self.phone(line, v, key)) and _phone_key(number) not in map(_phone_key, phones):
                phones.append(number)
        tolk, tolk_taal = _parse_tolk(v.get("tolk", ""))
        return _Row(line=line, leerling=leerling, existing=existing, persons=persons,
                    adres=self.address(line, v, ""), phones=phones, email=self.email(line, v, "email"),
                    talen=_parse_talen(v.get("thuistaal", "")), tolk=tolk, tolk_taal=tolk_taal,
                    gezinsnummer=v.get("gezinsnummer", ""), gezin_naam=v.get("gezin", ""))

    def protect(self, v: dict[str, str]) -> None:
        """A skipped row still names a pupil: do not mark that pupil as left."""
        if (number := v.get("stamboeknummer")) and (pupil := self.by_number.get(_number_key(number))):
            self.protected.add(pupil.id)
        for pupil in self.by_name.get((_name_key(v.get("voornaam", "")), _name_key(v.get("familienaam", ""))), []):
            self.protected.add(pupil.id)

    def match(self, line: int, changes: dict[str, Any]) -> Leerling | None | bool:
        """The stored pupil this row is about, ``None`` for a new one, ``False`` when the row is skipped."""
        number = _number_key(changes.get("stamboeknummer", ""))
        name = (_name_key(changes["voornaam"]), _name_key(changes["familienaam"]))
        born = changes.get("geboortedatum")
        label = f"{changes['voornaam']} {changes['familienaam']}"
        found: Leerling | None = self.by_number.get(number) if number else None
        if found is None:
            same_name = self.by_name.get(name, [])
            if born is not None:
                exact = [p for p in same_name if p.geboortedatum == born] or \
                        [p for p in same_name if p.geboortedatum is None]
                free = [p for p in exact if not p.stamboeknummer or not number]
                if free:
                    found = free[0]
                elif exact:
                    self.warn(line, f"er bestaat al een {label} met dezelfde geboortedatum maar leerlingnummer "
                                    f"{_short(exact[0].stamboeknummer)}; als nieuwe leerling ingelezen")
            elif same_name:
                candidates = [p for p in same_name if not p.stamboeknummer or not number]
                if len(candidates) == 1:
                    found = candidates[0]
                elif len(candidates) > 1:
                    self.skip(line, f"er zijn {len(candidates)} leerlingen die {label} heten; zonder geboortedatum "
                                    "of leerlingnummer is niet uit te maken welke")
                    self.protected.update(p.id for p in candidates)
                    return False
        if found is not None:
            if found.id in self.claimed:
                self.skip(line, f"dezelfde leerling als op regel {self.claimed[found.id]} ({label})")
                return False
            self.claimed[found.id] = line
            return found
        key = ("nr", number) if number else ("naam", *name, born)
        if key in self.new_keys:
            self.skip(line, f"dezelfde leerling als op regel {self.new_keys[key]} ({label})")
            return False
        self.new_keys[key] = line
        return None

    def text(self, line: int, v: dict[str, str], key: str, limit: int) -> str:
        value = v.get(key, "")
        if len(value) > limit:
            self.warn(line, f"{self.header(key)} is te lang ({len(value)} tekens; hoogstens {limit}); niet bewaard")
            return ""
        return value

    def phone(self, line: int, v: dict[str, str], key: str) -> str:
        return self._contact(line, v, key, Checker.phone, "telefoonnummer")

    def email(self, line: int, v: dict[str, str], key: str) -> str:
        return self._contact(line, v, key, Checker.email, "e-mailadres")

    def _contact(self, line: int, v: dict[str, str], key: str, method, what: str) -> str:
        """A checked phone or e-mail; an invalid one is dropped with a warning for its line."""
        value = v.get(key, "")
        if not value:
            return ""
        check = Checker()
        cleaned = method(check, key, value)
        if check.errors:
            self.warn(line, f"{self.header(key)}: '{_short(value)}' is geen {what}; niet bewaard")
            return ""
        return cleaned

    def address(self, line: int, v: dict[str, str], prefix: str) -> Adres:
        if not any(v.get(prefix + k) for k in _ADDRESS_FIELDS):
            return _NO_ADDRESS
        parts = {k: self.text(line, v, prefix + k, MAX_NAME if k in ("straat", "gemeente") else 20)
                 for k in ("straat", "huisnummer", "bus", "postcode", "gemeente")}
        if whole := self.text(line, v, prefix + "adres", 3 * MAX_NAME):
            parsed = _parse_adres(whole)
            for k in parts:
                parts[k] = parts[k] or getattr(parsed, k)
        elif parts["straat"] and not parts["huisnummer"]:
            parts["straat"], parts["huisnummer"], bus = _split_street(parts["straat"])
            parts["bus"] = parts["bus"] or bus
        adres = Adres(**parts)
        check = Checker()
        adres = adres.checked(check, "")
        for key in check.errors:  # parts of a whole-address column that came out too long
            adres = msgspec.structs.replace(adres, **{key: ""})
            self.warn(line, f"adres: {key} is te lang; niet bewaard")
        return adres

    def read_person(self, line: int, v: dict[str, str], role: str) -> _Person | None:
        p = f"{role}."
        if not any(v.get(p + key) for key in PERSON_FIELDS):
            return None
        person = _Person(relatie=_parse_relatie(v.get(p + "relatie", ""), _ROLE_RELATIE.get(role, "ouder")),
                         voornaam=self.text(line, v, p + "voornaam", MAX_NAME),
                         familienaam=self.text(line, v, p + "familienaam", MAX_NAME))
        person.telefoon = self.phone(line, v, p + "gsm") or self.phone(line, v, p + "telefoon")
        person.email = self.email(line, v, p + "email")
        person.talen = _parse_talen(v.get(p + "taal", ""))
        person.tolk, person.tolk_taal = _parse_tolk(v.get(p + "tolk", ""))
        if taal := v.get(p + "tolktaal"):
            person.tolk_taal = _language(taal)
            person.tolk = True if person.tolk is None else person.tolk
        adres = self.address(line, v, p)
        person.adres = None if adres.is_empty() and not adres.huisnummer else adres
        if not (person.named or person.telefoon or person.email or person.talen or person.tolk or person.adres):
            return None  # nothing to keep: only a relation, "tolk: nee", or values that were dropped
        return person
