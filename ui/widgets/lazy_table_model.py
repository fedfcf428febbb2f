"""A table model over an ordered list of ids, fetched a page at a time as the view asks.

The model knows how many rows there are (one ``count``) and reads the ids of a page only when
a row of it is shown, then that page's rows in one query: the first screen of a registry of
100,000 petitions costs a count and a page, not 100,000 ids. Sorting and filtering happen in
SQL (in ``app``); the model holds a bounded cache of pages and rows (Anki's browser table
works the same way, over ids).

What the model lists is a ``Listing``: the reads, as the worker runs them. A new search is
``load``-ed on the worker (count, first page and its rows in one call) while the window goes
on; the model resets when the answer arrives, and a newer load drops an older one's answer.
The pages after the first are read as they are shown, waited for (a few milliseconds each).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QTableView
from shiboken6 import isValid

from app.core.i18n import _
from ui.core.tasks import Tasks, TasksClosedError

Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex


class Column(Generic[Row]):
    def __init__(self, header: str, text: Callable[[Row], str], sort_key: str | None = None,
                 ) -> None:
        self.header, self.text, self.sort_key = header, text, sort_key


@dataclass(frozen=True)
class Listing(Generic[Row]):
    """What a model lists, as reads of the store (each given the store, run on the worker):
    how many, the ids of a page in the list's order, the rows of some ids. With ``whole``, the
    ids are read all at once and paged in memory: a full-text search finds its matches whole
    anyway, and reading a page of them found them again (200 ms a page on 100,000 matches)."""

    count: Callable[[Any], int]
    page: Callable[[Any, int, int], list[str]]
    rows: Callable[[Any, Sequence[str]], dict[str, Row]]
    whole: Callable[[Any], list[str]] | None = None


@dataclass(frozen=True)
class _Loaded(Generic[Row]):
    count: int
    first: list[str]
    rows: dict[str, Row]
    whole: list[str] | None


@dataclass
class _Load:
    on_loaded: Callable[[], None]
    on_failed: Callable[[BaseException], None]


class LazyTableModel(QAbstractTableModel, Generic[Row]):
    PAGE = 100
    MAX_PAGES = 50  # ids of 5,000 rows at most; rows as many
    MAX_CACHED = 5000

    def __init__(self, tasks: Tasks, columns: Sequence[Column[Row]], parent: Any = None,
                 ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.columns = list(columns)
        self._listing: Listing[Row] | None = None  # what is shown
        self._count = 0
        self._pages: dict[int, list[str]] = {}
        self._whole: list[str] | None = None  # every id, when the listing reads them whole
        self._rows: dict[str, Row] = {}
        self._generation = 0  # of the last load asked for: an older answer is dropped
        self._load: _Load | None = None  # a load under way

    def listing(self) -> Listing[Row]:
        """The list as the model's parameters (filters, sort) now ask for it."""
        raise NotImplementedError

    # -- reads of what is shown, waited for ------------------------------------------------------
    def _shown(self) -> Listing[Row]:
        if self._listing is None:
            self._listing = self.listing()
        return self._listing

    def fetch_count(self) -> int:
        return self._tasks.query(self._shown().count)

    def fetch_ids(self, offset: int, limit: int) -> list[str]:
        """The ids of rows ``offset`` to ``offset + limit``, in the list's order."""
        if self._whole is not None:
            return self._whole[offset:offset + limit]
        return self._tasks.query(self._shown().page, offset, limit)

    def fetch_rows(self, ids: Sequence[str]) -> dict[str, Row]:
        return self._tasks.query(self._shown().rows, ids)

    # -- a new list, read on the worker ----------------------------------------------------------
    @property
    def loading(self) -> bool:
        """Whether a load is under way (the list shown is the one before it)."""
        return self._load is not None

    def load(self, on_loaded: Callable[[], None] = lambda: None,
             on_failed: Callable[[BaseException], None] | None = None) -> None:
        """Read the list as its parameters now ask for it on the worker: the count, the first
        page and its rows, in one call; the model resets with them when they arrive and
        ``on_loaded`` is called. A newer load (or a change saved meanwhile) supersedes this
        one: its answer is dropped. On a failure the list shown stays and ``on_failed(error)``
        is called."""
        self._load = _Load(on_loaded, on_failed or _reraise)
        self._generation += 1
        generation, listing, page = self._generation, self.listing(), self.PAGE

        def read(store: Any, _progress: Any) -> _Loaded[Row]:
            if listing.whole is not None:
                whole: list[str] | None = listing.whole(store)
                count, first = len(whole or ()), (whole or [])[:page]
            else:
                whole, count = None, listing.count(store)
                first = listing.page(store, 0, page) if count else []
            return _Loaded(count, first, listing.rows(store, first) if first else {}, whole)

        try:
            self._tasks.run(read, on_done=lambda found: self._loaded(generation, listing, found),
                            on_failed=lambda error: self._failed(generation, error))
        except TasksClosedError:  # asked while the window closes: nothing to show
            self._load = None

    def _loaded(self, generation: int, listing: Listing[Row], found: _Loaded[Row]) -> None:
        if generation != self._generation or self._load is None or not isValid(self):
            return  # a newer load was asked for
        done, self._load = self._load, None
        self.beginResetModel()
        self._listing, self._count, self._whole = listing, found.count, found.whole
        self._pages = {0: found.first} if found.first else {}
        self._rows = dict(found.rows)
        self.endResetModel()
        done.on_loaded()

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation or self._load is None or not isValid(self):
            return
        done, self._load = self._load, None
        done.on_failed(error)

    # -- the list read again after a change, waited for ------------------------------------------
    def near(self, top: int) -> range:
        """The pages kept and read again on a refresh, for a view showing row ``top`` first:
        its page and those on either side, where the rows on screen and those selected most
        likely are."""
        return range(max(top - self.PAGE, 0) // self.PAGE, (top + self.PAGE) // self.PAGE + 1)

    def refresh(self, top: int = 0, on_reset: Callable[[], None] = lambda: None) -> None:
        """Count again, and read again the pages near row ``top`` (the first row the view
        shows); the others are dropped, to be read when shown: a refresh costs a count and a
        few pages, however far the list was scrolled. When neither the count nor the ids near
        the place changed, nothing is reset: the rows are re-read in place (the view keeps its
        selection and scroll); when the model is reset, ``on_reset`` is called after. A list
        read whole (a search's matches: a quarter of a second on 100,000 petitions) is read
        again on the worker, the list shown staying until it arrives. While a load is under
        way, it is asked again instead (what it read may be older than the change)."""
        if self._load is not None:
            self.load(self._load.on_loaded, self._load.on_failed)
            return
        listing = self.listing()
        if listing.whole is not None:
            self._generation += 1
            generation, whole_of = self._generation, listing.whole
            try:
                self._tasks.run(
                    lambda store, _progress: whole_of(store),
                    on_done=lambda whole: self._reread(generation, listing, whole, on_reset))
            except TasksClosedError:  # a change broadcast while the window closes
                pass
            return
        try:
            count = self._tasks.query(listing.count)
            pages = {page: self._tasks.query(listing.page, page * self.PAGE, self.PAGE)
                     for page in self.near(top) if page * self.PAGE < count}
        except TasksClosedError:  # a timer that fired while the window closes: nothing to show
            return
        self._renew(listing, count, pages, None, on_reset)

    def _reread(self, generation: int, listing: Listing[Row], whole: list[str],
                on_reset: Callable[[], None]) -> None:
        if generation != self._generation or self._load is not None or not isValid(self):
            return  # a newer load or refresh was asked for
        self._renew(listing, len(whole), {}, whole, on_reset)

    def _renew(self, listing: Listing[Row], count: int, pages: dict[int, list[str]],
               whole: list[str] | None, on_reset: Callable[[], None]) -> None:
        same = (count == self._count and whole == self._whole
                and all(self._pages.get(page, ids) == ids for page, ids in pages.items()))
        self._listing, self._whole, self._pages = listing, whole, pages
        self._rows.clear()
        if same:
            if count:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(count - 1, len(self.columns) - 1))
            return
        self.beginResetModel()
        self._count = count
        self.endResetModel()
        on_reset()

    def _page(self, page: int) -> list[str]:
        if self._whole is not None:
            return self._whole[page * self.PAGE:(page + 1) * self.PAGE]
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
        if self._whole is not None:
            return self._whole.index(row_id) if row_id in self._whole else None
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

    def restore() -> None:
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

    # The pages around the place shown are read again, where the selected rows most likely are.
    model.refresh(top, on_reset=restore)


def _reraise(error: BaseException) -> None:
    raise error
