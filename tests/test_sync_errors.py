"""Known problems on the command line and in the Sync screens: each gets its own message (one
line on stderr, exit code 1, never a traceback) and changes nothing. A mistyped --data-dir
makes nothing; an unexpected problem goes to the log file, not to the terminal."""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

import app.core.store as store_module
from app.cli.main import INTERRUPTED, UNEXPECTED, main
from app.core import errors, files
from app.core.dump import dump_json
from app.core.formatting import format_short_datetime
from app.core.i18n import _
from app.core.identity import set_up_device, this_device
from app.core.paths import STORE_FILE, AppPaths
from app.core.store import open_store
from app.sync import cli as sync_cli
from app.sync import container, engine, service
from models.sync import hlc_wall_ms
from tests.helpers import DARLAG, add_leaders, petition, register, settle
from tests.test_sync_ui import Dialogs, Laptops, _view, dialogs, enrolled, laptops  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
PASS = "office-pass"
# Not compared: what any command writes (its log), and SQLite's own files beside the store.
_EPHEMERAL = re.compile(r"(^|/)(logs|scratch)(/|$)|-(wal|shm)$")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A master laptop (a petition, a hearing with a scan) and a field laptop enrolled and
    holding the office's data; ``grant`` is the field laptop's grant, ``next.dsp`` a full
    package from the master with one petition the field laptop lacks. Stores closed."""
    from PIL import Image

    from app.hearings import attachments
    from app.hearings import record as hearings
    from app.hearings.record import HearingInput
    from app.petitions.detail import petition_detail

    root = tmp_path_factory.mktemp("office")
    master = open_store(AppPaths(root / "master"))
    set_up_device(master, "县院主机", DARLAG)
    service.set_up_office(master, PASS)
    done = register(master, petition())
    info = this_device(master)
    assert info is not None and info.office_id is not None
    _deputy, procurator = add_leaders(master, info.office_id)
    party = petition_detail(master, done.id).parties[0].person_id
    hearing = hearings.record_hearing(master, HearingInput(
        petition_id=done.id, kind="public", held_at="2026-11-22T10:00", place="听证室",
        host_id=procurator, party_ids=[party]))
    photo = root / "scan.png"
    Image.new("RGB", (300, 200), "white").save(photo)
    attachments.add_attachment(master, master.paths, "hearing", hearing, photo)
    field = open_store(AppPaths(root / "field"))
    request = service.enrolment_request(field, PASS, DARLAG, "下乡笔记本")
    grant = service.enrol(master, request, PASS)
    (root / "grant").write_bytes(grant)
    service.accept_grant(field, grant, PASS)
    service.import_package(field, service.export(master, root / "first.dsp", PASS,
                                                 full=True).path, PASS)
    register(master, petition("2026-11-21T10:00", summary="新的信访"))
    service.export(master, root / "next.dsp", PASS, full=True)
    master.close()
    field.close()
    return root


@dataclass
class Office:
    root: Path
    master: Path
    field: Path
    usb: Path


@pytest.fixture
def office(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Office:
    root = tmp_path / "office"
    shutil.copytree(template, root)
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setenv(service.PASSPHRASE_ENV, PASS)
    monkeypatch.delenv("DOORSTEP_HOME", raising=False)
    return Office(root, root / "master", root / "field", usb)


def state(folder: Path) -> tuple[str, list[str]]:
    """Every live record, and the folder's files: what "nothing changed" compares."""
    store = open_store(AppPaths(folder), create=False)
    try:
        dumped = dump_json(store)
    finally:
        store.close()
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                   if not _EPHEMERAL.search(p.relative_to(folder).as_posix()))
    return dumped, files


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys: pytest.CaptureFixture[str], message: str, *args: str | Path) -> None:
    """The command exits 1 with exactly ``message`` on stderr and no traceback."""
    code, out, err = run(capsys, *args)
    assert code == 1, (out, err)
    assert err.strip() == message
    assert "Traceback" not in err and "Traceback" not in out


