"""The field keys an import column can feed (:data:`FIELDS`), with their Dutch descriptions.

Pupil fields (``voornaam`` ...), family fields (``straat``, ``telefoon`` ...) and per parent
``<rol>.<veld>`` with a role of :data:`ROLES` and a field of :data:`PERSON_FIELDS`; these are
the keys ``--map`` and the mapping screen use.
"""

from __future__ import annotations

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
    "status": "Status: actief of vertrokken (zonder deze kolom: actief)",
    "vertrokken_op": "Datum van vertrek van een vertrokken leerling (dd/mm/jjjj)",
    "notities": "Notities bij de leerling",
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
    "gezinsnummer": "Nummer dat broers en zussen in één gezin houdt (Gezinsnummer van een export van ouder-tui)",
    "gezin": "Naam van een nieuw gezin (anders de familienamen van de kinderen)",
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
