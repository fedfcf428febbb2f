"""Building blocks for tests: an office laptop ready to register, typical intake input."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.core.errors import AppError
from app.core.identity import ensure_device, set_up_device
from app.core.paths import AppPaths
from app.core.store import Store, open_store
from app.persons.records import PersonInput
from app.petitions.intake import PetitionInput, RegisteredPetition

DARLAG = "632624"


def set_up(store: Store, division_code: str = DARLAG) -> None:
    set_up_device(store, "12309窗口", division_code)


def tashi(**changes: object) -> PersonInput:
    person = PersonInput(name_bo="བཀྲ་ཤིས་ཚེ་རིང", name_zh="扎西才让", sex="M", ethnicity="04",
                         id_number="632624198503120012", phone="13909751234", county="达日县",
                         township="吉迈镇", village="查干村", herding_group="二社",
                         preferred_language="bo", needs_interpreter=True)
    for key, value in changes.items():
        setattr(person, key, value)
    return person


# A moment after every date these tests type: registering as of then (or of now, when the clock
# is later), no test depends on the day it runs.
AFTER_EVERY_TEST_DATE = datetime(2026, 12, 1, 9, 0)


def register(store: Store, data: PetitionInput, staff_id: str = "",
             now: datetime | None = None) -> RegisteredPetition:
    """``app.petitions.intake.register`` as of ``now``; by default as of a moment after the
    petition was received, whatever the wall clock says."""
    from app.petitions import intake

    return intake.register(store, data, staff_id,
                           now=now or max(AFTER_EVERY_TEST_DATE, datetime.now()))


def petition(when: datetime | str = "2026-11-20T09:30", **changes: object) -> PetitionInput:
    data = PetitionInput(
        channel="visit", received_at=when if isinstance(when, str) else when.isoformat(),
        persons=[tashi()], category="appeal", business_type="support_lawsuit",
        summary="草场承包纠纷，工程款被拖欠", requests="请求支持起诉，追回工资",
        jurisdiction="accept")
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def office_with_staff(store: Store, role: str = "chief") -> tuple[str, str]:
    """Set the laptop up for the office and add 更桑 (ཀུན་བཟང) to its staff; returns
    (office id, staff id)."""
    from app.core.identity import this_device
    from models import Staff

    set_up(store)
    device = this_device(store)
    assert device is not None and device.office_id is not None
    with store.write() as session:
        staff = Staff(office_id=device.office_id, name_zh="更桑", name_bo="ཀུན་བཟང", role=role,
                      phone="", active=True)
        session.add(staff)
        session.flush()
        return device.office_id, staff.id


def add_leaders(store: Store, office_id: str) -> tuple[str, str]:
    """A deputy chief procurator 才让 and a procurator 卓玛 for the office: their ids."""
    from models import Staff

    with store.write() as session:
        deputy = Staff(office_id=office_id, name_zh="才让", name_bo="ཚེ་རིང", role="deputy",
                       phone="", active=True)
        procurator = Staff(office_id=office_id, name_zh="卓玛", name_bo="སྒྲོལ་མ",
                           role="procurator", phone="", active=True)
        session.add_all([deputy, procurator])
        session.flush()
        return deputy.id, procurator.id


@dataclass
class AidOffice:
    """An office with a chief, a deputy (才让) and a procurator (卓玛), and one registered
    petition whose first party can be aided."""

    store: Store
    office_id: str
    chief: str
    deputy: str
    procurator: str
    petition_id: str
    person_id: str


def aid_office(store: Store, data: PetitionInput | None = None,
               now: datetime | None = None) -> AidOffice:
    from app.petitions.detail import petition_detail

    office_id, chief = office_with_staff(store)
    deputy, procurator = add_leaders(store, office_id)
    done = register(store, data or petition(), now=now)
    person = petition_detail(store, done.id).parties[0].person_id
    return AidOffice(store, office_id, chief, deputy, procurator, done.id, person)


def every_role(store: Store, now: datetime | None = None) -> tuple[AidOffice, dict[str, str]]:
    """``aid_office`` with one more staff member of each other role: the office, and a staff
    id for every role (chief, deputy, procurator, head, clerk, admin)."""
    from app.accounts import staff as accounts

    base = aid_office(store, now=now)
    by_role = {"chief": base.chief, "deputy": base.deputy, "procurator": base.procurator}
    for role in ("head", "clerk", "admin"):
        by_role[role] = accounts.add_staff(store, accounts.StaffInput(f"员工{role}", "", role))
    return base, by_role


def plain_demo(folder: Path, persons: int = 12) -> AppPaths:
    """A plain store in ``folder`` filled with the demo data, closed (for tests to copy)."""
    import demo.generate as demo

    paths = AppPaths(folder)
    store = open_store(paths)
    ensure_device(store, "test laptop")
    demo.fill(store, persons=persons)
    store.close()
    return paths


def tamper(store: Store, *statements: tuple[str, tuple[Any, ...]],
           tables: tuple[str, ...] = ("audit_entry",)) -> None:
    """Close the store, then change its file as someone with the file and a plain SQLite tool
    would: the triggers of ``tables`` (the guards, and the capture triggers, which need
    Doorstep's functions) dropped first, ``statements`` run, the triggers put back."""
    import sqlite3
    from contextlib import closing

    store.close()
    with closing(sqlite3.connect(store.paths.store)) as con:
        marks = ", ".join("?" for _ in tables)
        triggers = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            f" AND tbl_name IN ({marks})", tables).fetchall()
        for name, _sql in triggers:
            con.execute(f'DROP TRIGGER "{name}"')
        for sql, params in statements:
            con.execute(sql, params)
        for _name, ddl in triggers:
            con.execute(ddl)
        con.commit()


