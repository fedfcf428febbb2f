"""The Sync area: office and laptops, packages (with their history), conflicts, and changes
kept apart."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.core.formatting import format_number
from app.core.i18n import N_, _
from ui.core.tasks import Changes, Tasks
from ui.sync.apart_panel import ApartPanel
from ui.sync.conflicts_panel import ConflictsPanel
from ui.sync.laptops_panel import LaptopsPanel
from ui.sync.packages_panel import PackagesPanel
from ui.widgets.form_support import Retranslated

TABS = (N_("Office and laptops"), N_("Packages"), N_("Conflicts"), N_("Kept apart"))


class SyncView(Retranslated, QWidget):
    # The store changed: data arrived, a conflict was settled, or this laptop's office or name.
    changed = Signal()
    conflicts_changed = Signal(int)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self.laptops = LaptopsPanel(tasks)
        self.packages = PackagesPanel(tasks, self.laptop_name)
        self.conflicts = ConflictsPanel(tasks, self._roster_name)
        self.apart = ApartPanel(tasks)
        self.tabs = QTabWidget()
        for panel in (self.laptops, self.packages, self.conflicts, self.apart):
            self.tabs.addTab(panel, "")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.laptops.changed.connect(self._store_changed)
        self.packages.changed.connect(self._store_changed)
        self.conflicts.changed.connect(self._store_changed)
        self.packages.conflicts_requested.connect(self.show_conflicts)
        self.conflicts.count_changed.connect(self._conflicts_counted)
        tasks.changed.connect(self._on_changes)
        self.reload()

    def _on_changes(self, changes: Changes) -> None:
        """A package read, a laptop enrolled, or any record changed (an edit of a field in
        conflict settles it)."""
        if changes.tables or changes.touches("sync"):
            self.reload()

    def reload(self) -> None:
        self.laptops.reload()
        self.packages.reload(self.laptops.is_enrolled())
        self.conflicts.reload()
        self.apart.reload()
        self.retranslate_ui()

    def _store_changed(self) -> None:
        # What changed reaches every area through the worker's ``changed``.
        self.changed.emit()

    def _conflicts_counted(self, count: int) -> None:
        self.retranslate_ui()
        self.conflicts_changed.emit(count)

    def _roster_name(self, device_id: str) -> str | None:
        found = self.laptops.roster.roster.find(device_id) if self.laptops.roster else None
        return found.name if found is not None else None

    def laptop_name(self, device_id: str) -> str:
        return self._roster_name(device_id) or self.conflicts.laptop_name(device_id)

    def conflict_count(self) -> int:
        return self.conflicts.count()

    def show_conflicts(self) -> None:
        self.tabs.setCurrentWidget(self.conflicts)

    def retranslate_ui(self) -> None:
        for index, title in enumerate(TABS):
            text = _(title)
            if self.tabs.widget(index) is self.conflicts and self.conflicts.count():
                text += f" ({format_number(self.conflicts.count())})"
            if self.tabs.widget(index) is self.apart and self.apart.count():
                text += f" ({format_number(self.apart.count())})"
            self.tabs.setTabText(index, text)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        # The laptop's name or office may have changed elsewhere (Laptop → This laptop…).
        self.reload()
        super().showEvent(event)
