"""The demo school's infomoment: last year's evening with its questions and top 5, and this year's
halfway through its preparation. Dates follow ``today``'s school year, like the rest of the demo."""

from __future__ import annotations

from datetime import date, timedelta

import msgspec

from ouder_tui.infomoment.models import INFOMOMENTEN, Infomoment, Onderdeel, OpenDag, Taak, Tafel, Vraag, sjabloon
from ouder_tui.models import record_data
from ouder_tui.store import Store
from ouder_tui.text import school_year_of

LAST_YEAR_QUESTIONS = [
    ("Wanneer en hoe schrijven we in voor het secundair?", "inschrijven", 9,
     "Vanaf begin maart via het centrale aanmeldsysteem van de stad. De school helpt wie dat wil op een "
     "aanmeldnamiddag in februari."),
    ("Wat is het verschil tussen de A-stroom en de B-stroom?", "structuur en stromen", 7,
     "Met een getuigschrift basisonderwijs ga je naar de A-stroom. De B-stroom is er voor wie het getuigschrift "
     "niet haalt; daar krijgt je kind meer tijd en begeleiding, en kan het later nog overstappen."),
    ("Hoe weten we welke richting bij ons kind past?", "studiekeuze", 6,
     "Kijk naar wat je kind graag doet en goed kan, niet alleen naar de punten. De klasleerkracht en het CLB "
     "denken mee, en op de opendeurdagen kan je kind proeven van de lessen."),
    ("Krijgt mijn kind in het secundair nog extra hulp bij lezen?", "zorg en ondersteuning", 4,
     "Ja. Geef het verslag of de afspraken van de lagere school door bij de inschrijving; de nieuwe school "
     "bekijkt dan samen met jullie welke hulp nodig is."),
    ("Hoe raakt mijn kind daar alleen, met de bus of de fiets?", "vervoer en kosten", 4,
     "De Lijn heeft een voordelig abonnement voor jongeren. Oefen de weg een paar keer samen in de zomer."),
    ("Hoeveel kost een jaar in het secundair?", "vervoer en kosten", 3,
     "Dat verschilt per school en richting. Vraag de kostenraming op de opendeurdag; een studietoelage kan helpen."),
    ("Mag mijn kind zijn gsm meenemen naar school?", "leven in het secundair", 3, ""),
    ("Wat als mijn kind zich vergist van richting?", "studiekeuze", 2, ""),
    ("Moeten we al in het vijfde leerjaar beginnen kiezen?", "studiekeuze", 2, ""),
    ("Hoeveel huiswerk krijgen ze in het eerste jaar?", "leven in het secundair", 2, ""),
    ("Is er een tolk als we de nieuwe school willen bezoeken?", "andere", 1, ""),
]
THIS_YEAR_QUESTIONS = [
    ("Wanneer begint het inschrijven dit jaar?", "inschrijven", 3),
    ("Wat is het verschil tussen ASO, TSO en BSO nu het nieuwe systeem er is?", "structuur en stromen", 2),
    ("Is er opvang na school in het secundair?", "leven in het secundair", 1),
]


def _second_thursday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 7)


def _tables(year: int, *, all_done: bool) -> tuple[Tafel, ...]:
    rows = [
        ("clb", "CLB", "Tom Janssens", "09 277 80 10", "", (True, True, all_done)),
        ("klasleerkracht", "Klasleerkracht 6de", "Juf Els", "", "", (True, True, all_done)),
        ("zorgleerkracht", "Zorgleerkracht", "Juf Hilde", "", "", (True, True, all_done)),
        ("oud_leerlingen", "Oud-leerlingen", "Yasmine en Bram", "", "", (True, all_done, all_done)),
        ("school", "Sint-Jozefscollege", "Mevr. Peeters", "", "katholiek", (True, all_done, all_done)),
        ("school", "Atheneum Noord", "Dhr. Aydin", "09 225 40 40", "go", (all_done, all_done, all_done)),
    ]
    return tuple(Tafel(id=f"tafel-{year}-{i}", soort=kind, naam=name, gastheer=host, telefoon=phone, net=net,
                       email=f"{name.split()[0].lower()}@school.example.org" if kind == "school" else "",
                       uitgenodigd=steps[0], bevestigd=steps[1], gebriefd=steps[2])
                 for i, (kind, name, host, phone, net, steps) in enumerate(rows))


def _base(year: int) -> Infomoment:
    template = sjabloon()
    event = _second_thursday(year + 1, 2)
    return Infomoment(
        schooljaar=f"{year}-{year + 1}", datum=event, begin="19:00", plaats="refter",
        doelgroep=template["doelgroep"], inschrijvingen_vanaf=date(year + 1, 3, 1),
        opendeurdagen=(OpenDag(school="Atheneum Noord", datum=date(year + 1, 3, 13)),
                       OpenDag(school="Sint-Jozefscollege", datum=date(year + 1, 3, 20))),
        taken=tuple(Taak(id=f"taak-{year}-{i}", **t) for i, t in enumerate(template["taken"])),
        programma=tuple(Onderdeel(**p) for p in template["programma"]),
        tafels=_tables(year, all_done=False), groepen=6, minuten_per_ronde=12, wissel_minuten=2)


def insert_infomomenten(store: Store, today: date, uitgenodigd: tuple[int, ...] = (),
                        aanwezig: tuple[str, ...] = ()) -> None:
    """Last school year's infomoment, done (with the families invited and the parents who came), and this
    year's, halfway."""
    year = int(school_year_of(today)[:4])
    last = _base(year - 1)
    last = msgspec.structs.replace(
        last, uitgenodigd=uitgenodigd, aanwezig=aanwezig, taken=tuple(msgspec.structs.replace(t, status="klaar") for t in last.taken),
        tafels=_tables(year - 1, all_done=True),
        vragen=tuple(Vraag(id=f"vraag-{year - 1}-{i}", tekst=text, onderwerp=topic, aantal=count, antwoord=answer,
                           bron="vooraf" if i % 3 else "avond")
                     for i, (text, topic, count, answer) in enumerate(LAST_YEAR_QUESTIONS)))
    this = _base(year)
    statuses = {"datum": "klaar", "partners": "bezig", "zaal": "klaar", "vragen_ouders": "bezig"}
    extra = Taak(id=f"taak-{year}-extra", wat="Folders van de secundaire scholen in de buurt opvragen",
                 dagen_voor=100, eigenaar="zorgcoördinator", notitie="Twee scholen beloofden ze op te sturen.")
    this = msgspec.structs.replace(
        this, taken=(*(msgspec.structs.replace(t, status=statuses.get(t.sleutel, "open")) for t in this.taken), extra),
        vragen=tuple(Vraag(id=f"vraag-{year}-{i}", tekst=text, onderwerp=topic, aantal=count)
                     for i, (text, topic, count) in enumerate(THIS_YEAR_QUESTIONS)))
    store.insert_many(INFOMOMENTEN, [record_data(last.checked()), record_data(this.checked())])
