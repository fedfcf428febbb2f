"""Line breaking and drawing for Tibetan and Chinese text in ReportLab.

ReportLab shapes Tibetan correctly (stacks, vowel signs) only when it does not wrap the text
itself: its own wrapping misplaces vowel signs on long runs and breaks before a tsheg. So text is
broken into lines here, and each line's Tibetan is drawn as HarfBuzz shapes it
(:mod:`reports.shaped_font`, which also makes it copy and search as the text it shows).

Breaks are allowed
- in Tibetan after the tsheg ་ and the shad ། (and the other shad forms), never before them;
- in Chinese between two characters, except before closing punctuation or after opening
  punctuation (the usual 禁则);
- anywhere at a space.
Widths are measured by shaping with HarfBuzz (uharfbuzz) on the same font files ReportLab embeds,
so a line never crosses the margin.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uharfbuzz as hb
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable

from reports.shaped_font import ShapedFont, draw_shaped

TIBETAN_FONT = "DoorstepTibetan"
CHINESE_FONT = "DoorstepSong"  # the Song (Ming) face: titles, headings, page furniture
FANGSONG_FONT = "DoorstepFangsong"  # the FangSong face: body text, as GB/T 9704 sets it
TITLE_FONT = "DoorstepTitle"  # a heavy Song face: a paper's titles, as GB/T 9704 sets them
TIBETAN_BOLD_FONT = "DoorstepTibetanBold"  # Tibetan beside the heavy Song face of a title
TIBETAN_FONTS = (TIBETAN_FONT, TIBETAN_BOLD_FONT)

# Tibetan runs are set this much larger than the Chinese around them, in measuring and drawing
# alike. At one point size Noto Serif Tibetan's letter body (head line 0.678 em to the foot of
# ང མ ས ལ བ at 0.088 em) is 0.59 em, a hanzi's (国 中 永 的 in Zhuque Fangsong, 0.77–0.82 em
# down to -0.11 em) about 0.90 em: Tibetan read two thirds the size of the Chinese beside it.
# Full parity (x1.52) would make the stacks and vowel signs above and below the letter body
# nearly twice as tall as a hanzi line; x1.25 brings the letter body to 0.74 em of the Chinese
# size, and the Tibetan leading (reports.notices.LEADING) grows with it.
TIBETAN_SCALE = 1.25

TSHEG = "\u0f0b"
SHADS = "\u0f0d\u0f0e\u0f0f\u0f10\u0f11\u0f12\u0f14"
NO_LINE_START = TSHEG + SHADS + "，。、；：？！）」』》〉】〕〗］”’…—,.;:?!)]}%"
NO_LINE_END = "（「『《〈【〔〖［“‘([{"
_SPACES = re.compile(r"[^\S\xa0]+")
# Never broken across lines: registration numbers (达检信〔2026〕12号), amounts in capitals
# (壹万伍仟元整), dates (2026年11月20日), numbers.
_DIGIT = "零壹贰叁肆伍陆柒捌玖"
UNBREAKABLE = re.compile(
    r"[\u4e00-\u9fff]?检信〔\d{4}〕(?:临[0-9A-Z]+-)?\d+号"
    rf"|[{_DIGIT}拾佰仟万亿]+元(?:[{_DIGIT}]角)?(?:[{_DIGIT}]分)?整?"
    r"|\d{4}年\d{1,2}月\d{1,2}日"
    r"|\d+(?:[.,:]\d+)*")


@dataclass(frozen=True)
class FontFiles:
    """The font files to embed: Tibetan (TrueType), the Chinese Song face (TrueType collection
    + index), the Chinese FangSong face for body text and a heavy Song face with a bold Tibetan
    one for titles (TrueType; without them, body text and titles are set in the Song face and
    the regular Tibetan one)."""

    tibetan: Path
    chinese: Path
    chinese_index: int = 0
    fangsong: Path | None = None
    title: Path | None = None
    tibetan_bold: Path | None = None


def register_fonts(fonts: FontFiles) -> None:
    """Register the faces with ReportLab; call once per document (each is loaded once per
    process, and again only for another file).

    The Tibetan faces are :class:`reports.shaped_font.ShapedFont`: drawn as HarfBuzz shapes
    them, with codes whose text is what each glyph shows, given per document (so a paper's bytes
    do not depend on what was printed before it). The Chinese faces are not shaped.
    """
    _register(TIBETAN_FONT, fonts.tibetan, lambda: ShapedFont(TIBETAN_FONT, str(fonts.tibetan)),
              ShapedFont)
    _register(CHINESE_FONT, fonts.chinese, lambda: TTFont(
        CHINESE_FONT, str(fonts.chinese), subfontIndex=fonts.chinese_index))
    for name, path in ((FANGSONG_FONT, fonts.fangsong), (TITLE_FONT, fonts.title)):
        if path is not None:
            _register(name, path, lambda name=name, path=path: TTFont(name, str(path)))
    if fonts.tibetan_bold is not None:
        bold = fonts.tibetan_bold
        _register(TIBETAN_BOLD_FONT, bold, lambda: ShapedFont(TIBETAN_BOLD_FONT, str(bold)),
                  ShapedFont)


def _register(name: str, path: Path, make: Any, kind: type[TTFont] = TTFont) -> None:
    """Register the face ``make()`` gives as ``name``, unless one of ``kind`` is registered
    from ``path`` already (``registerFont`` keeps an existing face: one from another file, or
    of another kind, goes first)."""
    if name in pdfmetrics.getRegisteredFontNames():
        old: Any = pdfmetrics.getFont(name)
        if isinstance(old, kind) and old.face.filename == str(path):
            return
        old.unregister()
    pdfmetrics.registerFont(make())


def is_tibetan(ch: str) -> bool:
    return "\u0f00" <= ch <= "\u0fff"


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (0x3000 <= code <= 0x30FF or 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF
            or 0xFF00 <= code <= 0xFFEF)


def runs(text: str, chinese: str = CHINESE_FONT, covered: Container[int] | None = None,
         tibetan: str = TIBETAN_FONT) -> list[tuple[str, str]]:
    """Split ``text`` into (font, text) runs: Tibetan letters in the ``tibetan`` face, the
    rest in the ``chinese`` face (which also carries Latin letters and digits), or, for a
    character whose code is not in ``covered`` (the faces's characters, when it is not the Song
    face), in the Song face, so that no character is drawn as a missing-glyph box. Spaces stay
    in their run."""
    result: list[tuple[str, str]] = []
    for ch in text:
        if is_tibetan(ch):
            font = tibetan
        elif covered is not None and ord(ch) not in covered:
            font = CHINESE_FONT
        else:
            font = chinese
        if ch == " " and result:
            font = result[-1][0]
        if result and result[-1][0] == font:
            result[-1] = (font, result[-1][1] + ch)
        else:
            result.append((font, ch))
    return result


class Measurer:
    """Shaped advance widths in points, from the same font files ReportLab embeds."""

    def __init__(self, fonts: FontFiles) -> None:
        # Words of this document never broken across lines (the names of its people).
        self.keep: tuple[str, ...] = ()
        # Points added after each character set in the Chinese face, by size: GB/T 9704 sets
        # 三号 (16 pt) at 28 characters to the 156 mm line, a pitch a little under 16 pt.
        self.tracking: dict[float, float] = {}
        self._fonts: dict[str, tuple[Any, int]] = {}
        self._widths: dict[tuple[str, float, str], float] = {}
        self._ink: dict[tuple[str, float, str], tuple[float, float]] = {}
        # The characters of each Chinese face but the Song one, which stands in for the others.
        self._covered: dict[str, Container[int]] = {}
        files = [(TIBETAN_FONT, fonts.tibetan, 0),
                 (CHINESE_FONT, fonts.chinese, fonts.chinese_index)]
        for name, path in ((FANGSONG_FONT, fonts.fangsong), (TITLE_FONT, fonts.title),
                           (TIBETAN_BOLD_FONT, fonts.tibetan_bold)):
            if path is not None:
                files.append((name, path, 0))
        for name, path, index in files:
            face = hb.Face(hb.Blob.from_file_path(str(path)), index)
            self._fonts[name] = (hb.Font(face), face.upem)
            if name in (FANGSONG_FONT, TITLE_FONT):
                self._covered[name] = frozenset(face.unicodes)

    def runs(self, text: str, chinese: str = CHINESE_FONT) -> list[tuple[str, str]]:
        """:func:`runs` with ``chinese`` for the text in Chinese script, falling back to the
        Song face for each character it lacks (and for all of it when that face is not
        shipped); beside the title face, Tibetan is set in its bold face."""
        if chinese not in self._fonts:
            chinese = CHINESE_FONT
        tibetan = TIBETAN_BOLD_FONT if chinese == TITLE_FONT and TIBETAN_BOLD_FONT in \
            self._fonts else TIBETAN_FONT
        return runs(text, chinese, self._covered.get(chinese), tibetan)

    def ink_above(self, text: str, size: float, chinese: str = CHINESE_FONT) -> float:
        """How far above the baseline the ink of ``text`` reaches, in points: the highest
        glyph top as HarfBuzz places it (a Tibetan vowel sign over a tall letter reaches
        higher than any hanzi)."""
        return self._ink_extent(text, size, chinese)[0]

    def ink_below(self, text: str, size: float, chinese: str = CHINESE_FONT) -> float:
        """How far below the baseline the ink of ``text`` reaches, in points (a stack of
        letters below a Tibetan letter, a shad's tail)."""
        return self._ink_extent(text, size, chinese)[1]

    def _ink_extent(self, text: str, size: float, chinese: str) -> tuple[float, float]:
        """(above, below) the baseline; remembered: papers repeat their words."""
        key = (text, size, chinese)
        found = self._ink.get(key)
        if found is None:
            above = below = 0.0
            for font, part in self.runs(text, chinese):
                hb_font, upem = self._fonts[font]
                at = size * TIBETAN_SCALE if font in TIBETAN_FONTS else size
                for info, pos in self._shaped(font, part):
                    extents = hb_font.get_glyph_extents(info.codepoint)
                    if extents is not None:
                        top = pos.y_offset + extents.y_bearing
                        above = max(above, top * at / upem)
                        below = max(below, -(top + extents.height) * at / upem)
            if len(self._ink) > 50_000:
                self._ink.clear()
            found = self._ink[key] = (above, below)
        return found

    def _shaped(self, font: str, text: str) -> list[tuple[Any, Any]]:
        """HarfBuzz's (glyph info, glyph position) for each glyph of ``text`` in ``font``."""
        hb_font, _upem = self._fonts[font]
        buf = hb.Buffer()
        buf.add_str(text)
        buf.guess_segment_properties()
        hb.shape(hb_font, buf, {})
        return list(zip(buf.glyph_infos, buf.glyph_positions, strict=True))

    def shape(self, font: str, text: str) -> list[tuple[int, int, int]]:
        """(glyph id, x advance, x offset) in font units, as HarfBuzz shapes ``text``."""
        return [(info.codepoint, pos.x_advance, pos.x_offset)
                for info, pos in self._shaped(font, text)]

    def width(self, text: str, size: float, chinese: str = CHINESE_FONT) -> float:
        """The shaped width of ``text`` in points, its Chinese in the ``chinese`` face and its
        Tibetan at ``TIBETAN_SCALE`` times ``size`` (remembered: papers repeat their words)."""
        key = (text, size, chinese)
        found = self._widths.get(key)
        if found is None:
            found = 0.0
            for font, part in self.runs(text, chinese):
                upem = self._fonts[font][1]
                at = size * TIBETAN_SCALE if font in TIBETAN_FONTS else size
                found += sum(advance for _g, advance, _o in self.shape(font, part)) * at / upem
                if font not in TIBETAN_FONTS:
                    found += len(part) * self.tracking.get(size, 0.0)
            if len(self._widths) > 50_000:
                self._widths.clear()
            self._widths[key] = found
        return found


def _cluster_ends(text: str) -> list[int]:
    """Indices after which a grapheme cluster ends (a Tibetan stack with its vowel signs is one
    cluster): the only places an over-long word may be cut."""
    ends = []
    for i in range(len(text)):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        joins = nxt and (unicodedata.category(nxt) in ("Mn", "Mc")
                         or "\u0f90" <= nxt <= "\u0fbc")
        if not joins:
            ends.append(i + 1)
    return ends


def _kept_inside(text: str, keep: tuple[str, ...]) -> set[int]:
    """Positions inside a span never to be broken: ``UNBREAKABLE`` ones and the words of
    ``keep`` (names)."""
    spans = [m.span() for m in UNBREAKABLE.finditer(text)]
    for word in keep:
        if len(word) > 1:
            start = text.find(word)
            while start >= 0:
                spans.append((start, start + len(word)))
                start = text.find(word, start + 1)
    return {i for a, b in spans for i in range(a + 1, b)}


def break_points(text: str, keep: tuple[str, ...] = ()) -> list[int]:
    """Positions (0 < p < len) where a line may end, per the rules in the module docstring,
    never inside a registration number, an amount in capitals, a date or a word of ``keep``."""
    inside = _kept_inside(text, keep)
    return [i for i in _break_points(text) if i not in inside]


def _break_points(text: str) -> list[int]:
    points = []
    for i in range(1, len(text)):
        before, after = text[i - 1], text[i]
        if after in NO_LINE_START or before in NO_LINE_END:
            continue
        # Nor before spaces that lead to such a character (the second shad of "། །").
        if after == " " and text[i:].lstrip(" ")[:1] in tuple(NO_LINE_START):
            continue
        if before in TSHEG + SHADS or before == " ":
            points.append(i)
        elif is_cjk(before) and is_cjk(after):
            points.append(i)
        elif after == " " and not is_tibetan(before):
            continue
        elif (is_cjk(before) and not is_cjk(after)) or (is_cjk(after) and not is_cjk(before)):
            if before != " " and after != " " and not is_tibetan(before) \
                    and not is_tibetan(after):
                points.append(i)
    return points


def wrap(text: str, width: float, size: float, measurer: Measurer,
         indent: float = 0.0, keep: tuple[str, ...] = (),
         chinese: str = CHINESE_FONT) -> list[str]:
    """Break one paragraph into lines no wider than ``width`` points, the first ``indent``
    points narrower (only the first line of a paragraph is indented).

    Lines are filled with the widths of their pieces added up (each piece shaped once), then
    every line is shaped whole and measured: should shaping across the joins ever make one
    wider than the sum said, the paragraph is broken again measuring every candidate line whole.
    """
    # Runs of white space become one space, where a line may break; a no-break space (as in
    # Babel's "¥ 12,000.00") stays and holds its neighbours together.
    text = " ".join(_SPACES.split(text.strip()))
    if not text:
        return [""]
    cuts = [0, *break_points(text, keep or measurer.keep), len(text)]
    pieces = [text[a:b] for a, b in itertools.pairwise(cuts)]
    lines = _fill(pieces, width, size, measurer, exact=False, indent=indent, chinese=chinese)
    if all(measurer.width(line, size, chinese) <= width - (indent if n == 0 else 0.0)
           for n, line in enumerate(lines)):
        return lines
    return _fill(pieces, width, size, measurer, exact=True, indent=indent, chinese=chinese)


def _fill(pieces: list[str], full_width: float, size: float, measurer: Measurer,
          exact: bool, indent: float = 0.0, chinese: str = CHINESE_FONT) -> list[str]:
    def measure(text: str) -> float:
        return measurer.width(text, size, chinese)

    lines: list[str] = []
    line, line_width = "", 0.0
    width = full_width - indent
    for piece in pieces:
        if exact:
            fits = measure((line + piece).rstrip()) <= width
        else:
            fits = line_width + measure(piece.rstrip()) <= width
        alone = not line  # the piece starts the line
        if fits or not line:
            line += piece
        else:
            lines.append(line.rstrip())
            width = full_width
            line = piece.lstrip()
            alone = True
        line_width = measure(line) if exact or alone else line_width + measure(piece)
        # A single piece wider than the line (a long number, a word with no break): cut it at
        # cluster boundaries. (A line of several pieces that the sum of their widths let in but
        # shaped whole is wider is broken again whole, by the exact pass, never cut.)
        while alone and line_width > width and measure(line.rstrip()) > width \
                and len(line) > 1:
            ends = [e for e in _cluster_ends(line) if e < len(line)]
            # Even inside a piece, never before closing punctuation, a tsheg or a shad.
            # (What starts the next line is what follows the spaces at the cut.)
            ends = [e for e in ends if line[e:].lstrip()[:1] not in NO_LINE_START
                    and line[e - 1] not in NO_LINE_END] or ends
            cut = max((e for e in ends if measure(line[:e]) <= width),
                      default=ends[0] if ends else len(line))
            lines.append(line[:cut].rstrip())
            width = full_width
            line = line[cut:].lstrip()
            line_width = measure(line)
    if line.strip():
        lines.append(line.rstrip())
    return lines


def draw_line(canvas: Any, line: str, x: float, baseline: float, size: float,
              measurer: Measurer, extra: float = 0.0, chinese: str = CHINESE_FONT) -> None:
    """Draw one line at ``baseline``, run by run; ``extra`` points more at each of its
    justification gaps (:func:`justification_gaps`) fill a justified line to the measure.

    A Tibetan run is drawn glyph by glyph as HarfBuzz shapes it, at ``TIBETAN_SCALE`` times
    ``size``, with a text layer that reads back as the run
    (:func:`reports.shaped_font.draw_shaped`); other runs in the ``chinese`` face (the Song face
    for a character it lacks) with ``drawString``.
    Each run starts where HarfBuzz says the previous one ended.
    """
    gaps = set(justification_gaps(line)) if extra else set()
    start = 0
    for font, part in measurer.runs(line, chinese):
        end = start + len(part)
        inner = sorted(i - start for i in gaps if start < i < end)
        # The room at a gap goes after the character before it; at the run's end, after its
        # last character.
        after = {i - 1 for i in inner} | ({len(part) - 1} if end in gaps else set())
        if font in TIBETAN_FONTS:
            # (A trailing space shows nothing; the next run starts after it all the same.)
            shown = part.rstrip(" ")
            if shown:
                draw_shaped(canvas, pdfmetrics.getFont(font), shown, x, baseline,
                            size * TIBETAN_SCALE, {min(i, len(shown) - 1): extra for i in after})
        else:
            _draw_plain(canvas, font, part, x, baseline, size, measurer,
                        {i: extra for i in after})
        x += measurer.width(part, size, font) + extra * len(after)
        start = end


def _draw_plain(canvas: Any, font: str, text: str, x: float, baseline: float, size: float,
                measurer: Measurer, spacing: dict[int, float] | None = None) -> None:
    """Text in a face that needs no shaping (Chinese, digits, Latin letters), in one text
    object; ``spacing[i]`` points more after character ``i`` (a justified line's gaps).

    The room is character spacing (``Tc``) on the character before the gap, not a move of the
    text position: a reader of the text counts a character's spacing as part of it, so no gap
    is taken for a word break however wide."""
    tracking = measurer.tracking.get(size, 0.0)
    spacing = spacing or {}
    if not tracking and not spacing:
        canvas.setFont(font, size)
        canvas.drawString(x, baseline, text)
        return
    canvas.saveState()  # character spacing is graphics state: it ends with the text
    obj = canvas.beginText(x, baseline)
    obj.setFont(font, size)
    # Runs of characters with the same spacing after them, each shown at once.
    runs = [(tracking + spacing.get(i, 0.0), ch) for i, ch in enumerate(text)]
    for space, chars in itertools.groupby(runs, key=lambda run: run[0]):
        obj.setCharSpace(space)
        obj.textOut("".join(ch for _space, ch in chars))
    canvas.drawText(obj)
    canvas.restoreState()


# The most room a justified line puts in one gap, in ems: a line with so few gaps that it would
# need more (two long words) is left short rather than torn apart. The room never reads as a
# space to whoever copies the text out: it is drawn as part of the character before the gap.
JUSTIFY_LIMIT = 1.0


def justification_gaps(line: str) -> list[int]:
    """Where extra room may go in a justified line: between two hanzi (or a hanzi and its
    punctuation), after a Tibetan syllable's tsheg or a shad, at a space (once where a shad
    and a space stand together)."""
    return [i for i in range(1, len(line))
            if (line[i - 1] in TSHEG + SHADS + " " and line[i] != " ")
            or (is_cjk(line[i - 1]) and is_cjk(line[i]))
            or (is_cjk(line[i - 1]) != is_cjk(line[i]) and not is_tibetan(line[i - 1])
                and not is_tibetan(line[i]) and line[i] not in NO_LINE_START)]


class ScriptParagraph(Flowable):  # type: ignore[misc]
    """A paragraph of Tibetan and/or Chinese text, broken into lines by :func:`wrap`.

    ``indent`` moves the first line in; ``align`` is left, center, right or justify (every line
    but the last filled to the measure). A paragraph split across pages leaves at least two
    lines on each (a paragraph of three lines or fewer moves whole), and ``keep_with_next``
    takes it to the next page with what follows (a heading)."""

    def __init__(self, text: str, measurer: Measurer, size: float, leading: float,
                 indent: float = 0.0, align: str = "left", space_after: float = 0.0,
                 lines: list[str] | None = None, keep_with_next: bool = False,
                 last_is_full: bool = False, chinese_font: str = CHINESE_FONT,
                 clear_below: bool = False) -> None:
        super().__init__()
        self.clear_below = clear_below
        # The face of its Chinese text: the Song face (titles) or FangSong (body text).
        self.chinese_font = chinese_font
        self.text, self.measurer = text, measurer
        self.size, self.leading, self.indent, self.align = size, leading, indent, align
        self.spaceAfter = space_after
        self.keepWithNext = keep_with_next
        self._lines = lines
        # The head of a split paragraph: its last line is not the paragraph's last.
        self._last_is_full = last_is_full
        self._width = 0.0

    def lines(self) -> list[str]:
        assert self._lines is not None, "wrap() first"
        return self._lines

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._width = avail_width
        if self._lines is None:
            self._lines = wrap(self.text, avail_width, self.size, self.measurer,
                               indent=self.indent, chinese=self.chinese_font)
        self.width = avail_width
        self.height = self.leading * len(self._lines) + self._overhang() + self._underhang()
        return self.width, self.height

    def _baseline(self, line: str) -> float:
        """Where a line's baseline stands above the foot of its leading: Tibetan, set larger,
        has room below for subjoined letters and vowel signs."""
        size = self.size * TIBETAN_SCALE if any(map(is_tibetan, line)) else self.size
        return (self.leading - size) / 2 + 0.25 * size

    def _overhang(self) -> float:
        """How far the first line's ink reaches above its leading (Tibetan vowel signs in a
        tight title): room the paragraph takes above it, so that nothing crosses the top
        margin or the line before."""
        lines = self.lines()
        if not lines:
            return 0.0
        room = self.leading - self._baseline(lines[0])
        return max(0.0, self.measurer.ink_above(lines[0], self.size, self.chinese_font) - room)

    def _underhang(self) -> float:
        """How far the last line's ink reaches below its leading, for a paragraph set
        ``clear_below`` (a title, set tight: a shad's tail in its larger bold Tibetan): room
        the paragraph takes under it, so that nothing touches the line after. (Body text is
        set with room enough between its lines.)"""
        lines = self.lines()
        if not lines or not self.clear_below:
            return 0.0
        room = self._baseline(lines[-1])
        return max(0.0, self.measurer.ink_below(lines[-1], self.size, self.chinese_font) - room)

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        fit = int((avail_height - self._overhang() - self._underhang()) // self.leading)
        lines = self.lines()
        # No line left alone at the foot or at the head of a page.
        fit = min(fit, len(lines) - 2)
        if fit < 2:
            return []
        head = ScriptParagraph(self.text, self.measurer, self.size, self.leading, self.indent,
                               self.align, 0.0, lines[:fit], last_is_full=True,
                               chinese_font=self.chinese_font)
        tail = ScriptParagraph(self.text, self.measurer, self.size, self.leading, 0.0,
                               self.align, self.spaceAfter, lines[fit:],
                               keep_with_next=self.keepWithNext,
                               last_is_full=self._last_is_full,
                               chinese_font=self.chinese_font, clear_below=self.clear_below)
        return [head, tail]

    def draw(self) -> None:
        lines = self.lines()
        y = self._underhang() + self.leading * len(lines)
        for number, line in enumerate(lines):
            y -= self.leading
            x = self.indent if number == 0 else 0.0
            natural = self.measurer.width(line, self.size, self.chinese_font)
            if self.align == "center":
                x = (self._width - natural) / 2
            elif self.align == "right":
                x = self._width - natural
            baseline = y + self._baseline(line)
            last = number == len(lines) - 1 and not self._last_is_full
            extra = 0.0
            if self.align == "justify" and not last:
                room, gaps = self._width - x - natural, len(justification_gaps(line))
                # At most JUSTIFY_LIMIT of an em per gap.
                if gaps and room > 0:
                    extra = min(room / gaps, JUSTIFY_LIMIT * self.size)
            draw_line(self.canv, line, x, baseline, self.size, self.measurer, extra=extra,
                      chinese=self.chinese_font)
