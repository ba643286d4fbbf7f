"""Benchmark of the passphrase protection: open and one save, protected against unprotected.

Builds the same realistic database as ``bench_store.py`` (default 10,000 records) twice, one copy
protected with a passphrase, and prints per size the median (min-max) in milliseconds of

* opening the store (without and with the start backup) and
* one save of one edited pupil,

on each copy, with the ratio protected / unprotected. The key derivation (scrypt, paid once at
start and once to unlock the screen) is timed apart with the real cost, not inside the open.

It is a measurement, not a test: it always exits with 0. Run it with

    .venv/bin/python bench/bench_encryption.py
    .venv/bin/python bench/bench_encryption.py --sizes 1000,10000,50000 --runs 5
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench_store import build_database, fmt, timed

from ouder_tui import crypto
from ouder_tui.backups import backup_folder
from ouder_tui.leerlingen import Registry
from ouder_tui.store import Store
from ouder_tui.filestore import FileStore

PASSPHRASE = crypto.Passphrase("een zin die niemand raadt")
LIMIT = 1.5
TARGET_SIZE = 10_000


def open_store(path: Path, key: crypto.Key | None, *, backup: bool) -> Store:
    """Open like the app does; the key is derived beforehand (the derivation is measured apart)."""
    store = FileStore.unopened(path, user="bench")
    store.storage.key = key
    store.load(make_backup=backup)
    return store


def measure(folder: Path, size: int, runs: int) -> dict[str, dict[str, list[float]]]:
    rows: dict[str, dict[str, list[float]]] = {}
    plain = folder / f"n{size}-gewoon" / "ouder-tui.json"
    sealed = folder / f"n{size}-beveiligd" / "ouder-tui.json"
    plain.parent.mkdir()
    build_database(plain, size)
    sealed.parent.mkdir()
    shutil.copy(plain, sealed)
    store = FileStore.open(sealed, make_backup=False)
    store.set_passphrase(PASSPHRASE)
    key = store.storage.key  # the database's own key (its salt), derived once, outside every clock
    print(f"{size:>6} records: {plain.stat().st_size / 1e6:.1f} MB readable, {sealed.stat().st_size / 1e6:.1f} MB sealed")

    for name, path, with_key in (("onbeveiligd", plain, None), ("beveiligd", sealed, key)):
        def clear(path=path) -> None:
            shutil.rmtree(backup_folder(path), ignore_errors=True)

        rows.setdefault("open (no backup)", {})[name] = timed(lambda p=path, k=with_key: open_store(p, k, backup=False), runs)
        rows.setdefault("open (start backup)", {})[name] = timed(
            lambda p=path, k=with_key: open_store(p, k, backup=True), runs, setup=clear)

        registry = Registry(open_store(path, with_key, backup=False))
        pupils = registry.leerlingen()
        pending = {}
        counter = iter(range(10**9))

        def pick(registry=registry, pupils=pupils, pending=pending, counter=counter) -> None:
            pupil = registry.leerling(pupils[next(counter) % len(pupils)].id)
            pending["edited"] = pupil.__class__(**{**{f: getattr(pupil, f) for f in pupil.__struct_fields__},
                                                   "notities": f"bench {next(counter)}"})

        rows.setdefault("save_leerling (one pupil)", {})[name] = timed(
            lambda registry=registry, pending=pending: registry.save_leerling(pending["edited"]), runs, setup=pick)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=str(TARGET_SIZE), help="comma-separated record counts (default 10000)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    print(f"Python {platform.python_version()} on {platform.system()} {platform.machine()}")
    kdf = timed(lambda: crypto.Key.new(PASSPHRASE), max(3, args.runs // 2))
    print(f"key derivation (scrypt n=2**{crypto.SCRYPT_N.bit_length() - 1}, r={crypto.SCRYPT_R}, "
          f"p={crypto.SCRYPT_P}), paid at start and to unlock: {fmt(kdf)} ms\n")

    verdicts = []
    with tempfile.TemporaryDirectory(prefix="ouder-tui-bench-") as tmp:
        for size in sizes:
            rows = measure(Path(tmp), size, args.runs)
            print(f"{'':32} {'onbeveiligd ms':>24} {'beveiligd ms':>24} {'ratio':>6}")
            for row, by in rows.items():
                ratio = statistics.median(by["beveiligd"]) / statistics.median(by["onbeveiligd"])
                print(f"{row:32} {fmt(by['onbeveiligd']):>24} {fmt(by['beveiligd']):>24} {ratio:6.2f}")
                if size == TARGET_SIZE and row in ("open (no backup)", "save_leerling (one pupil)"):
                    verdicts.append((f"{row} at {size:,} records <= {LIMIT}x unprotected", ratio <= LIMIT, ratio))
            print()
    for label, ok, ratio in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {label} ({ratio:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
