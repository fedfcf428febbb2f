"""A procurator records a doorstep hearing on the laptop keyboard, loses nothing when the lid
closes, and prints and signs the settle-and-withdraw agreement."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from app.core.store import Store
from app.hearings import agreements, drafts
from app.hearings import record as hearings
from app.hearings.record import OfficerInput
from tests.helpers import office_with_staff, pdf_text, petition, register, tasks_for
from tests.qt_typing import show_active, type_text
from ui.main import application


@pytest.fixture
def case(store: Store) -> tuple[Store, str, str]:
    office_id, host_id = office_with_staff(store, role="procurator")
    hearings.save_officer(store, OfficerInput(office_id, "索南", "བསོད་ནམས", "deputy"))
    received = (datetime.now() - timedelta(days=10)).replace(second=0, microsecond=0)
    done = register(store, petition(received.isoformat(timespec="minutes"),
                                    handling_procurator_id=host_id))
    return store, done.id, host_id




def test_doorstep_hearing_typed_then_agreement_printed_and_signed(
        qtbot, case: tuple[Store, str, str], tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ui.hearings.agreement_dialog import AgreementDialog, SignedDialog
    from ui.hearings.hearing_dialog import HearingDialog
    from ui.petitions.petition_dialog import PetitionDialog
    from ui.widgets.paper_preview import PaperPreview

    store, petition_id, host_id = case
    application()
    window = PetitionDialog(tasks_for(store), store.paths, petition_id, host_id)
    qtbot.addWidget(window)
    opened: list[QDialog] = []
    monkeypatch.setattr(HearingDialog, "exec", lambda self: opened.append(self) or 0)
    window.hearing_button.click()
    dialog = opened.pop()
    assert isinstance(dialog, HearingDialog)
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)

    # Where, when and who: the host is the petition's procurator, the place the petitioner's
    # home, the petitioner is ticked.
    assert (dialog.township.text(), dialog.village.text(), dialog.herding_group.text()) == (
        "吉迈镇", "查干村", "二社")
    dialog.kind.set_code("doorstep")
    dialog.held_at.setDateTime(QDateTime.currentDateTime().addSecs(-3600))
    dialog.township.clear()
    type_text(qtbot, dialog.township, "窝赛乡")
    type_text(qtbot, dialog.place, "信访人家中帐篷")
    assert dialog.host.currentData() == host_id
    assert dialog.parties.ticked() == [p.id for p in dialog.context.parties]
    dialog.officers.item(0).setCheckState(Qt.CheckState.Checked)
    type_text(qtbot, dialog.interpreter, "尼玛（藏汉翻译）")

    # What was said: Ctrl+2, pick the speaker with Ctrl+Down, type, Ctrl+Enter.
    qtbot.keyClick(dialog, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert dialog.tabs.currentIndex() == 1 and dialog.statement.hasFocus()
    type_text(qtbot, dialog.statement, "宣布听证开始。")
    qtbot.keyClick(dialog.statement, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    for _step in range(2):  # host, officer, then the party
        qtbot.keyClick(dialog.statement, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert dialog.speaker.currentData()[0] == "party"
    type_text(qtbot, dialog.statement, "ཞིབ་ཚགས་ཁང་གི་ཐག་གཅོད་ལ་ངས་ཁས་ལེན་བྱེད།")
    qtbot.keyClick(dialog.statement, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.statement_list.count() == 2 and not dialog.statement.toPlainText()

    # The lid closes: what was typed is in the draft, and comes back.
    qtbot.waitUntil(lambda: drafts.load_hearing_draft(store.paths, petition_id) is not None
                    and len(drafts.load_hearing_draft(store.paths, petition_id)[0].statements)
                    == 2, timeout=3000)
    dialog.reject()
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.hearing_button.click()
    dialog = opened.pop()
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    assert dialog.township.text() == "窝赛乡" and dialog.statement_list.count() == 2

    # Opinions and outcome (Ctrl+3), then Ctrl+S.
    qtbot.keyClick(dialog, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    opinion = next(iter(dialog._opinion_edits.values()))
    assert opinion.hasFocus()
    type_text(qtbot, opinion, "同意息诉罢访。")
    dialog.outcome.set_code("settled")
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.hearing_id is not None, dialog.message.text()
    assert drafts.load_hearing_draft(store.paths, petition_id) is None
    detail = hearings.hearing_detail(store, dialog.hearing_id)
    assert [s.text for s in detail.statements] == [
        "宣布听证开始。", "ཞིབ་ཚགས་ཁང་གི་ཐག་གཅོད་ལ་ངས་ཁས་ལེན་བྱེད།"]
    assert detail.opinions[0][2] == "同意息诉罢访。" and detail.township == "窝赛乡"
    assert dialog.agreement_button.isEnabled()

    # The agreement: drafted from the templates, a clause added, printed, signed.
    shown: list[AgreementDialog] = []
    monkeypatch.setattr(AgreementDialog, "exec", lambda self: shown.append(self) or 0)
    dialog.agreement_button.click()
    agreement = shown.pop()
    qtbot.addWidget(agreement)
    assert agreement.detail.status == "drafted" and agreement.bilingual.isChecked()
    office = agreement.edits["office_zh"]
    office.moveCursor(office.textCursor().MoveOperation.End)
    type_text(qtbot, office, "\n协调发放司法救助金伍仟元。")
    saved = tmp_path / "agreement.pdf"

    def print_it(preview: PaperPreview) -> int:
        preview.save_to(saved)
        return 0

    monkeypatch.setattr(PaperPreview, "exec", print_it)
    agreement.print_button.click()  # drawn on the worker, then previewed
    qtbot.waitUntil(saved.exists, timeout=30_000)
    assert agreements.agreement_detail(store, agreement.agreement_id).status == "printed"
    text = pdf_text(saved.read_bytes())
    assert "协调发放司法救助金伍仟元" in text and "扎西才让" in text
    monkeypatch.setattr(SignedDialog, "exec", lambda self: 1)
    agreement.signed_button.click()
    final = agreements.agreement_detail(store, agreement.agreement_id)
    assert final.status == "signed" and final.signed_on == datetime.now().date().isoformat()
    assert agreement.edits["office_zh"].isReadOnly()
    # The photo of the signed paper goes with it.
    from PIL import Image

    photo = tmp_path / "signed.jpg"
    Image.new("RGB", (600, 850), "white").save(photo)
    assert len(agreement.attachments.add_files([photo])) == 1
    assert agreement.attachments.list.count() == 1
    window.reload()
    assert "已签订" in window.browser.toPlainText()


def test_a_clerk_opening_a_hearing_does_not_host_it(qtbot, case: tuple[Store, str, str]) -> None:  # type: ignore[no-untyped-def]
    from ui.hearings.hearing_dialog import HearingDialog

    store, petition_id, host_id = case
    from models import Staff

    with store.write() as session:
        office_id = session.get(Staff, host_id).office_id
        member = Staff(office_id=office_id, name_zh="卓玛", name_bo="སྒྲོལ་མ", role="clerk",
                       phone="", active=True)
        session.add(member)
        session.flush()
        clerk = member.id
    application()
    dialog = HearingDialog(tasks_for(store), store.paths, petition_id, clerk)
    qtbot.addWidget(dialog)
    assert dialog.host.currentData() == host_id  # the procurator, not the clerk at the keyboard
    # The speakers say what each member of staff is: a clerk is not called a procurator.
    assert dialog._speaker_text(("procurator", host_id)).endswith("(检察官)")
    assert dialog._speaker_text(("procurator", clerk)).endswith("(书记员)")
