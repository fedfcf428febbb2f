"""What a PostgreSQL store (the prefecture hub, issue 18) has where an SQLite store has triggers
and SQLite functions: the same rules, written in PL/pgSQL.

On SQLite, ``app`` registers Python functions on every connection and the migrations create the
triggers of ``models.sync``, ``models.aid``, ``models.audit`` and ``models.search``. On
PostgreSQL the connection cannot run Python, so:

- what the functions read (the log this store writes to, the staff member, the clock, whether
  the sync engine is applying received versions) is set by ``app`` at the start of every
  transaction as settings of that transaction (``doorstep.device``, ``doorstep.staff``,
  ``doorstep.now_ms``, ``doorstep.applying``), and functions of the same names as SQLite's
  read them;
- a synced record's capture is one ``BEFORE INSERT OR UPDATE`` trigger per table, which writes
  a version per changed field (with the same parents the SQLite triggers name) and sets the
  row's stamps on the row being written;
- a version's value is ``jsonb``: the same JSON value a package carries (a boolean as 0 or 1,
  as SQLite keeps it), so that a version is the same on both;
- the petition search index is a table of each petition's text with a trigram index
  (``pg_trgm``), for substring search in Chinese and Tibetan alike (the database's character
  type must be a UTF-8 one, so that pg_trgm takes Chinese and Tibetan letters for letters).

Every trigger is ``ENABLE ALWAYS``: the sync engine applies received versions with foreign keys
unchecked (``session_replication_role = replica``, as SQLite's ``foreign_keys = OFF``), and the
rules must hold then too.

Migration 0020 creates all of it on PostgreSQL, from the tables as they are (a revision that
changes a synced table's columns calls :func:`capture_ddl` again).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import text

from models import aid, audit, sync
from models.base import STAMP_COLUMNS
from models.search import PERSON_TEXT_COLUMNS, PETITION_TEXT_COLUMNS
from models.sync import quote_name, quote_text

# The settings of a transaction that the functions below read (set by ``app.core.store``).
DEVICE_SETTING = "doorstep.device"
STAFF_SETTING = "doorstep.staff"
NOW_SETTING = "doorstep.now_ms"
APPLYING_SETTING = "doorstep.applying"

_HLC_TIME = ("to_char(to_timestamp((({hlc}) >> {bits}) / 1000.0) AT TIME ZONE 'UTC',"
             " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')")


def hlc_time_sql(hlc: str) -> str:
    """The stamp (``2026-12-07T02:30:00.123Z``) of an HLC value, as SQLite's triggers write it."""
    return _HLC_TIME.format(hlc=hlc, bits=sync.HLC_LOGICAL_BITS)