# -- package and passphrase files ---------------------------------------------------------------
def test_importing_a_package_that_is_not_there_says_so(
        capsys: pytest.CaptureFixture[str], office: Office) -> None:
    before = state(office.field)
    missing = office.usb / "doorstep-县院主机.dsp"
    refused(capsys, _(service.PACKAGE_MISSING).format(path=missing),
            "import", missing, "--data-dir", office.field)
    assert state(office.field) == before


def test_importing_a_folder_says_it_is_a_folder(
        capsys: pytest.CaptureFixture[str], office: Office) -> None:
    before = state(office.field)
    refused(capsys, _(service.PACKAGE_IS_A_FOLDER).format(path=office.usb),
            "import", office.usb, "--data-dir", office.field)
    assert state(office.field) == before


def test_a_passphrase_file_that_is_missing_or_unreadable_says_so(
        capsys: pytest.CaptureFixture[str], office: Office) -> None:
    before = state(office.field)
    missing = office.usb / "passphrase.txt"
    refused(capsys, _(sync_cli.PASSPHRASE_FILE_MISSING).format(path=missing),
            "import", office.root / "next.dsp", "--data-dir", office.field,
            "--passphrase-file", missing)
    binary = office.usb / "passphrase.bin"
    binary.write_bytes(b"\xff\xfe\x00bad")
    for unreadable in (binary, office.usb):
        refused(capsys, _(sync_cli.PASSPHRASE_FILE_UNREADABLE).format(path=unreadable),
                "export", "--to", office.usb / "out.dsp", "--data-dir", office.field,
                "--passphrase-file", unreadable)
    assert state(office.field) == before
    assert not (office.usb / "out.dsp").exists()


# -- the data folder ----------------------------------------------------------------------------
def test_a_data_folder_that_is_a_file_says_so(
        capsys: pytest.CaptureFixture[str], office: Office) -> None:
    a_file = office.usb / "doorstep"
    a_file.write_text("not a folder", encoding="utf-8")
    message = _(store_module.DATA_DIR_IS_A_FILE).format(path=a_file)
    refused(capsys, message, "dump", "--data-dir", a_file)
    refused(capsys, message, "import", office.root / "next.dsp", "--data-dir", a_file)
    # The demo generator (outside the shipped package) says it the same way.
    from demo.__main__ import main as demo_main

    assert demo_main(["--data-dir", str(a_file / "inside")]) == 1
    assert capsys.readouterr().err.strip() == message
    assert a_file.read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize("command", [
    ["dump"], ["conflicts"], ["export", "--to", "{usb}/out.dsp"], ["import", "{next}"],
    ["accept-grant", "{grant}"], ["sync-history"], ["roster"], ["resolve", "1", "1"],
    ["office-setup"]])
def test_a_mistyped_data_folder_makes_nothing(
        capsys: pytest.CaptureFixture[str], office: Office, command: list[str]) -> None:
    typo = office.root / "feild"
    args = [a.format(usb=office.usb, next=office.root / "next.dsp", grant=office.root / "grant")
            for a in command]
    refused(capsys, _(store_module.NO_STORE).format(path=typo), *args, "--data-dir", typo)
    assert not typo.exists()
    assert list(office.usb.iterdir()) == []


def test_a_mistyped_doorstep_home_makes_nothing(
        capsys: pytest.CaptureFixture[str], office: Office,
        monkeypatch: pytest.MonkeyPatch) -> None:
    typo = office.root / "Doorstep-typo"
    monkeypatch.setenv("DOORSTEP_HOME", str(typo))
    refused(capsys, _(store_module.NO_STORE).format(path=typo), "dump")
    assert not typo.exists()


def test_an_enrolment_request_with_a_bad_office_makes_no_store(
        capsys: pytest.CaptureFixture[str], office: Office) -> None:
    new = office.root / "new-laptop"
    code, _out, err = run(capsys, "enrol-request", "--data-dir", new, "--office", "999999",
                          "--out", office.usb / "request")
    assert code == 1 and "Traceback" not in err
    assert not new.exists()
    code, _out, err = run(capsys, "enrol-request", "--data-dir", new, "--office", DARLAG,
                          "--out", office.usb / "request")
    assert code == 0, err
    assert (new / STORE_FILE).exists()  # a new laptop's store is made by its request


