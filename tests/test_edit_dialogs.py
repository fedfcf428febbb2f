"""Correcting, handing over and voiding a registration from a petition's window (issue 14,
point 5)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox

from app.core import i18n
from app.core.store import Store
from app.petitions.detail import petition_detail
from tests.helpers import add_leaders, office_with_staff, petition, register, tasks_for
from ui.main import application
from ui.petitions import edit_dialogs
from ui.petitions.edit_dialogs import (
    MAX_HEIGHT,
    PersonEditDialog,
    PetitionEditDialog,
    TransferDialog,
    VoidDialog,
)
from ui.petitions.petition_dialog import PetitionDialog


def _save(dialog: QDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()  # type: ignore[attr-defined]


@pytest.fixture
def registered(store: Store) -> tuple[str, str]:
    """A petition received four days ago, and the chief's staff id."""
    application()
    _office, chief = office_with_staff(store)
    received = (datetime.now() - timedelta(days=4)).isoformat(timespec="minutes")
    return register(store, petition(received)).id, chief


def test_the_petition_is_corrected_from_its_window(  # type: ignore[no-untyped-def]
        qtbot, store: Store, registered: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    petition_id, chief = registered
    window = PetitionDialog(tasks_for(store), store.paths, petition_id, chief)
    qtbot.addWidget(window)
    actions = [a.text() for a in window.registration_menu.actions() if a.text()]
    assert actions == ["更正信访件…", "更正扎西才让的信息…", "移交其他检察官…", "领导包案…",
                       "作废登记…", "操作记录…", "操作记录：扎西才让…"]
    opened: list[PetitionEditDialog] = []

    def exec_(dialog: PetitionEditDialog) -> int:
        opened.append(dialog)
        qtbot.addWidget(dialog)
        assert dialog.summary.toPlainText() == "草场承包纠纷，工程款被拖欠"
        assert dialog.height() <= MAX_HEIGHT
        dialog.summary.setPlainText("")
        _save(dialog)
        assert dialog.errors.text("summary")  # beside the field
        assert dialog.result() != QDialog.DialogCode.Accepted
        dialog.summary.setPlainText("草场承包纠纷（更正）")
        assert dialog.errors.text("summary") == ""  # the message goes once the field changes
        _save(dialog)
        return int(dialog.result())
    monkeypatch.setattr(PetitionEditDialog, "exec", exec_)
    window.registration_menu.actions()[0].trigger()
    assert opened and opened[0].result() == QDialog.DialogCode.Accepted
    text = window.browser.toPlainText()
    assert "草场承包纠纷（更正）" in text
    assert "summary" not in text  # the history names the field in words


def test_an_edit_changing_nothing_says_so_and_stays_open(  # type: ignore[no-untyped-def]
        qtbot, store: Store, registered: tuple[str, str]) -> None:
    petition_id, chief = registered
    dialog = PetitionEditDialog(tasks_for(store), petition_id, chief)
    qtbot.addWidget(dialog)
    _save(dialog)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.message.text() and not dialog.message.isHidden()


def test_a_bad_id_number_shows_beside_the_field(  # type: ignore[no-untyped-def]
        qtbot, store: Store, registered: tuple[str, str]) -> None:
    petition_id, chief = registered
    person_id = petition_detail(store, petition_id).parties[0].person_id
    dialog = PersonEditDialog(tasks_for(store), petition_id, person_id, chief)
    qtbot.addWidget(dialog)
    assert dialog.edits["name_zh"].text() == "扎西才让" and dialog.interpreter.isChecked()
    dialog.edits["id_number"].setText("632624198503120013")
    _save(dialog)
    assert dialog.errors.text("person.id_number")
    assert dialog.result() != QDialog.DialogCode.Accepted
    dialog.edits["id_number"].setText("632624198503120012")
    dialog.edits["phone"].setText("13900000000")
    _save(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert petition_detail(store, petition_id).parties[0].phone == "13900000000"


def test_a_void_needs_a_reason_and_a_yes(  # type: ignore[no-untyped-def]
        qtbot, store: Store, registered: tuple[str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    petition_id, chief = registered
    number = petition_detail(store, petition_id).row.reg_no
    dialog = VoidDialog(tasks_for(store), petition_id, number, chief)
    qtbot.addWidget(dialog)
    asked: list[str] = []

    def question(_parent, _title, text, *_args):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.No
    monkeypatch.setattr(QMessageBox, "question", question)
    _save(dialog)
    assert dialog.errors.text("reason") == "请填写理由。" and asked == []
    dialog.reason.setPlainText("重复登记")
    _save(dialog)  # answered No: nothing voided
    assert asked and number in asked[0]
    assert not petition_detail(store, petition_id).voided
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_args: QMessageBox.StandardButton.Yes)
    _save(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: pytest.fail(str(args)))
    window = PetitionDialog(tasks_for(store), store.paths, petition_id, chief)
    qtbot.addWidget(window)
    text = window.browser.toPlainText()
    assert "重复登记" in text and number in text
    # Nothing more to record or print on it.
    assert not window.reply_button.isEnabled() and not window.registration_button.isEnabled()
    assert all(button.isHidden() for button in window.paper_buttons.values())


def test_a_transfer_offers_the_others_and_is_logged(  # type: ignore[no-untyped-def]
        qtbot, store: Store) -> None:
    application()
    office_id, chief = office_with_staff(store)
    deputy, procurator = add_leaders(store, office_id)
    received = (datetime.now() - timedelta(days=4)).isoformat(timespec="minutes")
    petition_id = register(store, petition(received, handling_procurator_id=deputy)).id
    dialog = TransferDialog(tasks_for(store), petition_id, chief)
    qtbot.addWidget(dialog)
    offered = {dialog.procurator.itemData(i) for i in range(dialog.procurator.count())}
    assert offered == {"", chief, procurator}  # not the deputy who has it
    _save(dialog)
    assert dialog.errors.text("procurator_id")
    dialog.procurator.setCurrentIndex(dialog.procurator.findData(procurator))
    dialog.reason.setPlainText("才让出差")
    _save(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    detail = petition_detail(store, petition_id)
    assert detail.procurator_zh == "卓玛" and detail.history[-1].action == "transferred"


@pytest.mark.parametrize("mode", [i18n.ZH, i18n.BO, i18n.BILINGUAL])
def test_every_dialog_fits_a_small_laptop_screen(  # type: ignore[no-untyped-def]
        qtbot, store: Store, registered: tuple[str, str], mode: str) -> None:
    petition_id, chief = registered
    i18n.set_mode(mode)
    person_id = petition_detail(store, petition_id).parties[0].person_id
    tasks = tasks_for(store)
    for dialog in (PetitionEditDialog(tasks, petition_id, chief),
                   PersonEditDialog(tasks, petition_id, person_id, chief),
                   TransferDialog(tasks, petition_id, chief),
                   VoidDialog(tasks, petition_id, "达检信〔2026〕1号", chief)):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.height() <= edit_dialogs.MAX_HEIGHT and dialog.width() <= 1366, dialog
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        bottom = save.mapTo(dialog, save.rect().bottomLeft()).y()
        assert bottom <= dialog.height(), dialog
        dialog.close()
