"""Every figure the office sends up, counted from its own records in SQL, for a period and the
same period a year earlier.

A measure is a condition over some rows (petitions received in the period, hearings held in it,
payments made in it …) and what each row adds (one, its head count, its amount in fen). All the
measures over one kind of row are summed in one statement with conditional aggregation over
both periods at once. The same condition gives the petitions behind a figure
(:func:`petition_ids_behind`), so the registry shows exactly what was counted.

Counting rules, written down once:

- A petition belongs to the period it was *received* in, to its office's figures.
- 7-day reply and 3-month answer: counted on the day the figures are made (``as_of``), with the
  due dates the office's own day rule gave each petition (calendar or working days, pauses and
  extensions included). A petition is *due* once it was replied (on or before ``as_of``) or its
  due date has passed; replied on or before the due date is *on time*. Petitions that cannot be
  answered at all (anonymous, no or wrong contact) leave both denominators and are counted apart.
- 化解率 (resolution rate): petitions resolved (化解, settled-and-withdrawn included) by ``as_of``
  over the petitions taken into case handling, both received in the period.
- 包案率 (share taken in charge by a leader): of the petitions received in the period that the
  office's setting says a leader must take in charge (``Office.charge_scope``, one of
  ``app.ledger.charges.ChargeScope``; always among those taken into case handling:
  ``repeat_key``, Doorstep's default: repeat petitions and petitions of which a party is a red
  or yellow key petitioner of the office; ``accepted``: every petition taken into case
  handling; ``key``: only petitions of red or yellow key petitioners), those a leader took
  charge of by ``as_of``: a charge on the petition itself, or on the ledger entry of one of
  its parties (the person's matter), taken on or before ``as_of`` and not closed before the
  petition was received. Red and yellow are the ledger's levels as they stand when the figures
  are made (an entry that left the ledger is no longer key). Each office's petitions are
  counted by that office's own setting.
- 包案化解率 (charges resolved): of the charges taken in the period (on petitions and on
  key petitioners' matters alike), those closed as resolved (化解) by ``as_of``. Charges on a
  key petitioner's matter have no petition: the registry behind the figure lists the
  petitions of the others only.
- Judicial aid counts payments made in the period, net of reversals; a case (件) and its persons
  (人) count when the case's net payment in the period is above zero.
- Rates and changes are rounded half away from zero to two decimal places (``ROUND_HALF_UP``):
  32 petitions against 58 a year earlier is -44.83%. A change of a rate is in percentage points.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, not_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.core.i18n import N_
from app.core.progress import SILENT, Progress, check
from app.core.stamps import local_day_of
from app.core.store import Store
from app.statistics.periods import Period
from models import (
    Agreement,
    AidCase,
    AidDecision,
    AidPayment,
    AidPerson,
    Conciliation,
    Escalation,
    Handover,
    Hearing,
    KeyPetitioner,
    LawsuitSupport,
    LeaderCharge,
    LeadTransfer,
    Office,
    Person,
    Petition,
    PetitionParty,
    ResolutionHelper,
    ReturnVisit,
)

COUNT, FEN, RATE = "count", "fen", "rate"
P = Petition
HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


def percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator in percent, two places, half away from zero; None for 0/0."""
    if denominator == 0:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(
        TWO_PLACES, rounding=ROUND_HALF_UP)


def change_percent(current: int, base: int) -> Decimal | None:
    """同比: the change from ``base`` to ``current`` in percent; None when the base is 0."""
    if base == 0:
        return None
    return (Decimal(current - base) * HUNDRED / Decimal(base)).quantize(
        TWO_PLACES, rounding=ROUND_HALF_UP)


# -- the rows a measure counts ------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """A kind of row: where it comes from, the date that places it in a period, its petition."""

    name: str
    joins: Callable[[Any], Any]  # select -> select joined up to Petition
    day: Any  # ISO date (or date-time) column
    petition_id: Any
    where: tuple[ColumnElement[bool], ...] = ()
    # Which rows the scope takes, when not by their petition's office (rows that may have no
    # petition: a leader's charge of a key petitioner's matter).
    scoped: Callable[[Scope], ColumnElement[bool]] | None = None

    def in_scope(self, scope: Scope) -> ColumnElement[bool]:
        return self.scoped(scope) if self.scoped is not None else scope.condition()


def _join(*steps: tuple[Any, ColumnElement[bool]]) -> Callable[[Any], Any]:
    def apply(stmt: Any) -> Any:
        for target, on in steps:
            stmt = stmt.join(target, on)
        return stmt
    return apply


def _to_petition(column: Any) -> tuple[Any, ColumnElement[bool]]:
    return (P, P.id == column)


