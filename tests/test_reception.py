"""Leaders' reception days (issue 17, point 5): who may receive, scheduling, holding and
cancelling a day, the log of who came with the petitions registered there, first receptions,
each month's days per leader against the office's targets (counted by hand), and the schedule
printed as a notice in Tibetan and Chinese."""

from __future__ import annotations

import subprocess
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pypdfium2
import pytest
from sqlalchemy import select

from app.accounts import login
from app.accounts import staff as accounts
from app.audit import reading
from app.audit.trail import Action
from app.core import access, duties, i18n, record_words
from app.core.access import Permission
from app.core.errors import NO_SUCH_DAY, AppError
from app.core.store import Store
from app.ledger import reception as rx
from app.ledger.reception import DayInput, VisitInput
from app.petitions.detail import petition_detail
from models import ReceptionDay, ReceptionTarget, SyncVersion
from reports.notices import LEFT, RIGHT
from tests.helpers import AidOffice, every_role, pdf_text, petition, refused, register, tashi
from tests.test_hearing_papers import DrawnLine, _shaping_matches
from tests.test_hearing_papers import drawn as drawn  # the fixture: every line drawn

TODAY = date(2026, 12, 31)
NOW = datetime(2026, 12, 31, 12, 0)
PLACE = "12309检察服务中心"


@dataclass
class Office:
    store: Store
    base: AidOffice
    by_role: dict[str, str]  # chief, deputy, deputy2, head, procurator, clerk, admin

    @property
    def id(self) -> str:
        return self.base.office_id

    def day(self, role: str, day: str, start: str = "09:00", end: str = "12:00",
            place: str = PLACE) -> str:
        return rx.schedule(self.store, self.id, DayInput(self.by_role[role], day, start, end,
                                                         place))


@pytest.fixture
def office(store: Store) -> Office:
    base, by_role = every_role(store, now=NOW)
    by_role["deputy2"] = accounts.add_staff(store, accounts.StaffInput("次仁", "ཚེ་རིང་བཀྲ་ཤིས",
                                                                       "deputy"))
    return Office(store, base, by_role)


def _december(o: Office) -> dict[str, str]:
    """December 2026, by hand (targets: the chief 2 days, every other leader 1):
    the chief 更桑 held the 2nd and the 9th, the 16th was cancelled, the 23rd is scheduled
    (never marked held): 2 held, met;
    the deputy 才让 held the 5th, and the 28th of November (another month): 1 held, met;
    the deputy 次仁's 10th was cancelled and the 29th is scheduled: 0 held, short by 1.
    """
    days = {"c2": o.day("chief", "2026-12-02"), "c9": o.day("chief", "2026-12-09"),
            "c16": o.day("chief", "2026-12-16"), "c23": o.day("chief", "2026-12-23"),
            "d5": o.day("deputy", "2026-12-05", "14:30", "17:30", "吉迈镇综治中心"),
            "dnov": o.day("deputy", "2026-11-28"),
            "e10": o.day("deputy2", "2026-12-10"), "e29": o.day("deputy2", "2026-12-29")}
    for key in ("c2", "c9", "d5", "dnov"):
        rx.mark_held(o.store, days[key], today=TODAY)
    rx.cancel(o.store, days["c16"], "检察长赴州院开会")
    rx.cancel(o.store, days["e10"], "下乡")
    return days


def _counts(o: Office) -> dict[str, tuple[int, int, int, int]]:
    """Each leader's (held, scheduled, target, short) in December 2026, by staff id."""
    month = rx.monthly_count(o.store, o.id, 2026, 12)
    return {c.leader_id: (c.held, c.scheduled, c.target, c.short) for c in month.leaders}


