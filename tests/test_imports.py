"""Bringing in the hand-kept registers (issue 17, point 7): an Excel ledger with a title line,
a merged two-level header, Chinese dates, a bad ID number and a duplicate row imports the good
rows and names the refused ones; importing it again adds nothing; a person already in the
store is matched; a GB18030 .csv register becomes petitions; the import is one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select, text
from stdnum.cn import ric

from app.accounts import login
from app.audit.trail import Action
from app.core import access
from app.core.access import Permission
from app.core.errors import AppError
from app.core.i18n import _
from app.core.progress import CancelledError
from app.core.scratch import Workspace
from app.core.store import Store
from app.imports import bringing, fields, sheets
from app.imports.bringing import Options
from app.imports.fields import Kind
from app.imports.sheets import ImportFileError
from app.ledger import entries
from models import AuditEntry, KeyPetitioner, LevelChange, Person, Petition
from tests.helpers import AidOffice, every_role, refused

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 10, 0)
KNOWN_ID = "632624198503120012"  # 扎西才让, registered by every_role


def _id(body: str) -> str:
    """A resident ID number with its right check digit."""
    return body + ric.calc_check_digit(body + "0")


DROLMA_ID = _id("63262419900101002")
SONAM_ID = _id("63262419780203003")
BAD_ID = KNOWN_ID[:-1] + "3"  # the check digit does not match


def ledger_workbook(path: Path) -> Path:
    """A county's ledger as offices keep it: a merged title line, a blank row, a header of two
    rows (基本情况 merged over 姓名 / 身份证号 / 联系电话, the others merged down), dates
    written in Chinese and as a date cell, a bad ID number, a duplicate row, a blank row."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "台账"
    sheet["A1"] = "达日县人民检察院重点信访人员台账"
    sheet.merge_cells("A1:I1")
    heads = {"A": "序号", "E": "列管日期", "F": "反映问题", "G": "风险等级", "H": "包案领导",
             "I": "目前状况"}
    for column, name in heads.items():
        sheet[f"{column}3"] = name
        sheet.merge_cells(f"{column}3:{column}4")
    sheet["B3"] = "基本情况"
    sheet.merge_cells("B3:D3")
    sheet["B4"], sheet["C4"], sheet["D4"] = "姓名", "身份证号", "联系电话"
    rows = [
        (5, [1, "扎西才让", KNOWN_ID, "13909751234", "2023年5月6日", "草场承包纠纷", "红",
             "才让", "情绪激动，扬言进京"]),
        (6, [2, "卓玛措", DROLMA_ID, "13997001122", "2023.5.6", "工资被拖欠", "黄色", "",
             "已息诉"]),
        (7, [3, "才让多杰", BAD_ID, "", "2023/6/1", "房屋拆迁补偿", "绿", "", ""]),
        (9, [4, "卓玛措", DROLMA_ID, "13997001122", "2023.5.6", "工资被拖欠", "黄色", "",
             "已息诉"]),
        (10, [5, "索南", SONAM_ID, "", datetime(2023, 6, 1), "土地征收", "绿", "王某", ""]),
    ]
    for number, values in rows:
        for index, value in enumerate(values):
            sheet.cell(row=number, column=index + 1, value=value)
    book.save(path)
    return path


@pytest.fixture
def office(store: Store) -> AidOffice:
    return every_role(store)[0]


@pytest.fixture
def workspace(store: Store) -> Iterator[Workspace]:
    with sheets.begin(store.paths) as space:
        yield space


def _ledger_options(office: AidOffice, staged: sheets.StagedSheet) -> Options:
    return Options(Kind.LEDGER, office.office_id, fields.propose(Kind.LEDGER, staged.columns))


def _count(store: Store, model: type) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)
                                  .where(model.deleted.is_(False))) or 0)


def test_the_header_is_found_under_the_title_and_its_two_rows_make_the_names(
        office: AidOffice, workspace: Workspace, tmp_path: Path) -> None:
    staged = sheets.stage(workspace, ledger_workbook(tmp_path / "台账.xlsx"), "台账")
    assert staged.header_rows == [3, 4]
    assert staged.columns == ["序号", "基本情况/姓名", "基本情况/身份证号", "基本情况/联系电话",
                              "列管日期", "反映问题", "风险等级", "包案领导", "目前状况"]
    assert staged.rows == 5  # the blank rows are skipped
    assert [row for row, _cells in sheets.staged_rows(staged)] == [5, 6, 7, 9, 10]
    mapping = fields.propose(Kind.LEDGER, staged.columns)
    assert mapping == {"name_zh": 1, "id_number": 2, "phone": 3, "entered_on": 4, "reason": 5,
                       "level": 6, "leader": 7, "situation": 8}


