"""The log-in screen, and the two screens that come instead of it once: the first start of a
laptop, and the first log-in on a data file of an earlier Doorstep (which is then encrypted).

The language is chosen on each of them. Nothing here opens the store: the passphrase unwraps
the store key (``app.accounts.login``), and the window opens the store with it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import NamedTuple, Protocol, TypeVar

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.accounts import login
from app.accounts.login import NewAccount, StoreState
from app.core import i18n
from app.core.errors import AppError
from app.core.i18n import _, pick, title_text
from app.core.keyring import Account
from app.core.labels import StaffRole, label
from app.core.paths import AppPaths
from app.core.settings import Settings, save_settings
from ui.core.errors import READ_ERROR, show_error
from ui.core.language import LANGUAGE_NAMES, LanguageManager
from ui.widgets.fields import MessageLine
from ui.widgets.form_support import Retranslated

T = TypeVar("T")

class Credentials(NamedTuple):
    key: bytes
    staff_id: str


# On a prefecture hub: checks a staff member's passphrase (raises when it is wrong).
HubCheck = Callable[[str, str], None]


class Hub(Protocol):
    """A prefecture hub's log-in: who may log in, and the check of their passphrase."""

    def accounts(self) -> list[Account]: ...

    def check(self, staff_id: str, passphrase: str) -> None: ...


def working(parent: QWidget | None, text: Callable[[], str], work: Callable[[], T]) -> T:
    """``work`` on a thread while the screen stays drawn (unwrapping a key takes a moment,
    encrypting a prefecture's data file minutes); a busy window says ``text`` after a moment.
    Its error is raised here."""
    done: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as error:  # raised again on the GUI thread
            failed.append(error)

    thread = threading.Thread(target=run, name="log-in", daemon=True)
    busy = QProgressDialog(text(), "", 0, 0, parent)
    busy.setCancelButton(None)
    busy.setWindowTitle(title_text("Doorstep"))
    busy.setWindowModality(Qt.WindowModality.ApplicationModal)
    busy.setMinimumDuration(400)
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    thread.start()
    try:
        loop = QEventLoop()
        timer = QTimer()
        timer.timeout.connect(lambda: loop.quit() if not thread.is_alive() else None)
        timer.start(20)
        loop.exec()
        timer.stop()
        thread.join()
    finally:
        busy.reset()
        busy.deleteLater()
        QApplication.restoreOverrideCursor()
    if failed:
        raise failed[0]
    return done[0]


def _account_text(account: Account) -> str:
    role = label(StaffRole, account.role) if StaffRole.has(account.role) else account.role
    return f"{pick(account.name_zh, account.name_bo)} · {role}"


def passphrase_field() -> QLineEdit:
    """A field for a passphrase: typed hidden, at most one character over the longest
    allowed (so that a longer one is said to be too long, not cut)."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(login.MAX_PASSPHRASE + 1)
    return field


class _Screen(Retranslated, QDialog):
    """What the three screens share: the title, the language, the form, a message line and
    two buttons; the screen cannot be closed without choosing one of them."""

    def __init__(self, language: LanguageManager, settings: Settings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.language = language
        self.settings = settings
        self.credentials: Credentials | None = None
        self.heading = QLabel("Doorstep")
        font = QFont(self.heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.heading.setFont(font)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.languages = QComboBox()
        for mode in i18n.MODES:
            self.languages.addItem(LANGUAGE_NAMES[mode], mode)
        self.languages.setCurrentIndex(max(self.languages.findData(i18n.mode()), 0))
        self.languages.currentIndexChanged.connect(self._choose_language)
        self.form = QFormLayout()
        self.message = MessageLine()
        self.buttons = QDialogButtonBox()
        self.go = QPushButton()
        self.go.setDefault(True)
        self.buttons.addButton(self.go, QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.go.clicked.connect(self._go)
        self.quit.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.languages, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def _row(self, message: str, field: QWidget) -> None:
        row_label = QLabel(_(message))
        row_label.setProperty("msgid", message)  # translated again on a language change
        self.form.addRow(row_label, field)

    def _choose_language(self) -> None:
        mode = str(self.languages.currentData())
        self.language.set_mode(mode)
        self.settings.language_mode = mode

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Doorstep"))

    def _go(self) -> None:
        self.message.clear()
        try:
            self.credentials = self.attempt()
        except AppError as error:
            self.message.error(error.translated)
            self.failed()
            return
        except OSError as error:
            show_error(self, error, file_error=READ_ERROR)
            return
        self.settings.current_staff_id = self.credentials.staff_id
        self.accept()

    def attempt(self) -> Credentials:
        raise NotImplementedError

    def failed(self) -> None:
        """After a refusal (the passphrase is typed again)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Escape:
            return  # Escape does not quit Doorstep; Close does
        super().keyPressEvent(event)


