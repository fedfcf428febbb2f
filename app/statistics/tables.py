"""The raw tables for the prefecture's own analysis, written as CSV files that Excel opens.

Each table is one SQL ``SELECT`` over the live records (not tombstoned) with English snake_case
column names, all tables of one export from the same snapshot. On a laptop the rows are read
through sqlite-utils from a read-only connection to the store file; on a prefecture hub
(PostgreSQL) in one read transaction of the store, streamed from a server-side cursor. Identity
card and phone numbers, and the bank account a payment went to, are masked as the rows are
written unless the caller asks for them in full. Money stays integer fen, beside a ``*_yuan``
text column with exactly two decimals.

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
from typing import Any

import sqlite_utils
from sqlalchemy import select, text

from app.audit import trail
from app.core import access, sqltext, stamps
from app.core.access import Permission
from app.core.errors import AppError, StoreError, ValidationError
from app.core.files import atomic_file
from app.core.i18n import N_
from app.core.money import yuan_text
from app.core.progress import SILENT, Progress
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


# The SQL of every table, written once for both stores: the few pieces that differ between a
# laptop's SQLite and a hub's PostgreSQL are the functions below (a dialect's name, as
# ``app.core.sqltext`` takes it). Masks and yuan are applied in Python as the rows are written
# (``_converters``), the same on both.

def _flag(column: str) -> str:
    """A yes/no column as 1 or 0 (a boolean on PostgreSQL, already 0/1 on SQLite)."""
    return f"CAST({column} AS INTEGER)"


def _names(dialect: str, column: str, fallback: str, where: str, order: str,
           separator: str) -> str:
    """A list of names in one script (the other when a person has none), in ``order``."""
    name = f"COALESCE(NULLIF(pe.{column}, ''), pe.{fallback})"
    if dialect == sqltext.POSTGRESQL:
        return f"(SELECT string_agg({name}, '{separator}' ORDER BY {order}) {where})"
    return (f"(SELECT group_concat(name, '{separator}') FROM ("
            f"SELECT {name} AS name {where} ORDER BY {order}))")


def _sql_of(dialect: str) -> dict[str, str]:
    """Every table's ``SELECT`` in ``dialect``, by name, in the order ``export_all`` writes
    them.

    Parameters: :office_id, :date_from, :date_to (NULL: no limit; the period is compared with
    the date part of the time of receipt) and :filtered (1 when any of them is set).
    """
    def live(alias: str) -> str:
        return sqltext.live(dialect, f"{alias}.deleted")

    parties = ("FROM petition_party AS pp JOIN person AS pe ON pe.id = pp.person_id"
               f" WHERE pp.petition_id = pt.id AND {live('pp')} AND {live('pe')}")
    aided = ("FROM aid_person AS ap JOIN person AS pe ON pe.id = ap.person_id"
             f" WHERE ap.aid_case_id = c.id AND {live('ap')} AND {live('pe')}")
    # The petitions every table is limited to: the live ones (not voided) of the office and
    # period asked for. (CAST: PostgreSQL asks what type a parameter that may be NULL has.)
    selected = f"""
WITH selected AS (
  SELECT id FROM petition
  WHERE {live('petition')} AND voided_at = ''
    AND (CAST(:office_id AS TEXT) IS NULL OR office_id = CAST(:office_id AS TEXT))
    AND (CAST(:date_from AS TEXT) IS NULL
         OR substr(received_at, 1, 10) >= CAST(:date_from AS TEXT))
    AND (CAST(:date_to AS TEXT) IS NULL OR substr(received_at, 1, 10) <= CAST(:date_to AS TEXT))
)
"""
    # The columns naming a record's petition and office, for a table whose petition is ``pt``.
    of_petition = """
  pt.reg_no AS registration_no,
  o.division_code AS office_code,
  o.name_zh AS office_name,"""
    join_petition = """
  JOIN selected AS s ON s.id = pt.id
  JOIN office AS o ON o.id = pt.office_id"""
    decided_on = stamps.local_day_sql(dialect, "d.decided_at")
    return {
        "petitions": selected + f"""
