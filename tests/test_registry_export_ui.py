"""Export… and Print… on the registry: the file holds every petition the filters list, read from
the store (not the rows the table holds); a folder that cannot be written is a message, not a
crash."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.core.i18n import _
from app.core.store import Store
from tests.helpers import office_with_staff, pdf_text, petition, register, settle, tashi, tasks_for
from ui.main import application

NOW = datetime(2026, 11, 30, 9, 0)
PETITIONS = 12


@pytest.fixture
def view(qtbot: Any, store: Store, monkeypatch: pytest.MonkeyPatch) -> Any:
    from ui.petitions.registry_view import RegistryView

    office_with_staff(store)
    start = datetime(2026, 10, 1, 9, 0)
    for i in range(PETITIONS):
        register(store, petition((start + timedelta(days=i)).isoformat(timespec="minutes"),
                                 persons=[tashi(name_zh=f"卓玛{i}", id_number="", phone="")],
                                 channel="letter" if i % 2 else "visit"), now=NOW)
    application()
    found = RegistryView(tasks_for(store))
    qtbot.addWidget(found)
    return found


def test_export_writes_every_petition_listed(qtbot: Any, view: Any, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import load_workbook

    view.channel.set_code("letter")
    settle(qtbot, view._tasks)  # looked for on the worker
    listed = view.model.rowCount()
    assert listed == PETITIONS // 2
    view.model._rows.clear()  # the file is read from the store, not from the rows on screen
    target = tmp_path / "登记簿"  # no suffix typed: the workbook's is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *_args: (str(target), _("Excel workbook (*.xlsx)")))
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    with qtbot.waitSignal(view.list_exported, timeout=60_000) as done:
        view.export_button.click()
    out = Path(done.args[0])
    assert out == tmp_path / "登记簿.xlsx" and str(out) in told[-1]
    rows = list(load_workbook(out, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:4] == ("登记编号", "收到时间", "信访人", "信访渠道")
    ids = view.model.ids()
    shown = [view.model.fetch_rows(ids)[i].reg_no for i in ids]
    assert [r[0] for r in rows[1:]] == shown
    assert {r[3] for r in rows[1:]} == {"来信"}


def test_a_folder_that_does_not_exist_is_a_message(qtbot: Any, view: Any, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))
    missing = tmp_path / "no such folder" / "list.csv"
    view.export_list(missing)
    settle(qtbot, view._tasks)
    assert warned and str(missing.parent) in warned[-1]
    assert not missing.parent.exists()


def test_print_previews_every_petition_listed(qtbot: Any, view: Any,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.widgets.paper_preview import PaperPreview

    shown: list[PaperPreview] = []
    monkeypatch.setattr(PaperPreview, "exec", lambda self: shown.append(self) or 0)
    view.print_button.click()
    settle(qtbot, view._tasks)
    assert len(shown) == 1 and shown[0].page_labels
    text = pdf_text(shown[0].pdf)
    ids = view.model.ids()
    assert all(row.reg_no in text for row in view.model.fetch_rows(ids).values())
