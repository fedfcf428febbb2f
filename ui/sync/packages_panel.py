"""Packages: writing one for the office's other laptops, reading one from them, and the list
of packages sent and received."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AppError, file_problem
from app.core.formatting import format_number
from app.core.i18n import N_, _
from app.core.progress import CancelledError
from app.sync import service
from ui.core.errors import show_error
from ui.core.tasks import Tasks
from ui.sync import common
from ui.widgets.fields import plain_table
from ui.widgets.form_support import Retranslated, retranslate_labels, section, translated_label

HISTORY_HEADERS = (N_("Date and time"), N_("Package"), N_("Written by"), N_("Everything"),
                   N_("Changes"), N_("New here"), N_("Conflicts"), N_("File"))
IMPORT_LINES = (
    ("new", N_("Changes new to this laptop")),
    ("rows_created", N_("Records added")),
    ("rows_updated", N_("Fields updated")),
    ("duplicates", N_("Changes already here")),
    ("conflicts", N_("Conflicts to settle")),
    ("attachments", N_("Scans and photos")),
)


RESULT_MAX_HEIGHT = 230


def _figures_html(rows: list[tuple[str, str]]) -> str:
    """Figures in a line that wraps (a table would take a line each: too tall in bilingual)."""
    items = [f"{html.escape(label)}&nbsp;<b>{html.escape(value)}</b>" for label, value in rows]
    return _P.format("&nbsp;&nbsp;·&nbsp;&nbsp; ".join(items))


_P = "<p style='margin: 0 0 4px 0'>{}</p>"


def _paragraph(text: str, bold: bool = False) -> str:
    escaped = html.escape(text).replace("\n", "<br>")
    return _P.format(f"<b>{escaped}</b>" if bold else escaped)


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return _("{n} MB").format(n=format_number(round(size / (1024 * 1024))))
    return _("{n} KB").format(n=format_number(max(1, round(size / 1024))))


class PackagesPanel(Retranslated, QWidget):
    # Data arrived from another laptop.
    changed = Signal()
    # The person asked to see the conflicts the last package brought.
    conflicts_requested = Signal()

    def __init__(self, tasks: Tasks, names: Callable[[str], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._name_of = names
        self._enrolled = False
        self._history: list[service.PackageRow] = []
        # The outcome of the last export or import, rendered in the current language.
        self._result: Callable[[], str] | None = None
        self._result_is_problem = False

        self.send_heading = section(N_("Send: write a package for the office's other laptops"))
        self.send_text = translated_label(N_(
            "Everything the office's other laptops may not have yet, in one file for a USB "
            "stick. Only this office's laptops can open it."))
        self.full_check = QCheckBox()
        self.export_button = QPushButton()
        self.export_button.clicked.connect(self.export)
        self.receive_heading = section(N_("Receive: read a package from another laptop"))
        self.receive_text = translated_label(N_(
            "It is checked before anything is changed: a package that is damaged, altered or "
            "not from this office is refused whole."))
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.import_package)
        self.unavailable = QLabel()
        self.unavailable.setWordWrap(True)
        self.unavailable.setStyleSheet(common.ERROR_STYLE)

        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long outcome (bilingual, with notes) scrolls rather than pushing the history off a
        # 1366×768 screen.
        self.result_area = QScrollArea()
        self.result_area.setWidget(self.result)
        self.result_area.setWidgetResizable(True)
        self.result_area.setFrameShape(QFrame.Shape.NoFrame)
        self.result_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.result_area.setMaximumHeight(RESULT_MAX_HEIGHT)
        self.result_area.hide()
        self.conflicts_button = QPushButton()
        self.conflicts_button.clicked.connect(self.conflicts_requested)
        self.conflicts_button.hide()

        self.history_heading = section(N_("Packages sent and received"))
        self.history = plain_table(len(HISTORY_HEADERS), wrap=False)

        send = QVBoxLayout()
        send.addWidget(self.send_heading)
        send.addWidget(self.send_text)
        send_buttons = QHBoxLayout()
        send_buttons.addWidget(self.export_button)
        send_buttons.addWidget(self.full_check)
        send_buttons.addStretch(1)
        send.addLayout(send_buttons)
        send.addStretch(1)
        receive = QVBoxLayout()
        receive.addWidget(self.receive_heading)
        receive.addWidget(self.receive_text)
        receive_buttons = QHBoxLayout()
        receive_buttons.addWidget(self.import_button)
        receive_buttons.addStretch(1)
        receive.addLayout(receive_buttons)
        receive.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(send, 1)
        top.addSpacing(24)
        top.addLayout(receive, 1)
        result_row = QHBoxLayout()
        result_row.addWidget(self.result_area, 1)
        result_row.addWidget(self.conflicts_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.unavailable)
        layout.addLayout(result_row)
        layout.addWidget(self.history_heading)
        layout.addWidget(self.history, 1)
        self.retranslate_ui()

    def reload(self, enrolled: bool) -> None:
        self._enrolled = enrolled
        self._history = self._tasks.query(service.history)
        self.retranslate_ui()

    def history_rows(self) -> list[service.PackageRow]:
        return list(self._history)

    def retranslate_ui(self) -> None:
        retranslate_labels(self)
        self.full_check.setText(_("Everything (full baseline)"))
        self.full_check.setToolTip(_(
            "Also what the other laptops already have: for a laptop that lost its data, or "
            "when packages went astray."))
        self.export_button.setText(_("Write a package…"))
        self.import_button.setText(_("Read a package…"))
        self.export_button.setEnabled(self._enrolled)
        self.import_button.setEnabled(self._enrolled)
        self.full_check.setEnabled(self._enrolled)
        self.unavailable.setText(_("This laptop is not enrolled in its office yet. Enrol it "
                                   "first (on the Office and laptops tab)."))
        self.unavailable.setVisible(not self._enrolled)
        self.conflicts_button.setText(_("Settle the conflicts…"))
        self.result.setText(self._result() if self._result is not None else "")
        self.result.setStyleSheet(common.PROBLEM_STYLE if self._result_is_problem
                                  else common.NOTICE_STYLE)
        self.result_area.setVisible(self._result is not None)
        self._fill_history()

    def _fill_history(self) -> None:
        self.history.setHorizontalHeaderLabels([_(h) for h in HISTORY_HEADERS])
        self.history.setRowCount(len(self._history))
        for row, package in enumerate(self._history):
            sent = package.direction == "sent"
            summary = package.summary
            cells = (
                common.local_time(package.handled_at),
                _("Written here") if sent else _("Read here"),
                self._name_of(package.sender_id),
                _("Yes") if package.full else "",
                format_number(package.versions),
                "—" if sent else format_number(int(summary.get("new", 0))),
                "—" if sent else format_number(int(summary.get("conflicts", 0))),
                Path(package.file_name).name,
            )
            tip = package.file_name
            gaps = [str(g) for g in summary.get("gaps", [])]
            if gaps:
                tip += "\n" + "\n".join(self._gap_text(package.sender_id, g) for g in gaps)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                if column in (3, 4, 5, 6):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.history.setItem(row, column, item)
        self.history.resizeColumnsToContents()

    def _gap_text(self, sender_id: str, gap: str) -> str:
        return _("An earlier package from {sender} never arrived here: {id}.").format(
            sender=self._name_of(sender_id), id=gap)

    def _show_result(self, render: Callable[[], str], problem: bool = False,
                     conflicts: int = 0) -> None:
        self._result = render
        self._result_is_problem = problem
        self.conflicts_button.setVisible(conflicts > 0)
        self.reload(self._enrolled)

    # -- export ------------------------------------------------------------------------------
    def export(self) -> None:
        laptop = common.file_part(self._name_of(self._tasks.device_id or ""))
        suggested = common.free_name(common.start_folder(),
                                     f"doorstep-{laptop}-{date.today().isoformat()}", ".dsp")
        target = common.ask_save_path(self, _("Write a package"), suggested,
                                      common.PACKAGE_FILTER)
        if target is None:
            return
        full = self.full_check.isChecked()
        tasks = self._tasks

        def done(written: service.ExportResult) -> None:
            self.full_check.setChecked(False)  # a full package is the exception, not the habit
            found = tasks.query(service.stored_roster)
            readers = [d.name for d in found.roster.active()
                       if d.device_id != tasks.device_id] if found is not None else []
            self._show_result(lambda: self._export_text(written, readers))

        def failed(error: BaseException) -> None:
            if isinstance(error, CancelledError):
                self._show_result(lambda: _paragraph(_("Cancelled: no package was written.")))
            elif isinstance(error, (AppError, OSError)):
                show_error(self, error, partial=True)
            else:
                raise error

        common.run_with_passphrase(
            self, tasks, lambda store, progress, passphrase: service.export(
                store, target, passphrase, full, progress),
            _("Writing the package…"), done, failed)

    def _export_text(self, done: service.ExportResult, readers: list[str]) -> str:
        rows = [(_("Changes in it"), format_number(done.versions)),
                (_("Scans and photos"), format_number(done.attachments)),
                (_("Size"), _size(done.size))]
        if done.full:
            rows.append((_("Everything (full baseline)"), _("Yes")))
        text = _paragraph(_("The package was written to {path}.").format(path=done.path),
                          bold=True) + _figures_html(rows)
        if readers:
            text += _paragraph(_("Take it to these laptops and read it there: {names}.")
                               .format(names=" · ".join(readers)))
        else:
            text += _paragraph(_("The office has no other laptop enrolled yet."))
        return text

    # -- import ------------------------------------------------------------------------------
    def import_package(self) -> None:
        source = common.ask_open_path(self, _("Read a package"), common.PACKAGE_FILTER)
        if source is None:
            return
        try:
            service.check_package_file(source)  # before the passphrase is asked for
        except AppError as error:
            self._refused(source, error)
            return

        def done(got: service.ImportResult) -> None:
            self._show_result(lambda: self._import_text(got), conflicts=got.conflicts)
            self.changed.emit()

        def failed(error: BaseException) -> None:
            if isinstance(error, CancelledError):
                self._show_result(lambda: _paragraph(
                    _("Reading the package was cancelled.") + " " + _(common.NOTHING_CHANGED)))
            elif isinstance(error, (AppError, OSError)):
                self._refused(source, error)
            else:
                raise error

        common.run_with_passphrase(
            self, self._tasks, lambda store, progress, passphrase: service.import_package(
                store, source, passphrase, progress),
            _("Reading the package…"), done, failed)

    def _refused(self, source: Path, error: AppError | OSError) -> None:
        def reason() -> str:
            if isinstance(error, AppError):
                return error.translated()
            known = file_problem(error)
            if known is not None:
                return known.translated()
            return _("The file could not be read: {error}").format(error=error)

        def render() -> str:
            return _paragraph(_("The package {file} was refused.").format(file=source.name),
                              bold=True) + _paragraph(reason() + "\n" + _(common.NOTHING_CHANGED))

        self._show_result(render, problem=True)
        QMessageBox.warning(self, _("Doorstep"), reason() + "\n\n" + _(common.NOTHING_CHANGED))

    def _import_text(self, got: service.ImportResult) -> str:
        text = _paragraph(_("A package from {sender} was read.").format(sender=got.sender_name),
                          bold=True)
        text += _figures_html([(_(label), format_number(int(getattr(got, key))))
                               for key, label in IMPORT_LINES])
        if got.already_imported:
            text += _paragraph(_("This package had been read on this laptop before."))
        for gap in got.gaps:
            text += _paragraph(_("An earlier package from {sender} never arrived here: {id}.")
                               .format(sender=got.sender_name, id=gap))
        if got.gaps:
            text += _paragraph(_("Nothing is missing here: this package carries everything "
                                 "since. But look for the lost file: it may be on a USB stick "
                                 "that went astray."))
        for laptop, days in got.clocks_ahead:
            text += _paragraph(_("The clock of the laptop {laptop} is about {days} days ahead. "
                                 "Its changes were taken as usual, but set its date and time "
                                 "right.").format(laptop=laptop, days=format_number(days)))
        for note in service.import_notes(got):
            text += _paragraph(note)
        if got.conflicts:
            text += _paragraph(_("Some fields were changed on two laptops at once. They show "
                                 "the later change until someone settles them."))
        return text
