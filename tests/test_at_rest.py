"""Nothing readable at rest: with the store encrypted, no person's name (Chinese or Tibetan), ID
number or phone can be found in any file of the data folder — the store, its WAL, the backups,
the attachments and their thumbnails, the list of passphrases — not with grep, not with
``strings``; the same search finds them in a plain data folder. A wrong passphrase or key opens
nothing and changes nothing."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import select

from app.core import cipher, file_cipher, keyring, sealing
from app.core.errors import EncryptedStoreError, ValidationError, WrongKeyError
from app.core.paths import AppPaths
from app.core.store import Store, open_store
from app.hearings import attachments
from app.petitions.drafts import load_intake_draft, save_intake_draft
from app.petitions.registry import RegistryFilter, petition_ids
from models import Agreement, Hearing, Person
from tests.helpers import petition, register, tashi
from tests.helpers import plain_demo as plain_demo_store

STAFF, PASSPHRASE = "staff-1", "雪山 གངས་རི 2026"
ACCOUNT = keyring.Account(STAFF, "卓玛", "", "chief")
# A petitioner registered after the conversion: what the WAL holds while the store is open.
LATE = tashi(name_zh="才让卓玛", name_bo="ཚེ་རིང་སྒྲོལ་མ", id_number="632624199001010029",
             phone="13897654321")


# --- what must not be found, and how it is looked for ---------------------------------------------

def _secrets(store: Store) -> set[str]:
    """Every person's names, ID number and phone."""
    with store.read() as session:
        found = {v for p in session.scalars(select(Person))
                 for v in (p.name_zh, p.name_bo, p.id_number, p.phone) if v}
    assert any("\u0f00" <= c <= "\u0fff" for v in found for c in v), "Tibetan names too"
    assert any(re.fullmatch(r"\d{17}[\dX]", v) for v in found), "ID numbers too"
    return found


def _files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


_PRINTABLE_RUN = re.compile(rb"[\x20-\x7e]{6,}")


def _found(data: bytes, secret: str) -> bool:
    """Whether ``secret`` can be read in ``data``: as grep finds it (its UTF-8 bytes, or
    UTF-16 as PDF metadata holds text), in what ``strings`` prints (runs of at least six
    printable ASCII characters), or in the text the bytes decode to as UTF-8."""
    if any(secret.encode(encoding) in data for encoding in ("utf-8", "utf-16-le", "utf-16-be")):
        return True
    if secret.isascii() and any(secret.encode() in run for run in _PRINTABLE_RUN.findall(data)):
        return True
    return secret in data.decode("utf-8", errors="ignore")


def _leaks(folder: Path, secrets: set[str]) -> dict[str, list[str]]:
    """Each file of ``folder`` (relative name) where a secret is found, with what is found."""
    leaks: dict[str, list[str]] = {}
    for path, data in _files(folder).items():
        found = sorted(s for s in secrets if _found(data, s))
        if found:
            leaks[str(path.relative_to(folder))] = found
    return leaks


# --- a data folder with everything in it ----------------------------------------------------------

@pytest.fixture(scope="module")
def plain_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain store with the demo data (made once for this module's tests to copy)."""
    return plain_demo_store(tmp_path_factory.mktemp("demo") / "data").data_dir


@pytest.fixture
def paths(plain_demo: Path, tmp_path: Path) -> AppPaths:
    copy = AppPaths(tmp_path / "data")
    shutil.copytree(plain_demo, copy.data_dir)
    return copy


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "SCRYPT_N", 2**14)  # the least a copy may use: faster tests


