"""Risk levels (三色预警) by the office's own rules, and what the rules read.

No public rule defines red, yellow and green: each office sets its criteria. Doorstep proposes
a set (``DEFAULT_RULES``), created for an office the first time its rules are read and marked
as Doorstep's proposals until a leader edits them; a leader may change a rule's window and
count, switch it off, or add another rule of a known kind at another colour.

What the rules read (the petition records do not say everything a ledger needs):

- from the petitions the person is a party to (voided ones left out): their day of receipt,
  whether they were registered as repeat petitions (重复信访, "on the same matter": intake marks
  a known petitioner's new petition so, and a clerk corrects the mark when it is about another
  matter), whether the
  person represented a group visit (集体访), the escalations recorded on them to the province
  or Beijing, their settlement (息诉罢访) and signed settle-and-withdraw agreements;
- from the ledger entry's own movements (近期动向), each of a kind: threats of extreme acts,
  organising a group visit, going or announcing going to the province or Beijing, refusing the
  reply, petitioning again elsewhere — what staff learn that no petition records.

Each rule counts the records of its kinds within its window (``months`` back from today) and
fires when there are at least ``min_count``. The green rule fires when the person's matter was
settled or an agreement signed at least ``months`` ago and nothing of the red or yellow kinds
happened, and no petition came, since. The proposal is the most severe colour that fired (none
when no rule fired), with every rule that fired, for a person to confirm or override.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import access
from app.core.access import Permission
from app.core.errors import AppError, InvalidInputError, ValidationError
from app.core.i18n import N_, _, ngettext
from app.core.labels import Vocabulary
from app.core.store import Store
from app.ledger.keeping import keeps, require_kept
from models import (
    Agreement,
    Escalation,
    LedgerMovement,
    Office,
    Petition,
    PetitionParty,
    RiskRule,
)


class Level(Vocabulary):
    RED = "red", N_("Red")
    YELLOW = "yellow", N_("Yellow")
    GREEN = "green", N_("Green")


# How severe each colour is; "" (no level) is below them all.
SEVERITY = {"": 0, Level.GREEN: 1, Level.YELLOW: 2, Level.RED: 3}


class MovementKind(Vocabulary):
    THREATENED_EXTREME_ACT = "threatened_extreme_act", N_("Threatened an extreme act")
    ORGANISED_GROUP_VISIT = "organised_group_visit", N_("Organised a group visit")
    WENT_TO_PROVINCE = "went_to_province", N_("Went to the province to petition")
    WENT_TO_BEIJING = "went_to_beijing", N_("Went to Beijing to petition")
    ANNOUNCED_GOING_UP = "announced_going_up", N_("Announced going to the province or Beijing")
    REFUSED_REPLY = "refused_reply", N_("Refused the reply")
    PETITIONED_AGAIN = "petitioned_again", N_("Petitioned again on the same matter")
    STABLE = "stable", N_("Stable, nothing new")
    OTHER = "other", N_("Other")


class RuleCode(Vocabulary):
    """What a rule reads (its label says so to the office)."""

    EXTREME_ACT = "extreme_act", N_("Threatened extreme acts")
    GROUP_VISIT = "group_visit", N_("Organised a group visit")
    WENT_UP = "went_up", N_("Went or announced going to the province or Beijing")
    REPEAT_PETITIONS = "repeat_petitions", N_("Repeated petitions on the same matter")
    REFUSED_REPLY = "refused_reply", N_("Refused the reply")
    SETTLED_STABLE = "settled_stable", N_("Settled or agreement signed, and stable since")


# The movements each rule counts.
RULE_MOVEMENTS: dict[str, frozenset[str]] = {
    RuleCode.EXTREME_ACT: frozenset({MovementKind.THREATENED_EXTREME_ACT}),
    RuleCode.GROUP_VISIT: frozenset({MovementKind.ORGANISED_GROUP_VISIT}),
    RuleCode.WENT_UP: frozenset({MovementKind.WENT_TO_PROVINCE, MovementKind.WENT_TO_BEIJING,
                                 MovementKind.ANNOUNCED_GOING_UP}),
    RuleCode.REPEAT_PETITIONS: frozenset({MovementKind.PETITIONED_AGAIN}),
    RuleCode.REFUSED_REPLY: frozenset({MovementKind.REFUSED_REPLY}),
    RuleCode.SETTLED_STABLE: frozenset(),
}
# Movements that break a settled person's stability (any the red and yellow rules count).
UNSETTLING = frozenset().union(*(RULE_MOVEMENTS[c] for c in RuleCode
                                 if c != RuleCode.SETTLED_STABLE))


@dataclass(frozen=True)
class DefaultRule:
    level: str
    code: str
    months: int
    min_count: int


# Doorstep's proposal, for the office to change.
DEFAULT_RULES = (
    DefaultRule(Level.RED, RuleCode.EXTREME_ACT, 12, 1),
    DefaultRule(Level.RED, RuleCode.GROUP_VISIT, 12, 1),
    DefaultRule(Level.RED, RuleCode.WENT_UP, 12, 1),
    DefaultRule(Level.YELLOW, RuleCode.REPEAT_PETITIONS, 12, 2),
    DefaultRule(Level.YELLOW, RuleCode.REFUSED_REPLY, 12, 1),
    DefaultRule(Level.GREEN, RuleCode.SETTLED_STABLE, 6, 1),
)
_NAMESPACE = uuid.UUID("0d5c8f8e-2b7a-4f0e-9a1c-6b1d7e170000")
MAX_MONTHS = 120

BAD_LEVEL = N_("Please choose red, yellow or green.")
BAD_RULE = N_("Please choose what the rule reads.")
BAD_MONTHS = N_("The number of months must be between 1 and {n}.")
BAD_COUNT = N_("The number of times must be at least 1.")
NO_SUCH_RULE = N_("This rule no longer exists.")
NO_LEVEL = N_("No level")
NO_SUCH_OFFICE = N_("This procuratorate is not known on this laptop.")


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it has no such day)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


# -- the records the rules read ---------------------------------------------------------------
@dataclass(frozen=True)
class Facts:
    """What is known of a key petitioner, as the rules read it (days are ISO dates)."""

    # (day received, registered as repeat, represented a group visit) of each petition.
    petitions: Sequence[tuple[str, bool, bool]] = ()
    # Days of escalations to the province or Beijing on the person's petitions.
    went_up: Sequence[str] = ()
    # Days their matter was settled (息诉罢访) or an agreement signed.
    settled: Sequence[str] = ()
    # (day, kind) of the entry's movements.
    movements: Sequence[tuple[str, str]] = ()


def facts_of(session: Session, person_id: str, entry_id: str) -> Facts:
    """The records of ``person_id`` and the movements of ledger entry ``entry_id``."""
    rows = session.execute(
        select(Petition.id, Petition.received_at, Petition.is_repeat, Petition.is_group,
               PetitionParty.role, Petition.resolution, Petition.resolved_on)
        .join(PetitionParty, PetitionParty.petition_id == Petition.id)
        .where(PetitionParty.person_id == person_id, PetitionParty.deleted.is_(False),
               Petition.deleted.is_(False), Petition.voided_at == "")).all()
    petitions: dict[str, tuple[str, bool, bool]] = {}
    settled: list[str] = []
    for pid, received, repeat, group, role, resolution, resolved_on in rows:
        before = petitions.get(pid, ("", False, False))
        petitions[pid] = (str(received)[:10], bool(repeat),
                          before[2] or (bool(group) and role == "representative"))
        if resolution == "settled" and resolved_on:
            settled.append(str(resolved_on))
    ids = list(petitions)
    went_up = [str(d) for (d,) in session.execute(
        select(Escalation.on_date).where(Escalation.petition_id.in_(ids),
                                         Escalation.deleted.is_(False),
                                         Escalation.level.in_(("province", "beijing"))))]
    settled += [str(d) for (d,) in session.execute(
        select(Agreement.signed_on).where(Agreement.petition_id.in_(ids),
                                          Agreement.deleted.is_(False),
                                          Agreement.status == "signed",
                                          Agreement.signed_on != ""))]
    movements = [(str(d), str(k)) for d, k in session.execute(
        select(LedgerMovement.day, LedgerMovement.kind)
        .where(LedgerMovement.entry_id == entry_id, LedgerMovement.deleted.is_(False)))]
    return Facts(list(petitions.values()), went_up, settled, movements)


# -- the rules ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    """One of the office's rules, as the proposal applies it."""

    rule_id: str
    level: str
    code: str
    months: int
    min_count: int


