"""A list of records as a printed table (PDF), an Excel workbook or a CSV file: the registry's
petitions as the screen lists them.

``app`` hands over a :class:`ListTable`, every text already in the screen's language. The PDF is
A4 landscape: the title and what is listed on the first page, the header row repeated at the top
of every page, each page numbered "page of pages" at its foot. Cells are broken into lines here
(Tibetan after a tsheg or a shad, shaped; never inside a registration number or a date), a cell
of more than ``MAX_CELL_LINES`` lines ends with "…". Rows are never split across pages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from reports.layout import (
    CHINESE_FONT,
    TIBETAN_SCALE,
    FontFiles,
    Measurer,
    draw_line,
    is_tibetan,
    register_fonts,
    wrap,
)

PAGE = landscape(A4)
MARGIN = 14 * mm
FOOT = 10 * mm  # the page label's baseline above the paper's edge
TITLE_SIZE = 15.0
LINE_SIZE = 9.5
CELL_SIZE = 8.5
PADDING = 2.5
MAX_CELL_LINES = 4
ELLIPSIS = "…"
# Leading as a multiple of the size: Tibetan stacks need more room than Chinese.
LEADING = {"zh": 1.35, "bo": 1.8}
HEADER_GREY = colors.Color(0.91, 0.91, 0.91)
ENCODING = "utf-8-sig"  # with a BOM, so that Excel on a Chinese Windows reads UTF-8


class TooManyPagesError(Exception):
    """The list would take more pages than allowed (nothing was drawn)."""

    def __init__(self, pages: int) -> None:
        super().__init__(f"{pages} pages")
        self.pages = pages


@dataclass(frozen=True)
class ListTable:
    title: str
    # What is listed (the filters, how many, when): lines under the title.
    lines: list[str]
    headers: list[str]
    rows: list[tuple[str, ...]]
    # Each column's share of the page's width, in the order of ``headers``.
    widths: tuple[float, ...]
    # "Page {page} of {pages}" in the paper's language.
    page_label: str
    sheet: str = "Sheet1"
    # Lines after the table (a section of the paper, sign-off lines): on the last page, or on
    # a page of their own when they do not fit; a blank line leaves a gap.
    closing: tuple[str, ...] = ()


# -- CSV and Excel ---------------------------------------------------------------------------------
def render_csv(table: ListTable) -> bytes:
    """The header row, then every row, as CSV that Excel opens (UTF-8 with a BOM, CRLF)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return out.getvalue().encode(ENCODING)


def _display_width(text: str) -> float:
    """Roughly how many Latin characters wide ``text`` is in Excel (a hanzi takes two)."""
    return sum(2.0 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"
               else 1.2 if is_tibetan(ch) else 1.0 for ch in text)


def render_xlsx(table: ListTable) -> bytes:
    """One sheet: the header row (frozen, with filters), then every row as text; the title and
    what is listed in the workbook's properties."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True,
                                     "strings_to_numbers": False, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    book.set_properties({"title": table.title, "comments": "\n".join(table.lines),
                         "author": "Doorstep", "created": None})
    sheet = book.add_worksheet(table.sheet[:31])
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top",
                            "bg_color": "#E8E8E8", "border": 1})
    for column, header in enumerate(table.headers):
        widths = [_display_width(header)] + [_display_width(row[column])
                                              for row in table.rows[:500]]
        sheet.set_column(column, column, min(max(widths) + 2, 60))
    sheet.write_row(0, 0, table.headers, head)
    for number, row in enumerate(table.rows, start=1):
        for column, text in enumerate(row):
            sheet.write_string(number, column, text)
    for number, line in enumerate(table.closing, start=len(table.rows) + 2):
        if line:
            sheet.write_string(number, 0, line)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(table.rows), len(table.headers) - 1)
    book.close()
    return out.getvalue()


# -- PDF ---------------------------------------------------------------------------------------
def _baseline(line: str, size: float, leading: float) -> float:
    """Where a line's baseline stands above the foot of its leading (as
    :class:`reports.layout.ScriptParagraph` sets it): Tibetan, set larger, has room below for
    subjoined letters and vowel signs."""
    size = size * TIBETAN_SCALE if any(map(is_tibetan, line)) else size
    return (leading - size) / 2 + 0.25 * size


def _leading(lines: list[str], size: float) -> float:
    return size * LEADING["bo" if any(is_tibetan(ch) for line in lines for ch in line)
                          else "zh"]


@dataclass
class _Row:
    cells: list[list[str]]
    leading: float

    @property
    def height(self) -> float:
        return max(len(lines) for lines in self.cells) * self.leading + 2 * PADDING


class _Layout:
    def __init__(self, table: ListTable, measurer: Measurer) -> None:
        self.table, self.measurer = table, measurer
        width = PAGE[0] - 2 * MARGIN
        total = sum(table.widths)
        self.columns = [width * share / total for share in table.widths]

    def cell(self, text: str, width: float) -> list[str]:
        room = width - 2 * PADDING
        lines = wrap(text.replace("\n", " "), room, CELL_SIZE, self.measurer) if text else [""]
        if len(lines) > MAX_CELL_LINES:
            last = lines[MAX_CELL_LINES - 1]
            while last and self.measurer.width(last + ELLIPSIS, CELL_SIZE) > room:
                last = last[:-1]
            lines = [*lines[:MAX_CELL_LINES - 1], last.rstrip() + ELLIPSIS]
        return lines

    def row(self, texts: tuple[str, ...] | list[str]) -> _Row:
        cells = [self.cell(text, width) for text, width in zip(texts, self.columns,
                                                                strict=True)]
        return _Row(cells, _leading([line for lines in cells for line in lines], CELL_SIZE))

    def heading(self) -> list[tuple[str, float, float]]:
        """The first page's title and lines: (line, size, leading)."""
        width = PAGE[0] - 2 * MARGIN
        found = [(line, TITLE_SIZE, _leading([line], TITLE_SIZE))
                 for line in wrap(self.table.title, width, TITLE_SIZE, self.measurer)]
        for text in self.table.lines:
            for line in wrap(text, width, LINE_SIZE, self.measurer):
                found.append((line, LINE_SIZE, _leading([line], LINE_SIZE)))
        return found

    def closing(self) -> list[tuple[str, float]]:
        """The lines after the table: (line, leading)."""
        width = PAGE[0] - 2 * MARGIN
        found = []
        for text in self.table.closing:
            for line in wrap(text, width, LINE_SIZE, self.measurer) if text else [""]:
                found.append((line, _leading([line], LINE_SIZE) if line else LINE_SIZE))
        return found


