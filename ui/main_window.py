"""The main window: navigation between the areas that exist, language menu, status bar."""

from __future__ import annotations

import base64
import logging
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDesktopServices,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from app.core import i18n
from app.core.errors import AppError
from app.core.formatting import format_date, format_number
from app.core.i18n import N_, _, bo_text, labelled, pick, title_text, zh_text
from app.core.labels import StaffRole
from app.core.paths import AppPaths
from app.core.settings import Settings, save_settings
from ui.core.errors import attempt
from ui.core.language import LANGUAGE_NAMES, LanguageManager
from ui.widgets.fields import confirm
from ui.widgets.form_support import Retranslated
from ui.widgets.screen import room_for

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from app.core.identity import DeviceInfo, UserInfo
    from app.petitions.registry import FigureFilter
    from ui.core.tasks import Changes, Tasks
    from ui.ledger.ledger_view import LedgerView
    from ui.office.office_view import OfficeView
    from ui.persons.people_view import PeopleView
    from ui.petitions.intake_view import IntakeView
    from ui.petitions.registry_view import Caption, RegistryView
    from ui.petitions.today_view import TodayView
    from ui.statistics.statistics_view import StatisticsView
    from ui.sync.view import SyncView

# Each language is named in its own script, whatever the display language is.

AREAS = (("today", N_("Today")), ("intake", N_("Register a petition")),
         ("registry", N_("Registry")), ("statistics", N_("Statistics")),
         ("people", N_("People")), ("ledger", N_("Ledgers")),
         ("offices", N_("Offices")),
         ("sync", N_("Sync")))


# A screen smaller than this gets the window maximised on first start.
FULL_SCREEN_BELOW = QSize(1440, 860)


AREA_KEYS = tuple(key for key, _title in AREAS)
# Built as soon as the store is open: the first area, and the one its count in the list needs.
FIRST_AREAS = ("today",)


