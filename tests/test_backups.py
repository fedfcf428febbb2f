"""Backups that restore: made each day and before every import, kept in rotation, encrypted like
the store, checked before a restore (a damaged one changes nothing), and a laptop restored from
one ends converged with the office after the next exchange, nothing lost, no version id used
twice."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.backups import service as backups
from app.core import backups as files
from app.core import keyring
from app.core.dump import dump_json
from app.core.errors import FolderMissingError, ValidationError
from app.core.i18n import _
from app.core.identity import set_up_device
from app.core.paths import AppPaths
from app.core.store import Store, open_store
from app.sync import crypto, service
from models import Petition
from tests.helpers import DARLAG, petition, register, set_up, settle, shared_dump, tasks_for

PASS = "backups-pass"
SECRETS = ("扎西才让", "བཀྲ་ཤིས་ཚེ་རིང", "632624198503120012", "13909751234")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leaked(path: Path) -> list[str]:
    data = path.read_bytes()
    return [s for s in SECRETS if s.encode("utf-8") in data]


@pytest.fixture
def plain(tmp_path: Path) -> Iterator[Store]:
    store = open_store(AppPaths(tmp_path / "data"))
    set_up(store)
    register(store, petition())
    yield store
    store.close()


# -- automatic backups ----------------------------------------------------------------------------
def test_the_daily_backup_is_made_once_a_day(plain: Store) -> None:
    today = date.today()
    first = files.back_up_daily(plain, today)
    assert first is not None and first.exists()
    assert files.back_up_daily(plain, today) is None  # once a day only
    assert files.daily_backup_due(plain.paths, today + timedelta(days=1))
    second = files.back_up_daily(plain, today + timedelta(days=1))
    assert second is not None and second != first
    assert [b.kind for b in backups.list_backups(plain.paths)] == ["daily", "daily"]


def test_rotation_keeps_the_newest_of_each_kind(plain: Store) -> None:
    start = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    for day in range(10):
        files.write_backup(plain.paths.store, plain.paths.backups, files.DAILY, None,
                           now=start + timedelta(days=day))
    for n in range(5):
        files.write_backup(plain.paths.store, plain.paths.backups, files.IMPORT, None,
                           now=start + timedelta(hours=n))
    for n in range(4):
        files.write_backup(plain.paths.store, plain.paths.backups, f"rev000{n}", None,
                           now=start + timedelta(minutes=n))
    found = backups.list_backups(plain.paths)
    kinds = [b.kind for b in found]
    assert kinds.count("daily") == files.KEEP["daily"] == 7
    assert kinds.count("import") == files.KEEP["import"] == 3
    assert kinds.count("migration") == files.KEEP["migration"] == 3
    daily = [b.taken_at for b in found if b.kind == "daily"]
    assert min(daily) == start + timedelta(days=3)  # the oldest three went
    assert not list(plain.paths.backups.glob("*.part"))


def test_a_backup_of_a_plain_store_is_checked_and_opens(plain: Store) -> None:
    made = backups.back_up_now(plain)
    assert made.read_bytes()[:16] == b"SQLite format 3\x00"
    assert files.check_copy(made, None, full=True) is not None
    copy = AppPaths(made.parent / "copy")
    copy.data_dir.mkdir()
    shutil.copyfile(made, copy.store)
    opened = open_store(copy, create=False)
    try:
        assert dump_json(opened) == dump_json(plain)
    finally:
        opened.close()


def test_a_backup_of_an_encrypted_store_is_encrypted_and_opens_with_the_key(
        tmp_path: Path) -> None:
    key = keyring.new_store_key()
    store = open_store(AppPaths(tmp_path / "enc"), key=key)
    try:
        set_up(store)
        register(store, petition())
        made = backups.back_up_now(store)
        data = made.read_bytes()
        assert not data.startswith(b"SQLite format 3")
        assert _leaked(made) == []
        assert files.check_copy(made, key, full=True) is not None
        assert files.check_copy(made, None) is None  # without the key it opens nothing
        assert files.check_copy(made, keyring.new_store_key()) is None
        with store.read() as session:
            assert session.scalars(select(Petition)).first() is not None
    finally:
        store.close()


def test_the_search_would_find_the_names_in_a_plain_backup(plain: Store) -> None:
    """The leak check above can fail: the same search finds them in a plain store's backup."""
    assert _leaked(backups.back_up_now(plain))


