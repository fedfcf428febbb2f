"""The figures an office sends up, on a store built here whose right answers are counted by hand
in the comments (never by the code under test)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.aid import cases as aid
from app.core import i18n
from app.core.errors import AppError
from app.core.identity import ensure_device
from app.core.paths import AppPaths
from app.core.store import Store
from app.persons.records import PersonInput
from app.petitions import outcomes, registry
from app.petitions.deadline_settings import set_deadline_rule
from app.petitions.deadlines import DeadlineRule
from app.petitions.detail import petition_detail
from app.petitions.intake import record_reply
from app.petitions.outcomes import ConciliationInput, LawsuitInput
from app.petitions.today import today_list
from app.statistics import measures, report
from app.statistics.measures import Scope, change_percent, percent
from app.statistics.periods import PeriodError, parse_period
from tests.helpers import add_leaders, office_with_staff, petition, register, tashi
from tests.stores import open_test_store

AS_OF = date(2026, 12, 31)
YEAR = parse_period("2026")


def person(name: str, language: str = "zh", role: str = "petitioner") -> PersonInput:
    return PersonInput(name_zh=name, preferred_language=language, role=role)


@dataclass
class County:
    store: Store
    office_id: str
    ids: dict[str, str]  # our names for the petitions -> their ids


def _register(store: Store, when: str, **changes: object) -> str:
    now = datetime.fromisoformat(when)
    return register(store, petition(when, **changes), now=now).id


def _reply(store: Store, petition_id: str, kind: str, day: str) -> None:
    record_reply(store, petition_id, kind, date.fromisoformat(day), "phone", "已答复",
                 today=AS_OF)


def build_county(store: Store) -> County:
    """Ten petitions in 2026 and two in 2025, in an office counting calendar days."""
    office_id, chief = office_with_staff(store)
    deputy, procurator = add_leaders(store, office_id)
    ids: dict[str, str] = {}
    # 2025, the year before: one replied on time, one late; neither answered.
    ids["B1"] = _register(store, "2025-03-02T09:00", persons=[person("格桑")])
    _reply(store, ids["B1"], "procedural", "2025-03-05")
    ids["B2"] = _register(store, "2025-06-10T09:00", channel="letter", persons=[person("扎巴")])
    _reply(store, ids["B2"], "procedural", "2025-06-20")  # due 06-17: late
    # 2026.
    ids["P1"] = _register(store, "2026-03-02T09:00")  # 扎西才让, prefers Tibetan
    _reply(store, ids["P1"], "procedural", "2026-03-09")  # day 7: on time
    _reply(store, ids["P1"], "result", "2026-05-20")  # due 06-02: on time
    outcomes.record_resolution(store, ids["P1"], "resolved", "2026-05-20", today=AS_OF)
    ids["P2"] = _register(store, "2026-04-01T09:00", channel="letter", persons=[person("王芳")])
    _reply(store, ids["P2"], "procedural", "2026-04-09")  # day 8: late
    _reply(store, ids["P2"], "result", "2026-07-10")  # due 07-01: late
    ids["P3"] = _register(store, "2026-05-05T09:00", channel="phone", persons=[person("李明")],
                          jurisdiction="refer", referral_body="县人民法院")
    _reply(store, ids["P3"], "result", "2026-05-06")  # both on time
    ids["P4"] = _register(store, "2026-06-01T09:00", channel="web", persons=[person("卓玛")])
    # never replied: both past their deadlines
    ids["P5"] = _register(store, "2026-07-01T09:00", channel="video",
                          persons=[person("多杰", "bo")])
    _reply(store, ids["P5"], "procedural", "2026-07-03")
    _reply(store, ids["P5"], "result", "2026-09-15")  # due 10-01: on time
    outcomes.record_resolution(store, ids["P5"], "settled", "2026-09-15", today=AS_OF)
    ids["P6"] = _register(store, "2026-08-03T09:00", channel="higher",
                          higher_office="果洛州人民检察院", persons=[person("张伟")])
    _reply(store, ids["P6"], "procedural", "2026-08-05")
    _reply(store, ids["P6"], "result", "2026-10-30")  # due 11-03: on time
    outcomes.record_resolution(store, ids["P6"], "resolved", "2026-10-30", today=AS_OF)
    ids["P7"] = _register(store, "2026-09-01T09:00", is_group=True, head_count=23,
                          persons=[person("才让", role="representative"),
                                   person("拉毛", role="representative")])
    _reply(store, ids["P7"], "procedural", "2026-09-08")  # day 7: on time; answer overdue
    ids["P8"] = _register(store, "2026-10-12T09:00")  # 扎西才让 again: a repeat petition
    _reply(store, ids["P8"], "procedural", "2026-10-19")  # answer not due until 2027-01-12
    ids["P9"] = _register(store, "2026-10-20T09:00", channel="letter", persons=[person("匿名")])
    outcomes.set_unanswerable(store, ids["P9"], "anonymous")
    ids["P10"] = _register(store, "2026-12-28T09:00", channel="letter",
                           persons=[person("次仁")])  # reply due 2027-01-04: not yet

    # Judicial aid for 扎西才让: 20,000 approved; 8,000 paid, 2,000 paid by mistake and
    # reversed, 2,000 paid again: 10,000 yuan net.
    from app.petitions.detail import petition_detail

    tashi_id = petition_detail(store, ids["P1"]).parties[0].person_id
    case = aid.propose(store, aid.AidProposal(ids["P1"], [tashi_id], "poor", "家庭困难", "20000",
                                              "符合救助条件", "2026-06-01"), procurator,
                       today=date(2026, 6, 1))
    aid.decide(store, case, "approved", deputy, now=datetime(2026, 6, 2, 10, 0))
    payment = aid.PaymentInput(case, "8000", "2026-06-10", "扎西才让")
    aid.pay(store, payment, procurator, today=date(2026, 6, 10))
    wrong = aid.pay(store, aid.PaymentInput(case, "2000", "2026-06-11", "扎西才让"), procurator,
                    today=date(2026, 6, 11))
    aid.reverse(store, wrong, "重复支付", procurator, today=date(2026, 6, 12))
    aid.pay(store, aid.PaymentInput(case, "2000", "2026-06-13", "扎西才让"), procurator,
            today=date(2026, 6, 13))
    # Wages: 120 workers, 2,140,000 yuan (214万元), with the labour inspectorate; 5 workers,
    # 38,500 yuan. Together 125 workers and 2,178,500 yuan (217.85万元).
    outcomes.add_lawsuit_support(store, ids["P4"], LawsuitInput(
        True, "120", "2,140,000", True, "2026-11-20"), today=AS_OF)
    outcomes.add_lawsuit_support(store, ids["P4"], LawsuitInput(
        True, "5", "38500", False, "2026-11-25"), today=AS_OF)
    outcomes.add_conciliation(store, ids["P5"], ConciliationInput(
        "conciliation", "2026-09-15", True, "2026-09-20"), today=AS_OF)
    del chief
    return County(store, office_id, ids)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[County]:
    store = open_test_store(AppPaths(tmp_path_factory.mktemp("county") / "data"))
    ensure_device(store, "12309窗口")
    try:
        yield build_county(store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def figures(county: County) -> measures.Figures:
    return measures.statistics(county.store, YEAR, Scope((county.office_id,)), as_of=AS_OF)


def test_petitions_received_counted_by_hand(figures: measures.Figures) -> None:
    now, before = figures.current, figures.base
    assert (now["received"], before["received"]) == (10, 2)
    # Nine single petitioners and a group visit of 23.
    assert (now["received_persons"], before["received_persons"]) == (32, 2)
    assert [now[f"channel_{c}"] for c in ("visit", "letter", "phone", "web", "video",
                                          "higher")] == [3, 3, 1, 1, 1, 1]
    assert (now["first_time"], now["repeat"]) == (9, 1)
    assert (now["group_visits"], now["group_persons"]) == (1, 23)
    assert (now["prefers_tibetan"], now["prefers_chinese"]) == (3, 7)
    assert (now["accepted"], now["referred"]) == (9, 1)
    assert (now["handed_down"], now["handed_down_resolved"]) == (1, 1)
    assert now["unanswerable"] == 1


def test_reply_and_answer_rates_leave_out_the_anonymous_letter(
        figures: measures.Figures) -> None:
    now, before = figures.current, figures.base
    assert [now[k] for k in ("reply_due", "reply_on_time", "reply_late", "reply_overdue",
                             "reply_not_due")] == [8, 6, 1, 1, 1]
    assert [now[k] for k in ("answer_due", "answer_on_time", "answer_late", "answer_overdue",
                             "answer_not_due")] == [7, 4, 1, 2, 2]
    assert [before[k] for k in ("reply_due", "reply_on_time", "reply_late")] == [2, 1, 1]
    assert [before[k] for k in ("answer_due", "answer_on_time", "answer_overdue")] == [2, 0, 2]
    rows = {r.key: r for t in report.figure_tables(figures) for r in t.rows}
    # 6 of 8 is 75.00%; a year earlier 1 of 2 is 50.00%: up 25 percentage points.
    assert report.shown_value(rows["reply_rate"].current) == "75.00%（6/8）"
    assert report.shown_value(rows["reply_rate"].base) == "50.00%（1/2）"
    assert report.shown_change(rows["reply_rate"].current, rows["reply_rate"].base) \
        == "+25.00个百分点"
    # 4 of 7 is 57.142…%: 57.14%.
    assert report.shown_value(rows["answer_rate"].current) == "57.14%（4/7）"


def test_resolution_rate_names_numerator_and_denominator(figures: measures.Figures) -> None:
    now = figures.current
    assert (now["resolved"], now["settled"], now["accepted"]) == (3, 1, 9)
    rows = {r.key: r for t in report.figure_tables(figures) for r in t.rows}
    assert report.shown_value(rows["resolution_rate"].current) == "33.33%（3/9）"
    # Nothing was resolved a year earlier, of 2 taken in: 0.00%, a change of +33.33 points.
    assert report.shown_value(rows["resolution_rate"].base) == "0.00%（0/2）"
    assert report.shown_change(rows["resolution_rate"].current,
                               rows["resolution_rate"].base) == "+33.33个百分点"
    assert (now["conciliations"], now["conciliations_confirmed"]) == (1, 1)


def test_aid_counts_payments_net_of_the_reversal(figures: measures.Figures) -> None:
    now = figures.current
    assert now["aid_paid"] == 1_000_000  # 10,000 yuan in fen
    assert (now["aid_cases_paid"], now["aid_persons"], now["aid_persons_poor"]) == (1, 1, 1)
    assert (now["aid_proposed"], now["aid_approved"], now["aid_refused"]) == (1, 1, 0)
    rows = {(r.key, r.wan): r for t in report.figure_tables(figures) for r in t.rows}
    assert report.shown_value(rows[("aid_paid", False)].current) == "¥10,000.00"


def test_wage_recovery_in_yuan_and_in_wan(figures: measures.Figures) -> None:
    now = figures.current
    assert (now["lawsuit_supported"], now["wage_cases"], now["wage_workers"]) == (2, 2, 125)
    assert now["wage_recovered"] == 217_850_000
    assert now["wage_with_inspectorate"] == 1
    rows = {(r.key, r.wan): r for t in report.figure_tables(figures) for r in t.rows}
    assert report.shown_value(rows[("wage_recovered", False)].current) == "¥2,178,500.00"
    assert report.shown_value(rows[("wage_recovered", True)].current, in_wan=True) == "217.85"
    assert report.wan(214_000_000) == Decimal("214.00")


def test_year_on_year_against_an_empty_year_is_a_dash_with_the_reason(
        figures: measures.Figures) -> None:
    rows = {(r.key, r.wan): r for t in report.figure_tables(figures) for r in t.rows}
    wages = rows[("wage_cases", False)]
    assert (wages.current.amount, wages.base.amount) == (2, 0)
    assert report.shown_change(wages.current, wages.base) == "—（上年同期为0）"
    # Both years empty: a plain dash; a rate over nothing is a dash with 0/0.
    mediations = rows[("mediations", False)]
    assert report.shown_change(mediations.current, mediations.base) == "—"
    settled = rows[("hearing_settled_rate", False)]
    assert report.shown_value(settled.current) == "—（0/0）"
    assert "—" in report.shown_change(settled.current, settled.base)
    # 10 against 2 received: +400.00%.
    received = rows[("received", False)]
    assert report.shown_change(received.current, received.base) == "+400.00%"


def test_rounding_rule_half_up_to_two_places() -> None:
    # 32 against 58: (32 - 58) / 58 = -0.448275… → -44.83% (the article printed −44.82%).
    assert change_percent(32, 58) == Decimal("-44.83")
    assert percent(121, 216) == Decimal("56.02")  # 旌阳: 121 of 216 is not 92%
    assert percent(1, 8) == Decimal("12.50")
    assert percent(1, 200) == Decimal("0.50")  # 0.5 exactly
    assert percent(1, 400) == Decimal("0.25")
    assert percent(1, 800) == Decimal("0.13")  # 0.125 rounds up
    assert change_percent(-1, 800) == Decimal("-100.13")  # half away from zero
    assert percent(0, 0) is None and change_percent(5, 0) is None
    i18n.set_mode(i18n.ZH)
    assert report.change_text(report.Value("count", 32), report.Value("count", 58), "zh",
                              i18n.catalog(i18n.ZH)) == "-44.83%"


def test_every_figure_opens_exactly_the_petitions_behind_it(county: County,
                                                            figures: measures.Figures) -> None:
    ids = county.ids

    def behind(key: str) -> set[str]:
        flt = registry.RegistryFilter(figure=registry.FigureFilter(
            key, YEAR.start, YEAR.end, (county.office_id,), AS_OF))
        return set(registry.petition_ids(county.store, flt, today=AS_OF))

    assert behind("channel_letter") == {ids["P2"], ids["P9"], ids["P10"]}
    assert behind("reply_late") == {ids["P2"]}
    assert behind("reply_overdue") == {ids["P4"]}
    assert behind("answer_overdue") == {ids["P4"], ids["P7"]}
    assert behind("repeat") == {ids["P8"]}
    assert behind("unanswerable") == {ids["P9"]}
    assert behind("resolution_rate") == {ids["P1"], ids["P5"], ids["P6"]}
    assert behind("aid_paid") == {ids["P1"]}
    assert behind("wage_recovered") == {ids["P4"]}
    # For every count of petitions, the registry lists as many petitions as the figure says.
    for key, measure in measures.MEASURES.items():
        if measure.source == "petition" and measure.value is None:
            assert len(behind(key)) == figures.current[key], key


def test_all_offices_add_up_and_another_office_counts_apart(tmp_path: Path) -> None:
    store = open_test_store(AppPaths(tmp_path / "data"))
    ensure_device(store, "州院")
    try:
        office_id, _chief = office_with_staff(store)
        _register(store, "2026-02-02T10:00")
        # A second office whose records arrived in the same store (a prefecture collecting).
        from models import Office, Petition

        with store.write() as session:
            other = Office(division_code="632621", level="county", name_zh="玛沁县人民检察院",
                           name_bo="རྨ་ཆེན་རྫོང་མི་དམངས་ཞིབ་ཚགས་ཁང", short_zh="玛检")
            session.add(other)
            session.flush()
            session.add(Petition(office_id=other.id, reg_year=2026, reg_seq=1,
                                 reg_no="玛检信〔2026〕1号", channel="letter",
                                 received_at="2026-03-03T10:00", category="appeal",
                                 business_type="other", summary="草场纠纷", jurisdiction="accept",
                                 reply_due="2026-03-10", answer_due="2026-06-03"))
            other_id = other.id
        one = measures.statistics(store, YEAR, Scope((office_id,)), as_of=AS_OF)
        two = measures.statistics(store, YEAR, Scope((other_id,)), as_of=AS_OF)
        every = measures.statistics(store, YEAR, measures.office_scope(store, None), as_of=AS_OF)
        assert (one.current["received"], two.current["received"]) == (1, 1)
        assert every.current["received"] == 2
        assert measures.office_scope(store, "632621").office_ids == (other_id,)
        with pytest.raises(AppError):
            measures.office_scope(store, "999999")
    finally:
        store.close()


def test_working_day_office_counts_day_seven_across_national_day(tmp_path: Path) -> None:
    store = open_test_store(AppPaths(tmp_path / "data"))
    ensure_device(store, "12309窗口")
    try:
        office_id, _chief = office_with_staff(store)
        set_deadline_rule(store, office_id, DeadlineRule("working", 7, 3))
        # Received Tuesday 29 September 2026. Working days after it: 30 Sep (1); 1–7 October
        # are the National Day holiday; 8 (2), 9 (3), Saturday 10 (4, a make-up working day),
        # 12 (5), 13 (6), 14 (7). The reply is due on 14 October.
        on_time = _register(store, "2026-09-29T10:00", persons=[person("罗布")])
        late = _register(store, "2026-09-29T11:00", persons=[person("旦增")])
        assert petition_detail(store, on_time).row.reply_due == "2026-10-14"
        _reply(store, on_time, "procedural", "2026-10-14")  # 7th working day, 15th calendar day
        _reply(store, late, "procedural", "2026-10-15")  # 8th working day
        got = measures.statistics(store, YEAR, Scope((office_id,)), as_of=AS_OF).current
        assert (got["reply_due"], got["reply_on_time"], got["reply_late"]) == (2, 1, 1)
    finally:
        store.close()


def test_periods() -> None:
    assert parse_period("2026").start == date(2026, 1, 1)
    q3 = parse_period("2026-Q3")
    assert (q3.start, q3.end) == (date(2026, 7, 1), date(2026, 9, 30))
    may = parse_period("2026-05")
    assert (may.start, may.end, may.code()) == (date(2026, 5, 1), date(2026, 5, 31), "2026-05")
    since = parse_period("2021-01-01..", today=date(2026, 12, 2))
    assert (since.start, since.end) == (date(2021, 1, 1), date(2026, 12, 2))
    assert since.year_earlier().start == date(2020, 1, 1)
    leap = parse_period("2024-02").year_earlier()
    assert (leap.start, leap.end) == (date(2023, 2, 1), date(2023, 2, 28))
    assert parse_period("2025-02").year_earlier().end == date(2024, 2, 29)
    for bad in ("2026-13", "2026-Q5", "yesterday", "2026-12-31..2026-01-01", ""):
        with pytest.raises(PeriodError):
            parse_period(bad)


def test_figures_survive_every_language_mode(figures: measures.Figures) -> None:
    for mode in i18n.MODES:
        i18n.set_mode(mode)
        for table in report.figure_tables(figures):
            for row in table.rows:
                assert report.shown_value(row.current, row.wan)
                assert report.shown_change(row.current, row.base)


def test_tashi_helper_is_the_repeat_petitioner() -> None:
    # The fixtures above rely on helpers.tashi() preferring Tibetan.
    assert tashi().preferred_language == "bo"


@pytest.mark.sqlite_file  # the command line opens a laptop's data folder (--data-dir)
def test_report_command_writes_pdf_and_xlsx_with_the_screens_figures(
        county: County, figures: measures.Figures, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    from app.cli.main import main
    from tests.helpers import pdf_text

    data_dir = str(county.store.paths.data_dir)
    pdf, xlsx = tmp_path / "统计-2026.pdf", tmp_path / "统计-2026.xlsx"
    # The store is shared with the other tests; the command opens its own.
    assert main(["report", "--data-dir", data_dir, "--period", "2026", "--office", "632624",
                 "--as-of", AS_OF.isoformat(), "--language", "zh", "--out", str(pdf)]) == 0
    assert "10" in capsys.readouterr().out
    text = pdf_text(pdf.read_bytes())
    rows = {(r.key, r.wan): r for t in report.figure_tables(figures) for r in t.rows}
    i18n.set_mode(i18n.ZH)
    # The figures on screen are the figures on paper.
    for key in (("reply_rate", False), ("answer_rate", False), ("resolution_rate", False),
                ("wage_recovered", False), ("wage_recovered", True), ("aid_paid", False)):
        shown = report.shown_value(rows[key].current, in_wan=key[1])
        assert shown in text, (key, shown)
    assert "信访工作统计报表" in text and "7日内程序性回复率" in text
    assert main(["report", "--data-dir", data_dir, "--period", "2026", "--office", "632624",
                 "--as-of", AS_OF.isoformat(), "--language", "zh", "--out", str(xlsx)]) == 0
    book = openpyxl.load_workbook(xlsx)
    found: dict[str, tuple[object, ...]] = {}
    for sheet in book.worksheets[1:]:
        for row in sheet.iter_rows(min_row=2, values_only=True):
            if isinstance(row[0], str):
                found[row[0].strip()] = row
    reply = found["7日内程序性回复率"]
    assert (reply[2], reply[3]) == (6, 8)  # numerator and denominator as numbers
    assert found["受理信访（件）"][1] == 10 and found["受理信访（件）"][4] == 2
    assert found["追回薪资"][1] == pytest.approx(2_178_500.00)


@pytest.mark.sqlite_file  # the command line opens a laptop's data folder (--data-dir)
def test_report_command_says_what_is_wrong_without_a_traceback(
        county: County, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli.main import main

    data_dir = str(county.store.paths.data_dir)
    cases = [
        (["--period", "2026-13", "--out", str(tmp_path / "a.pdf")], "不是统计期间"),
        (["--period", "2026", "--office", "999999", "--out", str(tmp_path / "a.pdf")],
         "没有代码为 999999"),
        (["--period", "2026", "--out", str(tmp_path / "a.docx")], ".pdf 或 .xlsx"),
        (["--period", "2026", "--out", str(tmp_path / "no" / "such" / "a.pdf")], "不存在"),
    ]
    for args, message in cases:
        assert main(["report", "--data-dir", data_dir, "--language", "zh", *args]) == 1
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err
    assert not list(tmp_path.iterdir())


def test_command_line_help_names_every_exportable_table() -> None:
    from app.cli.main import _parser
    from app.statistics.tables import TABLES

    help_text = " ".join(_parser()._subparsers._group_actions[0].choices[  # type: ignore[union-attr]
        "export-table"].format_help().split())
    for name in TABLES:
        assert name in help_text


def test_an_anonymous_letter_is_never_overdue_nor_in_today(county: County) -> None:
    ids = county.ids
    overdue = set(registry.petition_ids(county.store, registry.RegistryFilter(overdue_only=True),
                                        today=AS_OF))
    assert ids["P4"] in overdue and ids["P9"] not in overdue
    # P9's reply would have been due on 27 October.
    due = {item.petition_id for item in today_list(county.store,
                                                            today=date(2026, 10, 28)).items}
    assert ids["P9"] not in due
    assert not registry.petition_rows(county.store, [ids["P9"]], AS_OF)[ids["P9"]].overdue


def test_a_person_known_without_an_earlier_petition_is_not_a_repeat_petitioner(
        store: Store) -> None:
    from models import Person

    office_with_staff(store)
    with store.write() as session:
        known = Person(name_zh="贡布", preferred_language="zh")
        session.add(known)
        session.flush()
        known_id = known.id
    chosen = PersonInput(existing_id=known_id, name_zh="贡布")
    first = register(store, petition("2026-11-02T10:00", persons=[chosen]),
                     now=datetime(2026, 11, 2, 12))
    again = register(store, petition("2026-11-03T10:00", persons=[chosen]),
                     now=datetime(2026, 11, 3, 12))
    assert (first.is_repeat, again.is_repeat) == (False, True)


def test_a_range_overlapping_its_year_earlier_counts_like_two_separate_years(
        county: County) -> None:
    # 2025-01-01..2026-12-31 and the year before it (2024-01-01..2025-12-31) overlap in 2025:
    # each period is summed on its own, and 2025 is in both.
    both = measures.statistics(county.store, parse_period("2025-01-01..2026-12-31"),
                               Scope((county.office_id,)), as_of=AS_OF)
    assert (both.current["received"], both.base["received"]) == (12, 2)
    assert both.current["reply_on_time"] == 6 + 1 and both.base["reply_late"] == 1
