"""The coding app's SQL statements: the only ones it writes by hand.

Each is here because the ORM could not do it (a lock it does not offer) or because it
measured much slower through the ORM on a path users wait on; the measurement is written
beside it. Figures come from the benchmark's study (20 interviews of 8,000 words, 2,000
excerpts, 60 codes; SQLite, best of 5 x 300 calls) on the shared 2-core machine under load,
ORM query (values_list, the same columns) against this statement. Everything else goes
through the ORM. Parameters are always bound by the driver, never formatted into the text.
"""

from __future__ import annotations

import json

from django.db import connection

from interviews.models import Interview

from .models import Code, Coding, Excerpt

# The study's codes for every coding page and every edit on it (60 codes): ORM 1.58-1.78 ms,
# this 0.31-0.36 ms.
_CODE_ROWS = f"""
    SELECT id, name, colour, parent_id FROM {Code._meta.db_table}
    WHERE study_id = %s ORDER BY "order", name
"""

# An interview's live excerpts with their codes, a row per code, for the highlight renderer:
# the whole 400-excerpt transcript (802 rows) ORM 8.4-9.9 ms, this 6.9-7.3 ms; the few lines
# an edit redraws (11 rows) ORM 2.4-3.1 ms, this 0.18-0.20 ms.
_EXCERPT_ROWS = f"""
    SELECT e.id, e.start, e."end", e.text, e.memo, e.revision, e.status, c.code_id
    FROM {Excerpt._meta.db_table} e
    LEFT OUTER JOIN {Coding._meta.db_table} c ON c.excerpt_id = e.id
    WHERE e.interview_id = %s AND e.deleted_at IS NULL {{window}}
    ORDER BY e.start, e."end", e.id
"""
_WINDOW = 'AND e.start < %s AND e."end" > %s'

# The same rows for the lines an edit redraws, each with its code's name, colour and parent
# (codebook order within an excerpt: the codebook's "order", then name, as _CODE_ROWS): a
# coded selection's answer then draws them without reading the study's codes first (one
# statement fewer; see _SELECTION_CHECKS for the figures).
_EXCERPT_ROWS_CODED = f"""
    SELECT e.id, e.start, e."end", e.text, e.memo, e.revision, e.status,
        k.id, k.name, k.colour, k.parent_id
    FROM {Excerpt._meta.db_table} e
    LEFT OUTER JOIN {Coding._meta.db_table} c ON c.excerpt_id = e.id
    LEFT OUTER JOIN {Code._meta.db_table} k ON k.id = c.code_id
    WHERE e.interview_id = %s AND e.deleted_at IS NULL AND e.start < %s AND e."end" > %s
    ORDER BY e.start, e."end", e.id, k."order", k.name
"""

# The bounds of an interview's live excerpts, read on every edit of the coding page to find
# the lines it redraws (selectors.excerpt_bounds): 400 excerpts ORM (values_list) 3.6-4.0
# ms, this 1.0-1.3 ms (SQLite, best of 5 x 300 calls, load average 8 on the 2-core machine).
_EXCERPT_BOUNDS = (
    f'SELECT start, "end" FROM {Excerpt._meta.db_table} '
    "WHERE interview_id = %s AND deleted_at IS NULL"
)

# Not for speed: Django's select_for_update() offers FOR UPDATE and FOR NO KEY UPDATE but not
# FOR KEY SHARE, the lock a foreign key takes. With it, coders applying one code do not queue
# behind each other; only a merge or delete of the code waits for them (and they for it).
_CODES_LEFT = f"SELECT id FROM {Code._meta.db_table} WHERE id IN ({{}}) ORDER BY id"


