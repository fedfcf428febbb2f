"""The Statistics area: figures for a period beside a year earlier, every figure opening the
petitions behind it in the Registry, the report saved as PDF and Excel, the raw tables as CSV."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.core import i18n
from app.core.i18n import _
from app.core.paths import AppPaths
from app.core.store import open_store
from app.statistics import measures, output
from app.statistics.periods import Period, quarter, year
from tests import helpers
from tests.helpers import Ticking, register
from ui.core import tasks as tasks_module
from ui.core.language import LanguageManager
from ui.main import application, create_main_window
from ui.main_window import AREAS, MainWindow
from ui.statistics.statistics_table_model import BASE, CURRENT, MEASURE
from ui.statistics.statistics_view import StatisticsView


@dataclass
class Office:
    """Petitions registered in 2026 and 2025, by channel, with their ids."""

    paths: AppPaths
    ids_2026: list[str]
    letters_2026: list[str]
    letters_2025: list[str]
    ids_2025: list[str]


def _register(store, when: str, **changes: object) -> str:  # type: ignore[no-untyped-def]
    now = datetime.fromisoformat(when)
    return register(store, helpers.petition(when, **changes), now=now).id


@pytest.fixture
def office(paths: AppPaths) -> Office:
    store = open_store(paths)
    helpers.set_up(store)
    letters_2026 = [_register(store, "2026-03-10T10:00", channel="letter"),
                    _register(store, "2026-06-02T09:00", channel="letter")]
    others_2026 = [_register(store, "2026-02-11T15:00", channel="phone"),
                   _register(store, "2026-05-20T11:00", channel="visit"),
                   # A group visit of five: one petition, five persons petitioning.
                   _register(store, "2026-04-08T10:30", channel="visit", is_group=True,
                             head_count=5, persons=[helpers.tashi(role="representative")])]
    letters_2025 = [_register(store, "2025-06-15T10:00", channel="letter")]
    ids_2025 = [*letters_2025, _register(store, "2025-09-01T10:00", channel="web")]
    store.close()
    return Office(paths, letters_2026 + others_2026, letters_2026, letters_2025, ids_2025)


@pytest.fixture
def window(qtbot: QtBot, office: Office) -> Iterator[MainWindow]:
    application()
    win = create_main_window(office.paths, LanguageManager())
    qtbot.addWidget(win)
    win.show()
    yield win
    win.tasks.close()


@pytest.fixture(autouse=True)
def _no_modal_dialogs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    said: list[str] = []

    def record(_parent, _title, text, *_args):  # type: ignore[no-untyped-def]
        said.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "information", record)
    monkeypatch.setattr(QMessageBox, "warning", record)
    yield said


def _statistics(qtbot: QtBot, window: MainWindow, period: Period) -> StatisticsView:
    window.show_area("statistics")
    view = window.statistics
    assert window.stack.currentWidget() is view
    view.set_period(period)
    _count(qtbot, view)
    return view


def _count(qtbot: QtBot, view: StatisticsView) -> None:
    """Count on the worker, and wait for the figures to be shown."""
    with qtbot.waitSignal(view.counted, timeout=30_000):
        assert view.recount()


def _cell(view: StatisticsView, key: str, column: int) -> QModelIndex:
    row = view.model.find(key)
    assert row >= 0, key
    return view.model.index(row, column)


def _text(view: StatisticsView, key: str, column: int) -> str:
    return str(view.model.data(_cell(view, key, column)))


def _double_click(qtbot: QtBot, view: StatisticsView, index: QModelIndex) -> None:
    view.table.scrollTo(index)
    rect = view.table.visualRect(index)
    # A person's double-click: the first click, then the second (QTest's double-click alone
    # is not taken as one by the view).
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton,  # type: ignore[no-untyped-call]
                     pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton,  # type: ignore[no-untyped-call]
                      pos=rect.center())


def test_statistics_come_after_the_registry_in_the_navigation(window: MainWindow) -> None:
    keys = [key for key, _title in AREAS]
    assert keys.index("statistics") == keys.index("registry") + 1
    assert window.nav.item(keys.index("statistics")).text() == _("Statistics")


def test_the_year_is_counted_and_a_figure_opens_exactly_its_petitions(
        qtbot: QtBot, window: MainWindow, office: Office) -> None:
    view = _statistics(qtbot, window, year(2026))
    # Counted by hand: five petitions in 2026 against two in 2025; two letters against one.
    assert (_text(view, "received", CURRENT), _text(view, "received", BASE)) == ("5", "2")
    assert (_text(view, "channel_letter", CURRENT), _text(view, "channel_letter", BASE)) == \
        ("2", "1")
    assert _text(view, "channel_visit", CURRENT) == "2"
    assert _text(view, "channel_phone", CURRENT) == "1"
    assert _text(view, "channel_web", BASE) == "1"
    assert _text(view, "received", 3) == "+150.00%"
    assert _text(view, "channel_letter", MEASURE).endswith(_("Letters"))
    # Each table of the report has a title row over its figures.
    assert view.model.title_rows()[0] == 0
    assert view.table.columnSpan(0, 0) == 4

    _double_click(qtbot, view, _cell(view, "channel_letter", CURRENT))
    registry = window.registry
    assert window.stack.currentWidget() is registry
    helpers.settle(qtbot, window.tasks)  # the registry looks for them on the worker
    assert sorted(registry.model.ids()) == sorted(office.letters_2026)
    assert registry.figure_banner.isVisible()
    banner = registry.figure_text.text()
    assert _("Letters") in banner and "2" in banner

    registry.show_all_button.click()
    assert not registry.figure_banner.isVisible()
    assert registry.figure() is None
    helpers.settle(qtbot, window.tasks)
    assert sorted(registry.model.ids()) == sorted(office.ids_2026 + office.ids_2025)

    # The year-earlier column opens the year earlier's petitions; Enter works as well.
    window.show_area("statistics")
    index = _cell(view, "channel_letter", BASE)
    view.table.setCurrentIndex(index)
    view.table.activated.emit(index)
    helpers.settle(qtbot, window.tasks)
    assert registry.model.ids() == office.letters_2025
    assert registry.figure() is not None
    assert registry.figure().start == date(2025, 1, 1)  # type: ignore[union-attr]


def test_a_figure_that_counts_persons_says_how_many_petitions_are_behind_it(
        qtbot: QtBot, window: MainWindow, office: Office) -> None:
    view = _statistics(qtbot, window, year(2026))
    # The group visit of five counts five persons: nine persons on five petitions.
    assert _text(view, "received_persons", CURRENT) == "9"
    view.open_figure(_cell(view, "received_persons", CURRENT))
    registry = window.registry
    helpers.settle(qtbot, window.tasks)
    assert sorted(registry.model.ids()) == sorted(office.ids_2026)
    banner = registry.figure_text.text()
    assert "9" in banner and "5" in banner
    assert _("This figure does not count petitions (it counts hearings, payments, persons or "
             "money): the petitions listed are those it was counted on.") in banner
    # A figure with no petitions behind it lists none, and says so.
    window.show_area("statistics")
    view.open_figure(_cell(view, "hearings", CURRENT))
    helpers.settle(qtbot, window.tasks)
    assert registry.model.ids() == []
    assert registry.figure_banner.isVisible()
    # Labels and headers are not figures: nothing opens.
    window.show_area("statistics")
    view.open_figure(_cell(view, "received", MEASURE))
    assert window.stack.currentWidget() is view


def test_the_period_controls_choose_what_is_counted(qtbot: QtBot, window: MainWindow) -> None:
    view = _statistics(qtbot, window, quarter(2026, 1))
    assert _text(view, "received", CURRENT) == "2"  # a phone call in February, a letter in March
    view.set_period(Period(date(2025, 1, 1), date(2026, 12, 31)))
    _count(qtbot, view)
    assert _text(view, "received", CURRENT) == "7"
    assert view.date_from.isVisible() and not view.quarter.isVisible()
    # A range that ends before it begins is refused beside the controls, not counted.
    view.set_period(Period(date(2026, 5, 1), date(2026, 4, 1)))
    assert not view.recount()
    assert view.period_error.isVisible()
    assert _text(view, "received", CURRENT) == "7"
    # One office: its figures; the figures behind a cell keep to it.
    view.set_period(year(2026))
    view.office.setCurrentIndex(view.office.findData(window.device.office_id))
    _count(qtbot, view)
    assert _text(view, "received", CURRENT) == "5"
    found = view.figure_at(_cell(view, "received", CURRENT))
    assert found is not None and found[0].office_ids == (window.device.office_id,)


def test_language_switch_retranslates_the_table_the_charts_and_the_banner(
        qtbot: QtBot, window: MainWindow) -> None:
    view = _statistics(qtbot, window, year(2026))
    header = view.model.headerData(MEASURE, Qt.Orientation.Horizontal)
    assert header == i18n.catalog(i18n.ZH).gettext("Measure")
    assert "2026" in view.model.headerData(CURRENT, Qt.Orientation.Horizontal)
    view.open_figure(_cell(view, "channel_letter", CURRENT))
    helpers.settle(qtbot, window.tasks)
    chinese_banner = window.registry.figure_text.text()
    assert len(view.chart_svgs) == 4
    assert all(QSvgRenderer(svg).isValid() for svg in view.chart_svgs)
    chinese_chart = view.chart_svgs[0]

    window.language.set_mode(i18n.BO)
    tibetan = i18n.catalog(i18n.BO).gettext("Measure")
    assert tibetan != header
    qtbot.waitUntil(lambda: view.model.headerData(MEASURE, Qt.Orientation.Horizontal)
                    == tibetan)
    qtbot.waitUntil(lambda: window.registry.figure_text.text() != chinese_banner)
    # The charts are drawn again on the worker (ReportLab and HarfBuzz on one thread only).
    qtbot.waitUntil(lambda: view.chart_svgs[0] != chinese_chart)
    assert all(QSvgRenderer(svg).isValid() for svg in view.chart_svgs)
    assert view.tabs.tabText(0) == _("Tables")

    window.language.set_mode(i18n.BILINGUAL)
    qtbot.waitUntil(lambda: view.model.headerData(MEASURE, Qt.Orientation.Horizontal)
                    == f"{tibetan} / {header}")
    # Bilingual: the banner gives a Tibetan line over a Chinese line.
    qtbot.waitUntil(lambda: "\n" in window.registry.figure_text.text())
    assert window.registry.figure_text.text().split("\n")[1] == chinese_banner
    assert view.model.data(_cell(view, "received", CURRENT)) == "5"


def test_the_report_is_saved_as_pdf_and_excel(qtbot: QtBot, window: MainWindow,
                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              _no_modal_dialogs: list[str]) -> None:
    for module in ("reports.statistics_pdf", "reports.statistics_xlsx"):
        pytest.importorskip(module)
    view = _statistics(qtbot, window, year(2026))
    assert view.default_path(output.PDF).name.endswith("-2026.pdf")
    for suffix, magic in ((output.PDF, b"%PDF"), (output.XLSX, b"PK")):
        target = tmp_path / f"统计-2026{suffix}"
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            lambda *_args, t=target: (str(t), ""))
        with qtbot.waitSignal(view.report_saved, timeout=60_000) as saved:
            assert view.save_report(suffix) == target  # drawn and written on the worker
            assert not view.pdf_button.isEnabled()  # not twice at once
        assert saved.args == [target]
        assert target.read_bytes().startswith(magic)
        assert str(target) in _no_modal_dialogs[-1]
        assert view.pdf_button.isEnabled()
    # A folder that does not exist: said plainly, nothing written, nothing raised.
    missing = tmp_path / "no such folder" / "统计-2026.pdf"
    told = len(_no_modal_dialogs)
    view.save_report(output.PDF, missing)
    qtbot.waitUntil(lambda: len(_no_modal_dialogs) > told, timeout=60_000)
    assert not missing.exists()
    assert str(missing.parent) in _no_modal_dialogs[-1]
    assert view.pdf_button.isEnabled()


def test_the_report_is_previewed(qtbot: QtBot, window: MainWindow,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.widgets.paper_preview import PaperPreview

    shown: list[PaperPreview] = []
    def record(self: PaperPreview) -> int:
        shown.append(self)
        return 0

    monkeypatch.setattr(PaperPreview, "exec", record)
    view = _statistics(qtbot, window, year(2026))
    view.preview_report()  # drawn on the worker, then shown
    assert not shown
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=60_000)
    assert shown[0].pdf.startswith(b"%PDF")
    assert shown[0].page_labels


def test_the_raw_tables_are_exported_masked_unless_asked(
        qtbot: Any, window: MainWindow, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    view = _statistics(qtbot, window, year(2026))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_args: str(tmp_path))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Ok)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    with qtbot.waitSignal(view.tables_written, timeout=60_000) as done:
        view.export_tables()  # on the worker; the box to tick is left unticked
    written = done.args[0]
    assert written and told and str(tmp_path) in told[0]
    files = {name: (tmp_path / f"{name}.csv") for name in written}
    assert all(path.exists() for path in files.values())
    everything = "".join(path.read_text(encoding="utf-8-sig") for path in files.values())
    assert "632624198503120012" not in everything
    with files["petitions"].open(encoding="utf-8-sig") as f:
        assert len(list(csv.DictReader(f))) == 5  # the petitions of 2026 only
    full = tmp_path / "full"
    full.mkdir()
    with qtbot.waitSignal(view.tables_written, timeout=60_000):
        view.export_tables(full, unmask=True)
    assert "632624198503120012" in "".join(
        p.read_text(encoding="utf-8-sig") for p in full.glob("*.csv"))


def _shown_and_counted(qtbot: QtBot, window: MainWindow) -> StatisticsView:
    """The area shown, and its first count (of the year, on being shown) arrived."""
    window.show_area("statistics")
    view = window.statistics
    qtbot.waitUntil(lambda: view.figures is not None and view.pdf_button.isEnabled(),
                    timeout=30_000)
    return view


def test_the_figures_are_counted_while_the_window_goes_on(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """The count is made slow: the window's event loop goes on meanwhile (a timer keeps firing),
    the view says it is counting and the report's buttons wait; then the figures arrive."""
    view = _shown_and_counted(qtbot, window)
    ticking = Ticking()
    monkeypatch.setattr(measures, "statistics", ticking.waiting(measures.statistics))
    view.set_period(quarter(2026, 2))
    with qtbot.waitSignal(view.counted, timeout=30_000):
        assert view.recount()
        assert view.summary.text() == _("Counting the figures…")
        assert not view.pdf_button.isEnabled() and not view.preview_button.isEnabled()
    ticking.stop()
    assert ticking.seen and ticking.seen[0] >= 10
    assert view.figures is not None and view.figures.period == quarter(2026, 2)
    assert _text(view, "received", CURRENT) == "3"  # two visits and a letter, April to June
    assert view.pdf_button.isEnabled()
    assert _("Counting") not in view.summary.text()