def _charges_in(scope: Scope) -> ColumnElement[bool]:
    """A leader's charges of the scope's offices, but none of a petition that was voided."""
    live = and_(LeaderCharge.deleted.is_(False), or_(
        LeaderCharge.petition_id.is_(None), and_(P.deleted.is_(False), P.voided_at == "")))
    if scope.office_ids is None:
        return live
    return and_(live, LeaderCharge.office_id.in_(scope.office_ids))


SOURCES: dict[str, Source] = {s.name: s for s in (
    Source("petition", lambda stmt: stmt, P.received_at, P.id),
    Source("hearing", _join(_to_petition(Hearing.petition_id)), Hearing.held_at,
           Hearing.petition_id, (Hearing.deleted.is_(False), Hearing.outcome != "")),
    Source("agreement", _join(_to_petition(Agreement.petition_id)), Agreement.signed_on,
           Agreement.petition_id, (Agreement.deleted.is_(False), Agreement.status == "signed")),
    Source("conciliation", _join(_to_petition(Conciliation.petition_id)),
           Conciliation.concluded_on, Conciliation.petition_id,
           (Conciliation.deleted.is_(False),)),
    Source("lawsuit", _join(_to_petition(LawsuitSupport.petition_id)),
           LawsuitSupport.concluded_on, LawsuitSupport.petition_id,
           (LawsuitSupport.deleted.is_(False),)),
    Source("escalation", _join(_to_petition(Escalation.petition_id)), Escalation.on_date,
           Escalation.petition_id, (Escalation.deleted.is_(False),)),
    Source("helper", _join(_to_petition(ResolutionHelper.petition_id)),
           ResolutionHelper.on_date, ResolutionHelper.petition_id,
           (ResolutionHelper.deleted.is_(False),)),
    Source("lead", _join(_to_petition(LeadTransfer.petition_id)), LeadTransfer.on_date,
           LeadTransfer.petition_id, (LeadTransfer.deleted.is_(False),)),
    Source("visit", _join(_to_petition(ReturnVisit.petition_id)), ReturnVisit.done_on,
           ReturnVisit.petition_id, (ReturnVisit.deleted.is_(False), ReturnVisit.done_on != "")),
    Source("handover", _join(_to_petition(Handover.petition_id)), Handover.handed_on,
           Handover.petition_id, (Handover.deleted.is_(False),)),
    Source("aid_case", _join(_to_petition(AidCase.petition_id)), AidCase.proposed_on,
           AidCase.petition_id, (AidCase.deleted.is_(False),)),
    Source("aid_decision", _join((AidCase, AidCase.id == AidDecision.aid_case_id),
                                 _to_petition(AidCase.petition_id)),
           local_day_of(AidDecision.decided_at), AidCase.petition_id,
           (AidDecision.deleted.is_(False), AidCase.deleted.is_(False))),
    Source("aid_payment", _join((AidCase, AidCase.id == AidPayment.aid_case_id),
                                _to_petition(AidCase.petition_id)),
           AidPayment.paid_on, AidCase.petition_id,
           (AidPayment.deleted.is_(False), AidCase.deleted.is_(False))),
    Source("charge", lambda stmt: stmt.outerjoin(P, P.id == LeaderCharge.petition_id),
           LeaderCharge.taken_on, LeaderCharge.petition_id, scoped=_charges_in),
)}
SOURCE_TABLES = {"petition": P, "hearing": Hearing, "agreement": Agreement,
                 "conciliation": Conciliation, "lawsuit": LawsuitSupport,
                 "escalation": Escalation, "helper": ResolutionHelper, "lead": LeadTransfer,
                 "visit": ReturnVisit, "handover": Handover, "aid_case": AidCase,
                 "aid_decision": AidDecision, "aid_payment": AidPayment,
                 "charge": LeaderCharge}


@dataclass(frozen=True)
class Context:
    as_of: str  # ISO date the figures are counted on


Condition = Callable[[Context], ColumnElement[bool]]


def _always(_ctx: Context) -> ColumnElement[bool]:
    return literal(True)


@dataclass(frozen=True)
class Measure:
    key: str
    label: str  # msgid
    source: str
    condition: Condition = _always
    value: Any = None  # column summed per row; None counts rows
    unit: str = COUNT
    # A measure counted per distinct thing (cases, persons): its own statement.
    distinct: Callable[[Session, Period, ColumnElement[bool], Context], int] | None = None
    distinct_petitions: Callable[[Period, ColumnElement[bool], Context], Any] | None = None
    # Counted as one measure less another (the same rows as ``condition`` selects, which the
    # drill-down still uses): saves a per-row subquery where the complement is known.
    difference: tuple[str, str] | None = None


def _eq(column: Any, value: object) -> Condition:
    return lambda _ctx: column == value


# -- petition conditions -------------------------------------------------------------------------
def _answerable() -> ColumnElement[bool]:
    return P.unanswerable == ""


def _done_by(column: Any, ctx: Context) -> ColumnElement[bool]:
    return and_(column.is_not(None), column <= ctx.as_of)


