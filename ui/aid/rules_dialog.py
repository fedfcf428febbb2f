"""The office's judicial aid rule: above which amount only the chief procurator may approve.

Anyone may read it; only the chief procurator or a deputy of the office may change it.
"""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.aid import cases as aid
from app.core import duties
from app.core.errors import AppError, ValidationError
from app.core.formatting import format_money
from app.core.i18n import N_, _, title_text
from app.core.money import yuan_text
from ui.core.tasks import Tasks
from ui.widgets.fields import AmountField, MessageLine
from ui.widgets.form_support import (
    FieldErrors,
    Retranslated,
    translated_label,
)


class AidRulesDialog(Retranslated, QDialog):
    def __init__(self, tasks: Tasks, office_id: str, staff_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._office_id, self._staff_id = tasks, office_id, staff_id
        self.may_change = any(u.staff_id == staff_id for u in tasks.call(
            duties.eligible_staff, office_id, duties.DECIDE_AID))
        self.threshold = tasks.call(aid.chief_threshold, office_id)
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.current = QLabel()
        self.amount = AmountField()
        self.amount.setText(yuan_text(self.threshold))
        self.amount.edit.setEnabled(self.may_change)
        self.errors = FieldErrors()
        form = QFormLayout()
        form.addRow(translated_label(N_("At present")), self.current)
        self.errors.add_row(form, "threshold", translated_label(N_("Limit for deputies (yuan)")),
                            self.amount)
        self.save_button = QPushButton()
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addStretch(1)
        form.addRow("", save_row)
        self.message = MessageLine()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        self.changed_any = False
        self.retranslate_ui()
        if not self.may_change:
            self._refuse()
        self.resize(620, 360)
        self.amount.edit.setFocus()

    def _refuse(self) -> None:
        self.message.error(_("Only the chief procurator or a deputy chief procurator of this "
                               "office can change this rule."))

    def save(self) -> None:
        self.errors.clear()
        if not self.may_change:
            self._refuse()
            return
        try:
            self.threshold = self._tasks.call(aid.set_chief_threshold, self._office_id,
                                              self.amount.text(), self._staff_id)
        except ValidationError as error:
            self.errors.show([error])
            self.message.clear()
            return
        except AppError as error:
            self.message.error(error.translated())
            return
        self.changed_any = True
        self.amount.setText(yuan_text(self.threshold))
        self.retranslate_ui()
        self.message.success(_("Saved."))

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Judicial aid rules"))
        self.explain.setText(_(
            "The handling procurator proposes judicial aid; the chief procurator or a deputy "
            "chief procurator decides on it, never on their own proposal. Up to the limit "
            "below a deputy chief procurator may approve aid; above it, only the chief "
            "procurator may."))
        self.current.setText(format_money(self.threshold))
        self.amount.retranslate_ui()
        self.save_button.setText(_("Save (Ctrl+S)"))
        self.save_button.setEnabled(self.may_change)
