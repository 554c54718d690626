"""The themes app's SQL statements: the only ones it writes by hand.

Each is here because it measured much slower through the ORM on a page users wait on, page
after page: the retrieval page, whose every page (50 excerpts) reads the first two, and
the history page (its records and its bin). The ORM's cost is building and compiling the
query (its Exists, Subquery and Substr expressions, an `__in` of ids prepared one by one),
not the database's work, which is a fraction of a millisecond. Figures: the benchmark's
default study (200 interviews of 8,000 words, 20,000 excerpts; SQLite), CPU time (thread
time, median of 30 calls unless said) on the shared 2-core machine under load, the ORM query
(the same columns) against this statement. Everything else goes through the ORM. Parameters
are always bound by the driver, never formatted into the text.

The REFI-QDA import (themes.exchange.qdpx_import) writes every excerpt and coding of a
project at once, with a history record of each. Django's bulk_create prepares every value
of every row through its field in Python: 20,000 excerpts took 4.6 s through bulk_create,
against 0.8 s for the same rows through one prepared statement run per row (executemany;
SQLite, the benchmark's scratch study at a quarter of its scale, load average 9 on the
shared 2-core machine). Their history records are copied from them by
interviews.history.records_insert. Table and column names come from the models' own
metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import DateTimeField, Model, Value

from coding.models import Code, CodeMemo, Coding, DeletedCode, Excerpt
from interviews.models import Interview, InterviewMemo, JournalEntry, Membership, QuestionSegment

from .models import Theme, ThemeMemo

_MEMBER = f"SELECT 1 FROM {Membership._meta.db_table} m WHERE m.study_id = %s AND m.user_id = u.id"

# Everyone who applied a code to one of the study's live excerpts (Coding.coder, as the
# retrieval page's "Coded by" selects: retrieval.CODER_RULE), members or not any more (on
# every page; a member who never coded, a reviewer say, would be a choice that finds
# nothing). Who made the excerpt is not read: a coder who only added codes to excerpts
# another made coded too. ORM (two Exists on the user table, the same rows)
# 1.42-1.56 ms of CPU, this 0.05 ms (the benchmark's default-scale study, medians
# of 300 calls interleaved, load 6 on 2 cores); the database's part is 0.02 ms either
# way. Kept: the 1.4 ms comes on each of the 15 pages of retrieval_code's pass over the
# biggest code (about 21 ms of it, issue 10).
_STUDY_CODERS = f"""
    SELECT u.id, u.username, EXISTS ({_MEMBER})
    FROM {get_user_model()._meta.db_table} u
    WHERE EXISTS (
        SELECT 1 FROM {Coding._meta.db_table} c
        INNER JOIN {Excerpt._meta.db_table} e ON e.id = c.excerpt_id
        INNER JOIN {Interview._meta.db_table} i ON i.id = c.interview_id
        WHERE c.coder_id = u.id AND e.deleted_at IS NULL AND i.study_id = %s
    )
"""

# The first code point of an excerpt's context: CONTEXT_CHARS before its start, or the
# transcript's start (SUBSTR counts from 1, and SQLite counts a negative start from the end).
_FIRST = "CASE WHEN e.start > %s THEN e.start - %s ELSE 0 END"

# One page of the retrieval page's results (50 excerpts): each excerpt, the question of the
# part of its interview it starts in (the latest-starting part, as
# themes.retrieval.question_of), the transcript around it in one substring, and its coder's
# name. ORM (values() with Substr, Greatest and a Subquery) 3.6-3.8 ms, this 1.4 ms.
_RESULT_EXCERPTS = f"""
    SELECT e.id, e.interview_id, e.start, e."end", e.text, e.memo, e.created_at,
        e.interviewer_only,
        (
            SELECT s.question_id FROM {QuestionSegment._meta.db_table} s
            WHERE s.interview_id = e.interview_id AND s.start <= e.start AND s."end" > e.start
            ORDER BY s.start DESC LIMIT 1
        ),
        SUBSTR(i.text, {_FIRST} + 1, e."end" + %s - {_FIRST}),
        u.username
    FROM {Excerpt._meta.db_table} e
    INNER JOIN {Interview._meta.db_table} i ON i.id = e.interview_id
    LEFT OUTER JOIN {get_user_model()._meta.db_table} u ON u.id = e.coder_id
    WHERE e.deleted_at IS NULL AND e.id IN ({{ids}})
