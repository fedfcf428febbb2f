"""The statistics report's data, as ``app`` hands it over: tables of figures and chart
descriptions, every text already in both scripts (``Both``) and every number already formatted.

One description feeds every output: the PDF report (``reports.statistics_pdf``), the Excel
workbook (``reports.statistics_xlsx``) and the charts on screen as SVG (``reports.charts``).
Numbers travel twice: as the text a person reads (formatted by ``app`` with Babel and the
rounding rule of ``app.statistics``) and as the raw value a spreadsheet computes with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reports.notices import Both

# What a cell holds, for a spreadsheet: its number format and what ``number`` means.
COUNT = "count"  # an integer count (件, 人次, 人)
YUAN = "yuan"  # an amount in yuan (``number`` is yuan, two decimals)
WAN = "wan"  # an amount in 万元 (ten thousand yuan)
RATE = "rate"  # a rate: ``number`` is the fraction (0.9688), numerator and denominator given
CHANGE = "change"  # a year-on-year change (同比): ``number`` is the fraction (−0.4483)
POINTS = "points"  # a change of a rate in percentage points: ``number`` is the points (3.5)
TEXT = "text"  # no number ("—", with the reason in a note)


@dataclass(frozen=True)
class StatCell:
    text: Both
    kind: str = TEXT
    number: float | None = None
    numerator: int | None = None
    denominator: int | None = None


@dataclass(frozen=True)
class StatRow:
    label: Both
    # This period, the same period a year earlier, the change: always three cells.
    cells: tuple[StatCell, StatCell, StatCell]
    indent: int = 0


@dataclass(frozen=True)
class StatTable:
    key: str  # stable, ASCII: names the Excel sheet's position and the chart it goes with
    title: Both
    columns: tuple[Both, Both, Both, Both]  # measure, this period, a year earlier, change
    rows: list[StatRow]
    notes: list[Both] = field(default_factory=list)


@dataclass(frozen=True)
class ChartSeries:
    name: Both
    values: list[float]


@dataclass(frozen=True)
class ChartSpec:
    key: str
    title: Both
    categories: list[Both]
    series: list[ChartSeries]
    unit: Both  # what the value axis counts (件, 元 …)
    stacked: bool = False


@dataclass(frozen=True)
class StatisticsReportData:
    title: Both
    office: Both  # the office, or "all offices in this store (6)"
    period: Both  # 2026年1月1日至2026年12月31日
    comparison: Both  # the same period a year earlier
    generated: Both  # when and by which laptop the figures were computed
    tables: list[StatTable]
    charts: list[ChartSpec]
    notes: list[Both]  # the rounding rule, what the denominators leave out
    # "zh", "bo" or "bilingual": which scripts the paper is printed in.
    mode: str = "zh"
