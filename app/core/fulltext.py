"""Queries of the petitions' full-text index (``models.search``), shared by the registry's search
and registration's lookup of persons by part of a name."""

from __future__ import annotations

import unicodedata

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


__all__ = ["fts_query"]
