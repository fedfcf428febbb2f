"""A form dialog's frame: Save (Ctrl+S) and Close, a message line, and the errors of a refused
save beside their fields (the return visits' and the reception days' forms)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.core.errors import AppError
from app.core.i18n import _
from ui.core.tasks import Tasks
from ui.widgets.fields import MessageLine, show_problems
from ui.widgets.form_support import FieldErrors, Retranslated


class SaveForm(Retranslated, QDialog):
    """Save (Ctrl+S) and Close, a message line, inline errors beside the fields. A form puts
    its fields in and calls ``finish``, or lays out ``message`` and ``button_row`` itself."""

    saved = Signal(str)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.errors = FieldErrors()
        self.message = MessageLine()
        self.save_button = QPushButton()
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.close_button = QPushButton()
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        self.button_row = QHBoxLayout()
        self.button_row.addWidget(self.save_button)
        self.button_row.addStretch(1)
        self.button_row.addWidget(self.close_button)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)

    def finish(self, form: QFormLayout, top: QWidget | None = None) -> None:
        """The dialog's layout: ``top`` (a heading), the form, the message, the buttons."""
        layout = QVBoxLayout(self)
        if top is not None:
            layout.addWidget(top)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.message)
        layout.addLayout(self.button_row)

    def save(self) -> None:
        raise NotImplementedError

    def _problem(self, error: AppError) -> None:
        """Show a refused save: each problem beside its field, the rest on the message line."""
        show_problems(self.errors, self.message, error)

    def retranslate_ui(self) -> None:
        self.save_button.setText(_("Save (Ctrl+S)"))
        self.close_button.setText(_("Close"))
