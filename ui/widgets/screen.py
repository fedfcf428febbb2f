"""Every window fits the screen it opens on: its buttons are never below the taskbar.

A county laptop has a 1366×768 screen, and Windows' taskbar takes 40 px of it. Dialogs ask for
the size that suits their content; when that is more than the screen has room for, the window
is made as large as the room (its long content scrolls inside, its buttons stay in view) and
moved so that all of it, title bar included, is on the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QWidget

# The window frame's title bar, when the platform has not said yet (before the first show, and
# on platforms without a window manager).
TITLE_BAR = 32


def room_for(window: QWidget) -> QRect:
    """The part of ``window``'s screen a window may take (without the taskbar)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def frame_margins(window: QWidget) -> tuple[int, int]:
    """The width and height the window's frame adds around its contents."""
    frame, inner = window.frameGeometry(), window.geometry()
    extra_w, extra_h = frame.width() - inner.width(), frame.height() - inner.height()
    return extra_w, (extra_h if extra_h > 0 else TITLE_BAR)


def fit_to_screen(window: QWidget) -> None:
    """Shrink ``window`` to the room its screen has, and move it wholly onto the screen."""
    room = room_for(window)
    extra_w, extra_h = frame_margins(window)
    width = min(window.width(), room.width() - extra_w)
    height = min(window.height(), room.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    x = min(max(window.x(), room.left()), room.right() + 1 - window.width() - extra_w)
    y = min(max(window.y(), room.top()), room.bottom() + 1 - window.height() - extra_h)
    if (x, y) != (window.x(), window.y()):
        window.move(max(x, room.left()), max(y, room.top()))


class ScreenFit(QObject):
    """An application-wide event filter: each dialog and main window is fitted to its screen
    as it is shown."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (event.type() == QEvent.Type.Show and isinstance(watched, (QDialog, QMainWindow))
                and watched.isWindow()):
            fit_to_screen(watched)
        return False


def install_screen_fit(app: QApplication) -> ScreenFit:
    """Install the fitting on the application, once; returns it."""
    found = app.findChild(ScreenFit)
    if found is None:
        found = ScreenFit(app)
        app.installEventFilter(found)
    return found


__all__ = ["ScreenFit", "fit_to_screen", "install_screen_fit", "room_for"]
