"""The prefecture hub on PostgreSQL (issue 18) at prefecture scale.

1. **Import**: six county master laptops (SQLite) hold together --versions field versions of
   persons, every one written by the real capture triggers (persons inserted in batches), and as
   many again of the record of what was done (an entry per person made); each writes a full
   package; a hub enrolled in the six counties imports the six files (``app.hub.service.
   import_packages``: decrypt, check every batch's signature, apply in one transaction each).
   Beside it, the floor: PostgreSQL's ``COPY`` of the same rows (the nine columns of
   ``sync_version``, read back from the hub) into an empty table of the same database,
   committed.
2. **The yearly report** over --petitions petitions of the six counties in a hub (loaded with
   capture off, as an import leaves them, with hearings, agreements, aid and return visits on one
   petition in five): Doorstep's whole yearly report for the prefecture (every measure for the
   year and the year before, and the monthly series: ``app.statistics.measures.statistics``)
   beside one hand-written SQL aggregate per measure and period (``bench/statistics.py``'s,
   spelt for PostgreSQL's booleans).
3. **Registry search** on the same hub: the registry's first screen for a name, an ID number
   and a phone typed in part (``app.petitions.registry``), beside the floor of one ``LIKE``
   over the search index's table.
4. **Whole tables** of the same hub as CSV (``app.statistics.tables.export_all``: nine tables,
   streamed from the server, masked, with yuan), beside PostgreSQL's own ``COPY (SELECT …) TO
   STDOUT`` of the same queries into files (no masks, no yuan).

Each figure is the median of --runs runs (the import: one run, on a fresh database). Needs a
PostgreSQL server: ``./dev bench hub`` starts a throw-away one as ``./dev test`` does (or give
--server URL of a database the bench may create databases from).

    ./dev bench hub [--dir DIR] [--versions 1000000] [--petitions 500000] [--runs 3]
                    [--only import|report]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import resource
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, make_url, text

from app.core.identity import set_up_device
from app.core.paths import AppPaths
from app.core.server import open_server_store
from app.core.store import Store, open_store
from app.hub import service as hub
from app.sync import service
from bench.sync import person_rows
from demo.generate import NAME_PARTS
from models import (
    Agreement,
    AidCase,
    AidPayment,
    AidPerson,
    Base,
    Hearing,
    LawsuitSupport,
    Office,
    Person,
    Petition,
    PetitionParty,
    ReturnVisit,
    Staff,
    new_id,
)
from models.sync import field_ids

PASSPHRASE = "bench-hub"
PREFECTURE = "632600"
COUNTIES = ("632621", "632622", "632623", "632624", "632625", "632626")
BATCH = 2000
COLUMNS = "device_id, counter, hlc, tbl, row_id, field, value, parents, staff_id"
CHANNELS = ["visit", "letter", "phone", "web", "video", "higher"]
CATEGORIES = ["suggestion", "accusation", "appeal"]
BUSINESS = ["criminal_appeal", "civil_supervision", "administrative", "judicial_aid",
            "public_interest", "support_lawsuit", "state_compensation", "other"]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def timed(action: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        action()
        times.append(time.perf_counter() - t0)
    return median(times)


class Server:
    """Databases made (and dropped) on the server for the bench."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []

    def fresh(self, name: str) -> str:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.made.append(name)
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        with self.admin.connect() as conn:
            for name in self.made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


def new_hub(url: str, folder: Path) -> Store:
    store = open_server_store(url, AppPaths(folder), create=True)
    hub.init_hub(store, "果洛州院", PREFECTURE, PASSPHRASE)
    return store


