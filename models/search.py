"""Full-text search over petitions: one FTS5 row per petition, kept current by triggers.

The indexed text of a petition is its number, summary, requests, case numbers and, for every party,
both scripts of the name, the ID number and the phone. It passes through ``doorstep_search_text``
(registered on every connection by ``app``): Unicode NFC, case folded, and a space around every
CJK character, so that FTS5's ``unicode61`` tokenizer indexes Chinese one character a token (a
query is then a phrase of characters) and Tibetan one syllable a token (the tsheg is punctuation
to the tokenizer). The index is local, derived data: it is never synced, and the triggers keep it
right whatever writes the tables (a use case, a bulk statement, the sync engine).
"""

from __future__ import annotations

import unicodedata

SEARCH_KEY_DDL = ("CREATE TABLE petition_search_key (key INTEGER PRIMARY KEY,"
                  " petition_id VARCHAR(36) NOT NULL UNIQUE)")
FTS_DDL = ("CREATE VIRTUAL TABLE petition_fts USING fts5(body,"
           " tokenize = 'unicode61 remove_diacritics 0')")

PETITION_TEXT_COLUMNS = ("reg_no", "summary", "requests", "original_case_no", "higher_ref",
                         "deleted")
PERSON_TEXT_COLUMNS = ("name_zh", "name_bo", "id_number", "phone")


def _reindex(petition_ids_sql: str) -> list[str]:
    """Statements that rebuild the index rows of the petitions selected by ``petition_ids_sql``."""
    body = (
        "doorstep_search_text(p.reg_no || ' ' || p.summary || ' ' || p.requests || ' '"
        " || p.original_case_no || ' ' || p.higher_ref || ' ' || COALESCE((SELECT"
        " group_concat(pe.name_zh || ' ' || pe.name_bo || ' ' || pe.id_number || ' ' || pe.phone,"
        " ' ') FROM petition_party pp JOIN person pe ON pe.id = pp.person_id"
        " WHERE pp.petition_id = p.id AND pp.deleted = 0), ''))")
    return [
        f"INSERT OR IGNORE INTO petition_search_key (petition_id) SELECT id FROM petition"
        f" WHERE id IN ({petition_ids_sql});",
        f"DELETE FROM petition_fts WHERE rowid IN (SELECT key FROM petition_search_key"
        f" WHERE petition_id IN ({petition_ids_sql}));",
        f"INSERT INTO petition_fts (rowid, body) SELECT k.key, {body} FROM petition p"
        f" JOIN petition_search_key k ON k.petition_id = p.id"
        f" WHERE p.id IN ({petition_ids_sql}) AND p.deleted = 0;",
    ]


def search_trigger_ddl() -> list[str]:
    def trigger(name: str, event: str, ids_sql: str) -> str:
        return (f'CREATE TRIGGER "{name}" {event} BEGIN\n  '
                + "\n  ".join(_reindex(ids_sql)) + "\nEND")

    petition_cols = ", ".join(PETITION_TEXT_COLUMNS)
    person_cols = ", ".join(PERSON_TEXT_COLUMNS)
    return [
        trigger("petition__search_insert", "AFTER INSERT ON petition", "NEW.id"),
        trigger("petition__search_update", f"AFTER UPDATE OF {petition_cols} ON petition",
                "NEW.id"),
        trigger("petition_party__search_insert", "AFTER INSERT ON petition_party",
                "NEW.petition_id"),
        trigger("petition_party__search_update",
                "AFTER UPDATE OF petition_id, person_id, deleted ON petition_party",
                "NEW.petition_id, OLD.petition_id"),
        trigger("person__search_update", f"AFTER UPDATE OF {person_cols} ON person",
                "SELECT petition_id FROM petition_party WHERE person_id = NEW.id"),
    ]


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF
            or 0x20000 <= code <= 0x3134F)


def search_text(value: str | None) -> str:
    """What the index stores (and what a query is turned into): see the module docstring."""
    if not value:
        return ""
    text = unicodedata.normalize("NFC", value).casefold()
    return "".join(f" {ch} " if _is_cjk(ch) else ch for ch in text)
