"""The log-in screens, the lock after idle time, and the staff's passphrases, as a person uses
them (issue 16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel

from app.accounts import login
from app.accounts import staff as accounts
from app.core import i18n, keyring
from app.core.paths import AppPaths
from app.core.sealing import WRONG_PASSPHRASE
from app.core.settings import Settings
from app.core.store import open_store
from tests.helpers import DARLAG, settle
from ui.core.language import LanguageManager
from ui.main import application, create_main_window
from ui.office.idle_lock import Cover, IdleLock
from ui.office.login_dialog import (
    Credentials,
    EncryptDialog,
    FirstStartDialog,
    LockDialog,
    LoginDialog,
)

PASSPHRASE = "雪山 གངས་རི 2026"


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "SCRYPT_N", 2**14)


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    application()
    return AppPaths(tmp_path / "data")


def _first_start(paths: AppPaths) -> str:
    _key, staff_id = login.first_start(paths, "12309窗口", DARLAG, login.NewAccount(
        "拉姆", "ལྷ་མོ", "admin", PASSPHRASE, PASSPHRASE))
    return staff_id


def test_the_first_start_screen_makes_the_data_file_and_logs_in(qtbot: Any,
                                                                 paths: AppPaths) -> None:
    settings = Settings()
    screen = FirstStartDialog(paths, LanguageManager(), settings)
    qtbot.addWidget(screen)
    screen.laptop.setText("12309窗口")
    screen.office.setCurrentIndex(screen.office.findData(DARLAG))
    screen.name_zh.setText("拉姆")
    screen.passphrase.setText(PASSPHRASE)
    screen.again.setText("typed differently")
    screen.go.click()
    assert screen.message.text() == i18n._(login.PASSPHRASES_DIFFER)
    assert login.store_state(paths) is login.StoreState.NEW  # nothing made
    screen.again.setText(PASSPHRASE)
    screen.go.click()
    assert screen.credentials is not None
    assert login.store_state(paths) is login.StoreState.ENCRYPTED
    assert settings.current_staff_id == screen.credentials.staff_id


def test_the_log_in_screen_refuses_a_wrong_passphrase_and_switches_language(
        qtbot: Any, paths: AppPaths) -> None:
    staff_id = _first_start(paths)
    settings = Settings()
    screen = LoginDialog(paths, LanguageManager(), settings, login.accounts(paths))
    qtbot.addWidget(screen)
    assert screen.account.currentData() == staff_id
    screen.languages.setCurrentIndex(screen.languages.findData(i18n.BO))
    QApplication.processEvents()  # the language change reaches the screen
    assert settings.language_mode == i18n.BO and screen.go.text() == i18n._("Log in")
    assert screen.go.text() != "Log in" and screen.go.text() != "登录"
    screen.passphrase.setText("not it at all")
    screen.go.click()
    assert screen.credentials is None and screen.passphrase.text() == ""
    assert screen.message.text() == i18n._(WRONG_PASSPHRASE)
    assert login.pending_failures(paths)
    screen.passphrase.setText(PASSPHRASE)
    screen.go.click()
    assert screen.credentials is not None and screen.credentials.staff_id == staff_id


def test_an_earlier_data_file_is_encrypted_from_the_screen(qtbot: Any, paths: AppPaths) -> None:
    from tests.helpers import office_with_staff

    store = open_store(paths, create=True)
    _office, chief = office_with_staff(store)
    store.close()
    screen = EncryptDialog(paths, LanguageManager(), Settings(), login.plain_store_leaders(paths))
    qtbot.addWidget(screen)
    screen.passphrase.setText(PASSPHRASE)
    screen.again.setText(PASSPHRASE)
    screen.go.click()
    assert screen.credentials is not None and screen.credentials.staff_id == chief
    assert login.store_state(paths) is login.StoreState.ENCRYPTED


def test_the_window_locks_when_idle_and_opens_again_for_the_passphrase(
        qtbot: Any, paths: AppPaths) -> None:
    staff_id = _first_start(paths)
    key = login.unlock(paths, staff_id, PASSPHRASE)
    window = create_main_window(paths, LanguageManager(), Credentials(key, staff_id))
    qtbot.addWidget(window)
    window.show()
    now = [0.0]
    seen: dict[str, Any] = {}

    def lock() -> None:
        screen = LockDialog(paths, staff_id, "拉姆", window)
        seen["covered"] = any(isinstance(c, Cover) and c.isVisible()
                              for c in window.findChildren(QLabel))

        def type_it() -> None:
            screen.passphrase.setText("wrong passphrase")
            screen.unlock_button.click()
            seen["refused"] = screen.isVisible() and screen.message.isVisible()
            screen.reject()  # Escape leaves it locked
            seen["still"] = screen.isVisible()
            screen.passphrase.setText(PASSPHRASE)
            screen.unlock_button.click()

        QTimer.singleShot(0, type_it)
        seen["result"] = screen.exec()

    idle = IdleLock(lambda: 10, lock, clock=lambda: now[0])
    try:
        now[0] = 9 * 60.0
        idle.check()
        assert "result" not in seen  # not yet
        qtbot.keyClick(window, Qt.Key.Key_Shift)  # use resets the count
        now[0] = 18 * 60.0
        idle.check()
        assert "result" not in seen
        now[0] = 30 * 60.0
        idle.check()
        assert seen == {"covered": True, "refused": True, "still": True, "result": 1}
        QApplication.processEvents()
        qtbot.waitUntil(lambda: not any(isinstance(c, Cover) for c in window.findChildren(QLabel)))
    finally:
        idle.stop()
        settle(qtbot, window.tasks)
        window.tasks.close()


def test_the_administrator_gives_a_new_clerk_a_passphrase(qtbot: Any, paths: AppPaths) -> None:
    from ui.office.staff_dialog import StaffDialog, StaffEditDialog

    staff_id = _first_start(paths)
    key = login.unlock(paths, staff_id, PASSPHRASE)
    window = create_main_window(paths, LanguageManager(), Credentials(key, staff_id))
    qtbot.addWidget(window)
    try:
        dialog = StaffDialog(window.tasks, "admin", staff_id, window)
        qtbot.addWidget(dialog)
        assert dialog.add_button.isVisibleTo(dialog)
        editor = StaffEditDialog(window.tasks, None, dialog)
        qtbot.addWidget(editor)
        editor.name_zh.setText("卓玛")
        editor.role.setCurrentIndex(editor.role.findData("deputy"))
        editor.save()  # an administrator makes no leader
        assert editor.message.text() == i18n._(accounts.LEADERS_MAKE_LEADERS)
        editor.role.setCurrentIndex(editor.role.findData("clerk"))
        editor.passphrase.setText("卓玛的口令 1234")
        editor.again.setText("卓玛的口令 1234")
        editor.save()
        assert editor.result() == 1
        dialog.refresh()
        names = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
        assert "卓玛" in names
        clerk = next(a for a in login.accounts(paths) if a.name_zh == "卓玛")
        assert login.unlock(paths, clerk.staff_id, "卓玛的口令 1234") == key

        as_clerk = StaffDialog(window.tasks, "clerk", clerk.staff_id, window)
        qtbot.addWidget(as_clerk)
        assert not as_clerk.add_button.isVisibleTo(as_clerk)
    finally:
        settle(qtbot, window.tasks)
        window.tasks.close()
