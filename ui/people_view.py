"""The People area: every person in the store, in both scripts."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.formatting import format_number
from app.i18n import N_, labelled
from app.store import Store
from ui.persons_table_model import PersonsTableModel


class PeopleView(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = PersonsTableModel(store, self)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        # Fit columns to the rows in view only: the model fetches rows lazily.
        self.table.horizontalHeader().setResizeContentsPrecision(0)
        self.table.verticalHeader().setDefaultSectionSize(30)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        self.model.modelReset.connect(self.retranslate_ui)
        self.model.refresh()

    def retranslate_ui(self) -> None:
        self.title.setText(labelled(N_("People"), format_number(self.model.rowCount())))
        self.model.retranslate()
        # Headers change width with the script: fit the columns to what is on screen now.
        self.table.resizeColumnsToContents()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
