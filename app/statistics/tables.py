"""The raw tables for the prefecture's own analysis, written as CSV files that Excel opens.

Each table is one SQL ``SELECT`` over the live records (not tombstoned) with English snake_case
column names; the rows are read through sqlite-utils from a read-only connection to the store
file, all tables of one export from the same snapshot. Identity card and phone numbers, and the
bank account a payment went to, are masked by SQL functions registered on that connection
unless the caller asks for them in full. Money stays integer fen, beside a ``*_yuan`` text
column with exactly two decimals.

Filters (an office, a period of receipt) select petitions; every other table then holds what
belongs to the selected petitions (persons: their parties and the persons aided on them), so
the files of one export join up. Without filters, ``persons`` holds every live person.

Each file is written whole or not at all (``app.core.files``): a file that has the final name
is complete.
"""

from __future__ import annotations

import csv
import io
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlite_utils
from sqlalchemy import select

from app.audit import trail
from app.core import access
from app.core.access import Permission
from app.core.errors import AppError, StoreError, ValidationError
from app.core.files import atomic_file
from app.core.i18n import N_
from app.core.money import yuan_text
from app.core.progress import SILENT, Progress
from app.core.stamps import LOCAL_DAY_SQL
from app.core.store import DB_ERRORS, Store
from models import Office

log = logging.getLogger(__name__)

IsCancelled = Callable[[], bool]

ENCODING = "utf-8-sig"  # with a BOM, so that Excel on a Chinese Windows reads UTF-8
_CHECK_EVERY = 1000  # rows between two looks at ``is_cancelled``


class ExportError(AppError):
    """A table could not be exported; no partial file was left behind. (A disk problem in
    writing one is ``app.core.errors``' own.)"""


class ExportFolderMissingError(ExportError):
    pass


class UnknownTableError(ExportError):
    pass


class UnknownOfficeError(ExportError):
    pass


class ExportCancelledError(ExportError):
    pass


class StoreLockedError(StoreError):
    """Another program holds the data file; nothing was written."""


# The petitions every table is limited to: the live ones (not voided) of the office and period
# asked for.
# Parameters: :office_id, :date_from, :date_to (NULL: no limit), compared with the date part of
# the time of receipt.
_SELECTED = """
WITH selected AS (
  SELECT id FROM petition
  WHERE deleted = 0 AND voided_at = ''
    AND (:office_id IS NULL OR office_id = :office_id)
    AND (:date_from IS NULL OR substr(received_at, 1, 10) >= :date_from)
    AND (:date_to IS NULL OR substr(received_at, 1, 10) <= :date_to)
)
"""


def _names(column: str, fallback: str, where: str, separator: str) -> str:
    """A list of names in one script (the other when a person has none), in party order."""
    return (f"(SELECT group_concat(name, '{separator}') FROM ("
            f"SELECT COALESCE(NULLIF(pe.{column}, ''), pe.{fallback}) AS name {where}))")


_PARTIES = ("FROM petition_party AS pp JOIN person AS pe ON pe.id = pp.person_id"
            " WHERE pp.petition_id = pt.id AND pp.deleted = 0 AND pe.deleted = 0"
            " ORDER BY pp.position, pp.id")
_AIDED = ("FROM aid_person AS ap JOIN person AS pe ON pe.id = ap.person_id"
          " WHERE ap.aid_case_id = c.id AND ap.deleted = 0 AND pe.deleted = 0"
          " ORDER BY ap.position, ap.id")

# The columns naming a record's petition and office, for a table whose petition is ``pt``.
_OF_PETITION = """
  pt.reg_no AS registration_no,
  o.division_code AS office_code,
  o.name_zh AS office_name,"""
_JOIN_PETITION = """
  JOIN selected AS s ON s.id = pt.id
  JOIN office AS o ON o.id = pt.office_id"""

