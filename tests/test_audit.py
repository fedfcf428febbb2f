"""The record of what was done (留痕): a hash chain per laptop that no write may change, carried
by the sync, checked on demand and at every import; read per record and per person by leaders."""

from __future__ import annotations

import itertools
import json
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.aid import cases as aid
from app.aid.cases import AidProposal
from app.audit import reading, trail
from app.core import access
from app.core.identity import set_up_device
from app.core.paths import AppPaths
from app.core.store import Store, open_store
from app.petitions.detail import petition_detail
from app.petitions.registry import RegistryFilter
from app.petitions.registry_output import save_registry
from app.sync import service
from models import AuditEntry, Person, Staff
from models.audit import AUDIT_NEVER_CHANGED
from tests.helpers import DARLAG, aid_office, pdf_text, petition, register, tamper

PASS = "demo-passphrase"


def _entries(store: Store) -> list[AuditEntry]:
    with store.read() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.log_id,
                                                                AuditEntry.seq)))


def _own(store: Store) -> list[AuditEntry]:
    log_id = store.ctx.log_id or store.ctx.device_id
    return [e for e in _entries(store) if e.log_id == log_id]


def _tamper(store: Store, sql: str, *params: object) -> None:
    """One statement on the store's file, the audit guards dropped (``tests.helpers.tamper``)."""
    tamper(store, (sql, params))


def test_each_action_extends_one_chain(store: Store) -> None:
    set_up_device(store, "12309窗口", DARLAG)
    done = register(store, petition())
    trail.record(store, trail.Action.LOGGED_IN)
    trail.record(store, trail.Action.FAILED_LOG_IN, detail={"name": "更桑"})
    own = _own(store)
    assert [e.seq for e in own] == list(range(1, len(own) + 1))
    assert own[0].prev_hash == ""
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(own))
    assert all(trail.entry_hash([getattr(e, c) for c in trail.HASHED]) == e.hash for e in own)
    assert [e.action for e in own[-2:]] == ["logged_in", "failed_log_in"]
    assert json.loads(own[-1].detail) == {"name": "更桑"}
    assert ("petition", done.id) in {(e.tbl, e.row_id) for e in own if e.action == "created"}
    assert trail.verify(store) == []


def test_automatic_entries_name_the_record_and_the_fields(store: Store) -> None:
    set_up_device(store, "12309窗口", DARLAG)
    done = register(store, petition())
    person_id = petition_detail(store, done.id).parties[0].person_id
    created = {(e.tbl, e.row_id, e.action) for e in _own(store)}
    assert ("petition", done.id, "created") in created
    assert ("person", person_id, "created") in created
    party = next(e for e in _own(store) if e.tbl == "petition_party")
    assert party.person_id == person_id  # a party names its person: read per person
    assert not {e.tbl for e in _own(store)} & set(trail.UNRECORDED_TABLES)

    before = len(_own(store))
    with store.write() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.phone, person.village = "13800000000", "新村"
    (changed,) = _own(store)[before:]
    assert (changed.action, changed.tbl, changed.row_id, changed.person_id) == (
        "changed", "person", person_id, person_id)
    assert json.loads(changed.detail) == {"fields": ["phone", "village"]}

    with store.write() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.deleted = True
    with store.write() as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.deleted = False
    assert [e.action for e in _own(store)[-2:]] == ["deleted", "restored"]
    # A write that changes nothing records nothing.
    count = len(_entries(store))
    with store.write() as session:
        session.execute(text("SELECT 1"))
    assert len(_entries(store)) == count


@pytest.mark.sqlite_file  # (the hub's guards: test_postgres.py)
def test_raw_sql_cannot_change_or_remove_an_entry(store: Store) -> None:
    set_up_device(store, "12309窗口", DARLAG)
    first = _own(store)[0]
    for sql in ("UPDATE audit_entry SET detail = '[]' WHERE id = :id",
                "UPDATE audit_entry SET deleted = 1 WHERE id = :id",
                "UPDATE audit_entry SET seq = 99 WHERE id = :id",
                "DELETE FROM audit_entry WHERE id = :id"):
        with pytest.raises(IntegrityError, match="doorstep: "), store.write() as session:
            session.execute(text(sql), {"id": first.id})
    with pytest.raises(IntegrityError, match=AUDIT_NEVER_CHANGED), store.write() as session:
        session.execute(text("UPDATE audit_entry SET action = 'viewed' WHERE id = :id"),
                        {"id": first.id})
    assert _own(store)[0].hash == first.hash and _own(store)[0].detail == first.detail
    # Nor through a plain SQLite connection (the guards need Doorstep's own functions).
    store.close()
    with closing(sqlite3.connect(store.paths.store)) as con:
        for sql in ("UPDATE audit_entry SET detail = '{}' WHERE id = ?",
                    "DELETE FROM audit_entry WHERE id = ?"):
            with pytest.raises(sqlite3.OperationalError):
                con.execute(sql, (first.id,))
        assert con.execute("SELECT COUNT(*) FROM audit_entry WHERE id = ?",
                           (first.id,)).fetchone() == (1,)


