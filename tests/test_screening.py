"""The monthly screening of key petitioners (issue 17, points 3 and 6): made from the ledger,
refused signing while a red or yellow person has no leader in charge or no deadline, signed by
the clerk and the deputy, sent in a package, imported at the prefecture, recalled and sent
again, accepted (after which the county may not recall); a recall and an acceptance that cross
end the same way whatever order the packages meet in; its paper and workbook, and the ledger's.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts import staff as accounts
from app.audit.trail import Action
from app.core import i18n
from app.core.identity import ensure_office
from app.core.paths import AppPaths
from app.core.reference import PREFECTURE
from app.core.store import Store
from app.ledger import charges, entries, levels, papers, screening
from app.ledger.charges import ChargeInput
from app.ledger.entries import EntryInput
from app.ledger.screening import RowInput, State
from app.persons.records import PersonInput
from app.sync import service
from models import AuditEntry, Staff
from tests.helpers import AidOffice, aid_office, petition, refused, register
from tests.stores import copy_test_store, open_test_store

PASS = "demo-passphrase"
TODAY = date(2026, 12, 1)
MONTH = "2026-11"
MAQEN = "632621"  # another county of the prefecture, which sends nothing


def _person(name_zh: str, name_bo: str = "") -> PersonInput:
    return PersonInput(name_zh=name_zh, name_bo=name_bo, sex="M", ethnicity="04",
                       county="达日县", role="petitioner")


@dataclass
class Laptops:
    county: Store  # the county office's master laptop
    prefecture: Store  # the prefecture's laptop, enrolled to receive the county's packages
    base: AidOffice
    clerk: str
    prefecture_staff: str
    entries: dict[str, str]  # name -> ledger entry
    folder: Path
    packages: int = 0

    def send(self, source: Store, target: Store) -> None:
        """A package written on ``source``, carried, imported on ``target``."""
        self.packages += 1
        out = self.folder / f"p{self.packages}.dsp"
        service.export(source, out, PASS)
        service.import_package(target, out, PASS)

    def state(self, store: Store) -> str:
        found = screening.month_screening(store, self.base.office_id, MONTH)
        return found.state if found is not None else State.NOT_MADE

    def overview(self) -> dict[str, str]:
        return {c.name_zh: c.state for c in screening.prefecture_overview(
            self.prefecture, PREFECTURE.id, MONTH)}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """A county office (达日) with a ledger of three: 扎西才让 red, 卓玛 yellow, 多杰 green;
    and a prefecture laptop enrolled to read its packages, where a prefecture staff member
    works. Built once; each test gets a copy."""
    folder = tmp_path_factory.mktemp("screening")
    county = open_test_store(AppPaths(folder / "county"), create=True)
    base = aid_office(county)
    clerk = accounts.add_staff(county, accounts.StaffInput("央金", "", "clerk"))
    service.set_up_office(county, PASS)
    ids = {"扎西才让": entries.enter(county, EntryInput(base.person_id, base.office_id,
                                                     "多次越级上访", "2026-10-01"), today=TODAY)}
    for name_zh, name_bo in (("卓玛", "སྒྲོལ་མ"), ("多杰", "")):
        pid = register(county, petition("2026-10-20T10:00", persons=[_person(name_zh,
                                                                            name_bo)])).id
        from app.petitions.detail import petition_detail

        person = petition_detail(county, pid).parties[0].person_id
        ids[name_zh] = entries.enter(county, EntryInput(person, base.office_id, "重复信访",
                                                        "2026-10-25"), today=TODAY)
    moment = datetime(2026, 12, 1, 10, 0)
    for name, level in (("扎西才让", "red"), ("卓玛", "yellow"), ("多杰", "green")):
        levels.set_level(county, ids[name], level, "排查认定", now=moment)
    entries.update(county, ids["扎西才让"], entries.EntryUpdate("情绪激动，扬言去北京", "赔偿",
                                                               clerk, base.deputy))
    entries.add_measure(county, ids["扎西才让"], entries.MeasureInput(
        "education", clerk, "2026-11-12", "上门释法说理"), today=TODAY)
    prefecture = open_test_store(AppPaths(folder / "prefecture"), create=True)
    request = service.enrolment_request(prefecture, PASS, "632624", "州院笔记本")
    service.accept_grant(prefecture, service.enrol(county, request, PASS), PASS)
    first = service.export(county, folder / "first.dsp", PASS, full=True)
    service.import_package(prefecture, first.path, PASS)
    with prefecture.write() as session:
        ensure_office(session, MAQEN)
        staff = Staff(office_id=PREFECTURE.id, name_zh="李明", name_bo="", role="deputy",
                      phone="", active=True)
        session.add(staff)
        session.flush()
        prefecture_staff = staff.id
    county.close()
    prefecture.close()
    return folder, {"base": base, "clerk": clerk, "prefecture_staff": prefecture_staff,
                    "entries": ids}


@pytest.fixture
def laptops(built: tuple[Path, dict[str, object]], tmp_path: Path) -> Iterator[Laptops]:
    folder, data = built
    for name in ("county", "prefecture"):
        copy_test_store(folder / name, tmp_path / name)
    county = open_test_store(AppPaths(tmp_path / "county"))
    prefecture = open_test_store(AppPaths(tmp_path / "prefecture"))
    yield Laptops(county, prefecture, data["base"], data["clerk"],  # type: ignore[arg-type]
                  data["prefecture_staff"], data["entries"], tmp_path)  # type: ignore[arg-type]
    county.close()
    prefecture.close()


def _rows(store: Store, screening_id: str) -> dict[str, screening.ScreeningLine]:
    return {r.name_zh: r for r in screening.screening_detail(store, screening_id).rows}


def _complete(laptops: Laptops, made: str) -> None:
    """A leader in charge and a deadline for the red and the yellow person."""
    rows = _rows(laptops.county, made)
    for name in ("扎西才让", "卓玛"):
        row = rows[name]
        screening.update_row(laptops.county, row.row_id, RowInput(
            row.situation, row.work or "电话回访", row.level, laptops.base.deputy,
            "2026-12-31"))


def _signed(laptops: Laptops, moment: datetime | None = None) -> str:
    """The month's screening made, completed and signed by the clerk and the deputy."""
    made = screening.make(laptops.county, laptops.base.office_id, MONTH, today=TODAY)
    _complete(laptops, made)
    _sign(laptops, made, moment)
    return made


