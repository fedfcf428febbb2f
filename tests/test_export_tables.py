"""The raw tables for the prefecture: CSV files Excel opens, masked unless asked, live rows only,
exact money, filters, atomic writes and plain messages when the folder is wrong."""

from __future__ import annotations

import csv
import errno
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from app.aid import cases as aid
from app.aid.cases import AidProposal, PaymentInput
from app.cli.main import main
from app.core import errors, files
from app.core.errors import AppError
from app.core.identity import ensure_device
from app.core.paths import AppPaths
from app.core.store import Store
from app.hearings import agreements
from app.hearings import record as hearings
from app.hearings.record import HearingInput
from app.petitions.detail import petition_detail
from app.statistics import tables
from models import Conciliation, Escalation, LawsuitSupport, Petition
from tests.helpers import add_leaders, office_with_staff, petition, register, set_up, tashi
from tests.stores import open_test_store

NOW = datetime(2026, 11, 24, 16, 0)
TODAY = date(2026, 11, 26)
MAQIN = "632621"


@dataclass
class Data:
    store: Store
    darlag: str
    maqin_reg_no: str
    deleted_reg_no: str


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _live(store: Store, table: str) -> int:
    with store.read() as session:
        return int(session.connection().exec_driver_sql(
            f"SELECT count(*) FROM {table} WHERE NOT deleted").scalar_one())


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Data]:
    """达日: three petitions (one deleted), a hearing, its agreement, an aid case paid 12000.50
    by bank transfer and reversed once, outcomes; 玛沁: one petition."""
    store = open_test_store(AppPaths(tmp_path_factory.mktemp("export") / "data"))
    ensure_device(store, "test laptop")
    darlag, chief = office_with_staff(store)
    deputy, procurator = add_leaders(store, darlag)
    first = register(store, petition("2026-11-20T09:30"), now=NOW)
    register(store, petition("2026-11-22T10:00", persons=[tashi(
        name_bo="སྒྲོལ་མ", name_zh="卓玛", id_number="", phone="")]), now=NOW)
    gone = register(store, petition("2026-11-23T11:00", persons=[tashi(
        name_bo="", name_zh="王芳", id_number="", phone="13800001111")]), now=NOW)
    with store.write() as session:
        row = session.get(Petition, gone.id)
        assert row is not None
        row.deleted = True
    party = petition_detail(store, first.id).parties[0].person_id
    hearing_id = hearings.record_hearing(store, HearingInput(
        petition_id=first.id, kind="doorstep", held_at="2026-11-24T14:00", township="窝赛乡",
        host_id=chief, party_ids=[party], outcome="settled"), chief, now=NOW)
    agreements.draft_agreement(store, store.paths, hearing_id, chief)
    case = aid.propose(store, AidProposal(first.id, [party], "poor", "家庭生活困难。", "12000.50",
                                          "符合国家司法救助条件。"), procurator, today=TODAY)
    aid.decide(store, case, "approved", deputy, now=NOW)
    paid = aid.pay(store, PaymentInput(case, "12000.50", "2026-11-25", "扎西才让", "self",
                                       payee_id_number="632624198503120012", method="bank",
                                       bank_name="青海省农村信用社",
                                       account_no="6230580000123456789"),
                   procurator, today=TODAY)
    aid.reverse(store, paid, "账号填错", procurator, today=TODAY)
    with store.write() as session:
        session.add_all([
            Conciliation(petition_id=first.id, kind="mediation", concluded_on="2026-11-25"),
            LawsuitSupport(petition_id=first.id, workers=3, recovered_fen=5,
                           concluded_on="2026-11-25"),
            Escalation(petition_id=first.id, kind="upward", level="province",
                       on_date="2026-11-26")])
    set_up(store, MAQIN)  # the laptop now registers for 玛沁
    maqin = register(store, petition("2026-11-21T09:00", persons=[tashi(
        name_bo="ནོར་བུ", name_zh="诺布", id_number="", phone="")]), now=NOW)
    yield Data(store, darlag, maqin.reg_no, gone.reg_no)
    store.close()


