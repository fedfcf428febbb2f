"""Conflicts: fields changed on two laptops before they exchanged packages. Each shows its
competing values, the laptop and time of each, the value shown now and the value both started
from; a person chooses the one to keep."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.formatting import format_money
from app.core.i18n import N_, _, pick
from app.sync import describe, engine
from app.sync.describe import FieldWords, RecordName
from app.sync.engine import Candidate, Conflict
from ui.core.tasks import Tasks
from ui.sync import common
from ui.widgets.form_support import Retranslated, retranslate_labels, translated_label

HEADERS = (N_("Value"), N_("Changed on the laptop"), N_("Changed at"), N_("Shown now"))
_KEY = Qt.ItemDataRole.UserRole
_BASE_COLOUR = QColor("#666666")
_WINNER_COLOUR = QColor("#e6f2e0")


def _one_line(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


class ConflictsPanel(Retranslated, QWidget):
    # A conflict was settled: a field's value may have changed.
    changed = Signal()
    count_changed = Signal(int)

    def __init__(self, tasks: Tasks, laptop_names: Callable[[str], str | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._laptop_names = laptop_names
        self._conflicts: list[Conflict] = []
        self._records: dict[tuple[str, str], RecordName] = {}
        self._notice: Callable[[], str] | None = None

        self.intro = translated_label(N_(
            "These fields were changed on two laptops before the laptops exchanged packages. "
            "For now every laptop shows the later change. Choose the value to keep: the choice "
            "reaches the other laptops with the next package."))
        self.empty = translated_label(N_("There are no conflicts."))
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(HEADERS))
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.tree.itemSelectionChanged.connect(self._update_button)
        self.keep_button = QPushButton()
        self.keep_button.clicked.connect(self.keep_selected)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(common.NOTICE_STYLE)
        self.notice.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.empty)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.notice)
        self.reload()

    def reload(self) -> None:
        self._conflicts = self._tasks.query(engine.conflicts)
        keys: set[tuple[str, str]] = set()
        for conflict in self._conflicts:
            keys.add((conflict.tbl, conflict.row_id))
            target = describe.refers_to(conflict.field)
            values = [c.value for c in conflict.candidates] + [conflict.base]
            if target is not None:
                keys.update((target, str(v)) for v in values if isinstance(v, str) and v)
            keys.update(("device", c.laptop_id) for c in conflict.candidates)
            keys.update(("staff", c.staff_id) for c in conflict.candidates if c.staff_id)
        self._records = self._tasks.query(describe.record_names, keys)
        self.retranslate_ui()
        self.count_changed.emit(len(self._conflicts))

    def conflicts(self) -> list[Conflict]:
        return list(self._conflicts)

    def count(self) -> int:
        return len(self._conflicts)

    # -- words -------------------------------------------------------------------------------
    def laptop_name(self, device_id: str) -> str:
        found = self._laptop_names(device_id)
        if found:
            return found
        record = self._records.get(("device", device_id))
        return record.zh if record is not None else device_id

    def changed_by(self, candidate: Candidate) -> str:
        """The laptop, and the staff member who made the change when the laptop knew."""
        laptop = self.laptop_name(candidate.laptop_id)
        person = self._records.get(("staff", candidate.staff_id or ""))
        if person is None:
            return laptop
        return _("{laptop}, by {name}").format(laptop=laptop, name=person.zh)

    def headline(self, conflict: Conflict) -> str:
        words = describe.field_words(conflict.tbl, conflict.field)
        table = _(words.table) if words.table else conflict.tbl
        field = _(words.field) if words.field else conflict.field
        record = self._records.get((conflict.tbl, conflict.row_id))
        what = f"{table} {pick(record.zh, record.bo)}" if record is not None else table
        return f"{what} — {field}"

    def value_text(self, conflict: Conflict, value: Any) -> str:
        words: FieldWords = describe.field_words(conflict.tbl, conflict.field)
        if value is None or value == "":
            return _("(empty)")
        if isinstance(value, bytes):
            return _("(binary data)")
        if words.flag:
            return _("Yes") if value else _("No")
        if words.money and isinstance(value, int):
            return format_money(value)
        member = words.vocabulary.lookup(str(value)) if words.vocabulary is not None else None
        if member is not None:
            return member.label
        target = describe.refers_to(conflict.field)
        record = self._records.get((target, str(value))) if target is not None else None
        if record is not None:
            return pick(record.zh, record.bo)
        return str(value)

    # -- showing -----------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        retranslate_labels(self)
        self.tree.setHeaderLabels([_(h) for h in HEADERS])
        self.keep_button.setText(_("Keep the selected value"))
        has_any = bool(self._conflicts)
        self.empty.setVisible(not has_any)
        self.intro.setVisible(has_any)
        self.tree.setVisible(has_any)
        self.keep_button.setVisible(has_any)
        self.notice.setText(self._notice() if self._notice is not None else "")
        self.notice.setVisible(self._notice is not None)
        self._fill()

    def _fill(self) -> None:
        self.tree.clear()
        for number, conflict in enumerate(self._conflicts):
            top = QTreeWidgetItem([self.headline(conflict)])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            self.tree.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)
            if conflict.has_base:
                text = self.value_text(conflict, conflict.base)
                base = QTreeWidgetItem([_one_line(text), _("Both started from this value"),
                                        "", ""])
                base.setFlags(Qt.ItemFlag.ItemIsEnabled)
                base.setToolTip(0, text)
                for column in range(len(HEADERS)):
                    base.setForeground(column, QBrush(_BASE_COLOUR))
                top.addChild(base)
            for choice, candidate in enumerate(conflict.candidates):
                text = self.value_text(conflict, candidate.value)
                item = QTreeWidgetItem([
                    _one_line(text), self.changed_by(candidate),
                    common.local_time(describe.written_at(candidate.hlc)),
                    _("Shown now") if candidate.winner else ""])
                item.setData(0, _KEY, f"{number}:{choice}")
                item.setToolTip(0, text)
                if candidate.winner:
                    for column in range(len(HEADERS)):
                        item.setBackground(column, QBrush(_WINNER_COLOUR))
                top.addChild(item)
            top.setExpanded(True)
        self._update_button()

    def candidate_items(self) -> list[QTreeWidgetItem]:
        """The choosable rows, conflict by conflict (for tests and keyboard users)."""
        found: list[QTreeWidgetItem] = []
        for index in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(index)
            assert top is not None
            for child in range(top.childCount()):
                item = top.child(child)
                if item is not None and item.data(0, _KEY):
                    found.append(item)
        return found

    def _chosen(self) -> tuple[Conflict, engine.Candidate] | None:
        item = self.tree.currentItem()
        key = item.data(0, _KEY) if item is not None and item.isSelected() else None
        if not key:
            return None
        number, choice = (int(part) for part in str(key).split(":"))
        conflict = self._conflicts[number]
        return conflict, conflict.candidates[choice]

    def _update_button(self) -> None:
        self.keep_button.setEnabled(self._chosen() is not None)

    def keep_selected(self) -> None:
        chosen = self._chosen()
        if chosen is None:
            return
        conflict, candidate = chosen
        shown = self.value_text(conflict, candidate.value)
        self._tasks.call(engine.resolve, conflict.tbl, conflict.row_id, conflict.field,
                         candidate.value)
        self._notice = lambda: _("Kept {value}.").format(value=shown)
        self.reload()
        self.changed.emit()
