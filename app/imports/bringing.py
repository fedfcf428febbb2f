"""Previewing and importing a staged register (``app.imports.sheets``) as petitions or as
entries of the key-petitioner ledger.

Each row is read as intake and the ledger read what a clerk types (``app.petitions.intake``,
``app.persons.records``, ``app.ledger.entries``): a row they would refuse is refused here with
the same reason and its row number in the sheet. A row that repeats an earlier row of the sheet
is refused as its duplicate; a row already in the store (the same person already in the
office's ledger, the same petition already registered) is counted and skipped, so importing
the same file again adds nothing. A person already in the store is matched (by ID number, else
by name and phone, as intake finds the same person again) and only their blanks are filled.

Every good row is imported in one transaction, as ordinary synced records, and the import is
one entry (``imported``) in the record of what was done.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.audit.trail import Action, record_in
from app.core import access, duties
from app.core.access import Permission
from app.core.errors import FUTURE_DAY, AppError, ValidationError
from app.core.i18n import N_, _
from app.core.labels import StaffRole
from app.core.progress import SILENT, CancelledError, Progress
from app.core.records import log_activity
from app.core.stamps import utc_stamp
from app.core.store import Store
from app.imports.fields import (
    Kind,
    parse_business_type,
    parse_category,
    parse_channel,
    parse_level,
    parse_moment,
    parse_sex,
    split_address,
)
from app.imports.sheets import StagedSheet, staged_rows
from app.ledger import entries
from app.ledger.entries import Status
from app.ledger.keeping import require_kept
from app.ledger.rules import NO_SUCH_OFFICE
from app.persons.records import (
    PersonInput,
    apply_person,
    check_id_number,
    normalise_name,
    normalise_phone,
    validate_person,
)
from app.petitions import intake, numbering
from app.petitions.intake import PetitionInput
from models import KeyPetitioner, LevelChange, Office, Person, Petition, PetitionParty, Staff

log = logging.getLogger(__name__)

PREVIEW_ROWS = 20
MAX_REG_NO = 40
_PROGRESS_EVERY = 50

DUPLICATE = N_("This row repeats row {row} of the sheet.")
NOT_A_DATE = N_("{value} is not a date (write it as 2023年5月6日, 2023.5.6 or 2023-05-06).")
BAD_LEVEL = N_("The risk level {value} is not red, yellow or green (红、黄、绿).")
BAD_CHANNEL = N_("{value} is not a way a petition comes in (来信、来访、电话、网上、视频、"
                 "上级交办).")
REG_NO_TOO_LONG = N_("The registration number is too long (at most {n} characters).")
UNKNOWN_STAFF = N_("{name} is not on this office's staff as {duty}: left blank.")
IMPORTING = N_("Importing the rows")
READING = N_("Reading the rows")
BROUGHT_IN = N_("Brought in from {file}, row {row}")
NOT_MAPPED = N_("Please choose a column for every field that is needed.")
NO_DATE = N_("The date received is blank.")
_DUTY_WORDS = {"leader": N_("leader in charge"), "handling": N_("handling procurator"),
               "responsible": N_("staff member responsible")}
# What the record of what was done says was imported.
WHAT: dict[str, str] = {Kind.PETITIONS: "petition_register", Kind.LEDGER: "key_petitioner_ledger"}


@dataclass(frozen=True)
class Options:
    """How to read the staged sheet: as which kind of register, for which office, which
    column is which field (``{field code: column position}``), and what a petition is when
    the sheet does not say (its channel, category and business type)."""

    kind: str
    office_id: str
    mapping: dict[str, int]
    channel: str = "visit"
    category: str = "appeal"
    business_type: str = "other"


@dataclass(frozen=True)
class Note:
    """A message for a person (``N_``), with its ``{fields}``; translated when shown."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        translated = _(self.message)
        params = {k: _(v) if k == "duty" else v for k, v in self.params.items()}
        return translated.format(**params) if params else translated


@dataclass(frozen=True)
class Refusal:
    """A row that will not be imported: its row number in the sheet and why."""

    row: int
    reason: Note

    def text(self) -> str:
        return self.reason.text()


@dataclass(frozen=True)
class PreviewRow:
    """A row as it will be imported: ``values`` by field code, as stored."""

    row: int
    values: dict[str, str]
    known_person: bool  # matched to a person already in the store
    notes: list[Note]


