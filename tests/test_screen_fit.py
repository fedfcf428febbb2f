"""Every window fits a county laptop's screen: 1366×768, of which the taskbar leaves 1366×728
(the screen the conftest gives the tests). Each dialog is opened on the demo store, in the
language mode with the longest labels (bilingual) and in Tibetan, and must have all of its
buttons on the screen, under a title bar that is on the screen too."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QDialog,
    QWidget,
)
from sqlalchemy import select

import demo.generate as demo
from app.aid import cases as aid
from app.core import i18n
from app.core.paths import AppPaths
from app.core.store import Store, open_store
from app.ledger import reception as rx
from models import (
    Agreement,
    AidCase,
    AidPayment,
    Hearing,
    KeyPetitioner,
    Petition,
    PetitionParty,
    ReceptionDay,
    ReturnVisit,
    Staff,
)
from tests.helpers import tasks_for
from ui.core.language import LanguageManager
from ui.main import application
from ui.widgets.form_support import enclosing
from ui.widgets.screen import TITLE_BAR

MODES = (i18n.BILINGUAL, i18n.BO)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One demo store for the module, with a reception day and one person who came on it: the
    dialogs only read it."""
    paths = AppPaths.resolve(tmp_path_factory.mktemp("demo"))
    store = open_store(paths, create=True)
    demo.fill(store, persons=40)
    ids = _demo_ids(store)
    day = rx.schedule(store, ids["office"], rx.DayInput(ids["chief"], "2026-01-05", "09:00",
                                                        "12:00", "12309检察服务中心"))
    rx.log_visit(store, day, rx.VisitInput(person_id=ids["person"], matter="询问办理进展"))
    yield store
    store.close()


def _first(store: Store, statement: Any) -> str:
    with store.read() as session:
        found = session.scalars(statement.limit(1)).first()
    assert found is not None
    return str(found)


def _ids(store: Store) -> dict[str, str]:
    return _demo_ids(store) | {"reception_day": _first(store, select(ReceptionDay.id))}


def _demo_ids(store: Store) -> dict[str, str]:
    paid = _first(store, select(AidPayment.aid_case_id))
    office = _first(store, select(AidCase.office_id).where(AidCase.id == paid))
    return {
        "office": office,
        "petition": _first(store, select(Petition.id).where(Petition.office_id == office)
                           .order_by(Petition.received_at)),
        "chief": _first(store, select(Staff.id).where(Staff.role == "chief",
                                                      Staff.office_id == office)),
        "hearing": _first(store, select(Hearing.id)),
        "agreement": _first(store, select(Agreement.id)),
        "hearing_petition": _first(store, select(Hearing.petition_id)),
        "aid": paid,
        "aid_petition": _first(store, select(AidCase.petition_id).where(AidCase.id == paid)),
        "payment": _first(store, select(AidPayment.id)),
        "person": _first(store, select(PetitionParty.person_id).where(
            PetitionParty.petition_id == _first(store, select(Petition.id)
                                                .where(Petition.office_id == office)
                                                .order_by(Petition.received_at)))),
        "visit": _first(store, select(ReturnVisit.id)),
        "visit_petition": _first(store, select(ReturnVisit.petition_id)),
        "ledger_entry": _first(store, select(KeyPetitioner.id).where(
            KeyPetitioner.office_id == office, KeyPetitioner.status != "left")
            .order_by(KeyPetitioner.entered_on)),
    }


