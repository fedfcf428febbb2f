"""The one way the screens reach the store (``ui.core.tasks``): every call on one worker thread,
results and errors back on the GUI thread, and what a call changed reaching exactly the views
that show it, which keep their selection."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QPushButton

import demo.generate as demo
from app.core.errors import AppError
from app.core.i18n import N_, _
from app.core.paths import AppPaths
from app.core.progress import CancelledError, check
from app.core.store import Store, open_store
from app.hearings.record import OfficerInput, save_officer
from app.petitions.registry import petition_ids
from tests.helpers import office_with_staff, petition, register, settle, tasks_for
from ui.core.language import LanguageManager
from ui.core.tasks import Changes
from ui.main import application, create_main_window
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: Any, paths: AppPaths) -> Iterator[MainWindow]:
    store = open_store(paths)
    demo.fill(store, persons=20)
    store.close()
    application()
    win = create_main_window(paths, LanguageManager())
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
    win.tasks.close()


class Spy:
    """Counts the calls of some methods (each area's way of reloading what it shows)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, targets: dict[str, tuple[Any, str]]):
        self.counts = dict.fromkeys(targets, 0)
        for name, (owner, method) in targets.items():
            original = getattr(owner, method)

            def counted(*args: Any, _name: str = name, _original: Any = original,
                        **kwargs: Any) -> Any:
                self.counts[_name] += 1
                return _original(*args, **kwargs)

            monkeypatch.setattr(owner, method, counted)

    def reloaded(self) -> set[str]:
        return {name for name, count in self.counts.items() if count}

    def reset(self) -> None:
        self.counts = dict.fromkeys(self.counts, 0)


def test_a_change_reaches_exactly_the_views_that_show_it(
        window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(monkeypatch, {
        "registry": (window.registry.model, "refresh"),
        "people": (window.people.model, "refresh"),
        "today": (window.today, "reload"),
        "offices": (window.offices, "reload"),
        "statistics": (window.statistics, "invalidate"),
        "sync": (window.sync, "reload"),
    })
    seen: list[Changes] = []
    window.tasks.changed.connect(seen.append)

    # A petition registered: its tables, and every area that lists petitions or persons.
    done = window.tasks.call(register, petition())
    assert {"petition", "person", "petition_party"} <= seen[-1].tables
    assert spy.reloaded() == {"registry", "people", "today", "statistics", "sync"}
    assert done.id in window.registry.model.ids()

    # A hearing officer saved: no list of petitions, persons or offices shows one.
    spy.reset()
    office_id = window.device.office_id
    assert office_id
    window.tasks.acting(window).call(save_officer, OfficerInput(
        office_id=office_id, name_zh="王建华", role="lawyer"))
    # (and the record of what was done, which every change adds to)
    assert seen[-1].tables == {"hearing_officer", "audit_entry"}
    assert seen[-1].initiator is window
    assert spy.reloaded() == {"statistics", "sync"}

    # A read changes nothing and tells nobody.
    spy.reset()
    count = len(seen)
    window.tasks.query(petition_ids, window.registry.current_filter())
    assert len(seen) == count and spy.reloaded() == set()


def test_a_view_keeps_the_petition_selected_when_the_list_changes(window: MainWindow) -> None:
    table, model = window.registry.table, window.registry.model
    window.show_area("registry")
    chosen = model.ids()[3]
    table.selectRow(3)
    window.tasks.call(register, petition())  # the newest first: the rows move down
    assert model.ids()[4] == chosen
    rows = table.selectionModel().selectedRows()
    assert [model.id_at(i.row()) for i in rows] == [chosen]


def test_a_long_operation_leaves_the_window_alive_and_reports_on_the_gui_thread(
        qtbot: Any, window: MainWindow) -> None:
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    results: list[tuple[str, bool]] = []

    def slow(store: Any, progress: Any) -> str:
        time.sleep(0.6)
        return str(store.device_id)

    window.tasks.run(slow, on_done=lambda device: results.append(
        (device, threading.current_thread() is threading.main_thread())))
    assert window.tasks.busy
    settle(qtbot, window.tasks)
    timer.stop()
    assert results == [(window.tasks.device_id, True)]
    assert len(ticks) >= 5  # the GUI went on while the worker slept

    failures: list[tuple[BaseException, bool]] = []

    def refused(store: Any, progress: Any) -> None:
        raise AppError(N_("This petition no longer exists."))

    window.tasks.run(refused, on_done=lambda _r: None, on_failed=lambda error: failures.append(
        (error, threading.current_thread() is threading.main_thread())))
    settle(qtbot, window.tasks)
    assert len(failures) == 1 and isinstance(failures[0][0], AppError) and failures[0][1]


def test_the_progress_window_shows_each_stage_and_its_cancel_button_stops_the_work(
        qtbot: Any, window: MainWindow) -> None:
    stage = N_("Applying the changes…")
    started = threading.Event()

    def work(store: Any, progress: Any) -> None:
        progress.stage(stage)
        progress(1, 4)
        started.set()
        for _step in range(200):  # until the person cancels (10 s at most)
            time.sleep(0.05)
            check(progress)

    failures: list[BaseException] = []
    window.tasks.run(work, on_done=lambda _r: None, on_failed=failures.append,
                     parent=window, message=_("Reading the package…"))
    # Shown only once the work has lasted half a second.
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(QProgressDialog)),
                    timeout=5000)
    dialog = next(d for d in window.findChildren(QProgressDialog) if d.isVisible())
    assert started.is_set()
    qtbot.waitUntil(lambda: _(stage) in dialog.labelText(), timeout=5000)
    assert dialog.value() == 250  # 1 of 4
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None and cancel.text() == _("Cancel")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    settle(qtbot, window.tasks, timeout_ms=5000)
    assert len(failures) == 1 and isinstance(failures[0], CancelledError)


