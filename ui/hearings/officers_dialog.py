"""The office's roster of hearing officers (听证员): deputies, CPPCC members, people's
supervisors, lawyers and respected community figures invited to hearings."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AppError, InvalidInputError
from app.core.i18n import N_, _, title_text
from app.core.labels import OfficerRole, label
from app.hearings import record as hearings
from app.hearings.record import OfficerInput, OfficerRow
from ui.core.tasks import Tasks
from ui.widgets.combo import CodeCombo
from ui.widgets.fields import MessageLine, plain_table
from ui.widgets.form_support import (
    FieldErrors,
    Retranslated,
    section,
    translated_label,
)

HEADERS = (N_("Name (Tibetan)"), N_("Name (Chinese)"), N_("Role"), N_("Phone"),
           N_("Township"), N_("Active"))


class OfficersDialog(Retranslated, QDialog):
    def __init__(self, tasks: Tasks, office_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._office_id = tasks, office_id
        self._rows: list[OfficerRow] = []
        self._editing: str | None = None
        self.table = plain_table(len(HEADERS), stretch=None)
        self.table.itemSelectionChanged.connect(self._selected)
        self.name_bo, self.name_zh = QLineEdit(), QLineEdit()
        self.role = CodeCombo(OfficerRole, blank=N_("Choose…"))
        self.phone, self.township = QLineEdit(), QLineEdit()
        self.active = QCheckBox()
        self.active.setChecked(True)
        self.errors = FieldErrors()
        form = QFormLayout()
        self.errors.add_row(form, "name_bo", translated_label(N_("Name (Tibetan)")),
                            self.name_bo)
        self.errors.add_row(form, "name_zh", translated_label(N_("Name (Chinese)")),
                            self.name_zh)
        self.errors.add_row(form, "role", translated_label(N_("Role")), self.role)
        self.errors.add_row(form, "phone", translated_label(N_("Phone")), self.phone)
        self.errors.add_row(form, "township", translated_label(N_("Township")), self.township)
        form.addRow(translated_label(N_("Invited to hearings")), self.active)
        self.new_button, self.save_button = QPushButton(), QPushButton()
        self.close_button = QPushButton()
        self.new_button.clicked.connect(self.start_new)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.accept)
        self.message = MessageLine()
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        self.form_heading = section(N_("New hearing officer"))
        layout.addWidget(self.form_heading)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(820, 620)
        self._rows = self._tasks.call(hearings.officers, self._office_id)
        self.retranslate_ui()
        self.name_bo.setFocus()

    def reload(self) -> None:
        self._rows = self._tasks.call(hearings.officers, self._office_id)
        self._fill()

    def _fill(self) -> None:
        """The rows read last, in the current language (no store call)."""
        self.table.blockSignals(True)
        self.table.setRowCount(len(self._rows))
        for r, row in enumerate(self._rows):
            values = (row.name_bo, row.name_zh, label(OfficerRole, row.role), row.phone,
                      row.township, _("Yes") if row.active else _("No"))
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                self.table.setItem(r, c, item)
        self.table.blockSignals(False)

    def _selected(self) -> None:
        index = self.table.currentRow()
        if not 0 <= index < len(self._rows):
            return
        row = self._rows[index]
        self._editing = row.id
        self.name_bo.setText(row.name_bo)
        self.name_zh.setText(row.name_zh)
        self.role.set_code(row.role)
        self.phone.setText(row.phone)
        self.township.setText(row.township)
        self.active.setChecked(row.active)
        self.errors.clear()
        self.form_heading.setProperty("msgid", N_("Change the hearing officer"))
        self.form_heading.setText(_("Change the hearing officer"))

    def start_new(self) -> None:
        self._editing = None
        self.table.clearSelection()
        for edit in (self.name_bo, self.name_zh, self.phone, self.township):
            edit.clear()
        self.role.set_code("")
        self.active.setChecked(True)
        self.errors.clear()
        self.form_heading.setProperty("msgid", N_("New hearing officer"))
        self.form_heading.setText(_("New hearing officer"))
        self.name_bo.setFocus()

    def save(self) -> None:
        data = OfficerInput(self._office_id, self.name_zh.text(), self.name_bo.text(),
                            self.role.code(), self.phone.text(), self.township.text(),
                            self.active.isChecked(), self._editing)
        self.errors.clear()
        try:
            saved = self._tasks.call(hearings.save_officer, data)
        except InvalidInputError as error:
            self.errors.show(error.problems)
            return
        except AppError as error:
            self.message.setText(error.translated())
            return
        self.message.setText(_("Saved."))
        self.reload()
        if self._editing is None:
            self.start_new()
        else:
            ids = [row.id for row in self._rows]
            if saved in ids:
                self.table.selectRow(ids.index(saved))

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Hearing officers"))
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.new_button.setText(_("New"))
        self.save_button.setText(_("Save"))
        self.close_button.setText(_("Close"))
        self.role.retranslate()
        self._fill()

