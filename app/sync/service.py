"""Sync use cases: setting an office up, enrolling and revoking laptops, exporting and importing
package files, and the history of packages.

A laptop's private keys are kept wrapped under its passphrase (``sync_secret``); the office's
roster of enrolled laptops, signed by the office key that only the master laptop holds, is kept
in ``sync_roster`` and travels in every package. A package is encrypted to every laptop of the
roster that is not revoked and signed by its sender; importing checks all of that before
anything is changed, then applies the versions, stores the attachments and records the package,
all in one transaction.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.audit import trail
from app.core import access, backups, file_cipher, scratch, sqltext
from app.core.access import Permission
from app.core.errors import (
    AppError,
    PackageFileMissingError,
    PackageIsAFolderError,
    PackageNotAppliedError,
    disk_problems,
)
from app.core.files import replace_durably
from app.core.formatting import format_number
from app.core.i18n import N_, _
from app.core.identity import this_device
from app.core.labels import Vocabulary
from app.core.progress import SILENT, Progress, check
from app.core.store import DB_ERRORS, Store
from app.petitions import numbering
from app.petitions.intake import redate_after_sync
from app.sync import container, crypto, engine, signed
from app.sync.crypto import DeviceKeys, OfficeKey, Roster, RosterDevice
from models import Device, Office, SyncPackage, SyncPeer, SyncRoster, SyncSecret
from models import migrate as migrations

log = logging.getLogger(__name__)

PASSPHRASE_ENV = "DOORSTEP_PASSPHRASE"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- keys and roster ---------------------------------------------------------------------------
def _secret(session: Session, name: str) -> dict[str, Any] | None:
    found = session.get(SyncSecret, name)
    return json.loads(found.blob) if found is not None else None


def _put_secret(session: Session, name: str, blob: dict[str, Any]) -> None:
    found = session.get(SyncSecret, name)
    if found is None:
        session.add(SyncSecret(name=name, blob=json.dumps(blob)))
    else:
        found.blob = json.dumps(blob)


def device_keys(store: Store, passphrase: str) -> DeviceKeys:
    with store.read() as session:
        blob = _secret(session, "device")
    if blob is None:
        raise AppError(N_("This laptop has no sync keys yet: set the office up on the master "
                          "laptop, or ask it to enrol this one."))
    return crypto.unwrap_private(blob, passphrase)


def _office_key(store: Store, passphrase: str) -> OfficeKey:
    with store.read() as session:
        blob = _secret(session, "office")
    if blob is None:
        raise AppError(N_("Only the office's master laptop can do this."))
    return crypto.unwrap_office_key(blob, passphrase)


@dataclass(frozen=True)
class StoredRoster:
    roster: Roster
    office_public_key: bytes
    signed: bytes


def stored_roster(store: Store, office_id: str | None = None) -> StoredRoster | None:
    """The office's roster: this laptop's office's, or ``office_id``'s on a prefecture hub,
    which is enrolled in each of its counties (``app.hub``)."""
    with store.read() as session:
        return _roster_in(session, office_id)


def stored_rosters(store: Store) -> list[Roster]:
    """Every roster the store holds: its office's on a laptop; on a prefecture hub, one for each
    county it is enrolled in."""
    with store.read() as session:
        return [crypto.read_roster(r.signed, r.office_public_key)
                for r in session.scalars(select(SyncRoster))]


def _roster_in(session: Session, office_id: str | None = None) -> StoredRoster | None:
    """The roster as this transaction sees it: a change to it is read and written in the same
    ``store.write()``, so that a grant made meanwhile by another window is not lost."""
    row = session.scalars(select(SyncRoster)).first() if office_id is None \
        else session.get(SyncRoster, office_id)
    if row is None:
        return None
    return StoredRoster(crypto.read_roster(row.signed, row.office_public_key),
                        row.office_public_key, row.signed)


def _keep_roster(session: Session, signed: bytes, office_pub: bytes) -> Roster:
    roster = crypto.read_roster(signed, office_pub)
    row = session.get(SyncRoster, roster.office_id)
    if row is None:
        session.add(SyncRoster(office_id=roster.office_id, office_public_key=office_pub,
                               version=roster.version, signed=signed))
    elif roster.version > row.version and row.office_public_key == office_pub:
        row.version, row.signed = roster.version, signed
    return roster


def _office_of(store: Store) -> tuple[str, str]:
    device = this_device(store)
    if device is None or device.office_id is None or store.device_id is None:
        raise AppError(N_("Set this laptop up for its office first (Laptop → This laptop…)."))
    return store.device_id, device.office_id


@dataclass(frozen=True)
class SyncStatus:
    office_id: str
    is_master: bool
    has_keys: bool
    roster_version: int
    devices: list[RosterDevice] = field(default_factory=list)


def status(store: Store) -> SyncStatus | None:
    device = this_device(store)
    if device is None or device.office_id is None:
        return None
    with store.read() as session:
        has_keys = session.get(SyncSecret, "device") is not None
        is_master = session.get(SyncSecret, "office") is not None
    found = stored_roster(store)
    return SyncStatus(device.office_id, is_master, has_keys,
                      found.roster.version if found else 0,
                      list(found.roster.devices) if found else [])


def has_device_keys(store: Store) -> bool:
    """Whether this laptop has made its sync keys (set the office up, or asked to join it),
    even before it belongs to an office."""
    with store.read() as session:
        return session.get(SyncSecret, "device") is not None


# -- enrolment state ---------------------------------------------------------------------------
# Where this laptop stands in its office's sync.
MASTER, ENROLLED, AWAITING_DATA, REVOKED = "master", "enrolled", "awaiting_data", "revoked"
REQUESTED, NOT_SET_UP, NO_OFFICE = "requested", "not_set_up", "no_office"
# What it may do there: set the office up, write an enrolment request (again: a grant answering
# it gives an enrolled laptop the office's current list of laptops), accept the master's grant,
# enrol or revoke a laptop (the master), write and read packages.
SET_UP, REQUEST, ACCEPT_GRANT = "set_up", "request", "accept_grant"
ENROL, REVOKE, EXCHANGE = "enrol", "revoke", "exchange"
ACTIONS: dict[str, frozenset[str]] = {
    MASTER: frozenset({ENROL, REVOKE, EXCHANGE}),
    ENROLLED: frozenset({REQUEST, ACCEPT_GRANT, EXCHANGE}),
    AWAITING_DATA: frozenset({REQUEST, ACCEPT_GRANT, EXCHANGE}),
    REVOKED: frozenset(),
    REQUESTED: frozenset({REQUEST, ACCEPT_GRANT}),
    NOT_SET_UP: frozenset({SET_UP, REQUEST}),
    NO_OFFICE: frozenset({REQUEST}),
}
NOT_NOW = {
    SET_UP: N_("This laptop cannot set the office up: it has asked to join the office, is "
               "enrolled in it, or was revoked. Nothing was changed."),
    REQUEST: N_("This laptop cannot ask to join the office: it is the office's master laptop, "
                "or it was revoked. Nothing was changed."),
    ACCEPT_GRANT: N_("This laptop cannot accept a grant: it is the office's master laptop, it "
                     "has not asked to join the office, or it was revoked. Nothing was "
                     "changed."),
    ENROL: N_("Only the office's master laptop can do this."),
    REVOKE: N_("Only the office's master laptop can do this."),
    EXCHANGE: N_("This laptop is not enrolled in its office yet."),
}


@dataclass(frozen=True)
class Enrolment:
    state: str
    actions: frozenset[str]


def enrolment(store: Store) -> Enrolment:
    """Where this laptop stands in its office's sync, and what it may do there."""
    with store.read() as session:
        state = _state_in(session, store.device_id)
    return Enrolment(state, ACTIONS[state])


