"""Compile the gettext catalogs in ``locale/`` (``.po`` sources) into ``.mo`` files.

Run as ``python -m app.core.i18n_build`` by the setup command; also called at start when a
``.po`` is newer than its ``.mo`` (never in a frozen build, which ships compiled catalogs).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.core.paths import locale_dir

DOMAIN = "doorstep"


def _files(locale: str, root: Path | None = None) -> tuple[Path, Path]:
    folder = (root or locale_dir()) / locale / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


def compile_catalog(locale: str, root: Path | None = None) -> Path:
    po_path, mo_path = _files(locale, root)
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    tmp = mo_path.with_suffix(".mo.tmp")
    with tmp.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)
    tmp.replace(mo_path)
    return mo_path


def ensure_compiled(locale: str) -> None:
    if getattr(sys, "frozen", False):
        return
    po_path, mo_path = _files(locale)
    if po_path.exists() and (not mo_path.exists()
                             or mo_path.stat().st_mtime < po_path.stat().st_mtime):
        compile_catalog(locale)


def main() -> None:
    for folder in sorted(locale_dir().iterdir()):
        if (folder / "LC_MESSAGES" / f"{DOMAIN}.po").exists():
            compile_catalog(folder.name)


if __name__ == "__main__":
    main()
