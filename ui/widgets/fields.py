"""Widgets the forms share: an amount in yuan with its capital numerals, a date field, a message
line that takes no room while empty, a checklist, plain tables, a yes-or-no question, problems
shown beside their fields."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDateEdit,
    QDateTimeEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.core.errors import AppError, InvalidInputError, ValidationError
from app.core.formatting import format_money
from app.core.i18n import _, pick
from app.core.money import capital, parse_amount
from ui.widgets.form_support import ERROR_STYLE, OK_STYLE, FieldErrors

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
    """A line under a form that takes no room while it has nothing to say.

    Given a function rather than a text, it says it again in the new language when the
    language changes (a message that stays is read after a switch too)."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.hide()
        self._build: Callable[[], str] | None = None

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self._build = None
        self.setText("")

    def _say(self, text: str | Callable[[], str]) -> None:
        self._build = None if isinstance(text, str) else text
        self.setText(text if isinstance(text, str) else text())

    def error(self, text: str | Callable[[], str]) -> None:
        """Says what went wrong, in red."""
        self.setStyleSheet(ERROR_STYLE)
        self._say(text)

    def success(self, text: str | Callable[[], str]) -> None:
        """Says what was done, in green."""
        self.setStyleSheet(OK_STYLE)
        self._say(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.LanguageChange and self._build is not None:
            super().setText(self._build())
        super().changeEvent(event)


class _TabLeaves:
    """Tab goes on to the next field: Qt would step through a date's year, month and day (and
    time) first; typing the digits moves from one to the next. Before the Qt class."""

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 (Qt's names)
        assert isinstance(self, QWidget)
        return bool(QWidget.focusNextPrevChild(self, next))


class DateEdit(_TabLeaves, QDateEdit):
    """A date; Tab goes on to the next field."""


class DateTimeEdit(_TabLeaves, QDateTimeEdit):
    """A date and time; Tab goes on to the next field."""


def date_field(value: QDate | None = None, *, earliest: QDate | None = None,
               latest: QDate | None = None) -> QDateEdit:
    """A date typed or picked from a calendar, shown as 2026-12-06, as wide as a date."""
    edit = DateEdit(value if value is not None else QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    if earliest is not None:
        edit.setMinimumDate(earliest)
    if latest is not None:
        edit.setMaximumDate(latest)
    edit.setMaximumWidth(220)
    return edit


def confirm(parent: QWidget | None, text: str, *, title: str = "",
            default_yes: bool = False) -> bool:
    """Asks a yes-or-no question; True when the answer is yes."""
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    return QMessageBox.question(parent, title or _("Doorstep"), text, yes | no,
                                yes if default_yes else no) == yes


class Checklist(QListWidget):
    """People to tick: Space ticks the current one. As tall as its people, up to three; more
    scroll."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def fill(self, choices: list[tuple[str, str]], ticked: list[str]) -> None:
        self.blockSignals(True)
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
        self.blockSignals(False)

    def ticked(self) -> list[str]:
        return [str(self.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def set_ticked(self, keys: list[str]) -> None:
        self.blockSignals(True)
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(Qt.CheckState.Checked
                               if item.data(Qt.ItemDataRole.UserRole) in keys
                               else Qt.CheckState.Unchecked)
        self.blockSignals(False)


def tab_chain(*widgets: QWidget) -> None:
    for first, second in itertools.pairwise(widgets):
        QWidget.setTabOrder(first, second)


def plain_table(columns: int, *, stretch: int | None = -1, wrap: bool = True) -> QTableWidget:
    """A read-only list of rows, one chosen at a time; Tab leaves it instead of walking its
    cells. Columns fit their contents; column ``stretch`` (the last by default; every column
    when None) takes the room left."""
    table = QTableWidget(0, columns)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setWordWrap(wrap)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    if stretch is None:
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    else:
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if stretch in (-1, columns - 1):
            header.setStretchLastSection(True)
        else:
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
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


class RadioChoices(QWidget):
    """One of ``codes`` chosen with a row of radio buttons (their texts are the caller's, set in
    its retranslation); focus goes to the first. ``row`` takes whatever follows the buttons."""

    def __init__(self, codes: Iterable[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for code in codes:
            button = QRadioButton()
            self.buttons[str(code)] = button
            self.group.addButton(button)
            self.row.addWidget(button)
        self.setFocusProxy(next(iter(self.buttons.values())))
