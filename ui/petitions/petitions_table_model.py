"""The registry's table: every petition matching the filters, fetched lazily by id."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from app.core.formatting import format_iso_date, format_short_datetime
from app.core.i18n import N_, pick
from app.core.labels import BusinessType, Category, Channel, PetitionStatus, label
from app.petitions import registry
from app.petitions.registry import PetitionRow, RegistryFilter
from ui.core.tasks import Tasks
from ui.widgets.lazy_table_model import Column, Index, LazyTableModel

OVERDUE_COLOUR = QColor("#b00020")


def _received(p: PetitionRow) -> str:
    return format_short_datetime(datetime.fromisoformat(p.received_at))


def _status(p: PetitionRow) -> str:
    return label(PetitionStatus, p.status)


COLUMNS: list[Column[PetitionRow]] = [
    Column(N_("Registration number"), lambda p: p.reg_no),
    Column(N_("Received"), _received),
    Column(N_("Petitioners"), lambda p: pick(p.names_zh, p.names_bo)),
    Column(N_("Channel"), lambda p: label(Channel, p.channel)),
    Column(N_("Category"), lambda p: label(Category, p.category)),
    Column(N_("Business type"), lambda p: label(BusinessType, p.business_type)),
    Column(N_("Summary"), lambda p: p.summary[:60]),
    Column(N_("Status"), _status),
    Column(N_("Reply due"), lambda p: "" if p.status != "awaiting_reply"
           else format_iso_date(p.reply_due)),
    Column(N_("Result due"), lambda p: "" if p.status == "answered"
           else format_iso_date(p.answer_due)),
]


class PetitionsTableModel(LazyTableModel[PetitionRow]):
    def __init__(self, tasks: Tasks, parent: Any = None) -> None:
        super().__init__(COLUMNS, parent)
        self._tasks = tasks
        self.filter = RegistryFilter()

    def fetch_count(self) -> int:
        return self._tasks.query(registry.petition_count, self.filter, date.today())

    def fetch_ids(self, offset: int, limit: int) -> list[str]:
        return self._tasks.query(registry.petition_page, self.filter, offset, limit,
                                 date.today())

    def fetch_rows(self, ids: Sequence[str]) -> dict[str, PetitionRow]:
        return self._tasks.query(registry.petition_rows, ids, date.today())

    def extra_data(self, index: Index, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            item = self.row(index.row())
            if item is not None and item.overdue:
                return QBrush(OVERDUE_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 6:
            item = self.row(index.row())
            return item.summary if item is not None else None
        return None
