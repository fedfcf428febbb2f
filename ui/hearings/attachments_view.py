"""The scans and photos of signed papers kept with a hearing or an agreement: a strip of
thumbnails to add to and remove from, and a viewer for reading them at full size."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QIcon,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AppError
from app.core.formatting import format_iso_date
from app.core.i18n import _, ngettext
from app.core.paths import AppPaths
from app.hearings import attachments
from app.hearings.attachments import AttachmentRow
from ui.core.errors import show_error
from ui.core.tasks import Tasks
from ui.widgets.fields import confirm
from ui.widgets.form_support import Retranslated

log = logging.getLogger(__name__)

THUMB = 128  # small enough that the dialogs still fit a 768-pixel-high screen
CELL_WIDTH = THUMB + 48
FILE_PATTERNS = "*.jpg *.jpeg *.png *.pdf *.JPG *.JPEG *.PNG *.PDF"
ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.1, 8.0
ROW_ROLE = Qt.ItemDataRole.UserRole

# The folder last chosen in the file dialog, offered again next time.
_last_folder = ""


def _placeholder(style: QStyle) -> QPixmap:
    """A dashed empty frame with a waiting sign: the file has not arrived on this laptop."""
    pixmap = QPixmap(THUMB, THUMB)
    pixmap.fill(QColor("#f2f2f2"))
    painter = QPainter(pixmap)
    try:
        pen = QPen(QColor("#999999"))
        pen.setStyle(Qt.PenStyle.DashLine)
        pen.setWidth(2)
        painter.setPen(pen)
        painter.drawRect(4, 4, THUMB - 9, THUMB - 9)
        icon = style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload)
        side = THUMB // 3
        icon.paint(painter, (THUMB - side) // 2, (THUMB - side) // 2, side, side)
    finally:
        painter.end()
    return pixmap


class AttachmentsStrip(Retranslated, QWidget):
    """Thumbnails of one record's attachments, with Add and Remove. ``set_owner(None)`` is for a
    record not saved yet: the strip is disabled with a hint."""

    changed = Signal()

    def __init__(self, tasks: Tasks, paths: AppPaths, owner_kind: str,
                 parent: QWidget | None = None, staff_id: str = "") -> None:
        super().__init__(parent)
        self._tasks, self._paths = tasks, paths
        self._owner_kind, self._staff_id = owner_kind, staff_id
        self.owner_id: str | None = None
        self.rows: list[AttachmentRow] = []
        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setWordWrap(False)
        self._fit_cells()
        self.list.itemActivated.connect(lambda _item: self.open_current())
        self.list.itemSelectionChanged.connect(self._update_buttons)
        QShortcut(QKeySequence.StandardKey.Delete, self.list, self.remove_current,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.add_button, self.remove_button = QPushButton(), QPushButton()
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button.clicked.connect(self.remove_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        self.retranslate_ui()
        self.set_owner(None)

    def _fit_cells(self) -> None:
        """Room for the thumbnail and two lines of text in the list's font (the Tibetan
        font's lines are tall)."""
        text_height = 2 * self.list.fontMetrics().lineSpacing() + 16
        self.list.setGridSize(QSize(CELL_WIDTH, THUMB + text_height))
        self.list.setFixedHeight(THUMB + text_height
                                 + self.list.horizontalScrollBar().sizeHint().height()
                                 + 2 * self.list.frameWidth() + 4)

    def set_owner(self, owner_id: str | None) -> None:
        """Show the attachments of this hearing or agreement; ``None`` when it is not saved."""
        self.owner_id = owner_id
        self.list.setEnabled(owner_id is not None)
        self.add_button.setEnabled(owner_id is not None)
        self.hint.setVisible(owner_id is None)
        self.reload()

    def reload(self) -> None:
        current = self.current_row()
        self.rows = [] if self.owner_id is None else self._tasks.call(attachments.attachments_of,
                                                                      self._paths, self._owner_kind,
                                                                      self.owner_id)
        self.list.clear()
        for row in self.rows:
            item = QListWidgetItem()
            item.setData(ROW_ROLE, row.id)
            item.setIcon(self._icon(row))
            self.list.addItem(item)
        self._retranslate_items()
        if current is not None:
            self.select(current.id)
        self._update_buttons()

    def _icon(self, row: AttachmentRow) -> QIcon:
        if not row.present:
            return QIcon(_placeholder(self.style()))
        try:
            # Read through the store's worker: decrypted in memory when the store is encrypted.
            png = self._tasks.query(attachments.thumbnail, row, THUMB)
        except AppError as error:
            log.warning("no thumbnail for %s: %s", row.file_name, error)
            return self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        pixmap = QPixmap()
        pixmap.loadFromData(png, "PNG")
        return QIcon(pixmap)

    def _retranslate_items(self) -> None:
        for index, row in enumerate(self.rows):
            item = self.list.item(index)
            second = format_iso_date(row.added_at) if row.present else _("Not arrived yet")
            item.setText(f"{self._elided(row.file_name)}\n{self._elided(second)}")
            tips = [row.file_name]
            if row.caption:
                tips.append(row.caption)
            if not row.present:
                tips.append(_(attachments.NOT_ARRIVED).format(name=row.file_name))
            item.setToolTip("\n".join(tips))

    def _elided(self, text: str) -> str:
        """Cut in the middle to the cell's width, so a file's extension stays in sight."""
        return self.list.fontMetrics().elidedText(text, Qt.TextElideMode.ElideMiddle,
                                                  CELL_WIDTH - 12)

    def current_row(self) -> AttachmentRow | None:
        index = self.list.currentRow()
        items = self.list.selectedItems()
        if not items or not 0 <= index < len(self.rows):
            return None
        return self.rows[index]

    def select(self, attachment_id: str) -> None:
        for index, row in enumerate(self.rows):
            if row.id == attachment_id:
                self.list.setCurrentRow(index)
                return

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.owner_id is not None
                                      and self.current_row() is not None)

    def choose_files(self) -> None:
        global _last_folder
        names, _filter = QFileDialog.getOpenFileNames(
            self, _("Add scan or photo…"), _last_folder,
            _("Scans and photos") + f" ({FILE_PATTERNS})")
        if not names:
            return
        _last_folder = str(Path(names[0]).parent)
        self.add_files([Path(name) for name in names])

    def add_files(self, files: list[Path]) -> list[str]:
        """Attach each file on its own; those refused are listed in one message, the others are
        kept. Returns the ids of the new attachments."""
        if self.owner_id is None or not files:
            return []
        added: list[str] = []
        problems: list[str] = []
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            for file in files:
                try:
                    added.append(self._tasks.call(attachments.add_attachment, self._paths,
                                                  self._owner_kind, self.owner_id, file,
                                                  staff_id=self._staff_id))
                except AppError as error:
                    problems.append(error.translated())
        finally:
            QApplication.restoreOverrideCursor()
        if added:
            self.reload()
            self.select(added[-1])
            self.changed.emit()
        if problems:
            heading = ngettext("This file was not attached:", "These files were not attached:",
                               len(problems))
            QMessageBox.warning(self, _("Doorstep"), heading + "\n\n" + "\n".join(problems))
        return added

    def remove_current(self) -> None:
        row = self.current_row()
        if row is None or self.owner_id is None:
            return
        if not confirm(
                self,
                _("Remove {name} from this record?").format(name=row.file_name)):
            return
        try:
            self._tasks.call(attachments.remove_attachment, row.id, self._staff_id)
        except AppError as error:
            show_error(self, error)
            self.reload()
            return
        self.reload()
        self.changed.emit()

    def open_current(self) -> AttachmentViewer | None:
        """Show the selected attachment at full size; returns the viewer once it is closed."""
        row = self.current_row()
        if row is None:
            return None
        try:
            viewer = AttachmentViewer(self._tasks, row, self)
        except AppError as error:
            show_error(self, error)
            self.reload()  # it may have arrived, or be gone, since the strip was filled
            return None
        viewer.exec()
        return viewer

    def retranslate_ui(self) -> None:
        self.add_button.setText(_("Add scan or photo…"))
        self.remove_button.setText(_("Remove"))
        self.hint.setText(_("Save this first, then attach scans or photos."))
        self.list.setToolTip(_("Press Enter or double-click to view at full size."))
        self._retranslate_items()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.FontChange:
            self._fit_cells()
        super().changeEvent(event)


