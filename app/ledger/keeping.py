"""Which office's ledger of key petitioners is kept where.

A laptop serves one office and keeps its ledger. A prefecture hub holds every county's records,
but a county keeps its own ledger on its own laptops: the hub reads a county's ledger (its
entries, their movements, measures and levels, the county's risk rules) and changes only the
ledger of its own office, the prefecture's. Every use case that changes a ledger asks
:func:`require_kept` in its transaction, before it writes anything.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.core.access import NotPermittedError
from app.core.i18n import N_
from app.core.store import Store
from models import Device

KEPT_BY_ITS_OFFICE = N_("This is another office's ledger of key petitioners: the hub can read "
                        "it, but only that office changes it, on its own laptops.")


def keeps(session: Session, store: Store, office_id: str) -> bool:
    """Whether the ledger of ``office_id`` is changed in this store: always on a laptop; on a
    prefecture hub only the hub's own office's."""
    if not store.on_server:
        return True
    device = session.get(Device, store.device_id) if store.device_id else None
    return device is not None and device.office_id == office_id


def require_kept(session: Session, store: Store, office_id: str) -> None:
    """Refuse a change to the ledger of an office this store does not keep (nothing is
    written then: the caller's transaction is rolled back)."""
    if not keeps(session, store, office_id):
        raise NotPermittedError(KEPT_BY_ITS_OFFICE)


def keeps_ledger(store: Store, office_id: str) -> bool:
    """Whether screens may offer to change the ledger of ``office_id`` here."""
    with store.read() as session:
        return keeps(session, store, office_id)
