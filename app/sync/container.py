"""Sync packages: the files that carry data from one laptop to the others of its office.

The design follows age (age-encryption.org/v1). A package file is::

    "DOORSTEP-PKG"  u32 n  header: n bytes of JSON  header MAC (32)  payload nonce (16)  payload

The header is plain JSON: ``format`` [major, minor], ``min_reader`` (the oldest reader that can
open it), office, sender and package ids, the chunk size and one stanza per recipient laptop. A
stanza wraps the random 32-byte file key for one laptop: X25519 between a fresh ephemeral key and
the laptop's encryption key, HKDF-SHA256(shared secret, salt = ephemeral public || recipient
public, info "doorstep file key"), ChaCha20-Poly1305. The header MAC is HMAC-SHA256 under
HKDF(file key, info "doorstep header") over everything before it.

The payload is a STREAM of chunks (64 KiB of plaintext each; the last is shorter, or full) sealed
with ChaCha20-Poly1305 under HKDF(file key, salt = payload nonce, info "doorstep payload"); a
chunk's nonce is its 11-byte big-endian counter and a last-chunk flag byte, so a cut, a dropped,
swapped or repeated chunk and anything appended are all found. Decrypted, the payload is::

    u32 m  index: m bytes of JSON  u16 64  signature (64)  the sections' bytes, in index order

The index holds the caller's manifest and each section's name, size and SHA-256. The signature is
the sender's Ed25519 signature of the header and the index, so it vouches for every byte; it is
checked against the office's roster before any section is read.

Compatibility: the magic, the length prefix and the ``format`` and ``min_reader`` keys never
change. A reader refuses a newer major format or a ``min_reader`` above its own version, and
ignores header keys and stanza types it does not know (a newer minor format may add them).

Opening never returns partial data: every problem raises a ``PackageError`` with its own message.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import struct
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.core.errors import AppError
from app.core.files import atomic_file
from app.core.i18n import N_
from app.core.progress import CancelledError
from app.sync.crypto import (
    KEY_SIZE,
    MAX_ID,
    SIGNATURE_SIZE,
    DeviceKeys,
    DevicePublic,
    MalformedError,
    Roster,
    b64,
    canonical_json,
    parse_json,
    read_bytes,
    read_int,
    read_object,
    read_text,
    verify_signature,
)

log = logging.getLogger(__name__)

MAGIC = b"DOORSTEP-PKG"
FORMAT_MAJOR = 1
# 1.1: the versions travel as batches signed by their authors (app.sync.signed); a 1.0 reader
# must not take them, so a 1.1 package names 1.1 as its oldest reader.
FORMAT_MINOR = 1
READER_VERSION = (FORMAT_MAJOR, FORMAT_MINOR)
CHUNK_SIZE = 64 * 1024
MIN_CHUNK_SIZE, MAX_CHUNK_SIZE = 16, 4 * 1024 * 1024
MAX_HEADER = 1024 * 1024
MAX_INDEX = 256 * 1024 * 1024
MAX_SECTION_NAME = 1000
TAG_SIZE = 16
MAC_SIZE = 32
PAYLOAD_NONCE_SIZE = 16
WRAPPED_KEY_SIZE = KEY_SIZE + TAG_SIZE
_READ_SIZE = 1024 * 1024
_SIGNATURE_CONTEXT = b"doorstep package v1\x00"

NOT_A_PACKAGE = N_("This file is not a Doorstep package.")
NEWER_FORMAT = N_("This package was written by a newer Doorstep. Please update Doorstep on this "
                  "laptop.")
OTHER_OFFICE = N_("This package is meant for another office.")
NOT_FOR_US = N_("This package is not addressed to this laptop.")
HEADER_ALTERED = N_("This package's header has been altered or damaged.")
PAYLOAD_ALTERED = N_("This package's contents have been altered, damaged or cut short.")
NOT_SIGNED = N_("This package is not signed.")
BAD_SIGNATURE = N_("This package's signature is not valid. It may be forged.")
UNKNOWN_SENDER = N_("This package comes from a laptop that is not enrolled in this office.")
REVOKED_SENDER = N_("This package comes from a laptop that has been removed from this office.")

Progress = Callable[[int, int], None]
"""Called with (bytes of sections done, bytes of sections in all)."""
IsCancelled = Callable[[], bool]
Source = bytes | str | os.PathLike[str] | BinaryIO
"""A package: its bytes, a path to it, or a binary file open for reading."""


class PackageError(AppError):
    """A package cannot be opened; nothing of it was used."""


class NewerPackageError(PackageError):
    pass


class OperationCancelledError(CancelledError):
    """The person cancelled sealing or opening a package; nothing was left behind."""


@dataclass(frozen=True)
class PackageHeader:
    """What the plain header says, for showing what a file is (not yet authenticated)."""

    format_version: tuple[int, int]
    min_reader: tuple[int, int]
    office_id: str
    sender_id: str
    package_id: str
    recipient_ids: tuple[str, ...]
    # The office's signed roster as the sender knew it (signed by the office key, so it is
    # trusted only once that signature verifies): lets a reader learn of newly enrolled laptops.
    roster: bytes | None = None


@dataclass(frozen=True)
class OpenedPackage:
    manifest: dict[str, Any]
    sections: dict[str, bytes]
    sender_id: str
    package_id: str
    format_version: tuple[int, int]


@dataclass(frozen=True)
class OpenedPackageFiles:
    """A package opened into ``folder``: one file per section, named by position, not by name;
    or, for the sections asked for, kept in memory (``sections``) and never written."""

    manifest: dict[str, Any]
    section_files: dict[str, Path]
    sender_id: str
    package_id: str
    format_version: tuple[int, int]
    folder: Path
    sections: dict[str, bytes] = field(default_factory=dict)


# --- sealing -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LazySection:
    """A section whose size and SHA-256 are known beforehand and whose bytes are asked for only
    when written (an attachment kept encrypted at rest: decrypted in memory, one at a time,
    once). The bytes are checked against ``sha256`` as they are written."""

    size: int
    sha256: str
    read: Callable[[], bytes]


# A section's content: bytes; a file, read piece by piece; or a LazySection.
Section = bytes | Path | LazySection


def seal(manifest: dict[str, Any], sections: Mapping[str, Section], sender: DeviceKeys,
         office_id: str, package_id: str, recipients: Sequence[DevicePublic],
         format_version: tuple[int, int] = READER_VERSION, *, chunk_size: int = CHUNK_SIZE,
         progress: Progress | None = None,
         is_cancelled: IsCancelled | None = None, roster: bytes | None = None) -> bytes:
    """A package of ``manifest`` and ``sections`` from ``sender``, for ``recipients`` only."""
    out = io.BytesIO()
    _seal_into(out, manifest, sections, sender, office_id, package_id, recipients,
               format_version, chunk_size, progress, is_cancelled, roster)
    return out.getvalue()


def seal_to(target: str | os.PathLike[str] | BinaryIO, manifest: dict[str, Any],
            sections: Mapping[str, Section], sender: DeviceKeys, office_id: str,
            package_id: str, recipients: Sequence[DevicePublic],
            format_version: tuple[int, int] = READER_VERSION, *, chunk_size: int = CHUNK_SIZE,
            progress: Progress | None = None, is_cancelled: IsCancelled | None = None,
            roster: bytes | None = None, on_part: Callable[[Path], None] | None = None) -> None:
    """Like ``seal``, streamed to a file; sections given as paths are read piece by piece.

    A path target appears whole or not at all (``app.core.files``): written beside it, to
    ``.NAME.XXXXXXXX.part`` (passed to ``on_part`` before anything is written to it), then
    renamed.
    """
    if not isinstance(target, (str, os.PathLike)):
        _seal_into(target, manifest, sections, sender, office_id, package_id, recipients,
                   format_version, chunk_size, progress, is_cancelled, roster)
        return
    with atomic_file(target, on_part=on_part) as out:
        _seal_into(out, manifest, sections, sender, office_id, package_id, recipients,
                   format_version, chunk_size, progress, is_cancelled, roster)


def _seal_into(out: BinaryIO, manifest: dict[str, Any], sections: Mapping[str, Section],
               sender: DeviceKeys, office_id: str, package_id: str,
               recipients: Sequence[DevicePublic], format_version: tuple[int, int],
               chunk_size: int, progress: Progress | None,
               is_cancelled: IsCancelled | None, roster: bytes | None = None) -> None:
    if not isinstance(manifest, dict):
        raise TypeError("the manifest is a dict")
    entries: list[dict[str, Any]] = []
    for name, source in sections.items():
        if not isinstance(name, str) or not name or len(name) > MAX_SECTION_NAME:
            raise ValueError(f"bad section name {name!r}")
        size, digest = _measure(source)
        entries.append({"name": name, "size": size, "sha256": digest})
    index = canonical_json({"manifest": manifest, "sections": entries})
    total = sum(e["size"] for e in entries)

    def body(header: bytes) -> Iterator[bytes | memoryview]:
        signature = sender.sign(_signed_message(header, index))
        yield struct.pack(">I", len(index)) + index + struct.pack(">H", len(signature)) + signature
        done = 0
        for entry, source in zip(entries, sections.values(), strict=True):
            digest = hashlib.sha256()
            for piece in _pieces(source):
                if is_cancelled is not None and is_cancelled():
                    raise OperationCancelledError
                digest.update(piece)
                yield piece
                done += len(piece)
                if progress is not None:
                    progress(done, total)
            if digest.hexdigest() != entry["sha256"]:
                raise RuntimeError(f"section {entry['name']!r} changed while it was sealed")

    _write_package(out, office_id=office_id, sender_id=sender.device_id, package_id=package_id,
                   recipients=recipients, format_version=format_version, chunk_size=chunk_size,
                   body=body, roster=roster)
    log.info("sealed package %s for %d laptops, %d sections, %d bytes", package_id,
             len(recipients), len(entries), total)


def _write_package(out: BinaryIO, *, office_id: str, sender_id: str, package_id: str,
                   recipients: Sequence[DevicePublic], format_version: tuple[int, int],
                   chunk_size: int,
                   body: Callable[[bytes], Iterable[bytes | memoryview]],
                   roster: bytes | None = None) -> None:
    """The envelope around a payload: ``body(header JSON)`` yields the plaintext payload.

    ``seal`` passes the signed body; tests pass others to play a forger who knows a file key.
    """
    for value in (office_id, sender_id, package_id):
        if not value or len(value) > MAX_ID:
            raise ValueError(f"bad id {value!r}")
    major, minor = format_version
    if major < 1 or minor < 0:
        raise ValueError(f"bad format version {format_version!r}")
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError(f"chunk size {chunk_size} out of range")
    unique = list({r.device_id: r for r in recipients}.values())
    if not unique:
        raise ValueError("a package needs at least one recipient")
    file_key = os.urandom(KEY_SIZE)
    fields: dict[str, Any] = {
        "format": [major, minor],
        "min_reader": [major, min(minor, FORMAT_MINOR)] if major == FORMAT_MAJOR else [major, 0],
        "office_id": office_id,
        "sender_id": sender_id, "package_id": package_id, "chunk_size": chunk_size,
        "recipients": [_wrap_file_key(file_key, r) for r in unique],
    }
    if roster is not None:
        fields["roster"] = b64(roster)
    header = canonical_json(fields)
    if len(header) > MAX_HEADER:
        raise ValueError("too many recipients for one package")
    lead = _lead(header)
    nonce = os.urandom(PAYLOAD_NONCE_SIZE)
    out.write(lead + _header_mac(file_key, lead).finalize() + nonce)
    stream = _StreamWriter(out, _payload_key(file_key, nonce), chunk_size)
    for piece in body(header):
        stream.write(piece)
    stream.close()


def _measure(source: Section) -> tuple[int, str]:
    if isinstance(source, LazySection):
        return source.size, source.sha256
    if isinstance(source, (bytes, bytearray, memoryview)):
        return len(source), hashlib.sha256(source).hexdigest()
    if not isinstance(source, Path):
        raise TypeError(f"a section is bytes or a Path, not {type(source).__name__}")
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as f:
        while piece := f.read(_READ_SIZE):
            digest.update(piece)
            size += len(piece)
    return size, digest.hexdigest()


def _pieces(source: Section) -> Iterator[bytes | memoryview]:
    if isinstance(source, LazySection):
        source = source.read()
    if isinstance(source, Path):
        with source.open("rb") as f:
            while piece := f.read(_READ_SIZE):
                yield piece
        return
    view = memoryview(source)
    for start in range(0, len(view), _READ_SIZE):
        yield view[start:start + _READ_SIZE]


def _wrap_file_key(file_key: bytes, recipient: DevicePublic) -> dict[str, Any]:
    ephemeral = X25519PrivateKey.generate()
    ephemeral_pub = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient.box_pub))
    key = _wrap_key(shared, ephemeral_pub, recipient.box_pub)
    return {"type": "X25519", "device_id": recipient.device_id,
            "ephemeral": b64(ephemeral_pub),
            "file_key": b64(ChaCha20Poly1305(key).encrypt(bytes(12), file_key, None))}


class _StreamWriter:
    def __init__(self, out: BinaryIO, key: bytes, chunk_size: int) -> None:
        self._out, self._aead, self._size = out, ChaCha20Poly1305(key), chunk_size
        self._buffer = bytearray()
        self._counter = 0

    def write(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        # A chunk is sealed only once more data is known to follow: the last one is flagged.
        while len(view) > self._size and not self._buffer:
            self._seal(view[:self._size], last=False)
            view = view[self._size:]
        while view:
            if len(self._buffer) == self._size:
                self._seal(self._buffer, last=False)
            take = self._size - len(self._buffer)
            self._buffer += view[:take]
            view = view[take:]

    def close(self) -> None:
        self._seal(self._buffer, last=True)

    def _seal(self, plain: bytes | bytearray | memoryview, last: bool) -> None:
        self._out.write(self._aead.encrypt(_chunk_nonce(self._counter, last), plain, None))
        self._counter += 1
        self._buffer = bytearray()


# --- opening -------------------------------------------------------------------------------------

def peek_header(source: Source) -> PackageHeader:
    """What a package says about itself, without decrypting it (and without trusting it)."""
    with _reading(source) as src:
        header = _read_header(src)
    if header.newer:
        raise NewerPackageError(NEWER_FORMAT)
    return header.info


def open_package(source: Source, me: DeviceKeys, office_id: str, roster: Roster, *,
                 progress: Progress | None = None,
                 is_cancelled: IsCancelled | None = None) -> OpenedPackage:
    """The package's manifest and sections, once every check has passed; else PackageError.

    ``roster`` is the office's current verified roster: the sender must be in it, not revoked.
    """
    sink = _MemorySink()
    with _reading(source) as src:
        manifest, header = _open(src, me, office_id, roster, sink, progress, is_cancelled)
    info = header.info
    return OpenedPackage(manifest, sink.sections, info.sender_id, info.package_id,
                         info.format_version)


def open_from(source: Source, me: DeviceKeys, office_id: str, roster: Roster,
              out_dir: str | os.PathLike[str], *, progress: Progress | None = None,
              is_cancelled: IsCancelled | None = None,
              in_memory: Callable[[str], bool] | None = None) -> OpenedPackageFiles:
    """Like ``open_package``, writing the sections to files in a new folder inside ``out_dir``,
    except those whose name ``in_memory`` accepts: they are kept in memory, never written.

    For large packages: little memory is used. If anything fails, the folder is removed.
    """
    folder = Path(tempfile.mkdtemp(prefix="package-", dir=out_dir))
    sink = _SplitSink(folder, in_memory or (lambda _name: False))
    try:
        with _reading(source) as src:
            manifest, header = _open(src, me, office_id, roster, sink, progress, is_cancelled)
    except BaseException:
        sink.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    info = header.info
    return OpenedPackageFiles(manifest, sink.files.files, info.sender_id, info.package_id,
                              info.format_version, folder, sink.memory.sections)


@dataclass(frozen=True)
class _Stanza:
    device_id: str
    ephemeral: bytes
    wrapped: bytes


@dataclass(frozen=True)
class _Header:
    info: PackageHeader
    raw: bytes
    chunk_size: int
    stanzas: tuple[_Stanza, ...]
    newer: bool = False  # a format this reader does not know


class _Sink(Protocol):
    def begin(self, name: str) -> None: ...
    def write(self, piece: memoryview) -> None: ...
    def end(self) -> None: ...


class _MemorySink:
    def __init__(self) -> None:
        self.sections: dict[str, bytes] = {}
        self._name = ""
        self._buffer = io.BytesIO()

    def begin(self, name: str) -> None:
        self._name, self._buffer = name, io.BytesIO()

    def write(self, piece: memoryview) -> None:
        self._buffer.write(piece)

    def end(self) -> None:
        self.sections[self._name] = self._buffer.getvalue()  # no copy: BytesIO hands it over
        self._buffer = io.BytesIO()


class _FileSink:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, Path] = {}
        self._file: BinaryIO | None = None

    def begin(self, name: str) -> None:
        path = self.folder / f"section-{len(self.files) + 1:05d}"
        self._file = path.open("wb")
        self.files[name] = path

    def write(self, piece: memoryview) -> None:
        assert self._file is not None
        self._file.write(piece)

    def end(self) -> None:
        self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class _SplitSink:
    """Sections that ``in_memory`` accepts to memory, the others to files in ``folder``."""

    def __init__(self, folder: Path, in_memory: Callable[[str], bool]) -> None:
        self.memory, self.files = _MemorySink(), _FileSink(folder)
        self._in_memory = in_memory
        self._current: _Sink = self.memory

    def begin(self, name: str) -> None:
        self._current = self.memory if self._in_memory(name) else self.files
        self._current.begin(name)

    def write(self, piece: memoryview) -> None:
        self._current.write(piece)

    def end(self) -> None:
        self._current.end()

    def close(self) -> None:
        self.files.close()


@contextmanager
def _reading(source: Source) -> Iterator[BinaryIO]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        yield io.BytesIO(source)
    elif isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            yield f
    else:
        yield source


def _open(src: BinaryIO, me: DeviceKeys, office_id: str, roster: Roster, sink: _Sink,
          progress: Progress | None,
          is_cancelled: IsCancelled | None) -> tuple[dict[str, Any], _Header]:
    if roster.office_id != office_id:
        raise ValueError("the roster is another office's")
    header = _read_header(src)
    info = header.info
    # What the header says is acted on only once its MAC verifies: a flipped byte must not
    # pass for "another office" or "a newer Doorstep". When the file key cannot be had, nothing
    # can be verified, and the header's own words are the best explanation there is.
    try:
        file_key = _unwrap_file_key(header, me)
    except PackageError:
        if header.newer:
            raise NewerPackageError(NEWER_FORMAT) from None
        if info.office_id != office_id:
            raise PackageError(OTHER_OFFICE) from None
        raise
    tail = _read_full(src, MAC_SIZE + PAYLOAD_NONCE_SIZE)
    if len(tail) < MAC_SIZE + PAYLOAD_NONCE_SIZE:
        raise PackageError(PAYLOAD_ALTERED)
    try:
        _header_mac(file_key, _lead(header.raw)).verify(tail[:MAC_SIZE])
    except InvalidSignature:
        raise PackageError(HEADER_ALTERED) from None
    if header.newer:
        raise NewerPackageError(NEWER_FORMAT)
    if info.office_id != office_id:
        raise PackageError(OTHER_OFFICE)
    sender = roster.find(info.sender_id)
    if sender is None:
        raise PackageError(UNKNOWN_SENDER)
    if sender.revoked:
        raise PackageError(REVOKED_SENDER)

    stream = _StreamReader(src, _payload_key(file_key, tail[MAC_SIZE:]), header.chunk_size)
    (index_size,) = struct.unpack(">I", stream.read(4))
    if index_size > MAX_INDEX:
        raise PackageError(PAYLOAD_ALTERED)
    index = stream.read(index_size)
    if stream.at_end():
        raise PackageError(NOT_SIGNED)
    (signature_size,) = struct.unpack(">H", stream.read(2))
    if signature_size == 0:
        raise PackageError(NOT_SIGNED)
    signature = stream.read(signature_size)
    if signature_size != SIGNATURE_SIZE or not verify_signature(
            sender.sign_pub, signature, _signed_message(header.raw, index)):
        raise PackageError(BAD_SIGNATURE)

    manifest, entries = _parse_index(index)
    total, done = sum(size for _name, size, _digest in entries), 0
    for name, size, expected in entries:
        digest = hashlib.sha256()
        sink.begin(name)
        for piece in stream.pieces(size):
            if is_cancelled is not None and is_cancelled():
                raise OperationCancelledError
            digest.update(piece)
            sink.write(piece)
            done += len(piece)
            if progress is not None:
                progress(done, total)
        sink.end()
        if digest.digest() != expected:
            raise PackageError(PAYLOAD_ALTERED)
    if not stream.at_end():
        raise PackageError(PAYLOAD_ALTERED)
    log.info("opened package %s from %s: %d sections, %d bytes", info.package_id,
             info.sender_id, len(entries), total)
    return manifest, header


def _read_header(src: BinaryIO) -> _Header:
    if _read_full(src, len(MAGIC)) != MAGIC:
        raise PackageError(NOT_A_PACKAGE)
    prefix = _read_full(src, 4)
    if len(prefix) < 4:
        raise PackageError(HEADER_ALTERED)
    (size,) = struct.unpack(">I", prefix)
    if size > MAX_HEADER:
        raise PackageError(HEADER_ALTERED)
    raw = _read_full(src, size)
    if len(raw) < size:
        raise PackageError(HEADER_ALTERED)
    try:
        doc = parse_json(raw)
        format_version, min_reader = _version(doc, "format"), _version(doc, "min_reader")
    except MalformedError:
        raise PackageError(HEADER_ALTERED) from None
    newer = format_version[0] > FORMAT_MAJOR or min_reader > READER_VERSION
    try:
        if format_version[0] < 1 or min_reader > format_version:
            raise MalformedError
        chunk_size = read_int(doc, "chunk_size")
        entries = doc.get("recipients")
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE or not isinstance(entries, list):
            raise MalformedError
        stanzas = tuple(
            _Stanza(read_text(s, "device_id", MAX_ID), read_bytes(s, "ephemeral", KEY_SIZE),
                    read_bytes(s, "file_key", WRAPPED_KEY_SIZE))
            for s in map(read_object, entries) if s.get("type") == "X25519")
        info = PackageHeader(format_version, min_reader, read_text(doc, "office_id", MAX_ID),
                             read_text(doc, "sender_id", MAX_ID),
                             read_text(doc, "package_id", MAX_ID),
                             tuple(s.device_id for s in stanzas),
                             read_bytes(doc, "roster") if "roster" in doc else None)
    except MalformedError:
        # A newer format may lay its header out otherwise: that is the better explanation.
        raise (NewerPackageError(NEWER_FORMAT) if newer
               else PackageError(HEADER_ALTERED)) from None
    return _Header(info, raw, chunk_size, stanzas, newer)


def _version(doc: dict[str, Any], key: str) -> tuple[int, int]:
    value = doc.get(key)
    if not isinstance(value, list) or len(value) != 2 or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value):
        raise MalformedError
    return value[0], value[1]


def _unwrap_file_key(header: _Header, me: DeviceKeys) -> bytes:
    box = X25519PrivateKey.from_private_bytes(me.box_private)
    box_pub = box.public_key().public_bytes_raw()
    # Ours first; then the others, as the ids are only hints (a changed id must not hide us).
    for stanza in sorted(header.stanzas, key=lambda s: s.device_id != me.device_id):
        try:
            shared = box.exchange(X25519PublicKey.from_public_bytes(stanza.ephemeral))
            key = _wrap_key(shared, stanza.ephemeral, box_pub)
            return ChaCha20Poly1305(key).decrypt(bytes(12), stanza.wrapped, None)
        except (ValueError, InvalidTag):
            continue
    raise PackageError(NOT_FOR_US)


def _parse_index(index: bytes) -> tuple[dict[str, Any], list[tuple[str, int, bytes]]]:
    try:
        doc = parse_json(index)
        manifest = read_object(doc.get("manifest"))
        listed = doc.get("sections")
        if not isinstance(listed, list):
            raise MalformedError
        entries = []
        for item in map(read_object, listed):
            size = read_int(item, "size")
            digest = bytes.fromhex(read_text(item, "sha256", 64))
            if size < 0 or len(digest) != 32:
                raise MalformedError
            entries.append((read_text(item, "name", MAX_SECTION_NAME), size, digest))
        if len({name for name, _size, _digest in entries}) != len(entries):
            raise MalformedError
    except (MalformedError, ValueError):
        raise PackageError(PAYLOAD_ALTERED) from None
    return manifest, entries


class _StreamReader:
    """The decrypted payload, read in order; a chunk is only handed out once it authenticated."""

    def __init__(self, src: BinaryIO, key: bytes, chunk_size: int) -> None:
        self._src, self._aead, self._size = src, ChaCha20Poly1305(key), chunk_size
        self._counter = 0
        self._done = False
        self._plain = memoryview(b"")
        self._ahead = _read_full(src, chunk_size + TAG_SIZE)

    def _next_chunk(self) -> None:
        if self._done:
            raise PackageError(PAYLOAD_ALTERED)  # read past the end
        sealed = self._ahead
        if len(sealed) < TAG_SIZE:
            raise PackageError(PAYLOAD_ALTERED)
        if len(sealed) == self._size + TAG_SIZE:
            self._ahead = _read_full(self._src, self._size + TAG_SIZE)
            last = not self._ahead
        else:
            self._ahead, last = b"", True
        try:
            plain = self._aead.decrypt(_chunk_nonce(self._counter, last), sealed, None)
        except InvalidTag:
            raise PackageError(PAYLOAD_ALTERED) from None
        if last and not plain and self._counter:
            raise PackageError(PAYLOAD_ALTERED)  # only an empty payload has an empty last chunk
        self._counter += 1
        self._done = last
        self._plain = memoryview(plain)

    def pieces(self, size: int) -> Iterator[memoryview]:
        while size:
            if not self._plain:
                self._next_chunk()
            piece = self._plain[:size]
            self._plain = self._plain[len(piece):]
            size -= len(piece)
            yield piece

    def read(self, size: int) -> bytes:
        return b"".join(self.pieces(size))

    def at_end(self) -> bool:
        while not self._plain:
            if self._done:
                return True
            self._next_chunk()
        return False


# --- shared --------------------------------------------------------------------------------------

def _read_full(src: BinaryIO, size: int) -> bytes:
    data = src.read(size)
    if len(data) == size or not data:
        return data
    buffer = bytearray(data)
    while len(buffer) < size and (more := src.read(size - len(buffer))):
        buffer += more
    return bytes(buffer)


def _derive(key: bytes, salt: bytes | None, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=salt, info=info).derive(key)


def _wrap_key(shared: bytes, ephemeral_pub: bytes, recipient_pub: bytes) -> bytes:
    return _derive(shared, ephemeral_pub + recipient_pub, b"doorstep file key")


def _payload_key(file_key: bytes, nonce: bytes) -> bytes:
    return _derive(file_key, nonce, b"doorstep payload")


def _lead(header: bytes) -> bytes:
    return MAGIC + struct.pack(">I", len(header)) + header


def _header_mac(file_key: bytes, lead: bytes) -> hmac.HMAC:
    mac = hmac.HMAC(_derive(file_key, None, b"doorstep header"), hashes.SHA256())
    mac.update(lead)
    return mac


def _chunk_nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _signed_message(header: bytes, index: bytes) -> bytes:
    return (_SIGNATURE_CONTEXT + struct.pack(">I", len(header)) + header
            + struct.pack(">Q", len(index)) + index)
