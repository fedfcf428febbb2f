"""State judicial aid (国家司法救助): proposal, a leader's decision, payments, figures.

The handling procurator proposes an amount with reasons; a leader (the chief procurator or a
deputy) approves it, reduces it (with a reason) or refuses it (with a reason), never their own
proposal; above the office's threshold only the chief procurator may approve. Payments are
made against the approved amount, one or several, and never exceed it: checked here with a
clear message, and kept by the database (``models.aid.LEDGER_GUARD_DDL``) whatever the code
path. A wrong payment is corrected by a reversing entry; nothing is edited or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import access, duties, labels
from app.core.access import Permission
from app.core.errors import AppError, InvalidInputError, ValidationError
from app.core.formatting import format_money
from app.core.i18n import N_
from app.core.money import parse_amount, yuan_text
from app.core.records import live_petition, log_activity
from app.core.stamps import local_day_of, local_iso, utc_stamp
from app.core.store import Store
from app.persons.records import check_id_number
from models import (
    AidCase,
    AidDecision,
    AidPayment,
    AidPerson,
    AidPolicy,
    Person,
    PetitionParty,
    Staff,
)

# Until an office sets its own: above 30,000 yuan the chief procurator decides.
DEFAULT_CHIEF_THRESHOLD_FEN = 3_000_000
MAX_TEXT = 4000


# -- policy ------------------------------------------------------------------------------------
def chief_threshold(store: Store, office_id: str) -> int:
    with store.read() as session:
        return _threshold(session, office_id)


def _threshold(session: Session, office_id: str) -> int:
    found = session.scalar(select(AidPolicy.chief_threshold_fen).where(
        AidPolicy.office_id == office_id, AidPolicy.deleted.is_(False)))
    return DEFAULT_CHIEF_THRESHOLD_FEN if found is None else found


def set_chief_threshold(store: Store, office_id: str, amount: str, staff_id: str) -> int:
    """Set the amount above which only the chief procurator may approve (a leader of the office
    does this); returns it in fen."""
    fen = parse_amount(amount, field="threshold")
    with store.write() as session:
        access.require(session, store.ctx, Permission.OFFICE_RULES, acting=staff_id)
        leader = _live_staff(session, staff_id)
        if not duties.may(leader.role, duties.DECIDE_AID) or leader.office_id != office_id:
            raise AppError(N_("Only the chief procurator or a deputy chief procurator of this "
                              "office can change this rule."))
        policy = session.scalar(select(AidPolicy).where(
            AidPolicy.office_id == office_id, AidPolicy.deleted.is_(False)))
        if policy is None:
            session.add(AidPolicy(office_id=office_id, chief_threshold_fen=fen))
        else:
            policy.chief_threshold_fen = fen
    return fen


# -- rules -------------------------------------------------------------------------------------
# What a staff member may do on an aid case: decide on it, approve the whole amount proposed
# (above the office's threshold only the chief may), record a payment.
DECIDE, APPROVE_IN_FULL, PAY = "decide", "approve_in_full", "pay"
NOT_A_DECIDER = N_("Only the chief procurator or a deputy chief procurator of this office can "
                   "decide on judicial aid.")
OWN_PROPOSAL = N_("You proposed this aid; another leader must decide on it.")
ALREADY_DECIDED = N_("This aid case has already been decided.")
ABOVE_THRESHOLD = N_("Aid above {amount} needs the chief procurator's approval.")
NOT_APPROVED = N_("This aid case has not been approved: nothing can be paid.")
PAID_IN_FULL = N_("This aid has been paid in full: nothing is left to pay.")
REVERSING_ENTRY = N_("A reversing entry cannot itself be reversed.")
ALREADY_REVERSED = N_("This payment has already been reversed.")


@dataclass(frozen=True)
class CaseFacts:
    """What the rules of an aid case depend on."""

    status: str
    office_id: str
    proposed_by: str
    proposed_fen: int
    remaining_fen: int


@dataclass(frozen=True)
class Actor:
    """The staff member acting (live on the books: see ``_live_staff``)."""

    staff_id: str
    role: str
    office_id: str


def may_approve_above_threshold(role: str) -> bool:
    return role == "chief"


def decision_refusal(case: CaseFacts, actor: Actor) -> str | None:
    """Why ``actor`` may not decide on the case (a message), or None when they may."""
    if case.status != "proposed":
        return ALREADY_DECIDED
    if not duties.may(actor.role, duties.DECIDE_AID) or actor.office_id != case.office_id:
        return NOT_A_DECIDER
    if actor.staff_id == case.proposed_by:
        return OWN_PROPOSAL
    return None


def payment_refusal(case: CaseFacts) -> str | None:
    """Why nothing can be paid on the case (a message), or None when something can."""
    if case.status not in ("approved", "reduced"):
        return NOT_APPROVED
    if case.remaining_fen <= 0:
        return PAID_IN_FULL
    return None


def reversal_refusal(amount_fen: int, reversed_already: bool) -> str | None:
    """Why a payment may not be reversed (a message), or None when it may."""
    if amount_fen < 0:
        return REVERSING_ENTRY
    if reversed_already:
        return ALREADY_REVERSED
    return None


def allowed_actions(case: CaseFacts, actor: Actor | None, threshold_fen: int) -> frozenset[str]:
    """What ``actor`` may do on the case (``DECIDE``, ``APPROVE_IN_FULL``, ``PAY``)."""
    actions: set[str] = set()
    if actor is not None and decision_refusal(case, actor) is None:
        actions.add(DECIDE)
        if case.proposed_fen <= threshold_fen or may_approve_above_threshold(actor.role):
            actions.add(APPROVE_IN_FULL)
    if actor is not None and payment_refusal(case) is None:
        actions.add(PAY)
    return frozenset(actions)


@dataclass(frozen=True)
class AidRules:
    """What the aid case window offers the staff member using it."""

    actions: frozenset[str]
    threshold_fen: int
    # Ids of the payments that may be reversed.
    reversible: frozenset[str]


def aid_rules(store: Store, aid_case_id: str, staff_id: str) -> AidRules:
    with store.read() as session:
        case = _live_case(session, aid_case_id)
        facts = _facts(session, case)
        staff = session.get(Staff, staff_id) if staff_id else None
        actor = (_actor(staff) if staff is not None and not staff.deleted and staff.active
                 else None)
        threshold = _threshold(session, case.office_id)
        rows = list(session.scalars(select(AidPayment).where(
            AidPayment.aid_case_id == case.id, AidPayment.deleted.is_(False))))
        reversed_ids = {p.reverses_id for p in rows if p.reverses_id}
        reversible = frozenset(p.id for p in rows if actor is not None and reversal_refusal(
            p.amount_fen, p.id in reversed_ids) is None)
        return AidRules(allowed_actions(facts, actor, threshold), threshold, reversible)


def _facts(session: Session, case: AidCase) -> CaseFacts:
    return CaseFacts(case.status, case.office_id, case.proposed_by, case.proposed_fen,
                     case.approved_fen - _paid(session, case.id))


def _actor(staff: Staff) -> Actor:
    return Actor(staff.id, staff.role, staff.office_id)


# -- proposal ----------------------------------------------------------------------------------
@dataclass
class AidProposal:
    petition_id: str
    person_ids: list[str] = field(default_factory=list)
    eligibility: str = ""
    facts: str = ""
    amount: str = ""
    reasons: str = ""
    proposed_on: str = ""  # ISO date; today when empty


def propose(store: Store, data: AidProposal, staff_id: str, today: date | None = None) -> str:
    """The handling procurator's proposal; returns the new aid case's id."""
    today = today or date.today()
    problems: list[ValidationError] = []
    if not labels.AidGroup.has(data.eligibility):
        problems.append(ValidationError(N_("Please choose from the list."), field="eligibility"))
    if not data.person_ids:
        problems.append(ValidationError(N_("Please choose at least one person to aid."),
                                        field="person_ids"))
    for name in ("facts", "reasons"):
        value = getattr(data, name).strip()
        if not value:
            problems.append(ValidationError(N_("Please fill this in."), field=name))
        elif len(value) > MAX_TEXT:
            problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                            field=name, n=MAX_TEXT))
    fen = 0
    try:
        fen = parse_amount(data.amount)
    except ValidationError as problem:
        problems.append(problem)
    proposed_on = _day(data.proposed_on or today.isoformat(), "proposed_on", today, problems)
    if problems:
        raise InvalidInputError(problems)
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK, acting=staff_id)
        petition = live_petition(session, data.petition_id)
        staff = _live_staff(session, staff_id)
        parties = set(session.scalars(select(PetitionParty.person_id).where(
            PetitionParty.petition_id == petition.id, PetitionParty.deleted.is_(False))))
        for person_id in data.person_ids:
            person = session.get(Person, person_id)
            if person is None or person.deleted:
                raise AppError(N_("Someone chosen is no longer in the records."))
        if proposed_on.isoformat() < petition.received_at[:10]:
            raise InvalidInputError([ValidationError(
                N_("Aid cannot be proposed before the petition was received."),
                field="proposed_on")])
        if not set(data.person_ids) & parties:
            raise InvalidInputError([ValidationError(
                N_("At least one person aided must be a party to the petition."),
                field="person_ids")])
        case = AidCase(petition_id=petition.id, office_id=petition.office_id,
                       eligibility=data.eligibility, facts=data.facts.strip(), proposed_fen=fen,
                       reasons=data.reasons.strip(), proposed_by=staff.id,
                       proposed_on=proposed_on.isoformat(), status="proposed", approved_fen=0)
        session.add(case)
        session.flush()
        for position, person_id in enumerate(dict.fromkeys(data.person_ids)):
            session.add(AidPerson(aid_case_id=case.id, person_id=person_id, position=position))
        log_activity(session, store, petition.id, staff.id, "aid_proposed", yuan_text(fen))
        return case.id


def _day(value: str, name: str, today: date, problems: list[ValidationError]) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        problems.append(ValidationError(N_("This date does not exist."), field=name))
        return today
    if day > today:
        problems.append(ValidationError(N_("The date cannot be in the future."), field=name))
    return day


def _live_staff(session: Session, staff_id: str) -> Staff:
    staff = session.get(Staff, staff_id) if staff_id else None
    if staff is None or staff.deleted or not staff.active:
        raise AppError(N_("Please choose who you are (Laptop → This laptop…) first."))
    return staff


def _live_case(session: Session, aid_case_id: str) -> AidCase:
    case = session.get(AidCase, aid_case_id)
    if case is None or case.deleted:
        raise AppError(N_("This aid case no longer exists."))
    return case


# -- decision ----------------------------------------------------------------------------------
def decide(store: Store, aid_case_id: str, decision: str, staff_id: str, amount: str = "",
           reason: str = "", now: datetime | None = None) -> None:
    """A leader's decision: ``approved`` (the proposed amount), ``reduced`` (a smaller amount,
    with the reason) or ``refused`` (with the reason)."""
    now = now or datetime.now()
    if not labels.AidDecision.has(decision):
        raise ValidationError(N_("Please choose from the list."), field="decision")
    problems: list[ValidationError] = []
    reduced_to = 0
    if decision == "reduced":
        try:
            reduced_to = parse_amount(amount)
        except ValidationError as problem:
            problems.append(problem)
    if decision in ("reduced", "refused") and not reason.strip():
        problems.append(ValidationError(N_("Please give the reason."), field="reason"))
    if len(reason) > MAX_TEXT:
        problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                        field="reason", n=MAX_TEXT))
    if problems:
        raise InvalidInputError(problems)
    with store.write() as session:
        access.require(session, store.ctx, Permission.APPROVE_AID, acting=staff_id)
        case = _live_case(session, aid_case_id)
        leader = _live_staff(session, staff_id)
        refusal = decision_refusal(_facts(session, case), _actor(leader))
        if refusal is not None:
            raise AppError(refusal)
        granted = {"approved": case.proposed_fen, "reduced": reduced_to, "refused": 0}[decision]
        if decision == "reduced" and reduced_to >= case.proposed_fen:
            raise InvalidInputError([ValidationError(
                N_("A reduced amount must be less than the {amount} proposed."),
                field="amount", amount=format_money(case.proposed_fen))])
        threshold = _threshold(session, case.office_id)
        if granted > threshold and not may_approve_above_threshold(leader.role):
            raise AppError(ABOVE_THRESHOLD, amount=format_money(threshold))
        session.add(AidDecision(aid_case_id=case.id, decision=decision, amount_fen=granted,
                                reason=reason.strip(), decided_by=leader.id,
                                decided_at=utc_stamp(now)))
        case.status, case.approved_fen = decision, granted
        log_activity(session, store, case.petition_id, leader.id, f"aid_{decision}",
                     yuan_text(granted))


# -- payments ----------------------------------------------------------------------------------
@dataclass
class PaymentInput:
    aid_case_id: str
    amount: str = ""
    paid_on: str = ""  # ISO date; today when empty
    payee_name: str = ""
    payee_relation: str = "self"
    payee_id_number: str = ""
    method: str = "cash"
    bank_name: str = ""
    account_no: str = ""
    note: str = ""


def more_than_left(remaining_fen: int) -> ValidationError:
    return ValidationError(N_("This is more than is left to pay: {amount}."), field="amount",
                           amount=format_money(remaining_fen))


def validate_payment(data: PaymentInput, today: date,
                     left_fen: int | None = None) -> tuple[int, list[ValidationError]]:
    """The payment's amount in fen and what is wrong with it; with ``left_fen``, as known
    when the form opened, an amount above it is wrong too (``pay`` checks it again)."""
    problems: list[ValidationError] = []
    fen = 0
    try:
        fen = parse_amount(data.amount)
        if left_fen is not None and fen > left_fen:
            problems.append(more_than_left(left_fen))
    except ValidationError as problem:
        problems.append(problem)
    _day(data.paid_on or today.isoformat(), "paid_on", today, problems)
    if not data.payee_name.strip():
        problems.append(ValidationError(N_("Please fill this in."), field="payee_name"))
    elif len(data.payee_name.strip()) > 100:
        problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                        field="payee_name", n=100))
    if not labels.PayeeRelation.has(data.payee_relation):
        problems.append(ValidationError(N_("Please choose from the list."),
                                        field="payee_relation"))
    if data.payee_id_number.strip():
        try:
            check_id_number(data.payee_id_number, today, "payee_id_number")
        except ValidationError as problem:
            problems.append(problem)
    if not labels.PaymentMethod.has(data.method):
        problems.append(ValidationError(N_("Please choose from the list."), field="method"))
    if data.method == "bank":
        account = data.account_no.replace(" ", "")
        if not data.bank_name.strip():
            problems.append(ValidationError(N_("Please fill this in."), field="bank_name"))
        if not account.isdigit() or not 12 <= len(account) <= 30:
            problems.append(ValidationError(N_("A bank account number has 12 to 30 digits."),
                                            field="account_no"))
    if len(data.note) > MAX_TEXT:
        problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                        field="note", n=MAX_TEXT))
    return fen, problems


def pay(store: Store, data: PaymentInput, staff_id: str, today: date | None = None) -> str:
    """Record money paid out on an approved case; returns the payment's id."""
    today = today or date.today()
    fen, problems = validate_payment(data, today)
    if problems:
        raise InvalidInputError(problems)
    # The ledger guards may refuse: store.write() gives the refusal its message.
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK, acting=staff_id)
        case = _live_case(session, data.aid_case_id)
        payer = _live_staff(session, staff_id)
        refusal = payment_refusal(_facts(session, case))
        if refusal is not None:
            raise AppError(refusal)
        approved_on = max((local_iso(at, "minutes") for at in session.scalars(
            select(AidDecision.decided_at).where(AidDecision.aid_case_id == case.id,
                                                 AidDecision.deleted.is_(False)))),
                          default="")
        if (data.paid_on or today.isoformat()) < approved_on[:10]:
            raise InvalidInputError([ValidationError(
                N_("A payment cannot be dated before the aid was approved."), field="paid_on")])
        remaining = case.approved_fen - _paid(session, case.id)
        if fen > remaining:
            raise InvalidInputError([more_than_left(remaining)])
        payment = AidPayment(
            aid_case_id=case.id, amount_fen=fen, paid_on=data.paid_on or today.isoformat(),
            payee_name=data.payee_name.strip(), payee_relation=data.payee_relation,
            payee_id_number=(check_id_number(data.payee_id_number, today, "payee_id_number")
                             if data.payee_id_number.strip() else ""), method=data.method,
            bank_name=data.bank_name.strip() if data.method == "bank" else "",
            account_no=data.account_no.replace(" ", "") if data.method == "bank" else "",
            paid_by=payer.id, reverses_id=None, note=data.note.strip())
        session.add(payment)
        session.flush()
        log_activity(session, store, case.petition_id, payer.id, "aid_paid", yuan_text(fen))
        return payment.id