"""
RESULT_FIELDS = (
    "id",
    "interview_id",
    "start",
    "end",
    "text",
    "memo",
    "created_at",
    "interviewer_only",
    "question_id",
    "context",
    "coder_name",
)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def study_coders(study_id: int) -> list[dict]:
    """Everyone who applied a code to one of the study's live excerpts, former members
    included (no member who never coded): id, username, member (bool); by username
    whatever the case ("adam", "Bea", "cody"), sorted here so that the order is the same
    on SQLite and PostgreSQL, whose collations differ."""
    rows = _fetch(_STUDY_CODERS, [study_id, study_id])
    coders = [{"id": pk, "username": name, "member": bool(member)} for pk, name, member in rows]
    coders.sort(key=lambda coder: (coder["username"].casefold(), coder["username"], coder["id"]))
    return coders


def result_excerpts(ids: list[int], context_chars: int) -> list[dict]:
    """The live excerpts of `ids` (any order; at most a page of them, each id a bound
    parameter), each a dict of RESULT_FIELDS: created_at an aware datetime, question_id a
    ProtocolQuestion id or None, context the transcript from `context_chars` code points
    before the excerpt's start (or the transcript's start) to `context_chars` after its
    end, coder_name None when its coder's account is gone, interviewer_only a bool
    (Excerpt.interviewer_only)."""
    if not ids:
        return []
    sql = _RESULT_EXCERPTS.format(ids=", ".join(["%s"] * len(ids)))
    first = [context_chars, context_chars]
    rows = _fetch(sql, [*first, context_chars, *first, *ids])
    # The database's value as Django's DateTimeField reads it (SQLite stores text).
    expression = Value(None, output_field=DateTimeField())
    converters = connection.ops.get_db_converters(expression)
    found = []
    for row in rows:
        found.append(dict(zip(RESULT_FIELDS, row, strict=True)))
        # SQLite returns a boolean column as 0 or 1.
        found[-1]["interviewer_only"] = bool(found[-1]["interviewer_only"])
        for converter in converters:
            found[-1]["created_at"] = converter(found[-1]["created_at"], expression, connection)
    return found


# The REFI-QDA import's rows ----------------------------------------------------------------


def _column(name: str) -> str:
    return connection.ops.quote_name(name)


def _field(model: type[Model], attname: str):
    """The concrete field of `model` whose attname is `attname` ("coder_id": coder)."""
    return next(f for f in model._meta.concrete_fields if f.attname == attname)


def rows_insert(model: type[Model], attnames: Sequence[str], rows: list[tuple]) -> None:
    """INSERT one row of `model`'s table per tuple of `rows`, its values in the order of
    `attnames` (field attnames, the id left to the database), as the database stores
    them (see prepared). One statement, run once per row; none for no rows."""
    if not rows:
        return
    fields = [_field(model, name) for name in attnames]
    columns = ", ".join(_column(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {_column(model._meta.db_table)} ({columns}) VALUES ({marks})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def prepared(model: type[Model], attname: str, value):
    """`value` of the field `attname` of `model` as the database stores it (a datetime as
    SQLite's text, say): for values shared by every row of rows_insert, prepared once."""
    return _field(model, attname).get_db_prep_save(value, connection)


# The bin on the history page ----------------------------------------------------------------

_TRANSCRIPTS = f"SELECT i.id FROM {Interview._meta.db_table} i WHERE i.study_id = %s"
_THEMES = f"SELECT t.id FROM {Theme._meta.db_table} t WHERE t.study_id = %s"
_CODES = f"SELECT c.id FROM {Code._meta.db_table} c WHERE c.study_id = %s"
_HISTORICAL_THEME = Theme.history.model._meta.db_table

# One page of what the study's bin holds, newest deletion first, with how many it holds in
# all (a window over the whole bin, before the LIMIT), on every history page: ORM (a
# UNION of seven querysets with their subqueries, built and compiled twice, for the
# Paginator's count and for the page) 7.6 ms, this 0.4 ms; the database's part is 0.2 ms
# either way. A deleted excerpt is found from the partial index of deleted excerpts (the
# first subquery) and kept when its transcript is the study's; a theme is in the bin when
# its newest record is its deletion (as themes.services.theme_restore requires) and it is
# not back; a code's memos wait with their deleted code, out of the bin.
_BIN_PAGE = f"""
    SELECT kind, id, COUNT(*) OVER () FROM (
        SELECT 'excerpt' AS kind, e.id AS id, e.deleted_at AS at
        FROM {Excerpt._meta.db_table} e
        WHERE e.id IN (
            SELECT d.id FROM {Excerpt._meta.db_table} d WHERE d.deleted_at IS NOT NULL
        ) AND e.interview_id IN ({_TRANSCRIPTS})
        UNION ALL
        SELECT 'code', c.id, c.deleted_at FROM {DeletedCode._meta.db_table} c
        WHERE c.study_id = %s
        UNION ALL
        SELECT 'theme', h.history_id, h.history_date FROM {_HISTORICAL_THEME} h
        WHERE h.history_study_id = %s AND h.history_type = '-' AND h.id NOT IN ({_THEMES})
            AND NOT EXISTS (
                SELECT 1 FROM {_HISTORICAL_THEME} n
                WHERE n.id = h.id AND n.history_id > h.history_id
            )
        UNION ALL
        SELECT 'memo-journal', m.id, m.deleted_at FROM {JournalEntry._meta.db_table} m
        WHERE m.study_id = %s AND m.deleted_at IS NOT NULL
        UNION ALL
        SELECT 'memo-interview', m.id, m.deleted_at FROM {InterviewMemo._meta.db_table} m
        WHERE m.deleted_at IS NOT NULL AND m.interview_id IN ({_TRANSCRIPTS})
        UNION ALL
        SELECT 'memo-code', m.id, m.deleted_at FROM {CodeMemo._meta.db_table} m
        WHERE m.deleted_at IS NOT NULL AND m.code_id IN ({_CODES})
        UNION ALL
        SELECT 'memo-theme', m.id, m.deleted_at FROM {ThemeMemo._meta.db_table} m
        WHERE m.deleted_at IS NOT NULL AND m.theme_id IN ({_THEMES})
    ) bin
    ORDER BY at DESC, kind, id DESC
    LIMIT %s OFFSET %s
"""


def bin_page(study_id: int, limit: int, offset: int) -> tuple[list[tuple[str, int]], int]:
    """Rows `offset` to `offset + limit` of the study's bin, newest deletion first (ties by
    kind, then newest id), as (kind, id) pairs: kind "excerpt" (an Excerpt's id), "code" (a
    DeletedCode's), "theme" (the history record of its deletion) or "memo-<kind>" (the
    memo's: journal, interview, code, theme); and how many the bin holds in all, or None
    when the page is past its end (no row to count on)."""
    rows = _fetch(_BIN_PAGE, [study_id] * 8 + [limit, offset])
    return [(kind, pk) for kind, pk, _ in rows], (rows[0][2] if rows else None)


# The history page's records -------------------------------------------------------------------

# The keys of one page of the study's history (50 records) under its filters, newest first:
# a UNION over the eleven historical tables, each read in the order of its index
# (history_study_id, history_date DESC, history_id DESC), on every history page: ORM (eleven
# querysets with their filters and an annotation, unioned, built, compiled and run) 3.9 ms,
# this 0.2 ms; the database's part is 0.1 ms either way.
#
# A page starts after a key (the last record of the page before), never at an OFFSET: each
# table seeks its index to the key (its records of the key's moment after the key's id,
# then those of older moments: two ranges of the index) and reads its next 51 rows, so the
# last page of a long history costs what the first does. With OFFSET every record before
# the page was read (and on PostgreSQL sorted) to be thrown away. The last page of 100,000
# records (two tables of 50,000, written in bulk 500 to a moment; SQLite, median of 15,
# load on the shared 2-core machine): by OFFSET 140 ms, by key 0.04 ms, as the first page.


def history_records_statement(
    tables: Sequence[tuple[int, str]],
    study_id: int,
    *,
    user_id: int | None,
    since: datetime | None,
    before: datetime | None,
    beyond: tuple[datetime, int, int] | None,
    newer: bool = False,
    limit: int,
) -> tuple[str, list]:
    """The statement (and its parameters) of the first `limit` records of `tables`
    ((part, historical table name) pairs) of the study, made by `user_id` (any when None)
    at or after `since` and before `before` (aware datetimes; no bound when None), in the
    history's order: newest first by history_date, then history_id, then part (the
    tables' records share ids and moments). `beyond`: a key (history_date, history_id,
    part) the rows come strictly after in that order (older), or strictly before it when
    `newer` (then the order is reversed: oldest first, the nearest the key first); None
    starts at the newest (or the oldest). Rows: (history_date, history_id, part)."""
    where, params = ["history_study_id = %s"], [study_id]
    if user_id is not None:
        where.append("history_user_id = %s")
        params.append(user_id)
    for bound, operator in ((since, ">="), (before, "<")):
        if bound is not None:
            where.append(f"history_date {operator} %s")
            params.append(connection.ops.adapt_datetimefield_value(bound))
    way = "ASC" if newer else "DESC"
    order = f"ORDER BY history_date {way}, history_id {way}"
    # PostgreSQL appends the branches of a UNION and sorts them all (it does not merge them
    # in index order as SQLite does): each brings only its first `limit` rows, read in the
    # order of its index. SQLite allows no ORDER BY inside a UNION.
    each = (len(tables) > 1 or beyond is not None) and (
        connection.features.supports_slicing_ordering_in_compound
    )
    branches, values = [], []
    for part, table in tables:
        seeks: list[tuple[str, list]] = [("", [])]
        if beyond is not None:
            when, history_id, at = beyond
            moment = connection.ops.adapt_datetimefield_value(when)
            # The key's own (history_date, history_id) in a table whose part comes after
            # the key's part (a smaller one when older) is beyond the key too.
            same_too = part > at if newer else part < at
            beyond_id = (">" if newer else "<") + ("=" if same_too else "")
            # Two branches, not "(history_date, history_id) < (%s, %s)": history_id is
            # SQLite's rowid, which its row-value range does not reach, so it read every
            # record of the key's moment before it (a bulk write gives thousands one
            # moment: 80 ms for 200,000). Each of these is a range of the index.
            seeks = [
                (f" AND history_date = %s AND history_id {beyond_id} %s", [moment, history_id]),
                (f" AND history_date {'>' if newer else '<'} %s", [moment]),
            ]
        for seek, sought in seeks:
            branch = (
                f"SELECT history_date, history_id, {part} AS part FROM {_column(table)} "
                f"WHERE {' AND '.join(where)}{seek}"
            )
            values += params + sought
            if each:
                branch = f"({branch} {order} LIMIT %s)"
                values.append(limit)
            branches.append(branch)
    return f"{' UNION ALL '.join(branches)} {order}, part {way} LIMIT %s", [*values, limit]


def history_records(statement: str, params: list) -> list[tuple[int, int]]:
    """(part, history_id) of the rows of a history_records_statement, in its order."""
    return [(part, pk) for _, pk, part in _fetch(statement, params)]