SELECT
  pt.id AS petition_id,{of_petition}
  o.name_bo AS office_name_bo,
  pt.reg_year AS registration_year,
  CASE WHEN pt.reg_seq IS NULL THEN 1 ELSE 0 END AS provisional_number,
  pt.received_at AS received_at,
  substr(pt.received_at, 1, 10) AS received_on,
  pt.channel AS channel,
  pt.higher_office AS higher_office,
  pt.category AS category,
  pt.business_type AS business_type,
  {_flag("pt.is_group")} AS is_group,
  pt.head_count AS head_count,
  {_flag("pt.is_repeat")} AS is_repeat,
  {_flag("pt.is_sensitive")} AS is_sensitive,
  pt.jurisdiction AS jurisdiction,
  pt.referral_body AS referral_body,
  pt.reply_due AS reply_due,
  pt.reply_done_on AS reply_done_on,
  pt.answer_due AS answer_due,
  pt.answer_done_on AS answer_done_on,
  pt.unanswerable AS unanswerable,
  pt.resolution AS resolution,
  pt.resolved_on AS resolved_on,
  {_names(dialect, "name_zh", "name_bo", parties, "pp.position, pp.id", "、")} AS petitioners_zh,
  {_names(dialect, "name_bo", "name_zh", parties, "pp.position, pp.id", "; ")} AS petitioners_bo
FROM petition AS pt{join_petition}
ORDER BY pt.received_at, pt.id
""",
        "persons": selected + f"""
SELECT
  pe.id AS person_id,
  pe.name_zh AS name_zh,
  pe.name_bo AS name_bo,
  pe.sex AS sex,
  pe.ethnicity AS ethnicity,
  pe.id_number AS id_number,
  pe.phone AS phone,
  pe.county AS county,
  pe.township AS township,
  pe.village AS village,
  pe.herding_group AS herding_group,
  pe.preferred_language AS preferred_language,
  {_flag("pe.needs_interpreter")} AS needs_interpreter,
  COALESCE(pc.petitions, 0) AS petition_count
FROM person AS pe
  LEFT JOIN (SELECT pp.person_id, count(DISTINCT pp.petition_id) AS petitions
             FROM petition_party AS pp JOIN selected AS s ON s.id = pp.petition_id
             WHERE {live('pp')} GROUP BY pp.person_id) AS pc ON pc.person_id = pe.id
WHERE {live('pe')}
  AND (:filtered = 0
       OR pc.person_id IS NOT NULL
       OR pe.id IN (SELECT ap.person_id FROM aid_person AS ap
                    JOIN aid_case AS c ON c.id = ap.aid_case_id
                    JOIN selected AS s ON s.id = c.petition_id
                    WHERE {live('ap')} AND {live('c')}))
ORDER BY pe.id
""",
        "hearings": selected + f"""
SELECT
  h.id AS hearing_id,
  h.petition_id AS petition_id,{of_petition}
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
   WHERE hp.hearing_id = h.id AND {live('hp')} AND hp.kind = 'officer') AS officer_count,
  (SELECT count(*) FROM hearing_participant AS hp
   WHERE hp.hearing_id = h.id AND {live('hp')} AND hp.kind = 'party') AS party_count,
  h.outcome AS outcome
FROM hearing AS h
  JOIN petition AS pt ON pt.id = h.petition_id{join_petition}
  LEFT JOIN staff AS st ON st.id = h.host_id
WHERE {live('h')}
ORDER BY h.held_at, h.id
""",
        "agreements": selected + f"""
SELECT
  a.id AS agreement_id,
  a.petition_id AS petition_id,
  a.hearing_id AS hearing_id,{of_petition}
  a.status AS status,
  a.agreed_on AS agreed_on,
  a.signed_on AS signed_on,
  a.place AS place,
  {_flag("a.bilingual")} AS bilingual
FROM agreement AS a
  JOIN petition AS pt ON pt.id = a.petition_id{join_petition}
WHERE {live('a')}
ORDER BY a.agreed_on, a.id
""",
        "aid_cases": selected + f"""