def _state_in(session: Session, device_id: str | None) -> str:
    device = session.get(Device, device_id) if device_id else None
    office_id = device.office_id if device is not None else None
    if office_id and session.get(SyncSecret, "office") is not None:
        return MASTER
    found = _roster_in(session)
    me = found.roster.find(device_id) if found is not None and device_id else None
    if me is not None:
        return REVOKED if me.revoked else ENROLLED if office_id else AWAITING_DATA
    if session.get(SyncSecret, "device") is not None:
        return REQUESTED
    return NOT_SET_UP if office_id else NO_OFFICE


ALREADY_MASTER = N_("This laptop is already the office's master.")


def _refuse_unless(state: str, action: str) -> None:
    if action not in ACTIONS[state]:
        raise AppError(NOT_NOW[action])


def _require(session: Session, device_id: str | None, action: str) -> str:
    """This laptop's state, when it allows ``action``; else refuse (nothing is changed)."""
    state = _state_in(session, device_id)
    _refuse_unless(state, action)
    return state


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < 4:
        raise AppError(N_("The passphrase must have at least 4 characters."))


def set_up_office(store: Store, passphrase: str) -> Roster:
    """Make this laptop the office's master: the office key, this laptop's keys, and a roster
    of one. Only the office's numbering laptop (the one that set the office up) may."""
    _check_passphrase(passphrase)
    with store.read() as session:
        state = _state_in(session, store.device_id)
    if state == MASTER:
        raise AppError(ALREADY_MASTER)
    if state != NO_OFFICE:  # else: the office first, below
        _refuse_unless(state, SET_UP)
    device_id, office_id = _office_of(store)
    with store.write() as session:
        access.require(session, store.ctx, Permission.MANAGE_LAPTOPS)
        office = session.get(Office, office_id)
        assert office is not None
        if office.numbering_device_id not in (None, device_id):
            raise AppError(N_("Another laptop set this office up: ask it to enrol this laptop."))
        if session.get(SyncSecret, "office") is not None:
            raise AppError(ALREADY_MASTER)
        _require(session, device_id, SET_UP)
        office_key = crypto.generate_office_key(office_id)
        keys = crypto.generate_device_keys(device_id)
        name = session.get(Device, device_id)
        roster = Roster(office_id, 1, (RosterDevice(
            device_id, name.name if name else device_id, office_id, keys.public().sign_pub,
            keys.public().box_pub, datetime.now(UTC).replace(microsecond=0)),))
        signed = crypto.sign_roster(roster, office_key)
        _put_secret(session, "office", crypto.wrap_office_key(office_key, passphrase))
        _put_secret(session, "device", crypto.wrap_private(keys, passphrase))
        return _keep_roster(session, signed, office_key.public())


def enrolment_request(store: Store, passphrase: str, division_code: str = "",
                      name: str = "") -> bytes:
    """This laptop's request to join an office (its public keys, signed with its own key).

    A new laptop names the office by its division code; it receives the office's data with
    the first package it imports, and never becomes the office's numbering laptop."""
    from app.core.identity import ensure_device
    from app.core.reference import OFFICES

    _check_passphrase(passphrase)
    with store.read() as session:
        _require(session, store.device_id, REQUEST)
    device = this_device(store)
    if device is not None and device.office_id is not None:
        office_id = device.office_id
    else:
        seeds = {o.division_code: o for o in OFFICES}
        if division_code not in seeds:
            raise AppError(N_("Please choose the office this laptop belongs to."))
        office_id = seeds[division_code].id
        ensure_device(store, name or None)
    device_id = store.device_id
    assert device_id is not None
    with store.write() as session:
        access.require(session, store.ctx, Permission.MANAGE_LAPTOPS)
        _require(session, device_id, REQUEST)
        if name.strip():
            row = session.get(Device, device_id)
            assert row is not None
            row.name = name.strip()
        blob = _secret(session, "device")
        if blob is None:
            keys = crypto.generate_device_keys(device_id)
            _put_secret(session, "device", crypto.wrap_private(keys, passphrase))
        else:
            keys = crypto.unwrap_private(blob, passphrase)
        row = session.get(Device, device_id)
        return crypto.make_enrolment_request(keys, row.name if row else device_id, office_id)


