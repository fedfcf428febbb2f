"""The main window opens at the same cost on a prefecture's store as on a county's, and the
program ends cleanly (issue 15)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import event

from app.core import access
from app.core.i18n import _
from app.core.identity import ensure_device
from app.core.paths import AppPaths
from app.core.store import open_store
from bench.registry import build
from tests.helpers import DARLAG, settle
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
            settle(qtbot, window.tasks)  # and what the area reads on the worker, read
    finally:
        event.remove(engine, "before_cursor_execute", count)
        window.tasks.close()
    return counted


def test_opening_costs_no_more_queries_on_a_store_a_hundred_times_larger(  # type: ignore[no-untyped-def]
        qtbot, stores: dict[str, AppPaths]) -> None:
    small = _statements_to_open(qtbot, stores["small"])
    large = _statements_to_open(qtbot, stores["large"])
    assert len(large) <= len(small), sorted(set(large) - set(small))


PASSPHRASE = "雪山 གངས་རི 2026"


def _set_up_store(tmp_path: Path) -> tuple[AppPaths, str]:
    """An encrypted store set up for an office, with one account, closed: what a clerk's
    laptop holds between two days; and the account's staff id."""
    from app.accounts import login

    paths = AppPaths(tmp_path / "data")
    _key, staff_id = login.first_start(paths, "12309窗口", DARLAG, login.NewAccount(
        "拉姆", "ལྷ་མོ", "chief", PASSPHRASE, PASSPHRASE))
    return paths, staff_id


def _credentials(paths: AppPaths, staff_id: str) -> str:
    """Python source that unlocks the key, for the scripts run in a fresh process."""
    return (f"from app.accounts import login\n"
            f"from ui.office.login_dialog import Credentials\n"
            f"credentials = Credentials(login.unlock(AppPaths(Path({str(paths.data_dir)!r})), "
            f"{staff_id!r}, {PASSPHRASE!r}), {staff_id!r})\n")


def _run_cleanly(script: str) -> subprocess.CompletedProcess[str]:
    """``script`` in a fresh Python, offscreen: it must exit with status 0, no traceback and
    no fatal error."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=120,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "Fatal" not in done.stderr
    return done


def _wal_folded_in(paths: AppPaths) -> bool:
    wal = paths.store.with_name(paths.store.name + "-wal")
    return not wal.exists() or wal.stat().st_size == 0


def test_the_program_exits_with_status_0_and_leaves_one_file(tmp_path: Path) -> None:
    """Started as a clerk starts it, its window closed: status 0, nothing on stderr, and the
    store's write-ahead log written back into the file."""
    paths, staff_id = _set_up_store(tmp_path)
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from pathlib import Path\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from app.core.paths import AppPaths\n"
        + _credentials(paths, staff_id) +
        "from ui.main import application, run\n"
        "application()\n"
        "def close():\n"
        "    for w in QApplication.topLevelWidgets():\n"
        "        if w.isVisible():\n"
        "            w.close()\n"
        "timer = QTimer()\n"
        "timer.timeout.connect(close)\n"
        "timer.start(1500)\n"
        f"sys.exit(run(AppPaths(Path({str(paths.data_dir)!r})), credentials))\n")
    _run_cleanly(script)
    assert _wal_folded_in(paths)
    assert paths.store.is_file()




