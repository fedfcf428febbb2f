"""The registry never freezes (issue 15, point 2): a search or a filter is looked for on the
worker while the window goes on, a newer search wins over an older one whose answer comes late,
and a save keeps the clerk's place at the cost of a few pages however far they scrolled."""

from __future__ import annotations

import random
import threading
import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import event

from app.core.i18n import _
from app.core.store import Store
from app.petitions import registry
from app.petitions.registry import RegistryFilter
from bench.registry import build
from tests.helpers import office_with_staff, petition, register, settle, tashi, tasks_for
from ui.main import application
from ui.petitions.registry_view import SEARCHING

NOW = datetime(2026, 11, 30, 9, 0)
PETITIONS = 12


def _view(qtbot: Any, store: Store) -> Any:
    from ui.petitions.registry_view import RegistryView

    application()
    found = RegistryView(tasks_for(store))
    qtbot.addWidget(found)
    found.resize(900, 700)
    found.show()
    qtbot.waitExposed(found)
    return found


@pytest.fixture
def view(qtbot: Any, store: Store) -> Any:
    office_with_staff(store)
    start = datetime(2026, 10, 1, 9, 0)
    for i in range(PETITIONS):
        register(store, petition((start + timedelta(days=i)).isoformat(timespec="minutes"),
                                 persons=[tashi(name_zh=f"卓玛{i}", id_number="", phone="")],
                                 channel="letter" if i % 2 else "visit"), now=NOW)
    return _view(qtbot, store)


def _names(view: Any) -> list[str]:
    return [view.model.row(row).names_zh for row in range(view.model.rowCount())]


