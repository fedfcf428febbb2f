"""Each role's forbidden actions are refused by the use cases themselves (issue 16), whatever a
screen shows, and nothing is changed by a refusal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from app.accounts import login
from app.accounts import staff as accounts
from app.aid import cases as aid
from app.aid.cases import AidProposal
from app.core import access
from app.core.access import NotPermittedError, Permission
from app.core.labels import StaffRole
from app.core.paths import AppPaths
from app.core.store import Store
from app.petitions import deadline_settings
from app.petitions.deadlines import DeadlineRule
from app.statistics import tables
from app.sync import service
from tests.helpers import AidOffice, every_role, everything, petition, register
from tests.stores import copy_test_store, open_test_store

NOW = datetime(2026, 11, 20, 10, 0)
ROLES = [str(r) for r in StaffRole]


@dataclass
class Office:
    base: AidOffice
    by_role: dict[str, str]  # role -> a staff id with that role

    @property
    def store(self) -> Store:
        return self.base.store


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, AidOffice, dict[str, str]]:
    """An office with one staff member of every role, built once; each test gets a copy."""
    folder = tmp_path_factory.mktemp("office") / "data"
    store = open_test_store(AppPaths(folder), create=True)
    base, by_role = every_role(store, now=NOW)
    store.close()
    return folder, base, by_role


@pytest.fixture
def office(built: tuple[Path, AidOffice, dict[str, str]], tmp_path: Path) -> Iterator[Office]:
    folder, base, by_role = built
    copy_test_store(folder, tmp_path / "data")
    store = open_test_store(AppPaths(tmp_path / "data"))
    yield Office(replace(base, store=store), by_role)
    store.close()


def _as(office: Office, role: str) -> None:
    login.begin(office.store, office.by_role[role])


def _proposal(office: Office, by: str) -> str:
    return aid.propose(office.store, AidProposal(
        office.base.petition_id, [office.base.person_id], "poor", "家庭生活困难。", "5000",
        "符合国家司法救助条件。"),
        by, today=NOW.date())


# Each action: made ready (as nobody in particular), then done as the logged-in staff member
# ``me``; and the permission that allows it.
Act = Callable[[str], Any]


def _decide(o: Office) -> Act:
    case = _proposal(o, o.base.procurator)
    return lambda me: aid.decide(o.store, case, "approved", me, now=NOW)


def _rules(o: Office) -> Act:
    return lambda me: deadline_settings.set_deadline_rule(o.store, o.base.office_id,
                                                          DeadlineRule(reply_days=10))


def _threshold(o: Office) -> Act:
    return lambda me: aid.set_chief_threshold(o.store, o.base.office_id, "30000", me)


def _staff(o: Office) -> Act:
    return lambda me: accounts.add_staff(o.store, accounts.StaffInput("新来的", "", "clerk"))


def _laptops(o: Office) -> Act:
    return lambda me: service.set_up_office(o.store, "office passphrase")


def _register(o: Office) -> Act:
    return lambda me: register(o.store, petition(), me, now=NOW)


def _export(o: Office) -> Act:
    out = o.store.paths.data_dir / "out.csv"
    return lambda me: tables.export_table(o.store, "petitions", out)


ACTIONS: dict[str, tuple[Callable[[Office], Act], Permission]] = {
    "decide aid": (_decide, Permission.APPROVE_AID),
    "change the deadline rule": (_rules, Permission.OFFICE_RULES),
    "change the chief's threshold": (_threshold, Permission.OFFICE_RULES),
    "add staff": (_staff, Permission.MANAGE_STAFF),
    "set up the office's laptops": (_laptops, Permission.MANAGE_LAPTOPS),
    "register a petition": (_register, Permission.DAILY_WORK),
    "export a table": (_export, Permission.EXPORT_TABLES),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_what_it_may_not_do(office: Office, role: str,
                                                   action: str) -> None:
    prepare, permission = ACTIONS[action]
    do = prepare(office)
    me = office.by_role[role]
    _as(office, role)
    if access.may(role, permission):
        do(me)  # allowed: it goes through
        return
    before = everything(office.store)  # the log-in recorded
    with pytest.raises(NotPermittedError) as caught:
        do(me)
    assert caught.value.message == access.NOT_PERMITTED[permission]
    office.store.ctx.enforced = False
    assert everything(office.store) == before


def test_the_permissions_table_is_what_the_issue_asks() -> None:
    assert {r for r in ROLES if access.may(r, Permission.APPROVE_AID)} == {"chief", "deputy"}
    assert not access.may("clerk", Permission.MANAGE_STAFF)
    assert not access.may("admin", Permission.SEE_IDENTIFIERS)
    assert not access.may("admin", Permission.DAILY_WORK)
    assert access.may("clerk", Permission.DAILY_WORK)


def test_nobody_acts_in_anothers_name(office: Office) -> None:
    case = _proposal(office, office.base.procurator)
    _as(office, "deputy")
    with pytest.raises(NotPermittedError) as caught:
        aid.decide(office.store, case, "approved", office.base.chief, now=NOW)
    assert caught.value.message == access.IN_ANOTHERS_NAME
    aid.decide(office.store, case, "approved", office.base.deputy, now=NOW)


def test_a_leaver_logged_in_is_refused_at_the_next_action(office: Office) -> None:
    _as(office, "deputy")
    accounts.remove_staff(office.store, office.by_role["clerk"])
    office.store.ctx.staff_id = office.by_role["clerk"]  # logged in before they were removed
    with pytest.raises(NotPermittedError) as caught:
        _register(office)(office.by_role["clerk"])
    assert caught.value.message == access.NO_LONGER_STAFF
    with pytest.raises(NotPermittedError):
        login.begin(office.store, office.by_role["clerk"])
    assert office.store.ctx.staff_id is None


def test_staff_rules_beyond_the_role(office: Office) -> None:
    _as(office, "admin")
    with pytest.raises(NotPermittedError) as caught:
        accounts.add_staff(office.store, accounts.StaffInput("新领导", "", "deputy"))
    assert caught.value.message == accounts.LEADERS_MAKE_LEADERS
    with pytest.raises(NotPermittedError) as own:
        accounts.change_staff(office.store, office.by_role["admin"],
                              accounts.StaffInput("员工admin", "", "chief"))
    assert own.value.message == accounts.OWN_ROLE
    with pytest.raises(NotPermittedError) as self_removal:
        accounts.remove_staff(office.store, office.by_role["admin"])
    assert self_removal.value.message == accounts.OWN_REMOVAL
    with pytest.raises(NotPermittedError):
        accounts.remove_staff(office.store, office.by_role["chief"])  # a leader, by an admin
    accounts.change_staff(office.store, office.by_role["clerk"],
                          accounts.StaffInput("员工clerk", "", "procurator"))
    _as(office, "chief")
    accounts.add_staff(office.store, accounts.StaffInput("新领导", "", "deputy"))


def test_phones_are_masked_for_the_administrator(office: Office) -> None:
    office.store.ctx.enforced = False
    accounts.change_staff(office.store, office.by_role["clerk"],
                          accounts.StaffInput("员工clerk", "", "clerk", "13909751234"))
    _as(office, "admin")
    shown = {a.staff_id: a.phone for a in accounts.staff_accounts(office.store)}
    assert shown[office.by_role["clerk"]] == "139****1234"
    _as(office, "clerk")
    shown = {a.staff_id: a.phone for a in accounts.staff_accounts(office.store)}
    assert shown[office.by_role["clerk"]] == "13909751234"


def test_id_numbers_and_phones_are_masked_in_the_records_for_the_administrator(
        office: Office) -> None:
    from app.persons.directory import persons_by_ids
    from app.petitions.detail import petition_detail

    person = office.base.person_id
    plain = persons_by_ids(office.store, [person])[person]
    assert plain.id_number == "632624198503120012"
    _as(office, "admin")
    shown = persons_by_ids(office.store, [person])[person]
    assert (shown.id_number, shown.phone) == ("632624********0012", "139****1234")
    party = petition_detail(office.store, office.base.petition_id).parties[0]
    assert (party.id_number, party.phone) == ("632624********0012", "139****1234")
    _as(office, "clerk")
    assert persons_by_ids(office.store, [person])[person].id_number == "632624198503120012"
