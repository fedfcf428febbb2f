"""What the database's own guards (triggers that RAISE) mean for a person, in one place.

Each guard's text is a named constant in ``models``, used both in the trigger and here; a
trigger refusal that leaves a write transaction (``app.core.store``) becomes its
:class:`RefusedError` with a message of its own, matched on the whole text, never a part of it.
Guards that only a bug can trip (the version log, tombstones, ids) have no message: they stay
unexpected problems, with their traceback in the log. ``tests/test_store.py`` checks that every
guard in a store is known here, so a guard whose text changes fails a test instead of falling
through to "unexpected problem".
"""

from __future__ import annotations

import sqlite3
import sys

from app.core.errors import RefusedError
from app.core.i18n import N_
from models import aid, audit, sync

# The guard's text -> the message for a person, or None for a guard only a bug can trip.
REFUSALS: dict[str, str | None] = {
    aid.ZERO_PAYMENT: N_("The amount must be more than zero."),
    aid.PAID_ABOVE_APPROVED: N_("This payment would take the total paid above the approved "
                                "amount."),
    aid.REVERSAL_NOT_ONE_PAYMENT: N_("This payment has already been reversed."),
    aid.PAYMENTS_APPEND_ONLY: N_("A payment cannot be changed once it is recorded; correct it "
                                 "with a reversing entry."),
    aid.DECISIONS_APPEND_ONLY: N_("A decision on this aid case cannot be changed once it is "
                                  "made."),
    aid.APPROVED_BELOW_PAID: N_("The approved amount cannot be less than what has already been "
                                "paid."),
    audit.AUDIT_NEVER_CHANGED: None,
    sync.DELETED_BY_TOMBSTONE: None,
    sync.ID_NEVER_CHANGES: None,
    sync.VERSIONS_IMMUTABLE: None,
    sync.VERSIONS_NEVER_REMOVED: None,
}


def guard_text(exc: BaseException) -> str | None:
    """The text a trigger raised, if ``exc`` (or the DB-API error it wraps) is a refusal."""
    orig = getattr(exc, "orig", None) or exc
    # PostgreSQL's driver (a hub): the guard's text is the error's primary message.
    diag = getattr(orig, "diag", None)
    if diag is not None:
        primary = getattr(diag, "message_primary", None)
        return primary if isinstance(primary, str) and primary.startswith("doorstep: ") else None
    # The standard library's driver for a plain store, SQLCipher's for an encrypted one (if
    # its driver is not loaded, no error can be its).
    sqlcipher = sys.modules.get("sqlcipher3.dbapi2")
    errors = (sqlite3.DatabaseError,) if sqlcipher is None \
        else (sqlite3.DatabaseError, sqlcipher.DatabaseError)
    if not isinstance(orig, errors) or not orig.args:
        return None
    text = str(orig.args[0])
    return text if text.startswith("doorstep: ") else None


def refusal(exc: BaseException) -> RefusedError | None:
    """The error to show for a guard's refusal; None for anything else (and for a guard only a
    bug trips). A guard unknown here is logged by the caller as unexpected."""
    text = guard_text(exc)
    if text is None:
        return None
    message = REFUSALS.get(text)
    return RefusedError(message, guard=text) if message is not None else None
