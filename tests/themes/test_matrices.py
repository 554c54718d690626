"""Matrices: every cell counts what its link shows on the retrieval page (the two are
computed apart, one in Python, one in SQL), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from coding import services as coding
from coding.palette import contrast_ratio
from interviews import services as interviews
from tests.conftest import HTMX, client_for, code_span, import_text
from themes import matrices, retrieval
from themes.filters import RetrievalForm
from themes.rollup import study_rollup

from .retrieval_corpus import build_corpus, coded
from .test_interviewer_words import QUESTION


@pytest.fixture
def corpus(study, owner, coder):
    return build_corpus(study, owner, coder)


KINDS = [
    ("codes", "respondent", ""),
    ("themes", "respondent", ""),
    ("codes", "question", ""),
    ("themes", "question", ""),
    ("codes", "attribute", "Years of experience"),
    ("codes", "attribute", "Agency"),
    ("themes", "attribute", "Agency"),
    ("codes", "code", ""),
]


@pytest.mark.parametrize(("rows", "by", "attribute"), KINDS)
@pytest.mark.parametrize("count", ["excerpts", "respondents"])
def test_every_cell_counts_what_its_link_retrieves(
    study, corpus, owner, rows, by, attribute, count
):
    """Over the corpus and R2's interviewer line (the question alone) coded Support and
    Stress, which counts for no respondent (README, counting rules): a cell counting
    respondents counts those of its link's Excerpts page; a cell counting excerpts, the
    page's excerpts, but in a column of respondents (one, or a group by an attribute) not
    the interviewer's words, which the page lists and says it counts for no respondent
    ("1 excerpt holds only the interviewer’s words…", Result.interviewer_only)."""
    r2 = corpus["respondents"]["R2"].interviews.get()
    coded(r2, QUESTION, [corpus["codes"]["support"], corpus["codes"]["stress"]], owner)
    index = retrieval.study_index(study)
    matrix = matrices.build(index, rows=rows, by=by, count=count, attribute=attribute)
    assert matrix.highest > 0
    interviewers = 0
    for r in range(len(matrix.rows)):
        for c in range(len(matrix.columns)):
            form = RetrievalForm(QueryDict(matrices.cell_query(matrix, r, c, by)), index=index)
            assert form.is_valid(), form.errors
            found = retrieval.retrieve(index, form.filter())
            interviewers += found.interviewer_only
            if count == "respondents":
                expected = len(found.respondent_ids)
            elif by in ("respondent", "attribute"):
                expected = len(found.ids) - found.interviewer_only
            else:
                expected = len(found.ids)
            assert matrix.cells[r][c] == expected, (matrix.rows[r], matrix.columns[c])
    assert interviewers, "some cell's link finds the interviewer's words"


@pytest.mark.parametrize(("rows", "by", "attribute"), KINDS)
@pytest.mark.parametrize("count", ["excerpts", "respondents"])
def test_a_cell_says_how_many_interviewer_excerpts_its_link_finds_and_it_leaves_out(
    study, corpus, owner, rows, by, attribute, count
):
    """R2's interviewer line coded Support and Stress: each cell that does not count the
    interviewer's words (a column of respondents, or a count of them) says how many its
    link's Excerpts page finds, so that a cell holding them alone reads "0 · 1 in the
    interviewer’s words" with its link, not an empty cell without one."""
    r2 = corpus["respondents"]["R2"].interviews.get()
    coded(r2, QUESTION, [corpus["codes"]["support"], corpus["codes"]["stress"]], owner)
    index = retrieval.study_index(study)
    matrix = matrices.build(index, rows=rows, by=by, count=count, attribute=attribute)
    if not (count == "respondents" or by in ("respondent", "attribute")):
        assert matrix.interviewer is None, "a cell that counts them has no note"
        return
    html = matrices.render(matrix, by=by, retrieve_url="/x/")
    for r in range(len(matrix.rows)):
        for c in range(len(matrix.columns)):
            query = matrices.cell_query(matrix, r, c, by)
            form = RetrievalForm(QueryDict(query), index=index)
            assert form.is_valid(), form.errors
            found = retrieval.retrieve(index, form.filter()).interviewer_only
            assert matrix.interviewer[r][c] == found, (matrix.rows[r], matrix.columns[c])
            if found:
                note = f'\u00a0<small class="interviewer-words">·\u00a0{found} in the'
                link = f'<a href="/x/?{escape(query)}">{matrix.cells[r][c]}{note}'
                assert f"{link} interviewer’s words" in html
    assert any(map(any, matrix.interviewer)), "some cell's link finds the interviewer's words"


