"""Reviewing possible duplicate persons on screen, from the keyboard: the same herder typed twice
is merged after a confirmation; two namesakes sharing a phone are marked as different people."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.core import i18n
from app.core.i18n import _, zh_text
from app.core.store import Store
from app.persons.records import PersonInput
from app.persons.review import PairReason, mark_different, possible_duplicates
from app.petitions.detail import petition_detail
from tests.helpers import Ticking, office_with_staff, petition, register, tashi, tasks_for
from tests.qt_typing import show_active
from ui.core.language import LanguageManager
from ui.main import application
from ui.persons.person_review_dialog import DIFFERENT, ROWS, SAME, PersonReviewDialog

CTRL = Qt.KeyboardModifier.ControlModifier
TIBETAN = re.compile("[\u0f00-\u0fff]")
CHINESE = re.compile("[\u4e00-\u9fff]")


@pytest.fixture
def office(store: Store) -> tuple[Store, str, str, str]:
    """Tashi registered twice (the second time without his ID card, with another phone), and
    two men named 卓玛才让 who share their family's phone."""
    _office_id, clerk = office_with_staff(store, role="clerk")
    first = register(store, petition(persons=[tashi(phone="")]))
    second = register(store, petition(
        "2026-11-21T10:00", persons=[tashi(id_number="", phone="13909750000", name_bo="")]))
    register(store, petition("2026-11-22T11:00", persons=[
        PersonInput(name_zh="卓玛才让", phone="13909755678"),
        PersonInput(name_zh="卓玛才让", phone="13909755678", township="窝赛乡")]))
    return store, clerk, first.id, second.id


def _loaded(qtbot, dialog: PersonReviewDialog) -> None:  # type: ignore[no-untyped-def]
    """The pairs are looked for on the worker: wait until they are listed."""
    qtbot.waitUntil(lambda: not dialog.looking, timeout=30_000)


def _count(dialog: PersonReviewDialog) -> int:
    return dialog.pair_model.rowCount()


def _row(dialog: PersonReviewDialog, row: int) -> str:
    return str(dialog.pair_model.data(dialog.pair_model.index(row)))


def _colour(dialog: PersonReviewDialog, field: str) -> str:
    item = dialog.grid.item([name for name, _label in ROWS].index(field), 0)
    assert item is not None
    if item.background().style() == Qt.BrushStyle.NoBrush:
        return ""
    return {SAME.name(): "same", DIFFERENT.name(): "different"}[item.background().color().name()]