class LoginDialog(_Screen):
    """Who is logging in, and their passphrase."""

    def __init__(self, paths: AppPaths, language: LanguageManager, settings: Settings,
                 accounts: list[Account], parent: QWidget | None = None,
                 hub: HubCheck | None = None) -> None:
        super().__init__(language, settings, parent)
        self.paths = paths
        self.hub = hub
        self.account = QComboBox()
        for account in accounts:
            self.account.addItem(_account_text(account), account.staff_id)
        self.account.setCurrentIndex(max(self.account.findData(settings.current_staff_id), 0))
        self.passphrase = passphrase_field()
        self._row(i18n.N_("Who you are"), self.account)
        self._row(i18n.N_("Passphrase"), self.passphrase)
        self.retranslate_ui()
        self.passphrase.setFocus()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.intro.setText(_("Choose your name and type your passphrase."))
        self.go.setText(_("Log in"))

    def attempt(self) -> Credentials:
        staff_id = str(self.account.currentData() or "")
        passphrase = self.passphrase.text()
        key = working(self, lambda: _("Checking the passphrase…"),
                      lambda: login.unlock(self.paths, staff_id, passphrase, hub=self.hub))
        return Credentials(key, staff_id)

    def failed(self) -> None:
        self.passphrase.clear()
        self.passphrase.setFocus()


class _NewAccountFields:
    """Name, role and passphrase (twice) of a laptop's first account."""

    def add_account_rows(self, screen: _Screen) -> None:
        self.name_zh = QLineEdit()
        self.name_bo = QLineEdit()
        self.role = QComboBox()
        for role in login.FIRST_ROLES:
            self.role.addItem("", str(role))
        screen._row(i18n.N_("Your name (Chinese)"), self.name_zh)
        screen._row(i18n.N_("Your name (Tibetan)"), self.name_bo)
        screen._row(i18n.N_("Your role"), self.role)

    def label_roles(self) -> None:
        for i in range(self.role.count()):
            self.role.setItemText(i, label(StaffRole, str(self.role.itemData(i))))

    def new_account(self, passphrase: str, again: str) -> NewAccount:
        return NewAccount(self.name_zh.text(), self.name_bo.text(),
                          str(self.role.currentData() or ""), passphrase, again)


class FirstStartDialog(_NewAccountFields, _Screen):
    """A new laptop: its name and office, and the first account (the administrator's or a
    leader's) with a passphrase; the data file is then made, encrypted."""

    def __init__(self, paths: AppPaths, language: LanguageManager, settings: Settings,
                 parent: QWidget | None = None) -> None:
        from app.core import identity  # the store's module: not loaded for the usual log-in

        super().__init__(language, settings, parent)
        self.paths = paths
        self._offices = identity.office_choices()
        self.laptop = QLineEdit(identity.default_device_name())
        self.laptop.setMaxLength(identity.MAX_DEVICE_NAME + 1)
        self.office = QComboBox()
        self._row(i18n.N_("Laptop name"), self.laptop)
        self._row(i18n.N_("Office"), self.office)
        self.add_account_rows(self)
        self.passphrase = passphrase_field()
        self.again = passphrase_field()
        self._row(i18n.N_("Passphrase"), self.passphrase)
        self._row(i18n.N_("Passphrase again"), self.again)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.intro.setText(_(
            "Welcome to Doorstep. Name this laptop, choose its office, and create your own "
            "account: the office administrator's or a leader's. Your passphrase opens the "
            "encrypted data file; you give the rest of the staff theirs afterwards (Laptop ▸ "
            "Staff and passphrases). At least {n} characters; nobody can recover it, so keep "
            "it safe.").format(n=login.MIN_PASSPHRASE))
        self.go.setText(_("Start"))
        selected = self.office.currentData()
        self.office.clear()
        self.office.addItem(_("Choose an office…"), "")
        for choice in self._offices:
            self.office.addItem(pick(choice.name_zh, choice.name_bo), choice.division_code)
        self.office.setCurrentIndex(max(self.office.findData(selected), 0))
        self.label_roles()

    def attempt(self) -> Credentials:
        account = self.new_account(self.passphrase.text(), self.again.text())
        name, office = self.laptop.text(), str(self.office.currentData() or "")
        key, staff_id = working(self, lambda: _("Making the encrypted data file…"),
                                lambda: login.first_start(self.paths, name, office, account))
        return Credentials(key, staff_id)


