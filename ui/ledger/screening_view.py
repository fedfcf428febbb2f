"""The monthly screening of key petitioners (动态排查) on screen.

At a county office: the month's screening, made from the ledger; each row edited until the
clerk signs; signed by the clerk who made it and by the deputy chief procurator in charge (or
the chief); recalled until the prefecture accepts it; printed (A4 landscape, in the language
chosen) and exported to Excel. At the prefecture: every county under it with the state of its
screening for the month, and Accept for one that was sent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import duties, i18n
from app.core.errors import AppError
from app.core.i18n import N_, _, labelled, ngettext, pick, title_text
from app.core.labels import OfficeLevel, label
from app.ledger import papers, screening
from app.ledger.rules import Level
from app.ledger.screening import CountyState, RowInput, ScreeningDetail, State
from ui.core.errors import show_error
from ui.core.tasks import Changes, Tasks
from ui.ledger.ledger_papers import PaperLanguage, ask_xlsx
from ui.widgets.combo import CodeCombo, compact
from ui.widgets.fields import MessageLine, cell, plain_table, set_headers
from ui.widgets.form_support import Retranslated, translated_label

ROW_COLUMNS = (N_("Name"), N_("Risk level"), N_("Situation this month"), N_("Work this month"),
               N_("Leader in charge"), N_("Deadline"), N_("Resolved"))
COUNTY_COLUMNS = (N_("County procuratorate"), N_("State"), N_("Accepted on"))
# What the prefecture reads of a county's screening.
PREFECTURE_STATES: dict[str, str] = {State.NOT_MADE: N_("Not sent"), State.SENT: N_("Sent"),
                     State.RECALLED: N_("Recalled"), State.ACCEPTED: N_("Accepted")}
EXPORT_SCREENING = N_("Export the screening…")


class RowDialog(Retranslated, QDialog):
    """One person's row of the month: situation, this month's work, level, leader in charge,
    deadline, resolved."""

    def __init__(self, tasks: Tasks, office_id: str, row: screening.ScreeningLine,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self.row = tasks, row
        self.person = QLabel(pick(row.name_zh, row.name_bo))
        self.situation = QPlainTextEdit(row.situation)
        self.work = QPlainTextEdit(row.work)
        for edit in (self.situation, self.work):
            edit.setTabChangesFocus(True)
            edit.setMaximumHeight(90)
        self.level = CodeCombo(Level, blank=N_("Not set"))
        self.level.set_code(row.level)
        self.leader = QComboBox()
        compact(self.leader, 12)
        self.leader.addItem("—", "")
        for staff in tasks.query(duties.eligible_staff, office_id, duties.LEAD,
                                 keep=[row.leader_id] if row.leader_id else []):
            self.leader.addItem(pick(staff.name_zh, staff.name_bo), staff.staff_id)
        self.leader.setCurrentIndex(max(0, self.leader.findData(row.leader_id)))
        self.deadline = QLineEdit(row.deadline)
        self.deadline.setPlaceholderText("YYYY-MM-DD")
        self.resolved = QCheckBox()
        self.resolved.setChecked(row.resolved)
        form = QFormLayout()
        form.addRow(translated_label(N_("Name")), self.person)
        form.addRow(translated_label(N_("Situation this month")), self.situation)
        form.addRow(translated_label(N_("Work this month")), self.work)
        form.addRow(translated_label(N_("Risk level")), self.level)
        form.addRow(translated_label(N_("Leader in charge")), self.leader)
        form.addRow(translated_label(N_("Deadline")), self.deadline)
        form.addRow(translated_label(N_("Resolved")), self.resolved)
        self.message = MessageLine()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.retranslate_ui()
        self.resize(560, 460)

    def data(self) -> RowInput:
        return RowInput(self.situation.toPlainText(), self.work.toPlainText(),
                        self.level.code(), str(self.leader.currentData() or ""),
                        self.deadline.text(), self.resolved.isChecked())

    def save(self) -> None:
        try:
            self._tasks.call(screening.update_row, self.row.row_id, self.data())
        except AppError as error:
            problems = getattr(error, "problems", None)
            self.message.error("\n".join(p.translated() for p in problems) if problems
                               else error.translated())
            return
        self.accept()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Row of the monthly screening"))
        self.level.retranslate()
        self.resolved.setText(_("Resolved this month"))


class ScreeningView(Retranslated, QWidget):
    """The month's screening of the office (a county), or the counties' screenings for the
    month (the prefecture)."""

    def __init__(self, tasks: Tasks, office_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self.office_id = tasks, office_id
        self.at_prefecture = tasks.query(screening.office_level, office_id) \
            == OfficeLevel.PREFECTURE
        self.detail: ScreeningDetail | None = None
        self.counties: list[CountyState] = []
        tasks.changed.connect(self._on_changes)

        self.month_label = QLabel()
        self.month = QLineEdit(screening.this_month_key(date.today()))
        self.month.setPlaceholderText("YYYY-MM")
        self.month.setMaximumWidth(110)
        self.month.editingFinished.connect(self.load)
        self.show_button = QPushButton()
        self.show_button.clicked.connect(self.load)
        self.language_label = QLabel()
        self.language = PaperLanguage()
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self.print_screening)
        self.export_button = QPushButton()
        self.export_button.clicked.connect(lambda: self.export_screening())
        top = QHBoxLayout()
        for widget in (self.month_label, self.month, self.show_button):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.language_label)
        top.addWidget(self.language)
        self.state = QLabel()
        self.state.setWordWrap(True)

        # At a county: the month's rows and the signing.
        self.rows = plain_table(len(ROW_COLUMNS), stretch=None)
        self.rows.doubleClicked.connect(lambda _index: self.edit_row())
        self.make_button = QPushButton()
        self.make_button.clicked.connect(self.make)
        self.edit_button = QPushButton()
        self.edit_button.clicked.connect(self.edit_row)
        self.clerk_button = QPushButton()
        self.clerk_button.clicked.connect(self.sign_as_clerk)
        self.deputy_button = QPushButton()
        self.deputy_button.clicked.connect(self.sign_as_deputy)
        self.recall_button = QPushButton()
        self.recall_button.clicked.connect(self.recall)
        # Making and editing the rows, then the signing: two rows, so that the bilingual
        # labels fit a 1366-pixel screen.
        actions = QVBoxLayout()
        for buttons in ((self.make_button, self.edit_button),
                        (self.clerk_button, self.deputy_button, self.recall_button)):
            row = QHBoxLayout()
            for button in buttons:
                button.setAutoDefault(False)
                row.addWidget(button)
            row.addStretch(1)
            actions.addLayout(row)
        county = QWidget()
        county_layout = QVBoxLayout(county)
        county_layout.setContentsMargins(0, 0, 0, 0)
        county_layout.addWidget(self.rows, 1)
        county_layout.addLayout(actions)

        # At the prefecture: the counties and Accept.
        self.overview = plain_table(len(COUNTY_COLUMNS), stretch=0)
        self.overview.itemSelectionChanged.connect(self._enable)
        self.accept_button = QPushButton()
        self.accept_button.clicked.connect(self.accept_selected)
        self.sent_count = QLabel()
        accept_row = QHBoxLayout()
        accept_row.addWidget(self.sent_count)
        accept_row.addStretch(1)
        accept_row.addWidget(self.accept_button)
        prefecture = QWidget()
        prefecture_layout = QVBoxLayout(prefecture)
        prefecture_layout.setContentsMargins(0, 0, 0, 0)
        prefecture_layout.addWidget(self.overview, 1)
        prefecture_layout.addLayout(accept_row)

        self.pages = QStackedWidget()
        self.pages.addWidget(county)
        self.pages.addWidget(prefecture)
        self.pages.setCurrentIndex(1 if self.at_prefecture else 0)
        self.message = MessageLine()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.state)
        layout.addWidget(self.pages, 1)
        bottom = QHBoxLayout()  # what was done or refused; the paper (county or prefecture)
        bottom.addWidget(self.message, 3)
        bottom.addStretch(1)  # the buttons keep their size while the line says nothing
        bottom.addWidget(self.print_button)
        bottom.addWidget(self.export_button)
        layout.addLayout(bottom)
        self.retranslate_ui()
        # Read when first shown: every reading of a screening is recorded.
        self._stale = True

    # -- reading ---------------------------------------------------------------------------
    def month_text(self) -> str:
        return self.month.text().strip()

    def load(self) -> None:
        self._stale = False
        self.message.clear()
        try:
            if self.at_prefecture:
                self.counties = self._tasks.query(screening.prefecture_overview,
                                                  self.office_id, self.month_text())
                self.detail = None
            else:
                screening.check_month(self.month_text(), date.today())
                self.detail = self._tasks.query(screening.month_screening, self.office_id,
                                                self.month_text())
        except AppError as error:
            self.detail, self.counties = None, []
            self.message.error(error.translated())
        self._fill()

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches("screening", "screening_row", "key_petitioner", "office"):
            if self.isVisible():
                self.load()
            else:
                self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        if self._stale:
            self.load()
        super().showEvent(event)

    def _fill(self) -> None:
        set_headers(self.rows, ROW_COLUMNS)
        set_headers(self.overview, COUNTY_COLUMNS)
        rows = self.detail.rows if self.detail is not None else []
        self.rows.setRowCount(len(rows))
        for number, row in enumerate(rows):
            # A red or yellow person without a leader or a deadline: said where it is missing.
            missing = _("Missing") if row.lacking else ""
            texts = (pick(row.name_zh, row.name_bo), label(Level, row.level), row.situation,
                     row.work, pick(row.leader_zh, row.leader_bo) or missing,
                     row.deadline or missing, _("Yes") if row.resolved else _("No"))
            for column, text in enumerate(texts):
                self.rows.setItem(number, column, cell(text))
        self.rows.resizeRowsToContents()
        self.overview.setRowCount(len(self.counties))
        for number, county in enumerate(self.counties):
            for column, text in enumerate((pick(county.name_zh, county.name_bo),
                                           _(PREFECTURE_STATES.get(county.state, county.state)),
                                           county.accepted_on)):
                self.overview.setItem(number, column, cell(text))
        sent = sum(1 for c in self.counties if c.sent)
        self.sent_count.setText(ngettext(
            "{n} of {total} county has sent this month's screening.",
            "{n} of {total} counties have sent this month's screening.",
            len(self.counties)).format(n=sent, total=len(self.counties)))
        self.state.setText(self._state_text())
        self._enable()

    def _state_text(self) -> str:
        if self.at_prefecture:
            return ""
        d = self.detail
        if d is None:
            return _("This month's screening has not been made yet.")
        parts = [labelled(N_("State"), label(State, d.state)).replace("\n", " / ")]
        if d.signed_by_clerk_on:
            parts.append(labelled(N_("Made by (clerk)"), f"{d.clerk_zh} {d.signed_by_clerk_on}",
                                  f"{d.clerk_bo or d.clerk_zh} {d.signed_by_clerk_on}")
                         .replace("\n", " / "))
        if d.signed_by_deputy_on:
            parts.append(labelled(N_("Deputy chief procurator in charge"),
                                  f"{d.deputy_zh} {d.signed_by_deputy_on}",
                                  f"{d.deputy_bo or d.deputy_zh} {d.signed_by_deputy_on}")
                         .replace("\n", " / "))
        if d.state == State.SIGNED:
            parts.append(_("It leaves for the prefecture with the next package this laptop "
                           "writes."))
        if d.state == State.ACCEPTED:
            parts.append(labelled(N_("Accepted on"), d.accepted_on).replace("\n", " / "))
        return "    ".join(parts)

    def selected_row(self) -> screening.ScreeningLine | None:
        index = self.rows.currentRow()
        if self.detail is None or not 0 <= index < len(self.detail.rows):
            return None
        return self.detail.rows[index]

    def selected_county(self) -> CountyState | None:
        index = self.overview.currentRow()
        return self.counties[index] if 0 <= index < len(self.counties) else None

    def _enable(self) -> None:
        d = self.detail
        editable = d is not None and d.editable
        self.make_button.setEnabled(d is None and not self.at_prefecture)
        self.edit_button.setEnabled(editable)
        self.clerk_button.setEnabled(editable)
        self.deputy_button.setEnabled(d is not None and bool(d.signed_by_clerk_on)
                                      and d.state in (State.DRAFT, State.RECALLED))
        self.recall_button.setEnabled(d is not None and d.state in (State.SIGNED, State.SENT))
        county = self.selected_county()
        self.accept_button.setEnabled(county is not None and county.state == State.SENT)
        shown = d is not None or (county is not None and bool(county.screening_id))
        self.print_button.setEnabled(shown)
        self.export_button.setEnabled(shown)

    # -- acting ----------------------------------------------------------------------------
    def _do(self, op: Any, *args: Any, done: str = "", **kwargs: Any) -> bool:
        try:
            self._tasks.acting(self).call(op, *args, **kwargs)
        except AppError as error:
            self.load()
            self.message.error(error.translated())
            return False
        self.load()
        if done:
            self.message.success(_(done))
        return True

    def make(self) -> None:
        self._do(screening.make, self.office_id, self.month_text(),
                 done=N_("The screening was made from the ledger."))

    def edit_row(self) -> None:
        row = self.selected_row()
        if row is None or self.detail is None or not self.detail.editable:
            return
        if RowDialog(self._tasks, self.office_id, row, self).exec() == QDialog.DialogCode.Accepted:
            self.load()

    def sign_as_clerk(self) -> None:
        if self.detail is not None:
            self._do(screening.sign_as_clerk, self.detail.screening_id, self._tasks.staff_id,
                     done=N_("Signed as the clerk who made it."))

    def sign_as_deputy(self) -> None:
        if self.detail is not None:
            self._do(screening.sign_as_deputy, self.detail.screening_id, self._tasks.staff_id,
                     done=N_("Signed. The screening leaves with the next package."))

    def recall(self) -> None:
        if self.detail is not None:
            self._do(screening.recall, self.detail.screening_id,
                     done=N_("Recalled: change it, then sign it again."))

    def accept_selected(self) -> None:
        county = self.selected_county()
        if county is not None and county.screening_id:
            self._do(screening.accept, county.screening_id, self._tasks.staff_id,
                     done=N_("Accepted."))

    def current_screening_id(self) -> str:
        if self.at_prefecture:
            county = self.selected_county()
            return county.screening_id if county is not None else ""
        return self.detail.screening_id if self.detail is not None else ""

    def _stem(self, language: str) -> str:
        title = i18n.bo_text(N_("Monthly screening")) if language == i18n.BO \
            else i18n.zh_text(N_("Monthly screening"))
        return f"{title}-{self.month_text()}"

    def print_screening(self) -> None:
        """The screening as a paper in the chosen language, previewed (Print, Save as PDF)."""
        from ui.widgets.paper_preview import show_paper

        made, language = self.current_screening_id(), self.language.language()
        if not made:
            return

        def draw(store: Any) -> bytes:
            return papers.render_screening_pdf(store, made, language)

        show_paper(self._tasks, self, draw, title_text("Monthly screening of key petitioners"),
                   f"{self._stem(language)}.pdf", record=("screening", made))

    def export_screening(self, path: Any = None) -> None:
        """The screening as an .xlsx workbook in the chosen language (recorded)."""
        made, language = self.current_screening_id(), self.language.language()
        if not made:
            return
        out = path or ask_xlsx(self, EXPORT_SCREENING, self._stem(language))
        if out is None:
            return

        def done(_written: int) -> None:
            self.message.success(_("The screening was written to {path}.").format(path=out))

        self._tasks.run(lambda store, _progress: papers.save_screening_xlsx(
            store, made, language, out), on_done=done,
            on_failed=lambda error: show_error(self, error), parent=self,
            message=_("Writing the workbook…"))

    def retranslate_ui(self) -> None:
        self.month_label.setText(_("Month"))
        self.show_button.setText(_("Show"))
        self.language_label.setText(_("Paper in"))
        self.print_button.setText(_("Print…"))
        self.export_button.setText(_("Export to Excel…"))
        self.make_button.setText(_("Make this month's screening"))
        self.edit_button.setText(_("Edit the row…"))
        self.clerk_button.setText(_("Sign as the clerk"))
        self.deputy_button.setText(_("Sign as the deputy in charge"))
        self.recall_button.setText(_("Recall"))
        self.accept_button.setText(_("Accept"))
        self._fill()
