"""The registry's table: every petition matching the filters, fetched lazily by id."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from app.core.formatting import format_iso_date, format_short_datetime
from app.core.fulltext import fts_query
from app.core.i18n import N_, pick
from app.core.labels import BusinessType, Category, Channel, PetitionStatus, label
from app.petitions import registry
from app.petitions.registry import PetitionRow, RegistryFilter
from ui.core.tasks import Tasks
from ui.widgets.lazy_table_model import Column, Index, LazyTableModel, Listing

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
        super().__init__(tasks, COLUMNS, parent)
        self.filter = RegistryFilter()

    def listing(self) -> Listing[PetitionRow]:
        flt = replace(self.filter)  # as it is now, whatever the screen sets later
        return Listing(
            count=lambda store: registry.petition_count(store, flt, date.today()),
            page=lambda store, offset, limit: registry.petition_page(
                store, flt, offset, limit, date.today()),
            rows=lambda store, ids: registry.petition_rows(store, ids, date.today()),
            # A search's matches are found whole: read them once, not again for each page.
            whole=(lambda store: registry.petition_ids(store, flt, date.today()))
            if fts_query(flt.text) else None)

    def extra_data(self, index: Index, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            item = self.row(index.row())
            if item is not None and item.overdue:
                return QBrush(OVERDUE_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 6:
            item = self.row(index.row())
            return item.summary if item is not None else None
        return None
