"""Each county's ledger of key petitioners on the prefecture hub (issue 18): the hub holds every
county's entries and reads each county's ledger as that county keeps it, recording each reading
with the county's office; a change to a county's entry (its situation, movements, measures,
level, status, a leader taking charge of it), to a county's rules or a ledger kept by hand
brought in for a county is refused there and changes nothing, while the hub's own office's
ledger is kept there as on a laptop."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core import i18n
from app.core.paths import AppPaths
from app.core.server import open_server_store
from app.core.store import Store
from app.hub import service as hub
from app.imports import bringing, fields, sheets
from app.imports.bringing import Options
from app.imports.fields import Kind
from app.ledger import charges, entries, keeping, levels, papers, rules
from app.ledger.entries import EntryInput, EntryUpdate, MeasureInput
from app.ledger.rules import MovementKind, RuleInput
from app.petitions.detail import petition_detail
from app.sync import service
from models import AuditEntry, Office, Staff
from tests.helpers import petition, refused, register, settle, tashi, tasks_for
from tests.test_hub import COUNTIES, PASS, PREFECTURE, County, _enrol, made_county
from tests.test_imports import ledger_workbook

pytestmark = pytest.mark.postgres


@dataclass
class LedgerHub:
    store: Store
    prefecture_id: str
    counties: list[County]
    office_ids: list[str]  # each county's office
    entry_ids: list[str]  # each county's one key petitioner
    person_ids: list[str]  # and the person
    folder: Path


def _office_of(store: Store, code: str) -> str:
    with store.read() as session:
        return str(session.scalar(select(Office.id).where(Office.division_code == code)))


def ledger_hub(url: str, folder: Path) -> LedgerHub:
    """A hub holding two counties' packages, each county with one key petitioner (a movement
    added), and nothing in the hub's own office's ledger."""
    store = open_server_store(url, AppPaths(folder / "hub"), create=True)
    prefecture_id = hub.init_hub(store, "果洛州院", PREFECTURE, PASS)
    counties, office_ids, entry_ids, person_ids = [], [], [], []
    for code, (zh, bo) in zip(COUNTIES[:2], (("卓嘎", "སྒྲོལ་དཀར"), ("次仁", "ཚེ་རིང")),
                                  strict=True):
        county = made_county(folder, code, 0)
        _enrol(store, county)
        done = register(county.master, petition(persons=[tashi(
            name_zh=zh, name_bo=bo, id_number="", phone="", sex="F")]))
        person = petition_detail(county.master, done.id).parties[0].person_id
        office_id = _office_of(county.master, code)
        entry = entries.enter(county.master, EntryInput(person, office_id, "多次越级上访",
                                                        date.today().isoformat()))
        entries.add_movement(county.master, entry, date.today().isoformat(),
                             MovementKind.WENT_TO_BEIJING, "")
        rules.risk_rules(county.master, office_id)  # the county's rules, as a county has them
        package = service.export(county.master, folder / f"{code}.dsp", PASS, full=True)
        assert all(d.problem is None for d in hub.import_packages(store, [package.path], PASS))
        counties.append(county)
        office_ids.append(office_id)
        entry_ids.append(entry)
        person_ids.append(person)
    return LedgerHub(store, prefecture_id, counties, office_ids, entry_ids, person_ids, folder)


@pytest.fixture
def built(postgres_url: str, tmp_path: Path) -> Iterator[LedgerHub]:
    made = ledger_hub(postgres_url, tmp_path)
    yield made
    made.store.close()
    for county in made.counties:
        county.master.close()


def test_the_hub_reads_each_countys_ledger_and_records_which(built: LedgerHub) -> None:
    store = built.store
    for office_id, entry_id, person_id in zip(built.office_ids, built.entry_ids,
                                              built.person_ids, strict=True):
        rows = entries.ledger(store, office_id)
        assert [(r.entry_id, r.person_id) for r in rows] == [(entry_id, person_id)]
        assert rows[0].last_movement_on == date.today().isoformat()
        detail = entries.entry_detail(store, entry_id)
        assert (detail.office_id, detail.kept, len(detail.movements)) == (office_id, False, 1)
        assert levels.propose_level(store, entry_id).level  # from the county's own rules
        assert {r.code for r in rules.risk_rules(store, office_id)} >= {"went_up"}
        assert not keeping.keeps_ledger(store, office_id)
    assert entries.ledger(store, built.prefecture_id) == []
    assert keeping.keeps_ledger(store, built.prefecture_id)
    with store.read() as session:  # the hub's own readings, in its own log
        read = [json.loads(d)["ledger"] for d in session.scalars(
            select(AuditEntry.detail).where(AuditEntry.tbl == "key_petitioner",
                                            AuditEntry.row_id == "",
                                            AuditEntry.log_id == store.device_id)
            .order_by(AuditEntry.seq))]
    assert read == [*built.office_ids, built.prefecture_id]
    # The ledger's paper is the county's, under the county's name.
    paper = papers.ledger_table(store, built.office_ids[1], i18n.ZH)
    assert [row[1] for row in paper.rows] == ["次仁"]
    assert paper.lines == [_name_zh(store, built.office_ids[1])]


def test_a_change_to_a_countys_ledger_is_refused_on_the_hub_and_changes_nothing(
        built: LedgerHub) -> None:
    store, entry = built.store, built.entry_ids[0]
    office_id, today = built.office_ids[0], date.today().isoformat()
    message = keeping.KEPT_BY_ITS_OFFICE
    refused(store, message, entries.update, entry, EntryUpdate("已稳定", "无"))
    refused(store, message, entries.add_movement, entry, today, MovementKind.OTHER, "来州院")
    refused(store, message, entries.add_measure, entry,
            MeasureInput("education", "", today, "谈话"))
    refused(store, message, entries.change_status, entry, "left", "已息诉")
    refused(store, message, levels.set_level, entry, "red", "扬言进京")
    refused(store, message, entries.enter, EntryInput(
        built.person_ids[1], office_id, "多次上访", today))
    rule = rules.risk_rules(store, office_id)[0]
    refused(store, message, rules.edit_rule, rule.rule_id,
            RuleInput(rule.level, rule.code, rule.months, rule.min_count, False))
    refused(store, message, rules.add_rule, office_id,
            RuleInput("yellow", "went_up", 24))
    refused(store, message, charges.take_charge, charges.ChargeInput(
        "", "化解", (date.today() + timedelta(days=30)).isoformat(), today, entry_id=entry))
    # Nor is a county leader's charge of the entry, made in the county, added to or closed.
    county = built.counties[0].master
    with county.write() as session:
        chief = Staff(office_id=office_id, name_zh="才让", name_bo="", role="chief")
        session.add(chief)
        session.flush()
        chief_id = chief.id
    charge = charges.take_charge(county, charges.ChargeInput(
        chief_id, "化解", (date.today() + timedelta(days=30)).isoformat(), today,
        entry_id=entry))
    package = service.export(county, built.folder / "again.dsp", PASS)
    assert all(d.problem is None for d in hub.import_packages(store, [package.path], PASS))
    assert [c.charge_id for c in charges.charges_of_entry(store, entry)] == [charge]
    refused(store, message, charges.add_note, charge, today, "州院过问", staff_id=chief_id)
    refused(store, message, charges.request_extension, charge,
            (date.today() + timedelta(days=60)).isoformat(), "需要更多时间", staff_id=chief_id)
    refused(store, message, charges.close, charge, "resolved", "已化解", today)
    # Nor is a ledger kept by hand brought in for the county.
    with sheets.begin(store.paths) as space:
        staged = sheets.stage(space, ledger_workbook(built.folder / "台账.xlsx"))
        options = Options(Kind.LEDGER, office_id, fields.propose(Kind.LEDGER, staged.columns))
        refused(store, message, bringing.run_import, staged, options)


def test_the_hubs_own_ledger_is_kept_there(built: LedgerHub) -> None:
    store, today = built.store, date.today().isoformat()
    # A county's petitioner who also came to the prefecture: the prefecture's own entry.
    entry = entries.enter(store, EntryInput(built.person_ids[0], built.prefecture_id,
                                            "到州院上访", today))
    entries.add_movement(store, entry, today, MovementKind.OTHER, "到州院")
    entries.update(store, entry, EntryUpdate("情绪稳定", "解决住房"))
    levels.set_level(store, entry, "yellow", "到州院上访")
    detail = entries.entry_detail(store, entry)
    assert (detail.kept, detail.situation, detail.level, len(detail.movements)) \
        == (True, "情绪稳定", "yellow", 1)
    assert [r.entry_id for r in entries.ledger(store, built.prefecture_id)] == [entry]
    # The county's ledger is not changed by it.
    assert [r.entry_id for r in entries.ledger(store, built.office_ids[0])] \
        == [built.entry_ids[0]]


# -- on screen -------------------------------------------------------------------------------
def _window(qtbot, store: Store):  # type: ignore[no-untyped-def]
    from app.core.settings import load_settings
    from ui.core.language import LanguageManager
    from ui.main import application
    from ui.main_window import MainWindow

    application()
    win = MainWindow(tasks_for(store), store.paths, load_settings(store.paths),
                     LanguageManager())
    qtbot.addWidget(win)
    win.show()
    settle(qtbot, win.tasks)
    return win


def _names(table) -> list[str]:  # type: ignore[no-untyped-def]
    return [table.item(r, 0).text() for r in range(table.rowCount())]


def test_a_prefecture_leader_browses_a_countys_ledger_read_only_on_the_hub(  # type: ignore[no-untyped-def]
        qtbot, built: LedgerHub, monkeypatch) -> None:
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QDialog, QMessageBox

    from ui.ledger.entry_dialog import EntryDialog

    store = built.store
    own = entries.enter(store, EntryInput(built.person_ids[1], built.prefecture_id,
                                          "到州院上访", date.today().isoformat()))
    opened: list[QDialog] = []
    monkeypatch.setattr(EntryDialog, "exec", lambda self: opened.append(self) or 0)
    win = _window(qtbot, store)
    win.show_area("ledger")
    view = win.ledger
    qtbot.waitUntil(lambda: view.isVisible())
    # The hub's own office first, then each county the hub holds, in the display script.
    choice = view.office_choice
    assert choice.isVisible()
    assert [choice.itemData(i) for i in range(choice.count())] \
        == [built.prefecture_id, *sorted(built.office_ids, key=lambda o: _code(store, o))]
    assert choice.itemText(0) == "果洛藏族自治州人民检察院"
    assert [r.entry_id for r in view.rows] == [own]
    assert not view.enter_button.isHidden() and not view.kept_elsewhere.isVisible()
    # A county chosen: its key petitioner, read only; the tabs of the hub's own office only
    # cannot be chosen meanwhile.
    county = built.office_ids[0]
    choice.setCurrentIndex(choice.findData(county))
    assert _names(view.table) == ["卓嘎"] and view.office_id == county
    assert view.enter_button.isHidden() and view.kept_elsewhere.isVisible()
    view.tabs.setCurrentWidget(view.rules_page)
    assert view.rules_table.rowCount() > 0
    assert not view.edit_rule_button.isVisible() and not view.add_rule_button.isVisible()
    greyed = [view.tabs.tabText(i) for i in range(view.tabs.count())
              if not view.tabs.isTabEnabled(i)]
    assert greyed == [i18n._("Leaders in charge (领导包案)"), i18n._("Leaders' reception days")]
    # The paper exported from the area is the county's ledger.
    out = built.folder / "ledger.xlsx"
    told: list[str] = []
    monkeypatch.setattr("ui.ledger.ledger_papers.ask_xlsx", lambda *_args: out)
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    view.export_button.click()
    qtbot.waitUntil(lambda: bool(told), timeout=10000)
    sheet = load_workbook(out).active
    texts = {str(c.value) for row in sheet.iter_rows() for c in row if c.value}
    assert "卓嘎" in texts and "次仁" not in texts
    # Its entry opens to be read, with nothing to change it.
    view.table.selectRow(0)
    view.open_button.click()
    dialog = opened.pop()
    assert isinstance(dialog, EntryDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.kept_elsewhere.isVisible() and len(dialog.detail.movements) == 1
    for button in (dialog.save_button, dialog.status_button, dialog.movement_button,
                   dialog.measure_button, dialog.level_button, dialog.charge_button):
        assert not button.isVisible()
    assert not dialog.situation.isEnabled() and not dialog.movement_text.isEnabled()
    # Back to the hub's own office: its ledger can be changed again.
    choice.setCurrentIndex(0)
    assert [r.entry_id for r in view.rows] == [own] and not view.enter_button.isHidden()
    assert all(view.tabs.isTabEnabled(i) for i in range(view.tabs.count()))
    # In both scripts, the offices are named in both, Tibetan first.
    win.language.set_mode(i18n.BILINGUAL)
    qtbot.waitUntil(lambda: choice.itemText(0) == (
        "མགོ་ལོག་བོད་རིགས་རང་སྐྱོང་ཁུལ་མི་དམངས་ཞིབ་ཚགས་ཁང་།" + i18n.BILINGUAL_SEPARATOR
        + "果洛藏族自治州人民检察院"))
    assert choice.currentIndex() == 0


def _code(store: Store, office_id: str) -> str:
    with store.read() as session:
        office = session.get(Office, office_id)
        assert office is not None
        return office.division_code


def _name_zh(store: Store, office_id: str) -> str:
    with store.read() as session:
        office = session.get(Office, office_id)
        assert office is not None
        return office.name_zh
