"""Import the school's pupil list from the administration package's CSV export.

Smartschool, Wisa, Informat and hand-made Excel lists all differ, so the import
runs in four steps that the command line and the import screen share:

1. :func:`read_csv` decodes the file (UTF-8 with or without BOM, UTF-16 with BOM,
   Windows-1252), finds the delimiter (``;``, ``,``, tab, ``|``) and the header row.
2. :func:`detect_mapping` recognises the columns; ``--map veld=Kolom`` adjusts it
   (:func:`parse_map_options`).
3. :func:`plan_import` works out what would change. It only reads: a dry run or a
   preview is the plan without step 4.
4. :func:`apply_import` writes the plan in one store transaction, reporting
   progress; a cancel or a crash leaves the database as it was.

Column names
    Headers are compared after folding: case, accents, punctuation, ``_`` and
    spacing are ignored, camelCase is split (``GSM_moeder``, ``Gsm moeder`` and
    ``gsmMoeder`` are the same). A parent column names its role anywhere in the
    header: ``GSM moeder``, ``Moeder GSM``, ``E-mail co-account 1``, ``Naam ouder 2``.
    Field keys (for ``--map``) are listed in :data:`FIELDS`: pupil fields
    (``voornaam`` ...), family fields (``straat``, ``telefoon`` ...) and per parent
    ``<rol>.<veld>`` with a role of :data:`ROLES` and a field of :data:`PERSON_FIELDS`.
    Columns with national register numbers are never read.

Rules the school can count on
    * A value that is empty in the file never erases what is stored.
    * Pupils are matched on their number (leading zeros and spaces ignored), else on
      first name, family name and birth date. Existing pupils keep their family.
    * Parents in a family are matched on relation and name and updated in place, so
      their ``id`` (which attendance and notes point at) stays.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from ouder_tui.errors import OuderTuiError, ValidationError
from ouder_tui.leerlingen import (
    GEZINNEN,
    LEERLINGEN,
    STATUS_ACTIEF,
    STATUS_VERTROKKEN,
    Adres,
    Gezin,
    Leerling,
    Ouder,
    Registry,
    leerjaar_from_klas,
    new_person_id,
)
from ouder_tui.models import MAX_NAME, Checker, to_record
from ouder_tui.text import clean_text, fold, format_date, parse_date, parse_school_year

__all__ = [
    "FIELDS", "PERSON_FIELDS", "ROLES", "ColumnMapping", "CsvFile", "CsvFormatError", "ImportCancelled",
    "ImportPlan", "ImportRefused", "ImportResult", "PlannedPupil", "RowProblem", "apply_import", "detect_mapping",
    "fields_help", "parse_map_options", "plan_import", "read_csv",
]

MAX_FILE_BYTES = 100 * 1024 * 1024
CHUNK = 500  # records per store call while applying; progress and cancel are checked between chunks


class CsvFormatError(OuderTuiError):
    """The file cannot be read as a pupil list; the Dutch message says why and what to do."""


class ImportRefused(OuderTuiError):
    """Strict mode: the file has unusable rows, so nothing is imported (see :meth:`ImportPlan.refuse_if_skipped`)."""


class ImportCancelled(OuderTuiError):
    """The user cancelled the import before it was saved; the database is unchanged."""

    def __init__(self) -> None:
        super().__init__("Het inlezen is geannuleerd. Er is niets gewijzigd.")


# -- fields --------------------------------------------------------------------------------------------

ROLES = ("moeder", "vader", "voogd", "ouder1", "ouder2", "ouder3", "ouder4")
_ROLE_LABEL = {"moeder": "de moeder", "vader": "de vader", "voogd": "de voogd",
               **{f"ouder{i}": f"ouder {i}" for i in range(1, 5)}}
_ROLE_RELATIE = {"moeder": "moeder", "vader": "vader", "voogd": "voogd"}

_PUPIL_FIELDS = {
    "stamboeknummer": "Leerlingnummer: stamboeknummer, stamnummer of intern nummer (nooit het rijksregisternummer)",
    "voornaam": "Voornaam van de leerling (verplicht)",
    "familienaam": "Familienaam van de leerling (verplicht)",
    "geboortedatum": "Geboortedatum van de leerling (dd/mm/jjjj)",
    "klas": "Klas of klasgroep",
    "klasnummer": "Nummer van de leerling in de klas",
    "leerjaar": "Leerjaar (1 tot 6); zonder deze kolom afgeleid uit de klas",
    "schooljaar": "Schooljaar (2026-2027); zonder deze kolom het gekozen schooljaar",
}
_ADDRESS_FIELDS = {
    "straat": "Straat",
    "huisnummer": "Huisnummer",
    "bus": "Busnummer",
    "postcode": "Postcode",
    "gemeente": "Gemeente of woonplaats",
    "adres": "Volledig adres in één kolom (Kerkstraat 12 bus 3, 9000 Gent)",
}
_FAMILY_FIELDS = {
    **{k: f"{v} van het gezin (domicilie van de leerling)" for k, v in _ADDRESS_FIELDS.items()},
    "telefoon": "Telefoonnummer van het gezin",
    "gsm": "GSM-nummer van het gezin",
    "email": "E-mailadres van het gezin",
    "thuistaal": "Thuistaal of talen van het gezin (bv. Turks, Nederlands)",
    "tolk": "Tolk nodig voor het gezin (ja/nee, of de taal)",
}
#: What can be read per parent or guardian: ``<rol>.<veld>``.
PERSON_FIELDS = {
    "voornaam": "voornaam",
    "familienaam": "familienaam (of de volledige naam als er geen voornaamkolom is)",
    "gsm": "GSM-nummer (gaat voor op telefoon)",
    "telefoon": "telefoonnummer",
    "email": "e-mailadres",
    "taal": "talen die gesproken worden",
    "tolk": "tolk nodig (ja/nee, of de taal)",
    "tolktaal": "taal waarvoor een tolk nodig is",
    "relatie": "relatie tot de leerling (moeder, vader, voogd, plusouder ...)",
    **{k: v.lower() for k, v in _ADDRESS_FIELDS.items()},
}
#: Every field key an import column can feed, with a Dutch description (``--map`` help).
FIELDS: dict[str, str] = {
    **_PUPIL_FIELDS,
    **_FAMILY_FIELDS,
    **{f"{role}.{key}": f"{desc.capitalize()} van {_ROLE_LABEL[role]}"
       for role in ROLES for key, desc in PERSON_FIELDS.items()},
}
REQUIRED = ("voornaam", "familienaam")


def fields_help() -> str:
    """A compact Dutch overview of the field keys, for ``--map`` help and the mapping screen."""
    lines = ["Velden van de leerling:"]
    lines += [f"  {k:<15} {v}" for k, v in _PUPIL_FIELDS.items()]
    lines.append("Velden van het gezin:")
    lines += [f"  {k:<15} {v}" for k, v in _FAMILY_FIELDS.items()]
    lines.append(f"Per ouder of voogd: <rol>.<veld>, met rol {', '.join(ROLES)}, en veld:")
    lines += [f"  {k:<15} {v}" for k, v in PERSON_FIELDS.items()]
    lines.append("Voorbeeld: --map moeder.gsm=\"Mobiel mama\" --map klasnummer=  (leeg: kolom niet gebruiken)")
    return "\n".join(lines)


# -- recognising column names -------------------------------------------------------------------------

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


# -- reading the file ----------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class CsvFile:
    """A parsed CSV file: its header row and the data rows with their line numbers.

    ``rows`` holds ``(line, cells)`` with ``line`` the physical line in the file where
    the row starts (the first line is 1); blank rows are left out. Cells are the
    text as it is in the file; cleaning happens when the rows are planned.
    """

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str
    delimiter: str
    header_line: int = 1


_DELIMITERS = (";", ",", "\t", "|")
_BLANKISH = set(";,\t| \r\n")
_DELIMITER_NAMES = {";": "puntkomma", ",": "komma", "\t": "tab", "|": "verticale streep"}
_SIGNATURES = (
    (b"PK\x03\x04", "een Excel-bestand (.xlsx) of een zip-bestand"),
    (b"\xd0\xcf\x11\xe0", "een oud Excel-bestand (.xls)"),
    (b"%PDF", "een PDF-bestand"),
)
_SAVE_AS_CSV = "Open het in Excel en kies Opslaan als > 'CSV (gescheiden door lijstscheidingsteken)'."


def _decode(raw: bytes) -> tuple[str, str]:
    for signature, what in _SIGNATURES:
        if raw.startswith(signature):
            raise CsvFormatError(f"Dit is {what}, geen CSV-bestand. {_SAVE_AS_CSV}")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise CsvFormatError("Het bestand lijkt UTF-16-tekst, maar bevat ongeldige tekens.") from None
    if b"\x00" in raw[:65536]:
        raise CsvFormatError(f"Dit is geen tekstbestand (het bevat binaire gegevens). {_SAVE_AS_CSV}")
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "cp1252"


def _records(text: str, delimiter: str, limit: int | None = None) -> list[tuple[int, list[str]]]:
    """Parse ``text``; a Dutch :class:`CsvFormatError` names the line of a malformed record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=True)
    records: list[tuple[int, list[str]]] = []
    while limit is None or len(records) < limit:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            message = str(exc)
            if "end of data" in message:
                raise CsvFormatError(
                    f"Regel {start}: een aanhalingsteken (\") wordt nergens gesloten, zodat de rest van het "
                    "bestand één veld zou worden. Controleer die regel."
                ) from None
            if "field limit" in message:
                raise CsvFormatError(
                    f"Regel {start}: een veld is langer dan {csv.field_size_limit()} tekens. "
                    "Is dit wel een leerlingenlijst?"
                ) from None
            raise CsvFormatError(
                f"Regel {start}: een aanhalingsteken (\") staat op een onverwachte plaats. Een veld met "
                "aanhalingstekens hoort zelf tussen aanhalingstekens te staan, met elk aanhalingsteken verdubbeld."
            ) from None
        if any(cell.strip() for cell in cells):
            records.append((start, cells))
    return records