def _due(done: Any, due: Any) -> Condition:
    return lambda ctx: and_(_answerable(), or_(_done_by(done, ctx), due < ctx.as_of))


def _on_time(done: Any, due: Any) -> Condition:
    return lambda ctx: and_(_answerable(), _done_by(done, ctx), done <= due)


def _late(done: Any, due: Any) -> Condition:
    return lambda ctx: and_(_answerable(), _done_by(done, ctx), done > due)


def _overdue(done: Any, due: Any) -> Condition:
    return lambda ctx: and_(_answerable(), not_(_done_by(done, ctx)), due < ctx.as_of)


def _not_due(done: Any, due: Any) -> Condition:
    return lambda ctx: and_(_answerable(), not_(_done_by(done, ctx)), due >= ctx.as_of)


def _prefers_tibetan(_ctx: Context) -> ColumnElement[bool]:
    return exists(select(1).select_from(PetitionParty).join(
        Person, Person.id == PetitionParty.person_id).where(
        PetitionParty.petition_id == P.id, PetitionParty.deleted.is_(False),
        Person.preferred_language == "bo"))


def _resolved(ctx: Context) -> ColumnElement[bool]:
    return and_(P.resolution.in_(("resolved", "settled")), P.resolved_on != "",
                P.resolved_on <= ctx.as_of)


def _settled(ctx: Context) -> ColumnElement[bool]:
    return and_(P.resolution == "settled", P.resolved_on != "", P.resolved_on <= ctx.as_of)


# -- leaders in charge (领导包案) -----------------------------------------------------------------
def _key_party() -> ColumnElement[bool]:
    """A party of the petition is a red or yellow key petitioner of its office."""
    return exists(select(1).select_from(PetitionParty).join(
        KeyPetitioner, KeyPetitioner.person_id == PetitionParty.person_id).where(
        PetitionParty.petition_id == P.id, PetitionParty.deleted.is_(False),
        KeyPetitioner.deleted.is_(False), KeyPetitioner.office_id == P.office_id,
        KeyPetitioner.status != "left", KeyPetitioner.level.in_(("red", "yellow"))))


def _charge_due(_ctx: Context) -> ColumnElement[bool]:
    """The petition is one the office's setting says a leader must take in charge."""
    def setting(code: str) -> ColumnElement[bool]:
        return P.office_id.in_(select(Office.id).where(Office.charge_scope == code))

    key = _key_party()
    return and_(P.jurisdiction == "accept", or_(
        setting("accepted"), and_(setting("repeat_key"), or_(P.is_repeat.is_(True), key)),
        and_(setting("key"), key)))


def _taken_in_charge(ctx: Context) -> ColumnElement[bool]:
    """A leader took charge of the petition, or of a party's key-petitioner matter, by
    ``as_of``, and had not closed it before the petition was received."""
    entries = select(KeyPetitioner.id).join(
        PetitionParty, PetitionParty.person_id == KeyPetitioner.person_id).where(
        PetitionParty.petition_id == P.id, PetitionParty.deleted.is_(False),
        KeyPetitioner.deleted.is_(False), KeyPetitioner.office_id == P.office_id).correlate(P)
    return exists(select(1).select_from(LeaderCharge).where(
        LeaderCharge.deleted.is_(False), LeaderCharge.taken_on <= ctx.as_of,
        or_(LeaderCharge.closed_on == "",
            LeaderCharge.closed_on >= func.substr(P.received_at, 1, 10)),
        or_(LeaderCharge.petition_id == P.id, LeaderCharge.entry_id.in_(entries))))


def _charge_resolved(ctx: Context) -> ColumnElement[bool]:
    return and_(LeaderCharge.status == "closed", LeaderCharge.result == "resolved",
                LeaderCharge.closed_on <= ctx.as_of)


def _charge_overdue(ctx: Context) -> ColumnElement[bool]:
    return and_(LeaderCharge.status == "open", LeaderCharge.deadline < ctx.as_of)


# -- judicial aid counted per case and per person ------------------------------------------------
def _paid_cases(period: Period, scope: ColumnElement[bool]) -> Any:
    """Aid cases whose net payment in the period is above zero."""
    return (select(AidPayment.aid_case_id)
            .join(AidCase, AidCase.id == AidPayment.aid_case_id)
            .join(P, P.id == AidCase.petition_id)
            .where(scope, AidPayment.deleted.is_(False), AidCase.deleted.is_(False),
                   AidPayment.paid_on >= period.start.isoformat(),
                   AidPayment.paid_on < period.end_exclusive.isoformat())
            .group_by(AidPayment.aid_case_id)
            .having(func.sum(AidPayment.amount_fen) > 0)
            .correlate(None))


def _aid_cases(session: Session, period: Period, scope: ColumnElement[bool],
               _ctx: Context) -> int:
    return int(session.scalar(select(func.count()).select_from(
        _paid_cases(period, scope).subquery())) or 0)