TABLES: dict[str, str] = {
    "petitions": _SELECTED + f"""
SELECT
  pt.id AS petition_id,{_OF_PETITION}
  o.name_bo AS office_name_bo,
  pt.reg_year AS registration_year,
  CASE WHEN pt.reg_seq IS NULL THEN 1 ELSE 0 END AS provisional_number,
  pt.received_at AS received_at,
  substr(pt.received_at, 1, 10) AS received_on,
  pt.channel AS channel,
  pt.higher_office AS higher_office,
  pt.category AS category,
  pt.business_type AS business_type,
  pt.is_group AS is_group,
  pt.head_count AS head_count,
  pt.is_repeat AS is_repeat,
  pt.is_sensitive AS is_sensitive,
  pt.jurisdiction AS jurisdiction,
  pt.referral_body AS referral_body,
  pt.reply_due AS reply_due,
  pt.reply_done_on AS reply_done_on,
  pt.answer_due AS answer_due,
  pt.answer_done_on AS answer_done_on,
  pt.unanswerable AS unanswerable,
  pt.resolution AS resolution,
  pt.resolved_on AS resolved_on,
  {_names("name_zh", "name_bo", _PARTIES, "、")} AS petitioners_zh,
  {_names("name_bo", "name_zh", _PARTIES, "; ")} AS petitioners_bo
FROM petition AS pt{_JOIN_PETITION}
ORDER BY pt.received_at, pt.id
""",
    "persons": _SELECTED + """
SELECT
  pe.id AS person_id,
  pe.name_zh AS name_zh,
  pe.name_bo AS name_bo,
  pe.sex AS sex,
  pe.ethnicity AS ethnicity,
  doorstep_mask_id(pe.id_number) AS id_number,
  doorstep_mask_phone(pe.phone) AS phone,
  pe.county AS county,
  pe.township AS township,
  pe.village AS village,
  pe.herding_group AS herding_group,
  pe.preferred_language AS preferred_language,
  pe.needs_interpreter AS needs_interpreter,
  (SELECT count(DISTINCT pp.petition_id) FROM petition_party AS pp
   JOIN selected AS s ON s.id = pp.petition_id
   WHERE pp.person_id = pe.id AND pp.deleted = 0) AS petition_count
FROM person AS pe
WHERE pe.deleted = 0
  AND (:filtered = 0
       OR pe.id IN (SELECT pp.person_id FROM petition_party AS pp
                    JOIN selected AS s ON s.id = pp.petition_id WHERE pp.deleted = 0)
       OR pe.id IN (SELECT ap.person_id FROM aid_person AS ap
                    JOIN aid_case AS c ON c.id = ap.aid_case_id
                    JOIN selected AS s ON s.id = c.petition_id
                    WHERE ap.deleted = 0 AND c.deleted = 0))
ORDER BY pe.id
""",
    "hearings": _SELECTED + f"""
SELECT
  h.id AS hearing_id,
  h.petition_id AS petition_id,{_OF_PETITION}
  h.kind AS kind,
  h.held_at AS held_at,
  substr(h.held_at, 1, 10) AS held_on,
  h.township AS township,
  h.village AS village,
  h.herding_group AS herding_group,
  h.place AS place,
  st.name_zh AS host_name,
  h.interpreter AS interpreter,
  (SELECT count(*) FROM hearing_participant AS hp
   WHERE hp.hearing_id = h.id AND hp.deleted = 0 AND hp.kind = 'officer') AS officer_count,
  (SELECT count(*) FROM hearing_participant AS hp
   WHERE hp.hearing_id = h.id AND hp.deleted = 0 AND hp.kind = 'party') AS party_count,
  h.outcome AS outcome
FROM hearing AS h
  JOIN petition AS pt ON pt.id = h.petition_id{_JOIN_PETITION}
  LEFT JOIN staff AS st ON st.id = h.host_id
WHERE h.deleted = 0
ORDER BY h.held_at, h.id
""",
    "agreements": _SELECTED + f"""
SELECT
  a.id AS agreement_id,
  a.petition_id AS petition_id,
  a.hearing_id AS hearing_id,{_OF_PETITION}
  a.status AS status,
  a.agreed_on AS agreed_on,
  a.signed_on AS signed_on,
  a.place AS place,
  a.bilingual AS bilingual
FROM agreement AS a
  JOIN petition AS pt ON pt.id = a.petition_id{_JOIN_PETITION}
WHERE a.deleted = 0
ORDER BY a.agreed_on, a.id
""",
    "aid_cases": _SELECTED + f"""
SELECT
  c.id AS aid_case_id,
  c.petition_id AS petition_id,{_OF_PETITION}
  c.eligibility AS eligibility,
  c.proposed_on AS proposed_on,
  ps.name_zh AS proposed_by,
  c.proposed_fen AS proposed_fen,
  doorstep_yuan(c.proposed_fen) AS proposed_yuan,
  c.status AS status,
  (SELECT max({LOCAL_DAY_SQL.format(col="d.decided_at")}) FROM aid_decision AS d
   WHERE d.aid_case_id = c.id AND d.deleted = 0) AS decided_on,
  c.approved_fen AS approved_fen,
  doorstep_yuan(c.approved_fen) AS approved_yuan,
  paid.fen AS paid_fen,
  doorstep_yuan(paid.fen) AS paid_yuan,
  (SELECT count(*) FROM aid_person AS ap
   WHERE ap.aid_case_id = c.id AND ap.deleted = 0) AS persons_aided,
  {_names("name_zh", "name_bo", _AIDED, "、")} AS aided_zh,
  {_names("name_bo", "name_zh", _AIDED, "; ")} AS aided_bo
FROM aid_case AS c
  JOIN petition AS pt ON pt.id = c.petition_id{_JOIN_PETITION}
  LEFT JOIN staff AS ps ON ps.id = c.proposed_by
  JOIN (SELECT c2.id AS case_id, COALESCE(SUM(p.amount_fen), 0) AS fen FROM aid_case AS c2
        LEFT JOIN aid_payment AS p ON p.aid_case_id = c2.id AND p.deleted = 0
        GROUP BY c2.id) AS paid ON paid.case_id = c.id
WHERE c.deleted = 0
ORDER BY c.proposed_on, c.id
""",
    "aid_payments": _SELECTED + f"""
SELECT
  p.id AS payment_id,
  p.aid_case_id AS aid_case_id,
  c.petition_id AS petition_id,{_OF_PETITION}
  p.paid_on AS paid_on,
  p.amount_fen AS amount_fen,
  doorstep_yuan(p.amount_fen) AS amount_yuan,
  p.reverses_id AS reverses_payment_id,
  p.payee_name AS payee_name,
  p.payee_relation AS payee_relation,
  doorstep_mask_id(p.payee_id_number) AS payee_id_number,
  p.method AS method,
  p.bank_name AS bank_name,
  doorstep_mask_account(p.account_no) AS account_no,
  pb.name_zh AS paid_by
FROM aid_payment AS p
  JOIN aid_case AS c ON c.id = p.aid_case_id AND c.deleted = 0
  JOIN petition AS pt ON pt.id = c.petition_id{_JOIN_PETITION}
  LEFT JOIN staff AS pb ON pb.id = p.paid_by
WHERE p.deleted = 0
ORDER BY p.paid_on, p.id
""",
    "conciliations": _SELECTED + f"""
SELECT
  k.id AS conciliation_id,
  k.petition_id AS petition_id,{_OF_PETITION}
  k.kind AS kind,
  k.concluded_on AS concluded_on,
  k.court_confirmed AS court_confirmed,
  k.confirmed_on AS confirmed_on
FROM conciliation AS k
  JOIN petition AS pt ON pt.id = k.petition_id{_JOIN_PETITION}
WHERE k.deleted = 0
ORDER BY k.concluded_on, k.id
""",
    "lawsuit_support": _SELECTED + f"""
SELECT
  l.id AS lawsuit_support_id,
  l.petition_id AS petition_id,{_OF_PETITION}
  l.is_wage_claim AS is_wage_claim,
  l.workers AS workers,
  l.recovered_fen AS recovered_fen,
  doorstep_yuan(l.recovered_fen) AS recovered_yuan,
  l.with_labour_inspectorate AS with_labour_inspectorate,
  l.concluded_on AS concluded_on
FROM lawsuit_support AS l
  JOIN petition AS pt ON pt.id = l.petition_id{_JOIN_PETITION}
WHERE l.deleted = 0
ORDER BY l.concluded_on, l.id
""",
    "escalations": _SELECTED + f"""
SELECT
  e.id AS escalation_id,
  e.petition_id AS petition_id,{_OF_PETITION}
  e.kind AS kind,
  e.level AS level,
  e.on_date AS on_date
FROM escalation AS e
  JOIN petition AS pt ON pt.id = e.petition_id{_JOIN_PETITION}
WHERE e.deleted = 0
ORDER BY e.on_date, e.id
""",
}
"""The exportable tables by name, in the order ``export_all`` writes them. The SQL uses the
functions that :func:`export_table` registers on its connection (``doorstep_mask_id`` …)."""


