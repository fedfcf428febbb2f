"""Queries of the petitions' full-text index (``models.search``), shared by the registry's search
and registration's lookup of persons by part of a name.

On a hub (PostgreSQL) the index is the ``petition_search`` table of ``models.postgres``: each
petition's text in lower case (NFC), with a trigram index serving ``LIKE '%word%'``. A query
there is every typed word found anywhere in that text (a substring, where FTS5 matches whole
Tibetan syllables and the start of the last word).
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import TextClause
from sqlalchemy import text as sql

from app.core.sqltext import POSTGRESQL
from models.search import search_text


def fts_query(text: str) -> str:
    """The user's words as an FTS5 query: each word a phrase of its tokens, the last a prefix.

    Tokens are cut as the index's tokenizer cuts them (at spaces and punctuation, the tsheg
    included); Chinese characters are one token each. Returns "" when nothing searchable is left.
    """
    phrases = []
    for word in search_text(text).split():
        tokens: list[str] = []
        current: list[str] = []
        for ch in word:
            if unicodedata.category(ch)[0] in "ZPC":
                if current:
                    tokens.append("".join(current))
                    current = []
            else:
                current.append(ch)
        if current:
            tokens.append("".join(current))
        if tokens:
            phrases.append('"' + " ".join(tokens) + '"')
    if not phrases:
        return ""
    phrases[-1] += "*"
    return " ".join(phrases)


def _is_separator(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "ZPC"


def like_patterns(text: str) -> list[str]:
    """The user's words as ``LIKE`` patterns over the hub's search text: each word in lower
    case (NFC) anywhere, without the punctuation around it (FTS5 leaves that out too; inside a
    word it must be found as typed). None when FTS5 would find nothing searchable either."""
    if not fts_query(text):
        return []
    words = []
    for word in unicodedata.normalize("NFC", text).lower().split():
        start, end = 0, len(word)
        while start < end and _is_separator(word[start]):
            start += 1
        while end > start and _is_separator(word[end - 1]):
            end -= 1
        if start < end:
            words.append(word[start:end])
    return ["%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            for w in words]


def body_matches(dialect: str, text: str, alias: str) -> tuple[str, dict[str, str]]:
    """The condition that the search row ``alias`` holds ``text``, with its parameters: on
    SQLite an FTS5 ``MATCH`` (``alias`` is the ``petition_fts`` table), on PostgreSQL a ``LIKE``
    per word (``alias`` is a ``petition_search`` row). ("", {}) when nothing is searchable."""
    if dialect != POSTGRESQL:
        query = fts_query(text)
        return (f"{alias} MATCH :fts_query", {"fts_query": query}) if query else ("", {})
    patterns = like_patterns(text)
    conditions = " AND ".join(f"{alias}.body LIKE :fts_word{i}" for i in range(len(patterns)))
    return conditions, {f"fts_word{i}": pattern for i, pattern in enumerate(patterns)}


def petitions_matching(dialect: str, text: str) -> TextClause | None:
    """The ids of the petitions whose text holds ``text`` (a sub-select); None when nothing in
    ``text`` is searchable."""
    condition, params = body_matches(dialect, text, "petition_fts" if dialect != POSTGRESQL
                                     else "s")
    if not condition:
        return None
    if dialect != POSTGRESQL:
        return sql("SELECT petition_id FROM petition_search_key WHERE key IN"
                   " (SELECT rowid FROM petition_fts WHERE petition_fts MATCH :q)").bindparams(
                       q=params["fts_query"])
    return sql(f"SELECT s.petition_id FROM petition_search AS s WHERE {condition}").bindparams(
        **params)


__all__ = ["body_matches", "fts_query", "like_patterns", "petitions_matching"]
