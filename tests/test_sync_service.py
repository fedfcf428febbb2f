"""Office setup, enrolment, export and import between laptops; refusals leave the store as it
was."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.core.dump import dump_json
from app.core.errors import AppError
from app.core.identity import set_up_device, this_device
from app.core.paths import AppPaths
from app.core.store import Store, open_store
from app.sync import engine, service
from tests.helpers import DARLAG, petition, register, shared_dump

PASS = "demo-passphrase"


@dataclass
class Office:
    master: Store
    field: Store
    folder: Path


def _versions(store: Store) -> int:
    with store.read() as session:
        return int(session.connection().exec_driver_sql(
            "SELECT COUNT(*) FROM sync_version").scalar() or 0)


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    yield from _office(tmp_path)


def _office(tmp_path: Path, master_key: bytes | None = None,
            field_key: bytes | None = None) -> Iterator[Office]:
    master = open_store(AppPaths(tmp_path / "master"), key=master_key)
    set_up_device(master, "县院主机", DARLAG)
    service.set_up_office(master, PASS)
    register(master, petition())
    field = open_store(AppPaths(tmp_path / "field"), key=field_key)
    request = service.enrolment_request(field, PASS, DARLAG, "下乡笔记本")
    grant = service.enrol(master, request, PASS)
    service.accept_grant(field, grant, PASS)
    first = service.export(master, tmp_path / "first.dsp", PASS, full=True)
    arrived = service.import_package(field, first.path, PASS)
    assert arrived.new == first.versions and arrived.gaps == []
    yield Office(master, field, tmp_path)
    master.close()
    field.close()


def test_a_new_laptop_is_enrolled_and_gets_the_office(office: Office) -> None:
    info = this_device(office.field)
    assert info is not None and info.office_id is not None
    done = register(office.field, petition())
    assert "临" not in done.reg_no  # numbered from the block granted at enrolment
    back = service.export(office.field, office.folder / "back.dsp", PASS)
    result = service.import_package(office.master, back.path, PASS)
    assert result.new > 0 and result.sender_name == "下乡笔记本"
    # Everything each may lack goes the other way; then the two stores are the same.
    again = service.export(office.master, office.folder / "again.dsp", PASS)
    service.import_package(office.field, again.path, PASS)
    assert shared_dump(office.master) == shared_dump(office.field)
    twice = service.import_package(office.field, again.path, PASS)
    assert twice.new == 0 and twice.already_imported
    assert [p.direction for p in service.history(office.field)].count("received") == 2


def _refused(store: Store, package: Path, message: str) -> None:
    before, versions = dump_json(store), _versions(store)
    with pytest.raises(AppError) as caught:
        service.import_package(store, package, PASS)
    assert message in str(caught.value)
    assert dump_json(store) == before and _versions(store) == versions


def test_damaged_or_cut_packages_change_nothing(office: Office) -> None:
    register(office.master, petition())
    package = service.export(office.master, office.folder / "p.dsp", PASS).path
    data = package.read_bytes()
    # A sample of single-byte flips over the whole file (every byte is flipped in the
    # container's own tests) and of cuts: each refused, and the store exactly as it was.
    for position in sorted({0, 12, 20, *range(0, len(data), max(1, len(data) // 40)),
                            len(data) - 1}):
        flipped = office.folder / "flip.dsp"
        flipped.write_bytes(data[:position] + bytes([data[position] ^ 0x40])
                            + data[position + 1:])
        _refused(office.field, flipped, "")
    for length in range(0, len(data), max(1, len(data) // 10)):
        cut = office.folder / "cut.dsp"
        cut.write_bytes(data[:length])
        _refused(office.field, cut, "")
    assert service.import_package(office.field, package, PASS).new > 0


def test_revoked_laptop_and_other_office_are_refused(office: Office, tmp_path: Path) -> None:
    register(office.field, petition())
    from_field = service.export(office.field, tmp_path / "field.dsp", PASS).path
    lost = this_device(office.field)
    assert lost is not None
    service.revoke(office.master, lost.id, PASS)
    _refused(office.master, from_field, "removed from this office")
    other = open_store(AppPaths(tmp_path / "other"))
    set_up_device(other, "玛沁县院", "632621")
    service.set_up_office(other, PASS)
    foreign = service.export(other, tmp_path / "foreign.dsp", PASS, full=True).path
    _refused(office.master, foreign, "another office")
    other.close()


def test_a_package_never_imported_is_reported_by_name(office: Office) -> None:
    register(office.master, petition())
    missed = service.export(office.master, office.folder / "missed.dsp", PASS)
    register(office.master, petition())
    # The field laptop never gets "missed"; the master believes it did (it exported it).
    later = service.export(office.master, office.folder / "later.dsp", PASS)
    result = service.import_package(office.field, later.path, PASS)
    assert missed.package_id in result.gaps
    assert result.new > 0  # the import still goes ahead


def test_wrong_passphrase_changes_nothing(office: Office) -> None:
    package = service.export(office.master, office.folder / "p.dsp", PASS, full=True).path
    before = dump_json(office.field)
    with pytest.raises(AppError, match="passphrase"):
        service.import_package(office.field, package, "wrong")
    assert dump_json(office.field) == before
    assert engine.conflicts(office.field) == []


@pytest.mark.parametrize("encrypted", ["", "master", "field", "both"])
def test_attachments_travel_by_their_hash(tmp_path: Path, encrypted: str) -> None:
    """Also between laptops whose stores are encrypted at rest: a package carries the plain
    file (itself encrypted for the office's laptops), and each laptop keeps it as its store
    wants it, under its own key."""
    import hashlib

    from PIL import Image

    from app.core import file_cipher
    from app.core.keyring import new_store_key

    keys = {name: new_store_key() if encrypted in (name, "both") else None
            for name in ("master", "field")}
    made = _office(tmp_path, keys["master"], keys["field"])
    office = next(made)

    from app.hearings import attachments
    from app.hearings import record as hearings
    from app.hearings.record import HearingInput
    from app.petitions.detail import petition_detail
    from tests.helpers import add_leaders

    info = this_device(office.master)
    assert info is not None and info.office_id is not None
    _deputy, procurator = add_leaders(office.master, info.office_id)
    done = register(office.master, petition())
    party = petition_detail(office.master, done.id).parties[0].person_id
    hearing = hearings.record_hearing(office.master, HearingInput(
        petition_id=done.id, kind="public", held_at="2026-11-22T10:00", place="听证室",
        host_id=procurator, party_ids=[party]))
    photo = office.folder / "scan.png"
    Image.new("RGB", (300, 200), "white").save(photo)
    attachments.add_attachment(office.master, office.master.paths, "hearing", hearing, photo)
    package = service.export(office.master, office.folder / "with-scan.dsp", PASS)
    assert package.attachments == 1
    result = service.import_package(office.field, package.path, PASS)
    assert result.attachments == 1
    sha = hashlib.sha256(photo.read_bytes()).hexdigest()
    arrived = office.field.paths.attachments / sha[:2] / sha
    kept = office.master.paths.attachments / sha[:2] / sha
    for store, file in ((office.master, kept), (office.field, arrived)):
        assert file_cipher.is_sealed(file.read_bytes()) == store.encrypted
        assert (file.read_bytes() == photo.read_bytes()) == (not store.encrypted)
    (row,) = attachments.attachments_of(office.field, office.field.paths, "hearing", hearing)
    assert row.present
    assert attachments.attachment_bytes(office.field, row) == photo.read_bytes()
    next(made, None)  # closes both stores


def test_a_laptop_enrolled_since_is_known_from_the_roster_its_package_carries(
        office: Office) -> None:
    late = open_store(AppPaths(office.folder / "late"))
    request = service.enrolment_request(late, PASS, DARLAG, "新来的笔记本")
    service.accept_grant(late, service.enrol(office.master, request, PASS), PASS)
    service.import_package(late, service.export(office.master, office.folder / "m.dsp", PASS,
                                                full=True).path, PASS)
    register(late, petition())
    # The field laptop has never heard of the late one; its package carries the newer roster,
    # signed by the office key the field laptop trusts.
    result = service.import_package(office.field, service.export(
        late, office.folder / "late.dsp", PASS).path, PASS)
    assert result.new > 0 and result.sender_name == "新来的笔记本"
    state = service.status(office.field)
    assert state is not None and state.roster_version == 3
    late.close()


def test_a_first_package_is_no_gap_and_a_replayed_old_one_moves_nothing_back(
        office: Office) -> None:
    import json

    from models import SyncPeer

    register(office.field, petition())
    old = service.export(office.field, office.folder / "old.dsp", PASS)
    register(office.field, petition())
    new = service.export(office.field, office.folder / "new.dsp", PASS)
    # The master never read "old" but has read nothing from this laptop before: no gap.
    assert service.import_package(office.master, new.path, PASS).gaps == []

    def held() -> dict[str, int]:
        with office.master.read() as session:
            peer = session.get(SyncPeer, office.field.device_id)
            assert peer is not None
            return {k: int(v) for k, v in json.loads(peer.vector).items()}

    before = held()
    service.import_package(office.master, old.path, PASS)  # replayed late, or from a stick
    assert held() == before


def test_an_enrolment_and_a_revocation_at_once_keep_both(
        office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window and the command line (two store objects on the master's file) change the
    roster at the same moment: each reads and writes it in one transaction, so neither the new
    laptop's grant nor the revocation is lost."""
    import threading

    from app.sync import crypto

    late = open_store(AppPaths(office.folder / "late"))
    request = service.enrolment_request(late, PASS, DARLAG, "新来的笔记本")
    lost = this_device(office.field)
    assert lost is not None
    cli = open_store(office.master.paths)
    office_key = service._office_key(office.master, PASS)
    monkeypatch.setattr(service, "_office_key", lambda _store, _passphrase: office_key)
    sign = crypto.sign_roster
    errors: list[BaseException] = []

    def revoke_from_the_command_line() -> None:
        try:
            service.revoke(cli, lost.id, PASS)
        except BaseException as exc:  # reported below
            errors.append(exc)

    other = threading.Thread(target=revoke_from_the_command_line)

    def sign_while_the_other_revokes(roster: crypto.Roster, key: crypto.OfficeKey) -> bytes:
        if not other.is_alive() and other.ident is None:
            other.start()
            other.join(timeout=1.0)  # it finishes, or waits for the enrolment's lock
        return sign(roster, key)

    monkeypatch.setattr(crypto, "sign_roster", sign_while_the_other_revokes)
    grant = service.enrol(office.master, request, PASS)
    other.join()
    assert errors == []
    found = service.stored_roster(office.master)
    assert found is not None
    enrolled = found.roster.find(late.device_id or "")
    revoked = found.roster.find(lost.id)
    assert enrolled is not None and not enrolled.revoked
    assert revoked is not None and revoked.revoked
    assert found.roster.version == 4
    service.accept_grant(late, grant, PASS)
    cli.close()
    late.close()


def _due_dates(store: Store) -> dict[str, tuple[str, str]]:
    from sqlalchemy import select

    from models import Petition

    with store.read() as session:
        return {p.id: (p.reply_due, p.answer_due) for p in session.scalars(select(Petition))}


@pytest.mark.parametrize("rule_first", [True, False], ids=["rule-first", "petitions-first"])
def test_due_dates_do_not_depend_on_the_order_packages_arrive_in(office: Office,
                                                                  rule_first: bool) -> None:
    """The master changes the office's deadline rule and enters a holiday while the field
    laptop registers petitions under the old rule; in either order of packages, both end with
    the due dates one laptop holding everything computes, with no conflict."""
    from datetime import date, datetime

    from sqlalchemy import select

    from app.petitions import deadline_settings
    from app.petitions.deadlines import (
        ANSWER,
        REPLY,
        WORKING,
        DeadlineRule,
        HolidayCalendar,
        due_date,
    )
    from models import Petition

    info = this_device(office.master)
    assert info is not None and info.office_id is not None
    rule = DeadlineRule(WORKING, 10, 2)
    deadline_settings.set_deadline_rule(office.master, info.office_id, rule)
    deadline_settings.add_holiday(office.master, date(2026, 12, 1), "holiday", "调休")
    for day in ("2026-11-20T09:30", "2026-11-24T15:00", "2026-11-30T10:00"):
        register(office.field, petition(day), now=datetime(2026, 12, 1, 12, 0))
    from_master = service.export(office.master, office.folder / "rule.dsp", PASS).path
    from_field = service.export(office.field, office.folder / "petitions.dsp", PASS).path
    if rule_first:
        service.import_package(office.field, from_master, PASS)
        service.import_package(office.master, from_field, PASS)
    else:
        service.import_package(office.master, from_field, PASS)
        service.import_package(office.field, from_master, PASS)
    # One more round each way: what each recomputed reaches the other.
    for sender, receiver in ((office.master, office.field), (office.field, office.master)):
        package = service.export(sender, office.folder / "round.dsp", PASS).path
        service.import_package(receiver, package, PASS)

    cal = HolidayCalendar({date(2026, 12, 1): "holiday"})
    with office.master.read() as session:
        received = {p.id: date.fromisoformat(p.received_at[:10])
                    for p in session.scalars(select(Petition))}
    expected = {pid: (due_date(REPLY, day, rule, cal).isoformat(),
                      due_date(ANSWER, day, rule, cal).isoformat())
                for pid, day in received.items()}
    assert len(expected) == 4
    assert _due_dates(office.master) == expected
    assert _due_dates(office.field) == expected
    assert engine.conflicts(office.master) == [] and engine.conflicts(office.field) == []
    assert shared_dump(office.master) == shared_dump(office.field)


def test_a_field_laptop_gets_more_numbers_through_the_sync(office: Office) -> None:
    """The field laptop is warned as its block runs out, then registers under provisional
    numbers; the master grants it a block when it reads its package (also for a year it had
    none for), and the field laptop renumbers its own provisional petitions from it, keeping
    the provisional number in their history."""
    from datetime import date, datetime

    from app.petitions import numbering
    from app.petitions.detail import petition_detail
    from app.petitions.intake import numbers_note

    field_id = office.field.device_id
    assert field_id is not None
    code = numbering.device_code(field_id)
    year = date.today().year
    now = datetime.now().replace(second=0, microsecond=0)
    received = now.isoformat(timespec="minutes")
    assert numbering.numbers_left(office.field) == numbering.FIELD_BLOCK
    assert numbering.numbers_left(office.master) is None  # it grants itself
    done = None
    for _ in range(numbering.FIELD_BLOCK - numbering.LOW_NUMBERS + 1):
        done = register(office.field, petition(received), now=now)
    assert done is not None and done.numbers_left == numbering.LOW_NUMBERS - 1
    assert str(numbering.LOW_NUMBERS - 1) in numbers_note(done)
    for _ in range(numbering.LOW_NUMBERS - 1):
        done = register(office.field, petition(received), now=now)
    assert done.numbers_left == 0 and not done.provisional
    late = register(office.field, petition(received), now=now)
    last_year = register(office.field, petition(f"{year - 1}-12-31T16:00"), now=now)
    assert late.reg_no == f"达检信〔{year}〕临{code}-1号" and late.provisional
    assert last_year.reg_no == f"达检信〔{year - 1}〕临{code}-1号"
    assert numbers_note(late) == ""  # the provisional number says enough

    package = service.export(office.field, office.folder / "field.dsp", PASS).path
    service.import_package(office.master, package, PASS)
    back = service.export(office.master, office.folder / "back.dsp", PASS).path
    result = service.import_package(office.field, back, PASS)
    assert len(result.renumbered) == 2
    renumbered = {p: petition_detail(office.field, p).row.reg_no
                  for p in (late.id, last_year.id)}
    assert "临" not in renumbered[late.id] and f"〔{year}〕" in renumbered[late.id]
    assert renumbered[last_year.id] == f"达检信〔{year - 1}〕1号"
    history = petition_detail(office.field, late.id).history
    assert [h.detail for h in history if h.action == "renumbered"] == [
        f"{late.reg_no} → {renumbered[late.id]}"]
    # A block of FIELD_BLOCK numbers beyond the provisional ones it waited for.
    assert numbering.numbers_left(office.field) == numbering.FIELD_BLOCK
    nxt = register(office.field, petition(received), now=now)
    assert "临" not in nxt.reg_no and not numbers_note(nxt)
    # Another provisional number later never repeats one that was renumbered.
    with office.field.write() as session:
        session.connection().exec_driver_sql("UPDATE number_block SET deleted = 1")
    again = register(office.field, petition(received), now=now)
    assert again.reg_no == f"达检信〔{year}〕临{code}-2号"
    # The master reads it all back: the same numbers, none twice.
    service.import_package(office.master, service.export(
        office.field, office.folder / "again.dsp", PASS).path, PASS)
    for p, number in renumbered.items():
        assert petition_detail(office.master, p).row.reg_no == number
    assert engine.conflicts(office.master) == []
