"""Settle-and-withdraw agreements (息诉罢访协议书): drafted from the office's templates, edited per
case, printed, signed and, when it comes to that, withdrawn.

The templates are plain UTF-8 files, one per script. The defaults ship in ``app/templates``; an
office edits its own copies in ``templates/`` in the data folder (written there on first use) and
those win. A template has four sections, ``[matter]``, ``[office]``, ``[petitioner]`` and
``[closing]``; one line is one paragraph; ``{name}`` fields are filled in from the case; lines
starting with ``#`` are notes for whoever edits the file. In the Tibetan template a field names
the case of the particle that follows it (``{office:ins}``, ``app.core.tibetan``): the particle
is spelled for the name filled in.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel import dates
from sqlalchemy import select

from app.core import access, i18n, tibetan
from app.core.access import Permission
from app.core.errors import AppError, InvalidInputError, ValidationError
from app.core.files import write_atomically
from app.core.i18n import N_
from app.core.paths import AppPaths, resource_dir
from app.core.records import live_petition, log_activity, staff_or_none
from app.core.store import Store
from app.hearings.record import place_text
from models import (
    Agreement,
    Hearing,
    HearingParticipant,
    Office,
    Person,
    Petition,
    Staff,
)

SCRIPTS = ("zh", "bo")
SECTIONS = ("matter", "office", "petitioner", "closing")
# The section's name in a template file, and the column prefix in the store.
COLUMNS = {"matter": "matter", "office": "office_terms", "petitioner": "petitioner_terms",
           "closing": "closing"}
SENTENCE_ENDS = "。．.；;། "
FIELDS = ("office", "petitioners", "reg_no", "received", "summary", "requests", "hearing_date",
          "place", "host")
MAX_SECTION = 4000
_SECTION_LINE = re.compile(r"^\[(\w+)\]\s*$")

# -- rules -------------------------------------------------------------------------------------
# The hearing outcomes an agreement is drafted from: the petitioner settled, or was conciliated.
DRAFTED_FROM = ("settled", "conciliated")
# What may be done with an agreement in each status: its text is edited until it is signed;
# it is printed, and withdrawn, until it is withdrawn; it is signed once.
EDIT, PRINT, SIGN, WITHDRAW = "edit", "print", "sign", "withdraw"
ACTIONS = {
    "drafted": frozenset({EDIT, PRINT, SIGN, WITHDRAW}),
    "printed": frozenset({EDIT, PRINT, SIGN, WITHDRAW}),
    "signed": frozenset({PRINT, WITHDRAW}),
    "withdrawn": frozenset[str](),
}
NOT_DRAFTED_FROM = N_("An agreement is drafted only from a hearing that ended settled or "
                      "conciliated; record that outcome first.")
NOT_EDITABLE = N_("A signed or withdrawn agreement cannot be changed.")
NOT_SIGNABLE = N_("Only a drafted or printed agreement can be marked as signed.")
ALREADY_WITHDRAWN = N_("This agreement has already been withdrawn.")


def may_draft_from(outcome: str) -> bool:
    """Whether an agreement may be drafted from a hearing with this outcome."""
    return outcome in DRAFTED_FROM


def allowed_actions(status: str) -> frozenset[str]:
    """What may be done with an agreement in this status (``EDIT``, ``PRINT``, ``SIGN``,
    ``WITHDRAW``)."""
    return ACTIONS.get(status, frozenset())


def shipped_template(script: str) -> Path:
    return resource_dir() / "app" / "templates" / f"agreement.{script}.txt"


def office_template(paths: AppPaths, script: str) -> Path:
    return paths.data_dir / "templates" / f"agreement.{script}.txt"


def ensure_office_templates(paths: AppPaths) -> Path:
    """Put copies of the shipped templates in the data folder for the office to edit (never
    overwriting its own, but writing its Tibetan copy in today's form if it was written in the
    old one, :func:`upgrade_template`); returns that folder."""
    for script in SCRIPTS:
        target = office_template(paths, script)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(target, shipped_template(script).read_bytes())
        elif script == "bo":
            try:
                text = target.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue  # printing names the file and why it cannot be read
            upgraded = upgrade_template(text)
            if upgraded != text:
                write_atomically(target, upgraded.encode("utf-8"))
    return office_template(paths, "zh").parent


def parse_template(text: str, source: str, script: str) -> dict[str, str]:
    """The sections of a template file in ``script``; a clear error naming the file when it is
    broken."""
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and current is None):
            continue
        heading = _SECTION_LINE.match(stripped)
        if heading:
            current = heading.group(1)
            if current not in SECTIONS:
                raise AppError(N_("The template {file} has an unknown section [{name}] on line "
                                  "{line}."), file=source, name=current, line=number)
            sections[current] = []
            continue
        if current is None:
            raise AppError(N_("The template {file} has text before its first section, on line "
                              "{line}."), file=source, line=number)
        if stripped:
            sections[current].append(stripped)
        for _literal, name, spec, _conv in string.Formatter().parse(stripped):
            if name is not None and name not in FIELDS:
                raise AppError(N_("The template {file} uses an unknown field {{{name}}} on line "
                                  "{line}."), file=source, name=name, line=number)
            if name is not None and spec and (script != "bo"
                                              or tibetan.Case.lookup(spec) is None):
                raise AppError(N_("The template {file} has {{{name}:{case}}} on line {line}: "
                                  "only the Tibetan template names a case after the colon, "
                                  "one of gen, ins, term and sep."),
                               file=source, name=name, case=spec, line=number)
    missing = [name for name in SECTIONS if name not in sections]
    if missing:
        raise AppError(N_("The template {file} lacks the section [{name}]."), file=source,
                       name=missing[0])
    return {name: "\n".join(lines) for name, lines in sections.items()}


# A Tibetan template written before fields named their particle's case glued a fixed particle
# to the field ({office}ཡིས་): each such spelling, and the case it stands for. A field glued to
# any other Tibetan word takes only the tsheg ({office}ལ་ → {office:sep}ལ་).
_OLD_PARTICLES = {"ཡིས་": "ins", "གིས་": "ins", "ཀྱིས་": "ins", "གྱིས་": "ins",
                  "ཡི་": "gen", "གི་": "gen", "ཀྱི་": "gen", "གྱི་": "gen",
                  "དུ་": "term", "ཏུ་": "term", "སུ་": "term"}
_NAMES = ("office", "petitioners", "host", "place")  # a date is written on to (…ཚེས་12ལ་)
_GLUED = re.compile(r"\{(" + "|".join(_NAMES) + r")\}("
                    + "|".join(sorted(_OLD_PARTICLES, key=len, reverse=True))
                    + r"|(?=[\u0f40-\u0fbc]))")


def upgrade_template(text: str) -> str:
    """A Tibetan template in the form written before fields named their particle's case, in
    today's form: ``{office}ཡིས་`` becomes ``{office:ins}་``, ``{office}ཡི་`` ``{office:gen}་``,
    ``{place}དུ་`` ``{place:term}་`` and a name glued to another word takes the tsheg
    (``{office}ལ་`` becomes ``{office:sep}ལ་``; a date stays glued: ``{received}ལ་``). Notes
    (``#`` lines) are left as they are, and so is a template already in today's form."""
    def upgrade(match: re.Match[str]) -> str:
        name, particle = match.group(1), match.group(2)
        if particle:
            return f"{{{name}:{_OLD_PARTICLES[particle]}}}་"
        return f"{{{name}:sep}}"
    return "".join(line if line.lstrip().startswith("#") else _GLUED.sub(upgrade, line)
                   for line in text.splitlines(keepends=True))


def load_template(paths: AppPaths, script: str) -> dict[str, str]:
    """The office's template for one script, else the shipped one (an office's Tibetan copy
    written in the old form read as :func:`upgrade_template` has it)."""
    own = office_template(paths, script)
    chosen = own if own.is_file() else shipped_template(script)
    try:
        text = chosen.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AppError(N_("The template {file} cannot be read: {reason}"), file=str(chosen),
                       reason=str(exc)) from exc
    if script == "bo":
        text = upgrade_template(text)
    return parse_template(text, str(chosen), script)


def _long_date(value: date, script: str) -> str:
    return dates.format_date(value, format="long", locale=i18n.BABEL_LOCALES[script])


@dataclass
class AgreementText:
    """The per-case text of an agreement, each section in both scripts (paragraphs on lines)."""

    matter_zh: str = ""
    matter_bo: str = ""
    office_zh: str = ""
    office_bo: str = ""
    petitioner_zh: str = ""
    petitioner_bo: str = ""
    closing_zh: str = ""
    closing_bo: str = ""
    agreed_on: str = ""
    place: str = ""

    def section(self, name: str, script: str) -> str:
        return str(getattr(self, f"{name}_{script}"))


@dataclass(frozen=True)
class AgreementParty:
    name_zh: str
    name_bo: str
    id_number: str
    address: str


@dataclass(frozen=True)
class AgreementDetail:
    id: str
    petition_id: str
    hearing_id: str
    reg_no: str
    office_zh: str
    office_bo: str
    status: str
    signed_on: str
    bilingual: bool
    text: AgreementText
    parties: list[AgreementParty]
    procurator_zh: str
    procurator_bo: str


def fill_section(section: str, values: Mapping[str, str], script: str) -> str:
    """A template section filled in; in Tibetan each name takes the particle its field's case
    asks for (``{office:ins}`` → ཞིབ་ཚགས་ཁང་གིས)."""
    return tibetan.fill(section, values) if script == "bo" else section.format_map(values)


def draft_agreement(store: Store, paths: AppPaths, hearing_id: str, staff_id: str = "") -> str:
    """Draft the agreement for a held hearing from the office's templates; returns its id."""
    templates = {script: load_template(paths, script) for script in SCRIPTS}
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        hearing = session.get(Hearing, hearing_id)
        if hearing is None or hearing.deleted:
            raise AppError(N_("This hearing no longer exists."))
        if not hearing.outcome:
            raise AppError(N_("Record how the hearing went before drafting its agreement."))
        if not may_draft_from(hearing.outcome):
            raise AppError(NOT_DRAFTED_FROM)
        existing = session.scalar(select(Agreement.id).where(
            Agreement.hearing_id == hearing_id, Agreement.deleted.is_(False),
            Agreement.status != "withdrawn"))
        if existing:
            raise AppError(N_("This hearing already has an agreement; edit that one."))
        petition = live_petition(session, hearing.petition_id)
        office = session.get(Office, petition.office_id)
        assert office is not None
        persons = _hearing_parties(session, hearing_id) or _petition_parties(session, petition.id)
        host = session.get(Staff, hearing.host_id) if hearing.host_id else None
        held = date.fromisoformat(hearing.held_at[:10])
        received = date.fromisoformat(petition.received_at[:10])
        place = place_text(hearing.township, hearing.village, hearing.herding_group,
                           hearing.place)
        text = AgreementText(agreed_on=held.isoformat(), place=place)
        for script in SCRIPTS:
            bo = script == "bo"
            values = {
                # A Tibetan name ends with a shad; inside a sentence it must not.
                "office": (office.name_bo.rstrip("།་") or office.name_zh) if bo
                else office.name_zh,
                "petitioners": ("  " if bo else "、").join(
                    ((p.name_bo or p.name_zh) if bo else (p.name_zh or p.name_bo))
                    for p in persons),
                "reg_no": petition.reg_no, "received": _long_date(received, script),
                # The template closes the sentence the summary is quoted in.
                "summary": petition.summary.strip().rstrip(SENTENCE_ENDS),
                "requests": petition.requests,
                "hearing_date": _long_date(held, script), "place": place,
                "host": ((host.name_bo or host.name_zh) if bo else host.name_zh) if host else "",
            }
            for name in SECTIONS:
                setattr(text, f"{name}_{script}",
                        fill_section(templates[script][name], values, script))
        agreement = Agreement(
            petition_id=petition.id, hearing_id=hearing.id, status="drafted",
            agreed_on=text.agreed_on, place=place,
            bilingual=any(p.preferred_language == "bo" for p in persons))
        _apply(agreement, text)
        session.add(agreement)
        session.flush()
        log_activity(session, store, petition.id, staff_or_none(session, staff_id), "agreement",
                     petition.reg_no)
        return agreement.id


def _apply(agreement: Agreement, text: AgreementText) -> None:
    for name in SECTIONS:
        for script in SCRIPTS:
            setattr(agreement, f"{COLUMNS[name]}_{script}", text.section(name, script).strip())
    agreement.agreed_on, agreement.place = text.agreed_on, text.place.strip()


def _hearing_parties(session: object, hearing_id: str) -> list[Person]:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    return list(session.scalars(
        select(Person).join(HearingParticipant, HearingParticipant.person_id == Person.id)
        .where(HearingParticipant.hearing_id == hearing_id,
               HearingParticipant.deleted.is_(False), HearingParticipant.kind == "party")
        .order_by(HearingParticipant.position)))


def _petition_parties(session: object, petition_id: str) -> list[Person]:
    from sqlalchemy.orm import Session

    from models import PetitionParty

    assert isinstance(session, Session)
    return list(session.scalars(
        select(Person).join(PetitionParty, PetitionParty.person_id == Person.id)
        .where(PetitionParty.petition_id == petition_id, PetitionParty.deleted.is_(False))))


def validate_text(text: AgreementText) -> list[ValidationError]:
    problems = []
    for name in SECTIONS:
        for script in SCRIPTS:
            value = text.section(name, script)
            if len(value) > MAX_SECTION:
                problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                                field=f"{name}_{script}", n=MAX_SECTION))
        if not text.section(name, "zh").strip():
            problems.append(ValidationError(N_("This part of the agreement cannot be empty."),
                                            field=f"{name}_zh"))
    try:
        date.fromisoformat(text.agreed_on)
    except ValueError:
        problems.append(ValidationError(N_("This date does not exist."), field="agreed_on"))
    if len(text.place) > 200:
        problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                        field="place", n=200))
    return problems