def test_targets_counted_by_hand(office: Office) -> None:
    o = office
    _december(o)
    chief, deputy, deputy2 = (o.by_role[r] for r in ("chief", "deputy", "deputy2"))
    assert _counts(o) == {chief: (2, 1, 2, 0), deputy: (1, 0, 1, 0), deputy2: (0, 1, 1, 1)}
    month = rx.monthly_count(o.store, o.id, 2026, 12)
    assert month.leaders[0].leader_id == chief  # the chief first
    assert not month.all_met
    assert [c.met for c in month.leaders] == [True, True, False]
    # November: only 才让's day on the 28th; the chief and 次仁 are short of their targets.
    november = {c.leader_id: (c.held, c.short) for c in
                rx.monthly_count(o.store, o.id, 2026, 11).leaders}
    assert november == {chief: (0, 2), deputy: (1, 0), deputy2: (0, 1)}

    # The office raises its targets: the chief 3 days, every other leader 2.
    assert rx.targets(o.store, o.id) == rx.Targets(2, 1, False)
    rx.set_targets(o.store, o.id, 3, 2)
    assert rx.targets(o.store, o.id) == rx.Targets(3, 2, True)
    assert _counts(o) == {chief: (2, 1, 3, 1), deputy: (1, 0, 2, 1), deputy2: (0, 1, 2, 2)}
    # Setting them again changes nothing; a target out of bounds is refused.
    rx.set_targets(o.store, o.id, 3, 2)
    refused(o.store, rx.BAD_TARGET, rx.set_targets, o.id, -1, 2)
    refused(o.store, rx.BAD_TARGET, rx.set_targets, o.id, 3, rx.MAX_TARGET_DAYS + 1)
    # One record per office, whose id every laptop derives alike.
    with o.store.read() as session:
        targets = session.scalars(select(ReceptionTarget)).all()
    assert [t.id for t in targets] == [rx.target_id(o.id)]


def test_only_the_chief_and_deputies_receive(office: Office) -> None:
    o = office
    assert {c.staff_id for c in rx.leaders(o.store, o.id)} == {
        o.by_role["chief"], o.by_role["deputy"], o.by_role["deputy2"]}
    message = duties.NOT_ELIGIBLE[duties.RECEIVE]
    for role in ("head", "procurator", "clerk", "admin"):
        refused(o.store, message, rx.schedule, o.id,
                DayInput(o.by_role[role], "2026-12-08", "09:00", "12:00", PLACE))
    # A deputy who has left is refused too; one of their days scheduled before stays theirs.
    day = o.day("deputy2", "2026-12-08")
    accounts.remove_staff(o.store, o.by_role["deputy2"])
    refused(o.store, message, rx.schedule, o.id,
            DayInput(o.by_role["deputy2"], "2026-12-09", "09:00", "12:00", PLACE))
    rx.change(o.store, day, DayInput(o.by_role["deputy2"], "2026-12-08", "10:00", "12:00",
                                     PLACE))
    assert o.by_role["deputy2"] not in {c.staff_id for c in rx.leaders(o.store, o.id)}