def test_the_preview_shows_the_rows_to_import_and_every_refused_row_with_its_reason(
        office: AidOffice, workspace: Workspace, tmp_path: Path) -> None:
    staged = sheets.stage(workspace, ledger_workbook(tmp_path / "台账.xlsx"))
    seen = bringing.preview(office.store, staged, _ledger_options(office, staged), today=TODAY,
                            now=NOW)
    assert [r.row for r in seen.rows] == [5, 6, 10]
    assert seen.to_import == 3 and seen.already == 0
    first, second, third = seen.rows
    assert first.known_person and not second.known_person
    assert (first.values["entered_on"], second.values["entered_on"],
            third.values["entered_on"]) == ("2023-05-06", "2023-05-06", "2023-06-01")
    assert (first.values["level"], second.values["level"], third.values["level"]) \
        == ("red", "yellow", "green")
    assert [n.text() for n in third.notes] == [
        _("{name} is not on this office's staff as {duty}: left blank.").format(
            name="王某", duty=_("leader in charge"))]
    assert [(r.row, r.text()) for r in seen.refused] == [
        (7, _("The last character of this ID number (its check digit) does not match the "
              "others: please check the number.")),
        (9, _("This row repeats row {row} of the sheet.").format(row=6))]
    assert _count(office.store, KeyPetitioner) == 0  # a preview changes nothing


def test_a_ledger_imports_its_good_rows_once_and_matches_the_person_already_known(
        office: AidOffice, workspace: Workspace, tmp_path: Path) -> None:
    path = ledger_workbook(tmp_path / "台账.xlsx")
    persons_before = _count(office.store, Person)
    staged = sheets.stage(workspace, path)
    done = bringing.run_import(office.store, staged, _ledger_options(office, staged),
                               today=TODAY, now=NOW)
    assert (done.imported, done.already) == (3, 0)
    assert [r.row for r in done.refused] == [7, 9]
    # 扎西才让 was known by his ID number: two persons are new, not three.
    assert _count(office.store, Person) == persons_before + 2
    rows = {r.name_zh: r for r in entries.ledger(office.store, office.office_id)}
    assert set(rows) == {"扎西才让", "卓玛措", "索南"}
    assert rows["扎西才让"].person_id == office.person_id
    assert (rows["扎西才让"].level, rows["卓玛措"].level, rows["索南"].level) \
        == ("red", "yellow", "green")
    assert rows["扎西才让"].leader_id == office.deputy and rows["索南"].leader_id == ""
    assert rows["扎西才让"].entered_on == "2023-05-06"
    assert rows["扎西才让"].reason == "草场承包纠纷"
    detail = entries.entry_detail(office.store, rows["扎西才让"].entry_id)
    assert detail.situation == "情绪激动，扬言进京"
    assert [c.to_level for c in detail.levels] == ["red"]
    with office.store.read() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == Action.IMPORTED))
        assert entry is not None and '"file":"台账.xlsx"' in entry.detail
        assert '"count":3' in entry.detail and '"refused":2' in entry.detail

    again = bringing.run_import(office.store, sheets.stage(workspace, path),
                                _ledger_options(office, staged), today=TODAY, now=NOW)
    assert (again.imported, again.already, len(again.refused)) == (0, 3, 2)
    assert _count(office.store, KeyPetitioner) == 3
    assert _count(office.store, LevelChange) == 3
    with office.store.read() as session:  # versions that travel in the next package
        versions = session.execute(text(
            "SELECT COUNT(DISTINCT row_id) FROM sync_version WHERE tbl = 'key_petitioner'"
            " AND device_id = :device"), {"device": office.store.device_id}).scalar()
    assert versions == 3
    assert _count(office.store, Person) == persons_before + 2