@dataclass(frozen=True)
class Preview:
    rows: list[PreviewRow]  # the first rows that will be imported
    refused: list[Refusal]  # every row that will be refused
    to_import: int
    already: int  # rows already in the store, skipped


@dataclass(frozen=True)
class ImportResult:
    imported: int
    already: int
    refused: list[Refusal]


@dataclass
class _Row:
    """One good row, read."""

    row: int
    person: PersonInput
    values: dict[str, str]
    staff: dict[str, str | None]  # leader, handling, responsible -> staff id
    notes: list[Note]
    petition: PetitionInput | None = None
    answered_on: str = ""
    reg_no: str = ""
    level: str = ""
    entered_on: str = ""


class _RefusedError(Exception):
    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.note = Note(message, params)


def _first(problems: list[ValidationError]) -> None:
    if problems:
        raise _RefusedError(problems[0].message, **problems[0].params)


def _moment(text: str) -> datetime | None:
    if not text:
        return None
    moment = parse_moment(text)
    if moment is None:
        raise _RefusedError(NOT_A_DATE, value=text)
    return moment


def _tibetan(text: str) -> bool:
    return any("\u0f00" <= ch <= "\u0fff" for ch in text)


class _Reader:
    """Reads the rows of one sheet against the store, in one session."""

    def __init__(self, session: Session, options: Options, file: str, today: date,
                 now: datetime) -> None:
        self.session, self.options, self.file = session, options, file
        self.today, self.now = today, now
        self.seen: dict[str, int] = {}
        office_id = options.office_id
        self.staff = {
            "leader": self._names(duties.eligible_in(session, office_id, duties.LEAD)),
            "handling": self._names(duties.eligible_in(session, office_id, duties.HANDLE)),
            "responsible": self._names([s for s in session.scalars(select(Staff).where(
                Staff.office_id == office_id, Staff.deleted.is_(False),
                Staff.active.is_(True), Staff.role != StaffRole.ADMIN))]),
        }

    @staticmethod
    def _names(staff: list[Staff]) -> dict[str, str]:
        names: dict[str, str] = {}
        for s in staff:
            for name in (s.name_zh, s.name_bo):
                if name:
                    names.setdefault(normalise_name(name), s.id)
        return names

    def read(self, row: int, cells: list[str]) -> _Row:
        values = {code: cells[position].strip() for code, position in
                  self.options.mapping.items() if 0 <= position < len(cells)}
        person = self._person(values)
        notes: list[Note] = []
        staff: dict[str, str | None] = {}
        for duty in ("leader", "handling", "responsible"):
            name = normalise_name(values.get(duty, ""))
            staff[duty] = self.staff[duty].get(name) if name else None
            if name and staff[duty] is None:
                notes.append(Note(UNKNOWN_STAFF, {"name": name, "duty": _DUTY_WORDS[duty]}))
        read = _Row(row, person, values, staff, notes)
        if self.options.kind == Kind.LEDGER:
            self._ledger(read)
        else:
            self._petition(read)
        key = self._key(read)
        if key in self.seen:
            raise _RefusedError(DUPLICATE, row=self.seen[key])
        self.seen[key] = row
        return read

    def _person(self, values: dict[str, str]) -> PersonInput:
        name_zh, name_bo = values.get("name_zh", ""), values.get("name_bo", "")
        if _tibetan(name_zh) and not name_bo:  # a Tibetan name in the one name column
            name_zh, name_bo = "", name_zh
        county = township = village = group = ""
        if values.get("address"):
            county, township, village, group = split_address(values["address"])
            if not (county or township or village):
                village, group = group, ""
        number = values.get("id_number", "")
        if number:
            try:
                number = check_id_number(number, self.today, "id_number")
            except ValidationError as problem:
                raise _RefusedError(problem.message, **problem.params) from None
        person = PersonInput(name_bo=name_bo, name_zh=name_zh,
                             sex=parse_sex(values.get("sex", "")), id_number=number,
                             phone=normalise_phone(values.get("phone", "")), county=county,
                             township=township, village=village, herding_group=group,
                             preferred_language="bo" if name_bo and not name_zh else "zh")
        _first(validate_person(person, "person", self.today))
        return person

    def _ledger(self, read: _Row) -> None:
        values = read.values
        entered = _moment(values.get("entered_on", ""))
        day = entered.date() if entered else self.today
        if day > self.today:
            raise _RefusedError(FUTURE_DAY)
        read.entered_on = day.isoformat()
        reason = values.get("reason", "") or values.get("demands", "")
        if not reason:
            raise _RefusedError(entries.REASON_NEEDED)
        values["reason"] = reason
        level = parse_level(values.get("level", ""))
        if level is None:
            raise _RefusedError(BAD_LEVEL, value=values["level"])
        read.level = level

    def _petition(self, read: _Row) -> None:
        values = read.values
        received = _moment(values.get("received_at", ""))
        if received is None:
            raise _RefusedError(NO_DATE)
        channel = parse_channel(values.get("channel", ""))
        if channel is None:
            raise _RefusedError(BAD_CHANNEL, value=values["channel"])
        reg_no = values.get("reg_no", "")
        if len(reg_no) > MAX_REG_NO:
            raise _RefusedError(REG_NO_TOO_LONG, n=MAX_REG_NO)
        answered = _moment(values.get("answered_on", ""))
        data = PetitionInput(
            channel=channel or self.options.channel,
            received_at=received.isoformat(timespec="minutes"),
            persons=[read.person],
            category=parse_category(values.get("category", "")) or self.options.category,
            business_type=parse_business_type(values.get("business_type", ""))
            or self.options.business_type,
            summary=values.get("summary", ""), requests=values.get("requests", ""),
            original_case_no=values.get("original_case_no", ""), jurisdiction="accept",
            handling_procurator_id=read.staff["handling"] or "",
            leader_id=read.staff["leader"] or "")
        _first(intake.validate(data, self.now))
        if answered is not None and answered < received.replace(
                hour=0, minute=0):
            raise _RefusedError(N_("The reply cannot be earlier than the petition."))
        if answered is not None and answered.date() > self.today:
            raise _RefusedError(FUTURE_DAY)
        read.petition, read.reg_no = data, reg_no
        read.answered_on = answered.date().isoformat() if answered else ""

    def _key(self, read: _Row) -> str:
        p = read.person
        if p.id_number:
            who = f"id:{p.id_number}"
        elif p.phone:
            who = f"phone:{normalise_name(p.name_zh)}|{normalise_name(p.name_bo)}|{p.phone}"
        else:
            who = (f"name:{normalise_name(p.name_zh)}|{normalise_name(p.name_bo)}|{p.county}|"
                   f"{p.township}|{p.village}|{p.herding_group}")
        if self.options.kind == Kind.LEDGER:
            return who
        if read.reg_no:
            return f"reg:{read.reg_no}"
        assert read.petition is not None
        return f"{who}|{read.petition.received_at[:10]}|{read.petition.summary.strip()}"

    # -- the store ---------------------------------------------------------------------------
    def match(self, person: PersonInput) -> Person | None:
        """The person already in the store: the same ID number, else the same name (in either
        script) and phone, when only one person has them."""
        live = Person.deleted.is_(False)
        if person.id_number:
            found = self.session.scalar(select(Person).where(
                live, Person.id_number == person.id_number).limit(1))
            if found is not None:
                return found
        names = [c == normalise_name(v) for c, v in ((Person.name_zh, person.name_zh),
                                                     (Person.name_bo, person.name_bo)) if v]
        if names and person.phone:
            found_all = list(self.session.scalars(select(Person).where(
                live, Person.phone == person.phone, or_(*names)).limit(2)))
            if len(found_all) == 1 and not (person.id_number and found_all[0].id_number):
                return found_all[0]
        return None

    def already(self, read: _Row, known: Person | None) -> bool:
        session, office_id = self.session, self.options.office_id
        if self.options.kind == Kind.LEDGER:
            return known is not None and session.scalar(select(KeyPetitioner.id).where(
                KeyPetitioner.person_id == known.id, KeyPetitioner.office_id == office_id,
                KeyPetitioner.deleted.is_(False), KeyPetitioner.status != Status.LEFT)
                .limit(1)) is not None
        assert read.petition is not None
        if read.reg_no:
            return session.scalar(select(Petition.id).where(
                Petition.office_id == office_id, Petition.reg_no == read.reg_no,
                Petition.deleted.is_(False)).limit(1)) is not None
        return known is not None and session.scalar(
            select(Petition.id).join(PetitionParty, PetitionParty.petition_id == Petition.id)
            .where(PetitionParty.person_id == known.id, PetitionParty.deleted.is_(False),
                   Petition.office_id == office_id, Petition.deleted.is_(False),
                   Petition.received_at.startswith(read.petition.received_at[:10]),
                   Petition.summary == read.petition.summary.strip()).limit(1)) is not None

    def save(self, store: Store, read: _Row, known: Person | None) -> None:
        """Add the row's records (in the caller's transaction)."""
        person = self._person_row(read.person, known)
        if self.options.kind == Kind.LEDGER:
            self._save_entry(store, read, person)
        else:
            self._save_petition(store, read, person, known is not None)

    def _person_row(self, data: PersonInput, known: Person | None) -> Person:
        if known is None:
            return apply_person(self.session, data, self.today)[0]
        # What the store knows is newer than a hand-kept register: only its blanks are filled.
        for key in ("name_bo", "name_zh", "sex", "id_number", "phone", "county", "township",
                    "village", "herding_group"):
            value = getattr(data, key)
            if value and not getattr(known, key):
                setattr(known, key, value)
        return known

    def _save_entry(self, store: Store, read: _Row, person: Person) -> None:
        values = read.values
        entry = KeyPetitioner(
            person_id=person.id, office_id=self.options.office_id, reason=values["reason"],
            entered_on=read.entered_on, status=Status.IN_LEDGER,
            situation=values.get("situation", ""), demands=values.get("demands", ""),
            responsible_staff_id=read.staff["responsible"], leader_id=read.staff["leader"],
            level="", level_confirmed_on="")
        self.session.add(entry)
        self.session.flush()
        if read.level:
            self.session.add(LevelChange(
                entry_id=entry.id, from_level="", to_level=read.level, proposed_level="",
                fired="[]", reason=_(BROUGHT_IN).format(file=self.file, row=read.row),
                staff_id=store.ctx.staff_id, at=utc_stamp(self.now)))
            entry.level, entry.level_confirmed_on = read.level, self.today.isoformat()

    def _save_petition(self, store: Store, read: _Row, person: Person, known: bool) -> None:
        data = read.petition
        assert data is not None and store.device_id is not None
        received = intake.parse_received(data.received_at)
        assert received is not None
        office = self.session.get(Office, self.options.office_id)
        assert office is not None
        repeat = known and self.session.scalar(
            select(PetitionParty.id).join(Petition, Petition.id == PetitionParty.petition_id)
            .where(PetitionParty.person_id == person.id, PetitionParty.deleted.is_(False),
                   Petition.deleted.is_(False), Petition.voided_at == "").limit(1)) is not None
        if read.reg_no:  # the register's own number, kept as it was written
            seq, reg_no = None, read.reg_no
        else:
            seq, reg_no = numbering.issue_number(self.session, office, received.year,
                                                 store.device_id)
        petition = Petition(
            office_id=office.id, reg_year=received.year, reg_seq=seq, reg_no=reg_no,
            channel=data.channel, higher_office="", higher_ref="",
            received_at=received.isoformat(timespec="minutes"), category=data.category,
            business_type=data.business_type, summary=data.summary.strip(),
            requests=data.requests.strip(), original_case_no=data.original_case_no.strip(),
            is_group=False, head_count=1, is_sensitive=False, is_repeat=repeat,
            jurisdiction="accept", handling_procurator_id=data.handling_procurator_id or None,
            leader_id=data.leader_id or None, registered_by=store.ctx.staff_id,
            reply_due="", answer_due="",
            reply_done_on=read.answered_on or None, answer_done_on=read.answered_on or None)
        self.session.add(petition)
        self.session.flush()
        intake.set_due_dates(self.session, petition)
        self.session.add(PetitionParty(petition_id=petition.id, person_id=person.id,
                                       role="petitioner", position=0))
        log_activity(self.session, store, petition.id, store.ctx.staff_id, "registered",
                     reg_no)
        self.session.flush()


