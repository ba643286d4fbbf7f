"""The demo database: a fictional primary school with a few hundred pupils.

Generated from the building blocks in ``data/demo/gezinnen.json`` with a fixed
random seed, so the same school year always gives the same school: tests and
snapshots can rely on it. It lives in its own file, never in the real database.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

import msgspec

from ouder_tui.bereik import AANDACHT, ExtraAandacht
from ouder_tui.demo_infomoment import insert_infomomenten
from ouder_tui.demo_oudergroep import insert_oudergroep
from ouder_tui.errors import OuderTuiError
from ouder_tui.huisbezoek import HUISBEZOEKEN, Actie, Huisbezoek
from ouder_tui.leerlingen import GEZINNEN, LEERLINGEN, Adres, Gezin, Leerling, Ouder, leerjaar_from_klas
from ouder_tui.models import record_data
from ouder_tui.startgesprek import STARTGESPREKKEN, Antwoord, Communicatieplan, Nodig, Startgesprek, kanalen
from ouder_tui.filestore import FileStore
from ouder_tui.text import school_year_of

SEED = 2026
#: Raised whenever the demo gains content, so an older demo file is made anew.
DEMO_VERSION = 9
DEMO_USER = "demo"
CLASSES = [f"{grade}{letter}" for grade in range(1, 7) for letter in "AB"]
PUPILS_TARGET = 264
#: Preferred channels, weighted (names from the one list of channels, ``ouder_tui.kanalen``).
KANALEN = ["Smartschool-bericht", "Smartschool-bericht", "Smartschool-bericht", "telefoongesprek", "sms of WhatsApp",
           "e-mail", "persoonlijk aan de schoolpoort"]


def _blocks() -> dict:
    text = resources.files("ouder_tui_data").joinpath("demo/gezinnen.json").read_text(encoding="utf-8")
    return json.loads(text)



def build(today: date, seed: int = SEED, pupils_target: int = PUPILS_TARGET
          ) -> tuple[str, list[Gezin], list[list[Leerling]]]:
    """The demo school for the school year of ``today``: its name, families and their children.

    ``pupils_target`` makes a larger school of the same kind (for benchmarks).
    """
    rng = random.Random(seed)
    blocks = _blocks()
    school = blocks["school"]
    year = school_year_of(today)
    start_year = int(year[:4])
    groups = blocks["groepen"]
    weights = [g["gewicht"] for g in groups]
    families: list[Gezin] = []
    children: list[list[Leerling]] = []
    #: Names already in each class: a second pupil of the same name in a class gets another first name
    #: (drawn from its own generator, so the rest of the school stays as it was).
    taken: set[tuple[str, str, str]] = set()
    renamer = random.Random(seed + 9)
    number = 100_000
    pupils = 0
    while pupils < pupils_target:
        group = rng.choices(groups, weights)[0]
        surname = rng.choice(group["familienamen"])
        address = Adres(
            straat=rng.choice(blocks["straten"]),
            huisnummer=str(rng.randint(1, 180)),
            bus=str(rng.randint(1, 12)) if rng.random() < 0.15 else "",
            postcode=school["postcode"],
            gemeente=school["gemeente"],
        )
        shape = rng.random()
        roles = ["moeder", "vader"] if shape < 0.78 else ["moeder"] if shape < 0.93 else ["vader"] if shape < 0.97 else ["voogd"]
        reachable = rng.random() > 0.03
        parents = []
        adults = group["volwassenen"]  # alternately a woman's and a man's name
        for role in roles:
            pool = adults[0::2] if role == "moeder" else adults[1::2] if role == "vader" else adults
            first = rng.choice(pool)
            family_name = surname if role != "moeder" or rng.random() < 0.4 else rng.choice(group["familienamen"])
            languages = tuple(group["talen"][: rng.randint(1, len(group["talen"]))])
            needs = rng.random() < group["tolk_kans"]
            parents.append(Ouder(
                id=f"{rng.getrandbits(48):012x}",
                relatie=role,
                voornaam=first,
                familienaam=family_name,
                talen=languages,
                tolk_nodig=needs,
                tolk_taal=languages[0] if needs else "",
                telefoon=f"04{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
                if reachable else "",
                email=(f"{first}.{family_name}".lower().replace(" ", "") + "@voorbeeld.be")
                if reachable and rng.random() < 0.7 else "",
                voorkeurkanaal=rng.choice(KANALEN) if reachable else "",
                beste_momenten=rng.choice(blocks["beste_momenten"]) if rng.random() < 0.6 else "",
            ))
        families.append(Gezin(
            naam=surname,
            adres=address,
            ouders=tuple(parents),
            notities=rng.choice(blocks["notities"]),
        ))
        kids = []
        for _ in range(rng.choices([1, 2, 3], [50, 35, 15])[0]):
            klas = rng.choice(CLASSES)
            grade = leerjaar_from_klas(klas) or 1
            born = date(start_year - 5 - grade, 1, 1) + timedelta(days=rng.randint(0, 364))
            number += rng.randint(1, 9)
            left = rng.random() < 0.015
            first = rng.choice(group["kinderen"])
            siblings = {k.voornaam for k in kids}
            if (klas, first, surname) in taken or first in siblings:  # no two alike in a class or a family
                free = [n for n in group["kinderen"] if (klas, n, surname) not in taken and n not in siblings]
                first = renamer.choice(free) if free else f"{first} {renamer.choice('ABCDEFGHJKLMNPRSTVW')}."
            taken.add((klas, first, surname))
            kids.append(Leerling(
                stamboeknummer=str(number),
                voornaam=first,
                familienaam=surname,
                geboortedatum=born,
                klas=klas,
                leerjaar=grade,
                schooljaar=year,
                status="vertrokken" if left else "actief",
                vertrokken_op=date(start_year, 9, 1) + timedelta(days=rng.randint(14, 60)) if left else None,
            ))
        children.append(kids)
        pupils += len(kids)
    return f"{school['naam']} (demo)", families, children


def create_demo_database(path: Path, today: date | None = None, *, replace: bool = False,
                         pupils: int = PUPILS_TARGET) -> None:
    """Write the demo school to ``path`` (a new file, or the old demo file with ``replace``).

    Every record is stamped by the user ``demo`` on the first day of the school
    year, so the file's content depends only on the school year.
    """
    today = today or date.today()
    if path.exists():
        if not replace:
            raise OuderTuiError(f"{path} bestaat al; een demo komt alleen in een nieuw bestand.")
        path.unlink()
    name, families, children = build(today, pupils_target=pupils)
    start = datetime(int(school_year_of(today)[:4]), 9, 1, 8, 0).astimezone()
    store = FileStore.open(path, user=DEMO_USER, clock=lambda: start, make_backup=False)
    with store.transaction():
        store.update_settings(school_naam=name, demo_versie=DEMO_VERSION)
        saved = store.insert_many(GEZINNEN, (record_data(g.checked()) for g in families))
        pupils = [
            record_data(kid.checked()) | {"gezin_id": family["id"]}
            for family, kids in zip(saved, children, strict=True)
            for kid in kids
        ]
        saved_pupils = store.insert_many(LEERLINGEN, pupils)
        store.insert_many(HUISBEZOEKEN, build_visits(today, [f["id"] for f in saved], families))
        store.insert_many(STARTGESPREKKEN, build_talks(today, saved_pupils, saved))
        insert_oudergroep(store, today, saved, SEED)
        insert_infomomenten(store, today, *_last_infomoment(saved, saved_pupils))
        store.insert_many(AANDACHT, build_marks(today, saved))


def _last_infomoment(families: list[dict], pupils: list[dict], seed: int = SEED) -> tuple[tuple, tuple]:
    """Last year's evening: the families of this year's 6th graders were invited (they were in the 5th);
    about half of them came, mostly one parent, sometimes both."""
    rng = random.Random(seed + 11)
    invited = list(dict.fromkeys(p["gezin_id"] for p in pupils if p.get("leerjaar") == 6 and p.get("status") == "actief"))
    by_id = {f["id"]: f for f in families}
    came: list[str] = []
    for gezin_id in invited:
        parents = by_id[gezin_id].get("ouders", [])
        if parents and rng.random() < 0.55:
            came += [o["id"] for o in parents[:2 if rng.random() < 0.25 else 1]]
    return tuple(invited), tuple(came)


def build_marks(today: date, families: list[dict], seed: int = SEED) -> list[dict]:
    """A few families the care coordinator marked for extra attention: most with an interpreter need
    (new in Belgium, or another home language), one with a small network."""
    rng = random.Random(seed + 12)
    coordinator = _blocks()["huisbezoeken"]["bezoekers"][0]
    day = date(int(school_year_of(today)[:4]), 9, 20)
    with_interpreter = [f for f in families if any(o.get("tolk_nodig") for o in f.get("ouders", []))]
    alone = [f for f in families if len(f.get("ouders", [])) == 1 and f not in with_interpreter]
    marks = []
    for family in rng.sample(with_interpreter, min(6, len(with_interpreter))):
        reasons = ("nieuwkomer", "andere_thuistaal") if rng.random() < 0.5 else ("andere_thuistaal",)
        marks.append(ExtraAandacht(gezin_id=family["id"], redenen=reasons, door=coordinator, op=day))
    for family in rng.sample(alone, min(2, len(alone))):
        marks.append(ExtraAandacht(gezin_id=family["id"], redenen=("klein_netwerk",), door=coordinator, op=day,
                                   toelichting="alleenstaande ouder, weinig familie in de buurt"))
    return [record_data(m.checked()) for m in marks]


def build_visits(today: date, family_ids: list[int], families: list[Gezin], seed: int = SEED) -> list[dict]:
    """A school year of home visits up to ``today`` and a few weeks beyond: held, cancelled,
    nobody home, planned, some not logged yet, follow-up actions open, done and overdue,
    some confidential."""
    rng = random.Random(seed + 1)
    blocks = _blocks()["huisbezoeken"]
    start = date(int(school_year_of(today)[:4]), 9, 1)
    chosen = rng.sample(range(len(families)), min(34, len(families)))
    visits = []
    for number, index in enumerate(chosen):
        family = families[index]
        interpreters = family.tolk_talen()
        languages = family.talen()
        if number < 6:  # planned, in the coming weeks
            day = today + timedelta(days=rng.randint(1, 40))
            status = "gepland"
        elif number < 8:  # the date passed, the log is still to be written
            day = today - timedelta(days=rng.randint(1, 6))
            status = "gepland"
        else:
            span = max((today - start).days - 8, 1)
            day = start + timedelta(days=rng.randint(0, span))
            status = rng.choices(["gehouden", "geannuleerd_gezin", "geannuleerd_school", "niemand_thuis"],
                                 [80, 8, 5, 7])[0]
        while day.weekday() >= 5 or (day.month, day.day) >= (12, 21) or (day.month, day.day) <= (1, 3):
            day += timedelta(days=1)  # school days only, not in the Christmas holidays
        with_interpreter = bool(interpreters) and rng.random() < 0.8
        visit = Huisbezoek(
            gezin_id=family_ids[index],
            datum=day,
            tijd=rng.choice(["09:00", "10:30", "13:30", "15:45", "16:30"]),
            bezoeker=rng.choice(blocks["bezoekers"]),
            tweede_bezoeker=_interpreter(rng.choice(blocks["tolken"]), interpreters[0], blocks["tolken"])
            if with_interpreter else rng.choice(blocks["collega's"]),
            tweede_rol="tolk" if with_interpreter else "collega",
            reden=rng.choices(list(REDEN_WEIGHTS), list(REDEN_WEIGHTS.values()))[0],
            taal=languages[0] if languages else "Nederlands",
            tolk=with_interpreter,
            tolk_taal=interpreters[0] if with_interpreter else "",
            vertrouwelijk=rng.random() < 0.12,
            status=status,
        )
        if status == "gehouden":
            actions = []
            for _ in range(rng.choices([0, 1, 2], [35, 45, 20])[0]):
                due = day + timedelta(days=rng.randint(7, 35))
                done = due < today and rng.random() < 0.6
                actions.append(Actie(id=f"{rng.getrandbits(48):012x}", wat=rng.choice(blocks["acties"]),
                                     eigenaar=rng.choice(blocks["bezoekers"] + blocks["collega's"]), tegen=due,
                                     gedaan_op=due - timedelta(days=rng.randint(0, 5)) if done else None,
                                     gedaan_door=visit.bezoeker if done else ""))
            follow_up = rng.random() < 0.3
            visit = msgspec.structs.replace(
                visit, besproken=rng.choice(blocks["besproken"]), verwachtingen=rng.choice(blocks["verwachtingen"]),
                afspraken=rng.choice(blocks["afspraken"]), acties=tuple(actions), vervolgbezoek=follow_up,
                vervolgbezoek_tegen=day + timedelta(days=rng.randint(60, 120)) if follow_up else None)
        elif status in ("geannuleerd_gezin", "geannuleerd_school"):
            reasons = blocks["annulaties_gezin" if status == "geannuleerd_gezin" else "annulaties_school"]
            visit = msgspec.structs.replace(visit, annulatie_reden=rng.choice(reasons))
        visits.append(record_data(visit.checked()))
    return visits


def _interpreter(drawn: str, language: str, interpreters: list[str]) -> str:
    """An interpreter who speaks the visit's language: the one drawn if it fits, else one who does, else the
    interpreting service (a name says its language: ``Elif (tolk Turks)``)."""
    speaks = lambda name: name.endswith(f"(tolk {language})")  # noqa: E731
    if speaks(drawn):
        return drawn
    return next((name for name in interpreters if speaks(name)), "tolk via de tolkendienst")


REDEN_WEIGHTS = {"kennismaking": 45, "zorgvraag": 25, "afwezigheden": 15, "schoolloopbaan": 10, "andere": 5}


def ensure_demo_database(path: Path) -> None:
    """Make the demo file if it is missing, or anew when it comes from an older demo (it holds no real data)."""
    if path.exists():
        try:
            current = FileStore.open(path, make_backup=False).settings().get("demo_versie")
        except OuderTuiError:
            current = None
        if current == DEMO_VERSION:
            return
    create_demo_database(path, replace=True)


TALK_CLASSES = ("5A", "5B", "6A")


def build_talks(today: date, pupils: list[dict], families: list[dict], seed: int = SEED) -> list[dict]:
    """Startgesprekken with plans for most pupils of a few classes (some reviews overdue, some pupils
    without a conversation) and a few omgekeerde oudergesprekken in the first grade."""
    rng = random.Random(seed + 2)
    year = school_year_of(today)
    start = date(int(year[:4]), 9, 1)
    by_family = {f["id"]: f for f in families}
    channel_ids = list(kanalen())
    qualities = ["behulpzaam en vrolijk", "doorzetter, rekent graag", "creatief, vertelt graag verhalen",
                 "rustig, een goede vriend", "sportief en eerlijk"]
    goals = ["vlotter lezen", "meer durven vragen in de klas", "de tafels kennen", "netter schrijven",
             "nieuwe vrienden maken"]
    needs = [("leerkracht", "af en toe een extra uitleg"), ("ouders", "elke avond even samen lezen"),
             ("leerling", "zelf de agenda nakijken"), ("anderen", "een plek in de huiswerkklas")]
    talks = []
    for pupil in pupils:
        if pupil.get("status") != "actief":
            continue
        family = by_family.get(pupil.get("gezin_id"))
        ouders = family["ouders"] if family else []
        languages = list(dict.fromkeys(t for o in ouders for t in o.get("talen", [])))
        interpreters = [o["tolk_taal"] for o in ouders if o.get("tolk_nodig") and o.get("tolk_taal")]
        if pupil["klas"] in TALK_CLASSES:
            roll = rng.random()
            if roll < 0.12:
                continue  # no conversation yet
            held = roll < 0.88
            day = start + timedelta(days=rng.randint(2, 32)) if held else today + timedelta(days=rng.randint(2, 20))
            while day.weekday() >= 5:
                day += timedelta(days=1)
            plan = Communicatieplan(
                kanalen=tuple(rng.sample(channel_ids[:6], rng.randint(1, 3))),
                wie_contacteert=rng.choice(["de leerkracht belt mama", "papa mailt de leerkracht",
                                            "de leerkracht stuurt een bericht, de ouders antwoorden"]),
                frequentie=rng.choice(["elke maand kort bellen", "om de twee weken een bericht", "na elk rapport"]),
                gelegenheden=rng.choice(["na een toets", "bij een ruzie op de speelplaats", "bij ziekte"]),
                taal=languages[0] if languages else "Nederlands", tolk=bool(interpreters),
                tolk_taal=interpreters[0] if interpreters else "",
                beste_momenten=next((o["beste_momenten"] for o in ouders if o.get("beste_momenten")), ""),
                contactpersoon=f"klasleerkracht {pupil['klas']}",
                evaluatie_op=day + timedelta(days=rng.choice([60, 120, 150, 180])) if held else None,
            ) if held else Communicatieplan()
            talk = Startgesprek(
                leerling_id=pupil["id"], schooljaar=year, status="gehouden" if held else "gepland", datum=day,
                ouder_ids=tuple(o["id"] for o in ouders[:rng.randint(1, max(len(ouders), 1))]),
                tolk=bool(interpreters) and held, tolk_naam="tolk via de tolkendienst" if interpreters and held else "",
                kwaliteiten=rng.choice(qualities) if held else "", doelen=rng.choice(goals) if held else "",
                nodig=tuple(Nodig(van=van, wat=wat) for van, wat in rng.sample(needs, 2)) if held else (),
                plan=plan,
            )
            talks.append(record_data(talk.checked()))
        elif pupil["klas"] == "1A" and rng.random() < 0.4:
            day = start + timedelta(days=rng.randint(3, 25))
            while day.weekday() >= 5:
                day += timedelta(days=1)
            talk = Startgesprek(
                leerling_id=pupil["id"], schooljaar=year, soort="omgekeerd", status="gehouden", datum=day,
                ouder_ids=tuple(o["id"] for o in ouders[:1]),
                leerling_aanwezig=rng.random() < 0.5, duur_seconden=rng.randint(300, 660),
                antwoorden=(Antwoord(vraag="Hoe zou je je kind in een paar woorden beschrijven?",
                                     antwoord=rng.choice(qualities)),
                            Antwoord(vraag="Waar wordt je kind blij van?",
                                     antwoord=rng.choice(["buiten spelen", "tekenen", "voorlezen voor het slapen"]))),
            )
            talks.append(record_data(talk.checked()))
    return talks
