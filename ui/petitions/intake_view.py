"""The intake form of the 12309 window: register a petition fast from the keyboard.

Typing a person's name, ID number or phone looks for persons already registered and lists them
with their earlier petitions; choosing one links that person (the petition becomes a repeat
petition). The form saves a draft as it is typed; the next start offers it back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import duties
from app.core.errors import AppError, InvalidInputError, ValidationError
from app.core.formatting import format_iso_date, format_short_datetime
from app.core.i18n import N_, _, pick, title_text
from app.core.labels import (
    BusinessType,
    Category,
    Channel,
    Ethnicity,
    Jurisdiction,
    Language,
    PartyRole,
    Sex,
    StaffRole,
    label,
)
from app.core.paths import AppPaths
from app.persons import records as persons
from app.persons.records import MatchReason, PersonInput, PersonMatch
from app.petitions import drafts
from app.petitions import intake as petitions
from app.petitions.intake import PetitionInput
from ui.core.tasks import Tasks, TasksClosedError
from ui.widgets.combo import CodeCombo, compact
from ui.widgets.fields import DateTimeEdit, MessageLine
from ui.widgets.form_support import (
    FieldErrors,
    FormGrid,
    Retranslated,
    focus_first,
    retranslate_labels,
    section,
    translated_label,
)

MATCH_DELAY_MS = 250
DRAFT_DELAY_MS = 800
CLOCK_TICK_MS = 15_000  # how often an untouched received time catches up with the clock
PERSON_TEXT_FIELDS = ("name_bo", "name_zh", "id_number", "phone", "county", "township", "village",
                      "herding_group")


class PersonEditor(QWidget):
    changed = Signal()

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.existing_id: str | None = None
        self.matches: list[PersonMatch] = []
        self.edits: dict[str, QLineEdit] = {name: QLineEdit() for name in PERSON_TEXT_FIELDS}
        self.edits["id_number"].setMaxLength(22)
        self.edits["name_zh"].setMaxLength(60)
        self.edits["name_bo"].setMaxLength(120)
        self.role = CodeCombo(PartyRole)
        self.sex = CodeCombo(Sex, "—")
        self.ethnicity = CodeCombo(Ethnicity, "—")
        self.language = CodeCombo(Language)
        self.interpreter = QCheckBox()
        self.linked = QLabel()
        self.linked.setWordWrap(True)
        self.linked.setStyleSheet("color: #1b5e20")
        self.unlink_button = QPushButton()
        self.unlink_button.clicked.connect(self.unlink)
        self.match_title = QLabel()
        self.match_list = QListWidget()
        self.match_list.setWordWrap(True)
        self.use_button = QPushButton()
        self.use_button.clicked.connect(self.use_selected)
        self.match_list.itemActivated.connect(lambda _item: self.use_selected())
        self.errors = FieldErrors()

        grid = FormGrid(self.errors)
        grid.add("role", translated_label(N_("Takes part as")), self.role)
        grid.add("preferred_language", translated_label(N_("Preferred language")),
                 self.language)
        grid.add("name_bo", translated_label(N_("Name (Tibetan)")), self.edits["name_bo"])
        grid.add("name_zh", translated_label(N_("Name (Chinese)")), self.edits["name_zh"])
        grid.add("sex", translated_label(N_("Sex")), self.sex)
        grid.add("ethnicity", translated_label(N_("Ethnicity")), self.ethnicity)
        grid.add("id_number", translated_label(N_("Resident ID number")),
                 self.edits["id_number"])
        grid.add("phone", translated_label(N_("Phone")), self.edits["phone"])
        grid.add("county", translated_label(N_("County")), self.edits["county"])
        grid.add("township", translated_label(N_("Township")), self.edits["township"])
        grid.add("village", translated_label(N_("Village")), self.edits["village"])
        grid.add("herding_group", translated_label(N_("Herding group")),
                 self.edits["herding_group"])
        grid.add("", None, self.interpreter)
        # The persons already registered that the name or number may be: under the fields
        # (beside them, two fields a row would not fit a laptop screen in both scripts).
        self.match_list.setMaximumHeight(160)
        found = QVBoxLayout()
        found.addWidget(self.linked)
        found.addWidget(self.unlink_button, 0, Qt.AlignmentFlag.AlignLeft)
        found.addWidget(self.match_title)
        found.addWidget(self.match_list)
        found.addWidget(self.use_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(grid)
        layout.addLayout(found)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(MATCH_DELAY_MS)
        self._timer.timeout.connect(self.look_up)
        for name in ("name_bo", "name_zh", "id_number", "phone"):
            self.edits[name].textEdited.connect(lambda _t: self._timer.start())
        for edit in self.edits.values():
            edit.textChanged.connect(self.changed)
        for combo in (self.role, self.sex, self.ethnicity, self.language):
            combo.currentIndexChanged.connect(self.changed)
        self.interpreter.toggled.connect(self.changed)
        self.retranslate_ui()

    def tab_chain(self) -> list[QWidget]:
        """The person's fields in the order the form shows them, then the matches."""
        edits = self.edits
        return [self.role, self.language, edits["name_bo"], edits["name_zh"], self.sex,
                self.ethnicity, edits["id_number"], edits["phone"], edits["county"],
                edits["township"], edits["village"], edits["herding_group"], self.interpreter,
                self.unlink_button, self.match_list, self.use_button]

    def value(self) -> PersonInput:
        return PersonInput(
            **{name: edit.text() for name, edit in self.edits.items()}, sex=self.sex.code(),
            ethnicity=self.ethnicity.code(), preferred_language=self.language.code(),
            needs_interpreter=self.interpreter.isChecked(), role=self.role.code(),
            existing_id=self.existing_id)

    def set_value(self, person: PersonInput) -> None:
        for name, edit in self.edits.items():
            edit.setText(getattr(person, name))
        self.sex.set_code(person.sex)
        self.ethnicity.set_code(person.ethnicity)
        self.language.set_code(person.preferred_language)
        self.interpreter.setChecked(person.needs_interpreter)
        self.role.set_code(person.role)
        self.existing_id = person.existing_id
        self.retranslate_ui()

    def look_up(self) -> None:
        v = self.value()
        try:
            found = self._tasks.call(persons.find_matches, v.name_bo, v.name_zh, v.id_number,
                                     v.phone)
        except TasksClosedError:  # the timer fired while the window closes: nothing to show
            return
        self.matches = [m for m in found if m.person_id != self.existing_id]
        self._show_matches()

    def _show_matches(self) -> None:
        self.match_list.clear()
        for match in self.matches:
            lines = [f"{pick(match.name_zh, match.name_bo)}  ·  {label(MatchReason, match.reason)}",
                     " ".join(x for x in (match.id_number, match.phone, match.county,
                                          match.township) if x)]
            for earlier in match.petitions:
                lines.append(f"  {earlier.reg_no}  "
                             f"{format_short_datetime(datetime.fromisoformat(earlier.received_at))}"
                             f"  {earlier.summary[:30]}")
            item = QListWidgetItem("\n".join(lines))
            item.setData(Qt.ItemDataRole.UserRole, match.person_id)
            self.match_list.addItem(item)
        if self.matches:
            self.match_list.setCurrentRow(0)
        self.match_title.setVisible(bool(self.matches))
        self.match_list.setVisible(bool(self.matches))
        self.use_button.setVisible(bool(self.matches))

    def use_selected(self) -> None:
        row = self.match_list.currentRow()
        if 0 <= row < len(self.matches):
            self.link(self.matches[row])

    def link(self, match: PersonMatch) -> None:
        """Use an existing person: fill in what we know of them and link the record."""
        known = {"name_bo": match.name_bo, "name_zh": match.name_zh,
                 "id_number": match.id_number, "phone": match.phone, "county": match.county,
                 "township": match.township}
        for name, value in known.items():
            if value:
                self.edits[name].setText(value)
        self.existing_id = match.person_id
        self.matches = []
        self._show_matches()
        self.retranslate_ui()
        self.changed.emit()

    def unlink(self) -> None:
        self.existing_id = None
        self.retranslate_ui()
        self.changed.emit()

    def retranslate_ui(self) -> None:
        for combo in (self.role, self.sex, self.ethnicity, self.language):
            combo.retranslate()
        self.interpreter.setText(_("Interpreter needed"))
        self.linked.setText(_("Linked to a person already registered: this is a repeat "
                              "petition.") if self.existing_id else "")
        self.linked.setVisible(bool(self.existing_id))
        self.unlink_button.setText(_("Not the same person"))
        self.unlink_button.setVisible(bool(self.existing_id))
        self.match_title.setText(_("Already registered (choose if it is the same person):"))
        self.use_button.setText(_("Same person: use this record"))
        self._show_matches()