def test_merge_and_mark_different_with_the_keyboard(  # type: ignore[no-untyped-def]
        qtbot, office: tuple[Store, str, str, str], monkeypatch) -> None:
    store, clerk, first_petition, second_petition = office
    application()
    asked: list[str] = []

    def confirm(_parent, _title, text, *_args):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", confirm)
    dialog = PersonReviewDialog(tasks_for(store), clerk)
    show_active(qtbot, dialog)
    _loaded(qtbot, dialog)
    changed: list[bool] = []
    dialog.persons_changed.connect(lambda: changed.append(True))
    assert _count(dialog) == 2 and dialog.pair_list.hasFocus()
    assert "2" in dialog.summary.text()

    # The pairs: the namesakes sharing a phone, and Tashi (same name and herding group).
    texts = [_row(dialog, i) for i in range(_count(dialog))]
    tashi_row = next(i for i, t in enumerate(texts) if "扎西才让" in t)
    drolma_row = 1 - tashi_row
    assert PairReason.NAME_ZH_PHONE.label in texts[drolma_row]
    qtbot.keyClick(dialog.pair_list, Qt.Key.Key_Home)
    for _step in range(tashi_row):
        qtbot.keyClick(dialog.pair_list, Qt.Key.Key_Down)
    pair = dialog.current_pair()
    assert pair is not None and pair.a.name_zh == "扎西才让"
    # What is alike is green, what differs is orange, what one record lacks is plain.
    assert _colour(dialog, "name_zh") == "same" and _colour(dialog, "herding_group") == "same"
    assert _colour(dialog, "phone") == "" and _colour(dialog, "id_number") == ""
    assert pair.reasons == ("name_place",)
    assert zh_text(PairReason.NAME_PLACE.message) in dialog.reasons.text()

    # Keep the left record (the one with the ID number), after confirming.
    left = pair.a if pair.a.id_number else pair.b
    assert left is pair.a
    qtbot.keyClick(dialog.pair_list, Qt.Key.Key_L, CTRL)
    assert len(asked) == 1 and "632624198503120012" in asked[0]
    assert changed == [True]
    assert dialog.message.text() == _("Merged: {name} is now one record.").format(name="扎西才让")
    _loaded(qtbot, dialog)  # the pairs are looked for again
    assert _count(dialog) == 1 and dialog.pair_list.hasFocus()
    # Both petitions now name the kept record, which has the phone he gave the second time.
    parties = [petition_detail(store, p).parties[0] for p in (first_petition, second_petition)]
    assert [p.person_id for p in parties] == [left.id, left.id]
    assert "13909750000" in [p.phone for p in parties]

    # The namesakes are two people: Ctrl+D records it, without a question.
    qtbot.keyClick(dialog.pair_list, Qt.Key.Key_D, CTRL)
    assert len(asked) == 1 and changed == [True, True]
    _loaded(qtbot, dialog)
    assert _count(dialog) == 0
    assert not dialog.keep_left_button.isEnabled()
    assert dialog.summary.text() == _("No possible duplicate persons: nothing to review.")
    assert possible_duplicates(store) == []


def test_declining_the_confirmation_merges_nothing(  # type: ignore[no-untyped-def]
        qtbot, office: tuple[Store, str, str, str], monkeypatch) -> None:
    store, clerk, _first, _second = office
    application()
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_args: QMessageBox.StandardButton.No)
    dialog = PersonReviewDialog(tasks_for(store), clerk)
    show_active(qtbot, dialog)
    _loaded(qtbot, dialog)
    qtbot.keyClick(dialog.pair_list, Qt.Key.Key_R, CTRL)
    assert _count(dialog) == 2 and len(possible_duplicates(store)) == 2


def test_bilingual_dialog_and_language_switch(  # type: ignore[no-untyped-def]
        qtbot, office: tuple[Store, str, str, str], tmp_path) -> None:
    store, clerk, _first, _second = office
    app = application()
    language = LanguageManager(app)
    language.install(i18n.ZH)
    dialog = PersonReviewDialog(tasks_for(store), clerk)
    show_active(qtbot, dialog)
    _loaded(qtbot, dialog)
    assert CHINESE.search(dialog.grid.verticalHeaderItem(4).text())
    assert not TIBETAN.search(dialog.grid.verticalHeaderItem(0).text())
    language.set_mode(i18n.BILINGUAL)
    qtbot.waitUntil(lambda: bool(TIBETAN.search(dialog.grid.verticalHeaderItem(0).text())))
    header = dialog.grid.verticalHeaderItem(0).text()
    assert TIBETAN.search(header) and CHINESE.search(header)
    assert _count(dialog) == 2
    assert TIBETAN.search(_row(dialog, 0)) or CHINESE.search(_row(dialog, 0))
    # The reasons stack a Tibetan line over a Chinese line, as elsewhere.
    assert dialog.reasons.text().count("\n") == 1
    dialog.resize(1100, 700)
    dialog.grab().save(str(tmp_path / "person_review_bilingual.png"))
    language.set_mode(i18n.ZH)


