"""The coding app's SQL statements: the only ones it writes by hand.

Each is here because the ORM could not do it (a lock it does not offer) or because it
measured much slower through the ORM on a path users wait on; the measurement is written
beside it. Figures come from the benchmark's study (20 interviews of 8,000 words, 2,000
excerpts, 60 codes; SQLite, best of 5 x 300 calls) on the shared 2-core machine under load,
ORM query (values_list, the same columns) against this statement. Everything else goes
through the ORM. Parameters are always bound by the driver, never formatted into the text.
"""

from __future__ import annotations

from django.db import connection

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

# Not for speed: Django's select_for_update() offers FOR UPDATE and FOR NO KEY UPDATE but not
# FOR KEY SHARE, the lock a foreign key takes. With it, coders applying one code do not queue
# behind each other; only a merge or delete of the code waits for them (and they for it).
_CODES_LEFT = f"SELECT id FROM {Code._meta.db_table} WHERE id IN ({{}}) ORDER BY id"


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


def codes_hold(code_ids: list[int]) -> int:
    """Inside a transaction: how many of `code_ids` (sorted, so that locks are taken in one
    order) still exist, keeping them until the transaction ends: FOR KEY SHARE on
    PostgreSQL; on SQLite the IMMEDIATE transaction already keeps them."""
    sql = _CODES_LEFT.format(", ".join(["%s"] * len(code_ids)))
    if connection.vendor == "postgresql":
        sql += " FOR KEY SHARE"
    return len(_fetch(sql, code_ids))
