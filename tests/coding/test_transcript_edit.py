"""Editing a transcript after coding: excerpts follow their words, changes are flagged."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coding import services
from coding import services as coding
from coding.models import Excerpt, ExcerptStatus
from core.errors import Conflict
from interviews.models import Interview
from tests.conftest import HTMX, client_for, code_span


def edit(interview, old, new):
    return services.transcript_edit(
        interview=interview, text=interview.text.replace(old, new), version=interview.version
    )


def test_excerpts_follow_their_words(interview, code):
    later = code_span(interview, "Café regulars", [code])
    earlier = code_span(interview, "About six years", [code])
    report = edit(interview, "I started at the shelter", "I started, years ago, at the shelter")
    later.refresh_from_db()
    earlier.refresh_from_db()
    assert interview.text[later.start : later.end] == "Café regulars"
    assert interview.text[earlier.start : earlier.end] == "About six years"
    assert (later.status, earlier.status) == (ExcerptStatus.OK, ExcerptStatus.OK)
    assert report.moved == 2
    assert interview.version == 2


def test_an_excerpt_whose_words_change_is_flagged_not_dropped(interview, code):
    excerpt = code_span(interview, "the ones nobody else will see", [code])
    report = edit(interview, "nobody else will see", "no one else will see")
    excerpt.refresh_from_db()
    assert excerpt.status == ExcerptStatus.CHANGED
    assert excerpt.text == "the ones no one else will see"
    assert excerpt.text == interview.text[excerpt.start : excerpt.end]
    assert excerpt.previous_text == "the ones nobody else will see"
    assert excerpt.codings.count() == 1
    assert report.changed == 1
    services.excerpt_review(excerpt=excerpt)
    excerpt.refresh_from_db()
    assert (excerpt.status, excerpt.previous_text) == (ExcerptStatus.OK, "")


def test_an_excerpt_whose_words_are_all_removed_is_kept_for_review(interview, code):
    excerpt = code_span(interview, "Café regulars, people like that.", [code])
    report = edit(interview, " Café regulars, people like that.", "")
    excerpt.refresh_from_db()
    assert excerpt.status == ExcerptStatus.ORPHANED
    assert excerpt.start == excerpt.end
    assert excerpt.text == "", "removed words are not kept where they could be exported"
    assert excerpt.previous_text == "Café regulars, people like that."
    assert report.orphaned == 1
    assert "nothing was deleted" in report.message
    with pytest.raises(ValidationError, match="no words left"):
        services.excerpt_review(excerpt=excerpt)


def test_question_markers_and_turns_follow_the_edit(interview):
    second = interview.segments.get(question__number=2)
    old_text = interview.text[second.start : second.start + 30]
    edit(interview, "About six years now.", "About six years now. Maybe seven.")
    second = interview.segments.get(question__number=2)
    assert interview.text[second.start : second.start + 30] == old_text
    assert [turn[3] for turn in interview.turns] == ["i", "r", "i", "r"]


def test_an_edit_from_an_old_page_is_refused(interview):
    with pytest.raises(Conflict, match="another version"):
        services.transcript_edit(interview=interview, text="x", version=interview.version - 1)
    with pytest.raises(ValidationError, match="cannot be empty"):
        services.transcript_edit(interview=interview, text="  \n", version=interview.version)


def test_a_page_opened_before_the_edit_cannot_code(interview, code, owner):
    version = interview.version
    edit(interview, "six years", "6 years")
    start = interview.text.index("Café")
    response = client_for(owner).post(
        reverse("excerpt_create", args=[interview.study.slug, interview.pk]),
        {"start": start, "end": start + 4, "text": "Café", "version": version, "code": code.pk},
        headers=HTMX,
    )
    assert response.status_code == 409
    assert not Excerpt.objects.exists()


def test_the_edit_page(interview, code, owner, reviewer):
    url = reverse("transcript_text", args=[interview.study.slug, interview.pk])
    excerpt = code_span(interview, "Café regulars", [code])
    assert "Save the text" not in client_for(reviewer).get(url).content.decode()
    client = client_for(owner)
    assert "Save the text" in client.get(url).content.decode()
    data = {"text": "Intro line.\n" + interview.text, "version": interview.version}
    response = client.post(url, data)
    assert response["Location"] == reverse(
        "interview_code", args=[interview.study.slug, interview.pk]
    )
    excerpt.refresh_from_db()
    assert excerpt.start == interview.text.index("Café") + len("Intro line.\n")
    stale = client.post(url, {"text": "Something else", "version": 1})
    assert stale.status_code == 409
    assert "another version" in stale.content.decode()
    assert "Something else" in stale.content.decode(), "the user's text is kept"


def test_a_second_transcript_save_after_a_conflict_is_refused_too(interview, owner):
    url = reverse("transcript_text", args=[interview.study.slug, interview.pk])
    coding.transcript_edit(interview=interview, text=interview.text + " Theirs.", version=1)
    client = client_for(owner)
    page = client.post(url, {"text": "Mine", "version": 1})
    assert page.status_code == 409
    html = page.content.decode()
    assert 'name="version" value="1"' in html
    assert "Theirs." in html, "the version saved meanwhile is shown"
    assert client.post(url, {"text": "Mine", "version": 1}).status_code == 409
    assert Interview.objects.get(pk=interview.pk).text.endswith("Theirs.")


def test_question_markers_stay_on_their_turn_after_an_edit(interview):
    text = interview.text.replace("Interviewer: What type", "[00:12:31] Interviewer: What type")
    coding.transcript_edit(interview=interview, text=text, version=1)
    second = interview.segments.get(question__number=2)
    assert interview.text[second.start :].startswith("[00:12:31] Interviewer: What type")
    assert second.start in {turn[0] for turn in interview.turns}


def test_saving_the_text_as_it_is_says_nothing_changed(interview, code, owner):
    """The page open on this version may go on coding: the version stays, and so do the
    excerpts' revisions."""
    url = reverse("transcript_text", args=[interview.study.slug, interview.pk])
    excerpt = code_span(interview, "Café regulars", [code])
    data = {"text": interview.text, "version": interview.version}
    page = client_for(owner).post(url, data, follow=True).content.decode()
    assert "The transcript is as it was; nothing was changed." in page
    assert Interview.objects.get(pk=interview.pk).version == interview.version
    assert Excerpt.objects.get(pk=excerpt.pk).revision == excerpt.revision


