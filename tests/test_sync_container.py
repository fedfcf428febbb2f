"""Sync packages and keys: what arrives is exactly what was sent, by whom it says, or nothing.

A package that was altered, cut, forged, meant for someone else or written by a newer Doorstep
is refused with a message saying which; opening never hands out part of one. Small chunk sizes
keep the packages small enough to flip every byte.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import struct
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.errors import AppError, ValidationError
from app.sync import container, crypto
from app.sync.container import (
    OpenedPackage,
    OperationCancelledError,
    PackageError,
    open_from,
    open_package,
    peek_header,
    seal,
    seal_to,
)
from app.sync.crypto import DeviceKeys, Roster, RosterDevice, TrustError

OFFICE = "632624"
OTHER_OFFICE = "632621"
ENROLLED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CHUNK = 64


@dataclass(frozen=True)
class Office:
    key: crypto.OfficeKey
    roster: Roster
    a: DeviceKeys  # the usual sender
    b: DeviceKeys
    c: DeviceKeys
    revoked: DeviceKeys
    stranger: DeviceKeys  # has keys, never enrolled


def entry(keys: DeviceKeys, name: str, revoked_at: datetime | None = None) -> RosterDevice:
    public = keys.public()
    return RosterDevice(keys.device_id, name, OFFICE, public.sign_pub, public.box_pub, ENROLLED,
                        revoked_at)


@pytest.fixture(scope="module")
def office() -> Office:
    a, b, c, revoked, stranger = (crypto.generate_device_keys(name)
                                  for name in ("laptop-a", "laptop-b", "laptop-c", "laptop-r",
                                               "laptop-x"))
    roster = Roster(OFFICE, 3, (
        entry(a, "12309窗口"), entry(b, "控申科"), entry(c, "达日县院 ཞིབ་ཚགས་ཁང"),
        entry(revoked, "lost laptop", datetime(2026, 11, 20, tzinfo=UTC))))
    return Office(crypto.generate_office_key(OFFICE), roster, a, b, c, revoked, stranger)


def small(office: Office, **changes: Any) -> bytes:
    """A small package from laptop a to laptop b, in 64-byte chunks."""
    args: dict[str, Any] = {
        "manifest": {"versions": 2, "note": "藏文 ཞིབ་ཚགས"}, "sections": {
            "versions.json": b'[{"field": "name_zh", "value": "\\u624e\\u897f"}]' * 2,
            "attachments/scan.pdf": bytes(range(40))},
        "sender": office.a, "office_id": OFFICE, "package_id": "pkg-1",
        "recipients": [office.b.public()], "chunk_size": CHUNK}
    args.update(changes)
    return seal(**args)


def refused(data: bytes, office: Office, me: DeviceKeys | None = None) -> str:
    """The message a package is refused with; fails the test if it opens."""
    with pytest.raises(PackageError) as caught:
        open_package(data, me or office.b, OFFICE, office.roster)
    return caught.value.message


def payload_start(data: bytes) -> int:
    size = int.from_bytes(data[12:16], "big")
    return 16 + size + container.MAC_SIZE + container.PAYLOAD_NONCE_SIZE


def chunks(data: bytes, chunk_size: int = CHUNK) -> tuple[bytes, list[bytes]]:
    start, step = payload_start(data), chunk_size + container.TAG_SIZE
    return data[:start], [data[i:i + step] for i in range(start, len(data), step)]


# --- round trips ---------------------------------------------------------------------------------

def test_every_recipient_opens_what_the_sender_sealed(office: Office) -> None:
    sections = {"versions.json": b"[]" * 5000, "empty": b"", "scan.jpg": bytes(range(256)) * 300}
    data = seal({"counters": {"laptop-a": 17}}, sections, office.a, OFFICE, "pkg-7",
                [r.public() for r in office.roster.active()])
    for me in (office.a, office.b, office.c):
        opened = open_package(data, me, OFFICE, office.roster)
        assert opened == OpenedPackage({"counters": {"laptop-a": 17}}, sections, "laptop-a",
                                       "pkg-7", container.READER_VERSION)
        assert list(opened.sections) == ["versions.json", "empty", "scan.jpg"]
    assert refused(data, office, office.stranger) == container.NOT_FOR_US
    assert refused(data, office, office.revoked) == container.NOT_FOR_US  # not in active()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sections=st.dictionaries(st.text(min_size=1, max_size=8), st.binary(max_size=300),
                                max_size=4),
       manifest=st.dictionaries(st.text(max_size=5), st.integers() | st.text() | st.none()),
       chunk_size=st.sampled_from([16, 17, 64, 100]))
def test_round_trip_whatever_the_sizes(office: Office, sections: dict[str, bytes],
                                       manifest: dict[str, Any], chunk_size: int) -> None:
    data = seal(manifest, sections, office.a, OFFICE, "p", [office.b.public()],
                chunk_size=chunk_size)
    opened = open_package(data, office.b, OFFICE, office.roster)
    assert (opened.manifest, opened.sections) == (manifest, sections)


def test_chunk_boundaries(office: Office) -> None:
    """Full chunks, then a last one that is shorter or full, never empty."""
    full_last_chunk = 0
    for size in range(2 * CHUNK):
        data = small(office, sections={"x": b"\x07" * size})
        _lead, parts = chunks(data)
        plain = [len(p) - container.TAG_SIZE for p in parts]
        assert all(n == CHUNK for n in plain[:-1]) and 0 < plain[-1] <= CHUNK
        full_last_chunk += plain[-1] == CHUNK
        assert open_package(data, office.b, OFFICE, office.roster).sections == {"x": b"\x07" * size}
    assert full_last_chunk >= 1


def test_peek_shows_what_a_package_is_without_opening_it(office: Office, tmp_path: Path) -> None:
    data = small(office, recipients=[office.b.public(), office.c.public(), office.b.public()])
    path = tmp_path / "to-office.doorstep"
    path.write_bytes(data)
    for source in (data, path, str(path), io.BytesIO(data)):
        header = peek_header(source)
        assert header == container.PackageHeader((1, 1), (1, 1), OFFICE, "laptop-a", "pkg-1",
                                                 ("laptop-b", "laptop-c"))


def test_files_stream_in_and_out(office: Office, tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(bytes(range(256)) * 1000)
    target = tmp_path / "stick" / "package.doorstep"
    target.parent.mkdir()
    seen: list[tuple[int, int]] = []
    seal_to(target, {"m": 1}, {"scan": scan, "rows": b"[1, 2]"}, office.a, OFFICE, "pkg-2",
            [office.b.public()], chunk_size=1000, progress=lambda done, total: seen.append(
                (done, total)))
    assert seen[-1] == (256_006, 256_006)
    assert [p.name for p in target.parent.iterdir()] == ["package.doorstep"]  # no leftovers

    opened = open_package(target, office.b, OFFICE, office.roster)
    assert opened.sections == {"scan": scan.read_bytes(), "rows": b"[1, 2]"}
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    files = open_from(target, office.b, OFFICE, office.roster, inbox)
    assert files.manifest == {"m": 1} and files.folder.parent == inbox
    assert {name: path.read_bytes() for name, path in files.section_files.items()} \
        == opened.sections


def test_sections_asked_for_stay_in_memory_and_are_never_written(office: Office,
                                                                 tmp_path: Path) -> None:
    data = small(office)
    files = open_from(data, office.b, OFFICE, office.roster, tmp_path,
                      in_memory=lambda name: not name.startswith("attachments/"))
    written = [p for p in files.folder.rglob("*") if p.is_file()]
    assert files.sections == {"versions.json": open_package(
        data, office.b, OFFICE, office.roster).sections["versions.json"]}
    assert list(files.section_files) == ["attachments/scan.pdf"]
    assert written == [files.section_files["attachments/scan.pdf"]]
    assert written[0].read_bytes() == bytes(range(40))


def test_a_refused_or_cancelled_package_leaves_nothing_behind(office: Office,
                                                              tmp_path: Path) -> None:
    data = bytearray(small(office))
    data[-5] ^= 1
    with pytest.raises(PackageError):
        open_from(bytes(data), office.b, OFFICE, office.roster, tmp_path)
    assert list(tmp_path.iterdir()) == []

    with pytest.raises(OperationCancelledError):
        open_from(small(office), office.b, OFFICE, office.roster, tmp_path,
                  is_cancelled=lambda: True)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OperationCancelledError):
        seal_to(tmp_path / "p.doorstep", {}, {"s": b"x"}, office.a, OFFICE, "p",
                [office.b.public()], is_cancelled=lambda: True)
    assert list(tmp_path.iterdir()) == []


def test_large_packages_are_streamed_in_little_memory(office: Office, tmp_path: Path) -> None:
    big = tmp_path / "video.mp4"
    with big.open("wb") as f:
        for i in range(32):
            f.write(bytes([i]) * 1024 * 1024)
    target = tmp_path / "big.doorstep"
    tracemalloc.start()
    try:
        seal_to(target, {}, {"video": big}, office.a, OFFICE, "big", [office.b.public()])
        _size, seal_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        files = open_from(target, office.b, OFFICE, office.roster, tmp_path)
        _size, open_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seal_peak < 8 * 1024 * 1024 and open_peak < 8 * 1024 * 1024
    assert files.section_files["video"].stat().st_size == 32 * 1024 * 1024
    assert files.section_files["video"].read_bytes() == big.read_bytes()


# --- damage and tampering ------------------------------------------------------------------------

def test_every_flipped_byte_is_refused(office: Office) -> None:
    data = small(office)
    assert len(data) > 900
    messages = set()
    for position in range(len(data)):
        for bit in (0x01, 0x80):
            damaged = bytearray(data)
            damaged[position] ^= bit
            messages.add(refused(bytes(damaged), office))
    assert {container.NOT_A_PACKAGE, container.HEADER_ALTERED,
            container.PAYLOAD_ALTERED} <= messages
    # The header is believed only once its MAC verifies: a flipped byte in the office or the
    # format never passes for another office's package or a newer Doorstep's.
    assert not {container.OTHER_OFFICE, container.NEWER_FORMAT} & messages


def test_every_cut_is_refused(office: Office) -> None:
    data = small(office)
    for length in range(len(data)):
        refused(data[:length], office)
    _lead, parts = chunks(data)
    end_of_chunk = len(data) - len(parts[-1])
    assert refused(data[:end_of_chunk], office) == container.PAYLOAD_ALTERED


def test_chunks_cannot_be_reordered_dropped_repeated_or_added_to(office: Office) -> None:
    data = small(office)
    lead, parts = chunks(data)
    assert len(parts) >= 5
    forged = [
        [parts[0], parts[2], parts[1], *parts[3:]],  # two swapped
        parts[:2] + parts[3:],  # a middle one dropped
        parts[:3] + parts[2:],  # one repeated
        [*parts[:-2], parts[-1], parts[-2]],  # last one moved
        [*parts, parts[-1]],  # the last one twice
        [*parts, b"\x00"],  # a byte appended
        [*parts, parts[1]],  # an earlier chunk appended
    ]
    for arrangement in forged:
        assert refused(lead + b"".join(arrangement), office) == container.PAYLOAD_ALTERED
    other = small(office)  # the same contents sealed again: another file key
    _other_lead, other_parts = chunks(other)
    assert refused(lead + b"".join(parts[:2] + other_parts[2:]), office) \
        == container.PAYLOAD_ALTERED


def test_the_stream_itself_knows_where_it_ends() -> None:
    """The last-chunk flag: a stream cut at a chunk boundary or ended oddly is refused."""
    key = bytes(range(32))

    def sealed(plain: bytes) -> bytes:
        out = io.BytesIO()
        writer = container._StreamWriter(out, key, 16)
        writer.write(plain)
        writer.close()
        return out.getvalue()

    def read_all(data: bytes) -> bytes:
        reader = container._StreamReader(io.BytesIO(data), key, 16)
        plain = b""
        while not reader.at_end():
            plain += reader.read(1)
        return plain

    plain = bytes(range(64))  # four full chunks
    data = sealed(plain)
    assert read_all(data) == plain and len(data) == 4 * 32
    for kept in range(4):
        with pytest.raises(PackageError):
            read_all(data[:kept * 32])
    aead = ChaCha20Poly1305(key)
    empty_last = b"".join(aead.encrypt(container._chunk_nonce(i, False),
                                       plain[16 * i:16 * i + 16], None) for i in range(4))
    with pytest.raises(PackageError):
        read_all(empty_last + aead.encrypt(container._chunk_nonce(4, True), b"", None))
    assert read_all(sealed(b"")) == b""  # only an empty stream ends with an empty chunk


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_edit_is_refused(office: Office, data: st.DataObject) -> None:
    package = small(office)
    start = data.draw(st.integers(0, len(package)))
    end = data.draw(st.integers(start, min(len(package), start + 40)))
    insert = data.draw(st.binary(max_size=40))
    edited = package[:start] + insert + package[end:]
    if edited != package:
        refused(edited, office)


def test_not_a_package(office: Office, tmp_path: Path) -> None:
    roster = crypto.sign_roster(office.roster, office.key)
    for data in (b"", b"DOORSTEP-PK", b"PK\x03\x04 a zip file", roster, b"\x00" * 200):
        assert refused(data, office) == container.NOT_A_PACKAGE
        with pytest.raises(PackageError):
            peek_header(data)
    assert refused(container.MAGIC + b"\x00\x00\x00\x05{}", office) == container.HEADER_ALTERED


# --- signatures ----------------------------------------------------------------------------------

def forge(office: Office, body: Callable[[bytes], Iterator[bytes]],
          sender_id: str = "laptop-a") -> bytes:
    """A package made by someone who can build any payload (e.g. a recipient of the file key)."""
    out = io.BytesIO()
    container._write_package(out, office_id=OFFICE, sender_id=sender_id, package_id="forged",
                             recipients=[office.b.public()], format_version=(1, 0),
                             chunk_size=CHUNK, body=body)
    return out.getvalue()


def forged_body(sections: dict[str, bytes], sign: Callable[[bytes, bytes], bytes | None],
                data: bytes | None = None) -> Callable[[bytes], Iterator[bytes]]:
    listed = [{"name": n, "size": len(s), "sha256": hashlib.sha256(s).hexdigest()}
              for n, s in sections.items()]
    index = crypto.canonical_json({"manifest": {"forged": True}, "sections": listed})

    def body(header: bytes) -> Iterator[bytes]:
        yield struct.pack(">I", len(index)) + index
        signature = sign(header, index)
        if signature is not None:
            yield struct.pack(">H", len(signature)) + signature
        yield b"".join(sections.values()) if data is None else data
    return body


def signed_by(keys: DeviceKeys) -> Callable[[bytes, bytes], bytes]:
    return lambda header, index: keys.sign(container._signed_message(header, index))


def test_the_forging_helper_makes_good_packages_when_signed_right(office: Office) -> None:
    opened = open_package(forge(office, forged_body({"s": b"data"}, signed_by(office.a))),
                          office.b, OFFICE, office.roster)
    assert (opened.manifest, opened.sections) == ({"forged": True}, {"s": b"data"})


def test_signatures_cannot_be_stripped_or_forged(office: Office) -> None:
    sections = {"s": b"data"}
    stripped = forge(office, forged_body({}, lambda h, i: None))
    assert refused(stripped, office) == container.NOT_SIGNED
    empty = forge(office, forged_body(sections, lambda h, i: b""))
    assert refused(empty, office) == container.NOT_SIGNED
    for sign in (signed_by(office.stranger),  # someone else's key
                 signed_by(office.b),  # another enrolled laptop's key, a's name on it
                 lambda h, i: office.a.sign(container._signed_message(h + b" ", i)),
                 lambda h, i: office.a.sign(i),  # without the header: could be replayed
                 lambda h, i: bytes(64),
                 lambda h, i: office.a.sign(container._signed_message(h, i))[:63]):
        assert refused(forge(office, forged_body(sections, sign)), office) \
            == container.BAD_SIGNATURE
    # a's own signature on the index, but other section bytes, fewer or more of them
    for data in (b"DATA", b"dat", b"data!"):
        assert refused(forge(office, forged_body(sections, signed_by(office.a), data)), office) \
            == container.PAYLOAD_ALTERED


def test_a_signature_from_another_package_does_not_carry_over(office: Office) -> None:
    captured: list[bytes] = []

    def sign_and_keep(header: bytes, index: bytes) -> bytes:
        captured.append(office.a.sign(container._signed_message(header, index)))
        return captured[-1]

    forge(office, forged_body({"s": b"data"}, sign_and_keep))
    replayed = forge(office, forged_body({"s": b"data"}, lambda h, i: captured[0]))
    assert refused(replayed, office) == container.BAD_SIGNATURE


# --- who may send, to whom -----------------------------------------------------------------------

def test_package_for_another_office(office: Office) -> None:
    data = small(office, office_id=OTHER_OFFICE)
    assert refused(data, office) == "This package is meant for another office."


def test_package_not_addressed_to_this_laptop(office: Office) -> None:
    data = small(office)
    assert refused(data, office, office.c) == container.NOT_FOR_US
    impostor = crypto.generate_device_keys("laptop-b")  # b's id, other keys
    assert refused(data, office, impostor) == container.NOT_FOR_US


def test_senders_must_be_enrolled_and_not_revoked(office: Office) -> None:
    assert refused(small(office, sender=office.revoked), office) == container.REVOKED_SENDER
    assert refused(small(office, sender=office.stranger), office) == container.UNKNOWN_SENDER
    # a name in the roster with other keys: the signature gives it away
    impostor = crypto.generate_device_keys("laptop-a")
    assert refused(small(office, sender=impostor), office) == container.BAD_SIGNATURE


def test_newer_formats(office: Office) -> None:
    newer_major = small(office, format_version=(2, 0))
    assert refused(newer_major, office) \
        == "This package was written by a newer Doorstep. Please update Doorstep on this laptop."
    with pytest.raises(container.NewerPackageError):
        peek_header(newer_major)
    newer_minor = small(office, format_version=(1, 7))
    opened = open_package(newer_minor, office.b, OFFICE, office.roster)
    assert opened.format_version == (1, 7) and opened.sections


def test_messages_are_distinct_app_errors() -> None:
    assert issubclass(PackageError, AppError) and issubclass(TrustError, AppError)
    messages = [getattr(module, name) for module in (container, crypto) for name in dir(module)
                if name.isupper() and isinstance(getattr(module, name), str)]
    assert len(messages) == len(set(messages)) >= 20


# --- keys, roster, enrolment ---------------------------------------------------------------------

def test_private_keys_are_wrapped_under_a_passphrase(office: Office) -> None:
    blob = json.loads(json.dumps(crypto.wrap_private(office.a, "雪山 གངས་རི 2026")))
    assert blob["kdf"] | {"salt": ""} == {"name": "scrypt", "n": 2**15, "r": 8, "p": 1, "salt": ""}
    assert crypto.unwrap_private(blob, "雪山 གངས་རི 2026") == office.a
    assert "private" not in repr(office.a) and "private" not in repr(office.key)
    with pytest.raises(ValidationError) as caught:
        crypto.unwrap_private(blob, "雪山 གངས་རི 2025")
    assert caught.value.message == "The passphrase is wrong." and caught.value.field == "passphrase"
    with pytest.raises(ValidationError):
        crypto.unwrap_private(blob | {"id": "laptop-b"}, "雪山 གངས་རི 2026")  # bound to the key
    with pytest.raises(TrustError) as not_a_key:
        crypto.unwrap_private({"doorstep": "device-keys"}, "x")
    assert not_a_key.value.message == crypto.NOT_A_KEY_FILE
    with pytest.raises(TrustError):  # absurd scrypt costs are not even tried
        crypto.unwrap_private(blob | {"kdf": blob["kdf"] | {"n": 2**40}}, "x")
    with pytest.raises(ValidationError):
        crypto.wrap_private(office.a, "")

    office_blob = crypto.wrap_office_key(office.key, "e\u0301té")  # decomposed é
    assert crypto.unwrap_office_key(office_blob, "\u00e9té") == office.key  # composed é
    with pytest.raises(TrustError):
        crypto.unwrap_private(office_blob, "\u00e9té")  # an office key is not a laptop's


def test_roster_is_signed_by_the_office_key(office: Office) -> None:
    data = crypto.sign_roster(office.roster, office.key)
    roster = crypto.read_roster(data, office.key.public())
    assert roster == office.roster
    assert [d.device_id for d in roster.active()] == ["laptop-a", "laptop-b", "laptop-c"]
    assert roster.find("laptop-r") is not None and roster.find("laptop-r").revoked  # type: ignore[union-attr]

    other_key = crypto.generate_office_key(OFFICE)
    with pytest.raises(TrustError) as caught:
        crypto.read_roster(crypto.sign_roster(office.roster, other_key), office.key.public())
    assert caught.value.message == crypto.ROSTER_NOT_SIGNED
    for position in range(len(data)):
        damaged = bytearray(data)
        damaged[position] ^= 0x01
        with pytest.raises(TrustError):
            crypto.read_roster(bytes(damaged), office.key.public())
    with pytest.raises(ValueError):  # a roster is signed by its own office's key
        crypto.sign_roster(replace(office.roster, office_id=OTHER_OFFICE), office.key)


def test_enrolment_request_and_grant(office: Office) -> None:
    newcomer = crypto.generate_device_keys("laptop-n")
    request = crypto.make_enrolment_request(newcomer, "新电脑", OFFICE)
    received = crypto.read_enrolment_request(request, OFFICE)
    assert received.public() == newcomer.public()
    assert (received.name, received.office_id) == ("新电脑", OFFICE)
    with pytest.raises(TrustError) as elsewhere:
        crypto.read_enrolment_request(request, OTHER_OFFICE)
    assert elsewhere.value.message == crypto.REQUEST_OTHER_OFFICE

    # the master adds it to the roster, signs, and hands back a grant
    added = RosterDevice(received.device_id, received.name, OFFICE, received.sign_pub,
                         received.box_pub, ENROLLED)
    roster = replace(office.roster, version=4, devices=(*office.roster.devices, added))
    grant = crypto.make_grant(crypto.sign_roster(roster, office.key), office.key.public())
    got_roster, office_pub = crypto.read_grant(grant, newcomer)
    assert (got_roster, office_pub) == (roster, office.key.public())
    assert crypto.fingerprint(office_pub) == crypto.fingerprint(office.key.public())
    assert len(crypto.fingerprint(office_pub).split()) == 8
    with pytest.raises(TrustError) as not_us:
        crypto.read_grant(grant, crypto.generate_device_keys("laptop-n"))  # same id, other keys
    assert not_us.value.message == crypto.GRANT_NOT_FOR_US
    with pytest.raises(TrustError):
        crypto.read_grant(grant, office.revoked)
    for position in range(len(grant)):
        damaged = bytearray(grant)
        damaged[position] ^= 0x01
        with pytest.raises(TrustError):
            crypto.read_grant(bytes(damaged), newcomer)
    with pytest.raises(TrustError):  # a roster signed with another key does not make a grant
        crypto.make_grant(crypto.sign_roster(roster, office.key), newcomer.public().sign_pub)


def test_enrolment_request_must_be_signed_by_its_own_key(office: Office) -> None:
    newcomer = crypto.generate_device_keys("laptop-n")
    request = json.loads(crypto.make_enrolment_request(newcomer, "新电脑", OFFICE))
    body = json.loads(base64.b64decode(request["body"]))
    body["name"] = "master"
    request["body"] = base64.b64encode(crypto.canonical_json(body)).decode()
    with pytest.raises(TrustError) as caught:
        crypto.read_enrolment_request(json.dumps(request).encode())
    assert caught.value.message == crypto.REQUEST_NOT_SIGNED
    # someone else's keys in the request, signed by the newcomer: the signature must match
    body["sign_pub"] = base64.b64encode(office.a.public().sign_pub).decode()
    request["body"] = base64.b64encode(crypto.canonical_json(body)).decode()
    with pytest.raises(TrustError):
        crypto.read_enrolment_request(json.dumps(request).encode())
    for data in (b"", b"{}", crypto.sign_roster(office.roster, office.key)):
        with pytest.raises(TrustError) as bad:
            crypto.read_enrolment_request(data)
        assert bad.value.message == crypto.NOT_A_REQUEST