SELECT
  c.id AS aid_case_id,
  c.petition_id AS petition_id,{of_petition}
  c.eligibility AS eligibility,
  c.proposed_on AS proposed_on,
  ps.name_zh AS proposed_by,
  c.proposed_fen AS proposed_fen,
  c.proposed_fen AS proposed_yuan,
  c.status AS status,
  (SELECT max({decided_on}) FROM aid_decision AS d
   WHERE d.aid_case_id = c.id AND {live('d')}) AS decided_on,
  c.approved_fen AS approved_fen,
  c.approved_fen AS approved_yuan,
  paid.fen AS paid_fen,
  paid.fen AS paid_yuan,
  (SELECT count(*) FROM aid_person AS ap
   WHERE ap.aid_case_id = c.id AND {live('ap')}) AS persons_aided,
  {_names(dialect, "name_zh", "name_bo", aided, "ap.position, ap.id", "、")} AS aided_zh,
  {_names(dialect, "name_bo", "name_zh", aided, "ap.position, ap.id", "; ")} AS aided_bo
FROM aid_case AS c
  JOIN petition AS pt ON pt.id = c.petition_id{join_petition}
  LEFT JOIN staff AS ps ON ps.id = c.proposed_by
  JOIN (SELECT c2.id AS case_id, CAST(COALESCE(SUM(p.amount_fen), 0) AS BIGINT) AS fen
        FROM aid_case AS c2
        LEFT JOIN aid_payment AS p ON p.aid_case_id = c2.id AND {live('p')}
        GROUP BY c2.id) AS paid ON paid.case_id = c.id
WHERE {live('c')}
ORDER BY c.proposed_on, c.id
""",
        "aid_payments": selected + f"""
SELECT
  p.id AS payment_id,
  p.aid_case_id AS aid_case_id,
  c.petition_id AS petition_id,{of_petition}
  p.paid_on AS paid_on,
  p.amount_fen AS amount_fen,
  p.amount_fen AS amount_yuan,
  p.reverses_id AS reverses_payment_id,
  p.payee_name AS payee_name,
  p.payee_relation AS payee_relation,
  p.payee_id_number AS payee_id_number,
  p.method AS method,
  p.bank_name AS bank_name,
  p.account_no AS account_no,
  pb.name_zh AS paid_by
FROM aid_payment AS p
  JOIN aid_case AS c ON c.id = p.aid_case_id AND {live('c')}
  JOIN petition AS pt ON pt.id = c.petition_id{join_petition}
  LEFT JOIN staff AS pb ON pb.id = p.paid_by
WHERE {live('p')}
ORDER BY p.paid_on, p.id
""",
        "conciliations": selected + f"""
SELECT
  k.id AS conciliation_id,
  k.petition_id AS petition_id,{of_petition}
  k.kind AS kind,
  k.concluded_on AS concluded_on,
  {_flag("k.court_confirmed")} AS court_confirmed,
  k.confirmed_on AS confirmed_on
FROM conciliation AS k
  JOIN petition AS pt ON pt.id = k.petition_id{join_petition}
WHERE {live('k')}
ORDER BY k.concluded_on, k.id
""",
        "lawsuit_support": selected + f"""
SELECT
  l.id AS lawsuit_support_id,
  l.petition_id AS petition_id,{of_petition}
  {_flag("l.is_wage_claim")} AS is_wage_claim,
  l.workers AS workers,
  l.recovered_fen AS recovered_fen,
  l.recovered_fen AS recovered_yuan,
  {_flag("l.with_labour_inspectorate")} AS with_labour_inspectorate,
  l.concluded_on AS concluded_on
FROM lawsuit_support AS l
  JOIN petition AS pt ON pt.id = l.petition_id{join_petition}
WHERE {live('l')}
ORDER BY l.concluded_on, l.id
""",
        "escalations": selected + f"""
SELECT
  e.id AS escalation_id,
  e.petition_id AS petition_id,{of_petition}
  e.kind AS kind,
  e.level AS level,
  e.on_date AS on_date
FROM escalation AS e
  JOIN petition AS pt ON pt.id = e.petition_id{join_petition}
