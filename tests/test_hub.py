"""The prefecture hub (issue 18): made in an empty PostgreSQL database, enrolled in each county
by the county's master as a laptop is, importing every county's packages (several imports at
once), refusing a package and leaving PostgreSQL unchanged, and exporting to each county only
that county's logs and its own."""

from __future__ import annotations

import csv
import functools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from app.cli.main import NOT_ON_A_HUB, main
from app.core import server
from app.core.errors import AppError
from app.core.i18n import _
from app.core.identity import set_up_device
from app.core.paths import AppPaths
from app.core.server import open_server_store
from app.core.store import Store, open_store
from app.hub import service as hub
from app.sync import service
from tests.helpers import petition, register

pytestmark = pytest.mark.postgres

PASS = "hub-passphrase"
PREFECTURE = "632600"
COUNTIES = ("632624", "632626", "632621")  # 达日, 玛多, 玛沁


@dataclass
class County:
    code: str
    master: Store


@dataclass
class Hub:
    store: Store
    url: str
    counties: list[County]
    folder: Path


def made_county(tmp_path: Path, code: str, petitions: int, passphrase: str = PASS) -> County:
    """The county ``code``'s master laptop, its office set up, holding ``petitions``."""
    master = open_store(AppPaths(tmp_path / code))
    set_up_device(master, f"{code} 主机", code)
    service.set_up_office(master, passphrase)
    for _n in range(petitions):
        register(master, petition())
    return County(code, master)


def _enrol(store: Store, county: County, passphrase: str = PASS) -> None:
    request = hub.request(store, county.code, passphrase)
    grant = service.enrol(county.master, request, passphrase)
    hub.accept(store, grant, passphrase)


def made_hub(url: str, folder: Path, counties: list[County], passphrase: str = PASS) -> Hub:
    """The prefecture's hub made in the empty database ``url`` and enrolled by each county's
    master (their device keys, the hub's too, wrapped under ``passphrase``)."""
    store = open_server_store(url, AppPaths(folder / "hub"), create=True)
    hub.init_hub(store, "果洛州院", PREFECTURE, passphrase)
    for county in counties:
        _enrol(store, county, passphrase)
    return Hub(store, url, counties, folder)


@pytest.fixture
def built(postgres_url: str, tmp_path: Path) -> Iterator[Hub]:
    counties = [made_county(tmp_path, code, n) for code, n in zip(COUNTIES, (3, 2, 1), strict=True)]
    made = made_hub(postgres_url, tmp_path, counties)
    yield made
    made.store.close()
    for county in counties:
        county.master.close()


def _counts(store: Store) -> tuple[int, int, int]:
    with store.read() as session:
        return tuple(int(session.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one())
                     for t in ("sync_version", "petition", "sync_package"))  # type: ignore[return-value]


def test_the_hub_is_enrolled_in_each_county_as_a_laptop(built: Hub) -> None:
    found = hub.counties(built.store)
    assert [c.division_code for c in found] == sorted(COUNTIES)
    # Each county's roster lists its master and the hub.
    assert {c.laptops for c in found} == {2}
    with pytest.raises(AppError, match="not one of the prefecture's counties"):
        hub.request(built.store, PREFECTURE, PASS)
    with pytest.raises(AppError, match="already the hub"):
        hub.init_hub(built.store, "again", PREFECTURE, PASS)


def test_a_hub_is_made_only_for_a_prefecture_and_only_on_a_server(
        postgres_url: str, tmp_path: Path, store: Store) -> None:
    fresh = open_server_store(postgres_url, AppPaths(tmp_path / "hub"), create=True)
    try:
        with pytest.raises(AppError, match="not one"):
            hub.init_hub(fresh, "果洛州院", COUNTIES[0], PASS)
    finally:
        fresh.close()
    with pytest.raises(AppError, match="not a prefecture hub"):
        hub.init_hub(store, "果洛州院", PREFECTURE, PASS)


