"""Translation functions and the three display modes: 中文, བོད་ཡིག and bilingual.

``_``, ``N_``, ``ngettext`` and ``pgettext`` look up the *current* catalog each time they are
called, so a language switch takes effect without a restart. Module-level labels are marked with
``N_`` and translated where they are shown. Messages are written in English in the source; the
zh_CN and bo_CN catalogs in ``locale/`` carry the Chinese and Tibetan texts.
"""

from __future__ import annotations

import gettext
import io
import logging
import re
from functools import cache

from app.core.paths import locale_dir
from app.core.tibetan import TibetanText

log = logging.getLogger(__name__)

DOMAIN = "doorstep"
ZH, BO, BILINGUAL = "zh", "bo", "bilingual"
MODES = (ZH, BO, BILINGUAL)
# gettext catalog per script, and the Babel locale used to format dates, numbers and money.
CATALOG_LOCALES = {ZH: "zh_CN", BO: "bo_CN"}
BABEL_LOCALES = {ZH: "zh_Hans_CN", BO: "bo_CN"}
BILINGUAL_SEPARATOR = " / "
_ACCELERATOR = re.compile(r"\s*\(&\w\)")


class BilingualTranslations(gettext.NullTranslations):
    """Both scripts at once, Tibetan first as on signs and forms in Tibetan areas."""

    def __init__(self, first: gettext.NullTranslations, second: gettext.NullTranslations,
                 separator: str = BILINGUAL_SEPARATOR) -> None:
        super().__init__()
        self.first, self.second, self.separator = first, second, separator

    def _join(self, a: str, b: str) -> str:
        if a == b:
            return a
        if "&" in a:
            # One keyboard accelerator per label: the first script keeps it.
            b = _ACCELERATOR.sub("", b).replace("&", "")
        # The Tibetan half may name the cases of its fields ({name:ins}).
        return TibetanText(f"{a}{self.separator}{b}")

    def gettext(self, message: str) -> str:
        return self._join(self.first.gettext(message), self.second.gettext(message))

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self._join(self.first.ngettext(msgid1, msgid2, n),
                          self.second.ngettext(msgid1, msgid2, n))

    def pgettext(self, context: str, message: str) -> str:
        return self._join(self.first.pgettext(context, message),
                          self.second.pgettext(context, message))

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self._join(self.first.npgettext(context, msgid1, msgid2, n),
                          self.second.npgettext(context, msgid1, msgid2, n))


class TibetanTranslations(gettext.NullTranslations):
    """The Tibetan catalog: its texts are ``TibetanText``, whose ``format`` writes the particle
    each filled-in name takes where the translator named its case (``{name:ins}``,
    ``app.core.tibetan``), so every caller formatting a Tibetan message gets the grammar."""

    def __init__(self, catalog: gettext.NullTranslations) -> None:
        super().__init__()
        self.add_fallback(catalog)

    def gettext(self, message: str) -> str:
        return TibetanText(super().gettext(message))

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return TibetanText(super().ngettext(msgid1, msgid2, n))

    def pgettext(self, context: str, message: str) -> str:
        return TibetanText(super().pgettext(context, message))

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return TibetanText(super().npgettext(context, msgid1, msgid2, n))


@cache
def catalog(script: str) -> gettext.NullTranslations:
    """The catalog for ``zh`` or ``bo``: the compiled ``.mo``, or, when it is missing or older
    than its ``.po`` (a translator's fix not yet compiled by ``./dev setup``), the ``.po`` read
    as it is. Nothing is written: the program's folder may be read-only. The Tibetan catalog
    writes particles after filled-in names (``TibetanTranslations``)."""
    found = _read_catalog(script)
    return TibetanTranslations(found) if script == BO else found


def _read_catalog(script: str) -> gettext.NullTranslations:
    from app.core import i18n_build
    locale = CATALOG_LOCALES[script]
    po_path, mo_path = i18n_build.catalog_files(locale)
    try:
        if mo_path.exists() and not (po_path.exists()
                                     and mo_path.stat().st_mtime < po_path.stat().st_mtime):
            with mo_path.open("rb") as f:
                return gettext.GNUTranslations(f)
        if po_path.exists():
            log.info("reading %s: its compiled catalog is missing or older", po_path)
            return gettext.GNUTranslations(io.BytesIO(i18n_build.compiled(locale)))
    except (OSError, ValueError) as exc:
        log.error("cannot read the catalog for %s in %s: %s", locale, locale_dir(), exc)
        return gettext.NullTranslations()
    log.error("no catalog for %s in %s", locale, locale_dir())
    return gettext.NullTranslations()


def translations(mode: str) -> gettext.NullTranslations:
    """The translations object for a display mode (reports use this to print both scripts)."""
    if mode == BILINGUAL:
        return BilingualTranslations(catalog(BO), catalog(ZH))
    if mode not in CATALOG_LOCALES:
        raise ValueError(f"unknown language mode {mode!r}")
    return catalog(mode)


_mode = ZH
_current: gettext.NullTranslations | None = None


def set_mode(mode: str) -> None:
    global _mode, _current
    _current = translations(mode)
    _mode = mode


def mode() -> str:
    return _mode


def _active() -> gettext.NullTranslations:
    global _current
    if _current is None:
        _current = translations(_mode)
    return _current


def _(message: str) -> str:
    return _active().gettext(message)


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark a message for extraction; translate it later where it is shown."""
    return message


def pick(zh: str, bo: str, separator: str = BILINGUAL_SEPARATOR) -> str:
    """A record's own text in the display script (e.g. a name held in both scripts).

    Falls back to the other script when one is empty; bilingual mode shows both, Tibetan first,
    joined by ``separator`` ("\n" stacks them on two lines where there is room).
    """
    if _mode == BO:
        return bo or zh
    if _mode == BILINGUAL:
        if bo and zh and bo != zh:
            return f"{bo}{separator}{zh}"
        return bo or zh
    return zh or bo


def labelled(label: str, value_zh: str, value_bo: str | None = None) -> str:
    """``label`` (a msgid, translated here) followed by a value, punctuated for the script.

    Chinese: 使用人：扎西. Tibetan: བེད་སྤྱོད་པ། བཀྲ་ཤིས (the shad ends the label). Bilingual stacks
    a Tibetan line over a Chinese line, as on bilingual signs. ``value_bo`` is the value's own
    Tibetan form when it has one (a name, a date); otherwise the same value serves both.
    """
    bo_value = value_bo or value_zh
    zh_value = value_zh or bo_value
    if _mode == ZH:
        return f"{catalog(ZH).gettext(label)}：{zh_value}"
    bo_line = f"{catalog(BO).gettext(label)} {bo_value}"
    if _mode == BO:
        return bo_line
    return f"{bo_line}\n{catalog(ZH).gettext(label)}：{zh_value}"


def title_text(message: str) -> str:
    """``message`` for a window's title bar, which the system draws in its own font: in Chinese
    in every mode, as a Windows laptop without the Tibetan supplemental font shows Tibetan
    there as empty boxes. What the window holds is in the display language."""
    return catalog(ZH).gettext(message)


def zh_text(message: str) -> str:
    """``message`` in Chinese, whatever the display mode (for texts that pair the two scripts)."""
    return catalog(ZH).gettext(message)


def bo_text(message: str) -> str:
    """``message`` in Tibetan, whatever the display mode."""
    return catalog(BO).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _active().pgettext(context, message)
