"""A key petitioner's risk level: Doorstep proposes it from the records and the office's rules
(``app.ledger.rules``), a person confirms it or overrides it with a reason. Lowering a level is
for the leader in charge of the entry (or the chief procurator), who must hold
``Permission.LOWER_RISK_LEVEL``. Every change is kept (``LevelChange``) with the proposal, the
rules that fired, the reason, who and when.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from app.core import access
from app.core.access import NotPermittedError, Permission
from app.core.errors import ValidationError
from app.core.i18n import N_
from app.core.labels import StaffRole
from app.core.stamps import utc_stamp
from app.core.store import Store
from app.ledger import rules
from app.ledger.entries import kept_entry, open_entry
from app.ledger.keeping import keeps
from app.ledger.rules import SEVERITY, Level, Proposal
from models import KeyPetitioner, LevelChange

OVERRIDE_NEEDS_REASON = N_("This is not the level the rules propose: please say why.")
NOT_LEADER_IN_CHARGE = N_("Only the entry's leader in charge or the chief procurator can lower "
                          "its risk level.")


def _propose(session: Session, entry: KeyPetitioner, today: date,
             create: bool = True) -> Proposal:
    facts = rules.facts_of(session, entry.person_id, entry.id)
    return rules.propose(rules.active_rules(session, entry.office_id, create), facts, today)


def propose_level(store: Store, entry_id: str, today: date | None = None) -> Proposal:
    """The level the records and the office's active rules propose, and which rules fired
    (for a county's entry read on the hub, from the county's rules as the hub holds them)."""
    with store.write() as session:  # the office's default rules may be created now
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        entry = open_entry(session, entry_id)
        return _propose(session, entry, today or date.today(),
                        create=keeps(session, store, entry.office_id))


@dataclass(frozen=True)
class LevelSet:
    level: str
    proposal: Proposal
    overridden: bool


def set_level(store: Store, entry_id: str, level: str, reason: str = "",
              now: datetime | None = None) -> LevelSet:
    """Set the entry's level: confirming the proposal needs no reason, overriding it does;
    lowering it needs the leader in charge (or the chief). Kept in the level's history."""
    if not Level.has(level):
        raise ValidationError(rules.BAD_LEVEL, field="level")
    moment = now or datetime.now()
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        entry = kept_entry(session, store, entry_id)
        proposal = _propose(session, entry, moment.date())
        overridden = level != proposal.level
        if overridden and not reason.strip():
            raise ValidationError(OVERRIDE_NEEDS_REASON, field="reason")
        if SEVERITY[level] < SEVERITY.get(entry.level, 0):
            access.require(session, store.ctx, Permission.LOWER_RISK_LEVEL)
            me = access.logged_in(session, store.ctx)
            chief = me is not None and me.role == StaffRole.CHIEF \
                and me.office_id == entry.office_id
            if me is not None and me.id != entry.leader_id and not chief:
                raise NotPermittedError(NOT_LEADER_IN_CHARGE)
        session.add(LevelChange(entry_id=entry.id, from_level=entry.level, to_level=level,
                                proposed_level=proposal.level,
                                fired=json.dumps(proposal.codes), reason=reason.strip(),
                                staff_id=store.ctx.staff_id, at=utc_stamp(moment)))
        entry.level = level
        entry.level_confirmed_on = moment.date().isoformat()
    return LevelSet(level, proposal, overridden)
