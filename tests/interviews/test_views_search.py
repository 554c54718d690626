"""The search page: access, refusals of a malformed query, escaping, hit links, queries."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviews import searchquery
from interviews.search import interviews_matching
from tests.conftest import TRANSCRIPT, client_for, import_text


def search_url(study, q=None, page=None):
    url = reverse("transcript_search", args=[study.slug])
    if q is None:
        return url
    return (
        url
        + "?"
        + "&".join(
            f"{key}={value}" for key, value in (("q", q), ("page", page)) if value is not None
        )
    )


def test_it_shows_hits_in_context_grouped_by_interview(study, owner, interview):
    html = client_for(owner).get(search_url(study, '"nobody else"')).content.decode()
    assert "Found in 1 interview." in html
    start = interview.text.index("nobody else")
    at = f"{reverse('interview_code', args=[study.slug, interview.pk])}?at={start}-{start + 11}"
    # The link's name goes on after the marked words, in words a screen reader says and
    # a sighted user does not see: whose answer, to which question, and the words around.
    name = ", R1, Q2: “Honestly, the ones nobody else will see. Café”"
    hidden = f'<span class="visually-hidden">{name}</span>'
    assert f'<a href="{at}"><mark>nobody else</mark>{hidden}</a>' in html
    assert "Honestly, the ones" in html


def test_a_hit_in_the_interviewers_line_is_named_as_the_interviewers(study, owner, interview):
    """A hit in the interviewer's question is not named as R1's answer: its link says
    "Interviewer to R1, Q1", as the Excerpts page attributes an excerpt of those words
    (interviews.turns.interviewer_only); R1's answer keeps "R1, Q1"."""
    html = client_for(owner).get(search_url(study, "harm")).content.decode()
    names = re.findall(r'<span class="visually-hidden">([^<]*)</span></a>', html)
    assert names == [", Interviewer to R1, Q1: “you been implementing harm reduction in your”"]
    html = client_for(owner).get(search_url(study, "shelter")).content.decode()
    names = re.findall(r'<span class="visually-hidden">([^<]*)</span></a>', html)
    assert names == [", R1, Q1: “started at the shelter 😀 and never”"]


def test_each_hit_is_named_by_where_it_is(study, owner):
    """Two hits of one word in one answer read alike no more: each link's hidden words
    name the respondent, the question and the words around it (escaped, they are the
    transcript's); a hit outside every question's part names the respondent only."""
    import_text(
        study,
        "Some <b>support</b> before any question.\n\n" + TRANSCRIPT + " More support here.",
        name="R1.txt",
    )
    html = client_for(owner).get(search_url(study, "support")).content.decode()
    names = re.findall(r'<span class="visually-hidden">([^<]*)</span></a>', html)
    assert names == [
        ", R1: “Some &lt;b&gt;support&lt;/b&gt; before any question.”",
        ", R1, Q2: “judge them. More support here.”",
    ]


def test_it_escapes_the_transcript_and_the_query(study, owner):
    import_text(study, "Interviewer: Hi.\n\nR1: <script>alert(1)</script> & stigma <b>here</b>")
    html = client_for(owner).get(search_url(study, "stigma")).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; <a href=" in html
    assert "<mark>stigma</mark><span" in html
    assert "</span></a> &lt;b&gt;here&lt;/b&gt;" in html
    # The hit's name, after its marked word, holds the words around it escaped too.
    assert (
        "“R1: &lt;script&gt;alert(1)&lt;/script&gt; &amp; stigma &lt;b&gt;here&lt;/b&gt;”</span>"
        in html
    )


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ('"harm reduction', "missing its closing quote"),
        ("OR harm", "OR goes between two words"),
        ("ha*rm", "a * may only end a word"),
        ("harm &", "has no letters or digits"),
    ],
)
def test_it_refuses_a_malformed_query_with_a_message(study, owner, interview, q, message):
    response = client_for(owner).get(search_url(study, quote(q)))
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.parametrize("page", ["x", "-1", "0"])
def test_a_page_that_is_not_one_shows_the_first(study, owner, interview, page):
    # It was an invalid form with no field to show the error beside: an empty page.
    html = client_for(owner).get(search_url(study, "nobody", page=page)).content.decode()
    assert "Found in 1 interview." in html


def test_a_reviewer_can_search(study, reviewer, interview):
    response = client_for(reviewer).get(search_url(study, "harm"))
    assert response.status_code == 200
    assert "<mark>harm</mark>" in response.content.decode()


def test_it_refuses_strangers_and_anonymous_users(study, stranger, client):
    assert client_for(stranger).get(search_url(study, "harm")).status_code == 404
    response = client.get(search_url(study, "harm"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_it_rejects_post(study, owner):
    assert client_for(owner).post(search_url(study)).status_code == 405


def test_it_shows_an_empty_form_without_a_query(study, owner):
    html = client_for(owner).get(search_url(study)).content.decode()
    assert 'name="q"' in html
    assert "Found in" not in html


@pytest.mark.parametrize("n", [2, 6])
def test_the_search_page_queries_do_not_grow(study, owner, n, django_assert_num_queries):
    for index in range(n):
        import_text(study, f"Interviewer: Hi.\n\nR{index}: harm reduction.", name=f"R{index}.txt")
    client = client_for(owner)
    # session, user, study+role, ids of the matching interviews (index), the page's
    # interviews with their respondents, the import times of their respondents' untitled,
    # undated interviews (interviews_named: imported ones are), their question segments
    # (the hits' names)
    with django_assert_num_queries(7):
        html = client.get(search_url(study, '"harm reduction"')).content.decode()
    assert f"Found in {n} interviews." in html


def parsed_or_refused(text: str) -> searchquery.Query | str:
    """The query's tree, or the message of its refusal."""
    try:
        return searchquery.parse(text)
    except searchquery.QueryError as error:
        return str(error)


@given(st.text(max_size=80))
def test_the_parser_only_ever_refuses_clearly(text):
    """Any text either parses into a tree every compiler takes, or is refused with a
    message; nothing else is ever raised."""
    query = parsed_or_refused(text)
    if isinstance(query, str):
        assert query.strip()
        return
    assert query.groups
    assert all(term.words for term in query.terms)
    assert searchquery.fts5(query)
    assert searchquery.tsquery(query)
    for term in query.terms:
        assert searchquery.pattern(term)


# The study is only read: sharing it between examples is safe.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(st.text(alphabet=st.sampled_from("ab \"*OR-'é:()^"), max_size=30))
def test_every_parsed_query_runs_on_the_database(study, text):
    """Whatever parses is valid FTS5 / tsquery: the database never raises on it."""
    query = parsed_or_refused(text)
    if not isinstance(query, str):
        list(interviews_matching(study=study, query=query))


def test_a_search_with_no_hits_says_so(study, owner, interview):
    html = client_for(owner).get(search_url(study, "zebraquux")).content.decode()
    assert "No transcript holds that." in html
    assert "Found in" not in html


def test_the_page_before_a_search_shows_no_result_line(study, owner, interview):
    html = client_for(owner).get(search_url(study)).content.decode()
    assert 'id="search-count"' not in html
