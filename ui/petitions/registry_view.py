"""The registry: every petition, with filters and search-as-you-type over both scripts; the
petitions listed exported as a workbook or CSV, or printed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core import i18n
from app.core.formatting import format_number
from app.core.i18n import N_, _, labelled, ngettext, pick, title_text
from app.core.labels import BusinessType, Category, Channel, PetitionStatus
from app.core.progress import check
from app.persons import directory
from app.petitions.registry import FigureFilter, RegistryFilter
from ui.core.errors import show_error
from ui.core.tasks import Changes, Progress, Tasks
from ui.petitions.petitions_table_model import PetitionsTableModel
from ui.widgets.combo import CodeCombo, compact
from ui.widgets.fields import date_field
from ui.widgets.form_support import Retranslated, to_date
from ui.widgets.lazy_table_model import fit_columns, refresh_keeping_place

SEARCH_DELAY_MS = 200
# L10N: in place of the number of petitions found, while the registry looks for them.
SEARCHING = N_("Searching…")
BANNER_STYLE = ("QFrame#figureBanner { background: #eef3fb; border: 1px solid #9db3d4; "
                "border-radius: 3px; }")
# What the banner says over the petitions behind a figure: text or, given the number of
# petitions listed, the text in the display language of the moment.
Caption = str | Callable[[int], str]


# What the registry shows comes from these tables.
SHOWN = ("petition", "petition_party", "person", "petition_reply", "deadline_event")


class RegistryView(Retranslated, QWidget):
    petition_opened = Signal(str)
    # The list was written to a file: its path.
    list_exported = Signal(str)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._offices = tasks.query(directory.offices)
        self.model = PetitionsTableModel(tasks, self)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.channel = CodeCombo(Channel, N_("All channels"))
        self.category = CodeCombo(Category, N_("All categories"))
        self.business_type = CodeCombo(BusinessType, N_("All business types"))
        self.status = CodeCombo(PetitionStatus, N_("All statuses"))
        self.office = QComboBox()
        compact(self.office)
        self.overdue = QCheckBox()
        self.use_from, self.use_to = QCheckBox(), QCheckBox()
        today = QDate.currentDate()
        self.date_from = date_field(today.addMonths(-3))
        self.date_to = date_field(today)
        for edit in (self.date_from, self.date_to):
            edit.setEnabled(False)
        self.count = QLabel()
        self.export_button = QPushButton()
        self.print_button = QPushButton()
        self.export_button.clicked.connect(lambda: self.export_list())
        self.print_button.clicked.connect(self.print_list)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_list)
        # Shown over the petitions behind one figure of the statistics.
        self._figure: FigureFilter | None = None
        self._caption: Caption = ""
        self.figure_banner = QFrame()
        self.figure_banner.setObjectName("figureBanner")
        self.figure_banner.setStyleSheet(BANNER_STYLE)
        self.figure_text = QLabel()
        self.figure_text.setWordWrap(True)
        self.show_all_button = QPushButton()
        self.show_all_button.clicked.connect(self.clear_figure)
        banner = QHBoxLayout(self.figure_banner)
        banner.addWidget(self.figure_text, 1)
        banner.addWidget(self.show_all_button)
        self.figure_banner.hide()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(0)

        # The filters; while the petitions behind a figure are shown, its banner stands here.
        self.filters = QWidget()
        grid = QGridLayout(self.filters)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.search, 0, 0, 1, 3)
        grid.addWidget(self.channel, 1, 0)
        grid.addWidget(self.category, 1, 1)
        grid.addWidget(self.business_type, 1, 2)
        grid.addWidget(self.status, 2, 0)
        grid.addWidget(self.office, 2, 1)
        grid.addWidget(self.overdue, 2, 2)
        dates = QHBoxLayout()
        for widget in (self.use_from, self.date_from, self.use_to, self.date_to):
            dates.addWidget(widget)
        dates.addStretch(1)
        grid.addLayout(dates, 3, 0, 1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addWidget(self.figure_banner)
        count_row = QHBoxLayout()
        count_row.addWidget(self.count, 1)
        count_row.addWidget(self.export_button)
        count_row.addWidget(self.print_button)
        layout.addLayout(count_row)
        layout.addWidget(self.table)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        for combo in (self.channel, self.category, self.business_type, self.status, self.office):
            combo.currentIndexChanged.connect(self.apply_filters)
        for box in (self.overdue, self.use_from, self.use_to):
            box.toggled.connect(self.apply_filters)
        self.use_from.toggled.connect(self.date_from.setEnabled)
        self.use_to.toggled.connect(self.date_to.setEnabled)
        self.date_from.dateChanged.connect(self.apply_filters)
        self.date_to.dateChanged.connect(self.apply_filters)
        self.table.doubleClicked.connect(self._open)
        self.table.activated.connect(self._open)
        tasks.changed.connect(self._on_changes)
        # A search's matches read again after a save arrive later, on the worker.
        self.model.modelReset.connect(self._show_count)
        self.retranslate_ui()
        # Every petition, newest first, read at once: a count and a page, milliseconds on
        # 100,000 petitions; a search or a filter is looked for on the worker.
        self.model.filter = self.current_filter()
        self.model.refresh()
        self._found()

    def _on_changes(self, changes: Changes) -> None:
        """Something was saved: the offices and the petitions listed, if they changed (the
        selected petitions and the scroll position stay)."""
        if changes.touches("office"):
            self._offices = self._tasks.query(directory.offices)
            self._fill_offices()
        if changes.touches(*SHOWN):
            refresh_keeping_place(self.table, self.model)
            self._show_count()

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.petition_opened.emit(self.model.id_at(index.row()))

    def current_filter(self) -> RegistryFilter:
        return RegistryFilter(
            text=self.search.text(),
            date_from=to_date(self.date_from.date()) if self.use_from.isChecked() else None,
            date_to=to_date(self.date_to.date()) if self.use_to.isChecked() else None,
            channel=self.channel.code(), category=self.category.code(),
            business_type=self.business_type.code(), status=self.status.code(),
            overdue_only=self.overdue.isChecked(), office_id=str(self.office.currentData() or ""),
            figure=self._figure)

    def apply_filters(self) -> None:
        """The petitions the filters ask for, looked for on the worker (a search on 100,000
        petitions takes a few hundred milliseconds): the count says "Searching…" meanwhile and
        the clerk can go on typing; the list changes when they are found. A newer search drops
        an older one's answer."""
        self.model.filter = self.current_filter()
        self.model.load(on_loaded=self._found, on_failed=self._search_failed)
        self._show_count()
        self._update_banner()

    def _found(self) -> None:
        self._show_count()
        self._update_banner()
        fit_columns(self.table)

    def _search_failed(self, error: BaseException) -> None:
        """Shown, never a crash; the list stays as it was."""
        self._show_count()
        self._update_banner()
        show_error(self, error)

    # -- the petitions behind a figure of the statistics ------------------------------------------
    def show_figure(self, figure: FigureFilter, title: Caption) -> None:
        """Exactly the petitions counted in ``figure``, under a banner saying what they are, in
        place of the filters (cleared: they would list something else); "Show all petitions"
        brings them back."""
        self._clear_filters()
        self._figure = figure
        self._caption = title
        self.filters.hide()
        self.figure_banner.show()
        self.apply_filters()

    def clear_figure(self) -> None:
        self._figure = None
        self._caption = ""
        self.figure_banner.hide()
        self.filters.show()
        self.apply_filters()

    def figure(self) -> FigureFilter | None:
        return self._figure

    def _clear_filters(self) -> None:
        self._search_timer.stop()
        widgets = (self.search, self.channel, self.category, self.business_type, self.status,
                   self.office, self.overdue, self.use_from, self.use_to)
        for widget in widgets:
            widget.blockSignals(True)
        self.search.clear()
        for combo in (self.channel, self.category, self.business_type, self.status):
            combo.set_code("")
        self.office.setCurrentIndex(0)
        for box in (self.overdue, self.use_from, self.use_to):
            box.setChecked(False)
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)
        for widget in widgets:
            widget.blockSignals(False)

    def _update_banner(self) -> None:
        if self._figure is None:
            return
        behind = self.model.rowCount()  # the filters are cleared and hidden meanwhile
        caption = self._caption
        if callable(caption) and self.model.loading:  # the number is not known yet
            self.figure_text.setText(_(SEARCHING))
            return
        self.figure_text.setText(caption(behind) if callable(caption) else caption)

    def reload(self) -> None:
        self.apply_filters()

    # -- the list as files ----------------------------------------------------------------------
    def caption_text(self) -> str:
        """What the banner says over the petitions behind a figure (for a file's title)."""
        caption = self._caption
        return caption(self.model.rowCount()) if callable(caption) else caption

    def default_path(self, suffix: str) -> Path:
        from ui.statistics.statistics_view import documents_folder

        stem = (i18n.bo_text(N_("Registry")) if i18n.mode() == i18n.BO
                else i18n.zh_text(N_("Registry")))
        return documents_folder() / f"{stem}-{date.today().isoformat()}{suffix}"

    def export_list(self, path: Path | None = None) -> None:
        """Every petition listed (not only those loaded) as a workbook or a CSV file, written on
        the worker with a progress window; asks where unless ``path`` is given."""
        from app.petitions import registry_output as output  # the writers load when first used

        if path is None:
            excel, text = _("Excel workbook (*.xlsx)"), _("CSV file (*.csv)")
            chosen, kind = QFileDialog.getSaveFileName(
                self, _("Export the list…"), str(self.default_path(output.XLSX)),
                f"{excel};;{text}")
            if not chosen:
                return
            path = Path(chosen)
            if path.suffix.lower() not in (output.XLSX, output.CSV):
                path = path.with_name(path.name + (output.CSV if kind == text else output.XLSX))
        flt, caption, out = self.current_filter(), self.caption_text(), path

        def done(written: int) -> None:
            QMessageBox.information(self, _("Doorstep"), ngettext(
                "{n} petition was written to {path}.", "{n} petitions were written to {path}.",
                written).format(n=format_number(written), path=out))
            self.list_exported.emit(str(out))

        self._tasks.run(
            lambda store, progress: output.save_registry(store, flt, out, caption,
                                                         progress=progress),
            on_done=done, on_failed=self._failed, parent=self,
            message=_("Writing the list…"))

    def print_list(self) -> None:
        """The petitions listed as a printed list, in the preview (Print, Save as PDF)."""
        from app.petitions import registry_output as output  # the printing loads when first used

        flt, caption = self.current_filter(), self.caption_text()

        def draw(store: Any, progress: Progress) -> tuple[bytes, list[bytes]]:
            from app.papers.documents import page_images
            from ui.widgets.paper_preview import PREVIEW_DPI

            pdf = output.render_registry_pdf(store, flt, caption, progress=progress)
            check(progress)
            return pdf, page_images(pdf, PREVIEW_DPI)  # up to 50 pages: not on the GUI thread

        def show(drawn: tuple[bytes, list[bytes]]) -> None:
            from ui.widgets.paper_preview import PaperPreview

            pdf, images = drawn
            PaperPreview(pdf, title_text("Registry of petitions"),
                         self.default_path(output.PDF).name, self, images).exec()

        self._tasks.run(draw, on_done=show, on_failed=self._failed, parent=self,
                        message=_("Preparing the list for printing…"))

    def _failed(self, error: BaseException) -> None:
        """Shown, never a crash; nothing was written (files are written whole or not at all)."""
        show_error(self, error)

    def retranslate_ui(self) -> None:
        self.search.setPlaceholderText(_("Search: name in Tibetan or Chinese, ID number, phone, "
                                         "registration number, words of the summary"))
        self.overdue.setText(_("Overdue only"))
        self.use_from.setText(_("Received from"))
        self.use_to.setText(_("Received until"))
        for combo in (self.channel, self.category, self.business_type, self.status):
            combo.retranslate()
        self._fill_offices()
        self._show_count()
        self.show_all_button.setText(_("Show all petitions"))
        self.export_button.setText(_("Export…"))
        self.export_button.setToolTip(_("Every petition listed, as an Excel workbook or a CSV "
                                        "file"))
        self.print_button.setText(_("Print…"))
        self._update_banner()
        self.model.retranslate()
        fit_columns(self.table)

    def _fill_offices(self) -> None:
        current = self.office.currentData()
        self.office.blockSignals(True)
        self.office.clear()
        self.office.addItem(_("All offices"), "")
        for office in self._offices:
            self.office.addItem(pick(office.name_zh, office.name_bo), office.id)
        self.office.setCurrentIndex(max(self.office.findData(current), 0))
        self.office.blockSignals(False)

    def _show_count(self) -> None:
        if self.model.loading:
            self.count.setText(_(SEARCHING))
            return
        self.count.setText(labelled(N_("Petitions found"), format_number(self.model.rowCount())))
