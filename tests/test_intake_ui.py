"""The clerk's day, driven through the real widgets: type a petition, register it, find it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDateTime, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QWidget

import demo.generate as demo
from app.core import i18n
from app.core.paths import AppPaths
from app.core.settings import load_settings, save_settings
from app.core.store import open_store
from app.petitions import drafts
from app.petitions.detail import petition_detail
from tests.helpers import settle
from tests.qt_typing import type_text
from ui.core.language import LanguageManager
from ui.main import application, create_main_window
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, paths: AppPaths) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    store = open_store(paths)
    demo.fill(store, persons=40)
    store.close()
    application()
    win = create_main_window(paths, LanguageManager())
    qtbot.addWidget(win)
    win.show()
    yield win
    win.tasks.close()


def _type_petition(qtbot, win: MainWindow) -> None:  # type: ignore[no-untyped-def]
    form = win.intake
    win.show_area("intake")
    form.channel.set_code("visit")
    form.received.setDateTime(QDateTime.currentDateTime().addDays(-5))
    person = form.editors()[0]
    type_text(qtbot, person.edits["name_bo"], "ཚེ་དབང་རྡོ་རྗེ")
    type_text(qtbot, person.edits["name_zh"], "才旺多杰")
    person.sex.set_code("M")
    person.ethnicity.set_code("04")
    qtbot.keyClicks(person.edits["id_number"], "63262419780715003X")
    qtbot.keyClicks(person.edits["phone"], "13897561234")
    type_text(qtbot, person.edits["township"], "窝赛乡")
    person.language.set_code("bo")
    person.interpreter.setChecked(True)
    form.category.set_code("appeal")
    form.business_type.set_code("support_lawsuit")
    type_text(qtbot, form.summary, "在玛沁县建筑工地务工被拖欠工资1.8万元")
    type_text(qtbot, form.requests, "请求支持起诉")


def test_register_find_in_registry_and_see_in_today(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _type_petition(qtbot, window)
    # A wrong check digit is refused inline, and nothing is saved.
    person = window.intake.editors()[0]
    person.edits["id_number"].setText("632624197807150036")
    before = len(window.registry.model.ids())
    qtbot.keyClick(window.intake, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "校验码" in person.errors.text("id_number")
    window.registry.reload()
    settle(qtbot, window.tasks)  # read again on the worker
    assert len(window.registry.model.ids()) == before
    person.edits["id_number"].setText("63262419780715003X")
    with qtbot.waitSignal(window.intake.registered) as saved:
        window.intake.save_button.click()
    petition_id = saved.args[0]
    assert "已登记 达检信〔" in window.intake.message.text()
    # The form is empty again and its draft is gone.
    assert window.intake.editors()[0].edits["name_zh"].text() == ""
    assert drafts.load_intake_draft(window.paths) is None

    window.show_area("registry")
    type_text(qtbot, window.registry.search, "ཚེ་དབང་རྡོ")
    qtbot.waitUntil(lambda: window.registry.model.ids() == [petition_id], timeout=3000)
    window.registry.search.clear()
    type_text(qtbot, window.registry.search, "63262419780715003X")
    qtbot.waitUntil(lambda: window.registry.model.ids() == [petition_id], timeout=3000)

    window.show_area("today")
    settle(qtbot, window.tasks)
    ids = [item.petition_id for item in window.today.listing.items]
    assert petition_id in ids
    row = ids.index(petition_id)
    assert window.today.table.item(row, 0).text() == "2 天后到期"
    assert "今日待办 (" in window.nav.item(0).text()


def test_typing_a_known_person_offers_them_and_links_a_repeat(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    known = window.registry.model.row(0)
    assert known is not None
    first_name = known.names_zh.split("、")[0]
    _type_petition(qtbot, window)
    person = window.intake.editors()[0]
    for name in ("name_bo", "name_zh", "id_number", "phone"):
        person.edits[name].clear()
    type_text(qtbot, person.edits["name_zh"], first_name)
    qtbot.waitUntil(lambda: person.match_list.count() > 0, timeout=3000)
    assert "姓名相同" in person.match_list.item(0).text()
    assert "达检信〔" in person.match_list.item(0).text()  # their earlier petitions
    person.use_button.click()
    linked = person.existing_id
    assert linked is not None
    assert "重复信访" in person.linked.text()
    with qtbot.waitSignal(window.intake.registered) as saved:
        window.intake.save_button.click()
    detail = window.tasks.query(petition_detail, saved.args[0])
    assert detail.row.is_repeat
    assert detail.parties[0].person_id == linked


def test_half_typed_petition_survives_and_is_offered_back(qtbot, paths: AppPaths,
                                                          monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = open_store(paths)
    demo.fill(store, persons=10)
    store.close()
    application()
    first = create_main_window(paths, LanguageManager())
    qtbot.addWidget(first)
    _type_petition(qtbot, first)
    qtbot.waitUntil(lambda: drafts.load_intake_draft(paths) is not None, timeout=3000)
    first.tasks.close()
    first.deleteLater()  # the laptop loses power: no save, no clean close

    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    second = create_main_window(paths, LanguageManager())
    qtbot.addWidget(second)
    second.offer_draft()
    person = second.intake.editors()[0]
    assert person.edits["name_bo"].text() == "ཚེ་དབང་རྡོ་རྗེ"
    assert person.edits["id_number"].text() == "63262419780715003X"
    assert second.intake.summary.toPlainText().startswith("在玛沁县")
    assert second.stack.currentWidget() is second.intake
    second.tasks.close()


def test_intake_form_follows_the_language(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(window.paths)
    save_settings(window.paths, settings)
    window.language.set_mode(i18n.BO)
    qtbot.waitUntil(lambda: window.intake.headings[0].text() == "འབྱོར་ལམ།")
    assert window.intake.save_button.text() == "ཐོ་འགོད། (Ctrl+S)"
    assert window.intake.category.itemText(1) == "གྲོས་འགོ་དང་བསམ་འཆར་གྱི་རིགས།"


def test_an_untouched_form_is_not_offered_as_a_draft(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.show_area("intake")
    window.intake.category.set_code("appeal")  # a choice alone is not typed work
    window.intake.save_draft()
    assert drafts.load_intake_draft(window.paths) is None


def _wheel(widget: QWidget, steps: int = -1) -> None:
    """One notch of the mouse wheel over the middle of ``widget``, as Qt delivers it."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(centre, widget.mapToGlobal(centre), QPoint(), QPoint(0, 120 * steps),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_changes_no_drop_down_the_clerk_has_not_clicked_into(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow) -> None:
    """Scrolling the form over 身份, 信访类别 or 常用语言 leaves them as they are; a drop-down
    the clerk clicked into still takes the wheel."""
    form = window.intake
    window.show_area("intake")
    person = form.editors()[0]
    form.category.set_code("appeal")
    person.language.set_code("bo")
    form.summary.setFocus()
    for combo in (form.category, person.language, person.role, form.received):
        before = combo.currentText() if isinstance(combo, QComboBox) else combo.text()
        assert not combo.hasFocus()
        _wheel(combo)
        after = combo.currentText() if isinstance(combo, QComboBox) else combo.text()
        assert after == before, combo
    window.activateWindow()
    form.category.setCurrentIndex(1)
    form.category.setFocus()
    qtbot.waitUntil(form.category.hasFocus, timeout=2000)
    _wheel(form.category)  # down a notch: the next item
    assert form.category.currentIndex() == 2