def test_a_slow_search_keeps_the_window_turning_and_lists_what_it_found(
        qtbot: Any, view: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    counted, matched = registry.petition_count, registry.petition_ids

    def slow_count(*args: Any) -> int:
        time.sleep(0.6)
        return counted(*args)

    def slow_match(*args: Any) -> list[str]:
        time.sleep(0.6)
        return matched(*args)

    monkeypatch.setattr(registry, "petition_count", slow_count)
    monkeypatch.setattr(registry, "petition_ids", slow_match)
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    try:
        # A filter: counted on the worker, "Searching…" meanwhile, the old list still shown.
        view.channel.set_code("letter")
        assert view.count.text() == _(SEARCHING)
        assert view.model.rowCount() == PETITIONS
        settle(qtbot, view._tasks)
        assert len(ticks) >= 10  # the event loop went on while the worker counted
        assert view.model.rowCount() == PETITIONS // 2
        assert str(PETITIONS // 2) in view.count.text() and view.count.text() != _(SEARCHING)
        assert sorted(_names(view)) == sorted(f"卓玛{i}" for i in range(1, PETITIONS, 2))

        # A search typed, the clerk typing on meanwhile: each letter is taken.
        ticks.clear()
        view.channel.set_code("")
        view.search.setText("卓玛1")
        qtbot.waitUntil(lambda: view.count.text() == _(SEARCHING), timeout=3000)
        view.search.setText("卓玛11")
        assert view.search.text() == "卓玛11"
        qtbot.waitUntil(lambda: not view.model.loading and not view._search_timer.isActive(),
                        timeout=10_000)
        assert ticks
        found = view._tasks.query(matched, RegistryFilter(text="卓玛11"))
        assert view.model.ids() == found and "卓玛11" in _names(view)
        assert found != view._tasks.query(matched, RegistryFilter(text="卓玛1"))
        assert view.count.text().endswith(str(len(found)))
    finally:
        timer.stop()


def test_a_late_answer_to_an_older_search_never_replaces_a_newer_one(
        qtbot: Any, view: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    matched = registry.petition_ids
    started = threading.Event()

    def slow_for_the_first(store: Any, flt: Any, *args: Any) -> list[str]:
        if flt.text == "卓玛3":  # the older search: its answer comes after the newer was asked
            started.set()
            time.sleep(0.5)
        return matched(store, flt, *args)

    monkeypatch.setattr(registry, "petition_ids", slow_for_the_first)
    older, newer = (view._tasks.query(matched, RegistryFilter(text=text))
                    for text in ("卓玛3", "卓玛5"))
    assert older != newer
    shown: list[list[str]] = []
    view.model.modelReset.connect(lambda: shown.append(view.model.ids()))
    view.search.setText("卓玛3")
    view.apply_filters()
    assert started.wait(5)
    view.search.setText("卓玛5")
    view.apply_filters()
    settle(qtbot, view._tasks)
    QApplication.processEvents()
    assert shown == [newer]  # the list never showed the older search's petitions
    assert view.model.ids() == newer and "卓玛5" in _names(view)
    assert not view.model.loading and _(SEARCHING) != view.count.text()


def test_a_failed_search_is_a_message_and_the_list_stays(
        qtbot: Any, view: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    def broken(*_args: Any) -> int:
        raise OSError(28, "No space left on device")

    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))
    monkeypatch.setattr(registry, "petition_count", broken)
    view.channel.set_code("letter")
    settle(qtbot, view._tasks)
    assert warned
    assert view.model.rowCount() == PETITIONS
    assert view.count.text() != _(SEARCHING) and str(PETITIONS) in view.count.text()


@pytest.fixture
def big(store: Store) -> Store:
    build(store, random.Random(7), persons=1_000, petitions_made=1_500)
    return store


def test_a_save_keeps_the_place_and_reads_only_the_pages_near_it(
        qtbot: Any, big: Store) -> None:
    tasks = tasks_for(big)
    statements: list[str] = []
    counting = [False]

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if counting[0] and statement.startswith("SELECT"):
            statements.append(statement)

    # Connected before the view's: counting starts as the change reaches the screens.
    tasks.changed.connect(lambda _changes: counting.__setitem__(0, True))
    view = _view(qtbot, big)
    model, table = view.model, view.table
    for row in range(0, 1_500, model.PAGE):  # the clerk scrolled through the whole list
        model.id_at(row)
    assert len(model._pages) == 15
    table.scrollTo(model.index(1_000, 0))
    table.selectRow(1_005)
    QApplication.processEvents()
    chosen, scroll = model.id_at(1_005), table.verticalScrollBar().value()

    event.listen(big.engine, "before_cursor_execute", count)
    try:
        tasks.call(register, petition())  # the newest, listed first: the rows move down one
        table.viewport().repaint()  # the rows on screen are read again
        QApplication.processEvents()
    finally:
        event.remove(big.engine, "before_cursor_execute", count)
    # A count, the three pages around the place and the rows on screen (they were read every
    # page the model held: 15 here, up to 50).
    assert 0 < len(statements) <= 8, statements
    assert len(model._pages) <= 3
    assert model.rowCount() == 1_501
    assert [model.id_at(i.row()) for i in table.selectionModel().selectedRows()] == [chosen]
    assert table.selectionModel().selectedRows()[0].row() == 1_006
    assert table.verticalScrollBar().value() == scroll


def test_a_search_reads_its_matches_once_and_scrolls_without_a_query(
        qtbot: Any, big: Store) -> None:
    view = _view(qtbot, big)
    view.search.setText("草场")  # every petition's summary
    view.apply_filters()
    settle(qtbot, view._tasks)
    assert view.model.rowCount() == 1_500
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT"):
            statements.append(statement)

    event.listen(big.engine, "before_cursor_execute", count)
    try:
        ids = [view.model.id_at(row) for row in range(0, 1_500, 50)]
    finally:
        event.remove(big.engine, "before_cursor_execute", count)
    assert statements == [] and all(ids) and len(set(ids)) == len(ids)
    assert view.model.ids() == view._tasks.query(registry.petition_ids,
                                                 view.current_filter())


def test_a_save_during_a_search_reads_its_matches_again_on_the_worker(
        qtbot: Any, big: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A search's matches are read whole (a quarter of a second on 100,000 petitions): after
    a save they are read again on the worker, the window turning meanwhile, and the clerk's
    selected petition and scroll stay."""
    view = _view(qtbot, big)
    view.search.setText("草场")  # every petition's summary
    view._search_timer.stop()  # looked for now, not once the clerk stops typing
    view.apply_filters()
    settle(qtbot, view._tasks)
    model, table = view.model, view.table
    table.scrollTo(model.index(700, 0))
    table.selectRow(705)
    QApplication.processEvents()
    chosen, scroll = model.id_at(705), table.verticalScrollBar().value()
    matched = registry.petition_ids

    def slow_match(*args: Any) -> list[str]:
        time.sleep(0.6)
        return matched(*args)

    monkeypatch.setattr(registry, "petition_ids", slow_match)
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    try:
        started = time.monotonic()
        view._tasks.call(register, petition(summary="草场纠纷 新的一件"))  # listed first
        assert time.monotonic() - started < 0.5  # the GUI thread did not wait for the search
        assert model.rowCount() == 1_500  # the list shown stays until the matches arrive
        settle(qtbot, view._tasks)
        assert len(ticks) >= 10  # the event loop kept turning while they were found
    finally:
        timer.stop()
    assert model.rowCount() == 1_501 and str(1_501) in view.count.text().replace(",", "")
    assert [model.id_at(i.row()) for i in table.selectionModel().selectedRows()] == [chosen]
    assert table.selectionModel().selectedRows()[0].row() == 706
    assert table.verticalScrollBar().value() == scroll
