"""Scans and photos of signed papers, attached to a hearing or an agreement.

A file is recognised by its first bytes (JPEG, PNG or PDF), never by its name, and must open
before it is accepted. It is copied into the data folder under its SHA-256
(``attachments/ab/abcdef…``), so the same file attached to two records is stored once; the
record in the store names the file and where it belongs. Records travel to other laptops before
their files may, so every reader checks that the file has arrived.

When the store is encrypted, the files and their thumbnails are encrypted too
(``app.core.file_cipher``), still named by the SHA-256 of their plain content so that the same
file is kept once. They are read into memory and decrypted there: the viewer shows them inside
Doorstep, and no decrypted copy is ever written to disk for another program to open. A plain
file (a store converted since, or being converted) is read as it is.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import access
from app.core.access import Permission
from app.core.errors import AppError, InvalidInputError, NotWrittenError, ValidationError
from app.core.file_cipher import (
    OVERHEAD,
    FileCipher,
    SealedFileError,
    is_sealed,
    plain_bytes,
    read_file,
    write_file,
)
from app.core.i18n import N_
from app.core.paths import AppPaths
from app.core.records import log_activity, staff_or_none
from app.core.stamps import local_iso, utc_stamp
from app.core.store import Store
from models import Agreement, Attachment, Hearing

log = logging.getLogger(__name__)

MAX_SIZE = 40 * 1024 * 1024
MAX_CAPTION = 200
MAX_FILE_NAME = 255
OWNER_KINDS = ("hearing", "agreement")
JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
IMAGE_TYPES = (JPEG, PNG)
_MAGIC = ((b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG), (b"%PDF-", PDF))
_PIL_FORMATS = {JPEG: "JPEG", PNG: "PNG"}
# The viewer shows a photo at most this many pixels on its longer side (a phone's full size).
MAX_VIEW_SIDE = 4096

NOT_ARRIVED = N_("The file {name} has not arrived on this laptop yet.")
NOT_THIS_STORE = N_("The file {name} cannot be opened: it is damaged, or it was not encrypted "
                    "for this data folder.")


@dataclass(frozen=True)
class AttachmentRow:
    id: str
    owner_kind: str
    owner_id: str
    sha256: str
    file_name: str
    media_type: str
    size: int
    added_at: str
    caption: str
    present: bool  # the file is in this laptop's data folder (it may not have arrived yet)

    @property
    def is_pdf(self) -> bool:
        return self.media_type == PDF


def stored_path(paths: AppPaths, sha256: str) -> Path:
    return paths.attachments / sha256[:2] / sha256


def thumbnail_dir(paths: AppPaths) -> Path:
    return paths.data_dir / "thumbnails"


def media_type_of(head: bytes) -> str | None:
    """The media type told by a file's first bytes, or ``None`` when we do not take it."""
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    return None


def _owner_petition(session: Session, owner_kind: str, owner_id: str) -> str:
    """The petition the live owner belongs to; refuse an owner that is gone."""
    if owner_kind == "hearing":
        hearing = session.get(Hearing, owner_id)
        if hearing is None or hearing.deleted:
            raise AppError(N_("This hearing no longer exists."))
        return hearing.petition_id
    if owner_kind == "agreement":
        agreement = session.get(Agreement, owner_id)
        if agreement is None or agreement.deleted:
            raise AppError(N_("This agreement no longer exists."))
        return agreement.petition_id
    raise ValueError(f"unknown attachment owner kind {owner_kind!r}")


def _read_source(source: Path) -> bytes:
    name = source.name
    try:
        size = source.stat().st_size
        if size > MAX_SIZE:
            raise _too_large(name)
        with source.open("rb") as f:
            data = f.read(MAX_SIZE + 1)
    except OSError as exc:
        log.warning("cannot read %s: %s", source, exc)
        raise AppError(N_("The file {name} cannot be read: {reason}"), name=name,
                       reason=exc.strerror or str(exc)) from exc
    if not data:
        raise AppError(N_("The file {name} is empty."), name=name)
    if len(data) > MAX_SIZE:
        raise _too_large(name)
    return data


