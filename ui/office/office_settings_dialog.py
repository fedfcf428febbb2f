"""The office's deadline rule and the holiday schedule it enters when the library lags."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AppError, InvalidInputError
from app.core.formatting import format_number, format_short_date
from app.core.i18n import N_, _, ngettext, title_text
from app.core.labels import label
from app.ledger import charges
from app.ledger.charges import ChargeScope
from app.petitions import deadline_settings as office_settings
from app.petitions.deadline_settings import DeadlineUnit, HolidayKind
from app.petitions.deadlines import DeadlineRule
from ui.core.tasks import Tasks
from ui.widgets.combo import CodeCombo
from ui.widgets.fields import date_field, plain_table, show_problems
from ui.widgets.form_support import FieldErrors, scrolling, section, to_date, translated_label


class OfficeSettingsDialog(QDialog):
    def __init__(self, tasks: Tasks, office_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._office_id = tasks, office_id
        rule = tasks.call(office_settings.deadline_rule, office_id)
        self.unit = CodeCombo(DeadlineUnit)
        self.unit.set_code(rule.unit)
        self.reply_days = QSpinBox()
        self.reply_days.setRange(1, 60)
        self.reply_days.setValue(rule.reply_days)
        self.answer_months = QSpinBox()
        self.answer_months.setRange(1, 12)
        self.answer_months.setValue(rule.answer_months)
        self.rule_errors = FieldErrors()
        rule_box = QGroupBox()
        form = QFormLayout(rule_box)
        self.rule_errors.add_row(form, "unit", translated_label(N_("Count in")), self.unit)
        self.rule_errors.add_row(form, "reply_days",
                                 translated_label(N_("Procedural reply within (days)")),
                                 self.reply_days)
        self.rule_errors.add_row(form, "answer_months",
                                 translated_label(N_("Result answer within (months)")),
                                 self.answer_months)
        save_rule = QPushButton(_("Save the rule"))
        save_rule.clicked.connect(self.save_rule)
        form.addRow("", save_rule)

        # Which petitions a leader must take in charge (包案): the denominator of 包案率.
        charge_box = QGroupBox()
        self.charge_scope = CodeCombo(ChargeScope)
        self.charge_scope.set_code(tasks.call(charges.charge_scope, office_id))
        self.charge_errors = FieldErrors()
        charge_form = QFormLayout(charge_box)
        self.charge_errors.add_row(charge_form, "charge_scope",
                                   translated_label(N_("Petitions a leader must take in charge")),
                                   self.charge_scope)
        save_scope = QPushButton(_("Save the setting"))
        save_scope.clicked.connect(self.save_charge_scope)
        charge_form.addRow("", save_scope)

        holiday_box = QGroupBox()
        self.explain = QLabel(_("The official schedule of public holidays and make-up working "
                                "days is built in up to the latest year the library knows. When "
                                "the State Council publishes next year's schedule before Doorstep "
                                "is updated, enter its days here; what you enter always wins."))
        self.explain.setWordWrap(True)
        self.table = plain_table(3)
        self.table.setHorizontalHeaderLabels([_("Date"), _("Kind"), _("Note")])
        self.day = date_field()
        self.kind = CodeCombo(HolidayKind)
        self.note = QLineEdit()
        self.note.setPlaceholderText(_("e.g. Spring Festival"))
        add = QPushButton(_("Add the day"))
        add.clicked.connect(self.add_day)
        remove = QPushButton(_("Remove the selected day"))
        remove.clicked.connect(self.remove_day)
        # The kind is as wide as its longest name; the table takes the room the window has,
        # and shows a few days even when there is little.
        self.kind.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height()
                                    + 4 * self.table.verticalHeader().defaultSectionSize())
        entry = QHBoxLayout()  # the day and its kind, then its note (two scripts need room)
        entry.addWidget(self.day)
        entry.addWidget(self.kind, 1)
        noted = QHBoxLayout()
        noted.addWidget(self.note, 1)
        noted.addWidget(add)
        self.holiday_errors = FieldErrors()
        self.note_error = QLabel()
        self.holiday_errors.register("note", self.note_error, self.note)
        self.holiday_errors.register("kind", QLabel(), self.kind)
        column = QVBoxLayout(holiday_box)
        column.addWidget(self.explain)
        column.addWidget(self.table, 1)
        column.addLayout(entry)
        column.addLayout(noted)
        column.addWidget(self.note_error)
        column.addWidget(remove)
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        page = QWidget()  # scrolls on a low screen; the Close button stays in view
        column = QVBoxLayout(page)
        column.addWidget(section(N_("Deadline rule")))
        column.addWidget(rule_box)
        column.addWidget(section(N_("Leaders in charge (领导包案)")))
        column.addWidget(charge_box)
        column.addWidget(section(N_("Holiday schedule entered by the office")))
        column.addWidget(holiday_box, 1)
        column.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolling(page), 1)
        layout.addWidget(buttons)
        self.setWindowTitle(title_text("Deadlines and holidays"))
        self.resize(820, 700)
        self.changed_any = False
        self._entries: list[office_settings.HolidayEntry] = []
        self.reload()

    def reload(self) -> None:
        self._entries = self._tasks.call(office_settings.holiday_entries)
        self.table.setRowCount(len(self._entries))
        for row, item in enumerate(self._entries):
            for column, text in enumerate((format_short_date(item.day),
                                           label(HolidayKind, item.kind), item.note)):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def _report(self, changed: int) -> None:
        self.changed_any = True
        self.status.setText(ngettext("{n} open petition has new due dates.",
                                     "{n} open petitions have new due dates.", changed)
                            .format(n=format_number(changed)))

    def save_rule(self) -> None:
        self.rule_errors.clear()
        try:
            rule = DeadlineRule(self.unit.code(), self.reply_days.value(),
                                self.answer_months.value())
            changed = self._tasks.call(office_settings.set_deadline_rule, self._office_id, rule)
        except InvalidInputError as error:
            self.rule_errors.show(error.problems)
            return
        self._report(changed)

    def save_charge_scope(self) -> None:
        self.charge_errors.clear()
        try:
            self._tasks.call(charges.set_charge_scope, self._office_id, self.charge_scope.code())
        except AppError as error:
            show_problems(self.charge_errors, self.status, error)
            return
        self.status.setStyleSheet("")
        self.status.setText(_("The setting was saved."))

    def add_day(self) -> None:
        self.holiday_errors.clear()
        try:
            changed = self._tasks.call(office_settings.add_holiday, to_date(self.day.date()),
                                       self.kind.code(), self.note.text())
        except InvalidInputError as error:
            self.holiday_errors.show(error.problems)
            return
        self.note.clear()
        self.reload()
        self._report(changed)

    def remove_day(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self._entries):
            return
        try:
            changed = self._tasks.call(office_settings.remove_holiday, self._entries[row].id)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        self.reload()
        self._report(changed)
