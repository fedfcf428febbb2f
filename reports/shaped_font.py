"""Shaped text whose PDF text layer reads back as the text that was shaped.

ReportLab gives each glyph of a font subset one 8-bit code whose ToUnicode entry is one
character, so the glyphs HarfBuzz substitutes for a Tibetan stack (ཀླུ, or even the ུ under བ)
have no character of their own: ReportLab gives them private-use characters, and a copy or a
search of the paper finds ``\\ue000ོ`` where སྒྲོ was printed.

Here, as fpdf2 does (``SubsetMap`` in ``fpdf/fonts.py``), a code stands for a glyph *with the
text it shows*: HarfBuzz groups the glyphs of each grapheme cluster (a stack with its vowel
signs, a tsheg, a space) and reports which characters they came from; the first glyph of the
cluster gets a code whose ToUnicode entry is the cluster's whole text, and every other glyph of
the cluster (a vowel sign, a letter below) is drawn as its outline, outside the text. The same
glyph standing for different texts gets different codes. A reader extracting the text then gets
the characters as they were written, in their order, whatever glyphs and positions drew them,
and nothing for the marks drawn over or under a letter (so no space is guessed after a vowel
sign, and no line break where a raised mark stood).

The glyphs are placed exactly as HarfBuzz places them (advances, offsets), with the same font
file ReportLab embeds and subsets; only the code assignment and the ToUnicode map are ours.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import uharfbuzz as hb
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

# Keys for glyphs in the face's character tables (``charToGlyph``, ``charWidths``), which
# ReportLab's subsetter reads: above every Unicode code point, so no character meets them.
_GLYPH_KEY = 0x110000
_CACHE_LIMIT = 20_000
_SYLLABLE_ENDS = ("\u0f0b", "\u0f0d", "\u0f0e", " ")  # tsheg, shad, double shad, space


@dataclass(frozen=True)
class PlacedGlyph:
    """One glyph as HarfBuzz places it, in font units, with the text its code stands for."""

    gid: int
    text: str
    x_advance: int
    x_offset: int
    y_offset: int
    cluster: int = 0  # the index in the text of the cluster's first character
    extra: int = 0  # thousandths of the size added to its advance (a justified line's gap)


@dataclass
class _DocumentState:
    """The codes one document uses: subset ``n`` holds codes ``n*256 … n*256+255``."""

    codes: dict[tuple[int, str, int], int] = field(default_factory=dict)
    subsets: list[list[int]] = field(default_factory=list)  # glyph keys, by code
    texts: list[list[str]] = field(default_factory=list)  # ToUnicode text, by code
    extras: list[list[int]] = field(default_factory=list)  # added to the width, by code
    current: int = -1  # the subset new codes with text go to
    internalName: str | None = None  # noqa: N815 (ReportLab's name)
    namePrefix: str = "F"  # noqa: N815 (ReportLab's name)
    frozen: bool = False


class ShapedFont(TTFont):  # type: ignore[misc]
    """A TrueType font drawn glyph by glyph as HarfBuzz shapes it (:func:`draw_shaped`), each
    code of its subsets standing for a glyph and the text it shows."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename, shapable=False)  # shaped here, not by ReportLab
        self.state: weakref.WeakKeyDictionary[Any, _DocumentState] = \
            weakref.WeakKeyDictionary()
        face = hb.Face(hb.Blob.from_file_path(filename))
        self.upem = face.upem
        self._hb_font = hb.Font(face)
        self._shaped: dict[str, tuple[PlacedGlyph, ...]] = {}
        self._outlines: dict[int, str] = {}

    def shape(self, text: str) -> tuple[PlacedGlyph, ...]:
        """The glyphs of ``text`` in order, each with its cluster's text on the cluster's first
        glyph and ``""`` on the others (remembered: papers repeat their words)."""
        found = self._shaped.get(text)
        if found is not None:
            return found
        buf = hb.Buffer()
        buf.add_str(text)
        buf.guess_segment_properties()
        buf.cluster_level = hb.BufferClusterLevel.MONOTONE_GRAPHEMES
        hb.shape(self._hb_font, buf, {})
        infos, positions = buf.glyph_infos, buf.glyph_positions
        # Clusters are the indices of the first characters they cover; a cluster's text runs
        # to the next cluster's start (HarfBuzz keeps them in text order for a left-to-right
        # script, which Tibetan and everything else printed here are).
        starts = sorted({info.cluster for info in infos})
        ends = {start: end for start, end in zip(starts, [*starts[1:], len(text)], strict=True)}
        glyphs: list[PlacedGlyph] = []
        previous = -1
        for info, pos in zip(infos, positions, strict=True):
            cluster = info.cluster
            own = text[cluster:ends[cluster]] if cluster != previous else ""
            previous = cluster
            glyphs.append(PlacedGlyph(info.codepoint, own, pos.x_advance, pos.x_offset,
                                      pos.y_offset, cluster))
        found = tuple(glyphs)
        if len(self._shaped) > _CACHE_LIMIT:
            self._shaped.clear()
        self._shaped[text] = found
        return found

    def outline(self, gid: int) -> str:
        """The glyph's outline as PDF path operators in font units, filled (nonzero winding,
        as TrueType outlines are drawn); remembered."""
        found = self._outlines.get(gid)
        if found is None:
            pen = _PathPen()
            self._hb_font.draw_glyph_with_pen(gid, pen)
            found = self._outlines[gid] = " ".join([*pen.ops, "f"]) if pen.ops else ""
        return found

    def _document(self, doc: Any) -> _DocumentState:
        state = self.state.get(doc)
        if state is None:
            state = self.state[doc] = _DocumentState()
        return state

    def code(self, doc: Any, glyph: PlacedGlyph) -> int:
        """The document's code for ``glyph`` showing its text: subset ``code >> 8``, byte
        ``code & 0xFF``; new pairs get the next free code (0 is .notdef in a subset).

        A glyph that shows no text (a character the face lacks, drawn unshaped) gets code 0 of
        a subset of its own, mapped to no text: only code 0 reads back as nothing everywhere
        (PDFium reports any other code that maps to no text as the character with the code's
        number). The marks of a shaped cluster never come here: :func:`draw_shaped` draws
        them as outlines.
        """
        state = self._document(doc)
        key = (glyph.gid, glyph.text, glyph.extra)
        found = state.codes.get(key)
        if found is None:
            assert not state.frozen, f"font {self.fontName} already written"
            glyph_key = _GLYPH_KEY + glyph.gid
            if glyph_key not in self.face.charToGlyph:
                self.face.charToGlyph[glyph_key] = glyph.gid
                self.face.charWidths[glyph_key] = self.face._pdfScale(
                    self.face.hmetrics[glyph.gid][0])
            if not glyph.text:
                state.subsets.append([glyph_key])
                state.texts.append([""])
                state.extras.append([glyph.extra])
                found = (len(state.subsets) - 1) << 8
            else:
                if state.current < 0 or len(state.subsets[state.current]) == 256:
                    state.current = len(state.subsets)
                    state.subsets.append([_GLYPH_KEY])
                    state.texts.append([""])
                    state.extras.append([0])
                found = state.current << 8 | len(state.subsets[state.current])
                state.subsets[state.current].append(glyph_key)
                state.texts[state.current].append(glyph.text)
                state.extras[state.current].append(glyph.extra)
            state.codes[key] = found
        return found

    # ReportLab's hooks: unshaped text (``drawString``), a subset's resource name, and the
    # subsets' objects when the document is saved.

    def splitString(self, text: str, doc: Any, encoding: str = "utf-8") -> list[tuple[int, bytes]]:  # noqa: N802
        """Unshaped text as (subset, codes) chunks, each character its nominal glyph with
        itself as its text."""
        chunks: list[tuple[int, bytearray]] = []
        char_to_glyph = self.face.charToGlyph
        for ch in text:
            gid = char_to_glyph.get(32 if ch == "\xa0" else ord(ch), 0)
            code = self.code(doc, PlacedGlyph(gid, ch if gid else "", 0, 0, 0))
            if not chunks or chunks[-1][0] != code >> 8:
                chunks.append((code >> 8, bytearray()))
            chunks[-1][1].append(code & 0xFF)
        return [(subset, bytes(codes)) for subset, codes in chunks]


    def getSubsetInternalName(self, subset: int, doc: Any) -> str:  # noqa: N802
        state = self._document(doc)
        if state.internalName is None:
            state.internalName = state.namePrefix + repr(len(doc.fontMapping) + 1)
            doc.fontMapping[self.fontName] = "/" + state.internalName
            doc.delayedFonts.append(self)
        return f"/{state.internalName}+{subset}"

    def addObjects(self, doc: Any) -> None:  # noqa: N802
        """The subsets as TrueType fonts, as ReportLab writes its own, but with a ToUnicode map
        from each code to the text its glyph shows."""
        state = self._document(doc)
        state.frozen = True
        for number, keys in enumerate(state.subsets):
            internal = self.getSubsetInternalName(number, doc)[1:]
            base = b"".join((SUBSETN(number), b"+", self.face.name,
                             self.face.subfontNameX)).decode("pdfdoc")
            font = pdfdoc.PDFTrueTypeFont()
            font.__Comment__ = f"Font {self.fontName} subset {number} (shaped)"
            font.Name = internal
            font.BaseFont = base
            font.FirstChar = 0
            font.LastChar = len(keys) - 1
            font.Widths = pdfdoc.PDFArray([self.face.getCharWidth(k) + extra for k, extra
                                           in zip(keys, state.extras[number], strict=True)])
            cmap = pdfdoc.PDFStream()
            cmap.content = to_unicode_cmap(base, state.texts[number])
            if doc.compression:
                cmap.filters = [pdfdoc.PDFZCompress]
            font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base)
            font.FontDescriptor = self.face.addSubsetObjects(doc, base, keys)
            doc.Reference(font, internal)
            doc.idToObject["BasicFonts"].dict[internal] = font
        del self.state[doc]