# -- restoring ------------------------------------------------------------------------------------
def test_a_damaged_or_truncated_backup_is_refused_and_the_store_is_untouched(
        plain: Store, tmp_path: Path) -> None:
    made = backups.back_up_now(plain)
    register(plain, petition(summary="备份以后"))
    paths = plain.paths
    before = dump_json(plain)
    plain.close()
    digest = _sha(paths.store)

    truncated = tmp_path / "truncated.sqlite3"
    truncated.write_bytes(made.read_bytes()[: made.stat().st_size // 2])
    damaged = tmp_path / "damaged.sqlite3"
    data = bytearray(made.read_bytes())
    for at in range(4096 + 100, len(data), 4096):  # a scratch across every page but the first
        data[at:at + 64] = b"\xff" * 64
    damaged.write_bytes(bytes(data))
    other = tmp_path / "notes.txt"
    other.write_text("不是备份", encoding="utf-8")
    for bad in (truncated, damaged, other):
        with pytest.raises(files.BackupError) as refused:
            backups.restore_backup(paths, bad, None)
        assert refused.value.message in (backups.DAMAGED, backups.NOT_A_BACKUP), bad
        assert _sha(paths.store) == digest
    assert not list(paths.backups.glob("*before-restore*"))
    store = open_store(paths, create=False)
    try:
        assert dump_json(store) == before
    finally:
        store.close()


def test_a_restore_can_be_undone(plain: Store) -> None:
    made = backups.back_up_now(plain)
    register(plain, petition(summary="备份以后"))
    paths, after = plain.paths, dump_json(plain)
    plain.close()
    done = backups.restore_backup(paths, made, None)
    assert done.undo is not None and done.new_log is None  # never enrolled: nothing was sent
    restored = open_store(paths, create=False)
    try:
        assert "备份以后" not in dump_json(restored)
    finally:
        restored.close()
    backups.restore_backup(paths, done.undo, None)
    again = open_store(paths, create=False)
    try:
        assert dump_json(again) == after
    finally:
        again.close()


def test_another_laptops_backup_is_restored_only_when_asked(plain: Store,
                                                          tmp_path: Path) -> None:
    other = open_store(AppPaths(tmp_path / "other"))
    set_up_device(other, "另一台电脑", DARLAG)
    made = backups.back_up_now(other)
    other.close()
    paths = plain.paths
    plain.close()
    digest = _sha(paths.store)
    with pytest.raises(backups.OtherLaptopError) as refused:
        backups.restore_backup(paths, made, None)
    assert "另一台电脑" in refused.value.translated()
    assert _sha(paths.store) == digest
    backups.restore_backup(paths, made, None, other_laptop=True)
    assert _sha(paths.store) != digest


def test_a_usb_backup_carries_the_store_and_the_list_of_passphrases(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "SCRYPT_N", 2**14)
    key = keyring.new_store_key()
    paths = AppPaths(tmp_path / "enc")
    store = open_store(paths, key=key)
    try:
        set_up(store)
        register(store, petition())
        keyring.create_keys_file(paths, key, keyring.Account("staff-1", "卓玛", "", "chief"),
                                 "long passphrase")
        stick = tmp_path / "stick"
        with pytest.raises(FolderMissingError):
            backups.back_up_to_folder(store, stick)
        stick.mkdir()
        made = backups.back_up_to_folder(store, stick)
        assert made.folder.parent == stick and made.keys_file is not None
        assert _leaked(made.store_file) == []
        # A new laptop: the key from the stick's list of passphrases opens the backup.
        fresh = AppPaths(tmp_path / "new laptop")
        fresh.data_dir.mkdir()
        found = keyring.unlock(AppPaths(made.folder), "staff-1", "long passphrase")
        assert found == key
        backups.restore_backup(fresh, made.store_file, found)
        assert (fresh.data_dir / backups.KEYS_FILE).is_file()
        opened = open_store(fresh, key=found, create=False)
        try:
            assert dump_json(opened) == dump_json(store)
        finally:
            opened.close()
    finally:
        store.close()


# -- a restored laptop converges with the office -------------------------------------------------
@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Store]]:
    monkeypatch.setattr(crypto, "SCRYPT_N", 2**14)
    master = open_store(AppPaths(tmp_path / "master"))
    set_up_device(master, "县院主机", DARLAG)
    service.set_up_office(master, PASS)
    register(master, petition(summary="主机的登记"))
    laptop = open_store(AppPaths(tmp_path / "a"))
    request = service.enrolment_request(laptop, PASS, DARLAG, "下乡笔记本甲")
    service.accept_grant(laptop, service.enrol(master, request, PASS), PASS)
    service.import_package(laptop, service.export(master, tmp_path / "first.dsp", PASS,
                                                  full=True).path, PASS)
    stores = {"master": master, "a": laptop}
    yield stores
    for store in stores.values():
        store.close()


def _carry(stores: dict[str, Store], source: str, target: str) -> service.ImportResult:
    folder = stores[source].paths.data_dir.parent
    n = len(list(folder.glob("*.dsp")))
    package = service.export(stores[source], folder / f"p{n}.dsp", PASS).path
    return service.import_package(stores[target], package, PASS)


