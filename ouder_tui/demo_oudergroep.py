"""The demo school's parent group: last school year and this one up to today, with upcoming sessions.

A core of regulars, parents who came once, some who came a few times and then stayed away,
walk-ins who are not in the registry, one cancelled session, themes in every state, and the
group's requests (open, being handled, answered and brought back). Deterministic for a given
``today``, like the rest of the demo.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import msgspec

from ouder_tui.models import record_data
from ouder_tui.oudergroep import (
    CONTACTEN,
    GASTEN,
    SESSIES,
    THEMAS,
    VERZOEKEN,
    Contact,
    Gast,
    Partner,
    Sessie,
    Thema,
    Tolk,
    Uitnodiging,
    Verzoek,
    reeks_data,
)
from ouder_tui.store import Store
from ouder_tui.text import school_year_of

PARTNERS = [
    Partner(organisatie="Schoolopbouwwerk", contactpersoon="Lotte Vermeulen", telefoon="09 265 12 34",
            email="lotte@schoolopbouwwerk.example.org"),
    Partner(organisatie="Vormingplus", contactpersoon="Koen De Smet", telefoon="09 224 56 78",
            email="koen@vormingplus.example.org"),
    Partner(organisatie="Huis van het Kind", contactpersoon="Nadia Boukhari", telefoon="0478 12 90 34"),
    Partner(organisatie="Bibliotheek", contactpersoon="Els Maes", email="els.maes@bib.example.org"),
    Partner(organisatie="CLB", contactpersoon="Tom Janssens", telefoon="09 277 80 10"),
]
FACILITATORS = ("Juf Hilde", "Meester Bart")

#: title, description, asked by, how many parents, the partner that comes along (index) or None
THEMES = [
    ("Meertalig opvoeden", "Hoe geef je je eigen taal door en leert je kind toch goed Nederlands?",
     "moeders van de eerste graad", 9, 1),
    ("Huiswerk als je zelf weinig Nederlands spreekt", "Hoe help je je kind zonder de taal goed te kennen?",
     "vaders uit de groep", 7, 0),
    ("Gezonde brooddoos", "Lekker, gezond en niet duur: ideeën om samen uit te proberen.", "de groep", 5, 2),
    ("Samen naar de bibliotheek", "Een bezoek aan de bib in de buurt: lidkaart, boeken in je eigen taal.",
     "twee moeders", 4, 3),
    ("Hoe werkt Smartschool?", "Berichten lezen, de agenda bekijken, de app op je gsm zetten.", "nieuwe ouders", 8,
     None),
    ("Schermtijd en gsm", "Hoeveel scherm is te veel, en hoe maak je er thuis afspraken over?",
     "ouders van het vijfde en zesde", 6, 2),
    ("De overstap naar het secundair", "Hoe kies je een school, wanneer schrijf je in, wat is een A- of B-stroom?",
     "ouders van het zesde", 7, 4),
    ("Opvoeden in twee culturen", "Thuis andere gewoonten dan op school: hoe ga je daarmee om?", "de groep", 4, None),
]

REPORTS = [
    "Goed gesprek in kleine groepjes. Ouders wisselden tips uit en vroegen een vervolg.",
    "Veel herkenning. De tolk maakte dat ook nieuwe ouders mee konden praten.",
    "Rustige sessie met een vaste groep. Twee ouders brachten een buurvrouw mee.",
    "Praktische sessie: iedereen ging naar huis met een paar ideeën om meteen uit te proberen.",
]
QUESTIONS = [
    "Kan de school de kalender ook in andere talen geven?",
    "Ouders vragen een eigen account op Smartschool.",
    "Mogen ouders eens kijken in het jongerenhoekje na school?",
    "Vraag naar een infomoment over inschrijven in het secundair.",
    "",
]

GUESTS = [
    Gast(voornaam="Samira", familienaam="Ouali", telefoon="0485 33 21 09", talen=("Arabisch",),
         notities="Buurvrouw van een vaste ouder; haar kinderen gaan nog niet naar school."),
    Gast(voornaam="Oma", familienaam="Dimitrova", talen=("Bulgaars",), notities="Grootmoeder; komt met haar kleinzoon."),
    Gast(voornaam="Hanna", familienaam="Tesfaye", telefoon="0466 70 81 92", talen=("Tigrinya", "Engels")),
]

REQUESTS = [
    ("Een eigen account op Smartschool voor ouders", "directie", "beantwoord",
     "Vanaf januari krijgt elke ouder een eigen co-account. Juf Hilde helpt wie dat wil op een koffie-ochtend.", True),
    ("Mogen ouders eens kijken in het jongerenhoekje na school?", "Meester Bart", "beantwoord",
     "Ja, op een woensdagnamiddag na afspraak; de begeleider legt uit wat er gebeurt.", False),
    ("Kan de schoolkalender ook vertaald worden?", "secretariaat", "in_behandeling", "", False),
    ("Een vaste ouderhoek in de hal, met koffie en de folders", "directie", "open", "", False),
    ("Een sessie over de overstap naar het secundair, vóór de inschrijvingen", "zorgcoördinator", "open", "", False),
]


def _second_tuesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def insert_oudergroep(store: Store, today: date, families: list[dict], seed: int) -> None:
    """Add the demo parent group to ``store`` (inside the demo's transaction); ``families`` as saved."""
    rng = random.Random(seed + 3)
    start_year = int(school_year_of(today)[:4])
    theme_ids = [t["id"] for t in store.insert_many(THEMAS, (record_data(Thema(
        titel=title, omschrijving=text, gevraagd_door=who, aantal=count).checked())
        for title, text, who, count, _ in THEMES))]
    guest_records = [record_data(msgspec.structs.replace(g, persoon_id=f"{rng.getrandbits(48):012x}").checked())
                     for g in GUESTS]
    store.insert_many(GASTEN, guest_records)
    guests = [g["persoon_id"] for g in guest_records]

    # Parents of families that still have a child at school, most of them mothers.
    parents = [f["ouders"][0]["id"] for f in families if f.get("ouders")]
    chosen = rng.sample(parents, min(26, len(parents)))
    regulars, once, faded, sometimes = chosen[:6], chosen[6:14], chosen[14:20], chosen[20:]

    # Last school year: the second Tuesday of October to June, one cancelled; this year every three
    # weeks from mid-September until today, then a monthly series.
    last_year = [_second_tuesday(start_year - 1 + (m < 9), m) for m in (10, 11, 12, 1, 2, 3, 4, 5, 6)]
    first_this_year = date(start_year, 9, 15) + timedelta(days=(1 - date(start_year, 9, 15).weekday()) % 7)
    this_year = [d for d in (first_this_year + timedelta(weeks=3 * i) for i in range(12)) if d <= today]
    upcoming_start = next(d for d in (_second_tuesday(start_year + (m < 9), m) for m in (*range(9, 13), *range(1, 7)))
                          if d > today + timedelta(days=7)) if today < date(start_year + 1, 5, 20) else None

    held_days = [d for i, d in enumerate(last_year) if i != 4] + [d for d in this_year if d < today - timedelta(days=7)]
    attendance: dict[date, list[str]] = {d: [] for d in held_days}
    for pid in regulars:
        for day in held_days:
            if rng.random() < 0.85:
                attendance[day].append(pid)
    first_this_year_held = next((i for i, d in enumerate(held_days) if d >= date(start_year, 9, 1)), len(held_days))
    for number, pid in enumerate(once):  # most of them this school year
        this_year_held = held_days[first_this_year_held:] or held_days
        pool = held_days[:first_this_year_held] if number < 3 else this_year_held[:1] if number < 5 else this_year_held[-1:]
        attendance[rng.choice(pool or held_days)].append(pid)
    for pid in faded:  # came two or three times early on, then stopped
        begin = rng.randrange(0, max(1, len(held_days) - 6))
        for day in held_days[begin:begin + rng.choice((2, 3))]:
            attendance[day].append(pid)
    for pid in sometimes:
        for day in held_days:
            if rng.random() < 0.45:
                attendance[day].append(pid)
    for number, pid in enumerate(guests):  # walk-ins, this year and last
        for day in held_days[-1 - number * 2:][:2]:
            attendance[day].append(pid)

    sessions = []
    topics = [0, 1, 3, 2, 7, 4]
    for i, day in enumerate(last_year):
        theme = topics[i] if i < len(topics) else None
        session = _session(day, theme, theme_ids, rng)
        if i == 4:
            session = msgspec.structs.replace(session, status="geannuleerd",
                                      annulatie_reden="De begeleidster was ziek; verschoven naar de volgende keer.")
        sessions.append(session)
    for i, day in enumerate(this_year):
        theme = 4 if i == 0 else None
        sessions.append(_session(day, theme, theme_ids, rng))
    for i, session in enumerate(sessions):
        day = session.datum
        if session.status == "geannuleerd":
            continue
        if day in attendance:
            invited = tuple(Uitnodiging(persoon_id=pid, kanaal=rng.choice(("brief", "smartschool", "schoolpoort")),
                                        op=day - timedelta(days=rng.randint(5, 12)), door=FACILITATORS[0])
                            for pid in regulars + once[:4] + faded + sometimes if rng.random() < 0.6)
            sessions[i] = msgspec.structs.replace(session, status="gehouden", aanwezig=tuple(attendance[day]),
                                          uitnodigingen=invited, verslag=rng.choice(REPORTS),
                                          vragen=rng.choice(QUESTIONS))
        else:  # passed, but nobody ticked attendance yet
            sessions[i] = msgspec.structs.replace(session, status="uitgenodigd", uitnodigingen=tuple(
                Uitnodiging(persoon_id=pid, kanaal="smartschool", op=day - timedelta(days=7), door=FACILITATORS[0])
                for pid in regulars + sometimes))
    if upcoming_start is not None:
        series = f"{rng.getrandbits(48):012x}"
        slot = _session(upcoming_start, None, theme_ids, rng)  # a series keeps its hour and place
        for i, day in enumerate(reeks_data(upcoming_start, "maand", 6)):
            if day.month in (7, 8):
                break
            session = msgspec.structs.replace(slot, datum=day, reeks_id=series)
            if i == 0:  # the facilitator put the next theme on the first one
                themed = _session(day, 5, theme_ids, rng)
                session = msgspec.structs.replace(session, thema_id=themed.thema_id, titel=themed.titel,
                                                  omschrijving=themed.omschrijving, partners=themed.partners)
            if i == 0:
                session = msgspec.structs.replace(session, status="uitgenodigd", uitnodigingen=tuple(
                    Uitnodiging(persoon_id=pid, kanaal=kanaal, op=today - timedelta(days=rng.randint(0, 4)),
                                door=FACILITATORS[0])
                    for pid, kanaal in zip(regulars + sometimes + once[:3],
                                           ("brief", "smartschool", "telefoon", "schoolpoort") * 5, strict=False)))
            sessions.append(session)
    saved = store.insert_many(SESSIES, (record_data(s.checked()) for s in sessions))
    by_day = {s["datum"]: s["id"] for s in saved}

    # Themes follow their sessions; contacts with two parents who stayed away.
    for record in saved:
        if record.get("thema_id"):
            wanted = "gedaan" if record["status"] == "gehouden" else "gepland"
            if record["status"] == "geannuleerd":
                continue
            current = store.get(THEMAS, record["thema_id"])
            if current["status"] != "gedaan":
                store.update(THEMAS, record["thema_id"], {**current, "status": wanted}, expected_rev=None)
    if faded and held_days:
        store.insert_many(CONTACTEN, [
            record_data(Contact(persoon_id=faded[0], datum=held_days[-1] + timedelta(days=2), hoe="telefoon",
                                notitie="Werkt nu in de voormiddag; komt graag terug als het eens 's middags is.")
                        .checked()),
            record_data(Contact(persoon_id=faded[1], datum=held_days[max(0, len(held_days) - 5)] + timedelta(days=1),
                                hoe="schoolpoort", notitie="Vond het fijn, maar de baby was ziek. Komt volgende keer.")
                        .checked()),
            *(record_data(Contact(persoon_id=pid, datum=held_days[min(len(held_days) - 1, first_this_year_held)],
                                  hoe="telefoon", notitie=why, niet_meer_opvolgen=True).checked())
              for pid, why in zip((faded[2], *once[:2]), ("Werkt nu voltijds.", "Het gezin is verhuisd.",
                                                          "Kiest voor de avondles Nederlands."), strict=False)),
        ])
    held_ids = [by_day[d.isoformat()] for d in held_days if d.isoformat() in by_day]
    store.insert_many(VERZOEKEN, (record_data(Verzoek(
        wat=wat, eigenaar=owner, status=status, antwoord=answer, teruggekoppeld=back,
        gevraagd_op=held_days[max(0, len(held_days) - 1 - 2 * i)] if held_days else today,
        sessie_id=held_ids[max(0, len(held_ids) - 1 - 2 * i)] if held_ids else None,
        teruggekoppeld_op=held_days[-1] if back and held_days else None).checked())
        for i, (wat, owner, status, answer, back) in enumerate(REQUESTS)))


def _session(day: date, theme: int | None, theme_ids: list[int], rng: random.Random) -> Sessie:
    morning = rng.random() < 0.75
    partner = THEMES[theme][4] if theme is not None else None
    return Sessie(
        datum=day, begin="08:45" if morning else "13:30", einde="10:30" if morning else "15:00",
        plaats=rng.choice(("refter", "ouderlokaal", "ouderlokaal")),
        thema_id=theme_ids[theme] if theme is not None else None,
        titel=THEMES[theme][0] if theme is not None else "Koffie-ochtend: vrij gesprek",
        omschrijving=THEMES[theme][1] if theme is not None else "Praten over wat ouders nu bezighoudt.",
        partners=(PARTNERS[partner],) if partner is not None else (),
        begeleiders=FACILITATORS, tolken=(Tolk(taal="Arabisch", naam="Samir"), Tolk(taal="Turks", naam="Elif")),
        kinderopvang=rng.random() < 0.6, kinderopvang_info="in de kleuterklas")
