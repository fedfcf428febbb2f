"""Kept apart: changes this laptop did not apply, or took back out, with the reason for each: a
laptop that did not sign them, a revoked laptop's, or the set of a forked log the office did not
keep. Nothing here is lost; a person reviews it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.formatting import format_number
from app.core.i18n import N_, _
from app.core.labels import label
from app.sync import service
from app.sync.describe import TABLES
from ui.core.tasks import Tasks
from ui.sync import common
from ui.widgets.fields import plain_table
from ui.widgets.form_support import Retranslated, retranslate_labels, translated_label

HEADERS = (N_("Noted"), N_("Changes of"), N_("Changes"), N_("Records"), N_("Brought by"),
           N_("Why"), N_("Written again"))


class ApartPanel(Retranslated, QWidget):
    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._rows: list[service.ApartRow] = []
        self.intro = translated_label(N_(
            "Changes this laptop did not take, or took back out, and why. They are kept, not "
            "lost: show them to the person who looks after Doorstep. A laptop whose data folder "
            "was restored or copied writes its own changes again, in a fresh series."))
        self.table = plain_table(len(HEADERS), stretch=5)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        self.reload()

    def reload(self) -> None:
        self._rows = self._tasks.query(service.kept_apart)
        self.retranslate_ui()

    def rows(self) -> list[service.ApartRow]:
        return list(self._rows)

    def count(self) -> int:
        return len(self._rows)

    def retranslate_ui(self) -> None:
        retranslate_labels(self)
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setRowCount(len(self._rows))
        for row, apart in enumerate(self._rows):
            cells = (
                common.local_time(apart.noted_at),
                apart.laptop,
                format_number(apart.changes),
                " · ".join(sorted({_(TABLES[t]) for t in apart.tables if t in TABLES})) or "—",
                apart.brought_by or _("This laptop"),
                label(service.ApartReason, apart.reason),
                _("Yes") if apart.reissued else "",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (2, 6):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
