"""This installation's device identity, its office, and who is using it."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core import access
from app.core.access import Permission
from app.core.errors import ValidationError
from app.core.i18n import N_
from app.core.reference import OFFICES
from app.core.store import Store
from models import Device, LocalIdentity, Office, Staff, new_id

log = logging.getLogger(__name__)

MAX_DEVICE_NAME = 100


@dataclass(frozen=True)
class DeviceInfo:
    id: str
    name: str
    office_id: str | None
    office_name_zh: str
    office_name_bo: str


@dataclass(frozen=True)
class OfficeChoice:
    """An office this laptop can belong to (from the store, or from the Golog reference list)."""

    division_code: str
    name_zh: str
    name_bo: str


def default_device_name() -> str:
    return socket.gethostname()[:MAX_DEVICE_NAME] or "Doorstep"


def ensure_device(store: Store, name: str | None = None) -> DeviceInfo:
    """Create this installation's device identity on first start; return it."""
    if store.device_id is None:
        device_id = new_id()
        store.ctx.device_id = device_id  # the capture triggers stamp the new rows with it
        try:
            with store.write() as session:
                session.add(LocalIdentity(slot=1, device_id=device_id))
                session.add(Device(id=device_id, name=name or default_device_name()))
        except Exception:
            store.ctx.device_id = None
            raise
        log.info("created device identity %s", device_id)
    info = this_device(store)
    assert info is not None
    return info


def this_device(store: Store) -> DeviceInfo | None:
    if store.device_id is None:
        return None
    with store.read() as session:
        device = session.get(Device, store.device_id)
        if device is None:
            return None
        office = session.get(Office, device.office_id) if device.office_id else None
        return DeviceInfo(device.id, device.name, device.office_id,
                          office.name_zh if office else "", office.name_bo if office else "")


def office_choices() -> list[OfficeChoice]:
    return [OfficeChoice(o.division_code, o.name_zh, o.name_bo) for o in OFFICES]


def set_up_device(store: Store, name: str, division_code: str) -> DeviceInfo:
    """Name this laptop and attach it to an office of the reference list (one transaction)."""
    name = name.strip()
    if not name:
        raise ValidationError(N_("Please give this laptop a name."), field="name")
    if len(name) > MAX_DEVICE_NAME:
        raise ValidationError(N_("The name is too long (at most {n} characters)."), field="name",
                              n=MAX_DEVICE_NAME)
    seeds = {o.division_code: o for o in OFFICES}
    if division_code not in seeds:
        raise ValidationError(N_("Please choose the office this laptop belongs to."),
                              field="office")
    ensure_device(store, name)
    with store.write() as session:
        access.require(session, store.ctx, Permission.MANAGE_LAPTOPS)
        office = ensure_office(session, division_code)
        device = session.get(Device, store.device_id)
        assert device is not None
        device.name = name
        device.office_id = office.id
        if office.numbering_device_id is None:
            # The first laptop to set the office up hands out its registration numbers
            # (see app.petitions.numbering); laptops enrolled later receive blocks from it.
            office.numbering_device_id = device.id
    info = this_device(store)
    assert info is not None
    return info


def ensure_office(session: Session, division_code: str) -> Office:
    """The office with this division code, created from the reference list when missing."""
    seeds = {o.division_code: o for o in OFFICES}
    seed = seeds[division_code]
    office = session.get(Office, seed.id)
    if office is None:
        parent_id = None
        if seed.level == "county":
            parent_id = ensure_office(session, OFFICES[0].division_code).id
        office = Office(id=seed.id, division_code=seed.division_code, level=seed.level,
                        name_zh=seed.name_zh, name_bo=seed.name_bo, short_zh=seed.short_zh,
                        parent_id=parent_id)
        session.add(office)
        session.flush()
    return office


@dataclass(frozen=True)
class UserInfo:
    staff_id: str
    name_zh: str
    name_bo: str
    role: str


def staff_member(store: Store, staff_id: str) -> UserInfo | None:
    if not staff_id:
        return None
    with store.read() as session:
        staff = session.get(Staff, staff_id)
        if staff is None or staff.deleted:
            return None
        return UserInfo(staff.id, staff.name_zh, staff.name_bo, staff.role)
