"""Laptop and office keys, the office's signed roster of laptops, and the enrolment files.

Every laptop has a signing key (Ed25519) and an encryption key (X25519). The office's master
laptop holds the office key (Ed25519), which signs the roster: the list of enrolled laptops with
their public keys, each possibly revoked. Private keys are kept wrapped under a passphrase
(scrypt, then ChaCha20-Poly1305) in a small JSON-serialisable dict.

A laptop joins its office with two files carried on a USB stick: an enrolment request (its public
keys, signed by its own signing key to prove it holds it) taken to the master laptop, and a grant
brought back (the new signed roster and the office's public key). ``fingerprint`` gives a short
text both screens can show, so people can check that the stick carried the right keys.

Plain values in and out, bytes for keys; every cryptographic operation comes from
``cryptography``. Files that cannot be used raise ``AppError`` with a translatable message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from app.core import sealing
from app.core.errors import AppError
from app.core.i18n import N_

# The sealing and the JSON readers live in app.core (the store key is sealed the same way);
# named here too for the sync modules that read their files with them.
from app.core.sealing import EMPTY_PASSPHRASE as EMPTY_PASSPHRASE
from app.core.sealing import KEY_SIZE as KEY_SIZE
from app.core.sealing import MAX_ID as MAX_ID
from app.core.sealing import WRONG_PASSPHRASE as WRONG_PASSPHRASE
from app.core.sealing import MalformedError as MalformedError
from app.core.sealing import b64 as b64
from app.core.sealing import canonical_json as canonical_json
from app.core.sealing import parse_json as parse_json
from app.core.sealing import read_bytes as read_bytes
from app.core.sealing import read_int as read_int
from app.core.sealing import read_object as read_object
from app.core.sealing import read_text as read_text
from app.core.sealing import read_time as read_time
from app.core.sealing import seal, unseal

SIGNATURE_SIZE = 64
MAX_NAME = 200
# scrypt's cost for the keys wrapped here (tests lower it to unwrap faster).
SCRYPT_N = sealing.SCRYPT_N

NOT_A_KEY_FILE = N_("This is not a Doorstep key file, or the file is damaged.")
NOT_A_ROSTER = N_("This is not a list of the office's laptops, or the file is damaged.")
ROSTER_NOT_SIGNED = N_("This list of laptops is not signed with the office's key.")
NOT_A_REQUEST = N_("This is not a Doorstep enrolment request, or the file is damaged.")
REQUEST_NOT_SIGNED = N_("The signature on this enrolment request is not valid.")
REQUEST_OTHER_OFFICE = N_("This enrolment request is for another office.")
NOT_A_GRANT = N_("This is not a Doorstep enrolment grant, or the file is damaged.")
GRANT_NOT_FOR_US = N_("This enrolment grant does not include this laptop.")

# What each signature is for, so that no signature can be passed off as another kind.
_ROSTER_CONTEXT = b"doorstep roster v1\x00"
_REQUEST_CONTEXT = b"doorstep enrolment request v1\x00"


class TrustError(AppError):
    """A key file, roster or enrolment file cannot be used."""


# --- plain data ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DevicePublic:
    """What others need to know of a laptop: its id and its two public keys (raw, 32 bytes)."""

    device_id: str
    sign_pub: bytes
    box_pub: bytes


@dataclass(frozen=True)
class DeviceKeys:
    """A laptop's private keys (raw, 32 bytes each). Never logged, never shown."""

    device_id: str
    sign_private: bytes = field(repr=False)
    box_private: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_id(self.device_id)
        if len(self.sign_private) != KEY_SIZE or len(self.box_private) != KEY_SIZE:
            raise ValueError("device keys are 32 bytes each")

    def public(self) -> DevicePublic:
        return DevicePublic(self.device_id, _sign_pub(self.sign_private),
                            X25519PrivateKey.from_private_bytes(self.box_private)
                            .public_key().public_bytes_raw())

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.sign_private).sign(message)