def _aid_cases_petitions(period: Period, scope: ColumnElement[bool], _ctx: Context) -> Any:
    return select(AidCase.petition_id).where(AidCase.id.in_(_paid_cases(period, scope)))


def _aid_persons(group: str | None) -> Callable[[Session, Period, ColumnElement[bool], Context],
                                                int]:
    def count(session: Session, period: Period, scope: ColumnElement[bool],
              _ctx: Context) -> int:
        conds: list[ColumnElement[bool]] = [
            AidPerson.aid_case_id.in_(_paid_cases(period, scope)), AidPerson.deleted.is_(False)]
        stmt = select(func.count(func.distinct(AidPerson.person_id)))
        if group is not None:
            stmt = stmt.join(AidCase, AidCase.id == AidPerson.aid_case_id)
            conds.append(AidCase.eligibility == group)
        return int(session.scalar(stmt.where(*conds)) or 0)
    return count


def _aid_persons_petitions(group: str | None) -> Callable[[Period, ColumnElement[bool], Context],
                                                          Any]:
    def petitions(period: Period, scope: ColumnElement[bool], _ctx: Context) -> Any:
        conds: list[ColumnElement[bool]] = [AidCase.id.in_(_paid_cases(period, scope))]
        if group is not None:
            conds.append(AidCase.eligibility == group)
        return select(AidCase.petition_id).where(*conds)
    return petitions


# -- the measures --------------------------------------------------------------------------------
CHANNEL_LABELS = {
    "visit": N_("Visits"), "letter": N_("Letters"), "phone": N_("Phone calls"),
    "web": N_("Online"), "video": N_("Video"), "higher": N_("Handed down by a higher office"),
}
CATEGORY_LABELS = {
    "suggestion": N_("Suggestions and opinions"),
    "accusation": N_("Reports and accusations"),
    "appeal": N_("Appeals and requests"),
}
BUSINESS_LABELS = {
    "criminal_appeal": N_("Criminal appeal"), "civil_supervision": N_("Civil supervision"),
    "administrative": N_("Administrative supervision"), "judicial_aid": N_("Judicial aid"),
    "public_interest": N_("Public-interest lead"), "support_lawsuit": N_("Support for a lawsuit"),
    "state_compensation": N_("State compensation"), "other": N_("Other"),
}
HEARING_LABELS = {"public": N_("Public hearing"), "simplified": N_("Simplified hearing"),
                  "doorstep": N_("Doorstep hearing")}
AID_GROUP_LABELS = {
    "minor": N_("Minor"), "poor": N_("Poor household"),
    "disabled": N_("Person with a disability"), "student": N_("Student"),
    "victim_family": N_("Victim's family"), "other": N_("Other"),
}
VISIT_METHOD_LABELS = {"phone": N_("12309 phone call"), "on_site": N_("On site"),
                       "online": N_("Online"), "meeting": N_("Meeting at the office")}
SATISFACTION_LABELS = {"satisfied": N_("Satisfied"), "basically": N_("Basically satisfied"),
                       "dissatisfied": N_("Dissatisfied"), "unknown": N_("Could not say")}


