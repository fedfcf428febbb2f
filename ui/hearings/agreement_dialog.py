"""A settle-and-withdraw agreement: its text for this case in both scripts, printing, and what
became of it (signed on a date, or withdrawn)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AppError, InvalidInputError
from app.core.formatting import format_iso_date
from app.core.i18n import N_, _, title_text
from app.core.labels import AgreementStatus, label
from app.core.paths import AppPaths
from app.hearings import agreements
from app.hearings.agreements import AgreementDetail, AgreementText
from ui.core.tasks import Tasks
from ui.hearings.attachments_view import AttachmentsStrip
from ui.widgets.fields import MessageLine, confirm, date_field
from ui.widgets.form_support import (
    FieldErrors,
    Retranslated,
    to_date,
    translated_label,
)
from ui.widgets.paper_preview import PaperPreview, show_paper

SECTION_LABELS = {
    "matter": N_("The matter"),
    "office": N_("The office undertakes (one clause a line)"),
    "petitioner": N_("The petitioner undertakes (one clause a line)"),
    "closing": N_("Closing"),
}
SCRIPT_TABS = {"zh": N_("Chinese text"), "bo": N_("Tibetan text")}


class SignedDialog(QDialog):
    """The day the agreement was signed and thumb-printed."""

    def __init__(self, agreed_on: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.signed_on = date_field(earliest=QDate.fromString(agreed_on, "yyyy-MM-dd"),
                                    latest=QDate.currentDate())
        self.errors = FieldErrors()
        form = QFormLayout()
        self.errors.add_row(form, "signed_on", translated_label(N_("Signed on")),
                            self.signed_on)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setWindowTitle(title_text("The agreement was signed"))

    def day(self) -> date:
        return to_date(self.signed_on.date())


class AgreementDialog(Retranslated, QDialog):
    changed = Signal()

    def __init__(self, tasks: Tasks, paths: AppPaths, agreement_id: str, staff_id: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._paths, self._staff_id = tasks, paths, staff_id
        self.agreement_id = agreement_id
        self.detail: AgreementDetail = tasks.call(agreements.agreement_detail, agreement_id)
        self.errors = FieldErrors()
        self.status = QLabel()
        self.agreed_on = date_field()
        self.place = QLineEdit()
        self.bilingual = QCheckBox()
        top = QFormLayout()
        top.addRow(translated_label(N_("Status")), self.status)
        self.errors.add_row(top, "agreed_on", translated_label(N_("Date of the agreement")),
                            self.agreed_on)
        self.errors.add_row(top, "place", translated_label(N_("Place")), self.place)
        top.addRow(translated_label(N_("Print in both scripts")), self.bilingual)
        self.edits: dict[str, QPlainTextEdit] = {}
        self.tabs = QTabWidget()
        for script in agreements.SCRIPTS:
            page = QWidget()
            form = QFormLayout(page)
            for name in agreements.SECTIONS:
                edit = QPlainTextEdit()
                edit.setTabChangesFocus(True)
                self.edits[f"{name}_{script}"] = edit
                self.errors.add_row(form, f"{name}_{script}",
                                    translated_label(SECTION_LABELS[name]), edit)
            self.tabs.addTab(page, "")
        # The signed paper, once it is back: a tab beside the text, so the text keeps its room.
        scans = QWidget()
        scans_layout = QVBoxLayout(scans)
        self.attachments = AttachmentsStrip(tasks, paths, "agreement", self, staff_id=staff_id)
        self.attachments.set_owner(agreement_id)
        scans_layout.addWidget(self.attachments)
        scans_layout.addStretch(1)
        self.tabs.addTab(scans, "")
        self.message = MessageLine()
        self.save_button, self.print_button = QPushButton(), QPushButton()
        self.signed_button, self.withdraw_button = QPushButton(), QPushButton()
        self.close_button = QPushButton()
        for button in (self.save_button, self.print_button, self.signed_button,
                       self.withdraw_button, self.close_button):
            button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save_text)
        self.print_button.clicked.connect(self.preview)
        self.signed_button.clicked.connect(self.mark_signed)
        self.withdraw_button.clicked.connect(self.withdraw)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.save_button, self.print_button, self.signed_button,
                       self.withdraw_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_text)
        QShortcut(QKeySequence.StandardKey.Print, self, self.preview)
        self._show(self.detail)
        self.resize(920, 820)

    def _show(self, detail: AgreementDetail) -> None:
        self.detail = detail
        text = detail.text
        self.agreed_on.setDate(QDate.fromString(text.agreed_on, "yyyy-MM-dd"))
        self.place.setText(text.place)
        self.bilingual.setChecked(detail.bilingual)
        for name in agreements.SECTIONS:
            for script in agreements.SCRIPTS:
                self.edits[f"{name}_{script}"].setPlainText(text.section(name, script))
        self._set_modified(False)
        self.retranslate_ui()

    def _set_modified(self, modified: bool) -> None:
        for edit in self.edits.values():
            edit.document().setModified(modified)

    def _modified(self) -> bool:
        return (any(edit.document().isModified() for edit in self.edits.values())
                or self.place.text() != self.detail.text.place
                or self.bilingual.isChecked() != self.detail.bilingual
                or self.agreed_on.date().toString("yyyy-MM-dd") != self.detail.text.agreed_on)

    def value(self) -> AgreementText:
        text = AgreementText(agreed_on=self.agreed_on.date().toString("yyyy-MM-dd"),
                             place=self.place.text())
        for key, edit in self.edits.items():
            setattr(text, key, edit.toPlainText())
        return text

    def save_text(self) -> bool:
        """Keep the edited text; True when it is saved (or there was nothing to save)."""
        if not self._modified():
            return True
        self.errors.clear()
        try:
            self._tasks.call(agreements.save_text, self.agreement_id, self.value(),
                             self.bilingual.isChecked())
        except InvalidInputError as error:
            self.errors.show(error.problems)
            first = error.problems[0].field or ""
            if first.endswith("_bo"):
                self.tabs.setCurrentIndex(1)
            elif first.endswith("_zh"):
                self.tabs.setCurrentIndex(0)
            self.message.setText(error.translated())
            return False
        except AppError as error:
            self.message.setText(error.translated())
            return False
        self._reload(_("Saved."))
        return True

    def _reload(self, message: str) -> None:
        self._show(self._tasks.call(agreements.agreement_detail, self.agreement_id))
        self.message.setText(message)
        self.changed.emit()

    def preview(self) -> None:
        if not self.save_text():
            return
        agreement_id = self.agreement_id

        def draw(store: Any) -> bytes:
            from app.papers import documents as papers  # printing loads on first use
            return papers.render_agreement(store, agreement_id)

        title = title_text("Settle-and-withdraw agreement")
        show_paper(self._tasks, self, draw, f"{title} {self.detail.reg_no}",
                   f"agreement {self.detail.reg_no}.pdf",
                   self._when_issued)

    def _when_issued(self, preview: PaperPreview) -> None:
        preview.issued.connect(self._printed)

    def _printed(self) -> None:
        if self.detail.status == "drafted":
            self._tasks.call(agreements.mark_printed, self.agreement_id)
            self._reload(_("Printed."))

    def mark_signed(self) -> None:
        if not self.save_text():
            return
        dialog = SignedDialog(self.detail.text.agreed_on, self)
        if not dialog.exec():
            return
        try:
            self._tasks.call(agreements.mark_signed, self.agreement_id, dialog.day().isoformat(),
                             self._staff_id)
        except (InvalidInputError, AppError) as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        self._reload(_("Marked as signed. Now attach the scan or photo of the signed paper."))
        self.tabs.setCurrentIndex(len(agreements.SCRIPTS))
        self.attachments.add_button.setFocus()

    def withdraw(self) -> None:
        if not confirm(
                self,
                _("Withdraw this agreement? It stays in the record as withdrawn, and a new one can "
                  "be drafted from the hearing.")):
            return
        try:
            self._tasks.call(agreements.withdraw, self.agreement_id, self._staff_id)
        except AppError as error:
            QMessageBox.warning(self, _("Doorstep"), error.translated())
            return
        self._reload(_("Withdrawn."))

    def retranslate_ui(self) -> None:
        d = self.detail
        self.setWindowTitle(title_text("Settle-and-withdraw agreement — {number}").format(
            number=d.reg_no))
        status = label(AgreementStatus, d.status)
        if d.status == "signed":
            status += " " + format_iso_date(d.signed_on, "long")
        self.status.setText(status)
        for index, script in enumerate(agreements.SCRIPTS):
            self.tabs.setTabText(index, _(SCRIPT_TABS[script]))
        self.tabs.setTabText(len(agreements.SCRIPTS), _("Signed paper (scans or photos)"))
        allowed = agreements.allowed_actions(d.status)
        editable = agreements.EDIT in allowed
        for edit in self.edits.values():
            edit.setReadOnly(not editable)
        for widget in (self.place, self.agreed_on, self.bilingual, self.save_button):
            widget.setEnabled(editable)
        self.save_button.setText(_("Save text (Ctrl+S)"))
        self.print_button.setText(_("Preview and print…"))
        self.print_button.setEnabled(agreements.PRINT in allowed)
        self.signed_button.setText(_("Signed…"))
        self.signed_button.setEnabled(agreements.SIGN in allowed)
        self.withdraw_button.setText(_("Withdraw…"))
        self.withdraw_button.setEnabled(agreements.WITHDRAW in allowed)
        self.close_button.setText(_("Close"))
