"""Reading one cell: dates, school year, grade, interpreter, languages, relation, address,
and the keys that match phone numbers, pupil numbers, names and addresses.

The ``_parse_*`` helpers raise :class:`ValueError` with a Dutch reason, or return a
neutral value, so the planner can skip the row or warn.
"""

from __future__ import annotations

import re
from datetime import date

from ouder_tui.leerlingen import Adres
from ouder_tui.text import clean_text, fold, format_date, parse_date, parse_school_year

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