@dataclass(frozen=True)
class OfficeKey:
    """The office's master signing key (raw, 32 bytes), held by the master laptop."""

    office_id: str
    sign_private: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_id(self.office_id)
        if len(self.sign_private) != KEY_SIZE:
            raise ValueError("the office key is 32 bytes")

    def public(self) -> bytes:
        return _sign_pub(self.sign_private)

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.sign_private).sign(message)


@dataclass(frozen=True)
class RosterDevice:
    """One enrolled laptop. A revoked laptop stays listed, with the time it was revoked and its
    cut-off: for each of its logs, the last counter the office accepts (what the master held when
    it revoked the laptop). Versions past it are refused from any laptop that relays them. A
    roster written before cut-offs existed has none (``cutoffs`` is None): then nothing more of
    the laptop is taken, and what a laptop already holds stays."""

    device_id: str
    name: str
    office_id: str
    sign_pub: bytes
    box_pub: bytes
    enrolled_at: datetime
    revoked_at: datetime | None = None
    cutoffs: tuple[tuple[str, int], ...] | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def cutoff(self, log_id: str) -> int | None:
        """The last counter of ``log_id`` accepted from this laptop; None when not revoked, or
        revoked without cut-offs."""
        if not self.revoked or self.cutoffs is None:
            return None
        return dict(self.cutoffs).get(log_id, 0)

    def public(self) -> DevicePublic:
        return DevicePublic(self.device_id, self.sign_pub, self.box_pub)


@dataclass(frozen=True)
class Roster:
    """The office's laptops, as signed by the office key; a higher ``version`` is newer."""

    office_id: str
    version: int
    devices: tuple[RosterDevice, ...]

    def find(self, device_id: str) -> RosterDevice | None:
        return next((d for d in self.devices if d.device_id == device_id), None)

    def active(self) -> tuple[RosterDevice, ...]:
        """The laptops not revoked: the recipients of the next package."""
        return tuple(d for d in self.devices if not d.revoked)


@dataclass(frozen=True)
class EnrolmentRequest:
    """A laptop asking to join an office, its keys proven by its own signature."""

    device_id: str
    name: str
    office_id: str
    sign_pub: bytes
    box_pub: bytes

    def public(self) -> DevicePublic:
        return DevicePublic(self.device_id, self.sign_pub, self.box_pub)


# --- keys ----------------------------------------------------------------------------------------

def generate_device_keys(device_id: str) -> DeviceKeys:
    return DeviceKeys(device_id, Ed25519PrivateKey.generate().private_bytes_raw(),
                      X25519PrivateKey.generate().private_bytes_raw())


def generate_office_key(office_id: str) -> OfficeKey:
    return OfficeKey(office_id, Ed25519PrivateKey.generate().private_bytes_raw())


def fingerprint(public_key: bytes) -> str:
    """A short text of a public key for people to compare, e.g. ``3f2a 91c0 …`` (8 groups)."""
    digest = hashlib.sha256(b"doorstep fingerprint\x00" + public_key).hexdigest()[:32]
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def wrap_private(keys: DeviceKeys, passphrase: str) -> dict[str, Any]:
    """The laptop's private keys encrypted under ``passphrase``, as a JSON-serialisable dict."""
    return _wrap("device-keys", keys.device_id, keys.sign_private + keys.box_private, passphrase)


def unwrap_private(blob: dict[str, Any], passphrase: str) -> DeviceKeys:
    device_id, secret = _unwrap("device-keys", blob, passphrase, 2 * KEY_SIZE)
    return DeviceKeys(device_id, secret[:KEY_SIZE], secret[KEY_SIZE:])


def wrap_office_key(key: OfficeKey, passphrase: str) -> dict[str, Any]:
    return _wrap("office-key", key.office_id, key.sign_private, passphrase)


def unwrap_office_key(blob: dict[str, Any], passphrase: str) -> OfficeKey:
    office_id, secret = _unwrap("office-key", blob, passphrase, KEY_SIZE)
    return OfficeKey(office_id, secret)


