"""Switching the display language at runtime."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, QTranslator, Signal

from app.core import i18n


class GettextTranslator(QTranslator):
    """Qt's own strings (OK, Cancel, …) through our gettext catalogs; see ui/core/qt_messages.py."""

    def translate(self, context: str, source_text: str, disambiguation: str | None = None,
                  n: int = -1) -> str:
        if not source_text:
            return ""
        translated = i18n._(source_text)
        return translated if translated != source_text else ""

    def isEmpty(self) -> bool:  # noqa: N802 (Qt's name)
        return False


class LanguageManager(QObject):
    """Swaps the catalog, reinstalls the Qt translator (Qt then sends LanguageChange to every
    widget) and emits ``language_changed``."""

    language_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._translator = GettextTranslator(self)

    def install(self, mode: str) -> None:
        i18n.set_mode(mode)
        QCoreApplication.installTranslator(self._translator)

    def set_mode(self, mode: str) -> None:
        if mode == i18n.mode():
            return
        i18n.set_mode(mode)
        # Reinstalling makes Qt post a LanguageChange event to every widget.
        QCoreApplication.removeTranslator(self._translator)
        QCoreApplication.installTranslator(self._translator)
        self.language_changed.emit(mode)