def test_packages_from_every_county_import_and_two_imports_run_at_once(built: Hub) -> None:
    packages = [service.export(c.master, built.folder / f"{c.code}.dsp", PASS, full=True)
                for c in built.counties]
    # Two imports at once, from two processes' worth of connections: each its own store.
    second = open_server_store(built.url, AppPaths(built.folder / "hub2"))
    results: dict[str, list[hub.Imported]] = {}

    def run(name: str, store: Store, files: list[Path]) -> None:
        results[name] = hub.import_packages(store, files, PASS)

    threads = [threading.Thread(target=run, args=("a", built.store, [packages[0].path,
                                                                      packages[2].path])),
               threading.Thread(target=run, args=("b", second, [packages[1].path,
                                                                 packages[2].path]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    second.close()
    done = results["a"] + results["b"]
    assert all(d.problem is None for d in done), [d.problem for d in done]
    # The package imported by both is applied once; every county's petitions are in.
    assert sum(d.result.new for d in done if d.result is not None) \
        == sum(p.versions for p in packages)
    with built.store.read() as session:
        assert session.execute(text("SELECT COUNT(*) FROM petition")).scalar_one() == 6
    # Every county made the prefecture's office record as its parent, as the hub did: the same
    # record, with nothing in conflict.
    from app.sync import engine

    assert engine.conflicts(built.store) == []


def test_a_package_refused_at_the_hub_leaves_postgresql_unchanged(built: Hub) -> None:
    county = built.counties[0]
    package = service.export(county.master, built.folder / "p.dsp", PASS, full=True).path
    data = package.read_bytes()
    broken = built.folder / "broken.dsp"
    broken.write_bytes(data[: len(data) // 2] + bytes([data[len(data) // 2] ^ 1])
                       + data[len(data) // 2 + 1:])
    stranger = made_county(built.folder, "632625", 1)  # 久治: the hub is not enrolled there
    other = service.export(stranger.master, built.folder / "o.dsp", PASS, full=True).path
    before = _counts(built.store)
    done = hub.import_packages(built.store, [broken, other], PASS)
    assert [d.problem is not None for d in done] == [True, True]
    assert "not enrolled in" in str(done[1].problem)
    assert _counts(built.store) == before
    stranger.master.close()


def test_the_hub_sends_a_county_its_own_logs_and_the_hubs_never_another_countys(
        built: Hub) -> None:
    packages = [service.export(c.master, built.folder / f"{c.code}.dsp", PASS, full=True).path
                for c in built.counties]
    assert all(d.problem is None for d in hub.import_packages(built.store, packages, PASS))
    darlag = built.counties[0]
    back = hub.export_to(built.store, darlag.code, built.folder / "back.dsp", PASS)
    got = service.import_package(darlag.master, back.path, PASS)
    assert got.sender_id == built.store.device_id
    with darlag.master.read() as session:
        # Only its own three petitions: nothing of the other counties came back.
        assert session.execute(text("SELECT COUNT(*) FROM petition")).scalar_one() == 3
        logs = {str(d) for (d,) in session.execute(text(
            "SELECT DISTINCT device_id FROM sync_version"))}
    assert logs == {darlag.master.device_id, built.store.device_id}


def test_the_hub_commands_say_what_is_wrong_and_change_nothing(
        postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = ["--data-dir", str(tmp_path / "here")]
    monkeypatch.delenv("DOORSTEP_HUB_DB", raising=False)
    monkeypatch.setenv("DOORSTEP_PASSPHRASE", PASS)
    monkeypatch.setenv("DOORSTEP_STAFF_PASSPHRASE", "州院管理员的口令")
    assert main([*data, "hub", "counties"]) == 1
    assert "--db" in capsys.readouterr().err
    assert main([*data, "hub", "counties", "--db", postgres_url]) == 1
    assert capsys.readouterr().err.strip() == _(server.NO_HUB).format(
        server=server.shown_url(postgres_url))
    assert main([*data, "hub", "init", "--db", "mysql://x@y/z", "--office", PREFECTURE,
                 "--name", "州院", "--admin", "才让"]) == 1
    assert capsys.readouterr().err.strip() == _(server.NOT_A_URL).format(
        server="mysql://x@y/z")
    unreachable = "postgresql+psycopg://nobody@/x?host=/nonexistent-socket-folder"
    assert main([*data, "hub", "counties", "--db", unreachable]) == 1
    assert capsys.readouterr().err.startswith(
        _(server.UNREACHABLE).split("{error}")[0].format(server=server.shown_url(unreachable)))
    assert main([*data, "hub", "init", "--db", postgres_url, "--office", PREFECTURE,
                 "--name", "果洛州院", "--admin", "才让"]) == 0
    assert main([*data, "hub", "counties", "--db", postgres_url]) == 0
    assert capsys.readouterr().err == ""
    assert main([*data, "hub", "request", "--db", postgres_url, "--county", "999999",
                 "--out", str(tmp_path / "r")]) == 1
    assert "999999" in capsys.readouterr().err and not (tmp_path / "r").exists()
    assert main([*data, "hub", "request", "--db", postgres_url, "--county", COUNTIES[0],
                 "--out", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r").stat().st_size > 0
    assert main([*data, "hub", "import", "--db", postgres_url,
                 str(tmp_path / "missing.dsp")]) == 1
    assert "missing.dsp" in capsys.readouterr().err


def test_staff_log_in_to_the_hub_with_passphrases_kept_in_its_database(
        postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.accounts import hub_login, login, staff
    from app.accounts.login import NewAccount
    from app.core.errors import ValidationError
    from app.core.labels import StaffRole

    monkeypatch.setattr(hub_login, "SCRYPT_N", 2**14)  # the least a seal may use: faster
    paths = AppPaths(tmp_path / "clerk-pc")
    store = open_server_store(postgres_url, paths, create=True)
    try:
        admin = NewAccount("才让", "ཚེ་རིང་", StaffRole.ADMIN, "州院管理员的口令", "州院管理员的口令")
        hub.init_hub(store, "果洛州院", PREFECTURE, PASS, admin)
        [account] = hub_login.accounts(store)
        assert (account.name_zh, account.role) == ("才让", StaffRole.ADMIN)
        check = functools.partial(hub_login.check, store)
        assert login.unlock(paths, account.staff_id, "州院管理员的口令", hub=check) == b""
        with pytest.raises(ValidationError, match="wrong"):
            login.unlock(paths, account.staff_id, "not the passphrase", hub=check)
        assert [who for who, _at in login.pending_failures(paths)] == [account.staff_id]
        # Logged in, the administrator adds a clerk who logs in from another computer.
        login.begin(store, account.staff_id)
        clerk = staff.add_staff(store, staff.StaffInput("卓玛", "སྒྲོལ་མ་", StaffRole.CLERK, ""),
                                "卓玛的新口令123", "卓玛的新口令123")
        other = open_server_store(postgres_url, AppPaths(tmp_path / "other-pc"))
        try:
            assert {a.name_zh for a in hub_login.accounts(other)} == {"才让", "卓玛"}
            hub_login.check(other, clerk, "卓玛的新口令123")
            with pytest.raises(ValidationError):
                hub_login.check(other, clerk, "州院管理员的口令")
        finally:
            other.close()
        assert {a.staff_id: a.logs_in_here for a in staff.staff_accounts(store)} \
            == {account.staff_id: True, clerk: True}
        staff.remove_staff(store, clerk)
        assert [a.name_zh for a in hub_login.accounts(store)] == ["才让"]
    finally:
        store.close()


def test_the_hub_finds_an_audit_entry_changed_in_its_database(built: Hub) -> None:
    """The record of what was done is checked on the hub as on a laptop: an entry edited in
    the database, past the guards (capture off, as a person with the server's password could),
    is found, for the laptop whose entry it is."""
    from app.audit import trail

    packages = [service.export(c.master, built.folder / f"{c.code}.dsp", PASS, full=True).path
                for c in built.counties]
    assert all(d.problem is None for d in hub.import_packages(built.store, packages, PASS))
    assert trail.verify(built.store) == []
    darlag = built.counties[0].master.device_id
    with built.store.engine.begin() as conn:
        conn.execute(text("SELECT set_config('doorstep.applying', '1', true)"))
        conn.execute(text("UPDATE audit_entry SET detail = '{\"forged\": 1}'"
                          " WHERE log_id = :log AND seq = 2"), {"log": darlag})
    [found] = trail.verify(built.store)
    assert (found.log_id, found.after) == (darlag, 1)


def _varied(county: County, seed: int) -> None:
    """Petitions of 2025 and 2026 in the county, varied by ``seed``: channels, replies on time
    and late, resolutions, a group petition, an anonymous letter, wages recovered."""
    from datetime import date, datetime

    from app.persons.records import PersonInput
    from app.petitions import outcomes
    from app.petitions.intake import record_reply
    from app.petitions.outcomes import LawsuitInput

    as_of = date(2026, 12, 31)
    channels = ("visit", "letter", "phone", "web", "video")
    for n in range(4 + seed):
        when = datetime(2025 + n % 2, 1 + (n * 5 + seed) % 12, 1 + (n * 7) % 27, 9, 30)
        changes: dict[str, object] = {"channel": channels[(n + seed) % 5], "persons": [
            PersonInput(name_zh=f"人{seed}{n}", preferred_language="bo" if n % 2 else "zh")]}
        if n == 2:
            changes.update(is_group=True, head_count=10 + seed, persons=[PersonInput(
                name_zh=f"代表{seed}", preferred_language="bo", role="representative")])
        petition_id = register(county.master, petition(when.isoformat(timespec="minutes"),
                                                       **changes), now=when).id
        if n % 3 != 1:
            record_reply(county.master, petition_id, "procedural",
                         when.date() + timedelta(days=5 + n % 4), "phone", "已答复",
                         today=as_of)
        if n % 3 == 0:
            outcomes.record_resolution(county.master, petition_id, "resolved",
                                       (when.date() + timedelta(days=30)).isoformat(),
                                       today=as_of)
        if n == 3:
            outcomes.add_lawsuit_support(county.master, petition_id, LawsuitInput(
                True, str(3 + seed), str(10000 * (seed + 1)), seed % 2 == 0,
                (when.date() + timedelta(days=40)).isoformat()), today=as_of)
        if n == 4:
            outcomes.set_unanswerable(county.master, petition_id, "anonymous")


def test_statistics_across_three_counties_are_the_sum_of_each_countys_own(built: Hub) -> None:
    """The prefecture's report on the hub (every office it holds) is, measure by measure and
    month by month, the sum of the three counties' reports on their own laptops."""
    from datetime import date

    from app.statistics import measures
    from app.statistics.periods import parse_period

    for seed, county in enumerate(built.counties):
        _varied(county, seed)
    packages = [service.export(c.master, built.folder / f"{c.code}.dsp", PASS, full=True).path
                for c in built.counties]
    assert all(d.problem is None for d in hub.import_packages(built.store, packages, PASS))
    period, as_of = parse_period("2026"), date(2026, 12, 31)
    prefecture = measures.statistics(built.store, period, measures.Scope(), as_of)
    counties = [measures.statistics(c.master, period, measures.Scope(), as_of)
                for c in built.counties]
    assert prefecture.current["received"] > 10
    for key, value in prefecture.current.items():
        assert value == sum(c.current[key] for c in counties), key
    for key, value in prefecture.base.items():
        assert value == sum(c.base[key] for c in counties), key
    for key, months in prefecture.monthly.items():
        for month, value in months.items():
            assert value == sum(c.monthly.get(key, {}).get(month, 0) for c in counties), \
                (key, month)
    # And one county's figures on the hub are that county's own.
    darlag = measures.office_scope(built.store, built.counties[0].code)
    assert measures.statistics(built.store, period, darlag, as_of).current \
        == counties[0].current


def test_commands_read_and_report_on_the_hub_for_its_staff_and_refuse_a_laptops_work(
        built: Hub, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """With --db, the commands work on the hub for a staff member who logs in there (the
    report covers every county); a laptop's file work (backups, its sync) is refused there."""
    import json

    from app.accounts import hub_login
    from app.core.identity import this_device
    from app.core.sealing import WRONG_PASSPHRASE
    from models import Staff

    monkeypatch.setattr(hub_login, "SCRYPT_N", 2**14)
    device = this_device(built.store)
    assert device is not None
    with built.store.write() as session:
        staff = Staff(office_id=device.office_id, name_zh="才让", name_bo="", role="chief")
        session.add(staff)
        session.flush()
        hub_login.give(session, staff.id, "州院检察长口令")
    packages = [service.export(c.master, built.folder / f"{c.code}.dsp", PASS, full=True).path
                for c in built.counties]
    assert all(d.problem is None for d in hub.import_packages(built.store, packages, PASS))
    data = ["--data-dir", str(built.folder / "here"), "--db", built.url, "--staff", "才让"]
    monkeypatch.setenv("DOORSTEP_STAFF_PASSPHRASE", "州院检察长口令")
    assert main(["dump", *data]) == 0
    dumped = json.loads(capsys.readouterr().out)
    assert len([p for p in dumped["petition"] if not p["deleted"]]) == 6
    out = built.folder / "report.xlsx"
    assert main(["report", *data, "--period", "2026", "--out", str(out)]) == 0
    assert out.stat().st_size > 0
    capsys.readouterr()
    tables = built.folder / "tables"
    tables.mkdir()
    assert main(["export-table", "all", *data, "--out", str(tables)]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 9
    with (tables / "petitions.csv").open(encoding="utf-8-sig") as f:
        assert len(list(csv.DictReader(f))) == 6
    for command in (["backup"], ["export", "--to", str(built.folder / "x.dsp")]):
        assert main([*command, *data]) == 1
        assert capsys.readouterr().err.strip() == _(NOT_ON_A_HUB[command[0]]).format(
            server=server.shown_url(built.url))
    assert not (built.folder / "x.dsp").exists()
    monkeypatch.setenv("DOORSTEP_STAFF_PASSPHRASE", "not the passphrase")
    assert main(["dump", *data]) == 1
    assert capsys.readouterr().err.strip() == _(WRONG_PASSPHRASE)
