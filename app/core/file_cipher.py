"""Files kept beside an encrypted store (attachments, thumbnails), encrypted on disk too.

Each file is sealed on its own with ChaCha20-Poly1305 under a key derived from the store key by
HKDF-SHA256 with a context of its own (so the file key says nothing about the store key, and
the store key is used for nothing else than SQLCipher). A sealed file is::

    MAGIC (8 bytes) | version (1 byte) | nonce (12 random bytes) | ciphertext and tag (16 bytes)

with the magic, the version and the file's name (an attachment's SHA-256, a thumbnail's
``SHA-size.png``) as associated data: a file moved under another name, or changed by one bit,
does not open. No JPEG, PNG or PDF starts with the magic, so a file without it is a plain file
of a store that was not encrypted yet (or of one being converted), read as it is.

Files are read whole into memory (attachments are at most ``MAX_SIZE`` of
``app.hearings.attachments``) and decrypted there; nothing decrypted is written to disk.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.core.files import write_atomically

log = logging.getLogger(__name__)

MAGIC = b"DSTPFILE"
VERSION = 1
HEADER = MAGIC + bytes([VERSION])
NONCE_SIZE = 12
TAG_SIZE = 16
# What sealing adds to a file's size.
OVERHEAD = len(HEADER) + NONCE_SIZE + TAG_SIZE
_CONTEXT = b"doorstep files at rest v1"


class SealedFileError(Exception):
    """A sealed file that does not open: damaged, moved from another name, sealed under another
    store's key, or sealed while the store is plain. Callers say what it means where it
    happens."""


class FileCipher:
    """Seals and opens the files of one encrypted store. Holds only the derived file key, and
    never shows it (no ``repr`` of it, no logging)."""

    __slots__ = ("_aead",)

    def __init__(self, store_key: bytes) -> None:
        if len(store_key) != 32:
            raise ValueError("a store key is 32 bytes")
        file_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                        info=_CONTEXT).derive(store_key)
        self._aead = ChaCha20Poly1305(file_key)

    def __repr__(self) -> str:
        return "FileCipher(<hidden>)"

    def seal(self, name: str, data: bytes) -> bytes:
        """``data`` sealed as the file named ``name``."""
        nonce = os.urandom(NONCE_SIZE)
        return HEADER + nonce + self._aead.encrypt(nonce, data, _aad(name))

    def open(self, name: str, blob: bytes) -> bytes:
        """The plaintext of the sealed file ``blob`` named ``name``."""
        if not is_sealed(blob) or len(blob) < OVERHEAD:
            raise SealedFileError(name)
        nonce = blob[len(HEADER):len(HEADER) + NONCE_SIZE]
        try:
            return self._aead.decrypt(nonce, blob[len(HEADER) + NONCE_SIZE:], _aad(name))
        except InvalidTag:
            raise SealedFileError(name) from None


def _aad(name: str) -> bytes:
    return HEADER + name.encode("utf-8")


def is_sealed(head: bytes) -> bool:
    """Whether a file starting with ``head`` was sealed here (else it is a plain file)."""
    return head.startswith(MAGIC)


def plain_bytes(blob: bytes, name: str, cipher: FileCipher | None) -> bytes:
    """The content of a file read as ``blob``: opened if sealed, as it is if plain. A sealed
    file while the store is plain (``cipher`` None) raises :class:`SealedFileError`."""
    if not is_sealed(blob):
        return blob
    if cipher is None:
        raise SealedFileError(name)
    return cipher.open(name, blob)


def plain_size(path: Path) -> int:
    """The size of the file ``path``'s content (without what sealing adds, if sealed)."""
    with path.open("rb") as f:
        head = f.read(len(MAGIC))
        size = os.fstat(f.fileno()).st_size
    return size - OVERHEAD if is_sealed(head) else size


def read_file(path: Path, name: str, cipher: FileCipher | None) -> bytes:
    """The content of the file ``path`` (named ``name`` for the associated data), decrypted in
    memory if sealed. Raises ``OSError`` or :class:`SealedFileError`."""
    return plain_bytes(path.read_bytes(), name, cipher)


def write_file(path: Path, name: str, data: bytes, cipher: FileCipher | None) -> None:
    """``data`` as the whole file ``path``: sealed when the store is encrypted (``cipher``),
    plain otherwise; written whole or not at all (``app.core.files``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data if cipher is None else cipher.seal(name, data))


def seal_in_place(path: Path, name: str, cipher: FileCipher) -> bool:
    """Seal the plain file ``path``, atomically (a crash leaves it plain or sealed, never
    half of each); return whether it was plain. A sealed file is left as it is."""
    with path.open("rb") as f:
        head = f.read(len(MAGIC))
    if is_sealed(head):
        return False
    write_file(path, name, path.read_bytes(), cipher)
    return True