FUNCTIONS_DDL = [
    f"""CREATE OR REPLACE FUNCTION doorstep_capture() RETURNS boolean LANGUAGE sql VOLATILE AS
$$ SELECT COALESCE(current_setting('{APPLYING_SETTING}', true), '') <> '1' $$""",
    f"""CREATE OR REPLACE FUNCTION doorstep_device() RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE found text := NULLIF(current_setting('{DEVICE_SETTING}', true), '');
BEGIN
  IF found IS NULL THEN
    RAISE EXCEPTION 'this store has no device identity yet';
  END IF;
  RETURN found;
END $$""",
    f"""CREATE OR REPLACE FUNCTION doorstep_staff() RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT NULLIF(current_setting('{STAFF_SETTING}', true), '') $$""",
    f"""CREATE OR REPLACE FUNCTION doorstep_now_ms() RETURNS bigint LANGUAGE sql VOLATILE AS
$$ SELECT COALESCE(NULLIF(current_setting('{NOW_SETTING}', true), '')::bigint,
                   (extract(epoch FROM clock_timestamp()) * 1000)::bigint) $$""",
    f"""CREATE OR REPLACE FUNCTION doorstep_hlc(max_hlc bigint) RETURNS bigint LANGUAGE sql
VOLATILE AS $$ SELECT GREATEST(doorstep_now_ms() << {sync.HLC_LOGICAL_BITS},
                              COALESCE(max_hlc, 0) + 1) $$""",
    f"""CREATE OR REPLACE FUNCTION doorstep_hlc_bound() RETURNS bigint LANGUAGE sql VOLATILE AS
$$ SELECT ((doorstep_now_ms() + {sync.HLC_FUTURE_MARGIN_MS}) << {sync.HLC_LOGICAL_BITS})
          | {(1 << sync.HLC_LOGICAL_BITS) - 1} $$""",
    f"""CREATE OR REPLACE FUNCTION doorstep_hlc_time(hlc bigint) RETURNS text LANGUAGE sql
IMMUTABLE AS $$ SELECT {hlc_time_sql('hlc')} $$""",
    # One version of a field of a record: its id, clock and parents as the SQLite triggers give
    # them (models.sync), and the field's head moved to it. Returns the version's HLC.
    """CREATE OR REPLACE FUNCTION doorstep_version(p_tbl text, p_row_id text, p_field text,
    p_value jsonb, p_with_parents boolean) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  dev text := doorstep_device();
  next_counter integer;
  stamp bigint;
  named text := '[]';
BEGIN
  SELECT COALESCE(MAX(counter), 0) + 1 INTO next_counter FROM sync_version
   WHERE device_id = dev;
  stamp := doorstep_hlc(GREATEST(
    COALESCE((SELECT MAX(hlc) FROM sync_version WHERE hlc <= doorstep_hlc_bound()), 0),
    COALESCE((SELECT hlc FROM sync_version WHERE device_id = dev
              ORDER BY counter DESC LIMIT 1), 0)));
  IF p_with_parents THEN
    SELECT COALESCE('[' || string_agg('"' || p || '"', ',' ORDER BY p COLLATE "C") || ']',
                    '[]') INTO named
      FROM (SELECT device_id || ':' || counter AS p FROM sync_head
             WHERE tbl = p_tbl AND row_id = p_row_id
               AND (p_field = 'deleted' OR field IN (p_field, 'deleted'))) AS heads;
    DELETE FROM sync_head WHERE tbl = p_tbl AND row_id = p_row_id AND field = p_field;
  END IF;
  INSERT INTO sync_version (device_id, counter, hlc, tbl, row_id, field, value, parents,
                            staff_id)
  VALUES (dev, next_counter, stamp, p_tbl, p_row_id, p_field, p_value, named,
          doorstep_staff());
  INSERT INTO sync_head (tbl, row_id, field, device_id, counter)
  VALUES (p_tbl, p_row_id, p_field, dev, next_counter);
  RETURN stamp;
END $$""",
    f"""CREATE OR REPLACE FUNCTION doorstep_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF doorstep_capture() THEN
    RAISE EXCEPTION '{sync.DELETED_BY_TOMBSTONE}' USING ERRCODE = '23000';
  END IF;
  RETURN OLD;
END $$""",
]


def _value(column: str, kind: str) -> str:
    """A column of the row being written as a version's value (a boolean as 0 or 1)."""
    if kind == "boolean":
        return f"to_jsonb(NEW.{quote_name(column)}::integer)"
    return f"to_jsonb(NEW.{quote_name(column)})"


def capture_ddl(table: str, fields: Mapping[str, str], kinds: Mapping[str, str]) -> list[str]:
    """The capture trigger of a synced ``table`` (its function and the trigger), and its guard
    against physical deletes. ``fields`` maps columns to field ids, ``kinds`` columns to their
    PostgreSQL data type (``boolean``, ``integer``, ``text``, …)."""
    mapping = dict(sorted(fields.items()))
    inserted = [f"stamp := doorstep_version({quote_text(table)}, NEW.id, {quote_text(field)},"
                f" {_value(column, kinds[column])}, false);"
                for column, field in mapping.items()]
    updated = [f"IF NEW.{quote_name(column)} IS DISTINCT FROM OLD.{quote_name(column)} THEN\n"
               f"      stamp := doorstep_version({quote_text(table)}, NEW.id, {quote_text(field)},"
               f" {_value(column, kinds[column])}, true);\n    END IF;"
               for column, field in mapping.items()]
    function = quote_name(table + "__capture")
    body = f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE stamp bigint;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.id IS DISTINCT FROM OLD.id THEN
    RAISE EXCEPTION '{sync.ID_NEVER_CHANGES}' USING ERRCODE = '23000';
  END IF;
  IF NOT doorstep_capture() THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    {chr(10).join('    ' + s for s in inserted).strip()}
    NEW.created_at := doorstep_hlc_time(stamp);
  ELSE
    {chr(10).join('    ' + s for s in updated).strip()}
  END IF;
  IF stamp IS NOT NULL THEN
    NEW.hlc := stamp;
    NEW.last_device := doorstep_device();
    NEW.updated_at := doorstep_hlc_time(stamp);
  END IF;
  RETURN NEW;
