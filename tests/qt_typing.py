"""Typing into widgets in pytest-qt tests as a clerk types."""

from __future__ import annotations

import re

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def type_text(qtbot, widget: QWidget, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type as a clerk does: digits and Latin letters on the keyboard, Tibetan and Chinese
    through the input method, which commits each word to the focused field."""
    widget.setFocus()
    for word in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
        if word.isascii():
            qtbot.keyClicks(widget, word)
        else:
            event = QInputMethodEvent()
            event.setCommitString(word)
            QApplication.sendEvent(widget, event)


def show_active(qtbot, dialog: QWidget) -> None:  # type: ignore[no-untyped-def]
    """Show ``dialog`` and make it the active window: keyboard shortcuts reach only that."""
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)

    def active() -> bool:
        # Asked again each time: a window left over from an earlier test (or one that just
        # closed) can take the activation back before this one gets it.
        if not dialog.isActiveWindow():
            dialog.raise_()
            dialog.activateWindow()
        return dialog.isActiveWindow()

    qtbot.waitUntil(active)

