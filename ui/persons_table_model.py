"""The persons list: a lazy table model over ids with a row cache, sorted in SQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app import directory
from app.directory import PersonRow
from app.i18n import N_, _
from app.labels import ETHNICITIES, LANGUAGES, SEXES, label
from app.store import Store

Index = QModelIndex | QPersistentModelIndex


def _address(p: PersonRow) -> str:
    return " ".join(part for part in (p.county, p.township) if part)


# (sort key in app.directory or None, header msgid, cell text)
COLUMNS: list[tuple[str | None, str, Callable[[PersonRow], str]]] = [
    ("name_bo", N_("Name (Tibetan)"), lambda p: p.name_bo),
    ("name_zh", N_("Name (Chinese)"), lambda p: p.name_zh),
    (None, N_("Sex"), lambda p: label(SEXES, p.sex)),
    (None, N_("Ethnicity"), lambda p: label(ETHNICITIES, p.ethnicity)),
    ("id_number", N_("Resident ID number"), lambda p: p.id_number),
    ("phone", N_("Phone"), lambda p: p.phone),
    ("county", N_("Address"), _address),
    (None, N_("Preferred language"), lambda p: label(LANGUAGES, p.preferred_language)),
    (None, N_("Interpreter needed"), lambda p: _("Yes") if p.needs_interpreter else ""),
]


class PersonsTableModel(QAbstractTableModel):
    PAGE = 200
    MAX_CACHED = 5000

    def __init__(self, store: Store, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = store
        self._ids: list[str] = []
        self._rows: dict[str, PersonRow] = {}
        self._sort_key = "created"
        self._descending = False

    def refresh(self) -> None:
        self.beginResetModel()
        self._ids = directory.person_ids(self._store, self._sort_key, self._descending)
        self._rows.clear()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def row(self, row: int) -> PersonRow | None:
        person_id = self._ids[row]
        if person_id not in self._rows:
            if len(self._rows) > self.MAX_CACHED:
                self._rows.clear()
            start = row - row % self.PAGE
            self._rows.update(directory.persons_by_ids(self._store,
                                                       self._ids[start:start + self.PAGE]))
        return self._rows.get(person_id)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        person = self.row(index.row())
        return COLUMNS[index.column()][2](person) if person else None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return _(COLUMNS[section][1])
        return section + 1

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][0]
        if key is None:
            return
        self._sort_key = key
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refresh()

    def is_sortable(self, column: int) -> bool:
        return COLUMNS[column][0] is not None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._ids:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._ids) - 1, len(COLUMNS) - 1))