class _PathPen:
    """Collects a glyph's outline, as HarfBuzz draws it, as PDF path operators (quadratic
    curves made cubic, as PDF has only those)."""

    def __init__(self) -> None:
        self.ops: list[str] = []
        self._at = (0.0, 0.0)

    def moveTo(self, point: tuple[float, float]) -> None:  # noqa: N802 (the pen protocol)
        self.ops.append(f"{fp_str(point[0])} {fp_str(point[1])} m")
        self._at = point

    def lineTo(self, point: tuple[float, float]) -> None:  # noqa: N802
        self.ops.append(f"{fp_str(point[0])} {fp_str(point[1])} l")
        self._at = point

    def curveTo(self, *points: tuple[float, float]) -> None:  # noqa: N802
        (x1, y1), (x2, y2), (x, y) = points
        self.ops.append(" ".join(fp_str(v) for v in (x1, y1, x2, y2, x, y)) + " c")
        self._at = (x, y)

    def qCurveTo(self, *points: tuple[float, float]) -> None:  # noqa: N802
        (cx, cy), (x, y) = points
        x0, y0 = self._at
        self.curveTo((x0 + 2 / 3 * (cx - x0), y0 + 2 / 3 * (cy - y0)),
                     (x + 2 / 3 * (cx - x), y + 2 / 3 * (cy - y)), (x, y))

    def closePath(self) -> None:  # noqa: N802
        self.ops.append("h")

    def endPath(self) -> None:  # noqa: N802
        pass


