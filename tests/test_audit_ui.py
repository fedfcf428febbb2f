"""The record of what was done on screen: a petition's and a person's entries, printing them
(recorded itself), and the check of every laptop's record from the menu."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from app.audit import trail
from app.core.store import Store, open_store
from app.petitions.detail import petition_detail
from models import AuditEntry
from tests.helpers import office_with_staff, petition, register, settle, tamper, tasks_for
from ui.audit.audit_dialog import AuditDialog, check_trail
from ui.widgets.paper_preview import PaperPreview


def _cells(dialog: AuditDialog, column: int) -> list[str]:
    return [dialog.table.item(row, column).text() for row in range(dialog.table.rowCount())]


def test_a_petitions_record_lists_what_was_done_and_prints(  # type: ignore[no-untyped-def]
        qtbot, store: Store, tmp_path: Path, monkeypatch) -> None:
    _office, chief = office_with_staff(store)
    store.ctx.staff_id = chief
    done = register(store, petition())
    tasks = tasks_for(store)
    dialog = AuditDialog(tasks, "petition", done.id)
    qtbot.addWidget(dialog)
    settle(qtbot, tasks)
    assert dialog.table.rowCount() >= 1
    assert trail.Action.CREATED.label in _cells(dialog, 3)
    assert set(_cells(dialog, 2)) == {"更桑"}
    assert done.reg_no in dialog.windowTitle()

    shown: list[PaperPreview] = []
    monkeypatch.setattr(PaperPreview, "exec", lambda self: shown.append(self) or 0)
    dialog.print_button.click()
    settle(qtbot, tasks)
    (preview,) = shown
    preview.save_to(tmp_path / "trail.pdf")  # saved: a print, recorded
    settle(qtbot, tasks)
    assert (tmp_path / "trail.pdf").read_bytes().startswith(b"%PDF")
    with store.read() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert last is not None and (last.action, last.tbl, last.row_id) == (
        "printed", "petition", done.id)


def test_a_persons_record_includes_their_petitions(qtbot, store: Store) -> None:  # type: ignore[no-untyped-def]
    office_with_staff(store)
    done = register(store, petition())
    person_id = petition_detail(store, done.id).parties[0].person_id
    trail.viewed_person(store, person_id)
    tasks = tasks_for(store)
    dialog = AuditDialog(tasks, "person", person_id)
    qtbot.addWidget(dialog)
    settle(qtbot, tasks)
    assert _cells(dialog, 3)[0] == trail.Action.VIEWED.label  # newest first
    assert any(done.reg_no in text for text in _cells(dialog, 4))


def test_the_check_says_whether_anything_was_altered(  # type: ignore[no-untyped-def]
        qtbot, store: Store, monkeypatch) -> None:
    office_with_staff(store)
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "information",
                        lambda _p, _t, message: said.append(("fine", message)))
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda _p, _t, message: said.append(("altered", message)))
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    tasks = tasks_for(store)
    check_trail(tasks, parent)
    settle(qtbot, tasks)
    assert [kind for kind, _m in said] == ["fine"]

    paths = store.paths
    tasks.shut_down()
    tamper(store, ("UPDATE audit_entry SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 2", ()))
    reopened = open_store(paths)
    try:
        tasks = tasks_for(reopened)
        check_trail(tasks, parent)
        settle(qtbot, tasks)
        assert said[-1][0] == "altered"
        assert trail.Alteration("", "12309窗口", 1).message() in said[-1][1]
    finally:
        tasks.shut_down()
        reopened.close()