def test_a_day_is_refused_with_what_is_wrong(office: Office) -> None:
    o = office
    chief = o.by_role["chief"]
    refused(o.store, rx.BAD_TIME, rx.schedule, o.id,
            DayInput(chief, "2026-12-08", "9点", "12:00", PLACE))
    refused(o.store, rx.TIMES_ORDER, rx.schedule, o.id,
            DayInput(chief, "2026-12-08", "12:00", "09:00", PLACE))
    refused(o.store, rx.PLACE_NEEDED, rx.schedule, o.id,
            DayInput(chief, "2026-12-08", "09:00", "12:00", "  "))
    refused(o.store, NO_SUCH_DAY, rx.schedule, o.id,
            DayInput(chief, "2026-02-30", "09:00", "12:00", PLACE))
    refused(o.store, rx.LEADER_NEEDED, rx.schedule, o.id,
            DayInput("", "2026-12-08", "09:00", "12:00", PLACE))
    day = o.day("chief", "2026-12-08")
    refused(o.store, rx.ALREADY_SCHEDULED, rx.schedule, o.id,
            DayInput(chief, "2026-12-08", "14:00", "17:00", PLACE))
    # Cancelled, the date is free again; a cancelled day cannot be held, changed or logged.
    refused(o.store, rx.CANCEL_REASON_NEEDED, rx.cancel, day, " ")
    rx.cancel(o.store, day, "临时公务")
    o.day("chief", "2026-12-08", "14:00", "17:00")
    refused(o.store, rx.NOT_SCHEDULED, rx.mark_held, day, today=TODAY)
    refused(o.store, rx.NOT_SCHEDULED, rx.change, day,
            DayInput(chief, "2026-12-09", "09:00", "12:00", PLACE))
    refused(o.store, rx.DAY_CANCELLED, rx.log_visit, day,
            VisitInput(name="拉毛", matter="工资"), today=TODAY)
    # A day to come cannot be held yet.
    later = o.day("deputy", "2027-01-05")
    refused(o.store, rx.NOT_YET, rx.mark_held, later, today=TODAY)
    refused(o.store, rx.NOT_YET, rx.log_visit, later, VisitInput(name="拉毛", matter="工资"),
            today=TODAY)


def _registered(o: Office, when: str, **changes: object) -> str:
    return register(o.store, petition(when, **changes), now=NOW).id


def test_who_came_the_petitions_registered_there_and_first_receptions(office: Office) -> None:
    o = office
    day = o.day("chief", "2026-12-09")
    other_day = o.day("deputy", "2026-12-10")
    there = _registered(o, "2026-12-09T10:15")
    by_letter = _registered(o, "2026-12-09T11:00", channel="letter")
    next_day = _registered(o, "2026-12-10T09:30", persons=[tashi(name_zh="卓玛",
                                                                 name_bo="སྒྲོལ་མ",
                                                                 id_number="")])
    # What the clerk may link: the petitions received in person on the day.
    assert [p.petition_id for p in rx.petitions_of_day(o.store, day)] == [there]
    # Logging someone who came holds the day; a petition brings its petitioner and matter.
    rx.log_visit(o.store, day, VisitInput(petition_id=there, first_reception=True),
                 today=TODAY)
    detail = rx.day_detail(o.store, day)
    assert detail.row.status == rx.DayStatus.HELD
    [visit] = detail.visits
    party = petition_detail(o.store, there).parties[0]
    assert (visit.person_id, visit.name_zh, visit.petition_id, visit.first_reception) == (
        party.person_id, "扎西才让", there, True)
    assert visit.matter == "草场承包纠纷，工程款被拖欠" and visit.reg_no
    # Linked once only, and only to its own day; a letter is not a visit.
    assert rx.petitions_of_day(o.store, day) == []
    refused(o.store, rx.ALREADY_LINKED, rx.log_visit, day, VisitInput(petition_id=there),
            today=TODAY)
    refused(o.store, rx.OTHER_DAY, rx.log_visit, day, VisitInput(petition_id=next_day),
            today=TODAY)
    # Someone not in the store, with no petition registered: a name and the matter.
    refused(o.store, rx.WHO_NEEDED, rx.log_visit, day, VisitInput(matter="咨询"), today=TODAY)
    refused(o.store, rx.MATTER_NEEDED, rx.log_visit, day, VisitInput(name="多杰"), today=TODAY)
    asked = rx.log_visit(o.store, day, VisitInput(name="多杰", matter="咨询草场补贴"),
                         today=TODAY)
    # The letter's petitioner came too: registered the same day (as a letter), linked later.
    rx.link_petition(o.store, asked, by_letter)
    rx.update_visit(o.store, asked, VisitInput(name="多杰", matter="咨询草场补贴",
                                               petition_id=by_letter, first_reception=True))
    rx.log_visit(o.store, other_day, VisitInput(petition_id=next_day, first_reception=True),
                 today=TODAY)
    rx.log_visit(o.store, other_day, VisitInput(name="尼玛", matter="复查", first_reception=False),
                 today=TODAY)
    # A visit logged by mistake, removed, counts no more.
    mistake = rx.log_visit(o.store, other_day, VisitInput(name="错", matter="x",
                                                          first_reception=True), today=TODAY)
    rx.remove_visit(o.store, mistake)

    # By hand: 更桑 received 扎西才让 and 多杰 first (2), 才让 received 卓玛 first (1).
    assert rx.first_reception_count(o.store, o.id, date(2026, 12, 1), date(2026, 12, 31)) == 3
    assert rx.first_reception_count(o.store, o.id, date(2026, 12, 10), date(2026, 12, 10)) == 1
    month = rx.monthly_count(o.store, o.id, 2026, 12)
    assert month.first_receptions == 3
    assert {c.leader_id: c.first_receptions for c in month.leaders} == {
        o.by_role["chief"]: 2, o.by_role["deputy"]: 1, o.by_role["deputy2"]: 0}
    rows = {r.day_id: (r.visits, r.first_receptions, r.petitions)
            for r in rx.schedule_for(o.store, o.id, date(2026, 12, 1), date(2026, 12, 31))}
    assert rows == {day: (2, 2, 2), other_day: (2, 1, 1)}