def test_every_table_holds_its_live_rows_in_excel_friendly_csv(data: Data,
                                                               tmp_path: Path) -> None:
    counts = tables.export_all(data.store, tmp_path)
    live = {"petitions": "petition", "persons": "person", "hearings": "hearing",
            "agreements": "agreement", "aid_cases": "aid_case", "aid_payments": "aid_payment",
            "conciliations": "conciliation", "lawsuit_support": "lawsuit_support",
            "escalations": "escalation"}
    assert set(counts) == set(live) == set(tables.TABLES)
    for name, table in live.items():
        rows = _read(tmp_path / f"{name}.csv")
        # Persons: the deleted petition's person is still a live person.
        assert len(rows) == counts[name] == _live(data.store, table), name
    raw = (tmp_path / "petitions.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfpetition_id,registration_no,office_code,")
    assert b"\r\n" in raw
    assert not list(tmp_path.glob("*.part"))
    petitions = _read(tmp_path / "petitions.csv")
    assert data.deleted_reg_no not in {p["registration_no"] for p in petitions}
    first = petitions[0]
    assert (first["office_code"], first["office_name"]) == ("632624", "达日县人民检察院")
    assert (first["registration_no"], first["received_on"]) == ("达检信〔2026〕1号", "2026-11-20")
    assert (first["channel"], first["category"], first["reply_due"]) == (
        "visit", "appeal", "2026-11-27")
    assert (first["petitioners_zh"], first["petitioners_bo"]) == ("扎西才让", "བཀྲ་ཤིས་ཚེ་རིང")
    hearing = _read(tmp_path / "hearings.csv")[0]
    assert (hearing["registration_no"], hearing["outcome"], hearing["party_count"]) == (
        "达检信〔2026〕1号", "settled", "1")


def test_id_phone_and_account_numbers_are_masked_unless_asked(data: Data,
                                                              tmp_path: Path) -> None:
    masked, full = tmp_path / "masked.csv", tmp_path / "full.csv"
    tables.export_table(data.store, "persons", masked)
    tables.export_table(data.store, "persons", full, unmask=True)
    by_name = {p["name_zh"]: p for p in _read(masked)}
    assert by_name["扎西才让"]["id_number"] == "632624***********2"
    assert by_name["扎西才让"]["phone"] == "139****1234"
    assert by_name["卓玛"]["id_number"] == "" and by_name["卓玛"]["phone"] == ""
    assert "632624198503120012" not in masked.read_text(encoding="utf-8-sig")
    unmasked = {p["name_zh"]: p for p in _read(full)}
    assert unmasked["扎西才让"]["id_number"] == "632624198503120012"
    assert unmasked["扎西才让"]["phone"] == "13909751234"

    tables.export_table(data.store, "aid_payments", masked)
    tables.export_table(data.store, "aid_payments", full, unmask=True)
    payment = _read(masked)[0]
    assert payment["account_no"] == "***************6789"
    assert payment["payee_id_number"] == "632624***********2"
    assert _read(full)[0]["account_no"] == "6230580000123456789"


def test_money_is_exact_fen_and_yuan(data: Data, tmp_path: Path) -> None:
    out = tmp_path / "payments.csv"
    tables.export_table(data.store, "aid_payments", out)
    assert [(p["amount_fen"], p["amount_yuan"]) for p in _read(out)] == [
        ("1200050", "12000.50"), ("-1200050", "-12000.50")]
    tables.export_table(data.store, "aid_cases", out)
    case = _read(out)[0]
    assert (case["approved_yuan"], case["proposed_yuan"], case["paid_yuan"]) == (
        "12000.50", "12000.50", "0.00")
    tables.export_table(data.store, "lawsuit_support", out)
    assert _read(out)[0]["recovered_yuan"] == "0.05"


