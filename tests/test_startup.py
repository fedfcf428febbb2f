"""The main window opens at the same cost on a prefecture's store as on a county's, and the
program ends cleanly (issue 15)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from sqlalchemy import event

from app.core.identity import ensure_device
from app.core.paths import AppPaths
from app.core.store import open_store
from bench.registry import build
from ui.core.language import LanguageManager
from ui.main import application, create_main_window

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, AppPaths]:
    """A county's store (200 persons) and a store a hundred times larger (20,000)."""
    made = {}
    for name, persons, petitions in (("small", 200, 150), ("large", 20_000, 15_000)):
        paths = AppPaths(tmp_path_factory.mktemp(name))
        store = open_store(paths, create=True)
        ensure_device(store, "test laptop")
        build(store, random.Random(7), persons=persons, petitions_made=petitions)
        store.close()
        made[name] = paths
    return made


def _statements_to_open(qtbot: Any, paths: AppPaths) -> list[str]:
    application()
    counted: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        counted.append(statement)

    window = create_main_window(paths, LanguageManager())
    engine = window.tasks._store.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        for key in ("today", "registry", "people", "statistics"):
            window.show_area(key)
            QApplication.processEvents()
            window.repaint()  # painted now: every row the first screen shows is read
            QApplication.processEvents()
    finally:
        event.remove(engine, "before_cursor_execute", count)
        window.tasks.close()
    return counted


def test_opening_costs_no_more_queries_on_a_store_a_hundred_times_larger(  # type: ignore[no-untyped-def]
        qtbot, stores: dict[str, AppPaths]) -> None:
    small = _statements_to_open(qtbot, stores["small"])
    large = _statements_to_open(qtbot, stores["large"])
    assert len(large) <= len(small), sorted(set(large) - set(small))


def test_the_program_exits_with_status_0_and_leaves_one_file(tmp_path: Path) -> None:
    """Started as a clerk starts it, its window closed: status 0, nothing on stderr, and the
    store's write-ahead log written back into the file."""
    from tests.helpers import set_up

    paths = AppPaths(tmp_path / "data")
    store = open_store(paths, create=True)
    set_up(store)
    store.close()
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from app.core.paths import AppPaths\n"
        "from ui.main import application, run\n"
        "application()\n"
        "def close():\n"
        "    for w in QApplication.topLevelWidgets():\n"
        "        if w.isVisible():\n"
        "            w.close()\n"
        "timer = QTimer()\n"
        "timer.timeout.connect(close)\n"
        "timer.start(1500)\n"
        "from pathlib import Path\n"
        f"sys.exit(run(AppPaths(Path({str(paths.data_dir)!r}))))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=120,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "Fatal" not in done.stderr
    wal = paths.store.with_name(paths.store.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert paths.store.is_file()