def _sign(laptops: Laptops, made: str, moment: datetime | None = None) -> None:
    screening.sign_as_clerk(laptops.county, made, laptops.clerk, today=TODAY)
    screening.sign_as_deputy(laptops.county, made, laptops.base.deputy, today=TODAY,
                             now=moment)


def test_the_screening_is_made_from_the_ledger(laptops: Laptops) -> None:
    made = screening.make(laptops.county, laptops.base.office_id, MONTH, today=TODAY)
    assert made == screening.screening_id(laptops.base.office_id, MONTH)
    rows = _rows(laptops.county, made)
    assert list(rows) == ["扎西才让", "卓玛", "多杰"]  # red, yellow, green
    zhaxi = rows["扎西才让"]
    assert (zhaxi.level, zhaxi.situation, zhaxi.work, zhaxi.leader_id) == (
        "red", "情绪激动，扬言去北京", "上门释法说理", laptops.base.deputy)
    assert (rows["卓玛"].level, rows["卓玛"].leader_id) == ("yellow", "")
    assert screening.month_screening(laptops.county, laptops.base.office_id,
                                     MONTH).state == State.DRAFT  # type: ignore[union-attr]
    refused(laptops.county, screening.ALREADY_MADE, screening.make, laptops.base.office_id,
            MONTH, today=TODAY)
    refused(laptops.county, screening.FUTURE_MONTH, screening.make, laptops.base.office_id,
            "2027-01", today=TODAY)
    refused(laptops.county, screening.BAD_MONTH, screening.make, laptops.base.office_id,
            "2026-13", today=TODAY)


def test_a_leaders_charge_gives_the_row_its_leader_deadline_and_outcome(
        laptops: Laptops) -> None:
    """卓玛's matter is in a leader's charge (open): her row has that leader and deadline.
    扎西才让's was closed as resolved: his row is resolved and leaves the red list."""
    county, base = laptops.county, laptops.base
    charges.take_charge(county, ChargeInput(base.chief, "约谈化解", "2027-01-15", "2026-11-02",
                                            entry_id=laptops.entries["卓玛"]), today=TODAY)
    closed = charges.take_charge(county, ChargeInput(
        base.deputy, "司法救助", "2026-12-20", "2026-10-05",
        entry_id=laptops.entries["扎西才让"]), today=TODAY)
    charges.close(county, closed, "resolved", "签订息诉罢访协议", "2026-11-28", today=TODAY)
    made = screening.make(county, base.office_id, MONTH, today=TODAY)
    rows = _rows(county, made)
    assert (rows["卓玛"].leader_id, rows["卓玛"].deadline, rows["卓玛"].resolved) == (
        base.chief, "2027-01-15", False)
    assert (rows["扎西才让"].deadline, rows["扎西才让"].resolved) == ("", True)
    assert (rows["多杰"].leader_id, rows["多杰"].deadline, rows["多杰"].resolved) == (
        "", "", False)
    assert screening.screening_detail(county, made).unresolved_red == []