def _header_index(records: list[tuple[int, list[str]]]) -> int:
    """Skip title lines ("Leerlingenlijst 2026-2027;;;") above the header row.

    The header is the first of the first ten rows with two or more column names we
    know, else the first row with two or more values, else the first row.
    """
    for index, (_line, cells) in enumerate(records[:10]):
        if sum(1 for c in cells if c.strip() and _classify(c) is not None) >= 2:
            return index
    for index, (_line, cells) in enumerate(records[:10]):
        if sum(1 for c in cells if c.strip()) >= 2:
            return index
    return 0


def _sniff(text: str) -> str:
    """The delimiter that splits the header row into the most column names we know, then into the most values."""
    best, best_score = ";", (-1, -1)
    for delimiter in _DELIMITERS:
        try:
            sample = _records(text, delimiter, limit=10)
        except CsvFormatError:
            continue
        if not sample:
            continue
        cells = [c for c in sample[_header_index(sample)][1] if c.strip()]
        score = (sum(1 for c in cells if _classify(c) is not None), len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(source: Path | str | bytes) -> CsvFile:
    """Read a pupil list from a file path or from its bytes.

    Raises :class:`CsvFormatError` (an :class:`OuderTuiError`) with a Dutch message
    for a file that cannot be read, is empty, binary, malformed or holds no data rows.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        raw = bytes(source)
    else:
        path = Path(source)
        try:
            if path.is_dir():
                raise CsvFormatError(f"{path} is een map, geen bestand.")
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CsvFormatError(
                    f"{path} is groter dan {MAX_FILE_BYTES // 2**20} MB; is dit wel een leerlingenlijst?")
            raw = path.read_bytes()
        except FileNotFoundError:
            raise CsvFormatError(f"Het bestand {path} bestaat niet.") from None
        except OSError as exc:
            raise CsvFormatError(f"Kan het bestand {path} niet lezen: {exc.strerror or exc}.") from None
    if len(raw) > MAX_FILE_BYTES:
        raise CsvFormatError(f"Het bestand is groter dan {MAX_FILE_BYTES // 2**20} MB; is dit wel een leerlingenlijst?")
    text, encoding = _decode(raw)
    if not text.strip():
        raise CsvFormatError("Het bestand is leeg.")
    delimiter = _sniff(text)
    records = _records(text, delimiter)
    if not any(set(cell) - _BLANKISH for _line, cells in records for cell in cells):
        raise CsvFormatError("Het bestand is leeg: er staan alleen lege regels in.")
    start = _header_index(records)
    header_line, headers = records[start]
    headers = list(headers)
    while headers and not headers[-1].strip():
        headers.pop()
    rows = records[start + 1:]
    if not rows:
        raise CsvFormatError(f"Het bestand bevat alleen een kopregel (regel {header_line}) en geen leerlingen.")
    return CsvFile(headers=headers, rows=rows, encoding=encoding, delimiter=delimiter, header_line=header_line)


# -- reading values --------------------------------------------------------------------------------------

_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2})?$")
_SHORT_YEAR = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2})$")


def _parse_birth_date(text: str, vandaag: date) -> date:
    value = _TIME_SUFFIX.sub("", text.strip())
    if m := _SHORT_YEAR.match(value):
        year = 2000 + int(m.group(3))
        value = f"{m.group(1)}/{m.group(2)}/{year if year <= vandaag.year else year - 100}"
    day = parse_date(value)
    if day > vandaag:
        raise ValueError(f"{format_date(day)} ligt in de toekomst")
    return day


def _parse_school_year(text: str) -> str:
    value = re.sub(r"\s+", "", text).replace("/", "-")
    if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
        value = f"{m.group(1)}-{m.group(1)[:2]}{m.group(2)}"
    return parse_school_year(value)


def _parse_leerjaar(text: str) -> int | None:
    value = fold(text).strip()
    if value.startswith("k") or "kleuter" in value:
        return None
    if (m := re.search(r"\d+", value)) and 1 <= int(m.group()) <= 6:
        return int(m.group())
    raise ValueError(f"'{text[:40]}' is geen leerjaar (1 tot 6)")


_YES = {"ja", "j", "x", "1", "true", "waar", "yes", "y", "v", "nodig", "gewenst", "wel"}
_NO = {"nee", "neen", "n", "0", "false", "onwaar", "no", "niet nodig", "geen", "niet", "-"}


def _parse_tolk(text: str) -> tuple[bool | None, str]:
    """``"ja"`` -> (True, ""), ``"nee"`` -> (False, ""), ``"ja, Arabisch"`` or ``"Arabisch"`` -> (True, "Arabisch")."""
    value = fold(text).strip(" .!")
    if not value:
        return None, ""
    if value in _NO:
        return False, ""
    if value in _YES:
        return True, ""
    if m := re.match(r"^(?:ja|yes|j)\b[\s,:;(\-]*(.+?)[\s)]*$", text.strip(), re.IGNORECASE):
        return True, _language(m.group(1))
    return True, _language(text)


_LANGUAGE_CODES = {
    "nl": "Nederlands", "nederlands": "Nederlands", "vlaams": "Nederlands", "fr": "Frans", "en": "Engels",
    "de": "Duits", "ar": "Arabisch", "tr": "Turks", "pl": "Pools", "ro": "Roemeens", "bg": "Bulgaars",
    "ru": "Russisch", "uk": "Oekraïens", "es": "Spaans", "it": "Italiaans", "pt": "Portugees",
    "so": "Somalisch", "ti": "Tigrinya", "fa": "Farsi", "ps": "Pasjtoe", "sq": "Albanees",
}
_LANGUAGE_SPLIT = re.compile(r"\s*(?:[,;/+&|]|\s+en\s+|\s+and\s+)\s*", re.IGNORECASE)


def _language(text: str) -> str:
    value = clean_text(text).strip(" .")[:40]
    if fold(value) in _LANGUAGE_CODES:
        return _LANGUAGE_CODES[fold(value)]
    return value[:1].upper() + value[1:] if value.islower() else value


def _parse_talen(text: str) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for part in _LANGUAGE_SPLIT.split(text):
        if language := _language(part):
            seen.setdefault(fold(language), language)
    return tuple(seen.values())


def _is_dutch(language: str) -> bool:
    return fold(language) in ("nederlands", "vlaams", "nl")


def _parse_relatie(text: str, default: str) -> str:
    value = fold(text).strip()
    if not value or value in ("ouder", "ouders", "co-account", "coaccount"):
        return default
    for prefixes, relatie in ((("moeder", "mama", "mother", "mam"), "moeder"), (("vader", "papa", "father"), "vader"),
                              (("voogd",), "voogd"), (("plus", "stief"), "plusouder"), (("pleeg",), "pleegouder"),
                              (("groot", "oma", "opa", "bomma", "bompa"), "grootouder")):
        if value.startswith(prefixes):
            return relatie
    return "andere"


_STREET = re.compile(r"^(?P<straat>.*?[^\d\s,])[\s,]+(?P<nr>\d+(?:\s?[a-zA-Z](?![a-zA-Z]))?(?:-\d+)?)"
                     r"(?:[\s,]*(?:(?:bus|bte|b\.?)\s*|/\s*)(?P<bus>[\w.\-]+))?$", re.IGNORECASE)
_TOWN = re.compile(r"^(?:B\s?-?\s?)?(?P<pc>\d{4})\s+(?P<gem>.+)$", re.IGNORECASE)
_STREET_AND_TOWN = re.compile(r"^(?P<street>.*?)\s+(?P<town>(?:B-?)?\d{4}\s+\D.*)$", re.IGNORECASE)


def _split_street(text: str) -> tuple[str, str, str]:
    if m := _STREET.match(text):
        return m.group("straat").strip(), m.group("nr").replace(" ", ""), m.group("bus") or ""
    return text, "", ""


def _parse_adres(text: str) -> Adres:
    """``Kerkstraat 12 bus 3, 9000 Gent`` -> its parts; what does not fit stays in ``straat``."""
    street, town = text, ""
    if "," in text:
        street, _, town = text.rpartition(",")
    elif m := _STREET_AND_TOWN.match(text):
        street, town = m.group("street"), m.group("town")
    straat, huisnummer, bus = _split_street(street.strip())
    postcode = gemeente = ""
    if town.strip():
        if m := _TOWN.match(town.strip()):
            postcode, gemeente = m.group("pc"), m.group("gem").strip()
        else:
            gemeente = town.strip()
    return Adres(straat=straat, huisnummer=huisnummer, bus=bus, postcode=postcode, gemeente=gemeente)


def _phone_key(value: str) -> str | None:
    digits = re.sub(r"\D", "", value)
    if value.strip().startswith("+") and digits.startswith("32"):
        digits = "0" + digits[2:]
    elif digits.startswith("0032"):
        digits = "0" + digits[4:]
    return digits[-9:] if len(digits) >= 8 else None


def _number_key(value: str) -> str:
    compact = re.sub(r"[\s.\-/]", "", fold(value))
    return compact.lstrip("0") or ("0" if compact else "")


def _name_key(*parts: str) -> str:
    return " ".join(fold(" ".join(parts)).split())


def _looks_like_rrn(value: str) -> bool:
    digits = re.sub(r"[\s.\-]", "", value)
    if len(digits) != 11 or not digits.isdigit():
        return False
    base, check = int(digits[:9]), int(digits[9:])
    return check in (97 - base % 97, 97 - (2_000_000_000 + base) % 97)


def _address_key(adres: Adres) -> tuple[str, ...] | None:
    town = re.sub(r"\D", "", adres.postcode) or _name_key(adres.gemeente)
    if not adres.straat or not town:
        return None
    street = re.sub(r"[^a-z0-9]", "", fold(adres.straat))
    street = re.sub(r"str$", "straat", street)
    return (street, fold(adres.huisnummer).replace(" ", ""), fold(adres.bus).replace(" ", ""), town)


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:37] + "..."


# -- the plan ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowProblem:
    """Something wrong with one line of the file (``line`` 0: the file as a whole). ``reason`` is Dutch."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"regel {self.line}: {self.reason}" if self.line else self.reason


@dataclass(frozen=True)
class PlannedPupil:
    """One pupil the import adds or changes.

    ``leerling`` is what will be saved (for an update: with the stored ``id`` and
    ``rev``); ``before`` is the stored version (``None`` for a new pupil).
    ``new_family`` indexes :attr:`ImportPlan.families_new` when the pupil joins a
    family that the import creates (its ``gezin_id`` is then set on saving).
    """

    line: int
    leerling: Leerling
    before: Leerling | None = None
    new_family: int | None = None


@dataclass(eq=False)
class ImportPlan:
    """What an import would change. Making it writes nothing; :func:`apply_import` carries it out."""

    mapping: ColumnMapping
    schooljaar: str
    vandaag: date
    markeer_vertrokken: bool
    rows: int
    new: list[PlannedPupil] = field(default_factory=list)
    updated: list[PlannedPupil] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    to_mark_left: list[Leerling] = field(default_factory=list)
    families_new: list[Gezin] = field(default_factory=list)
    families_updated: list[tuple[Gezin, Gezin]] = field(default_factory=list)  # (before, after)
    csv: CsvFile | None = field(default=None, repr=False)
    generation: int = field(default=-1, repr=False)

    @property
    def new_families(self) -> int:
        """How many families the import creates."""
        return len(self.families_new)

    @property
    def updated_families(self) -> int:
        """How many existing families change (parents added or updated, a new address)."""
        return len(self.families_updated)

    @property
    def changes(self) -> int:
        """How many records applying the plan writes (the progress total)."""
        return (len(self.new) + len(self.updated) + len(self.to_mark_left)
                + len(self.families_new) + len(self.families_updated))

    def refuse_if_skipped(self) -> None:
        """Strict mode: raise :class:`ImportRefused` naming the bad rows when any row would be skipped."""
        if self.skipped:
            shown = "\n".join(f"  {p}" for p in self.skipped[:50])
            more = f"\n  ... en nog {len(self.skipped) - 50}" if len(self.skipped) > 50 else ""
            raise ImportRefused(
                f"Het bestand telt {len(self.skipped)} onbruikbare rij(en); er is niets ingelezen.\n{shown}{more}"
            )

    def summary(self, *, limit: int | None = None) -> str:
        """Dutch multi-line summary: counts, then every skipped row and warning with its line number."""
        lines = [
            f"Leerlingen: {len(self.new)} nieuw, {len(self.updated)} bijgewerkt, {self.unchanged} ongewijzigd, "
            f"{len(self.skipped)} overgeslagen.",
            f"Gezinnen: {self.new_families} nieuw, {self.updated_families} bijgewerkt.",
        ]
        if self.markeer_vertrokken:
            lines.append(f"Als vertrokken gemarkeerd (niet meer in de lijst): {len(self.to_mark_left)}.")
        for title, problems in (("Overgeslagen rijen:", self.skipped), ("Waarschuwingen:", self.warnings)):
            if problems:
                lines.append(title)
                shown = problems if limit is None else problems[:limit]
                lines += [f"  {p}" for p in shown]
                if len(shown) < len(problems):
                    lines.append(f"  ... en nog {len(problems) - len(shown)}")
        if self.mapping.unrecognised:
            lines.append("Niet ingelezen kolommen: " + ", ".join(f"'{_short(clean_text(h))}'"
                                                                 for h in self.mapping.unrecognised))
        return "\n".join(lines)


@dataclass(frozen=True)
class ImportResult:
    """What :func:`apply_import` saved. ``replanned``: the database changed after the preview, so the
    plan was made again inside the transaction (the counts are those of the new plan)."""

    plan: ImportPlan
    replanned: bool = False

    @property
    def new(self) -> int:
        """Pupils added."""
        return len(self.plan.new)

    @property
    def updated(self) -> int:
        """Pupils changed."""
        return len(self.plan.updated)

    @property
    def unchanged(self) -> int:
        """Rows that matched a pupil whose data was already the same."""
        return self.plan.unchanged

    @property
    def skipped(self) -> int:
        """Rows that could not be used."""
        return len(self.plan.skipped)

    @property
    def marked_left(self) -> int:
        """Pupils marked as left the school."""
        return len(self.plan.to_mark_left)

    def summary(self, *, limit: int | None = None) -> str:
        """The plan's summary, noting when the database had changed since the preview."""
        text = self.plan.summary(limit=limit)
        if self.replanned:
            text += "\nDe databank was intussen gewijzigd; de cijfers hierboven zijn opnieuw berekend."
        return text


# -- planning: rows ------------------------------------------------------------------------------------------

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
                    talen=_parse_talen(v.get("thuistaal", "")), tolk=tolk, tolk_taal=tolk_taal)

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
        value = v.get(key, "")
        if not value:
            return ""
        check = Checker()
        cleaned = check.phone(key, value)
        if check.errors:
            self.warn(line, f"{self.header(key)}: '{_short(value)}' is geen telefoonnummer; niet bewaard")
            return ""
        return cleaned

    def email(self, line: int, v: dict[str, str], key: str) -> str:
        value = v.get(key, "")
        if not value:
            return ""
        check = Checker()
        cleaned = check.email(key, value)
        if check.errors:
            self.warn(line, f"{self.header(key)}: '{_short(value)}' is geen e-mailadres; niet bewaard")
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