def _measures() -> list[Measure]:
    m: list[Measure] = [
        Measure("received", N_("Petitions received (件)"), "petition"),
        Measure("received_persons", N_("Persons petitioning (人次; a group visit counts its "
                                       "head count)"), "petition", value=P.head_count),
    ]
    m += [Measure(f"channel_{code}", label, "petition", _eq(P.channel, code))
          for code, label in CHANNEL_LABELS.items()]
    m += [Measure(f"category_{code}", label, "petition", _eq(P.category, code))
          for code, label in CATEGORY_LABELS.items()]
    m += [Measure(f"business_{code}", label, "petition", _eq(P.business_type, code))
          for code, label in BUSINESS_LABELS.items()]
    m += [
        Measure("first_time", N_("First petitions"), "petition", _eq(P.is_repeat, False)),
        Measure("repeat", N_("Repeat petitions"), "petition", _eq(P.is_repeat, True)),
        Measure("group_visits", N_("Group visits"), "petition", _eq(P.is_group, True)),
        Measure("group_persons", N_("Persons in group visits"), "petition",
                _eq(P.is_group, True), value=P.head_count),
        Measure("prefers_tibetan", N_("Petitioner prefers Tibetan"), "petition",
                _prefers_tibetan),
        Measure("prefers_chinese", N_("Petitioner prefers Chinese"), "petition",
                lambda ctx: not_(_prefers_tibetan(ctx)),
                difference=("received", "prefers_tibetan")),
        Measure("accepted", N_("Taken into case handling"), "petition",
                _eq(P.jurisdiction, "accept")),
        Measure("referred", N_("Outside jurisdiction: pointed the way (误访)"), "petition",
                _eq(P.jurisdiction, "refer")),
        Measure("handed_down", N_("Handed down by a higher office (交办)"), "petition",
                _eq(P.channel, "higher")),
        Measure("handed_down_resolved", N_("Handed down and resolved"), "petition",
                lambda ctx: and_(P.channel == "higher", _resolved(ctx))),
        # Replies
        Measure("unanswerable", N_("Cannot be answered (anonymous, no or wrong contact): left "
                                   "out of the reply rates"), "petition",
                lambda _ctx: P.unanswerable != ""),
        Measure("reply_due", N_("Procedural reply due within 7 days"), "petition",
                _due(P.reply_done_on, P.reply_due)),
        Measure("reply_on_time", N_("Replied within 7 days"), "petition",
                _on_time(P.reply_done_on, P.reply_due)),
        Measure("reply_late", N_("Replied late"), "petition",
                _late(P.reply_done_on, P.reply_due)),
        Measure("reply_overdue", N_("Not replied, past the deadline"), "petition",
                _overdue(P.reply_done_on, P.reply_due)),
        Measure("reply_not_due", N_("Reply not yet due"), "petition",
                _not_due(P.reply_done_on, P.reply_due)),
        Measure("answer_due", N_("Answer due within 3 months"), "petition",
                _due(P.answer_done_on, P.answer_due)),
        Measure("answer_on_time", N_("Answered within 3 months"), "petition",
                _on_time(P.answer_done_on, P.answer_due)),
        Measure("answer_late", N_("Answered late"), "petition",
                _late(P.answer_done_on, P.answer_due)),
        Measure("answer_overdue", N_("Still open past 3 months"), "petition",
                _overdue(P.answer_done_on, P.answer_due)),
        Measure("answer_not_due", N_("Answer not yet due"), "petition",
                _not_due(P.answer_done_on, P.answer_due)),
        # Outcomes
        Measure("resolved", N_("Resolved (化解)"), "petition", _resolved),
        Measure("settled", N_("Settled and withdrawn (息诉罢访)"), "petition", _settled),
        Measure("agreements_signed", N_("Settle-and-withdraw agreements signed"), "agreement"),
        Measure("conciliations", N_("Procuratorial conciliations (检察和解)"), "conciliation",
                _eq(Conciliation.kind, "conciliation")),
        Measure("conciliations_confirmed", N_("of which confirmed by a court (司法确认)"),
                "conciliation", lambda _ctx: and_(Conciliation.kind == "conciliation",
                                                  Conciliation.court_confirmed.is_(True))),
        Measure("mediations", N_("Mediations (调解)"), "conciliation",
                _eq(Conciliation.kind, "mediation")),
        Measure("lawyer_helped", N_("Lawyers took part in resolving"), "helper",
                _eq(ResolutionHelper.role, "lawyer")),
        Measure("psychologist_helped", N_("Psychologists took part in resolving"), "helper",
                _eq(ResolutionHelper.role, "psychologist")),
        Measure("leads_transferred", N_("Leads passed to other bodies (移送线索)"), "lead"),
        Measure("escalated_upward", N_("Taken upwards (信访上行)"), "escalation",
                _eq(Escalation.kind, "upward")),
        Measure("escalated_abnormal", N_("Abnormal petitioning at the province or in Beijing"),
                "escalation", _eq(Escalation.kind, "abnormal")),
        Measure("escalated_beijing", N_("of which in Beijing"), "escalation",
                lambda _ctx: and_(Escalation.kind == "abnormal", Escalation.level == "beijing")),
        # Hearings
        # Leaders in charge
        Measure("charge_due", N_("Petitions a leader must take in charge (by the office's "
                                 "setting)"), "petition", _charge_due),
        Measure("charged", N_("of which taken in charge by a leader (包案)"), "petition",
                lambda ctx: and_(_charge_due(ctx), _taken_in_charge(ctx))),
        Measure("charges_taken", N_("Charges taken by leaders (包案件数)"), "charge"),
        Measure("charges_resolved", N_("of which closed as resolved"), "charge",
                _charge_resolved),
        Measure("charges_overdue", N_("of which still open past the deadline"), "charge",
                _charge_overdue),
        # Hearings
        Measure("hearings", N_("Hearings held"), "hearing"),
    ]
    m += [Measure(f"hearing_{code}", label, "hearing", _eq(Hearing.kind, code))
          for code, label in HEARING_LABELS.items()]
    m += [
        Measure("hearings_settled", N_("Hearings that ended settled and withdrawn"), "hearing",
                _eq(Hearing.outcome, "settled")),
        # Judicial aid
        Measure("aid_proposed", N_("Aid cases proposed"), "aid_case"),
        Measure("aid_approved", N_("Aid decisions: approved (in full or reduced)"),
                "aid_decision", lambda _ctx: AidDecision.decision.in_(("approved", "reduced"))),
        Measure("aid_refused", N_("Aid decisions: refused"), "aid_decision",
                _eq(AidDecision.decision, "refused")),
        Measure("aid_cases_paid", N_("Aid cases paid (件)"), "aid_payment",
                distinct=_aid_cases, distinct_petitions=_aid_cases_petitions),
        Measure("aid_persons", N_("Persons aided (人)"), "aid_payment",
                distinct=_aid_persons(None), distinct_petitions=_aid_persons_petitions(None)),
    ]
    m += [Measure(f"aid_persons_{code}", label, "aid_payment", distinct=_aid_persons(code),
                  distinct_petitions=_aid_persons_petitions(code))
          for code, label in AID_GROUP_LABELS.items()]
    m += [
        Measure("aid_paid", N_("Aid paid, net of reversals"), "aid_payment",
                value=AidPayment.amount_fen, unit=FEN),
        Measure("aid_visits", N_("Return visits to aided persons (回头看)"), "visit",
                lambda _ctx: ReturnVisit.aid_case_id.is_not(None)),
        Measure("handovers", N_("Handed over to social assistance"), "handover"),
        # Support to sue, wage recovery
        Measure("lawsuit_supported", N_("Lawsuits supported (支持起诉)"), "lawsuit"),
        Measure("wage_cases", N_("of which migrant workers' wages (农民工讨薪)"), "lawsuit",
                _eq(LawsuitSupport.is_wage_claim, True)),
        Measure("wage_workers", N_("Workers helped"), "lawsuit",
                _eq(LawsuitSupport.is_wage_claim, True), value=LawsuitSupport.workers),
        Measure("wage_recovered", N_("Wages recovered"), "lawsuit",
                _eq(LawsuitSupport.is_wage_claim, True), value=LawsuitSupport.recovered_fen,
                unit=FEN),
        Measure("wage_with_inspectorate", N_("Resolved with the labour inspectorate"),
                "lawsuit", lambda _ctx: and_(LawsuitSupport.is_wage_claim.is_(True),
                                             LawsuitSupport.with_labour_inspectorate.is_(True))),
        # Return visits
        Measure("visits", N_("Return visits made"), "visit"),
    ]
    m += [Measure(f"visit_{code}", label, "visit", _eq(ReturnVisit.method, code))
          for code, label in VISIT_METHOD_LABELS.items()]
    m += [Measure(f"satisfaction_{code}", label, "visit", _eq(ReturnVisit.satisfaction, code))
          for code, label in SATISFACTION_LABELS.items()]
    return m