def reverse(store: Store, payment_id: str, reason: str, staff_id: str,
            today: date | None = None) -> str:
    """Undo a wrong payment with a reversing entry (the original stays); returns its id."""
    today = today or date.today()
    if not reason.strip():
        raise InvalidInputError([ValidationError(N_("Please give the reason."), field="reason")])
    # The ledger guards may refuse: store.write() gives the refusal its message.
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK, acting=staff_id)
        original = session.get(AidPayment, payment_id)
        if original is None or original.deleted:
            raise AppError(N_("This payment no longer exists."))
        refusal = reversal_refusal(original.amount_fen, session.scalar(
            select(AidPayment.id).where(AidPayment.reverses_id == original.id)) is not None)
        if refusal is not None:
            raise AppError(refusal)
        staff = _live_staff(session, staff_id)
        entry = AidPayment(
            aid_case_id=original.aid_case_id, amount_fen=-original.amount_fen,
            paid_on=today.isoformat(), payee_name=original.payee_name,
            payee_relation=original.payee_relation, payee_id_number=original.payee_id_number,
            method=original.method, bank_name=original.bank_name,
            account_no=original.account_no, paid_by=staff.id, reverses_id=original.id,
            note=reason.strip())
        session.add(entry)
        session.flush()
        case = _live_case(session, original.aid_case_id)
        log_activity(session, store, case.petition_id, staff.id, "aid_reversed",
                     yuan_text(original.amount_fen))
        return entry.id


