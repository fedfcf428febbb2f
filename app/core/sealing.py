"""Secrets sealed under a passphrase, and the strict readers of Doorstep's small JSON files.

A secret (a laptop's private keys, the office key, the store key) is kept as a small
JSON-serialisable dict: the passphrase gives a key through scrypt (its salt and costs written
beside it), which seals the secret with ChaCha20-Poly1305; the dict's other fields are the
associated data, so none of them can be changed unnoticed. A wrong passphrase fails the
authentication and is told as such, never returned as another secret.

The readers take JSON apart strictly (no duplicate keys, no NaN, one base64 spelling per value)
and raise :class:`MalformedError`, which each caller turns into the ``AppError`` that fits.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import unicodedata
from datetime import datetime
from typing import Any, NoReturn

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app.core.errors import ValidationError
from app.core.i18n import N_

KEY_SIZE = 32
MAX_ID = 200
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SALT_SIZE = 16
NONCE_SIZE = 12
TAG_SIZE = 16

EMPTY_PASSPHRASE = N_("Please enter a passphrase.")
WRONG_PASSPHRASE = N_("The passphrase is wrong.")


# --- sealing under a passphrase -------------------------------------------------------------------

def seal(kind: str, owner_id: str, secret: bytes, passphrase: str, *,
         n: int = SCRYPT_N) -> dict[str, Any]:
    """``secret`` sealed under ``passphrase``: a dict saying what it is (``kind``) and whose
    (``owner_id``), safe to write to a file. ``n`` is scrypt's cost (2**14 to 2**20)."""
    salt, nonce = os.urandom(SALT_SIZE), os.urandom(NONCE_SIZE)
    blob: dict[str, Any] = {
        "doorstep": kind, "version": 1, "id": owner_id, "cipher": "chacha20poly1305",
        "kdf": {"name": "scrypt", "n": n, "r": SCRYPT_R, "p": SCRYPT_P, "salt": b64(salt)},
    }
    key = passphrase_key(passphrase, salt, n, SCRYPT_R, SCRYPT_P)
    sealed = ChaCha20Poly1305(key).encrypt(nonce, secret, canonical_json(blob))
    return blob | {"nonce": b64(nonce), "ciphertext": b64(sealed)}


def unseal(kind: str, blob: object, passphrase: str, size: int) -> tuple[str, bytes]:
    """The owner's id and the ``size``-byte secret sealed in ``blob`` by :func:`seal`.

    A blob of another kind or shape raises :class:`MalformedError` (before any key is derived);
    an empty passphrase :data:`EMPTY_PASSPHRASE` and a wrong one :data:`WRONG_PASSPHRASE`, as a
    ``ValidationError`` of the field ``passphrase``.
    """
    doc = read_object(blob)
    if doc.get("doorstep") != kind or doc.get("version") != 1 \
            or doc.get("cipher") != "chacha20poly1305":
        raise MalformedError
    owner_id = read_text(doc, "id", MAX_ID)
    kdf = read_object(doc.get("kdf"))
    if kdf.get("name") != "scrypt":
        raise MalformedError
    n, r, p = read_int(kdf, "n"), read_int(kdf, "r"), read_int(kdf, "p")
    # Bounded, so that a doctored file cannot make us allocate gigabytes.
    if n & (n - 1) or not 2**14 <= n <= 2**20 or not 1 <= r <= 16 or not 1 <= p <= 4:
        raise MalformedError
    salt = read_bytes(kdf, "salt", SALT_SIZE)
    nonce = read_bytes(doc, "nonce", NONCE_SIZE)
    sealed = read_bytes(doc, "ciphertext", size + TAG_SIZE)
    aad = canonical_json({k: doc[k] for k in ("doorstep", "version", "id", "cipher", "kdf")})
    key = passphrase_key(passphrase, salt, n, r, p)
    try:
        return owner_id, ChaCha20Poly1305(key).decrypt(nonce, sealed, aad)
    except InvalidTag:
        raise ValidationError(WRONG_PASSPHRASE, field="passphrase") from None


def passphrase_key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    if not passphrase:
        raise ValidationError(EMPTY_PASSPHRASE, field="passphrase")
    # The same words typed with another input method must give the same key.
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return Scrypt(salt=salt, length=KEY_SIZE, n=n, r=r, p=p).derive(secret)


# --- JSON readers (also used by the sync container and signed batches) ----------------------------

class MalformedError(Exception):
    """Raised by the field readers; callers turn it into the AppError that fits."""


def canonical_json(obj: object) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise MalformedError
    return result


def _reject(_value: str) -> NoReturn:
    raise MalformedError


def parse_json(data: bytes) -> dict[str, Any]:
    try:
        return read_object(json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates,
                                  parse_constant=_reject))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise MalformedError from None


def read_object(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedError
    return value


def read_text(doc: dict[str, Any], key: str, max_len: int) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value or len(value) > max_len:
        raise MalformedError
    return value


def read_int(doc: dict[str, Any], key: str) -> int:
    value = doc.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedError
    return value


def read_bytes(doc: dict[str, Any], key: str, size: int | None = None) -> bytes:
    value = doc.get(key)
    if not isinstance(value, str):
        raise MalformedError
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise MalformedError from None
    # One spelling per value: spare bits in the last character would give a second one.
    if b64(raw) != value or (size is not None and len(raw) != size):
        raise MalformedError
    return raw


def read_time(doc: dict[str, Any], key: str) -> datetime:
    try:
        return datetime.fromisoformat(read_text(doc, key, 64))
    except ValueError:
        raise MalformedError from None


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
