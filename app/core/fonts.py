"""The fonts shipped inside the app, for every paper and report it prints."""

from __future__ import annotations

from app.core.paths import fonts_dir
from reports.layout import FontFiles


def shipped_fonts() -> FontFiles:
    folder = fonts_dir()
    return FontFiles(folder / "NotoSerifTibetan-Regular.ttf", folder / "uming.ttc", 0,
                     fangsong=folder / "ZhuqueFangsong-Regular.ttf",
                     title=folder / "NotoSerifCJKsc-Bold-GB2312.ttf",
                     tibetan_bold=folder / "NotoSerifTibetan-Bold.ttf")