class AttachmentViewer(Retranslated, QDialog):
    """A photo, or every page of a PDF scan, stacked in a scrolling column. Fits the width of the
    window until zoomed with Ctrl++ and Ctrl+-; Esc closes.

    Shown here, never handed to another program: the file (encrypted on disk when the store is)
    is decrypted in memory only, and no decrypted copy is left on disk for a viewer to keep."""

    def __init__(self, tasks: Tasks, row: AttachmentRow,
                 parent: QWidget | None = None) -> None:
        # Read first: a file that cannot be shown raises before any window exists, so no
        # half-built viewer is left behind to receive events.
        images = list(tasks.query(attachments.full_images, row))
        super().__init__(parent)
        self.row = row
        self.pixmaps: list[QPixmap] = []
        for png in images:
            pixmap = QPixmap()
            pixmap.loadFromData(png, "PNG")
            self.pixmaps.append(pixmap)
        self.zoom = 1.0
        pages = QWidget()
        column = self._column = QVBoxLayout(pages)
        column.setSpacing(12)
        self.page_labels: list[QLabel] = []
        for _pixmap in self.pixmaps:
            label = QLabel()
            label.setStyleSheet("background: white; border: 1px solid #999")
            column.addWidget(label, alignment=Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(label)
        column.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(pages)
        self.scroll_area.setWidgetResizable(True)
        # Always there, so fitting the width does not make it come and go.
        self.scroll_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.scroll_area.viewport().installEventFilter(self)
        self.caption = QLabel(row.caption)
        self.caption.setWordWrap(True)
        self.caption.setVisible(bool(row.caption))
        self.fit_button = QPushButton()
        self.fit_button.setCheckable(True)
        self.fit_button.setChecked(True)
        self.fit_button.toggled.connect(lambda _checked: self._apply_zoom())
        self.zoom_out_button, self.zoom_in_button = QPushButton(), QPushButton()
        self.close_button = QPushButton()
        for button in (self.fit_button, self.zoom_out_button, self.zoom_in_button,
                       self.close_button):
            button.setAutoDefault(False)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.close_button.clicked.connect(self.accept)
        for keys in (QKeySequence.StandardKey.ZoomIn, QKeySequence("Ctrl+=")):
            QShortcut(keys, self, self.zoom_in)
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, self.zoom_out)
        buttons = QHBoxLayout()
        buttons.addWidget(self.fit_button)
        buttons.addWidget(self.zoom_out_button)
        buttons.addWidget(self.zoom_in_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(buttons)
        self.setWindowTitle(row.file_name)
        self.retranslate_ui()
        self.resize(1000, 860)
        self._apply_zoom()

    def fits_width(self) -> bool:
        return self.fit_button.isChecked()

    def _fit_scale(self, pixmap: QPixmap) -> float:
        margins = self._column.contentsMargins()
        width = self.scroll_area.viewport().width() - margins.left() - margins.right() - 4
        return max(width, 50) / max(pixmap.width(), 1)

    def scale_of(self, index: int) -> float:
        """How much page ``index`` is enlarged (below 1: reduced) as shown."""
        if self.fits_width():
            return self._fit_scale(self.pixmaps[index])
        return self.zoom

    def _apply_zoom(self) -> None:
        for index, (pixmap, label) in enumerate(zip(self.pixmaps, self.page_labels,
                                                    strict=True)):
            scale = self.scale_of(index)
            size = QSize(max(1, round(pixmap.width() * scale)),
                         max(1, round(pixmap.height() * scale)))
            label.setPixmap(pixmap.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))
            label.setFixedSize(size)

    def _zoom_by(self, factor: float) -> None:
        if self.fits_width() and self.pixmaps:
            self.zoom = self.scale_of(0)
        self.zoom = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom * factor))
        self.fit_button.blockSignals(True)
        self.fit_button.setChecked(False)
        self.fit_button.blockSignals(False)
        self._apply_zoom()

    def zoom_in(self) -> None:
        self._zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_by(1 / ZOOM_STEP)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Fit again whenever the visible width changes."""
        if (watched is self.scroll_area.viewport() and event.type() == QEvent.Type.Resize
                and self.fits_width()):
            self._apply_zoom()
        return super().eventFilter(watched, event)

    def retranslate_ui(self) -> None:
        self.fit_button.setText(_("Fit to width"))
        self.zoom_out_button.setText(_("Smaller (Ctrl+-)"))
        self.zoom_in_button.setText(_("Larger (Ctrl++)"))
        self.close_button.setText(_("Close"))
