"""The main window in each display mode, language switching, and the laptop set-up dialog."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLabel

import demo.generate as demo
from app.core import i18n
from app.core.identity import ensure_device
from app.core.paths import AppPaths
from app.core.settings import load_settings, save_settings
from app.core.store import open_store
from ui.core.language import LanguageManager
from ui.main import application, create_main_window
from ui.main_window import AREAS, MainWindow
from ui.office.device_dialog import DeviceDialog

TIBETAN = re.compile("[\u0f00-\u0fff]")
PEOPLE, OFFICES = ([key for key, _title in AREAS].index(k) for k in ("people", "offices"))
CHINESE = re.compile("[\u4e00-\u9fff]")


@pytest.fixture
def demo_paths(paths: AppPaths) -> AppPaths:
    store = open_store(paths)
    demo.fill(store, persons=30)
    store.close()
    return paths


@pytest.fixture
def window_for(qtbot):  # type: ignore[no-untyped-def]
    application()
    windows: list[MainWindow] = []

    def make(paths: AppPaths, mode: str | None = None) -> MainWindow:
        if mode is not None:
            settings = load_settings(paths)
            settings.language_mode = mode
            save_settings(paths, settings)
        window = create_main_window(paths, LanguageManager())
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        window.tasks.close()


def _visible_texts(window: MainWindow) -> list[str]:
    texts = [window.windowTitle(), window.file_menu.title(), window.view_menu.title(),
             window.office_status.text(), window.user_status.text(), window.people.title.text()]
    texts += [window.nav.item(i).text() for i in range(window.nav.count())]
    model = window.people.model
    texts += [model.headerData(c, __import__("PySide6.QtCore").QtCore.Qt.Orientation.Horizontal)
              for c in range(model.columnCount())]
    return texts


@pytest.mark.parametrize(("mode", "people", "has_bo", "has_zh"), [
    (i18n.ZH, "人员", False, True),
    (i18n.BO, "མི་སྣ།", True, False),
    (i18n.BILINGUAL, "མི་སྣ། / 人员", True, True),
])
def test_main_window_labels_carry_the_catalog_text(window_for, demo_paths: AppPaths, mode: str,
                                                   people: str, has_bo: bool,
                                                   has_zh: bool) -> None:  # type: ignore[no-untyped-def]
    window = window_for(demo_paths, mode)
    assert window.nav.item(PEOPLE).text() == people
    chrome = " ".join([window.file_menu.title(), window.view_menu.title(),
                       window.nav.item(OFFICES).text(), window.people.title.text()])
    assert bool(TIBETAN.search(chrome)) == has_bo
    assert bool(CHINESE.search(chrome)) == has_zh
    assert window.language_actions[mode].isChecked()
    # The status bar names the office, the laptop and its user.
    assert "达日" in window.office_status.text() or "དར་ལག" in window.office_status.text()
    assert "12309" in window.device_status.text()
    user = window.user_status.text()
    assert ("（书记员）" in user) == has_zh
    assert ("(ཡི་གེ་པ།)" in user) == has_bo
    # One line in every mode (a second would take the form's room); what each value is shows
    # when the pointer rests on it.
    for status in (window.office_status, window.user_status, window.date_status):
        assert "\n" not in status.text()
    assert ("所属检察院：" in window.office_status.toolTip()) == has_zh
    # Today's date, formatted by Babel for the display language.
    assert bool(re.search("ཟླ་", window.date_status.text())) == has_bo
    assert ("年" in window.date_status.text()) == has_zh


def test_switching_language_retranslates_everything_and_is_remembered(
        window_for, demo_paths: AppPaths, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = window_for(demo_paths, i18n.ZH)
    before = _visible_texts(window)
    assert not any(TIBETAN.search(t) for t in before[:3])
    with qtbot.waitSignal(window.language.language_changed):
        window.language_actions[i18n.BO].trigger()
    qtbot.waitUntil(lambda: window.nav.item(PEOPLE).text() == "མི་སྣ།")
    after = _visible_texts(window)
    assert window.file_menu.title() == "ཡིག་ཆ། (&F)"
    assert window.people.model.headerData(0, __import__("PySide6.QtCore").QtCore.Qt
                                          .Orientation.Horizontal) == "མིང་། (བོད་ཡིག)"
    assert all(TIBETAN.search(t) for t in after[1:3])
    assert load_settings(demo_paths).language_mode == i18n.BO
    window.language_actions[i18n.BILINGUAL].trigger()
    qtbot.waitUntil(lambda: window.nav.item(PEOPLE).text() == "མི་སྣ། / 人员")


def test_people_area_shows_names_in_both_scripts_lazily(window_for, demo_paths: AppPaths) -> None:  # type: ignore[no-untyped-def]
    window = window_for(demo_paths, i18n.ZH)
    model = window.people.model
    assert model.rowCount() == 30
    assert "30" in window.people.title.text()
    names = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert any(TIBETAN.search(n or "") for n in names)
    model.sort(1)
    zh = [model.data(model.index(r, 1)) for r in range(model.rowCount())]
    assert zh == sorted(zh)


def test_geometry_is_remembered(window_for, demo_paths: AppPaths) -> None:  # type: ignore[no-untyped-def]
    window = window_for(demo_paths)
    window.resize(window.minimumSizeHint().width() + 3, window.minimumSizeHint().height() + 7)
    size = (window.width(), window.height())
    window.close()
    assert load_settings(demo_paths).window_geometry
    again = window_for(demo_paths)
    assert (again.width(), again.height()) == size


def test_first_run_dialog_names_the_laptop_and_its_office(window_for, paths: AppPaths,
                                                          qtbot) -> None:  # type: ignore[no-untyped-def]
    window = window_for(paths, i18n.ZH)
    assert window.device.office_id is None
    assert "未设置" in window.office_status.text()
    dialog = DeviceDialog(window.tasks, window.device, first_run=True)
    qtbot.addWidget(dialog)
    dialog.name.setText("   ")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.name_error.text() == "请为本机命名。"
    assert not dialog.name_error.isHidden()
    dialog.name.setText("达日下乡笔记本")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.office_error.text() == "请选择本机所属的检察院。"
    assert dialog.result_device is None
    dialog.office.setCurrentIndex(dialog.office.findData("632624"))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.result_device is not None
    assert dialog.result_device.office_name_zh == "达日县人民检察院"
    assert dialog.result_device.name == "达日下乡笔记本"


def test_refused_store_opens_no_window(paths: AppPaths) -> None:
    from app.core.errors import NotAStoreError

    application()
    paths.data_dir.mkdir(parents=True)
    paths.store.write_bytes(b"garbage" * 100)
    with pytest.raises(NotAStoreError):
        create_main_window(paths, LanguageManager())
    assert paths.store.read_bytes() == b"garbage" * 100


def test_shipped_fonts_are_loaded(window_for, demo_paths: AppPaths) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QFontDatabase

    window_for(demo_paths)
    families = QFontDatabase.families()
    assert "Noto Serif Tibetan" in families
    assert "AR PL UMing CN" in families


@pytest.fixture(autouse=True)
def _no_modal_dialogs(monkeypatch) -> Iterator[None]:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    yield
    _ = QLabel, ensure_device


def test_offices_area_lists_offices_and_their_staff(window_for, demo_paths: AppPaths) -> None:  # type: ignore[no-untyped-def]
    window = window_for(demo_paths, i18n.ZH)
    window.show_area("offices")
    view = window.offices
    assert window.stack.currentWidget() is view
    assert view.offices.count() == 7
    assert view.offices.item(0).text() == "果洛藏族自治州人民检察院"
    assert "工作人员：9" in view.offices.item(0).toolTip()
    view.offices.setCurrentRow(4)  # 达日 (division code order)
    assert "达日县人民检察院" in view.staff_label.text()
    assert view.staff.rowCount() == 9
    assert view.staff.item(0, 1).text() == "检察长"


def test_keys_move_between_areas_find_and_list_themselves(  # type: ignore[no-untyped-def]
        window_for, demo_paths: AppPaths, qtbot, monkeypatch) -> None:
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QMessageBox

    from tests.qt_typing import show_active

    window = window_for(demo_paths, i18n.ZH)
    show_active(qtbot, window)
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(window, Qt.Key.Key_3, ctrl)
    assert window.stack.currentWidget() is window.registry
    qtbot.keyClick(window, Qt.Key.Key_2, ctrl)
    assert window.stack.currentWidget() is window.intake
    qtbot.waitUntil(window.intake.channel.hasFocus, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_F, ctrl)
    assert window.stack.currentWidget() is window.registry
    qtbot.waitUntil(window.registry.search.hasFocus, timeout=2000)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information",
                        lambda _parent, _title, text, *a, **k: shown.append(text))
    qtbot.keyClick(window, Qt.Key.Key_F1)
    assert len(shown) == 1
    assert "Ctrl+3\t信访台账" in shown[0] and "Ctrl+F\t" in shown[0]
    # The menu names the key beside the entry: Qt's key names, which we do not translate, pass
    # through the translator untouched (it gave "" for them, and Qt showed nothing).
    assert window.keys_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText) == "F1"
    for mode in (i18n.BO, i18n.BILINGUAL):
        window.language.set_mode(mode)
        assert QKeySequence("Ctrl+S").toString(QKeySequence.SequenceFormat.NativeText) == \
            "Ctrl+S"
        assert QCoreApplication.translate("QShortcut", "Print Screen") == "Print Screen"


def test_the_ledgers_area_and_bringing_in_a_register(  # type: ignore[no-untyped-def]
        window_for, demo_paths: AppPaths, monkeypatch) -> None:
    """The Ledgers area: the key petitioners, the monthly screening, the leaders in charge,
    the reception days, and the office's risk rules last; File ▸ Bring in a register kept in
    Excel opens the import wizard for this laptop's office."""
    import ui.imports.import_wizard as wizard

    window = window_for(demo_paths, i18n.ZH)
    assert window.import_action.isEnabled()  # the store is open
    window.show_area("ledger")
    tabs = window.ledger.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "重点人员台账", "动态排查", "领导包案", "院领导接访安排", "风险等级规则"]
    opened: list[str] = []
    monkeypatch.setattr(wizard, "open_import_wizard",
                        lambda _parent, _tasks, office_id: opened.append(office_id))
    assert window.import_action in window.file_menu.actions()
    assert window.import_action.text() == "导入Excel台账…"
    window.import_action.trigger()
    assert opened == [window.device.office_id]
