"""Recording a hearing, on a laptop keyboard in a tent.

Three tabs: where, when and who (Ctrl+1), what was said (Ctrl+2), the officers' opinions and
the outcome (Ctrl+3). In "What was said", Ctrl+Up/Down change the speaker and Ctrl+Enter adds
what they said to the minutes. Everything typed is kept as a draft a moment after each change, so
closing the lid or a power cut loses nothing; Ctrl+S saves the hearing.

A hearing with no outcome yet is a planned one: its notice can be printed, and it is opened again
to record it once held.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AppError, InvalidInputError
from app.core.i18n import N_, _, pick, title_text
from app.core.labels import HearingKind, HearingOutcome, OfficerRole, StaffRole, label
from app.core.paths import AppPaths
from app.hearings import agreements, drafts
from app.hearings import record as hearings
from app.hearings.record import HearingContext, HearingInput, Participant, PersonChoice
from ui.core.tasks import Tasks
from ui.hearings.attachments_view import AttachmentsStrip
from ui.widgets.combo import CodeCombo
from ui.widgets.fields import Checklist, DateTimeEdit, MessageLine
from ui.widgets.form_support import (
    FieldErrors,
    Retranslated,
    scrolling,
    section,
    translated_label,
)
from ui.widgets.paper_preview import show_paper

DRAFT_DELAY_MS = 700
KIND_OF = {"procurator": N_("Procurator"), "officer": N_("Hearing officer"),
           "party": N_("Party")}


def _name(choice: PersonChoice) -> str:
    return pick(choice.name_zh, choice.name_bo, " / ") or "—"


class HearingDialog(Retranslated, QDialog):
    saved = Signal(str)
    agreement_wanted = Signal(str)

    def __init__(self, tasks: Tasks, paths: AppPaths, petition_id: str, staff_id: str,
                 hearing_id: str | None = None, parent: QWidget | None = None,
                 restore_draft: bool = False) -> None:
        super().__init__(parent)
        self._tasks, self._paths, self._staff_id = tasks, paths, staff_id
        self.petition_id, self.hearing_id = petition_id, hearing_id
        self._loading = True
        self.errors = FieldErrors()
        start = (tasks.call(hearings.hearing_input, hearing_id) if hearing_id
                 else HearingInput(petition_id=petition_id))
        if restore_draft:
            found = drafts.load_hearing_draft(paths, petition_id)
            if found is not None:
                start, draft_hearing = found
                self.hearing_id = draft_hearing or hearing_id
        self.context: HearingContext = tasks.call(hearings.hearing_context, petition_id,
                                                  start.officer_ids, self.hearing_id)
        if self.hearing_id is None and not restore_draft:
            # A new hearing: hosted by the petition's procurator, at the petitioner's home.
            start = replace(start, host_id=self.context.host_id,
                            township=self.context.township, village=self.context.village,
                            herding_group=self.context.herding_group)
        # The outcome as saved (an agreement is drafted from a hearing saved as settled).
        self._saved_outcome = (tasks.query(hearings.hearing_input, hearing_id).outcome
                               if hearing_id else "")
        self._statements: list[tuple[Participant, str]] = []
        self._opinion_edits: dict[str, QPlainTextEdit] = {}

        self.tabs = QTabWidget()
        # Each page scrolls inside the window: messages under the fields never push the
        # buttons below the screen.
        for page in (self._build_who(), self._build_minutes(), self._build_outcome(),
                     self._build_scans()):
            self.tabs.addTab(scrolling(page), "")
        self.message = MessageLine()
        self.save_button = QPushButton()
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.notice_button = QPushButton()
        self.minutes_button = QPushButton()
        self.agreement_button = QPushButton()
        self.agreement_button.clicked.connect(self._want_agreement)
        self.close_button = QPushButton()
        for button in (self.notice_button, self.minutes_button, self.agreement_button,
                       self.close_button):
            button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.notice_button.clicked.connect(lambda: self.preview("hearing-notice"))
        self.minutes_button.clicked.connect(lambda: self.preview("hearing-minutes"))
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.notice_button)
        buttons.addWidget(self.minutes_button)
        buttons.addWidget(self.agreement_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        for index in range(4):
            QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self,
                      lambda i=index: self._go_to_tab(i))
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)

        self.set_value(start)
        self._loading = False
        self.retranslate_ui()
        self.resize(900, 700)
        self.kind.setFocus()

    # -- building -------------------------------------------------------------------------------
    def _line(self) -> QLineEdit:
        edit = QLineEdit()
        edit.textChanged.connect(self._changed)
        return edit

    def _build_who(self) -> QWidget:
        page = QWidget()
        form = QFormLayout()
        self.kind = CodeCombo(HearingKind)
        self.kind.currentIndexChanged.connect(self._changed)
        self.held_at = DateTimeEdit(QDateTime.currentDateTime())
        self.held_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.held_at.setCalendarPopup(True)
        self.held_at.dateTimeChanged.connect(self._changed)
        self.township, self.village, self.herding_group = self._line(), self._line(), self._line()
        self.place = self._line()
        self.host = QComboBox()
        self.host.currentIndexChanged.connect(self._participants_changed)
        self.interpreter = self._line()
        self.errors.add_row(form, "kind", translated_label(N_("Kind of hearing")), self.kind)
        self.errors.add_row(form, "held_at", translated_label(N_("Date and time")),
                            self.held_at)
        where = QHBoxLayout()
        for edit, hint in ((self.township, N_("Township")), (self.village, N_("Village")),
                           (self.herding_group, N_("Herding group"))):
            edit.setProperty("hint", hint)
            where.addWidget(edit)
        where_box = QWidget()
        where_box.setLayout(where)
        where.setContentsMargins(0, 0, 0, 0)
        self.errors.add_row(form, "township", translated_label(N_("Township, village, group")),
                            where_box)
        self.errors.add_row(form, "place", translated_label(N_("Place")), self.place)
        self.errors.add_row(form, "host_id", translated_label(N_("Host")), self.host)
        self.procurators = Checklist()
        self.officers = Checklist()
        self.parties = Checklist()
        for checklist in (self.procurators, self.officers, self.parties):
            checklist.itemChanged.connect(self._participants_changed)
        self.errors.add_row(form, "procurator_ids", translated_label(N_("Procurators")),
                            self.procurators)
        officer_row = QHBoxLayout()
        officer_row.addWidget(self.officers, 1)
        self.roster_button = QPushButton()
        self.roster_button.setAutoDefault(False)
        self.roster_button.clicked.connect(self.edit_roster)
        officer_row.addWidget(self.roster_button, 0, Qt.AlignmentFlag.AlignTop)
        officer_box = QWidget()
        officer_box.setLayout(officer_row)
        officer_row.setContentsMargins(0, 0, 0, 0)
        self.errors.add_row(form, "officer_ids", translated_label(N_("Hearing officers")),
                            officer_box)
        self.errors.add_row(form, "party_ids", translated_label(N_("Parties")), self.parties)
        self.errors.add_row(form, "interpreter", translated_label(N_("Interpreter")),
                            self.interpreter)
        page.setLayout(form)
        return page

    def _build_minutes(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        self.speaker = QComboBox()
        self.statement = QPlainTextEdit()
        self.statement.setTabChangesFocus(True)
        self.add_statement_button = QPushButton()
        self.add_statement_button.setAutoDefault(False)
        self.add_statement_button.clicked.connect(self.add_statement)
        self.statement_list = QListWidget()
        self.statement_list.setWordWrap(True)
        self.statement_list.itemActivated.connect(self._edit_statement)
        self.remove_statement_button = QPushButton()
        self.remove_statement_button.setAutoDefault(False)
        self.remove_statement_button.clicked.connect(self.remove_statement)
        self.statement_hint = QLabel()
        self.statement_hint.setWordWrap(True)
        self.statement_error = QLabel()
        self.errors.register("statements", self.statement_error, self.statement_list)
        grid.addWidget(self.statement_list, 0, 0, 1, 3)
        grid.addWidget(self.statement_error, 1, 0, 1, 3)
        grid.addWidget(self.remove_statement_button, 2, 2)
        grid.addWidget(self.speaker, 3, 0)
        grid.addWidget(self.statement, 3, 1, 2, 1)
        grid.addWidget(self.add_statement_button, 3, 2)
        grid.addWidget(self.statement_hint, 5, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(0, 1)
        QShortcut(QKeySequence("Ctrl+Return"), self.statement, self.add_statement)
        QShortcut(QKeySequence("Ctrl+Enter"), self.statement, self.add_statement)
        QShortcut(QKeySequence("Ctrl+Up"), self.statement, lambda: self._step_speaker(-1))
        QShortcut(QKeySequence("Ctrl+Down"), self.statement, lambda: self._step_speaker(1))
        self.statement.textChanged.connect(self._changed)
        return page

    def _build_outcome(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(section(N_("Opinions of the hearing officers")))
        self.opinions_form = QFormLayout()
        self.no_officers = QLabel()
        layout.addWidget(self.no_officers)
        layout.addLayout(self.opinions_form)
        self.opinion_error = QLabel()
        self.errors.register("opinions", self.opinion_error, self.no_officers)
        layout.addWidget(self.opinion_error)
        layout.addWidget(section(N_("Outcome")))
        form = QFormLayout()
        self.outcome = CodeCombo(HearingOutcome, blank=N_("Not held yet (planned)"))
        self.outcome.currentIndexChanged.connect(self._changed)
        self.outcome_note = QPlainTextEdit()
        self.outcome_note.setTabChangesFocus(True)
        self.outcome_note.setMaximumHeight(90)
        self.outcome_note.textChanged.connect(self._changed)
        self.errors.add_row(form, "outcome", translated_label(N_("Outcome")), self.outcome)
        self.errors.add_row(form, "outcome_note", translated_label(N_("What follows")),
                            self.outcome_note)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _build_scans(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(section(N_("Scans and photos of the hearing")))
        self.attachments = AttachmentsStrip(self._tasks, self._paths, "hearing", self,
                                            staff_id=self._staff_id)
        layout.addWidget(self.attachments)
        layout.addStretch(1)
        return page

    # -- value ----------------------------------------------------------------------------------
    def set_value(self, data: HearingInput) -> None:
        loading, self._loading = self._loading, True
        self.kind.set_code(data.kind)
        if data.held_at:
            self.held_at.setDateTime(QDateTime.fromString(data.held_at, "yyyy-MM-ddTHH:mm"))
        self.township.setText(data.township)
        self.village.setText(data.village)
        self.herding_group.setText(data.herding_group)
        self.place.setText(data.place)
        self.interpreter.setText(data.interpreter)
        self._fill_people(host=data.host_id,
                          procurators=data.procurator_ids, officers=data.officer_ids,
                          parties=data.party_ids if data.party_ids or self.hearing_id
                          else [p.id for p in self.context.parties])
        self._statements = list(data.statements)
        self._refresh_statements()
        self._rebuild_opinions(data.opinions)
        self.outcome.set_code(data.outcome)
        self.outcome_note.setPlainText(data.outcome_note)
        self._loading = loading

    def value(self) -> HearingInput:
        host = self.host.currentData()
        return HearingInput(
            petition_id=self.petition_id, kind=self.kind.code(),
            held_at=self.held_at.dateTime().toString("yyyy-MM-ddTHH:mm"),
            township=self.township.text(), village=self.village.text(),
            herding_group=self.herding_group.text(), place=self.place.text(),
            host_id=str(host) if host else "", procurator_ids=self.procurators.ticked(),
            officer_ids=self.officers.ticked(), party_ids=self.parties.ticked(),
            interpreter=self.interpreter.text(), statements=list(self._statements),
            opinions={key: edit.toPlainText() for key, edit in self._opinion_edits.items()
                      if edit.toPlainText().strip()},
            outcome=self.outcome.code(), outcome_note=self.outcome_note.toPlainText())

    def _fill_people(self, host: str, procurators: list[str], officers: list[str],
                     parties: list[str]) -> None:
        self.host.blockSignals(True)
        self.host.clear()
        self.host.addItem(_("Choose…"), "")
        for person in self.context.staff:
            self.host.addItem(f"{_name(person)} ({label(StaffRole, person.detail)})",
                              person.id)
        self.host.setCurrentIndex(max(self.host.findData(host), 0))
        self.host.blockSignals(False)
        self.procurators.fill([(p.id, f"{_name(p)} ({label(StaffRole, p.detail)})")
                               for p in self.context.staff], procurators)
        self.officers.fill([(o.id, f"{_name(o)} ({label(OfficerRole, o.detail)})")
                            for o in self.context.officers], officers)
        self.parties.fill([(p.id, _name(p)) for p in self.context.parties], parties)
        self._refresh_speakers()

    # -- participants, statements, opinions -----------------------------------------------------
    def _who(self) -> list[tuple[Participant, str]]:
        """Everyone taking part, in the order the minutes name them."""
        names = {("procurator", p.id): _name(p) for p in self.context.staff}
        names.update({("officer", o.id): _name(o) for o in self.context.officers})
        names.update({("party", p.id): _name(p) for p in self.context.parties})
        host = self.host.currentData()
        keys: list[Participant] = [("procurator", str(host))] if host else []
        keys += [("procurator", k) for k in self.procurators.ticked() if k != host]
        keys += [("officer", k) for k in self.officers.ticked()]
        keys += [("party", k) for k in self.parties.ticked()]
        return [(key, names.get(key, "—")) for key in keys]

    def _speaker_text(self, who: Participant) -> str:
        names = dict(self._who())
        name = names.get(who)
        if name is None:  # no longer ticked; the save will say so
            name = "?"
        if who[0] == "procurator":  # staff say what they are: 检察官, 书记员, 检察长…
            role = next((p.detail for p in self.context.staff if p.id == who[1]), "")
            if role:
                return f"{name} ({label(StaffRole, role)})"
        return f"{name} ({_(KIND_OF[who[0]])})"

    def _participants_changed(self) -> None:
        if self._loading:
            return
        self._refresh_speakers()
        self._rebuild_opinions({k: e.toPlainText() for k, e in self._opinion_edits.items()})
        self._refresh_statements()
        self._changed()

    def _refresh_speakers(self) -> None:
        current = self.speaker.currentData()
        self.speaker.blockSignals(True)
        self.speaker.clear()
        for index, (key, name) in enumerate(self._who(), start=1):
            self.speaker.addItem(f"{index}. {name} ({_(KIND_OF[key[0]])})", key)
        found = self.speaker.findData(current) if current else -1
        self.speaker.setCurrentIndex(max(found, 0))
        self.speaker.blockSignals(False)

    def _step_speaker(self, step: int) -> None:
        if self.speaker.count():
            self.speaker.setCurrentIndex((self.speaker.currentIndex() + step)
                                         % self.speaker.count())

    def add_statement(self) -> None:
        text = self.statement.toPlainText().strip()
        who = self.speaker.currentData()
        if not text or not who:
            return
        self._statements.append(((str(who[0]), str(who[1])), text))
        self.statement.clear()
        self._refresh_statements()
        self.statement_list.scrollToBottom()
        self._changed()

    def _edit_statement(self, item: QListWidgetItem) -> None:
        """Enter on a statement takes it back into the editor, to correct it."""
        index = self.statement_list.row(item)
        who, text = self._statements.pop(index)
        self.speaker.setCurrentIndex(max(self.speaker.findData(who), 0))
        self.statement.setPlainText(text)
        self._refresh_statements()
        self.statement.setFocus()
        self._changed()

    def remove_statement(self) -> None:
        index = self.statement_list.currentRow()
        if 0 <= index < len(self._statements):
            del self._statements[index]
            self._refresh_statements()
            self._changed()

    def _refresh_statements(self) -> None:
        self.statement_list.clear()
        for who, text in self._statements:
            self.statement_list.addItem(f"{self._speaker_text(who)}: {text}")

    def _rebuild_opinions(self, opinions: dict[str, str]) -> None:
        while self.opinions_form.rowCount():
            self.opinions_form.removeRow(0)
        self._opinion_edits = {}
        names = {o.id: o for o in self.context.officers}
        for key in self.officers.ticked():
            edit = QPlainTextEdit(opinions.get(key, ""))
            edit.setTabChangesFocus(True)
            edit.setMaximumHeight(70)
            edit.textChanged.connect(self._changed)
            self._opinion_edits[key] = edit
            officer = names.get(key)
            self.opinions_form.addRow(_name(officer) if officer else "—", edit)
        self.no_officers.setVisible(not self._opinion_edits)

    def edit_roster(self) -> None:
        from ui.hearings.officers_dialog import OfficersDialog

        OfficersDialog(self._tasks, self.context.office_id, self).exec()
        value = self.value()
        self.context = self._tasks.call(hearings.hearing_context, self.petition_id,
                                        value.officer_ids, self.hearing_id)
        self.set_value(value)

    # -- drafts and saving ----------------------------------------------------------------------
    def _changed(self) -> None:
        if not self._loading:
            self._draft_timer.start()

    def save_draft(self) -> None:
        value = self.value()
        if self.hearing_id is None and drafts.hearing_is_blank(value):
            drafts.discard_hearing_draft(self._paths, self.petition_id)
        else:
            drafts.save_hearing_draft(self._paths, value, self.hearing_id)

    def save(self) -> None:
        self._draft_timer.stop()
        if self.statement.toPlainText().strip():
            self.add_statement()  # what is typed but not yet added goes into the minutes too
        self.errors.clear()
        self.message.clear()
        try:
            self.hearing_id = self._tasks.call(hearings.record_hearing, self.value(),
                                               self._staff_id, hearing_id=self.hearing_id)
        except InvalidInputError as error:
            unplaced = self.errors.show(error.problems)
            self._show_first_problem_tab(error)
            self.message.error("\n".join(p.translated() for p in unplaced)
                                 or error.translated())
            return
        except AppError as error:
            self.message.error(error.translated())
            return
        drafts.discard_hearing_draft(self._paths, self.petition_id)
        self._saved_outcome = self.value().outcome
        self.message.success(_("Hearing saved."))
        self.saved.emit(self.hearing_id)
        self.retranslate_ui()

    def _show_first_problem_tab(self, error: InvalidInputError) -> None:
        first = error.problems[0].field or ""
        if first.startswith("statements"):
            self.tabs.setCurrentIndex(1)
        elif first in ("opinions", "outcome", "outcome_note"):
            self.tabs.setCurrentIndex(2)
        else:
            self.tabs.setCurrentIndex(0)
        for problem in error.problems:
            if (problem.field or "").startswith("statements."):
                self.statement_error.setText(problem.translated())
                self.statement_error.show()
                index = int((problem.field or "").split(".")[1])
                self.statement_list.setCurrentRow(index)
                break

    def preview(self, kind: str) -> None:
        """The notice or the minutes drawn on the worker, then previewed."""
        if self.hearing_id is None:
            return
        hearing_id = self.hearing_id

        def draw(store: Any) -> bytes:
            from app.papers import documents as papers  # printing loads on first use
            if kind == "hearing-notice":
                return papers.render_hearing_notice(store, hearing_id)
            return papers.render_minutes(store, hearing_id)

        title = (title_text("Hearing notice") if kind == "hearing-notice"
                 else title_text("Hearing minutes"))
        name = f"{kind} {self.context.reg_no}.pdf"
        show_paper(self._tasks, self, draw, f"{title} {self.context.reg_no}", name)

    def _want_agreement(self) -> None:
        if self.hearing_id is not None:
            self.agreement_wanted.emit(self.hearing_id)

    def _go_to_tab(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)
        first = (self.kind, self.statement, self.outcome, self.attachments.list)[index]
        if index == 2 and self._opinion_edits:
            next(iter(self._opinion_edits.values())).setFocus()
        else:
            first.setFocus()

    def reject(self) -> None:
        """Closing keeps what was typed as a draft; the petition offers it back."""
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self.save_draft()
        super().reject()

    def retranslate_ui(self) -> None:
        held = self.hearing_id is not None
        self.setWindowTitle(title_text("Hearing — {number}").format(number=self.context.reg_no))
        for index, title in enumerate((N_("Where, when and who"), N_("What was said"),
                                       N_("Opinions and outcome"), N_("Scans and photos"))):
            self.tabs.setTabText(index, f"{_(title)} (Ctrl+{index + 1})")
        for edit in (self.township, self.village, self.herding_group):
            edit.setPlaceholderText(_(str(edit.property("hint"))))
        self.place.setPlaceholderText(_("e.g. the petitioner's tent at the summer pasture"))
        self.interpreter.setPlaceholderText(_("Name, and between which languages"))
        self.roster_button.setText(_("Roster…"))
        self.add_statement_button.setText(_("Add (Ctrl+Enter)"))
        self.remove_statement_button.setText(_("Remove"))
        self.statement_hint.setText(_(
            "Choose who speaks with Ctrl+Up and Ctrl+Down, type what they said and press "
            "Ctrl+Enter. Press Enter on a line above to correct it."))
        self.no_officers.setText(_("No hearing officer is ticked on the first tab."))
        self.save_button.setText(_("Save (Ctrl+S)"))
        self.notice_button.setText(_("Hearing notice…"))
        self.minutes_button.setText(_("Hearing minutes…"))
        self.close_button.setText(_("Close"))
        self.agreement_button.setText(_("Agreement…"))
        self.notice_button.setEnabled(held)
        self.minutes_button.setEnabled(held)
        self.attachments.set_owner(self.hearing_id)
        self.agreement_button.setEnabled(agreements.may_draft_from(self._saved_outcome))
        self.kind.retranslate()
        self.outcome.retranslate()
        value = self.value()
        loading, self._loading = self._loading, True
        self._fill_people(value.host_id, value.procurator_ids, value.officer_ids,
                          value.party_ids)
        self._refresh_statements()
        self._loading = loading
