"""The store encrypted at rest (SQLCipher): nothing readable on disk, a wrong key opens nothing,
a plain store converted in place keeps every record, and the key unwrapped by passphrases."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

import demo.generate as demo
from app.core import cipher, keyring, sealing
from app.core.dump import dump
from app.core.errors import (
    DiskFullError,
    EncryptedStoreError,
    EncryptionFailedError,
    PlainStoreError,
    ReadOnlyDiskError,
    RefusedError,
    StoreInUseError,
    ValidationError,
    WrongKeyError,
)
from app.core.identity import ensure_device
from app.core.paths import AppPaths
from app.core.store import (
    ConnectionContext,
    Store,
    _register,
    inspect_store,
    key_pragma,
    make_engine,
    open_store,
)
from app.petitions.registry import RegistryFilter, petition_ids
from models import Person
from models import migrate as migrations
from models.aid import ZERO_PAYMENT
from tests.helpers import everything, petition, plain_demo, register, set_up


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> dict[Path, bytes]:
    """Every file under ``folder`` (the store, its WAL, the backups…) and its bytes."""
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _secrets(store: Store) -> set[str]:
    """What must never be readable on disk: every person's names, ID number and phone."""
    with store.read() as session:
        persons = session.query(Person).all()
        found = {v for p in persons for v in (p.name_zh, p.name_bo, p.id_number, p.phone) if v}
    assert any("\u0f00" <= c <= "\u0fff" for v in found for c in v), "Tibetan names too"
    return found


def _leaked(files: dict[Path, bytes], secrets: set[str]) -> list[tuple[str, str]]:
    return [(path.name, s) for path, data in files.items() for s in secrets
            if s.encode("utf-8") in data]


def _account(staff_id: str) -> keyring.Account:
    return keyring.Account(staff_id, "卓玛", "སྒྲོལ་མ", "chief")


@pytest.fixture
def key() -> bytes:
    return keyring.new_store_key()


@pytest.fixture
def encrypted(paths: AppPaths, key: bytes) -> Iterator[Store]:
    s = open_store(paths, key=key)
    ensure_device(s, "test laptop")
    yield s
    s.close()


@pytest.fixture
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "SCRYPT_N", 2**14)  # the least a copy may use: faster tests


# --- an encrypted store ---------------------------------------------------------------------------

@pytest.mark.slow
def test_an_encrypted_store_leaks_no_name_id_number_or_phone_and_still_finds_them(
        encrypted: Store) -> None:
    demo.fill(encrypted, persons=40)
    secrets = _secrets(encrypted)
    assert len(secrets) > 100
    backup = encrypted.backup("test")
    with encrypted.read() as session:
        name_zh, name_bo = session.execute(text(
            "SELECT name_zh, name_bo FROM person JOIN petition_party ON person_id = person.id"
            " WHERE name_bo <> '' ORDER BY person.id LIMIT 1")).one()
    # The search works inside the encrypted file: full-text (FTS5), triggers and functions.
    assert petition_ids(encrypted, RegistryFilter(text=name_zh))
    assert petition_ids(encrypted, RegistryFilter(text=name_bo))
    data_dir = encrypted.paths.data_dir
    while_open = _files(data_dir)
    assert encrypted.paths.store.with_name("doorstep.sqlite3-wal") in while_open
    assert backup in while_open
    assert _leaked(while_open, secrets) == []
    encrypted.close()
    closed = _files(data_dir)
    assert _leaked(closed, secrets) == []


def test_an_encrypted_store_keeps_wal_triggers_guards_and_search(encrypted: Store) -> None:
    set_up(encrypted)
    registered = register(encrypted, petition())
    with encrypted.read() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA cipher_version")).scalar()
        # The capture triggers called the registered functions: the change is in the log.
        assert session.execute(text("SELECT count(*) FROM sync_version WHERE row_id = :id"),
                               {"id": registered.id}).scalar()
    assert petition_ids(encrypted, RegistryFilter(text="扎西")) == [registered.id]
    assert petition_ids(encrypted, RegistryFilter(text="བཀྲ་ཤིས")) == [registered.id]
    # A guard's refusal (here the aid ledger's, on a table of this test) is told as such from
    # SQLCipher's driver too.
    with pytest.raises(RefusedError) as caught, encrypted.write() as session:
        session.execute(text("CREATE TEMP TABLE payment_test (amount INTEGER)"))
        session.execute(text(
            "CREATE TEMP TRIGGER payment_test_guard BEFORE INSERT ON payment_test BEGIN"
            f" SELECT RAISE(ABORT, '{ZERO_PAYMENT}'); END"))
        session.execute(text("INSERT INTO payment_test VALUES (0)"))
    assert caught.value.guard == ZERO_PAYMENT
    wal = encrypted.paths.store.with_name("doorstep.sqlite3-wal")
    encrypted.close()
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed on close