def _paid(session: Session, aid_case_id: str) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(AidPayment.amount_fen), 0)).where(
        AidPayment.aid_case_id == aid_case_id, AidPayment.deleted.is_(False))) or 0)


# -- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class DecisionRow:
    decision: str
    amount_fen: int
    reason: str
    decided_by_zh: str
    decided_by_bo: str
    decided_at: str


@dataclass(frozen=True)
class PaymentRow:
    id: str
    amount_fen: int
    paid_on: str
    payee_name: str
    payee_relation: str
    payee_id_number: str
    method: str
    bank_name: str
    account_no: str
    paid_by_zh: str
    paid_by_bo: str
    reverses_id: str | None
    reversed: bool
    note: str


@dataclass(frozen=True)
class AidPersonRow:
    id: str
    name_zh: str
    name_bo: str
    id_number: str
    preferred_language: str


@dataclass(frozen=True)
class AidCaseDetail:
    id: str
    petition_id: str
    reg_no: str
    office_id: str
    eligibility: str
    facts: str
    proposed_fen: int
    reasons: str
    proposed_by_zh: str
    proposed_by_bo: str
    proposed_by_id: str
    proposed_on: str
    status: str
    approved_fen: int
    paid_fen: int
    persons: list[AidPersonRow]
    decisions: list[DecisionRow]
    payments: list[PaymentRow]

    @property
    def remaining_fen(self) -> int:
        return self.approved_fen - self.paid_fen

    @property
    def payment_state(self) -> str:
        """unpaid | partly | fully (for an approved or reduced case)."""
        if self.paid_fen <= 0:
            return "unpaid"
        return "fully" if self.paid_fen >= self.approved_fen else "partly"