# -- full, read-only and locked disks -------------------------------------------------------------
def test_a_full_disk_while_exporting_says_so_and_leaves_no_package(
        capsys: pytest.CaptureFixture[str], office: Office,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*_args: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(container._StreamWriter, "write", full)
    before = state(office.master)
    target = office.usb / "out.dsp"
    refused(capsys, _(errors.DISK_FULL).format(path=target),
            "export", "--to", target, "--data-dir", office.master)
    assert list(office.usb.iterdir()) == []
    assert state(office.master) == before


def test_a_full_disk_while_importing_says_so(
        capsys: pytest.CaptureFixture[str], office: Office,
        monkeypatch: pytest.MonkeyPatch) -> None:
    before = state(office.field)
    # The scan in the package is written to the data folder's disk: it is full.
    original = container._FileSink.write

    def full(self: Any, piece: memoryview) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(container._FileSink, "write", full)
    refused(capsys, _(errors.DISK_FULL).format(path=office.field),
            "import", office.root / "next.dsp", "--data-dir", office.field)
    assert state(office.field) == before

    # The database's own file cannot grow (SQLite: "database or disk is full").
    monkeypatch.setattr(container._FileSink, "write", original)
    register_functions = store_module._register

    def no_room(connection: sqlite3.Connection, ctx: Any) -> None:
        register_functions(connection, ctx)
        connection.execute("PRAGMA max_page_count = 1")  # no page beyond those it has

    monkeypatch.setattr(store_module, "_register", no_room)
    refused(capsys, _(errors.DISK_FULL).format(path=office.field / STORE_FILE),
            "import", office.root / "next.dsp", "--data-dir", office.field)
    monkeypatch.setattr(store_module, "_register", register_functions)
    assert state(office.field) == before


def test_a_read_only_disk_is_not_called_a_foreign_file(
        capsys: pytest.CaptureFixture[str], office: Office,
        monkeypatch: pytest.MonkeyPatch) -> None:
    before = state(office.field)
    # On a read-only disk SQLite cannot make the WAL index beside the file, so it cannot
    # even open it to read (tests run as root: permissions would not stop them).
    connect = sqlite3.connect

    def cannot_open(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        error = sqlite3.OperationalError("unable to open database file")
        error.sqlite_errorcode = sqlite3.SQLITE_CANTOPEN  # type: ignore[attr-defined]
        raise error

    monkeypatch.setattr(sqlite3, "connect", cannot_open)
    message = _(store_module.NOT_WRITABLE).format(path=office.field / STORE_FILE)
    refused(capsys, message, "dump", "--data-dir", office.field)
    refused(capsys, message, "import", office.root / "next.dsp", "--data-dir", office.field)
    monkeypatch.setattr(sqlite3, "connect", connect)

    # Opened, but every write is refused by SQLite ("attempt to write a readonly database").
    register_functions = store_module._register

    def read_only(connection: sqlite3.Connection, ctx: Any) -> None:
        register_functions(connection, ctx)
        connection.execute("PRAGMA query_only = 1")

    monkeypatch.setattr(store_module, "_register", read_only)
    refused(capsys, message, "import", office.root / "next.dsp", "--data-dir", office.field)
    monkeypatch.setattr(store_module, "_register", register_functions)
    assert state(office.field) == before


def test_a_package_written_to_a_read_only_or_protected_folder_says_so(
        capsys: pytest.CaptureFixture[str], office: Office,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    before = state(office.master)
    target = office.usb / "out.dsp"
    for code, message in ((errno.EROFS, errors.READ_ONLY_DISK),
                          (errno.EACCES, errors.NOT_ALLOWED)):
        def refuse(*_args: Any, code: int = code, **_kwargs: Any) -> Any:
            raise OSError(code, os.strerror(code), str(office.usb / ".out.dsp.x.part"))

        monkeypatch.setattr(files, "tempfile", SimpleNamespace(mkstemp=refuse))
        refused(capsys, _(message).format(path=target),
                "export", "--to", target, "--data-dir", office.master)
    assert list(office.usb.iterdir()) == []
    assert state(office.master) == before


@pytest.mark.parametrize("command", ["import", "export"])
def test_a_data_file_locked_by_another_program_says_so(
        capsys: pytest.CaptureFixture[str], office: Office, monkeypatch: pytest.MonkeyPatch,
        command: str) -> None:
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    before = state(office.field)
    holder = sqlite3.connect(office.field / STORE_FILE, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        args: list[str | Path] = (["import", office.root / "next.dsp"] if command == "import"
                                  else ["export", "--to", office.usb / "out.dsp"])
        refused(capsys, _(store_module.IN_USE).format(path=office.field / STORE_FILE),
                *args, "--data-dir", office.field)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert state(office.field) == before
    assert list(office.usb.iterdir()) == []  # the package it wrote is not left behind


def test_a_locked_data_file_from_another_process_gives_one_line(office: Office) -> None:
    """As a person sees it: another process holds the file; the command's own busy timeout."""
    holder = sqlite3.connect(office.field / STORE_FILE, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    code = ("import sys, app.core.store, app.cli.main as m; app.core.store.BUSY_TIMEOUT_MS = 300; "
            "sys.exit(m.main(sys.argv[1:]))")
    try:
        result = subprocess.run(
            [sys.executable, "-c", code, "dump", "--data-dir", str(office.field)], cwd=ROOT,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, capture_output=True,
            text=True, encoding="utf-8", timeout=120, check=False)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1
    assert result.stderr.strip() == _(store_module.IN_USE).format(
        path=office.field / STORE_FILE)
    assert result.stdout == ""


# -- a package that cannot be applied -------------------------------------------------------------
def test_a_signed_package_whose_versions_cannot_be_applied_changes_nothing(
        capsys: pytest.CaptureFixture[str], office: Office,
        caplog: pytest.LogCaptureFixture) -> None:
    # The master's software writes a version this laptop's database refuses: a petition's
    # registration number emptied (NOT NULL). The master signs it like any of its versions.
    with sqlite3.connect(office.master / STORE_FILE) as con:
        log_id, row_id, top, hlc = con.execute(
            "SELECT v.device_id, v.row_id, (SELECT MAX(counter) FROM sync_version"
            " WHERE device_id = v.device_id), (SELECT MAX(hlc) FROM sync_version)"
            " FROM sync_version v WHERE v.tbl = 'petition' AND v.field = 'reg_no'"
            " ORDER BY v.counter LIMIT 1").fetchone()
        con.execute("INSERT INTO sync_version (device_id, counter, hlc, tbl, row_id, field,"
                    " value, parents) VALUES (?, ?, ?, 'petition', ?, 'reg_no', NULL, '[]')",
                    (log_id, top + 1, hlc + 1, row_id))
    bad = office.usb / "bad.dsp"
    assert run(capsys, "export", "--to", bad, "--full", "--data-dir", office.master)[0] == 0

    before = state(office.field)
    refused(capsys, _(service.NOT_APPLIED), "import", bad, "--data-dir", office.field)
    assert state(office.field) == before
    # The technical detail is in the log, never on the screen.
    assert any("could not be applied" in r.getMessage() and r.exc_info for r in caplog.records)


# -- accept-grant and conflicts -----------------------------------------------------------------
def test_accept_grant_says_when_it_took_nothing(
        capsys: pytest.CaptureFixture[str], office: Office) -> None:
    grant = office.root / "grant"
    before = state(office.field)
    refused(capsys, _(service.GRANT_ALREADY_ACCEPTED).format(version=2),
            "accept-grant", grant, "--data-dir", office.field)
    assert state(office.field) == before

    # The master enrols the laptop again (version 3); the old grant is then older.
    request = office.usb / "request"
    assert run(capsys, "enrol-request", "--data-dir", office.field, "--out", request)[0] == 0
    newer = office.usb / "grant-3"
    assert run(capsys, "enrol", request, "--data-dir", office.master, "--out", newer)[0] == 0
    code, out, _err = run(capsys, "accept-grant", newer, "--data-dir", office.field)
    assert code == 0 and "3" in out
    before = state(office.field)
    refused(capsys, _(service.GRANT_OLDER).format(version=2, stored=3),
            "accept-grant", grant, "--data-dir", office.field)
    assert state(office.field) == before


def test_conflicts_show_when_each_value_was_written(
        capsys: pytest.CaptureFixture[str], office: Office) -> None:
    from sqlalchemy import select

    from models import Person

    for folder, name in ((office.master, "扎西"), (office.field, "才让")):
        store = open_store(AppPaths(folder), create=False)
        with store.write() as session:
            person = session.scalars(select(Person).order_by(Person.id)).first()
            assert person is not None
            person.name_zh = name
        store.close()
    back = office.usb / "back.dsp"
    assert run(capsys, "export", "--to", back, "--data-dir", office.field)[0] == 0
    assert run(capsys, "import", back, "--data-dir", office.master)[0] == 0
    code, out, _err = run(capsys, "conflicts", "--data-dir", office.master)
    assert code == 0
    store = open_store(AppPaths(office.master), create=False)
    try:
        [conflict] = engine.conflicts(store)
    finally:
        store.close()
    for candidate in conflict.candidates:
        when = format_short_datetime(datetime.fromtimestamp(hlc_wall_ms(candidate.hlc) / 1000))
        assert when in out
        assert str(candidate.hlc) not in out


# -- the last resort ----------------------------------------------------------------------------
def test_an_unexpected_problem_goes_to_the_log_file_not_the_terminal(office: Office) -> None:
    code = ("import sys, app.core.dump, app.cli.main as m\n"
            "def boom(store):\n"
            "    raise RuntimeError('the dump broke')\n"
            "app.core.dump.dump_json = boom\n"
            "sys.exit(m.main(sys.argv[1:]))\n")
    result = subprocess.run(
        [sys.executable, "-c", code, "dump", "--data-dir", str(office.field)], cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, capture_output=True, text=True,
        encoding="utf-8", timeout=120, check=False)
    log_file = office.field / "logs" / "doorstep.log"
    assert result.returncode == 2
    assert result.stderr.strip() == _(UNEXPECTED).format(path=log_file)
    assert "Traceback" not in result.stderr and "the dump broke" not in result.stderr
    logged = log_file.read_text(encoding="utf-8")
    assert "Traceback" in logged and "RuntimeError: the dump broke" in logged


def test_ctrl_c_stops_cleanly(capsys: pytest.CaptureFixture[str], office: Office,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(_store: Any) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("app.core.dump.dump_json", interrupted)
    code, _out, err = run(capsys, "dump", "--data-dir", office.field)
    assert code == 130
    assert err.strip() == _(INTERRUPTED)


# -- the Sync screens ---------------------------------------------------------------------------
def test_reading_a_missing_package_or_a_folder_in_the_screens_says_so(
        qtbot: Any, dialogs: Dialogs, enrolled: Laptops) -> None:  # noqa: F811
    view = _view(qtbot, enrolled.field)
    before = dump_json(enrolled.field)
    missing = enrolled.folder / "gone.dsp"
    for chosen, message in ((missing, service.PACKAGE_MISSING),
                            (enrolled.folder, service.PACKAGE_IS_A_FOLDER)):
        dialogs.open_from.append(chosen)
        qtbot.mouseClick(view.packages.import_button, Qt.MouseButton.LeftButton)
        settle(qtbot, view._tasks)
        expected = _(message).format(path=chosen)
        assert expected in dialogs.warnings[-1]
        assert "Errno" not in dialogs.warnings[-1]
    assert dialogs.prompts == []  # refused before the passphrase was asked for
    assert dump_json(enrolled.field) == before