def test_the_wrong_key_opens_nothing_and_leaves_the_file_byte_identical(
        paths: AppPaths, key: bytes) -> None:
    open_store(paths, key=key).close()
    before = _files(paths.data_dir)
    with pytest.raises(WrongKeyError) as caught:
        open_store(paths, key=keyring.new_store_key())
    assert caught.value.message == "The passphrase does not open the data file {path}. It was " \
                                   "left as it was."
    with pytest.raises(EncryptedStoreError):
        open_store(paths)  # no key: told apart from a file that is not Doorstep's
    assert _files(paths.data_dir) == before
    assert inspect_store(paths.store, key) == migrations.head_revision()


def test_a_key_for_a_plain_store_is_refused_and_the_store_left_as_it_was(
        paths: AppPaths, key: bytes) -> None:
    open_store(paths).close()
    before = _files(paths.data_dir)
    with pytest.raises(PlainStoreError):
        open_store(paths, key=key)
    assert _files(paths.data_dir) == before
    open_store(paths).close()  # and it still opens as it always did


def test_an_old_encrypted_store_is_backed_up_encrypted_and_migrated(
        paths: AppPaths, key: bytes) -> None:
    paths.data_dir.mkdir(parents=True)
    ctx = ConnectionContext(device_id="00000000-0000-7000-8000-000000000001")
    engine = make_engine(paths.store, ctx, key)
    with engine.begin() as conn:
        migrations.upgrade(conn, "0001")
    engine.dispose()
    store = open_store(paths, key=key)
    try:
        with store.read() as session:
            assert session.execute(text("SELECT version_num FROM alembic_version")).scalar() \
                == migrations.head_revision()
    finally:
        store.close()
    [backup] = paths.backups.glob("*.sqlite3")
    assert not backup.read_bytes().startswith(b"SQLite format 3")
    assert inspect_store(backup, key) == "0001"


def test_the_key_is_the_first_statement_on_every_connection(paths: AppPaths, key: bytes) -> None:
    seen: list[str] = []
    store = open_store(paths, key=key)
    try:
        engine = store.engine
        event.listen(engine, "connect", lambda *_: seen.append("later listener"))
        store.engine.dispose()
        with store.read() as session:
            assert session.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    finally:
        store.close()
    assert seen == ["later listener"]
    assert key_pragma(key) == f"PRAGMA key = \"x'{key.hex()}'\""
    with pytest.raises(ValueError):
        key_pragma(b"short")
    # A plain engine on the encrypted file reads nothing.
    plain = create_engine(f"sqlite:///{paths.store}")
    event.listen(plain, "connect", lambda conn, _rec: _register(conn, ConnectionContext()))
    with pytest.raises(Exception, match="not a database"), plain.connect() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
    plain.dispose()


# --- converting a plain store in place ------------------------------------------------------------

@pytest.fixture(scope="module")
def plain_demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain store with the demo data, made once for this module's tests to copy."""
    return plain_demo(tmp_path_factory.mktemp("demo") / "data").store


@pytest.fixture
def plain_with_demo(paths: AppPaths, plain_demo_file: Path) -> AppPaths:
    paths.data_dir.mkdir(parents=True)
    shutil.copyfile(plain_demo_file, paths.store)
    return paths


def test_a_plain_store_converted_in_place_keeps_every_record(
        plain_with_demo: AppPaths, key: bytes, tmp_path: Path) -> None:
    paths = plain_with_demo
    store = open_store(paths)
    before, rows, secrets = dump(store), everything(store), _secrets(store)
    store.close()
    original = paths.store.read_bytes()
    assert _leaked({paths.store: original}, secrets), "the search finds plain text"
    backup = cipher.encrypt_store(paths, key)

    assert backup.parent == paths.backups and cipher.BEFORE_ENCRYPTION in backup.name
    assert _leaked({paths.store: paths.store.read_bytes()}, secrets) == []
    # The backup made before converting was encrypted once the store was: no plain copy left.
    assert _leaked(_files(paths.backups), secrets) == []
    assert not list(paths.data_dir.glob("*.encrypting*"))
    assert not list(paths.backups.glob("*.encrypting*"))
    assert not cipher.encryption_unfinished(paths)
    store = open_store(paths, key=key)
    try:
        assert dump(store) == before
        assert everything(store) == rows
    finally:
        store.close()
    # The backup holds the original: it opens as the store did, with the key.
    copy = AppPaths(tmp_path / "restored")
    copy.data_dir.mkdir()
    shutil.copyfile(backup, copy.store)
    assert original[:16] == b"SQLite format 3\x00" != backup.read_bytes()[:16]
    with pytest.raises(EncryptedStoreError):
        open_store(copy)
    restored = open_store(copy, key=key)
    try:
        assert dump(restored) == before
    finally:
        restored.close()
    with pytest.raises(EncryptedStoreError):
        cipher.encrypt_store(paths, key)  # once is enough


def _boom_verify(*_args: object) -> None:
    raise EncryptionFailedError(cipher.NOT_VERIFIED, path="x")