def enrol(store: Store, request: bytes, passphrase: str) -> bytes:
    """On the master laptop: add the requesting laptop to the roster and grant it a block of
    registration numbers; returns the grant file for it."""
    with store.read() as session:
        _require(session, store.device_id, ENROL)
    office_key = _office_key(store, passphrase)
    with store.write() as session:
        access.require(session, store.ctx, Permission.MANAGE_LAPTOPS)
        current = _roster_in(session)
        assert current is not None
        asked = crypto.read_enrolment_request(request, current.roster.office_id)
        known = current.roster.find(asked.device_id)
        if known is not None and known.revoked:
            raise AppError(N_("This laptop was revoked; it cannot be enrolled again."))
        if known is not None and known.public() != asked.public():
            # The same laptop id with other keys: a data folder copied from another laptop.
            raise AppError(N_("A laptop with this id is already enrolled, with other keys. Was "
                              "this laptop's data folder copied from another laptop? Set it up "
                              "afresh instead; nothing was changed."))
        devices = [d for d in current.roster.devices if d.device_id != asked.device_id]
        devices.append(RosterDevice(asked.device_id, asked.name, asked.office_id, asked.sign_pub,
                                    asked.box_pub, datetime.now(UTC).replace(microsecond=0)))
        roster = Roster(current.roster.office_id, current.roster.version + 1, tuple(devices))
        signed = crypto.sign_roster(roster, office_key)
        _keep_roster(session, signed, office_key.public())
        office = session.get(Office, roster.office_id)
        assert office is not None and store.device_id is not None
        if known is None and office.numbering_device_id == store.device_id:
            numbering.grant_block(session, office, date.today().year, asked.device_id,
                                  numbering.FIELD_BLOCK, store.device_id)
    return crypto.make_grant(signed, office_key.public())


GRANT_OTHER_KEY = N_("This grant is signed with another office key than the one this laptop "
                     "already holds for its office. It was refused; nothing was changed.")
GRANT_ALREADY_ACCEPTED = N_("This grant had been accepted on this laptop already (roster version "
                            "{version}). Nothing was changed.")
GRANT_OLDER = N_("This grant is older than the office's list of laptops this laptop already has "
                 "(roster version {version} in the grant, {stored} here), so it was ignored. "
                 "Nothing was changed.")


def accept_grant(store: Store, grant: bytes, passphrase: str) -> Roster:
    """On the new laptop: keep the roster the master signed (it must list this laptop)."""
    with store.read() as session:
        _require(session, store.device_id, ACCEPT_GRANT)
    keys = device_keys(store, passphrase)
    roster, office_pub = crypto.read_grant(grant, keys)
    device = this_device(store)
    if device is not None and device.office_id not in (None, roster.office_id):
        raise AppError(N_("This enrolment grant is for another office."))
    with store.write() as session:
        access.require(session, store.ctx, Permission.MANAGE_LAPTOPS)
        _require(session, store.device_id, ACCEPT_GRANT)
        return keep_grant(session, grant, roster, office_pub)


def keep_grant(session: Session, grant: bytes, roster: Roster, office_pub: bytes) -> Roster:
    """Keep the roster of a grant read with ``crypto.read_grant`` (for this laptop, or for a
    prefecture hub, one roster a county), in the caller's write transaction: refused when it
    is signed with another office key than the one held, was accepted already, or is older."""
    signed = base64.b64decode(json.loads(grant)["roster"])
    row = session.get(SyncRoster, roster.office_id)
    if row is not None and row.office_public_key != office_pub:
        raise AppError(GRANT_OTHER_KEY)
    if row is not None and row.signed == signed:
        raise AppError(GRANT_ALREADY_ACCEPTED, version=row.version)
    if row is not None and roster.version <= row.version:
        raise AppError(GRANT_OLDER, version=roster.version, stored=row.version)
    return _keep_roster(session, signed, office_pub)


def revoke(store: Store, device_id: str, passphrase: str) -> Roster:
    """On the master laptop: a lost laptop is revoked; packages are no longer encrypted to it
    and packages it signs are refused."""
    with store.read() as session:
        _require(session, store.device_id, REVOKE)
    office_key = _office_key(store, passphrase)
    with store.write() as session:
        access.require(session, store.ctx, Permission.MANAGE_LAPTOPS)
        current = _roster_in(session)
        assert current is not None
        target = current.roster.find(device_id)
        if target is None:
            raise AppError(N_("No laptop of this office has the id {id}."), id=device_id)
        if device_id == store.device_id:
            raise AppError(N_("The master laptop cannot revoke itself."))
        if target.revoked:
            raise AppError(N_("This laptop is already revoked."))
        # The cut-off: what this laptop holds of each of the revoked laptop's logs now. What
        # it wrote beyond is refused from any laptop that carries it.
        raw = engine.raw_connection(session)
        held = signed.vector(raw)
        cutoffs = tuple((log_id, held.get(log_id, 0))
                        for log_id in signed.logs_of(raw, device_id))
        devices = tuple(
            RosterDevice(d.device_id, d.name, d.office_id, d.sign_pub, d.box_pub,
                         d.enrolled_at, datetime.now(UTC).replace(microsecond=0), cutoffs)
            if d.device_id == device_id else d for d in current.roster.devices)
        roster = Roster(current.roster.office_id, current.roster.version + 1, devices)
        return _keep_roster(session, crypto.sign_roster(roster, office_key), office_key.public())


