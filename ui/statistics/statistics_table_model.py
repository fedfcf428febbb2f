"""The Statistics area's table: every table of the report in one grid, a bold title row over each.

Four columns: the measure, this period, the same period a year earlier, the change (同比). Every
text is made when the view asks for it, in the display language of that moment; the model holds
only the figures (``FigureTable`` rows, whose labels are msgids).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.core.i18n import N_, _
from app.statistics import report
from app.statistics.measures import Figures
from app.statistics.periods import RANGE, Period
from app.statistics.report import FigureRow, FigureTable

Index = QModelIndex | QPersistentModelIndex

MEASURE, CURRENT, BASE, CHANGE = range(4)
HEADERS = (N_("Measure"), N_("This period"), N_("Same period a year earlier"),
           N_("Change (同比)"))
TITLE_BACKGROUND = QColor("#e4eaf3")
# Two ideographic spaces per level: they keep their width in every font and script.
INDENT = "\u3000\u3000"


def column_period(period: Period) -> str:
    """The period under a column's name: a year, a quarter or a month in words, a range of days
    as its two dates (in words they would make the column wider than the screen)."""
    if period.kind == RANGE:
        return f"{period.start.isoformat()} – {period.end.isoformat()}"
    return report.shown_period(period)


@dataclass(frozen=True)
class Line:
    table: FigureTable
    row: FigureRow | None = None  # None: the table's title row

    @property
    def is_title(self) -> bool:
        return self.row is None


class StatisticsTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.figures: Figures | None = None
        self._lines: list[Line] = []

    def set_figures(self, figures: Figures | None) -> None:
        self.beginResetModel()
        self.figures = figures
        self._lines = []
        if figures is not None:
            for table in report.figure_tables(figures):
                self._lines.append(Line(table))
                self._lines.extend(Line(table, row) for row in table.rows)
        self.endResetModel()
        # The header names the two periods.
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(HEADERS) - 1)

    def line(self, row: int) -> Line:
        return self._lines[row]

    def title_rows(self) -> list[int]:
        return [i for i, line in enumerate(self._lines) if line.is_title]

    def find(self, key: str, wan: bool = False) -> int:
        """The first row of the measure (or rate) ``key``; -1 when it is not shown."""
        for i, line in enumerate(self._lines):
            if line.row is not None and line.row.key == key and line.row.wan == wan:
                return i
        return -1

    def is_drillable(self, index: Index) -> bool:
        """A figure with petitions behind it: this period's or the year earlier's."""
        if not index.isValid() or index.column() not in (CURRENT, BASE):
            return False
        row = self._lines[index.row()].row
        return row is not None and bool(row.drill)

    # -- Qt's model interface -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._lines[index.row()].is_title:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self._lines[index.row()]
        column = index.column()
        if line.row is None:
            if role == Qt.ItemDataRole.DisplayRole and column == MEASURE:
                return _(line.table.title)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(TITLE_BACKGROUND)
            return None
        row = line.row
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == MEASURE:
                return _(row.label)
            if self.is_drillable(index):
                return _("Double-click (or press Enter) to list the petitions behind this "
                         "figure.")
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column != MEASURE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, row: FigureRow, column: int) -> str:
        if column == MEASURE:
            return INDENT * row.indent + _(row.label)
        if column == CURRENT:
            return report.shown_value(row.current, row.wan)
        if column == BASE:
            return report.shown_value(row.base, row.wan)
        if row.wan:  # the change is the yuan row's, just above
            return ""
        return report.shown_change(row.current, row.base)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            text = _(HEADERS[section])
            if self.figures is not None and section in (CURRENT, BASE):
                period = self.figures.period if section == CURRENT else self.figures.previous
                text += "\n" + column_period(period)
            return text
        if role == Qt.ItemDataRole.TextAlignmentRole and section != MEASURE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(HEADERS) - 1)
        if self._lines:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._lines) - 1, len(HEADERS) - 1))
