"""Locking the window after a while without use.

Every key press, click and wheel turn in any of Doorstep's windows counts as use. After
``Settings.lock_after_minutes`` without any, every window of Doorstep is covered (what it
shows is hidden; forms keep what was typed in them) and the person logged in types their
passphrase again (``LockDialog``), or logs out.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.core.i18n import _

INPUT_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress,
                          QEvent.Type.Wheel, QEvent.Type.TouchBegin})
CHECK_EVERY_MS = 5_000


class Cover(QLabel):
    """Hides what a window shows while Doorstep is locked, and follows the window's size."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setAutoFillBackground(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setText(_("Locked"))
        self.setGeometry(window.rect())
        window.installEventFilter(self)
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize and isinstance(watched, QWidget):
            self.setGeometry(watched.rect())
            self.raise_()
        elif event.type() == QEvent.Type.ChildAdded:
            self.raise_()
        return False


class IdleLock(QObject):
    """Watches for use; calls ``lock`` (which shows the lock screen and returns when it is
    gone) after ``minutes`` without any."""

    def __init__(self, minutes: Callable[[], int], lock: Callable[[], None],
                 clock: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._minutes = minutes
        self._lock = lock
        self._clock = clock
        self._last = clock()
        self.locked = False
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(CHECK_EVERY_MS)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in INPUT_EVENTS:
            self._last = self._clock()
        return False

    def check(self) -> None:
        if self.locked or self._clock() - self._last < self._minutes() * 60:
            return
        self.lock_now()

    def lock_now(self) -> None:
        """Cover every window, then the lock screen; uncovered when it is gone."""
        if self.locked:
            return
        self.locked = True
        covers = [Cover(w) for w in QApplication.topLevelWidgets()
                  if w.isVisible() and not isinstance(w, Cover)
                  and w.windowType() in (Qt.WindowType.Window, Qt.WindowType.Dialog)]
        try:
            self._lock()
        finally:
            for cover in covers:
                parent = cover.parentWidget()
                if parent is not None:
                    parent.removeEventFilter(cover)
                cover.deleteLater()
            self.locked = False
            self._last = self._clock()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