# -- packages ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ExportResult:
    path: Path
    package_id: str
    versions: int
    attachments: int
    size: int
    full: bool


def _office_key_once(store: Store, passphrase: str) -> Callable[[], OfficeKey]:
    """The office key, unwrapped (scrypt) the first time it is needed."""
    found: list[OfficeKey] = []

    def get() -> OfficeKey:
        if not found:
            found.append(_office_key(store, passphrase))
        return found[0]
    return get


def is_master(store: Store) -> bool:
    with store.read() as session:
        return session.get(SyncSecret, "office") is not None


SIGNING = N_("Signing this laptop's changes…")
WRITING = N_("Writing the package…")
DECRYPTING = N_("Decrypting and checking the package…")
STORING_FILES = N_("Storing the scans and photos…")
APPLYING = N_("Applying the changes…")
BACKING_UP = N_("Backing up the data before the changes are applied…")


@disk_problems(lambda _error, _store, target, *_args, **_kwargs: target)
def export(store: Store, target: Path, passphrase: str, full: bool = False,
           progress: Progress = SILENT, office_id: str | None = None,
           held_elsewhere: Callable[[Any, StoredRoster], dict[str, int]] | None = None
           ) -> ExportResult:
    """One package file with everything the office's other laptops may lack (or everything):
    this laptop's new versions signed first (see app.sync.signed), then whole signed batches.
    Stages: signing, writing (by bytes; cancellable until the file is complete).

    A prefecture hub (``app.hub``) names the county (``office_id``) and what not to send it:
    ``held_elsewhere`` gives, on the raw connection, the logs the county is not to receive
    (other counties'), as if it held them already."""
    from models import new_id

    keys = device_keys(store, passphrase)
    progress.stage(SIGNING)
    found = stored_roster(store, office_id)
    if found is None:
        raise AppError(N_("This laptop is not enrolled in its office yet."))
    me = found.roster.find(keys.device_id)
    if me is None or me.revoked:
        raise AppError(N_("This laptop is not on the office's list of laptops, or was revoked."))
    recipients = [d.public() for d in found.roster.active()]
    office_key = _office_key_once(store, passphrase) if is_master(store) else None
    with store.sync_write() as session, engine.capture_off(store, session) as raw:
        signed.sign_pending(raw, keys, office_key)
    with store.read() as session:
        peers = {p.device_id: json.loads(p.vector) for p in session.scalars(select(SyncPeer))}
        sequence = (session.scalar(select(func.max(SyncPackage.sequence)).where(
            SyncPackage.direction == "sent", SyncPackage.sender_id == keys.device_id)) or 0) + 1
        previous = session.scalar(select(SyncPackage.package_id).where(
            SyncPackage.direction == "sent", SyncPackage.sender_id == keys.device_id,
            SyncPackage.sequence == sequence - 1))
    others = [d.device_id for d in found.roster.active() if d.device_id != keys.device_id]
    known: dict[str, int] = {}
    if not full and others and all(o in peers for o in others):
        devices = set().union(*(peers[o] for o in others))
        known = {d: min(int(peers[o].get(d, 0)) for o in others) for d in devices}
    with store.read() as session:
        raw = engine.raw_connection(session)
        if held_elsewhere is not None:
            known = {**known, **held_elsewhere(raw, found)}
        bundle = signed.outgoing(raw, known)
        mine = signed.vector(raw)
        ack_hlc = int(raw.execute("SELECT doorstep_hlc("
                                  f"{sqltext.adopted_hlc(sqltext.raw_dialect(raw))})"
                                  ).fetchone()[0])
        shas = sorted({str(sha) for batch, _data in bundle.batches for (sha,) in raw.execute(
            "SELECT value FROM sync_version WHERE tbl = 'attachment' AND field = 'sha256'"
            " AND device_id = ? AND counter BETWEEN ? AND ?",
            (batch.log_id, batch.first, batch.last))})
    sections: dict[str, container.Section] = {
        **signed.to_sections(bundle),
        "roster": json.dumps({"signed": base64.b64encode(found.signed).decode(),
                              "office_key": base64.b64encode(found.office_public_key).decode()
                              }).encode()}
    attachments = 0
    files = store.file_cipher()
    for sha in shas:
        path = store.paths.attachments / sha[:2] / sha
        if path.is_file():
            # Encrypted at rest: decrypted in memory as it is written, one file at a time
            # (its name is its plain content's hash, checked as it is written).
            sections[f"attachment/{sha}"] = path if files is None else container.LazySection(
                file_cipher.plain_size(path), sha,
                functools.partial(file_cipher.read_file, path, sha, files))
            attachments += 1
    package_id = new_id()
    manifest = {
        "package_id": package_id, "sender": keys.device_id, "office": found.roster.office_id,
        "schema": migrations.head_revision(), "sequence": sequence, "previous": previous,
        "created_at": _now(), "full": full, "vector_from": known, "vector_to": mine,
        "ack": mine, "ack_hlc": ack_hlc,
        "counts": {"versions": bundle.versions, "attachments": attachments},
    }
    # The .part file is noted in a workspace: if this process is killed, the next start
    # removes it; one a killed export left beside the same target goes now.
    check(progress)
    progress.stage(WRITING)
    with scratch.Workspace.create(store.paths, "export") as work:
        scratch.remove_stale_parts(store.paths, target)
        container.seal_to(target, manifest, sections, keys, found.roster.office_id, package_id,
                          recipients, progress=progress, is_cancelled=progress.is_cancelled,
                          roster=found.signed, on_part=work.note_part)
    with _removed_on_failure(target), store.write() as session:
        session.add(SyncPackage(
            package_id=package_id, direction="sent", sender_id=keys.device_id,
            sequence=sequence, created_at=manifest["created_at"], handled_at=_now(),
            file_name=str(target), full=int(full), versions=bundle.versions,
            attachments=attachments, summary="{}"))
        trail.record_in(session, store.ctx, trail.Action.EXPORTED, detail={
            "what": "sync_package", "file": target.name, "package": package_id,
            "count": bundle.versions, "attachments": attachments})
    return ExportResult(target, package_id, bundle.versions, attachments,
                        target.stat().st_size, full)


