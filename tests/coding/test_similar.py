"""Passages like a code's excerpts: what is suggested, what never is, and coding one."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from coding import services as coding
from coding import similar
from coding.models import Excerpt, UndoEntry
from coding.similar import overlapped, passages, similar_passages
from interviews import services as interviews
from tests.conftest import HTMX, client_for, code_span, import_text

TEXT = (
    "Interviewer: What support do you get?\n\n"
    "R1: My supervisor listens when a client relapses and I feel I failed them. Yeah. We talk"
    " it through every week in supervision, which keeps me going.\n\n"
    "Interviewer: And the teams you work with?\n\n"
    "R1: The psychiatrists want abstinence before they will prescribe anything at all. The"
    " parking at the clinic is terrible on Mondays. 😀 Honestly my supervisor listens to me"
    " when a client relapses.\n"
)
FIRST = "My supervisor listens when a client relapses and I feel I failed"

OTHER = """Interviewer: Tell me about stress.

R2: When a client relapses my supervisor listens and we talk it through.
"""


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def support(study):
    return coding.code_create(study=study, name="Supervision")


@pytest.fixture
def coded(study, support, owner):
    r1 = import_text(study, TEXT, name="R1.txt")
    code_span(
        r1, "My supervisor listens when a client relapses and I feel I failed", [support], owner
    )
    return r1


def sentences(interview):
    text = interview.text
    return [text[p.start : p.end] for p in passages(text, interview.turns, interview.pk)]


def test_passages_are_the_respondents_sentences_in_code_points(coded):
    found = sentences(coded)
    assert found == [
        "My supervisor listens when a client relapses and I feel I failed them.",
        # A sentence too short to compare goes with the next one.
        "Yeah. We talk it through every week in supervision, which keeps me going.",
        "The psychiatrists want abstinence before they will prescribe anything at all.",
        "The parking at the clinic is terrible on Mondays.",
        "😀 Honestly my supervisor listens to me when a client relapses.",
    ]
    assert not any("What support" in sentence for sentence in found)


def test_the_passages_most_like_the_excerpts_come_first_and_coded_ones_never(coded, support):
    comparison = similar_passages(support)
    texts = [s.text for s in comparison.suggestions]
    assert comparison.excerpts == 1
    assert texts[0] == "😀 Honestly my supervisor listens to me when a client relapses."
    assert not any(text.startswith("My supervisor listens") for text in texts)
    # Nothing in common but words like "the" and "at": not alike.
    assert not any(text.startswith("The parking") for text in texts)
    assert all(0 < s.score <= 1 for s in comparison.suggestions)
    assert comparison.suggestions[0].like_text.startswith("My supervisor listens")


def test_a_passage_coded_with_any_code_is_not_suggested(coded, support, study, owner):
    other = coding.code_create(study=study, name="Failure")
    code_span(coded, "Honestly my supervisor listens", [other], owner)
    texts = [s.text for s in similar_passages(support).suggestions]
    assert not any("Honestly" in text for text in texts)


def test_sub_codes_excerpts_count_as_the_codes(study, owner):
    parent = coding.code_create(study=study, name="Support")
    child = coding.code_create(study=study, name="Supervisor", parent=parent)
    r1 = import_text(study, TEXT, name="R1.txt")
    code_span(r1, "My supervisor listens when a client relapses", [child], owner)
    assert similar_passages(parent).excerpts == 1
    assert similar_passages(parent).suggestions


def test_a_withdrawn_respondent_is_neither_compared_nor_suggested(coded, support, study, owner):
    r2 = import_text(study, OTHER, name="R2.txt")
    assert any(s.interview_id == r2.pk for s in similar_passages(support).suggestions)
    interviews.respondent_withdraw(respondent=r2.respondent)
    assert not any(s.interview_id == r2.pk for s in similar_passages(support).suggestions)


def test_an_edited_transcript_is_compared_as_it_is_now(coded, support):
    first = similar_passages(support).suggestions[0]
    text = coded.text.replace("Honestly my supervisor listens", "Honestly my manager listens")
    coding.transcript_edit(interview=coded, text=text, version=coded.version)
    coded.refresh_from_db()
    now = similar_passages(support).suggestions
    assert all(s.text == coded.text[s.start : s.end] for s in now)
    assert first.text not in [s.text for s in now]


def test_a_code_without_excerpts_suggests_nothing(study, support):
    import_text(study, TEXT, name="R1.txt")
    comparison = similar_passages(support)
    assert (comparison.excerpts, comparison.suggestions) == (0, [])


_span = st.tuples(st.integers(1, 4), st.integers(0, 40), st.integers(0, 12)).map(
    lambda s: (s[0], s[1], s[1] + s[2])
)  # interview id, start, end (empty spans too)


@given(passages=st.lists(_span, max_size=30), spans=st.lists(_span, max_size=30))
def test_a_passage_is_coded_when_an_excerpt_of_its_interview_shares_a_character(passages, spans):
    # The sweep against the rule itself: [a, b) and [s, e) share a character when
    # a < e and s < b; touching ends do not, nor do spans of other interviews.
    columns = np.array(passages, dtype=np.int64).reshape(-1, 3).T
    found = overlapped(*columns, np.array(spans, dtype=np.int64).reshape(-1, 3))
    expected = [any(i == j and a < e and s < b for j, a, b in spans) for i, s, e in passages]
    assert found.tolist() == expected


# The pages ----------------------------------------------------------------------------------


def page_url(study, code):
    return reverse("code_similar", args=[study.slug, code.pk])


def apply_url(study, suggestion, code):
    return reverse("code_similar_apply", args=[study.slug, suggestion.interview_id, code.pk])


def fields(suggestion):
    return {
        "start": suggestion.start,
        "end": suggestion.end,
        "version": suggestion.version,
        "text": suggestion.text,
    }


def test_the_page_lists_the_suggestions_for_a_reviewer_without_coding_them(
    study, coded, support, reviewer
):
    client = client_for(reviewer)
    shell = client.get(page_url(study, support))
    assert shell.status_code == 200
    assert b"Comparing every uncoded passage" in shell.content
    listed = client.get(page_url(study, support), headers=HTMX)
    assert "Honestly my supervisor listens to me" in listed.content.decode()
    assert b"Code it as" not in listed.content
    suggestion = similar_passages(support).suggestions[0]
    refused = client.post(apply_url(study, suggestion, support), fields(suggestion))
    assert refused.status_code == 403
    assert Excerpt.objects.count() == 1


def test_the_page_escapes_the_transcript(study, support, owner):
    text = TEXT.replace("Honestly my supervisor", "<script>alert(1)</script> my supervisor")
    r1 = import_text(study, text, name="R1.txt")
    code_span(r1, "My supervisor listens when a client relapses", [support], owner)
    listed = client_for(owner).get(page_url(study, support), headers=HTMX).content.decode()
    assert "<script>alert(1)" not in listed
    assert "&lt;script&gt;alert(1)&lt;/script&gt; my supervisor listens" in listed


def test_coding_a_suggestion_makes_an_excerpt_that_undo_takes_back(study, coded, support, owner):
    client = client_for(owner)
    suggestion = similar_passages(support).suggestions[0]
    response = client.post(apply_url(study, suggestion, support), fields(suggestion), headers=HTMX)
    assert response.status_code == 200
    assert "Coded as “<bdi>Supervision</bdi>”" in response.content.decode()
    made = Excerpt.objects.get(interview=coded, start=suggestion.start, end=suggestion.end)
    assert list(made.codings.values_list("code_id", flat=True)) == [support.pk]
    assert suggestion.text not in [s.text for s in similar_passages(support).suggestions]
    undo = client.post(reverse("undo", args=[study.slug]), headers=HTMX)
    assert undo.status_code == 200
    assert not Excerpt.objects.filter(pk=made.pk).exists()


def test_a_stale_suggestion_is_refused_and_nothing_saved(study, coded, support, owner):
    suggestion = similar_passages(support).suggestions[0]
    coding.transcript_edit(interview=coded, text=coded.text + "\nR1: More.", version=coded.version)
    response = client_for(owner).post(
        apply_url(study, suggestion, support), fields(suggestion), headers=HTMX
    )
    assert response.status_code == 409
    assert "Reload" in response.content.decode()
    assert Excerpt.objects.count() == 1


def test_forged_words_or_a_bad_form_are_refused(study, coded, support, owner):
    suggestion = similar_passages(support).suggestions[0]
    client = client_for(owner)
    forged = {**fields(suggestion), "text": "something else"}
    assert (
        client.post(apply_url(study, suggestion, support), forged, headers=HTMX).status_code == 409
    )
    broken = {**fields(suggestion), "start": "x"}
    assert (
        client.post(apply_url(study, suggestion, support), broken, headers=HTMX).status_code == 400
    )
    assert Excerpt.objects.count() == 1


def test_the_suggestions_read_in_a_fixed_number_of_queries(
    study, coded, support, owner, django_assert_num_queries
):
    client = client_for(owner)
    client.get(page_url(study, support), headers=HTMX)  # fits the passages once, and caches them
    import_text(study, OTHER, name="R2.txt")
    client.get(page_url(study, support), headers=HTMX)
    # 1 session, 2 user, 3 the code with its study and the user's role (the access helper),
    # 4 the code tree, 5 the branch's excerpts, 6 the counted interviews' versions (the
    # index's key), 7 the spans coded, 8 the suggested passages' transcripts.
    with django_assert_num_queries(8):
        response = client.get(page_url(study, support), headers=HTMX)
    assert response.status_code == 200


def test_the_index_is_fitted_in_a_process_of_its_own_as_the_worker_would_fit_it(
    coded, study, monkeypatch
):
    """The fitting process (coding.similar.fit_main) answers with the index this process
    would fit from the same transcripts; this process never fits one itself (it would keep
    some 17 MB of freed passages and words at the default scale: issue 9)."""
    rows = list(study.interviews.order_by("pk").values_list("pk", "text", "turns"))
    here = similar.fit_rows(rows)
    monkeypatch.setattr(similar, "fit_rows", None)  # any call in this process would fail

    fitted = similar.passage_index(study)

    for name in ("interview_ids", "starts", "ends"):
        assert np.array_equal(getattr(fitted, name), getattr(here, name)), name
    assert len(fitted.interview_ids) == len(sentences(coded)) > 0
    assert (fitted.matrix != here.matrix).nnz == 0
    assert fitted.vectorizer.columns == here.vectorizer.columns
    assert np.array_equal(fitted.vectorizer.idf, here.vectorizer.idf)


def test_a_failed_fitting_process_says_why(coded, study, monkeypatch):
    monkeypatch.setattr(similar, "_FIT_MAIN", "import sys; sys.exit('no memory left')")

    with pytest.raises(similar.FittingError, match=r"failed \(exit 1\):\nno memory left"):
        similar.passage_index(study)


def test_a_failed_comparison_says_so_on_the_page_and_the_next_one_works(
    coded, study, support, owner, monkeypatch
):
    """Never a 500: the list says the comparison stopped, and nothing of the process's own
    words (its stderr) reaches the page; once the process works again, so does the page."""
    monkeypatch.setattr(similar, "_FIT_MAIN", "import sys; sys.exit('no memory left')")
    client = client_for(owner)

    failed = client.get(page_url(study, support), headers=HTMX)

    assert failed.status_code == 200
    assert "could not be compared this time" in failed.content.decode()
    assert b"no memory left" not in failed.content
    monkeypatch.undo()
    listed = client.get(page_url(study, support), headers=HTMX)
    assert "Honestly my supervisor listens to me" in listed.content.decode()


def test_a_suggestion_coded_from_a_plain_form_goes_back_saying_so(study, coded, support, owner):
    suggestion = similar_passages(support).suggestions[0]
    response = client_for(owner).post(
        apply_url(study, suggestion, support), fields(suggestion), follow=True
    )
    assert response.redirect_chain == [(page_url(study, support), 302)]
    assert "Coded as “<bdi>Supervision</bdi>”." in response.content.decode()
    assert Excerpt.objects.filter(start=suggestion.start, end=suggestion.end).exists()


def test_a_suggestion_coded_meanwhile_says_so_and_offers_nothing_to_undo(
    study, coded, support, owner
):
    # Coded in another tab since the list was drawn: the second click adds nothing.
    suggestion = similar_passages(support).suggestions[0]
    client = client_for(owner)
    client.post(apply_url(study, suggestion, support), fields(suggestion), headers=HTMX)
    entries = UndoEntry.objects.count()
    again = client.post(apply_url(study, suggestion, support), fields(suggestion), headers=HTMX)
    html = again.content.decode()
    assert again.status_code == 200
    assert "“<bdi>Supervision</bdi>” was on this passage already; nothing was changed." in html
    assert "Coded as" not in html
    assert "data-undo" not in html
    assert UndoEntry.objects.count() == entries
    made = Excerpt.objects.get(interview=coded, start=suggestion.start, end=suggestion.end)
    assert list(made.codings.values_list("code_id", flat=True)) == [support.pk]