def _wrap(kind: str, owner_id: str, secret: bytes, passphrase: str) -> dict[str, Any]:
    return seal(kind, owner_id, secret, passphrase, n=SCRYPT_N)


def _unwrap(kind: str, blob: object, passphrase: str, size: int) -> tuple[str, bytes]:
    try:
        return unseal(kind, blob, passphrase, size)
    except MalformedError:
        raise TrustError(NOT_A_KEY_FILE) from None


def _sign_pub(sign_private: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(sign_private).public_key().public_bytes_raw()


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s Ed25519 signature of ``message``."""
    if len(public_key) != KEY_SIZE or len(signature) != SIGNATURE_SIZE:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


# --- roster --------------------------------------------------------------------------------------

def sign_roster(roster: Roster, office_key: OfficeKey) -> bytes:
    """The roster as a signed file: canonical JSON and the office key's signature of it."""
    if roster.office_id != office_key.office_id:
        raise ValueError("a roster is signed by its own office's key")
    body = canonical_json(_roster_to_json(roster))
    return _envelope("roster", body, office_key.sign(_ROSTER_CONTEXT + body))


def read_roster(data: bytes, office_pub: bytes) -> Roster:
    """The roster in ``data``, if the office key ``office_pub`` signed it."""
    body, signature = _open_envelope("roster", data, NOT_A_ROSTER)
    if not verify_signature(office_pub, signature, _ROSTER_CONTEXT + body):
        raise TrustError(ROSTER_NOT_SIGNED)
    try:
        return _roster_from_json(parse_json(body))
    except MalformedError:
        raise TrustError(NOT_A_ROSTER) from None


def _roster_to_json(roster: Roster) -> dict[str, Any]:
    _check_id(roster.office_id)
    if isinstance(roster.version, bool) or roster.version < 1:
        raise ValueError("roster versions start at 1")
    seen: set[str] = set()
    devices = []
    for d in roster.devices:
        _check_id(d.device_id)
        if d.device_id in seen or d.office_id != roster.office_id or not d.name \
                or len(d.name) > MAX_NAME or len(d.sign_pub) != KEY_SIZE \
                or len(d.box_pub) != KEY_SIZE:
            raise ValueError(f"bad roster entry {d.device_id!r}")
        seen.add(d.device_id)
        entry: dict[str, Any] = {
            "device_id": d.device_id, "name": d.name, "office_id": d.office_id,
            "sign_pub": b64(d.sign_pub), "box_pub": b64(d.box_pub),
            "enrolled_at": d.enrolled_at.isoformat(),
            "revoked_at": d.revoked_at.isoformat() if d.revoked_at else None,
        }
        if d.revoked and d.cutoffs is not None:
            entry["cutoffs"] = {log_id: counter for log_id, counter in sorted(d.cutoffs)}
        devices.append(entry)
    return {"office_id": roster.office_id, "version": roster.version, "devices": devices}


def _roster_from_json(doc: dict[str, Any]) -> Roster:
    office_id = read_text(doc, "office_id", MAX_ID)
    version = read_int(doc, "version")
    entries = doc.get("devices")
    if version < 1 or not isinstance(entries, list):
        raise MalformedError
    devices: list[RosterDevice] = []
    for entry in entries:
        d = read_object(entry)
        revoked = d.get("revoked_at")
        cutoffs = None
        if "cutoffs" in d:
            found = read_object(d["cutoffs"])
            if revoked is None or any(not k or len(k) > MAX_ID for k in found):
                raise MalformedError
            cutoffs = tuple(sorted((k, read_int(found, k)) for k in found))
        device = RosterDevice(
            read_text(d, "device_id", MAX_ID), read_text(d, "name", MAX_NAME),
            read_text(d, "office_id", MAX_ID), read_bytes(d, "sign_pub", KEY_SIZE),
            read_bytes(d, "box_pub", KEY_SIZE), read_time(d, "enrolled_at"),
            None if revoked is None else read_time(d, "revoked_at"), cutoffs)
        if device.office_id != office_id or any(o.device_id == device.device_id
                                                for o in devices):
            raise MalformedError
        devices.append(device)
    return Roster(office_id, version, tuple(devices))


# --- enrolment -----------------------------------------------------------------------------------

def make_enrolment_request(keys: DeviceKeys, name: str, office_id: str) -> bytes:
    """A request to join ``office_id``, signed with the laptop's own key."""
    _check_id(office_id)
    if not name or len(name) > MAX_NAME:
        raise ValueError("a laptop's name is 1 to 200 characters")
    public = keys.public()
    body = canonical_json({"device_id": keys.device_id, "name": name, "office_id": office_id,
                           "sign_pub": b64(public.sign_pub), "box_pub": b64(public.box_pub)})
    return _envelope("enrolment-request", body, keys.sign(_REQUEST_CONTEXT + body))


def read_enrolment_request(data: bytes, office_id: str | None = None) -> EnrolmentRequest:
    """The request in ``data``, its signature checked; for ``office_id`` when that is given."""
    body, signature = _open_envelope("enrolment-request", data, NOT_A_REQUEST)
    try:
        doc = parse_json(body)
        request = EnrolmentRequest(
            read_text(doc, "device_id", MAX_ID), read_text(doc, "name", MAX_NAME),
            read_text(doc, "office_id", MAX_ID), read_bytes(doc, "sign_pub", KEY_SIZE),
            read_bytes(doc, "box_pub", KEY_SIZE))
    except MalformedError:
        raise TrustError(NOT_A_REQUEST) from None
    if not verify_signature(request.sign_pub, signature, _REQUEST_CONTEXT + body):
        raise TrustError(REQUEST_NOT_SIGNED)
    if office_id is not None and request.office_id != office_id:
        raise TrustError(REQUEST_OTHER_OFFICE)
    return request


def make_grant(roster_bytes: bytes, office_pub: bytes) -> bytes:
    """The answer to an enrolment request: the signed roster and the office's public key."""
    read_roster(roster_bytes, office_pub)  # never hand out a roster that will not verify
    return canonical_json({"doorstep": "enrolment-grant", "version": 1,
                           "office_pub": b64(office_pub), "roster": b64(roster_bytes)})


def read_grant(data: bytes, me: DeviceKeys | None = None) -> tuple[Roster, bytes]:
    """The roster and office key in a grant; with ``me``, also checks this laptop is enrolled.

    The office key is taken on trust from the file: compare its ``fingerprint`` with the one
    the master laptop shows.
    """
    try:
        doc = parse_json(data)
        if doc.get("doorstep") != "enrolment-grant" or doc.get("version") != 1:
            raise MalformedError
        office_pub = read_bytes(doc, "office_pub", KEY_SIZE)
        roster_bytes = read_bytes(doc, "roster")
    except MalformedError:
        raise TrustError(NOT_A_GRANT) from None
    try:
        roster = read_roster(roster_bytes, office_pub)
    except TrustError:
        raise TrustError(NOT_A_GRANT) from None
    if me is not None:
        entry = roster.find(me.device_id)
        if entry is None or entry.revoked or entry.public() != me.public():
            raise TrustError(GRANT_NOT_FOR_US)
    return roster, office_pub


# --- helpers --------------------------------------------------------------------------------------

def _check_id(value: str) -> None:
    if not value or len(value) > MAX_ID:
        raise ValueError(f"bad id {value!r}")


def _envelope(kind: str, body: bytes, signature: bytes) -> bytes:
    return canonical_json({"doorstep": kind, "version": 1, "body": b64(body),
                           "signature": b64(signature)})


def _open_envelope(kind: str, data: bytes, error: str) -> tuple[bytes, bytes]:
    try:
        doc = parse_json(data)
        if doc.get("doorstep") != kind or doc.get("version") != 1:
            raise MalformedError
        return read_bytes(doc, "body"), read_bytes(doc, "signature", SIGNATURE_SIZE)
    except MalformedError:
        raise TrustError(error) from None

