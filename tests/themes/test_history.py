"""How the history page reads the study's records: in the order of their index, never by
sorting them all (issue 11: the page under 50 ms with tens of thousands of records)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.utils import timezone

from coding import services as coding
from coding.models import Excerpt
from interviews.history import recorded_models
from tests.conftest import code_span, import_text
from themes import sql
from themes.history import KINDS, MODELS, HistoryFilter, Key, _records


def _plan(statement: str, params: list) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test tables are tiny, so the planner would sort them anyway; forbidding
            # sorts shows whether an index gives the order (a forbidden sort still shows,
            # as "Sort", when nothing else can).
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_incremental_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + statement, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize("keyed", [False, True])
@pytest.mark.parametrize("kind", [None, "memo", "excerpt"])
def test_a_page_of_records_comes_in_index_order_without_a_sort(study, owner, kind, keyed):
    interview = import_text(study)
    code = coding.code_create(study=study, name="Support")
    # One bulk write: many records of the same history_date, ordered by history_id.
    code_span(interview, "About six years now", [code], owner)
    code_span(interview, "never looked back", [code], owner)
    Excerpt.objects.filter(interview=interview).update(memo="Both")
    # A later page seeks its index to the key it starts after: no OFFSET, no page read
    # and thrown away before it (the part, 4, is between the memos' and the excerpts').
    key = Key(timezone.now(), 10**6, 4) if keyed else None
    statement, params = _records(study, HistoryFilter(kind=kind), key, 51)
    assert "OFFSET" not in statement
    plan = _plan(statement, params)
    if keyed and connection.vendor == "sqlite":
        # Each table twice: its records of the key's moment before the key's id, then those
        # of older moments, both ranges of its index.
        tables = len(KINDS[kind][1] if kind else MODELS)
        assert plan.count("(history_study_id=? AND history_date=? AND history_id<") == tables
        assert plan.count("(history_study_id=? AND history_date<?)") == tables
    # SQLite merges the branches in index order; without the index it sorts ("USE TEMP
    # B-TREE FOR (RIGHT PART OF) ORDER BY").
    assert "TEMP B-TREE" not in plan
    if connection.vendor == "postgresql":
        # PostgreSQL sorts the branches' rows once, but each branch reads only its newest
        # 51, in the order of its index: a Limit over an index scan, no Sort of its own;
        # after a key, two branches a table, each a range of the index.
        branches = len(KINDS[kind][1] if kind else MODELS) * (2 if keyed else 1)
        assert plan.count("Sort Key") == (1 if branches > 1 else 0)
        assert plan.count("Limit") == branches + (1 if branches > 1 else 0)
        # Which index PostgreSQL reads each range from, and how, it decides from statistics
        # that the suite's earlier writes change: in a full run four branches of 24 were not
        # index-only scans of the history index (that plan was not kept). The ranges
        # themselves are checked on SQLite, above; here, that each branch is read in order
        # from an index (a bitmap scan would need a Sort), never sorted, never scanned whole.
        scans = re.findall(r"(?<!Bitmap )Index (?:Only )?Scan (?:Backward )?using", plan)
        assert len(scans) == branches, plan
        assert "Seq Scan" not in plan


def test_the_page_is_in_the_order_of_the_index(study, owner):
    interview = import_text(study)
    code = coding.code_create(study=study, name="Support")
    for words in ("About six years now", "never looked back", "Café regulars"):
        code_span(interview, words, [code], owner)
    Excerpt.objects.filter(interview=interview).update(memo="Same moment")
    statement, params = _records(study, HistoryFilter(), None, 51)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    # history_date as the database stores it (text on SQLite: ISO 8601, which sorts alike).
    keys = [(str(date), pk) for date, pk, _ in rows]
    assert keys == sorted(keys, reverse=True)
    # The three memo records were written at one moment, newest id first.
    assert rows[0][0] == rows[2][0]
    assert rows[0][1] > rows[1][1] > rows[2][1]
    assert {MODELS[part] for _, _, part in rows[:3]} == {Excerpt}


def test_every_recorded_model_is_a_kind_of_the_page():
    shown = {model for _, models in KINDS.values() for model in models}
    assert shown == set(recorded_models())


def test_the_bin_is_found_from_the_index_of_deleted_excerpts(study, owner):
    if connection.vendor != "sqlite":
        pytest.skip(
            "PostgreSQL plans from the tables' statistics: on a test's few rows every plan "
            "costs the same, so none can be asserted"
        )
    interview = import_text(study)
    code = coding.code_create(study=study, name="Support")
    excerpt = code_span(interview, "never looked back", [code], owner)
    coding.excerpt_delete(excerpt=excerpt, actor=owner)
    plan = _plan(sql._BIN_PAGE, [study.pk] * 8 + [20, 0])
    # From the partial index of deleted excerpts to their rows by key, never through every
    # excerpt of the study's transcripts (excerpt_interview_start, 8.6 ms for a bin of 100
    # among 20,000 excerpts at the benchmark's default scale).
    assert "excerpt_deleted" in plan
    assert "excerpt_interview_start" not in plan
    assert "coding_excerpt_interview_id" not in plan