def _too_large(name: str) -> AppError:
    return AppError(N_("The file {name} is too large (at most {size} MB)."), name=name,
                    size=MAX_SIZE // (1024 * 1024))


def _check_opens(data: bytes, media_type: str, name: str) -> None:
    """Refuse a damaged or incomplete file: images are decoded whole, a PDF opened."""
    damaged = AppError(N_("The file {name} is damaged or incomplete and cannot be opened."),
                       name=name)
    if media_type in IMAGE_TYPES:
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format != _PIL_FORMATS[media_type]:
                    raise damaged
                image.verify()
            # verify() leaves JPEG data unchecked; decoding it finds a truncated file.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except AppError:
            raise
        except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, bomb errors
            log.warning("refusing %s: %s: %s", name, type(exc).__name__, exc)
            raise damaged from exc
        return
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        log.warning("refusing %s: %s", name, exc)
        if "password" in str(exc).lower():
            raise AppError(N_("The file {name} is protected by a password. Please attach a "
                              "copy without one."), name=name) from exc
        raise damaged from exc
    try:
        if len(document) < 1:
            raise damaged
        document[0].close()
    except pypdfium2.PdfiumError as exc:
        log.warning("refusing %s: %s", name, exc)
        raise damaged from exc
    finally:
        document.close()


def _holds(target: Path, sha256: str, cipher: FileCipher | None) -> bool:
    """Whether ``target`` already holds the file whole, stored as the store wants it (sealed
    when the store is encrypted: a plain copy left from before is written again, sealed)."""
    try:
        blob = target.read_bytes()
    except OSError:
        return False
    if cipher is not None and not is_sealed(blob):
        return False
    try:
        data = plain_bytes(blob, sha256, cipher)
    except SealedFileError:
        return False
    return hashlib.sha256(data).hexdigest() == sha256


def _store_file(paths: AppPaths, sha256: str, data: bytes, name: str,
                cipher: FileCipher | None) -> None:
    target = stored_path(paths, sha256)
    if _holds(target, sha256, cipher):
        return
    try:
        write_file(target, sha256, data, cipher)
    except (OSError, NotWrittenError) as exc:  # a full or read-only disk says so itself
        log.error("cannot store %s as %s: %s", name, target, exc)
        reason = exc.params["error"] if isinstance(exc, NotWrittenError) \
            else exc.strerror or str(exc)
        raise AppError(N_("The file {name} could not be copied into the data folder: "
                          "{reason}"), name=name, reason=reason) from exc


def add_attachment(store: Store, paths: AppPaths, owner_kind: str, owner_id: str, source: Path,
                   caption: str = "", staff_id: str = "", now: datetime | None = None) -> str:
    """Attach the scan or photo ``source`` to a hearing or an agreement; returns its id.

    The file is checked (kind, size, that it opens), copied into the data folder under its
    SHA-256 unless already there, then recorded in one transaction.
    """
    if owner_kind not in OWNER_KINDS:
        raise ValueError(f"unknown attachment owner kind {owner_kind!r}")
    caption = caption.strip()
    if len(caption) > MAX_CAPTION:
        raise InvalidInputError([ValidationError(
            N_("This is too long (at most {n} characters)."), field="caption", n=MAX_CAPTION)])
    name = source.name[:MAX_FILE_NAME]
    with store.read() as session:
        _owner_petition(session, owner_kind, owner_id)
    data = _read_source(source)
    media_type = media_type_of(data[:16])
    if media_type is None:
        raise AppError(N_("The file {name} is not a photo (JPEG or PNG) or a PDF scan."),
                       name=name)
    _check_opens(data, media_type, name)
    sha256 = hashlib.sha256(data).hexdigest()
    with store.read() as session:
        _refuse_duplicate(session, owner_kind, owner_id, sha256, name)
    _store_file(paths, sha256, data, name, store.file_cipher())
    added_at = utc_stamp(now)
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        petition_id = _owner_petition(session, owner_kind, owner_id)
        _refuse_duplicate(session, owner_kind, owner_id, sha256, name)
        attachment = Attachment(owner_kind=owner_kind, owner_id=owner_id, sha256=sha256,
                                file_name=name, media_type=media_type, size=len(data),
                                added_at=added_at, caption=caption)
        session.add(attachment)
        session.flush()
        log_activity(session, store, petition_id, staff_or_none(session, staff_id),
                     "attachment_added", name)
        log.info("attached %s (%s, %d bytes) to %s %s", sha256, media_type, len(data),
                 owner_kind, owner_id)
        return attachment.id


def _refuse_duplicate(session: Session, owner_kind: str, owner_id: str, sha256: str,
                      name: str) -> None:
    existing = session.scalar(select(Attachment.file_name).where(
        Attachment.owner_kind == owner_kind, Attachment.owner_id == owner_id,
        Attachment.sha256 == sha256, Attachment.deleted.is_(False)))
    if existing == name:
        raise AppError(N_("The file {name} is already attached here."), name=name)
    if existing is not None:
        raise AppError(N_("The file {name} is already attached here, as {existing}."),
                       name=name, existing=existing)


def _is_present(paths: AppPaths, sha256: str, size: int) -> bool:
    try:
        # Plain, or sealed (``app.core.file_cipher``: a header, a nonce and a tag more).
        return stored_path(paths, sha256).stat().st_size in (size, size + OVERHEAD)
    except OSError:
        return False


def _row(paths: AppPaths, a: Attachment) -> AttachmentRow:
    return AttachmentRow(a.id, a.owner_kind, a.owner_id, a.sha256, a.file_name, a.media_type,
                         a.size, local_iso(a.added_at, "minutes"), a.caption,
                         _is_present(paths, a.sha256, a.size))


def attachments_of(store: Store, paths: AppPaths, owner_kind: str,
                   owner_id: str) -> list[AttachmentRow]:
    """The live attachments of one hearing or agreement, in the order they were added."""
    with store.read() as session:
        found = session.scalars(select(Attachment).where(
            Attachment.owner_kind == owner_kind, Attachment.owner_id == owner_id,
            Attachment.deleted.is_(False))
            .order_by(Attachment.added_at, Attachment.created_at, Attachment.id)).all()
        # In the order they were added (rows from before 12.5 hold local time).
        return sorted((_row(paths, a) for a in found), key=lambda r: r.added_at)


def attachment_path(paths: AppPaths, row: AttachmentRow) -> Path:
    """Where the attachment's file is on this laptop (encrypted when the store is: read it
    with :func:`attachment_bytes`); refuse one that has not arrived."""
    if not _is_present(paths, row.sha256, row.size):
        raise AppError(NOT_ARRIVED, name=row.file_name)
    return stored_path(paths, row.sha256)


def attachment_bytes(store: Store, row: AttachmentRow) -> bytes:
    """The attachment's content, decrypted in memory when the store is encrypted; refuse one
    that has not arrived, or whose file does not open (damaged, or not this store's)."""
    source = attachment_path(store.paths, row)
    try:
        return read_file(source, row.sha256, store.file_cipher())
    except SealedFileError as exc:
        # By its hash only: a file's name may be a person's, and the log is not encrypted.
        log.warning("attachment %s does not open with this store's key", row.sha256)
        raise AppError(NOT_THIS_STORE, name=row.file_name) from exc
    except OSError as exc:
        raise _cannot_show(row, exc) from exc


def _cannot_show(row: AttachmentRow, exc: Exception) -> AppError:
    log.warning("cannot show %s (%s): %s: %s", row.file_name, row.sha256, type(exc).__name__,
                exc)
    return AppError(N_("The file {name} cannot be shown: {reason}"), name=row.file_name,
                    reason=str(exc))


def _upright(image: Image.Image) -> Image.Image:
    """The image as it was seen when taken (phones store it sideways with an EXIF turn), in
    colours a PNG can hold."""
    turned = ImageOps.exif_transpose(image)
    if turned.mode not in ("RGB", "RGBA", "L", "LA"):
        turned = turned.convert("RGBA" if "A" in turned.getbands() else "RGB")
    return turned


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def thumbnail(store: Store, row: AttachmentRow, size: int = 160) -> bytes:
    """A PNG at most ``size`` pixels square showing the photo or the PDF's first page; made once
    and kept under ``thumbnails/`` in the data folder (encrypted when the store is)."""
    cipher = store.file_cipher()
    name = thumbnail_name(row, size)
    target = thumbnail_dir(store.paths) / name
    try:
        return read_file(target, name, cipher)
    except FileNotFoundError:
        pass
    except (OSError, SealedFileError) as exc:  # made again below
        log.warning("thumbnail %s unreadable: %s: %s", target, type(exc).__name__, exc)
    data = attachment_bytes(store, row)
    try:
        if row.is_pdf:
            import pypdfium2

            document = pypdfium2.PdfDocument(data)
            try:
                page = document[0]
                width, height = page.get_size()
                # A copy: the rendered bitmap goes with the document.
                image = page.render(scale=size / max(width, height, 1)).to_pil().copy()
            finally:
                document.close()
        else:
            with Image.open(io.BytesIO(data)) as original:
                original.draft("RGB", (size * 2, size * 2))
                image = _upright(original)
        image.thumbnail((size, size))
        png = _png(image)
        write_file(target, name, png, cipher)
    except Exception as exc:  # Pillow, pdfium and the disk each raise their own
        raise _cannot_show(row, exc) from exc
    return png


def thumbnail_name(row: AttachmentRow, size: int) -> str:
    return f"{row.sha256}-{size}.png"


def full_images(store: Store, row: AttachmentRow, dpi: int = 110) -> list[bytes]:
    """PNG pictures for the viewer: the photo upright, or each page of a PDF at ``dpi``."""
    data = attachment_bytes(store, row)
    try:
        if row.is_pdf:
            import pypdfium2

            pages = []
            document = pypdfium2.PdfDocument(data)
            try:
                for index in range(len(document)):
                    bitmap = document[index].render(scale=dpi / 72)
                    pages.append(_png(bitmap.to_pil()))
            finally:
                document.close()
            return pages
        with Image.open(io.BytesIO(data)) as original:
            image = _upright(original)
            image.thumbnail((MAX_VIEW_SIDE, MAX_VIEW_SIDE))
            return [_png(image)]
    except Exception as exc:  # Pillow and pdfium each raise their own
        raise _cannot_show(row, exc) from exc


def remove_attachment(store: Store, attachment_id: str, staff_id: str = "") -> None:
    """Take an attachment off its record. The file stays: another record, or another laptop
    still receiving this one, may need it."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        attachment = session.get(Attachment, attachment_id)
        if attachment is None or attachment.deleted:
            raise AppError(N_("This attachment no longer exists."))
        attachment.deleted = True
        try:
            petition_id = _owner_petition(session, attachment.owner_kind, attachment.owner_id)
        except AppError:
            return  # its hearing or agreement is gone: there is no petition history to add to
        log_activity(session, store, petition_id, staff_or_none(session, staff_id),
                     "attachment_removed", attachment.file_name)