def _cells(study, **choices) -> dict[tuple[str, str], int]:
    matrix = matrices.build(retrieval.study_index(study), **choices)
    return {
        (line["name"], column["label"]): value
        for line, counts in zip(matrix.rows, matrix.cells, strict=True)
        for column, value in zip(matrix.columns, counts, strict=True)
    }


def test_the_counts_worked_out_by_hand(study, corpus):
    by_respondent = _cells(study, rows="codes", by="respondent", count="excerpts")
    assert [by_respondent["Support", p] for p in ("R2", "R10", "R1")] == [1, 1, 2]
    assert "R3" not in {label for _, label in by_respondent}  # withdrawn
    together = _cells(study, rows="codes", by="code", count="excerpts")
    assert together["Colleagues", "Stress"] == together["Stress", "Colleagues"] == 2
    assert together["Support", "Stress"] == 3
    assert together["Stress", "Stress"] == 4
    people = _cells(study, rows="codes", by="code", count="respondents")
    assert people["Support", "Stress"] == 1
    agency = _cells(study, rows="themes", by="attribute", count="respondents", attribute="Agency")
    assert agency == {("Training", "North (n = 2)"): 2, ("Training", "south (n = 1)"): 1}
    years = _cells(
        study, rows="codes", by="attribute", count="excerpts", attribute="Years of experience"
    )
    assert [label for name, label in years if name == "Stress"] == [
        "2 (n = 1)",
        "3 (n = 1)",
        "9 (n = 1)",
    ]
    questions = _cells(study, rows="codes", by="question", count="excerpts")
    assert (questions["Stress", "Q1"], questions["Stress", "Q2"]) == (1, 3)


def test_respondents_without_a_value_make_a_not_recorded_group(study, corpus, owner):
    """R12, with no attribute recorded, raised Training: the matrices by an attribute show
    a "not recorded" group (last), every group headed by its size, the groups adding up to
    the respondents who raised the theme; its cells open exactly its excerpts."""
    interviews.respondent_create(study=study, pseudonym="R12")
    r12 = import_text(study, name="R12.txt")
    coded(r12, "Café regulars", [corpus["codes"]["support"]], owner)
    coded(r12, "About six years", [corpus["codes"]["stress"]], owner)
    index = retrieval.study_index(study)
    agency = _cells(study, rows="themes", by="attribute", count="respondents", attribute="Agency")
    assert agency == {
        ("Training", "North (n = 2)"): 2,
        ("Training", "south (n = 1)"): 1,
        ("Training", "not recorded (n = 1)"): 1,
    }
    raised = {s.name: s.n for s in study_rollup(study).themes}
    assert sum(agency.values()) == raised["Training"] == 4
    for attribute in ("Agency", "Years of experience"):
        for count in ("excerpts", "respondents"):
            matrix = matrices.build(
                index, rows="codes", by="attribute", count=count, attribute=attribute
            )
            assert matrix.columns[-1]["label"] == "not recorded (n = 1)"
            assert matrix.columns[-1]["title"] == f"1 respondent whose {attribute} is not recorded"
            for r in range(len(matrix.rows)):
                for c in range(len(matrix.columns)):
                    query = QueryDict(matrices.cell_query(matrix, r, c, "attribute"))
                    form = RetrievalForm(query, index=index)
                    assert form.is_valid(), form.errors
                    found = retrieval.retrieve(index, form.filter())
                    n = len(found.ids) if count == "excerpts" else len(found.respondent_ids)
                    assert matrix.cells[r][c] == n, (matrix.rows[r], matrix.columns[c])
    # The not-recorded cell of Stress opens R12's one excerpt, nobody else's.
    html = client_for(owner).get(
        reverse("matrix", args=[study.slug]),
        {"rows": "codes", "by": "attribute", "attribute": "Agency", "count": "excerpts"},
    )
    assert "not recorded (n = 1)</th>" in html.content.decode()
    link = re.search(r'href="[^"?]*\?([^"]*value=not\+recorded[^"]*)">1<', html.content.decode())
    form = RetrievalForm(QueryDict(link.group(1).replace("&amp;", "&")), index=index)
    assert form.is_valid(), form.errors
    found = retrieval.retrieve(index, form.filter())
    assert set(found.respondent_ids) == {r12.respondent_id}


