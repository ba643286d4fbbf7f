"""Memory of the interface at scale (issue 19): resident memory after the app has visited every area.

For each size it builds the database of ``bench_store.py`` (families and pupils, ``--sizes`` records in
all), then starts a fresh process that opens it in the interface (headless, 120x40, as the command line
would: the app reads the file in a worker thread, with its start backup), visits every area with its key (F2 to F7), the reach view (b) and the pupil list's family tab,
and reports its resident memory (VmRSS, and of it RssAnon: the process's own, and RssFile: pages of files it
maps, the program's libraries and, on a local disk, the database file) and its peak (VmHWM) from
``/proc/self/status``, next to a bare process that imported the same modules; then the resident memory
after one save of a pupil ("saved"). Linux only (``/proc``). Target: ≤ 150 MB resident at
50,000 records.

It is a measurement, not a test: it always exits with 0. Run it with

    .venv/bin/python bench/bench_memory.py                     # 10,000 and 50,000 records
    .venv/bin/python bench/bench_memory.py --sizes 1000,10000,50000,100000
    .venv/bin/python bench/bench_memory.py --read       # the file read, not mapped (as on Windows)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for folder in (BENCH, ROOT):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

CHILD = r"""
import asyncio, json, sys

def memory():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
    return {key: int(fields[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM", "RssAnon", "RssFile")}

from ouder_tui.app import make_app
from ouder_tui.filestore import FileStore

if len(sys.argv) > 3 and sys.argv[3] == "read":  # as on Windows, macOS or a network share: no mapping
    from ouder_tui import storage
    storage.maps_files_in = lambda folder: False

if sys.argv[2] == "bare":
    print(json.dumps(memory()))
    raise SystemExit

async def visit():
    store = FileStore.unopened(sys.argv[1], user="bench")  # as the command line: the app reads it in a worker
    app = make_app(store, ask_user=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):  # until read and the dashboard is filled, then a moment for what follows it
            await pilot.pause(0.1)
            if store.loaded and not app.locked:
                break
        await pilot.pause(1.0)
        for keys in (["f2"], ["f3"], ["g"], ["f4"], ["f5"], ["f6"], ["f7"], ["f2", "b"], ["escape", "f3"]):
            for key in keys:
                await pilot.press(key)
                await pilot.pause(0.2)
        await pilot.pause(0.5)
        visited = memory()
        # then one save, as a user makes many: what a save keeps (a buffer, pages of the file) shows here
        pupil = store.all("leerlingen")[0]
        store.update("leerlingen", pupil["id"], {**pupil, "notities": "Gebeld."}, expected_rev=pupil["_rev"])
        await pilot.pause(0.2)
        return {**visited, "saved": memory()["VmRSS"]}

print(json.dumps(asyncio.run(visit())))
"""


def measure(db: Path, mode: str, how: str = "map") -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, str(db), mode, how], check=True, capture_output=True,
                          text=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000", help="comma-separated record counts")
    parser.add_argument("--read", action="store_true",
                        help="read the file instead of mapping it, as where it is not mapped (Windows, macOS, a share)")
    args = parser.parse_args(argv)
    from bench_store import build_database

    print(f"{'records':>8} {'file MB':>8} {'bare MB':>8} {'RSS MB':>8} {'anon':>6} {'file':>6} {'peak MB':>8} "
          f"{'saved MB':>9}  target <= 150 MB at 50,000")
    with tempfile.TemporaryDirectory(prefix="ouder-tui-mem-") as tmp:
        for size in (int(s) for s in args.sizes.split(",") if s.strip()):
            db = Path(tmp) / f"n{size}.json"
            build_database(db, size)
            how = "read" if args.read else "map"
            bare, used = measure(db, "bare", how), measure(db, "app", how)
            verdict = "" if size != 50_000 else ("PASS" if used["VmRSS"] <= 150 else "FAIL")
            print(f"{size:>8,} {db.stat().st_size / 1e6:>8.1f} {bare['VmRSS']:>8.1f} {used['VmRSS']:>8.1f} "
                  f"{used['RssAnon']:>6.1f} {used['RssFile']:>6.1f} {used['VmHWM']:>8.1f} {used['saved']:>9.1f}"
                  f"  {verdict}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