def _store_with_entries(paths: AppPaths) -> Store:
    store = open_store(paths)
    set_up_device(store, "下乡笔记本", DARLAG)
    register(store, petition())
    for _ in range(3):
        trail.record(store, trail.Action.VIEWED, tbl="person", row_id="p")
    return store


@pytest.mark.parametrize("edit", [
    "UPDATE audit_entry SET detail = '{\"fields\":[\"phone\"]}' WHERE seq = ?",
    "DELETE FROM audit_entry WHERE seq = ?",
    "UPDATE audit_entry SET staff_id = 'someone' WHERE seq = ?",
])
def test_an_entry_edited_on_disk_is_reported_with_its_laptop_and_number(
        paths: AppPaths, edit: str) -> None:
    store = _store_with_entries(paths)
    count = len(_own(store))
    assert trail.verify(store) == []
    _tamper(store, edit, 4)
    store = open_store(paths)
    try:
        (found,) = trail.verify(store)
        assert (found.laptop, found.after) == ("下乡笔记本", 3)
        assert found.message() == trail.Alteration("", "下乡笔记本", 3).message()
        assert "下乡笔记本" in found.message() and "3" in found.message()
        checked = reading.check_trail(store)
        assert checked.altered == (found.message(),)
        assert checked.entries >= count - 1
    finally:
        store.close()


def test_the_last_entry_removed_or_a_chain_rewritten_is_found_too(paths: AppPaths) -> None:
    store = _store_with_entries(paths)
    last = len(_own(store))
    _tamper(store, "DELETE FROM audit_entry WHERE seq = ?", last)
    store = open_store(paths)
    assert [a.after for a in trail.verify(store)] == [last - 1]
    store.close()
    # An entry whose hash is made again to fit its new text: the next one no longer fits.
    store = _store_with_entries(AppPaths(paths.data_dir.parent / "again"))
    entry = _own(store)[1]
    values = [getattr(entry, c) for c in trail.HASHED]
    values[trail.HASHED.index("detail")] = '{"forged":1}'
    _tamper(store, "UPDATE audit_entry SET detail = ?, hash = ? WHERE id = ?", values[9],
            trail.entry_hash(values), entry.id)
    store = open_store(store.paths)
    assert [a.after for a in trail.verify(store)] == [1]
    store.close()


def test_reading_is_for_leaders(store: Store) -> None:
    office = aid_office(store)
    with store.write() as session:
        clerk = Staff(office_id=office.office_id, name_zh="拉毛", name_bo="ལྷ་མོ", role="clerk",
                      phone="", active=True)
        session.add(clerk)
        session.flush()
        clerk_id = clerk.id
    store.ctx.enforced, store.ctx.staff_id = True, clerk_id
    for call, args in ((reading.entries_for_record, ("petition", office.petition_id)),
                       (reading.entries_for_person, (office.person_id,)),
                       (reading.check_trail, ())):
        with pytest.raises(access.NotPermittedError):
            call(store, *args)  # type: ignore[operator]
    store.ctx.staff_id = office.chief
    rows = reading.entries_for_record(store, "petition", office.petition_id)
    assert rows and rows[-1].action == trail.Action.CREATED.label
    assert reading.check_trail(store).altered == ()


