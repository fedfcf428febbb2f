"""A table model over an ordered list of ids, fetching rows in pages as the view asks for them.

Sorting and filtering happen in SQL (in ``app``); the model only holds the ids and a bounded
cache of rows (Anki's browser table works the same way).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QTableView

from app.core.i18n import _
from ui.core.tasks import TasksClosedError

Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex


class Column(Generic[Row]):
    def __init__(self, header: str, text: Callable[[Row], str], sort_key: str | None = None,
                 ) -> None:
        self.header, self.text, self.sort_key = header, text, sort_key


class LazyTableModel(QAbstractTableModel, Generic[Row]):
    PAGE = 200
    MAX_CACHED = 5000

    def __init__(self, columns: Sequence[Column[Row]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._ids: list[str] = []
        self._rows: dict[str, Row] = {}

    # Subclasses provide these two, both backed by app use cases.
    def fetch_ids(self) -> list[str]:
        raise NotImplementedError

    def fetch_rows(self, ids: Sequence[str]) -> dict[str, Row]:
        raise NotImplementedError

    def refresh(self) -> bool:
        """Read the ids again, and the rows as they are shown. When the ids did not change,
        nothing is reset: the rows shown are re-read in place (the view keeps its selection and
        scroll). Returns whether the model was reset."""
        try:
            ids = self.fetch_ids()
        except TasksClosedError:  # a timer that fired while the window closes: nothing to show
            return False
        self._rows.clear()
        if ids == self._ids:
            if ids:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(ids) - 1, len(self.columns) - 1))
            return False
        self.beginResetModel()
        self._ids = ids
        self.endResetModel()
        return True

    def ids(self) -> list[str]:
        return list(self._ids)

    def cached_rows(self) -> int:
        return len(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def row(self, row: int) -> Row | None:
        row_id = self._ids[row]
        if row_id not in self._rows:
            if len(self._rows) > self.MAX_CACHED:
                self._rows.clear()
            start = row - row % self.PAGE
            try:
                self._rows.update(self.fetch_rows(self._ids[start:start + self.PAGE]))
            except TasksClosedError:  # painted while the window closes: nothing more to show
                return None
        return self._rows.get(row_id)

    def id_at(self, row: int) -> str:
        return self._ids[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            item = self.row(index.row())
            return self.columns[index.column()].text(item) if item is not None else None
        return self.extra_data(index, role)

    def extra_data(self, index: Index, role: int) -> Any:
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return _(self.columns[section].header)
        return section + 1

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)
        if self._ids:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._ids) - 1, len(self.columns) - 1))


def refresh_keeping_place(table: QTableView, model: LazyTableModel[Any]) -> None:
    """``model.refresh()`` after the data changed, the view keeping the rows that were selected
    (found again by id) and its scroll position."""
    selection = table.selectionModel()
    selected = [model.id_at(i.row()) for i in selection.selectedRows()] if selection else []
    current = table.currentIndex()
    current_id = model.id_at(current.row()) if current.isValid() else None
    scroll = table.verticalScrollBar().value()
    if not model.refresh():
        return
    ids = {row_id: row for row, row_id in enumerate(model.ids())}
    selection = table.selectionModel()
    if selection is not None:
        flags = (QItemSelectionModel.SelectionFlag.Select
                 | QItemSelectionModel.SelectionFlag.Rows)
        for row_id in selected:
            if row_id in ids:
                selection.select(model.index(ids[row_id], 0), flags)
        if current_id in ids:
            selection.setCurrentIndex(model.index(ids[current_id], current.column()),
                                      QItemSelectionModel.SelectionFlag.NoUpdate)
    table.verticalScrollBar().setValue(scroll)
