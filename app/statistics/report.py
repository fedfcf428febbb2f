"""The figures as tables, texts and charts: for the Statistics area, the printed report, the
Excel workbook and the command line.

What is printed, and how it is rounded (the rule is in ``app.statistics.measures``):

- a count as an integer with the locale's grouping (1,234);
- money in yuan with two decimals (¥2,140,000.00), and in 万元 on a line of its own (214.00);
- a rate as a percentage with two decimals, followed by its numerator and denominator:
  96.88% (31/32); with a denominator of 0 it is "—" with 0/0 beside it;
- 同比 as a percentage with two decimals and a sign (-44.83%); against a base of 0 it is "—"
  with the reason; the change of a rate in percentage points (+3.50 个百分点).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel import dates, numbers
from sqlalchemy import select

from app.core import i18n
from app.core.i18n import N_
from app.core.store import Store
from app.statistics.measures import (
    FEN,
    MEASURES,
    RATE,
    RATES,
    TABLES,
    TWO_PLACES,
    Figures,
    Scope,
    change_percent,
    percent,
)
from app.statistics.periods import MONTH, QUARTER, YEAR, Period
from models import Office
from reports import statistics as rs
from reports.notices import Both

TEN_THOUSAND = Decimal(10_000)


# -- what the screen shows -----------------------------------------------------------------------
@dataclass(frozen=True)
class Value:
    kind: str  # count | fen | rate
    amount: int  # the count, the fen, or a rate's numerator
    denominator: int = 0


@dataclass(frozen=True)
class FigureRow:
    key: str
    label: str  # msgid
    indent: int
    current: Value
    base: Value
    wan: bool = False  # money shown in 万元 (a second row under the yuan one)

    @property
    def drill(self) -> str:
        """The measure whose petitions lie behind the row ("" when none)."""
        return self.key


@dataclass(frozen=True)
class FigureTable:
    key: str
    title: str  # msgid
    rows: list[FigureRow]


def _value(figures: Figures, key: str, base: bool) -> Value:
    values = figures.base if base else figures.current
    if key in RATES:
        rate = RATES[key]
        return Value(RATE, values[rate.numerator], values[rate.denominator])
    return Value(MEASURES[key].unit, values[key])


def figure_tables(figures: Figures) -> list[FigureTable]:
    tables = []
    for table in TABLES:
        rows = []
        for row in table.rows:
            label = RATES[row.key].label if row.key in RATES else MEASURES[row.key].label
            current, base = _value(figures, row.key, False), _value(figures, row.key, True)
            rows.append(FigureRow(row.key, label, row.indent, current, base))
            if current.kind == FEN:
                rows.append(FigureRow(row.key, N_("in 万元 (ten thousand yuan)"),
                                      row.indent + 1, current, base, wan=True))
        tables.append(FigureTable(table.key, table.title, rows))
    return tables


# -- texts in one script ---------------------------------------------------------------------------
BABEL = {"zh": "zh_Hans_CN", "bo": "bo_CN"}


def _number(value: int | Decimal, script: str, pattern: str = "#,##0") -> str:
    return str(numbers.format_decimal(value, format=pattern, locale=BABEL[script]))


def _signed(value: Decimal, script: str) -> str:
    text = _number(abs(value), script, "#,##0.00")
    # A hyphen-minus, not U+2212: the shipped Song face has no glyph for the minus sign.
    return ("+" if value > 0 else "-" if value < 0 else "") + text


def wan(fen: int) -> Decimal:
    """Fen in 万元, two places, half away from zero (2,140,000 yuan is 214.00)."""
    return (Decimal(fen) / 100 / TEN_THOUSAND).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def value_text(value: Value, script: str, in_wan: bool = False) -> str:
    if value.kind == RATE:
        pct = percent(value.amount, value.denominator)
        shown = "—" if pct is None else _number(pct, script, "#,##0.00") + "%"
        fraction = f"{_number(value.amount, script)}/{_number(value.denominator, script)}"
        return f"{shown}（{fraction}）" if script == "zh" else f"{shown} ({fraction})"
    if value.kind == FEN:
        if in_wan:
            return _number(wan(value.amount), script, "#,##0.00")
        return str(numbers.format_currency(Decimal(value.amount).scaleb(-2), "CNY",
                                           locale=BABEL[script]))
    return _number(value.amount, script)


def change_text(current: Value, base: Value, script: str, tr: gettext.NullTranslations) -> str:
    _ = tr.gettext
    if current.kind == RATE:
        if current.denominator == 0 or base.denominator == 0:
            return _("— (no rate to compare with)")
        points = ((Decimal(current.amount) / current.denominator
                   - Decimal(base.amount) / base.denominator) * 100).quantize(
            TWO_PLACES, rounding=ROUND_HALF_UP)
        return _("{points} percentage points").format(points=_signed(points, script))
    change = change_percent(current.amount, base.amount)
    if change is None:
        return _("— (nothing a year earlier)") if current.amount else "—"
    return _signed(change, script) + "%"


def _change_number(current: Value, base: Value) -> tuple[str, float | None]:
    if current.kind == RATE:
        if current.denominator == 0 or base.denominator == 0:
            return rs.TEXT, None
        points = ((Decimal(current.amount) / current.denominator
                   - Decimal(base.amount) / base.denominator) * 100).quantize(
            TWO_PLACES, rounding=ROUND_HALF_UP)
        return rs.POINTS, float(points)
    change = change_percent(current.amount, base.amount)
    return (rs.TEXT, None) if change is None else (rs.CHANGE, float(change / 100))


def period_text(period: Period, script: str, tr: gettext.NullTranslations) -> str:
    _ = tr.gettext
    locale = BABEL[script]
    if period.kind == YEAR:
        return _("The year {year}").format(year=period.start.year)
    if period.kind == QUARTER:
        return _("Quarter {quarter} of {year}").format(
            quarter=(period.start.month - 1) // 3 + 1, year=period.start.year)
    if period.kind == MONTH:
        return str(dates.format_date(period.start, format="yyyy MMMM", locale=locale)) \
            if script == "bo" else f"{period.start.year}年{period.start.month}月"
    return _("{start} to {end}").format(
        start=dates.format_date(period.start, format="long", locale=locale),
        end=dates.format_date(period.end, format="long", locale=locale))


# -- the screen's texts, in the display mode -----------------------------------------------------
def _each(render: Callable[[str, gettext.NullTranslations], str]) -> str:
    mode = i18n.mode()
    if mode == i18n.BILINGUAL:
        bo = render("bo", i18n.catalog(i18n.BO))
        zh = render("zh", i18n.catalog(i18n.ZH))
        return bo if bo == zh else f"{bo}{i18n.BILINGUAL_SEPARATOR}{zh}"
    return render(mode, i18n.catalog(mode))


def shown_value(value: Value, in_wan: bool = False) -> str:
    """A figure in the display language (numbers read alike in both scripts: shown once)."""
    script = "zh" if i18n.mode() == i18n.ZH else "bo"
    return value_text(value, script, in_wan)


def shown_change(current: Value, base: Value) -> str:
    return _each(lambda script, tr: change_text(current, base, script, tr))


def shown_period(period: Period) -> str:
    return _each(lambda script, tr: period_text(period, script, tr))


# -- the printed report, the workbook and the charts ----------------------------------------------
def _both(message: str, **params: object) -> Both:
    zh, bo = i18n.zh_text(message), i18n.bo_text(message)
    if params:
        zh, bo = zh.format(**params), bo.format(**params)
    return Both(zh, bo)


def _both_render(render: Callable[[str, gettext.NullTranslations], str]) -> Both:
    return Both(render("zh", i18n.catalog(i18n.ZH)), render("bo", i18n.catalog(i18n.BO)))


def _cell(value: Value, in_wan: bool) -> rs.StatCell:
    text = Both(value_text(value, "zh", in_wan), value_text(value, "bo", in_wan))
    if value.kind == RATE:
        pct = percent(value.amount, value.denominator)
        return rs.StatCell(text, rs.RATE if pct is not None else rs.TEXT,
                           None if pct is None else float(pct / 100),
                           value.amount, value.denominator)
    if value.kind == FEN:
        if in_wan:
            return rs.StatCell(text, rs.WAN, float(wan(value.amount)))
        return rs.StatCell(text, rs.YUAN, float(Decimal(value.amount).scaleb(-2)))
    return rs.StatCell(text, rs.COUNT, float(value.amount))


def scope_text(store: Store, scope: Scope) -> Both:
    with store.read() as session:
        stmt = select(Office.name_zh, Office.name_bo).where(Office.deleted.is_(False))
        if scope.office_ids is not None:
            stmt = stmt.where(Office.id.in_(scope.office_ids))
        names = session.execute(stmt.order_by(Office.division_code)).all()
    if scope.office_ids is None:
        return _both(N_("All offices in this data folder ({count})"), count=len(names))
    return Both("、".join(zh for zh, _bo in names), "  ".join(bo or zh for zh, bo in names))


def _month_label(year: int, month: int, script: str, with_year: bool) -> str:
    if script == "zh":
        return f"{year}年{month}月" if with_year else f"{month}月"
    text = str(dates.format_date(date(year, month, 1), format="MMM", locale=BABEL["bo"]))
    return f"{year} {text}" if with_year else text


def chart_specs(figures: Figures) -> list[rs.ChartSpec]:
    """The report's four charts, as one description for the screen, the PDF and Excel."""
    months = figures.period.months()
    spans_years = months[0][0] != months[-1][0]
    categories = [Both(_month_label(y, m, "zh", spans_years), _month_label(y, m, "bo",
                                                                           spans_years))
                  for y, m in months]

    def series(key: str, base: bool, scale: float = 1.0) -> list[float]:
        found = figures.monthly.get(f"{key}@base" if base else key, {})
        values = []
        for y, m in months:
            month_key = f"{y - 1 if base else y}-{m:02d}"
            values.append(found.get(month_key, 0) * scale)
        return values

    this, before = _both(N_("This period")), _both(N_("A year earlier"))
    cur, old = figures.current, figures.base
    return [
        rs.ChartSpec("petitions_by_month", _both(N_("Petitions received per month")),
                     categories, [rs.ChartSeries(this, series("received", False)),
                                  rs.ChartSeries(before, series("received", True))],
                     _both(N_("petitions"))),
        rs.ChartSpec("replies", _both(N_("Replies on time")),
                     [_both(N_("7-day procedural reply")), _both(N_("3-month answer"))],
                     [rs.ChartSeries(_both(N_("On time")),
                                     [cur["reply_on_time"], cur["answer_on_time"]]),
                      rs.ChartSeries(_both(N_("Late")), [cur["reply_late"], cur["answer_late"]]),
                      rs.ChartSeries(_both(N_("Past the deadline, not answered")),
                                     [cur["reply_overdue"], cur["answer_overdue"]])],
                     _both(N_("petitions")), stacked=True),
        rs.ChartSpec("outcomes", _both(N_("Outcomes")),
                     [_both(N_("Resolved")), _both(N_("Settled")), _both(N_("Agreements")),
                      _both(N_("Conciliations")), _both(N_("Hearings"))],
                     [rs.ChartSeries(this, [cur["resolved"], cur["settled"],
                                            cur["agreements_signed"], cur["conciliations"],
                                            cur["hearings"]]),
                      rs.ChartSeries(before, [old["resolved"], old["settled"],
                                              old["agreements_signed"], old["conciliations"],
                                              old["hearings"]])],
                     _both(N_("petitions"))),
        rs.ChartSpec("aid_paid", _both(N_("Judicial aid paid per month")), categories,
                     [rs.ChartSeries(this, series("aid_paid", False, 0.01)),
                      rs.ChartSeries(before, series("aid_paid", True, 0.01))],
                     _both(N_("yuan"))),
    ]