def test_people_area_counts_the_pairs_and_opens_the_review(  # type: ignore[no-untyped-def]
        qtbot, office: tuple[Store, str, str, str], monkeypatch) -> None:
    from ui.main import create_main_window

    store = office[0]
    application()
    opened: list[PersonReviewDialog] = []
    monkeypatch.setattr(PersonReviewDialog, "exec", lambda self: opened.append(self) or 0)
    window = create_main_window(store.paths, LanguageManager())
    qtbot.addWidget(window)
    window.show()
    try:
        assert not window.people.duplicates_button.isVisible()  # not counted until shown
        window.show_area("people")
        qtbot.waitUntil(window.people.duplicates_button.isVisible)
        assert "2" in window.people.duplicates_button.text()
        window.people.duplicates_button.click()
        window.person_review_action.trigger()  # Laptop → Possible duplicate persons…
        qtbot.waitUntil(lambda: len(opened) == 2 and not any(d.looking for d in opened))
        assert [_count(d) for d in opened] == [2, 2]
        # Once both pairs are settled elsewhere, the count follows when the dialog closes.
        for pair in possible_duplicates(store):
            mark_different(store, pair.a.id, pair.b.id)
        window.person_review_action.trigger()
        qtbot.waitUntil(lambda: not window.people.duplicates_button.isVisible())
    finally:
        window.tasks.close()


def test_the_pairs_are_looked_for_while_the_window_goes_on(  # type: ignore[no-untyped-def]
        qtbot, office: tuple[Store, str, str, str], monkeypatch) -> None:
    """The look is made slow: the event loop goes on meanwhile (a timer keeps firing), the
    dialog says it is looking and offers no merge; then the pairs are listed."""


    from app.persons import review

    store, clerk, _first, _second = office
    application()
    ticking = Ticking()
    monkeypatch.setattr(review, "possible_duplicates", ticking.waiting(review.possible_duplicates))
    dialog = PersonReviewDialog(tasks_for(store), clerk)
    show_active(qtbot, dialog)
    assert dialog.looking
    assert dialog.summary.text() == _("Looking for possible duplicate persons…")
    assert not dialog.keep_left_button.isEnabled() and dialog.current_pair() is None
    with qtbot.waitSignal(dialog.pairs_loaded, timeout=30_000):
        pass
    ticking.stop()
    assert ticking.seen and ticking.seen[0] >= 10
    assert _count(dialog) == 2 and dialog.keep_left_button.isEnabled()
    assert dialog.current_pair() is not None and "2" in dialog.summary.text()


def test_cancel_while_looking_closes_the_dialog(  # type: ignore[no-untyped-def]
        qtbot, office: tuple[Store, str, str, str], monkeypatch) -> None:
    from ui.core import tasks as tasks_module

    store, clerk, _first, _second = office
    application()
    monkeypatch.setattr(tasks_module.Progress, "is_cancelled", lambda _self: True)
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: errors.append(args[2]))
    dialog = PersonReviewDialog(tasks_for(store), clerk)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.rejected, timeout=30_000):  # Cancel in the progress window
        dialog.show()
    assert not dialog.isVisible() and not dialog.looking and not errors
    assert _count(dialog) == 0


def test_closed_while_looking_the_dialog_stops_and_leaves_no_progress_window(  # type: ignore[no-untyped-def]
        qtbot, office: tuple[Store, str, str, str], monkeypatch) -> None:
    import time

    from PySide6.QtWidgets import QApplication, QProgressDialog

    from app.core.progress import CancelledError, check
    from app.persons import review

    store, clerk, _first, _second = office
    application()
    stopped: list[bool] = []

    def until_cancelled(_store, progress):  # type: ignore[no-untyped-def]
        for _step in range(100):  # 5 s at most
            time.sleep(0.05)
            try:
                check(progress)
            except CancelledError:
                stopped.append(True)
                raise
        return []

    monkeypatch.setattr(review, "possible_duplicates", until_cancelled)
    dialog = PersonReviewDialog(tasks_for(store), clerk)
    show_active(qtbot, dialog)
    dialog.reject()  # Escape before the pairs arrive
    qtbot.waitUntil(lambda: stopped == [True], timeout=5000)
    qtbot.wait(700)  # past the moment a progress window would show
    assert not [d for d in QApplication.topLevelWidgets()
                if isinstance(d, QProgressDialog) and d.isVisible()]
    assert not dialog.looking and not dialog.isVisible()