def _scans(store: Store, folder: Path, tag: str) -> list[Path]:
    """A photo and a PDF scan that hold a petitioner's names, ID number and phone as text (a
    PNG text chunk; a PDF's uncompressed page text and its UTF-16 title), as a scanner's or a
    phone's metadata may."""
    with store.read() as session:
        person = session.scalars(select(Person).where(Person.name_bo != "")
                                 .order_by(Person.id)).first()
        assert person is not None
        name_zh, name_bo, id_number, phone = (person.name_zh, person.name_bo,
                                              person.id_number, person.phone)
    photo = folder / f"photo-{tag}.png"
    info = PngInfo()
    info.add_itxt("Comment", f"{name_zh} {name_bo} {id_number} {phone} {tag}")
    Image.new("RGB", (300, 200), "white").save(photo, "PNG", pnginfo=info)
    scan = folder / f"scan-{tag}.pdf"
    paper = canvas.Canvas(str(scan), pagesize=A4, pageCompression=0)
    paper.setTitle(f"{name_zh} {name_bo}")
    paper.drawString(72, 800, f"ID {id_number} phone {phone} {tag}")
    paper.showPage()
    paper.save()
    return [photo, scan]


def _attach(store: Store, folder: Path, tag: str) -> list[attachments.AttachmentRow]:
    """The scans attached to the first hearing and agreement, and their thumbnails made."""
    with store.read() as session:
        hearing_id = session.scalars(select(Hearing.id).order_by(Hearing.id)).first()
        agreement_id = session.scalars(select(Agreement.id).order_by(Agreement.id)).first()
    assert hearing_id is not None and agreement_id is not None
    photo, scan = _scans(store, folder, tag)
    attachments.add_attachment(store, store.paths, "hearing", hearing_id, photo)
    attachments.add_attachment(store, store.paths, "agreement", agreement_id, scan)
    rows = [*attachments.attachments_of(store, store.paths, "hearing", hearing_id),
            *attachments.attachments_of(store, store.paths, "agreement", agreement_id)]
    for row in rows:
        attachments.thumbnail(store, row, 128)
    return rows


def _fill_and_scan_open(store: Store, tmp_path: Path, tag: str) -> dict[str, list[str]]:
    """Attachments, thumbnails, a backup, a new petitioner in the WAL; the data folder's leaks
    while the store is still open."""
    _attach(store, tmp_path, tag)
    store.backup(f"test-{tag}")
    save_intake_draft(store.paths, petition(persons=[LATE]))  # a form half typed
    register(store, petition(persons=[LATE]))
    assert store.paths.store.with_name(store.paths.store.name + "-wal").stat().st_size > 0
    return _leaks(store.paths.data_dir, _secrets(store))


# --- the tests ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_plain_data_folder_shows_names_id_numbers_and_phones(
        paths: AppPaths, tmp_path: Path) -> None:
    """The control: the same search finds them everywhere in a plain data folder."""
    store = open_store(paths)
    try:
        leaks = _fill_and_scan_open(store, tmp_path, "plain")
    finally:
        store.close()
    where = {name.split("/")[0] for name in leaks}
    assert {"doorstep.sqlite3", "doorstep.sqlite3-wal", "backups", "attachments",
            "drafts"} <= where
    assert any(LATE.name_bo in found for found in leaks.values())
    # What the search finds in a photo's text chunk and a PDF's page text.
    assert sum(1 for name in leaks if name.startswith("attachments/")) == 2


@pytest.mark.slow
def test_an_encrypted_data_folder_shows_no_name_id_number_or_phone(
        paths: AppPaths, tmp_path: Path) -> None:
    key = keyring.new_store_key()
    store = open_store(paths)
    before = _fill_and_scan_open(store, tmp_path, "before")  # plain files of every kind
    secrets = _secrets(store)
    store.close()
    assert {n.split("/")[0] for n in before} >= {"doorstep.sqlite3", "backups", "attachments"}
    keyring.create_keys_file(paths, key, ACCOUNT, PASSPHRASE)

    cipher.encrypt_store(paths, key)
    assert _leaks(paths.data_dir, secrets) == {}

    # Opened with the key a passphrase unwraps, used, and searched while open (WAL and all).
    store = open_store(paths, key=keyring.unlock(paths, STAFF, PASSPHRASE))
    try:
        rows = _attach(store, tmp_path, "after")
        store.backup("test-after")
        register(store, petition(persons=[tashi(name_zh="卓玛吉", name_bo="སྒྲོལ་མ་སྐྱིད",
                                                id_number="632624199202020020",
                                                phone="13997001122")]))
        secrets = _secrets(store)
        assert store.paths.store.with_name("doorstep.sqlite3-wal").stat().st_size > 0
        assert _leaks(paths.data_dir, secrets) == {}
        # And everything is there to be found and shown inside Doorstep.
        assert petition_ids(store, RegistryFilter(text=LATE.name_bo))
        assert petition_ids(store, RegistryFilter(text="卓玛吉"))
        draft = load_intake_draft(store.paths)  # the form sealed before, read back
        assert draft is not None and draft.persons[0].name_bo == LATE.name_bo
        for row in rows:
            content = attachments.attachment_bytes(store, row)
            assert hashlib.sha256(content).hexdigest() == row.sha256
            assert attachments.full_images(store, row)
    finally:
        store.close()
    assert _leaks(paths.data_dir, secrets) == {}
    assert not list(paths.data_dir.rglob("*.encrypting*"))
    assert not cipher.encryption_unfinished(paths)


