"""The demo generator fills a store all at once or not at all."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import demo.generate as demo
from app.core.settings import load_settings
from app.core.store import Store
from models import Office, Person, Petition, Staff


def _records(store: Store) -> int:
    with store.read() as session:
        versions = session.connection().exec_driver_sql(
            "SELECT COUNT(*) FROM sync_version WHERE tbl NOT IN ('device', 'audit_entry')"
            ).scalar() or 0
        return int(versions) + sum(session.scalar(select(func.count()).select_from(t)) or 0
                                   for t in (Office, Staff, Person, Petition))


def test_a_failure_halfway_leaves_the_store_empty_and_the_demo_can_run_again(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def power_cut(*_args: object) -> None:
        raise RuntimeError("power cut")

    # A late step: offices, staff, persons, petitions, hearings and aid are written by then.
    monkeypatch.setattr(demo, "_outcomes", power_cut)
    with pytest.raises(RuntimeError, match="power cut"):
        demo.fill(store, persons=12)
    assert _records(store) == 0
    assert load_settings(store.paths).current_staff_id == ""
    monkeypatch.undo()
    summary = demo.fill(store, persons=12)
    assert summary.petitions > 0 and _records(store) > 0
    assert load_settings(store.paths).current_staff_id != ""


def test_the_demo_office_shows_its_leaders_at_work(store: Store) -> None:
    """Leaders in charge (one resolved, one overdue in its leader's Today, one awaiting the
    chief's approval of a later deadline, one on a key petitioner's matter), reception days of
    last month and this (held with visitors, one with a petition registered that day and
    received for the first time, one ahead, one cancelled), and last month's screening signed
    by the window clerk and a deputy."""
    from datetime import date, timedelta

    from app.accounts import login
    from app.core.identity import this_device
    from app.ledger import charges, reception, screening

    demo.fill(store, persons=40)
    device = this_device(store)
    assert device is not None and device.office_id is not None
    office_id, today = device.office_id, date.today()
    clerk = load_settings(store.paths).current_staff_id
    login.begin(store, clerk)

    rows = charges.office_charges(store, office_id)
    assert [r.result for r in rows if r.status == "closed"] == ["resolved"]
    overdue = [r for r in rows if r.status == "open" and r.days_left is not None
               and r.days_left < 0]
    assert len(overdue) == 1 and overdue[0].petition_id
    assert sum(r.extension_pending for r in rows) == 1
    assert any(r.entry_id and r.status == "open" for r in rows)
    login.begin(store, overdue[0].leader_id)  # Today shows it to its leader
    assert overdue[0].charge_id in [r.charge_id for r in charges.my_charges(store)]
    login.begin(store, clerk)

    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    days = reception.schedule_for(store, office_id, last_month, today + timedelta(days=40))
    assert {d.day[:7] for d in days if d.status == "held"} == {
        last_month.isoformat()[:7], this_month.isoformat()[:7]}
    assert all(d.visits for d in days if d.status == "held")
    assert any(d.day > today.isoformat() and d.status == "scheduled" for d in days)
    assert [d.cancel_reason != "" for d in days if d.status == "cancelled"] == [True]
    linked = [(d, v) for d in days for v in reception.day_detail(store, d.day_id).visits
              if v.petition_id]
    assert len(linked) == 1 and linked[0][1].first_reception
    with store.read() as session:
        petition = session.get(Petition, linked[0][1].petition_id)
        assert petition is not None and petition.received_at[:10] == linked[0][0].day
    count = reception.monthly_count(store, office_id, last_month.year, last_month.month)
    chief = next(c for c in count.leaders if c.role == "chief")
    assert chief.held >= chief.target == 2

    signed = screening.month_screening(store, office_id, last_month.isoformat()[:7])
    assert signed is not None and signed.state in ("signed", "sent")
    assert signed.made_by == clerk and signed.signed_by_clerk_on
    assert signed.deputy_zh and signed.signed_by_deputy_on
    assert signed.rows and not any(r.lacking for r in signed.rows)