def _permission(kind: str) -> Permission:
    return Permission.SEE_KEY_PETITIONERS if kind == Kind.LEDGER else Permission.DAILY_WORK


def _check(session: Session, store: Store, options: Options) -> None:
    access.require(session, store.ctx, _permission(options.kind))
    if session.get(Office, options.office_id) is None:
        raise AppError(NO_SUCH_OFFICE)
    if options.kind == Kind.LEDGER:  # a hub brings in no county's ledger: the county keeps it
        require_kept(session, store, options.office_id)
    from app.imports.fields import fields_of

    for f in fields_of(options.kind):
        if f.required and f.code not in options.mapping \
                and not (f.code == "name_zh" and "name_bo" in options.mapping):
            raise ValidationError(NOT_MAPPED, field=f.code)


def _walk(reader: _Reader, staged: StagedSheet, progress: Progress
          ) -> Iterator[tuple[int, _Row | None, Note | None]]:
    for done, (row, cells) in enumerate(staged_rows(staged), start=1):
        if done % _PROGRESS_EVERY == 0:
            progress(done, staged.rows)
            if progress.is_cancelled():
                raise CancelledError()
        try:
            yield row, reader.read(row, cells), None
        except _RefusedError as refused:
            yield row, None, refused.note


def preview(store: Store, staged: StagedSheet, options: Options, limit: int = PREVIEW_ROWS,
            today: date | None = None, now: datetime | None = None,
            progress: Progress = SILENT) -> Preview:
    """The first ``limit`` rows as they will be imported, every row that will be refused and
    why, and how many will be imported and how many are in the store already."""
    now = now or datetime.now()
    today = today or now.date()
    rows: list[PreviewRow] = []
    refused: list[Refusal] = []
    to_import = already = 0
    progress.stage(READING)
    with store.read() as session:
        _check(session, store, options)
        reader = _Reader(session, options, staged.file, today, now)
        new_people: set[str] = set()
        for row, read, note in _walk(reader, staged, progress):
            if read is None:
                assert note is not None
                refused.append(Refusal(row, note))
                continue
            known = reader.match(read.person)
            if reader.already(read, known):
                already += 1
                continue
            to_import += 1
            if len(rows) < limit:
                shown = dict(read.values)
                shown.update({"id_number": read.person.id_number, "phone": read.person.phone,
                              "level": read.level, "entered_on": read.entered_on})
                if read.petition is not None:
                    shown.update({"received_at": read.petition.received_at,
                                  "channel": read.petition.channel,
                                  "category": read.petition.category,
                                  "business_type": read.petition.business_type})
                key = read.person.id_number or f"{read.person.name_zh}|{read.person.phone}"
                rows.append(PreviewRow(row, {k: v for k, v in shown.items() if v},
                                       known is not None or key in new_people, read.notes))
                new_people.add(key)
    return Preview(rows, refused, to_import, already)