@pytest.mark.slow
def test_a_conversion_cut_short_is_finished_when_the_store_is_next_opened(
        paths: AppPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = keyring.new_store_key()
    store = open_store(paths)
    _fill_and_scan_open(store, tmp_path, "cut")
    secrets = _secrets(store)
    store.close()
    sealed: list[str] = []
    real = cipher.seal_in_place

    def power_cut_after_one(path: Path, name: str, files: file_cipher.FileCipher) -> bool:
        if sealed:
            raise RuntimeError("power cut")
        sealed.append(name)
        return real(path, name, files)

    monkeypatch.setattr(cipher, "seal_in_place", power_cut_after_one)
    with pytest.raises(RuntimeError, match="power cut"):
        cipher.encrypt_store(paths, key)
    monkeypatch.undo()
    # The store is encrypted; the files beside it are part sealed, part plain.
    assert cipher.encryption_unfinished(paths)
    with pytest.raises(EncryptedStoreError):
        open_store(paths)
    leaks = _leaks(paths.data_dir, secrets)
    assert "doorstep.sqlite3" not in leaks and leaks

    store = open_store(paths, key=key)  # finishes what was left
    try:
        assert not cipher.encryption_unfinished(paths)
        assert _leaks(paths.data_dir, secrets) == {}
        for folder in ("attachments", "thumbnails"):
            for path in (paths.data_dir / folder).rglob("*"):
                assert path.is_dir() or file_cipher.is_sealed(path.read_bytes()), path
        with store.read() as session:
            found = session.scalars(select(Hearing.id)).first()
        assert found is not None
        for row in attachments.attachments_of(store, store.paths, "hearing", found):
            assert hashlib.sha256(attachments.attachment_bytes(store, row)).hexdigest() \
                == row.sha256
    finally:
        store.close()


@pytest.mark.slow
def test_a_wrong_passphrase_or_key_opens_nothing_and_changes_nothing(
        paths: AppPaths, tmp_path: Path) -> None:
    key = keyring.new_store_key()
    store = open_store(paths)
    rows = _attach(store, tmp_path, "wrong")
    store.close()
    keyring.create_keys_file(paths, key, ACCOUNT, PASSPHRASE)
    cipher.encrypt_store(paths, key)
    before = {p: hashlib.sha256(d).hexdigest() for p, d in _files(paths.data_dir).items()}

    with pytest.raises(ValidationError) as caught:
        keyring.unlock(paths, STAFF, "雪山 གངས་རི 2025")
    assert caught.value.message == sealing.WRONG_PASSPHRASE
    with pytest.raises(keyring.KeyFileError):
        keyring.unlock(paths, "someone-else", PASSPHRASE)
    with pytest.raises(WrongKeyError):
        open_store(paths, key=keyring.new_store_key())
    with pytest.raises(EncryptedStoreError):
        open_store(paths)
    # Nor does another key open an attachment or a thumbnail.
    other = file_cipher.FileCipher(keyring.new_store_key())
    for row in rows:
        with pytest.raises(file_cipher.SealedFileError):
            file_cipher.read_file(attachments.stored_path(paths, row.sha256), row.sha256, other)
    # Every file is as it was, and none was added (no WAL, no journal).
    assert {p: hashlib.sha256(d).hexdigest() for p, d in _files(paths.data_dir).items()} \
        == before
