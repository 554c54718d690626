"""Full-text search: the same answers on SQLite and PostgreSQL, the index in step with every
change of the transcripts, hits located in code points, withdrawal respected."""

from __future__ import annotations

import pytest
from django.db import connection

from coding import services as coding
from interviews import searchquery, services, sql
from interviews.models import Interview
from interviews.search import hits_in, interviews_matching, text_matches, transcripts_search
from tests.conftest import import_text

TEXTS = {
    "R1": "Interviewer: What helps?\n\nR1: Self-care helps. I don't judge them; stigma is "
    "invisible to most people. Harm reduction works.",
    "R2": "Interviewer: And support?\n\nR2: The stigmatised clients feel unseen. Harm and "
    "reduction are different words here. Café regulars 😀 came back in 2019.",
    "R3": "Interviewer: Anything else?\n\nR3: HARM REDUCTION is what we do, harm-reduction "
    "every day. Self care, too.",
}

# One table of queries, run on whichever database the suite runs on (SQLite by default,
# PostgreSQL under .ci/with-postgres): query -> {respondent: hits}.
TABLE = [
    ("harm", {"R1": 1, "R2": 1, "R3": 2}),
    ('"harm reduction"', {"R1": 1, "R3": 2}),
    ("harm reduction", {"R1": 2, "R2": 2, "R3": 4}),
    ("stigma", {"R1": 1}),
    ("stigma*", {"R1": 1, "R2": 1}),
    ("invisible OR unseen", {"R1": 1, "R2": 1}),
    ("invisible OR unseen stigma*", {"R1": 2, "R2": 2}),
    ('"self care"', {"R1": 1, "R3": 1}),
    ("self-care", {"R1": 1, "R3": 1}),
    ("don't", {"R1": 1}),
    ("café", {"R2": 1}),
    ("CAFÉ regulars", {"R2": 2}),
    ("2019", {"R2": 1}),
    ('"reduction works"', {"R1": 1}),
    ('"harm red*"', {"R1": 1, "R3": 2}),
    ("nowhere", {}),
    ('"reduction harm"', {}),
]


@pytest.fixture
def corpus(study):
    return {name: import_text(study, text, name=f"{name}.txt") for name, text in TEXTS.items()}


def found(study, text: str) -> dict[str, int]:
    _page, results = transcripts_search(study=study, query=searchquery.parse(text))
    return {item.interview.respondent.pseudonym: len(item.hits) for item in results}


@pytest.mark.parametrize(("text", "expected"), TABLE, ids=[row[0] for row in TABLE])
def test_it_finds_the_same_on_every_database(study, corpus, text, expected):
    assert found(study, text) == expected


def test_the_index_finds_what_python_finds(study, corpus):
    """The index is only a filter: it must neither miss an interview nor, for this table,
    let through one without hits."""
    for text, expected in TABLE:
        query = searchquery.parse(text)
        by_index = set(
            interviews_matching(study=study, query=query).values_list(
                "respondent__pseudonym", flat=True
            )
        )
        assert by_index == set(expected), text


def test_hits_are_code_point_spans_of_the_text(study, corpus):
    interview = corpus["R2"]
    hits = hits_in(interview.text, searchquery.parse("regulars came"))
    assert [interview.text[start:end] for start, end in hits] == ["regulars", "came"]
    # After an astral character, code points and UTF-16 units differ by one.
    assert hits[1][0] == interview.text.index("came")


def test_it_leaves_out_withdrawn_respondents_and_brings_them_back(study, corpus):
    respondent = corpus["R1"].respondent
    services.respondent_withdraw(respondent=respondent)
    assert found(study, "harm") == {"R2": 1, "R3": 2}
    services.respondent_reinstate(respondent=respondent)
    assert found(study, "harm") == {"R1": 1, "R2": 1, "R3": 2}


def test_it_keeps_the_index_in_step_with_edits_and_deletions(study, corpus):
    interview = corpus["R1"]
    coding.transcript_edit(
        interview=interview,
        text=interview.text.replace("invisible", "hidden"),
        version=interview.version,
    )
    assert found(study, "invisible") == {}
    assert found(study, "hidden") == {"R1": 1}
    services.interview_delete(interview=interview)
    assert found(study, "hidden") == {}
    services.respondent_delete(respondent=corpus["R2"].respondent)
    assert found(study, "harm") == {"R3": 2}


def test_it_searches_only_its_own_study(study, other_study, corpus):
    import_text(other_study, TEXTS["R1"], name="X1.txt")
    assert found(other_study, "stigma") == {"X1": 1}
    assert found(study, "stigma") == {"R1": 1}


def test_a_long_transcript_finds_a_phrase_beyond_postgresql_positions(study):
    """PostgreSQL counts word positions up to 16,383 only; a phrase said later is found."""
    filler = "\n".join(f"R1: word{n} " + "talk " * 40 for n in range(500))
    import_text(study, "Interviewer: Go on.\n\n" + filler + "\nR1: harm reduction at last.")
    assert found(study, '"harm reduction"') == {"R1": 1}


def test_it_pages_interviews(study, monkeypatch):
    monkeypatch.setattr("interviews.search.PER_PAGE", 2)
    for n in range(5):
        import_text(study, f"Interviewer: Hi.\n\nR{n}: stigma here.", name=f"R{n}.txt")
    page, results = transcripts_search(study=study, query=searchquery.parse("stigma"), page=3)
    assert page.paginator.count == 5
    assert [item.interview.respondent.pseudonym for item in results] == ["R4"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 triggers are SQLite's")
def test_the_index_triggers_survive_every_migration(db):
    """A migration that remakes interviews_interview on SQLite drops its triggers
    (see interviews.sql): the test database is built by all migrations, so this fails then."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    assert names >= sql.SQLITE_TRIGGERS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_postgresql_answers_from_the_index(study, corpus):
    query = searchquery.parse('"harm reduction"')
    with connection.cursor() as cursor:
        # Three rows would be read whole: ask whether the index can answer at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        matching = Interview.objects.filter(text_matches(query)).values("id")
        sql, params = matching.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "interview_text_search" in plan, plan


@pytest.mark.parametrize("before", ["", "İstanbul ", "Straße "])
def test_hits_keep_their_offsets_whatever_lower_casing_does(before):
    """ "İ" lower-cases to two code points: the hits must still be offsets of the text."""
    text = f"R1: {before}we said HARM reduction, then harm-reduction."
    hits = hits_in(text, searchquery.parse('"harm reduction"'))
    assert [text[start:end] for start, end in hits] == ["HARM reduction", "harm-reduction"]