END $$"""
    t = quote_name(table)
    return [
        body,
        f"DROP TRIGGER IF EXISTS {quote_name(table + '__capture')} ON {t}",
        f"CREATE TRIGGER {quote_name(table + '__capture')} BEFORE INSERT OR UPDATE ON {t}"
        f" FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"ALTER TABLE {t} ENABLE ALWAYS TRIGGER {quote_name(table + '__capture')}",
        f"DROP TRIGGER IF EXISTS {quote_name(table + '__no_delete')} ON {t}",
        f"CREATE TRIGGER {quote_name(table + '__no_delete')} BEFORE DELETE ON {t}"
        " FOR EACH ROW EXECUTE FUNCTION doorstep_no_delete()",
        f"ALTER TABLE {t} ENABLE ALWAYS TRIGGER {quote_name(table + '__no_delete')}",
    ]


def _guard(table: str, name: str, timing: str, condition: str, message: str,
           returns: str = "NEW") -> list[str]:
    """A trigger that refuses, with ``message``, a row for which ``condition`` holds: an
    integrity violation (SQLSTATE 23000), as SQLite's RAISE(ABORT) is a constraint error."""
    function = quote_name(f"{table}__{name}")
    return [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF {condition} THEN
    RAISE EXCEPTION '{message}' USING ERRCODE = '23000';
  END IF;
  RETURN {returns};
END $$""",
        f"DROP TRIGGER IF EXISTS {quote_name(table + '__' + name)} ON {quote_name(table)}",
        f"CREATE TRIGGER {quote_name(table + '__' + name)} {timing} ON {quote_name(table)}"
        f" FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"ALTER TABLE {quote_name(table)} ENABLE ALWAYS TRIGGER {quote_name(table + '__' + name)}",
    ]


def _changed(columns: Iterable[str]) -> str:
    return " OR ".join(f"OLD.{quote_name(c)} IS DISTINCT FROM NEW.{quote_name(c)}" for c in columns)


def guard_ddl() -> list[str]:
    """The guards of the version log, of the aid money ledgers and of the audit trail, as
    ``models.sync``, ``models.aid`` and ``models.audit`` give them for SQLite."""
    paid = ("(SELECT COALESCE(SUM(amount_fen), 0) FROM aid_payment"
            " WHERE aid_case_id = NEW.aid_case_id AND NOT deleted)")
    approved = "(SELECT approved_fen FROM aid_case WHERE id = NEW.aid_case_id)"
    one_payment = (
        "NOT EXISTS (SELECT 1 FROM aid_payment AS p WHERE p.id = NEW.reverses_id"
        " AND p.aid_case_id = NEW.aid_case_id AND p.amount_fen = -NEW.amount_fen"
        " AND p.reverses_id IS NULL AND NOT p.deleted)"
        " OR EXISTS (SELECT 1 FROM aid_payment WHERE reverses_id = NEW.reverses_id)")
    return [
        *_guard("sync_version", "immutable", "BEFORE UPDATE", "true",
                sync.VERSIONS_IMMUTABLE),
        *_guard("sync_version", "append_only", "BEFORE DELETE", "doorstep_capture()",
                sync.VERSIONS_NEVER_REMOVED, returns="OLD"),
        *_guard("aid_payment", "zero", "BEFORE INSERT",
                "doorstep_capture() AND NEW.amount_fen = 0", aid.ZERO_PAYMENT),
        *_guard("aid_payment", "within_approved", "BEFORE INSERT",
                "doorstep_capture() AND NEW.amount_fen > 0 AND (NEW.reverses_id IS NOT NULL"
                f" OR {paid} + NEW.amount_fen > {approved})", aid.PAID_ABOVE_APPROVED),
        *_guard("aid_payment", "one_reversal", "BEFORE INSERT",
                f"doorstep_capture() AND NEW.amount_fen < 0 AND ({one_payment})",
                aid.REVERSAL_NOT_ONE_PAYMENT),
        *_guard("aid_payment", "append_only", "BEFORE UPDATE",
                f"doorstep_capture() AND ({_changed(aid.PAYMENT_COLUMNS)})",
                aid.PAYMENTS_APPEND_ONLY),
        *_guard("aid_decision", "append_only", "BEFORE UPDATE",
                f"doorstep_capture() AND ({_changed(aid.DECISION_COLUMNS)})",
                aid.DECISIONS_APPEND_ONLY),
        *_guard("aid_case", "approved_covers_paid", "BEFORE UPDATE OF approved_fen",
                "doorstep_capture() AND NEW.approved_fen < (SELECT COALESCE(SUM(amount_fen), 0)"
                " FROM aid_payment WHERE aid_case_id = NEW.id AND NOT deleted)",
                aid.APPROVED_BELOW_PAID),
        *_guard("audit_entry", "never_changed", "BEFORE UPDATE",
                f"doorstep_capture() AND ({_changed(['id', *audit.ENTRY_COLUMNS])})",
                audit.AUDIT_NEVER_CHANGED),
        *_guard("audit_entry", "never_removed", "BEFORE DELETE", "doorstep_capture()",
                audit.AUDIT_NEVER_CHANGED, returns="OLD"),
    ]


# The search index: a petition's text as ``doorstep_search_body`` makes it, one row a petition
# (none for a deleted one), with a trigram index for substring search (``LIKE '%…%'``).
SEARCH_TABLE = "petition_search"


def _search_body(petition: str) -> str:
    parties = ("COALESCE((SELECT string_agg(pe.name_zh || ' ' || pe.name_bo || ' '"
               " || pe.id_number || ' ' || pe.phone, ' ' ORDER BY pe.id)"
               " FROM petition_party pp JOIN person pe ON pe.id = pp.person_id"
               f" WHERE pp.petition_id = {petition}.id AND NOT pp.deleted), '')")
    return (f"doorstep_search_text({petition}.reg_no || ' ' || {petition}.summary || ' '"
            f" || {petition}.requests || ' ' || {petition}.original_case_no || ' '"
            f" || {petition}.higher_ref || ' ' || {parties})")


SEARCH_DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE TABLE {SEARCH_TABLE} (petition_id VARCHAR(36) PRIMARY KEY, body TEXT NOT NULL)",
    f"CREATE INDEX ix_{SEARCH_TABLE}_body ON {SEARCH_TABLE} USING gin (body gin_trgm_ops)",
    # What the index holds of a text, and what a query is turned into: NFC, lower case.
    """CREATE OR REPLACE FUNCTION doorstep_search_text(value text) RETURNS text LANGUAGE sql
IMMUTABLE AS $$ SELECT lower(normalize(COALESCE(value, ''), NFC)) $$""",
    f"""CREATE OR REPLACE FUNCTION doorstep_reindex(ids text[]) RETURNS void LANGUAGE sql AS $$
DELETE FROM {SEARCH_TABLE} WHERE petition_id = ANY(ids);
INSERT INTO {SEARCH_TABLE} (petition_id, body)
SELECT p.id, {_search_body('p')} FROM petition p WHERE p.id = ANY(ids) AND NOT p.deleted;
$$""",
    """CREATE OR REPLACE FUNCTION doorstep_search_petition() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_TABLE_NAME = 'petition' THEN
    PERFORM doorstep_reindex(ARRAY[NEW.id]);
  ELSIF TG_TABLE_NAME = 'petition_party' THEN
    PERFORM doorstep_reindex(ARRAY[NEW.petition_id]
                             || CASE WHEN TG_OP = 'UPDATE' THEN ARRAY[OLD.petition_id]
                                     ELSE ARRAY[]::text[] END);
  ELSE
    PERFORM doorstep_reindex(ARRAY(SELECT petition_id FROM petition_party
                                   WHERE person_id = NEW.id));
  END IF;
  RETURN NULL;
END $$""",
    *[statement for table, event in (
        ("petition", "INSERT OR UPDATE OF " + ", ".join(PETITION_TEXT_COLUMNS)),
        ("petition_party", "INSERT OR UPDATE OF petition_id, person_id, deleted"),
        ("person", "UPDATE OF " + ", ".join(PERSON_TEXT_COLUMNS)))
      for statement in (
        f"CREATE TRIGGER {quote_name(table + '__search')} AFTER {event} ON {quote_name(table)}"
        " FOR EACH ROW EXECUTE FUNCTION doorstep_search_petition()",
        f"ALTER TABLE {quote_name(table)} ENABLE ALWAYS TRIGGER {quote_name(table + '__search')}")],
]


def column_kinds(conn: Any, table: str) -> dict[str, str]:
    """Each column of ``table`` in the database and its PostgreSQL data type."""
    return {str(name): str(kind) for name, kind in conn.execute(text(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = :t"), {"t": table})}


def create_capture(conn: Any, tables: Iterable[str]) -> None:
    """(Re)create the capture trigger of each synced table, from its columns in the database."""
    for table in tables:
        kinds = column_kinds(conn, table)
        fields = {c: c for c in kinds if c != "id" and c not in STAMP_COLUMNS}
        for ddl in capture_ddl(table, fields, kinds):
            conn.execute(text(ddl))


def synced_table_names(conn: Any) -> list[str]:
    """The tables of the database that carry a synced record's stamps."""
    return [str(name) for (name,) in conn.execute(text(
        "SELECT table_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND column_name IN ('last_device', 'hlc')"
        " GROUP BY table_name HAVING COUNT(*) = 2 ORDER BY table_name"))]
