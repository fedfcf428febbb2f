"""The 12309 window's papers: receipt slip (回执), procedural-reply notice (受理告知书) and
referral notice pointing the way to the competent body (指明路径告知书).

A4, official-document margins (GB/T 9704: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm),
title in 二号 (22 pt) Song and body in 三号 (16 pt) FangSong; Tibetan is set larger
(``reports.layout.TIBETAN_SCALE``) and its lines further apart. A petitioner who prefers
Tibetan gets every paragraph in Tibetan, then in Chinese.
"""

from __future__ import annotations

import gettext
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate, Spacer

from reports.layout import (
    CHINESE_FONT,
    FANGSONG_FONT,
    TITLE_FONT,
    FontFiles,
    Measurer,
    ScriptParagraph,
    register_fonts,
)

TOP, BOTTOM, LEFT, RIGHT = 37 * mm, 35 * mm, 28 * mm, 26 * mm
# 二号 for a paper in one script; 三号 when the title stands in both scripts (a bilingual receipt
# or reply notice still fits on one sheet), in the heavy Song face either way.
TITLE_SIZE = {False: 22.0, True: 16.0}
# 三号 for a paper in one script; 四号 when every paragraph is printed twice, so that a receipt
# still fits on one sheet.
BODY_SIZE = {False: 16.0, True: 14.0}
# Tibetan lines further apart than Chinese ones: set TIBETAN_SCALE larger, with stacks and vowel
# signs above and below the letter body (they reach about 1.1 em above the baseline and 0.7 em
# below). Printed twice, a notice is set closer, with smaller gaps, so that a receipt or a reply
# notice stays on one sheet.
LEADING = {(False, "zh"): 28.0, (False, "bo"): 36.0, (True, "zh"): 20.0, (True, "bo"): 30.0}
# A title line whose ink reaches beyond its leading takes the room it needs above and below
# (ScriptParagraph's overhang): the bold Tibetan's stacks and a shad's tail.
TITLE_LEADING = {(False, "zh"): 32.0, (False, "bo"): 44.0, (True, "zh"): 23.0,
                 (True, "bo"): 26.0}
TITLE_GAP = {False: 8 * mm, True: 2 * mm}  # under the title
# After a paragraph of the body; printed twice, a paragraph's Tibetan runs on into its Chinese.
PARAGRAPH_GAP = {(False, "zh"): 6.0, (True, "bo"): 0.0, (True, "zh"): 3.0}
OFFICE_GAP = {False: 6 * mm, True: 2 * mm}  # over the office's name and date

RECEIPT, REPLY_NOTICE, REFERRAL_NOTICE = "receipt", "reply-notice", "referral-notice"
# Between two sentences run together: a space after a shad in Tibetan, none after 。 in Chinese.
SENTENCE_GAP = {"bo": " ", "zh": ""}


@dataclass(frozen=True)
class Both:
    """A value in both scripts (a name, a date); ``bo`` falls back to ``zh`` when empty."""

    zh: str
    bo: str = ""

    def get(self, script: str) -> str:
        return (self.bo or self.zh) if script == "bo" else self.zh


@dataclass(frozen=True)
class NoticeData:
    kind: str
    office: Both
    reg_no: str
    petitioners: Both
    received: Both
    channel: Both
    summary: str
    reply_due: Both
    answer_due: Both
    reply_days: int
    answer_months: int
    procurator: Both
    referral_body: str
    referral_note: str
    issued: Both
    bilingual: bool


