"""The People area: every person in the store, in both scripts."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.formatting import format_number
from app.core.i18n import N_, labelled, ngettext
from app.persons import review as person_review
from ui.core.tasks import Changes, Tasks, TasksClosedError
from ui.persons.persons_table_model import PersonsTableModel
from ui.widgets.form_support import Retranslated
from ui.widgets.lazy_table_model import fit_columns, refresh_keeping_place


class PeopleView(Retranslated, QWidget):
    # The button offering the review of possible duplicate persons was pressed.
    duplicates_requested = Signal()

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._duplicates = 0
        self.model = PersonsTableModel(tasks, self)
        self.title = QLabel()
        self.title.setWordWrap(True)
        # Shown only when there are pairs to review (counted when the People area is shown).
        self.duplicates_button = QPushButton()
        self.duplicates_button.setAutoDefault(False)
        self.duplicates_button.hide()
        self.duplicates_button.clicked.connect(self.duplicates_requested)
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
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.duplicates_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.table)
        self.model.modelReset.connect(self.retranslate_ui)
        self.model.refresh()
        self.retranslate_ui()
        tasks.changed.connect(self._on_changes)

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches("person"):
            refresh_keeping_place(self.table, self.model)
            self.title.setText(labelled(N_("People"), format_number(self.model.rowCount())))
        if changes.touches("person", "person_pair_review") and self.isVisible():
            self.refresh_duplicates()  # otherwise counted when the People area is shown

    def refresh_duplicates(self) -> None:
        """Count the pairs of possible duplicate persons again, on the worker: on a
        prefecture's 150,000 persons that takes a second, and the window goes on meanwhile;
        the button follows when the count arrives."""
        try:
            self._tasks.run(
                lambda store, _progress: person_review.count_possible_duplicates(store),
                on_done=self._duplicates_counted, initiator=self, owner=self)
        except TasksClosedError:  # shown while the window closes: nothing to count
            return

    def _duplicates_counted(self, count: int) -> None:
        self._duplicates = count
        self.duplicates_button.setVisible(count > 0)
        self._retitle_duplicates()

    def _retitle_duplicates(self) -> None:
        self.duplicates_button.setText(ngettext(
            "{n} pair of possible duplicate persons…", "{n} pairs of possible duplicate persons…",
            self._duplicates).format(n=format_number(self._duplicates)))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        self.refresh_duplicates()
        super().showEvent(event)

    def retranslate_ui(self) -> None:
        self.title.setText(labelled(N_("People"), format_number(self.model.rowCount())))
        self._retitle_duplicates()
        self.model.retranslate()
        # Headers change width with the script: fit the columns to what is on screen now.
        fit_columns(self.table)