def test_a_count_asked_for_later_is_the_one_shown(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """2025 is asked for and held on the worker; 2026 is asked for meanwhile. 2025's figures,
    arriving first, are never shown: they would overwrite the period the controls name."""
    view = _shown_and_counted(qtbot, window)
    shown: list[Period] = []
    set_figures = view.model.set_figures

    def record(figures: Any) -> None:
        shown.append(figures.period)
        set_figures(figures)

    monkeypatch.setattr(view.model, "set_figures", record)
    release = threading.Event()
    counting = measures.statistics

    def held(store: Any, period: Period, *args: Any, **kwargs: Any) -> Any:
        if period == year(2025):
            release.wait(10)
        return counting(store, period, *args, **kwargs)

    monkeypatch.setattr(measures, "statistics", held)
    view.set_period(year(2025))
    assert view.recount()
    view.set_period(year(2026))
    with qtbot.waitSignal(view.counted, timeout=30_000):
        assert view.recount()
        release.set()
    assert shown == [year(2026)]
    assert view.figures is not None and view.figures.period == year(2026)
    assert _text(view, "received", CURRENT) == "5"
    qtbot.wait(50)
    assert shown == [year(2026)]


def test_cancel_keeps_the_figures_counted_before(
        qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch,
        _no_modal_dialogs: list[str]) -> None:
    view = _statistics(qtbot, window, year(2026))
    monkeypatch.setattr(tasks_module.Progress, "is_cancelled", lambda _self: True)
    counted: list[bool] = []
    view.counted.connect(lambda: counted.append(True))
    view.set_period(year(2025))
    assert view.recount()
    qtbot.waitUntil(view.pdf_button.isEnabled, timeout=30_000)
    assert view.summary.text() == _("Counting was cancelled. Press Count to count the figures "
                                    "again.")
    assert not counted and not _no_modal_dialogs  # nothing to tell but that
    assert view.figures is not None and view.figures.period == year(2026)
    assert _text(view, "received", CURRENT) == "5"