def test_signing_is_refused_while_a_red_or_yellow_person_lacks_a_leader_or_a_deadline(
        laptops: Laptops) -> None:
    made = screening.make(laptops.county, laptops.base.office_id, MONTH, today=TODAY)
    error = refused(laptops.county, screening.NEEDS_LEADER, screening.sign_as_clerk, made,
                    laptops.clerk, today=TODAY)
    # 扎西才让 has a leader but no deadline; 卓玛 has neither; 多杰 (green) needs none.
    assert "扎西才让" in str(error) and "卓玛" in str(error) and "多杰" not in str(error)
    rows = _rows(laptops.county, made)
    screening.update_row(laptops.county, rows["扎西才让"].row_id, RowInput(
        "仍不稳定", "上门释法说理", "red", laptops.base.deputy, "2026-12-31"))
    error = refused(laptops.county, screening.NEEDS_LEADER, screening.sign_as_clerk, made,
                    laptops.clerk, today=TODAY)
    assert "卓玛" in str(error) and "扎西才让" not in str(error)
    # A yellow person with a leader but no deadline is refused too.
    screening.update_row(laptops.county, rows["卓玛"].row_id, RowInput(
        "", "", "yellow", laptops.base.deputy, ""))
    refused(laptops.county, screening.NEEDS_LEADER, screening.sign_as_clerk, made,
            laptops.clerk, today=TODAY)
    screening.update_row(laptops.county, rows["卓玛"].row_id, RowInput(
        "", "", "yellow", laptops.base.deputy, "2026-12-20"))
    # The deputy signs after the clerk; a procurator may not sign as the deputy.
    refused(laptops.county, screening.CLERK_FIRST, screening.sign_as_deputy, made,
            laptops.base.deputy, today=TODAY)
    screening.sign_as_clerk(laptops.county, made, laptops.clerk, today=TODAY)
    refused(laptops.county, screening.NOT_EDITABLE, screening.update_row,
            rows["多杰"].row_id, RowInput("", "", "green"))
    refused(laptops.county, screening.NOT_DEPUTY, screening.sign_as_deputy, made,
            laptops.base.procurator, today=TODAY)
    screening.sign_as_deputy(laptops.county, made, laptops.base.deputy, today=TODAY)
    detail = screening.screening_detail(laptops.county, made)
    assert (detail.state, detail.round, detail.clerk_zh, detail.deputy_zh) == (
        State.SIGNED, 1, "央金", "才让")
    assert (detail.signed_by_clerk_on, detail.signed_by_deputy_on) == ("2026-12-01",) * 2


def test_signed_sent_imported_recalled_sent_again_and_accepted(laptops: Laptops) -> None:
    made = _signed(laptops)
    assert laptops.state(laptops.county) == State.SIGNED  # no package written since
    assert laptops.overview() == {"达日县人民检察院": State.NOT_MADE,
                                  "玛沁县人民检察院": State.NOT_MADE}
    laptops.send(laptops.county, laptops.prefecture)
    assert laptops.state(laptops.county) == State.SENT
    assert laptops.state(laptops.prefecture) == State.SENT
    assert laptops.overview()["达日县人民检察院"] == State.SENT
    # The county recalls it (the prefecture has not accepted), changes a row, signs again.
    screening.recall(laptops.county, made)
    assert laptops.state(laptops.county) == State.RECALLED
    laptops.send(laptops.county, laptops.prefecture)
    assert laptops.overview()["达日县人民检察院"] == State.RECALLED
    refused(laptops.prefecture, screening.NOTHING_TO_ACCEPT, screening.accept, made,
            laptops.prefecture_staff, today=TODAY)
    duojie = _rows(laptops.county, made)["多杰"]
    screening.update_row(laptops.county, duojie.row_id, RowInput(
        "已息诉", "回访", "green", resolved=True))
    _sign(laptops, made)
    assert screening.screening_detail(laptops.county, made).round == 2
    laptops.send(laptops.county, laptops.prefecture)
    assert laptops.overview()["达日县人民检察院"] == State.SENT
    assert _rows(laptops.prefecture, made)["多杰"].resolved
    # Only the prefecture above the county accepts: not a county's own deputy.
    refused(laptops.prefecture, screening.NOT_PREFECTURE, screening.accept, made,
            laptops.base.deputy, today=TODAY)
    screening.accept(laptops.prefecture, made, laptops.prefecture_staff, today=TODAY)
    assert laptops.overview()["达日县人民检察院"] == State.ACCEPTED
    refused(laptops.prefecture, screening.ACCEPTED_BEFORE, screening.accept, made,
            laptops.prefecture_staff, today=TODAY)
    # Until the acceptance arrives the county may still recall; once it has, it may not.
    laptops.send(laptops.prefecture, laptops.county)
    detail = screening.screening_detail(laptops.county, made)
    assert (detail.state, detail.accepted_by_zh, detail.accepted_on) == (
        State.ACCEPTED, "李明", "2026-12-01")
    refused(laptops.county, screening.ALREADY_ACCEPTED, screening.recall, made)