class IntakeView(Retranslated, QWidget):
    registered = Signal(str)

    def __init__(self, tasks: Tasks, paths: AppPaths, staff_id: str, office_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._paths = tasks, paths
        self._staff: dict[str, list[duties.StaffChoice]] = {}
        self.staff_id, self.office_id = staff_id, office_id
        self._loading = False
        self.errors = FieldErrors()

        self.channel = CodeCombo(Channel)
        self.received = DateTimeEdit(QDateTime.currentDateTime())
        self.received.setCalendarPopup(True)
        self.received.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.higher_office = QLineEdit()
        self.higher_ref = QLineEdit()
        self.persons = QTabWidget()
        self.add_person_button = QPushButton()
        self.remove_person_button = QPushButton()
        self.is_group = QCheckBox()
        self.head_count = QSpinBox()
        self.head_count.setRange(0, 100_000)
        self.category = CodeCombo(Category, N_("Choose…"))
        self.business_type = CodeCombo(BusinessType, N_("Choose…"))
        self.summary = QPlainTextEdit()
        self.requests = QPlainTextEdit()
        for text in (self.summary, self.requests):
            text.setTabChangesFocus(True)
            text.setFixedHeight(80)
        self.original_case_no = QLineEdit()
        self.is_sensitive = QCheckBox()
        self.jurisdiction = CodeCombo(Jurisdiction)
        self.referral_body = QLineEdit()
        self.referral_note = QPlainTextEdit()
        self.referral_note.setTabChangesFocus(True)
        self.referral_note.setFixedHeight(60)
        self.procurator = QComboBox()
        self.leader = QComboBox()
        compact(self.procurator)
        compact(self.leader)
        self.save_button = QPushButton()
        self.clear_button = QPushButton()
        self.print_receipt = QPushButton()
        self.print_receipt.hide()
        self.print_receipt.clicked.connect(self.preview_receipt)
        self.last_registered = ""
        self.message = MessageLine()
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.came_in = QGroupBox()
        self.came_in_grid = grid = FormGrid(self.errors, parent=self.came_in)
        grid.add("channel", translated_label(N_("Channel")), self.channel)
        grid.add("received_at", translated_label(N_("Received")), self.received)
        grid.add("higher_office", translated_label(N_("Higher office")), self.higher_office)
        grid.add("higher_ref", translated_label(N_("Its reference")), self.higher_ref)

        self.people_box = QGroupBox()
        people = QVBoxLayout(self.people_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_person_button)
        buttons.addWidget(self.remove_person_button)
        buttons.addStretch(1)
        buttons.addWidget(self.is_group)
        buttons.addWidget(self.head_count)
        people.addLayout(buttons)
        self.persons_error = QLabel()
        self.head_count_error = QLabel()
        self.errors.register("persons", self.persons_error, self.persons)
        self.errors.register("head_count", self.head_count_error, self.head_count)
        people.addWidget(self.persons_error)
        people.addWidget(self.head_count_error)
        people.addWidget(self.persons)

        self.matter = QGroupBox()
        grid = FormGrid(self.errors, parent=self.matter)
        grid.add("category", translated_label(N_("Category")), self.category)
        grid.add("business_type", translated_label(N_("Business type")), self.business_type)
        grid.add("summary", translated_label(N_("Summary")), self.summary, wide=True)
        grid.add("requests", translated_label(N_("Requests")), self.requests, wide=True)
        grid.add("original_case_no", translated_label(N_("Original case number")),
                 self.original_case_no)
        grid.add("", None, self.is_sensitive)

        self.handling = QGroupBox()
        self.handling_grid = grid = FormGrid(self.errors, parent=self.handling)
        grid.add("jurisdiction", translated_label(N_("Jurisdiction")), self.jurisdiction,
                 wide=True)
        grid.add("referral_body", translated_label(N_("Referred to")), self.referral_body)
        grid.add("referral_note", translated_label(N_("Referral note")), self.referral_note,
                 wide=True)
        grid.add("handling_procurator_id", translated_label(N_("Handling procurator")),
                 self.procurator)
        grid.add("leader_id", translated_label(N_("Leader in charge")), self.leader)

        content = QWidget()
        column = QVBoxLayout(content)
        self.headings = [section(N_("How it came in")), section(N_("Petitioners")),
                         section(N_("The matter")), section(N_("Jurisdiction and handling"))]
        for heading, box in zip(self.headings, (self.came_in, self.people_box, self.matter,
                                                self.handling), strict=True):
            column.addWidget(heading)
            column.addWidget(box)
        self.form_scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.print_receipt)
        bottom.addWidget(self.clear_button)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)

        self.save_button.clicked.connect(self.save)
        self.save_button.setDefault(True)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        self.clear_button.clicked.connect(self.clear)
        self.add_person_button.clicked.connect(lambda: self.add_person())
        self.remove_person_button.clicked.connect(self.remove_person)
        self.channel.currentIndexChanged.connect(self._update_enabled)
        self.jurisdiction.currentIndexChanged.connect(self._update_enabled)
        self.is_group.toggled.connect(self._update_enabled)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        # The received time shown follows the clock until the clerk sets it: a petition is
        # saved as received when it is registered unless the clerk said otherwise.
        self._received_set = False
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(CLOCK_TICK_MS)
        self._clock_timer.timeout.connect(self._follow_clock)
        self._clock_timer.start()
        for edit in (self.higher_office, self.higher_ref, self.original_case_no,
                     self.referral_body):
            edit.textChanged.connect(self._changed)
        for text in (self.summary, self.requests, self.referral_note):
            text.textChanged.connect(self._changed)
        for combo in (self.channel, self.category, self.business_type, self.jurisdiction,
                      self.procurator, self.leader):
            combo.currentIndexChanged.connect(self._changed)
        for check in (self.is_group, self.is_sensitive):
            check.toggled.connect(self._changed)
        self.head_count.valueChanged.connect(self._changed)
        self.received.dateTimeChanged.connect(self._received_changed)

        self._loading = True
        self.add_person()
        self._loading = False
        self.reload_staff()
        self.retranslate_ui()

    # -- keyboard ---------------------------------------------------------------------------------
    def tab_chain(self) -> list[QWidget]:
        """Every field the clerk can reach by Tab, in the order the form shows them (the
        person shown, its fields), that is shown and enabled now."""
        editor = self.persons.currentWidget()
        person = editor.tab_chain() if isinstance(editor, PersonEditor) else []
        chain = [self.channel, self.received, self.higher_office, self.higher_ref,
                 self.add_person_button, self.remove_person_button, self.is_group,
                 self.head_count, self.persons.tabBar(), *person, self.category,
                 self.business_type, self.summary, self.requests, self.original_case_no,
                 self.is_sensitive, self.jurisdiction, self.referral_body, self.referral_note,
                 self.procurator, self.leader, self.print_receipt, self.clear_button,
                 self.save_button]
        return [w for w in chain if w.isVisibleTo(self) and w.isEnabled()
                and w.focusPolicy() & Qt.FocusPolicy.TabFocus]

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 (Qt's names)
        """Tab and Shift+Tab go round the form's fields in order and never leave the form
        for the list of areas (where Down would switch to another area)."""
        chain = self.tab_chain()
        current = QApplication.focusWidget()
        if not chain or current not in chain:
            return bool(super().focusNextPrevChild(next))
        step = 1 if next else -1
        target = chain[(chain.index(current) + step) % len(chain)]
        target.setFocus(Qt.FocusReason.TabFocusReason if next
                        else Qt.FocusReason.BacktabFocusReason)
        return True

    # -- persons ------------------------------------------------------------------------------
    def editors(self) -> list[PersonEditor]:
        found = [self.persons.widget(i) for i in range(self.persons.count())]
        return [w for w in found if isinstance(w, PersonEditor)]

    def add_person(self, person: PersonInput | None = None) -> PersonEditor:
        editor = PersonEditor(self._tasks)
        if person is not None:
            editor.set_value(person)
        editor.changed.connect(self._changed)
        self.persons.addTab(editor, "")
        self.persons.setCurrentWidget(editor)
        self._retitle_tabs()
        editor.edits["name_bo"].setFocus()
        self._changed()
        return editor

    def remove_person(self) -> None:
        if self.persons.count() > 1:
            self.persons.removeTab(self.persons.currentIndex())
            self._retitle_tabs()
            self._changed()

    def _retitle_tabs(self) -> None:
        for i, editor in enumerate(self.editors()):
            name = pick(editor.edits["name_zh"].text(), editor.edits["name_bo"].text())
            self.persons.setTabText(i, name or _("Person {n}").format(n=i + 1))

    # -- the form as data -------------------------------------------------------------------
    def _received_changed(self) -> None:
        if not self._loading:
            self._received_set = True
        self._changed()

    def _follow_clock(self) -> None:
        if not self._received_set:
            self._show_now()

    def _show_now(self) -> None:
        loading, self._loading = self._loading, True
        try:
            self.received.setDateTime(QDateTime.currentDateTime())
        finally:
            self._loading = loading

    def value(self) -> PetitionInput:
        # Empty unless the clerk set it: the time of registering (petitions.register).
        received = (self.received.dateTime().toString("yyyy-MM-ddTHH:mm")
                    if self._received_set else "")
        return PetitionInput(
            channel=self.channel.code(), higher_office=self.higher_office.text(),
            higher_ref=self.higher_ref.text(), received_at=received,
            persons=[e.value() for e in self.editors()], is_group=self.is_group.isChecked(),
            head_count=self.head_count.value(), category=self.category.code(),
            business_type=self.business_type.code(), summary=self.summary.toPlainText(),
            requests=self.requests.toPlainText(), original_case_no=self.original_case_no.text(),
            is_sensitive=self.is_sensitive.isChecked(), jurisdiction=self.jurisdiction.code(),
            referral_body=self.referral_body.text(),
            referral_note=self.referral_note.toPlainText(),
            handling_procurator_id=str(self.procurator.currentData() or ""),
            leader_id=str(self.leader.currentData() or ""))

    def set_value(self, data: PetitionInput) -> None:
        self._loading = True
        try:
            self.channel.set_code(data.channel)
            parsed = QDateTime.fromString(data.received_at, "yyyy-MM-ddTHH:mm")
            self.received.setDateTime(parsed if parsed.isValid()
                                      else QDateTime.currentDateTime())
            self._received_set = parsed.isValid()
            self.higher_office.setText(data.higher_office)
            self.higher_ref.setText(data.higher_ref)
            while self.persons.count():
                self.persons.removeTab(0)
            for person in data.persons or [PersonInput()]:
                self.add_person(person)
            self.persons.setCurrentIndex(0)
            self.is_group.setChecked(data.is_group)
            self.head_count.setValue(data.head_count)
            self.category.set_code(data.category)
            self.business_type.set_code(data.business_type)
            self.summary.setPlainText(data.summary)
            self.requests.setPlainText(data.requests)
            self.original_case_no.setText(data.original_case_no)
            self.is_sensitive.setChecked(data.is_sensitive)
            self.jurisdiction.set_code(data.jurisdiction)
            self.referral_body.setText(data.referral_body)
            self.referral_note.setPlainText(data.referral_note)
            self.procurator.setCurrentIndex(max(self.procurator.findData(
                data.handling_procurator_id), 0))
            self.leader.setCurrentIndex(max(self.leader.findData(data.leader_id), 0))
        finally:
            self._loading = False
        self._update_enabled()

    def clear(self) -> None:
        self.set_value(PetitionInput(persons=[PersonInput()]))
        self.errors.clear()
        for editor in self.editors():
            editor.errors.clear()
        drafts.discard_intake_draft(self._paths)
        self.channel.setFocus()

    # -- drafts ---------------------------------------------------------------------------------
    def _changed(self) -> None:
        self._retitle_tabs()
        if not self._loading:
            self._draft_timer.start()

    def save_draft(self) -> None:
        value = self.value()
        if drafts.is_blank(value):
            drafts.discard_intake_draft(self._paths)
        else:
            drafts.save_intake_draft(self._paths, value)

    def restore_draft(self) -> bool:
        draft = drafts.load_intake_draft(self._paths)
        if draft is None:
            return False
        self.set_value(draft)
        return True

    # -- saving ---------------------------------------------------------------------------------
    def save(self) -> None:
        self._draft_timer.stop()
        self.print_receipt.hide()
        self.errors.clear()
        for editor in self.editors():
            editor.errors.clear()
        try:
            done = self._tasks.call(petitions.register, self.value(), self.staff_id)
        except InvalidInputError as error:
            self.show_problems(error.problems)
            self.message.error(error.translated())
            return
        except AppError as error:
            self.message.error(error.translated())
            return
        self.clear()

        def said() -> str:  # said again in the new language after a switch
            text = _("Registered {number}. Procedural reply due {reply}; result answer due "
                     "{answer}.").format(
                number=done.reg_no, reply=format_iso_date(done.reply_due.isoformat(), "long"),
                answer=format_iso_date(done.answer_due.isoformat(), "long"))
            if done.provisional:
                text += " " + _("This laptop has no registration numbers left, so the number "
                                "is provisional until the office laptop gives it a block of "
                                "numbers.")
            elif petitions.numbers_note(done):
                text += " " + petitions.numbers_note(done)
            return text
        self.message.success(said)
        self.last_registered = done.id
        self.print_receipt.show()
        self.registered.emit(done.id)

    def preview_receipt(self) -> None:
        """The receipt of the petition just registered, drawn on the worker, then shown."""
        from app.papers import kinds
        from ui.widgets.paper_preview import show_paper

        kind, petition_id = kinds.RECEIPT, self.last_registered

        def draw(store: Any) -> bytes:
            from app.papers import documents as papers  # printing loads on first use

            return papers.render(store, petition_id, kind)

        show_paper(self._tasks, self, draw, title_text(kinds.PAPERS[kind]), f"{kind}.pdf")

    def show_problems(self, problems: list[ValidationError]) -> None:
        by_person: dict[int, list[ValidationError]] = {}
        own = []
        for problem in problems:
            name = problem.field or ""
            if name.startswith("persons.") and name.count(".") == 2:
                _prefix, position, field = name.split(".")
                by_person.setdefault(int(position), []).append(
                    ValidationError(problem.message, field=field, **problem.params))
            else:
                own.append(problem)
        self.errors.show(own, focus=False)
        bad = self.errors.widgets(own)
        person_bad: list[QWidget] = []
        editors = self.editors()
        for index, found in sorted(by_person.items(), reverse=True):
            if index < len(editors):
                editors[index].errors.show(found, focus=False)
                self.persons.setCurrentIndex(index)
                person_bad = editors[index].errors.widgets(found)
        bad += person_bad  # of the person shown: the first one with a problem
        # The first bad field down the form gets the focus and is scrolled into view.
        focus_first(bad)

    # -- staff and language -----------------------------------------------------------------
    def reload_staff(self) -> None:
        """Read again who may handle and who may lead a petition (the staff changed), then
        show them."""
        self._staff = {duty: (self._tasks.query(duties.eligible_staff, self.office_id, duty)
                              if self.office_id else [])
                       for duty in (duties.HANDLE, duties.LEAD)}
        self._fill_staff()

    def _fill_staff(self) -> None:
        for combo, duty in ((self.procurator, duties.HANDLE), (self.leader, duties.LEAD)):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("—", "")
            for member in self._staff.get(duty, []):
                combo.addItem(f"{pick(member.name_zh, member.name_bo)} · "
                              f"{label(StaffRole, member.role)}", member.staff_id)
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.blockSignals(False)

    def _update_enabled(self) -> None:
        # A field that does not apply is not shown: the form stays short.
        higher = self.channel.code() == "higher"
        self.came_in_grid.set_shown(self.higher_office, higher)
        self.came_in_grid.set_shown(self.higher_ref, higher)
        refer = self.jurisdiction.code() == "refer"
        self.handling_grid.set_shown(self.referral_body, refer)
        self.handling_grid.set_shown(self.referral_note, refer)
        self.head_count.setEnabled(self.is_group.isChecked())

    def retranslate_ui(self) -> None:
        retranslate_labels(self)
        for combo in (self.channel, self.category, self.business_type, self.jurisdiction):
            combo.retranslate()
        self.add_person_button.setText(_("Add a person"))
        self.remove_person_button.setText(_("Remove this person"))
        self.is_group.setText(_("Group visit, head count:"))
        self.is_sensitive.setText(_("Sensitive"))
        self.save_button.setText(_("Register (Ctrl+S)"))
        self.clear_button.setText(_("Clear the form"))
        self.print_receipt.setText(_("Print the receipt…"))
        for editor in self.editors():
            editor.retranslate_ui()
        self._fill_staff()
        self._retitle_tabs()
        self._update_enabled()
