"""Loading the fonts shipped with the app, so Tibetan and Chinese render on any laptop."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.core.paths import fonts_dir

log = logging.getLogger(__name__)

TIBETAN_FAMILY = "Noto Serif Tibetan"
CHINESE_FAMILY = "AR PL UMing CN"
MIN_POINT_SIZE = 10.5


def load_fonts() -> list[str]:
    """Register every shipped font file with Qt; return the families loaded."""
    families: list[str] = []
    for path in sorted(fonts_dir().iterdir()):
        if path.suffix.lower() not in (".ttf", ".ttc", ".otf"):
            continue
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id < 0:
            log.error("could not load font %s", path)
            continue
        families += QFontDatabase.applicationFontFamilies(font_id)
    return families


def apply_app_font(app: QApplication) -> None:
    """Keep the platform's UI face for Latin text; take Tibetan and Chinese from shipped fonts."""
    font = QFont(app.font())
    base = font.family()
    font.setFamilies([base, TIBETAN_FAMILY, CHINESE_FAMILY])
    # Tibetan stacks are tall; below about 10.5 pt they are hard to read on a laptop screen.
    if font.pointSizeF() < MIN_POINT_SIZE:
        font.setPointSizeF(MIN_POINT_SIZE)
    app.setFont(font)