@pytest.mark.parametrize("county_first", [True, False])
def test_a_recall_crossing_an_acceptance_wins_on_both_laptops(laptops: Laptops,
                                                              county_first: bool) -> None:
    made = _signed(laptops)
    laptops.send(laptops.county, laptops.prefecture)
    # Offline, each without the other's news: the prefecture accepts, the county recalls.
    screening.accept(laptops.prefecture, made, laptops.prefecture_staff, today=TODAY)
    screening.recall(laptops.county, made)
    if county_first:
        laptops.send(laptops.county, laptops.prefecture)
        laptops.send(laptops.prefecture, laptops.county)
    else:
        laptops.send(laptops.prefecture, laptops.county)
        laptops.send(laptops.county, laptops.prefecture)
    # No conflict for a person to decide: the recall holds on both laptops; the acceptance
    # was of the round the county took back.
    assert laptops.state(laptops.county) == laptops.state(laptops.prefecture) \
        == State.RECALLED
    assert laptops.overview()["达日县人民检察院"] == State.RECALLED
    from app.sync import engine

    assert engine.conflicts(laptops.county) == [] and engine.conflicts(laptops.prefecture) == []
    # Signed again, it is a new round, sent, and accepted anew.
    _sign(laptops, made)
    laptops.send(laptops.county, laptops.prefecture)
    assert laptops.overview()["达日县人民检察院"] == State.SENT
    screening.accept(laptops.prefecture, made, laptops.prefecture_staff, today=TODAY)
    laptops.send(laptops.prefecture, laptops.county)
    assert laptops.state(laptops.county) == State.ACCEPTED


def test_two_laptops_making_the_same_month_make_one_screening(laptops: Laptops) -> None:
    one = screening.make(laptops.county, laptops.base.office_id, MONTH, today=TODAY)
    other = screening.make(laptops.prefecture, laptops.base.office_id, MONTH, today=TODAY)
    assert one == other
    laptops.send(laptops.county, laptops.prefecture)
    assert len(screening.screening_detail(laptops.prefecture, one).rows) == 3


def _pdftotext(pdf: bytes, folder: Path) -> list[str]:
    path = folder / "paper.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True, text=True).stdout
    return out.split("\f")[:-1]


def _page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[i].get_size() for i in range(len(document))]
    finally:
        document.close()


def test_the_screening_paper_is_landscape_with_unresolved_reds_and_sign_off(
        laptops: Laptops, tmp_path: Path) -> None:
    made = _signed(laptops)
    pdf = papers.render_screening_pdf(laptops.county, made, i18n.ZH)
    assert all(w > h and round(w) == 842 and round(h) == 595 for w, h in _page_sizes(pdf))
    text = "".join(_pdftotext(pdf, tmp_path))
    for expected in ("达日县人民检察院", "扎西才让", "卓玛", "多杰", "2026-12-31", "上门释法说理",
                     "央金", "才让", "2026-12-01"):
        assert expected in text, expected
    # The red person not resolved is named in the section for the higher office.
    section = text[text.index(i18n.catalog(i18n.ZH).gettext(papers.UNRESOLVED)):]
    assert "扎西才让" in section and "多杰" not in section.split("\n\n")[0]
    assert i18n.catalog(i18n.ZH).gettext(papers.CLERK) in section
    assert i18n.catalog(i18n.ZH).gettext(papers.DEPUTY) in section