class MainWindow(Retranslated, QMainWindow):
    """The window comes in two steps, so that it is on the screen at once: its frame (the list
    of areas, the menus, the status bar), which needs no store; then, once the store is open
    (``attach``), the areas, each built when first opened. Until then each area says that the
    data is being opened, and the menu that needs the store is greyed."""

    lock_requested = Signal()  # Laptop ▸ Lock
    log_out_requested = Signal()  # Laptop ▸ Log out
    # A backup the person chose to restore (its path): whoever owns the store closes it,
    # restores (app.backups.service.restore_backup) and opens it again.
    restore_requested = Signal(str)

    def __init__(self, tasks: Tasks | None, paths: AppPaths, settings: Settings,
                 language: LanguageManager) -> None:
        super().__init__()
        self._tasks: Tasks | None = None
        self.paths = paths
        self.settings = settings
        self.language = language
        self._device_info: DeviceInfo | None = None
        self._user: UserInfo | None = None
        self._conflicts = 0

        self.nav = QListWidget()
        self.nav.setFixedWidth(170)
        self.nav.setWordWrap(True)
        self.stack = QStackedWidget()
        # Until an area is built a stand-in holds its place (and, before the store is open,
        # says so): the areas and what they import (the statistics' reports, the workbook
        # writer, the sync's cryptography) load when first opened.
        self.area_widgets: dict[str, QWidget] = {}
        self._built: set[str] = set()
        for key, _title in AREAS:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.nav.addItem(item)
            stand_in = QLabel()
            stand_in.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.area_widgets[key] = stand_in
            self.stack.addWidget(stand_in)
        self.nav.currentRowChanged.connect(self._show_row)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self.office_status = QLabel()
        self.device_status = QLabel()
        self.user_status = QLabel()
        self.date_status = QLabel()
        for widget in (self.office_status, self.device_status, self.user_status,
                       self.date_status):
            self.statusBar().addPermanentWidget(widget)
        self.language.language_changed.connect(self._remember_language)
        # Today and the date in the status bar move on at midnight.
        self._midnight = QTimer(self)
        self._midnight.setSingleShot(True)
        self._midnight.timeout.connect(self._new_day)
        self.resize(1200, 760)
        self._restore_geometry()
        self.retranslate_ui()
        self.nav.setCurrentRow(0)
        if tasks is not None:
            self.attach(tasks)

    @property
    def tasks(self) -> Tasks:
        """The store's worker (once ``attach`` has been given it)."""
        if self._tasks is None:
            raise RuntimeError("the store is not open yet")
        return self._tasks

    @property
    def attached(self) -> bool:
        return self._tasks is not None

    def attach(self, tasks: Tasks) -> None:
        """The store is open: this laptop, its user, and the area in view (and Today)."""
        from app.core import identity

        self._tasks = tasks
        self.device = tasks.call(identity.ensure_device)
        self._user = tasks.query(identity.staff_member, self.settings.current_staff_id)
        self._conflicts = self._count_conflicts()
        tasks.changed.connect(self._on_changes)
        self.device_menu.setEnabled(True)
        self.import_action.setEnabled(True)
        if tasks.on_server:
            # A prefecture hub: its database is backed up on its server, and it syncs with
            # the counties by its own commands (python -m app hub), not as a laptop does (its
            # Sync area holds only the conflicts and what was kept apart).
            for action in (self.backup_now_action, self.backup_stick_action,
                           self.restore_action):
                action.setVisible(False)
            tasks.watch_others()  # several clerks at once: each sees what the others save
        self._arm_midnight()
        for key in FIRST_AREAS:
            self._area(key)
        self._show_row(self.nav.currentRow())
        self._update_status()
        self._retitle_nav()
        self._back_up_daily()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.quit_action = QAction(self)
        self.quit_action.triggered.connect(self.close)
        # Bringing in a register or ledger the office kept by hand (.xlsx, .csv).
        self.import_action = QAction(self)
        self.import_action.setEnabled(False)  # until the store is open
        self.import_action.triggered.connect(self.open_import)
        self.file_menu.addAction(self.import_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)

        self.view_menu = bar.addMenu("")
        self.language_menu = self.view_menu.addMenu("")
        # Wide enough for "བོད་ཡིག / 中文" whatever font the menu measured it with.
        self.language_menu.setMinimumWidth(220)
        group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for mode in i18n.MODES:
            action = QAction(LANGUAGE_NAMES[mode], self, checkable=True)
            action.setChecked(mode == i18n.mode())
            action.triggered.connect(lambda _checked=False, m=mode: self.language.set_mode(m))
            group.addAction(action)
            self.language_menu.addAction(action)
            self.language_actions[mode] = action

        self.device_menu = bar.addMenu("")
        self.device_menu.setEnabled(False)  # until the store is open
        self.device_action = QAction(self)
        self.device_action.triggered.connect(lambda: self.open_device_dialog(first_run=False))
        self.staff_action = QAction(self)
        self.staff_action.triggered.connect(self.open_staff)
        self.passphrase_action = QAction(self)
        self.passphrase_action.triggered.connect(self.change_passphrase)
        self.lock_action = QAction(self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock_requested)
        self.log_out_action = QAction(self)
        self.log_out_action.triggered.connect(self.log_out_requested)
        self.settings_action = QAction(self)
        self.settings_action.triggered.connect(self.open_office_settings)
        self.device_menu.addAction(self.device_action)
        self.device_menu.addAction(self.staff_action)
        self.device_menu.addAction(self.passphrase_action)
        self.device_menu.addAction(self.lock_action)
        self.device_menu.addAction(self.log_out_action)
        self.device_menu.addSeparator()
        self.device_menu.addAction(self.settings_action)
        self.officers_action = QAction(self)
        self.officers_action.triggered.connect(self.open_officers)
        self.templates_action = QAction(self)
        self.templates_action.triggered.connect(self.open_templates)
        self.device_menu.addAction(self.officers_action)
        self.device_menu.addAction(self.templates_action)
        self.aid_rules_action = QAction(self)
        self.aid_rules_action.triggered.connect(self.open_aid_rules)
        self.device_menu.addAction(self.aid_rules_action)
        self.person_review_action = QAction(self)
        self.person_review_action.triggered.connect(self.open_person_review)
        self.device_menu.addAction(self.person_review_action)
        self.device_menu.addSeparator()
        self.backup_now_action = QAction(self)
        self.backup_now_action.triggered.connect(self.back_up_now)
        self.backup_stick_action = QAction(self)
        self.backup_stick_action.triggered.connect(self.back_up_to_stick)
        self.restore_action = QAction(self)
        self.restore_action.triggered.connect(self.open_backups)
        for action in (self.backup_now_action, self.backup_stick_action, self.restore_action):
            self.device_menu.addAction(action)
        self.check_trail_action = QAction(self)  # every laptop's record of what was done
        self.check_trail_action.triggered.connect(self.check_trail)
        self.device_menu.addAction(self.check_trail_action)

        # Areas by number (Ctrl+1 Today … Ctrl+8 Sync), the registry's search, help.
        for number, (key, _title) in enumerate(AREAS, start=1):
            QShortcut(QKeySequence(f"Ctrl+{number}"), self,
                      lambda key=key: self._go_to(key))
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.find_petitions)

        self.help_menu = bar.addMenu("")
        self.keys_action = QAction(self)
        self.keys_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.keys_action.triggered.connect(self.show_keys)
        self.help_menu.addAction(self.keys_action)
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self.show_about)
        self.help_menu.addAction(self.about_action)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Doorstep"))
        self._retitle_nav()
        self.file_menu.setTitle(_("&File"))
        self.quit_action.setText(_("&Quit"))
        self.import_action.setText(_("Bring in a register kept in Excel…"))
        self.view_menu.setTitle(_("&View"))
        self.language_menu.setTitle(_("Language"))
        self.device_menu.setTitle(_("&Laptop"))
        self.device_action.setText(_("This laptop…"))
        self.staff_action.setText(_("Staff and passphrases…"))
        self.passphrase_action.setText(_("Change my passphrase…"))
        self.lock_action.setText(_("Lock"))
        self.log_out_action.setText(_("Log out"))
        self.settings_action.setText(_("Deadlines and holidays…"))
        self.officers_action.setText(_("Hearing officers…"))
        self.templates_action.setText(_("Agreement templates…"))
        self.aid_rules_action.setText(_("Judicial aid rules…"))
        self.person_review_action.setText(_("Possible duplicate persons…"))
        self.backup_now_action.setText(_("Back up now"))
        self.backup_stick_action.setText(_("Back up to a USB stick…"))
        self.restore_action.setText(_("Restore from backup…"))
        self.check_trail_action.setText(_("Check the record of what was done"))
        self.help_menu.setTitle(_("&Help"))
        self.keys_action.setText(_("Keyboard shortcuts"))
        self.about_action.setText(_("About Doorstep"))
        for key, widget in self.area_widgets.items():
            if key not in self._built and isinstance(widget, QLabel):
                widget.setText("" if self.attached else _("Opening the data…"))
        self._update_status()

    # -- areas built when first opened ----------------------------------------------------------
    def _area(self, key: str) -> QWidget:
        """The area, built now if it has not been (a stand-in until the store is open)."""
        if key not in self._built and self.attached:
            self._built.add(key)
            built = self._build_area(key)
            index = AREA_KEYS.index(key)
            stand_in = self.area_widgets[key]
            current = self.stack.currentIndex()
            self.stack.insertWidget(index, built)
            self.stack.removeWidget(stand_in)
            stand_in.deleteLater()
            self.stack.setCurrentIndex(current)
            self.area_widgets[key] = built
        return self.area_widgets[key]

    def _build_area(self, key: str) -> QWidget:
        tasks = self.tasks
        office_id = self.device.office_id or ""
        if key == "today":
            from ui.petitions.today_view import TodayView

            today = TodayView(tasks, office_id)
            today.petition_opened.connect(self.open_petition)
            today.visit_opened.connect(self.open_visit)
            today.counts_changed.connect(lambda _n: self._retitle_nav())
            return today
        if key == "intake":
            from ui.petitions.intake_view import IntakeView

            return IntakeView(tasks, self.paths, self.settings.current_staff_id, office_id)
        if key == "registry":
            from ui.petitions.registry_view import RegistryView

            registry_view = RegistryView(tasks)
            registry_view.petition_opened.connect(self.open_petition)
            return registry_view
        if key == "people":
            from ui.persons.people_view import PeopleView

            people = PeopleView(tasks)
            people.duplicates_requested.connect(self.open_person_review)
            return people
        if key == "ledger":
            from ui.ledger.charges_view import ChargesView
            from ui.ledger.ledger_view import LedgerView
            from ui.ledger.reception_view import ReceptionView
            from ui.ledger.screening_view import ScreeningView

            ledger = LedgerView(tasks, office_id)
            ledger.petition_opened.connect(self.open_petition)
            # The key petitioners' ledger first, the office's risk rules last.
            ledger.add_tab(ScreeningView(tasks, office_id), N_("Monthly screening"))
            # On a hub, the leaders' charges and reception days stay the hub's own office's
            # whichever office's ledger is chosen.
            ledger.add_tab(ChargesView(tasks, office_id), N_("Leaders in charge (领导包案)"),
                           own_office_only=True)
            ledger.add_tab(ReceptionView(tasks, office_id), N_("Leaders' reception days"),
                           own_office_only=True)
            tabs = ledger.tabs
            tabs.tabBar().moveTab(tabs.indexOf(ledger.rules_page), tabs.count() - 1)
            return ledger
        if key == "offices":
            from ui.office.office_view import OfficeView

            return OfficeView(tasks)
        if key == "statistics":
            from ui.statistics.statistics_view import StatisticsView

            statistics = StatisticsView(tasks)
            statistics.figure_opened.connect(self.open_figure)
            return statistics
        from ui.sync.view import SyncView

        sync = SyncView(tasks)
        sync.conflicts_changed.connect(self._conflicts_counted)
        return sync

    @property
    def today(self) -> TodayView:
        from ui.petitions.today_view import TodayView

        area = self._area("today")
        assert isinstance(area, TodayView)
        return area

    @property
    def intake(self) -> IntakeView:
        from ui.petitions.intake_view import IntakeView

        area = self._area("intake")
        assert isinstance(area, IntakeView)
        return area

    @property
    def registry(self) -> RegistryView:
        from ui.petitions.registry_view import RegistryView

        area = self._area("registry")
        assert isinstance(area, RegistryView)
        return area

    @property
    def people(self) -> PeopleView:
        from ui.persons.people_view import PeopleView

        area = self._area("people")
        assert isinstance(area, PeopleView)
        return area

    @property
    def ledger(self) -> LedgerView:
        from ui.ledger.ledger_view import LedgerView

        area = self._area("ledger")
        assert isinstance(area, LedgerView)
        return area

    @property
    def offices(self) -> OfficeView:
        from ui.office.office_view import OfficeView

        area = self._area("offices")
        assert isinstance(area, OfficeView)
        return area

    @property
    def statistics(self) -> StatisticsView:
        from ui.statistics.statistics_view import StatisticsView

        area = self._area("statistics")
        assert isinstance(area, StatisticsView)
        return area

    @property
    def sync(self) -> SyncView:
        from ui.sync.view import SyncView

        area = self._area("sync")
        assert isinstance(area, SyncView)
        return area

    @property
    def device(self) -> DeviceInfo:
        """This laptop (once the store is open)."""
        if self._device_info is None:
            raise RuntimeError("the store is not open yet")
        return self._device_info

    @device.setter
    def device(self, value: DeviceInfo) -> None:
        self._device_info = value

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(AREAS):
            self._area(AREAS[row][0])
        self.stack.setCurrentIndex(row)

    def _count_conflicts(self) -> int:
        from app.sync import engine

        return len(self.tasks.query(engine.conflicts))

    def _conflicts_counted(self, count: int) -> None:
        self._conflicts = count
        self._retitle_nav()

    def _retitle_nav(self) -> None:
        for row, (key, title) in enumerate(AREAS):
            item = self.nav.item(row)
            if item is None:
                continue
            text = _(title)
            if key == "today" and "today" in self._built and self.today.count():
                text += f" ({format_number(self.today.count())})"
            if key == "sync" and self._conflicts:
                text += f" ({format_number(self._conflicts)})"
            item.setText(text)

    def _on_changes(self, changes: Changes) -> None:
        """Each area reloads what it shows by itself; the window follows this laptop's office,
        the staff it offers and the user in the status bar."""
        if "sync" not in self._built and changes.touches("sync"):
            self._conflicts = self._count_conflicts()  # the sync area counts them once built
            self._retitle_nav()
        from app.core import identity

        if changes.touches("device", "office"):
            self.device = self.tasks.query(identity.this_device) or self.device
            office_id = self.device.office_id or ""
            if "today" in self._built and office_id != self.today.office_id:
                self.today.office_id = office_id
                self.today.reload()
            if "intake" in self._built:  # built later, it reads the office then
                self.intake.office_id = office_id
            if "ledger" in self._built:
                self.ledger.set_office(office_id)
        if changes.touches("staff", "device", "office"):
            if "intake" in self._built:
                self.intake.reload_staff()
            self._user = self.tasks.query(identity.staff_member,
                                          self.settings.current_staff_id)
        self._update_status()
        self._retitle_nav()

    def _arm_midnight(self) -> None:
        now = datetime.now()
        tomorrow = datetime.combine(now.date() + timedelta(days=1), time(0, 0, 1))
        self._midnight.start(max(1000, int((tomorrow - now).total_seconds() * 1000)))

    def _new_day(self) -> None:
        """A new day: what is due today has changed, and so has the date shown."""
        if "today" in self._built:
            self.today.reload()
        if "registry" in self._built:
            self.registry.reload()
        self._update_status()
        self._arm_midnight()
        self._back_up_daily()

    def _back_up_daily(self) -> None:
        """The day's first backup, on the worker, unless there is one (a cheap check)."""
        from app.core.backups import back_up_daily
        from ui.core.errors import show_error

        self.tasks.run(lambda store, _progress: back_up_daily(store), on_done=lambda _made: None,
                       on_failed=lambda error: show_error(self, error), parent=self)

    def back_up_now(self) -> None:
        from ui.office.backups_dialog import back_up_now

        back_up_now(self, self.tasks)

    def back_up_to_stick(self) -> None:
        from ui.office.backups_dialog import back_up_to_stick

        back_up_to_stick(self, self.tasks)

    def open_backups(self) -> None:
        """The list of backups; a backup chosen to restore goes to ``restore_requested``."""
        from ui.office.backups_dialog import BackupsDialog

        dialog = BackupsDialog(self.tasks, self)
        dialog.restore_chosen.connect(self.restore_requested)
        dialog.exec()

    def open_petition(self, petition_id: str) -> None:
        from ui.petitions.petition_dialog import PetitionDialog

        dialog = PetitionDialog(self.tasks, self.paths, petition_id,
                                self.settings.current_staff_id, self)
        dialog.exec()

    def open_figure(self, figure: FigureFilter, title: Caption) -> None:
        """The petitions behind a figure of the statistics, in the Registry."""
        self.registry.show_figure(figure, title)
        self.show_area("registry")

    def open_visit(self, petition_id: str, visit_id: str) -> None:
        """A return visit due (from Today): the visit to record over its petition."""
        from ui.petitions.petition_dialog import PetitionDialog

        dialog = PetitionDialog(self.tasks, self.paths, petition_id,
                                self.settings.current_staff_id, self)
        dialog.open_visit(visit_id)
        dialog.exec()

    def _office_id(self) -> str | None:
        if not self.device.office_id:
            self.open_device_dialog(first_run=True)
        return self.device.office_id

    def open_officers(self) -> None:
        from ui.hearings.officers_dialog import OfficersDialog

        office_id = self._office_id()
        if office_id:
            OfficersDialog(self.tasks, office_id, self).exec()

    def open_person_review(self) -> None:
        """Persons registered twice (e.g. on two laptops): merge them, or mark them different."""
        from ui.persons.person_review_dialog import PersonReviewDialog

        dialog = PersonReviewDialog(self.tasks, self.settings.current_staff_id, self)
        dialog.exec()
        if "people" in self._built:
            self.people.refresh_duplicates()

    def open_import(self) -> None:
        """File ▸ Bring in a register kept in Excel: the import wizard for this office."""
        from ui.imports.import_wizard import open_import_wizard

        open_import_wizard(self, self.tasks, self.device.office_id or "")

    def check_trail(self) -> None:
        """Every laptop's record of what was done, checked for alterations (leaders)."""
        from ui.audit.audit_dialog import check_trail

        check_trail(self.tasks, self)

    def open_aid_rules(self) -> None:
        """Who approves how much judicial aid; only a leader of the office may change it."""
        from ui.aid.rules_dialog import AidRulesDialog

        office_id = self._office_id()
        if office_id:
            AidRulesDialog(self.tasks, office_id, self.settings.current_staff_id, self).exec()

    def open_templates(self) -> None:
        """The office edits its agreement templates as plain files; show where they are."""
        from app.hearings.agreements import ensure_office_templates

        folder = attempt(self, lambda: ensure_office_templates(self.paths))
        if folder is None:
            return
        box = QMessageBox(self)
        box.setWindowTitle(title_text("Agreement templates"))
        box.setText(_(
            "The settle-and-withdraw agreement is drafted from two plain text files, one in "
            "Chinese and one in Tibetan, in this folder:\n\n{folder}\n\nEdit them with any "
            "text editor; the notes at the top of each file say how. The next agreement drafted "
            "uses them. Delete a file to go back to the text shipped with Doorstep.").format(
                folder=folder))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        open_button = box.addButton(_("Open the folder"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.exec()
        if box.clickedButton() is open_button:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def open_office_settings(self) -> None:
        from ui.office.office_settings_dialog import OfficeSettingsDialog

        if not self.device.office_id:
            self.open_device_dialog(first_run=True)
            if not self.device.office_id:
                return
        assert self.device.office_id is not None
        OfficeSettingsDialog(self.tasks, self.device.office_id, self).exec()

    def greet(self) -> None:
        """Once the store is open: a new laptop is asked which office it serves, and what was
        being typed when Doorstep last stopped is offered back."""
        if not self.device.office_id:
            self.open_device_dialog(first_run=True)
        self.offer_draft()

    def offer_draft(self) -> None:
        """At start: a petition being typed when Doorstep last stopped is offered back."""
        from app.hearings.drafts import hearing_drafts
        from app.petitions.drafts import discard_intake_draft, load_intake_draft
        for petition_id in hearing_drafts(self.paths):
            self.offer_hearing_draft(petition_id)
        if load_intake_draft(self.paths) is None:
            return
        if confirm(self, _("A petition was being typed when Doorstep last closed, and it was "
                           "not registered. Continue with it?"), default_yes=True):
            self.intake.restore_draft()
            self.show_area("intake")
        else:
            discard_intake_draft(self.paths)

    def offer_hearing_draft(self, petition_id: str) -> None:
        """A hearing being recorded when Doorstep stopped (a lid closed, a battery died)."""
        from app.hearings.drafts import discard_hearing_draft, load_hearing_draft
        from app.petitions.detail import petition_detail
        from ui.petitions.petition_dialog import PetitionDialog

        found = load_hearing_draft(self.paths, petition_id)
        try:
            number = self.tasks.call(petition_detail, petition_id).row.reg_no
        except AppError:
            found = None
        if found is None:
            discard_hearing_draft(self.paths, petition_id)
            return
        if not confirm(
                self,
                _("A hearing for petition {number} was being recorded when Doorstep last closed, "
                  "and it was not saved. Continue with it?").format(number=number),
                default_yes=True):
            discard_hearing_draft(self.paths, petition_id)
            return
        dialog = PetitionDialog(self.tasks, self.paths, petition_id,
                                self.settings.current_staff_id, self)
        dialog.open_hearing(found[1] or None, restore_draft=True)
        dialog.exec()

    def _go_to(self, key: str) -> None:
        self.show_area(key)
        self.area_widgets[key].setFocus()
        if key == "intake" and self.attached:
            self.intake.channel.setFocus()

    def find_petitions(self) -> None:
        """Ctrl+F: the registry's search, its text selected to be typed over."""
        self.show_area("registry")
        if not self.attached:
            return
        self.registry.search.setFocus()
        self.registry.search.selectAll()

    def keys_text(self) -> str:
        """The keys that work everywhere and in the forms, in the display language."""
        rows = [(f"Ctrl+{n}", _(title)) for n, (_key, title) in enumerate(AREAS, start=1)]
        rows += [("Ctrl+F", _("Search the registry")),
                 ("Ctrl+S", _("Register the petition, or save the form that is open")),
                 ("Tab / Shift+Tab", _("Next or previous field (the form's fields only)")),
                 ("Enter", _("Open the petition chosen in a list")),
                 ("Ctrl+1 … Ctrl+4", _("In a hearing: its pages")),
                 ("Ctrl+Enter", _("In a hearing: add what was said to the minutes")),
                 ("F1", _("This list"))]
        return "\n".join(f"{keys}\t{what}" for keys, what in rows)

    def show_keys(self) -> None:
        QMessageBox.information(self, title_text("Keyboard shortcuts"), self.keys_text())

    def show_area(self, key: str) -> None:
        self.nav.setCurrentRow(AREA_KEYS.index(key))

    def _update_status(self) -> None:
        """One line, values only (a label would take a second line in bilingual mode); each
        says what it is when the pointer rests on it."""
        self.date_status.setText(format_date(date.today(), separator=" / "))
        if self._device_info is None:  # the store is being opened
            return
        device = self.device
        if device.office_id:
            office = (device.office_name_zh, device.office_name_bo)
        else:
            office = (_("not set"), "")
        user = self._user
        if user:
            who = (f"{user.name_zh}（{zh_text(StaffRole(user.role).message)}）",
                   f"{user.name_bo or user.name_zh} ({bo_text(StaffRole(user.role).message)})")
        else:
            who = (_("nobody chosen"), "")
        today = date.today()
        for widget, name, (value_zh, value_bo) in (
                (self.office_status, N_("Office"), office),
                (self.device_status, N_("Laptop"), (device.name, "")),
                (self.user_status, N_("User"), who),
                (self.date_status, N_("Date"), (format_date(today), ""))):
            widget.setText(pick(value_zh, value_bo, " / ") if value_bo else value_zh)
            widget.setToolTip(labelled(name, value_zh, value_bo or None))
        self.date_status.setText(format_date(today, separator=" / "))

    def _remember_language(self, mode: str) -> None:
        self.language_actions[mode].setChecked(True)
        self.settings.language_mode = mode
        save_settings(self.paths, self.settings)

    def open_device_dialog(self, first_run: bool) -> None:
        from ui.office.device_dialog import DeviceDialog

        dialog = DeviceDialog(self.tasks, self.device, first_run, self)
        if dialog.exec() and dialog.result_device is not None:
            self.device = dialog.result_device  # the areas followed the change by themselves

    @property
    def user(self) -> UserInfo | None:
        """Who is logged in (None before the store is open, or on a store opened without a
        log-in)."""
        return self._user

    def open_staff(self) -> None:
        from app.core import identity
        from ui.office.staff_dialog import StaffDialog

        if not self.device.office_id:
            self.open_device_dialog(first_run=True)
            if not self.device.office_id:
                return
        StaffDialog(self.tasks, self._user.role if self._user else "",
                    self.settings.current_staff_id, self).exec()
        self._user = self.tasks.query(identity.staff_member,
                                      self.settings.current_staff_id)
        self._update_status()

    def change_passphrase(self) -> None:
        from ui.office.staff_dialog import OwnPassphraseDialog

        OwnPassphraseDialog(self.tasks, self).exec()

    def note(self, action: str) -> None:
        """A lock, a wrong passphrase on the lock screen, a log-out: for the record of what was
        done (a store that cannot take it says so in the log, and the lock goes on)."""
        from app.accounts import login

        try:
            self.tasks.call(login.note, action)
        except AppError as error:
            log.warning("not recorded (%s): %s", action, error)

    def show_about(self) -> None:
        QMessageBox.about(self, _("About Doorstep"), _(
            "Doorstep registers petitions, doorstep hearings and judicial aid for county "
            "procuratorates, and works without a network.\n\nFonts: Noto Serif Tibetan (SIL Open "
            "Font License 1.1) and AR PL UMing (Arphic Public License)."))

    def _restore_geometry(self) -> None:
        """Where the window was last time; on first start, the whole of a laptop's screen (a
        larger screen gets the window's own size, on the screen)."""
        if self.settings.window_geometry:
            self.restoreGeometry(QByteArray(base64.b64decode(self.settings.window_geometry)))
        else:
            room = room_for(self)
            if room.width() < FULL_SCREEN_BELOW.width() or (
                    room.height() < FULL_SCREEN_BELOW.height()):
                self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        if self.settings.window_state:
            self.restoreState(QByteArray(base64.b64decode(self.settings.window_state)))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.settings.window_geometry = base64.b64encode(
            bytes(self.saveGeometry().data())).decode("ascii")
        self.settings.window_state = base64.b64encode(
            bytes(self.saveState().data())).decode("ascii")
        save_settings(self.paths, self.settings)
        super().closeEvent(event)
