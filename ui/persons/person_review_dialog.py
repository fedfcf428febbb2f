"""Possible duplicate persons: the same herder registered on two laptops, shown side by side, to
merge into one record or to mark as two different people.

The pairs are looked for on the worker (three seconds and 37,800 pairs on a prefecture's 150,000
persons), with a progress window whose Cancel closes the dialog; they are listed through a
model, each row's text made when it is shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AppError
from app.core.formatting import format_number, format_short_datetime
from app.core.i18n import N_, _, bo_text, labelled, ngettext, pick, title_text, zh_text
from app.core.labels import Ethnicity, Language, Sex, label
from app.core.progress import CancelledError
from app.persons import review as person_review
from app.persons.review import DuplicatePair, PairReason, PersonDetails
from ui.core.errors import show_error
from ui.core.tasks import Running, Tasks, TasksClosedError
from ui.widgets.fields import MessageLine, confirm
from ui.widgets.form_support import Retranslated, translated_label

SAME = QColor("#d5efcf")  # the same in both records
DIFFERENT = QColor("#fbe0bd")  # filled in both, but not the same

# Rows of the comparison: (field of PersonDetails, its label).
ROWS = (
    ("name_bo", N_("Name (Tibetan)")),
    ("name_zh", N_("Name (Chinese)")),
    ("sex", N_("Sex")),
    ("ethnicity", N_("Ethnicity")),
    ("id_number", N_("Resident ID number")),
    ("phone", N_("Phone")),
    ("county", N_("County")),
    ("township", N_("Township")),
    ("village", N_("Village")),
    ("herding_group", N_("Herding group")),
    ("preferred_language", N_("Preferred language")),
    ("needs_interpreter", N_("Interpreter needed")),
    ("petitions", N_("Petitions as a party")),
    ("created_at", N_("Record created")),
)
SIDES = (N_("Left record"), N_("Right record"))
# Keys that do not change with the language (button mnemonics would).
MERGE_LEFT_KEY, MERGE_RIGHT_KEY, DIFFERENT_KEY = "Ctrl+L", "Ctrl+R", "Ctrl+D"
Index = QModelIndex | QPersistentModelIndex
LOOKING = N_("Looking for possible duplicate persons…")


def _created(value: str) -> str:
    """The record's creation time (UTC in the store) in this laptop's local time."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return format_short_datetime(moment.astimezone().replace(tzinfo=None))


def _value(person: PersonDetails, name: str) -> str:
    if name == "sex":
        return label(Sex, person.sex) if person.sex else ""
    if name == "ethnicity":
        return label(Ethnicity, person.ethnicity) if person.ethnicity else ""
    if name == "preferred_language":
        return label(Language, person.preferred_language)
    if name == "needs_interpreter":
        return _("Yes") if person.needs_interpreter else _("No")
    if name == "petitions":
        return format_number(person.petitions)
    if name == "created_at":
        return _created(person.created_at) if person.created_at else ""
    return str(getattr(person, name))


def _name(person: PersonDetails) -> str:
    return pick(person.name_zh, person.name_bo)


def pair_text(pair: DuplicatePair) -> str:
    """A pair as listed: the two names, and why they may be one person."""
    reasons = "; ".join(label(PairReason, code) for code in pair.reasons)
    return f"{_name(pair.a)}  ⇄  {_name(pair.b)}\n{reasons}"