def pdf_text(pdf: bytes) -> str:
    """The text of every page of a PDF, as a reader copying it would get it."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return "".join(document[i].get_textpage().get_text_range()
                       for i in range(len(document)))
    finally:
        document.close()


_TASKS: dict[int, tuple[Store, Any]] = {}


def tasks_for(store: Store) -> Any:
    """The screens' way to the store (``ui.core.tasks.Tasks``), one per store as the main
    window has it; shut down after each test (conftest)."""
    from ui.core.tasks import Tasks

    found = _TASKS.get(id(store))
    if found is None or found[0] is not store:
        found = _TASKS[id(store)] = (store, Tasks(store))
    return found[1]


def shut_down_tasks() -> None:
    for _store, tasks in _TASKS.values():
        tasks.shut_down()
    _TASKS.clear()


def settle(qtbot: Any, tasks: Any, timeout_ms: int = 120_000) -> None:
    """Until the long operations started from the screens (``Tasks.run``) have finished and
    delivered their result on the GUI thread."""
    qtbot.waitUntil(lambda: not tasks.busy, timeout=timeout_ms)


def everything(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the store, as SQLite holds it: what "nothing changed"
    compares."""
    with store.read() as session:
        names = session.scalars(text(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() ORDER BY table_name" if store.on_server
            else "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).all()
        return {name: sorted((tuple(row) for row in session.execute(
                    text(f'SELECT * FROM "{name}"'))), key=repr)
                for name in names}


def refused(store: Store, message: str, call: Any, *args: Any, **kwargs: Any) -> AppError:
    """Call the use case ``call(store, *args, **kwargs)``: it must refuse with ``message``
    (its own, or one of its problems') and change nothing in the store."""
    before = everything(store)
    with pytest.raises(AppError) as caught:
        call(store, *args, **kwargs)
    error = caught.value
    said = [error.message, *(p.message for p in getattr(error, "problems", []))]
    assert message in said, said
    assert everything(store) == before
    return error


class Ticking:
    """A timer on the GUI thread, ticking every ``every_ms`` from now until ``stop``: proof
    that the event loop turns while something runs on the worker."""

    def __init__(self, every_ms: int = 20) -> None:
        from PySide6.QtCore import QTimer

        self.ticks: list[float] = []
        self.seen: list[int] = []  # how many ticks each call of a ``waiting`` function saw
        self._timer = QTimer()
        self._timer.timeout.connect(lambda: self.ticks.append(time.monotonic()))
        self._timer.start(every_ms)

    def waiting(self, original: Any, count: int = 10) -> Any:
        """``original``, made to wait until the timer has ticked ``count`` times (5 s at most)
        and to note how many ticks it saw: run on the GUI thread, no tick would ever come."""

        def slow(*args: Any, **kwargs: Any) -> Any:
            deadline = time.monotonic() + 5
            while len(self.ticks) < count and time.monotonic() < deadline:
                time.sleep(0.01)
            self.seen.append(len(self.ticks))
            return original(*args, **kwargs)

        return slow

    def stop(self) -> None:
        self._timer.stop()


def shared(tables: dict[str, Any]) -> dict[str, Any]:
    """A dump's tables without the entries each laptop writes on its own after an exchange
    (its record of the packages it wrote and read): what two laptops that met hold alike."""
    return tables | {"audit_entry": [row for row in tables["audit_entry"]
                                     if row["action"] not in ("exported", "imported")]}


def shared_dump(store: Store) -> str:
    """``dump_json`` of what two laptops that met hold alike (see ``shared``)."""
    import json

    from app.core.dump import dump

    return json.dumps(shared(dump(store)), ensure_ascii=False, sort_keys=True,
                      indent=1) + "\n"
