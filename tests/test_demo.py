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