def save_text(store: Store, agreement_id: str, text: AgreementText, bilingual: bool) -> None:
    """Keep the edited text; a signed or withdrawn agreement cannot change."""
    problems = validate_text(text)
    if bilingual:
        problems += [ValidationError(N_("A bilingual agreement needs this part in Tibetan too."),
                                     field=f"{name}_bo")
                     for name in SECTIONS if not text.section(name, "bo").strip()]
    if problems:
        raise InvalidInputError(problems)
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        agreement = _live(session, agreement_id)
        if EDIT not in allowed_actions(agreement.status):
            raise AppError(NOT_EDITABLE)
        _apply(agreement, text)
        agreement.bilingual = bilingual


def mark_printed(store: Store, agreement_id: str) -> None:
    """A drafted agreement becomes printed when it is printed or saved as PDF."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        agreement = _live(session, agreement_id)
        if PRINT not in allowed_actions(agreement.status):
            raise AppError(N_("This agreement was withdrawn; it is not printed any more."))
        if agreement.status == "drafted":
            agreement.status = "printed"


def mark_signed(store: Store, agreement_id: str, signed_on: str, staff_id: str = "",
                today: date | None = None) -> None:
    today = today or date.today()
    try:
        day = date.fromisoformat(signed_on)
    except ValueError:
        raise InvalidInputError([ValidationError(N_("This date does not exist."),
                                                 field="signed_on")]) from None
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        agreement = _live(session, agreement_id)
        if agreement.status == "withdrawn":
            raise AppError(N_("A withdrawn agreement cannot be signed."))
        if SIGN not in allowed_actions(agreement.status):
            raise AppError(NOT_SIGNABLE)
        if day > today:
            raise InvalidInputError([ValidationError(N_("The date cannot be in the future."),
                                                     field="signed_on")])
        if day < date.fromisoformat(agreement.agreed_on):
            raise InvalidInputError([ValidationError(
                N_("An agreement cannot be signed before the hearing it comes from."),
                field="signed_on")])
        agreement.status, agreement.signed_on = "signed", day.isoformat()
        petition = session.get(Petition, agreement.petition_id)
        assert petition is not None
        from app.petitions.outcomes import settle_on_signing

        settle_on_signing(session, petition, day.isoformat())
        log_activity(session, store, petition.id, staff_or_none(session, staff_id),
                     "agreement_signed", day.isoformat())


def withdraw(store: Store, agreement_id: str, staff_id: str = "") -> None:
    """The agreement no longer holds (not signed after all, or superseded)."""
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        agreement = _live(session, agreement_id)
        if WITHDRAW not in allowed_actions(agreement.status):
            raise AppError(ALREADY_WITHDRAWN)
        agreement.status = "withdrawn"
        log_activity(session, store, agreement.petition_id, staff_or_none(session, staff_id),
                     "agreement_withdrawn", "")


def _live(session: object, agreement_id: str) -> Agreement:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    agreement = session.get(Agreement, agreement_id)
    if agreement is None or agreement.deleted:
        raise AppError(N_("This agreement no longer exists."))
    return agreement


def agreement_detail(store: Store, agreement_id: str) -> AgreementDetail:
    with store.read() as session:
        agreement = _live(session, agreement_id)
        petition = session.get(Petition, agreement.petition_id)
        assert petition is not None
        office = session.get(Office, petition.office_id)
        assert office is not None
        persons = (_hearing_parties(session, agreement.hearing_id)
                   or _petition_parties(session, petition.id))
        procurator = session.get(Staff, petition.handling_procurator_id) \
            if petition.handling_procurator_id else None
        text = AgreementText(agreed_on=agreement.agreed_on, place=agreement.place)
        for name in SECTIONS:
            for script in SCRIPTS:
                setattr(text, f"{name}_{script}",
                        getattr(agreement, f"{COLUMNS[name]}_{script}"))
        parties = [AgreementParty(p.name_zh, p.name_bo, p.id_number, "".join(
            part for part in (p.county, p.township, p.village, p.herding_group) if part))
            for p in persons]
        return AgreementDetail(
            agreement.id, petition.id, agreement.hearing_id, petition.reg_no, office.name_zh,
            office.name_bo, agreement.status, agreement.signed_on, agreement.bilingual, text,
            parties, procurator.name_zh if procurator else "",
            procurator.name_bo if procurator else "")


@dataclass(frozen=True)
class AgreementSummary:
    id: str
    hearing_id: str
    status: str
    agreed_on: str
    signed_on: str


def agreements_of(store: Store, petition_id: str) -> list[AgreementSummary]:
    with store.read() as session:
        return [AgreementSummary(a.id, a.hearing_id, a.status, a.agreed_on, a.signed_on)
                for a in session.scalars(select(Agreement).where(
                    Agreement.petition_id == petition_id, Agreement.deleted.is_(False))
                    .order_by(Agreement.agreed_on, Agreement.id))]
