"""Reading back what a ReportLab PDF draws, glyph by glyph, to check Tibetan shaping.

ReportLab embeds each TrueType face as subsets of at most 256 glyphs; the page content selects a
subset with ``Tf`` and shows one-byte codes with ``Tj``/``TJ``. The embedded subset font maps
each code to its glyph. A glyph is compared by its outline, which survives subsetting, so the
glyphs drawn in the PDF can be compared with the glyph ids HarfBuzz chooses from the full font.
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import uharfbuzz as hb

Outline = tuple[tuple[object, ...], ...]


class _Pen:
    def __init__(self) -> None:
        self.ops: list[tuple[object, ...]] = []

    def moveTo(self, *p: object) -> None:  # noqa: N802 (the pen protocol's names)
        self.ops.append(("M", *p))

    def lineTo(self, *p: object) -> None:  # noqa: N802
        self.ops.append(("L", *p))

    def curveTo(self, *p: object) -> None:  # noqa: N802
        self.ops.append(("C", *p))

    def qCurveTo(self, *p: object) -> None:  # noqa: N802
        self.ops.append(("Q", *p))

    def closePath(self) -> None:  # noqa: N802
        self.ops.append(("Z",))


def outline(font: hb.Font, glyph: int) -> Outline:
    """The glyph's outline, its quadratic curves written as the cubic ones a PDF path draws,
    and every point to a tenth of a font unit (as a path in a PDF gives it)."""
    pen = _Pen()
    font.draw_glyph_with_pen(glyph, pen)
    return _normal(pen.ops)


def _normal(ops: list[tuple[object, ...]]) -> Outline:
    def point(p: object) -> tuple[float, float]:
        x, y = p  # type: ignore[misc]
        return (round(float(x), 1) + 0.0, round(float(y), 1) + 0.0)

    out: list[tuple[object, ...]] = []
    at = (0.0, 0.0)
    for op, *points in ops:
        if op == "Q":
            (cx, cy), (x, y) = (tuple(map(float, p)) for p in points)  # type: ignore[arg-type]
            x0, y0 = at
            points = [(x0 + 2 / 3 * (cx - x0), y0 + 2 / 3 * (cy - y0)),
                      (x + 2 / 3 * (cx - x), y + 2 / 3 * (cy - y)), (x, y)]
            op = "C"
        if points:
            at = tuple(map(float, points[-1]))  # type: ignore[assignment]
        out.append((op, *(point(p) for p in points)))
    return tuple(out)


# A glyph drawn as a path after its run's text (a vowel sign, a letter below): its outline in
# font units, scaled and placed by ``cm`` and filled.
_MARK = re.compile(rb"\s*q [-\d.]+ 0 0 [-\d.]+ [-\d.]+ [-\d.]+ cm (.*?) f Q")
_PATH_OP = {b"m": ("M", 1), b"l": ("L", 1), b"c": ("C", 3), b"h": ("Z", 0)}


def _path(code: bytes) -> Outline:
    ops: list[tuple[object, ...]] = []
    numbers: list[float] = []
    for token in code.split():
        if token in _PATH_OP:
            op, count = _PATH_OP[token]
            pairs = [(numbers[2 * i], numbers[2 * i + 1]) for i in range(count)]
            ops.append((op, *pairs))
            numbers = []
        else:
            numbers.append(float(token))
    return _normal(ops)


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2)
            for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", pdf, re.S)}


def _stream(obj: bytes) -> bytes:
    head, _sep, rest = obj.partition(b"stream")
    raw = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
    if b"ASCII85Decode" in head:
        raw = base64.a85decode(raw.strip().removesuffix(b"~>"))
    if b"FlateDecode" in head:
        raw = zlib.decompress(raw)
    return raw


def _ref(obj: bytes, key: bytes) -> int:
    found = re.search(rb"/" + key + rb" (\d+) 0 R", obj)
    assert found, key
    return int(found.group(1))


_TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|/[^\s/\[\]()<>]+|\[|\]|BT|ET|Tf|Tj|TJ|[-\d.]+")


def _literal(token: bytes) -> bytes:
    body, out, i = token[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i]
        if ch == 0x5C:  # backslash
            octal = re.match(rb"[0-7]{1,3}", body[i + 1:i + 4])
            if octal:
                out.append(int(octal.group(0), 8))
                i += 1 + len(octal.group(0))
                continue
            escaped = body[i + 1:i + 2]
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(escaped, escaped)
            i += 2
            continue
        out.append(ch)
        i += 1
    return bytes(out)


def _subset(program: bytes) -> tuple[hb.Font, list[int]]:
    """An embedded subset and its code-to-glyph map (ReportLab writes one Macintosh cmap in
    format 6: first code, count, glyph ids)."""
    face = hb.Face(hb.Blob(program))
    cmap = face.reference_table("cmap").data
    assert struct.unpack(">HH", cmap[:4])[1] == 1, "one cmap subtable"
    offset = struct.unpack(">I", cmap[8:12])[0]
    fmt, _length, _language, first, count = struct.unpack(">5H", cmap[offset:offset + 10])
    assert fmt == 6 and first == 0
    glyphs = list(struct.unpack(f">{count}H", cmap[offset + 10:offset + 10 + 2 * count]))
    return hb.Font(face), glyphs


def drawn_glyphs(pdf: bytes, base_font: str) -> Iterator[list[Outline]]:
    """For each text object drawn in ``base_font`` (e.g. ``NotoSerifTibetan-Regular``), the
    outlines of its glyphs in drawing order."""
    objects = _objects(pdf)
    faces: dict[bytes, hb.Font] = {}
    for number, obj in objects.items():
        name = re.search(rb"/BaseFont /[A-Z]{6}\+" + re.escape(base_font.encode()) + rb"\b", obj)
        if name and b"/FontDescriptor" in obj:
            resource = re.search(rb"/Name (/\S+)", obj)
            assert resource, number
            descriptor = objects[_ref(obj, b"FontDescriptor")]
            program = _stream(objects[_ref(descriptor, b"FontFile2")])
            faces[resource.group(1)] = _subset(program)
    for obj in objects.values():
        if not re.search(rb"/Type /Page\b", obj):
            continue
        content = _stream(objects[_ref(obj, b"Contents")])
        current: tuple[hb.Font, list[int]] | None = None
        glyphs: list[Outline] = []
        for found in _TOKEN.finditer(content):
            token = found.group()
            if token.startswith(b"/"):
                current = faces.get(token)
            elif token == b"ET":
                if glyphs:
                    # The glyphs drawn as paths right after the text object, in order.
                    at = found.end() + len(b" Q")
                    while (mark := _MARK.match(content, at)) is not None:
                        glyphs.append(_path(mark.group(1)))
                        at = mark.end()
                    yield glyphs
                glyphs = []
            elif token.startswith(b"(") and current is not None:
                font, code_to_glyph = current
                glyphs.extend(outline(font, code_to_glyph[code]) for code in _literal(token))


def harfbuzz_glyphs(font_file: Path, text: str) -> list[Outline]:
    """The outlines of the glyphs HarfBuzz chooses for ``text`` in the full font, in the order
    a paper draws them: first, as text, each cluster's first glyph (which stands for the
    cluster's characters), then, as paths, the others (vowel signs, letters below)."""
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(font_file))))
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_GRAPHEMES
    hb.shape(font, buf, {})
    firsts, others, previous = [], [], -1
    for info in buf.glyph_infos:
        (firsts if info.cluster != previous else others).append(outline(font, info.codepoint))
        previous = info.cluster
    return firsts + others


def nominal_glyphs(font_file: Path, text: str) -> list[Outline]:
    """The glyphs each character maps to with no shaping at all (the cmap alone)."""
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(font_file))))
    return [outline(font, font.get_nominal_glyph(ord(ch)) or 0) for ch in text]