@pytest.mark.parametrize(("by", "queries"), [("respondent", 10), ("question", 11), ("code", 10)])
@pytest.mark.parametrize("extra", [0, 5])
def test_query_count_does_not_grow(
    study, corpus, owner, by, queries, extra, django_assert_num_queries
):
    stress = corpus["codes"]["stress"]
    for n in range(extra):
        interview = import_text(study, name=f"R{20 + n}.txt")
        coded(interview, "About six years", [stress], owner)
        coded(interview, "six years now", [corpus["codes"]["colleagues"]], owner)
        coding.code_create(study=study, name=f"Extra {n}")
    client = client_for(owner)
    url = reverse("matrix", args=[study.slug])
    # session, user, study and role; the study's codes, themes, theme-codes, interviews
    # with respondents, questions, coders; the codings of counted live excerpts; for
    # questions, the study's question segments
    with django_assert_num_queries(queries):
        response = client.get(url, {"rows": "codes", "by": by})
    assert response.status_code == 200


def _cell(html: str, row: str, column: int) -> str:
    """The text of the column-th cell (from 0) of the row headed `row`."""
    line = re.search(rf">{row}</th>(.*?)</tr>", html).group(1)
    return re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", line)[column])


def test_the_codings_are_read_once_per_revision(
    study, corpus, owner, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client = client_for(owner)
    url = reverse("matrix", args=[study.slug])
    query = {"rows": "codes", "by": "respondent"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(url, query).content.decode()
    # session, user, study and role; the coders (the codes, themes, interviews, questions
    # and codings come from the cache)
    with django_assert_num_queries(4):
        again = client.get(url, query).content.decode()
    assert _cell(again, "Stress", 0) == _cell(first, "Stress", 0) == "2"  # R1: e2, e3
    # Coding moves the study's revision on: the next matrix counts the new excerpt.
    r1 = corpus["excerpts"][1].interview
    with django_capture_on_commit_callbacks(execute=True):
        coded(r1, "I started at the shelter", [corpus["codes"]["stress"]], owner)
    with django_assert_num_queries(10):
        html = client.get(url, query).content.decode()
    assert _cell(html, "Stress", 0) == "3"


def test_the_page_says_what_it_counts_and_links_each_cell(study, corpus, owner):
    client = client_for(owner)
    url = reverse("matrix", args=[study.slug])
    html = client.get(url, {"by": "code", "count": "respondents"}).content.decode()
    assert "Codes by code (co-occurrence): number of respondents" in html
    colleagues, stress = corpus["codes"]["colleagues"].pk, corpus["codes"]["stress"].pk
    link = (
        f"/studies/{study.slug}/excerpts/?code={colleagues}&amp;code={stress}&amp;match=together"
    )
    assert f'<a href="{link}">1</a>' in html
    fragment = client.get(url, {"by": "question"}, headers=HTMX).content.decode()
    assert fragment.lstrip().startswith('<div id="matrix">')
    assert "Codes by protocol question: number of excerpts" in fragment
    # A choice to correct is said and counts nothing, plain and htmx alike: a matrix under
    # the error would read as the answer to it.
    for query, said in [
        ({"rows": "themes", "by": "code"}, "Co-occurrence is counted between codes"),
        ({"rows": "nonsense"}, "Select a valid choice. nonsense is not one"),
        ({"by": "attribute", "attribute": "Shoe size"}, "Select a valid choice. Shoe size"),
    ]:
        for headers in ({}, HTMX):
            refused = client.get(url, query, headers=headers)
            assert refused.status_code == 200
            assert said in refused.content.decode()
            assert 'id="matrix-title"' not in refused.content.decode()


def test_the_columns_longer_texts_are_shown_under_the_table_not_in_tooltips(study, corpus, owner):
    """A question column is headed "Q1": its words are in the key under the table, for
    keyboard and touch users too, as is who an attribute's group holds."""
    interviews.question_add(study=study, text="And <b>after</b> that?")
    client = client_for(owner)
    url = reverse("matrix", args=[study.slug])
    html = client.get(url, {"by": "question"}).content.decode()
    matrix = html[html.index('<div class="matrix">') :]
    questions = list(study.questions.order_by("number"))
    assert len(questions) > 1
    for question in questions:
        assert f"<dt>Q{question.number}</dt><dd>{escape(question.text)}</dd>" in matrix
    assert "<dd>And &lt;b&gt;after&lt;/b&gt; that?</dd>" in matrix
    assert "title=" not in matrix
    html = client.get(url, {"by": "attribute", "attribute": "Agency"}).content.decode()
    assert "<dt>North (n = 2)</dt><dd>2 respondents whose Agency is North</dd>" in html
    assert "title=" not in html[html.index('<div class="matrix">') :]


def test_names_are_escaped(study, corpus, owner):
    code = corpus["codes"]["stress"]
    name = '<img src=x onerror="alert(1)">'
    coding.code_update(
        code=code, revision=code.revision, name=name, colour=code.colour, parent=None
    )
    html = client_for(owner).get(reverse("matrix", args=[study.slug])).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_the_matrix_downloads_as_xlsx(study, corpus, reviewer, stranger):
    url = reverse("matrix_download", args=[study.slug])
    response = client_for(reviewer).get(url, {"rows": "themes", "count": "respondents"})
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows == [("Theme (respondents)", "R1", "R2", "R10"), ("Training", 1, 1, 1)]
    assert client_for(stranger).get(url).status_code == 404
    bad = client_for(reviewer).get(url, {"rows": "themes", "by": "code"})
    assert bad.status_code == 400


def test_every_heat_step_keeps_its_text_readable():
    css = (Path(settings.BASE_DIR) / "static" / "excerpta.css").read_text()
    steps = dict(
        (int(n), (bg, fg))
        for n, bg, fg in re.findall(
            r"\.heat-(\d) \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6}); \}", css
        )
    )
    assert sorted(steps) == list(range(1, matrices.HEAT_STEPS + 1))
    for background, text in steps.values():
        assert contrast_ratio(background, text) >= 4.5
    assert [matrices.heat(v, 10) for v in (0, 1, 2, 5, 9, 10)] == [0, 1, 1, 3, 5, 5]


def test_the_themes_page_matrix_links_each_count_to_its_excerpts(study, corpus, owner):
    client = client_for(owner)
    html = client.get(reverse("themes", args=[study.slug])).content.decode()
    table = html[html.index('class="grid matrix-table"') :]
    links = re.findall(r'<a href="([^"]+)">(\d+)</a>', table[: table.index("</table>")])
    assert len(links) == 3  # Training: R1, R2 and R10
    for link, count in links:
        shown = client.get(link.replace("&amp;", "&")).content.decode()
        assert f'<span data-count="excerpts">{count}</span>' in shown


_span = st.tuples(st.integers(1, 3), st.integers(0, 30), st.integers(0, 10)).map(
    lambda s: (s[0], s[1], s[1] + s[2])
)  # interview id, start, end (empty spans too)


@given(st.lists(_span, max_size=25))
def test_overlapping_excerpts_are_paired_once_each_as_the_rule_says(spans):
    # Co-occurrence pairs against the rule itself, as the retrieval filter writes it: two
    # excerpts of one interview, [a, b) and [c, d) with a < d and c < b, each pair once.
    columns = np.array(spans, dtype=np.int64).reshape(-1, 3).T
    empty = np.zeros(0, dtype=np.int64)
    coded = matrices._Coded(np.arange(len(spans)), *columns, empty, empty)
    first, second = matrices._overlapping_pairs(coded)
    pairs = zip(first.tolist(), second.tolist(), strict=True)
    found = sorted(tuple(sorted(pair)) for pair in pairs)
    expected = [
        (m, n)
        for m, (i, a, b) in enumerate(spans)
        for n, (j, c, d) in enumerate(spans)
        if m < n and i == j and a < d and c < b
    ]
    assert found == expected


UNMARKED = "R1: About six years now. I started at the shelter and never looked back."


def test_a_matrix_by_question_says_why_when_no_excerpt_can_answer_one(study, owner):
    """With no protocol (a table of no columns), or one marked in no transcript (a column
    of empty cells for each question), the matrix by protocol question counted nothing and
    said nothing of why. It says why in place of the table, as the Charts page does."""
    code = coding.code_create(study=study, name="Support")
    interview = import_text(study, UNMARKED)
    coding.excerpt_create(
        interview=interview, coder=owner, start=4, end=19, seen_text="About six years",
        version=interview.version, codes=[code],
    )  # fmt: skip
    client = client_for(owner)
    url = reverse("matrix", args=[study.slug])
    for headers in ({}, HTMX):
        html = client.get(url, {"by": "question"}, headers=headers).content.decode()
        assert "Codes by protocol question: number of excerpts" in html
        assert (
            "Nothing to count: no transcript has its protocol questions marked (each "
            "interview&#x27;s Question markers page)." in html
        )
        assert '<div class="matrix">' not in html
        assert "This matrix (.xlsx)" not in html
    # Counted by respondent, the same excerpt is there.
    html = client.get(url, {"by": "respondent"}).content.decode()
    assert '<div class="matrix">' in html
    assert "Nothing to count" not in html

    for question in list(study.questions.all()):
        interviews.question_delete(question=question)
    html = client.get(url, {"by": "question", "rows": "themes"}).content.decode()
    assert "Themes by protocol question: number of excerpts" in html
    assert "Nothing to count: the study has no protocol questions." in html
    assert '<div class="matrix">' not in html


def test_a_matrix_by_question_that_counts_nothing_is_not_served_as_a_workbook(study, owner):
    """Before: matrix.xlsx?by=question was served from its address (a bookmarked link) with
    no protocol, or none marked: a sheet of code names without question columns, and no
    reason. Now the address goes to the Matrices page of the same choices, which says why,
    once; with the questions marked, the workbook counts by them."""
    code = coding.code_create(study=study, name="Support")
    code_span(import_text(study, UNMARKED, name="R1.txt"), "About six years", [code], owner)
    client = client_for(owner)
    url = reverse("matrix_download", args=[study.slug])
    page = reverse("matrix", args=[study.slug]) + "?by=question"
    why = (
        "Nothing to count: no transcript has its protocol questions marked (each "
        "interview&#x27;s Question markers page)."
    )
    response = client.get(url, {"by": "question"}, follow=True)
    assert response.redirect_chain == [(page, 302)]
    assert response["Content-Type"].startswith("text/html")
    assert response.content.decode().count(why) == 1

    # Marked in one transcript, the question counts its excerpt: a workbook of Q1 and Q2.
    code_span(import_text(study, name="R2.txt"), "About six years", [code], owner)
    response = client.get(url, {"by": "question"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows == [("Code (excerpts)", "Q1", "Q2"), ("Support", 1, 0)]

    for question in list(study.questions.all()):
        interviews.question_delete(question=question)
    response = client.get(url, {"by": "question", "rows": "themes"}, follow=True)
    assert response.redirect_chain == [(page + "&rows=themes", 302)]
    html = response.content.decode()
    assert html.count("Nothing to count: the study has no protocol questions.") == 1


def test_a_matrix_with_no_row_or_column_says_why_and_is_not_served(study, owner):
    """A new study's Matrices page showed "Codes by respondent: number of excerpts" over a
    table of one header cell, with no reason, and served its .xlsx as a sheet of one cell.
    It now says why in the matrix's place, offers no download, and a bookmarked .xlsx goes
    to the page; once there is something to count, the matrix is drawn and served."""
    client = client_for(owner)
    page, download = (reverse(name, args=[study.slug]) for name in ("matrix", "matrix_download"))
    reasons = {
        "": "Nothing to count: the study has no codes yet.",
        "rows=themes": "Nothing to count: the study has no themes yet.",
    }
    for query, reason in reasons.items():
        html = client.get(f"{page}?{query}").content.decode()
        assert html.count(reason) == 1, query
        assert "This matrix (.xlsx)" not in html
        response = client.get(f"{download}?{query}", follow=True)
        assert response.redirect_chain == [(f"{page}?{query}" if query else page, 302)]
        assert response.content.decode().count(reason) == 1
    code = coding.code_create(study=study, name="Support")
    html = client.get(page).content.decode()
    assert "Nothing to count: no respondent is counted yet" in html
    code_span(import_text(study, name="R1.txt"), "About six years", [code], owner)
    html = client.get(page).content.decode()
    assert "Nothing to count" not in html
    rows = list(openpyxl.load_workbook(io.BytesIO(client.get(download).content)).active.values)
    assert rows == [("Code (excerpts)", "R1"), ("Support", 1)]
