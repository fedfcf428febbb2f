"""Scans and photos of signed papers kept with hearings and agreements."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import func, select

from app.core import file_cipher, keyring
from app.core.errors import AppError
from app.core.i18n import _
from app.core.identity import ensure_device
from app.core.paths import AppPaths
from app.core.store import Store
from app.hearings import agreements, attachments
from app.hearings import record as hearings
from app.hearings.attachments import AttachmentRow
from app.hearings.record import HearingInput, OfficerInput
from app.petitions.detail import petition_detail
from models import Attachment
from tests.helpers import office_with_staff, petition, register, tasks_for
from tests.stores import open_test_store

NOW = datetime(2026, 11, 24, 16, 0)
EXIF_ORIENTATION = 0x0112


class Case:
    def __init__(self, store: Store, paths: AppPaths, petition_id: str, hearing_id: str,
                 agreement_id: str, staff_id: str) -> None:
        self.store, self.paths = store, paths
        self.petition_id, self.hearing_id = petition_id, hearing_id
        self.agreement_id, self.staff_id = agreement_id, staff_id


@pytest.fixture
def case(store: Store) -> Case:
    """A petition with a doorstep hearing held and its agreement drafted."""
    return _case(store)


@pytest.fixture
def encrypted_case(tmp_path: Path) -> Iterator[Case]:
    """As ``case``, on a store encrypted at rest."""
    store = open_test_store(AppPaths(tmp_path / "encrypted"), key=keyring.new_store_key())
    ensure_device(store, "test laptop")
    yield _case(store)
    store.close()


def _case(store: Store) -> Case:
    office_id, chief_id = office_with_staff(store)
    petition_id = register(store, petition(), now=NOW).id
    officer = hearings.save_officer(store, OfficerInput(office_id, "索南", "བསོད་ནམས",
                                                        "deputy"))
    party = petition_detail(store, petition_id).parties[0].person_id
    hearing_id = hearings.record_hearing(store, HearingInput(
        petition_id=petition_id, kind="doorstep", held_at="2026-11-24T14:00",
        township="窝赛乡", place="信访人家中帐篷", host_id=chief_id, officer_ids=[officer],
        party_ids=[party], statements=[(("party", party), "同意。")],
        opinions={officer: "同意息诉。"}, outcome="settled"), chief_id, now=NOW)
    agreement_id = agreements.draft_agreement(store, store.paths, hearing_id, chief_id)
    return Case(store, store.paths, petition_id, hearing_id, agreement_id, chief_id)


def make_jpeg(path: Path, size: tuple[int, int] = (320, 160), orientation: int = 1) -> Path:
    image = Image.new("RGB", size, "white")
    image.paste((200, 30, 30), (0, 0, size[0] // 2, size[1]))  # red on the left half
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    image.save(path, "JPEG", exif=exif.tobytes())
    return path


def make_png(path: Path, colour: str = "navy") -> Path:
    Image.new("RGB", (240, 180), colour).save(path, "PNG")
    return path


def make_pdf(path: Path, pages: int = 2) -> Path:
    paper = canvas.Canvas(str(path), pagesize=A4)
    for number in range(pages):
        paper.rect(72, 72, 300, 500, fill=1)
        paper.drawString(72, 800, f"Page {number + 1}")
        paper.showPage()
    paper.save()
    return path


def stored_files(paths: AppPaths) -> list[Path]:
    if not paths.attachments.exists():
        return []
    return sorted(p for p in paths.attachments.rglob("*") if p.is_file())


def attachment_count(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(Attachment)) or 0)


def test_photos_and_scans_are_kept_once_under_their_hash(case: Case, tmp_path: Path) -> None:
    jpeg = make_jpeg(tmp_path / "签字页.jpg")
    png = make_png(tmp_path / "thumbprint.png")
    pdf = make_pdf(tmp_path / "scan.pdf")
    ids = [attachments.add_attachment(case.store, case.paths, "agreement", case.agreement_id,
                                      source, caption=caption, staff_id=case.staff_id,
                                      now=NOW)
           for source, caption in ((jpeg, "信访人签字"), (png, ""), (pdf, "扫描件"))]

    rows = attachments.attachments_of(case.store, case.paths, "agreement", case.agreement_id)
    assert [r.id for r in rows] == ids
    assert [(r.file_name, r.media_type) for r in rows] == [
        ("签字页.jpg", "image/jpeg"), ("thumbprint.png", "image/png"),
        ("scan.pdf", "application/pdf")]
    assert all(r.present for r in rows) and rows[0].caption == "信访人签字"
    for row, source in zip(rows, (jpeg, png, pdf), strict=True):
        content = source.read_bytes()
        assert row.sha256 == hashlib.sha256(content).hexdigest() and row.size == len(content)
        stored = case.paths.attachments / row.sha256[:2] / row.sha256
        assert stored.read_bytes() == content
        assert attachments.attachment_path(case.paths, row) == stored

    # The same photo kept with the hearing too: a second record, the same single file.
    attachments.add_attachment(case.store, case.paths, "hearing", case.hearing_id, jpeg)
    assert len(attachments.attachments_of(case.store, case.paths, "hearing",
                                          case.hearing_id)) == 1
    assert len(stored_files(case.paths)) == 3
    history = [h.action for h in petition_detail(case.store, case.petition_id).history]
    assert history.count("attachment_added") == 4


def test_the_same_file_twice_on_one_record_is_refused(case: Case, tmp_path: Path) -> None:
    photo = make_jpeg(tmp_path / "photo.jpg")
    attachments.add_attachment(case.store, case.paths, "agreement", case.agreement_id, photo)
    before = stored_files(case.paths)
    again = tmp_path / "IMG_0001.jpg"  # renamed, same content
    again.write_bytes(photo.read_bytes())
    for source in (photo, again):
        with pytest.raises(AppError) as caught:
            attachments.add_attachment(case.store, case.paths, "agreement", case.agreement_id,
                                       source)
        assert source.name in caught.value.translated()
    assert "photo.jpg" in caught.value.translated()  # it says which one it already is
    assert attachment_count(case.store) == 1 and stored_files(case.paths) == before


def test_what_is_not_a_good_photo_or_scan_is_refused(case: Case, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(source: Path) -> str:
        with pytest.raises(AppError) as caught:
            attachments.add_attachment(case.store, case.paths, "agreement", case.agreement_id,
                                       source)
        text = caught.value.translated()
        assert source.name in text
        return caught.value.message

    text_file = tmp_path / "notes.jpg"
    text_file.write_text("这不是照片", encoding="utf-8")
    assert "JPEG" in refused(text_file)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    assert "empty" in refused(empty)
    good_png = make_png(tmp_path / "good.png").read_bytes()
    cut_png = tmp_path / "cut.png"
    cut_png.write_bytes(good_png[:-12])  # the end of the file never arrived
    assert "damaged" in refused(cut_png)
    good_jpeg = make_jpeg(tmp_path / "good.jpg").read_bytes()
    cut_jpeg = tmp_path / "cut.jpg"
    cut_jpeg.write_bytes(good_jpeg[: len(good_jpeg) // 2])
    assert "damaged" in refused(cut_jpeg)
    good_pdf = make_pdf(tmp_path / "good.pdf").read_bytes()
    cut_pdf = tmp_path / "cut.pdf"
    cut_pdf.write_bytes(good_pdf[: len(good_pdf) - 40])
    assert "damaged" in refused(cut_pdf)
    missing = tmp_path / "gone.jpg"
    assert "cannot be read" in refused(missing)
    monkeypatch.setattr(attachments, "MAX_SIZE", 100)
    assert "too large" in refused(tmp_path / "good.png")
    assert attachment_count(case.store) == 0 and stored_files(case.paths) == []


def test_only_a_live_record_takes_attachments(case: Case, tmp_path: Path) -> None:
    photo = make_png(tmp_path / "p.png")
    with pytest.raises(AppError):
        attachments.add_attachment(case.store, case.paths, "hearing", "no-such-hearing", photo)
    assert stored_files(case.paths) == []


def test_phone_photo_turned_by_exif_is_shown_upright(case: Case, tmp_path: Path) -> None:
    # Stored 320×160 with "turn 90° clockwise to view": the person saw a tall picture.
    photo = make_jpeg(tmp_path / "phone.jpg", (320, 160), orientation=6)
    attachments.add_attachment(case.store, case.paths, "agreement", case.agreement_id, photo)
    row = attachments.attachments_of(case.store, case.paths, "agreement", case.agreement_id)[0]
    small = attachments.thumbnail(case.store, row, 160)
    kept = case.paths.data_dir / "thumbnails" / f"{row.sha256}-160.png"
    assert kept.read_bytes() == small  # a plain store keeps it plain
    with Image.open(io.BytesIO(small)) as image:
        assert image.format == "PNG" and image.size == (80, 160)
        # The red half was on the left; turned clockwise it is on top.
        assert image.convert("RGB").getpixel((40, 20))[0] > 150  # type: ignore[index]
        assert image.convert("RGB").getpixel((40, 140)) == pytest.approx((255, 255, 255),
                                                                       abs=12)
    made = kept.stat().st_mtime_ns
    assert attachments.thumbnail(case.store, row, 160) == small
    assert kept.stat().st_mtime_ns == made  # cached
    [full] = attachments.full_images(case.store, row)
    with Image.open(io.BytesIO(full)) as image:
        assert image.format == "PNG" and image.size == (160, 320)


def test_pdf_scan_shows_its_first_page_and_every_page(case: Case, tmp_path: Path) -> None:
    scan = make_pdf(tmp_path / "scan.pdf", pages=3)
    attachments.add_attachment(case.store, case.paths, "hearing", case.hearing_id, scan)
    row = attachments.attachments_of(case.store, case.paths, "hearing", case.hearing_id)[0]
    with Image.open(io.BytesIO(attachments.thumbnail(case.store, row, 120))) as image:
        width, height = image.size
        assert height == 120 and 80 <= width <= 90  # A4 upright
        darkest = image.convert("L").getextrema()[0]
        assert isinstance(darkest, int) and darkest < 50  # the black box was drawn
    pages = attachments.full_images(case.store, row, dpi=72)
    assert len(pages) == 3
    with Image.open(io.BytesIO(pages[0])) as image:
        assert image.size[0] in (595, 596) and image.size[1] in (842, 843)  # A4 at 72 dpi


def test_a_file_not_yet_arrived_is_listed_but_not_shown(case: Case) -> None:
    # The record came from another laptop; its file has not been copied here yet.
    with case.store.write() as session:
        session.add(Attachment(owner_kind="agreement", owner_id=case.agreement_id,
                               sha256="ab" * 32, file_name="签字.jpg", media_type="image/jpeg",
                               size=1234, added_at="2026-11-25T10:00", caption=""))
    [row] = attachments.attachments_of(case.store, case.paths, "agreement", case.agreement_id)
    assert not row.present
    with pytest.raises(AppError) as caught:
        attachments.attachment_path(case.paths, row)
    assert caught.value.translated() == _(attachments.NOT_ARRIVED).format(name="签字.jpg")
    for show in (attachments.attachment_bytes, attachments.thumbnail, attachments.full_images):
        with pytest.raises(AppError) as caught:
            show(case.store, row)
        assert caught.value.translated() == _(attachments.NOT_ARRIVED).format(name="签字.jpg")


def test_removing_keeps_the_record_and_the_file(case: Case, tmp_path: Path) -> None:
    photo = make_jpeg(tmp_path / "photo.jpg")
    first = attachments.add_attachment(case.store, case.paths, "agreement", case.agreement_id,
                                       photo)
    attachments.add_attachment(case.store, case.paths, "hearing", case.hearing_id, photo)
    attachments.remove_attachment(case.store, first, case.staff_id)
    assert attachments.attachments_of(case.store, case.paths, "agreement",
                                      case.agreement_id) == []
    with case.store.read() as session:
        removed = session.get(Attachment, first)
        assert removed is not None and removed.deleted
    assert len(stored_files(case.paths)) == 1
    assert attachments.attachments_of(case.store, case.paths, "hearing", case.hearing_id)[0] \
        .present
    with pytest.raises(AppError):
        attachments.remove_attachment(case.store, first)
    # Removed by mistake: it can be attached again.
    attachments.add_attachment(case.store, case.paths, "agreement", case.agreement_id, photo)
    history = [h.action for h in petition_detail(case.store, case.petition_id).history]
    assert "attachment_removed" in history


@pytest.mark.sqlite_file
def test_on_an_encrypted_store_files_and_thumbnails_are_encrypted_and_shown(
        encrypted_case: Case, tmp_path: Path) -> None:
    case = encrypted_case
    photo = make_jpeg(tmp_path / "签字页.jpg", orientation=6)
    scan = make_pdf(tmp_path / "scan.pdf", pages=2)
    for source in (photo, scan):
        attachments.add_attachment(case.store, case.paths, "agreement", case.agreement_id,
                                   source)
    # Kept once, by the hash of its plain content: the same photo on the hearing adds no file.
    attachments.add_attachment(case.store, case.paths, "hearing", case.hearing_id, photo)
    assert len(stored_files(case.paths)) == 2
    rows = attachments.attachments_of(case.store, case.paths, "agreement", case.agreement_id)
    assert all(r.present for r in rows)
    for row, source in zip(rows, (photo, scan), strict=True):
        content = source.read_bytes()
        assert row.sha256 == hashlib.sha256(content).hexdigest()
        on_disk = attachments.attachment_path(case.paths, row).read_bytes()
        assert file_cipher.is_sealed(on_disk) and content[64:128] not in on_disk
        assert attachments.attachment_bytes(case.store, row) == content
        small = attachments.thumbnail(case.store, row, 120)
        with Image.open(io.BytesIO(small)) as image:
            assert image.format == "PNG" and max(image.size) == 120
        kept = case.paths.data_dir / "thumbnails" / f"{row.sha256}-120.png"
        assert file_cipher.is_sealed(kept.read_bytes()) and b"IHDR" not in kept.read_bytes()
        assert attachments.thumbnail(case.store, row, 120) == small  # read back, decrypted
    [upright] = attachments.full_images(case.store, rows[0])
    with Image.open(io.BytesIO(upright)) as image:
        assert image.size == (160, 320)
    assert len(attachments.full_images(case.store, rows[1], dpi=72)) == 2

    # A file sealed under another attachment's name does not open there: it is not shown.
    photo_file = attachments.attachment_path(case.paths, rows[0])
    files = case.store.file_cipher()
    assert files is not None
    photo_file.write_bytes(files.seal(rows[1].sha256, photo.read_bytes()))
    with pytest.raises(AppError) as caught:
        attachments.attachment_bytes(case.store, rows[0])
    assert caught.value.translated() == _(attachments.NOT_THIS_STORE).format(name="签字页.jpg")
    # A plain file left from before the store was encrypted is read as it is, and sealed
    # when the same file is attached again.
    photo_file.write_bytes(photo.read_bytes())
    assert attachments.full_images(case.store, rows[0])
    attachments.remove_attachment(case.store, rows[0].id)
    attachments.add_attachment(case.store, case.paths, "agreement", case.agreement_id, photo)
    assert file_cipher.is_sealed(photo_file.read_bytes())


# --- the strip of thumbnails in the agreement and hearing dialogs ---------------------------


@pytest.mark.parametrize("which", [
    "case", pytest.param("encrypted_case", marks=pytest.mark.sqlite_file)])
def test_strip_adds_shows_and_removes_attachments(qtbot, which: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  request: pytest.FixtureRequest) -> None:
    """On a plain store and on one encrypted at rest alike."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from ui.hearings.attachments_view import AttachmentsStrip, AttachmentViewer
    from ui.main import application

    application()
    case: Case = request.getfixturevalue(which)
    strip = AttachmentsStrip(tasks_for(case.store), case.paths, "agreement")
    qtbot.addWidget(strip)
    strip.show()
    assert not strip.add_button.isEnabled() and not strip.hint.isHidden()

    strip.set_owner(case.agreement_id)
    assert strip.add_button.isEnabled() and strip.hint.isHidden() and strip.list.count() == 0
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda _parent, _title, text, *a, **k: warnings.append(text))
    bad = tmp_path / "letter.jpg"
    bad.write_text("not a photo", encoding="utf-8")
    photo = make_jpeg(tmp_path / "signed.jpg", orientation=6)
    scan = make_pdf(tmp_path / "scan.pdf", pages=2)
    with qtbot.waitSignal(strip.changed):
        added = strip.add_files([photo, bad, scan])
    # The good ones are kept; the bad one is named in a single message.
    assert len(added) == 2 and strip.list.count() == 2
    assert len(warnings) == 1 and "letter.jpg" in warnings[0] and "signed.jpg" not in warnings[0]
    assert strip.list.item(1).text().startswith("scan.pdf")
    assert not strip.list.item(0).icon().isNull()
    assert strip.current_row() is not None and strip.current_row().id == added[-1]  # type: ignore[union-attr]

    # Enter on the scan opens it, every page stacked, fitted to the width until zoomed.
    shown: list[AttachmentViewer] = []
    def opened(viewer: AttachmentViewer) -> int:
        shown.append(viewer)
        return 0

    monkeypatch.setattr(AttachmentViewer, "exec", opened)
    strip.list.setFocus()
    qtbot.keyClick(strip.list, Qt.Key.Key_Return)
    assert len(shown) == 1
    viewer = shown.pop()
    qtbot.addWidget(viewer)
    assert viewer.windowTitle() == "scan.pdf" and len(viewer.page_labels) == 2
    assert viewer.fits_width()
    viewer.zoom = 1.0
    viewer.fit_button.setChecked(False)
    width = viewer.page_labels[0].width()
    viewer.zoom_in()
    assert viewer.page_labels[0].width() > width and not viewer.fits_width()
    viewer.zoom_out()
    viewer.zoom_out()
    assert viewer.page_labels[0].width() < width

    # The photo opens upright.
    strip.select(added[0])
    photo_viewer = strip.open_current()
    assert photo_viewer is not None
    qtbot.addWidget(photo_viewer)
    assert photo_viewer.pixmaps[0].height() > photo_viewer.pixmaps[0].width()

    # Remove asks first; No keeps it, Yes takes it off.
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    strip.remove_button.click()
    assert strip.list.count() == 2
    with qtbot.waitSignal(strip.changed):
        strip.remove_button.click()
    assert strip.list.count() == 1 and strip.list.item(0).text().startswith("scan.pdf")
    assert [r.id for r in attachments.attachments_of(
        case.store, case.paths, "agreement", case.agreement_id)] == [added[1]]

    strip.set_owner(None)
    assert strip.list.count() == 0 and not strip.add_button.isEnabled()