def aid_case_detail(store: Store, aid_case_id: str) -> AidCaseDetail:
    from models import Petition

    with store.read() as session:
        case = _live_case(session, aid_case_id)
        petition = session.get(Petition, case.petition_id)
        assert petition is not None
        names = _staff_names(session)
        id_shown, _phone_shown = access.identifiers(session, store.ctx)
        persons = [AidPersonRow(p.id, p.name_zh, p.name_bo, id_shown(p.id_number),
                                p.preferred_language)
                   for p in session.scalars(
                       select(Person).join(AidPerson, AidPerson.person_id == Person.id)
                       .where(AidPerson.aid_case_id == case.id, AidPerson.deleted.is_(False))
                       .order_by(AidPerson.position))]
        decisions = sorted((DecisionRow(d.decision, d.amount_fen, d.reason,
                                        *names.get(d.decided_by, ("", "")),
                                        local_iso(d.decided_at, "minutes"))
                            for d in session.scalars(select(AidDecision).where(
                                AidDecision.aid_case_id == case.id,
                                AidDecision.deleted.is_(False))
                                .order_by(AidDecision.decided_at, AidDecision.id))),
                           key=lambda d: d.decided_at)
        rows = list(session.scalars(select(AidPayment).where(
            AidPayment.aid_case_id == case.id, AidPayment.deleted.is_(False))
            .order_by(AidPayment.id)))
        reversed_ids = {p.reverses_id for p in rows if p.reverses_id}
        payments = [PaymentRow(p.id, p.amount_fen, p.paid_on, p.payee_name, p.payee_relation,
                               p.payee_id_number, p.method, p.bank_name, p.account_no,
                               *names.get(p.paid_by, ("", "")), p.reverses_id,
                               p.id in reversed_ids, p.note) for p in rows]
        proposer = names.get(case.proposed_by, ("", ""))
        return AidCaseDetail(
            case.id, case.petition_id, petition.reg_no, case.office_id, case.eligibility,
            case.facts, case.proposed_fen, case.reasons, proposer[0], proposer[1],
            case.proposed_by, case.proposed_on, case.status, case.approved_fen,
            sum(p.amount_fen for p in payments), persons, decisions, payments)