# A selection's checks in one statement (services._hold_span): the transcript's version,
# held until the transaction ends (FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE
# transaction holds the database); the live excerpt of exactly this span, if any; the chosen
# codes of the interview's study that still exist, held as codes_hold holds them, with what
# the answer shows of them (id, name, colour, parent), as a JSON array; and, when asked, the
# bounds of the interview's live excerpts (JSON), which the answer's redraw needs
# (workspace.changes_html): read here under the same lock, they are the bounds after the
# write but for the excerpt the write adds. Through the ORM (a Subquery annotation on
# select_for_update(), then codes_hold): two statements, 4.4-5.3 ms the pair; this one
# 0.15-0.16 ms (a 400-excerpt interview, SQLite, best of 5 x 300 calls, load average 8 on
# the 2-core machine). Reading the codes and the bounds here, not in two statements of
# their own (the study's codes, the bounds), took a coded selection from 6.7 to 6.3 ms
# of CPU in-process (medians of 300, the benchmark's default-scale study, load 3 on 2 cores).
_SELECTION_CHECKS = f"""
    SELECT i.version,
        (SELECT e.id FROM {Excerpt._meta.db_table} e
         WHERE e.interview_id = i.id AND e.start = %s AND e."end" = %s
             AND e.deleted_at IS NULL
         ORDER BY e.id LIMIT 1),
        (SELECT {{codes_json}} FROM {{codes}}),
        {{bounds}}
    FROM {Interview._meta.db_table} i WHERE i.id = %s {{lock}}
"""
_CODES_IN = f"{Code._meta.db_table} k WHERE k.id IN ({{}}) AND k.study_id = %s"
_CODES_JSON = {
    "sqlite": "json_group_array(json_array(k.id, k.name, k.colour, k.parent_id))",
    "postgresql": "json_agg(json_build_array(k.id, k.name, k.colour, k.parent_id))",
}
_BOUNDS_JSON = {
    "sqlite": 'json_group_array(json_array(b.start, b."end"))',
    "postgresql": 'json_agg(json_build_array(b.start, b."end"))',
}
_BOUNDS = f"""(SELECT {{}} FROM {Excerpt._meta.db_table} b
    WHERE b.interview_id = i.id AND b.deleted_at IS NULL)"""
# PostgreSQL takes the codes' locks in a CTE: a locking clause cannot stand in a scalar
# subquery with an aggregate. Every writer of a study holds the study's row first (its
# revision bump), so the order of these locks within the statement cannot deadlock two
# writers.
_CODES_HELD_PG = f"""
    WITH held AS (SELECT id, name, colour, parent_id FROM {Code._meta.db_table}
        WHERE id IN ({{}}) AND study_id = %s ORDER BY id FOR KEY SHARE)
"""

# Excerpts moved with their words by an edit or a de-identification of their transcript, and
# the texts a de-identification scrubs: Django's bulk_update writes a CASE WHEN per row and
# field, and building those took 49 of the 56 s of a five-name de-identification of 50
# transcripts of 8,000 words with 5,000 excerpts (profiled, load 9 on 2 cores); one
# prepared statement run per row (executemany) takes milliseconds.
_EXCERPT_MOVE = f"""
    UPDATE {Excerpt._meta.db_table}
    SET start = %s, "end" = %s, text = %s, status = %s, previous_text = %s,
        interviewer_only = %s, revision = %s
    WHERE id = %s
"""
_EXCERPT_TEXTS = f"UPDATE {Excerpt._meta.db_table} SET memo = %s, previous_text = %s WHERE id = %s"


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def code_rows(study_id: int) -> list[tuple[int, str, str, int | None]]:
    """(id, name, colour, parent id) of a study's codes, in codebook order."""
    return _fetch(_CODE_ROWS, [study_id])


def excerpt_rows(
    interview_id: int, window: tuple[int, int] | None = None
) -> list[tuple[int, int, int, str, str, int, str, int | None]]:
    """(id, start, end, text, memo, revision, status, code id or None) of an interview's
    live excerpts, a row per code, in text order; only those touching the `window`
    (start, end in code points) if given."""
    if window is None:
        return _fetch(_EXCERPT_ROWS.format(window=""), [interview_id])
    start, end = window
    return _fetch(_EXCERPT_ROWS.format(window=_WINDOW), [interview_id, end, start])