class EncryptDialog(_NewAccountFields, _Screen):
    """A data file of an earlier Doorstep, not encrypted: a leader or the administrator on its
    staff (or, when it has none, a first account) chooses a passphrase, and it is encrypted."""

    def __init__(self, paths: AppPaths, language: LanguageManager, settings: Settings,
                 leaders: list[Account], parent: QWidget | None = None) -> None:
        super().__init__(language, settings, parent)
        self.paths = paths
        self.leaders = leaders
        self.account = QComboBox()
        if leaders:
            for account in leaders:
                self.account.addItem(_account_text(account), account.staff_id)
            self._row(i18n.N_("Who you are"), self.account)
        else:
            self.add_account_rows(self)
        self.passphrase = passphrase_field()
        self.again = passphrase_field()
        self._row(i18n.N_("New passphrase"), self.passphrase)
        self._row(i18n.N_("Passphrase again"), self.again)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.intro.setText(_(
            "This laptop's data file is not encrypted yet: anyone holding the laptop could read "
            "it. A leader or the office administrator chooses a passphrase now, and the file is "
            "encrypted (a verified backup is made first; on a large file this takes a few "
            "minutes). The rest of the staff get their passphrases from them afterwards "
            "(Laptop ▸ Staff and passphrases). At least {n} characters.")
            .format(n=login.MIN_PASSPHRASE))
        self.go.setText(_("Encrypt and log in"))
        if not self.leaders:
            self.label_roles()

    def attempt(self) -> Credentials:
        passphrase, again = self.passphrase.text(), self.again.text()
        text = lambda: _("Encrypting the data file…")  # noqa: E731
        if self.leaders:
            staff_id = str(self.account.currentData() or "")
            key = working(self, text, lambda: login.encrypt_at_log_in(
                self.paths, staff_id, passphrase, again))
            return Credentials(key, staff_id)
        account = self.new_account(passphrase, again)
        key, staff_id = working(self, text,
                                lambda: login.encrypt_with_new_account(self.paths, account))
        return Credentials(key, staff_id)


def log_in(paths: AppPaths, language: LanguageManager, settings: Settings,
           hub: Hub | None = None) -> Credentials | None:
    """The screen the data file's state calls for; the key and who logged in, or None when the
    person closed it (or the data file cannot be read, which is said). On a prefecture hub
    (``hub``), its staff log in with their passphrases on the hub."""
    screen: _Screen
    try:
        state = login.store_state(paths) if hub is None else StoreState.ENCRYPTED
        if hub is not None:
            screen = LoginDialog(paths, language, settings,
                                 working(None, lambda: _("Opening the data…"), hub.accounts),
                                 hub=hub.check)
        elif state is StoreState.NEW:
            screen = FirstStartDialog(paths, language, settings)
        elif state is StoreState.PLAIN:
            leaders = working(None, lambda: _("Opening the data…"),
                              lambda: login.plain_store_leaders(paths))
            screen = EncryptDialog(paths, language, settings, leaders)
        else:
            screen = LoginDialog(paths, language, settings, login.accounts(paths))
    except AppError as error:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, title_text("Doorstep"), error.translated())
        return None
    except OSError as error:
        show_error(None, error, file_error=READ_ERROR)
        return None
    screen.exec()
    try:
        save_settings(paths, settings)  # the language chosen, who logged in last
    except (AppError, OSError):
        pass  # a read-only settings file costs the remembered choice only
    return screen.credentials


class LockDialog(Retranslated, QDialog):
    """The window is locked after a while without use: the person logged in types their
    passphrase again, or logs out."""

    LOGGED_OUT = 2

    def __init__(self, paths: AppPaths, staff_id: str, name: str, parent: QWidget | None,
                 on_failure: Callable[[], None] = lambda: None,
                 hub: HubCheck | None = None) -> None:
        super().__init__(parent)
        self.paths = paths
        self.hub = hub
        self.staff_id = staff_id
        self.name = name
        self.on_failure = on_failure
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.passphrase = passphrase_field()
        self.message = MessageLine()
        self.unlock_button = QPushButton()
        self.unlock_button.setDefault(True)
        self.log_out_button = QPushButton()
        buttons = QDialogButtonBox()
        buttons.addButton(self.unlock_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.log_out_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.unlock_button.clicked.connect(self._unlock)
        self.log_out_button.clicked.connect(lambda: self.done(self.LOGGED_OUT))
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setMinimumWidth(420)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Doorstep is locked"))
        self.intro.setText(_("Doorstep was locked because it was not used for a while. {name}, "
                             "type your passphrase to go on.").format(name=self.name))
        self.unlock_button.setText(_("Unlock"))
        self.log_out_button.setText(_("Log out"))

    def _unlock(self) -> None:
        passphrase = self.passphrase.text()
        self.passphrase.clear()
        try:
            working(self, lambda: _("Checking the passphrase…"),
                    lambda: login.unlock(self.paths, self.staff_id, passphrase, hub=self.hub))
        except AppError as error:
            self.message.error(error.translated)
            self.on_failure()
            return
        self.accept()

    def reject(self) -> None:
        """Escape and the close button leave it locked."""

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        event.ignore()
