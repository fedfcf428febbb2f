"""Laptop ▸ Staff and passphrases: the office's staff, who can log in on this laptop, and the
passphrases a leader or the office administrator gives, resets or removes. Laptop ▸ Change my
passphrase.

The screen offers only what the logged-in role may do; the use cases
(``app.accounts.staff``) refuse the rest whatever the screen offers.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.accounts import login
from app.accounts import staff as accounts
from app.accounts.staff import StaffAccount, StaffInput
from app.core import access
from app.core.access import Permission
from app.core.errors import AppError
from app.core.i18n import N_, _, pick, title_text
from app.core.labels import StaffRole, label
from ui.core.tasks import Tasks
from ui.office.login_dialog import passphrase_field
from ui.widgets.fields import MessageLine, cell, plain_table, set_headers
from ui.widgets.form_support import Retranslated, translated_label

HEADERS = (N_("Name"), N_("Role"), N_("Phone"), N_("On the staff"),
           N_("Logs in on this laptop"))


class PassphraseDialog(Retranslated, QDialog):
    """A new passphrase typed twice (and the old one, for one's own)."""

    def __init__(self, intro: Callable[[], str], ask_old: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._intro = intro
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.old = passphrase_field()
        self.passphrase = passphrase_field()
        self.again = passphrase_field()
        form = QFormLayout()
        if ask_old:
            form.addRow(translated_label(N_("Present passphrase")), self.old)
        form.addRow(translated_label(N_("New passphrase")), self.passphrase)
        form.addRow(translated_label(N_("Passphrase again")), self.again)
        self.message = MessageLine()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Passphrase"))
        self.intro.setText(self._intro())

    def store(self) -> None:
        raise NotImplementedError

    def save(self) -> None:
        self.message.clear()
        try:
            self.store()
        except AppError as error:
            self.message.error(error.translated)
            return
        self.accept()


class OwnPassphraseDialog(PassphraseDialog):
    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(lambda: _("Type your present passphrase, then the new one twice (at "
                                   "least {n} characters).").format(n=login.MIN_PASSPHRASE),
                         True, parent)
        self._tasks = tasks

    def store(self) -> None:
        self._tasks.call(accounts.change_own_passphrase, self.old.text(),
                         self.passphrase.text(), self.again.text())


class _SetPassphraseDialog(PassphraseDialog):
    def __init__(self, tasks: Tasks, member: StaffAccount, parent: QWidget | None) -> None:
        name = pick(member.name_zh, member.name_bo)
        super().__init__(lambda: _(
            "{name} types their new passphrase twice (at least {n} characters). The "
            "passphrase they had on this laptop, if any, no longer opens it.").format(
                name=name, n=login.MIN_PASSPHRASE), False, parent)
        self._tasks = tasks
        self._member = member

    def store(self) -> None:
        self._tasks.call(accounts.set_passphrase, self._member.staff_id,
                         self.passphrase.text(), self.again.text())


class StaffEditDialog(Retranslated, QDialog):
    """A member's name, role and phone; for a new member, a first passphrase (optional)."""

    def __init__(self, tasks: Tasks, member: StaffAccount | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._member = member
        self.name_zh = QLineEdit(member.name_zh if member else "")
        self.name_bo = QLineEdit(member.name_bo if member else "")
        self.role = QComboBox()
        for role in StaffRole:
            self.role.addItem("", str(role))
        if member is not None:
            self.role.setCurrentIndex(max(self.role.findData(member.role), 0))
        self.phone = QLineEdit(member.phone if member else "")
        self.passphrase = passphrase_field()
        self.again = passphrase_field()
        form = QFormLayout()
        form.addRow(translated_label(N_("Name (Chinese)")), self.name_zh)
        form.addRow(translated_label(N_("Name (Tibetan)")), self.name_bo)
        form.addRow(translated_label(N_("Role")), self.role)
        form.addRow(translated_label(N_("Phone")), self.phone)
        if member is None:
            form.addRow(translated_label(N_("Passphrase on this laptop (they type it)")),
                        self.passphrase)
            form.addRow(translated_label(N_("Passphrase again")), self.again)
        self.message = MessageLine()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Staff member"))
        for i in range(self.role.count()):
            self.role.setItemText(i, label(StaffRole, str(self.role.itemData(i))))

    def save(self) -> None:
        data = StaffInput(self.name_zh.text(), self.name_bo.text(),
                          str(self.role.currentData() or ""), self.phone.text())
        self.message.clear()
        try:
            if self._member is None:
                self._tasks.call(accounts.add_staff, data, self.passphrase.text(),
                                 self.again.text())
            else:
                self._tasks.call(accounts.change_staff, self._member.staff_id, data)
        except AppError as error:
            self.message.error(error.translated)
            return
        self.accept()


class StaffDialog(Retranslated, QDialog):
    def __init__(self, tasks: Tasks, role: str, me: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._me = me
        self._manages = access.may(role, Permission.MANAGE_STAFF) if role else True
        self._members: list[StaffAccount] = []
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.table = plain_table(len(HEADERS))
        self.table.itemSelectionChanged.connect(self._enable)
        self.table.doubleClicked.connect(lambda _index: self.edit())
        self.add_button = QPushButton()
        self.edit_button = QPushButton()
        self.passphrase_button = QPushButton()
        self.remove_button = QPushButton()
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.passphrase_button.clicked.connect(self.set_passphrase)
        self.remove_button.clicked.connect(self.remove)
        row = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.passphrase_button,
                       self.remove_button):
            row.addWidget(button)
        row.addStretch(1)
        self.message = MessageLine()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.resize(820, 480)
        self.retranslate_ui()
        self.refresh()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Staff and passphrases"))
        self.intro.setText(
            _("The office's staff. A passphrase belongs to one laptop: whoever has one here can "
              "log in here. A leader or the office administrator adds staff, gives and resets "
              "passphrases, and removes those who leave.") if self._manages
            else _("The office's staff, and who can log in on this laptop. Only a leader or "
                   "the office administrator changes them."))
        set_headers(self.table, HEADERS)
        self.add_button.setText(_("Add…"))
        self.edit_button.setText(_("Change…"))
        self.passphrase_button.setText(_("Set a passphrase…"))
        self.remove_button.setText(_("Left the office"))
        self._fill()

    def refresh(self) -> None:
        try:
            self._members = self._tasks.call(accounts.staff_accounts)
        except AppError as error:
            self.message.error(error.translated)
            self._members = []
        self._fill()

    def _fill(self) -> None:
        self.table.setRowCount(len(self._members))
        for i, m in enumerate(self._members):
            values = (pick(m.name_zh, m.name_bo), label(StaffRole, m.role), m.phone,
                      _("Yes") if m.active else _("Left"),
                      _("Yes") if m.logs_in_here else "")
            for j, text in enumerate(values):
                self.table.setItem(i, j, cell(text, greyed=not m.active))
        self.table.resizeRowsToContents()
        self._enable()

    def _chosen(self) -> StaffAccount | None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        return self._members[min(rows)] if len(rows) == 1 else None

    def _enable(self) -> None:
        chosen = self._chosen()
        for button in (self.add_button, self.edit_button, self.passphrase_button,
                       self.remove_button):
            button.setVisible(self._manages)
        self.edit_button.setEnabled(chosen is not None and chosen.active)
        self.passphrase_button.setEnabled(chosen is not None and chosen.active)
        self.remove_button.setEnabled(chosen is not None and chosen.active
                                      and chosen.staff_id != self._me)

    def add(self) -> None:
        if StaffEditDialog(self._tasks, None, self).exec():
            self.message.success(lambda: _("The staff member was added."))
            self.refresh()

    def edit(self) -> None:
        chosen = self._chosen()
        if chosen is not None and self._manages and chosen.active \
                and StaffEditDialog(self._tasks, chosen, self).exec():
            self.message.success(lambda: _("The change was saved."))
            self.refresh()

    def set_passphrase(self) -> None:
        chosen = self._chosen()
        if chosen is not None and _SetPassphraseDialog(self._tasks, chosen, self).exec():
            self.message.success(lambda: _("The passphrase was set."))
            self.refresh()

    def remove(self) -> None:
        from ui.widgets.fields import confirm

        chosen = self._chosen()
        if chosen is None or not confirm(self, _(
                "{name} has left the office? Their passphrase no longer opens this laptop, and "
                "other laptops refuse their log-in once this change reaches them. What they "
                "recorded keeps their name.").format(name=pick(chosen.name_zh,
                                                               chosen.name_bo))):
            return
        try:
            self._tasks.call(accounts.remove_staff, chosen.staff_id)
        except AppError as error:
            self.message.error(error.translated)
            return
        self.message.success(lambda: _("The staff member was marked as having left."))
        self.refresh()
