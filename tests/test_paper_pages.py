"""Every paper kind, in Chinese and in both scripts, measured as printed (issue 13): the ink
stands inside GB/T 9704's margins and the body's lines start and end on them; every line of a
justified paragraph but its last reaches the right margin to within a character; no page holds
only signatures or a seal; no registration number, amount in capitals, date or name of the
paper's people is broken across lines; titles stand on one line each."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pypdfium2
import pytest
from reportlab.lib.units import mm

from app.core.store import Store
from reports import layout, notices
from tests.test_paper_layout import pages  # noqa: F401 (a fixture)
from tests.test_text_layer import PAPERS, _in_save

PAGE_WIDTH, PAGE_HEIGHT = 210 * mm, 297 * mm
LEFT, RIGHT = notices.LEFT, PAGE_WIDTH - notices.RIGHT  # the text block's sides
TOP, BOTTOM = PAGE_HEIGHT - notices.TOP, notices.BOTTOM
SCALE = 150 / 72  # rendered at 150 dpi
# Written here, not taken from the code that keeps them whole.
KEPT = re.compile(r"达检信〔\d{4}〕\d+号|[零壹贰叁肆伍陆柒捌玖拾佰仟万亿]+元整"
                  r"|\d{4}年\d{1,2}月\d{1,2}日")
NAMES = ("扎西才让", "བཀྲ་ཤིས་ཚེ་རིང", "སྒྲོལ་མ་ཀླུ་འབུམ")


@dataclass
class Line:
    page: int
    text: str
    baseline: float  # from the page's foot, in points
    size: float  # of its type (Tibetan set larger)
    justified: bool  # a justified paragraph's line other than its last


@dataclass
class Printed:
    lines: list[Line]
    broken: list[tuple[str, list[str]]]  # a kept span and the lines it was broken over
    titles: list[list[str]]  # the lines of each title


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Printed]:
    """Each line the body draws, where, and whether it is to be full; and every kept span
    the line breaker broke. Only the last paper built counts (a notice too long for one sheet
    is built again a size smaller)."""
    found = Printed([], [], [])
    canvases: list[Any] = []
    draw, wrap = layout.ScriptParagraph.draw, layout.wrap

    def drawing(self: layout.ScriptParagraph) -> None:
        if canvases and canvases[-1] is not self.canv:
            found.lines.clear()
            found.titles.clear()
        canvases[:] = [self.canv]
        if _in_save():  # the page number, a record's per-page signature: under the block
            draw(self)
            return
        lines = self.lines()
        if self.chinese_font == layout.TITLE_FONT:
            found.titles.append(lines)
        _x, y = self.canv.absolutePosition(0, 0)
        for number, text in enumerate(lines):
            top = y + self._underhang() + self.leading * (len(lines) - number)
            size = self.size * layout.TIBETAN_SCALE if any(map(layout.is_tibetan, text)) \
                else self.size
            last = number == len(lines) - 1 and not self._last_is_full
            found.lines.append(Line(self.canv.getPageNumber(), text,
                                    top - self.leading + self._baseline(text), size,
                                    self.align == "justify" and not last))
        draw(self)

    def wrapping(text: str, *args: Any, **kwargs: Any) -> list[str]:
        lines: list[str] = wrap(text, *args, **kwargs)
        spans = [m.group() for m in KEPT.finditer(text)] + [n for n in NAMES if n in text]
        for span in spans:
            if sum(line.count(span) for line in lines) != text.count(span):
                found.broken.append((span, lines))
        return lines

    monkeypatch.setattr(layout.ScriptParagraph, "draw", drawing)
    monkeypatch.setattr(layout, "wrap", wrapping)
    yield found


def _ink(pdf: bytes) -> list[tuple[int, int, int, int] | None]:
    """Each page's inked box in points from the page's foot-left: (left, bottom, right,
    top), or None for a blank page."""
    boxes: list[tuple[int, int, int, int] | None] = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for number in range(len(document)):
            image = document[number].render(scale=SCALE, grayscale=True).to_pil()
            box = image.point(lambda v: 255 if v < 200 else 0).getbbox()
            if box is None:
                boxes.append(None)
                continue
            left, upper, right, lower = box
            boxes.append((left, image.size[1] - lower, right, image.size[1] - upper))
    finally:
        document.close()
    return boxes


def _rows(pdf: bytes) -> dict[int, list[tuple[float, float, float]]]:
    """Each page's characters as PDFium places them: (left, right, vertical centre)."""
    rows: dict[int, list[tuple[float, float, float]]] = {}
    document = pypdfium2.PdfDocument(pdf)
    try:
        for number in range(len(document)):
            textpage = document[number].get_textpage()
            chars = []
            for index in range(textpage.count_chars()):
                if not textpage.get_text_range(index, 1).strip():
                    continue
                left, bottom, right, top = textpage.get_charbox(index, loose=True)
                chars.append((left, right, (bottom + top) / 2))
            rows[number + 1] = chars
    finally:
        document.close()
    return rows


@pytest.mark.slow
@pytest.mark.parametrize("bilingual", [False, True], ids=["zh", "bilingual"])
@pytest.mark.parametrize("kind", list(PAPERS))
def test_every_paper_as_printed(store: Store, printed: Printed,
                                pages: dict[int, list[str]],  # noqa: F811 (the fixture)
                                kind: str, bilingual: bool) -> None:
    pdf = PAPERS[kind](store, bilingual)
    assert printed.lines
    # The titles (the office's name and the paper's, in each script), each on one line.
    assert printed.titles and all(len(lines) == 1 for lines in printed.titles), \
        printed.titles
    # Nothing broken that must stay whole.
    assert not printed.broken, printed.broken[:3]
    # No page of signatures or a seal alone (pages numbered per paper built, the last counts).
    last_build = max(pages) // 100 * 100
    for page, held in pages.items():
        if page >= last_build and ("sign" in held or "seal" in held):
            assert "text" in held, (page, held)
    # The margins, measured from the ink: nothing outside the text block but what stands
    # under it (the page number, a record's per-page signature).
    for number, box in enumerate(_ink(pdf), start=1):
        assert box is not None, f"page {number} is blank"
        left, _bottom, right, top = (v / SCALE for v in box)
        # (Within half a millimetre: a pixel at 150 dpi, and a letter's side bearing.)
        assert left >= LEFT - 1.5 and right <= RIGHT + 1.5 and top <= TOP + 1.5, (number, box)
        assert abs(left - LEFT) <= 1.5, f"page {number}: the ink starts at {left / mm:.1f} mm"
    # Every line of the body inside the block; a justified line to the right margin.
    rows = _rows(pdf)
    justified = 0
    for line in printed.lines:
        assert line.baseline >= BOTTOM - 0.3 * line.size, line
        chars = [c for c in rows[line.page]
                 if line.baseline - 0.4 * line.size <= c[2] <= line.baseline + 0.9 * line.size]
        assert chars, line
        assert min(c[0] for c in chars) >= LEFT - 1 and max(c[1] for c in chars) <= RIGHT + 1
        if line.justified:
            justified += 1
            short = RIGHT - max(c[1] for c in chars)
            assert short <= line.size, f"{line.text!r} ends {short / line.size:.1f} em short"
    # (The receipt for aid money is a grid; the minutes of this case record short sayings.)
    assert justified or kind in ("aid-receipt", "minutes"), "no justified line to measure"