def excerpt_rows_coded(
    interview_id: int, window: tuple[int, int]
) -> list[tuple[int, int, int, str, str, int, str, int | None, str, str, int | None]]:
    """(id, start, end, text, memo, revision, status, then the code's id, name, colour and
    parent id, or four None) of an interview's live excerpts touching the `window` (start,
    end in code points), a row per code, in text order and each excerpt's codes in
    codebook order."""
    start, end = window
    return _fetch(_EXCERPT_ROWS_CODED, [interview_id, end, start])


def excerpt_bounds(interview_id: int) -> list[tuple[int, int]]:
    """(start, end) in code points of every live excerpt of an interview, in no order."""
    return _fetch(_EXCERPT_BOUNDS, [interview_id])


def codes_hold(code_ids: list[int]) -> int:
    """Inside a transaction: how many of `code_ids` (sorted, so that locks are taken in one
    order) still exist, keeping them until the transaction ends: FOR KEY SHARE on
    PostgreSQL; on SQLite the IMMEDIATE transaction already keeps them."""
    sql = _CODES_LEFT.format(", ".join(["%s"] * len(code_ids)))
    if connection.vendor == "postgresql":
        sql += " FOR KEY SHARE"
    return len(_fetch(sql, code_ids))


def selection_checks(
    interview_id: int,
    study_id: int,
    start: int,
    end: int,
    code_ids: list[int],
    *,
    bounds: bool = False,
) -> tuple[int, int | None, list[list], list[list[int]] | None] | None:
    """Inside a transaction: (the interview's version, the id of its live excerpt spanning
    exactly [start, end) in code points or None, [id, name, colour, parent id] of those
    of `code_ids` (sorted) that are codes of the study `study_id`, in no order, and with
    `bounds` [start, end] of every live excerpt of the interview, in no order, else
    None), holding the interview and those codes until the transaction ends; None when
    there is no such interview. One statement."""
    marks = ", ".join(["%s"] * len(code_ids)) or "NULL"
    vendor = connection.vendor
    read_bounds = _BOUNDS.format(_BOUNDS_JSON[vendor]) if bounds else "NULL"
    if vendor == "postgresql":
        sql = _CODES_HELD_PG.format(marks) + _SELECTION_CHECKS.format(
            codes_json=_CODES_JSON[vendor],
            codes="held k",
            bounds=read_bounds,
            lock="FOR UPDATE OF i",
        )
        params = [*code_ids, study_id, start, end, interview_id]
    else:
        sql = _SELECTION_CHECKS.format(
            codes_json=_CODES_JSON[vendor],
            codes=_CODES_IN.format(marks),
            bounds=read_bounds,
            lock="",
        )
        params = [start, end, *code_ids, study_id, interview_id]
    rows = _fetch(sql, params)
    if not rows:
        return None
    version, same_id, codes, found = rows[0]
    # The bounds stay [start, end] lists (the aggregate's own), made into nothing else:
    # a few hundred of them are read on every coded selection.
    return version, same_id, _json(codes) or [], (_json(found) or []) if bounds else None


def _json(value):
    """A JSON aggregate as Python: SQLite gives its text, PostgreSQL's driver may give it
    parsed already; an aggregate of no rows is NULL on PostgreSQL."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _each(sql: str, rows: list[tuple]) -> None:
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def excerpts_move(rows: list[tuple[int, int, str, str, str, bool, int, int]]) -> None:
    """Save where excerpts now are: (start, end, text, status, previous_text,
    interviewer_only, revision, id) a row; one statement, run once per row (none for no
    rows)."""
    _each(_EXCERPT_MOVE, rows)


def excerpts_texts_set(rows: list[tuple[str, str, int]]) -> None:
    """Save excerpts' memos and former words: (memo, previous_text, id) a row (as above)."""
    _each(_EXCERPT_TEXTS, rows)
