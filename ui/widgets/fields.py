"""Widgets the forms share: an amount in yuan with its capital numerals, a message line that
takes no room while empty, a checklist, plain tables, problems shown beside their fields."""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.core.errors import AppError, InvalidInputError, ValidationError
from app.core.formatting import format_money
from app.core.i18n import _, pick
from app.core.money import capital, parse_amount
from ui.widgets.form_support import (
    ERROR_STYLE,
    FieldErrors,
)

OK_STYLE = "color: #1b5e20"
GREYED = QColor("#888888")


def display_name(zh: str, bo: str) -> str:
    return pick(zh, bo) or "—"


def amount_hint(text: str) -> str:
    """What typed text reads as: ¥12,000.00 壹万贰仟元整; empty while it is not an amount."""
    try:
        fen = parse_amount(text)
    except ValidationError:
        return ""
    return f"{format_money(fen)}　{capital(fen)}"


class AmountField(QWidget):
    """Yuan typed on the keyboard, with what it reads as beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setMinimumWidth(170)
        self.edit.setMaximumWidth(220)
        self.hint = QLabel()
        self.hint.setStyleSheet(OK_STYLE)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addWidget(self.hint, 1)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self.retranslate_ui)

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:  # noqa: N802 (as QLineEdit)
        self.edit.setText(text)

    def retranslate_ui(self) -> None:
        self.edit.setPlaceholderText(_("In yuan, e.g. 12000"))
        self.hint.setText(amount_hint(self.edit.text()))


class MessageLine(QLabel):
    """A line under a form that takes no room while it has nothing to say."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.hide()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.setText("")


class Checklist(QListWidget):
    """People to tick: Space ticks the current one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def fill(self, choices: list[tuple[str, str]], ticked: list[str]) -> None:
        self.clear()
        for key, text in choices:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in ticked
                               else Qt.CheckState.Unchecked)
            self.addItem(item)
        if self.count():
            self.setCurrentRow(0)
            # As tall as its people, up to three; more scroll.
            rows = min(self.count(), 3)
            self.setFixedHeight(self.sizeHintForRow(0) * rows + 2 * self.frameWidth() + 4)

    def ticked(self) -> list[str]:
        return [str(self.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]


def tab_chain(*widgets: QWidget) -> None:
    for first, second in itertools.pairwise(widgets):
        QWidget.setTabOrder(first, second)


def plain_table(columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def set_headers(table: QTableWidget, columns: tuple[str, ...]) -> None:
    table.setHorizontalHeaderLabels([_(c) for c in columns])


def cell(text: str, greyed: bool = False, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if greyed:
        item.setForeground(QBrush(GREYED))
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def show_problems(errors: FieldErrors, message: QLabel, error: AppError) -> None:
    """Field problems beside their fields; the rest, or a plain refusal, in ``message``."""
    message.setStyleSheet(ERROR_STYLE)
    if isinstance(error, InvalidInputError):
        unplaced = errors.show(error.problems)
        message.setText("\n".join(p.translated() for p in unplaced) or error.translated())
    elif isinstance(error, ValidationError) and error.field:
        unplaced = errors.show([error])
        message.setText("\n".join(p.translated() for p in unplaced))
    else:
        message.setText(error.translated())
