"""One of the office's risk rules (三色预警): its colour, what it reads, its window in months and
how many records make it fire; a new rule when none is given. Only a leader of the office may
save (``app.ledger.rules`` refuses anyone else; the dialog says so)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from app.core.errors import AppError
from app.core.i18n import N_, _, title_text
from app.ledger import rules
from app.ledger.rules import Level, RiskRuleRow, RuleCode, RuleInput
from ui.core.tasks import Tasks
from ui.widgets.combo import CodeCombo
from ui.widgets.form_support import translated_label
from ui.widgets.save_form import SaveForm


class RuleDialog(SaveForm):
    """Edit ``rule`` (or add one of the office's own when it is None)."""


    def __init__(self, tasks: Tasks, office_id: str, rule: RiskRuleRow | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(tasks, parent)
        self._tasks, self._office_id, self.rule = tasks, office_id, rule
        self.level = CodeCombo(Level, blank=N_("Choose…"))
        self.code = CodeCombo(RuleCode, blank=N_("Choose…"))
        self.code.setMinimumContentsLength(28)
        self.months = QSpinBox()
        self.months.setRange(0, rules.MAX_MONTHS)
        self.min_count = QSpinBox()
        self.min_count.setRange(0, 999)
        self.active = QCheckBox()
        self.note = QLineEdit()
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        form = QFormLayout()
        self.errors.add_row(form, "level", translated_label(N_("Level")), self.level)
        self.errors.add_row(form, "code", translated_label(N_("What it reads")), self.code)
        self.errors.add_row(form, "months", translated_label(N_("Months")), self.months)
        self.errors.add_row(form, "min_count", translated_label(N_("At least (times)")),
                            self.min_count)
        form.addRow("", self.active)
        form.addRow(translated_label(N_("Note")), self.note)
        self.finish(form, self.explain)
        if rule is not None:
            self.level.set_code(rule.level)
            self.code.set_code(rule.code)
            self.months.setValue(rule.months)
            self.min_count.setValue(rule.min_count)
            self.active.setChecked(rule.active)
            self.note.setText(rule.note)
        else:
            self.months.setValue(12)
            self.min_count.setValue(1)
            self.active.setChecked(True)
        self.code.currentIndexChanged.connect(self._explain)
        self.retranslate_ui()
        self.resize(620, 420)
        self.level.setFocus()

    def value(self) -> RuleInput:
        return RuleInput(self.level.code(), self.code.code(), self.months.value(),
                         self.min_count.value(), self.active.isChecked(), self.note.text())

    def save(self) -> None:
        self.errors.clear()
        self.message.clear()
        try:
            if self.rule is None:
                rule_id = self._tasks.call(rules.add_rule, self._office_id, self.value())
            else:
                self._tasks.call(rules.edit_rule, self.rule.rule_id, self.value())
                rule_id = self.rule.rule_id
        except AppError as error:
            self._problem(error)
            return
        self.saved.emit(rule_id)
        self.accept()

    def _explain(self) -> None:
        if self.code.code() == RuleCode.SETTLED_STABLE:
            self.explain.setText(_(
                "Fires when the person's matter was settled or an agreement signed at least "
                "this many months ago, and nothing unsettling happened since."))
        else:
            self.explain.setText(_(
                "Fires when the records of this kind within the last months reach the number "
                "of times."))

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.setWindowTitle(title_text("Add a risk rule") if self.rule is None
                            else title_text("Risk rule"))
        self.level.retranslate()
        self.code.retranslate()
        self.active.setText(_("Active"))
        self._explain()
