"""Finding a person Doorstep knows from one search box: a name in either script or an ID number,
looked up as it is typed (as intake finds a returning petitioner), the persons found listed with
their earlier petitions, one of them chosen. Used wherever a form names someone already known
(entering a key petitioner, who came on a reception day)."""

from __future__ import annotations

import re
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.core.formatting import format_short_datetime
from app.core.i18n import _, pick
from app.core.labels import label
from app.persons.records import MatchReason, PersonMatch, find_matches
from ui.core.tasks import Tasks, TasksClosedError
from ui.widgets.fields import display_name
from ui.widgets.form_support import Retranslated

TIBETAN = re.compile("[\u0f00-\u0fff]")
DIGITS = re.compile(r"\d")


def search_terms(text: str) -> tuple[str, str, str]:
    """What a search typed in one box looks for, as (Tibetan name, Chinese name, ID number): an
    ID number when it has digits, else a name in the script it is typed in."""
    text = text.strip()
    if DIGITS.search(text):
        return "", "", text
    if TIBETAN.search(text):
        return text, "", ""
    return "", text, ""


class PersonSearch(Retranslated, QWidget):
    """The search box over the list of persons found. ``person_id`` is the one chosen ("" for
    nobody); ``person_chosen`` tells each choice. ``hide_empty``: the list shows only while it
    lists someone (a crowded form)."""

    person_chosen = Signal(str)

    def __init__(self, tasks: Tasks, list_height: int = 150, hide_empty: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._hide_empty = tasks, hide_empty
        self.matches: list[PersonMatch] = []
        self.person_id = ""
        self._chosen_match: PersonMatch | None = None  # kept when a new search misses them
        self._known = ("", "")  # the names of a person chosen without a search
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.look_up)
        self.search = QLineEdit()
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.found = QListWidget()
        self.found.setMinimumHeight(list_height)
        self.found.currentRowChanged.connect(self._chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.found)
        self.setFocusProxy(self.search)
        self.retranslate_ui()

    def look_up(self) -> None:
        name_bo, name_zh, id_number = search_terms(self.search.text())
        try:
            self.matches = self._tasks.query(find_matches, name_bo, name_zh, id_number) \
                if name_bo or name_zh or id_number else []
        except TasksClosedError:  # the timer fired while the window closes
            return
        self._show_matches()

    def choose(self, person_id: str, name_zh: str = "", name_bo: str = "") -> None:
        """Show ``person_id`` as chosen (an entry being corrected), with the names to show
        while the search has not found them; "" chooses nobody and empties the search."""
        self.person_id = person_id
        self._chosen_match = None
        self._known = (name_zh, name_bo)
        if not person_id:
            self._timer.stop()
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.matches = []
        self._show_matches()

    def match(self) -> PersonMatch | None:
        return next((m for m in self.matches if m.person_id == self.person_id), None)

    def describe(self) -> str:
        """The person chosen, on one line, or what to do when nobody is."""
        match = self.match() or self._chosen_match
        if match is not None and match.person_id == self.person_id:
            return " ".join(x for x in (display_name(match.name_zh, match.name_bo),
                                        match.id_number, match.county) if x)
        if self.person_id:
            return display_name(*self._known)
        return _("Type a name or an ID number above, then choose the person.")

    def _show_matches(self) -> None:
        self.found.blockSignals(True)
        self.found.clear()
        for match in self.matches:
            lines = [f"{pick(match.name_zh, match.name_bo)}  ·  {label(MatchReason, match.reason)}",
                     " ".join(x for x in (match.id_number, match.phone, match.county,
                                          match.township) if x)]
            for earlier in match.petitions[:2]:
                lines.append(f"  {earlier.reg_no}  "
                             f"{format_short_datetime(datetime.fromisoformat(earlier.received_at))}"
                             f"  {earlier.summary[:30]}")
            item = QListWidgetItem("\n".join(lines))
            item.setData(Qt.ItemDataRole.UserRole, match.person_id)
            self.found.addItem(item)
        ids = [m.person_id for m in self.matches]
        if self.person_id in ids:
            self.found.setCurrentRow(ids.index(self.person_id))
        self.found.blockSignals(False)
        if self._hide_empty:
            self.found.setVisible(bool(self.matches))

    def _chosen(self, row: int) -> None:
        if 0 <= row < len(self.matches):
            self._chosen_match = self.matches[row]
            self.person_id = self._chosen_match.person_id
            self.person_chosen.emit(self.person_id)

    def retranslate_ui(self) -> None:
        self.search.setPlaceholderText(_("Name in Tibetan or Chinese, or ID number"))
        self._show_matches()
