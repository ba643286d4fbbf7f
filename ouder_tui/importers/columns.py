"""Recognising the columns of the header row: folding, aliases, :class:`ColumnMapping`.

Headers are compared after folding (case, accents, punctuation, ``_``, spacing, camelCase);
a parent column names its role anywhere in the header. :func:`detect_mapping` builds the
mapping, :func:`parse_map_options` reads ``--map veld=Kolom``. Columns with national register
numbers are recognised only to be dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ouder_tui.errors import ValidationError
from ouder_tui.importers.fields import _FAMILY_FIELDS, _PUPIL_FIELDS, FIELDS, PERSON_FIELDS, REQUIRED, ROLES
from ouder_tui.text import clean_text, fold


def _table(aliases: dict[str, str]) -> dict[str, tuple[str, int]]:
    table: dict[str, tuple[str, int]] = {}
    for key, words in aliases.items():
        for rank, alias in enumerate(words.split()):
            table.setdefault(alias, (key, rank))
    return table


_ADDRESS_ALIASES = {
    "straat": "straat straatnaam",
    "huisnummer": "huisnummer huisnr hnr",
    "bus": "bus busnummer busnr toevoeging",
    "postcode": "postcode postnummer postnr pc zip",
    "gemeente": "gemeente woonplaats plaats stad deelgemeente",
    "adres": "adres volledigadres straatennummer straathuisnummer domicilie domicilieadres woonadres",
}
_CONTACT_ALIASES = {
    "gsm": "gsm gsmnummer gsmnr mobiel mobielnummer mobielnr mobile",
    "telefoon": "telefoon tel telefoonnummer telefoonnr telnr telnummer telthuis telefoonthuis thuistelefoon "
                "vastetelefoon",
    "email": "email emailadres mail mailadres epost",
}
_TOLK = "tolk tolknodig tolkgewenst noodaantolk tolkvereist"
_PUPIL_TABLE = _table({
    "stamboeknummer": "stamboeknummer stamboeknr stamnummer stamnr leerlingnummer leerlingnr llnr llnummer "
                      "internnummer internnr internummer internenummer nummerleerling nrleerling leerlingid "
                      "leerlingcode",
    "voornaam": "voornaam voornamen roepnaam firstname",
    "familienaam": "familienaam naam achternaam famnaam lastname",
    "geboortedatum": "geboortedatum gebdatum geboortedat gebdat geboren geborenop datumgeboorte geboortedag "
                     "birthdate",
    "klas": "klas klasgroep klasnaam klascode administratievegroep groep",
    "klasnummer": "klasnummer klasnr nrinklas nummerinklas volgnummer volgnr klasvolgnummer",
    "leerjaar": "leerjaar lj studiejaar",
    "schooljaar": "schooljaar",
    "status": "status",
    "vertrokken_op": "vertrokkenop vertrokken vertrekdatum datumvertrek uitschrijvingsdatum",
    "notities": "notities notitie opmerkingen",
    "gezinsnummer": "gezinsnummer gezinsnr gezinnr gezinid",
    "gezin": "gezin gezinsnaam",
    **_ADDRESS_ALIASES,
    **_CONTACT_ALIASES,
    "thuistaal": "thuistaal taalthuis gezinstaal moedertaal taal talen",
    "tolk": _TOLK,
})
_PERSON_TABLE = _table({
    "voornaam": "voornaam voornamen roepnaam firstname",
    "familienaam": "familienaam naam achternaam famnaam lastname volledigenaam",
    **_CONTACT_ALIASES,
    "taal": "taal talen thuistaal moedertaal gesprokentaal spreekt taalthuis",
    "tolk": _TOLK,
    "tolktaal": "tolktaal taaltolk taalvoortolk",
    "relatie": "relatie type soort rol verwantschap relatietype",
    **_ADDRESS_ALIASES,
})
_AMBIGUOUS_NUMBER = {"nr", "nummer", "no", "num"}  # house number after a street column, else class number
_NOISE = {"leerling", "leerlingen", "ll", "lln", "kind", "van", "de", "het", "der", "den", "des", "gegevens"}
_ADDRESS_NOISE = {"adres", "domicilie"}
_PUPIL_WORDS = {"leerling", "ll", "lln", "kind"}  # "GSM leerling" is the pupil's own phone: not the family's
_PRIVATE = ("rijksregister", "insz", "bisnummer", "bisnr", "nationaalnummer", "nationaalnr", "rrn", "rrnr")
_ROLE_WORDS = {"moeder": "moeder", "mama": "moeder", "mother": "moeder",
               "vader": "vader", "papa": "vader", "father": "vader",
               "voogd": "voogd", "voogdes": "voogd", "guardian": "voogd",
               "ouder": "ouder1", "ouders": "ouder1",
               **{f"ouder{i}": f"ouder{i}" for i in range(1, 10)}}
_GLUED_ROLES = ("moeder", "vader", "voogd", "mama", "papa")
_CAMEL = re.compile(r"(?<=[a-z\u00e0-\u00ff])(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_NUMBERED_ROLE = re.compile(r"\b(?:co\s*accounts?|contact\s*persoon|contact|ouders?)\s+([1-9])\b")


_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def _words(header: str) -> list[str]:
    text = clean_text(header)
    text = _PARENTHESES.sub(" ", text).strip() or text  # "Geboortedatum (dd/mm/jjjj)"
    text = fold(_CAMEL.sub(" ", text))
    text = _LETTER_DIGIT.sub(" ", _NON_ALNUM.sub(" ", text))
    return _NUMBERED_ROLE.sub(lambda m: f" ouder{m.group(1)} ", text).split()


def _lookup(words: list[str], table: dict[str, tuple[str, int]]) -> tuple[str, int] | None:
    plain = [w for w in words if w not in _NOISE]
    for candidate in (words, plain, [w for w in plain if w not in _ADDRESS_NOISE]):
        key = "".join(candidate)
        if key in table:
            return table[key]
        if key in _AMBIGUOUS_NUMBER:
            return ("#nr", 50)
    return None


def _classify(header: str) -> tuple[str, int] | None:
    """``(field, rank)`` for a header, ``("#drop", 0)`` for a private column, ``None`` when unknown.

    ``field`` may end in ``#nr`` for a bare "Nr" column, resolved by its neighbour.
    """
    words = _words(header)
    if not words:
        return None
    compact = "".join(words)
    if any(marker in compact for marker in _PRIVATE):
        return ("#drop", 0)
    roles = {_ROLE_WORDS[w] for w in words if w in _ROLE_WORDS}
    rest = [w for w in words if w not in _ROLE_WORDS]
    if not roles:
        hit = _lookup(words, _PUPIL_TABLE)
        if hit and hit[0] in ("gsm", "telefoon", "email") and _PUPIL_WORDS & set(words):
            return None
        if hit is None and len(words) == 1:  # a role glued to the field: "gsmmoeder", "moedergsm"
            for word in _GLUED_ROLES:
                for part in (compact.removeprefix(word), compact.removesuffix(word)):
                    if part != compact and part in _PERSON_TABLE:
                        key, rank = _PERSON_TABLE[part]
                        return (f"{_ROLE_WORDS[word]}.{key}", rank + 10)
        return hit
    if len(roles) > 1:
        return None
    role = roles.pop()
    if role not in ROLES:
        return None
    if not rest:  # a column called just "Moeder": her full name
        return (f"{role}.familienaam", 99)
    hit = _lookup(rest, _PERSON_TABLE)
    return (f"{role}.{hit[0]}", hit[1]) if hit else None


def _resolve_field(text: str) -> str:
    key = clean_text(text).lower()
    if key in FIELDS:
        return key
    hit = _classify(key.replace(".", " "))
    if hit and hit[0] in FIELDS:
        return hit[0]
    if hit and hit[0].endswith("#nr"):
        return hit[0].replace("#nr", "huisnummer") if "." in hit[0] else "klasnummer"
    raise ValidationError({"map": (
        f"Onbekend veld '{clean_text(text)[:60]}'. Kies uit: {', '.join(_PUPIL_FIELDS)}, {', '.join(_FAMILY_FIELDS)}, "
        f"of per ouder <rol>.<veld> met rol {', '.join(ROLES)} en veld {', '.join(PERSON_FIELDS)}."
    )})


def _resolve_column(headers: Sequence[str], text: str) -> int:
    wanted = clean_text(text)
    if m := re.fullmatch(r"#(\d+)", wanted):
        index = int(m.group(1)) - 1
        if 0 <= index < len(headers):
            return index
    for compare in (lambda h: h, lambda h: " ".join(fold(h).split()), lambda h: "".join(_words(h))):
        target = compare(wanted)
        for index, header in enumerate(headers):
            if target and compare(clean_text(header)) == target:
                return index
    names = ", ".join(f"'{clean_text(h)}'" for h in headers if clean_text(h))
    raise ValidationError({"map": (
        f"Er is geen kolom '{wanted[:60]}' in het bestand. Kolommen: {names}. "
        "Een kolom aanduiden kan ook met haar nummer, bv. #3."
    )})


@dataclass(frozen=True, eq=False)
class ColumnMapping:
    """Which column feeds which field.

    ``columns`` maps a field key of :data:`FIELDS` to a column index (headers may
    repeat). ``unrecognised`` lists the named columns that feed nothing; ``dropped``
    the columns that are never read (national register numbers).
    """

    headers: tuple[str, ...]
    columns: dict[str, int]
    unrecognised: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()

    @property
    def fields(self) -> dict[str, str]:
        """Field key -> header text."""
        return {key: self.headers[col] for key, col in self.columns.items()}

    def missing(self) -> list[str]:
        """Required fields without a column."""
        return [key for key in REQUIRED if key not in self.columns]

    def describe(self) -> str:
        """Dutch overview: one line per used column, then what is not read."""
        lines = [f"  {clean_text(self.headers[col])!r:<32} -> {key}"
                 for key, col in sorted(self.columns.items(), key=lambda item: item[1])]
        if self.unrecognised:
            lines.append("Niet gebruikt: " + ", ".join(f"'{clean_text(h)}'" for h in self.unrecognised))
        if self.dropped:
            lines.append("Nooit ingelezen (rijksregisternummer): "
                         + ", ".join(f"'{clean_text(h)}'" for h in self.dropped))
        return "\n".join(["Kolommen:", *lines])


def detect_mapping(headers: Sequence[str], overrides: dict[str, str] | None = None) -> ColumnMapping:
    """Recognise the columns of ``headers``; ``overrides`` (field -> column) from ``--map`` win.

    An override with an empty column removes the field. Unknown fields or columns
    raise :class:`ValidationError` with a Dutch message listing the valid choices.
    """
    headers = tuple(headers)
    candidates: list[tuple[int, int, str]] = []
    ambiguous: list[tuple[int, str]] = []
    dropped: set[int] = set()
    previous = ""
    for col, header in enumerate(headers):
        hit = _classify(header) if clean_text(header) else None
        if hit is None:
            previous = ""
            continue
        key, rank = hit
        if key == "#drop":
            dropped.add(col)
        elif key.endswith("#nr"):
            ambiguous.append((col, previous))
        else:
            candidates.append((rank, col, key))
        previous = key
    columns: dict[str, int] = {}
    for _rank, col, key in sorted(candidates):
        columns.setdefault(key, col)
    for col, before in ambiguous:
        role = before.rpartition(".")[0]
        prefix = f"{role}." if role else ""
        if before == f"{prefix}straat" and f"{prefix}huisnummer" not in columns:
            columns[f"{prefix}huisnummer"] = col
        elif not role and "klasnummer" not in columns:
            columns["klasnummer"] = col
        elif not role and "huisnummer" not in columns:
            columns["huisnummer"] = col
    for raw_key, column in (overrides or {}).items():
        key = _resolve_field(raw_key)
        if not clean_text(column):
            columns.pop(key, None)
            continue
        col = _resolve_column(headers, column)
        if col in dropped:
            raise ValidationError({"map": (
                f"De kolom '{clean_text(headers[col])}' bevat rijksregisternummers; "
                "die worden nooit ingelezen, ook niet als leerlingnummer."
            )})
        for other in [k for k, c in columns.items() if c == col]:
            del columns[other]
        columns[key] = col
    used = set(columns.values())
    return ColumnMapping(
        headers=headers,
        columns=columns,
        unrecognised=tuple(h for c, h in enumerate(headers) if clean_text(h) and c not in used and c not in dropped),
        dropped=tuple(headers[c] for c in sorted(dropped)),
    )


def parse_map_options(options: Iterable[str]) -> dict[str, str]:
    """Turn ``["veld=Kolom", ...]`` into a dict; Dutch :class:`ValidationError` for a malformed option.

    Field names are checked later by :func:`detect_mapping`, which knows the file's columns.
    """
    result: dict[str, str] = {}
    for option in options:
        name, sep, column = option.partition("=")
        name, column = clean_text(name), clean_text(column)
        if not sep or not name:
            raise ValidationError({"map": (
                f"'{clean_text(option)[:60]}' is geen koppeling. Schrijf veld=Kolomnaam, "
                "bv. --map voornaam=Roepnaam of --map moeder.gsm=\"GSM mama\"."
            )})
        key = name.lower()
        if key in result and result[key] != column:
            raise ValidationError({"map": f"Het veld '{name}' staat twee keer in --map, met een andere kolom."})
        result[key] = column
    return result
