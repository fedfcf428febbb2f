"""The key petitioners area: the office's ledger (重点信访人员台账) with each person's risk colour
(三色预警), and the office's risk rules; more tabs are added with ``add_tab``.

The ledger is seen only by the office's clerks, procurators and leaders: anyone else (the office
administrator) is told so, and nothing of the ledger is read. Every reading of the list is
recorded (``app.ledger.entries``), so the list is read when the area is in view, not on every
change made elsewhere.

On a prefecture hub a box above the tabs chooses whose ledger is shown: the hub's own office's
or a county's whose records the hub holds. A county keeps its own ledger: the hub shows it and
its risk rules read-only (``app.ledger.keeping`` refuses any change anyway), and the tabs that
stay on the hub's own office (added with ``own_office_only``) cannot be chosen meanwhile.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AppError
from app.core.formatting import format_iso_date, format_number
from app.core.i18n import BILINGUAL_SEPARATOR, N_, _, labelled, ngettext, pick
from app.core.labels import label
from app.ledger import entries, keeping, rules
from app.ledger.entries import LedgerRow, Status
from app.ledger.rules import Level, RiskRuleRow, level_label
from app.persons import directory
from app.persons.directory import OfficeRow
from ui.core.errors import show_error
from ui.core.tasks import Changes, Tasks, TasksClosedError
from ui.ledger.ledger_papers import PaperLanguage, export_ledger, print_ledger
from ui.widgets.combo import compact
from ui.widgets.fields import cell, plain_table
from ui.widgets.form_support import ERROR_STYLE, Retranslated

# The colour each level is shown in (background, text).
LEVEL_COLOURS: dict[str, tuple[str, str]] = {
    Level.RED: ("#c62828", "#ffffff"), Level.YELLOW: ("#f9d71c", "#000000"),
    Level.GREEN: ("#2e7d32", "#ffffff")}
NEEDS_LEADER = N_("Needs a leader in charge")
OWN_OFFICE_ONLY = N_("This tab shows the hub's own office only: choose it above to see it.")

# L10N: column headings of the ledger of key petitioners
LEDGER_COLUMNS = (N_("Name"), N_("Level"), N_("Status"), N_("Reason"), N_("Entered on"),
                  N_("Staff responsible"), N_("Leader in charge"), N_("Last movement"))
# L10N: column headings of the office's risk rules
RULE_COLUMNS = (N_("Level"), N_("What it reads"), N_("Months"), N_("At least (times)"),
                N_("Active"), N_("Proposed by Doorstep"), N_("Note"))
# What the ledger's tables and the rules read: a change to any reloads the area.
LEDGER_TABLES = ("key_petitioner", "ledger_movement", "ledger_measure", "level_change",
                 "risk_rule", "person", "staff")


def stacked(text: str) -> str:
    """A bilingual text on two lines (Tibetan over Chinese), for a narrow column."""
    return text.replace(BILINGUAL_SEPARATOR, "\n")


def set_stacked_headers(table: QTableWidget, columns: tuple[str, ...]) -> None:
    """Column headings, bilingual ones on two lines so that the columns stay narrow."""
    table.setHorizontalHeaderLabels([stacked(_(c)) for c in columns])


def level_cell(level: str) -> QTableWidgetItem:
    """A level as a coloured cell with its name (no colour while none is set)."""
    item = cell(stacked(level_label(level)))
    colours = LEVEL_COLOURS.get(level)
    if colours is not None:
        item.setBackground(QBrush(QColor(colours[0])))
        item.setForeground(QBrush(QColor(colours[1])))
    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
    return item


def level_style(level: str) -> str:
    """A style sheet showing a label as a chip of the level's colour."""
    colours = LEVEL_COLOURS.get(level)
    if colours is None:
        return "padding: 2px 8px; border: 1px solid #888888; border-radius: 4px"
    return (f"padding: 2px 8px; border-radius: 4px; background: {colours[0]}; "
            f"color: {colours[1]}")