def _utf16(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def to_unicode_cmap(name: str, texts: list[str]) -> str:
    """A ToUnicode CMap from each code to its text (several characters for a cluster). Code 0
    (.notdef, or a glyph whose cluster's first glyph has the text) maps to no text: ``<>``,
    which pdftotext, PDFium and pypdf all read as nothing (without an entry, pypdf and PDFium
    would report a code they cannot map as the character with its number)."""
    entries = ["<00> <>"] + [f"<{code:02X}> <{_utf16(text)}>"
                             for code, text in enumerate(texts) if code]
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo", f"<< /Registry ({name})", f"/Ordering ({name})",
             "/Supplement 0", ">> def", f"/CMapName /{name} def", "/CMapType 2 def",
             "1 begincodespacerange", "<00> <FF>", "endcodespacerange"]
    for start in range(0, len(entries), 100):  # at most 100 entries to a block
        block = entries[start:start + 100]
        lines += [f"{len(block)} beginbfchar", *block, "endbfchar"]
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


def draw_shaped(canvas: Any, font: ShapedFont, text: str, x: float, baseline: float,
                size: float, spacing: Mapping[int, float] | None = None) -> float:
    """Draw ``text`` shaped, its first glyph's origin at (``x``, ``baseline``), in the
    canvas's fill colour; returns its advance in points. ``spacing[i]`` points more go after
    character ``i`` (a justified line's gaps, after a tsheg, a shad or a space): the last glyph
    of its cluster gets a code of its own whose width in the PDF includes that room, so that a
    reader of the text counts the room as part of the glyph and takes no gap for a word break,
    however wide (pdftotext, pypdf and PDFium alike)."""
    spacing = spacing or {}
    doc = canvas._doc  # ReportLab keeps a font's subsets per document; so are our codes
    scale = 1000 / font.upem  # font units to a PDF font's thousandths of the size
    ops = ["q BT", f"1 0 0 1 {fp_str(x)} {fp_str(baseline)} Tm"]
    subset, rise = -1, 0
    pieces: list[str] = []
    advance = 0.0

    def flush() -> None:
        if pieces:
            ops.append(f"[{' '.join(pieces)}] TJ")
            pieces.clear()

    glyphs = list(font.shape(text))
    for index, room in spacing.items():
        # The room after character ``index`` goes on the last glyph of its cluster that is
        # shown as text (a tsheg, a shad: a cluster of its own).
        last = max((j for j, g in enumerate(glyphs) if g.cluster <= index and g.text),
                   default=None)
        if last is not None and room > 0:
            extra = glyphs[last].extra + round(room * 1000 / size)
            glyphs[last] = replace(glyphs[last], extra=extra)
    marks: list[str] = []
    for glyph in glyphs:
        if not glyph.text:
            # A glyph drawn for a cluster whose first glyph stands for its text (a vowel sign,
            # a letter below): drawn as its outline, outside the text, so that no reader takes
            # its raised or lowered place for a line of its own (PDFium did).
            at = size / font.upem
            marks.append(f"q {fp_str(at)} 0 0 {fp_str(at)} "
                         f"{fp_str(x + (advance + glyph.x_offset) * at)} "
                         f"{fp_str(baseline + glyph.y_offset * at)} cm {font.outline(glyph.gid)} Q")
            if glyph.x_advance:
                pieces.append(fp_str(-glyph.x_advance * scale))
            advance += glyph.x_advance
            continue
        code = font.code(doc, glyph)
        if code >> 8 != subset:
            flush()
            subset = code >> 8
            ops.append(f"{font.getSubsetInternalName(subset, doc)} {fp_str(size)} Tf")
        if glyph.y_offset != rise:
            flush()
            rise = glyph.y_offset
            ops.append(f"{fp_str(rise * size / font.upem)} Ts")
        width = font.face.charWidths[_GLYPH_KEY + glyph.gid]
        # Move right by the offset, show the glyph (which advances by its width), then move to
        # where HarfBuzz puts the next glyph: ``TJ`` numbers move left, in thousandths.
        if glyph.x_offset:
            pieces.append(fp_str(-glyph.x_offset * scale))
        pieces.append(f"({escapePDF(bytes((code & 0xFF,)))})")
        back = width - (glyph.x_advance - glyph.x_offset) * scale
        if abs(back) > 1e-6:
            pieces.append(fp_str(back))
        advance += glyph.x_advance + glyph.extra * font.upem / 1000
        if glyph.text in _SYLLABLE_ENDS:
            # A text object to a syllable: PDFium takes a long object for a copy of the one a
            # line above when both show the same codes (a phrase repeated line after line)
            # and drops it as fake bold; it compares positions against the object's size.
            flush()
    flush()
    ops.append("ET Q")
    canvas.addLiteral(" ".join(ops))
    if marks:
        canvas.addLiteral(" ".join(marks))
    return float(advance * size / font.upem)


__all__ = ["PlacedGlyph", "ShapedFont", "draw_shaped", "to_unicode_cmap"]
