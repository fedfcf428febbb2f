"""Staff log-in on a prefecture hub (issue 18): the hub's list of passphrases.

On a laptop, a staff member's passphrase unwraps the key of the encrypted data file, kept in a
file beside it (``app.core.keyring``). A hub is a PostgreSQL database that clerks use from
several computers at once, protected by its server: each member's passphrase seals a random
token, kept in the hub's ``hub_login`` table (``models.hub``); logging in is unsealing it
(scrypt, as on a laptop). Wrong passphrases are noted and slowed down as on a laptop
(``app.accounts.login.unlock``), in this computer's data folder.
"""

from __future__ import annotations

import os

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import sealing
from app.core.errors import AppError, ValidationError
from app.core.i18n import N_
from app.core.keyring import Account
from app.core.sealing import MalformedError
from app.core.stamps import utc_stamp
from app.core.store import Store
from models import HubLogin, Staff

KIND = "hub-login"
TOKEN_SIZE = 32
# scrypt's cost (tests lower it, as for a laptop's keyring).
SCRYPT_N = sealing.SCRYPT_N

NO_PASSPHRASE = N_("This staff member has no passphrase on the hub.")
DAMAGED = N_("The hub's passphrase of this staff member is damaged: ask the administrator to "
             "give a new one.")


def accounts(store: Store) -> list[Account]:
    """Who can log in on the hub: active staff with a passphrase there."""
    with store.read() as session:
        rows = session.execute(select(Staff).join(HubLogin, HubLogin.staff_id == Staff.id)
                               .where(Staff.active.is_(True), Staff.deleted.is_(False))
                               .order_by(Staff.name_zh)).scalars().all()
        return [Account(s.id, s.name_zh, s.name_bo, s.role) for s in rows]


def with_passphrase(session: Session) -> set[str]:
    return {str(i) for i in session.scalars(select(HubLogin.staff_id))}


def give(session: Session, staff_id: str, passphrase: str) -> None:
    """Give ``staff_id`` the log-in ``passphrase`` on the hub (or a new one), in the caller's
    write transaction."""
    sealed = sealing.canonical_json(sealing.seal(KIND, staff_id, os.urandom(TOKEN_SIZE),
                                                 passphrase, n=SCRYPT_N)).decode()
    found = session.get(HubLogin, staff_id)
    if found is None:
        session.add(HubLogin(staff_id=staff_id, sealed=sealed, changed_at=utc_stamp()))
    else:
        found.sealed, found.changed_at = sealed, utc_stamp()


def remove(session: Session, staff_id: str) -> None:
    found = session.get(HubLogin, staff_id)
    if found is not None:
        session.delete(found)


def check(store: Store, staff_id: str, passphrase: str) -> None:
    """Refuse (a ``ValidationError`` of the field ``passphrase``) unless ``passphrase`` is
    ``staff_id``'s on the hub."""
    with store.read() as session:
        found = session.get(HubLogin, staff_id)
        sealed = found.sealed if found is not None else None
    if sealed is None:
        raise ValidationError(NO_PASSPHRASE, field="staff")
    try:
        owner, _token = sealing.unseal(KIND, sealing.parse_json(sealed.encode()), passphrase,
                                       TOKEN_SIZE)
    except MalformedError as exc:
        raise AppError(DAMAGED) from exc
    if owner != staff_id:
        raise AppError(DAMAGED)
