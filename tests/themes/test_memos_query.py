"""The memos page reads the excerpts that carry a memo through their partial index, not by
scanning every excerpt of the study (coding.Excerpt's index excerpt_memo)."""

from __future__ import annotations

from django.db import connection

from themes.memos import MemoFilter, _part


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test's tables are tiny: the planner would read them whole whatever the
            # indexes. Refusing it sequential scans asks which index it can use at all.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(str(row) for row in cursor.fetchall())


def test_the_excerpt_memos_are_found_through_their_partial_index(study):
    sql, params = _part("excerpt", study, MemoFilter()).query.sql_with_params()
    assert "excerpt_memo" in _plan(sql, params)
