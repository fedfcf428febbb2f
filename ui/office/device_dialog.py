"""Setting up this laptop: its name and the office it belongs to."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.core import identity
from app.core.errors import ValidationError
from app.core.i18n import _, pick, title_text
from app.core.identity import DeviceInfo
from ui.core.tasks import Tasks
from ui.widgets.form_support import Retranslated


class DeviceDialog(Retranslated, QDialog):
    def __init__(self, tasks: Tasks, device: DeviceInfo, first_run: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._first_run = first_run
        self.result_device: DeviceInfo | None = None
        self._choices = identity.office_choices()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.name = QLineEdit(device.name)
        self.name.setMaxLength(identity.MAX_DEVICE_NAME + 1)
        self.name_error = QLabel()
        self.office = QComboBox()
        self.office_error = QLabel()
        for label in (self.name_error, self.office_error):
            label.setStyleSheet("color: #b00020")
            label.setWordWrap(True)
            label.hide()
        self.form = QFormLayout()
        self.form.addRow("", self.name)
        self.form.addRow("", self.name_error)
        self.form.addRow("", self.office)
        self.form.addRow("", self.office_error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self._current_code = next((c.division_code for c in self._choices
                                   if device.office_name_zh == c.name_zh), "")
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("This laptop"))
        self.intro.setText(
            _("Welcome to Doorstep. Give this laptop a name that colleagues will recognise, and "
              "choose the office it belongs to.") if self._first_run
            else _("The name of this laptop and the office it belongs to."))
        name_label = self.form.labelForField(self.name)
        if isinstance(name_label, QLabel):
            name_label.setText(_("Laptop name"))
        office_label = self.form.labelForField(self.office)
        if isinstance(office_label, QLabel):
            office_label.setText(_("Office"))
        selected = self.office.currentData() or self._current_code
        self.office.clear()
        self.office.addItem(_("Choose an office…"), "")
        for choice in self._choices:
            self.office.addItem(pick(choice.name_zh, choice.name_bo), choice.division_code)
        index = self.office.findData(selected)
        self.office.setCurrentIndex(max(index, 0))

    def save(self) -> None:
        for label in (self.name_error, self.office_error):
            label.hide()
        try:
            self.result_device = self._tasks.call(identity.set_up_device, self.name.text(),
                                                  self.office.currentData() or "")
        except ValidationError as error:
            target = self.office_error if error.field == "office" else self.name_error
            target.setText(error.translated())
            target.show()
            return
        self.accept()