def _texts(data: NoticeData, tr: gettext.NullTranslations, script: str) -> dict[str, Any]:
    """Title and paragraphs of the paper in one script."""
    _ = tr.gettext
    # A Tibetan label ends with a shad; inside a sentence it must not.
    channel = data.channel.get(script).rstrip("།") if script == "bo" else data.channel.zh
    v = {"name": data.petitioners.get(script), "date": data.received.get(script),
         "channel": channel, "summary": data.summary, "number": data.reg_no,
         "reply_due": data.reply_due.get(script), "answer_due": data.answer_due.get(script),
         "reply_days": data.reply_days, "answer_months": data.answer_months,
         "procurator": data.procurator.get(script), "body": data.referral_body}
    hotline = _("To ask about your petition, call the 12309 procuratorial service hotline or come "
                "to the 12309 window, and give the registration number {number}.").format(**v)
    salutation = _("{name}:").format(**v)
    if data.kind == RECEIPT:
        title = _("Receipt for a petition")
        body = [
            _("On {date} you brought this office a petition ({channel}): \u201c{summary}\u201d. "
              "It has been received and registered under number {number}.").format(**v),
            _("This office will tell you within {reply_days} days how your petition is being "
              "handled (by {reply_due}), and will answer you with the process or the result "
              "within {answer_months} months (by {answer_due}).").format(**v),
            hotline,
        ]
    elif data.kind == REPLY_NOTICE:
        title = _("Notice on the handling of a petition")
        body = [
            _("Your petition of {date} (\u201c{summary}\u201d, registration number {number}) "
              "falls within the remit of the procuratorate and has been accepted into case "
              "handling.").format(**v)
            + (SENTENCE_GAP[script] + _("It is handled by procurator {procurator}.").format(**v)
               if v["procurator"] else ""),
            _("This office will answer you with the process or the result by "
              "{answer_due}.").format(**v),
            hotline,
        ]
    elif data.kind == REFERRAL_NOTICE:
        title = _("Notice pointing the way to the competent body")
        body = [
            _("Your petition of {date} (\u201c{summary}\u201d, registration number {number}) does "
              "not fall within the remit of the procuratorate.").format(**v),
            _("Under the relevant provisions, please take the matter to {body}.").format(**v),
        ]
        # The clerk's note on the referral is for the office's record, not for the petitioner.
        body.append(hotline)
    else:
        raise ValueError(f"unknown paper {data.kind!r}")
    return {"title": title, "salutation": salutation, "body": body,
            "seal": _("(seal)"), "office": data.office.get(script),
            "issued": data.issued.get(script)}


