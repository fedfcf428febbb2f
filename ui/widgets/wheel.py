"""The mouse wheel never changes a value the clerk has not chosen to change.

Qt lets a turn of the wheel over a drop-down, a number or a date change it, even when the pointer
only passes over it while the clerk scrolls a long form: 信访人 became 代表, the category and
the language changed without anyone seeing. Here such a field takes the wheel only once the
clerk has clicked or tabbed into it; otherwise the turn scrolls the form it stands in.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
)

from ui.widgets.form_support import enclosing

_GUARDED = (QComboBox, QAbstractSpinBox)  # drop-downs, numbers, dates and times


class WheelGuard(QObject):
    """An application-wide event filter: see the module's docstring."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if not isinstance(watched, _GUARDED):
            return False
        if event.type() == QEvent.Type.Polish:
            # Qt's default (WheelFocus) gives the field the focus on a turn of the wheel,
            # before any filter sees the turn; a click or Tab still does.
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif event.type() == QEvent.Type.Wheel and not watched.hasFocus():
            area = enclosing(watched, QAbstractScrollArea)
            if area is not None:
                QCoreApplication.sendEvent(area.verticalScrollBar(), event)
            return True
        return False


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """Install the guard on the application, once; returns it."""
    found = app.findChild(WheelGuard)
    if found is None:
        found = WheelGuard(app)
        app.installEventFilter(found)
    return found


__all__ = ["WheelGuard", "install_wheel_guard"]
