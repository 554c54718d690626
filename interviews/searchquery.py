"""The search box's query language, parsed once and compiled for each place that runs it.

One syntax on every database: words (all must occur in the interview), "a phrase" (its
words in a row), OR between two items (either will do), and a prefix* (a word that starts
so). OR binds closer than the space between items, as in web search: `invisible OR unseen
stigma` asks for (invisible or unseen) and stigma.

A word is a run of letters and digits, as SQLite's unicode61 tokenizer and PostgreSQL's
parser (after interviews.sql strips punctuation) both cut text: "self-care" and "don't" are
phrases of two words. The tree compiles to an FTS5 MATCH expression, to a PostgreSQL
tsquery, and to Python regular expressions that find the hits in the text itself (the
index only says which interviews hold them; its offsets are not code points).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Letters and digits, not "_": what both databases' tokenizers keep as a word.
WORD = r"[^\W_]+"
_WORD = re.compile(WORD)
# A quoted phrase (perhaps unterminated), or a run of anything else up to a space or quote.
_TOKEN = re.compile(r'"(?P<phrase>[^"]*)(?P<closed>"?)(?P<star>\*?)|(?P<bare>[^\s"]+)')

MAX_LENGTH = 300
MAX_TERMS = 20


class QueryError(ValueError):
    """The query cannot be searched; the message says why, in words for the user."""


@dataclass(frozen=True)
class Term:
    """One word or phrase: lower-cased words in a row; `prefix` when the last ends in *."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Query:
    """All of `groups` must match; a group matches when any of its terms does."""

    groups: tuple[tuple[Term, ...], ...]

    @property
    def terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]


def parse(text: str) -> Query:
    """The tree of a query typed in the search box. Raises QueryError (and nothing else)
    for anything that cannot be searched: an empty query, an unclosed quote, a dangling
    OR, a * inside a word, an item without letters or digits, too long a query."""
    text = text.strip()
    if not text:
        raise QueryError("Type a word or a phrase to search for.")
    if len(text) > MAX_LENGTH:
        raise QueryError(f"That query is too long: keep it under {MAX_LENGTH} characters.")
    groups: list[list[Term]] = []
    pending_or = False
    for match in _TOKEN.finditer(text):
        if match["bare"] == "OR":
            if not groups or pending_or:
                raise QueryError("OR goes between two words or phrases: “a OR b”.")
            pending_or = True
            continue
        term = _term(match)
        if pending_or:
            groups[-1].append(term)
            pending_or = False
        else:
            groups.append([term])
    if pending_or:
        raise QueryError("OR goes between two words or phrases: “a OR b”.")
    query = Query(tuple(tuple(group) for group in groups))
    if len(query.terms) > MAX_TERMS:
        raise QueryError(f"Search for at most {MAX_TERMS} words and phrases at once.")
    return query


def _term(match: re.Match) -> Term:
    if match["phrase"] is not None:
        if not match["closed"]:
            raise QueryError('A phrase is missing its closing quote (").')
        raw = match["phrase"].strip()
        shown = f"“{raw}”"
        # "harm red*" and "harm red"* both end in a prefix; a * elsewhere is punctuation.
        prefix = bool(match["star"]) or raw.endswith("*")
        raw = raw.rstrip("*")
    else:
        raw = match["bare"]
        prefix = raw.endswith("*")
        raw = raw.rstrip("*") if prefix else raw
        shown = f"“{match['bare']}”"
        if "*" in raw:
            raise QueryError(f"{shown}: a * may only end a word, as in “stigma*”.")
    words = tuple(word.lower() for word in _WORD.findall(raw))
    if not words:
        raise QueryError(f"{shown} has no letters or digits to search for.")
    if prefix and not _WORD.fullmatch(raw[-1:] or " "):
        raise QueryError(f"{shown}: a * must follow a letter or digit, as in “stigma*”.")
    return Term(words, prefix)


# Compilers ----------------------------------------------------------------------------------


def fts5(query: Query) -> str:
    """The query as an SQLite FTS5 MATCH expression: `("a b" OR "c"*) AND "d"`. Every word
    is quoted, so nothing the user typed can be read as FTS5 syntax."""
    return " AND ".join(
        "(" + " OR ".join(_fts5_term(term) for term in group) + ")" for group in query.groups
    )


def _fts5_term(term: Term) -> str:
    return '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")


def tsquery(query: Query, *, phrases: bool = True) -> str:
    """The query as PostgreSQL to_tsquery text: `('a' <-> 'b' | 'c':*) & 'd'`. With
    phrases=False a phrase's words need only all occur (`&`), not in a row (see interviews.sql:
    PostgreSQL stops counting word positions at 16,383)."""
    join = " <-> " if phrases else " & "
    return " & ".join(
        "(" + " | ".join(_tsquery_term(term, join) for term in group) + ")"
        for group in query.groups
    )


def _tsquery_term(term: Term, join: str) -> str:
    # The words are letters and digits only, so quoting them needs no escaping.
    lexemes = [f"'{word}'" for word in term.words]
    if term.prefix:
        lexemes[-1] += ":*"
    return "(" + join.join(lexemes) + ")"


def pattern(term: Term, flags: int = 0) -> re.Pattern:
    """A regular expression that finds `term` in a lower-cased transcript: its words in a
    row, whole words (the last may be a prefix), anything but letters and digits between
    them. Searching text.lower() with it is five times faster than re.IGNORECASE (measured
    on the benchmark's transcripts), see search.hits_in."""
    words = [re.escape(word) for word in term.words]
    # The boundary before the first word is checked after it, as a fixed-width look-behind:
    # a pattern that starts with a literal lets the engine skip ahead to where it occurs.
    words[0] += rf"(?<![^\W_]{words[0]})"
    if term.prefix:
        words[-1] += r"[^\W_]*"
    return re.compile(r"[\W_]+".join(words) + r"(?![^\W_])", flags)