# -- planning: families ---------------------------------------------------------------------------------------

class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i


def _contradicts(a: set[str], b: set[str]) -> bool:
    """Two groups with named parents, none in common: an address alone does not make them one family."""
    return bool(a) and bool(b) and not (a & b)


def _row_keys(row: _Row) -> list[tuple[str, Any]]:
    keys: list[tuple[str, Any]] = [("naam", p.key) for p in row.persons if p.strong]
    phones = [p.telefoon for p in row.persons if p.telefoon] + row.phones
    keys += [("tel", k) for k in map(_phone_key, phones) if k]
    keys += [("mail", e.lower()) for e in [p.email for p in row.persons] + [row.email] if e]
    if row.existing is not None and row.existing.gezin_id is not None:
        keys.append(("gezin", row.existing.gezin_id))
    return keys


def _ouder_strong_key(ouder: Ouder, gezin: Gezin) -> str | None:
    key = _name_key(ouder.voornaam, ouder.familienaam)
    if ouder.voornaam or (len(key.split()) >= 2 and key not in _name_key(gezin.naam)):
        return key
    return None


class _FamilyState:
    """A family as the import leaves it: an existing one (``before``) or a new one."""

    def __init__(self, before: Gezin | None) -> None:
        self.before = before
        self.ouders: list[Ouder] = list(before.ouders) if before else []
        self.keys: list[str] = []  # name keys of ``ouders`` (names never change during an import)
        self.adres: Adres | None = None
        self.names: list[str] = []  # children's family names, for a new family's name
        #: A phone number or e-mail address of the family as a whole found no parent without one.
        self.lost_contact = False

    def find(self, person: _Person) -> int | None:
        if person.named:
            key = person.key
            if len(self.keys) != len(self.ouders):
                self.keys = [_name_key(o.voornaam, o.familienaam) for o in self.ouders]
            same = [i for i, k in enumerate(self.keys) if k == key]
            exact = [i for i in same if self.ouders[i].relatie == person.relatie]
            if exact or len(same) == 1:
                return (exact or same)[0]
            return None
        same_role = [i for i, o in enumerate(self.ouders) if o.relatie == person.relatie]
        if len(same_role) == 1:
            return same_role[0]
        phone, mail = _phone_key(person.telefoon), person.email.lower()
        for i in same_role:
            o = self.ouders[i]
            if (phone and _phone_key(o.telefoon) == phone) or (mail and o.email.lower() == mail):
                return i
        return None

    def merge(self, person: _Person, child_name: str) -> int:
        """Add or update the parent ``person`` describes; returns the parent's index."""
        index = self.find(person)
        if index is None:
            tolk = bool(person.tolk)
            self.ouders.append(Ouder(
                id=new_person_id(), relatie=person.relatie, voornaam=person.voornaam,
                familienaam=person.familienaam if person.named else child_name,
                talen=person.talen, tolk_nodig=tolk, tolk_taal=_tolk_taal(tolk, person.tolk_taal, person.talen),
                telefoon=person.telefoon, email=person.email, adres=person.adres or Adres(),
            ))
            return len(self.ouders) - 1
        ouder = self.ouders[index]
        talen = tuple(dict.fromkeys((*ouder.talen, *(t for t in person.talen
                                                     if fold(t) not in {fold(x) for x in ouder.talen}))))
        changes: dict[str, Any] = {"talen": talen}
        if ouder.relatie == "ouder" and person.relatie != "ouder":
            changes["relatie"] = person.relatie
        if person.telefoon and _phone_key(person.telefoon) != _phone_key(ouder.telefoon):
            changes["telefoon"] = person.telefoon
        if person.email and person.email.lower() != ouder.email.lower():
            changes["email"] = person.email
        if person.adres and person.adres != ouder.adres:
            changes["adres"] = person.adres
        if person.tolk is not None:
            changes["tolk_nodig"] = person.tolk
            changes["tolk_taal"] = _tolk_taal(person.tolk, person.tolk_taal or ouder.tolk_taal, talen)
        self.ouders[index] = msgspec.structs.replace(ouder, **changes)
        return index

    def family_values(self, row: _Row, explicit: set[int]) -> None:
        """Values the file gives for the family as a whole go to its parents.

        The home language goes to parents without a language, the interpreter answer
        to every parent without an own answer in this row (``explicit``), a phone
        number or e-mail address to the first parent without one; a family without
        parents gets one contact person named after the child's family name.
        """
        if not self.ouders and (row.phones or row.email or row.talen or row.tolk):
            tolk = bool(row.tolk)
            self.ouders.append(Ouder(
                id=new_person_id(), relatie="ouder", familienaam=row.leerling.familienaam, talen=row.talen,
                tolk_nodig=tolk, tolk_taal=_tolk_taal(tolk, row.tolk_taal, row.talen),
                telefoon=row.phones[0] if row.phones else "", email=row.email,
            ))
            phones = row.phones[1:]
        else:
            phones = row.phones
        for i, ouder in enumerate(self.ouders):
            changes: dict[str, Any] = {}
            if row.talen and not ouder.talen:
                changes["talen"] = row.talen
            if row.tolk is not None and i not in explicit and ouder.tolk_nodig != row.tolk:
                changes["tolk_nodig"] = row.tolk
                changes["tolk_taal"] = _tolk_taal(row.tolk, row.tolk_taal or ouder.tolk_taal,
                                                  changes.get("talen", ouder.talen))
            if changes:
                self.ouders[i] = msgspec.structs.replace(ouder, **changes)
        for number in phones:
            if any(_phone_key(o.telefoon) == _phone_key(number) for o in self.ouders):
                continue
            free = [i for i, o in enumerate(self.ouders) if not o.telefoon]
            if free:
                self.ouders[free[0]] = msgspec.structs.replace(self.ouders[free[0]], telefoon=number)
            else:
                self.lost_contact = True
        if row.email and not any(o.email.lower() == row.email.lower() for o in self.ouders):
            free = [i for i, o in enumerate(self.ouders) if not o.email]
            if free:
                self.ouders[free[0]] = msgspec.structs.replace(self.ouders[free[0]], email=row.email)
            else:
                self.lost_contact = True