def test_today_and_the_status_bar_move_on_at_midnight(
        qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date, datetime, timedelta

    import ui.main_window as main_window_module
    import ui.petitions.today_view as today_module
    from app.core.formatting import format_date

    until = datetime.combine(date.today() + timedelta(days=1), datetime.min.time()) \
        - datetime.now()
    assert window._midnight.isActive()
    assert abs(window._midnight.remainingTime() - until.total_seconds() * 1000) < 5000

    tomorrow = date.today() + timedelta(days=1)

    class Tomorrow(date):
        @classmethod
        def today(cls) -> date:
            return tomorrow

    monkeypatch.setattr(main_window_module, "date", Tomorrow)
    monkeypatch.setattr(today_module, "date", Tomorrow)
    asked: list[date] = []
    original = today_module.today_list
    monkeypatch.setattr(today_module, "today_list", lambda store, day, office: (
        asked.append(day), original(store, day, office))[1])
    window._midnight.timeout.emit()  # midnight
    assert window.date_status.text() == format_date(tomorrow, separator="\n")
    settle(qtbot, window.tasks)  # Today reads on the worker
    assert asked == [tomorrow]  # Today counted again for the new day
    assert window._midnight.isActive()  # and armed for the next midnight


def test_a_result_for_a_screen_deleted_meanwhile_is_dropped_and_the_change_still_told(
        qtbot: Any, store: Store) -> None:
    """A screen closed (and deleted) while its work runs on the worker: its result is not
    handed to it (it would reach deleted widgets), and what the work changed still reaches the
    other screens."""
    from PySide6.QtWidgets import QLabel
    from shiboken6 import delete

    application()
    office_with_staff(store)
    tasks = tasks_for(store)
    label = QLabel()
    shown: list[str] = []
    told: list[Changes] = []
    tasks.changed.connect(told.append)
    release = threading.Event()

    def work(live: Store, _progress: Any) -> str:
        release.wait(10)
        register(live, petition())
        return "registered"

    tasks.run(work, on_done=lambda text: (shown.append(text), label.setText(text)), owner=label)
    delete(label)  # closed and deleted while the work runs
    release.set()
    settle(qtbot, tasks)
    assert shown == []
    assert told and told[-1].touches("petition")


@pytest.mark.postgres
def test_on_a_hub_what_another_clerk_saves_reaches_this_window(
        qtbot: Any, postgres_url: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two clerks on one hub database: what the other saves is found in the version log and
    shown here without anyone here asking (the registry lists it), told as started by nobody;
    this window's own change is told once, as its own."""
    from app.core.identity import ensure_device
    from app.core.server import open_server_store
    from tests.helpers import set_up
    from ui.core import tasks
    from ui.core.tasks import Tasks

    monkeypatch.setattr(tasks, "OTHERS_EVERY_MS", 100)
    paths = AppPaths(tmp_path / "here")
    store = open_server_store(postgres_url, paths, create=True)
    ensure_device(store, "州院")
    set_up(store)
    application()
    settings_language = LanguageManager()
    from app.core.settings import load_settings

    window = MainWindow(Tasks(store), paths, load_settings(paths), settings_language)
    qtbot.addWidget(window)
    window.show()
    window.tasks.wait()
    seen: list[Changes] = []
    window.tasks.changed.connect(seen.append)
    other = open_server_store(postgres_url, AppPaths(tmp_path / "there"))
    try:
        window.show_area("registry")
        window.tasks.wait()
        assert window.registry.model.ids() == []
        theirs = register(other, petition())
        qtbot.waitUntil(lambda: theirs.id in window.registry.model.ids(), timeout=10_000)
        assert "petition" in seen[-1].tables and seen[-1].initiator is None
        # This window's own change is told once, by its call, and not again by a look.
        count = len(seen)
        mine = window.tasks.acting(window).call(register, petition("2026-11-22T10:00"))
        assert seen[-1].initiator is window and len(seen) == count + 1
        qtbot.wait(400)  # a few looks
        assert len(seen) == count + 1
        assert mine.id in window.registry.model.ids()
    finally:
        other.close()
        window.close()
        window.tasks.close()
