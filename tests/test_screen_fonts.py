"""The screen's fonts: the shipped Tibetan and Chinese faces, the Tibetan one with a line that
fits a laptop's form (issue 14)."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF

from ui.core.fonts import (
    CHINESE_FAMILY,
    SCREEN_ASCENT,
    SCREEN_DESCENT,
    TIBETAN_FAMILY,
    with_line_height,
)
from ui.main import application


def test_the_screen_has_both_faces_and_a_tibetan_line_of_2_15_em() -> None:
    application()
    families = QFontDatabase.families()
    assert TIBETAN_FAMILY in families and CHINESE_FAMILY in families
    font = QFont(TIBETAN_FAMILY)
    font.setPixelSize(1000)
    metrics = QFontMetricsF(font)
    assert abs(metrics.ascent() - SCREEN_ASCENT) <= 2
    assert abs(metrics.descent() - SCREEN_DESCENT) <= 2
    # The ink of a deep stack with a vowel above stays inside that line.
    ink = metrics.tightBoundingRect("སྒྲུབ་ཚོ")
    assert -ink.top() <= SCREEN_ASCENT and ink.bottom() <= SCREEN_DESCENT


def test_the_line_height_copy_changes_only_the_declared_metrics() -> None:
    import struct

    from app.core.paths import fonts_dir

    original = (fonts_dir() / "NotoSerifTibetan-Regular.ttf").read_bytes()
    patched = with_line_height(original, 1250, 900)
    assert len(patched) == len(original)
    changed = [i for i, (a, b) in enumerate(zip(original, patched, strict=True)) if a != b]
    assert changed and len(changed) < 40  # the metrics and their checksums, nothing else
    # The whole file's checksum is the one the format asks for.
    padded = patched + b"\0" * (-len(patched) % 4)
    total = sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF
    assert total == 0xB1B0AFBA
