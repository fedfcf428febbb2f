"""Compile the gettext catalogs in ``locale/`` (``.po`` sources) into ``.mo`` files.

Run as ``python -m app.core.i18n_build`` by the setup command (and before a build), never by
the program itself: its folder may be read-only. A program that finds a ``.mo`` missing or older
than its ``.po`` reads the ``.po`` instead (:func:`compiled`, in memory; see ``app.core.i18n``).
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.core.files import write_atomically
from app.core.paths import locale_dir

DOMAIN = "doorstep"


def catalog_files(locale: str, root: Path | None = None) -> tuple[Path, Path]:
    """The ``.po`` source and the compiled ``.mo`` of ``locale``."""
    folder = (root or locale_dir()) / locale / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


def compiled(locale: str, root: Path | None = None) -> bytes:
    """The ``.mo`` content of ``locale``'s ``.po``, made in memory."""
    po_path, _mo_path = catalog_files(locale, root)
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=locale)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def compile_catalog(locale: str, root: Path | None = None) -> Path:
    _po_path, mo_path = catalog_files(locale, root)
    data = compiled(locale, root)
    write_atomically(mo_path, data)
    return mo_path


def main() -> None:
    for folder in sorted(locale_dir().iterdir()):
        if (folder / "LC_MESSAGES" / f"{DOMAIN}.po").exists():
            compile_catalog(folder.name)


if __name__ == "__main__":
    main()
