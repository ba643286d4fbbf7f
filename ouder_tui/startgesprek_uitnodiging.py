"""A short printable invitation per pupil for a startgesprek or an omgekeerd oudergesprek: what the talk is
for, in plain Dutch, when (if planned), an interpreter if the family needs one, and an optional
questionnaire parents can fill in beforehand."""

from __future__ import annotations

from ouder_tui.errors import OuderTuiError
from ouder_tui.exporters import Block, Bullets, Heading, PageBreak, Para, render_report
from ouder_tui.startgesprek import Startgesprekken
from ouder_tui.text import lange_datum

FORMATS = ("html", "md")
SOORTEN = ("startgesprek", "omgekeerd")
#: How many questions of the bank the optional questionnaire asks (one per theme first).
VRAGEN = 5

_DOEL = {
    "startgesprek": ("Uitnodiging voor een startgesprek over {naam}",
                     "Aan het begin van het schooljaar praten we graag met jou én met {naam} samen. {naam} vertelt "
                     "wat goed gaat en wat moeilijker is, jij vertelt hoe je je kind thuis ziet. Samen spreken we af "
                     "hoe we dit jaar contact houden: hoe, hoe vaak en in welke taal. Het gesprek duurt ongeveer "
                     "een kwartier. {naam} is er altijd bij."),
    "omgekeerd": ("Uitnodiging: vertel ons over {naam}",
                  "Jij kent {naam} het best. In een kort gesprek (vijf à tien minuten) vertel jij over je kind en "
                  "stellen wij vooral vragen. Zo kunnen we {naam} van in het begin goed begeleiden. Het mag op "
                  "school, maar ook telefonisch of met een videogesprek. {naam} mag erbij zijn."),
}


def questionnaire(service: Startgesprekken, n: int = VRAGEN) -> list[str]:
    """A few questions of the bank, one of each theme first (the school's own questions count too)."""
    chosen, themes = [], set()
    questions = service.vragen()
    for vraag in questions:
        if vraag.thema not in themes:
            chosen.append(vraag.vraag)
            themes.add(vraag.thema)
    chosen += [v.vraag for v in questions if v.vraag not in chosen]
    return chosen[:n]


def uitnodigingen(service: Startgesprekken, fmt: str, *, klas: str, soort: str = "startgesprek",
                  vragenlijst: bool = True) -> bytes:
    """A page per pupil of the class still at school (by name)."""
    if fmt not in FORMATS:
        raise OuderTuiError(f"Een uitnodiging maak je als {' of '.join(FORMATS)}, niet als {fmt}.")
    if soort not in SOORTEN:
        raise OuderTuiError(f"Kies een uitnodiging voor {' of '.join(SOORTEN)}.")
    title, purpose = _DOEL[soort]
    school = service.store.settings().get("school_naam", "") or "de school"
    year = service.schooljaar()
    pupils = [p for p in service.registry.leerlingen() if p.klas.casefold() == klas.casefold()]
    questions = questionnaire(service) if vragenlijst else []
    blocks: list[Block] = []
    if not pupils:
        blocks.append(Para(f"Geen leerlingen in klas {klas}."))
    for index, pupil in enumerate(pupils):
        if index:
            blocks.append(PageBreak())
        naam = pupil.voornaam
        planned = next((t for t in service.van_leerling(pupil.id)
                        if t.soort == soort and t.schooljaar == year and not t.gehouden and t.datum), None)
        when = (f"We stellen voor: {lange_datum(planned.datum)}. Past dat niet, laat het ons weten."
                if planned else "De klasleerkracht spreekt met jou een moment af dat past.")
        lines = [when]
        if pupil.gezin_id is not None:
            interpreters = service.registry.gezin(pupil.gezin_id).tolk_talen()
            if interpreters:
                lines.append(f"Er is een tolk bij ({', '.join(interpreters)}).")
        blocks += [Heading(title.format(naam=naam)), Para(f"Klas {pupil.klas}, schooljaar {year}"),
                   Para(purpose.format(naam=naam)), Bullets(tuple(lines))]
        if questions:
            blocks.append(Para("Wil je vooraf al iets vertellen? Dat hoeft niet, maar het helpt ons. Schrijf het "
                               "hieronder en geef het blad mee met je kind."))
            blocks.append(Bullets(tuple(f"{q}\n\n\n" for q in questions)))
        blocks.append(Para(f"Tot dan! De klasleerkracht van {pupil.klas}, {school}"))
    kind = "startgesprek" if soort == "startgesprek" else "omgekeerd oudergesprek"
    return render_report(fmt, f"Uitnodigingen {kind} klas {klas} {year}", blocks)
