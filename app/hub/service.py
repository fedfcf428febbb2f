"""The prefecture hub (州院, issue 18): one store on a PostgreSQL server holding the packages of
every county of the prefecture, for the statistics across counties and the work several clerks
do there at once.

The hub takes part in each county's sync as a laptop does, with the same package files and the
same checks: it has its own device keys, and each county's master enrols it from an enrolment
request the hub writes for that county (``request``); the hub keeps the grant, that is the
county's signed roster (``accept``), one roster a county (``sync_roster`` is keyed by office).
A package is imported against the roster of the county it comes from (``import_packages``);
several imports may run at once, each one transaction, one after another under the store's
write lock. What the hub sends a county (``export_to``) holds that county's logs and the hub's
own (its screenings accepted, the matters it hands down), never another county's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.accounts import hub_login, login
from app.accounts.login import NewAccount
from app.core import access
from app.core.access import Permission
from app.core.errors import AppError
from app.core.i18n import N_, pick
from app.core.identity import ensure_device, ensure_office, this_device
from app.core.progress import SILENT, Progress
from app.core.reference import OFFICES
from app.core.store import Store
from app.sync import container, crypto, service, signed
from app.sync.crypto import Roster
from models import Device, Office, Staff

log = logging.getLogger(__name__)

NOT_A_HUB = N_("This is a laptop's data folder, not a prefecture hub: a hub is a PostgreSQL "
               "database (--db).")
NO_NAME = N_("Please give the hub a name.")
NOT_A_PREFECTURE = N_("A hub belongs to a prefecture's procuratorate: {code} is not one.")
NOT_A_COUNTY = N_("{code} is not one of the prefecture's counties.")
ALREADY_A_HUB = N_("This database is already the hub of {office}. Nothing was changed.")
NO_HUB_KEYS = N_("This hub has no keys yet: make it with \"hub init\" first.")
NOT_ENROLLED_IN = N_("The hub is not enrolled in {office} yet: give its enrolment request to "
                     "that county's master laptop, and accept the grant it writes.")


@dataclass(frozen=True)
class County:
    """A county the hub takes part in: its roster's version and its laptops."""

    office_id: str
    division_code: str
    name_zh: str
    name_bo: str
    roster_version: int
    laptops: int


@dataclass(frozen=True)
class Imported:
    """What became of one package file: its result, or the problem that refused it (nothing
    of that file was applied then)."""

    path: Path
    office_id: str = ""
    result: service.ImportResult | None = None
    problem: AppError | None = None


def _seeds() -> dict[str, Any]:
    return {o.division_code: o for o in OFFICES}


def _require_hub(store: Store) -> None:
    if not store.on_server:
        raise AppError(NOT_A_HUB)


def init_hub(store: Store, name: str, division_code: str, passphrase: str,
             admin: NewAccount | None = None) -> str:
    """Make the store the hub of the prefecture ``division_code``: this hub's identity in the
    prefecture's office, its device keys (wrapped under ``passphrase``) and, with ``admin``,
    the first staff member who logs in to it (the administrator or a leader, who then adds the
    others). Returns the office's id."""
    _require_hub(store)
    seed = _seeds().get(division_code)
    if seed is None or seed.level != "prefecture":
        raise AppError(NOT_A_PREFECTURE, code=division_code)
    service._check_passphrase(passphrase)
    if admin is not None:
        login._check_new_account(admin)
    found = this_device(store)
    if found is not None and found.office_id is not None:
        with store.read() as session:
            office = session.get(Office, found.office_id)
        raise AppError(ALREADY_A_HUB, office=office.name_zh if office else found.office_id)
    name = name.strip()
    if not name:
        raise AppError(NO_NAME)
    ensure_device(store, name)
    assert store.device_id is not None
    with store.write() as session:
        access.require(session, store.ctx, Permission.MANAGE_LAPTOPS)
        # The hub belongs to the prefecture's office, but does not hand out its registration
        # numbers (its laptops do): the office record it makes is the one every county made
        # as their parent, the same values, so no county's copy of it conflicts with the hub's.
        office = ensure_office(session, division_code)
        row = session.get(Device, store.device_id)
        assert row is not None
        row.name, row.office_id = name, office.id
        office_id = office.id
        if service._secret(session, "device") is None:
            keys = crypto.generate_device_keys(store.device_id)
            service._put_secret(session, "device", crypto.wrap_private(keys, passphrase))
        if admin is not None:
            staff = Staff(office_id=office_id, name_zh=admin.name_zh.strip(),
                          name_bo=admin.name_bo.strip(), role=admin.role)
            session.add(staff)
            session.flush()
            hub_login.give(session, staff.id, admin.passphrase)
    return office_id


