"""The Offices area: the procuratorates of the prefecture and their staff."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.formatting import format_number
from app.core.i18n import N_, _, labelled, pick
from app.core.labels import OfficeLevel, StaffRole, label
from app.persons import directory
from ui.core.tasks import Changes, Tasks
from ui.widgets.fields import plain_table
from ui.widgets.form_support import Retranslated

STAFF_HEADERS = (N_("Name"), N_("Role"), N_("Phone"), N_("Status"))


class OfficeView(Retranslated, QWidget):
    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._offices: list[directory.OfficeRow] = []
        self.offices_label = QLabel()
        self.offices = QListWidget()
        self.offices.setWordWrap(True)
        self.offices.setMinimumWidth(280)
        self.staff_label = QLabel()
        self.staff_label.setWordWrap(True)
        self.staff = plain_table(len(STAFF_HEADERS))
        left = QVBoxLayout()
        left.addWidget(self.offices_label)
        left.addWidget(self.offices)
        right = QVBoxLayout()
        right.addWidget(self.staff_label)
        right.addWidget(self.staff)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addLayout(right, 3)
        self._members: list[directory.StaffRow] = []
        self._members_of = ""
        self.offices.currentRowChanged.connect(self._office_chosen)
        tasks.changed.connect(self._on_changes)
        self.reload()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches("office", "staff"):
            self.reload()

    def reload(self) -> None:
        self._offices = self._tasks.query(directory.offices)
        self._members_of = ""  # read again for the office shown
        self.retranslate_ui()
        if self._offices and self.offices.currentRow() < 0:
            self.offices.setCurrentRow(0)

    def _office_chosen(self, row: int) -> None:
        self._show_staff(row)

    def _show_staff(self, row: int) -> None:
        self.staff.setRowCount(0)
        if not 0 <= row < len(self._offices):
            self.staff_label.setText("")
            return
        office = self._offices[row]
        self.staff_label.setText(labelled(N_("Staff"), office.name_zh, office.name_bo))
        if self._members_of != office.id:
            self._members = self._tasks.query(directory.staff_of, office.id)
            self._members_of = office.id
        members = self._members
        self.staff.setRowCount(len(members))
        for i, member in enumerate(members):
            cells = (pick(member.name_zh, member.name_bo, separator="\n"),
                     label(StaffRole, member.role),
                     member.phone, _("Active") if member.active else _("Inactive"))
            for j, text in enumerate(cells):
                self.staff.setItem(i, j, QTableWidgetItem(text))
        self.staff.resizeRowsToContents()

    def retranslate_ui(self) -> None:
        self.offices_label.setText(_("Offices"))
        self.staff.setHorizontalHeaderLabels([_(h) for h in STAFF_HEADERS])
        current = self.offices.currentRow()
        self.offices.blockSignals(True)
        self.offices.clear()
        for office in self._offices:
            item = QListWidgetItem(pick(office.name_zh, office.name_bo, separator="\n"))
            item.setToolTip(label(OfficeLevel, office.level) + "\n"
                            + labelled(N_("Staff"), format_number(office.staff_count)))
            item.setData(Qt.ItemDataRole.UserRole, office.id)
            self.offices.addItem(item)
        self.offices.setCurrentRow(current)
        self.offices.blockSignals(False)
        self._show_staff(current)