def test_the_received_time_is_the_time_of_saving_unless_the_clerk_changed_it(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow) -> None:
    form = window.intake
    window.show_area("intake")
    assert form.value().received_at == ""  # shown as now, saved as the moment of saving
    earlier = QDateTime.currentDateTime().addSecs(-3600)
    form.received.setDateTime(earlier)  # the clerk sets it
    assert form.value().received_at == earlier.toString("yyyy-MM-ddTHH:mm")
    form.clear()
    assert form.value().received_at == ""


def test_the_calendar_names_months_in_the_language(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    calendar = window.intake.received.calendarWidget()
    assert calendar.locale().monthName(11) == "十一月"
    window.language.set_mode(i18n.BO)
    assert calendar.locale().monthName(11) == "ཟླ་བ་བཅུ་གཅིག་པ"
    window.language.set_mode(i18n.BILINGUAL)
    assert calendar.locale().monthName(11) == "十一月"


def test_a_failed_save_focuses_the_first_bad_field_and_fixing_it_clears_its_message(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow) -> None:
    _type_petition(qtbot, window)
    form = window.intake
    window.activateWindow()
    form.channel.set_code("higher")  # handed down: the office that did so is required
    form.summary.clear()
    person = form.editors()[0]
    person.edits["name_zh"].clear()
    person.edits["name_bo"].clear()
    form.save_button.click()
    assert form.errors.text("higher_office") and form.errors.text("summary")
    assert person.errors.text("name_zh") or person.errors.text("name_bo")
    # The first bad field down the form has the focus: the office above the persons.
    qtbot.waitUntil(form.higher_office.hasFocus, timeout=2000)
    type_text(qtbot, form.higher_office, "果洛州人民检察院")
    assert form.errors.text("higher_office") == ""
    assert form.errors.text("summary")  # still wrong: still said
    form.channel.set_code("visit")
    form.save_button.click()
    # Now the first is the person's name, above the summary.
    qtbot.waitUntil(lambda: person.edits["name_bo"].hasFocus()
                    or person.edits["name_zh"].hasFocus(), timeout=2000)


def test_tab_goes_round_the_intake_form_in_order_and_never_leaves_it(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow) -> None:
    """From 渠道 through the person's fields (需要翻译 included) to 保存 and round again; the
    list of areas is never reached, so Down never switches area."""
    form = window.intake
    window.show_area("intake")
    window.activateWindow()
    chain = form.tab_chain()
    person = form.editors()[0]
    assert chain[0] is form.channel and chain[-1] is form.save_button
    assert chain.index(person.interpreter) < chain.index(form.category)
    form.channel.setFocus()
    qtbot.waitUntil(form.channel.hasFocus, timeout=2000)
    visited = []
    for _step in range(len(chain) + 1):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        assert focused is not None and form.isAncestorOf(focused), focused
        visited.append(focused)
    assert visited == [*chain[1:], chain[0], chain[1]]
    # Shift+Tab goes back the same way.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is chain[0]


def test_the_message_after_registering_follows_a_language_switch(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow) -> None:
    _type_petition(qtbot, window)
    window.intake.save_button.click()
    message = window.intake.message
    assert message.text().startswith("已登记")
    window.language.set_mode(i18n.BO)
    qtbot.waitUntil(lambda: "已登记" not in message.text(), timeout=2000)
    assert "ཐོ་འགོད" in message.text() or "ཐོ་བཀོད" in message.text(), message.text()


def test_the_receipt_of_the_petition_just_registered_is_drawn_on_the_worker(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow, monkeypatch) -> None:
    from ui.widgets.paper_preview import PaperPreview

    shown: list[PaperPreview] = []
    monkeypatch.setattr(PaperPreview, "exec", lambda self: shown.append(self) or 0)
    _type_petition(qtbot, window)
    with qtbot.waitSignal(window.intake.registered):
        window.intake.save_button.click()
    assert not window.intake.print_receipt.isHidden()
    window.intake.print_receipt.click()
    assert shown == []  # drawn on the worker: the window goes on meanwhile
    settle(qtbot, window.tasks)
    assert len(shown) == 1 and shown[0].pdf.startswith(b"%PDF") and shown[0].page_labels
