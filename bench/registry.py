"""Registry speed at county scale: 100,000 petitions and 150,000 persons.

Builds the store once (in --dir, default a temp folder; reused when it already holds the data),
then times each lookup the 12309 window makes through Doorstep's own code (app use cases and the
lazy Qt model) beside the same lookup written as one hand-written SQL statement on the same file,
and prints both with their ratio. Each figure is the median of several runs. Last, the whole
registry exported once as a workbook and as CSV.

    ./dev bench registry [--dir DIR] [--runs N]

The store is built through the real tables, indexes and search triggers; the sync version log is
switched off for the bulk load (it does not take part in any of these lookups).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from app.core.fulltext import fts_query
from app.core.identity import ensure_device, set_up_device
from app.core.paths import AppPaths
from app.core.store import Store, open_store
from app.petitions.registry import RegistryFilter, petition_ids
from app.petitions.today import today_list
from demo.generate import NAME_PARTS
from models import Office, Person, Petition, PetitionParty, new_id

PERSONS = 150_000
PETITIONS = 100_000
FIRST_SCREEN = 30
COUNTY = "632624"  # typed on the way to an ID number: every petitioner's matches


def build(store: Store, rng: random.Random, persons: int = PERSONS,
          petitions_made: int = PETITIONS) -> None:
    """Fill ``store`` with ``persons`` and ``petitions_made`` petitions, one petitioner each."""
    set_up_device(store, "bench", "632624")
    with store.read() as session:
        office_id = session.query(Office.id).filter(Office.division_code == "632624").scalar()
    with store.write() as session:
        conn = session.connection()
        raw = conn.connection.dbapi_connection
        store.ctx.applying.add(id(raw))  # bulk load without the version log
        try:
            people = []
            for i in range(persons):
                a, b = rng.sample(NAME_PARTS, 2)
                people.append({
                    "id": new_id(), "name_bo": f"{a[0]}་{b[0]}་{i % 97}",
                    "name_zh": f"{a[1]}{b[1]}{i}", "sex": "M", "ethnicity": "04",
                    "id_number": f"632624{1950 + i % 50}0101{i:04d}"[:18],
                    "phone": f"139{i:08d}", "county": "达日县", "township": "吉迈镇", "village": "",
                    "herding_group": "", "preferred_language": "bo", "needs_interpreter": False})
            conn.execute(insert(Person), people)
            start = datetime(2022, 1, 1)
            petitions, parties = [], []
            for i in range(petitions_made):
                received = start + timedelta(minutes=23 * i)
                day = received.date()
                petitions.append({
                    "id": new_id(), "office_id": office_id, "reg_year": received.year,
                    "reg_seq": i + 1, "reg_no": f"达检信〔{received.year}〕{i + 1}号",
                    "channel": "visit", "higher_office": "", "higher_ref": "",
                    "received_at": received.isoformat(timespec="minutes"), "category": "appeal",
                    "business_type": "support_lawsuit", "summary": f"草场纠纷 工资拖欠 第{i}件",
                    "requests": "", "original_case_no": "", "is_group": False, "head_count": 1,
                    "is_sensitive": False, "is_repeat": False, "jurisdiction": "accept",
                    "referral_body": "", "referral_note": "",
                    "reply_due": (day + timedelta(days=7)).isoformat(),
                    "answer_due": (day + timedelta(days=91)).isoformat(),
                    "reply_done_on": None if i > petitions_made - 300 else day.isoformat(),
                    "answer_done_on": None if i > petitions_made - 2000 else day.isoformat()})
                parties.append({"id": new_id(), "petition_id": petitions[-1]["id"],
                                "person_id": people[rng.randrange(persons)]["id"],
                                "role": "petitioner", "position": 0})
            conn.execute(insert(Petition), petitions)
            conn.execute(insert(PetitionParty), parties)
        finally:
            store.ctx.applying.discard(id(raw))


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        action()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", help="store folder (kept and reused)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="doorstep-bench-"))
    paths = AppPaths(folder)
    store = open_store(paths)
    ensure_device(store, "bench")
    with store.read() as session:
        have = session.query(Petition).count()
    if have < PETITIONS:
        t0 = time.perf_counter()
        build(store, random.Random(7))
        print(f"built {PETITIONS:,} petitions and {PERSONS:,} persons in "
              f"{time.perf_counter() - t0:.1f} s at {folder}")
    raw = sqlite3.connect(paths.store)

    with store.read() as session:
        sample = session.query(Person).filter(Person.name_zh.like("%12345")).first()
    assert sample is not None
    name_zh, name_bo, id_number, phone = (sample.name_zh, sample.name_bo, sample.id_number,
                                          sample.phone)
    with store.read() as session:
        newest = session.query(Petition.received_at).order_by(Petition.received_at.desc()).first()
    assert newest is not None
    # A day on which the newest petitions' 7-day replies are falling due, as at a busy window.
    today = date.fromisoformat(newest[0][:10]) + timedelta(days=5)

    from PySide6.QtWidgets import QApplication

    from ui.core.tasks import Tasks
    from ui.petitions.petitions_table_model import PetitionsTableModel

    QApplication.instance() or QApplication([])
    tasks = Tasks(store)  # the screens reach the store through its worker
    model = PetitionsTableModel(tasks)

    def first_screen_rows() -> None:
        for row in range(FIRST_SCREEN):
            for column in range(model.columnCount()):
                model.data(model.index(row, column))

    def first_screen() -> None:
        model.filter = RegistryFilter()
        model._pages.clear()  # as on opening: nothing read yet
        model.refresh()
        first_screen_rows()

    def sql_first_screen() -> None:
        # The floor: how many there are, and the first screen's rows with their names.
        raw.execute("SELECT count(*) FROM petition WHERE deleted = 0").fetchone()
        raw.execute(
            "SELECT p.reg_no, p.received_at, p.summary, group_concat(pe.name_zh) FROM"
            " (SELECT * FROM petition WHERE deleted = 0 ORDER BY received_at DESC, id DESC"
            " LIMIT ?) p JOIN petition_party pp ON pp.petition_id = p.id JOIN person pe"
            " ON pe.id = pp.person_id GROUP BY p.id", (FIRST_SCREEN,)).fetchall()

    def scroll_to_end() -> None:
        model._rows.clear()
        model._pages.clear()
        last = model.rowCount() - 1
        for row in range(last - FIRST_SCREEN, last + 1):
            model.data(model.index(row, 2))

    def sql_scroll_to_end() -> None:
        raw.execute(
            "SELECT p.reg_no, p.received_at, p.summary, group_concat(pe.name_zh) FROM"
            " (SELECT * FROM petition WHERE deleted = 0 ORDER BY received_at DESC, id DESC"
            " LIMIT ? OFFSET ?) p JOIN petition_party pp ON pp.petition_id = p.id JOIN person pe"
            " ON pe.id = pp.person_id GROUP BY p.id",
            (FIRST_SCREEN, PETITIONS - FIRST_SCREEN)).fetchall()

    def searched_screen() -> None:
        # A search as the registry makes it: found on the worker, then its first screen shown.
        model.filter = RegistryFilter(text=COUNTY)
        model.load()
        tasks.wait()
        QApplication.processEvents()  # the answer, delivered on the GUI thread
        first_screen_rows()

    def sql_searched_screen() -> None:
        # The floor: the matches in order (their number is its length), the first screen's rows.
        ids = [i for (i,) in raw.execute(
            "SELECT id FROM petition WHERE deleted = 0 AND id IN (SELECT petition_id FROM"
            " petition_search_key WHERE key IN (SELECT rowid FROM petition_fts WHERE"
            " petition_fts MATCH ?)) ORDER BY received_at DESC, id DESC", (fts_query(COUNTY),))]
        raw.execute(
            "SELECT p.reg_no, p.received_at, p.summary, group_concat(pe.name_zh) FROM petition p"
            " JOIN petition_party pp ON pp.petition_id = p.id JOIN person pe ON pe.id ="
            f" pp.person_id WHERE p.id IN ({','.join('?' * FIRST_SCREEN)}) GROUP BY p.id",
            ids[:FIRST_SCREEN]).fetchall()

    def search(text: str) -> Callable[[], object]:
        return lambda: petition_ids(store, RegistryFilter(text=text), today)

    def sql_search(column: str, value: str) -> Callable[[], object]:
        return lambda: raw.execute(
            f"SELECT pp.petition_id FROM person pe JOIN petition_party pp ON pp.person_id = pe.id"
            f" WHERE pe.{column} = ?", (value,)).fetchall()

    def sql_today() -> None:
        horizon = (today + timedelta(days=3)).isoformat()
        raw.execute("SELECT id, reg_no, reply_due FROM petition WHERE deleted = 0 AND"
                    " reply_done_on IS NULL AND reply_due <= ? UNION ALL SELECT id, reg_no,"
                    " answer_due FROM petition WHERE deleted = 0 AND answer_done_on IS NULL AND"
                    " answer_due <= ?", (horizon, horizon)).fetchall()

    cases = [
        ("registry first screen", first_screen, sql_first_screen),
        ("scroll to the end", scroll_to_end, sql_scroll_to_end),
        (f"search {COUNTY}, 1st screen", searched_screen, sql_searched_screen),
        ("name search (Chinese)", search(name_zh), sql_search("name_zh", name_zh)),
        ("name search (Tibetan)", search(name_bo), sql_search("name_bo", name_bo)),
        ("ID number search", search(id_number), sql_search("id_number", id_number)),
        ("phone search", search(phone), sql_search("phone", phone)),
        ("Today", lambda: today_list(store, today), sql_today),
    ]
    first_screen()
    print(f"{'lookup':26} {'Doorstep ms':>12} {'plain SQL ms':>13} {'ratio':>7}")
    for name, ours, plain in cases:
        ours()
        plain()
        a, b = median_ms(ours, args.runs), median_ms(plain, args.runs)
        print(f"{name:26} {a:12.2f} {b:13.2f} {a / b:7.2f}")
    first_screen()  # the list as it opens, scrolled to its end, as the figure below says
    scroll_to_end()
    listing = today_list(store, today)
    print(f"Today lists {len(listing.items)} deadlines on {today.isoformat()}")
    print(f"rows the model holds after the first screen and a scroll to the end: "
          f"{model.cached_rows():,} of {model.rowCount():,}")
    for label, query in (
            ("search", "SELECT petition_id FROM petition_search_key WHERE key IN (SELECT rowid"
                       " FROM petition_fts WHERE petition_fts MATCH '\"扎 西\"*')"),
            ("today", "SELECT id FROM petition WHERE deleted = 0 AND reply_done_on IS NULL AND"
                      " reply_due <= '2026-06-01'"),
            ("registry order", "SELECT id FROM petition WHERE deleted = 0"
                               " ORDER BY received_at DESC, id DESC")):
        plan = "; ".join(r[-1] for r in raw.execute("EXPLAIN QUERY PLAN " + query))
        print(f"plan ({label}): {plan}")
    export_all_rows(store, folder)
    tasks.shut_down()
    store.close()


def export_all_rows(store: Store, folder: Path) -> None:
    """The registry's Export… with no filter: every petition as a workbook and as CSV (once
    each: seconds, not milliseconds)."""
    from app.petitions.registry_output import save_registry

    for suffix in (".xlsx", ".csv"):
        out = folder / f"registry-export{suffix}"
        t0 = time.perf_counter()
        rows = save_registry(store, RegistryFilter(), out)
        print(f"export {suffix:5} {rows:,} petitions in {time.perf_counter() - t0:.1f} s "
              f"({out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