@dataclass(frozen=True)
class ImportResult:
    package_id: str
    sender_id: str
    sender_name: str
    new: int
    duplicates: int
    rows_created: int
    rows_updated: int
    conflicts: int
    attachments: int
    already_imported: bool
    gaps: list[str]  # packages from the sender never imported here, by id and date
    # Laptops whose clocks are wrong: (name, days their stamps are ahead of this laptop's).
    clocks_ahead: tuple[tuple[str, int], ...] = ()
    # Changes refused because the laptop they claim to come from did not sign them:
    # (that laptop's name, how many); the package's sender carried them.
    forged: tuple[tuple[str, int], ...] = ()
    # Changes a revoked laptop made past the cut-off the office set: (its name, how many).
    revoked: tuple[tuple[str, int], ...] = ()
    # Laptops one of whose logs was found written twice (restored or copied data folder).
    forks: tuple[str, ...] = ()
    decided: int = 0  # forks the office master decided on in this import (master only)
    withdrawn: int = 0  # changes taken back out of effect here
    # This laptop found that its data folder had been restored from an older copy (or that
    # its log forked): it writes to a fresh log from now on.
    restored: bool = False
    reissued: int = 0  # of this laptop's changes kept apart, written again in its fresh log
    # This laptop's clock reads this many days later than the sender's did when it wrote the
    # package (0 unless more than a day): this laptop's date may be wrong.
    clock_behind_sender: int = 0
    # Changes found on this laptop under another laptop's log that nobody signed (never
    # written by Doorstep): kept apart.
    unverified: int = 0
    # This laptop's provisional registration numbers that took real ones: (old, new).
    renumbered: tuple[tuple[str, str], ...] = ()
    # Laptops whose record of what was done was altered: (name, the last entry that holds).
    altered: tuple[tuple[str, int], ...] = ()


OLDER_FORMAT = N_("This package was written by an older Doorstep, before changes were signed "
                  "by the laptop that made them. Update Doorstep on the laptop that wrote it, "
                  "then write the package again. Nothing was changed.")
UNREADABLE = N_("This package's contents could not be read. Nothing was changed. Tell the "
                "person who looks after Doorstep: the details are in the log file.")


@disk_problems(lambda error, store, source, *_args, **_kwargs:
               source if error.filename == str(source) else store.paths.data_dir)