def _tolk_taal(needed: bool, given: str, talen: Sequence[str]) -> str:
    if not needed:
        return ""
    return given or next((t for t in talen if not _is_dutch(t)), "")


def _family_name(names: list[str]) -> str:
    distinct = list({fold(n): n for n in reversed(names)}.values())[::-1]
    return " / ".join(distinct[:3])[:MAX_NAME]


def _group(planner: _Planner, rows: list[_Row]) -> dict[int, tuple[str, int]]:
    """Which family every row's pupil belongs to: ``("old", gezin_id)`` or ``("new", index)``."""
    uf = _UnionFind(len(rows))
    names: dict[int, set[str]] = {i: {p.key for p in r.persons if p.strong} for i, r in enumerate(rows)}

    def union(a: int, b: int, *, weak: bool = False) -> None:
        ra, rb = uf.find(a), uf.find(b)
        if ra == rb or (weak and _contradicts(names[ra], names[rb])):
            return
        uf.parent[rb] = ra
        names[ra] |= names.pop(rb)

    first: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        for key in _row_keys(row):
            union(first.setdefault(key, i), i)
    first_address: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        if (key := _address_key(row.adres)) is not None:
            union(first_address.setdefault(key, i), i, weak=True)

    strong_index: dict[tuple, int] = {}
    address_index: dict[tuple, int] = {}
    family_names: dict[int, set[str]] = {}
    for gezin in planner.families.values():
        keys = {k for o in gezin.ouders if (k := _ouder_strong_key(o, gezin))}
        family_names[gezin.id] = keys
        for key in keys:
            strong_index.setdefault(("naam", key), gezin.id)
        for o in gezin.ouders:
            if k := _phone_key(o.telefoon):
                strong_index.setdefault(("tel", k), gezin.id)
            if o.email:
                strong_index.setdefault(("mail", o.email.lower()), gezin.id)
        if (key := _address_key(gezin.adres)) is not None:
            address_index.setdefault(key, gezin.id)

    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(uf.find(i), []).append(i)
    targets: dict[int, tuple[str, int]] = {}
    new_count = 0
    for root, members in groups.items():
        target: tuple[str, int] | None = None
        for i in members:
            existing = rows[i].existing
            if existing is not None and existing.gezin_id in planner.families:
                target = ("old", existing.gezin_id)
                break
        if target is None:
            hit = next((strong_index[k] for i in members for k in _row_keys(rows[i]) if k in strong_index), None)
            if hit is None:
                hit = next((gid for i in members if (k := _address_key(rows[i].adres)) is not None
                            and (gid := address_index.get(k)) is not None
                            and not _contradicts(names[root], family_names[gid])), None)
            if hit is not None:
                target = ("old", hit)
        if target is None:
            target = ("new", new_count)
            new_count += 1
        for i in members:
            existing = rows[i].existing
            own = existing is not None and existing.gezin_id in planner.families
            targets[i] = ("old", existing.gezin_id) if own else target  # type: ignore[union-attr]
    return targets