def test_strip_marks_a_file_not_arrived(qtbot, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    from ui.hearings.attachments_view import AttachmentsStrip
    from ui.main import application

    application()
    with case.store.write() as session:
        session.add(Attachment(owner_kind="hearing", owner_id=case.hearing_id,
                               sha256="cd" * 32, file_name="按手印.jpg", media_type="image/jpeg",
                               size=99, added_at="2026-11-25T10:00", caption=""))
    strip = AttachmentsStrip(tasks_for(case.store), case.paths, "hearing")
    qtbot.addWidget(strip)
    strip.set_owner(case.hearing_id)
    item = strip.list.item(0)
    assert item.text() == "按手印.jpg\n" + _("Not arrived yet")
    assert _(attachments.NOT_ARRIVED).format(name="按手印.jpg") in item.toolTip()
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning",
                        lambda _parent, _title, text, *a, **k: warnings.append(text))
    strip.select(strip.rows[0].id)
    assert strip.open_current() is None
    assert warnings == [_(attachments.NOT_ARRIVED).format(name="按手印.jpg")]


def test_attachment_row_is_plain_data() -> None:
    row = AttachmentRow("i", "agreement", "o", "0" * 64, "a.pdf", "application/pdf", 1,
                        "2026-11-25T10:00", "", False)
    assert row.is_pdf
