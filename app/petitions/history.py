"""A petition's history in words: what each entry's detail says, in the reader's language.

The record keeps an entry's detail as the program wrote it (codes, ISO dates, fen:
``answer extend 2026-11-29 30``); a clerk reads "3-month result answer extended by 30 days from
29 November 2026". A detail the program cannot read (written by an older version) is shown as
it is, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.core.errors import ValidationError
from app.core.formatting import format_iso_date, format_money, format_number
from app.core.i18n import N_, _, pgettext, pick
from app.core.labels import (
    Deadline,
    DeadlineAction,
    HearingKind,
    ReplyKind,
    label,
)
from app.core.money import parse_amount
from app.persons.editing import PersonField
from app.petitions.editing import PetitionField
from app.petitions.outcomes import (
    ConciliationKind,
    EscalationKind,
    EscalationLevel,
    HelperRole,
    Resolution,
    Unanswerable,
)

# What an outcome record taken back was, by the kind ``outcomes.remove`` logs.
_RECORDS = {"conciliation": N_("Conciliation or mediation"), "lawsuit": N_("Support to sue"),
            "escalation": N_("Escalation"), "helper": N_("Outside helper"),
            "lead": N_("Lead passed to another body")}


def _day(value: str) -> str:
    return format_iso_date(value, "long")


def _yuan(value: str) -> str:
    """An amount logged as yuan with two decimals ("12000.50", ``money.yuan_text``)."""
    return format_money(parse_amount(value))


def _deadline(detail: str) -> str:
    deadline, action, day, *days = detail.split()
    what = label(Deadline, deadline)
    if action == DeadlineAction.EXTEND:
        return _("{deadline} extended by {days} days from {date}").format(
            deadline=what, days=format_number(int(days[0])), date=_day(day))
    if action == DeadlineAction.PAUSE:
        return _("{deadline} paused from {date}").format(deadline=what, date=_day(day))
    return _("{deadline} resumed from {date}").format(deadline=what, date=_day(day))


def _hearing(detail: str) -> str:
    kind, when = detail.split()
    held = datetime.fromisoformat(when)
    return f"{label(HearingKind, kind)}, {_day(when[:10])} {held:%H:%M}"


def _lawsuit(detail: str) -> str:
    workers, recovered = (int(part) for part in detail.split())
    if recovered:
        return _("{workers} workers, {amount} recovered").format(
            workers=format_number(workers), amount=format_money(recovered))
    return _("{workers} workers").format(workers=format_number(workers))


def _labelled(vocabulary: type, with_day: bool = True) -> Callable[[str], str]:
    def describe(detail: str) -> str:
        code, *rest = detail.split()
        text = label(vocabulary, code)
        return f"{text}, {_day(rest[0])}" if with_day and rest else text
    return describe


def _escalation(detail: str) -> str:
    kind, level, day = detail.split()
    return f"{label(EscalationKind, kind)}, {label(EscalationLevel, level)}, {_day(day)}"


def _helper(detail: str) -> str:
    role, _sep, name = detail.partition(" ")
    return f"{label(HelperRole, role)}: {name}" if name else label(HelperRole, role)


def _lead(detail: str) -> str:
    body, _sep, day = detail.rpartition(" ")
    return f"{body}, {_day(day)}"


def _outcome(detail: str) -> str:
    message = _RECORDS.get(detail)
    return _(message) if message else detail


def _fields(vocabulary: type, codes: str) -> str:
    # L10N: between the names of the fields a correction changed: 、 in Chinese
    separator = pgettext("list", ", ")
    return separator.join(label(vocabulary, code) for code in codes.split())


def _edited(detail: str) -> str:
    """The fields a correction changed, as codes: "summary received_at"."""
    return _fields(PetitionField, detail)


def _person_edited(detail: str) -> str:
    """The fields, then the person's Chinese and Tibetan names, tab-separated."""
    codes, zh, bo = detail.split("\t")
    return f"{pick(zh, bo, ' / ')}: {_fields(PersonField, codes)}"


def _transferred(detail: str) -> str:
    """From whom (Chinese, Tibetan name; empty when nobody had it) to whom, and why."""
    from_zh, from_bo, to_zh, to_bo, reason = detail.split("\t")
    moved = f"{pick(from_zh, from_bo, ' / ') or '—'} → {pick(to_zh, to_bo, ' / ')}"
    return f"{moved}: {reason}" if reason else moved


# By action: how its detail reads. Actions whose detail is already words (a registration
# number, a file name, a body's name, persons' names, the reason for a void) are shown as they
# are.
_DESCRIBE: dict[str, Callable[[str], str]] = {
    "replied": lambda detail: label(ReplyKind, detail),
    "deadline": _deadline,
    "hearing": _hearing,
    "hearing_planned": _hearing,
    "agreement_signed": _day,
    "aid_proposed": _yuan,
    "aid_approved": _yuan,
    "aid_reduced": _yuan,
    "aid_refused": lambda detail: "",
    "aid_paid": _yuan,
    "aid_reversed": _yuan,
    "visit_scheduled": _day,
    "visit_done": _day,
    "visit_cancelled": _day,
    "unanswerable": _labelled(Unanswerable, with_day=False),
    "resolved": _labelled(Resolution),
    "conciliation": _labelled(ConciliationKind),
    "lawsuit_support": _lawsuit,
    "escalation": _escalation,
    "helper": _helper,
    "lead_transfer": _lead,
    "outcome_removed": _outcome,
    "edited": _edited,
    "person_edited": _person_edited,
    "transferred": _transferred,
}


def describe(action: str, detail: str) -> str:
    """The detail of a history entry in words, in the current language."""
    found = _DESCRIBE.get(action)
    if found is None or not detail:
        return detail
    try:
        return found(detail)
    except (ValueError, IndexError, ValidationError):  # another version's: shown as it is
        return detail


__all__ = ["describe"]
