"""The statistics report as an Excel workbook (XlsxWriter), for the clerk who computes with it.

- A first sheet with the report's title, office, periods, when it was computed, and its notes.
- One sheet per table: measure | this period | numerator | denominator | same period last year |
  numerator | denominator | change. Figures are numbers with a number format (counts, yuan,
  万元, rates and changes as fractions shown as percentages, percentage points); a rate is a
  formula over its numerator and denominator, so the reader sees where it comes from. The
  header row stays in view.
- One sheet per chart: its categories and series as cells, and a native column chart (stacked
  when the chart is) that reads them.

Labels are in the report's language: Chinese, Tibetan, or "bo / zh". Column widths are worked
out here from the longest text: XlsxWriter's ``autofit()`` counts a Chinese character as half
its width.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from reports.charts import BILINGUAL, MODES, SERIES_COLOURS, ZH, inline, texts
from reports.layout import break_points, is_tibetan
from reports.notices import Both
from reports.statistics import (
    CHANGE,
    COUNT,
    POINTS,
    RATE,
    WAN,
    YUAN,
    ChartSpec,
    StatCell,
    StatisticsReportData,
    StatTable,
)

FORBIDDEN = set("[]:*?/\\")
MAX_SHEET_NAME = 31
MIN_WIDTH, MAX_WIDTH = 8.0, 60.0
TIBETAN_ROW_HEIGHT = 24  # points: room for stacks at Excel's default 11 pt
FORMATS = {COUNT: "#,##0", YUAN: "#,##0.00", WAN: "#,##0.00", RATE: "0.00%", CHANGE: "0.00%"}
POINTS_FORMAT = {ZH: '0.00"个百分点"', "other": '0.00" pp"'}


_REPORT_SHEET, _NUMERATOR, _DENOMINATOR = Both("报告", "Report"), Both("分子"), Both("分母")


@dataclass(frozen=True)
class WorkbookLabels:
    """Words of the workbook's own (the report's data brings every other text)."""

    report_sheet: Both = _REPORT_SHEET
    numerator: Both = _NUMERATOR
    denominator: Both = _DENOMINATOR


def text_width(text: str) -> float:
    """A text's width in Excel's column units: wide (Chinese) characters count 2, Tibetan
    letters 1.6, combining marks (subjoined letters, vowel signs) nothing, the rest 1."""
    width = 0.0
    for ch in text:
        if unicodedata.category(ch) in ("Mn", "Mc"):
            continue
        if is_tibetan(ch):
            width += 1.6
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            width += 2
        else:
            width += 1
    return width


def _cut(name: str, limit: int) -> str:
    """``name`` cut to ``limit`` characters where a line could end (after a tsheg or a
    space, between Chinese characters); failing that, never between a letter and its marks."""
    if len(name) <= limit:
        return name
    fitting = [p for p in break_points(name) if p <= limit]
    if fitting and fitting[-1] > limit // 2:
        return name[:fitting[-1]]
    cut = limit
    while cut > 1 and (unicodedata.category(name[cut]) in ("Mn", "Mc")
                       or "\u0f90" <= name[cut] <= "\u0fbc"):
        cut -= 1
    return name[:cut]


class _SheetNames:
    """Excel's rules for sheet names: no []:*?/\\, at most 31 characters, no quote at either
    end, unique without regard to case."""

    def __init__(self) -> None:
        self.taken: set[str] = {"history"}  # Excel keeps this one for itself

    def name(self, wanted: str, fallback: str) -> str:
        clean = "".join(" " if ch in FORBIDDEN else ch for ch in wanted)
        clean = " ".join(clean.split()).strip("'").strip() or fallback
        base = _cut(clean, MAX_SHEET_NAME).rstrip()
        name, number = base, 1
        while name.lower() in self.taken:
            number += 1
            suffix = f" ({number})"
            name = _cut(base, MAX_SHEET_NAME - len(suffix)).rstrip() + suffix
        self.taken.add(name.lower())
        return name


class _Book:
    def __init__(self, workbook: Workbook, data: StatisticsReportData,
                 labels: WorkbookLabels) -> None:
        if data.mode not in MODES:
            raise ValueError(f"unknown mode {data.mode!r}")
        self.book, self.data, self.labels, self.mode = workbook, data, labels, data.mode
        self.first = "zh" if data.mode == ZH else "bo"  # the script sheets are named in
        self.names = _SheetNames()
        self._formats: dict[tuple[Any, ...], Any] = {}

    def fmt(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.book.add_format(props)
        return self._formats[key]

    def label(self, value: Both) -> str:
        return inline(value, self.mode).replace("\n", " ")

    def heading(self, value: Both) -> str:
        """A column heading: in a bilingual report Tibetan over Chinese, in one cell."""
        return "\n".join(texts(value, self.mode))

    def header_row(self, sheet: Worksheet, header: list[str]) -> None:
        head = self.fmt(bold=True, bg_color="#E8E8E8", border=1, align="center",
                        valign="vcenter", text_wrap=True)
        for column, text in enumerate(header):
            sheet.write_string(0, column, text, head)
        lines = max(h.count("\n") + 1 for h in header)
        if any(is_tibetan(ch) for h in header for ch in h):
            sheet.set_row(0, TIBETAN_ROW_HEIGHT * lines * 0.8 if lines > 1
                          else TIBETAN_ROW_HEIGHT)
        elif lines > 1:
            sheet.set_row(0, 15 * lines)

    def sheet(self, title: Both, fallback: str) -> Worksheet:
        return self.book.add_worksheet(self.names.name(title.get(self.first), fallback))

    # --- the front sheet ---------------------------------------------------------------

    def front(self) -> None:
        data = self.data
        sheet = self.sheet(self.labels.report_sheet, "Report")
        title = self.fmt(bold=True, font_size=14)
        row = 0
        for value, style in ((data.title, title), (data.office, None), (data.period, None),
                             (data.comparison, None), (data.generated, None)):
            row = self._lines(sheet, row, value, style)
        row += 1
        for note in data.notes:
            row = self._lines(sheet, row, note, None)
        widest = max((text_width(c) for v in (data.title, data.office, data.period,
                                                data.comparison, data.generated, *data.notes)
                      for c in texts(v, self.mode)), default=MIN_WIDTH)
        sheet.set_column(0, 0, min(max(widest + 2, 40.0), 100.0))

    def _lines(self, sheet: Worksheet, row: int, value: Both, style: Any) -> int:
        """One row per script (Tibetan, then Chinese, in a bilingual report)."""
        for line in texts(value, self.mode) if self.mode == BILINGUAL else [self.label(value)]:
            sheet.write_string(row, 0, line.replace("\n", " "), style)
            if any(is_tibetan(ch) for ch in line):
                sheet.set_row(row, TIBETAN_ROW_HEIGHT)
            row += 1
        return row

    # --- tables ------------------------------------------------------------------------

    def table(self, table: StatTable) -> None:
        sheet = self.sheet(table.title, table.key)
        numerator, denominator = self.label(self.labels.numerator), \
            self.label(self.labels.denominator)
        header = [self.heading(table.columns[0]), self.heading(table.columns[1]), numerator,
                  denominator, self.heading(table.columns[2]), numerator, denominator,
                  self.heading(table.columns[3])]
        widths = [max(text_width(line) for line in h.split("\n")) for h in header]
        self.header_row(sheet, header)
        for number, stat_row in enumerate(table.rows, start=1):
            text = self.label(stat_row.label)
            sheet.write_string(number, 0, text, self.fmt(border=1, valign="vcenter",
                                                        text_wrap=True,
                                                        indent=stat_row.indent))
            widths[0] = max(widths[0], text_width(text) + 2 * stat_row.indent)
            for cell, column in zip(stat_row.cells, (1, 4, 7), strict=True):
                shown = self.cell(sheet, number, column, cell, with_parts=column != 7)
                for offset, value in enumerate(shown):
                    widths[column + offset] = max(widths[column + offset], text_width(value))
            if any(is_tibetan(ch) for ch in text) and text_width(text) <= MAX_WIDTH:
                sheet.set_row(number, TIBETAN_ROW_HEIGHT)
        row = len(table.rows) + 2
        for note in table.notes:
            row = self._lines(sheet, row, note, None)
        for column, width in enumerate(widths):
            sheet.set_column(column, column, min(max(width + 2, MIN_WIDTH), MAX_WIDTH))
        sheet.freeze_panes(1, 0)

    def cell(self, sheet: Worksheet, row: int, column: int, cell: StatCell,
             with_parts: bool) -> list[str]:
        """Write one figure (and for a rate its numerator and denominator in the next two
        columns); return the texts shown, for the columns' widths."""
        border: dict[str, Any] = {"border": 1, "valign": "vcenter"}
        number_format = FORMATS.get(cell.kind)
        if cell.kind == POINTS:
            number_format = POINTS_FORMAT[ZH if self.mode == ZH else "other"]
        text = " ".join(self.label(cell.text).split("\n"))
        parts = with_parts and cell.kind == RATE and cell.numerator is not None \
            and cell.denominator is not None
        if with_parts:
            for offset in (1, 2):
                sheet.write_blank(row, column + offset, None, self.fmt(**border))
        if parts and cell.denominator:
            assert cell.numerator is not None and cell.denominator is not None
            count_format = self.fmt(num_format=FORMATS[COUNT], **border)
            sheet.write_number(row, column + 1, cell.numerator, count_format)
            sheet.write_number(row, column + 2, cell.denominator, count_format)
            formula = (f"={xl_rowcol_to_cell(row, column + 1)}"
                       f"/{xl_rowcol_to_cell(row, column + 2)}")
            sheet.write_formula(row, column, formula, self.fmt(num_format=number_format,
                                                               **border),
                                cell.numerator / cell.denominator)
            return [f"{cell.numerator / cell.denominator:.2%}", f"{cell.numerator:,}",
                    f"{cell.denominator:,}"]
        if number_format is None or cell.number is None:
            sheet.write_string(row, column, text, self.fmt(align="right", **border))
            return [text]
        value: float = cell.number
        if cell.kind == COUNT:
            value = round(value)
        sheet.write_number(row, column, value, self.fmt(num_format=number_format, **border))
        if parts:  # a rate over nothing: its parts, and the number the report gives
            assert cell.numerator is not None and cell.denominator is not None
            count_format = self.fmt(num_format=FORMATS[COUNT], **border)
            sheet.write_number(row, column + 1, cell.numerator, count_format)
            sheet.write_number(row, column + 2, cell.denominator, count_format)
        return [text]

    # --- charts ------------------------------------------------------------------------

    def chart(self, spec: ChartSpec) -> None:
        sheet = self.sheet(spec.title, spec.key)
        name = sheet.get_name()
        n = len(spec.categories)
        values = [v for s in spec.series for v in s.values[:n]]
        integers = all(float(v).is_integer() for v in values)
        number = self.fmt(num_format=FORMATS[COUNT] if integers else FORMATS[YUAN], border=1)
        category = self.fmt(border=1)
        names = [self.label(series.name) for series in spec.series]
        self.header_row(sheet, ["", *names])
        widths = [0.0] * (len(spec.series) + 1)
        for row, value in enumerate(spec.categories, start=1):
            text = self.label(value)
            sheet.write_string(row, 0, text, category)
            widths[0] = max(widths[0], text_width(text))
        chart = self.book.add_chart({"type": "column", "subtype": "stacked"} if spec.stacked
                                    else {"type": "column"})
        for index, series in enumerate(spec.series):
            column = index + 1
            widths[column] = max(text_width(names[index]), 8.0)
            for row in range(n):
                figure = float(series.values[row]) if row < len(series.values) else 0.0
                sheet.write_number(row + 1, column, figure, number)
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            options: dict[str, Any] = {
                "name": [name, 0, column],
                "categories": [name, 1, 0, n, 0],
                "values": [name, 1, column, n, column],
                "fill": {"color": colour},
                "border": {"color": "#FFFFFF", "width": 0.5},
            }
            if index == 0:
                options["gap"] = 60
                if spec.stacked:
                    options["overlap"] = 100
            chart.add_series(options)
        chart.set_title({"name": self.label(spec.title),
                         "name_font": {"size": 12, "bold": False}})
        chart.set_y_axis({"name": self.label(spec.unit), "min": 0,
                          "name_font": {"size": 10, "bold": False},
                          "major_gridlines": {"visible": True,
                                              "line": {"color": "#D0D0D0", "width": 0.5}}})
        chart.set_x_axis({"name_font": {"size": 10, "bold": False}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 720, "height": 380})
        sheet.insert_chart(1, len(spec.series) + 2, chart)
        for column, width in enumerate(widths):
            sheet.set_column(column, column, min(max(width + 2, MIN_WIDTH), MAX_WIDTH))
        sheet.freeze_panes(1, 0)


def render_statistics_xlsx(data: StatisticsReportData,
                           labels: WorkbookLabels | None = None) -> bytes:
    """The report as .xlsx bytes. ``labels`` are the workbook's own words in both scripts
    (the front sheet's name, "numerator", "denominator"); Chinese when not given."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    workbook.set_properties({"title": data.title.zh, "author": data.office.zh,
                             "subject": data.period.zh, "comments": "Doorstep"})
    book = _Book(workbook, data, labels or WorkbookLabels())
    book.front()
    for table in data.tables:
        book.table(table)
    for spec in data.charts:
        book.chart(spec)
    workbook.close()
    return out.getvalue()


__all__ = ["WorkbookLabels", "render_statistics_xlsx", "text_width"]