MEASURES: dict[str, Measure] = {m.key: m for m in _measures()}


@dataclass(frozen=True)
class RateDef:
    key: str
    label: str
    numerator: str
    denominator: str


RATES: dict[str, RateDef] = {r.key: r for r in (
    RateDef("reply_rate", N_("7-day procedural reply rate"), "reply_on_time", "reply_due"),
    RateDef("answer_rate", N_("3-month answer rate"), "answer_on_time", "answer_due"),
    RateDef("resolution_rate", N_("Resolution rate (化解率): resolved of those taken into "
                                  "case handling"), "resolved", "accepted"),
    RateDef("handed_down_rate", N_("Handed-down matters resolved"), "handed_down_resolved",
            "handed_down"),
    RateDef("charge_rate", N_("Share taken in charge (包案率): taken in charge of those a "
                              "leader must take in charge"), "charged", "charge_due"),
    RateDef("charge_resolution_rate", N_("Charges resolved (包案化解率): closed as resolved of "
                                         "the charges taken"),
            "charges_resolved", "charges_taken"),
    RateDef("hearing_settled_rate", N_("Hearings ending settled"), "hearings_settled",
            "hearings"),
    RateDef("repeat_rate", N_("Share of repeat petitions"), "repeat", "received"),
)}


# -- the layout of the report ----------------------------------------------------------------------
@dataclass(frozen=True)
class RowDef:
    key: str  # a measure or a rate
    indent: int = 0


@dataclass(frozen=True)
class TableDef:
    key: str
    title: str
    rows: tuple[RowDef, ...]


def _rows(*keys: str | tuple[str, int]) -> tuple[RowDef, ...]:
    return tuple(RowDef(k) if isinstance(k, str) else RowDef(*k) for k in keys)


