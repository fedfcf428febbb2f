"""The statistics report as a PDF: the figures sent up to the prefecture, on the office's paper.

A4 portrait with the 12309 papers' margins (``reports.notices``, GB/T 9704); the title centred,
the office, the period, the period compared with and when the figures were computed under it;
then each table (measure | this period | same period last year | change, the header repeated
on every page a table runs onto, sub-rows indented) with its notes, the charts, and the
report's notes. In a bilingual report every text is printed in Tibetan, then in Chinese; a
figure that reads the same in both scripts is printed once.

All text goes through :class:`reports.layout.ScriptParagraph`: broken into lines here, Tibetan
shaped, never wrapped by ReportLab.
"""

from __future__ import annotations

import gettext
import io

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from reports.charts import BILINGUAL, BO, MODES, ChartFlowable
from reports.layout import FontFiles, Measurer, ScriptParagraph, register_fonts
from reports.notices import BOTTOM, LEFT, RIGHT, TOP, Both, numbered_canvas
from reports.statistics import ChartSpec, StatisticsReportData, StatTable

FRAME_WIDTH = A4[0] - LEFT - RIGHT
FRAME_HEIGHT = A4[1] - TOP - BOTTOM
TITLE_SIZE = {False: 20.0, True: 18.0}
META_SIZE = 11.5
HEADING_SIZE = 13.0
CELL_SIZE = 10.5
NOTE_SIZE = 9.5
# Leading as a multiple of the size: Tibetan stacks need more room than Chinese.
LEADING = {"zh": 1.45, "bo": 1.85}
# The three figure columns are as wide as their longest line needs (the same in every table
# of a report, so that the tables line up), within these bounds; the measure column takes
# what they leave.
MIN_FIGURE_COLUMN = 0.15 * FRAME_WIDTH
MAX_FIGURE_COLUMNS = 0.64 * FRAME_WIDTH
PADDING = 4.0
INDENT = 12.0  # per level of a sub-row
HEADER_GREY = colors.Color(0.91, 0.91, 0.91)
# A table longer than this starts where the page has room for its title and first rows,
# rather than on a page of its own.
KEEP_WHOLE = 0.6 * FRAME_HEIGHT
FIRST_ROWS = 150.0