def _staff_names(session: Session) -> dict[str, tuple[str, str]]:
    return {s.id: (s.name_zh, s.name_bo) for s in session.scalars(select(Staff))}


def aid_cases_of(store: Store, petition_id: str) -> list[str]:
    with store.read() as session:
        return list(session.scalars(select(AidCase.id).where(
            AidCase.petition_id == petition_id, AidCase.deleted.is_(False))
            .order_by(AidCase.proposed_on, AidCase.id)))


def is_open(status: str, remaining_fen: int) -> bool:
    """Whether a case is still under way: awaiting a leader's decision, or approved with money
    left to pay. A refused case, or one paid in full, is closed: only then may the petition's
    aid be proposed anew."""
    return status == "proposed" or (status in ("approved", "reduced") and remaining_fen > 0)


def open_case_of(store: Store, petition_id: str) -> str | None:
    """The petition's aid case still under way (the latest, should there be several), or None
    when a new proposal may be made."""
    with store.read() as session:
        paid = (select(AidPayment.aid_case_id, func.sum(AidPayment.amount_fen).label("fen"))
                .where(AidPayment.deleted.is_(False)).group_by(AidPayment.aid_case_id)
                .subquery())
        rows = session.execute(
            select(AidCase.id, AidCase.status, AidCase.approved_fen, paid.c.fen)
            .outerjoin(paid, paid.c.aid_case_id == AidCase.id)
            .where(AidCase.petition_id == petition_id, AidCase.deleted.is_(False))
            .order_by(AidCase.proposed_on.desc(), AidCase.created_at.desc(), AidCase.id)).all()
    return next((case_id for case_id, status, approved, fen in rows
                 if is_open(status, approved - int(fen or 0))), None)


