"""The Sync area: office and laptops, packages (with their history), conflicts, and changes
kept apart. On a prefecture hub, which exchanges packages with the counties by its own commands
(``python -m app hub``), only the conflicts and the changes kept apart."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.core.formatting import format_number
from app.core.i18n import N_, _
from app.sync import service
from ui.core.tasks import Changes, Tasks
from ui.sync.apart_panel import ApartPanel
from ui.sync.conflicts_panel import ConflictsPanel
from ui.sync.laptops_panel import LaptopsPanel
from ui.sync.packages_panel import PackagesPanel
from ui.widgets.form_support import Retranslated, translated_label

HUB_NOTE = N_("This hub receives the counties' packages and sends them its own with its "
              "commands (python -m app hub import, hub export). Here are the conflicts between "
              "what the counties and the hub changed, and the changes it kept apart.")


class SyncView(Retranslated, QWidget):
    # The store changed: data arrived, a conflict was settled, or this laptop's office or name.
    changed = Signal()
    conflicts_changed = Signal(int)

    def __init__(self, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        # A hub has no office of its own to set up here, nor packages to read or write; it
        # names each county's laptops from that county's roster (read again on reload).
        self.on_hub = tasks.on_server
        self._hub_names: Callable[[str], str] | None = (
            tasks.query(service.laptop_names) if self.on_hub else None)
        self.laptops = LaptopsPanel(tasks)
        self.packages = PackagesPanel(tasks, self.laptop_name)
        self.conflicts = ConflictsPanel(tasks, self._roster_name)
        self.apart = ApartPanel(tasks)
        self.titles: dict[QWidget, str] = {
            self.laptops: N_("Office and laptops"), self.packages: N_("Packages"),
            self.conflicts: N_("Conflicts"), self.apart: N_("Kept apart")}
        self.tabs = QTabWidget()
        for panel in self.titles:
            if not self.on_hub or panel in (self.conflicts, self.apart):
                self.tabs.addTab(panel, "")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if self.on_hub:
            layout.addWidget(translated_label(HUB_NOTE))
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
        if self.on_hub:
            self._hub_names = self._tasks.query(service.laptop_names)
        else:
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
        if self.on_hub:  # each county's laptops, from that county's roster
            name = self._hub_names(device_id) if self._hub_names is not None else device_id
            return name if name != device_id else None
        found = self.laptops.roster.roster.find(device_id) if self.laptops.roster else None
        return found.name if found is not None else None

    def laptop_name(self, device_id: str) -> str:
        return self._roster_name(device_id) or self.conflicts.laptop_name(device_id)

    def conflict_count(self) -> int:
        return self.conflicts.count()

    def show_conflicts(self) -> None:
        self.tabs.setCurrentWidget(self.conflicts)

    def retranslate_ui(self) -> None:
        for panel, title in self.titles.items():
            index = self.tabs.indexOf(panel)
            if index < 0:  # a tab a hub does not show
                continue
            text = _(title)
            if panel is self.conflicts and self.conflicts.count():
                text += f" ({format_number(self.conflicts.count())})"
            if panel is self.apart and self.apart.count():
                text += f" ({format_number(self.apart.count())})"
            self.tabs.setTabText(index, text)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        # The laptop's name or office may have changed elsewhere (Laptop → This laptop…).
        self.reload()
        super().showEvent(event)
