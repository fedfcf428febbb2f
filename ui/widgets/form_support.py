"""Inline validation messages beside the fields they concern."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from PySide6.QtCore import QDate, QEvent, QPoint
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTextEdit,
    QWidget,
)

from app.core.errors import ValidationError
from app.core.i18n import _

ERROR_STYLE = "color: #b00020"
OK_STYLE = "color: #1b5e20"


# The signal each kind of field sends when the clerk changes it.
_CHANGED = ((QLineEdit, "textChanged"), (QPlainTextEdit, "textChanged"),
            (QTextEdit, "textChanged"), (QComboBox, "currentIndexChanged"),
            (QDateTimeEdit, "dateTimeChanged"), (QAbstractSpinBox, "editingFinished"),
            (QAbstractButton, "toggled"))


class FieldErrors:
    """Owns an error label under each registered field of a form. A message goes as soon as
    the clerk changes its field (the next save says again whatever is still wrong)."""

    def __init__(self) -> None:
        self._labels: dict[str, QLabel] = {}
        self._widgets: dict[str, QWidget] = {}

    def add_row(self, form: QFormLayout, key: str, label: QLabel, widget: QWidget) -> QLabel:
        form.addRow(label, widget)
        error = QLabel()
        form.addRow("", error)
        self.register(key, error, widget)
        return error

    def register(self, key: str, error: QLabel, widget: QWidget) -> None:
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        self._labels[key] = error
        self._widgets[key] = widget
        for kind, signal in _CHANGED:
            if isinstance(widget, kind):
                getattr(widget, signal).connect(lambda *_args, key=key: self.clear_one(key))
                break

    def clear_one(self, key: str) -> None:
        label = self._labels.get(key)
        if label is not None and not label.isHidden():
            label.clear()
            label.hide()

    def widgets(self, problems: list[ValidationError]) -> list[QWidget]:
        """The fields of this form that ``problems`` concern."""
        return [self._widgets[p.field or ""] for p in problems if (p.field or "") in self._widgets]

    def clear(self) -> None:
        for label in self._labels.values():
            label.clear()
            label.hide()

    def show(self, problems: list[ValidationError], focus: bool = True) -> list[ValidationError]:
        """Show each problem beside its field (focusing the first, unless ``focus`` is
        false); return those with no field on this form."""
        self.clear()
        unplaced = []
        first: QWidget | None = None
        for problem in problems:
            label = self._labels.get(problem.field or "")
            if label is None:
                unplaced.append(problem)
                continue
            text = problem.translated()
            label.setText(text if not label.text() else f"{label.text()}\n{text}")
            label.show()
            if first is None:
                first = self._widgets[problem.field or ""]
        if first is not None and focus:
            focus_first([first])
        return unplaced

    def text(self, key: str) -> str:
        label = self._labels.get(key)
        return label.text() if label is not None and not label.isHidden() else ""


class FormGrid(QGridLayout):
    """A form of two (or more) fields side by side, each with its label before it and its
    error message under it: half as tall as a :class:`QFormLayout` of the same fields.

    Fields fill the row from the left; a ``wide`` field takes a row of its own. A hidden
    error message (and a hidden field) takes no room."""

    def __init__(self, errors: FieldErrors, pairs: int = 2, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._errors, self._pairs = errors, pairs
        self._row = self._column = 0
        self._rows: dict[QWidget, tuple[str, tuple[QWidget, ...]]] = {}
        for pair in range(pairs):
            self.setColumnStretch(2 * pair + 1, 1)

    def add(self, key: str, label: QWidget | None, widget: QWidget, wide: bool = False) -> None:
        """Put ``widget`` (with ``label``; its errors under ``key`` when ``key``) in the next
        place."""
        if wide and self._column:
            self.next_row()
        span = 2 * self._pairs - 1 if wide else 1
        column = 2 * self._column
        parts: list[QWidget] = [widget]
        if label is not None:
            self.addWidget(label, self._row, column)
            parts.append(label)
        self.addWidget(widget, self._row, column + 1, 1, span)
        if key:
            error = QLabel()
            self.addWidget(error, self._row + 1, column + 1, 1, span)
            self._errors.register(key, error, widget)
        self._rows[widget] = (key, tuple(parts))
        self._column += 1
        if wide or self._column == self._pairs:
            self.next_row()

    def next_row(self) -> None:
        """Leave the rest of this row empty."""
        if self._column:
            self._row, self._column = self._row + 2, 0

    def set_shown(self, widget: QWidget, shown: bool) -> None:
        """Show or hide a field with its label (its error message goes with it)."""
        key, parts = self._rows[widget]
        for part in parts:
            part.setVisible(shown)
        if not shown and key:
            self._errors.clear_one(key)


def focus_first(widgets: list[QWidget]) -> None:
    """Focus the one of ``widgets`` that stands highest in its window (the first bad field a
    clerk reading down the form meets) and scroll it into view."""
    if not widgets:
        return
    window = widgets[0].window()
    first = min(widgets, key=lambda w: (w.mapTo(window, QPoint(0, 0)).y(),
                                        w.mapTo(window, QPoint(0, 0)).x()))
    first.setFocus()
    scroll = enclosing(first, QScrollArea)
    if scroll is not None:
        scroll.ensureWidgetVisible(first)


W = TypeVar("W", bound=QWidget)


def enclosing(widget: QWidget, kind: type[W]) -> W | None:
    """The nearest widget of ``kind`` that ``widget`` stands in (its scroll area), if any."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, kind):
        parent = parent.parentWidget()
    return parent


def translated_label(message: str) -> QLabel:
    label = QLabel(_(message))
    label.setProperty("msgid", message)
    label.setWordWrap(True)
    return label


def retranslate_labels(widget: QWidget) -> None:
    """Re-translate every label created by :func:`translated_label` under ``widget``."""
    for label in widget.findChildren(QLabel):
        message = label.property("msgid")
        if message:
            label.setText(_(str(message)))


class Retranslated:
    """For a widget that re-labels itself: on each language change, the labels made with
    :func:`translated_label` are translated again, then its ``retranslate_ui`` runs. Put it
    before the Qt class: ``class AgreementDialog(Retranslated, QDialog)``."""

    def retranslate_ui(self) -> None:
        """Sets every text the widget shows in the current language (no store call)."""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        assert isinstance(self, QWidget)
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_labels(self)
            self.retranslate_ui()
        super().changeEvent(event)  # type: ignore[misc]


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def section(message: str) -> QLabel:
    """A bold heading over a part of a form (QGroupBox titles clip the taller Tibetan and
    Chinese fallback glyphs)."""
    heading = translated_label(message)
    font = heading.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    heading.setFont(font)
    return heading


def scrolling(page: QWidget) -> QScrollArea:
    """A form that scrolls when its inline messages need more room than the screen has."""
    scroll = QScrollArea()
    scroll.setWidget(page)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    return scroll


def scroll_to_focus(scroll: QScrollArea) -> None:
    """Bring the focused field of a scrolling form into view (e.g. the first bad one)."""
    widget = QApplication.focusWidget()
    if widget is not None and scroll.isAncestorOf(widget):
        scroll.ensureWidgetVisible(widget)