# Masking keeps a value's length, so a masked column still shows which numbers are filled in.
def mask_id_number(value: str | None) -> str | None:
    """632624198503120012 → 632624***********2: the region (first six) and the last character."""
    if not value:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 7) + value[-1]


def mask_phone(value: str | None) -> str | None:
    """13909751234 → 139****1234."""
    if not value:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_account(value: str | None) -> str | None:
    """6230580000123456789 → ***************6789."""
    if not value:
        return value
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else yuan_text(int(fen))


def _unchanged(value: str | None) -> str | None:
    return value


@dataclass(frozen=True)
class Written:
    """One file of an export."""

    table: str
    rows: int
    path: Path


def office_for_code(store: Store, division_code: str) -> str:
    """The id of the live office with this division code (e.g. 632624)."""
    code = division_code.strip()
    with store.read() as session:
        found = session.scalar(select(Office.id).where(
            Office.division_code == code, Office.deleted.is_(False)).order_by(Office.id))
    if found is None:
        raise UnknownOfficeError(N_("There is no office with the division code {code}."),
                                 code=code)
    return found


def parse_day(text: str, field: str = "date") -> date:
    """A day written YYYY-MM-DD, for the command line's --from and --to."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(N_("“{value}” is not a date. Please write it as YYYY-MM-DD, "
                                 "e.g. 2026-01-31."), field=field, value=text) from None


def _check_allowed(store: Store, unmask: bool) -> None:
    """Whole tables go out for a leader or the administrator; in full (unmasked) only for a
    role that sees ID numbers."""
    with store.read() as session:
        access.require(session, store.ctx, Permission.EXPORT_TABLES)
        if unmask:
            access.require(session, store.ctx, Permission.SEE_IDENTIFIERS)


def export_table(store: Store, name: str, out: Path, *, unmask: bool = False,
                 office_id: str | None = None, date_from: date | None = None,
                 date_to: date | None = None, staff_id: str = "",
                 progress: Progress = SILENT) -> int:
    """Write table ``name`` to the CSV file ``out``; the number of rows written.

    ``office_id`` and the period (days of receipt, both included) select petitions; the other
    tables keep what belongs to them. ``unmask`` writes identity card, phone and bank account
    numbers in full. ``staff_id`` is who asked (kept for the record of exports to come).
    """
    sql = _sql(name)
    _check_period(date_from, date_to)
    _check_target(out)
    _check_allowed(store, unmask)
    with _database(store, unmask) as db:
        rows = _write(db, sql, _params(office_id, date_from, date_to), out,
                      progress.is_cancelled)
    log.info("exported %s: %d rows to %s (unmasked=%s, staff=%s)", name, rows, out, unmask,
             staff_id or "-")
    trail.exported(store, "table", file=out.name, count=rows, table=name, unmasked=unmask)
    progress(1, 1)
    return rows


def export_all(store: Store, folder: Path, *, unmask: bool = False,
               office_id: str | None = None, date_from: date | None = None,
               date_to: date | None = None, staff_id: str = "",
               progress: Progress = SILENT) -> dict[str, int]:
    """Write every table as ``<name>.csv`` into ``folder``, all from the same moment of the
    store; rows written per table (``progress``: tables done of all; cancellable between
    rows). Files already written stay when a later one fails."""
    _check_period(date_from, date_to)
    _check_folder(folder)
    _check_allowed(store, unmask)
    params = _params(office_id, date_from, date_to)
    written: dict[str, int] = {}
    with _database(store, unmask) as db:
        for name, sql in TABLES.items():
            out = folder / f"{name}.csv"
            _check_target(out)
            written[name] = _write(db, sql, params, out, progress.is_cancelled)
            progress(len(written), len(TABLES))
    log.info("exported all tables to %s: %s (unmasked=%s, staff=%s)", folder, written, unmask,
             staff_id or "-")
    trail.exported(store, "all_tables", file=folder.name, count=sum(written.values()),
                   unmasked=unmask)
    return written


def export_tables(store: Store, name: str, out: Path, *, unmask: bool = False,
                  office_code: str | None = None, date_from: str | None = None,
                  date_to: str | None = None, staff_id: str = "") -> list[Written]:
    """The command line's ``export-table``: one table (``out`` a file, or a folder to write
    ``<name>.csv`` into) or ``all`` (``out`` a folder); arguments as typed."""
    office_id = office_for_code(store, office_code) if office_code else None
    start = parse_day(date_from, "date_from") if date_from else None
    end = parse_day(date_to, "date_to") if date_to else None
    if name == "all":
        counts = export_all(store, out, unmask=unmask, office_id=office_id, date_from=start,
                            date_to=end, staff_id=staff_id)
        return [Written(table, rows, out / f"{table}.csv") for table, rows in counts.items()]
    if out.is_dir():
        out = out / f"{name}.csv"
    rows = export_table(store, name, out, unmask=unmask, office_id=office_id, date_from=start,
                        date_to=end, staff_id=staff_id)
    return [Written(name, rows, out)]


def _sql(name: str) -> str:
    try:
        return TABLES[name]
    except KeyError:
        raise UnknownTableError(N_("There is no table called “{name}”. The tables are: "
                                   "{names}."), name=name, names=", ".join(TABLES)) from None


def _params(office_id: str | None, date_from: date | None,
            date_to: date | None) -> dict[str, object]:
    return {"office_id": office_id,
            "date_from": date_from.isoformat() if date_from else None,
            "date_to": date_to.isoformat() if date_to else None,
            "filtered": int(bool(office_id or date_from or date_to))}


def _check_period(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise ValidationError(N_("The period starts after it ends."), field="date_from")


def _check_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise ExportFolderMissingError(N_("The folder {folder} does not exist."),
                                       folder=str(folder))


def _check_target(out: Path) -> None:
    _check_folder(out.parent)
    if out.is_dir():
        raise ExportError(N_("{path} is a folder. Please give the name of a file to write."),
                          path=str(out))


@contextmanager
def _database(store: Store, unmask: bool) -> Iterator[sqlite_utils.Database]:
    """A read-only connection to the store file (plain or encrypted, as the store is), in one
    read transaction (one snapshot)."""
    try:
        conn = store.connect_read_only()
    except DB_ERRORS as exc:
        raise _store_error(store, exc) from exc
    with closing(conn):
        # No plugins: nothing but our own functions on a connection to the store.
        db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
        for fn, sql_name in ((mask_id_number, "doorstep_mask_id"),
                             (mask_phone, "doorstep_mask_phone"),
                             (mask_account, "doorstep_mask_account")):
            db.register_function(_unchanged if unmask else fn, deterministic=True,
                                 name=sql_name, replace=True)
        db.register_function(_yuan, deterministic=True, name="doorstep_yuan", replace=True)
        try:
            db.execute("BEGIN")
            yield db
        except DB_ERRORS as exc:
            raise _store_error(store, exc) from exc
        finally:
            if conn.in_transaction:
                conn.rollback()


def _write(db: sqlite_utils.Database, sql: str, params: dict[str, object], out: Path,
           is_cancelled: IsCancelled | None) -> int:
    """Run ``sql`` and write its rows under ``out``: header first, then every row.

    As sqlite-utils' own ``query --csv`` does: the cursor's description gives the header (also
    for a table with no rows) and the csv module writes the rows.
    """
    rows = 0
    cursor = db.execute(sql, params)
    with atomic_file(out) as raw:
        f = io.TextIOWrapper(raw, encoding=ENCODING, newline="")
        try:
            writer = csv.writer(f)
            writer.writerow([column[0] for column in cursor.description])
            for row in cursor:
                writer.writerow(row)
                rows += 1
                if is_cancelled is not None and rows % _CHECK_EVERY == 0 and is_cancelled():
                    raise ExportCancelledError(N_("The export was cancelled."))
        finally:
            f.detach()  # flushed; the file itself is closed by atomic_file
    return rows


def _store_error(store: Store, exc: Exception) -> StoreError:
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    log.warning("could not read %s for an export: %s", store.paths.store, exc)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in str(exc):
        return StoreLockedError(N_("The data file is in use by another program. Please try "
                                   "again in a moment."))
    return StoreError(N_("The data file {path} could not be read: {error}"),
                      path=str(store.paths.store), error=str(exc))