def _summaries(store: Store) -> dict[str, str]:
    with store.read() as session:
        return {p.summary: p.reg_no for p in session.scalars(
            select(Petition).where(Petition.deleted.is_(False)))}


def _logs_of_petition(store: Store, summary: str) -> set[str]:
    with store.read() as session:
        found = session.scalars(select(Petition).where(Petition.summary == summary)).one()
        return {str(r[0]) for r in session.connection().exec_driver_sql(
            "SELECT device_id FROM sync_version WHERE tbl = 'petition' AND row_id = ?",
            (found.id,))}


def _apart(store: Store) -> list[tuple[str, str]]:
    with store.read() as session:
        return [(str(r[0]), str(r[1])) for r in session.connection().exec_driver_sql(
            "SELECT log_id, reason FROM sync_apart")]


def test_a_laptop_restored_from_a_backup_converges_with_the_office_nothing_lost(
        office: dict[str, Store]) -> None:
    a = office["a"]
    device = a.device_id
    assert device is not None
    first = register(a, petition(summary="备份前的登记"))
    _carry(office, "a", "master")
    made = backups.back_up_now(a)
    later = register(a, petition(summary="备份后的登记"))
    _carry(office, "a", "master")  # the office holds it; the backup does not
    assert any(b.kind == "import" for b in backups.list_backups(office["master"].paths))

    paths = a.paths
    a.close()
    with pytest.raises(ValidationError):  # the sync keys sign the fresh log: wrong passphrase
        backups.restore_backup(paths, made, None, "not the passphrase")
    done = backups.restore_backup(paths, made, None, PASS)
    a = office["a"] = open_store(paths, create=False)
    assert done.new_log is not None and done.info.device_id == device
    assert a.ctx.log_id == done.new_log != device
    assert "备份后的登记" not in _summaries(a)  # gone here, for now

    # New work after the restore goes to the fresh log: no version id is written twice. Until
    # A has read back what it registered after the backup, it gives a provisional number.
    new = register(a, petition(summary="恢复后的登记"))
    assert _logs_of_petition(a, "恢复后的登记") == {done.new_log}
    assert "临" in new.reg_no

    got = _carry(office, "a", "master")
    assert got.forks == () and not got.restored
    got = _carry(office, "master", "a")
    assert got.forks == () and not got.restored  # A moved to a fresh log already
    _carry(office, "a", "master")
    _carry(office, "master", "a")
    master = office["master"]
    numbers = _summaries(a)
    assert numbers["备份前的登记"] == first.reg_no
    assert numbers["备份后的登记"] == later.reg_no  # came back from the office
    assert "恢复后的登记" in numbers
    assert numbers == _summaries(master)
    assert shared_dump(a) == shared_dump(master)
    assert _apart(a) == [] and _apart(master) == []  # nothing kept apart as a fork
    # Caught up, A takes real numbers again, none it used before.
    after = register(a, petition(summary="赶上以后的登记"))
    assert "临" not in after.reg_no and after.reg_no not in (first.reg_no, later.reg_no)


# -- the screens ----------------------------------------------------------------------------------
def test_the_backups_dialog_lists_backs_up_and_hands_over_a_confirmed_restore(
        plain: Store, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from ui.office.backups_dialog import BackupsDialog

    tasks = tasks_for(plain)
    dialog = BackupsDialog(tasks)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1 and not dialog.restore_button.isEnabled()  # none yet
    dialog.back_up_button.click()
    settle(qtbot, tasks)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == _("Made by hand")
    dialog.table.selectRow(0)
    assert dialog.restore_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(dialog.restore_chosen) as chosen:
        dialog.restore_button.click()
        settle(qtbot, tasks)
    assert chosen.args == [str(backups.list_backups(plain.paths)[0].path)]


def test_the_command_line_backs_up_and_restores(plain: Store, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli.main import main

    paths = plain.paths
    plain.close()
    data = str(paths.data_dir)
    assert main(["backup", "--data-dir", data]) == 0
    [made] = backups.list_backups(paths)
    stick = tmp_path / "stick"
    stick.mkdir()
    assert main(["backup", "--data-dir", data, "--to", str(stick)]) == 0
    assert len(list(stick.glob("Doorstep-backup-*/doorstep-*-usb.sqlite3"))) == 1
    assert main(["backup", "--data-dir", data, "--to", str(tmp_path / "no stick")]) == 1
    assert "no stick" in capsys.readouterr().err
    truncated = tmp_path / "half.sqlite3"
    truncated.write_bytes(made.path.read_bytes()[:4096])
    assert main(["restore", "--data-dir", data, str(truncated)]) == 1
    assert main(["restore", "--data-dir", data, str(made.path)]) == 0
    assert _(backups.RESTORED).split("{when}")[0] in capsys.readouterr().out
    assert any(b.kind == "before-restore" for b in backups.list_backups(paths))