@dataclass(frozen=True)
class FiredRule:
    """A rule that fired, and what it found."""

    rule_id: str
    level: str
    code: str
    months: int
    count: int = 0
    day: str = ""  # the settlement the green rule found

    def description(self) -> str:
        """What the rule found, in the current language."""
        return _found(self.code, self.count, self.months).format(
            count=self.count, months=self.months, day=self.day)


def _found(code: str, count: int, months: int) -> str:
    """What a rule of ``code`` says it found (its ``{count}``, ``{months}`` and ``{day}`` to be
    filled in). Plural forms written out here so that extraction finds them."""
    if code == RuleCode.EXTREME_ACT:
        return ngettext("Threatened an extreme act {count} time in the last {months} months",
                        "Threatened extreme acts {count} times in the last {months} months",
                        count)
    if code == RuleCode.GROUP_VISIT:
        return ngettext("Organised a group visit {count} time in the last {months} months",
                        "Organised group visits {count} times in the last {months} months",
                        count)
    if code == RuleCode.WENT_UP:
        return ngettext("Went or announced going to the province or Beijing {count} time in "
                        "the last {months} months",
                        "Went or announced going to the province or Beijing {count} times in "
                        "the last {months} months", count)
    if code == RuleCode.REPEAT_PETITIONS:
        return ngettext("{count} repeat petition on the same matter in the last {months} "
                        "months",
                        "{count} repeat petitions on the same matter in the last {months} "
                        "months", count)
    if code == RuleCode.REFUSED_REPLY:
        return ngettext("Refused the reply {count} time in the last {months} months",
                        "Refused the reply {count} times in the last {months} months", count)
    return ngettext("Settled on {day} and stable for {months} month since",
                    "Settled on {day} and stable for {months} months since", months)