def test_a_transcript_edit_between_reading_an_excerpt_and_coding_it_lets_no_code_in(
    interview, code, coder
):
    """The panel's request reads the excerpt, then adds the code: an edit of the transcript
    that removes its words in between (another tab, another coder) leaves the request
    holding an excerpt that still has words. The add is refused all the same, as for an
    excerpt read without words (EXCERPT_ORPHANED): the emptiness is read where the code is
    written, under the excerpt's row lock, not taken from what the caller read."""
    excerpt = code_span(interview, "Café regulars, people like that.", [code])
    read = Excerpt.objects.get(pk=excerpt.pk)
    edit(interview, " Café regulars, people like that.", "")
    later = services.code_create(study=interview.study, name="Later")
    with pytest.raises(Conflict, match="words were removed from the transcript"):
        services.excerpt_codes_add(excerpt=read, codes=[later], coder=coder)
    assert list(excerpt.codings.values_list("code__name", flat=True)) == [code.name]


def test_an_edit_between_reading_an_excerpt_and_keeping_it_leaves_it_marked(
    interview, code, coder
):
    """ "Keep as it now stands" is pressed on an excerpt the page read with changed words;
    an edit in another tab then removes them all. Keeping it would mark as fine an excerpt
    that has no words: it is refused, and it stays marked for review with what it held."""
    excerpt = code_span(interview, "Café regulars, people like that.", [code])
    edit(interview, "Café regulars", "Café owners")
    read = Excerpt.objects.get(pk=excerpt.pk)
    assert read.status == ExcerptStatus.CHANGED
    edit(interview, " Café owners, people like that.", "")
    with pytest.raises(Conflict, match="no words left"):
        services.excerpt_review(excerpt=read)
    excerpt.refresh_from_db()
    assert excerpt.status == ExcerptStatus.ORPHANED
    assert excerpt.previous_text == "Café owners, people like that."


def test_an_edit_between_reading_a_deleted_excerpt_and_restoring_it_restores_nothing(
    interview, code
):
    """The bin's Restore reads the excerpt, then brings it back: an edit of the transcript
    in between that removes its words (another tab, another coder) leaves the request
    holding the excerpt with its words. It is refused, and the excerpt stays in the bin."""
    excerpt = code_span(interview, "Café regulars, people like that.", [code])
    services.excerpt_delete(excerpt=excerpt)
    read = Excerpt.all_objects.select_related("interview").get(pk=excerpt.pk)
    edit(interview, " Café regulars, people like that.", "")
    with pytest.raises(Conflict, match="so it was not restored"):
        services.excerpt_restore(excerpt=read)
    assert not Excerpt.objects.filter(pk=excerpt.pk).exists()
    assert Excerpt.all_objects.get(pk=excerpt.pk).deleted_at is not None