def render_list_pdf(table: ListTable, fonts: FontFiles,
                    progress: Callable[[int, int], None] | None = None,
                    max_pages: int | None = None) -> bytes:
    """The list as PDF bytes; the same table gives the same bytes (no timestamps inside).
    ``progress(done, total)`` is told the rows laid out; a list longer than ``max_pages``
    raises :class:`TooManyPagesError` before anything is drawn."""
    rl_config.invariant = 1
    register_fonts(fonts)
    measurer = Measurer(fonts)
    layout = _Layout(table, measurer)
    header = layout.row(table.headers)
    heading = layout.heading()
    top = PAGE[1] - MARGIN
    bottom = MARGIN + 2 * mm
    # Pages first (their number is printed on each), then drawing.
    pages: list[list[_Row]] = [[]]
    y = top - sum(lead for _line, _size, lead in heading) - 3 * mm - header.height
    for number, texts in enumerate(table.rows, start=1):
        row = layout.row(texts)
        if y - row.height < bottom and pages[-1]:
            pages.append([])
            y = top - header.height
        pages[-1].append(row)
        y -= row.height
        if progress is not None and number % 200 == 0:
            progress(number, len(table.rows))
    closing = layout.closing()
    # The closing lines stay together: on the last page when they fit, else on a page of
    # their own (without the table's header).
    closing_page = len(pages) - 1
    if closing and y - 3 * mm - sum(lead for _line, lead in closing) < bottom:
        pages.append([])
        closing_page = len(pages) - 1
    if max_pages is not None and len(pages) > max_pages:
        raise TooManyPagesError(len(pages))
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=PAGE, invariant=1, initialFontName=CHINESE_FONT)
    canvas.setTitle(table.title)
    canvas.setCreator("Doorstep")
    for index, rows in enumerate(pages):
        y = top
        if index == 0:
            for line, size, lead in heading:
                y -= lead
                x = (PAGE[0] - measurer.width(line, size)) / 2 if size == TITLE_SIZE else MARGIN
                draw_line(canvas, line, x, y + _baseline(line, size, lead), size, measurer)
            y -= 3 * mm
        if rows or index == 0:
            y = _draw_row(canvas, header, y, layout, measurer, shaded=True)
        for row in rows:
            y = _draw_row(canvas, row, y, layout, measurer)
        if closing and index == closing_page:
            y -= 3 * mm
            for line, lead in closing:
                y -= lead
                if line:
                    draw_line(canvas, line, MARGIN, y + _baseline(line, LINE_SIZE, lead),
                              LINE_SIZE, measurer)
        label = table.page_label.format(page=index + 1, pages=len(pages))
        draw_line(canvas, label, (PAGE[0] - measurer.width(label, LINE_SIZE)) / 2, FOOT,
                  LINE_SIZE, measurer)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _draw_row(canvas: Any, row: _Row, top: float, layout: _Layout, measurer: Measurer,
              shaded: bool = False) -> float:
    """Draw ``row`` with its top at ``top``, boxed; returns where its bottom lies."""
    height = row.height
    left = MARGIN
    right = MARGIN + sum(layout.columns)
    if shaded:
        canvas.setFillColor(HEADER_GREY)
        canvas.rect(left, top - height, right - left, height, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
    canvas.setLineWidth(0.5)
    canvas.setStrokeColor(colors.black)
    canvas.line(left, top, right, top)
    canvas.line(left, top - height, right, top - height)
    x = left
    for lines, width in zip(row.cells, layout.columns, strict=True):
        canvas.line(x, top, x, top - height)
        foot = top - PADDING
        for line in lines:
            foot -= row.leading
            draw_line(canvas, line, x + PADDING, foot + _baseline(line, CELL_SIZE, row.leading),
                      CELL_SIZE, measurer)
        x += width
    canvas.line(right, top, right, top - height)
    return top - height


__all__ = ["ListTable", "TooManyPagesError", "render_csv", "render_list_pdf", "render_xlsx"]
