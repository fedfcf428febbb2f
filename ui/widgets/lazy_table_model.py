"""A table model over an ordered list of ids, fetched a page at a time as the view asks.

The model knows how many rows there are (one ``count``) and reads the ids of a page only when
a row of it is shown, then that page's rows in one query: the first screen of a registry of
100,000 petitions costs a count and a page, not 100,000 ids. Sorting and filtering happen in
SQL (in ``app``); the model holds a bounded cache of pages and rows (Anki's browser table
works the same way, over ids).
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
    PAGE = 100
    MAX_PAGES = 50  # ids of 5,000 rows at most; rows as many
    MAX_CACHED = 5000

    def __init__(self, columns: Sequence[Column[Row]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._count = 0
        self._pages: dict[int, list[str]] = {}
        self._rows: dict[str, Row] = {}

    # Subclasses provide these three, each backed by an app use case.
    def fetch_count(self) -> int:
        raise NotImplementedError

    def fetch_ids(self, offset: int, limit: int) -> list[str]:
        """The ids of rows ``offset`` to ``offset + limit``, in the list's order."""
        raise NotImplementedError

    def fetch_rows(self, ids: Sequence[str]) -> dict[str, Row]:
        raise NotImplementedError

    def refresh(self) -> bool:
        """Count again, and read again the pages and rows held. When neither the count nor the
        ids held changed, nothing is reset: the rows are re-read in place (the view keeps its
        selection and scroll). Returns whether the model was reset."""
        try:
            count = self.fetch_count()
            pages = {page: self.fetch_ids(page * self.PAGE, self.PAGE) for page in self._pages}
        except TasksClosedError:  # a timer that fired while the window closes: nothing to show
            return False
        self._rows.clear()
        if count == self._count and pages == self._pages:
            if count:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(count - 1, len(self.columns) - 1))
            return False
        self.beginResetModel()
        self._count = count
        self._pages = {}
        self.endResetModel()
        return True

    def _page(self, page: int) -> list[str]:
        found = self._pages.get(page)
        if found is None:
            if len(self._pages) >= self.MAX_PAGES:
                self._pages.clear()
            found = self._pages[page] = self.fetch_ids(page * self.PAGE, self.PAGE)
        return found

    def ids(self) -> list[str]:
        """Every id, in order. Reads them all: for small lists and tests, not for a screen."""
        return self.fetch_ids(0, self._count) if self._count else []

    def row_of(self, row_id: str) -> int | None:
        """The row of ``row_id`` among the pages held, if it is there."""
        for page, ids in self._pages.items():
            if row_id in ids:
                return page * self.PAGE + ids.index(row_id)
        return None

    def cached_rows(self) -> int:
        return len(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def row(self, row: int) -> Row | None:
        try:
            ids = self._page(row // self.PAGE)
        except TasksClosedError:  # painted while the window closes: nothing more to show
            return None
        if row % self.PAGE >= len(ids):  # the list shrank since it was counted
            return None
        row_id = ids[row % self.PAGE]
        if row_id not in self._rows:
            if len(self._rows) > self.MAX_CACHED:
                self._rows.clear()
            try:
                self._rows.update(self.fetch_rows(ids))
            except TasksClosedError:
                return None
        return self._rows.get(row_id)

    def id_at(self, row: int) -> str:
        ids = self._page(row // self.PAGE)
        return ids[row % self.PAGE] if row % self.PAGE < len(ids) else ""

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
        if self._count:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self._count - 1, len(self.columns) - 1))


def fit_columns(table: QTableView, rows: int = 40) -> None:
    """Columns as wide as their headings and the rows on screen need (at most ``rows`` of
    them, from the first shown). Qt's ``resizeColumnsToContents`` reads every row of a table
    not yet shown: a registry of 100,000 petitions took minutes to open."""
    model = table.model()
    if model is None:
        return
    header = table.horizontalHeader()
    first = max(table.rowAt(0), 0)
    last = min(model.rowCount(), first + rows)
    for column in range(model.columnCount()):
        if table.isColumnHidden(column):
            continue
        width = header.sectionSizeHint(column)
        for row in range(first, last):
            width = max(width, table.sizeHintForIndex(model.index(row, column)).width())
        header.resizeSection(column, width + 2 * table.frameWidth())


def refresh_keeping_place(table: QTableView, model: LazyTableModel[Any]) -> None:
    """``model.refresh()`` after the data changed, the view keeping the rows that were selected
    (found again by id among the rows around the place it shows) and its scroll position."""
    selection = table.selectionModel()
    selected = [model.id_at(i.row()) for i in selection.selectedRows()] if selection else []
    current = table.currentIndex()
    current_id = model.id_at(current.row()) if current.isValid() else None
    scroll = table.verticalScrollBar().value()
    top = max(table.rowAt(0), 0)
    if not model.refresh():
        return
    # The pages around the place shown are read again, where the selected rows most likely are.
    for row in range(max(top - model.PAGE, 0), min(top + 2 * model.PAGE, model.rowCount()),
                     model.PAGE):
        model.id_at(row)
    selection = table.selectionModel()
    if selection is not None:
        flags = (QItemSelectionModel.SelectionFlag.Select
                 | QItemSelectionModel.SelectionFlag.Rows)
        for row_id in selected:
            found = model.row_of(row_id)
            if found is not None:
                selection.select(model.index(found, 0), flags)
        found = model.row_of(current_id) if current_id else None
        if found is not None:
            selection.setCurrentIndex(model.index(found, current.column()),
                                      QItemSelectionModel.SelectionFlag.NoUpdate)
    table.verticalScrollBar().setValue(scroll)