def run_import(store: Store, staged: StagedSheet, options: Options, today: date | None = None,
               now: datetime | None = None, progress: Progress = SILENT) -> ImportResult:
    """Import every good row in one transaction; refused rows and rows already in the store
    are left out. Cancelling (or any failure) keeps nothing."""
    now = now or datetime.now()
    today = today or now.date()
    refused: list[Refusal] = []
    imported = already = 0
    progress.stage(IMPORTING)
    with store.write() as session:
        _check(session, store, options)
        reader = _Reader(session, options, staged.file, today, now)
        for row, read, note in _walk(reader, staged, progress):
            if read is None:
                assert note is not None
                refused.append(Refusal(row, note))
                continue
            known = reader.match(read.person)
            if reader.already(read, known):
                already += 1
                continue
            reader.save(store, read, known)
            imported += 1
        if progress.is_cancelled():
            raise CancelledError()
        record_in(session, store.ctx, Action.IMPORTED, detail={
            "what": WHAT.get(options.kind, options.kind),
            "file": staged.file, "count": imported, "already": already,
            "refused": len(refused)})
    log.info("imported %s: %d rows, %d already there, %d refused", staged.file, imported,
             already, len(refused))
    return ImportResult(imported, already, refused)


def with_mapping(options: Options, mapping: dict[str, int]) -> Options:
    return replace(options, mapping=dict(mapping))
