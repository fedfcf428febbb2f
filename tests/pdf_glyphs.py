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
    pen = _Pen()
    font.draw_glyph_with_pen(glyph, pen)
    return tuple(pen.ops)


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
        for token in _TOKEN.findall(content):
            if token.startswith(b"/"):
                current = faces.get(token)
            elif token == b"ET":
                if glyphs:
                    yield glyphs
                glyphs = []
            elif token.startswith(b"(") and current is not None:
                font, code_to_glyph = current
                glyphs.extend(outline(font, code_to_glyph[code]) for code in _literal(token))


def harfbuzz_glyphs(font_file: Path, text: str) -> list[Outline]:
    """The outlines of the glyphs HarfBuzz chooses for ``text`` in the full font."""
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(font_file))))
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf, {})
    return [outline(font, info.codepoint) for info in buf.glyph_infos]


def nominal_glyphs(font_file: Path, text: str) -> list[Outline]:
    """The glyphs each character maps to with no shaping at all (the cmap alone)."""
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(font_file))))
    return [outline(font, font.get_nominal_glyph(ord(ch)) or 0) for ch in text]
