"""Statistics: the figures an office sends up, for a year, a quarter, a month or any days, beside
the same period a year earlier; the report's charts; the report as PDF or Excel.

The figures are counted on the worker (under a second on 100,000 petitions, but not a moment
the window may freeze): the view says it is counting, the report's buttons wait for the
figures, and only the newest count asked for is shown. The report is drawn on the worker too.

Every figure opens the list of records behind it: double-click (or Enter on) a number and the
Registry shows exactly the petitions it was counted on (``figure_opened``).
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import (
    QByteArray,
    QDate,
    QModelIndex,
    QRectF,
    QSize,
    QStandardPaths,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import i18n
from app.core.formatting import format_date, format_number, format_short_date
from app.core.i18n import N_, _, ngettext, pick, title_text
from app.core.progress import CancelledError, check
from app.persons import directory
from app.petitions.registry import FigureFilter
from app.statistics import measures, output, report, tables
from app.statistics.measures import RATES, Figures, Scope
from app.statistics.periods import EARLIEST_YEAR, MONTH, QUARTER, RANGE, YEAR, Period
from app.statistics.periods import month as month_period
from app.statistics.periods import quarter as quarter_period
from app.statistics.periods import year as year_period
from app.statistics.report import FigureRow, Value
from ui.core.errors import show_error
from ui.core.tasks import Changes, Progress, Tasks, TasksClosedError
from ui.statistics.statistics_table_model import BASE, CURRENT, MEASURE, StatisticsTableModel
from ui.widgets.combo import CodeCombo, compact
from ui.widgets.fields import date_field
from ui.widgets.form_support import ERROR_STYLE, Retranslated, to_date

log = logging.getLogger(__name__)

T = TypeVar("T")

PERIOD_KINDS = {YEAR: N_("A year"), QUARTER: N_("A quarter"), MONTH: N_("A month"),
                RANGE: N_("Any days")}
RECOUNT_DELAY_MS = 300
COUNTING = N_("Counting the figures…")
CHART_LIST_WIDTH = 190
ROW_HEIGHT = 30  # below the font's own line height (44 px): Tibetan stacks still fit


# -- what the registry says above the petitions behind a figure ----------------------------------
@dataclass(frozen=True)
class FigureCaption:
    """The banner over the petitions behind one figure, made in the display language each time
    it is shown: ``caption(shown)`` with the number of petitions listed."""

    label: str  # msgid of the figure's measure (or rate)
    period: Period
    value: Value
    wan: bool = False
    counts_petitions: bool = True  # one petition, one count: the list matches the figure
    numerator: str = ""  # a rate: msgid of its numerator, whose petitions are listed

    def __call__(self, shown: int) -> str:
        def render(script: str, tr: gettext.NullTranslations) -> str:
            return self.render(script, tr, shown)

        mode = i18n.mode()
        if mode == i18n.BILINGUAL:
            bo = render(i18n.BO, i18n.catalog(i18n.BO))
            zh = render(i18n.ZH, i18n.catalog(i18n.ZH))
            return bo if bo == zh else f"{bo}\n{zh}"
        return render(mode, i18n.catalog(mode))

    def render(self, script: str, tr: gettext.NullTranslations, shown: int) -> str:
        """The banner in one script. (``_`` and ``ngettext`` are that script's here, named so
        that the messages are extracted.)"""
        _, ngettext = tr.gettext, tr.ngettext
        params = {"label": _(self.label),
                  "period": report.period_text(self.period, script, tr),
                  "figure": report.value_text(self.value, script, self.wan),
                  "n": report.value_text(Value(measures.COUNT, shown), script)}
        if self.numerator:
            return ngettext(
                "{label}, {period}: {figure}. Listed: the {n} petition counted as "
                "“{numerator}”.",
                "{label}, {period}: {figure}. Listed: the {n} petitions counted as "
                "“{numerator}”.", shown).format(numerator=_(self.numerator), **params)
        if self.counts_petitions and shown == self.value.amount:
            return ngettext("{label}, {period}: {n} petition.",
                            "{label}, {period}: {n} petitions.", shown).format(**params)
        text = ngettext("{label}, {period}: {figure}, counted on {n} petition.",
                        "{label}, {period}: {figure}, counted on {n} petitions.",
                        shown).format(**params)
        if self.counts_petitions:  # the records changed since the figures were counted
            why = _("The records have changed since the figures were counted; press Count to "
                    "count them again.")
        else:
            why = _("This figure does not count petitions (it counts hearings, payments, "
                    "persons or money): the petitions listed are those it was counted on.")
        return f"{text} {why}"


def caption_for(row: FigureRow, period: Period, value: Value) -> FigureCaption:
    if row.key in RATES:
        rate = RATES[row.key]
        return FigureCaption(rate.label, period, value,
                             numerator=measures.MEASURES[rate.numerator].label)
    measure = measures.MEASURES[row.key]
    counts = (measure.source == "petition" and measure.value is None
              and measure.distinct is None and measure.unit == measures.COUNT)
    # Money is said in yuan, also under the 万元 row.
    return FigureCaption(measure.label, period, value, False, counts)


# -- a chart, drawn from SVG at the size it is given, its proportions kept ------------------------
class ChartWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.renderer = QSvgRenderer(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_svg(self, svg: bytes) -> None:
        self.renderer.load(QByteArray(svg))
        self.updateGeometry()
        self.update()

    def _ratio(self) -> float:
        size = self.renderer.defaultSize()
        return size.height() / size.width() if size.width() > 0 else 0.5

    def sizeHint(self) -> QSize:  # noqa: N802
        size = self.renderer.defaultSize()
        return size if size.isValid() and not size.isEmpty() else QSize(520, 260)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = self.sizeHint()
        return QSize(hint.width() // 2, hint.height() // 2)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        if not self.renderer.isValid():
            return
        ratio = self._ratio()
        width = min(float(self.width()), self.height() / ratio if ratio else self.width())
        height = width * ratio
        target = QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self.renderer.render(painter, target)
        painter.end()


def chart_svgs(charts: list[Any], mode: str) -> list[bytes]:
    """The charts as SVG, on the worker (ReportLab and HarfBuzz measure their labels); a chart
    that cannot be drawn is left empty rather than losing the table."""
    drawn = []
    for spec in charts:
        try:
            drawn.append(output.chart_svg(spec, mode))
        except Exception:  # a chart missing is no reason to lose the table
            log.exception("chart %s could not be drawn", spec.key)
            drawn.append(b"")
    return drawn


def documents_folder() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(found) if found else Path.home()
    return folder if folder.is_dir() else Path.home()


class StatisticsView(Retranslated, QWidget):
    # The petitions behind a figure: the filter that finds them, and a FigureCaption saying
    # what they are (called with the number listed, in the display language of the moment).
    figure_opened = Signal(object, object)
    # The figures asked for last have arrived and are shown.
    counted = Signal()
    # The report was written: its path.
    report_saved = Signal(object)
    # The raw tables were written: rows per table.
    tables_written = Signal(dict)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._offices = tasks.query(directory.offices)
        tasks.changed.connect(self._on_changes)
        self.figures: Figures | None = None
        self._charts: list[Any] = []  # the report's chart descriptions
        self._charts_mode = ""  # the language the charts shown were drawn in
        self._chart_generation = 0  # of the last drawing asked for
        self._stale = True
        # Each count asked for gets the next number; only the newest one's figures are shown.
        self._generation = 0
        self._counting = False
        self._cancelled = False  # the last count was cancelled: the figures shown are older
        self._drawing = 0  # reports being drawn or saved on the worker
        today = date.today()

        self.period_label = QLabel()
        self.kind = CodeCombo(PERIOD_KINDS)
        compact(self.kind, 16)
        self.year = QSpinBox()
        self.year.setRange(EARLIEST_YEAR, today.year + 1)
        self.year.setValue(today.year)
        self.quarter = QComboBox()
        compact(self.quarter, 8)
        self.month = QComboBox()
        compact(self.month, 8)
        self.date_from = date_field(QDate(today.year, 1, 1), earliest=QDate(EARLIEST_YEAR, 1, 1))
        self.date_to = date_field(QDate(today.year, today.month, today.day),
                                  earliest=QDate(EARLIEST_YEAR, 1, 1))
        self.to_label = QLabel("–")
        self.office = QComboBox()  # "All offices" and each office: it needs no label
        compact(self.office, 14)
        self.count_button = QPushButton()
        self.period_error = QLabel()
        self.period_error.setStyleSheet(ERROR_STYLE)
        self.period_error.hide()

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.preview_button = QPushButton()
        self.pdf_button = QPushButton()
        self.excel_button = QPushButton()
        self.csv_button = QPushButton()

        self.model = StatisticsTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setMinimumSectionSize(ROW_HEIGHT)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(MEASURE, QHeaderView.ResizeMode.Stretch)
        for column in (CURRENT, BASE, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)

        # One chart at a time, as large as the area allows (four side by side would be too
        # small to read on a 1366×768 screen); the list beside it names all four.
        self.chart_list = QListWidget()
        self.chart_list.setWordWrap(True)
        self.chart_list.setFixedWidth(CHART_LIST_WIDTH)
        self.chart = ChartWidget()
        self.chart_svgs: list[bytes] = []
        charts = QWidget()
        row = QHBoxLayout(charts)
        row.addWidget(self.chart_list)
        row.addWidget(self.chart, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, "")
        self.tabs.addTab(charts, "")

        controls = QHBoxLayout()
        for widget in (self.period_label, self.kind, self.year, self.quarter, self.month,
                       self.date_from, self.to_label, self.date_to):
            controls.addWidget(widget)
        controls.addSpacing(12)
        controls.addWidget(self.office, 1)
        controls.addWidget(self.count_button)
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.pdf_button, self.excel_button,
                       self.csv_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.period_error)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

        self._recount_timer = QTimer(self)
        self._recount_timer.setSingleShot(True)
        self._recount_timer.setInterval(RECOUNT_DELAY_MS)
        self._recount_timer.timeout.connect(self.recount)
        self.kind.currentIndexChanged.connect(self._period_changed)
        self.year.valueChanged.connect(self._period_changed)
        for combo in (self.quarter, self.month, self.office):
            combo.currentIndexChanged.connect(self._period_changed)
        self.date_from.dateChanged.connect(self._period_changed)
        self.date_to.dateChanged.connect(self._period_changed)
        self.count_button.clicked.connect(self.recount)
        self.chart_list.currentRowChanged.connect(self._show_chart)
        # Emitted on a double-click and on Enter (doubleClicked as well would open it twice).
        self.table.activated.connect(self.open_figure)
        self.preview_button.clicked.connect(self.preview_report)
        self.pdf_button.clicked.connect(lambda: self.save_report(output.PDF))
        self.excel_button.clicked.connect(lambda: self.save_report(output.XLSX))
        self.csv_button.clicked.connect(lambda: self.export_tables())
        self._show_inputs()
        self.retranslate_ui()
        self._set_enabled()

    # -- the period and the offices asked for ----------------------------------------------------
    def set_period(self, period: Period) -> None:
        """Show the controls for ``period`` (the figures are counted again shortly)."""
        self.kind.set_code(period.kind)
        self.year.setValue(period.start.year)
        if period.kind == QUARTER:
            self.quarter.setCurrentIndex((period.start.month - 1) // 3)
        if period.kind == MONTH:
            self.month.setCurrentIndex(period.start.month - 1)
        if period.kind == RANGE:
            self.date_from.setDate(QDate(period.start.year, period.start.month,
                                         period.start.day))
            self.date_to.setDate(QDate(period.end.year, period.end.month, period.end.day))

    def period(self) -> Period | None:
        """The period the controls name; None (with the reason shown) when it is not one."""
        kind, year = self.kind.code(), self.year.value()
        if kind == QUARTER:
            return quarter_period(year, self.quarter.currentIndex() + 1)
        if kind == MONTH:
            return month_period(year, self.month.currentIndex() + 1)
        if kind == RANGE:
            start, end = to_date(self.date_from.date()), to_date(self.date_to.date())
            if end < start:
                return None
            return Period(start, end, RANGE)
        return year_period(year)

    def scope(self) -> Scope:
        office_id = self.office.currentData()
        return Scope((str(office_id),)) if office_id else Scope(None)

    def _show_inputs(self) -> None:
        kind = self.kind.code()
        self.year.setVisible(kind in (YEAR, QUARTER, MONTH))
        self.quarter.setVisible(kind == QUARTER)
        self.month.setVisible(kind == MONTH)
        for widget in (self.date_from, self.to_label, self.date_to):
            widget.setVisible(kind == RANGE)

    def _period_changed(self) -> None:
        self._show_inputs()
        self._recount_timer.start()

    # -- counting ---------------------------------------------------------------------------------
    def _on_changes(self, changes: Changes) -> None:
        """Any record the figures count may have changed."""
        if changes.touches("office"):
            self._offices = self._tasks.query(directory.offices)
            self._fill_offices()  # a package read may have brought an office
        if changes.tables or "sync" in changes.also:
            self.invalidate()

    def invalidate(self) -> None:
        """The records changed: count again now if the area is on screen, else when shown."""
        self._stale = True
        if self.isVisible():
            self._recount_timer.start()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:  # counted once on screen, not while the window is being built
            QTimer.singleShot(0, self._recount_if_stale)

    def _recount_if_stale(self) -> None:
        if self._stale and self.isVisible():
            self.recount()

    def recount(self) -> bool:
        """Count every figure for the period and offices chosen, on the worker; ``counted``
        when they are shown. False when no count was started (the period is not one, or the
        window is closing). A count asked for while another runs supersedes it."""
        self._recount_timer.stop()
        period = self.period()
        if period is None:
            self.period_error.setText(_("The period ends before it begins."))
            self.period_error.show()
            return False
        self.period_error.hide()
        scope = self.scope()
        self._generation += 1
        generation = self._generation

        mode = i18n.mode()

        def count(store: Any, progress: Progress) -> tuple[Figures, list[Any], list[bytes]]:
            figures = measures.statistics(store, period, scope, progress=progress)
            charts = report.chart_specs(figures)
            return figures, charts, chart_svgs(charts, mode)

        try:
            self._tasks.run(count, on_done=lambda result: self._counted(generation, result),
                            on_failed=lambda error: self._count_failed(generation, error),
                            parent=self, message=_(COUNTING))
        except TasksClosedError:  # the window is closing: nothing to count
            return False
        self._counting, self._cancelled = True, False
        self._update_summary()
        self._set_enabled()
        return True

    def _counted(self, generation: int,
                 result: tuple[Figures, list[Any], list[bytes]]) -> None:
        if generation != self._generation:  # a newer count was asked for: it will be shown
            return
        figures, charts, svgs = result
        self._counting = self._stale = False
        self.figures = figures
        self._charts = charts
        self.model.set_figures(figures)
        for row in self.model.title_rows():
            self.table.setSpan(row, 0, 1, self.model.columnCount())
        self._show_charts(svgs)
        if self._charts_mode != i18n.mode():  # the language changed while they were drawn
            self._draw_charts()
        self._update_summary()
        self._set_enabled()
        self.counted.emit()

    def _count_failed(self, generation: int, error: BaseException) -> None:
        """Shown, never a crash; Cancel leaves the figures counted before on screen."""
        if generation != self._generation:
            return
        self._counting = False
        self._cancelled = isinstance(error, CancelledError)
        self._update_summary()
        self._set_enabled()
        if not self._cancelled:
            show_error(self, error)

    def _draw_charts(self) -> None:
        """The charts drawn again in the display language, on the worker: ReportLab and
        HarfBuzz draw them, and they never run on two threads at once."""
        charts, mode = self._charts, i18n.mode()
        self._chart_generation += 1
        generation = self._chart_generation

        def drawn(svgs: list[bytes]) -> None:
            if generation == self._chart_generation and charts is self._charts:
                self._show_charts(svgs, mode)

        try:
            self._tasks.run(lambda _store, _progress: chart_svgs(charts, mode), on_done=drawn,
                            owner=self)
        except TasksClosedError:  # the window is closing
            return

    def _show_charts(self, svgs: list[bytes], mode: str | None = None) -> None:
        self._charts_mode = mode or i18n.mode()
        self.chart_svgs = svgs
        current = max(self.chart_list.currentRow(), 0)
        self.chart_list.blockSignals(True)
        self.chart_list.clear()
        for spec in self._charts:
            self.chart_list.addItem(pick(spec.title.zh, spec.title.bo))
        self.chart_list.setCurrentRow(current)
        self.chart_list.blockSignals(False)
        self._show_chart(current)

    def _show_chart(self, row: int) -> None:
        if 0 <= row < len(self.chart_svgs):
            self.chart.set_svg(self.chart_svgs[row])

    def _set_enabled(self) -> None:
        """The report's buttons need figures, not a count under way nor a report being
        drawn."""
        counted = self.figures is not None and not self._counting and not self._drawing
        for button in (self.preview_button, self.pdf_button, self.excel_button,
                       self.csv_button):
            button.setEnabled(counted)

    def _update_summary(self) -> None:
        if self._counting:
            self.summary.setText(_(COUNTING))
            return
        if self._cancelled:
            self.summary.setText(_("Counting was cancelled. Press Count to count the figures "
                                   "again."))
            return
        figures = self.figures
        if figures is None:
            self.summary.setText(self._hint())
            return
        # The periods head the columns and the office is in its box: what is left to say is
        # the day the deadlines were counted on, and what a figure opens.
        # A numeric date reads alike in both scripts: shown once in bilingual mode.
        counted = _("Counted on {date}.").format(date=format_short_date(figures.as_of))
        self.summary.setText(f"{counted} {self._hint()}")

    @staticmethod
    def _hint() -> str:
        return _("Double-click a figure (or press Enter on it) to list the petitions behind it "
                 "in the Registry.")

    # -- every figure opens the records behind it ------------------------------------------------
    def figure_at(self, index: QModelIndex) -> tuple[FigureFilter, FigureCaption] | None:
        if self.figures is None or not self.model.is_drillable(index):
            return None
        row = self.model.line(index.row()).row
        assert row is not None
        figures = self.figures
        period = figures.period if index.column() == CURRENT else figures.previous
        value = row.current if index.column() == CURRENT else row.base
        found = FigureFilter(measure=row.drill, start=period.start, end=period.end,
                             office_ids=figures.scope.office_ids, as_of=figures.as_of)
        return found, caption_for(row, period, value)

    def open_figure(self, index: QModelIndex) -> None:
        found = self.figure_at(index)
        if found is not None:
            self.figure_opened.emit(*found)

    # -- the report as files ----------------------------------------------------------------------
    def default_path(self, suffix: str) -> Path:
        assert self.figures is not None
        mode = i18n.mode()
        stem = i18n.bo_text(N_("Statistics")) if mode == i18n.BO else i18n.zh_text(
            N_("Statistics"))
        code = self.figures.period.code().replace("..", "_")
        return documents_folder() / f"{stem}-{code}{suffix}"

    def save_report(self, suffix: str, path: Path | None = None) -> Path | None:
        """The report as a PDF or a workbook, drawn and written on the worker with a progress
        window; ``report_saved`` once written. Asks where unless ``path`` is given; gives the
        path being written, None when nothing is."""
        if self.figures is None:
            return None
        if path is None:
            title = _("Save report as PDF…") if suffix == output.PDF else _("Save as Excel…")
            kind = (_("PDF document (*.pdf)") if suffix == output.PDF
                    else _("Excel workbook (*.xlsx)"))
            chosen, _filter = QFileDialog.getSaveFileName(
                self, title, str(self.default_path(suffix)), kind)
            if not chosen:
                return None
            path = Path(chosen)
            if path.suffix.lower() not in (output.PDF, output.XLSX):
                path = path.with_name(path.name + suffix)
        figures, out, mode = self.figures, path, i18n.mode()

        def saved(_none: None) -> None:
            QMessageBox.information(self, _("Doorstep"),
                                    _("The report was saved as {path}.").format(path=out))
            self.report_saved.emit(out)

        started = self._draw(
            lambda store, progress: output.save_report(store, figures, mode, out, progress),
            saved, _("Saving the report…"))
        return path if started else None

    def preview_report(self) -> None:
        """The report drawn on the worker, then shown; Cancel while it is drawn shows
        nothing."""
        if self.figures is None:
            return
        from ui.widgets.paper_preview import PREVIEW_DPI, PaperPreview

        figures, mode = self.figures, i18n.mode()

        def draw(store: Any, progress: Progress) -> tuple[bytes, list[bytes]]:
            from app.papers.documents import page_images

            pdf = output.render_pdf(store, figures, mode)
            check(progress)
            images = page_images(pdf, PREVIEW_DPI)  # its pages too: 0.1 s or more
            check(progress)
            return pdf, images

        def show(drawn: tuple[bytes, list[bytes]]) -> None:
            pdf, images = drawn
            title = (title_text("Petition work statistics") + " "
                     + report.shown_period(figures.period))
            PaperPreview(pdf, title, str(self.default_path(output.PDF)), self, images).exec()

        self._draw(draw, show, _("Drawing the report…"))

    def export_tables(self, folder: Path | None = None, unmask: bool | None = None) -> None:
        """Every raw table as CSV, for the petitions of the period and office counted, on the
        worker with a progress window; ``tables_written`` when done. Asks for the folder, and
        whether identity numbers go in full (they are masked unless the person ticks the
        box)."""
        if self.figures is None:
            return
        period = self.figures.period
        offices = self.figures.scope.office_ids
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(self, _("Export tables (CSV)…"),
                                                      str(documents_folder()))
            if not chosen:
                return
            folder = Path(chosen)
        if unmask is None:
            asked = self._ask_unmask(folder, period)
            if asked is None:
                return
            unmask = asked
        office_id = offices[0] if offices else None  # the box chooses one office, or all
        target, full = folder, unmask
        staff_id = self._tasks.staff_id

        def done(written: dict[str, int]) -> None:
            QMessageBox.information(self, _("Doorstep"), ngettext(
                "{n} table was written to {folder}.", "{n} tables were written to {folder}.",
                len(written)).format(n=format_number(len(written)), folder=target))
            self.tables_written.emit(written)

        self._tasks.run(
            lambda store, progress: tables.export_all(
                store, target, unmask=full, office_id=office_id, date_from=period.start,
                date_to=period.end, staff_id=staff_id, progress=progress),
            on_done=done, on_failed=self._failed, parent=self,
            message=_("Writing the tables…"))

    def _failed(self, error: BaseException) -> None:
        """A problem of a long operation, shown, never a crash (files already written stay:
        not all of it may have been done)."""
        show_error(self, error, partial=True)

    def _ask_unmask(self, folder: Path, period: Period) -> bool | None:
        box = QMessageBox(QMessageBox.Icon.Question, _("Export tables (CSV)…"), _(
            "Write every table of the petitions received in {period} to {folder}? Identity "
            "card, phone and bank account numbers are masked unless you tick the box.").format(
                period=report.shown_period(period), folder=folder),
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, self)
        full = QCheckBox(_("Include full identity card, phone and bank account numbers"))
        box.setCheckBox(full)
        if box.exec() != QMessageBox.StandardButton.Ok:
            return None
        return full.isChecked()

    def _draw(self, op: Callable[[Any, Progress], T], done: Callable[[T], None],
              message: str) -> bool:
        """The report drawn (and written) by ``op`` on the worker, then ``done`` with what it
        gave; a problem is shown, never raised; Cancel says nothing more. False when the
        window is closing."""
        def finished(result: T) -> None:
            self._drawn()
            done(result)

        def failed(error: BaseException) -> None:
            self._drawn()
            if not isinstance(error, CancelledError):
                show_error(self, error)

        try:
            self._tasks.run(op, on_done=finished, on_failed=failed, parent=self,
                            message=message)
        except TasksClosedError:
            return False
        self._drawing += 1
        self._set_enabled()
        return True

    def _drawn(self) -> None:
        self._drawing -= 1
        self._set_enabled()

    # -- languages --------------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self.period_label.setText(_("Period"))
        self.count_button.setText(_("Count"))
        self.kind.retranslate()
        self._fill(self.quarter, [_("Quarter {number}").format(number=q) for q in range(1, 5)],
                   (date.today().month - 1) // 3)
        self._fill(self.month, [_month_name(m) for m in range(1, 13)], date.today().month - 1)
        self._fill_offices()
        self.tabs.setTabText(0, _("Tables"))
        self.tabs.setTabText(1, _("Charts"))
        self.preview_button.setText(_("Preview report…"))
        self.pdf_button.setText(_("Save report as PDF…"))
        self.excel_button.setText(_("Save as Excel…"))
        self.csv_button.setText(_("Export tables (CSV)…"))
        if self.period_error.isVisible():
            self.period_error.setText(_("The period ends before it begins."))
        self.model.retranslate()
        self._update_summary()
        if self._charts:
            self._draw_charts()

    def _fill_offices(self) -> None:
        current = self.office.currentData()
        self.office.blockSignals(True)
        self.office.clear()
        self.office.addItem(_("All offices"), "")
        for office in self._offices:
            self.office.addItem(pick(office.name_zh, office.name_bo), office.id)
        self.office.setCurrentIndex(max(self.office.findData(current), 0))
        self.office.blockSignals(False)

    @staticmethod
    def _fill(combo: QComboBox, texts: list[str], default: int) -> None:
        index = combo.currentIndex() if combo.count() else default
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(texts)
        combo.setCurrentIndex(index)
        combo.blockSignals(False)


def _month_name(number: int) -> str:
    return format_date(date(2000, number, 1), "LLLL")


