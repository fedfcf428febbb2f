"""The notice of leaders' reception days (院领导接访安排) posted at the 12309 window: for a
month (or any days), each day a leader of the office receives petitioners, with the leader's
name and title, the time and the place, in Tibetan and in Chinese.

The page is the other papers' (``reports.paper``): A4 portrait, GB/T 9704 margins, the office
and the title in the heavy Song face (the bold Tibetan one beside it), the office's name, the date
and the seal box at the foot. The days are a table: in each cell the Tibetan line, then the
Chinese one; what the clerk wrote (the place) once, as written.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table

from reports.layout import CHINESE_FONT, FANGSONG_FONT, FontFiles, Measurer, ScriptParagraph
from reports.notices import MEASURE, Both
from reports.paper import Paper, is_tibetan_text

HEADER_GREY = colors.Color(0.91, 0.91, 0.91)


@dataclass(frozen=True)
class CellType:
    """The table's type: smaller than the body, its Tibetan lines further apart."""

    size: float
    leading: dict[str, float]
    padding: float


# A month of many days is set in the first of these that keeps the notice on one sheet (else
# in the last, over two).
CELL_TYPES = (CellType(12.0, {"bo": 24.0, "zh": 17.0}, 3.0),
              CellType(11.0, {"bo": 21.0, "zh": 15.0}, 2.5),
              CellType(10.0, {"bo": 19.0, "zh": 13.5}, 2.0),
              CellType(9.0, {"bo": 17.0, "zh": 12.0}, 1.5))
# Each column's share of the text block: the date, the leader, the time, the place.
COLUMNS = (0.30, 0.30, 0.17, 0.23)


@dataclass(frozen=True)
class NoticeDay:
    day: Both  # the date with its weekday
    leader: Both  # the leader's name
    title: Both  # 检察长, 副检察长…
    time: str  # 09:00-12:00
    place: str  # as the clerk wrote it


@dataclass(frozen=True)
class ReceptionNoticeData:
    office: Both
    period: Both  # 2026年12月
    days: list[NoticeDay]
    issued: Both


def _cell(lines: list[tuple[str, str]], measurer: Measurer, kind: CellType,
          bold: bool = False) -> list[Flowable]:
    """A cell's lines, each (script, text); a text that reads the same in both scripts once."""
    seen: list[str] = []
    cell: list[Flowable] = []
    for script, text in lines:
        if not text or text in seen:
            continue
        seen.append(text)
        cell.append(ScriptParagraph(text, measurer, kind.size, kind.leading[script],
                                    chinese_font=CHINESE_FONT if bold else FANGSONG_FONT))
    return cell


def _once(text: str) -> tuple[str, str]:
    return ("bo" if is_tibetan_text(text) else "zh", text)


def _table(paper: Paper, data: ReceptionNoticeData, kind: CellType) -> Table:
    measurer = paper.measurer
    headers = [paper.each(lambda s, _: _("Date")), paper.each(lambda s, _: _("Leader")),
               paper.each(lambda s, _: _("Time")), paper.each(lambda s, _: _("Place"))]
    rows: list[list[list[Flowable]]] = [[_cell(lines, measurer, kind, bold=True)
                                         for lines in headers]]
    for day in data.days:
        leader = [("bo", f"{day.title.bo} {day.leader.bo}" if day.leader.bo
                   else f"{day.title.bo} {day.leader.zh}"),
                  ("zh", f"{day.title.zh} {day.leader.zh}")]
        rows.append([_cell([("bo", day.day.bo), ("zh", day.day.zh)], measurer, kind),
                     _cell(leader, measurer, kind),
                     _cell([("zh", day.time)], measurer, kind),
                     _cell([_once(day.place)], measurer, kind)])
    widths = [share * MEASURE for share in COLUMNS]
    style = [("GRID", (0, 0), (-1, -1), 0.6, colors.black),
             ("BACKGROUND", (0, 0), (-1, 0), HEADER_GREY),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("LEFTPADDING", (0, 0), (-1, -1), kind.padding + 1),
             ("RIGHTPADDING", (0, 0), (-1, -1), kind.padding + 1),
             ("TOPPADDING", (0, 0), (-1, -1), kind.padding),
             ("BOTTOMPADDING", (0, 0), (-1, -1), kind.padding)]
    return Table(rows, colWidths=widths, style=style, repeatRows=1)


def render_reception_notice(data: ReceptionNoticeData, zh: gettext.NullTranslations,
                            bo: gettext.NullTranslations, fonts: FontFiles) -> bytes:
    """The notice as PDF bytes, in both scripts (same data, same bytes): on one sheet, its
    table set smaller for a month of many days."""
    pdf = b""
    for kind in CELL_TYPES:
        paper = _notice(data, kind, zh, bo, fonts)
        pdf = paper.build(zh.gettext("Leaders' reception days"), data.office.zh,
                          data.period.zh)
        if paper.pages == 1:
            break
    return pdf


def _notice(data: ReceptionNoticeData, kind: CellType, zh: gettext.NullTranslations,
            bo: gettext.NullTranslations, fonts: FontFiles) -> Paper:
    paper = Paper(True, zh, bo, fonts)
    paper.keep_whole(*(day.leader for day in data.days))
    paper.title(lambda s, _: data.office.get(s))
    paper.title(lambda s, _: _("Leaders' reception days"))
    # The period once, in both scripts on one line (a title naming it took two in Tibetan).
    period = "　".join(dict.fromkeys((data.period.bo, data.period.zh)))
    paper.story.append(ScriptParagraph(period, paper.measurer, kind.size + 2,
                                       kind.leading["bo"] * (kind.size + 2) / kind.size,
                                       align="center", space_after=2 * mm))
    paper.story.append(_table(paper, data, kind))
    paper.gap(3 * mm)
    # Set in the table's type, so that the office's name and seal stay on the same sheet.
    closing = paper.each(lambda s, _: _(
        "On these days the leaders of this office receive petitioners in person: please "
        "bring your resident identity card and the papers about your matter. On other working "
        "days, come to the 12309 procuratorial service window, or call the 12309 "
        "procuratorial service hotline."))
    for script, text in closing:
        paper.story.append(ScriptParagraph(text, paper.measurer, kind.size, kind.leading[script],
                                           indent=2 * kind.size, align="justify",
                                           chinese_font=FANGSONG_FONT))
    paper.office_signature(data.office, data.issued, keep_with=len(closing))
    return paper


__all__ = ["NoticeDay", "ReceptionNoticeData", "render_reception_notice"]