def test_the_days_are_synced_records_with_labels(office: Office) -> None:
    o = office
    day = o.day("chief", "2026-12-09")
    with o.store.read() as session:
        fields = set(session.scalars(select(SyncVersion.field).where(
            SyncVersion.tbl == "reception_day", SyncVersion.row_id == day)))
        assert session.get(ReceptionDay, day) is not None
    assert {"leader_id", "day", "start_time", "place", "status"} <= fields
    for table in ("reception_day", "reception_visit", "reception_target"):
        assert table in record_words.TABLES
    assert ("reception_visit", "first_reception") in record_words.FIELDS
    # A leader reading the record of what was done sees which day, and who came, by name.
    visit = rx.log_visit(o.store, day, VisitInput(name="多杰", matter="咨询"), today=TODAY)
    rx.cancel(o.store, o.day("deputy", "2026-12-10"), "下乡")
    read = reading.entries_for_record(o.store, "reception_day", day)
    assert [r.action for r in read] == [Action.CHANGED.label, Action.CREATED.label]
    assert read[0].record.endswith("2026-12-09 更桑")
    assert reading.entries_for_record(o.store, "reception_visit", visit)[0].record.endswith(
        " 多杰")


def test_roles_may_and_may_not(office: Office) -> None:
    o = office
    login.begin(o.store, o.by_role["admin"])
    refused(o.store, access.NOT_PERMITTED[Permission.DAILY_WORK], rx.schedule, o.id,
            DayInput(o.by_role["chief"], "2026-12-08", "09:00", "12:00", PLACE))
    refused(o.store, access.NOT_PERMITTED[Permission.DAILY_WORK], rx.schedule_for, o.id,
            date(2026, 12, 1), date(2026, 12, 31))
    login.begin(o.store, o.by_role["clerk"])
    o.day("chief", "2026-12-08")  # the clerk keeps the schedule
    refused(o.store, access.NOT_PERMITTED[Permission.OFFICE_RULES], rx.set_targets, o.id, 3, 1)
    login.begin(o.store, o.by_role["deputy"])
    rx.set_targets(o.store, o.id, 3, 1)


