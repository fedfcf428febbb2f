"""The import wizard: bringing an office's hand-kept petition register or key-petitioner ledger
into Doorstep (``app.imports``), in steps: the file and what it is → its sheet → which column
is which field, with the first rows as they will be imported → the rows that will be refused,
and why → the import, in one transaction → what was done.

Reading the sheet, the preview and the import run on the store's worker with a progress
window; the staged rows live in a workspace of the scratch folder until the wizard closes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AppError
from app.core.formatting import format_number
from app.core.i18n import N_, _, ngettext, title_text
from app.core.labels import BusinessType, Category, Channel
from app.core.scratch import Workspace
from app.imports import bringing, fields, sheets
from app.imports.bringing import ImportResult, Options, Preview
from app.imports.fields import Kind
from app.imports.sheets import StagedSheet
from ui.core.errors import READ_ERROR, show_error
from ui.core.tasks import Running, Tasks
from ui.widgets.combo import CodeCombo, compact
from ui.widgets.fields import MessageLine, cell, plain_table
from ui.widgets.form_support import Retranslated, section, translated_label

log = logging.getLogger(__name__)

FILE, SHEET, MAPPING, REFUSED, DONE = range(5)
NOT_IN_SHEET = N_("(not in the sheet)")
# L10N: a column of the preview: the row's person is one already in the store.
KNOWN_PERSON = N_("Person already known")
_PREVIEW_DELAY_MS = 300
_LABEL_WIDTH = 150
_STEPS = (N_("1. The file"), N_("2. The sheet"), N_("3. The columns"),
          N_("4. Rows refused"), N_("5. Done"))


def open_import_wizard(parent: QWidget | None, tasks: Tasks, office_id: str) -> ImportWizard:
    """Open the wizard (modal) for the office; returns it once it is closed."""
    wizard = ImportWizard(tasks, office_id, parent)
    wizard.exec()
    return wizard


class ImportWizard(Retranslated, QDialog):
    # The import was done: its ImportResult.
    imported = Signal(object)
    # A preview arrived and is shown.
    previewed = Signal()

    def __init__(self, tasks: Tasks, office_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks, self._office_id = tasks, office_id
        self._workspace: Workspace | None = None
        self._running: Running | None = None
        self.staged: StagedSheet | None = None
        self.preview: Preview | None = None
        self.outcome: ImportResult | None = None
        self.step_label = QLabel()
        self.pages = QStackedWidget()
        self.pages.addWidget(self._file_page())
        self.pages.addWidget(self._sheet_page())
        self.pages.addWidget(self._mapping_page())
        self.pages.addWidget(self._refused_page())
        self.pages.addWidget(self._done_page())
        self.message = MessageLine()
        self.back_button = QPushButton()
        self.next_button = QPushButton()
        self.close_button = QPushButton()
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.close_button.clicked.connect(self.reject)
        self.next_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        heading = self.step_label.font()
        heading.setBold(True)
        self.step_label.setFont(heading)
        layout.addWidget(self.step_label)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(_PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.refresh_preview)
        self.finished.connect(self._close_workspace)
        self.resize(1000, 640)
        self.retranslate_ui()
        self._show(FILE)

    # -- pages -----------------------------------------------------------------------------
    def _file_page(self) -> QWidget:
        page = QWidget()
        self.path = QLineEdit()
        self.browse_button = QPushButton()
        self.browse_button.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse_button)
        self.kind = CodeCombo(Kind)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        form = QFormLayout()
        form.addRow(translated_label(N_("File (.xlsx or .csv)")), row)
        form.addRow(translated_label(N_("What it is")), self.kind)
        self.file_explain = QLabel()
        self.file_explain.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.file_explain)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _sheet_page(self) -> QWidget:
        page = QWidget()
        self.sheet = QComboBox()
        compact(self.sheet, 20)
        form = QFormLayout()
        form.addRow(translated_label(N_("Sheet")), self.sheet)
        layout = QVBoxLayout(page)
        layout.addWidget(translated_label(N_("The workbook has several sheets: choose the one "
                                             "that holds the register.")))
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _mapping_page(self) -> QWidget:
        page = QWidget()
        self.mapping_form = QFormLayout()
        self.mapping_combos: dict[str, QComboBox] = {}
        self.mapping_labels: dict[str, QLabel] = {}
        holder = QWidget()
        holder.setLayout(self.mapping_form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        self.defaults = QWidget()
        self.channel = CodeCombo(Channel)
        self.category = CodeCombo(Category)
        self.category.set_code("appeal")
        self.business_type = CodeCombo(BusinessType)
        self.business_type.set_code("other")
        defaults = QFormLayout(self.defaults)
        defaults.addRow(translated_label(N_("Channel when the sheet does not say")),
                        self.channel)
        defaults.addRow(translated_label(N_("Category when the sheet does not say")),
                        self.category)
        defaults.addRow(translated_label(N_("Business type when the sheet does not say")),
                        self.business_type)
        for combo in (self.channel, self.category, self.business_type):
            combo.currentIndexChanged.connect(self._mapping_changed)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(section(N_("Which column is which")))
        left_layout.addWidget(scroll, 1)
        left_layout.addWidget(self.defaults)
        self.preview_table = plain_table(1, stretch=None)
        self.preview_table.horizontalHeader().setSectionResizeMode(
            self.preview_table.horizontalHeader().ResizeMode.Interactive)
        self.preview_counts = QLabel()
        self.preview_counts.setWordWrap(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(section(N_("The first rows, as they will be imported")))
        right_layout.addWidget(self.preview_table, 1)
        right_layout.addWidget(self.preview_counts)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([420, 560])
        layout = QVBoxLayout(page)
        layout.addWidget(splitter)
        return page

    def _refused_page(self) -> QWidget:
        page = QWidget()
        self.refused_summary = QLabel()
        self.refused_summary.setWordWrap(True)
        self.refused_table = plain_table(2)
        layout = QVBoxLayout(page)
        layout.addWidget(self.refused_summary)
        layout.addWidget(self.refused_table, 1)
        return page

    def _done_page(self) -> QWidget:
        page = QWidget()
        self.done_summary = QLabel()
        self.done_summary.setWordWrap(True)
        self.done_table = plain_table(2)
        layout = QVBoxLayout(page)
        layout.addWidget(self.done_summary)
        layout.addWidget(self.done_table, 1)
        return page

    # -- moving between steps --------------------------------------------------------------
    def step(self) -> int:
        return self.pages.currentIndex()

    def _show(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        self.message.clear()
        self.retranslate_ui()

    def back(self) -> None:
        index = self.step()
        if index == MAPPING:
            index = SHEET if self.sheet.count() > 1 else FILE
        elif index in (SHEET, REFUSED):
            index -= 1
        self._show(index)

    def next(self) -> None:
        if self._running is not None:
            return
        index = self.step()
        if index == FILE:
            self._choose_file()
        elif index == SHEET:
            self._stage(self.sheet.currentText())
        elif index == MAPPING:
            if self._missing_fields():
                return
            self._preview_then(lambda: self._show(REFUSED))
        elif index == REFUSED:
            self._import()
        else:
            self.accept()

    def browse(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, _("Choose the register to bring in"), self.path.text(),
            _("Excel workbook or CSV file (*.xlsx *.csv)"))
        if chosen:
            self.path.setText(chosen)

    def _kind_changed(self) -> None:
        self.staged = self.preview = None
        self.retranslate_ui()

    def _choose_file(self) -> None:
        text = self.path.text().strip()
        if not text:
            self.message.error(lambda: _("Please choose the file to bring in."))
            return
        path = Path(text)
        try:
            names = sheets.sheet_names(path)
        except AppError as error:
            self.message.error(error.translated)
            return
        except OSError as error:
            show_error(self, error, file_error=READ_ERROR)
            return
        self.sheet.clear()
        self.sheet.addItems(names)
        if len(names) > 1:
            self._show(SHEET)
        else:
            self._stage(names[0])

    def _stage(self, sheet: str) -> None:
        path = Path(self.path.text().strip())
        if self._workspace is None:
            self._workspace = sheets.begin(self._tasks.paths)
        workspace = self._workspace

        def done(staged: StagedSheet) -> None:
            self._running = None
            self.staged = staged
            self._fill_mapping(fields.propose(self.kind.code(), staged.columns))
            self._show(MAPPING)
            self.refresh_preview()

        self._running = self._tasks.run(
            lambda _store, _progress: sheets.stage(workspace, path, sheet), on_done=done,
            on_failed=self._failed, parent=self, message=_("Reading the sheet…"))

    def _failed(self, error: BaseException) -> None:
        self._running = None
        if isinstance(error, AppError):
            self.message.error(error.translated)
            return
        show_error(self, error, file_error=READ_ERROR)

    # -- the mapping -----------------------------------------------------------------------
    def _fill_mapping(self, proposed: dict[str, int]) -> None:
        assert self.staged is not None
        while self.mapping_form.rowCount():
            self.mapping_form.removeRow(0)
        self.mapping_combos.clear()
        self.mapping_labels.clear()
        for f in fields.fields_of(self.kind.code()):
            combo = QComboBox()
            compact(combo, 10)
            combo.addItem(_(NOT_IN_SHEET), -1)
            for position, name in enumerate(self.staged.columns):
                combo.addItem(name, position)
            index = combo.findData(proposed.get(f.code, -1))
            combo.setCurrentIndex(max(index, 0))
            combo.currentIndexChanged.connect(self._mapping_changed)
            label = QLabel()
            label.setWordWrap(True)
            label.setMinimumWidth(_LABEL_WIDTH)
            self.mapping_combos[f.code] = combo
            self.mapping_labels[f.code] = label
            self.mapping_form.addRow(label, combo)
        self.defaults.setVisible(self.kind.code() == Kind.PETITIONS)
        self._label_fields()

    def _label_fields(self) -> None:
        for f in fields.fields_of(self.kind.code()):
            label = self.mapping_labels.get(f.code)
            if label is not None:
                label.setText(_(f.label) + (" *" if f.required else ""))
            combo = self.mapping_combos.get(f.code)
            if combo is not None and combo.count():
                combo.setItemText(0, _(NOT_IN_SHEET))

    def mapping(self) -> dict[str, int]:
        chosen = {code: int(combo.currentData()) for code, combo in
                  self.mapping_combos.items()}
        return {code: position for code, position in chosen.items() if position >= 0}

    def options(self) -> Options:
        return Options(self.kind.code(), self._office_id, self.mapping(),
                       channel=self.channel.code() or "visit",
                       category=self.category.code() or "appeal",
                       business_type=self.business_type.code() or "other")

    def _missing_fields(self) -> bool:
        mapping = self.mapping()
        missing = [f for f in fields.fields_of(self.kind.code()) if f.required
                   and f.code not in mapping
                   and not (f.code == "name_zh" and "name_bo" in mapping)]
        if missing:
            self.message.error(lambda: _("Please choose the column for: {fields}.").format(
                fields="、".join(_(f.label) for f in missing)))
        return bool(missing)

    def _mapping_changed(self) -> None:
        self._preview_timer.start()

    def refresh_preview(self) -> None:
        """Preview the rows with the mapping shown (on the worker)."""
        self._preview_then(None)

    def _preview_then(self, then: Any) -> None:
        if self.staged is None or self._running is not None:
            if self._running is not None:
                self._preview_timer.start()
            return
        if self._missing_fields():
            self.preview = None
            self._show_preview()
            return
        self.message.clear()
        staged, options = self.staged, self.options()

        def done(preview: Preview) -> None:
            self._running = None
            self.preview = preview
            self._show_preview()
            self.previewed.emit()
            if then is not None:
                then()

        self._running = self._tasks.run(
            lambda store, progress: bringing.preview(store, staged, options,
                                                     progress=progress),
            on_done=done, on_failed=self._failed, parent=self,
            message=_("Reading the rows…"))

    def _preview_columns(self) -> list[fields.Field]:
        mapping = self.mapping()
        return [f for f in fields.fields_of(self.kind.code()) if f.code in mapping]

    def _show_preview(self) -> None:
        columns = self._preview_columns()
        table = self.preview_table
        table.setColumnCount(len(columns) + 2)
        table.setHorizontalHeaderLabels([_("Row")] + [_(f.label) for f in columns]
                                        + [_(KNOWN_PERSON)])
        rows = self.preview.rows if self.preview is not None else []
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            table.setItem(r, 0, cell(format_number(row.row), right=True))
            for c, f in enumerate(columns, start=1):
                table.setItem(r, c, cell(self._shown(f.code, row.values.get(f.code, ""))))
            table.setItem(r, len(columns) + 1, cell(_("Yes") if row.known_person else ""))
            if row.notes:
                tip = "\n".join(n.text() for n in row.notes)
                for c in range(table.columnCount()):
                    item = table.item(r, c)
                    if item is not None:
                        item.setToolTip(tip)
        table.resizeColumnsToContents()
        self._show_counts()

    @staticmethod
    def _shown(code: str, value: str) -> str:
        from app.core.labels import label
        from app.ledger.rules import Level

        vocabularies: dict[str, Any] = {"channel": Channel, "category": Category,
                                        "business_type": BusinessType, "level": Level}
        if code in vocabularies and value:
            return label(vocabularies[code], value)
        return value

    def _show_counts(self) -> None:
        preview = self.preview
        if preview is None:
            self.preview_counts.setText("")
            self.refused_summary.setText("")
            self.refused_table.setRowCount(0)
            return
        counts = self._counts(preview.to_import, preview.already, len(preview.refused))
        self.preview_counts.setText(counts)
        self.refused_summary.setText(counts + "\n" + (_(
            "These rows will be refused; correct them in the sheet and bring it in again "
            "later if they matter (rows already brought in are left alone).")
            if preview.refused else _("No row will be refused.")))
        self._fill_refusals(self.refused_table, preview.refused)

    @staticmethod
    def _counts(imported: int, already: int, refused: int, done: bool = False) -> str:
        first = ngettext("{n} row imported", "{n} rows imported", imported) if done else \
            ngettext("{n} row will be imported", "{n} rows will be imported", imported)
        return "; ".join((
            first.format(n=format_number(imported)),
            ngettext("{n} row was already there", "{n} rows were already there",
                     already).format(n=format_number(already)),
            ngettext("{n} row refused", "{n} rows refused", refused)
            .format(n=format_number(refused))))

    def _fill_refusals(self, table: Any, refused: list[bringing.Refusal]) -> None:
        table.setHorizontalHeaderLabels([_("Row"), _("Why it is refused")])
        table.setRowCount(len(refused))
        for r, refusal in enumerate(refused):
            table.setItem(r, 0, cell(format_number(refusal.row), right=True))
            table.setItem(r, 1, cell(refusal.text()))
        # The reasons wrap in their column (a bilingual one is long) rather than end in "…".
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.resizeRowsToContents()

    # -- the import ------------------------------------------------------------------------
    def _import(self) -> None:
        assert self.staged is not None
        staged, options = self.staged, self.options()

        def done(result: ImportResult) -> None:
            self._running = None
            self.outcome = result
            self.done_summary.setText(self._counts(result.imported, result.already,
                                                   len(result.refused), done=True))
            self._fill_refusals(self.done_table, result.refused)
            self._show(DONE)
            self.imported.emit(result)

        self._running = self._tasks.run(
            lambda store, progress: bringing.run_import(store, staged, options,
                                                        progress=progress),
            on_done=done, on_failed=self._failed, parent=self,
            message=_("Importing the rows…"))

    def _close_workspace(self) -> None:
        self._preview_timer.stop()
        if self._running is not None:
            self._running.cancel()
            self._tasks.wait()
            self._running = None
        if self._workspace is not None:
            self._workspace.close()
            self._workspace = None

    # -- language --------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.setWindowTitle(title_text("Bring in a hand-kept register"))
        index = self.step()
        self.step_label.setText(_(_STEPS[index]) if index >= 0 else "")
        self.file_explain.setText(_(
            "Choose the office's register as it is kept today, in Excel (.xlsx) or as a .csv "
            "file, and say what it is. A title line above the header, a header of two rows "
            "and blank rows are fine. Nothing is saved before the last step."))
        self.browse_button.setText(_("Choose…"))
        self.kind.retranslate()
        for combo in (self.channel, self.category, self.business_type):
            combo.retranslate()
        self._label_fields()
        if self.preview is not None:
            self._show_preview()
        if self.outcome is not None:
            self.done_summary.setText(self._counts(
                self.outcome.imported, self.outcome.already, len(self.outcome.refused),
                done=True))
            self._fill_refusals(self.done_table, self.outcome.refused)
        self.back_button.setText(_("Back"))
        self.back_button.setEnabled(index not in (FILE, DONE))
        self.next_button.setText(_("Import") if index == REFUSED
                                 else _("Finish") if index == DONE else _("Next"))
        self.close_button.setText(_("Close") if index == DONE else _("Cancel"))
