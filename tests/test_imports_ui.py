"""The import wizard on screen, through a key-petitioner ledger: the file and its kind, the
columns proposed from the merged header, the preview, the refused rows with their reasons, the
import, and the same file again adding nothing; unreadable files say why."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.core.store import Store
from app.ledger import entries
from tests.helpers import AidOffice, every_role, tasks_for
from tests.qt_typing import show_active
from tests.test_imports import ledger_workbook
from ui.core.language import LanguageManager
from ui.imports.import_wizard import DONE, FILE, MAPPING, REFUSED, ImportWizard
from ui.main import application

TIBETAN = re.compile("[\u0f00-\u0fff]")


@pytest.fixture
def office(store: Store) -> AidOffice:
    return every_role(store)[0]


def _wizard(qtbot, office: AidOffice) -> ImportWizard:  # type: ignore[no-untyped-def]
    application()
    wizard = ImportWizard(tasks_for(office.store), office.office_id)
    qtbot.addWidget(wizard)
    show_active(qtbot, wizard)
    return wizard


def _through_to_the_columns(qtbot, wizard: ImportWizard, path: Path) -> None:  # type: ignore[no-untyped-def]
    wizard.path.setText(str(path))
    wizard.kind.set_code("ledger")
    with qtbot.waitSignal(wizard.previewed, timeout=30_000):
        wizard.next_button.click()
    assert wizard.step() == MAPPING


def test_a_ledger_is_brought_in_through_the_wizard(qtbot, office: AidOffice,  # type: ignore[no-untyped-def]
                                                   tmp_path: Path) -> None:
    path = ledger_workbook(tmp_path / "台账.xlsx")
    wizard = _wizard(qtbot, office)
    _through_to_the_columns(qtbot, wizard, path)
    # The columns proposed from the two-row header under the title line.
    assert wizard.mapping_combos["name_zh"].currentText() == "基本情况/姓名"
    assert wizard.mapping_combos["id_number"].currentText() == "基本情况/身份证号"
    assert wizard.mapping_combos["level"].currentText() == "风险等级"
    assert wizard.mapping_combos["responsible"].currentIndex() == 0  # not in the sheet
    table = wizard.preview_table
    assert table.rowCount() == 3
    assert [table.item(r, 0).text() for r in range(3)] == ["5", "6", "10"]
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    situation = headers.index(wizard.mapping_labels["situation"].text())
    assert table.item(0, situation).text() == "情绪激动，扬言进京"
    known = table.columnCount() - 1  # 扎西才让 is the person already registered
    assert [bool(table.item(r, known).text()) for r in range(3)] == [True, False, False]

    # Leaving a column out: the preview follows.
    with qtbot.waitSignal(wizard.previewed, timeout=30_000):
        wizard.mapping_combos["situation"].setCurrentIndex(0)
    assert table.columnCount() == len(headers) - 1

    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.step() == REFUSED, timeout=30_000)
    refused = wizard.refused_table
    assert [refused.item(r, 0).text() for r in range(refused.rowCount())] == ["7", "9"]
    assert "6" in refused.item(1, 1).text()  # a repeat of row 6
    assert entries.ledger(office.store, office.office_id) == []  # nothing saved yet

    with qtbot.waitSignal(wizard.imported, timeout=30_000) as blocker:
        wizard.next_button.click()
    assert blocker.args[0].imported == 3
    assert wizard.step() == DONE
    assert "3" in wizard.done_summary.text()
    rows = {r.name_zh: r for r in entries.ledger(office.store, office.office_id)}
    assert set(rows) == {"扎西才让", "卓玛措", "索南"}
    assert rows["扎西才让"].person_id == office.person_id
    assert entries.entry_detail(office.store, rows["扎西才让"].entry_id).situation == ""

    # Switching to Tibetan re-labels the wizard at once.
    language = LanguageManager()
    language.install("zh")
    language.set_mode("bo")
    qtbot.waitUntil(lambda: TIBETAN.search(wizard.mapping_labels["id_number"].text())
                    is not None)
    assert TIBETAN.search(wizard.close_button.text())

    wizard.next_button.click()  # Finish
    assert not wizard.isVisible()


def test_the_same_file_again_adds_nothing(qtbot, office: AidOffice,  # type: ignore[no-untyped-def]
                                          tmp_path: Path) -> None:
    path = ledger_workbook(tmp_path / "台账.xlsx")
    for expected in (3, 0):
        wizard = _wizard(qtbot, office)
        _through_to_the_columns(qtbot, wizard, path)
        wizard.next_button.click()
        qtbot.waitUntil(lambda w=wizard: w.step() == REFUSED, timeout=30_000)
        with qtbot.waitSignal(wizard.imported, timeout=30_000) as blocker:
            wizard.next_button.click()
        assert blocker.args[0].imported == expected
        wizard.close_button.click()
    assert blocker.args[0].already == 3
    assert len(entries.ledger(office.store, office.office_id)) == 3


def test_unreadable_files_are_explained(qtbot, office: AidOffice,  # type: ignore[no-untyped-def]
                                        tmp_path: Path) -> None:
    wizard = _wizard(qtbot, office)
    wizard.next_button.click()
    assert wizard.step() == FILE and wizard.message.text()  # no file chosen
    wizard.path.setText(str(tmp_path / "没有.xlsx"))
    wizard.next_button.click()
    assert wizard.step() == FILE and "没有.xlsx" in wizard.message.text()
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook")
    wizard.path.setText(str(fake))
    wizard.next_button.click()
    assert wizard.step() == FILE and "fake.xlsx" in wizard.message.text()
    assert ".xlsx" in wizard.message.text()


def test_a_workbook_of_several_sheets_asks_which(qtbot, office: AidOffice,  # type: ignore[no-untyped-def]
                                                 tmp_path: Path) -> None:
    import openpyxl

    path = ledger_workbook(tmp_path / "台账.xlsx")
    book = openpyxl.load_workbook(path)
    book.create_sheet("说明", 0)["A1"] = "填表说明"
    book.save(path)
    wizard = _wizard(qtbot, office)
    wizard.path.setText(str(path))
    wizard.kind.set_code("ledger")
    wizard.next_button.click()
    assert wizard.sheet.count() == 2 and wizard.pages.currentIndex() == 1
    wizard.sheet.setCurrentText("台账")
    with qtbot.waitSignal(wizard.previewed, timeout=30_000):
        wizard.next_button.click()
    assert wizard.preview_table.rowCount() == 3