def _dialogs() -> dict[str, Callable[[Any, Store, dict[str, str]], QDialog]]:
    from app.core import identity
    from app.papers import documents
    from ui.aid.case_dialog import AidCaseDialog
    from ui.aid.payment_dialog import PaymentDialog, ReverseDialog
    from ui.aid.rules_dialog import AidRulesDialog
    from ui.aid.visit_dialog import HandoverDialog, VisitDialog
    from ui.hearings.agreement_dialog import AgreementDialog, SignedDialog
    from ui.hearings.hearing_dialog import HearingDialog
    from ui.hearings.officers_dialog import OfficersDialog
    from ui.ledger.enter_dialog import EnterDialog
    from ui.ledger.entry_dialog import EntryDialog
    from ui.ledger.reception_dialog import DayDialog, ReceptionDayDialog
    from ui.ledger.rule_dialog import RuleDialog
    from ui.office.device_dialog import DeviceDialog
    from ui.office.office_settings_dialog import OfficeSettingsDialog
    from ui.persons.person_review_dialog import PersonReviewDialog
    from ui.petitions.edit_dialogs import (
        PersonEditDialog,
        PetitionEditDialog,
        TransferDialog,
        VoidDialog,
    )
    from ui.petitions.outcomes_dialog import OutcomesDialog
    from ui.petitions.petition_dialog import DeadlineDialog, PetitionDialog, ReplyDialog
    from ui.widgets.paper_preview import PaperPreview

    def detail(tasks: Any, ids: dict[str, str]) -> aid.AidCaseDetail:
        return tasks.call(aid.aid_case_detail, ids["aid"])

    return {
        "petition": lambda t, s, i: PetitionDialog(t, s.paths, i["petition"], i["chief"]),
        "reply": lambda t, s, i: ReplyDialog(t, i["petition"], i["chief"]),
        "deadline": lambda t, s, i: DeadlineDialog(t, i["petition"], i["chief"]),
        "outcomes": lambda t, s, i: OutcomesDialog(t, i["petition"], i["chief"]),
        "new hearing": lambda t, s, i: HearingDialog(t, s.paths, i["petition"], i["chief"]),
        "hearing": lambda t, s, i: HearingDialog(t, s.paths, i["hearing_petition"], i["chief"],
                                                 i["hearing"]),
        "agreement": lambda t, s, i: AgreementDialog(t, s.paths, i["agreement"], i["chief"]),
        "signed": lambda t, s, i: SignedDialog("2026-01-05"),
        "officers": lambda t, s, i: OfficersDialog(t, i["office"]),
        "new aid": lambda t, s, i: AidCaseDialog(t, i["petition"], i["chief"]),
        "aid": lambda t, s, i: AidCaseDialog(t, i["aid_petition"], i["chief"], i["aid"]),
        "payment": lambda t, s, i: PaymentDialog(t, detail(t, i), i["chief"]),
        "reverse": lambda t, s, i: ReverseDialog(t, detail(t, i).payments[0], i["chief"]),
        "aid rules": lambda t, s, i: AidRulesDialog(t, i["office"], i["chief"]),
        "new visit": lambda t, s, i: VisitDialog(t, i["petition"], i["chief"]),
        "visit": lambda t, s, i: VisitDialog(t, i["visit_petition"], i["chief"], i["visit"]),
        "handover": lambda t, s, i: HandoverDialog(t, i["chief"], visit_id=i["visit"]),
        "office settings": lambda t, s, i: OfficeSettingsDialog(t, i["office"]),
        "device": lambda t, s, i: DeviceDialog(t, t.call(identity.ensure_device), False),
        "person review": lambda t, s, i: PersonReviewDialog(t, i["chief"]),
        "correct petition": lambda t, s, i: PetitionEditDialog(t, i["petition"], i["chief"]),
        "correct person": lambda t, s, i: PersonEditDialog(t, i["petition"], i["person"],
                                                           i["chief"]),
        "transfer": lambda t, s, i: TransferDialog(t, i["petition"], i["chief"]),
        "void": lambda t, s, i: VoidDialog(t, i["petition"], "达检信〔2026〕1号", i["chief"]),
        "ledger entry": lambda t, s, i: EntryDialog(t, i["ledger_entry"]),
        "enter in the ledger": lambda t, s, i: EnterDialog(t, i["office"]),
        "risk rule": lambda t, s, i: RuleDialog(t, i["office"], None),
        "reception day": lambda t, s, i: DayDialog(t, i["office"], i["reception_day"]),
        "who came on a reception day": lambda t, s, i: ReceptionDayDialog(
            t, i["reception_day"]),
        "paper preview": lambda t, s, i: PaperPreview(
            t.call(documents.render, i["petition"], "receipt"), "回执", "receipt.pdf"),
    }