class SealBox(Flowable):  # type: ignore[misc]
    """Where the office's seal is stamped: a dashed circle over the office's name and the date
    above it, as a seal is, drawn upward over the lines before it but never above the text
    block. The label saying what goes there ("(seal)") is clear of every line of text: inside
    the circle above the lines when there is room, else left of the circle on the last line's
    row when that line (``last``: its width and leading) is short enough to leave it clear, else
    under the circle, where the box takes the height it needs."""

    LABEL_SIZE, LABEL_LEADING, GAP = 9.0, 12.0, 2.0

    def __init__(self, label: str, measurer: Measurer, over: float,
                 size: float = 40 * mm, last: tuple[float, float] | None = None) -> None:
        super().__init__()
        self.label, self.measurer, self.over, self.size = label, measurer, over, size
        self.last = last
        self._para = ScriptParagraph(label, measurer, self.LABEL_SIZE, self.LABEL_LEADING,
                                     align="center")
        self.width = 0.0
        self.height = 0.0

    def _bottom(self) -> float:
        """The circle's lowest point, from the top of the box: centred on the ``over`` lines."""
        return self.over / 2 - self.size / 2

    def _label_above(self, size: float) -> bool:
        """Whether the label fits inside a circle of ``size`` above the lines: under its top
        and, at the label's top, between its sides."""
        if self._bottom() + size - self.over < 2 * self.GAP + self._para.height:
            return False
        rise = self.over + self.GAP + self._para.height - (self._bottom() + size / 2)
        half_chord = math.sqrt(max(0.0, (size / 2) ** 2 - rise ** 2))
        return half_chord >= self.measurer.width(self.label, self.LABEL_SIZE) / 2 + self.GAP

    def _centre_x(self) -> float:
        return float(self.width - self.size / 2 - 12 * mm)

    def _label_beside(self) -> bool:
        """Whether the label fits left of the circle on the last line's row, clear of that
        line (set flush right) and inside the text block."""
        if self.last is None:
            return False
        width, leading = self.last
        right = self._centre_x() - self.size / 2 - self.GAP
        label = self.measurer.width(self.label, self.LABEL_SIZE)
        return (right <= self.width - width - 2 * self.GAP and right - label >= 0
                and self._para.height <= leading)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self._para.wrap(self.size, avail_height)
        self.height = max(0.0, -self._bottom())
        if self._label_above(self.size):
            self.height = 0.0
        elif not self._label_beside():
            self.height += self.GAP + self._para.height
        return avail_width, self.height

    def draw(self) -> None:
        centre_x = self._centre_x()
        bottom = self.height + self._bottom()
        # The circle's top stays inside the text block (a seal box at a page's head).
        _x, y = self.canv.absolutePosition(0, 0)
        size = min(self.size, A4[1] - TOP - y - bottom)
        self.canv.saveState()
        self.canv.setDash(3, 3)
        self.canv.setLineWidth(0.6)
        self.canv.setStrokeGray(0.45)
        self.canv.circle(centre_x, bottom + size / 2, size / 2)
        self.canv.restoreState()
        if self._label_above(size):
            label_y = self.height + self.over + self.GAP
        elif self._label_beside():
            assert self.last is not None
            right = centre_x - self.size / 2 - self.GAP
            label_y = self.height + (self.last[1] - self._para.height) / 2
            label = self.measurer.width(self.label, self.LABEL_SIZE)
            self._para.drawOn(self.canv, right - label / 2 - self.size / 2, label_y)
            return
        else:
            label_y = min(bottom, self.height) - self.GAP - self._para.height
        self._para.drawOn(self.canv, centre_x - self.size / 2, label_y)


PAGE_NUMBER_SIZE = 14.0  # 四号
CHARACTERS_PER_LINE = 28  # GB/T 9704, in 三号


def names_of(*values: Both) -> tuple[str, ...]:
    """Each person's name in ``values`` (a value may list several: 扎西、卓玛), in both
    scripts: the words never to break across lines."""
    found = {name.strip() for value in values for text in (value.zh, value.bo)
             for name in re.split(r"、|\s{2,}", text)}
    return tuple(sorted(name for name in found if len(name) > 1))


def grid_tracking(size: float) -> dict[float, float]:
    """The tracking that sets body text of ``size`` at GB/T 9704's 28 characters to the line
    (三号 is 16 pt, a little wider than 156 mm / 28), or none when they fit already."""
    pitch = (A4[0] - LEFT - RIGHT) / CHARACTERS_PER_LINE
    return {size: pitch - size} if size > pitch else {}


MEASURE = A4[0] - LEFT - RIGHT  # the text block's width: 156 mm


def title_paragraph(text: str, measurer: Measurer, size: float,
                    leading: float) -> ScriptParagraph:
    """A title, centred in the heavy Song face (and the bold Tibetan one): set a little
    smaller, to four fifths of ``size`` at most, when that keeps it on one line (a long
    Tibetan title would otherwise leave its last syllable alone on a second)."""
    natural = measurer.width(text, size, TITLE_FONT)
    scale = 1.0 if natural <= MEASURE else max(0.8, MEASURE / natural * 0.999)
    return ScriptParagraph(text, measurer, size * scale, leading * scale, align="center",
                           chinese_font=TITLE_FONT, clear_below=True)


