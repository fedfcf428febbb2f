"""Logging in (issue 16): the first start makes an encrypted data file and the first account;
a data file of an earlier Doorstep is encrypted at a leader's first log-in; a wrong passphrase
opens nothing; passphrases are given, reset and changed by the right people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts import login
from app.accounts import staff as accounts
from app.accounts.login import NewAccount, StoreState
from app.cli.main import LOGIN_ENV
from app.core import access, keyring
from app.core.errors import ValidationError
from app.core.identity import this_device
from app.core.paths import AppPaths
from app.core.sealing import WRONG_PASSPHRASE
from models.audit import AuditEntry
from tests.helpers import DARLAG, office_with_staff
from tests.stores import open_test_store

PASSPHRASE = "雪山 གངས་རི 2026"


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "SCRYPT_N", 2**14)  # the least a copy may use


@pytest.fixture
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths(tmp_path / "data")


def _admin(**changes: str) -> NewAccount:
    fields = {"name_zh": "拉姆", "name_bo": "ལྷ་མོ", "role": "admin", "passphrase": PASSPHRASE,
              "again": PASSPHRASE} | changes
    return NewAccount(**fields)


@pytest.mark.sqlite_file
def test_the_first_start_makes_an_encrypted_data_file_and_its_first_account(
        paths: AppPaths) -> None:
    assert login.store_state(paths) is StoreState.NEW
    key, staff_id = login.first_start(paths, "12309窗口", DARLAG, _admin())
    assert login.store_state(paths) is StoreState.ENCRYPTED
    assert not (paths.data_dir / ".first-start").exists()
    assert [(a.staff_id, a.name_zh, a.role) for a in login.accounts(paths)] == [
        (staff_id, "拉姆", "admin")]
    assert login.unlock(paths, staff_id, PASSPHRASE) == key
    store = open_test_store(paths, key=key)
    try:
        user = login.begin(store, staff_id)
        assert (user.role, user.name_bo) == ("admin", "ལྷ་མོ")
        device = this_device(store)
        assert device is not None and device.name == "12309窗口" and device.office_id
        assert store.ctx.enforced and store.ctx.staff_id == staff_id
    finally:
        store.close()
    assert b"\xe6\x8b\x89\xe5\xa7\x86" not in paths.store.read_bytes()  # 拉姆, in UTF-8


@pytest.mark.parametrize(("changes", "message"), [
    ({"again": "something else"}, login.PASSPHRASES_DIFFER),
    ({"passphrase": "short", "again": "short"}, login.SHORT_PASSPHRASE),
    ({"role": "clerk"}, login.FIRST_ROLE),
    ({"name_zh": " "}, login.NAME_NEEDED),
])
def test_a_bad_first_account_makes_nothing(paths: AppPaths, changes: dict[str, str],
                                           message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        login.first_start(paths, "12309窗口", DARLAG, _admin(**changes))
    assert caught.value.message == message
    assert login.store_state(paths) is StoreState.NEW
    assert not keyring.keys_file(paths).exists()


def test_a_first_start_cut_short_is_a_first_start_again(paths: AppPaths) -> None:
    """A list of passphrases without a data file (a power cut between the two) is set aside,
    not deleted, and the next first start goes through."""
    paths.data_dir.mkdir(parents=True)
    keyring.create_keys_file(paths, keyring.new_store_key(),
                             keyring.Account("old", "旧", "", "admin"), PASSPHRASE)
    (paths.data_dir / ".first-start").mkdir()
    (paths.data_dir / ".first-start" / "doorstep.sqlite3").write_bytes(b"half")
    _key, staff_id = login.first_start(paths, "12309窗口", DARLAG, _admin())
    assert [a.staff_id for a in login.accounts(paths)] == [staff_id]
    assert len(list(paths.data_dir.glob("store-keys.json.unused-*"))) == 1


@pytest.mark.sqlite_file
def test_a_wrong_passphrase_opens_nothing_and_too_many_wait(paths: AppPaths) -> None:
    _key, staff_id = login.first_start(paths, "12309窗口", DARLAG, _admin())
    now = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    for i in range(login.MAX_FAILURES):
        with pytest.raises(ValidationError) as caught:
            login.unlock(paths, staff_id, f"wrong {i}", now=now + timedelta(seconds=i))
        assert caught.value.message == WRONG_PASSPHRASE
    with pytest.raises(ValidationError) as waiting:  # even the right one, for a minute
        login.unlock(paths, staff_id, PASSPHRASE, now=now + timedelta(seconds=10))
    assert waiting.value.message == login.TOO_MANY_FAILURES
    assert len(login.pending_failures(paths)) == login.MAX_FAILURES
    assert {who for who, _at in login.pending_failures(paths)} == {staff_id}
    key = login.unlock(paths, staff_id, PASSPHRASE, now=now + timedelta(minutes=2))
    store = open_test_store(paths, key=key)
    try:
        login.begin(store, staff_id)  # the wrong ones go to the record, with the log-in
        with store.read() as session:
            entries = session.execute(select(AuditEntry.action, AuditEntry.row_id,
                                             AuditEntry.staff_id)
                                      .order_by(AuditEntry.seq)).all()
    finally:
        store.close()
    assert [tuple(e) for e in entries[-login.MAX_FAILURES - 1:]] == [
        *[("failed_log_in", staff_id, staff_id)] * login.MAX_FAILURES,
        ("logged_in", staff_id, staff_id)]
    assert login.pending_failures(paths) == []
    with pytest.raises(ValidationError) as nobody:
        login.unlock(paths, "", PASSPHRASE)
    assert nobody.value.message == login.CHOOSE_ACCOUNT


@pytest.mark.sqlite_file
def test_an_earlier_plain_data_file_is_encrypted_at_a_leaders_first_log_in(
        paths: AppPaths) -> None:
    store = open_test_store(paths, create=True)
    _office, chief = office_with_staff(store)  # 更桑, the chief
    _office, clerk = office_with_staff(store, role="clerk")
    store.close()
    assert login.store_state(paths) is StoreState.PLAIN
    assert [a.staff_id for a in login.plain_store_leaders(paths)] == [chief]
    with pytest.raises(ValidationError) as not_a_leader:
        login.encrypt_at_log_in(paths, clerk, PASSPHRASE, PASSPHRASE)
    assert not_a_leader.value.message == login.NOT_A_LEADER_HERE
    assert login.store_state(paths) is StoreState.PLAIN

    key = login.encrypt_at_log_in(paths, chief, PASSPHRASE, PASSPHRASE)
    assert login.store_state(paths) is StoreState.ENCRYPTED
    assert login.unlock(paths, chief, PASSPHRASE) == key
    store = open_test_store(paths, key=key)
    try:
        assert login.begin(store, chief).name_zh == "更桑"
    finally:
        store.close()


@pytest.mark.sqlite_file
def test_a_plain_data_file_with_no_leader_gets_its_first_account(paths: AppPaths) -> None:
    store = open_test_store(paths, create=True)
    office_with_staff(store, role="clerk")
    store.close()
    key, staff_id = login.encrypt_with_new_account(paths, _admin())
    store = open_test_store(paths, key=key)
    try:
        assert login.begin(store, staff_id).role == "admin"
    finally:
        store.close()


@pytest.mark.sqlite_file
def test_passphrases_are_given_reset_and_changed_by_the_right_people(paths: AppPaths) -> None:
    key, admin = login.first_start(paths, "12309窗口", DARLAG, _admin())
    store = open_test_store(paths, key=key)
    try:
        login.begin(store, admin)
        clerk = accounts.add_staff(store, accounts.StaffInput("卓玛", "སྒྲོལ་མ", "clerk"),
                                   "卓玛的口令 1234", "卓玛的口令 1234")
        assert login.unlock(paths, clerk, "卓玛的口令 1234") == key
        listed = {a.staff_id: a.logs_in_here for a in accounts.staff_accounts(store)}
        assert listed == {admin: True, clerk: True}

        login.begin(store, clerk)
        with pytest.raises(access.NotPermittedError) as caught:
            accounts.set_passphrase(store, admin, "taken over 1234", "taken over 1234")
        assert caught.value.message == accounts.OWN_PASSPHRASE_ONLY
        with pytest.raises(ValidationError):  # the old one is asked for, and checked
            accounts.change_own_passphrase(store, "not mine", "new one 5678", "new one 5678")
        accounts.change_own_passphrase(store, "卓玛的口令 1234", "new one 5678", "new one 5678")
        assert login.unlock(paths, clerk, "new one 5678") == key

        login.begin(store, admin)  # she forgot it: the administrator sets a new one
        accounts.set_passphrase(store, clerk, "reset by admin", "reset by admin")
        with pytest.raises(ValidationError):
            login.unlock(paths, clerk, "new one 5678")
        assert login.unlock(paths, clerk, "reset by admin") == key

        accounts.remove_staff(store, clerk)  # she leaves
        with pytest.raises(keyring.KeyFileError):
            login.unlock(paths, clerk, "reset by admin")
        assert [a.staff_id for a in login.accounts(paths)] == [admin]
    finally:
        store.close()


def test_the_command_line_takes_the_same_credentials(paths: AppPaths) -> None:
    """An encrypted data file opens from the command line only for a staff member and their
    passphrase, and their role limits the command as in the window."""
    from tests.test_cli import run

    _key, admin = login.first_start(paths, "12309窗口", DARLAG, _admin())
    where = ["--data-dir", str(paths.data_dir)]
    nobody = run("export-table", "petitions", "--out", str(paths.data_dir / "p.csv"), *where)
    assert nobody.returncode == 1 and "--staff" in nobody.stderr
    assert "Traceback" not in nobody.stderr
    wrong = run("export-table", "petitions", "--out", str(paths.data_dir / "p.csv"), *where,
                "--staff", "拉姆", env={LOGIN_ENV: "not the passphrase"})
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert not (paths.data_dir / "p.csv").exists()
    assert login.pending_failures(paths) and login.pending_failures(paths)[0][0] == admin
    masked = run("export-table", "petitions", "--out", str(paths.data_dir / "p.csv"), *where,
                 "--staff", "ལྷ་མོ", env={LOGIN_ENV: PASSPHRASE})
    assert masked.returncode == 0, masked.stderr
    assert (paths.data_dir / "p.csv").exists()
    unmasked = run("export-table", "petitions", "--out", str(paths.data_dir / "q.csv"),
                   "--unmask", *where, "--staff", admin, env={LOGIN_ENV: PASSPHRASE})
    assert unmasked.returncode == 1  # the administrator does not see ID numbers
    assert not (paths.data_dir / "q.csv").exists()