def test_the_frame_is_shown_before_the_store_is_loaded_then_the_store_comes(
        tmp_path: Path) -> None:
    """The window's frame is on the screen before SQLAlchemy is even imported (the store is
    opened on a thread meanwhile); the areas say so and the menu that needs the store is
    greyed; then the store comes, Today is read, and the program ends with status 0."""
    paths, staff_id = _set_up_store(tmp_path)
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from pathlib import Path\n"
        "from PySide6.QtCore import QTimer\n"
        "from app.core.paths import AppPaths\n"
        "from app.core.settings import Settings\n"
        + _credentials(paths, staff_id) +
        "from ui.core.language import LanguageManager\n"
        "from ui.main import Startup, application\n"
        "app = application()\n"
        f"startup = Startup(AppPaths(Path({str(paths.data_dir)!r})), LanguageManager(app), "
        "Settings(), credentials)\n"
        "window, seen = startup.window, {}\n"
        "def shown():\n"
        "    seen['sqlalchemy'] = 'sqlalchemy' in sys.modules\n"
        "    seen['visible'] = window.isVisible()\n"
        "    seen['says'] = window.stack.currentWidget().text()\n"
        "    seen['menu'] = window.device_menu.isEnabled()\n"
        "def read(_count):\n"
        "    seen['today'] = window.today.loaded\n"
        "    seen['menu after'] = window.device_menu.isEnabled()\n"
        "    window.close()\n"
        "startup.ready.connect(lambda: window.today.counts_changed.connect(read))\n"
        "QTimer.singleShot(0, shown)\n"
        "startup.start()\n"
        "code = app.exec()\n"
        "startup.close()\n"
        "print(json.dumps(seen))\n"
        "sys.exit(code or startup.code)\n")
    seen = json.loads(_run_cleanly(script).stdout.splitlines()[-1])
    assert seen == {"sqlalchemy": False, "visible": True, "says": _("Opening the data…"),
                    "menu": False, "today": True, "menu after": True}
    assert _wal_folded_in(paths)


def test_a_store_that_cannot_be_opened_is_said_at_the_log_in(  # type: ignore[no-untyped-def]
        qtbot, tmp_path: Path, monkeypatch) -> None:
    from app.core.settings import Settings
    from ui.office.login_dialog import log_in

    application()
    paths = AppPaths(tmp_path / "data")
    paths.data_dir.mkdir(parents=True)
    junk = b"a spreadsheet, not a store " * 200
    paths.store.write_bytes(junk)
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: said.append(text))
    assert log_in(paths, LanguageManager(), Settings()) is None
    assert said == [_("The file {path} is not a Doorstep data file. It was left as it "
                      "was.").format(path=paths.store)]
    assert paths.store.read_bytes() == junk  # untouched


def test_a_leaver_is_refused_and_the_window_closes(  # type: ignore[no-untyped-def]
        qtbot, tmp_path: Path, monkeypatch) -> None:
    """A staff member removed on another laptop since: their passphrase still unwraps the key
    on this one until the change arrives, but the store refuses them."""
    from app.accounts import login
    from app.core.settings import Settings
    from models import Staff
    from ui.main import Startup
    from ui.office.login_dialog import Credentials

    application()
    paths, staff_id = _set_up_store(tmp_path)
    key = login.unlock(paths, staff_id, PASSPHRASE)
    store = open_store(paths, key=key)
    with store.write() as session:
        staff = session.get(Staff, staff_id)
        assert staff is not None
        staff.active = False
    store.close()
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text: said.append(text))
    startup = Startup(paths, LanguageManager(), Settings(), Credentials(key, staff_id))
    startup.start()
    qtbot.waitUntil(lambda: startup.code == 1, timeout=60_000)
    startup.close()
    assert said == [_(access.NO_LONGER_STAFF)]
    assert not startup.window.isVisible() and not startup.window.attached


def test_closing_the_window_while_the_store_opens_closes_the_store(  # type: ignore[no-untyped-def]
        qtbot, tmp_path: Path) -> None:
    """Closed at once (before the store has opened, or while): the store is still closed
    properly, its write-ahead log folded back in."""
    from app.accounts import login
    from app.core.settings import Settings
    from ui.main import Startup
    from ui.office.login_dialog import Credentials

    application()
    paths, staff_id = _set_up_store(tmp_path)
    credentials = Credentials(login.unlock(paths, staff_id, PASSPHRASE), staff_id)
    startup = Startup(paths, LanguageManager(), Settings(), credentials)
    startup.start()
    qtbot.wait(1)  # the opening thread starts once the frame is shown
    startup.window.close()
    startup.close()
    assert paths.store.is_file()
    assert _wal_folded_in(paths)
    store = open_store(paths, key=credentials.key)  # whole, and opens again
    store.close()
