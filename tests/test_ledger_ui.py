"""The key petitioners area on screen (issue 17, points 1 and 2): a person Doorstep knows entered
in the ledger through the dialog, a movement and a measure added, Doorstep's proposed level with
the rule that fired, an override refused without a reason and kept with one, lowering refused to
who is not the leader in charge, the administrator shown no data (and no reading recorded), and a
risk rule edited by a leader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QDialog
from sqlalchemy import func, select

from app.accounts import login
from app.core import access, i18n
from app.core.access import Permission
from app.core.store import Store
from app.ledger import entries, levels
from app.ledger.entries import EntryInput
from app.ledger.rules import NO_LEVEL, MovementKind
from models import AuditEntry, KeyPetitioner
from tests.helpers import every_role, petition, register, settle, tashi, tasks_for
from tests.qt_typing import show_active, type_text
from ui.ledger.enter_dialog import CHOOSE_PERSON
from ui.main import application


@dataclass
class Office:
    store: Store
    office_id: str
    by_role: dict[str, str]
    tashi: str  # 扎西才让, a petitioner not in the ledger
    petition_id: str  # 扎西才让's petition
    dolkar: str  # 卓嘎's ledger entry, its leader in charge the deputy 才让

    def as_(self, role: str) -> None:
        login.begin(self.store, self.by_role[role])


@pytest.fixture
def office(store: Store) -> Office:
    base, by_role = every_role(store)
    done = register(store, petition(persons=[tashi(
        name_zh="卓嘎", name_bo="སྒྲོལ་དཀར", id_number="", phone="", sex="F")]))
    from app.petitions.detail import petition_detail

    dolkar = petition_detail(store, done.id).parties[0].person_id
    entry = entries.enter(store, EntryInput(dolkar, base.office_id, "多次越级上访",
                                            date.today().isoformat(), leader_id=base.deputy))
    return Office(store, base.office_id, by_role, base.person_id, base.petition_id, entry)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QDialog]:
    """The dialogs the area opens, in order, instead of running them modally."""
    from ui.ledger.enter_dialog import EnterDialog
    from ui.ledger.entry_dialog import EntryDialog
    from ui.ledger.rule_dialog import RuleDialog

    application()
    dialogs: list[QDialog] = []
    for kind in (EnterDialog, EntryDialog, RuleDialog):
        monkeypatch.setattr(kind, "exec", lambda self: dialogs.append(self) or 0)
    return dialogs


def _view(qtbot, office: Office):  # type: ignore[no-untyped-def]
    from ui.ledger.ledger_view import LedgerView

    view = LedgerView(tasks_for(office.store), office.office_id)
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


def _entry(qtbot, office: Office):  # type: ignore[no-untyped-def]
    from ui.ledger.entry_dialog import EntryDialog

    dialog = EntryDialog(tasks_for(office.store), office.dolkar)
    show_active(qtbot, dialog)
    return dialog


def _texts(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[table.item(r, c).text() if table.item(r, c) else ""
             for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_a_person_doorstep_knows_is_entered_through_the_dialog(  # type: ignore[no-untyped-def]
        qtbot, office: Office, opened: list[QDialog]) -> None:
    from ui.ledger.enter_dialog import EnterDialog
    from ui.ledger.entry_dialog import EntryDialog

    office.as_("clerk")
    view = _view(qtbot, office)
    assert [row[0] for row in _texts(view.table)] == ["卓嘎"]
    view.enter_button.click()
    dialog = opened.pop()
    assert isinstance(dialog, EnterDialog)
    show_active(qtbot, dialog)
    # Nobody chosen yet: said beside the person, nothing saved.
    dialog.save_button.click()
    assert dialog.errors.text("person_id") == i18n._(CHOOSE_PERSON)
    type_text(qtbot, dialog.search, "扎西才让")
    qtbot.waitUntil(lambda: dialog.found.count() == 1, timeout=3000)
    dialog.found.setCurrentRow(0)
    assert dialog.person_id == office.tashi
    dialog.save_button.click()  # no reason given: refused beside the reason
    assert dialog.errors.text("reason")
    type_text(qtbot, dialog.reason, "扬言进京上访")
    dialog.save_button.click()
    entry = opened.pop()
    assert isinstance(entry, EntryDialog)
    assert entry.detail.person_id == office.tashi and entry.detail.reason == "扬言进京上访"
    assert entry.detail.responsible_staff_id == office.by_role["clerk"]
    assert sorted(row[0] for row in _texts(view.table)) == sorted(["卓嘎", "扎西才让"])
    # The person's petitions link to their window.
    assert f"petition:{office.petition_id}" in entry.records.toHtml()
    with qtbot.waitSignal(view.petition_opened) as opened_petition:
        entry.records.anchorClicked.emit(QUrl(f"petition:{office.petition_id}"))
    assert opened_petition.args == [office.petition_id]
    # A double click opens an entry.
    row = [r.entry_id for r in view.rows].index(office.dolkar)
    place = view.table.visualItemRect(view.table.item(row, 0)).center()
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=place)
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=place)
    again = opened.pop()
    assert isinstance(again, EntryDialog) and again.entry_id == office.dolkar


def test_a_movement_and_a_measure_are_added_and_the_rule_that_fired_is_shown(  # type: ignore[no-untyped-def]
        qtbot, office: Office) -> None:
    office.as_("procurator")
    dialog = _entry(qtbot, office)
    assert dialog.proposal is not None and dialog.proposal.level == ""
    assert dialog.proposed.text() == i18n._("No rule fired: Doorstep proposes no level.")
    assert not dialog.fired.isVisible()
    type_text(qtbot, dialog.situation, "近期情绪激动")  # typed, not yet saved
    dialog.movement_kind.set_code("threatened_extreme_act")
    type_text(qtbot, dialog.movement_text, "扬言到县政府门前自焚")
    dialog.movement_button.click()
    assert dialog.situation.toPlainText() == "近期情绪激动"  # kept while the movement was added
    assert [row[1:] for row in _texts(dialog.movements)] == [
        [MovementKind.THREATENED_EXTREME_ACT.label, "扬言到县政府门前自焚"]]
    assert dialog.proposal is not None and dialog.proposal.level == "red"
    assert dialog.proposal.codes == ["extreme_act"]
    assert dialog.level_buttons["red"].isChecked()
    assert "1" in dialog.fired.text() and "12" in dialog.fired.text()
    assert dialog.proposal.fired[0].description() in dialog.fired.text()
    assert dialog.proposed.text() == i18n._("Doorstep proposes: {level}").format(level="红色")
    # A measure without its description is refused beside the field; then added.
    dialog.measure_kind.set_code("education")
    dialog.measure_button.click()
    assert dialog.measure_errors.text("description")
    assert dialog.measures.rowCount() == 0
    type_text(qtbot, dialog.measure_text, "包案领导上门谈心")
    type_text(qtbot, dialog.measure_result, "情绪平稳")
    dialog.measure_button.click()
    rows = _texts(dialog.measures)
    assert len(rows) == 1 and rows[0][3:] == ["包案领导上门谈心", "情绪平稳"]
    assert rows[0][2] == "卓玛"  # who took it: the procurator logged in
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.message.text() == i18n._("Saved.")
    detail = entries.entry_detail(office.store, office.dolkar)
    assert detail.situation == "近期情绪激动" and detail.leader_id == dialog.leader.currentData()
    assert [m.kind for m in detail.measures] == ["education"]
    assert [m.kind for m in detail.movements] == ["threatened_extreme_act"]


def test_an_override_needs_a_reason_and_the_history_keeps_it(  # type: ignore[no-untyped-def]
        qtbot, office: Office) -> None:
    entries.add_movement(office.store, office.dolkar, date.today().isoformat(),
                         "threatened_extreme_act", "")
    office.as_("clerk")
    dialog = _entry(qtbot, office)
    assert dialog.proposal is not None and dialog.proposal.level == "red"
    dialog.level_buttons["yellow"].setChecked(True)
    dialog.level_button.click()
    assert dialog.level_errors.text("reason") == i18n._(levels.OVERRIDE_NEEDS_REASON)
    assert dialog.history.rowCount() == 0
    with office.store.read() as session:
        assert session.get(KeyPetitioner, office.dolkar).level == ""
    type_text(qtbot, dialog.level_reason, "已当面承诺不再过激")
    dialog.level_button.click()
    assert not dialog.level_errors.text("reason")
    rows = _texts(dialog.history)
    assert len(rows) == 1
    assert rows[0][1:] == ["员工clerk", i18n._(NO_LEVEL), "黄色", "红色", "已当面承诺不再过激"]
    assert dialog.level_chip.text() == "黄色"


def test_lowering_is_refused_to_who_is_not_the_leader_in_charge(  # type: ignore[no-untyped-def]
        qtbot, office: Office) -> None:
    entries.add_movement(office.store, office.dolkar, date.today().isoformat(),
                         "threatened_extreme_act", "")
    levels.set_level(office.store, office.dolkar, "red")
    office.as_("clerk")
    dialog = _entry(qtbot, office)
    dialog.level_buttons["green"].setChecked(True)
    type_text(qtbot, dialog.level_reason, "已签订息诉罢访协议")
    dialog.level_button.click()
    assert dialog.message.text() == i18n._(access.NOT_PERMITTED[Permission.LOWER_RISK_LEVEL])
    assert dialog.message.isVisible()
    assert dialog.history.rowCount() == 1
    assert entries.entry_detail(office.store, office.dolkar).level == "red"
    # The leader in charge may.
    office.as_("deputy")
    dialog = _entry(qtbot, office)
    dialog.level_buttons["green"].setChecked(True)
    type_text(qtbot, dialog.level_reason, "已签订息诉罢访协议")
    dialog.level_button.click()
    assert dialog.level_chip.text() == "绿色"
    assert _texts(dialog.history)[0][2:4] == ["红色", "绿色"]


def test_the_administrator_sees_no_data_and_no_reading_is_recorded(  # type: ignore[no-untyped-def]
        qtbot, office: Office) -> None:
    office.as_("admin")
    with office.store.read() as session:
        before = session.scalar(select(func.count()).select_from(AuditEntry))
    view = _view(qtbot, office)
    assert view.refusal.isVisible() and not view.tabs.isVisible()
    assert view.refusal.text() == i18n._(access.NOT_PERMITTED[Permission.SEE_KEY_PETITIONERS])
    assert view.table.rowCount() == 0
    view.reload()
    with office.store.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_a_leader_edits_a_rule_and_a_clerk_may_not(  # type: ignore[no-untyped-def]
        qtbot, office: Office, opened: list[QDialog]) -> None:
    from ui.ledger.rule_dialog import RuleDialog

    office.as_("clerk")
    view = _view(qtbot, office)
    view.tabs.setCurrentIndex(1)
    assert view.rules_table.rowCount() == 6
    view.rules_table.selectRow(3)
    assert not view.edit_rule_button.isEnabled() and not view.add_rule_button.isEnabled()
    view.close()

    office.as_("deputy")
    view = _view(qtbot, office)
    view.tabs.setCurrentIndex(1)
    codes = [r.code for r in view.rules]
    row = codes.index("repeat_petitions")
    assert _texts(view.rules_table)[row][5] == i18n._("Proposed by Doorstep")
    view.rules_table.selectRow(row)
    view.edit_rule_button.click()
    dialog = opened.pop()
    assert isinstance(dialog, RuleDialog)
    show_active(qtbot, dialog)
    dialog.min_count.setValue(0)
    dialog.save_button.click()  # at least once: refused beside the count
    assert dialog.errors.text("min_count")
    dialog.min_count.setValue(3)
    dialog.save_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    cells = _texts(view.rules_table)[row]
    assert cells[3] == "3" and cells[5] == ""


def test_the_ledger_shows_the_colour_and_who_needs_a_leader_in_charge(  # type: ignore[no-untyped-def]
        qtbot, office: Office) -> None:
    from ui.ledger.ledger_view import LEVEL_COLOURS, NEEDS_LEADER

    entries.add_movement(office.store, office.dolkar, date.today().isoformat(),
                         "organised_group_visit", "")
    levels.set_level(office.store, office.dolkar, "red")
    office.as_("clerk")
    view = _view(qtbot, office)
    level = view.table.item(0, 1)
    assert level.text() == "红色"
    assert level.background().color().name() == LEVEL_COLOURS["red"][0]
    assert view.table.item(0, 6).text() == "才让"
    # Without its leader in charge, a red entry says it needs one, and the count says so.
    entries.update(office.store, office.dolkar, entries.EntryUpdate("", ""))
    view.reload()
    assert view.table.item(0, 6).text() == i18n._(NEEDS_LEADER)
    unled = i18n.ngettext("{n} red or yellow without a leader in charge",
                          "{n} red or yellow without a leader in charge", 1).format(n="1")
    assert unled in view.count.text()
    # Those who left are listed only when asked for.
    entries.change_status(office.store, office.dolkar, "left", "已稳定一年")
    view.reload()
    assert view.table.rowCount() == 0
    view.include_left.setChecked(True)
    assert [row[2] for row in _texts(view.table)] == [i18n._("Left the ledger")]


def test_the_area_and_an_entry_follow_a_change_of_language(  # type: ignore[no-untyped-def]
        qtbot, office: Office) -> None:
    from ui.core.language import LanguageManager

    entries.add_movement(office.store, office.dolkar, date.today().isoformat(),
                         "organised_group_visit", "")
    levels.set_level(office.store, office.dolkar, "red")
    entries.add_measure(office.store, office.dolkar, entries.MeasureInput(
        "education", office.by_role["procurator"], date.today().isoformat(), "上门谈心"))
    office.as_("clerk")
    view = _view(qtbot, office)
    dialog = _entry(qtbot, office)
    assert view.table.horizontalHeaderItem(0).text() == "姓名"
    assert view.table.item(0, 6).text() == "才让"
    assert dialog.measures.item(0, 2).text() == "卓玛"
    LanguageManager(application()).set_mode(i18n.BO)
    qtbot.waitUntil(lambda: view.table.horizontalHeaderItem(0).text() == "མིང་།")
    qtbot.waitUntil(lambda: dialog.level_chip.text() == "དམར་པོ།")
    assert view.table.item(0, 1).text() == "དམར་པོ།"
    assert view.tabs.tabText(1) == i18n._("Risk rules")
    assert dialog.movements.item(0, 1).text() == i18n.bo_text(
        MovementKind.ORGANISED_GROUP_VISIT.message)
    assert dialog.movements.item(0, 1).text() != i18n.zh_text(
        MovementKind.ORGANISED_GROUP_VISIT.message)
    # The staff in Tibetan: the leader in charge in the list and the entry, who took the
    # measure.
    assert view.table.item(0, 6).text() == "ཚེ་རིང"
    assert dialog.leader.currentText() == "ཚེ་རིང"
    assert dialog.measures.item(0, 2).text() == "སྒྲོལ་མ"
    LanguageManager(application()).set_mode(i18n.BILINGUAL)
    qtbot.waitUntil(lambda: view.table.item(0, 1).text() == "དམར་པོ།\n红色")
    assert view.table.item(0, 6).text() == "ཚེ་རིང\n才让"


def test_the_ledger_is_exported_from_its_list(  # type: ignore[no-untyped-def]
        qtbot, office: Office, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QMessageBox

    from ui.ledger import ledger_papers

    out = tmp_path / "ledger.xlsx"
    monkeypatch.setattr(ledger_papers, "ask_xlsx", lambda *_args: out)
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information",
                        lambda _parent, _title, text, *a, **k: said.append(text))
    office.as_("clerk")
    view = _view(qtbot, office)
    view.paper_language.setCurrentIndex(view.paper_language.findData(i18n.BO))
    view.export_button.click()
    settle(qtbot, tasks_for(office.store))
    qtbot.waitUntil(lambda: bool(said))
    cells = [str(c.value) for row in load_workbook(out).active.iter_rows() for c in row
             if c.value]
    assert any("སྒྲོལ་དཀར" in c for c in cells)


def test_the_chief_takes_charge_of_the_matter_from_the_entry(  # type: ignore[no-untyped-def]
        qtbot, office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    from app.ledger import charges
    from ui.ledger.charge_dialog import ChargeDialog

    application()
    opened: list[ChargeDialog] = []
    monkeypatch.setattr(ChargeDialog, "exec", lambda self: opened.append(self) or 0)
    office.as_("chief")
    dialog = _entry(qtbot, office)
    assert dialog.charge_button.text() == i18n._("Leader in charge (包案)…")
    assert dialog.leader.currentData() == office.by_role["deputy"]
    type_text(qtbot, dialog.situation, "情绪平稳")  # typed, not yet saved
    dialog.charge_button.click()
    new = opened.pop()
    qtbot.addWidget(new)
    assert new.charge_id is None
    assert new.leader.currentData() == office.by_role["chief"]  # who is logged in, on offer
    assert "卓嘎" in new.target_label.text()
    type_text(qtbot, new.plan, "院领导包案，每月走访一次")
    new.close_buttons.button(QDialogButtonBox.StandardButton.Save).click()
    charge_id = charges.open_charge_of(office.store, entry_id=office.dolkar)
    assert charge_id is not None and new.charge_id == charge_id
    # The entry's leader in charge is now the chief, in the dialog as in the store; what was
    # typed is kept.
    assert entries.entry_detail(office.store, office.dolkar).leader_id == office.by_role["chief"]
    assert dialog.leader.currentData() == office.by_role["chief"]
    assert dialog.leader.currentText() == "更桑"
    assert dialog.situation.toPlainText() == "情绪平稳"
    # The button now opens the charge itself.
    dialog.charge_button.click()
    kept = opened.pop()
    qtbot.addWidget(kept)
    assert kept.charge_id == charge_id
    assert "院领导包案，每月走访一次" in kept.browser.toPlainText()


def test_a_laptop_shows_its_own_office_ledger_with_no_office_to_choose(  # type: ignore[no-untyped-def]
        qtbot, office: Office) -> None:
    from app.core.settings import load_settings
    from ui.core.language import LanguageManager
    from ui.main_window import MainWindow

    application()
    office.as_("clerk")
    settings = load_settings(office.store.paths)
    settings.current_staff_id = office.by_role["clerk"]
    win = MainWindow(tasks_for(office.store), office.store.paths, settings, LanguageManager())
    qtbot.addWidget(win)
    win.show()
    settle(qtbot, win.tasks)
    win.show_area("ledger")
    view = win.ledger
    qtbot.waitUntil(view.isVisible)
    assert view.office_choice.isHidden() and view.office_label.isHidden()
    assert view.kept and view.kept_elsewhere.isHidden() and not view.enter_button.isHidden()
    assert [r.entry_id for r in view.rows] == [office.dolkar]
    assert all(view.tabs.isTabEnabled(i) for i in range(view.tabs.count()))
