"""Bench: ticking attendance in the parent group on a large school.

One tick saves the session, and the lists the attendance screen shows are then built again
(the stayed-away list and the parents who came before). Run:

    .venv/bin/python bench/bench_oudergroep.py [--pupils 10000]

It prints the median over 30 ticks. No timing is asserted anywhere; see bench/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_store import build_database  # noqa: E402

from ouder_tui.filestore import FileStore  # noqa: E402
from ouder_tui.leerlingen import Registry  # noqa: E402
from ouder_tui.oudergroep import Oudergroep, Sessie  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=10_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "groot.json"
        build_database(path, args.pupils)
        store = FileStore.open(path, user="bench", make_backup=False)
        group = Oudergroep(store, Registry(store))
        people = [o.id for g in group.registry.gezinnen()[:60] for o in g.ouders]
        for day in range(1, 21):
            group.plan(Sessie(datum=date(2026, 9, day), titel="Koffie"))
        session = group.sessies()[0]
        ticks = []
        for pid in people[:30]:
            start = time.perf_counter()
            group.zet_aanwezig(session.id, pid)
            group.weggebleven()
            group.personen(eerder="ooit")
            ticks.append(time.perf_counter() - start)
        start = time.perf_counter()
        group.personen(tekst="ali")
        search = time.perf_counter() - start
    print(f"{args.pupils} leerlingen: tick + lijsten mediaan {statistics.median(ticks) * 1000:.1f} ms, "
          f"zoeken in alle ouders {search * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
