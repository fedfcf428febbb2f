"""Preview a printed paper, then print it or save it as a PDF.

``show_paper`` draws the paper and its pages on the worker first: the first paper of a session
also loads the printing (nearly a second), a bilingual agreement takes 0.1 s to draw and as
much again to turn into page images.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, QStandardPaths, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.audit import trail
from app.core.files import write_atomically
from app.core.i18n import N_, _
from app.core.progress import CancelledError, check
from ui.core.errors import attempt, show_error
from ui.core.tasks import Progress, Tasks, TasksClosedError
from ui.widgets.fields import MessageLine

PREVIEW_DPI = 110
DRAWING = N_("Preparing the paper…")


class PaperPreview(QDialog):
    """A paper's pages on screen, with Print and Save as PDF. ``issued`` is emitted once the paper
    has gone to a printer or into a file."""

    issued = Signal()

    def __init__(self, pdf: bytes, title: str, file_name: str,
                 parent: QWidget | None = None, images: list[bytes] | None = None) -> None:
        """``images``: the pages as PNG at ``PREVIEW_DPI`` when already made (on the worker,
        ``show_paper``); otherwise made here."""
        super().__init__(parent)
        self.pdf = pdf
        self.file_name = file_name
        pages = QWidget()
        column = QVBoxLayout(pages)
        self.page_labels: list[QLabel] = []
        if images is None:
            from app.papers import documents as papers  # printing loads on first use
            images = papers.page_images(pdf, PREVIEW_DPI)
        for png in images:
            pixmap = QPixmap()
            pixmap.loadFromData(png, "PNG")
            label = QLabel()
            label.setPixmap(pixmap)
            label.setStyleSheet("background: white; border: 1px solid #999")
            column.addWidget(label, alignment=Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(label)
        scroll = QScrollArea()
        scroll.setWidget(pages)
        scroll.setWidgetResizable(True)
        self.print_button = QPushButton(_("Print…"))
        self.save_button = QPushButton(_("Save as PDF…"))
        close = QPushButton(_("Close"))
        self.print_button.clicked.connect(self.print_paper)
        self.save_button.clicked.connect(self.save_pdf)
        close.clicked.connect(self.accept)
        self.saved = MessageLine()  # where the paper went, once saved
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.saved, 1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.setWindowTitle(title)
        self.resize(1000, 860)

    def print_paper(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """Each page rendered at the printer's resolution, scaled to its page."""
        dpi = min(printer.resolution(), 600)
        painter = QPainter()
        if not painter.begin(printer):
            QMessageBox.warning(self, _("Doorstep"), _("The printer could not be started."))
            return
        try:
            from app.papers import documents as papers  # printing loads on first use
            for index, png in enumerate(papers.page_images(self.pdf, dpi)):
                if index:
                    printer.newPage()
                image = QImage.fromData(png)
                target = painter.viewport()
                size = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QRect(target.x(), target.y(), size.width(), size.height()),
                                  image)
        finally:
            painter.end()
        self.issued.emit()

    def save_pdf(self) -> None:
        # In the folder the last paper went to, else the person's Documents folder (never the
        # program's own folder, where the dialog would start).
        folder = _last_folder[0] or Path(QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation) or Path.home())
        name, _filter = QFileDialog.getSaveFileName(self, _("Save as PDF…"),
                                                    str(folder / self.file_name), "PDF (*.pdf)")
        if name:
            self.save_to(Path(name))

    def save_to(self, path: Path) -> None:
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")

        def write() -> bool:
            write_atomically(path, self.pdf)
            return True

        if attempt(self, write):
            _last_folder[0] = path.parent
            self.saved.success(_("The paper was saved as {path}.").format(path=path))
            self.issued.emit()


def _record_printed(tasks: Tasks, parent: QWidget, file_name: str, title: str,
                    record: tuple[str, str]) -> None:
    paper = Path(file_name).stem
    try:
        tasks.run(lambda store, _progress: trail.printed(store, paper, tbl=record[0],
                                                         row_id=record[1], title=title),
                  on_done=lambda _seq: None, on_failed=lambda error: show_error(parent, error),
                  owner=parent)
    except TasksClosedError:  # the window is closing: the paper went out all the same
        return


# Where the last paper was saved in this session: the next is proposed there.
_last_folder: list[Path | None] = [None]


def show_paper(tasks: Tasks, parent: QWidget, draw: Callable[[Any], bytes], title: str,
               file_name: str, prepare: Callable[[PaperPreview], None] | None = None,
               record: tuple[str, str] = ("", "")) -> None:
    """The paper ``draw(store)`` makes, drawn with its page images on the worker (a progress
    window with Cancel shows after half a second), then previewed; ``prepare`` is given the
    preview before it shows. A problem is shown as everywhere; Cancel shows nothing. Each time
    it is printed or saved, the record of what was done says so (about ``record``: the table
    and id of the record it is about, when given)."""

    def work(store: Any, progress: Progress) -> tuple[bytes, list[bytes]]:
        pdf = draw(store)
        check(progress)
        from app.papers import documents as papers  # printing loads on first use
        images = papers.page_images(pdf, PREVIEW_DPI)
        check(progress)
        return pdf, images

    def drawn(result: tuple[bytes, list[bytes]]) -> None:
        pdf, images = result
        preview = PaperPreview(pdf, title, file_name, parent, images)
        preview.issued.connect(lambda: _record_printed(tasks, parent, file_name, title, record))
        if prepare is not None:
            prepare(preview)
        preview.exec()

    def failed(error: BaseException) -> None:
        if not isinstance(error, CancelledError):
            show_error(parent, error)

    try:
        tasks.run(work, on_done=drawn, on_failed=failed, parent=parent, message=_(DRAWING))
    except TasksClosedError:  # the window is closing: nothing to print
        return
