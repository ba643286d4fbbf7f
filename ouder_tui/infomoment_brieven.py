"""Invitation letters for the infomoment: one page per invited family, in plain Dutch, with a note for
the class teacher when the family needs an interpreter."""

from __future__ import annotations

from ouder_tui.errors import OuderTuiError
from ouder_tui.exporters import Block, Bullets, Heading, PageBreak, Para, render_report
from ouder_tui.infomoment.models import Infomoment
from ouder_tui.infomoment.service import Infomomenten
from ouder_tui.text import format_date, lange_datum

FORMATS = ("html", "md")


def uitnodigingen(service: Infomomenten, info: Infomoment, fmt: str) -> bytes:
    """A letter per invited family (marked families first), for printing or to send along with the pupil."""
    if fmt not in FORMATS:
        raise OuderTuiError(f"Onbekend formaat '{fmt}' voor de uitnodigingen; kies uit {', '.join(FORMATS)}.")
    school = service.store.settings().get("school_naam", "") or "de school"
    families = service.doelgroep(info)
    blocks: list[Block] = [Heading("Voor de school (niet meegeven)"),
                           Para(f"{len(families)} gezinnen uitgenodigd. Een tolk is nodig bij:")]
    need = [f"{g.naam}: {', '.join(g.tolk_talen())}" for g in families if g.tolk_talen()]
    blocks.append(Bullets(tuple(need)) if need else Para("geen enkel gezin."))
    if need:
        blocks.append(Para("Leg de brief aan die ouders ook mondeling uit of laat hem vertalen, en regel een tolk "
                           "voor de avond."))
    for gezin in families:
        kids = service.registry.kinderen(gezin.id, ook_vertrokken=False)
        names = " en ".join(k.voornaam for k in kids) or "je kind"
        blocks += [
            PageBreak(),
            Heading(f"Aan de ouders van {names} ({gezin.naam})"),
            Para(f"Binnenkort kiest {names} een secundaire school. Dat is een grote stap, en je hebt er vast "
                 "vragen over. Daarom nodigen we je uit op ons infomoment."),
            Bullets(tuple(line for line in (
                f"Wanneer: {lange_datum(info.datum)} om {info.begin}",
                f"Waar: {info.plaats}" if info.plaats else "",
                "Wat: je praat aan tafels met secundaire scholen, het CLB en oud-leerlingen, in kleine groepjes.",
                f"De inschrijvingen starten op {format_date(info.inschrijvingen_vanaf)}."
                if info.inschrijvingen_vanaf else "",
                "Je mag je vragen vooraf meegeven aan de klasleerkracht.",
            ) if line)),
            Para(f"We hopen je te zien. Hartelijke groeten, {school}."),
        ]
    return render_report(fmt, f"Uitnodiging infomoment {info.schooljaar}", blocks)
