"""Inspection (*inzage*): one readable report of everything the database holds about one family and
its children, across every module, for a parent who asks for it (GDPR right of access).

Nothing is left out on purpose: confidential notes of home visits are included and marked as
such, and so is what sits in the recycle bin. Every field that holds something is shown, so a
field added later appears without changes here. Each area writes its own part (its descriptor's
``report``) with the helpers here, and says which recycle-bin entries are the family's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ouder_tui.areas import Services, all_areas, in_bin
from ouder_tui.exporters import Block, Bullets, Heading, Para, render_report
from ouder_tui.leerlingen import Registry
from ouder_tui.privacy import gezin_subject
from ouder_tui.settings import load_settings
from ouder_tui.text import format_date, format_datetime

FORMATS = ("html", "md")
#: Store bookkeeping shown as one line ("aangemaakt door ... op ...") instead of field by field.
_META = ("id", "_rev", "_created_by", "_created_at", "_changed_by", "_changed_at")
CONFIDENTIAL = "VERTROUWELIJK"

#: How the report names a field: words a parent reads, never the field's name in the database.
LABELS = {
    "naam": "naam", "voornaam": "voornaam", "familienaam": "familienaam", "adres": "adres", "straat": "straat",
    "huisnummer": "huisnummer", "bus": "bus", "postcode": "postcode", "gemeente": "gemeente",
    "relatie": "relatie tot het kind", "talen": "talen", "tolk_nodig": "tolk nodig", "tolk_taal": "taal van de tolk",
    "telefoon": "telefoon", "email": "e-mail", "voorkeurkanaal": "liefst bereikt via",
    "beste_momenten": "best bereikbaar", "notities": "notities", "stamboeknummer": "leerlingnummer",
    "geboortedatum": "geboortedatum", "klas": "klas", "klasnummer": "nummer in de klas", "leerjaar": "leerjaar",
    "schooljaar": "schooljaar", "status": "stand", "vertrokken_op": "vertrokken op",
    "datum": "datum", "tijd": "uur", "duur_minuten": "duur in minuten", "bezoeker": "bezoeker",
    "tweede_bezoeker": "tweede bezoeker", "tweede_rol": "rol van de tweede bezoeker", "reden": "reden",
    "reden_andere": "andere reden", "taal": "taal", "tolk": "tolk", "vertrouwelijk": "vertrouwelijk",
    "annulatie_reden": "reden van annulering", "besproken": "besproken", "verwachtingen": "wat het gezin hoopt",
    "afspraken": "afspraken", "acties": "actie", "wat": "wat", "eigenaar": "wie", "tegen": "tegen",
    "gedaan_op": "gedaan op", "gedaan_door": "gedaan door", "vervolgbezoek": "volgend bezoek gewenst",
    "vervolgbezoek_tegen": "volgend bezoek tegen", "soort": "soort gesprek", "leerling_aanwezig": "kind erbij",
    "tolk_naam": "naam van de tolk", "kwaliteiten": "waar het kind sterk in is", "doelen": "doelen",
    "nodig": "nodig", "van": "van", "plan": "communicatieplan", "kanalen": "kanalen",
    "wie_contacteert": "wie contacteert wie", "frequentie": "hoe vaak", "gelegenheden": "wanneer zeker",
    "contactpersoon": "contactpersoon", "evaluatie_op": "herbekijken op", "antwoorden": "vraag en antwoord",
    "vraag": "vraag", "antwoord": "antwoord", "duur_seconden": "duur", "omschrijving": "omschrijving",
    "organisatie": "organisatie", "hoe": "hoe", "notitie": "notitie", "niet_meer_opvolgen": "niet meer opvolgen",
}
#: Coded values in words (``niemand_thuis`` -> ``niemand thuis``), per field.
_VALUE_WORDS: dict[str, dict[str, str]] = {}


def _value_words() -> dict[str, dict[str, str]]:
    """Per field the words for its codes, from the areas' own tables (loaded on first use)."""
    if not _VALUE_WORDS:
        from ouder_tui import huisbezoek, startgesprek

        _VALUE_WORDS.update({
            "status": {**startgesprek.STATUSSEN, **huisbezoek.STATUSSEN},
            "reden": huisbezoek.REDENEN, "tweede_rol": huisbezoek.ROLLEN,
            "soort": startgesprek.SOORTEN, "van": startgesprek.WIE,
        })
    return _VALUE_WORDS


