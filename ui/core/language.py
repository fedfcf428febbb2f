"""Switching the display language at runtime."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QObject, QTranslator, Signal
from PySide6.QtWidgets import QApplication

from app.core import i18n

# Each display mode named in its own script (the View menu, the log-in screen).
LANGUAGE_NAMES = {i18n.ZH: "中文", i18n.BO: "བོད་ཡིག", i18n.BILINGUAL: "བོད་ཡིག / 中文"}


class GettextTranslator(QTranslator):
    """Qt's own strings (OK, Cancel, …) through our gettext catalogs; see ui/core/qt_messages.py."""

    def translate(self, context: str, source_text: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        """The translation, or None (a null string) when there is none, so that Qt goes on to
        its own text: an empty string would be taken as the translation, and every Qt string
        we do not translate ("Ctrl", "F%1", "Select All") would show as nothing."""
        if not source_text:
            return None
        translated = i18n._(source_text)
        return translated if translated != source_text else None

    def isEmpty(self) -> bool:  # noqa: N802 (Qt's name)
        return False


def qt_locale(mode: str) -> QLocale:
    """The locale Qt's own widgets use (a calendar's month and day names): Tibetan in Tibetan
    mode; Chinese in Chinese and in both scripts (a calendar shows one)."""
    if mode == i18n.BO:
        return QLocale(QLocale.Language.Tibetan, QLocale.Country.China)
    return QLocale(QLocale.Language.Chinese, QLocale.Country.China)


def _apply_locale(mode: str) -> None:
    locale = qt_locale(mode)
    QLocale.setDefault(locale)
    app = QCoreApplication.instance()
    if isinstance(app, QApplication):
        for window in app.topLevelWidgets():  # a widget's locale passes to its children
            window.setLocale(locale)


class LanguageManager(QObject):
    """Swaps the catalog, reinstalls the Qt translator (Qt then sends LanguageChange to every
    widget) and emits ``language_changed``."""

    language_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._translator = GettextTranslator(self)

    def install(self, mode: str) -> None:
        i18n.set_mode(mode)
        _apply_locale(mode)
        QCoreApplication.installTranslator(self._translator)

    def set_mode(self, mode: str) -> None:
        if mode == i18n.mode():
            return
        i18n.set_mode(mode)
        _apply_locale(mode)
        # Reinstalling makes Qt post a LanguageChange event to every widget.
        QCoreApplication.removeTranslator(self._translator)
        QCoreApplication.installTranslator(self._translator)
        self.language_changed.emit(mode)