def _boom_replace(*_args: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _boom_export(*_args: object) -> None:
    raise OSError(errno.EROFS, "Read-only file system")


@pytest.mark.parametrize(("where", "boom", "error"), [
    ("_verify", _boom_verify, EncryptionFailedError),
    ("os.replace", _boom_replace, DiskFullError),
    ("_export", _boom_export, ReadOnlyDiskError),
])
def test_a_failure_during_conversion_leaves_the_plain_store_as_it_was(
        plain_with_demo: AppPaths, key: bytes, monkeypatch: pytest.MonkeyPatch, where: str,
        boom: object, error: type[Exception]) -> None:
    paths = plain_with_demo
    store = open_store(paths)
    before = dump(store)
    store.close()
    digest = _digest(paths.store)
    if where == "os.replace":
        monkeypatch.setattr(cipher.os, "replace", boom)
    else:
        monkeypatch.setattr(cipher, where, boom)
    with pytest.raises(error):
        cipher.encrypt_store(paths, key)
    monkeypatch.undo()
    assert _digest(paths.store) == digest
    assert not list(paths.data_dir.glob("*.encrypting*"))
    store = open_store(paths)
    try:
        assert dump(store) == before
    finally:
        store.close()


def test_a_store_in_use_is_not_converted(plain_with_demo: AppPaths, key: bytes,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    paths = plain_with_demo
    monkeypatch.setattr(cipher, "WAIT_FOR_OTHERS_S", 0.1)
    holder = sqlite3.connect(paths.store, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another program writing to it
        digest = _digest(paths.store)
        with pytest.raises(StoreInUseError):
            cipher.encrypt_store(paths, key)
    finally:
        holder.close()
    assert _digest(paths.store) == digest


# --- the key and its copies under passphrases ----------------------------------------------------

@pytest.mark.usefixtures("fast_scrypt")
def test_each_passphrase_unwraps_the_key_and_a_removed_one_no_longer_does(
        paths: AppPaths, key: bytes) -> None:
    paths.data_dir.mkdir(parents=True)
    keyring.create_keys_file(paths, key, _account("staff-1"), "雪山 གངས་རི 2026")
    assert keyring.unlock(paths, "staff-1", "雪山 གངས་རི 2026") == key
    with pytest.raises(ValidationError) as caught:
        keyring.unlock(paths, "staff-1", "wrong")
    assert caught.value.message == sealing.WRONG_PASSPHRASE
    keyring.add_passphrase(paths, key, _account("staff-2"), "second passphrase")
    assert keyring.staff_with_passphrase(paths) == ["staff-1", "staff-2"]
    assert [a.staff_id for a in keyring.accounts(paths)] == ["staff-1", "staff-2"]
    assert keyring.accounts(paths)[0].name_bo == "སྒྲོལ་མ"
    with pytest.raises(keyring.KeyFileError):
        keyring.add_passphrase(paths, keyring.new_store_key(), _account("staff-3"), "another key")
    with pytest.raises(keyring.KeyFileError):
        keyring.create_keys_file(paths, key, _account("staff-3"), "would lose the copies")

    keyring.remove_passphrase(paths, "staff-1")
    with pytest.raises(keyring.KeyFileError) as gone:
        keyring.unlock(paths, "staff-1", "雪山 གངས་རི 2026")
    assert gone.value.message == keyring.NO_PASSPHRASE_FOR
    assert keyring.unlock(paths, "staff-2", "second passphrase") == key
    with pytest.raises(keyring.KeyFileError) as last:
        keyring.remove_passphrase(paths, "staff-2")
    assert last.value.message == keyring.LAST_PASSPHRASE

    data = keyring.keys_file(paths).read_bytes()
    assert key not in data and key.hex().encode() not in data and sealing.b64(key).encode() \
        not in data
    # The key unwrapped opens the store made with it.
    open_store(paths, key=keyring.unlock(paths, "staff-2", "second passphrase")).close()


@pytest.mark.usefixtures("fast_scrypt")
def test_a_damaged_list_of_passphrases_is_told_as_such(paths: AppPaths, key: bytes) -> None:
    paths.data_dir.mkdir(parents=True)
    with pytest.raises(keyring.KeyFileError):
        keyring.unlock(paths, "staff-1", "anything")  # there is none yet
    keyring.create_keys_file(paths, key, _account("staff-1"), "passphrase")
    path = keyring.keys_file(paths)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(keyring.KeyFileError) as caught:
        keyring.unlock(paths, "staff-1", "passphrase")
    assert caught.value.message == keyring.NOT_A_KEYS_FILE
    assert os.path.exists(path)


def test_the_tables_export_reads_an_encrypted_store(encrypted: Store, tmp_path: Path) -> None:
    """The raw tables for the prefecture's own analysis come out of an encrypted store as out
    of a plain one, masked unless asked."""
    from app.statistics import tables
    from tests.helpers import office_with_staff, petition, register, tashi

    office_with_staff(encrypted)
    register(encrypted, petition(persons=[tashi(id_number="632624198503120012",
                                                phone="13909751234")]))
    masked, full = tmp_path / "masked.csv", tmp_path / "full.csv"
    tables.export_table(encrypted, "persons", masked)
    tables.export_table(encrypted, "persons", full, unmask=True)
    assert "632624198503120012" not in masked.read_text(encoding="utf-8-sig")
    assert "632624***********2" in masked.read_text(encoding="utf-8-sig")
    assert "632624198503120012" in full.read_text(encoding="utf-8-sig")