def test_office_and_period_select_petitions_and_what_belongs_to_them(
        data: Data, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    assert tables.export_table(data.store, "petitions", out) == 3
    assert tables.export_table(data.store, "petitions", out, office_id=data.darlag) == 2
    assert data.maqin_reg_no not in {p["registration_no"] for p in _read(out)}
    tables.export_table(data.store, "persons", out, office_id=data.darlag)
    assert {p["name_zh"] for p in _read(out)} == {"扎西才让", "卓玛"}
    assert tables.export_table(data.store, "petitions", out, date_from=date(2026, 11, 21),
                               date_to=date(2026, 11, 22)) == 2
    assert tables.export_table(data.store, "hearings", out, date_from=date(2026, 11, 21)) == 0
    with pytest.raises(AppError, match="starts after it ends"):
        tables.export_table(data.store, "petitions", out, date_from=date(2026, 12, 1),
                            date_to=date(2026, 11, 1))


def test_unknown_table_lists_the_tables(data: Data, tmp_path: Path) -> None:
    with pytest.raises(tables.UnknownTableError) as caught:
        tables.export_table(data.store, "petition", tmp_path / "p.csv")
    assert "petitions, persons, hearings" in str(caught.value)


@pytest.mark.parametrize(("code", "error"), [
    (errno.ENOSPC, errors.DiskFullError), (errno.EROFS, errors.ReadOnlyDiskError),
    (errno.EACCES, errors.NotAllowedError)])
def test_a_failed_write_leaves_no_file_and_says_why(
        data: Data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int,
        error: type[AppError]) -> None:
    def fail(_fd: int) -> None:
        raise OSError(code, "simulated")

    monkeypatch.setattr(files.os, "fsync", fail)
    with pytest.raises(error) as caught:
        tables.export_table(data.store, "petitions", tmp_path / "p.csv")
    assert list(tmp_path.iterdir()) == []
    assert "simulated" not in caught.value.translated()


@pytest.mark.sqlite_file  # the store's file, locked by another program
def test_a_locked_store_is_a_message(data: Data, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(*_args: object, **_kwargs: object) -> sqlite3.Connection:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(tables.sqlite3, "connect", locked)
    with pytest.raises(tables.StoreLockedError):
        tables.export_table(data.store, "petitions", tmp_path / "p.csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.sqlite_file  # the command given the laptop's data folder (a hub's: test_hub.py)
def test_command_line_writes_the_files(data: Data, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    home = str(data.store.paths.data_dir)
    out = tmp_path / "petitions.csv"
    assert main(["export-table", "petitions", "--data-dir", home, "--out", str(out),
                 "--office", MAQIN]) == 0
    assert capsys.readouterr().out.strip() == f"petitions：1 行 → {out}"
    assert [p["registration_no"] for p in _read(out)] == [data.maqin_reg_no]
    assert main(["export-table", "all", "--data-dir", home, "--out", str(tmp_path),
                 "--unmask", "--from", "2026-11-01", "--to", "2026-11-30"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == len(tables.TABLES) and printed[0].startswith("petitions：3 行")
    assert _read(tmp_path / "persons.csv")[0]["id_number"] == "632624198503120012"


@pytest.mark.sqlite_file  # the command given the laptop's data folder
@pytest.mark.parametrize("args", [
    ["petitions", "--out", "{tmp}/missing/petitions.csv"],
    ["all", "--out", "{tmp}/missing"],
    ["petition", "--out", "{tmp}/p.csv"],
    ["petitions", "--out", "{tmp}/p.csv", "--office", "999999"],
    ["petitions", "--out", "{tmp}/p.csv", "--from", "2026-13-01"]])
def test_command_line_mistakes_are_one_line_without_a_traceback(
        data: Data, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    argv = ["export-table", "--data-dir", str(data.store.paths.data_dir),
            *(a.format(tmp=tmp_path) for a in args)]
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err
    assert not list(tmp_path.rglob("*.csv*"))