TABLES: tuple[TableDef, ...] = (
    TableDef("received", N_("Petitions received"), _rows(
        "received", "received_persons",
        *((f"channel_{c}", 1) for c in CHANNEL_LABELS),
        *((f"category_{c}", 1) for c in CATEGORY_LABELS),
        *((f"business_{c}", 1) for c in BUSINESS_LABELS),
        ("first_time", 1), ("repeat", 1), ("repeat_rate", 1), ("group_visits", 1),
        ("group_persons", 1), ("prefers_tibetan", 1), ("prefers_chinese", 1),
        "accepted", "referred", "handed_down", ("handed_down_resolved", 1),
        ("handed_down_rate", 1))),
    TableDef("replies", N_("Every petition answered on time"), _rows(
        "reply_due", ("reply_on_time", 1), ("reply_late", 1), ("reply_overdue", 1),
        "reply_rate", "reply_not_due",
        "answer_due", ("answer_on_time", 1), ("answer_late", 1), ("answer_overdue", 1),
        "answer_rate", "answer_not_due", "unanswerable")),
    TableDef("outcomes", N_("Resolution"), _rows(
        "accepted", "resolved", ("settled", 1), "resolution_rate", "agreements_signed",
        "conciliations", ("conciliations_confirmed", 1), "mediations", "lawyer_helped",
        "psychologist_helped", "leads_transferred", "escalated_upward", "escalated_abnormal",
        ("escalated_beijing", 1))),
    TableDef("charges", N_("Leaders in charge (领导包案)"), _rows(
        "charge_due", ("charged", 1), "charge_rate", "charges_taken", ("charges_resolved", 1),
        ("charges_overdue", 1), "charge_resolution_rate")),
    TableDef("hearings", N_("Hearings"), _rows(
        "hearings", *((f"hearing_{c}", 1) for c in HEARING_LABELS), "hearings_settled",
        "hearing_settled_rate")),
    TableDef("aid", N_("Judicial aid"), _rows(
        "aid_proposed", "aid_approved", "aid_refused", "aid_cases_paid", "aid_persons",
        *((f"aid_persons_{c}", 1) for c in AID_GROUP_LABELS), "aid_paid", "aid_visits",
        "handovers")),
    TableDef("wages", N_("Support to sue and wage recovery"), _rows(
        "lawsuit_supported", ("wage_cases", 1), "wage_workers", "wage_recovered",
        "wage_with_inspectorate")),
    TableDef("visits", N_("Return visits"), _rows(
        "visits", *((f"visit_{c}", 1) for c in VISIT_METHOD_LABELS),
        *((f"satisfaction_{c}", 1) for c in SATISFACTION_LABELS))),
)


# -- computing -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """Which offices: ``None`` is every office in the store (a prefecture that collects its
    counties' packages)."""

    office_ids: tuple[str, ...] | None = None

    def condition(self) -> ColumnElement[bool]:
        # A voided registration counts in no figure.
        live = and_(P.deleted.is_(False), P.voided_at == "")
        if self.office_ids is None:
            return live
        return and_(live, P.office_id.in_(self.office_ids))


@dataclass(frozen=True)
class Figures:
    period: Period
    previous: Period
    scope: Scope
    as_of: date
    current: dict[str, int]
    base: dict[str, int]  # the same period a year earlier
    monthly: dict[str, dict[str, int]] = field(default_factory=dict)  # key -> "YYYY-MM" -> n


def _in(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start.isoformat(), column < period.end_exclusive.isoformat())


def _spanning(column: Any, periods: Sequence[Period]) -> ColumnElement[bool]:
    return and_(column >= min(p.start for p in periods).isoformat(),
                column < max(p.end_exclusive for p in periods).isoformat())


def _disjoint(periods: Sequence[Period]) -> bool:
    spans = sorted((p.start, p.end) for p in periods)
    return all(a[1] < b[0] for a, b in pairwise(spans))


def _summed(session: Session, source: Source, measures: list[Measure],
            periods: Sequence[Period], scope: Scope, ctx: Context) -> list[list[int]]:
    """One statement: for each measure, its total in each period."""
    if _disjoint(periods):
        return _grouped(session, source, measures, periods, scope, ctx)
    columns = []
    for measure in measures:
        value = measure.value if measure.value is not None else literal(1)
        for period in periods:
            columns.append(func.coalesce(func.sum(case(
                (and_(_in(source.day, period), measure.condition(ctx)), value), else_=0)), 0))
    stmt = source.joins(select(*columns).select_from(SOURCE_TABLES[source.name]))
    stmt = stmt.where(source.in_scope(scope), *source.where, _spanning(source.day, periods))
    row = session.execute(stmt).one()
    width = len(periods)
    return [[int(row[i * width + j]) for j in range(width)] for i in range(len(measures))]


def _grouped(session: Session, source: Source, measures: list[Measure],
             periods: Sequence[Period], scope: Scope, ctx: Context) -> list[list[int]]:
    """As ``_summed``, for periods that do not overlap (a year and the year before): each row
    is placed in its period once, and each measure summed per period by GROUP BY."""
    which = case(*((_in(source.day, p), i) for i, p in enumerate(periods)), else_=-1)
    columns = [func.coalesce(func.sum(case(
        (m.condition(ctx), m.value if m.value is not None else literal(1)), else_=0)), 0)
        for m in measures]
    stmt = source.joins(select(which.label("period"), *columns)
                        .select_from(SOURCE_TABLES[source.name]))
    stmt = stmt.where(source.in_scope(scope), *source.where, _spanning(source.day, periods)) \
        .group_by(which)
    totals = [[0] * len(periods) for _m in measures]
    for row in session.execute(stmt).all():
        index = int(row[0])
        if index < 0:
            continue
        for i in range(len(measures)):
            totals[i][index] = int(row[i + 1])
    return totals


