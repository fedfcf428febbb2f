"""Office and laptops: this laptop's place in its office's sync, the office's laptops (the
roster), the office key's fingerprint; setting the office up, enrolling, accepting, revoking."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import identity
from app.core.errors import AppError
from app.core.formatting import format_short_date
from app.core.i18n import N_, _, labelled, pick
from app.sync import crypto, service
from app.sync.crypto import RosterDevice
from ui.core.errors import READ_ERROR, attempt, show_error
from ui.core.tasks import Tasks
from ui.sync import common
from ui.widgets.combo import compact
from ui.widgets.fields import plain_table
from ui.widgets.form_support import Retranslated, retranslate_labels, section, translated_label

# Where this laptop stands, and what it may do there, are decided in app (service.enrolment).
MASTER, ENROLLED, AWAITING_DATA = service.MASTER, service.ENROLLED, service.AWAITING_DATA
REVOKED, REQUESTED = service.REVOKED, service.REQUESTED
NOT_SET_UP, NO_OFFICE = service.NOT_SET_UP, service.NO_OFFICE

STATE_TITLES = {
    MASTER: N_("The office's master laptop"),
    ENROLLED: N_("Enrolled in the office"),
    AWAITING_DATA: N_("Enrolled in the office"),
    REVOKED: N_("Removed from the office"),
    REQUESTED: N_("Waiting for the master laptop's grant"),
    NOT_SET_UP: N_("Not enrolled"),
    NO_OFFICE: N_("Not enrolled"),
}
STATE_TEXTS = {
    MASTER: N_("This laptop enrols the office's other laptops from their requests, and can "
               "revoke a laptop that is lost."),
    ENROLLED: N_("This laptop exchanges packages with the office's other laptops."),
    AWAITING_DATA: N_("Now read a package written by one of the office's laptops (on the "
                      "Packages tab) to receive the office's data."),
    REVOKED: N_("This laptop was revoked. It can no longer write or read the office's "
                "packages."),
    REQUESTED: N_("Take the enrolment request to the office's master laptop. Bring back the "
                  "grant file it writes, and accept it here."),
    NOT_SET_UP: N_("On the office's master laptop (the one that set the office up), set the "
                   "office up. On any other laptop, write an enrolment request and take it to "
                   "the master laptop."),
    NO_OFFICE: N_("Give this laptop a name and choose its office, then write an enrolment "
                  "request and take it to the office's master laptop."),
}
REQUEST_TO_JOIN = N_("Ask to join the office")
REQUEST_AGAIN = N_("Ask the master laptop again for the office's current list of laptops")
ROSTER_HEADERS = (N_("Office laptop"), N_("Laptop id"), N_("Key fingerprint"),
                  N_("Enrolled on"), N_("Revoked on"))


def _fixed_font() -> QFont:
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


class LaptopsPanel(Retranslated, QWidget):
    # This laptop's enrolment, its name or office, or the roster changed.
    changed = Signal()

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.state = NO_OFFICE
        self.allowed: frozenset[str] = frozenset()
        self.device: identity.DeviceInfo | None = None
        self.roster: service.StoredRoster | None = None
        self._choices = identity.office_choices()
        # What the last action did, rendered in the current language each time.
        self._notice: Callable[[], str] | None = None

        # Where this laptop stands (in bold), and what to do next.
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.state_label.setTextFormat(Qt.TextFormat.RichText)
        self.name_text = QLabel()
        self.office_text = QLabel()
        self.set_up_button = QPushButton()
        self.set_up_button.clicked.connect(self.set_up_office)
        self.accept_button = QPushButton()
        self.accept_button.clicked.connect(self.accept_grant)

        self.request_box = QFrame()
        self.request_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.request_heading = section(REQUEST_TO_JOIN)
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(identity.MAX_DEVICE_NAME)
        self.office_combo = QComboBox()
        compact(self.office_combo, 16)
        self.request_error = QLabel()
        self.request_error.setStyleSheet(common.ERROR_STYLE)
        self.request_error.setWordWrap(True)
        self.request_error.hide()
        self.request_button = QPushButton()
        self.request_button.clicked.connect(self.write_request)
        self.request_form = QFormLayout()
        self.office_label = translated_label(N_("Office"))
        self.request_form.addRow(translated_label(N_("Laptop name")), self.name_edit)
        self.request_form.addRow(self.office_label, self.office_combo)
        request_buttons = QHBoxLayout()
        request_buttons.addWidget(self.request_button)
        request_buttons.addStretch(1)
        request_layout = QVBoxLayout(self.request_box)
        request_layout.addWidget(self.request_heading)
        request_layout.addLayout(self.request_form)
        request_layout.addWidget(self.request_error)
        request_layout.addLayout(request_buttons)

        self.roster_heading = section(N_("The office's laptops"))
        # The office key's fingerprint, after what it is for (one label: it wraps as a whole).
        self.office_fingerprint = ""
        self.fingerprint = QLabel()
        self.fingerprint.setWordWrap(True)
        self.fingerprint.setTextFormat(Qt.TextFormat.RichText)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = plain_table(len(ROSTER_HEADERS))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.enrol_button = QPushButton()
        self.enrol_button.clicked.connect(self.enrol)
        self.revoke_button = QPushButton()
        self.revoke_button.clicked.connect(self.revoke)

        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.setStyleSheet(common.NOTICE_STYLE)
        self.notice.hide()

        identity_row = QHBoxLayout()
        identity_row.addWidget(self.name_text)
        identity_row.addSpacing(24)
        identity_row.addWidget(self.office_text)
        identity_row.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.set_up_button)
        actions.addWidget(self.accept_button)
        actions.addStretch(1)
        roster_row = QHBoxLayout()
        roster_row.addWidget(self.roster_heading)
        roster_row.addStretch(1)
        roster_row.addWidget(self.enrol_button)
        roster_row.addWidget(self.revoke_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addLayout(identity_row)
        layout.addLayout(actions)
        layout.addWidget(self.request_box)
        layout.addWidget(self.notice)
        layout.addLayout(roster_row)
        layout.addWidget(self.fingerprint)
        layout.addWidget(self.table, 1)
        # Takes the spare height while the roster is hidden (so the texts keep together).
        layout.addStretch(0)
        self.reload()

    # -- state -------------------------------------------------------------------------------
    def reload(self) -> None:
        tasks = self._tasks
        self.device = tasks.query(identity.this_device)
        self.roster = tasks.query(service.stored_roster)
        enrolment = tasks.query(service.enrolment)
        self.state, self.allowed = enrolment.state, enrolment.actions
        if self.device is not None and not self.name_edit.text():
            self.name_edit.setText(self.device.name)
        self.retranslate_ui()

    def devices(self) -> list[RosterDevice]:
        return list(self.roster.roster.devices) if self.roster is not None else []

    def laptop_name(self, device_id: str) -> str:
        found = self.roster.roster.find(device_id) if self.roster is not None else None
        return found.name if found is not None else device_id

    def is_enrolled(self) -> bool:
        """Whether this laptop may write and read packages."""
        return service.EXCHANGE in self.allowed

    def retranslate_ui(self) -> None:
        retranslate_labels(self)
        state = self.state
        self.state_label.setText(
            f"<p style='margin: 0 0 4px 0'><b>{html.escape(_(STATE_TITLES[state]))}</b></p>"
            f"<p style='margin: 0'>{html.escape(_(STATE_TEXTS[state]))}</p>")
        device = self.device
        self.name_text.setText(labelled(N_("Laptop name"), device.name if device else "—"))
        if device is not None and device.office_id:
            self.office_text.setText(labelled(N_("Office"), device.office_name_zh,
                                              device.office_name_bo))
        else:
            self.office_text.setText(labelled(N_("Office"), _("not set")))
        self.set_up_button.setText(_("Set up the office on this laptop"))
        self.set_up_button.setVisible(service.SET_UP in self.allowed)
        self.accept_button.setText(_("Accept the master's grant…"))
        self.accept_button.setVisible(service.ACCEPT_GRANT in self.allowed)
        self.request_box.setVisible(service.REQUEST in self.allowed)
        # An enrolled laptop may ask again: the grant brings the office's current laptops.
        self.request_heading.setProperty("msgid", REQUEST_AGAIN if state in (
            ENROLLED, AWAITING_DATA) else REQUEST_TO_JOIN)
        self.request_heading.setText(_(str(self.request_heading.property("msgid"))))
        self.request_button.setText(_("Write an enrolment request…"))
        choosing_office = device is None or not device.office_id
        self.office_label.setVisible(choosing_office)
        self.office_combo.setVisible(choosing_office)
        selected = self.office_combo.currentData() or ""
        self.office_combo.clear()
        self.office_combo.addItem(_("Choose an office…"), "")
        for choice in self._choices:
            self.office_combo.addItem(pick(choice.name_zh, choice.name_bo), choice.division_code)
        self.office_combo.setCurrentIndex(max(self.office_combo.findData(selected), 0))

        roster = self.roster
        for widget in (self.roster_heading, self.fingerprint, self.table):
            widget.setVisible(roster is not None)
        self.office_fingerprint = (crypto.fingerprint(roster.office_public_key)
                                   if roster is not None else "")
        self.fingerprint.setText(
            html.escape(_("Office key fingerprint (the same on every laptop of the office):"))
            + "&nbsp;&nbsp;<b style='font-family: monospace'>"
            + self.office_fingerprint.replace(" ", "&nbsp;") + "</b>")
        self._fill_roster()
        self.enrol_button.setText(_("Enrol a laptop from its request…"))
        self.revoke_button.setText(_("Revoke…"))
        self.enrol_button.setVisible(service.ENROL in self.allowed)
        self.revoke_button.setVisible(service.REVOKE in self.allowed)
        self.notice.setText(self._notice() if self._notice is not None else "")
        self.notice.setVisible(self._notice is not None)
        self._update_buttons()

    def _fill_roster(self) -> None:
        self.table.setHorizontalHeaderLabels([_(h) for h in ROSTER_HEADERS])
        selected = self.selected_device()
        devices = self.devices()
        self.table.setRowCount(len(devices))
        for row, device in enumerate(devices):
            name = device.name
            if device.device_id == self._tasks.device_id:
                mark = _("(this laptop)")
                name = f"{name} {mark}"
            cells = (name, device.device_id, crypto.fingerprint(device.sign_pub),
                     _day(device.enrolled_at.astimezone().date()),
                     _day(device.revoked_at.astimezone().date()) if device.revoked_at else "—")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, device.device_id)
                if column in (1, 2):
                    item.setFont(_fixed_font())
                if device.revoked:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, column, item)
            if selected is not None and device.device_id == selected.device_id:
                self.table.selectRow(row)
        self.table.resizeRowsToContents()

    def selected_device(self) -> RosterDevice | None:
        items = self.table.selectedItems()
        if not items or self.roster is None:
            return None
        return self.roster.roster.find(str(items[0].data(Qt.ItemDataRole.UserRole)))

    def _update_buttons(self) -> None:
        chosen = self.selected_device()
        self.revoke_button.setEnabled(chosen is not None and not chosen.revoked
                                      and chosen.device_id != self._tasks.device_id)

    def _done(self, notice: Callable[[], str]) -> None:
        self._notice = notice
        self.reload()
        self.changed.emit()

    # -- actions -----------------------------------------------------------------------------
    def set_up_office(self) -> None:
        passphrase = common.ask_new_passphrase(self)
        if passphrase is None:
            return
        try:
            self._tasks.acting(self, also={"sync"}).call(service.set_up_office, passphrase)
        except AppError as error:
            show_error(self, error)
            return
        self._done(lambda: _("This laptop is now the office's master laptop. Enrol the "
                             "office's other laptops from their enrolment requests."))

    def write_request(self) -> None:
        name = self.name_edit.text().strip()
        choosing_office = self.device is None or not self.device.office_id
        code = str(self.office_combo.currentData() or "") if choosing_office else ""
        problem = ""
        if not name:
            problem = _("Please give this laptop a name.")
        elif choosing_office and not code:
            problem = _("Please choose the office this laptop belongs to.")
        self.request_error.setText(problem)
        self.request_error.setVisible(bool(problem))
        if problem:
            return
        suggested = common.free_name(common.start_folder(),
                                     f"doorstep-request-{common.file_part(name)}", ".dsreq")
        target = common.ask_save_path(self, _("Write an enrolment request"), suggested,
                                      common.REQUEST_FILTER)
        if target is None:
            return
        tasks = self._tasks

        def write() -> bytes | None:
            if tasks.query(service.has_device_keys):
                data = common.with_passphrase(
                    self, lambda p: tasks.acting(self, also={"sync"}).call(
                        service.enrolment_request, p, code, name))
            else:
                passphrase = common.ask_new_passphrase(self)
                data = (tasks.acting(self, also={"sync"}).call(service.enrolment_request,
                                                               passphrase, code, name)
                        if passphrase is not None else None)
            if data is not None:
                common.write_file(target, data)
            return data

        data = attempt(self, write)
        if data is None:
            return
        key = crypto.fingerprint(crypto.read_enrolment_request(data).sign_pub)
        self._done(lambda: _(
            "Enrolment request written to {path}. Take it to the office's master laptop.")
            .format(path=target) + "\n\n"
            + _("The master laptop will show this laptop's key fingerprint before it enrols "
                "it. Check that it is the same as here:") + "\n" + key)

    def enrol(self) -> None:
        if self.roster is None:
            return
        source = common.ask_open_path(self, _("Enrol a laptop from its request"),
                                      common.REQUEST_FILTER)
        if source is None:
            return
        office_id = self.roster.roster.office_id
        data = attempt(self, source.read_bytes, file_error=READ_ERROR)
        request = attempt(
            self, lambda: crypto.read_enrolment_request(data, office_id)) \
            if data is not None else None
        if data is None or request is None:
            return
        question = _("Enrol the laptop “{name}” in the office?").format(name=request.name)
        question += "\n\n" + _("Its key fingerprint is:") + "\n" \
            + crypto.fingerprint(request.sign_pub) + "\n\n" \
            + _("The new laptop showed its key fingerprint when it wrote the request. Enrol it "
                "only if the two are the same.")
        known = self.roster.roster.find(request.device_id)
        if known is not None and not known.revoked:
            question += "\n\n" + _("This laptop is enrolled already; enrolling it again gives "
                                   "it the office's current list of laptops.")
        if not common.confirm(self, question):
            return
        suggested = common.free_name(
            source.parent, f"doorstep-grant-{common.file_part(request.name)}", ".dsgrant")
        target = common.ask_save_path(self, _("Save the grant for the new laptop"), suggested,
                                      common.GRANT_FILTER)
        if target is None:
            return
        tasks = self._tasks
        def write() -> bytes | None:
            grant = common.with_passphrase(self, lambda p: tasks.acting(self, also={"sync"}).call(
                service.enrol, data, p))
            if grant is not None:
                common.write_file(target, grant)
            return grant

        if attempt(self, write) is None:
            return
        self._done(lambda: _("Grant written to {path}. Take it back to the new laptop.")
                   .format(path=target))

    def accept_grant(self) -> None:
        source = common.ask_open_path(self, _("Accept the master's grant"),
                                      common.GRANT_FILTER)
        if source is None:
            return
        data = attempt(self, source.read_bytes, file_error=READ_ERROR)
        read = attempt(self, lambda: crypto.read_grant(data)) if data is not None else None
        if data is None or read is None:
            return
        _roster, office_key = read
        question = _("Accept this grant from the office's master laptop?") + "\n\n" \
            + _("The office key fingerprint in it is:") + "\n" \
            + crypto.fingerprint(office_key) + "\n\n" \
            + _("The master laptop shows the office key fingerprint under Sync → Office and "
                "laptops. Accept the grant only if the two are the same.")
        if not common.confirm(self, question):
            return
        tasks = self._tasks
        try:
            accepted = common.with_passphrase(
                self, lambda p: tasks.acting(self, also={"sync"}).call(
                    service.accept_grant, data, p))
        except AppError as error:
            show_error(self, error)
            return
        if accepted is None:
            return
        self._done(lambda: _("This laptop is enrolled in the office. Now read a package "
                             "written by one of the office's laptops to receive the office's "
                             "data."))

    def revoke(self) -> None:
        chosen = self.selected_device()
        if chosen is None or chosen.revoked:
            return
        if not common.confirm(self, _(
                "Revoke the laptop “{name}”?\n\nPackages will no longer be written for it, and "
                "packages it writes will be refused. This cannot be undone.").format(
                    name=chosen.name), default_yes=False):
            return
        tasks = self._tasks
        try:
            done = common.with_passphrase(
                self, lambda p: tasks.acting(self, also={"sync"}).call(service.revoke,
                                                                       chosen.device_id, p))
        except AppError as error:
            show_error(self, error)
            return
        if done is None:
            return
        self._done(lambda: _("The laptop “{name}” was revoked.").format(name=chosen.name))


def _day(value: date) -> str:
    return format_short_date(value)
