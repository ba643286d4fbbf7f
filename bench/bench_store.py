"""Benchmark of the store and the registry: load, one save, one text search.

Builds databases of 1,000, 10,000 and 50,000 realistic records (families with
their parents and pupils, ~500 bytes each with Dutch free text) in a temporary
folder and prints, per size, the median and the min-max over several runs in
milliseconds. For reference it measures, side by side in the same run, TinyDB's
default ``JSONStorage`` doing one insert at the same size and ``json`` against
``msgspec`` (de)serialising the same document.

It is a measurement, not a test: it always exits with 0. Run it with

    .venv/bin/python bench/bench_store.py                      # ~2-3 minutes
    .venv/bin/python bench/bench_store.py --sizes 1000,10000 --runs 3
    .venv/bin/python bench/bench_store.py --sizes 50000 --profile

See bench/README.md for what every row means.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import date, datetime, timedelta
from importlib import metadata
from pathlib import Path

import msgspec
from tinydb import TinyDB

from ouder_tui import storage as atomic
from ouder_tui.backups import backup_folder
from ouder_tui.leerlingen import GEZINNEN, LEERLINGEN, Registry
from ouder_tui.filestore import FileStore

DEFAULT_SIZES = (1_000, 10_000, 50_000)
SEARCH_WORD = "janssens"

#: (row key, size, limit in ms, label)
TARGETS = (
    ("save", 10_000, 30.0, "one save at 10,000 records <= 30 ms"),
    ("save", 50_000, 100.0, "one save at 50,000 records <= 100 ms"),
    ("load", 10_000, 150.0, "load at 10,000 records <= 150 ms"),
    ("save", 50_000, 50.0, "issue 19: one save at 50,000 records <= 50 ms"),
)

# -- realistic data ----------------------------------------------------------------------------

FIRST_KIDS = ["Lotte", "Noor", "Emma", "Lars", "Wout", "Jens", "Fien", "Mila", "Stan", "Bram", "Lena", "Ruben",
              "Elif", "Yusuf", "Zeynep", "Amira", "Ayoub", "Yasmine", "Ilyas", "Zofia", "Jakub", "Chloé", "Léa",
              "Théo", "Ioana", "Ștefan", "Nour", "Seppe", "Marthe", "Warre", "Tuur", "Ella", "Mathis", "Kobe"]
FIRST_ADULTS = ["Katrien", "Bart", "Sofie", "Pieter", "An", "Tom", "Els", "Kristof", "Liesbeth", "Jeroen", "Ayşe",
                "Mustafa", "Fatma", "Fatima", "Mohamed", "Khadija", "Rachid", "Agnieszka", "Piotr", "Aurélie",
                "Julien", "Mihaela", "Florin", "Griet", "Steven", "Hilde", "Dries", "Evelien", "Wim", "Ömer"]
SURNAMES = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet",
            "Vermeulen", "Van Damme", "De Clercq", "Verbeke", "Coppens", "Van den Broeck", "De Wilde", "Martens",
            "Hermans", "Vandenberghe", "Yılmaz", "Demir", "Kaya", "Çelik", "Şahin", "El Amrani", "Benali",
            "Bouzid", "Kowalski", "Nowak", "Wiśniewski", "Dubois", "Lambert", "Popescu", "Ionescu", "Haddouchi"]
STREETS = ["Notelaarstraat", "Kastanjelaan", "Molenakker", "Sint-Jorisplein", "Beukendreef", "Vlasstraat",
           "Leiekaai", "Tuinwijk", "Brugse Heirweg", "Kouterpad", "Wevershof", "Zandberg", "Lindenhof"]
TOWNS = [("9000", "Gent"), ("9050", "Gentbrugge"), ("9040", "Sint-Amandsberg"), ("9030", "Mariakerke")]
LANGUAGES = [("Nederlands",), ("Nederlands", "Frans"), ("Turks",), ("Arabisch", "Nederlands"), ("Pools",),
             ("Roemeens",), ("Tamazight", "Arabisch"), ("Nederlands", "Engels")]
CHANNELS = ["Smartschool", "telefoon", "sms/WhatsApp", "e-mail", "brief/agenda", "persoonlijk", ""]
MOMENTS = ["na 16 uur", "woensdagnamiddag", "'s ochtends aan de schoolpoort", "vrijdag na school", ""]
SENTENCES = [
    "Mama brengt de kinderen meestal zelf naar school.",
    "Papa werkt in ploegen en is het best bereikbaar na de middag.",
    "Grootmoeder haalt de kinderen op dinsdag en donderdag op.",
    "Gescheiden ouders: beide ouders apart informeren over oudercontacten.",
    "Heeft interesse in de oudergroep en wil helpen bij het schoolfeest.",
    "Spreekt weinig Nederlands; een tolk is welkom bij belangrijke gesprekken.",
    "Volgt graag de berichten in Smartschool, maar leest de brieven in de agenda niet altijd.",
    "Het gezin verhuisde in de zomer en zoekt nog een nieuwe opvang.",
    "Oudere broer zit in het middelbaar in dezelfde wijk.",
    "Vroeg naar de mogelijkheden voor huiswerkbegeleiding op woensdag.",
    "Is vlot bereikbaar via WhatsApp, liefst geen telefoontjes tijdens de werkuren.",
    "Heeft extra zorg nodig bij het lezen; overleg met de zorgcoördinator gepland.",
    "Komt vaak te laat door de drukke ochtenden; afspraak gemaakt met de ouders.",
    "Neemt deel aan de taalklas op maandag en donderdag.",
]


def _sentences(rng: random.Random, most: int) -> str:
    return " ".join(rng.sample(SENTENCES, rng.randint(1, most)))


def _phone(rng: random.Random) -> str:
    return f"04{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def make_family(rng: random.Random) -> dict:
    surname = rng.choice(SURNAMES)
    postcode, town = rng.choice(TOWNS)
    address = {"straat": rng.choice(STREETS), "huisnummer": str(rng.randint(1, 180)),
               "bus": str(rng.randint(1, 12)) if rng.random() < 0.15 else "", "postcode": postcode,
               "gemeente": town}
    parents = []
    for role in (["moeder", "vader"] if rng.random() < 0.75 else [rng.choice(["moeder", "vader", "voogd"])]):
        first = rng.choice(FIRST_ADULTS)
        family_name = surname if role != "moeder" or rng.random() < 0.4 else rng.choice(SURNAMES)
        talen = list(rng.choice(LANGUAGES))
        needs = talen[0] not in ("Nederlands",) and rng.random() < 0.3
        parents.append({
            "id": f"{rng.getrandbits(48):012x}", "relatie": role, "voornaam": first, "familienaam": family_name,
            "talen": talen, "tolk_nodig": needs, "tolk_taal": talen[0] if needs else "", "telefoon": _phone(rng),
            "email": f"{first}.{family_name}".lower().replace(" ", "") + "@voorbeeld.be",
            "adres": {"straat": "", "huisnummer": "", "bus": "", "postcode": "", "gemeente": ""},
            "voorkeurkanaal": rng.choice(CHANNELS), "beste_momenten": rng.choice(MOMENTS),
            "notities": _sentences(rng, 1) if rng.random() < 0.1 else "",
        })
    return {"naam": surname, "adres": address, "ouders": parents,
            "notities": _sentences(rng, 1) if rng.random() < 0.7 else ""}


def make_pupil(rng: random.Random, family: dict, number: int, family_id: int) -> dict:
    grade = rng.randint(1, 6)
    left = rng.random() < 0.02
    return {
        "stamboeknummer": str(number), "voornaam": rng.choice(FIRST_KIDS), "familienaam": family["naam"],
        "geboortedatum": (date(2014 - grade, 1, 1) + timedelta(days=rng.randint(0, 364))).isoformat(),
        "klas": f"{grade}{rng.choice('ABC')}", "klasnummer": str(rng.randint(1, 25)), "leerjaar": grade,
        "schooljaar": "2025-2026", "status": "vertrokken" if left else "actief",
        "vertrokken_op": "2025-10-15" if left else None, "gezin_id": family_id,
        "notities": _sentences(rng, 1 if rng.random() < 0.8 else 2) if rng.random() < 0.6 else "",
    }


def build_database(path: Path, records: int, seed: int = 2026) -> tuple[int, int]:
    """Write a database of ``records`` records (families + pupils) through the store; returns the counts."""
    rng = random.Random(seed + records)
    families = []
    kids_per_family = []
    total = 0
    while total < records:
        kids = min(rng.choices([1, 2, 3], [50, 35, 15])[0], max(records - total - 1, 0))
        families.append(make_family(rng))
        kids_per_family.append(kids)
        total += 1 + kids
    store = FileStore.open(path, user="bench", make_backup=False)
    with store.transaction():
        saved = store.insert_many(GEZINNEN, families)
        number = 100_000
        pupils = []
        for family, kids in zip(saved, kids_per_family, strict=True):
            for _ in range(kids):
                number += rng.randint(1, 9)
                pupils.append(make_pupil(rng, family, number, family["id"]))
        store.insert_many(LEERLINGEN, pupils)
    store.close()
    return len(families), len(pupils)


# -- timing ---------------------------------------------------------------------------------------

def timed(fn: Callable[[], object], runs: int, setup: Callable[[], object] | None = None) -> list[float]:
    """Run ``fn`` ``runs`` times (after an untimed ``setup`` each time); milliseconds per run."""
    times = []
    for _ in range(runs):
        if setup:
            setup()
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
        del result  # freeing what the run built (a parsed document, a cache) is not part of its time
    return times


def fmt(times: list[float] | None) -> str:
    if not times:
        return "-"
    return f"{statistics.median(times):8.1f} ({min(times):.1f}-{max(times):.1f})"


class Bench:
    def __init__(self, folder: Path, size: int, runs: int) -> None:
        self.folder = folder / f"n{size}"
        self.folder.mkdir()
        self.path = self.folder / "ouder-tui.json"
        self.size = size
        self.runs = runs
        self.rows: dict[str, list[float]] = {}
        self.info: dict[str, str] = {}

    def build(self) -> None:
        start = time.perf_counter()
        families, pupils = build_database(self.path, self.size)
        took = time.perf_counter() - start
        size = self.path.stat().st_size
        self.info = {"families": str(families), "pupils": str(pupils), "MB": f"{size / 1e6:.1f}",
                     "bytes/record": f"{size / self.size:.0f}", "build s": f"{took:.1f}"}

    def _clear_backups(self) -> None:
        shutil.rmtree(backup_folder(self.path), ignore_errors=True)

    # -- load ---------------------------------------------------------------------------
    def load(self) -> None:
        runs = self.runs
        self.rows["open (no backup)"] = timed(lambda: FileStore.open(self.path, make_backup=False), runs)
        self.rows["open (start backup)"] = timed(lambda: FileStore.open(self.path), runs, setup=self._clear_backups)
        holder: dict = {}

        def fresh_registry() -> None:
            holder["reg"] = Registry(FileStore.open(self.path, make_backup=False))

        self.rows["first leerlingen() (cache)"] = timed(lambda: holder["reg"].leerlingen(), runs,
                                                        setup=fresh_registry)

        def full_load() -> Registry:
            registry = Registry(FileStore.open(self.path))
            registry.leerlingen()
            return registry

        self.rows["load = open+backup+leerlingen"] = timed(full_load, runs, setup=self._clear_backups)
        self._clear_backups()
        # What Python's cyclic GC costs once the data is in memory: a full pass visits every parsed
        # dict and model. Allocation-heavy work (loading, rebuilding caches) triggers such passes.
        holder["reg"] = full_load()
        self.rows["full gc.collect(), data loaded"] = timed(gc.collect, runs)
        holder.clear()
        self._clear_backups()

    # -- save and search --------------------------------------------------------------------
    def save_and_search(self) -> None:
        runs = self.runs
        store = FileStore.open(self.path, make_backup=False, user="bench")
        reg = Registry(store)
        pupils = reg.leerlingen()
        rng = random.Random(7)
        pending: dict = {}

        def pick() -> None:
            pupil = reg.leerling(rng.choice(pupils).id)  # fresh revision (untimed cache rebuild)
            note = rng.choice(SENTENCES)
            if note == pupil.notities:
                note += " Opnieuw besproken."
            pending["edited"] = msgspec.structs.replace(pupil, notities=note)

        # a save is cheap to repeat and its spread is wide (fsync), so it gets more runs
        self.rows["save_leerling (one pupil)"] = timed(lambda: reg.save_leerling(pending["edited"]),
                                                       max(runs, 11), setup=pick)
        # the parts of a save, measured alone
        document = store.storage.read()
        buffer = bytearray()  # as the store does: one buffer kept from save to save
        payload = atomic.encode_pieces(document, buffer)  # as a save writes it: pieces, unchanged ones from the file
        scratch = self.folder / "scratch.json"
        self.rows["  part: encode doc (pieces)"] = timed(lambda: atomic.encode_pieces(document, buffer), runs)
        self.rows["  part: write_atomic+fsync"] = timed(lambda: atomic.write_atomic(scratch, payload), runs)
        scratch.unlink()
        self.rows["  after save: leerlingen()"] = timed(
            lambda: reg.leerlingen(), runs, setup=lambda: (pick(), reg.save_leerling(pending["edited"])))

        reg.zoek_leerlingen(SEARCH_WORD)
        self.rows["leerlingen() warm (sort)"] = timed(lambda: reg.leerlingen(), runs)
        self.rows[f"zoek '{SEARCH_WORD}' warm"] = timed(lambda: reg.zoek_leerlingen(SEARCH_WORD), runs)
        self.rows[f"zoek '{SEARCH_WORD}' after a save"] = timed(
            lambda: reg.zoek_leerlingen(SEARCH_WORD), runs,
            setup=lambda: (pick(), reg.save_leerling(pending["edited"])))
        self.info["hits"] = str(len(reg.zoek_leerlingen(SEARCH_WORD)))

    # -- references ------------------------------------------------------------------------------
    def references(self) -> None:
        runs = self.runs
        raw = self.path.read_bytes()
        document = atomic.decode(raw)
        self.rows["ref: json.dumps doc"] = timed(lambda: json.dumps(document), runs)
        self.rows["ref: msgspec encode doc"] = timed(lambda: atomic.encode(document), runs)
        self.rows["ref: json.loads file"] = timed(lambda: json.loads(raw), runs)
        self.rows["ref: msgspec decode file"] = timed(lambda: atomic.decode(raw), runs)

        copy = self.folder / "tinydb-default.json"
        shutil.copyfile(self.path, copy)
        db = TinyDB(copy)  # TinyDB's default JSONStorage
        table = db.table(LEERLINGEN)
        record = make_pupil(random.Random(1), {"naam": "Peeters"}, 999_999, 1)
        table.insert(dict(record))  # warm-up: TinyDB finds its next id once
        tiny_runs = max(2, min(runs, 5)) if self.size >= 50_000 else runs
        self.rows["ref: TinyDB default insert"] = timed(lambda: table.insert(dict(record)), tiny_runs)
        db.close()
        copy.unlink()


ROW_ORDER = [
    "open (no backup)", "open (start backup)", "first leerlingen() (cache)", "load = open+backup+leerlingen",
    "full gc.collect(), data loaded",
    "save_leerling (one pupil)", "  part: encode doc (pieces)", "  part: write_atomic+fsync",
    "  after save: leerlingen()",
    "leerlingen() warm (sort)", f"zoek '{SEARCH_WORD}' warm", f"zoek '{SEARCH_WORD}' after a save",
    "ref: TinyDB default insert", "ref: json.dumps doc", "ref: msgspec encode doc", "ref: json.loads file",
    "ref: msgspec decode file",
]
TARGET_ROWS = {"save": "save_leerling (one pupil)", "load": "load = open+backup+leerlingen"}


def print_table(benches: list[Bench]) -> None:
    width = 34
    col = 26
    print()
    print("ms: median (min-max)".ljust(width) + "".join(f"{b.size:>{col},}" for b in benches))
    for key in ("families", "pupils", "MB", "bytes/record", "build s", "hits"):
        print(f"  {key}".ljust(width) + "".join(f"{b.info.get(key, '-'):>{col}}" for b in benches))
    print("-" * (width + col * len(benches)))
    for row in ROW_ORDER:
        print(row.ljust(width) + "".join(f"{fmt(b.rows.get(row)):>{col}}" for b in benches))
    print()


def print_targets(benches: list[Bench]) -> None:
    by_size = {b.size: b for b in benches}
    print("Targets (issues 2 and 19):")
    for kind, size, limit, label in TARGETS:
        bench = by_size.get(size)
        if bench is None:
            print(f"  not measured  {label}")
            continue
        median = statistics.median(bench.rows[TARGET_ROWS[kind]])
        verdict = "PASS" if median <= limit else "FAIL"
        print(f"  {verdict:<13} {label}: median {median:.1f} ms ({median / limit:.2f}x the budget)")
    ratios = []
    for bench in benches:
        tiny = bench.rows.get("ref: TinyDB default insert")
        save = bench.rows.get("save_leerling (one pupil)")
        dumps = bench.rows.get("ref: json.dumps doc")
        enc = bench.rows.get("ref: msgspec encode doc")
        if tiny and save and dumps and enc:
            ratios.append(f"  {bench.size:>6,}: TinyDB default insert / our save = "
                          f"{statistics.median(tiny) / statistics.median(save):.1f}x; "
                          f"json.dumps / msgspec encode = {statistics.median(dumps) / statistics.median(enc):.1f}x")
    if ratios:
        print("Ratios (same run):")
        print("\n".join(ratios))


def print_profile(heading: str, fn: Callable[[], object], *, cumulative: int = 22) -> None:
    """Run ``fn`` once under cProfile and print its top functions (by own time, then cumulative) under ``heading``."""
    profiler = cProfile.Profile()
    gc.collect()
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(14)
    stats.sort_stats("cumulative").print_stats(cumulative)
    print(f"==== {heading} ====")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def profile(bench: Bench) -> None:
    """cProfile one load, one save and one search-after-save at this size; print the top functions."""

    def show(title: str, fn: Callable[[], object]) -> None:
        print_profile(f"profile: {title} at {bench.size:,} records", fn)

    shutil.rmtree(backup_folder(bench.path), ignore_errors=True)
    show("load (open + start backup + first leerlingen())",
         lambda: Registry(FileStore.open(bench.path)).leerlingen())
    reg = Registry(FileStore.open(bench.path, make_backup=False))
    pupil = reg.leerlingen()[len(reg.leerlingen()) // 2]
    show("save_leerling", lambda: reg.save_leerling(msgspec.structs.replace(pupil, notities="Profiel.")))
    show("zoek after a save", lambda: reg.zoek_leerlingen(SEARCH_WORD))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="comma-separated record counts (default 1000,10000,50000)")
    parser.add_argument("--runs", type=int, default=0,
                        help="runs per figure (default: 9 below 50,000 records, 5 at 50,000 and above; a save gets at least 11)")
    parser.add_argument("--dir", default=None, help="folder for the temporary databases (default: system temp)")
    parser.add_argument("--profile", action="store_true", help="also cProfile load/save/search at the largest size")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    print(f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} cores; tinydb {metadata.version('tinydb')}, msgspec {metadata.version('msgspec')}; "
          f"{datetime.now():%Y-%m-%d %H:%M}")
    started = time.perf_counter()
    benches: list[Bench] = []
    with tempfile.TemporaryDirectory(prefix="ouder-tui-bench-", dir=args.dir) as tmp:
        print(f"databases in {tmp}")
        for size in sizes:
            runs = args.runs or (5 if size >= 50_000 else 9)
            bench = Bench(Path(tmp), size, runs)
            print(f"  {size:>6,} records, {runs} runs: build", end="", flush=True)
            bench.build()
            for step in (bench.load, bench.save_and_search, bench.references):
                print(f", {step.__name__.replace('_', ' ')}", end="", flush=True)
                step()
            print(f"  ({time.perf_counter() - started:.0f} s)")
            benches.append(bench)
        print_table(benches)
        print_targets(benches)
        if args.profile and benches:
            print()
            profile(max(benches, key=lambda b: b.size))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    try:
        main()
    except Exception:  # a measurement: report, never fail the caller
        traceback.print_exc()
    sys.exit(0)