def _internal(key: str) -> bool:
    """Numbers that link records inside the database (``gezin_id``, ``ouder_ids``): not for a parent."""
    return key == "id" or key.endswith(("_id", "_ids")) or key.startswith("_")


def _label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " "))


def _value(value: Any) -> str:
    """A value as the report shows it: yes/no, dates as dd/mm/jjjj."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _empty(value: Any) -> bool:
    """Nothing worth showing: an empty text or list, no value, ``False`` or zero."""
    if isinstance(value, bool):
        return not value
    return value is None or value == 0 or (isinstance(value, (str, list, tuple, dict)) and not value)


def _shown(key: str, value: Any) -> str:
    """A value in words: codes by their meaning, a duration in seconds as minutes."""
    if key == "duur_seconden" and isinstance(value, int):
        minutes = max(1, round(value / 60))
        return f"{minutes} minuut" if minutes == 1 else f"{minutes} minuten"
    words = _value_words().get(key)
    if words and isinstance(value, str):
        return words.get(value, value.replace("_", " "))
    return _value(value)


def record_lines(data: dict[str, Any], prefix: str = "") -> list[str]:
    """Every field that holds something, as ``label: waarde`` in words a parent reads; nested values
    get the label of what holds them first (``communicatieplan, kanalen: ...``). Links between
    records (ids) are left out; a field without a label yet still shows, by its name in words."""
    found = []
    for key, value in data.items():
        if key in _META or _internal(key) or _empty(value):
            continue
        name = f"{prefix}{_label(key)}"
        if isinstance(value, dict):
            found += record_lines(value, f"{name}, ")
        elif isinstance(value, (list, tuple)):
            if all(not isinstance(v, (dict, list, tuple)) for v in value):
                found.append(f"{name}: {', '.join(_shown(key, v) for v in value)}")
            else:
                for i, item in enumerate(value, 1):
                    found += record_lines(item if isinstance(item, dict) else {"waarde": item}, f"{name} {i}, ")
        else:
            found.append(f"{name}: {_shown(key, value)}")
    return found


def stamp(record: dict[str, Any]) -> str:
    """Who made a record and when, and who changed it last."""
    made = f"aangemaakt door {record.get('_created_by') or '?'} op {format_datetime(record.get('_created_at'))}"
    if record.get("_changed_at") and record.get("_changed_at") != record.get("_created_at"):
        made += f", laatst gewijzigd door {record.get('_changed_by') or '?'} op " \
                f"{format_datetime(record.get('_changed_at'))}"
    return made


def inzage_report(registry: Registry, gezin_id: int, fmt: str) -> bytes:
    """Everything held about family ``gezin_id`` and its children, as Markdown or printable HTML."""
    store = registry.store
    gezin = registry.gezin(gezin_id)  # NotFoundError in Dutch when it does not exist
    subject = gezin_subject(registry, gezin_id)
    services = Services(store, registry)
    school = load_settings(store).school_naam
    blocks: list[Block] = [
        Para(f"Dit overzicht toont alles wat {school or 'de school'} in ouder-tui bewaart over het gezin "
             f"{gezin.naam} en de kinderen, opgemaakt op {format_date(store.clock().date())} door "
             f"{store.user or '?'}. Ook vertrouwelijke notities staan erin; ze zijn gemarkeerd met "
             f"{CONFIDENTIAL}."),
    ]
    for area in all_areas():
        if area.report is not None:
            blocks += area.report(services, subject)
    binned = []
    for entry in store.recycle_bin():
        if in_bin(entry, subject):
            binned += [Para(f"{entry.get('label') or entry.get('table')} (verwijderd door "
                            f"{entry.get('_deleted_by') or '?'} op {format_datetime(entry.get('_deleted_at'))})"),
                       Bullets(tuple(record_lines(entry.get("record", {}))))]
    blocks.append(Heading("In de prullenbak"))
    blocks += binned or [Para("Niets van dit gezin in de prullenbak.")]
    return render_report(fmt, f"Inzage: gezin {gezin.naam}", blocks)