def compute(session: Session, period: Period, scope: Scope, as_of: date,
            keys: Sequence[str] | None = None) -> Figures:
    """Every measure (or those named) for the period and the same period a year earlier."""
    previous = period.year_earlier()
    periods = (period, previous)
    ctx = Context(as_of.isoformat())
    wanted = [MEASURES[k] for k in keys] if keys is not None else list(MEASURES.values())
    current: dict[str, int] = {}
    base: dict[str, int] = {}
    by_source: dict[str, list[Measure]] = {}
    derived = [m for m in wanted if m.difference is not None]
    needed = {k for m in derived for k in m.difference or ()}
    wanted = [m for m in wanted if m.difference is None]
    wanted += [MEASURES[k] for k in sorted(needed - {m.key for m in wanted})]
    for measure in wanted:
        if measure.distinct is not None:
            current[measure.key] = measure.distinct(session, period, scope.condition(), ctx)
            base[measure.key] = measure.distinct(session, previous, scope.condition(), ctx)
        else:
            by_source.setdefault(measure.source, []).append(measure)
    for name, measures in by_source.items():
        for measure, (now, before) in zip(
                measures, _summed(session, SOURCES[name], measures, periods, scope, ctx),
                strict=True):
            current[measure.key], base[measure.key] = now, before
    for measure in derived:
        minuend, subtrahend = measure.difference or ("", "")
        current[measure.key] = current[minuend] - current[subtrahend]
        base[measure.key] = base[minuend] - base[subtrahend]
    return Figures(period, previous, scope, as_of, current, base)


def monthly(session: Session, period: Period, scope: Scope, key: str) -> dict[str, int]:
    """A measure per calendar month ("YYYY-MM") of the period (for the charts)."""
    measure = MEASURES[key]
    source = SOURCES[measure.source]
    ctx = Context(date.max.isoformat())
    value = measure.value if measure.value is not None else literal(1)
    month = func.substr(source.day, 1, 7)
    stmt = source.joins(select(month, func.coalesce(func.sum(value), 0))
                        .select_from(SOURCE_TABLES[source.name]))
    stmt = stmt.where(source.in_scope(scope), *source.where, _in(source.day, period),
                      measure.condition(ctx)).group_by(month)
    return {str(m): int(n) for m, n in session.execute(stmt).all()}


def statistics(store: Store, period: Period, scope: Scope | None = None,
               as_of: date | None = None, progress: Progress = SILENT) -> Figures:
    """All the figures of the report, with the monthly series its charts show. ``progress``
    may cancel between two steps (``CancelledError``): on 100,000 petitions a year takes
    under a second, most of it in one query."""
    scope = scope or Scope()
    as_of = as_of or date.today()
    with store.read() as session:
        figures = compute(session, period, scope, as_of)
        for key in ("received", "aid_paid"):
            check(progress)
            figures.monthly[key] = monthly(session, period, scope, key)
            figures.monthly[f"{key}@base"] = monthly(session, period.year_earlier(), scope, key)
    check(progress)
    return figures


def petition_ids_behind(key: str, period: Period, scope: Scope, as_of: date) -> Any:
    """SELECT of the ids of the petitions behind a measure (or a rate's numerator)."""
    if key in RATES:
        key = RATES[key].numerator
    measure = MEASURES[key]
    ctx = Context(as_of.isoformat())
    if measure.distinct_petitions is not None:
        return measure.distinct_petitions(period, scope.condition(), ctx).correlate(None)
    source = SOURCES[measure.source]
    stmt = source.joins(select(source.petition_id).select_from(SOURCE_TABLES[source.name]))
    # Never correlated: the registry selects from petition too, and this is a query of its own.
    return stmt.where(source.in_scope(scope), *source.where, _in(source.day, period),
                      measure.condition(ctx), source.petition_id.is_not(None)) \
        .distinct().correlate(None)


def office_scope(store: Store, division_code: str | None) -> Scope:
    """The office with this division code (its county code, e.g. 632624), or every office."""
    if not division_code:
        return Scope()
    from app.core.errors import AppError

    with store.read() as session:
        found = session.scalars(select(Office.id).where(
            Office.division_code == division_code.strip(), Office.deleted.is_(False))).all()
    if not found:
        raise AppError(N_("No office with the code {code} is recorded in this data folder."),
                       code=division_code)
    return Scope(tuple(found))