class PairListModel(QAbstractListModel):
    """The pairs, a row each, their text made (in the current language) when a row is shown:
    filling a list widget with 37,800 items took half a second, and laying them out 0.8 s
    more."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pairs: list[DuplicatePair] = []

    def set_pairs(self, pairs: list[DuplicatePair]) -> None:
        self.beginResetModel()
        self.pairs = pairs
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.pairs)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.pairs):
            return None
        pair = self.pairs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return pair_text(pair)
        if role == Qt.ItemDataRole.UserRole:
            return pair.a.id, pair.b.id
        return None

    def retranslate(self) -> None:
        if self.pairs:
            self.dataChanged.emit(self.index(0), self.index(len(self.pairs) - 1))


class PersonReviewDialog(Retranslated, QDialog):
    """The pairs on the left; the selected pair's two records side by side on the right."""

    # Persons were merged or judged different: lists of persons and petitions may have changed.
    persons_changed = Signal()
    # The pairs looked for have arrived and are listed.
    pairs_loaded = Signal()

    def __init__(self, tasks: Tasks, staff_id: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._staff_id = tasks, staff_id
        self._pairs: list[DuplicatePair] = []
        # Each look for the pairs gets the next number; only the newest one's pairs are listed.
        self._generation = 0
        self._looking: Running | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.pair_model = PairListModel(self)
        self.pair_list = QListView()
        self.pair_list.setModel(self.pair_model)
        self.pair_list.setWordWrap(True)
        # One height for all (no row is measured), laid out a batch at a time between events:
        # laid out at once, 37,800 rows held the window 150 ms.
        self.pair_list.setUniformItemSizes(True)
        self.pair_list.setLayoutMode(QListView.LayoutMode.Batched)
        self.pair_list.setBatchSize(2000)
        self.pair_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.pair_list.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._show_pair(current.row()))
        self.grid = QTableWidget(len(ROWS), 2)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.grid.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.grid.setWordWrap(True)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # One line a row, as in the People list, so that the whole record fits a laptop screen.
        self.grid.verticalHeader().setMinimumSectionSize(30)
        self.grid.verticalHeader().setDefaultSectionSize(34)
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        self.legend = translated_label(N_("Green: the same in both records. Orange: filled in "
                                          "both records, but different."))
        self.message = MessageLine()
        self.keep_left_button, self.keep_right_button = QPushButton(), QPushButton()
        self.different_button, self.close_button = QPushButton(), QPushButton()
        for button in (self.keep_left_button, self.keep_right_button, self.different_button,
                       self.close_button):
            button.setAutoDefault(False)
        self.keep_left_button.clicked.connect(lambda: self.merge(keep_left=True))
        self.keep_right_button.clicked.connect(lambda: self.merge(keep_left=False))
        self.different_button.clicked.connect(self.mark_different)
        self.close_button.clicked.connect(self.accept)
        for key, button in ((MERGE_LEFT_KEY, self.keep_left_button),
                            (MERGE_RIGHT_KEY, self.keep_right_button),
                            (DIFFERENT_KEY, self.different_button)):
            QShortcut(QKeySequence(key), self, button.click)
            button.setToolTip(QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText))

        pairs = QWidget()
        left = QVBoxLayout(pairs)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.pair_list, 1)
        left.addWidget(self.reasons)
        left.addWidget(self.legend)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(pairs)
        splitter.addWidget(self.grid)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([320, 680])
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_left_button)
        buttons.addWidget(self.keep_right_button)
        buttons.addWidget(self.different_button)
        buttons.addWidget(self.message, 1)  # what the last action did, beside its buttons
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.resize(1020, 680)
        self.retranslate_ui()
        self.reload()
        self.pair_list.setFocus()

    # -- data ---------------------------------------------------------------------------------
    def reload(self, select: int = 0) -> None:
        """Look for the pairs again, on the worker, and select the one at ``select`` (or the
        last one) when they arrive. Cancel in the progress window closes the dialog."""
        self._generation += 1
        generation = self._generation
        if self._looking is not None:
            self._looking.cancel()  # superseded: its pairs would never be listed
        try:
            self._looking = self._tasks.run(
                lambda store, progress: person_review.possible_duplicates(store, progress),
                on_done=lambda pairs: self._loaded(generation, pairs, select),
                on_failed=lambda error: self._not_loaded(generation, error),
                parent=self, message=_(LOOKING))
        except TasksClosedError:  # the window is closing: nothing to look for
            self._looking = None
        self._retitle()

    @property
    def looking(self) -> bool:
        """Whether the pairs are being looked for."""
        return self._looking is not None

    def _loaded(self, generation: int, pairs: list[DuplicatePair], select: int) -> None:
        if generation != self._generation:  # a newer look was asked for
            return
        self._looking = None
        self._pairs = pairs
        self.pair_model.set_pairs(pairs)
        if pairs:
            self.set_current_row(min(select, len(pairs) - 1))
        else:
            self._show_pair(-1)
        self._retitle()
        self.pairs_loaded.emit()

    def _not_loaded(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._looking = None
        self._retitle()
        if isinstance(error, CancelledError):  # the person does not want to wait: close
            self.reject()
            return
        show_error(self, error)

    def done(self, result: int) -> None:
        """Closed while the pairs are looked for: stop looking."""
        if self._looking is not None:
            self._generation += 1
            self._looking.cancel()
            self._looking = None
        super().done(result)

    def current_row(self) -> int:
        return self.pair_list.currentIndex().row()

    def set_current_row(self, row: int) -> None:
        self.pair_list.setCurrentIndex(self.pair_model.index(row))

    def current_pair(self) -> DuplicatePair | None:
        if self.looking:
            return None
        row = self.current_row()
        return self._pairs[row] if 0 <= row < len(self._pairs) else None

    def merge(self, keep_left: bool) -> None:
        pair = self.current_pair()
        if pair is None:
            return
        keep, drop = (pair.a, pair.b) if keep_left else (pair.b, pair.a)
        question = (_("Merge these two records into one?") + "\n\n"
                    + _("Kept: {kept}").format(kept=self._summary_of(keep)) + "\n"
                    + _("Merged into it and removed: {dropped}").format(
                        dropped=self._summary_of(drop)) + "\n\n"
                    + _("Every petition, hearing and aid case of the removed record moves to the "
                        "kept one; empty fields of the kept record are filled from the removed "
                        "one. This cannot be undone."))
        if not confirm(self, question, title=_("Possible duplicate persons"), default_yes=True):
            return
        row = self.current_row()
        try:
            self._tasks.call(person_review.merge_persons, keep.id, drop.id, self._staff_id)
        except AppError as error:
            self.message.setText(error.translated())
            self.reload(row)
            return
        self.message.setText(_("Merged: {name} is now one record.").format(name=_name(keep)))
        self.persons_changed.emit()
        self.reload(row)
        self.pair_list.setFocus()

    def mark_different(self) -> None:
        pair = self.current_pair()
        if pair is None:
            return
        row = self.current_row()
        try:
            self._tasks.call(person_review.mark_different, pair.a.id, pair.b.id, self._staff_id)
        except AppError as error:
            self.message.setText(error.translated())
            self.reload(row)
            return
        self.message.setText(_("Recorded as two different people; this pair will not be offered "
                               "again."))
        self.persons_changed.emit()
        self.reload(row)
        self.pair_list.setFocus()

    # -- showing ------------------------------------------------------------------------------
    def _summary_of(self, person: PersonDetails) -> str:
        parts = [_name(person), person.id_number, person.phone,
                 " ".join(p for p in (person.township, person.village, person.herding_group) if p)]
        return " · ".join(p for p in parts if p)

    def _retitle(self) -> None:
        count = len(self._pairs)
        if self.looking:
            self.summary.setText(_(LOOKING))
        elif count:
            self.summary.setText(ngettext(
                "{n} pair of records may be one person registered twice, for example on two "
                "laptops. Compare the two records, then merge them or record that they are "
                "different people.",
                "{n} pairs of records may each be one person registered twice, for example on "
                "two laptops. Compare the two records, then merge them or record that they are "
                "different people.", count).format(n=format_number(count)))
        else:
            self.summary.setText(_("No possible duplicate persons: nothing to review."))
        for button in (self.keep_left_button, self.keep_right_button, self.different_button):
            button.setEnabled(bool(count) and not self.looking)

    def _show_pair(self, row: int) -> None:
        pair = self._pairs[row] if 0 <= row < len(self._pairs) else None
        same = pair.same if pair else frozenset()
        different = pair.different if pair else frozenset()
        bold = QFont(self.grid.font())
        bold.setBold(True)
        for r, (name, _text) in enumerate(ROWS):
            for c in range(2):
                person = (pair.a, pair.b)[c] if pair else None
                item = QTableWidgetItem(_value(person, name) if person else "")
                item.setData(Qt.ItemDataRole.UserRole, name)
                if name in same:
                    item.setBackground(QBrush(SAME))
                elif name in different:
                    item.setBackground(QBrush(DIFFERENT))
                    item.setFont(bold)
                self.grid.setItem(r, c, item)
        if pair is None:
            self.reasons.clear()
            return
        self.reasons.setText(labelled(
            N_("Why they may be one person"),
            "；".join(zh_text(PairReason(code).message) for code in pair.reasons),
            "། ".join(bo_text(PairReason(code).message) for code in pair.reasons)))

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Possible duplicate persons"))
        self.grid.setHorizontalHeaderLabels([_(side) for side in SIDES])
        self.grid.setVerticalHeaderLabels([_(text) for _field, text in ROWS])
        self.keep_left_button.setText(_("Merge, keeping the left one"))
        self.keep_right_button.setText(_("Merge, keeping the right one"))
        self.different_button.setText(_("Different people"))
        self.close_button.setText(_("Close"))
        self.pair_model.retranslate()
        self.pair_list.doItemsLayout()  # the rows' height follows the script
        self._retitle()
        self._show_pair(self.current_row())
