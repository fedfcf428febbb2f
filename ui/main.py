"""Starting the GUI."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.errors import AppError
from app.core.i18n import _
from app.core.paths import AppPaths
from app.core.settings import load_settings
from app.core.store import open_store
from ui.core.errors import install_excepthook
from ui.core.fonts import apply_app_font, load_fonts
from ui.core.language import LanguageManager
from ui.core.tasks import Tasks
from ui.main_window import MainWindow
from ui.widgets.screen import install_screen_fit
from ui.widgets.wheel import install_wheel_guard


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


def create_main_window(paths: AppPaths, language: LanguageManager) -> MainWindow:
    """Open the store and build the main window (raises AppError when the store is refused)."""
    settings = load_settings(paths)
    language.install(settings.language_mode)
    store = open_store(paths, create=True)  # the first run makes the store
    tasks = Tasks(store)  # from here on, the store is reached only through its worker
    tasks.set_staff(settings.current_staff_id)  # each change records who made it
    return MainWindow(tasks, paths, settings, language)


def run(paths: AppPaths) -> int:
    app = application()
    install_excepthook()
    language = LanguageManager(app)
    try:
        window = create_main_window(paths, language)
    except AppError as error:
        QMessageBox.critical(None, _("Doorstep"), error.translated())
        return 1
    window.show()
    if not window.device.office_id:
        window.open_device_dialog(first_run=True)
    window.offer_draft()
    code = app.exec()
    window.tasks.close()
    return code