def _compared(previous: Period, script: str, tr: gettext.NullTranslations) -> str:
    return tr.gettext(N_("Compared with: {period}")).format(
        period=period_text(previous, script, tr))


def report_data(store: Store, figures: Figures, mode: str,
                generated: datetime | None = None) -> rs.StatisticsReportData:
    """Everything the printed report and the workbook show, in both scripts."""
    generated = generated or datetime.now()
    columns = (_both(N_("Measure")), _both(N_("This period")),
               _both(N_("Same period a year earlier")), _both(N_("Change (同比)")))
    tables = []
    for table in figure_tables(figures):
        rows = []
        for row in table.rows:
            kind, number = _change_number(row.current, row.base)
            change = rs.StatCell(
                Both(change_text(row.current, row.base, "zh", i18n.catalog(i18n.ZH)),
                     change_text(row.current, row.base, "bo", i18n.catalog(i18n.BO))),
                kind, number)
            rows.append(rs.StatRow(_both(row.label),
                                   (_cell(row.current, row.wan), _cell(row.base, row.wan),
                                    change), row.indent))
        notes = []
        if table.key == "replies":
            notes.append(_both(N_("Counted on {date}. A petition counts once its reply was given "
                                  "or its deadline has passed; the deadlines follow the office's "
                                  "own day rule (calendar or working days) with pauses and "
                                  "extensions. {count} petitions that cannot be answered "
                                  "(anonymous, no or wrong contact) are left out."),
                               date=figures.as_of.isoformat(),
                               count=figures.current["unanswerable"]))
        tables.append(rs.StatTable(table.key, _both(table.title), columns, rows, notes))
    notes = [
        _both(N_("Rates and changes are rounded half up to two decimal places: 32 petitions "
                 "against 58 a year earlier is -44.83%. A change of a rate is given in "
                 "percentage points. “—” means there is nothing to divide by.")),
        _both(N_("Every rate shows its numerator and denominator. Judicial aid counts payments "
                 "made in the period, net of reversals.")),
    ]
    return rs.StatisticsReportData(
        title=_both(N_("Petition work statistics")),
        office=scope_text(store, figures.scope),
        period=_both_render(lambda s, tr: period_text(figures.period, s, tr)),
        comparison=_both_render(lambda s, tr: _compared(figures.previous, s, tr)),
        generated=_both(N_("Counted on {date} by Doorstep"),
                        date=generated.strftime("%Y-%m-%d %H:%M")),
        tables=tables, charts=chart_specs(figures), notes=notes, mode=mode)