# -- 1. import ---------------------------------------------------------------------------------
def build_counties(folder: Path, versions: int, rng: random.Random) -> None:
    """Six county masters holding ``versions`` versions between them (kept in ``folder``)."""
    per_person = len(field_ids(Base.metadata.tables["person"]))
    for n, code in enumerate(COUNTIES):
        done = folder / code / "built"
        if done.exists():
            continue
        shutil.rmtree(folder / code, ignore_errors=True)
        master = open_store(AppPaths(folder / code))
        set_up_device(master, f"{code} 主机", code)
        service.set_up_office(master, PASSPHRASE)
        persons = -(-versions // len(COUNTIES) // per_person)
        for start in range(0, persons, BATCH):
            with master.write() as session:
                session.execute(insert(Person), person_rows(
                    rng, range(start, min(start + BATCH, persons)), code, f"13{n}"))
        master.close()
        done.write_text("ok")


def packages_for(store: Store, folder: Path) -> list[Path]:
    """Each county master enrols the hub, and writes a full package (to it and itself)."""
    packages = []
    for code in COUNTIES:
        master = open_store(AppPaths(folder / code))
        try:
            grant = service.enrol(master, hub.request(store, code, PASSPHRASE), PASSPHRASE)
            hub.accept(store, grant, PASSPHRASE)
            packages.append(service.export(master, folder / f"{code}.dsp", PASSPHRASE,
                                           full=True).path)
        finally:
            master.close()
    return packages


def copy_floor(store: Store) -> tuple[float, int]:
    """Seconds to COPY the hub's version rows into an empty table, committed; and how many."""
    with store.read() as session:
        raw = session.connection().connection.dbapi_connection
        buffer = io.BytesIO()
        with raw.cursor() as cur, cur.copy(
                f"COPY (SELECT {COLUMNS} FROM sync_version) TO STDOUT") as copy:
            for chunk in copy:
                buffer.write(chunk)
    data = buffer.getvalue()
    rows = data.count(b"\n")
    with store.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        with raw.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS floor_version")
            cur.execute("CREATE TABLE floor_version (device_id VARCHAR, counter INTEGER,"
                        " hlc BIGINT, tbl VARCHAR, row_id VARCHAR, field VARCHAR, value JSONB,"
                        " parents TEXT, staff_id VARCHAR)")
        raw.commit()
        t0 = time.perf_counter()
        with raw.cursor() as cur, cur.copy(f"COPY floor_version ({COLUMNS}) FROM STDIN") as copy:
            copy.write(data)
        raw.commit()
        seconds = time.perf_counter() - t0
        with raw.cursor() as cur:
            cur.execute("DROP TABLE floor_version")
        raw.commit()
    return seconds, rows


def bench_import(server: Server, folder: Path, versions: int) -> None:
    t0 = time.perf_counter()
    build_counties(folder, versions, random.Random(7))
    store = new_hub(server.fresh("bench_hub_import"), folder / "hub-import")
    try:
        packages = packages_for(store, folder)
        print(f"six county packages ready in {time.perf_counter() - t0:.1f} s"
              f" ({sum(p.stat().st_size for p in packages) / 2**20:.0f} MiB)")
        t0 = time.perf_counter()
        done = hub.import_packages(store, packages, PASSPHRASE)
        seconds = time.perf_counter() - t0
        problems = [d.problem for d in done if d.problem is not None]
        assert not problems, problems
        new = sum(d.result.new for d in done if d.result is not None)
        floor, rows = copy_floor(store)
    finally:
        store.close()
    print(f"{'':44} {'Doorstep s':>11} {'COPY s':>8} {'ratio':>7}")
    print(f"{'import ' + f'{new:,}' + ' versions from 6 counties':44} {seconds:11.1f}"
          f" {floor:8.1f} {seconds / floor:7.1f}   ({new / seconds:,.0f} versions/s;"
          f" COPY of {rows:,} rows)")


# -- 2. and 3. the report and the registry over a loaded hub -------------------------------------
def load(store: Store, petitions: int, rng: random.Random) -> None:
    """``petitions`` petitions of the six counties (one petitioner each, varied as the
    statistics count them), with hearings, agreements and visits on one in five, aid on one in
    125, wage claims on one in 200: capture off, as an import leaves a hub's tables."""
    with store.read() as session:
        offices = {o.division_code: o.id for o in session.query(Office)}
    with store.write() as session:
        conn = session.connection()
        raw = conn.connection.dbapi_connection
        store.capture(raw, False)
        for code in COUNTIES:
            if code not in offices:
                offices[code] = new_id()
                conn.execute(insert(Office), [{
                    "id": offices[code], "division_code": code, "level": "county",
                    "name_zh": code, "name_bo": "", "short_zh": code[-2:],
                    "deadline_unit": "calendar"}])
        staff_id = new_id()
        conn.execute(insert(Staff), [{"id": staff_id, "office_id": offices[PREFECTURE],
                                      "name_zh": "才让", "name_bo": "", "role": "deputy",
                                      "phone": "", "active": True}])
        start = datetime(2021, 1, 1)
        for first in range(0, petitions, BATCH * 5):
            people, rows, parties = [], [], []
            hearings, agreements, visits, cases, aided, payments, suits = ([] for _ in range(7))
            for i in range(first, min(first + BATCH * 5, petitions)):
                code = COUNTIES[i % 6]
                a, b = rng.sample(NAME_PARTS, 2)
                person = new_id()
                people.append({
                    "id": person, "name_bo": f"{a[0]}་{b[0]}", "name_zh": f"{a[1]}{b[1]}{i}",
                    "sex": "M", "ethnicity": "04",
                    "id_number": f"{code}{1950 + i % 50}0101{i % 10000:04d}",
                    "phone": f"139{i:08d}", "county": "", "township": "", "village": "",
                    "herding_group": "", "preferred_language": "bo" if i % 3 else "zh",
                    "needs_interpreter": False})
                received = start + timedelta(minutes=(9 * i) % (6 * 365 * 24 * 60))
                day = received.date().isoformat()
                pid = new_id()
                resolution = "settled" if i % 5 == 0 else "resolved" if i % 3 == 0 else ""
                rows.append({
                    "id": pid, "office_id": offices[code], "reg_year": received.year,
                    "reg_seq": i + 1, "reg_no": f"{code[-2:]}检信〔{received.year}〕{i + 1}号",
                    "channel": CHANNELS[i % 6], "higher_office": "", "higher_ref": "",
                    "received_at": received.isoformat(timespec="minutes"),
                    "category": CATEGORIES[i % 3], "business_type": BUSINESS[i % 8],
                    "summary": f"草场纠纷 工资拖欠 第{i}件", "requests": "",
                    "original_case_no": "", "is_group": i % 97 == 0,
                    "head_count": 12 if i % 97 == 0 else 1, "is_sensitive": False,
                    "is_repeat": i % 7 == 0, "jurisdiction": "refer" if i % 11 == 0 else "accept",
                    "referral_body": "", "referral_note": "",
                    "reply_due": (received.date() + timedelta(days=7)).isoformat(),
                    "answer_due": (received.date() + timedelta(days=91)).isoformat(),
                    "reply_done_on": day if i % 13 else None,
                    "answer_done_on": day if i % 17 else None,
                    "resolution": resolution, "resolved_on": day if resolution else "",
                    "unanswerable": "anonymous" if i % 53 == 0 else ""})
                parties.append({"id": new_id(), "petition_id": pid, "person_id": person,
                                "role": "petitioner", "position": 0})
                if i % 5:
                    continue
                hid = new_id()
                hearings.append({"id": hid, "petition_id": pid,
                                 "kind": ("public", "simplified", "doorstep")[i % 3],
                                 "held_at": received.isoformat(timespec="minutes"),
                                 "outcome": "settled" if i % 2 else "other", "township": "",
                                 "village": "", "herding_group": "", "place": "",
                                 "interpreter": "", "outcome_note": ""})
                agreements.append({"id": new_id(), "petition_id": pid, "hearing_id": hid,
                                   "status": "signed", "signed_on": day, "agreed_on": day})
                visits.append({"id": new_id(), "petition_id": pid, "method": "phone",
                               "scheduled_on": day, "done_on": day,
                               "satisfaction": "satisfied", "findings": ""})
                if i % 125 == 0:
                    cid = new_id()
                    cases.append({"id": cid, "petition_id": pid, "office_id": offices[code],
                                  "eligibility": "poor", "facts": "困难", "reasons": "符合",
                                  "proposed_fen": 500_000, "proposed_by": staff_id,
                                  "proposed_on": day, "status": "approved",
                                  "approved_fen": 500_000})
                    aided.append({"id": new_id(), "aid_case_id": cid, "person_id": person})
                    payments.append({"id": new_id(), "aid_case_id": cid, "amount_fen": 500_000,
                                     "paid_on": day, "payee_name": "扎西",
                                     "payee_relation": "self", "method": "cash",
                                     "paid_by": staff_id})
                if i % 200 == 0:
                    suits.append({"id": new_id(), "petition_id": pid, "is_wage_claim": True,
                                  "workers": 1 + i % 30, "recovered_fen": 1_000_000 + i,
                                  "with_labour_inspectorate": i % 400 == 0,
                                  "concluded_on": day})
            for model, batch in ((Person, people), (Petition, rows), (PetitionParty, parties),
                                 (Hearing, hearings), (Agreement, agreements),
                                 (ReturnVisit, visits), (AidCase, cases), (AidPerson, aided),
                                 (AidPayment, payments), (LawsuitSupport, suits)):
                if batch:
                    conn.execute(insert(model), batch)
        store.capture(raw, True)


# The hand-written aggregates of bench/statistics.py are SQLite's: a boolean is 0 or 1 there.
_BOOLEANS = re.compile(r"\b((?:\w+\.)?(?:deleted|is_repeat|is_group|court_confirmed"
                       r"|is_wage_claim|with_labour_inspectorate)) = ([01])\b")


def for_postgresql(statement: str) -> str:
    statement = _BOOLEANS.sub(
        lambda m: f"{m.group(1)} = {'true' if m.group(2) == '1' else 'false'}", statement)
    # A subquery in FROM needs a name on PostgreSQL.
    return re.sub(r"FROM \((SELECT pay\.aid_case_id .*?HAVING sum\(pay\.amount_fen\) > 0)\)",
                  r"FROM (\1) AS paid", statement)


def bench_report(store: Store, runs: int) -> None:
    from app.statistics import measures
    from app.statistics.periods import year
    from bench.statistics import floor_statements

    period = year(2025)
    as_of = date(2026, 12, 31)
    scope = measures.Scope()
    floors = [[for_postgresql(s) for s in floor_statements(
        p.start.isoformat(), (p.end + timedelta(days=1)).isoformat(), as_of.isoformat())]
        for p in (period, period.year_earlier())]

    def ours() -> measures.Figures:
        return measures.statistics(store, period, scope, as_of)

    def floor() -> None:
        with store.engine.connect() as conn:
            for statements in floors:
                for statement in statements:
                    conn.exec_driver_sql(statement).fetchall()
            conn.rollback()

    figures = ours()
    with store.engine.connect() as conn:
        received = conn.exec_driver_sql(floors[0][0]).scalar()
        conn.rollback()
    assert received == figures.current["received"], (received, figures.current["received"])
    a, b = timed(ours, runs), timed(floor, runs)
    print(f"year 2025 across 6 counties: {figures.current['received']:,} petitions received"
          f" ({figures.base['received']:,} the year before)")
    print(f"{'':44} {'Doorstep ms':>11} {'floor ms':>8} {'ratio':>7}")
    print(f"{'whole yearly report (figures)':44} {a * 1000:11.0f} {b * 1000:8.0f}"
          f" {a / b:7.2f}   (floor: {sum(len(f) for f in floors)} aggregates)")


def bench_search(store: Store, runs: int) -> None:
    from app.petitions import registry

    with store.read() as session:
        sample = session.execute(text(
            "SELECT name_zh, id_number, phone FROM person WHERE name_zh LIKE '%12345'"
            " LIMIT 1")).one()
    name, id_number, phone = sample
    today = date(2027, 1, 1)
    print(f"{'registry search (every match, in order)':44} {'Doorstep ms':>11} {'floor ms':>8}"
          f" {'ratio':>7}")
    for label, typed in (("name", name[:3]), ("ID number in part", id_number[6:14]),
                         ("phone in part", phone[-6:])):
        def ours(typed: str = typed) -> object:
            return registry.petition_ids(store, registry.RegistryFilter(text=typed), today)

        def floor(typed: str = typed) -> object:
            with store.engine.connect() as conn:
                found = conn.execute(text(
                    "SELECT p.id FROM petition p JOIN petition_search s ON s.petition_id = p.id"
                    " WHERE s.body LIKE :q AND NOT p.deleted"
                    " ORDER BY p.received_at DESC, p.id DESC"), {"q": f"%{typed.lower()}%"}).all()
                conn.rollback()
                return found

        count = len(ours())  # type: ignore[arg-type]
        a, b = timed(ours, runs), timed(floor, runs)
        print(f"{'  ' + label + ' “' + typed + '” (' + f'{count:,}' + ')':44} {a * 1000:11.1f}"
              f" {b * 1000:8.1f} {a / b:7.2f}")


def bench_tables(store: Store, folder: Path) -> None:
    from app.statistics import tables

    ours_dir, floor_dir = folder / "tables", folder / "tables-copy"
    for d in (ours_dir, floor_dir):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    t0 = time.perf_counter()
    written = tables.export_all(store, ours_dir)
    a = time.perf_counter() - t0
    nothing = {"office_id": "NULL", "date_from": "NULL", "date_to": "NULL", "filtered": "0"}
    t0 = time.perf_counter()
    with store.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        for name, sql in tables.server_tables().items():
            bare = re.sub(r":(office_id|date_from|date_to|filtered)\b",
                          lambda m: nothing[m.group(1)], sql)
            with (floor_dir / f"{name}.csv").open("wb") as out, cursor.copy(
                    f"COPY ({bare}) TO STDOUT (FORMAT csv, HEADER)") as copy:
                for block in copy:
                    out.write(block)
        conn.rollback()
    b = time.perf_counter() - t0
    rows = sum(written.values())
    size = sum(p.stat().st_size for p in ours_dir.iterdir()) / 2**20
    print(f"{'':44} {'Doorstep s':>11} {'COPY s':>8} {'ratio':>7}")
    print(f"{'all 9 tables as CSV (' + f'{rows:,}' + ' rows)':44} {a:11.1f} {b:8.1f}"
          f" {a / b:7.2f}   ({written['petitions']:,} petitions, {size:.0f} MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", help="folder of the county laptops and packages (kept)")
    parser.add_argument("--server", default=os.environ.get("DOORSTEP_TEST_PG", ""),
                        help="a PostgreSQL database URL (else $DOORSTEP_TEST_PG)")
    parser.add_argument("--versions", type=int, default=1_000_000)
    parser.add_argument("--petitions", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["import", "report"],
                        help="only the import (1.), or only the report and the search (2., 3.)")
    args = parser.parse_args()
    if not args.server:
        sys.exit("Give a PostgreSQL server with --server (./dev bench hub starts one).")
    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="doorstep-hub-"))
    folder.mkdir(parents=True, exist_ok=True)
    server = Server(args.server)
    try:
        if args.only != "report":
            bench_import(server, folder, args.versions)
        if args.only == "import":
            return
        store = new_hub(server.fresh(f"bench_hub_report_{uuid.uuid4().hex[:6]}"),
                        folder / "hub-report")
        try:
            t0 = time.perf_counter()
            load(store, args.petitions, random.Random(11))
            with store.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
            print(f"hub loaded with {args.petitions:,} petitions of 6 counties in"
                  f" {time.perf_counter() - t0:.1f} s")
            bench_report(store, args.runs)
            bench_search(store, args.runs)
            bench_tables(store, folder)
        finally:
            store.close()
    finally:
        server.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
