"""Starting the GUI: the window's frame on the screen at once, the store opened meanwhile."""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.core.errors import AppError
from app.core.i18n import _, pick
from app.core.paths import AppPaths
from app.core.settings import Settings, load_settings
from ui.core.errors import READ_ERROR, install_excepthook, show_error
from ui.core.fonts import apply_app_font, load_fonts
from ui.core.language import LanguageManager
from ui.core.tasks import Tasks
from ui.main_window import MainWindow
from ui.office.idle_lock import IdleLock
from ui.office.login_dialog import Credentials, LockDialog, log_in
from ui.widgets.screen import install_screen_fit
from ui.widgets.wheel import install_wheel_guard

if TYPE_CHECKING:
    from app.core.keyring import Account
    from app.core.store import Store

T = TypeVar("T")

log = logging.getLogger(__name__)

# Loaded on the opening thread with the store, so that attaching the first area (Today) only
# builds it: what the first screen needs, and nothing that only printing, sync or another area
# needs.
FIRST_MODULES = ("app.core.identity", "app.sync.engine", "ui.petitions.today_view")


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv)
    app.setApplicationName("Doorstep")
    load_fonts()
    apply_app_font(app)
    install_wheel_guard(app)  # the wheel changes no field the clerk has not clicked into
    install_screen_fit(app)  # no window is taller than the screen
    return app


def create_main_window(paths: AppPaths, language: LanguageManager,
                       credentials: Credentials | None = None) -> MainWindow:
    """Open the store and build the main window at once (raises AppError when the store is
    refused): the tools and tests that need the whole window before going on. With
    ``credentials`` the store is the encrypted one and the staff member is logged in;
    without, a plain store is opened (and made), bound to no log-in."""
    from app.core.store import open_store

    settings = load_settings(paths)
    language.install(settings.language_mode)
    if credentials is None:
        store = open_store(paths, create=True)
    else:
        store = _logged_in(paths, credentials)
        settings.current_staff_id = credentials.staff_id
    window = MainWindow(_tasks_for(store, settings.current_staff_id), paths, settings, language)
    window.tasks.wait()  # the first area's reading, made on the worker,
    QApplication.processEvents()  # and shown
    return window


def _logged_in(paths: AppPaths, credentials: Credentials, server: str | None = None) -> Store:
    """The encrypted store, opened with the key the passphrase unwrapped, bound to the staff
    member who logged in (refused, and closed, when they are no longer on the staff). With
    ``server``, the prefecture hub's database at that address."""
    from app.accounts import login
    from app.core.store import open_store

    if server is not None:
        from app.core.server import open_server_store

        store = open_server_store(server, paths)
    else:
        store = open_store(paths, key=credentials.key)
    try:
        login.begin(store, credentials.staff_id)
    except BaseException:
        store.close()
        raise
    return store


def _tasks_for(store: Store, staff_id: str) -> Tasks:
    tasks = Tasks(store)  # from here on, the store is reached only through its worker
    tasks.set_staff(staff_id)  # each change records who made it
    return tasks