def test_per_record_and_per_person_newest_first_and_printed(store: Store) -> None:
    office = aid_office(store)
    store.ctx.staff_id = office.chief
    trail.viewed_person(store, office.person_id)
    case_id = aid.propose(store, AidProposal(
        office.petition_id, [office.person_id], "poor", "家庭生活困难。", "12000", "符合条件。"),
        office.procurator, today=date(2026, 11, 26))
    aid.decide(store, case_id, "approved", office.chief)
    decided = [e for e in _own(store) if e.action == "approved"]
    assert [(e.tbl, e.row_id) for e in decided] == [("aid_case", case_id)]
    assert json.loads(decided[0].detail) == {"amount_fen": 1_200_000}

    person = reading.entries_for_person(store, office.person_id)
    actions = [r.action for r in person]
    assert trail.Action.VIEWED.label in actions
    assert any("信" in r.record for r in person)  # the petition they are a party to
    record = reading.entries_for_record(store, "aid_case", case_id)
    assert record[0].seq > record[-1].seq  # newest first
    assert record[0].staff == "更桑"
    assert all(r.laptop == "12309窗口" for r in record)
    text_of_pdf = pdf_text(reading.render_pdf(store, "aid_case", case_id))
    assert "更桑" in text_of_pdf and "12309窗口" in text_of_pdf


def test_printing_and_exporting_are_recorded(store: Store, tmp_path: Path) -> None:
    set_up_device(store, "12309窗口", DARLAG)
    done = register(store, petition())
    trail.printed(store, "receipt", tbl="petition", row_id=done.id, title="收件回执")
    save_registry(store, RegistryFilter(), tmp_path / "list.csv")
    printed, exported = _own(store)[-2:]
    assert (printed.action, printed.tbl, printed.row_id) == ("printed", "petition", done.id)
    assert json.loads(exported.detail) == {"what": "registry_list", "file": "list.csv",
                                           "count": 1}


def test_the_sync_carries_entries_and_each_import_checks_them(tmp_path: Path) -> None:
    master = open_store(AppPaths(tmp_path / "master"))
    set_up_device(master, "县院主机", DARLAG)
    service.set_up_office(master, PASS)
    field = open_store(AppPaths(tmp_path / "field"))
    try:
        request = service.enrolment_request(field, PASS, DARLAG, "下乡笔记本")
        service.accept_grant(field, service.enrol(master, request, PASS), PASS)
        service.import_package(field, service.export(master, tmp_path / "1.dsp", PASS,
                                                     full=True).path, PASS)
        register(field, petition())
        trail.record(field, trail.Action.LOGGED_IN)
        sent = service.export(field, tmp_path / "2.dsp", PASS)
        got = service.import_package(master, sent.path, PASS)
        assert service.import_notes(got) == [] and got.altered == ()
        field_log = field.ctx.log_id or field.ctx.device_id
        held = [e for e in _entries(master) if e.log_id == field_log]
        assert [e.hash for e in held] == [e.hash for e in _own(field)][:len(held)]
        assert "logged_in" in {e.action for e in held}
        assert trail.verify(master) == []
        assert [e.action for e in _own(field)][-1] == "exported"
        assert [e.action for e in _own(master)][-1] == "imported"
        imported = json.loads(_own(master)[-1].detail)
        assert imported["sender"] == field.device_id and imported["file"] == "2.dsp"

        # On the sender's disk, before its entries are exported: row and version alike (so
        # that the sender exports it as it now reads). The receiver finds it on import.
        trail.record(field, trail.Action.LOCKED)
        victim = _own(field)[-1]
        tamper(field,
               ("UPDATE audit_entry SET action = 'logged_out' WHERE id = ?", (victim.id,)),
               ("UPDATE sync_version SET value = 'logged_out' WHERE tbl = 'audit_entry'"
                " AND row_id = ? AND field = 'action'", (victim.id,)),
               tables=("audit_entry", "sync_version"))
        field = open_store(AppPaths(tmp_path / "field"))
        assert [a.after for a in trail.verify(field)] == [victim.seq - 1]
        got = service.import_package(master, service.export(field, tmp_path / "3.dsp",
                                                             PASS).path, PASS)
        assert got.altered == (("下乡笔记本", victim.seq - 1),)

        # On the receiver's disk: the next import says so.
        victim = held[1]  # before the one altered on the sender's disk
        _tamper(master, "UPDATE audit_entry SET detail = ? WHERE id = ?", '{"forged":1}',
                victim.id)
        master = open_store(AppPaths(tmp_path / "master"))
        trail.record(field, trail.Action.LOGGED_OUT)
        got = service.import_package(master, service.export(field, tmp_path / "5.dsp",
                                                             PASS).path, PASS)
        assert got.altered == (("下乡笔记本", victim.seq - 1),)
        assert trail.Alteration("", "下乡笔记本", victim.seq - 1).message() \
            in service.import_notes(got)
    finally:
        master.close()
        field.close()
