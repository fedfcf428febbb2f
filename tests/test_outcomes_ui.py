"""From a petition's window a procurator records how it ended: migrant workers' wages recovered
with the labour inspectorate (a mistyped amount is shown beside the field and nothing is saved),
the petition settled and withdrawn on a day; the petition's record then shows both. A record
entered by mistake is removed after a confirmation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from app.core import i18n
from app.core.dump import dump_json
from app.core.formatting import format_iso_date, format_money
from app.core.i18n import _
from app.core.labels import Activity
from app.core.store import Store
from app.petitions import outcomes
from app.petitions.outcomes import Resolution
from tests.helpers import office_with_staff, petition, register, tasks_for
from tests.qt_typing import show_active, type_text
from ui.core.language import LanguageManager
from ui.main import application
from ui.petitions.outcomes_dialog import MAX_HEIGHT, LawsuitForm, LeadForm, OutcomesDialog
from ui.petitions.petition_dialog import PetitionDialog


@pytest.fixture
def opened(qtbot, store: Store, monkeypatch) -> Iterator[tuple[PetitionDialog, OutcomesDialog]]:  # type: ignore[no-untyped-def]
    _office_id, staff_id = office_with_staff(store, role="procurator")
    received = (datetime.now() - timedelta(days=20)).replace(second=0, microsecond=0)
    done = register(store, petition(received.isoformat(timespec="minutes")), staff_id)
    application()
    window = PetitionDialog(tasks_for(store), store.paths, done.id, staff_id)
    qtbot.addWidget(window)
    captured: list[QDialog] = []
    monkeypatch.setattr(OutcomesDialog, "exec", lambda self: captured.append(self) or 0)
    window.outcomes_button.click()
    [dialog] = captured
    assert isinstance(dialog, OutcomesDialog)
    show_active(qtbot, dialog)
    yield window, dialog


def _capture(monkeypatch, cls: type[QDialog]) -> list[QDialog]:  # type: ignore[no-untyped-def]
    opened: list[QDialog] = []
    monkeypatch.setattr(cls, "exec", lambda self: opened.append(self) or 0)
    return opened


def _save(qtbot, dialog: QDialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def test_wages_recovered_and_settled_show_in_the_petition_record(
        qtbot, opened: tuple[PetitionDialog, OutcomesDialog], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, dialog = opened
    store, petition_id = window._tasks.query(lambda s: s), window.petition_id
    assert dialog.height() <= MAX_HEIGHT
    assert dialog.close_button.isVisible() and not dialog.table.isVisible()
    forms = _capture(monkeypatch, LawsuitForm)

    # Add… support to sue: 12 workers, an amount mistyped with a letter.
    dialog.add_buttons["lawsuit"].click()
    form = forms.pop()
    assert isinstance(form, LawsuitForm)
    show_active(qtbot, form)
    assert form.is_wage_claim.isChecked() and form.workers.hasFocus()
    assert form.height() <= MAX_HEIGHT
    type_text(qtbot, form.workers, "12")
    type_text(qtbot, form.recovered.edit, "214,OOO")
    assert form.recovered.hint.text() == ""  # it does not read as an amount
    form.with_labour_inspectorate.setChecked(True)
    before = dump_json(store)
    _save(qtbot, form)
    assert form.result() != QDialog.DialogCode.Accepted
    assert form.errors.text("recovered") == _("This is not an amount of money.")
    assert form.recovered.edit.hasFocus()
    assert dump_json(store) == before
    assert outcomes.outcomes_of(store, petition_id).records == []

    # Fixed: the amount is read back formatted as it is typed; saving lists it.
    form.recovered.edit.clear()
    type_text(qtbot, form.recovered.edit, "214000")
    assert form.recovered.hint.text().startswith(format_money(21_400_000))
    _save(qtbot, form)
    assert form.result() == QDialog.DialogCode.Accepted, form.message.text()
    [record] = outcomes.outcomes_of(store, petition_id).records
    assert (record.kind, record.workers, record.amount_fen, record.with_labour_inspectorate) == (
        "lawsuit", 12, 21_400_000, True)
    assert dialog.table.isVisible() and dialog.table.rowCount() == 1
    listed = " ".join(dialog.table.item(0, c).text() for c in range(3))
    assert format_money(21_400_000) in listed and _("with the labour inspectorate") in listed
    assert dialog.message.text() == _("Saved.")

    # Settled and withdrawn, three days ago.
    dialog.resolution.set_code("settled")
    assert dialog.resolved_on.isEnabled()
    day = QDate.currentDate().addDays(-3)
    dialog.resolved_on.setDate(day)
    dialog.resolution_button.click()
    found = outcomes.outcomes_of(store, petition_id)
    assert (found.resolution, found.resolved_on) == ("settled", day.toString("yyyy-MM-dd"))

    # The petition's window has followed: its record shows the resolution and the wages.
    text = window.browser.toPlainText()
    assert Resolution.SETTLED.label in text
    assert format_iso_date(found.resolved_on, "long") in text
    assert format_money(21_400_000) in text and _("Resolution and follow-up") in text
    assert Activity.LAWSUIT_SUPPORT.label in text and Activity.RESOLVED.label in text


def test_anonymous_letter_a_lead_removed_by_mistake_and_a_language_switch(
        qtbot, opened: tuple[PetitionDialog, OutcomesDialog], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, dialog = opened
    store, petition_id = window._tasks.query(lambda s: s), window.petition_id
    dialog.answerable.set_code("anonymous")
    dialog.answerable_button.click()
    assert outcomes.outcomes_of(store, petition_id).unanswerable == "anonymous"
    assert _("Cannot be answered") in window.browser.toPlainText()

    # A lead with no body is refused beside the field; with one it is listed.
    forms = _capture(monkeypatch, LeadForm)
    dialog.add_buttons["lead"].click()
    form = forms.pop()
    show_active(qtbot, form)
    _save(qtbot, form)
    assert form.errors.text("body") == _("Please enter the body the lead was passed to.")
    type_text(qtbot, form.body, "达日县纪委监委")
    _save(qtbot, form)
    assert form.result() == QDialog.DialogCode.Accepted
    assert dialog.table.rowCount() == 1 and "达日县纪委监委" in dialog.table.item(0, 2).text()

    # Remove asks first: No keeps it, Yes removes it.
    dialog.table.selectRow(0)
    assert dialog.remove_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    dialog.remove_button.click()
    assert len(outcomes.outcomes_of(store, petition_id).records) == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.remove_button.click()
    assert outcomes.outcomes_of(store, petition_id).records == []
    assert dialog.table.rowCount() == 0 and not dialog.remove_button.isEnabled()
    assert Activity.OUTCOME_REMOVED.label in window.browser.toPlainText()

    # A language switch retranslates the dialog and keeps what is chosen.
    languages = LanguageManager()
    languages.install(i18n.ZH)
    dialog.resolution.set_code("resolved")
    languages.set_mode(i18n.BO)
    qtbot.waitUntil(lambda: dialog.close_button.text() == i18n.bo_text("Close"))
    assert dialog.resolution.code() == "resolved"
    assert dialog.answerable.currentText() == i18n.bo_text(outcomes.Unanswerable.ANONYMOUS.message)
    # Both scripts at once still fit a 1366×768 laptop: no sideways scrolling, Close in view.
    languages.set_mode(i18n.BILINGUAL)
    qtbot.waitUntil(lambda: " / " in dialog.close_button.text())
    qtbot.wait(10)
    assert dialog.width() <= 1366 and dialog.height() <= MAX_HEIGHT
    assert not dialog.scroll_area.horizontalScrollBar().isVisible()
    assert dialog.close_button.isVisible()
    languages.set_mode(i18n.ZH)
