"""The persons list: a lazy table model over ids with a row cache, sorted in SQL."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.core.i18n import N_, _
from app.core.labels import Ethnicity, Language, Sex, label
from app.persons import directory
from app.persons.directory import PersonRow
from ui.core.tasks import Tasks
from ui.widgets.lazy_table_model import Column, LazyTableModel, Listing


def _address(p: PersonRow) -> str:
    return " ".join(part for part in (p.county, p.township) if part)


COLUMNS: list[Column[PersonRow]] = [
    Column(N_("Name (Tibetan)"), lambda p: p.name_bo, "name_bo"),
    Column(N_("Name (Chinese)"), lambda p: p.name_zh, "name_zh"),
    Column(N_("Sex"), lambda p: label(Sex, p.sex)),
    Column(N_("Ethnicity"), lambda p: label(Ethnicity, p.ethnicity)),
    Column(N_("Resident ID number"), lambda p: p.id_number, "id_number"),
    Column(N_("Phone"), lambda p: p.phone, "phone"),
    Column(N_("Address"), _address, "county"),
    Column(N_("Preferred language"), lambda p: label(Language, p.preferred_language)),
    Column(N_("Interpreter needed"), lambda p: _("Yes") if p.needs_interpreter else ""),
]


class PersonsTableModel(LazyTableModel[PersonRow]):
    def __init__(self, tasks: Tasks, parent: Any = None) -> None:
        super().__init__(tasks, COLUMNS, parent)
        self._sort_key = "created"
        self._descending = False

    def listing(self) -> Listing[PersonRow]:
        key, descending = self._sort_key, self._descending
        return Listing(
            count=directory.person_count,
            page=lambda store, offset, limit: directory.person_page(
                store, key, descending, offset, limit),
            rows=directory.persons_by_ids)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.columns[column].sort_key
        if key is None:
            return
        self._sort_key = key
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()