@dataclass(frozen=True)
class Proposal:
    """The level the records and the rules propose ("" when no rule fired) and why."""

    level: str
    fired: list[FiredRule] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.fired]


def _count(rule: Rule, facts: Facts, since: str) -> int:
    kinds = RULE_MOVEMENTS[rule.code]
    count = sum(1 for day, kind in facts.movements if kind in kinds and day > since)
    if rule.code == RuleCode.GROUP_VISIT:
        count += sum(1 for day, _r, group in facts.petitions if group and day > since)
    elif rule.code == RuleCode.WENT_UP:
        count += sum(1 for day in facts.went_up if day > since)
    elif rule.code == RuleCode.REPEAT_PETITIONS:
        count += sum(1 for day, repeat, _g in facts.petitions if repeat and day > since)
    return count


def _settled_stable(rule: Rule, facts: Facts, today: date) -> FiredRule | None:
    if not facts.settled:
        return None
    last = max(facts.settled)
    if last > months_before(today, rule.months).isoformat():
        return None
    if any(day > last for day, _r, _g in facts.petitions) or any(
            day > last for day in facts.went_up) or any(
            day > last and kind in UNSETTLING for day, kind in facts.movements):
        return None
    return FiredRule(rule.rule_id, rule.level, rule.code, rule.months, day=last)


def propose(rules: Iterable[Rule], facts: Facts, today: date) -> Proposal:
    """The level ``rules`` give ``facts`` as of ``today``: the most severe colour fired."""
    fired: list[FiredRule] = []
    for rule in rules:
        if rule.code == RuleCode.SETTLED_STABLE:
            found = _settled_stable(rule, facts, today)
            if found is not None:
                fired.append(found)
            continue
        since = months_before(today, rule.months).isoformat()
        count = _count(rule, facts, since)
        if count >= rule.min_count:
            fired.append(FiredRule(rule.rule_id, rule.level, rule.code, rule.months, count))
    fired.sort(key=lambda f: (-SEVERITY[f.level], list(RuleCode).index(RuleCode(f.code))))
    return Proposal(fired[0].level if fired else "", fired)


# -- the office's rules ------------------------------------------------------------------------
@dataclass(frozen=True)
class RiskRuleRow:
    rule_id: str
    level: str
    code: str
    months: int
    min_count: int
    active: bool
    proposed_by_doorstep: bool  # Doorstep's proposal, not edited by the office
    note: str

    @property
    def label(self) -> str:
        return RuleCode(self.code).label


def default_rule_id(office_id: str, code: str) -> str:
    """The id of Doorstep's default rule ``code`` for an office: the same on every laptop, so
    that two laptops creating the defaults on their own end up with the same records."""
    return str(uuid.uuid5(_NAMESPACE, f"{office_id}/{code}"))


