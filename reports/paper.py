"""What every paper of a case is built from: a story written paragraph by paragraph in each
script the paper is printed in (Tibetan first, then Chinese), signature rows with a thumbprint
box, and the office's name, date and seal box at the foot.

The page is the 12309 papers' (``reports.notices``): A4, GB/T 9704 margins, title in 二号 heavy
Song, body in 三号 FangSong (四号 when every paragraph is printed twice), "— 1 —" on
multi-page papers.
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Callable

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Spacer

from reports.layout import (
    FANGSONG_FONT,
    FontFiles,
    Measurer,
    ScriptParagraph,
    register_fonts,
)
from reports.notices import (
    BODY_SIZE,
    BOTTOM,
    LEADING,
    LEFT,
    MEASURE,
    OFFICE_GAP,
    TITLE_LEADING,
    TITLE_SIZE,
    Both,
    SealBox,
    grid_tracking,
    names_of,
    numbered_canvas,
    paper_document,
    title_paragraph,
)

THUMBPRINT = 22 * mm
PAGE_SIGN_LINE = 45 * mm  # the line a record's page is signed on
PAGE_SIGN_SIZE = 12.0  # 小四, its label's size
# Under a signature row's labels, in leadings: its line and the room to sign above the next.
SIGNING_ROOM = 0.75
SECTION_STEP = 2.0  # points a section's heading is set larger than the body
# What a label says in brackets ("(signature)", "(seal)"), never broken across lines.
BRACKETED = re.compile(r"\([^()]*\)|（[^（）]*）")

# What a paper asks of each script: ``make(script, gettext)`` gives the text in that script.
Maker = Callable[[str, Callable[[str], str]], str]


def N_(message: str) -> str:  # noqa: N802 (the name translators' tools look for)
    """Marks a message for extraction; it is translated where it is printed."""
    return message


def is_tibetan_text(text: str) -> bool:
    """Whether a text someone wrote is mostly in Tibetan script."""
    return sum("\u0f00" <= ch <= "\u0fff" for ch in text) > len(text) / 3


class SignatureRow(Flowable):  # type: ignore[misc]
    """Where one party signs: who they are (a label per script), a line to sign on and, for a
    party who may not write, a box for the thumbprint (捺印) at the right."""

    def __init__(self, labels: list[str], measurer: Measurer, size: float, leading: float,
                 thumbprint: str = "") -> None:
        super().__init__()
        self.labels, self.measurer, self.size, self.leading = labels, measurer, size, leading
        self.thumbprint = thumbprint
        kept = {span for label in [*labels, thumbprint] for span in BRACKETED.findall(label)}
        measurer.keep = tuple(sorted({*measurer.keep, *kept}))
        self.width = 0.0
        self.height = 0.0
        self._paras: list[ScriptParagraph] = []

    def _text_width(self) -> float:
        return self.width - (THUMBPRINT + 8 * mm if self.thumbprint else 0.0)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        labels = self.labels
        # Both scripts' labels on one line when they fit: a page of the minutes' signatures
        # then holds every one of them.
        joined = "  ".join(labels)
        if len(labels) > 1 and self.measurer.width(joined, self.size, FANGSONG_FONT) \
                <= self._text_width():
            labels = [joined]
        self._paras = [ScriptParagraph(label, self.measurer, self.size, self.leading,
                                       chinese_font=FANGSONG_FONT)
                       for label in labels]
        text_height = sum(p.wrap(self._text_width(), avail_height)[1] for p in self._paras)
        text_height += SIGNING_ROOM * self.leading  # the line to sign on, and room to sign
        box_height = THUMBPRINT + 8 * mm if self.thumbprint else 0.0
        self.height = max(text_height, box_height)
        return avail_width, self.height

    def draw(self) -> None:
        y = self.height
        for para in self._paras:
            y -= para.height
            para.drawOn(self.canv, 0, y)
        # The line to sign on, under the labels.
        y -= self.leading * 0.5
        self.canv.saveState()
        self.canv.setLineWidth(0.6)
        self.canv.line(0, y, self._text_width() - 4 * mm, y)
        if self.thumbprint:
            left = self.width - THUMBPRINT
            bottom = self.height - THUMBPRINT
            self.canv.setDash(2, 2)
            self.canv.setStrokeGray(0.35)
            self.canv.rect(left, bottom, THUMBPRINT, THUMBPRINT)
        self.canv.restoreState()
        if self.thumbprint:
            label = ScriptParagraph(self.thumbprint, self.measurer, 8, 10.0, align="center")
            label.wrapOn(self.canv, THUMBPRINT + 8 * mm, 30.0)
            # Under the box, its frame ending at the margin, which a label wider than the box
            # must not cross.
            label.drawOn(self.canv, left - 8 * mm, bottom - label.height - 2)


class Paper:
    """Builds a story paragraph by paragraph, each in every script the paper is printed in."""

    def __init__(self, bilingual: bool, zh: gettext.NullTranslations,
                 bo: gettext.NullTranslations, fonts: FontFiles) -> None:
        rl_config.invariant = 1
        register_fonts(fonts)
        self.measurer = Measurer(fonts)
        self.measurer.tracking = grid_tracking(BODY_SIZE[bilingual])
        self.bilingual = bilingual
        self.scripts = [("bo", bo), ("zh", zh)] if bilingual else [("zh", zh)]
        self.size = BODY_SIZE[bilingual]
        self.story: list[Flowable] = []
        self.pages = 0  # how many the paper took, once built

    def leading(self, script: str) -> float:
        return LEADING[(self.bilingual, script)]

    def each(self, make: Maker) -> list[tuple[str, str]]:
        """``make(script, gettext)`` in every script; empty results are left out."""
        texts = [(script, make(script, tr.gettext)) for script, tr in self.scripts]
        return [(script, text) for script, text in texts if text]

    def title(self, make: Maker) -> None:
        for script, text in self.each(make):
            self.story.append(title_paragraph(text, self.measurer, TITLE_SIZE[self.bilingual],
                                              TITLE_LEADING[(self.bilingual, script)]))

    def para(self, make: Maker, indent: bool = True, align: str = "justify",
             space_after: float = 4.0, keep_with_next: bool = False) -> None:
        """A paragraph in every script; ``keep_with_next`` for one that introduces what
        follows ("The reason:")."""
        for para in self.paragraphs(make, indent, align, space_after):
            para.keepWithNext = keep_with_next
            self.story.append(para)

    def heading(self, make: Maker, space_after: float = 2.0) -> None:
        """A heading over what follows, in every script: never left at the foot of a page
        without the first lines after it."""
        for script, text in self.each(make):
            para = self.paragraph(text, script, space_after=space_after)
            para.keepWithNext = True
            self.story.append(para)

    def section(self, make: Maker) -> None:
        """A section's heading ("What was said"), in every script: a size larger than the body
        (the Chinese face has no bold), with room above it, kept with what follows."""
        size = self.size + SECTION_STEP
        texts = self.each(make)
        for index, (script, text) in enumerate(texts):
            para = ScriptParagraph(text, self.measurer, size,
                                   self.leading(script) * size / self.size,
                                   space_after=3.0 if index == len(texts) - 1 else 0.0,
                                   keep_with_next=True)
            para.spaceBefore = 6.0 if index == 0 else 0.0
            self.story.append(para)

    def keep_together(self, since: int, *more: Flowable) -> None:
        """What the story holds from position ``since`` on, with ``more``, on one page (moved
        whole to the next if it does not fit): signatures with the text they sign."""
        block = [*self.story[since:], *more]
        del self.story[since:]
        self.story.append(KeepTogether(block))

    def paragraphs(self, make: Maker, indent: bool = True, align: str = "justify",
                   space_after: float = 4.0) -> list[ScriptParagraph]:
        """The same paragraphs as :meth:`para`, returned instead of added to the story. A
        paragraph's Tibetan runs on into its Chinese twin with no gap between them."""
        texts = self.each(make)
        return [self.paragraph(text, script, indent, align,
                               0.0 if index < len(texts) - 1 else space_after)
                for index, (script, text) in enumerate(texts)]

    def paragraph(self, text: str, script: str, indent: bool = False, align: str = "left",
                  space_after: float = 0.0) -> ScriptParagraph:
        return ScriptParagraph(text, self.measurer, self.size, self.leading(script),
                               indent=2 * self.size if indent else 0.0, align=align,
                               space_after=space_after, chinese_font=FANGSONG_FONT)

    def once(self, text: str, indent: bool = True) -> None:
        """A paragraph printed once, as written (what someone said or wrote down)."""
        script = "bo" if is_tibetan_text(text) else "zh"
        self.story.append(self.paragraph(text, script, indent, align="justify",
                                         space_after=4.0))

    def both(self, make: Maker) -> str:
        """One line carrying both scripts (Tibetan first), for labels in cramped places."""
        return "  ".join(text for _script, text in self.each(make))

    def named(self, message: str, name: Both) -> str:
        """A label naming someone, in every script on one line: ``message`` has ``{name}``; a
        label that reads the same in every script (a name with no Tibetan spelling) once."""
        return "  ".join(dict.fromkeys(self.named_lines(message, name)))

    def named_lines(self, message: str, name: Both) -> list[str]:
        """The same label, one line per script (for signature rows)."""
        return [tr.gettext(message).format(name=name.get(script)) for script, tr in self.scripts]

    def keep_whole(self, *names: Both) -> None:
        """Names never broken across lines, in every script."""
        self.measurer.keep = tuple(sorted({*self.measurer.keep, *names_of(*names)}))

    def gap(self, height: float) -> None:
        self.story.append(Spacer(1, height))

    def build(self, title: str, author: str, subject: str,
              page_sign: Maker | None = None) -> bytes:
        """The paper as PDF bytes. With ``page_sign`` (a label: "Parties (signature) on this
        page:"), every page but the last, which carries every signature in full, has a line to
        be signed on, as each page of a record (笔录) has: under the text block, level with the
        page number and on the other side of the page from it, so that it takes no room from
        the text and never adds a page."""
        out = io.BytesIO()
        doc = paper_document(out, title, author, subject)
        foot = self._page_sign(page_sign) if page_sign else None
        doc.build(self.story, canvasmaker=numbered_canvas(None, self.measurer, foot))
        self.pages = doc.page
        return out.getvalue()

    def _page_sign(self, make: Maker) -> Callable[[Canvas, int, int], None]:
        """Draws the label, a line per script, and a line to sign on after the last."""
        labels = [ScriptParagraph(text, self.measurer, PAGE_SIGN_SIZE,
                                  LEADING[(True, script)] * PAGE_SIGN_SIZE / BODY_SIZE[True],
                                  chinese_font=FANGSONG_FONT)
                  for script, text in self.each(make)]
        widths = [self.measurer.width(label.text, PAGE_SIGN_SIZE, FANGSONG_FONT)
                  for label in labels]
        for label, width in zip(labels, widths, strict=True):
            label.wrap(width + 1, label.leading)
        block = max(widths[-1] + 2 * mm + PAGE_SIGN_LINE, *widths)

        def draw(canvas: Canvas, page: int, pages: int) -> None:
            if page == pages:
                return
            # The page number stands on the outer side: right on odd pages, left on even.
            start = LEFT if page % 2 else LEFT + MEASURE - block
            y = BOTTOM - 7 * mm
            for label in labels:
                y -= label.leading
                label.drawOn(canvas, start, y)
            canvas.saveState()
            canvas.setLineWidth(0.6)
            line_x = start + widths[-1] + 2 * mm
            canvas.line(line_x, y + 1, line_x + PAGE_SIGN_LINE, y + 1)
            canvas.restoreState()
        return draw

    def office_signature(self, office: Both, day: Both, keep_with: int | None = None) -> None:
        """The office's name and the date at the right, with the seal box over them; the last
        ``keep_with`` flowables of the story (by default its last paragraph in each script) go
        with them to a new page if need be, so that the seal never stands on a page without
        the text it seals."""
        keep_with = len(self.scripts) if keep_with is None else keep_with
        block: list[Flowable] = self.story[len(self.story) - keep_with:] if keep_with else []
        del self.story[len(self.story) - len(block):]
        block.append(Spacer(1, OFFICE_GAP[self.bilingual]))
        for script, _tr in self.scripts:
            block.append(self.paragraph(office.get(script), script, align="right"))
            block.append(self.paragraph(day.get(script), script, align="right"))
        seal = " ".join(tr.gettext("(seal)") for _script, tr in self.scripts)
        over = 2 * sum(self.leading(script) for script, _tr in self.scripts)
        last = self.scripts[-1][0]
        block.append(SealBox(seal, self.measurer, over=over, last=(
            self.measurer.width(day.get(last), self.size, FANGSONG_FONT), self.leading(last))))
        self.story.append(KeepTogether(block))


__all__ = ["N_", "THUMBPRINT", "Maker", "Paper", "SignatureRow", "is_tibetan_text"]