def test_a_long_ledger_repeats_its_header_on_every_page(laptops: Laptops,
                                                        tmp_path: Path) -> None:
    for n in range(40):
        pid = register(laptops.county, petition("2026-10-20T10:00", persons=[
            _person(f"测试{n:02d}")])).id
        from app.petitions.detail import petition_detail

        person = petition_detail(laptops.county, pid).parties[0].person_id
        entries.enter(laptops.county, EntryInput(person, laptops.base.office_id,
                                                 "多次上访，" * 12, "2026-10-25"), today=TODAY)
    pdf = papers.render_ledger_pdf(laptops.county, laptops.base.office_id, i18n.ZH)
    pages = _pdftotext(pdf, tmp_path)
    assert len(pages) >= 3
    header = i18n.catalog(i18n.ZH).gettext("Why in the ledger")
    for number, page in enumerate(pages, start=1):
        assert i18n.catalog(i18n.ZH).gettext("Leader in charge") in page or header in page \
            or number == len(pages)  # the last may hold only the sign-off lines
        assert str(number) in page.strip().splitlines()[-1]  # "page n of m" at the foot
    assert all(w > h for w, h in _page_sizes(pdf))
    assert i18n.catalog(i18n.ZH).gettext(papers.CLERK) in pages[-1]


def test_bilingual_papers_draw_the_tibetan_shaped(laptops: Laptops, tmp_path: Path) -> None:
    from app.core.fonts import shipped_fonts
    from tests.pdf_glyphs import drawn_glyphs, harfbuzz_glyphs

    made = _signed(laptops)
    pdf = papers.render_screening_pdf(laptops.county, made, i18n.BILINGUAL)
    text = "".join(_pdftotext(pdf, tmp_path))
    assert "卓玛" in text and "风险等级" in text
    drawn = {tuple(block) for block in drawn_glyphs(pdf, "NotoSerifTibetan-Regular")}
    for tibetan in ("སྒྲོལ་མ", str(i18n.bo_text("Risk level"))):
        assert tuple(harfbuzz_glyphs(shipped_fonts().tibetan, tibetan)) in drawn, tibetan
    tibetan_only = papers.render_screening_pdf(laptops.county, made, i18n.BO)
    assert "风险等级" not in "".join(_pdftotext(tibetan_only, tmp_path))


def test_workbooks_read_back_and_are_recorded(laptops: Laptops, tmp_path: Path) -> None:
    import openpyxl

    made = _signed(laptops)
    out = tmp_path / "screening.xlsx"
    assert papers.save_screening_xlsx(laptops.county, made, i18n.ZH, out) == 3
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    zh = i18n.catalog(i18n.ZH).gettext
    assert values[0][:3] == (zh("No."), zh("Name"), zh("Risk level"))
    assert [row[1] for row in values[1:4]] == ["扎西才让", "卓玛", "多杰"]
    assert values[1][2] == zh("Red") and values[1][6] == "2026-12-31"
    below = [row[0] for row in values[4:] if row[0]]
    assert zh(papers.UNRESOLVED) in below and any("扎西才让" in str(v) for v in below)
    ledger_out = tmp_path / "ledger.xlsx"
    assert papers.save_ledger_xlsx(laptops.county, laptops.base.office_id, i18n.BILINGUAL,
                                   ledger_out) == 3
    rows = list(openpyxl.load_workbook(ledger_out).active.iter_rows(  # type: ignore[union-attr]
        values_only=True))
    assert rows[1][1] == "བཀྲ་ཤིས་ཚེ་རིང / 扎西才让"
    with laptops.county.read() as session:
        exported = [e.detail for e in session.scalars(select(AuditEntry).where(
            AuditEntry.action == Action.EXPORTED))]
    assert any('"monthly_screening"' in d for d in exported)
    assert any('"key_petitioner_ledger"' in d for d in exported)
    refused(laptops.county, papers.NOT_XLSX, papers.save_ledger_xlsx,
            laptops.base.office_id, i18n.ZH, tmp_path / "ledger.csv")


def test_the_administrator_is_refused_the_screening_and_its_papers(laptops: Laptops) -> None:
    from app.accounts import login
    from app.core.access import NOT_PERMITTED, Permission

    made = screening.make(laptops.county, laptops.base.office_id, MONTH, today=TODAY)
    admin = accounts.add_staff(laptops.county, accounts.StaffInput("管理员", "", "admin"))
    login.begin(laptops.county, admin)
    message = NOT_PERMITTED[Permission.SEE_KEY_PETITIONERS]
    refused(laptops.county, message, screening.screening_detail, made)
    refused(laptops.county, message, papers.render_screening_pdf, made, i18n.ZH)
    refused(laptops.county, message, papers.render_ledger_pdf, laptops.base.office_id, i18n.ZH)
    # Nobody signs in another's name.
    login.begin(laptops.county, laptops.clerk)
    from app.core.access import IN_ANOTHERS_NAME

    refused(laptops.county, IN_ANOTHERS_NAME, screening.sign_as_deputy, made,
            laptops.base.deputy, today=TODAY)

