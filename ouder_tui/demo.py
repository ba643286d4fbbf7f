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

from ouder_tui.errors import OuderTuiError
from ouder_tui.leerlingen import GEZINNEN, LEERLINGEN, Adres, Gezin, Leerling, Ouder, leerjaar_from_klas
from ouder_tui.models import to_record
from ouder_tui.store import Store
from ouder_tui.text import school_year_of

SEED = 2026
DEMO_USER = "demo"
CLASSES = [f"{grade}{letter}" for grade in range(1, 7) for letter in "AB"]
PUPILS_TARGET = 264
KANALEN = ["Smartschool", "Smartschool", "Smartschool", "telefoon", "sms/WhatsApp", "e-mail", "persoonlijk"]


def _blocks() -> dict:
    text = resources.files("ouder_tui_data").joinpath("demo/gezinnen.json").read_text(encoding="utf-8")
    return json.loads(text)


def _records(value) -> dict:
    record = to_record(value)
    for key in ("id", "_rev", "_created_by", "_created_at", "_changed_by", "_changed_at"):
        record.pop(key, None)
    return record


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
            kids.append(Leerling(
                stamboeknummer=str(number),
                voornaam=rng.choice(group["kinderen"]),
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
    store = Store.open(path, user=DEMO_USER, clock=lambda: start, make_backup=False)
    with store.transaction():
        store.update_settings(school_naam=name)
        saved = store.insert_many(GEZINNEN, (_records(g.checked()) for g in families))
        pupils = [
            _records(kid.checked()) | {"gezin_id": family["id"]}
            for family, kids in zip(saved, children, strict=True)
            for kid in kids
        ]
        store.insert_many(LEERLINGEN, pupils)
