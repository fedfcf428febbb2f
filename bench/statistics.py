"""The yearly statistics report at prefecture scale: 100,000 petitions (the store of
``bench/registry.py``), with hearings, agreements, aid, wage recovery and return visits added.

Times Doorstep's whole yearly report (``app.statistics.measures.statistics``: every measure for
the year and the year before, and the monthly series of the charts) beside the floor: one
hand-written SQL aggregate per measure and period on the same file (written out here as plain
SQL, not built by the code under test), and prints both with their ratio; then the PDF and the
.xlsx of the same report. Each figure is the median of several runs.

    ./dev bench statistics [--dir DIR] [--runs N] [--year 2025]
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the standard library's ``statistics``: take its own folder off the
# import path before anything imports that module.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import date, timedelta  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from app.core.identity import ensure_device  # noqa: E402
from app.core.paths import AppPaths  # noqa: E402
from app.core.store import Store, open_store  # noqa: E402
from app.statistics import measures, output  # noqa: E402
from app.statistics.periods import year  # noqa: E402
from bench.registry import PETITIONS, build, median_ms  # noqa: E402
from models import (  # noqa: E402
    Agreement,
    AidCase,
    AidPayment,
    AidPerson,
    Hearing,
    LawsuitSupport,
    Petition,
    ReturnVisit,
    Staff,
    new_id,
)

CHANNELS = ["visit", "letter", "phone", "web", "video", "higher"]
CATEGORIES = ["suggestion", "accusation", "appeal"]
BUSINESS = ["criminal_appeal", "civil_supervision", "administrative", "judicial_aid",
            "public_interest", "support_lawsuit", "state_compensation", "other"]


def enrich(store: Store, rng: random.Random) -> None:
    """Vary the petitions and hang the records the statistics count off one in five."""
    with store.write() as session:
        conn = session.connection()
        raw = conn.connection.dbapi_connection
        store.ctx.applying.add(id(raw))
        try:
            office_id = conn.execute(text("SELECT id FROM office LIMIT 1")).scalar_one()
            staff_id = new_id()
            conn.execute(insert(Staff), [{"id": staff_id, "office_id": office_id,
                                          "name_zh": "才让", "name_bo": "", "role": "deputy",
                                          "phone": "", "active": True}])
            rows = conn.execute(text("SELECT id, received_at FROM petition")).all()
            person_ids = [r[0] for r in conn.execute(text("SELECT id FROM person LIMIT 5000"))]
            updates = []
            for i, (pid, _received) in enumerate(rows):
                updates.append({
                    "pid": pid, "channel": CHANNELS[i % 6], "category": CATEGORIES[i % 3],
                    "business": BUSINESS[i % 8], "repeat": i % 7 == 0, "group": i % 97 == 0,
                    "heads": 12 if i % 97 == 0 else 1,
                    "jur": "refer" if i % 11 == 0 else "accept",
                    "resolution": "settled" if i % 5 == 0 else "resolved" if i % 3 == 0 else "",
                    "unanswerable": "anonymous" if i % 53 == 0 else ""})
            conn.execute(text(
                "UPDATE petition SET channel = :channel, category = :category,"
                " business_type = :business, is_repeat = :repeat, is_group = :group,"
                " head_count = :heads, jurisdiction = :jur, resolution = :resolution,"
                " resolved_on = CASE WHEN :resolution = '' THEN ''"
                " ELSE substr(received_at, 1, 10) END, unanswerable = :unanswerable"
                " WHERE id = :pid"), updates)
            hearings, agreements, cases, persons, payments, visits, suits = ([] for _ in range(7))
            for i, (pid, received) in enumerate(rows):
                if i % 5:
                    continue
                day = received[:10]
                hid = new_id()
                hearings.append({"id": hid, "petition_id": pid,
                                 "kind": ("public", "simplified", "doorstep")[i % 3],
                                 "held_at": received, "outcome": "settled" if i % 2 else "other",
                                 "township": "", "village": "", "herding_group": "", "place": "",
                                 "interpreter": "", "outcome_note": ""})
                agreements.append({"id": new_id(), "petition_id": pid, "hearing_id": hid,
                                   "status": "signed", "signed_on": day, "agreed_on": day})
                visits.append({"id": new_id(), "petition_id": pid, "method": "phone",
                               "scheduled_on": day, "done_on": day,
                               "satisfaction": "satisfied", "findings": ""})
                if i % 25 == 0:
                    cid = new_id()
                    cases.append({"id": cid, "petition_id": pid, "office_id": office_id,
                                  "eligibility": "poor", "facts": "困难", "reasons": "符合",
                                  "proposed_fen": 500_000, "proposed_by": staff_id,
                                  "proposed_on": day, "status": "approved",
                                  "approved_fen": 500_000})
                    persons.append({"id": new_id(), "aid_case_id": cid,
                                    "person_id": rng.choice(person_ids)})
                    payments.append({"id": new_id(), "aid_case_id": cid, "amount_fen": 500_000,
                                     "paid_on": day, "payee_name": "扎西",
                                     "payee_relation": "self", "method": "cash",
                                     "paid_by": staff_id})
                if i % 40 == 0:
                    suits.append({"id": new_id(), "petition_id": pid, "is_wage_claim": True,
                                  "workers": 1 + i % 30, "recovered_fen": 1_000_000 + i,
                                  "with_labour_inspectorate": i % 80 == 0, "concluded_on": day})
            for model, batch in ((Hearing, hearings), (Agreement, agreements),
                                 (ReturnVisit, visits), (AidCase, cases), (AidPerson, persons),
                                 (AidPayment, payments), (LawsuitSupport, suits)):
                if batch:
                    conn.execute(insert(model), batch)
        finally:
            store.ctx.applying.discard(id(raw))


def floor_statements(start: str, end: str, as_of: str) -> list[str]:
    """One hand-written aggregate per measure for the days [start, end)."""
    p = (f"FROM petition WHERE deleted = 0 AND received_at >= '{start}'"
         f" AND received_at < '{end}'")
    ans = "AND unanswerable = ''"
    sql = [f"SELECT count(*) {p}", f"SELECT sum(head_count) {p}"]
    sql += [f"SELECT count(*) {p} AND channel = '{c}'" for c in CHANNELS]
    sql += [f"SELECT count(*) {p} AND category = '{c}'" for c in CATEGORIES]
    sql += [f"SELECT count(*) {p} AND business_type = '{c}'" for c in BUSINESS]
    sql += [f"SELECT count(*) {p} AND is_repeat = 0", f"SELECT count(*) {p} AND is_repeat = 1",
            f"SELECT count(*) {p} AND is_group = 1",
            f"SELECT sum(head_count) {p} AND is_group = 1",
            f"SELECT count(*) {p} AND EXISTS (SELECT 1 FROM petition_party pp JOIN person pe"
            " ON pe.id = pp.person_id WHERE pp.petition_id = petition.id AND pp.deleted = 0"
            " AND pe.preferred_language = 'bo')",
            f"SELECT count(*) {p} AND NOT EXISTS (SELECT 1 FROM petition_party pp JOIN person pe"
            " ON pe.id = pp.person_id WHERE pp.petition_id = petition.id AND pp.deleted = 0"
            " AND pe.preferred_language = 'bo')",
            f"SELECT count(*) {p} AND jurisdiction = 'accept'",
            f"SELECT count(*) {p} AND jurisdiction = 'refer'",
            f"SELECT count(*) {p} AND channel = 'higher'",
            f"SELECT count(*) {p} AND channel = 'higher' AND resolution IN ('resolved','settled')"
            f" AND resolved_on != '' AND resolved_on <= '{as_of}'",
            f"SELECT count(*) {p} AND unanswerable != ''"]
    for done, due in (("reply_done_on", "reply_due"), ("answer_done_on", "answer_due")):
        by = f"({done} IS NOT NULL AND {done} <= '{as_of}')"
        sql += [f"SELECT count(*) {p} {ans} AND ({by} OR {due} < '{as_of}')",
                f"SELECT count(*) {p} {ans} AND {by} AND {done} <= {due}",
                f"SELECT count(*) {p} {ans} AND {by} AND {done} > {due}",
                f"SELECT count(*) {p} {ans} AND NOT {by} AND {due} < '{as_of}'",
                f"SELECT count(*) {p} {ans} AND NOT {by} AND {due} >= '{as_of}'"]
    sql += [f"SELECT count(*) {p} AND resolution IN ('resolved','settled') AND resolved_on != ''"
            f" AND resolved_on <= '{as_of}'",
            f"SELECT count(*) {p} AND resolution = 'settled' AND resolved_on != ''"
            f" AND resolved_on <= '{as_of}'"]

    def joined(table: str, day: str, extra: str = "", what: str = "count(*)") -> str:
        return (f"SELECT {what} FROM {table} t JOIN petition ON petition.id = t.petition_id"
                f" WHERE t.deleted = 0 AND petition.deleted = 0 AND t.{day} >= '{start}'"
                f" AND t.{day} < '{end}' {extra}")

    sql += [joined("agreement", "signed_on", "AND t.status = 'signed'")]
    sql += [joined("conciliation", "concluded_on", f"AND t.kind = '{k}'")
            for k in ("conciliation", "mediation")]
    sql += [joined("conciliation", "concluded_on", "AND t.kind = 'conciliation'"
                   " AND t.court_confirmed = 1")]
    sql += [joined("resolution_helper", "on_date", f"AND t.role = '{r}'")
            for r in ("lawyer", "psychologist")]
    sql += [joined("lead_transfer", "on_date")]
    sql += [joined("escalation", "on_date", f"AND t.kind = '{k}'") for k in ("upward", "abnormal")]
    sql += [joined("escalation", "on_date", "AND t.kind = 'abnormal' AND t.level = 'beijing'")]
    held = "AND t.outcome != ''"
    sql += [joined("hearing", "held_at", held)]
    sql += [joined("hearing", "held_at", f"{held} AND t.kind = '{k}'")
            for k in ("public", "simplified", "doorstep")]
    sql += [joined("hearing", "held_at", f"{held} AND t.outcome = 'settled'")]
    sql += [joined("aid_case", "proposed_on")]
    for decision in ("IN ('approved','reduced')", "= 'refused'"):
        sql.append(f"SELECT count(*) FROM aid_decision d JOIN aid_case c ON c.id = d.aid_case_id"
                   f" JOIN petition ON petition.id = c.petition_id WHERE d.deleted = 0"
                   f" AND c.deleted = 0 AND petition.deleted = 0 AND d.decided_at >= '{start}'"
                   f" AND d.decided_at < '{end}' AND d.decision {decision}")
    paid = (f"SELECT pay.aid_case_id FROM aid_payment pay JOIN aid_case c"
            f" ON c.id = pay.aid_case_id JOIN petition ON petition.id = c.petition_id"
            f" WHERE pay.deleted = 0 AND c.deleted = 0 AND petition.deleted = 0"
            f" AND pay.paid_on >= '{start}' AND pay.paid_on < '{end}'"
            f" GROUP BY pay.aid_case_id HAVING sum(pay.amount_fen) > 0")
    sql += [f"SELECT count(*) FROM ({paid})",
            f"SELECT count(DISTINCT person_id) FROM aid_person WHERE deleted = 0"
            f" AND aid_case_id IN ({paid})"]
    sql += [f"SELECT count(DISTINCT ap.person_id) FROM aid_person ap JOIN aid_case c"
            f" ON c.id = ap.aid_case_id WHERE ap.deleted = 0 AND ap.aid_case_id IN ({paid})"
            f" AND c.eligibility = '{g}'"
            for g in ("minor", "poor", "disabled", "student", "victim_family", "other")]
    sql.append(f"SELECT sum(pay.amount_fen) FROM aid_payment pay JOIN aid_case c"
               f" ON c.id = pay.aid_case_id JOIN petition ON petition.id = c.petition_id"
               f" WHERE pay.deleted = 0 AND c.deleted = 0 AND petition.deleted = 0"
               f" AND pay.paid_on >= '{start}' AND pay.paid_on < '{end}'")
    done = "AND t.done_on != ''"
    sql += [joined("return_visit", "done_on", f"{done} AND t.aid_case_id IS NOT NULL"),
            joined("handover", "handed_on")]
    wage = "AND t.is_wage_claim = 1"
    sql += [joined("lawsuit_support", "concluded_on"),
            joined("lawsuit_support", "concluded_on", wage),
            joined("lawsuit_support", "concluded_on", wage, "sum(t.workers)"),
            joined("lawsuit_support", "concluded_on", wage, "sum(t.recovered_fen)"),
            joined("lawsuit_support", "concluded_on", f"{wage} AND t.with_labour_inspectorate = 1"),
            joined("return_visit", "done_on", done)]
    sql += [joined("return_visit", "done_on", f"{done} AND t.method = '{m}'")
            for m in ("phone", "on_site", "online", "meeting")]
    sql += [joined("return_visit", "done_on", f"{done} AND t.satisfaction = '{s}'")
            for s in ("satisfied", "basically", "dissatisfied", "unknown")]
    sql += [f"SELECT substr(received_at, 1, 7), count(*) {p} GROUP BY 1",
            f"SELECT substr(pay.paid_on, 1, 7), sum(pay.amount_fen) FROM aid_payment pay"
            f" JOIN aid_case c ON c.id = pay.aid_case_id JOIN petition"
            f" ON petition.id = c.petition_id WHERE pay.deleted = 0 AND c.deleted = 0"
            f" AND petition.deleted = 0 AND pay.paid_on >= '{start}' AND pay.paid_on < '{end}'"
            f" GROUP BY 1"]
    return sql


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", help="store folder (kept and reused)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="doorstep-stats-"))
    paths = AppPaths(folder)
    store = open_store(paths)
    ensure_device(store, "bench")
    with store.read() as session:
        have = session.query(Petition).count()
    if have < PETITIONS:
        t0 = time.perf_counter()
        rng = random.Random(7)
        build(store, rng)
        enrich(store, rng)
        print(f"built {PETITIONS:,} petitions with hearings, agreements, aid, wages and visits"
              f" in {time.perf_counter() - t0:.1f} s at {folder}")
    raw = sqlite3.connect(paths.store)
    period = year(args.year)
    as_of = date(args.year + 1, 12, 31)
    scope = measures.Scope()

    def ours() -> measures.Figures:
        return measures.statistics(store, period, scope, as_of)

    floors = [floor_statements(p.start.isoformat(), (p.end + timedelta(days=1)).isoformat(),
                               as_of.isoformat())
              for p in (period, period.year_earlier())]

    def floor() -> None:
        for statements in floors:
            for statement in statements:
                raw.execute(statement).fetchall()

    figures = ours()
    floor()
    # The floor's first statements give the same numbers: a check that both count alike.
    received = raw.execute(floors[0][0]).fetchone()[0]
    assert received == figures.current["received"], (received, figures.current["received"])
    count = sum(len(s) for s in floors)
    a, b = median_ms(ours, args.runs), median_ms(floor, args.runs)
    print(f"year {args.year}: {figures.current['received']:,} petitions received "
          f"({figures.base['received']:,} the year before), {len(measures.MEASURES)} measures")
    print(f"{'':34} {'Doorstep ms':>12} {'floor ms':>10} {'ratio':>7}")
    print(f"{'whole yearly report (figures)':34} {a:12.1f} {b:10.1f} {a / b:7.2f}"
          f"   (floor: {count} hand-written aggregates)")
    pdf = median_ms(lambda: output.render_pdf(store, figures, "bilingual"), max(1, args.runs // 2))
    xlsx = median_ms(lambda: output.render_xlsx(store, figures, "bilingual"),
                     max(1, args.runs // 2))
    print(f"{'report as PDF (bilingual)':34} {pdf:12.1f}")
    print(f"{'report as .xlsx (bilingual)':34} {xlsx:12.1f}")
    store.close()


if __name__ == "__main__":
    main()