def _county(division_code: str) -> Any:
    seed = _seeds().get(division_code)
    if seed is None or seed.level != "county":
        raise AppError(NOT_A_COUNTY, code=division_code)
    return seed


def request(store: Store, division_code: str, passphrase: str) -> bytes:
    """The hub's request to join the county ``division_code``: its public keys, signed with its
    own key, as a laptop's (the county's master enrols it with ``enrol``)."""
    _require_hub(store)
    seed = _county(division_code)
    keys = _keys(store, passphrase)
    device = this_device(store)
    name = device.name if device is not None else keys.device_id
    return crypto.make_enrolment_request(keys, name, seed.id)


def _keys(store: Store, passphrase: str) -> crypto.DeviceKeys:
    with store.read() as session:
        if service._secret(session, "device") is None:
            raise AppError(NO_HUB_KEYS)
    return service.device_keys(store, passphrase)


def accept(store: Store, grant: bytes, passphrase: str) -> Roster:
    """Keep the roster a county's master signed for the hub (it must list the hub): from now
    on the hub imports that county's packages and exports to it."""
    _require_hub(store)
    keys = _keys(store, passphrase)
    roster, office_pub = crypto.read_grant(grant, keys)  # refuses a grant not for the hub
    with store.write() as session:
        access.require(session, store.ctx, Permission.MANAGE_LAPTOPS)
        return service.keep_grant(session, grant, roster, office_pub)


def counties(store: Store) -> list[County]:
    """The counties the hub is enrolled in, by division code."""
    _require_hub(store)
    rosters = service.stored_rosters(store)
    with store.read() as session:
        names = {o.id: (o.division_code, o.name_zh, o.name_bo)
                 for o in session.scalars(select(Office))}
    by_id = {o.id: o for o in OFFICES}
    found = []
    for roster in rosters:
        seed = by_id.get(roster.office_id)
        seeded = (seed.division_code, seed.name_zh, seed.name_bo) if seed \
            else ("", roster.office_id, "")
        code, name, name_bo = names.get(roster.office_id, seeded)
        found.append(County(roster.office_id, code, name, name_bo, roster.version,
                            len(roster.active())))
    return sorted(found, key=lambda c: c.division_code)


def office_name(office_id: str) -> str:
    """An office of the prefecture by its name in the language shown (its id if unknown)."""
    seed = next((o for o in OFFICES if o.id == office_id), None)
    return pick(seed.name_zh, seed.name_bo) if seed is not None else office_id


def import_packages(store: Store, files: Iterable[Path], passphrase: str,
                    progress: Progress = SILENT) -> list[Imported]:
    """Import package files from any of the counties, each against its county's roster, one
    after another; a file that is refused is reported and changes nothing, and the others are
    still imported."""
    _require_hub(store)
    held = {c.office_id for c in counties(store)}
    done = []
    for path in files:
        try:
            service.check_package_file(path)
            office_id = container.peek_header(path).office_id
            if office_id not in held:
                raise AppError(NOT_ENROLLED_IN, office=office_name(office_id))
            result = service.import_package(store, path, passphrase, progress,
                                            office_id=office_id)
        except AppError as problem:
            log.info("hub import of %s refused: %s", path, problem)
            done.append(Imported(path, problem=problem))
            continue
        done.append(Imported(path, office_id, result))
    return done


def _other_counties_logs(raw: Any, county: service.StoredRoster) -> dict[str, int]:
    """Every log the county is not to receive, with its highest counter (as if the county held
    it all): the logs of laptops not on its roster, but for the hub's own."""
    own = {d.device_id for d in county.roster.devices}
    owners = {str(log_id): str(device_id) for log_id, device_id in raw.execute(
        "SELECT log_id, device_id FROM sync_log").fetchall()}
    return {log_id: top for log_id, top in signed.vector(raw).items()
            if owners.get(log_id, log_id) not in own}


def export_to(store: Store, division_code: str, target: Path, passphrase: str,
              progress: Progress = SILENT) -> service.ExportResult:
    """A package for the county ``division_code``'s laptops: what they may lack of their own
    county's logs and of the hub's."""
    _require_hub(store)
    seed = _county(division_code)
    if service.stored_roster(store, seed.id) is None:
        raise AppError(NOT_ENROLLED_IN, office=office_name(seed.id))
    return service.export(store, target, passphrase, progress=progress, office_id=seed.id,
                          held_elsewhere=_other_counties_logs)