def test_a_failure_half_way_keeps_nothing(office: AidOffice, workspace: Workspace,
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    staged = sheets.stage(workspace, ledger_workbook(tmp_path / "台账.xlsx"))
    persons_before = _count(office.store, Person)
    saved: list[int] = []
    real_save = bringing._Reader.save

    def failing(self: bringing._Reader, store: Store, read: bringing._Row,
                known: Person | None) -> None:
        if saved:
            raise AppError("the disk is full")
        saved.append(read.row)
        real_save(self, store, read, known)

    monkeypatch.setattr(bringing._Reader, "save", failing)
    with pytest.raises(AppError, match="disk is full"):
        bringing.run_import(office.store, staged, _ledger_options(office, staged),
                            today=TODAY, now=NOW)
    assert saved == [5]  # the first row was added, then the second failed
    assert _count(office.store, KeyPetitioner) == 0
    assert _count(office.store, Person) == persons_before


class _CancelAtTheEnd:
    def stage(self, text: str) -> None:
        pass

    def __call__(self, done: int, total: int) -> None:
        pass

    def is_cancelled(self) -> bool:
        return True


def test_cancelling_keeps_nothing(office: AidOffice, workspace: Workspace,
                                  tmp_path: Path) -> None:
    staged = sheets.stage(workspace, ledger_workbook(tmp_path / "台账.xlsx"))
    with pytest.raises(CancelledError):
        bringing.run_import(office.store, staged, _ledger_options(office, staged),
                            today=TODAY, now=NOW, progress=_CancelAtTheEnd())
    assert _count(office.store, KeyPetitioner) == 0


def petition_csv(path: Path) -> Path:
    """A petition register saved by Chinese Excel as .csv: GB18030, no BOM."""
    lines = [
        "登记编号,登记日期,姓名,身份证号,来访方式,反映问题,主要诉求",
        f"达检信〔2023〕5号,2023年5月6日,卓玛措,{DROLMA_ID},来信,工资被拖欠,追回工资",
        f",二〇二三年六月十二日,扎西才让,{KNOWN_ID},来访,草场承包纠纷,重新划界",
        f"达检信〔2023〕5号,2023-05-06,卓玛措,{DROLMA_ID},来信,工资被拖欠,追回工资",
        f"达检信〔2023〕7号,2023年13月1日,索南,{SONAM_ID},来访,土地征收,补偿",
        f"达检信〔2023〕8号,2023/7/2,索南,{SONAM_ID},飞鸽传书,土地征收,补偿",
        "",
    ]
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    return path


def test_a_gb18030_register_becomes_petitions_once(office: AidOffice, workspace: Workspace,
                                                    tmp_path: Path) -> None:
    path = petition_csv(tmp_path / "登记簿.csv")
    assert sheets.sheet_names(path) == [""]
    staged = sheets.stage(workspace, path)
    assert staged.columns[:3] == ["登记编号", "登记日期", "姓名"]
    mapping = fields.propose(Kind.PETITIONS, staged.columns)
    assert mapping == {"reg_no": 0, "received_at": 1, "name_zh": 2, "id_number": 3,
                       "channel": 4, "summary": 5, "requests": 6}
    options = Options(Kind.PETITIONS, office.office_id, mapping, category="appeal",
                      business_type="other")
    before = _count(office.store, Petition)
    persons_before = _count(office.store, Person)
    done = bringing.run_import(office.store, staged, options, today=TODAY, now=NOW)
    assert done.imported == 2
    assert [(r.row, r.reason) for r in done.refused] == [
        (4, bringing.Note(bringing.DUPLICATE, {"row": 2})),
        (5, bringing.Note(bringing.NOT_A_DATE, {"value": "2023年13月1日"})),
        (6, bringing.Note(bringing.BAD_CHANNEL, {"value": "飞鸽传书"}))]
    assert "2023年13月1日" in done.refused[1].text()
    assert _count(office.store, Petition) == before + 2
    assert _count(office.store, Person) == persons_before + 1  # 扎西才让 is matched
    with office.store.read() as session:
        kept = session.scalar(select(Petition).where(Petition.reg_no == "达检信〔2023〕5号"))
        assert kept is not None
        assert (kept.received_at, kept.channel, kept.summary, kept.requests, kept.reg_seq) \
            == ("2023-05-06T00:00", "letter", "工资被拖欠", "追回工资", None)
        assert kept.reply_due  # deadlines computed as at intake
        numbered = session.scalar(select(Petition).where(
            Petition.received_at == "2023-06-12T00:00"))
        assert numbered is not None and numbered.reg_year == 2023
        assert numbered.is_repeat  # 扎西才让 had petitioned before

    again = bringing.run_import(office.store, sheets.stage(workspace, path), options,
                                today=TODAY, now=NOW)
    assert (again.imported, again.already) == (0, 2)
    assert _count(office.store, Petition) == before + 2


def test_utf8_with_a_bom_is_read_too(office: AidOffice, workspace: Workspace,
                                      tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    path.write_text("\ufeff姓名,风险等级,列管原因\r\n索南,红色预警,土地征收\r\n", encoding="utf-8")
    staged = sheets.stage(workspace, path)
    assert staged.columns == ["姓名", "风险等级", "列管原因"]
    assert list(sheets.staged_rows(staged)) == [(2, ["索南", "红色预警", "土地征收"])]


def test_tibetan_and_chinese_column_names_are_proposed() -> None:
    columns = ["ཨང་རྟགས", "མིང་", "ངོ་སྤྲོད་ལག་ཁྱེར་ཨང་", "ཁ་པར་", "ཉེན་ཁའི་རིམ་པ་", "预警等级（红/黄/绿）",
               "专办人"]
    assert fields.propose(Kind.LEDGER, columns) == {
        "name_zh": 1, "id_number": 2, "phone": 3, "level": 4, "responsible": 6}
    assert fields.propose(Kind.PETITIONS, ["序号", "来访时间", "信访人", "公民身份号码",
                                           "主要诉求", "反映问题", "包案领导"]) == {
        "received_at": 1, "name_zh": 2, "id_number": 3, "requests": 4, "summary": 5,
        "leader": 6}


@pytest.mark.parametrize(("text", "day"), [
    ("2023年5月6日", "2023-05-06"), ("2023.5.6", "2023-05-06"), ("2023-05-06", "2023-05-06"),
    ("2023/5/6", "2023-05-06"), ("二〇二三年五月六日", "2023-05-06"),
    ("二〇二三年十二月二十六日", "2023-12-26"), ("20230506", "2023-05-06"),
    ("45052", "2023-05-06"), ("2023年2月30日", None), ("去年", None)])
def test_chinese_dates_are_read(text: str, day: str | None) -> None:
    moment = fields.parse_moment(text)
    assert (moment.date().isoformat() if moment else None) == day


def test_unreadable_files_say_what_is_wrong(workspace: Workspace, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImportFileError) as missing:
        sheets.stage(workspace, tmp_path / "没有.xlsx")
    assert missing.value.message == sheets.NO_FILE
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook")
    with pytest.raises(ImportFileError) as not_xlsx:
        sheets.sheet_names(fake)
    assert not_xlsx.value.message == sheets.NOT_XLSX
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ImportFileError) as xls:
        sheets.sheet_names(old)
    assert xls.value.message == sheets.NOT_XLSX
    with pytest.raises(ImportFileError) as other:
        sheets.sheet_names(tmp_path / "notes.docx")
    assert other.value.message == sheets.BAD_KIND
    locked = ledger_workbook(tmp_path / "locked.xlsx")

    def held_by_excel(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(locked))

    with monkeypatch.context() as patched:
        patched.setattr(openpyxl, "load_workbook", held_by_excel)
        with pytest.raises(ImportFileError) as held:
            sheets.stage(workspace, locked)
    assert held.value.message == sheets.LOCKED
    assert "locked.xlsx" in held.value.translated()
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n")
    with pytest.raises(ImportFileError) as no_header:
        sheets.stage(workspace, empty)
    assert no_header.value.message == sheets.NO_HEADER


def test_the_administrator_may_not_import_the_ledger(store: Store, tmp_path: Path) -> None:
    office, by_role = every_role(store)
    with sheets.begin(store.paths) as space:
        staged = sheets.stage(space, ledger_workbook(tmp_path / "台账.xlsx"))
        login.begin(store, by_role["admin"])
        message = access.NOT_PERMITTED[Permission.SEE_KEY_PETITIONERS]
        refused(store, message, bringing.run_import, staged, _ledger_options(office, staged),
                today=TODAY, now=NOW)
        refused(store, message, bringing.preview, staged, _ledger_options(office, staged),
                today=TODAY, now=NOW)