DIALOGS = sorted(_dialogs())


def assert_on_screen(window: QWidget) -> None:
    """The window, its title bar and every button it shows lie on the screen's room."""
    room = QGuiApplication.primaryScreen().availableGeometry()
    frame = window.frameGeometry()
    top = frame.top() if frame.height() > window.height() else window.y() - TITLE_BAR
    assert top >= room.top() and window.geometry().bottom() <= room.bottom(), (
        f"{type(window).__name__} spans {top}..{window.geometry().bottom()}, "
        f"the screen {room.top()}..{room.bottom()}")
    assert window.geometry().right() <= room.right() and window.x() >= room.left()
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or button.window() is not window:
            continue
        if enclosing(button, QAbstractScrollArea) is not None:
            continue  # it scrolls into view with the page it stands on
        corner = button.mapToGlobal(QPoint(0, 0))
        place = QRect(corner, button.size())
        assert room.contains(place), f"{button.text()!r} at {place} is off the screen {room}"
        assert window.rect().contains(QRect(button.mapTo(window, QPoint(0, 0)),
                                            button.size()))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", DIALOGS)
def test_each_dialog_fits_the_laptop_screen(qtbot, demo_store: Store, name: str,  # type: ignore[no-untyped-def]
                                            mode: str) -> None:
    app = application()
    LanguageManager(app).set_mode(mode)
    tasks = tasks_for(demo_store)
    dialog = _dialogs()[name](tasks, demo_store, _ids(demo_store))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    assert_on_screen(dialog)
    dialog.close()


def test_the_hearing_dialog_keeps_its_buttons_on_screen_after_a_failed_save(  # type: ignore[no-untyped-def]
        qtbot, demo_store: Store) -> None:
    from ui.hearings.hearing_dialog import HearingDialog

    application()
    LanguageManager(QApplication.instance()).set_mode(i18n.BILINGUAL)
    ids = _ids(demo_store)
    dialog = HearingDialog(tasks_for(demo_store), demo_store.paths, ids["petition"], ids["chief"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.place.clear()
    dialog.save()  # refused: every message shows under its field
    QApplication.processEvents()
    assert dialog.message.text()
    assert_on_screen(dialog)


def test_the_main_window_fits_and_the_intake_form_takes_two_screens_at_most(  # type: ignore[no-untyped-def]
        qtbot, demo_store: Store) -> None:
    from ui.main import create_main_window

    app = application()
    language = LanguageManager(app)
    window = create_main_window(demo_store.paths, language)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_area("intake")
    for mode in (i18n.ZH, i18n.BO, i18n.BILINGUAL):
        language.set_mode(mode)
        QApplication.processEvents()
        assert_on_screen(window)
        scroll = window.intake.form_scroll
        page = scroll.widget()
        assert page.height() <= 2 * scroll.viewport().height(), (
            mode, page.height(), scroll.viewport().height())
        assert window.statusBar().height() < 2 * window.fontMetrics().height()
    window.tasks.close()


def test_the_reception_day_keeps_its_buttons_on_screen_while_an_entry_is_corrected(  # type: ignore[no-untyped-def]
        qtbot, demo_store: Store) -> None:
    from ui.ledger.reception_dialog import ReceptionDayDialog

    application()
    LanguageManager(QApplication.instance()).set_mode(i18n.BILINGUAL)
    dialog = ReceptionDayDialog(tasks_for(demo_store), _ids(demo_store)["reception_day"])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.table.selectRow(0)
    dialog.edit()
    dialog.finder.search.setText(dialog.editing.name_zh)
    dialog.finder.look_up()
    assert dialog.finder.found.count()
    dialog.matter.clear()
    dialog.save()  # refused: the matter is needed, said under it and on the message line
    QApplication.processEvents()
    assert dialog.errors.text("matter") and dialog.message.text()
    assert_on_screen(dialog)
