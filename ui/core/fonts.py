"""Loading the fonts shipped with the app, so Tibetan and Chinese render on any laptop."""

from __future__ import annotations

import logging
import struct

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.core.paths import fonts_dir

log = logging.getLogger(__name__)

TIBETAN_FAMILY = "Noto Serif Tibetan"
CHINESE_FAMILY = "AR PL UMing CN"
MIN_POINT_SIZE = 10.5
# The faces the screen uses (the others in the fonts folder are for papers only).
SCREEN_FONTS = ("NotoSerifTibetan-Regular.ttf", "NotoSerifTibetan-Bold.ttf", "uming.ttc")
# Noto Serif Tibetan declares a line 2.8 em tall (ascent 1.466, descent 1.349 em: room for
# Sanskrit stacks of five letters), and Qt makes every field and table row that tall: a form's
# fields came out 46 px high on a 768 px screen. The ink of the Tibetan we show (every label in
# the catalogue, the demo's names and the agreement template, measured at 1000 units per em)
# rises at most 1.162 em above the baseline (a vowel sign over a tall letter) and falls at most
# 0.694 em below it (སྒྲུབ), so the screen copy declares 1.25 and 0.90 em: 2.15 em, with room
# for a deeper stack than any we met. The font file itself (and every paper) is unchanged.
SCREEN_ASCENT, SCREEN_DESCENT = 1250, 900  # font units, at 1000 units per em
TIBETAN_PREFIX = "NotoSerifTibetan-"


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return int(sum(struct.unpack(f">{len(padded) // 4}I", padded))) & 0xFFFFFFFF


def with_line_height(font: bytes, ascent: int, descent: int) -> bytes:
    """A copy of a TrueType font whose declared ascent and descent (hhea, OS/2 typo and win
    metrics; line gap 0) are ``ascent`` and ``descent`` font units, checksums made good."""
    data = bytearray(font)
    count = struct.unpack_from(">H", data, 4)[0]
    entries = {}
    for index in range(count):
        at = 12 + 16 * index
        tag, _sum, offset, length = struct.unpack_from(">4sIII", data, at)
        entries[tag] = (at, offset, length)
    _at, hhea, _len = entries[b"hhea"]
    struct.pack_into(">hhh", data, hhea + 4, ascent, -descent, 0)
    _at, os2, _len = entries[b"OS/2"]
    struct.pack_into(">hhhHH", data, os2 + 68, ascent, -descent, 0, ascent, descent)
    _at, head, _len = entries[b"head"]
    struct.pack_into(">I", data, head + 8, 0)  # checkSumAdjustment, recomputed below
    for tag in (b"hhea", b"OS/2", b"head"):
        at, offset, length = entries[tag]
        struct.pack_into(">I", data, at + 4, _checksum(bytes(data[offset:offset + length])))
    struct.pack_into(">I", data, head + 8, (0xB1B0AFBA - _checksum(bytes(data))) & 0xFFFFFFFF)
    return bytes(data)


def load_fonts() -> list[str]:
    """Register the shipped screen fonts with Qt; return the families loaded. The Tibetan
    faces are registered from a patched copy in memory (see SCREEN_ASCENT); the others from
    their files, which Qt maps rather than copies (the Chinese face is 21 MB)."""
    families: list[str] = []
    for name in SCREEN_FONTS:
        path = fonts_dir() / name
        if name.startswith(TIBETAN_PREFIX):
            try:
                data = with_line_height(path.read_bytes(), SCREEN_ASCENT, SCREEN_DESCENT)
            except (OSError, KeyError, struct.error) as error:
                log.error("could not read font %s: %s", path, error)
                continue
            font_id = QFontDatabase.addApplicationFontFromData(QByteArray(data))
        else:
            font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.error("could not load font %s", path)
            continue
        families += QFontDatabase.applicationFontFamilies(font_id)
    return families


def apply_app_font(app: QApplication) -> None:
    """Take Tibetan and Chinese from the shipped fonts, and Latin from the platform's UI face.

    The Tibetan face comes first, so that every platform measures lines by it: a platform face
    first (Segoe UI on Windows) would give fields too low for Tibetan stacks, which would be
    cut. Characters the Tibetan face lacks come from the next faces."""
    font = QFont(app.font())
    base = font.family()
    font.setFamilies([TIBETAN_FAMILY, base, CHINESE_FAMILY])
    # Tibetan stacks are tall; below about 10.5 pt they are hard to read on a laptop screen.
    if font.pointSizeF() < MIN_POINT_SIZE:
        font.setPointSizeF(MIN_POINT_SIZE)
    app.setFont(font)