def import_package(store: Store, source: Path, passphrase: str,
                   progress: Progress = SILENT, office_id: str | None = None) -> ImportResult:
    """Decrypt and verify first; refuse with a clear message and nothing changed; then check
    every batch against its author's key and apply everything in one transaction. Stages:
    decrypting (by bytes), storing the scans (by file), a backup of the store (kept in
    rotation), applying (cannot be stopped once begun); cancellable until the changes are
    applied, and then nothing was changed.

    A prefecture hub (``app.hub``) names the county the package comes from (``office_id``)."""
    check_package_file(source)
    keys = device_keys(store, passphrase)
    found = stored_roster(store, office_id)
    if found is None:
        raise AppError(N_("This laptop is not enrolled in its office yet."))
    try:
        carried = container.peek_header(source).roster
    except container.NewerPackageError:
        carried = None  # said only once the header's MAC verifies, below
    roster = _newer_roster(found, carried)
    # Only attachments are written, to a workspace that the next start removes if this
    # process is killed; the versions and the roster (names, ID numbers) stay in memory. On
    # an encrypted store the attachments stay in memory too (no plain copy on disk, even for a
    # moment), and are written encrypted.
    files_cipher = store.file_cipher()
    work = scratch.Workspace.create(store.paths, "import")
    try:
        progress.stage(DECRYPTING)
        opened = container.open_from(source, keys, found.roster.office_id, roster,
                                     work.folder, progress=progress,
                                     is_cancelled=progress.is_cancelled,
                                     in_memory=lambda name: files_cipher is not None
                                     or not name.startswith("attachment/"))
        scratch.pause_for_tests("import-decrypted")
        if opened.format_version < (1, 1) or "signed" not in opened.sections:
            raise container.PackageError(OLDER_FORMAT)
        manifest = opened.manifest
        files = opened.section_files
        roster_doc = json.loads(opened.sections["roster"])
        try:
            bundle = signed.from_sections(opened.sections)
        except signed.BundleError as exc:
            log.exception("package %s: signed-log sections", opened.package_id)
            raise container.PackageError(UNREADABLE) from exc
        # Attachments: each file must be what its name says; stored before the transaction
        # (content-addressed, so a file stored for an import that then fails harms nothing).
        check(progress)
        progress.stage(STORING_FILES)
        stored = 0
        scans = [name for name in (*files, *opened.sections) if name.startswith("attachment/")]
        for name in scans:
            check(progress)
            progress(stored, len(scans))
            sha = name.split("/", 1)[1]
            path = files.get(name)
            if path is None:  # in memory: the store is encrypted
                data = opened.sections[name]
                digest = hashlib.sha256(data).hexdigest()
            else:
                with open(path, "rb") as handle:
                    digest = hashlib.file_digest(handle, "sha256").hexdigest()
                    os.fsync(handle.fileno())
            if digest != sha:
                raise container.PackageError(N_("This package has been altered or damaged."))
            final = store.paths.attachments / sha[:2] / sha
            if not final.exists():
                final.parent.mkdir(parents=True, exist_ok=True)
                if path is None:
                    file_cipher.write_file(final, sha, data, files_cipher)
                else:
                    # The scratch folder is in the data folder: the file moves, not copied.
                    replace_durably(path, final)
            stored += 1
        check(progress)
        mine = engine.vector(store)
        gaps = _gaps(store, manifest, mine)
        ack = {str(d): int(n) for d, n in dict(manifest.get("ack", {})).items()}
        ack_hlc = int(manifest.get("ack_hlc", 0))
        office_key = _office_key_once(store, passphrase) if is_master(store) else None
        # One backup before anything is applied, kept in rotation (app.core.backups); removed
        # again if nothing is applied after all. A hub's database is backed up on its server
        # (app.core.server): the import is one transaction there, all of it or nothing.
        backup = None
        if not store.on_server:
            progress.stage(BACKING_UP)
            progress(0, 0)
            backup = backups.back_up(store, backups.IMPORT)
        progress.stage(APPLYING)
        progress(0, 0)
        with _removed_on_failure(backup), _not_applied(opened.package_id), \
                store.sync_write() as session, engine.capture_off(store, session) as raw:
            seen = session.get(SyncPackage, opened.package_id)
            # The roster the package carries first: a revocation in it holds in this import.
            _keep_roster(session, base64.b64decode(roster_doc["signed"]),
                         base64.b64decode(roster_doc["office_key"]))
            session.flush()
            row = session.get(SyncRoster, found.roster.office_id)
            assert row is not None
            trust = signed.trust_for(raw, crypto.read_roster(row.signed, row.office_public_key),
                                     row.office_public_key, keys.device_id)
            since = int(raw.execute("SELECT COALESCE(MAX(seq), 0) FROM sync_version")
                        .fetchone()[0])
            got = signed.receive(raw, bundle, trust, sender_id=opened.sender_id, ack=ack,
                                 keys=keys, office_key=office_key)
            result = got.applied
            if got.new_log is not None:
                # What this laptop writes below goes to its fresh log (a failed import leaves
                # it as it was: the next write transaction reads it again).
                store.ctx.log_id = got.new_log
            # Due dates are derived: recomputed from what arrived, written as this laptop's
            # own change where they differ (see app.petitions.intake.redate_after_sync).
            with engine.capture_on(store, raw):
                redate_after_sync(session, since)
                # Blocks of numbers: this laptop's provisional numbers take real ones from a
                # block that arrived; the numbering laptop grants the sender a block it needs.
                renumbered = numbering.renumber_provisional(session, store) \
                    if store.device_id is not None \
                    and numbering.block_arrived(session, store.device_id, since) else []
                home = session.get(Office, found.roster.office_id)
                if home is not None and store.device_id is not None:
                    numbering.grant_on_import(session, home, opened.sender_id,
                                              store.device_id, date.today())
                session.flush()
                if seen is None:
                    trail.record_in(session, store.ctx, trail.Action.IMPORTED, detail={
                        "what": "sync_package", "file": source.name,
                        "package": opened.package_id, "sender": opened.sender_id,
                        "count": result.new, "attachments": stored})
            scratch.pause_for_tests("import-applying")
            peer = session.get(SyncPeer, opened.sender_id)
            # What the sender holds, from its newest package: a replayed old one changes
            # nothing; a newer one may hold less (versions it took out of effect).
            if peer is None:
                session.add(SyncPeer(device_id=opened.sender_id,
                                     vector=json.dumps(ack, sort_keys=True), updated_at=_now(),
                                     ack_hlc=ack_hlc))
            elif ack_hlc > peer.ack_hlc:
                peer.vector, peer.updated_at = json.dumps(ack, sort_keys=True), _now()
                peer.ack_hlc = ack_hlc
            # A laptop enrolled from nothing belongs to its office once the office's data is in.
            this = session.get(Device, keys.device_id)
            if this is not None and this.office_id is None \
                    and session.get(Office, found.roster.office_id) is not None:
                this.office_id = found.roster.office_id
            summary = {"new": result.new, "duplicates": result.duplicates,
                       "conflicts": result.conflicts, "gaps": gaps,
                       "forged": got.forged, "revoked": got.revoked, "forks": got.forks,
                       "withdrawn": got.withdrawn, "reissued": got.reissued,
                       "new_log": got.new_log}
            if seen is None:
                session.add(SyncPackage(
                    package_id=opened.package_id, direction="received",
                    sender_id=opened.sender_id, sequence=int(manifest.get("sequence", 0)),
                    created_at=str(manifest.get("created_at", "")), handled_at=_now(),
                    file_name=str(source), full=int(bool(manifest.get("full"))),
                    versions=bundle_versions(bundle), attachments=stored,
                    summary=json.dumps(summary)))
        if got.new_log is not None:
            store.ctx.log_id = got.new_log
        # Every laptop's record of what was done, as this laptop now holds it: an alteration
        # (made here or on the laptop that wrote it) is told to the person importing.
        if store.on_server:
            from app.core.server import refresh_statistics

            refresh_statistics(store, result.new)
        altered = tuple((a.laptop, a.after) for a in trail.verify(store))
        sender = roster.find(opened.sender_id)
        names = trust.roster.find
        return ImportResult(
            opened.package_id, opened.sender_id,
            sender.name if sender else opened.sender_id, result.new,
            result.duplicates, result.rows_created, result.rows_updated,
            result.conflicts, stored, seen is not None, gaps,
            tuple((_laptop_name(trust.roster, trust.owner(device)), ahead // DAY_MS)
                  for device, ahead in result.clocks_ahead),
            forged=tuple((_name(names, d), n) for d, n in sorted(got.forged.items())),
            revoked=tuple((_name(names, d), n) for d, n in sorted(got.revoked.items())),
            forks=tuple(sorted({_name(names, trust.owner(lg)) for lg in got.forks})),
            decided=len(got.decided), withdrawn=got.withdrawn,
            restored=got.new_log is not None, reissued=got.reissued,
            clock_behind_sender=_days_behind(str(manifest.get("created_at", ""))),
            unverified=got.unverified, renumbered=tuple(renumbered), altered=altered)
    finally:
        work.close()


FORGED_NOTE = N_("{count} changes said to come from the laptop {laptop} were not signed by it "
                 "and were refused; they are kept apart for review. The package came from "
                 "{sender}: tell the person who looks after Doorstep.")
REVOKED_NOTE = N_("{count} changes that the revoked laptop {laptop} made after it was revoked "
                  "were refused; they are kept apart for review.")
FORK_NOTE = N_("The laptop {laptop} wrote two different sets of changes under the same numbers "
               "(its data folder was probably restored from an older copy, or copied). The set "
               "this laptop did not have is kept apart; nothing is lost: {laptop} writes its "
               "changes again once it reads a package from the office.")
DECIDED_NOTE = N_("As the office's master laptop, this laptop decided which set stays: the one "
                  "it holds. Every laptop follows that decision when it reads a package from "
                  "the office.")
WITHDRAWN_NOTE = N_("{count} changes were taken back out of the data on this laptop (a revoked "
                    "laptop's, or the set of changes the office did not keep); they are kept "
                    "apart for review.")
RESTORED_NOTE = N_("This laptop's data folder was restored from an older copy, or copied: the "
                   "office holds changes of this laptop that it does not. From now on it writes "
                   "its changes in a fresh series, so they cannot be taken for earlier ones. "
                   "Until it has read back what it registered before, new petitions get "
                   "provisional numbers.")
REISSUED_NOTE = N_("{count} of this laptop's changes that the office had kept apart were "
                   "written again; they travel with its next package.")
UNVERIFIED_NOTE = N_("{count} changes on this laptop were written under another laptop's name, "
                     "not by Doorstep; they were taken out of the data and kept apart for "
                     "review. Tell the person who looks after Doorstep.")
RENUMBERED_NOTE = N_("{count} petitions registered on this laptop under provisional numbers "
                     "got their registration numbers from the block the office granted: "
                     "{numbers}. Their history keeps the provisional number.")
CLOCK_BEHIND_NOTE = N_("This laptop's clock reads about {days} days earlier than the clock of "
                       "the laptop that wrote the package. Set this laptop's date and time "
                       "right: registration numbers and deadlines depend on it.")


def import_notes(got: ImportResult) -> list[str]:
    """What a person must know about an import beyond its figures, translated, in order."""
    notes = [_(FORGED_NOTE).format(count=format_number(n), laptop=laptop, sender=got.sender_name)
             for laptop, n in got.forged]
    notes += [_(REVOKED_NOTE).format(count=format_number(n), laptop=laptop)
              for laptop, n in got.revoked]
    notes += [_(FORK_NOTE).format(laptop=laptop) for laptop in got.forks]
    if got.decided:
        notes.append(_(DECIDED_NOTE))
    if got.withdrawn:
        notes.append(_(WITHDRAWN_NOTE).format(count=format_number(got.withdrawn)))
    if got.restored:
        notes.append(_(RESTORED_NOTE))
    if got.reissued:
        notes.append(_(REISSUED_NOTE).format(count=format_number(got.reissued)))
    if got.unverified:
        notes.append(_(UNVERIFIED_NOTE).format(count=format_number(got.unverified)))
    if got.renumbered:
        notes.append(_(RENUMBERED_NOTE).format(
            count=format_number(len(got.renumbered)),
            numbers="; ".join(f"{old} → {new}" for old, new in got.renumbered)))
    if got.clock_behind_sender:
        notes.append(_(CLOCK_BEHIND_NOTE).format(days=format_number(got.clock_behind_sender)))
    notes += [trail.Alteration("", laptop, after).message() for laptop, after in got.altered]
    return notes


class ApartReason(Vocabulary):
    """Why a batch of changes was kept apart."""

    FORK = signed.FORK, N_("the laptop wrote two different sets of changes under the same "
                           "numbers; this set was not kept")
    REVOKED = signed.REVOKED, N_("made by a revoked laptop after it was revoked")
    FORGED = signed.FORGED, N_("not signed by the laptop it claims to come from")
    UNVERIFIED = signed.UNVERIFIED, N_("written on this laptop under another laptop's name")


@dataclass(frozen=True)
class ApartRow:
    """A batch of changes kept apart, for a person to review."""

    noted_at: str
    reason: str  # signed.FORK | REVOKED | FORGED | UNVERIFIED
    laptop: str  # the laptop whose changes they are (or claim to be), by name
    brought_by: str  # the laptop whose package carried them, by name ("" for this one)
    changes: int
    tables: tuple[str, ...]  # the kinds of record they touch
    reissued: bool  # the laptop wrote them again (forks)


def laptop_names(store: Store) -> Callable[[str], str]:
    """A laptop's name by its device id (the id itself when no roster knows it): from the
    office's roster on a laptop; on a prefecture hub, from that of whichever county it
    belongs to."""
    rosters = stored_rosters(store)

    def name(device_id: str) -> str:
        entry = next((e for r in rosters if (e := r.find(device_id)) is not None), None)
        return entry.name if entry is not None else device_id

    return name


def kept_apart(store: Store) -> list[ApartRow]:
    """Every batch of changes kept apart on this laptop, newest first, the laptops named."""
    name = laptop_names(store)
    with store.read() as session:
        raw = engine.raw_connection(session)
        owners = {str(lg): str(d) for lg, d in raw.execute(
            "SELECT log_id, device_id FROM sync_log")}
        rows = []
        for log_id, first, last, reason, sender, noted, reissued, data in raw.execute(
                "SELECT log_id, first_counter, last_counter, reason, sender_id, noted_at,"
                " reissued, rows FROM sync_apart ORDER BY noted_at DESC, log_id, first_counter"):
            try:
                tables = tuple(sorted({str(r.tbl) for r in signed.parse_rows(
                    bytes(data), int(first), int(last))}))
            except signed.BundleError:
                tables = ()
            rows.append(ApartRow(str(noted), str(reason), name(owners.get(log_id, log_id)),
                                 name(sender) if sender else "", int(last) - int(first) + 1,
                                 tables, bool(reissued)))
        return rows


def bundle_versions(bundle: signed.RawBundle) -> int:
    return sum(b.last - b.first + 1 for b, _data in bundle.batches)


def _name(find: Callable[[str], RosterDevice | None], device_id: str) -> str:
    found = find(device_id)
    return found.name if found is not None else device_id


def _days_behind(sender_time: str) -> int:
    """How many whole days this laptop's clock reads earlier than the sender's did when it
    wrote the package (0 for less than a day, or a time that cannot be read)."""
    try:
        then = datetime.fromisoformat(sender_time)
    except ValueError:
        return 0
    behind = (then - datetime.now(UTC)).total_seconds() / 86400
    return int(behind) if behind >= 1 else 0


def _newer_roster(found: StoredRoster, carried: bytes | None) -> Roster:
    """The roster to check a package against: ours, or the one the package carries when the
    office key signed it and it is newer (a laptop enrolled since we last heard)."""
    if carried is None:
        return found.roster
    try:
        roster = crypto.read_roster(carried, found.office_public_key)
    except AppError:
        return found.roster
    if roster.office_id == found.roster.office_id and roster.version > found.roster.version:
        return roster
    return found.roster


DAY_MS = 24 * 3600 * 1000


def _laptop_name(roster: Roster, device_id: str) -> str:
    found = roster.find(device_id)
    return found.name if found is not None else device_id


def _gaps(store: Store, manifest: dict[str, Any], mine: dict[str, int]) -> list[str]:
    """The sender's previous package, when it never reached this laptop. (Nothing is lost by
    it: a package carries everything since what this laptop last acknowledged; but the person
    should know a file went astray.) Also when the package assumed versions this laptop lacks."""
    previous = manifest.get("previous")
    assumed = manifest.get("vector_from", {})
    lacking = any(int(n) > mine.get(d, 0) for d, n in assumed.items())
    with store.read() as session:
        # Only a break in what this laptop received from the sender: the first package it
        # reads from a laptop follows packages that went to others, which is no gap.
        heard_before = session.scalar(select(SyncPackage.package_id).where(
            SyncPackage.direction == "received",
            SyncPackage.sender_id == str(manifest.get("sender", ""))).limit(1)) is not None
        missing = bool(previous) and heard_before and session.get(SyncPackage, previous) is None
    if missing or lacking:
        return [str(previous or f"{manifest.get('sender')}#{manifest.get('sequence')}")]
    return []


@dataclass(frozen=True)
class PackageRow:
    package_id: str
    direction: str
    sender_id: str
    sequence: int
    created_at: str
    handled_at: str
    file_name: str
    full: bool
    versions: int
    attachments: int
    summary: dict[str, Any]


def history(store: Store) -> list[PackageRow]:
    with store.read() as session:
        return [PackageRow(p.package_id, p.direction, p.sender_id, p.sequence, p.created_at,
                           p.handled_at, p.file_name, bool(p.full), p.versions, p.attachments,
                           json.loads(p.summary))
                for p in session.scalars(select(SyncPackage).order_by(
                    SyncPackage.handled_at.desc(), SyncPackage.package_id))]


# -- problems ----------------------------------------------------------------------------------
PACKAGE_IS_A_FOLDER = N_("{path} is a folder, not a package file. Choose the package file (.dsp) "
                         "in it.")
PACKAGE_MISSING = N_("There is no package file {path}. Check its name and folder, and that the "
                     "USB stick is in.")
# L10N: A package that passed every check (it is signed by a laptop of the office) but whose
# changes the database refused.
NOT_APPLIED = N_("This package comes from a laptop of the office, but its changes could not be "
                 "applied to the data on this laptop. Nothing was changed. Tell the person who "
                 "looks after Doorstep: the details are in the log file.")


def check_package_file(source: Path) -> None:
    """A package to read must be there, and be a file."""
    if source.is_dir():
        raise PackageIsAFolderError(PACKAGE_IS_A_FOLDER, path=str(source))
    if not source.exists():
        raise PackageFileMissingError(PACKAGE_MISSING, path=str(source))


# What the database (either driver) or a version that does not fit may raise while applying.
_NOT_APPLIED: tuple[type[Exception], ...] = (SQLAlchemyError, *DB_ERRORS, ValueError, TypeError,
                                             KeyError, IndexError)


@contextmanager
def _not_applied(package_id: str) -> Iterator[None]:
    """Around the transaction that applies a package (checked, signed): should the database
    refuse its versions (a constraint or foreign key, a row that does not fit), everything is
    rolled back and the person is told so; the details go to the log only."""
    try:
        yield
    except Exception as exc:
        if not isinstance(exc, _NOT_APPLIED) and not sqltext.is_server_error(exc):
            raise
        log.exception("package %s could not be applied", package_id)
        raise PackageNotAppliedError(NOT_APPLIED) from exc


@contextmanager
def _removed_on_failure(target: Path | None) -> Iterator[None]:
    """A package written but not recorded as sent is removed: it is as if never written."""
    try:
        yield
    except BaseException:
        if target is not None:
            target.unlink(missing_ok=True)
        raise