# -- the notice ----------------------------------------------------------------------------------
def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def test_the_notice_in_tibetan_and_chinese(office: Office, drawn: list[DrawnLine],
                                           tmp_path: Path) -> None:
    o = office
    _december(o)
    pdf = rx.render_notice(o.store, o.id, date(2026, 12, 1), date(2026, 12, 31),
                           issued=date(2026, 11, 30))
    assert pdf.startswith(b"%PDF")
    zh, bo = i18n.catalog(i18n.ZH), i18n.catalog(i18n.BO)
    text = _squash(pdf_text(pdf))
    chief_bo = bo.gettext("Chief procurator").rstrip("།")
    deputy_bo = bo.gettext("Deputy chief procurator").rstrip("།")
    title = "Leaders' reception days"
    for expected in (
            "达日县人民检察院", "དར་ལག་རྫོང་མི་དམངས་ཞིབ་ཚགས་ཁང",
            zh.gettext(title), bo.gettext(title), "2026年12月", "2026 ཟླ་བ་བཅུ་གཉིས་པ",
            # The chief's days: 2nd (Wednesday) and 9th, and the 23rd still scheduled.
            "12月2日星期三", "ཟླ་བ་བཅུ་གཉིས་པའི་ཚེས་2གཟའ་ལྷག་པ", "12月9日星期三", "12月23日星期三",
            zh.gettext("Chief procurator") + "更桑", chief_bo + "ཀུན་བཟང",
            # 才让's afternoon in the township, and 次仁's day on the 29th.
            zh.gettext("Deputy chief procurator") + "才让", deputy_bo + "ཚེ་རིང",
            "14:30-17:30", "吉迈镇综治中心", "09:00-12:00", "12月29日星期二",
            deputy_bo + "ཚེ་རིང་བཀྲ་ཤིས", "12309", PLACE, "2026年11月30日"):
        assert _squash(expected) in text, expected
    # Cancelled days are not posted; November's is not in December.
    assert "12月16日" not in text and "12月10日" not in text and "11月28日" not in text
    # Every Tibetan line is shaped as HarfBuzz shapes it, and none starts with a tsheg or shad.
    # (Only the last of the documents built counts: a type too large is tried first.)
    lines = [line for line in drawn if line.canvas is drawn[-1].canvas]
    assert _shaping_matches(pdf, lines)
    assert not [line.text for line in lines if line.text.startswith(("་", "།"))]
    # pdftotext reads the Tibetan back as written.
    (tmp_path / "notice.pdf").write_bytes(pdf)
    extracted = subprocess.run(["pdftotext", str(tmp_path / "notice.pdf"), "-"],
                               capture_output=True, text=True, check=True).stdout
    assert "ཀུན་བཟང" in extracted and "ཟླ་བ་བཅུ་གཉིས་པའི་ཚེས་" in extracted
    # One sheet, nothing in the margins; the same data gives the same bytes.
    document = pypdfium2.PdfDocument(pdf)
    try:
        assert len(document) == 1
        image = document[0].render(scale=100 / 72).to_pil().convert("L")
        width, height = image.size
        for x in [*range(0, int(LEFT / 72 * 100) - 3),
                  *range(width - int(RIGHT / 72 * 100) + 3, width)]:
            assert min(image.getpixel((x, y)) for y in range(0, height, 2)) > 200, x
    finally:
        document.close()
    assert rx.render_notice(o.store, o.id, date(2026, 12, 1), date(2026, 12, 31),
                            issued=date(2026, 11, 30)) == pdf


def test_a_month_of_many_days_is_set_smaller_and_nothing_to_post_is_said(
        office: Office) -> None:
    o = office
    with pytest.raises(AppError) as caught:
        rx.render_notice(o.store, o.id, date(2026, 12, 1), date(2026, 12, 31))
    assert caught.value.message == rx.NOTHING_TO_POST
    for number in range(1, 6):  # the chief twice a month and three deputies, with one more
        o.day("chief" if number % 2 else "deputy", f"2026-12-{number * 4:02d}")
    pdf = rx.render_notice(o.store, o.id, date(2026, 12, 1), date(2026, 12, 31))
    document = pypdfium2.PdfDocument(pdf)
    try:
        assert len(document) == 1
    finally:
        document.close()