def _record(value: msgspec.Struct) -> dict:
    record = to_record(value)
    for key in ("id", "_rev", "_created_by", "_created_at", "_changed_by", "_changed_at"):
        record.pop(key, None)
    return record


def plan_import(registry: Registry, csv_file: CsvFile, mapping: ColumnMapping, *, schooljaar: str,
                vandaag: date, markeer_vertrokken: bool = False) -> ImportPlan:
    """Work out what importing ``csv_file`` would change. Reads the registry, writes nothing.

    ``schooljaar`` is used for rows without a Schooljaar column value; ``vandaag`` dates
    pupils marked as left (only when ``markeer_vertrokken``: active pupils missing from
    the file). Raises :class:`ValidationError` when a required column is missing or the
    school year is invalid; bad rows do not raise but end up in ``plan.skipped``.
    """
    try:
        schooljaar = parse_school_year(schooljaar)
    except ValueError as exc:
        raise ValidationError({"schooljaar": str(exc)}) from None
    if tuple(mapping.headers) != tuple(csv_file.headers):
        raise ValidationError({"kolommen": "De kolomkoppeling hoort bij een ander bestand."})
    if missing := mapping.missing():
        names = ", ".join(f"'{_short(clean_text(h))}'" for h in csv_file.headers if clean_text(h))
        raise ValidationError({"kolommen": (
            f"Geen kolom gevonden voor: {' en '.join(missing)}. Kolommen in het bestand: {names}. "
            f"Koppel ze zelf, bv. --map {missing[0]}=Kolomnaam."
        )})
    planner = _Planner(registry, csv_file, mapping, schooljaar, vandaag, markeer_vertrokken)
    plan = planner.plan
    for header in mapping.dropped:
        planner.warn(csv_file.header_line, f"de kolom '{_short(clean_text(header))}' bevat rijksregisternummers; "
                                           "die worden niet ingelezen of bewaard")
    if "stamboeknummer" not in mapping.columns and "geboortedatum" not in mapping.columns:
        planner.warn(0, "het bestand heeft geen leerlingnummer en geen geboortedatum: leerlingen worden enkel "
                        "op hun naam herkend")

    header_cells = [clean_text(h) for h in csv_file.headers]
    first = header_cells[0] if header_cells else ""
    rows: list[_Row] = []
    for line, cells in csv_file.rows:
        if cells and cells[0].strip() == first and [clean_text(c) for c in cells[:len(header_cells)]] == header_cells:
            planner.warn(line, "herhaalde kopregel overgeslagen")
            continue
        if (row := planner.read_row(line, cells)) is not None:
            rows.append(row)

    targets = _group(planner, rows)
    states: dict[tuple[str, int], _FamilyState] = {}
    for i, row in enumerate(rows):
        target = targets[i]
        state = states.get(target)
        if state is None:
            state = states[target] = _FamilyState(planner.families[target[1]] if target[0] == "old" else None)
        explicit = {state.merge(person, row.leerling.familienaam) for person in row.persons if person.tolk is not None}
        for person in row.persons:
            if person.tolk is None:
                state.merge(person, row.leerling.familienaam)
        state.family_values(row, explicit)
        if state.adres is None and not row.adres.is_empty():
            state.adres = row.adres
        state.names.append(row.leerling.familienaam)

    if lost := sum(state.lost_contact for state in states.values()):
        planner.warn(0, f"bij {lost} gezin(nen) is een telefoonnummer of e-mailadres van het gezin als geheel niet "
                        "bewaard: elke ouder had al een eigen nummer of adres (ouder-tui bewaart er één per ouder)")
    new_index: dict[int, int] = {}
    for target, state in states.items():
        if state.before is None:
            try:
                gezin = Gezin(naam=_family_name(state.names), adres=state.adres or Adres(),
                              ouders=tuple(state.ouders)).checked()
            except ValidationError as exc:  # values were checked one by one; this is a safety net
                planner.warn(0, f"een nieuw gezin ({_family_name(state.names)}) kon niet gemaakt worden: {exc}")
                continue
            new_index[target[1]] = len(plan.families_new)
            plan.families_new.append(gezin)
            continue
        before = state.before
        if tuple(state.ouders) == before.ouders and (state.adres is None or state.adres == before.adres):
            continue  # nothing changed: skip the (costly) checks
        after = msgspec.structs.replace(before, ouders=tuple(state.ouders))
        if state.adres is not None and state.adres != before.adres:
            after = msgspec.structs.replace(after, adres=state.adres)
        try:
            after = after.checked()
        except ValidationError as exc:
            planner.warn(0, f"het gezin {before.naam} is niet bijgewerkt: {exc}")
            continue
        if _record(after) != _record(before):
            plan.families_updated.append((before, after))

    for i, row in enumerate(rows):
        kind, number = targets[i]
        leerling, new_family = row.leerling, None
        if kind == "old":
            if leerling.gezin_id != number:
                leerling = msgspec.structs.replace(leerling, gezin_id=number)
        elif number in new_index:
            new_family = new_index[number]
        if row.existing is None:
            plan.new.append(PlannedPupil(row.line, leerling, None, new_family))
        elif new_family is not None or _record(leerling) != _record(row.existing):
            plan.updated.append(PlannedPupil(row.line, leerling, row.existing, new_family))
        else:
            plan.unchanged += 1

    if markeer_vertrokken:
        seen = set(planner.claimed) | planner.protected
        active = [p for p in planner.pupils if p.actief]
        plan.to_mark_left = [p for p in active if p.id not in seen]
        if len(active) >= 10 and len(plan.to_mark_left) > len(active) / 2:
            planner.warn(0, f"let op: {len(plan.to_mark_left)} van de {len(active)} leerlingen staan niet in dit "
                            "bestand en worden als vertrokken gemarkeerd. Is dit wel een volledige lijst?")
    plan.skipped.sort(key=lambda p: p.line)
    plan.warnings.sort(key=lambda p: p.line)
    return plan