def ensure_rules(session: Session, office_id: str) -> None:
    """Create Doorstep's default rules for the office the first time they are needed."""
    if session.get(Office, office_id) is None:
        raise AppError(NO_SUCH_OFFICE)
    have = set(session.scalars(select(RiskRule.id).where(RiskRule.office_id == office_id)))
    for d in DEFAULT_RULES:
        rule_id = default_rule_id(office_id, d.code)
        if rule_id not in have:
            session.add(RiskRule(id=rule_id, office_id=office_id, level=d.level, code=d.code,
                                 months=d.months, min_count=d.min_count, active=True,
                                 proposed_by_doorstep=True, note=""))
    session.flush()


def active_rules(session: Session, office_id: str, create: bool = True) -> list[Rule]:
    """The office's active rules; Doorstep's defaults are created first with ``create`` (not
    for an office whose rules are kept elsewhere: the rules it has are read)."""
    if create:
        ensure_rules(session, office_id)
    return [Rule(r.id, r.level, r.code, r.months, r.min_count) for r in session.scalars(
        select(RiskRule).where(RiskRule.office_id == office_id, RiskRule.deleted.is_(False),
                               RiskRule.active.is_(True)))
            if RuleCode.has(r.code) and Level.has(r.level)]


def _row(r: RiskRule) -> RiskRuleRow:
    return RiskRuleRow(r.id, r.level, r.code, r.months, r.min_count, r.active,
                       r.proposed_by_doorstep, r.note)


def risk_rules(store: Store, office_id: str) -> list[RiskRuleRow]:
    """The office's rules, most severe first (Doorstep's defaults created on first use)."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.SEE_KEY_PETITIONERS)
        if keeps(session, store, office_id):
            ensure_rules(session, office_id)
        elif session.get(Office, office_id) is None:  # a county's, as the hub holds them
            raise AppError(NO_SUCH_OFFICE)
        rows = [_row(r) for r in session.scalars(select(RiskRule).where(
            RiskRule.office_id == office_id, RiskRule.deleted.is_(False)))]
    order = list(RuleCode)
    return sorted(rows, key=lambda r: (-SEVERITY.get(r.level, 0),
                                       order.index(RuleCode(r.code))
                                       if RuleCode.has(r.code) else len(order), r.rule_id))


@dataclass
class RuleInput:
    level: str
    code: str
    months: int
    min_count: int = 1
    active: bool = True
    note: str = ""


def _validate(data: RuleInput) -> None:
    problems = []
    if not Level.has(data.level):
        problems.append(ValidationError(BAD_LEVEL, field="level"))
    if not RuleCode.has(data.code):
        problems.append(ValidationError(BAD_RULE, field="code"))
    if not 1 <= data.months <= MAX_MONTHS:
        problems.append(ValidationError(BAD_MONTHS, field="months", n=MAX_MONTHS))
    if data.min_count < 1:
        problems.append(ValidationError(BAD_COUNT, field="min_count"))
    if problems:
        raise InvalidInputError(problems)


def edit_rule(store: Store, rule_id: str, data: RuleInput) -> None:
    """Change one of the office's rules (switch it off with ``active=False``); a rule Doorstep
    proposed is the office's own from then on."""
    _validate(data)
    with store.write() as session:
        access.require(session, store.ctx, Permission.OFFICE_RULES)
        rule = session.get(RiskRule, rule_id)
        if rule is None or rule.deleted:
            raise AppError(NO_SUCH_RULE)
        require_kept(session, store, rule.office_id)
        changed = (rule.level, rule.code, rule.months, rule.min_count, rule.active,
                   rule.note) != (data.level, data.code, data.months, data.min_count,
                                  data.active, data.note.strip())
        if not changed:
            return
        rule.level, rule.code, rule.months = data.level, data.code, data.months
        rule.min_count, rule.active, rule.note = data.min_count, data.active, data.note.strip()
        rule.proposed_by_doorstep = False


def add_rule(store: Store, office_id: str, data: RuleInput) -> str:
    """Add a rule of the office's own (e.g. one trip to Beijing in two years: yellow)."""
    _validate(data)
    with store.write() as session:
        access.require(session, store.ctx, Permission.OFFICE_RULES)
        require_kept(session, store, office_id)
        ensure_rules(session, office_id)
        rule = RiskRule(office_id=office_id, level=data.level, code=data.code,
                        months=data.months, min_count=data.min_count, active=data.active,
                        proposed_by_doorstep=False, note=data.note.strip())
        session.add(rule)
        session.flush()
        return rule.id


def level_label(level: str) -> str:
    """A level's name in the current language."""
    if not level:
        return _(NO_LEVEL)
    found = Level.lookup(level)
    return found.label if found is not None else level