class HeadingGroup(KeepTogether):  # type: ignore[misc]
    """A heading (in each script) with what follows it: on one page with at least the first
    lines of the paragraph after it. ReportLab's own group moves that paragraph whole to the
    next page when it does not fit, leaving the foot of the page empty; this one lets the rest
    of the paragraph run on over the page, as long as the paragraph itself allows the split
    (two lines or more on each side)."""

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        if getattr(self, "_wrapInfo", None) != (avail_width, avail_height):
            self.wrap(avail_width, avail_height)
        *heads, last = self._content
        if heads and self._H > avail_height:  # it does not fit whole
            used = sum(head.wrap(avail_width, avail_height)[1] + head.getSpaceBefore()
                       + head.getSpaceAfter() for head in heads)
            room = avail_height - used - last.getSpaceBefore() - 1.0
            if room > 0:
                parts: list[Flowable] = last.split(avail_width, room)
                if len(parts) > 1:
                    return [*heads, *parts]
        found: list[Flowable] = super().split(avail_width, avail_height)
        return found


def paper_document(out: io.BytesIO, title: str, author: str, subject: str) -> BaseDocTemplate:
    """An A4 document whose text block is exactly the GB/T 9704 one: the frame has no padding
    of its own, so the ink starts 28 mm from the left edge and 37 mm from the top. A heading
    goes with the first lines after it (:class:`HeadingGroup`)."""
    doc = BaseDocTemplate(out, pagesize=A4, topMargin=TOP, bottomMargin=BOTTOM,
                          leftMargin=LEFT, rightMargin=RIGHT, title=title, author=author,
                          subject=subject, creator="Doorstep")
    frame = Frame(LEFT, BOTTOM, A4[0] - LEFT - RIGHT, A4[1] - TOP - BOTTOM, id="text",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.keepTogetherClass = HeadingGroup  # what groups a heading with what follows it
    return doc


def numbered_canvas(page_label: gettext.NullTranslations | None, measurer: Measurer,
                    foot: Callable[[Canvas, int, int], None] | None = None) -> type[Canvas]:
    """A canvas that numbers the pages of a multi-page paper: as GB/T 9704 numbers an official
    paper ("— 1 —" in 四号, 7 mm under the text block, on the outer side: right on odd pages,
    left on even ones, one character in from the edge of the text block), or, given a
    ``page_label`` catalog, as a report ("第1页 共3页", centred at the foot). ``foot(canvas,
    page, pages)`` draws what else a page carries at its foot, once the pages are counted."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # A canvas starts each page in its initial font: Helvetica, listed (unembedded) in
            # every PDF, unless it is one of ours, which is only embedded where it draws.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or CHINESE_FONT
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def setFont(self, psfontname: str, size: float,  # noqa: N802 (ReportLab's name)
                    leading: float | None = None) -> None:
            # Tables and charts select their default font (Helvetica) though all their text
            # is ours: a standard font is not embedded, so ours stands in for it.
            if not isinstance(pdfmetrics.getFont(psfontname), TTFont):
                psfontname = CHINESE_FONT
            super().setFont(psfontname, size, leading)

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                if foot is not None:
                    foot(self, number, total)
                if total > 1 and page_label is None:
                    self._number(number)
                elif total > 1 and page_label is not None:
                    text = page_label.gettext("Page {page} of {pages}").format(
                        page=number, pages=total)
                    para = ScriptParagraph(text, measurer, 12, 16, align="center")
                    para.wrapOn(self, A4[0] - LEFT - RIGHT, 16)
                    para.drawOn(self, LEFT, BOTTOM / 2)
                super().showPage()
            super().save()

        def _number(self, number: int) -> None:
            text = f"\u2014 {number} \u2014"
            para = ScriptParagraph(text, measurer, PAGE_NUMBER_SIZE, PAGE_NUMBER_SIZE * 1.2)
            para.wrapOn(self, A4[0], PAGE_NUMBER_SIZE * 1.2)
            width = measurer.width(text, PAGE_NUMBER_SIZE)
            if number % 2:
                x = A4[0] - RIGHT - PAGE_NUMBER_SIZE - width
            else:
                x = LEFT + PAGE_NUMBER_SIZE
            para.drawOn(self, x, BOTTOM - 7 * mm - para.height)

    return NumberedCanvas


# Printed twice, a notice steps down from 四号 while it would take a second sheet.
BILINGUAL_STEPS = (1.0, 13 / 14, 12 / 14)


def render_notice(data: NoticeData, zh: gettext.NullTranslations,
                  bo: gettext.NullTranslations, fonts: FontFiles) -> bytes:
    """The paper as PDF bytes; the same data gives the same bytes (no timestamps inside), so a
    paper saved from the screen and one printed from the command line are the same file.
    Printed in both scripts, it is set a step smaller rather than run onto a second sheet."""
    rl_config.invariant = 1
    register_fonts(fonts)
    pdf = b""
    for step in BILINGUAL_STEPS if data.bilingual else (1.0,):
        pdf, pages = _render_notice(data, zh, bo, fonts, step)
        if pages == 1:
            break
    return pdf


def _render_notice(data: NoticeData, zh: gettext.NullTranslations,
                   bo: gettext.NullTranslations, fonts: FontFiles,
                   step: float) -> tuple[bytes, int]:
    size = BODY_SIZE[data.bilingual] * step
    measurer = Measurer(fonts)
    measurer.tracking = grid_tracking(size)
    measurer.keep = names_of(data.petitioners, data.procurator)
    scripts = [("bo", bo), ("zh", zh)] if data.bilingual else [("zh", zh)]
    texts = {script: _texts(data, tr, script) for script, tr in scripts}
    leading = {script: LEADING[(data.bilingual, script)] * step for script, _tr in scripts}
    story: list[Flowable] = []
    # A step smaller sets the titles and the gaps a step smaller too.
    title_size = TITLE_SIZE[data.bilingual] * step
    for part in ("office", "title"):
        for script, _tr in scripts:
            story.append(title_paragraph(texts[script][part], measurer, title_size,
                                         TITLE_LEADING[(data.bilingual, script)] * step))
    story.append(Spacer(1, TITLE_GAP[data.bilingual] * step))
    for script, _tr in scripts:
        story.append(ScriptParagraph(texts[script]["salutation"], measurer, size,
                                     leading[script], space_after=0 if data.bilingual else 2,
                                     chinese_font=FANGSONG_FONT))
    for index in range(len(texts["zh"]["body"])):
        for script, _tr in scripts:
            if texts[script]["body"][index]:
                story.append(ScriptParagraph(texts[script]["body"][index], measurer, size,
                                             leading[script], indent=2 * size,
                                             space_after=PARAGRAPH_GAP[(data.bilingual, script)],
                                             align="justify", chinese_font=FANGSONG_FONT))
    # The office's name, date and seal go with the last paragraph in each script.
    signature: list[Flowable] = [*story[-len(scripts):],
                                 Spacer(1, OFFICE_GAP[data.bilingual] * step)]
    del story[-len(scripts):]
    for script, _tr in scripts:
        signature.append(ScriptParagraph(texts[script]["office"], measurer, size,
                                         leading[script], align="right",
                                         chinese_font=FANGSONG_FONT))
        signature.append(ScriptParagraph(texts[script]["issued"], measurer, size,
                                         leading[script], align="right",
                                         chinese_font=FANGSONG_FONT))
    seal_label = " ".join(texts[script]["seal"] for script, _tr in scripts)
    last = scripts[-1][0]
    signature.append(SealBox(seal_label, measurer, over=2 * sum(leading.values()),
                             last=(measurer.width(texts[last]["issued"], size, FANGSONG_FONT),
                                   leading[last])))
    story.append(KeepTogether(signature))

    out = io.BytesIO()
    doc = paper_document(out, texts["zh"]["title"], data.office.zh, data.reg_no)
    doc.build(story, canvasmaker=numbered_canvas(None, measurer))
    return out.getvalue(), doc.page


__all__ = [
    "CHINESE_FONT",
    "RECEIPT",
    "REFERRAL_NOTICE",
    "REPLY_NOTICE",
    "Both",
    "NoticeData",
    "render_notice",
]