def payment_case(store: Store, payment_id: str) -> str:
    """The aid case a payment belongs to (for printing its receipt from the command line)."""
    with store.read() as session:
        payment = session.get(AidPayment, payment_id.strip())
        if payment is None or payment.deleted:
            raise AppError(N_("No payment has the id {id}."), id=payment_id)
        return payment.aid_case_id


# -- figures -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AidFigures:
    """What the statistics need, for one office and period (both ends included)."""

    cases_proposed: int
    cases_approved: int  # approved or reduced, decided in the period
    cases_refused: int
    persons_aided: int  # distinct persons on cases with money paid in the period
    paid_fen: int  # net of reversals, by payment date
    paid_by_group: dict[str, int]
    persons_by_group: dict[str, int]


def figures(store: Store, office_id: str, start: date, end: date) -> AidFigures:
    first, last = start.isoformat(), end.isoformat()
    with store.read() as session:
        live = (AidCase.office_id == office_id, AidCase.deleted.is_(False))
        proposed = session.scalar(select(func.count()).select_from(AidCase).where(
            *live, AidCase.proposed_on.between(first, last))) or 0
        decided = dict(session.execute(
            select(AidDecision.decision, func.count()).join(
                AidCase, AidCase.id == AidDecision.aid_case_id)
            .where(*live, AidDecision.deleted.is_(False),
                   local_day_of(AidDecision.decided_at).between(first, last))
            .group_by(AidDecision.decision)).all())
        paid_rows = session.execute(
            select(AidCase.eligibility, func.sum(AidPayment.amount_fen)).join(
                AidCase, AidCase.id == AidPayment.aid_case_id)
            .where(*live, AidPayment.deleted.is_(False),
                   AidPayment.paid_on.between(first, last))
            .group_by(AidCase.eligibility)).all()
        paid_by_group = {group: int(total or 0) for group, total in paid_rows}
        paid_cases = (select(AidPayment.aid_case_id).join(
            AidCase, AidCase.id == AidPayment.aid_case_id)
            .where(*live, AidPayment.deleted.is_(False), AidPayment.paid_on.between(first, last))
            .group_by(AidPayment.aid_case_id)
            .having(func.sum(AidPayment.amount_fen) > 0))
        person_rows = session.execute(
            select(AidCase.eligibility, func.count(func.distinct(AidPerson.person_id)))
            .join(AidPerson, AidPerson.aid_case_id == AidCase.id)
            .where(AidCase.id.in_(paid_cases), AidPerson.deleted.is_(False))
            .group_by(AidCase.eligibility)).all()
        persons_by_group = {group: int(n) for group, n in person_rows}
        persons = session.scalar(
            select(func.count(func.distinct(AidPerson.person_id)))
            .where(AidPerson.aid_case_id.in_(paid_cases), AidPerson.deleted.is_(False))) or 0
    return AidFigures(int(proposed), int(decided.get("approved", 0) + decided.get("reduced", 0)),
                      int(decided.get("refused", 0)), int(persons),
                      sum(paid_by_group.values()), paid_by_group, persons_by_group)


@dataclass(frozen=True)
class Overpaid:
    """An aid case paid above its approval: only possible when two laptops each paid it while
    offline and their data was then merged. A person reverses one of the payments."""

    aid_case_id: str
    petition_id: str
    reg_no: str
    approved_fen: int
    paid_fen: int


def overpaid_cases(store: Store) -> list[Overpaid]:
    from models import Petition

    with store.read() as session:
        paid = (select(AidPayment.aid_case_id, func.sum(AidPayment.amount_fen).label("paid"))
                .where(AidPayment.deleted.is_(False)).group_by(AidPayment.aid_case_id)
                .subquery())
        return [Overpaid(case_id, petition_id, reg_no, approved, int(total))
                for case_id, petition_id, reg_no, approved, total in session.execute(
                    select(AidCase.id, AidCase.petition_id, Petition.reg_no,
                           AidCase.approved_fen, paid.c.paid)
                    .join(paid, paid.c.aid_case_id == AidCase.id)
                    .join(Petition, Petition.id == AidCase.petition_id)
                    .where(AidCase.deleted.is_(False), paid.c.paid > AidCase.approved_fen)
                    .order_by(Petition.reg_no))]