class Startup(QObject):
    """The window's frame is shown before anything of the store is loaded (SQLAlchemy, the
    models, the migrations' check take most of a second); a thread opens the store meanwhile,
    and the window is given it when it is open. A store that cannot be opened is said plainly,
    and the window closes (``code`` 1)."""

    ready = Signal()  # the store is open and the window has it
    _opened = Signal(object)
    _failed = Signal(object)

    def __init__(self, paths: AppPaths, language: LanguageManager, settings: Settings,
                 credentials: Credentials, server: str | None = None) -> None:
        super().__init__()
        self.paths = paths
        self.server = server
        self.hub = HubGate(paths, server) if server is not None else None
        self.settings = settings
        self.credentials = credentials
        self.window = MainWindow(None, paths, self.settings, language)
        self.code = 0
        self.logged_out = False
        self.restore_path = ""  # a backup to restore once the store is closed
        self._idle: IdleLock | None = None
        self._store: Store | None = None
        self._opened.connect(self._attach, Qt.ConnectionType.QueuedConnection)
        self._failed.connect(self._refuse, Qt.ConnectionType.QueuedConnection)
        self._thread = threading.Thread(target=self._open, name="opening", daemon=True)

    def start(self) -> None:
        """The frame now; the store once the frame is on the screen (opening it earlier would
        make the frame wait for the interpreter, which the opening thread holds)."""
        self.window.show()
        QTimer.singleShot(0, self._thread.start)

    def _open(self) -> None:
        """On the opening thread: the store, and what the first area needs."""
        try:
            self._store = _logged_in(self.paths, self.credentials, self.server)
            for module in FIRST_MODULES:
                importlib.import_module(module)
        except BaseException as error:  # said to the person on the GUI thread
            self._failed.emit(error)
            return
        self._opened.emit(self._store)

    def _attach(self, store: Store) -> None:
        try:
            self.window.attach(_tasks_for(store, self.credentials.staff_id))
        except BaseException as error:  # said to the person, then the window closes
            self._refuse(error)
            return
        self._idle = IdleLock(lambda: self.settings.lock_after_minutes, self._lock, parent=self)
        self.window.lock_requested.connect(self._idle.lock_now)
        self.window.log_out_requested.connect(self.log_out)
        self.window.restore_requested.connect(self._restore)
        self.ready.emit()

    def _lock(self) -> None:
        """The lock screen over the covered windows; logging out from it ends the session."""
        user = self.window.user
        name = pick(user.name_zh, user.name_bo) if user is not None else ""
        self.window.note("locked")
        screen = LockDialog(self.paths, self.credentials.staff_id, name, self.window,
                            lambda: self.window.note("failed_log_in"),
                            hub=self.hub.check if self.hub is not None else None)
        if screen.exec() == LockDialog.LOGGED_OUT:
            QTimer.singleShot(0, self.log_out)

    def _restore(self, path: str) -> None:
        """A backup to restore: the window closes (the store with it), the backup is restored,
        and the window opens again on it (see ``run``)."""
        self.restore_path = path
        self.log_out()

    def log_out(self) -> None:
        """Back to the log-in screen: the open forms are closed (what was being registered is
        kept as a draft), then the window."""
        self.logged_out = True
        self.window.note("logged_out")
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        self.window.close()

    def _refuse(self, error: BaseException) -> None:
        if isinstance(error, AppError):
            QMessageBox.critical(self.window, _("Doorstep"), error.translated())
        else:
            show_error(self.window, error, file_error=READ_ERROR)
        self.code = 1
        self.window.close()

    def close(self) -> None:
        """After the window has closed: the store closed (and its log folded in), even when
        the window closed before the store had finished opening."""
        if self._idle is not None:
            self._idle.stop()
        if self._thread.is_alive():
            self._thread.join()
        if self.window.attached:
            self.window.tasks.close()
        elif self._store is not None:
            self._store.close()


class HubGate:
    """The log-in to a prefecture hub (``--db``): who may log in and the check of their
    passphrase, each read from the hub's database, opened for the moment it takes."""

    def __init__(self, paths: AppPaths, server: str) -> None:
        self.paths = paths
        self.server = server

    def _read(self, work: Callable[[Store], T]) -> T:
        from app.core.server import open_server_store

        store = open_server_store(self.server, self.paths)
        try:
            return work(store)
        finally:
            store.close()

    def accounts(self) -> list[Account]:
        from app.accounts import hub_login

        return self._read(hub_login.accounts)

    def check(self, staff_id: str, passphrase: str) -> None:
        from app.accounts import hub_login

        self._read(lambda store: hub_login.check(store, staff_id, passphrase))


def run(paths: AppPaths, credentials: Credentials | None = None,
        server: str | None = None) -> int:
    """The log-in screen, then the window; again after each log-out. ``credentials`` skip the
    first log-in (tests and benchmarks, which unlock the key themselves). With ``server``, the
    prefecture hub's database at that address (``--db``), used by several clerks at once."""
    app = application()
    install_excepthook()
    language = LanguageManager(app)
    settings = load_settings(paths)
    language.install(settings.language_mode)
    while True:
        if credentials is None:
            credentials = log_in(paths, language, settings,
                                 HubGate(paths, server) if server is not None else None)
            if credentials is None:
                return 0
        startup = Startup(paths, language, settings, credentials, server)
        startup.ready.connect(startup.window.greet)
        startup.start()
        code = app.exec()
        startup.close()
        if not startup.logged_out:
            return code or startup.code
        if startup.restore_path:
            from pathlib import Path

            from ui.office.backups_dialog import restore

            restore(paths, Path(startup.restore_path), credentials.key)
            continue  # the window again, for the same person, on the data restored or not
        credentials = None