# -- applying ----------------------------------------------------------------------------------------------------

def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def apply_import(registry: Registry, plan: ImportPlan, *, progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None, bestand: str = "") -> ImportResult:
    """Carry out ``plan`` in one store transaction: everything is saved, or nothing.

    ``progress(done, total)`` is called as records are prepared; ``cancelled()`` is
    asked between chunks and once more just before saving, and when it returns true
    :class:`ImportCancelled` is raised and the database stays as it was. When the
    database changed since the plan was made (another window, another PC), the plan
    is made again inside the transaction so nothing is duplicated or overwritten.
    """
    store = registry.store
    report = progress or (lambda done, total: None)
    is_cancelled = cancelled or (lambda: False)
    replanned = False

    def check() -> None:
        if is_cancelled():
            raise ImportCancelled()

    with store.transaction():
        if store.generation != plan.generation:
            if plan.csv is None:
                raise OuderTuiError("De databank is gewijzigd sinds de voorvertoning; lees het bestand opnieuw in.")
            plan = plan_import(registry, plan.csv, plan.mapping, schooljaar=plan.schooljaar, vandaag=plan.vandaag,
                               markeer_vertrokken=plan.markeer_vertrokken)
            replanned = True
        total, done = plan.changes, 0
        report(0, total)
        check()
        family_ids: list[int] = []
        for chunk in _chunks(plan.families_new):
            family_ids += [r["id"] for r in store.insert_many(GEZINNEN, [_record(g) for g in chunk])]
            done += len(chunk)
            report(done, total)
            check()
        for chunk in _chunks(plan.families_updated):
            store.update_many(GEZINNEN, [(after.id, _record(after), before.rev) for before, after in chunk])
            done += len(chunk)
            report(done, total)
            check()

        def with_family(planned: PlannedPupil) -> dict:
            record = _record(planned.leerling)
            if planned.new_family is not None:
                record["gezin_id"] = family_ids[planned.new_family]
            return record

        for chunk in _chunks(plan.new):
            store.insert_many(LEERLINGEN, [with_family(p) for p in chunk])
            done += len(chunk)
            report(done, total)
            check()
        left = [PlannedPupil(0, msgspec.structs.replace(p, status=STATUS_VERTROKKEN, vertrokken_op=plan.vandaag), p)
                for p in plan.to_mark_left]
        for chunk in _chunks([*plan.updated, *left]):
            store.update_many(LEERLINGEN, [(p.leerling.id, with_family(p), p.before.rev) for p in chunk])
            done += len(chunk)
            report(done, total)
            check()
        result = ImportResult(plan=plan, replanned=replanned)
        # What the dashboard shows as "the last import"; saved with the import itself.
        store.update_settings(laatste_import={
            "op": store.clock().isoformat(), "door": store.user, "bestand": bestand,
            "nieuw": result.new, "bijgewerkt": result.updated, "ongewijzigd": result.unchanged,
            "overgeslagen": result.skipped, "vertrokken": result.marked_left,
        })
    return result
