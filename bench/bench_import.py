"""Benchmark of the CSV import of the pupil list: plan_import and apply_import.

Generates a realistic Smartschool-style export (``;``, UTF-8; pupil number, names, birth
date, class, address, mother and father with name, GSM and e-mail, home language,
interpreter; about three pupils in four have no sibling in the file) of 1,000 and
10,000 rows and, per run on a fresh database in a temporary folder, times three imports
of that same file:

* first import   the database is empty: every pupil and family is new
* same again     the same file once more: every row matches, nothing changes
* new year       school year 2027-2028 with ``markeer_vertrokken``: every pupil is updated

plus ``read_csv`` + ``detect_mapping`` of the file. It prints per size the median and the
min-max over the runs in milliseconds. Every step starts after a ``gc.collect()``.

It is a measurement, not a test: it always exits with 0. Run it with

    .venv/bin/python bench/bench_import.py                       # 1,000 and 10,000 rows, ~30 s
    .venv/bin/python bench/bench_import.py --rows 10000 --runs 3
    .venv/bin/python bench/bench_import.py --rows 50000 --runs 1
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import platform
import random
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from ouder_tui import importers
from ouder_tui.leerlingen import Registry
from ouder_tui.filestore import FileStore

DEFAULT_ROWS = (1000, 10000)
DEFAULT_RUNS = 5

FIRST = ["Lotte", "Mats", "Zoë", "Noah", "Ella", "Adam", "Yasmine", "Hélène", "Jakub", "Zofia", "Mariama", "Lucas",
         "Emma", "Finn", "Nora"]
LAST = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet",
        "Çelik", "El Amrani", "Nowak", "Bah", "Lefèvre"]
HEADERS = ["Stamboeknummer", "Naam", "Voornaam", "Geboortedatum", "Klas", "Klasnummer", "Straat", "Huisnummer",
           "Postcode", "Gemeente", "Naam moeder", "Voornaam moeder", "GSM moeder", "E-mail moeder", "Naam vader",
           "Voornaam vader", "GSM vader", "Thuistaal", "Tolk"]


def make_csv(rows: int, seed: int = 1) -> bytes:
    """A pupil list of ``rows`` rows; siblings share a family name, address and parents."""
    rnd = random.Random(seed)
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(HEADERS)
    fam = 0
    for i in range(rows):
        if i % 2 == 0 or rnd.random() < 0.5:
            fam += 1
        last = f"{LAST[fam % len(LAST)]} {fam}"
        writer.writerow([
            str(100000 + i), last, f"{FIRST[i % len(FIRST)]}{i}",
            f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/{rnd.randint(2014, 2020)}",
            f"{rnd.randint(1, 6)}{'ABC'[i % 3]}", str(i % 25 + 1), f"Straat{fam}", str(fam % 200 + 1), "9000", "Gent",
            last, f"Moeder{fam}", f"0470 {fam:06d}", f"m{fam}@voorbeeld.be", last, f"Vader{fam}", f"0480 {fam:06d}",
            rnd.choice(["Nederlands", "Turks", "Arabisch, Frans", "Pools"]), rnd.choice(["ja", "nee", ""]),
        ])
    return buf.getvalue().encode("utf-8")


STEPS = [
    "read_csv + detect_mapping",
    "first import: plan_import",
    "first import: apply_import",
    "same again: plan_import",
    "same again: apply_import",
    "new year: plan_import",
    "new year: apply_import",
]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    value = fn()
    return (time.perf_counter() - start) * 1000, value


def one_run(data: bytes, folder: Path, run: int) -> tuple[dict[str, float], list[str]]:
    """One run on a fresh database: the times per step and a one-line check of what each import did."""
    store = FileStore.open(folder / f"run{run}.json", user="bench", make_backup=False)
    registry = Registry(store)
    times: dict[str, float] = {}
    times[STEPS[0]], (csv_file, mapping) = timed(
        lambda: (c := importers.read_csv(data), importers.detect_mapping(c.headers)))
    checks = []
    for label, year, day, mark in (("first import", "2026-2027", date(2026, 9, 1), False),
                                   ("same again", "2026-2027", date(2026, 9, 1), False),
                                   ("new year", "2027-2028", date(2027, 9, 1), True)):
        times[f"{label}: plan_import"], plan = timed(partial(
            importers.plan_import, registry, csv_file, mapping, schooljaar=year, vandaag=day, markeer_vertrokken=mark))
        times[f"{label}: apply_import"], result = timed(partial(importers.apply_import, registry, plan))
        checks.append(f"{label}: {result.new} new, {result.updated} updated, {result.unchanged} unchanged, "
                      f"{result.skipped} skipped, {len(plan.families_new)} new families"
                      + (" (replanned!)" if result.replanned else ""))
    return times, checks


def fmt(values: list[float] | None) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):8.1f} ({min(values):.1f}-{max(values):.1f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default=",".join(str(r) for r in DEFAULT_ROWS),
                        help="comma-separated row counts (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="runs per size (default: %(default)s)")
    parser.add_argument("--dir", default=None, help="folder for the temporary databases (default: system temp)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in args.rows.split(",") if s.strip()]
    except ValueError:
        print(f"--rows: '{args.rows}' is not a comma-separated list of numbers")
        return 0
    runs = max(1, args.runs)
    print(f"Python {platform.python_version()} on {platform.system()} {platform.machine()}; "
          f"sizes {', '.join(f'{s:,}' for s in sizes)}; {runs} run(s) each")
    results: dict[int, dict[str, list[float]]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench_import_", dir=args.dir) as tmp:
            for size in sizes:
                started = time.perf_counter()
                data = make_csv(size)
                print(f"  {size:>7,} rows ({len(data) / 2**20:.1f} MB), {runs} runs", end="", flush=True)
                per_step: dict[str, list[float]] = {step: [] for step in STEPS}
                checks: list[str] = []
                for run in range(runs):
                    folder = Path(tmp) / f"{size}"
                    folder.mkdir(exist_ok=True)
                    times, checks = one_run(data, folder, run)
                    for step, ms in times.items():
                        per_step[step].append(ms)
                    print(".", end="", flush=True)
                results[size] = per_step
                print(f"  ({time.perf_counter() - started:.0f} s)")
                for line in checks:
                    print(f"      {line}")
    except Exception:  # a measurement: report and still exit with 0
        traceback.print_exc()
    if not results:
        return 0
    width, col = 30, 26
    print()
    print("ms: median (min-max)".ljust(width) + "".join(f"{size:>{col},}" for size in results))
    print("-" * (width + col * len(results)))
    for step in STEPS:
        print(step.ljust(width) + "".join(f"{fmt(r.get(step)):>{col}}" for r in results.values()))
    print()
    for size, r in results.items():
        per_row = statistics.median(r["first import: plan_import"]) / size * 1000
        print(f"{size:>7,} rows: first plan_import {per_row:.0f} µs a row")
    return 0


if __name__ == "__main__":
    sys.exit(main())