class LedgerView(Retranslated, QWidget):
    """The area: tabs over the office's ledger (``office_id``); on a hub, over the ledger of
    the office chosen in ``office_choice`` (the hub's own, ``own_office_id``, at first)."""

    petition_opened = Signal(str)  # a petition chosen from an entry's records

    def __init__(self, tasks: Tasks, office_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self.office_id, self.own_office_id = tasks, office_id, office_id
        self.rows: list[LedgerRow] = []
        self.rules: list[RiskRuleRow] = []
        self._stale = True
        self._tab_titles: list[tuple[QWidget, str]] = []
        self._own_office_only: list[QWidget] = []
        self._offices: list[OfficeRow] = []
        self.access = tasks.query(entries.ledger_access)
        self.kept = self._keeps(office_id)
        self.refusal = QLabel()
        self.refusal.setWordWrap(True)
        self.refusal.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.office_label = QLabel()
        self.office_choice = QComboBox()  # only on a hub: whose ledger is shown
        compact(self.office_choice, 30)  # a county's name whole, in both scripts too
        self.office_choice.currentIndexChanged.connect(self._office_chosen)
        self.kept_elsewhere = QLabel()
        self.kept_elsewhere.setWordWrap(True)
        choice = QHBoxLayout()
        choice.addWidget(self.office_label)
        choice.addWidget(self.office_choice)
        choice.addStretch(1)
        self.tabs = QTabWidget()
        self.add_tab(self._build_ledger(), N_("Ledger"))
        self.rules_page = self._build_rules()
        self.add_tab(self.rules_page, N_("Risk rules"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.refusal, 1)
        layout.addLayout(choice)
        layout.addWidget(self.kept_elsewhere)
        layout.addWidget(self.tabs, 1)
        self.refusal.setVisible(not self.access.see)
        self.tabs.setVisible(self.access.see)
        on_hub = tasks.on_server and self.access.see
        self.office_label.setVisible(on_hub)
        self.office_choice.setVisible(on_hub)
        if on_hub:
            self._offices = tasks.query(directory.offices)
        tasks.changed.connect(self._on_changes)
        self.retranslate_ui()

    # -- building -------------------------------------------------------------------------------
    def add_tab(self, widget: QWidget, title: str, own_office_only: bool = False) -> int:
        """Add a page to the area, titled ``title`` (a msgid, translated again on each language
        change); returns its index. A page ``own_office_only`` shows the hub's own office
        whatever ledger is chosen: it cannot be chosen while another office's is shown."""
        self._tab_titles.append((widget, title))
        if own_office_only:
            self._own_office_only.append(widget)
        index = self.tabs.addTab(widget, _(title))
        if own_office_only:
            self._grey_own_office_only()
        return index

    def _build_ledger(self) -> QWidget:
        page = QWidget()
        self.count = QLabel()
        self.include_left = QCheckBox()
        self.include_left.toggled.connect(lambda _on: self.reload())
        top = QHBoxLayout()
        top.addWidget(self.count, 1)
        top.addWidget(self.include_left)
        self.table = plain_table(len(LEDGER_COLUMNS), stretch=3)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.enter_button = QPushButton()
        self.open_button = QPushButton()
        self.paper_label = QLabel()
        self.paper_language = PaperLanguage()
        self.print_button = QPushButton()
        self.export_button = QPushButton()
        for button in (self.enter_button, self.open_button, self.print_button,
                       self.export_button):
            button.setAutoDefault(False)
        self.enter_button.clicked.connect(self.enter_person)
        self.open_button.clicked.connect(self.open_selected)
        self.print_button.clicked.connect(lambda: print_ledger(
            self, self._tasks, self.office_id, self.paper_language.language()))
        self.export_button.clicked.connect(lambda: export_ledger(
            self, self._tasks, self.office_id, language=self.paper_language.language()))
        buttons = QHBoxLayout()
        buttons.addWidget(self.enter_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.paper_label)
        buttons.addWidget(self.paper_language)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.export_button)
        column = QVBoxLayout(page)
        column.addLayout(top)
        column.addWidget(self.table, 1)
        column.addLayout(buttons)
        return page

    def _build_rules(self) -> QWidget:
        page = QWidget()
        self.rules_note = QLabel()
        self.rules_note.setWordWrap(True)
        self.rules_table = plain_table(len(RULE_COLUMNS))
        self.rules_table.doubleClicked.connect(lambda _index: self.edit_rule())
        self.rules_table.itemSelectionChanged.connect(self._selection_changed)
        self.edit_rule_button = QPushButton()
        self.add_rule_button = QPushButton()
        for button in (self.edit_rule_button, self.add_rule_button):
            button.setAutoDefault(False)
        self.edit_rule_button.clicked.connect(self.edit_rule)
        self.add_rule_button.clicked.connect(self.add_rule)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_rule_button)
        buttons.addWidget(self.add_rule_button)
        buttons.addStretch(1)
        column = QVBoxLayout(page)
        column.addWidget(self.rules_note)
        column.addWidget(self.rules_table, 1)
        column.addLayout(buttons)
        return page

    # -- reading --------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the ledger and the rules again (a reading that is recorded), keeping the
        chosen entry."""
        if not self.access.see:
            return
        self._stale = False
        chosen = self.selected()
        if not self.office_id:  # the laptop serves no office yet
            self.rows, self.rules = [], []
            self._show_rows()
            self._show_rules()
            return
        try:
            self.rows = self._tasks.query(entries.ledger, self.office_id,
                                          self.include_left.isChecked())
            self.rules = self._tasks.query(rules.risk_rules, self.office_id)
        except TasksClosedError:  # the window is closing
            return
        except AppError as error:
            show_error(self, error)
            return
        self._show_rows()
        self._show_rules()
        if chosen is not None:
            ids = [r.entry_id for r in self.rows]
            if chosen.entry_id in ids:
                self.table.selectRow(ids.index(chosen.entry_id))
        self._selection_changed()

    def set_office(self, office_id: str) -> None:
        """This laptop now serves ``office_id``: its ledger, read now if in view."""
        if office_id == self.own_office_id and office_id == self.office_id:
            return
        self.own_office_id = office_id
        self._fill_offices()
        self.show_office(office_id)

    def show_office(self, office_id: str) -> None:
        """Show the ledger of ``office_id`` (on a hub, the hub's own office's or a county's),
        read now if in view."""
        if office_id == self.office_id:
            return
        self.office_id = office_id
        self.kept = self._keeps(office_id)
        index = self.office_choice.findData(office_id)
        if index >= 0 and index != self.office_choice.currentIndex():
            self.office_choice.blockSignals(True)
            self.office_choice.setCurrentIndex(index)
            self.office_choice.blockSignals(False)
        self._show_kept()
        self._stale = True
        if self.isVisible():
            self.reload()

    def _keeps(self, office_id: str) -> bool:
        return not office_id or bool(self._tasks.query(keeping.keeps_ledger, office_id))

    def _office_chosen(self, index: int) -> None:
        if index >= 0:
            self.show_office(str(self.office_choice.itemData(index) or self.own_office_id))

    def _fill_offices(self) -> None:
        """The hub's own office first, then each office whose records the hub holds, named in
        the display script."""
        if not self._offices:  # a laptop's: no choice
            return
        own = [o for o in self._offices if o.id == self.own_office_id]
        others = [o for o in self._offices if o.id != self.own_office_id]
        self.office_choice.blockSignals(True)
        self.office_choice.clear()
        for office in own + others:
            self.office_choice.addItem(pick(office.name_zh, office.name_bo), office.id)
        self.office_choice.setCurrentIndex(max(self.office_choice.findData(self.office_id), 0))
        self.office_choice.blockSignals(False)

    def _show_kept(self) -> None:
        """What changes the ledger is offered only for a ledger kept here; the tabs of the
        hub's own office only are greyed while another office's ledger is shown."""
        self.kept_elsewhere.setVisible(not self.kept)
        self.enter_button.setVisible(self.kept)
        self.edit_rule_button.setVisible(self.kept)
        self.add_rule_button.setVisible(self.kept)
        self._grey_own_office_only()

    def _grey_own_office_only(self) -> None:
        for widget in self._own_office_only:
            index = self.tabs.indexOf(widget)
            self.tabs.setTabEnabled(index, self.kept)
            self.tabs.setTabToolTip(index, "" if self.kept else _(OWN_OFFICE_ONLY))
            if not self.kept and self.tabs.currentIndex() == index:
                self.tabs.setCurrentIndex(0)

    def _on_changes(self, changes: Changes) -> None:
        if self._offices and changes.touches("office"):  # an import may bring a county
            self._offices = self._tasks.query(directory.offices)
            self._fill_offices()
        if not changes.touches(*LEDGER_TABLES):
            return
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        if self._stale:
            self.reload()
        super().showEvent(event)

    def selected(self) -> LedgerRow | None:
        if not self.table.selectionModel().hasSelection():
            return None
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def selected_rule(self) -> RiskRuleRow | None:
        if not self.rules_table.selectionModel().hasSelection():
            return None
        row = self.rules_table.currentRow()
        return self.rules[row] if 0 <= row < len(self.rules) else None

    def _selection_changed(self) -> None:
        self.open_button.setEnabled(self.selected() is not None)
        for button in (self.print_button, self.export_button):
            button.setEnabled(bool(self.office_id))
        self.edit_rule_button.setEnabled(self.access.change_rules and self.kept
                                         and self.selected_rule() is not None)
        self.add_rule_button.setEnabled(self.access.change_rules and self.kept)

    # -- showing --------------------------------------------------------------------------------
    def _show_rows(self) -> None:
        set_stacked_headers(self.table, LEDGER_COLUMNS)
        self.table.setRowCount(len(self.rows))
        for row, r in enumerate(self.rows):
            left = r.status == Status.LEFT
            leader = pick(r.leader_zh, r.leader_bo, "\n") or "—"
            responsible = pick(r.responsible_zh, r.responsible_bo, "\n") or "—"
            cells = (pick(r.name_zh, r.name_bo, "\n") or "—", None,
                     stacked(label(Status, r.status)), r.reason, format_iso_date(r.entered_on),
                     responsible, leader, format_iso_date(r.last_movement_on))
            for column, text in enumerate(cells):
                if text is None:
                    self.table.setItem(row, column, level_cell(r.level))
                    continue
                self.table.setItem(row, column, cell(text, greyed=left))
            if r.needs_leader and not left:
                item = cell(stacked(_(NEEDS_LEADER)))
                item.setForeground(QBrush(QColor("#b00020")))
                item.setToolTip(_("Red and yellow key petitioners must have a leader in "
                                  "charge."))
                self.table.setItem(row, 6, item)
        self.table.resizeRowsToContents()
        shown = len(self.rows)
        unled = sum(1 for r in self.rows if r.needs_leader and r.status != Status.LEFT)
        text = labelled(N_("Key petitioners"), format_number(shown))
        if unled:
            text += "　" + ngettext("{n} red or yellow without a leader in charge",
                                   "{n} red or yellow without a leader in charge",
                                   unled).format(n=format_number(unled))
        self.count.setText(text)

    def _show_rules(self) -> None:
        set_stacked_headers(self.rules_table, RULE_COLUMNS)
        self.rules_table.setRowCount(len(self.rules))
        for row, r in enumerate(self.rules):
            greyed = not r.active
            cells = (r.label, format_number(r.months), format_number(r.min_count),
                     stacked(_("Yes") if r.active else _("No")),
                     stacked(_("Proposed by Doorstep")) if r.proposed_by_doorstep else "",
                     r.note)
            self.rules_table.setItem(row, 0, level_cell(r.level))
            for column, text in enumerate(cells, start=1):
                self.rules_table.setItem(row, column, cell(text, greyed=greyed,
                                                           right=column in (2, 3)))
        self.rules_table.resizeRowsToContents()

    # -- actions --------------------------------------------------------------------------------
    def enter_person(self) -> None:
        from ui.ledger.enter_dialog import EnterDialog

        if not self.kept:
            return
        dialog = EnterDialog(self._tasks, self.office_id, self)
        dialog.entered.connect(self._entered)
        dialog.exec()

    def _entered(self, entry_id: str) -> None:
        self.reload()
        ids = [r.entry_id for r in self.rows]
        if entry_id in ids:
            self.table.selectRow(ids.index(entry_id))
        self.open_entry(entry_id)

    def open_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_entry(row.entry_id)

    def open_entry(self, entry_id: str) -> None:
        from ui.ledger.entry_dialog import EntryDialog

        try:
            dialog = EntryDialog(self._tasks, entry_id, self)
        except AppError as error:
            show_error(self, error)
            return
        dialog.petition_opened.connect(self.petition_opened)
        dialog.exec()

    def edit_rule(self) -> None:
        rule = self.selected_rule()
        if rule is not None and self.access.change_rules and self.kept:
            self._rule_dialog(rule)

    def add_rule(self) -> None:
        if self.access.change_rules and self.kept:
            self._rule_dialog(None)

    def _rule_dialog(self, rule: RiskRuleRow | None) -> None:
        from ui.ledger.rule_dialog import RuleDialog

        RuleDialog(self._tasks, self.office_id, rule, self).exec()

    # -- texts ----------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        for widget, title in self._tab_titles:
            index = self.tabs.indexOf(widget)
            if index >= 0:
                self.tabs.setTabText(index, _(title))
        self.refusal.setText(_(
            "The ledger of key petitioners is kept and seen only by the office's clerks, "
            "procurators and leaders."))
        self.refusal.setStyleSheet(ERROR_STYLE)
        self.office_label.setText(_("Office"))
        self._fill_offices()  # the offices' names in the display script
        self.kept_elsewhere.setText(_(keeping.KEPT_BY_ITS_OFFICE))
        self._show_kept()
        self.include_left.setText(_("Include those who left the ledger"))
        self.enter_button.setText(_("Enter a person…"))
        self.open_button.setText(_("Open…"))
        self.paper_label.setText(_("Paper in"))
        self.print_button.setText(_("Print…"))
        self.export_button.setText(_("Export to Excel…"))
        self.edit_rule_button.setText(_("Edit the rule…"))
        self.add_rule_button.setText(_("Add a rule…"))
        self.rules_note.setText(
            _("Doorstep proposes each key petitioner's level from these rules; a person "
              "confirms or overrides it. No public rule defines the colours: the office sets "
              "its own.") + ("" if self.access.change_rules else "\n" + _(
                  "Only the chief procurator or a deputy chief procurator can change the "
                  "office's rules.")))
        if self.access.see and not self._stale:
            self._show_rows()
            self._show_rules()