WHERE {live('e')}
ORDER BY e.on_date, e.id
""",
    }


TABLES: dict[str, str] = _sql_of(sqltext.SQLITE)
"""The exportable tables by name (as a laptop's SQLite store reads them), in the order
``export_all`` writes them."""
_SERVER_TABLES = _sql_of(sqltext.POSTGRESQL)


def server_tables() -> dict[str, str]:
    """The tables' SQL as a hub's PostgreSQL reads them (``bench/hub.py``'s floor)."""
    return dict(_SERVER_TABLES)


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


Convert = Callable[[Any], object]
# The columns (by name, in any table) whose values are masked unless asked for in full.
_MASKED: dict[str, Callable[[str | None], str | None]] = {
    "id_number": mask_id_number, "payee_id_number": mask_id_number, "phone": mask_phone,
    "account_no": mask_account}


def _converters(columns: list[str], unmask: bool) -> list[Convert | None]:
    """What is done to each column's value as a row is written: a mask, or fen → yuan for a
    ``*_yuan`` column (which the SQL fills with the fen)."""
    found: list[Convert | None] = []
    for column in columns:
        if column.endswith("_yuan"):
            found.append(_yuan)
        elif column in _MASKED and not unmask:
            found.append(_MASKED[column])
        else:
            found.append(None)
    return found


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
    sql = _sql(name, store)
    _check_period(date_from, date_to)
    _check_target(out)
    _check_allowed(store, unmask)
    with _rows_of(store) as query:
        rows = _write(query(sql, _params(office_id, date_from, date_to)), out, unmask,
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
    with _rows_of(store) as query:
        for name in TABLES:
            out = folder / f"{name}.csv"
            _check_target(out)
            written[name] = _write(query(_sql(name, store), params), out, unmask,
                                   progress.is_cancelled)
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


def _sql(name: str, store: Store) -> str:
    try:
        return (_SERVER_TABLES if store.on_server else TABLES)[name]
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


# A query's column names and its rows.
Rows = tuple[list[str], Iterator[tuple[object, ...]]]
Query = Callable[[str, dict[str, object]], Rows]


@contextmanager
def _rows_of(store: Store) -> Iterator[Query]:
    """What runs the tables' queries, all in one snapshot of the store."""
    if store.on_server:
        with _server_rows(store) as query:
            yield query
        return
    with _database(store) as db:
        def run(sql: str, params: dict[str, object]) -> Rows:
            cursor = db.execute(sql, params)
            return [column[0] for column in cursor.description], iter(cursor)

        yield run


@contextmanager
def _database(store: Store) -> Iterator[sqlite_utils.Database]:
    """A read-only connection to the store file (plain or encrypted, as the store is), in one
    read transaction (one snapshot)."""
    try:
        conn = store.connect_read_only()
    except DB_ERRORS as exc:
        raise _store_error(store, exc) from exc
    with closing(conn):
        # No plugins: nothing but the store's own tables on a connection to it.
        db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
        try:
            db.execute("BEGIN")
            yield db
        except DB_ERRORS as exc:
            raise _store_error(store, exc) from exc
        finally:
            if conn.in_transaction:
                conn.rollback()


@contextmanager
def _server_rows(store: Store) -> Iterator[Query]:
    """A hub's tables: one read transaction of the store (REPEATABLE READ: one snapshot for
    every table), each query's rows streamed from a server-side cursor, a thousand at a time,
    so that half a million rows never sit in memory. The server's own problems (gone, refused,
    too slow) are the store's messages (``Store.read``)."""
    with store.read() as session:
        def run(sql: str, params: dict[str, object]) -> Rows:
            result = session.execute(text(sql).execution_options(
                stream_results=True, yield_per=_CHECK_EVERY), params)
            return list(result.keys()), (tuple(row) for row in result)

        yield run


def _write(query: Rows, out: Path, unmask: bool, is_cancelled: IsCancelled | None) -> int:
    """Write a query's rows under ``out``: header first, then every row, masked unless
    ``unmask`` and with its yuan.

    As sqlite-utils' own ``query --csv`` does: the cursor's description gives the header (also
    for a table with no rows) and the csv module writes the rows.
    """
    columns, cursor = query
    convert = [(i, fn) for i, fn in enumerate(_converters(columns, unmask)) if fn is not None]
    rows = 0
    with atomic_file(out) as raw:
        f = io.TextIOWrapper(raw, encoding=ENCODING, newline="")
        try:
            writer = csv.writer(f)
            writer.writerow(columns)
            for row in cursor:
                if convert:
                    values = list(row)
                    for i, fn in convert:
                        values[i] = fn(values[i])
                    row = tuple(values)
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
