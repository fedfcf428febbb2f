"""The monthly screening on screen: made from the ledger, a refusal naming the red person
without a deadline, a row edited, signed by the clerk and the deputy, sent in a package,
accepted at the prefecture's overview, printed and exported; the whole ledger printed and
exported from its entry points; the texts follow a language switch."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from app.core import i18n
from app.core.reference import PREFECTURE
from app.core.store import Store
from app.ledger import entries, levels
from app.ledger.entries import EntryInput
from app.ledger.screening import State, this_month_key
from app.sync import service
from models import AuditEntry, Staff
from tests.helpers import AidOffice, aid_office, pdf_text, settle, tasks_for
from ui.core.language import LanguageManager
from ui.ledger import ledger_papers
from ui.ledger.screening_view import PREFECTURE_STATES, RowDialog, ScreeningView
from ui.widgets.paper_preview import PaperPreview

TIBETAN = re.compile("[\u0f00-\u0fff]")
PASS = "demo-passphrase"


@pytest.fixture
def office(store: Store) -> AidOffice:
    """An office whose ledger holds 扎西才让, red, with the deputy 才让 as leader in charge."""
    base = aid_office(store)
    entry = entries.enter(store, EntryInput(base.person_id, base.office_id, "多次越级上访",
                                            "2026-10-01"))
    levels.set_level(store, entry, "red", "排查认定")
    entries.update(store, entry, entries.EntryUpdate("情绪激动", "赔偿", "", base.deputy))
    return base


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Path]:
    """Each paper previewed is saved as a PDF (Save as PDF, as the person would)."""
    saved: list[Path] = []

    def save(preview: PaperPreview) -> int:
        path = tmp_path / f"paper{len(saved)}.pdf"
        preview.save_to(path)
        saved.append(path)
        return 0

    monkeypatch.setattr(PaperPreview, "exec", save)
    return saved


def _printed(store: Store) -> list[tuple[str, str]]:
    """The papers the record of what was done says were printed: (kind of record, id)."""
    with store.read() as session:
        return [(e.tbl, e.row_id) for e in session.scalars(select(AuditEntry).where(
            AuditEntry.action == "printed"))]


def test_the_month_is_made_signed_sent_and_accepted_on_screen(
        qtbot: Any, store: Store, office: AidOffice, printed: list[Path],
        tmp_path: Path) -> None:
    tasks = tasks_for(store)
    view = ScreeningView(tasks, office.office_id)
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    assert view.month.text() == this_month_key(date.today())
    assert view.make_button.isEnabled() and view.rows.rowCount() == 0
    view.make_button.click()
    assert view.rows.rowCount() == 1 and view.rows.item(0, 0).text() == "扎西才让"
    # The deadline: missing for a red person.
    assert view.rows.item(0, 5).text() == i18n._("Missing")
    tasks.set_staff(office.chief)  # the chief made the table here
    view.clerk_button.click()
    assert "扎西才让" in view.message.text() and view.message.isVisible()
    # The row: a deadline and this month's work.
    view.rows.selectRow(0)
    dialog = RowDialog(tasks, office.office_id, view.selected_row(), view)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.work.setPlainText("上门释法说理")
    dialog.deadline.setText("2099-12-31")
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    view.load()
    assert view.rows.item(0, 3).text() == "上门释法说理"
    view.clerk_button.click()
    assert not view.edit_button.isEnabled() and view.deputy_button.isEnabled()
    tasks.set_staff(office.deputy)
    view.deputy_button.click()
    assert State.SIGNED.label in view.state.text() and "才让" in view.state.text()
    assert view.recall_button.isEnabled()
    # Printed in both scripts, and exported.
    view.language.setCurrentIndex(view.language.findData("bilingual"))
    view.print_button.click()
    qtbot.waitUntil(lambda: len(printed) == 1, timeout=30_000)
    text = pdf_text(printed[0].read_bytes())
    assert "扎西才让" in text and "2099-12-31" in text
    made = view.current_screening_id()
    qtbot.waitUntil(lambda: ("screening", made) in _printed(store), timeout=10_000)
    out = tmp_path / "month.xlsx"
    view.export_screening(out)
    settle(qtbot, tasks)
    sheet = openpyxl.load_workbook(out).active
    assert sheet is not None and sheet.cell(2, 2).value == "བཀྲ་ཤིས་ཚེ་རིང / 扎西才让"
    # A package written: sent. At the prefecture (here the same laptop reads it), Accept.
    service.set_up_office(store, PASS)
    service.export(store, tmp_path / "up.dsp", PASS)
    view.load()
    with store.write() as session:
        staff = Staff(office_id=PREFECTURE.id, name_zh="李明", name_bo="", role="deputy",
                      phone="", active=True)
        session.add(staff)
        session.flush()
        prefecture_staff = staff.id
    overview = ScreeningView(tasks, PREFECTURE.id)
    qtbot.addWidget(overview)
    overview.show()
    assert overview.pages.currentIndex() == 1 and overview.overview.rowCount() == 1
    assert overview.overview.item(0, 1).text() == i18n._(PREFECTURE_STATES[State.SENT])
    assert not overview.accept_button.isEnabled()
    overview.overview.selectRow(0)
    assert overview.accept_button.isEnabled()
    tasks.set_staff(prefecture_staff)
    overview.accept_button.click()
    assert overview.overview.item(0, 1).text() == i18n._(PREFECTURE_STATES[State.ACCEPTED])
    # The county's view heard of it: recall is no longer offered.
    qtbot.waitUntil(lambda: not view.recall_button.isEnabled(), timeout=5_000)


def test_the_ledger_is_printed_and_exported_from_its_entry_points(
        qtbot: Any, store: Store, office: AidOffice, printed: list[Path],
        tmp_path: Path) -> None:
    from PySide6.QtWidgets import QMessageBox, QWidget

    tasks = tasks_for(store)
    parent = QWidget()
    qtbot.addWidget(parent)
    ledger_papers.print_ledger(parent, tasks, office.office_id, "bo")
    qtbot.waitUntil(lambda: len(printed) == 1, timeout=30_000)
    assert TIBETAN.search(pdf_text(printed[0].read_bytes()))
    qtbot.waitUntil(lambda: ("key_petitioner", "") in _printed(store), timeout=10_000)
    told: list[str] = []
    original = QMessageBox.information
    QMessageBox.information = lambda _p, _t, text, *a: told.append(text)  # type: ignore
    try:
        out = tmp_path / "ledger.xlsx"
        ledger_papers.export_ledger(parent, tasks, office.office_id, out, "zh")
        settle(qtbot, tasks)
    finally:
        QMessageBox.information = original  # type: ignore[method-assign]
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))  # type: ignore
    assert rows[1][1] == "扎西才让" and told and str(out) in told[0]


def test_the_screen_follows_a_language_switch(qtbot: Any, store: Store,
                                              office: AidOffice) -> None:
    tasks = tasks_for(store)
    view = ScreeningView(tasks, office.office_id)
    qtbot.addWidget(view)
    view.make_button.click()
    language = LanguageManager()
    language.install("zh")
    language.set_mode("bo")
    qtbot.waitUntil(lambda: TIBETAN.search(view.rows.item(0, 1).text()) is not None)
    assert TIBETAN.search(view.rows.horizontalHeaderItem(0).text())

