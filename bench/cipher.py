"""What encryption at rest costs: the registry's lookups on an encrypted store beside a plain one.

Copies a 100,000-petition store (built by ``bench/registry.py``; give its folder as --source)
twice: one copy stays plain, the other is encrypted in place with ``encrypt_store`` (timed). Then
times each lookup through Doorstep's own use cases on both, and prints both with their ratio
(the goal: at most 1.3×). Each figure is the median of several runs, after one warm-up run;
the plain and encrypted runs are taken in turns, so that a passing load weighs on both.

    ./dev bench cipher --source DIR [--runs N]

The source folder is only read.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core import store as store_module
from app.core.cipher import encrypt_store
from app.core.keyring import new_store_key
from app.core.paths import AppPaths
from app.core.store import Store, open_store
from app.petitions.registry import (
    RegistryFilter,
    petition_count,
    petition_ids,
    petition_page,
    petition_rows,
)
from app.petitions.today import today_list
from models import Person, Petition

COUNTY = "632624"
FIRST_SCREEN = 30


def paired_medians_ms(plain: Callable[[], object], encrypted: Callable[[], object],
                      runs: int) -> tuple[float, float]:
    """Both medians, after a warm-up run of each, the runs taken in turns (plain, encrypted,
    plain…): a load on the machine that comes and goes weighs on both alike."""
    plain()
    encrypted()
    a, b = [], []
    for _ in range(runs):
        for action, times in ((plain, a), (encrypted, b)):
            t0 = time.perf_counter()
            action()
            times.append((time.perf_counter() - t0) * 1000)
    return _median(a), _median(b)


def _median(values: list[float]) -> float:
    """(Not ``statistics.median``: bench/statistics.py shadows that module when run as a file.)"""
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def lookups(store: Store) -> list[tuple[str, Callable[[], object]]]:
    with store.read() as session:
        sample = session.query(Person).filter(Person.name_zh.like("%12345")).first()
        newest = session.query(Petition.received_at).order_by(Petition.received_at.desc()).first()
    assert sample is not None and newest is not None
    today = date.fromisoformat(newest[0][:10]) + timedelta(days=5)
    total = petition_count(store, RegistryFilter(), today)

    def search(text: str) -> Callable[[], object]:
        return lambda: petition_ids(store, RegistryFilter(text=text), today)

    def screen(flt: RegistryFilter, offset: int) -> Callable[[], object]:
        return lambda: (petition_count(store, flt, today), petition_rows(
            store, petition_page(store, flt, offset, FIRST_SCREEN, today), today))

    return [
        ("registry first screen", screen(RegistryFilter(), 0)),
        ("scroll to the end", screen(RegistryFilter(), total - FIRST_SCREEN)),
        (f"search {COUNTY}", search(COUNTY)),
        ("name search (Chinese)", search(sample.name_zh)),
        ("name search (Tibetan)", search(sample.name_bo)),
        ("ID number search", search(sample.id_number)),
        ("phone search", search(sample.phone)),
        ("Today", lambda: today_list(store, today)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="folder of a plain 100,000-petition store")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cache-kib", type=int, help="page cache of an encrypted connection")
    args = parser.parse_args()
    if args.cache_kib:
        store_module.ENCRYPTED_CACHE_KIB = args.cache_kib
    source = AppPaths(Path(args.source))
    work = Path(tempfile.mkdtemp(prefix="doorstep-bench-cipher-"))
    plain, encrypted = AppPaths(work / "plain"), AppPaths(work / "encrypted")
    for copy in (plain, encrypted):
        copy.data_dir.mkdir()
        shutil.copyfile(source.store, copy.store)
    size = source.store.stat().st_size
    key = new_store_key()
    t0 = time.perf_counter()
    encrypt_store(encrypted, key)
    print(f"encrypted a {size / 2**20:.0f} MB store in place in "
          f"{time.perf_counter() - t0:.1f} s (verified backup, export, verification)")
    try:
        stores = {}
        for name, paths, k in (("plain", plain, None), ("encrypted", encrypted, key)):
            open_store(paths, key=k, create=False).close()  # migrated once, if need be
            t0 = time.perf_counter()
            stores[name] = open_store(paths, key=k, create=False)
            print(f"open {name:10} {(time.perf_counter() - t0) * 1000:8.1f} ms")
        cases = {name: lookups(store) for name, store in stores.items()}
        print(f"{'lookup':26} {'plain ms':>10} {'encrypted ms':>13} {'ratio':>7}")
        for (label, plain_case), (_, encrypted_case) in zip(cases["plain"], cases["encrypted"],
                                                             strict=True):
            a, b = paired_medians_ms(plain_case, encrypted_case, args.runs)
            print(f"{label:26} {a:10.2f} {b:13.2f} {b / a:7.2f}")
        print(f"page cache of an encrypted connection: at most "
              f"{store_module.ENCRYPTED_CACHE_KIB // 1024} MB; peak memory of the process: "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
        for store in stores.values():
            store.close()
    finally:
        if not os.environ.get("DOORSTEP_BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