class _PageLabel(gettext.NullTranslations):
    """What :func:`reports.notices.numbered_canvas` writes at the foot of each page."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def gettext(self, message: str) -> str:
        return self.label


# 第X页 共Y页 as on the other papers (a bilingual paper numbers its pages in Chinese, as they
# do); a Tibetan report, for want of its catalog here, "— N —".
PAGE_LABEL = {"zh": "第{page}页 共{pages}页", "bo": "— {page} —",
              "bilingual": "第{page}页 共{pages}页"}


class _Report:
    def __init__(self, data: StatisticsReportData, measurer: Measurer) -> None:
        if data.mode not in MODES:
            raise ValueError(f"unknown mode {data.mode!r}")
        self.data, self.measurer, self.mode = data, measurer, data.mode
        self.figure_columns = self._figure_columns()

    def _need(self, value: Both) -> float:
        """The width a cell needs for its longest line to stand whole."""
        return max((self.measurer.width(line, CELL_SIZE) for _script, text in self.scripts(value)
                    for line in text.split("\n")), default=0.0) + 2 * PADDING + 2

    def _figure_columns(self) -> list[float]:
        """The figure columns' widths: first what the figures need; headings (which may wrap
        after a syllable or a character) get what room is left."""
        cells = [MIN_FIGURE_COLUMN] * 3
        headings = [MIN_FIGURE_COLUMN] * 3
        for table in self.data.tables:
            for index in range(3):
                headings[index] = max(headings[index], self._need(table.columns[index + 1]))
                for row in table.rows:
                    cells[index] = max(cells[index], self._need(row.cells[index].text))
        if sum(cells) > MAX_FIGURE_COLUMNS:  # the wider give way: their figures wrap
            room = (MAX_FIGURE_COLUMNS - 3 * MIN_FIGURE_COLUMN) \
                / (sum(cells) - 3 * MIN_FIGURE_COLUMN)
            return [MIN_FIGURE_COLUMN + (w - MIN_FIGURE_COLUMN) * room for w in cells]
        wants = [max(h - c, 0.0) for h, c in zip(headings, cells, strict=True)]
        share = min(1.0, (MAX_FIGURE_COLUMNS - sum(cells)) / sum(wants)) if sum(wants) else 0.0
        return [c + w * share for c, w in zip(cells, wants, strict=True)]

    def scripts(self, value: Both) -> list[tuple[str, str]]:
        """(script, text) in each script the report is printed in; in a bilingual report a
        text without its own Tibetan, or the same in both, is printed once."""
        if self.mode == BO:
            return [("bo", value.get("bo"))]
        if self.mode == BILINGUAL and value.bo and value.bo != value.zh:
            return [("bo", value.bo), ("zh", value.zh)]
        return [("zh", value.zh)]

    def paragraphs(self, value: Both, size: float, align: str = "left",
                   space_after: float = 0.0) -> list[Flowable]:
        """One paragraph per script and per line of the text (a cell's "\\n" is kept)."""
        result: list[Flowable] = []
        for script, text in self.scripts(value):
            for line in text.split("\n"):
                result.append(ScriptParagraph(line, self.measurer, size,
                                              size * LEADING[script], align=align))
        if result and space_after:
            result[-1].spaceAfter = space_after
        return result

    def heading(self) -> list[Flowable]:
        data = self.data
        bilingual = self.mode == BILINGUAL
        story: list[Flowable] = []
        story += self.paragraphs(data.title, TITLE_SIZE[bilingual], "center")
        story.append(Spacer(1, 6))
        for value in (data.office, data.period, data.comparison):
            story += self.paragraphs(value, META_SIZE, "center")
        story += self.paragraphs(data.generated, NOTE_SIZE, "center")
        story.append(Spacer(1, 10))
        return story

    def table(self, table: StatTable) -> list[Flowable]:
        title = self.paragraphs(table.title, HEADING_SIZE, space_after=4)
        label_width = FRAME_WIDTH - sum(self.figure_columns)
        rows: list[list[list[Flowable]]] = [
            [self.paragraphs(column, CELL_SIZE, "center") for column in table.columns]]
        style: list[tuple[object, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BOX", (0, 0), (-1, -1), 1.0, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        for number, row in enumerate(table.rows, start=1):
            rows.append([self.paragraphs(row.label, CELL_SIZE),
                         *(self.paragraphs(cell.text, CELL_SIZE, "right") for cell in row.cells)])
            if row.indent:
                style.append(("LEFTPADDING", (0, number), (0, number),
                              PADDING + INDENT * row.indent))
        grid = Table(rows, colWidths=[label_width, *self.figure_columns], repeatRows=1,
                     style=TableStyle(style), hAlign="LEFT")
        notes: list[Flowable] = []
        for note in table.notes:
            notes += self.paragraphs(note, NOTE_SIZE, space_after=1)
        block = [*title, grid]
        height = sum(f.wrap(FRAME_WIDTH, FRAME_HEIGHT)[1] + f.getSpaceAfter() for f in block)
        if height <= KEEP_WHOLE:
            kept: list[Flowable] = [KeepTogether(block)]
        else:
            kept = [CondPageBreak(FIRST_ROWS), *block]
        return [*kept, Spacer(1, 3), *notes, Spacer(1, 12)]

    def chart(self, spec: ChartSpec) -> Flowable:
        title = self.paragraphs(spec.title, HEADING_SIZE - 1, "center", space_after=2)
        return KeepTogether([*title, ChartFlowable(spec, self.mode, self.measurer),
                             Spacer(1, 18)])

    def story(self) -> list[Flowable]:
        story = self.heading()
        for table in self.data.tables:
            story += self.table(table)
        for spec in self.data.charts:
            story.append(self.chart(spec))
        if self.data.notes:
            story.append(Spacer(1, 4))
            for note in self.data.notes:
                story += self.paragraphs(note, CELL_SIZE - 0.5, space_after=2)
        return story


def render_statistics_pdf(data: StatisticsReportData, fonts: FontFiles) -> bytes:
    """The report as PDF bytes; the same data gives the same bytes (no timestamps inside)."""
    rl_config.invariant = 1
    register_fonts(fonts)
    measurer = Measurer(fonts)
    story = _Report(data, measurer).story()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, topMargin=TOP, bottomMargin=BOTTOM,
                            leftMargin=LEFT, rightMargin=RIGHT, title=data.title.zh,
                            author=data.office.zh, subject=data.period.zh, creator="Doorstep")
    doc.build(story, canvasmaker=numbered_canvas(_PageLabel(PAGE_LABEL[data.mode]), measurer))
    return out.getvalue()


__all__ = ["render_statistics_pdf"]
