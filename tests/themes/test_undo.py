"""Removing from the themes pages can be undone: a theme removed (with its comment threads,
which its restore from the bin brings back too), a quote taken off a theme (back at its
place, with its chosen words), a code taken out of a theme. Each removal says what it did
in a message whose Undo button (coding's history of actions) puts back exactly what was."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from coding import services as coding
from coding.models import Excerpt, ExcerptStatus
from interviews import services as interviews
from tests.conftest import HTMX, client_for
from themes import services as themes
from themes.models import Comment, Quote, Theme

UNDO = re.compile(r'hx-post="([^"]+)"[^>]*data-undo')


def undo_url(response) -> str:
    """The URL the Undo button of the answer's message posts to."""
    found = UNDO.search(response.content.decode())
    assert found, "the message has no Undo button"
    return found.group(1)


def comment_rows(theme_id: int) -> list[tuple]:
    return list(
        Comment.objects.filter(theme_id=theme_id)
        .order_by("id")
        .values_list(
            "id", "parent_id", "author_id", "body", "created_at", "resolved_at", "resolved_by_id"
        )
    )


def quote_rows() -> list[tuple]:
    return list(Quote.objects.order_by("id").values_list("id", "theme_id", "excerpt_id", "order"))


def theme_code_rows() -> list[tuple]:
    return list(Theme.codes.through.objects.order_by("id").values_list("theme_id", "code_id"))


def discuss(theme: Theme, owner, reviewer) -> list[tuple]:
    """Two threads: the committee's question with the researcher's reply, resolved; and a
    remark of the committee, open. Written a day apart, so that dates are told apart.
    Returns their rows (comment_rows)."""
    question = themes.comment_add(theme=theme, author=reviewer, body="Is <b>this</b> a theme?")
    themes.comment_add(theme=theme, author=owner, body="Yes: see R1.", parent=question)
    themes.comment_resolve(comment=question, user=owner)
    remark = themes.comment_add(theme=theme, author=reviewer, body="Say more on training.")
    Comment.objects.filter(pk=remark.pk).update(created_at=timezone.now() - timedelta(days=1))
    return comment_rows(theme.pk)


@pytest.mark.django_db
def test_restoring_a_removed_theme_brings_back_its_threads_as_they_were(
    study, themed, owner, reviewer
):
    training = themed["training"]
    before = discuss(training, owner, reviewer)
    assert len(before) == 3

    themes.theme_delete(theme=training)
    assert comment_rows(training.pk) == []
    themes.theme_restore(study=study, theme_id=training.pk)

    assert comment_rows(training.pk) == before


@pytest.mark.django_db
def test_a_thread_whose_author_left_comes_back_as_a_former_members_thread(
    study, themed, owner, reviewer
):
    training = themed["training"]
    discuss(training, owner, reviewer)
    themes.theme_delete(theme=training)
    get_user_model().objects.filter(pk=reviewer.pk).delete()

    themes.theme_restore(study=study, theme_id=training.pk)

    authors = Comment.objects.filter(theme=training).order_by("id")
    assert list(authors.values_list("author_id", flat=True)) == [None, owner.pk, None]


@pytest.mark.django_db
def test_removing_a_theme_says_it_waits_in_the_bin_and_undo_brings_it_back_whole(
    study, themed, owner, reviewer
):
    training = themed["training"]
    before = discuss(training, owner, reviewer)
    # Every one, the withdrawn respondent's too: it comes back left out of the findings.
    quotes = list(training.quotes.values_list("id", "excerpt_id", "order"))
    client = client_for(owner)

    removed = client.post(reverse("theme_delete", args=[study.slug, training.pk]), headers=HTMX)
    page = removed.content.decode()
    assert "Removed the theme “<bdi>Training</bdi>”" in page
    assert "bin on the History page" in page
    assert not Theme.objects.filter(pk=training.pk).exists()

    undone = client.post(undo_url(removed), headers=HTMX)
    assert undone.status_code == 200
    assert undone.has_header("HX-Refresh")
    assert comment_rows(training.pk) == before
    assert list(training.quotes.values_list("id", "excerpt_id", "order")) == quotes
    shown = client.get(reverse("theme_detail", args=[study.slug, training.pk])).content.decode()
    assert "Is &lt;b&gt;this&lt;/b&gt; a theme?" in shown
    assert (
        "Undone: Removed the theme “<bdi>Training</bdi>”. 1 quote is left out of the findings: "
        "its respondent has withdrawn."
    ) in shown


@pytest.mark.django_db
def test_a_plain_removal_is_redirected_with_the_message_of_the_bin(study, themed, owner):
    client = client_for(owner)
    response = client.post(
        reverse("theme_delete", args=[study.slug, themed["training"].pk]), follow=True
    )
    assert "It waits in the bin on the History page" in response.content.decode()


@pytest.mark.django_db
def test_a_quote_removed_comes_back_at_its_place_with_its_extract(study, themed, owner):
    training = themed["training"]
    first = training.quotes.get(excerpt=themed["excerpts"][0])
    themes.quote_extract_set(quote=first, extract="About six […]")
    third = themes.quote_add(theme=training, excerpt=themed["excerpts"][1])
    before = list(training.quotes.values_list("id", "excerpt_id", "extract", "created_at"))
    client = client_for(owner)
    toggle = reverse("quote_toggle", args=[study.slug, training.pk, first.excerpt_id])

    removed = client.post(toggle, {"choose": "0"}, headers=HTMX)
    assert (
        "Removed the quote from “<bdi>Training</bdi>”; the excerpt stays."
        in removed.content.decode()
    )
    assert not Quote.objects.filter(pk=first.pk).exists()
    # Moved up meanwhile: the quote comes back before it all the same.
    themes.quote_move(quote=third, delta=-1)

    client.post(undo_url(removed), headers=HTMX)

    after = list(training.quotes.values_list("id", "excerpt_id", "extract", "created_at"))
    assert after == before


@pytest.mark.django_db
def test_a_quote_chosen_again_meanwhile_is_not_put_back_twice(study, themed, owner):
    training = themed["training"]
    excerpt = themed["excerpts"][0]
    client = client_for(owner)
    toggle = reverse("quote_toggle", args=[study.slug, training.pk, excerpt.pk])
    removed = client.post(toggle, {"choose": "0"}, headers=HTMX)
    client.post(toggle, {"choose": "1"}, headers=HTMX)

    refused = client.post(undo_url(removed), headers=HTMX)

    assert refused.status_code == 409
    assert "chosen as a quote again since" in refused.content.decode()
    assert training.quotes.filter(excerpt=excerpt).count() == 1


@pytest.mark.django_db
def test_a_code_taken_out_of_a_theme_is_put_back_by_undo(study, themed, owner):
    training = themed["training"]
    learning = themed["codes"][0]
    client = client_for(owner)
    codes = reverse("theme_codes", args=[study.slug, training.pk])

    taken = client.post(codes, {"code": learning.pk, "detach": "1"}, headers=HTMX)
    assert "Took “<bdi>Learning</bdi>” out of “<bdi>Training</bdi>”" in taken.content.decode()
    assert not training.codes.exists()

    client.post(undo_url(taken), headers=HTMX)
    assert list(training.codes.all()) == [learning]


def test_a_code_added_to_a_theme_is_taken_out_by_undo_unless_taken_out_since(study, themed, owner):
    training = themed["training"]
    spare = coding.code_create(study=study, name="Spare")
    client = client_for(owner)
    codes = reverse("theme_codes", args=[study.slug, training.pk])

    added = client.post(codes, {"code": spare.pk}, headers=HTMX)
    client.post(undo_url(added), headers=HTMX)
    assert spare not in training.codes.all()

    added = client.post(codes, {"code": spare.pk}, headers=HTMX)
    themes.theme_code_detach(theme=training, code=spare)
    response = client.post(undo_url(added), headers=HTMX)
    assert response.status_code == 409
    assert "cannot be undone: the code is no longer in the theme." in response.content.decode()
    assert spare not in training.codes.all()


@pytest.mark.django_db
def test_a_reviewer_cannot_undo_a_removal(study, themed, owner, reviewer):
    removed = client_for(owner).post(
        reverse("theme_delete", args=[study.slug, themed["training"].pk]), headers=HTMX
    )
    response = client_for(reviewer).post(undo_url(removed), headers=HTMX)
    assert response.status_code == 403
    assert not Theme.objects.filter(pk=themed["training"].pk).exists()


@pytest.mark.django_db
def test_the_history_page_lists_comments_on_a_theme(study, themed, owner, reviewer):
    from themes.history import HistoryFilter, history_page

    discuss(themed["training"], owner, reviewer)
    events = history_page(study, HistoryFilter(kind="comment"), reviewer=True).events
    assert [(event.noun, event.action) for event in events][-1] == (
        "Comment on a theme",
        "added",
    )
    assert "“Is <b>this</b> a theme?” (on “Training”)" in [event.label for event in events]


def _take_the_code_off_the_theme(themed, owner):
    themes.theme_code_detach(theme=themed["training"], code=themed["codes"][0])


def _take_the_code_off_the_excerpt(themed, owner):
    coding.excerpt_code_remove(excerpt=themed["excerpts"][0], code=themed["codes"][0])


def _delete_the_excerpt(themed, owner):
    coding.excerpt_delete(excerpt=themed["excerpts"][0], actor=owner)


def _withdraw_the_respondent(themed, owner):
    interviews.respondent_withdraw(respondent=themed["interviews"][0].respondent)


def _remove_its_words_from_the_transcript(themed, owner):
    # What an edit of the transcript that removes the excerpt's words leaves (coding.models.
    # excerpt_followed): an orphaned excerpt, which counts nowhere.
    Excerpt.objects.filter(pk=themed["excerpts"][0].pk).update(
        status=ExcerptStatus.ORPHANED, start=0, end=0, text=""
    )


def _remove_the_theme(themed, owner):
    themes.theme_delete(theme=themed["training"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("meanwhile", "why"),
    [
        (_take_the_code_off_the_theme, "that excerpt is no longer under this theme"),
        (_take_the_code_off_the_excerpt, "that excerpt is no longer under this theme"),
        (_delete_the_excerpt, "its excerpt has since been deleted"),
        (_withdraw_the_respondent, "its respondent has withdrawn since"),
        (_remove_its_words_from_the_transcript, "its words have since been removed"),
        (_remove_the_theme, "the theme has since been removed"),
    ],
)
def test_a_quote_whose_excerpt_left_the_theme_is_not_put_back(
    study, themed, owner, meanwhile, why
):
    """Undo would bring back a quote that no longer belongs (shown only under "Left out of
    the findings"): it is refused, saying why, and nothing is changed."""
    training = themed["training"]
    excerpt = themed["excerpts"][0]
    client = client_for(owner)
    toggle = reverse("quote_toggle", args=[study.slug, training.pk, excerpt.pk])
    removed = client.post(toggle, {"choose": "0"}, headers=HTMX)
    meanwhile(themed, owner)
    quotes = quote_rows()

    refused = client.post(undo_url(removed), headers=HTMX)

    assert refused.status_code == 409
    text = refused.content.decode()
    assert "cannot be undone: " + why in text
    assert text.count("Nothing was changed.") == 1
    assert not Quote.objects.filter(excerpt=excerpt).exists()
    assert quote_rows() == quotes


@pytest.mark.django_db
def test_a_quote_whose_excerpt_is_still_under_the_theme_through_a_sub_theme_comes_back(
    study, themed, owner
):
    """The check is the roll-up's: an excerpt under a sub-theme is under the theme."""
    training, at_work = themed["training"], themed["at_work"]
    learning = themed["codes"][0]
    excerpt = themed["excerpts"][0]
    client = client_for(owner)
    removed = client.post(
        reverse("quote_toggle", args=[study.slug, training.pk, excerpt.pk]),
        {"choose": "0"},
        headers=HTMX,
    )
    themes.theme_code_attach(theme=at_work, code=learning)
    themes.theme_code_detach(theme=training, code=learning)

    undone = client.post(undo_url(removed), headers=HTMX)

    assert undone.status_code == 200
    assert training.quotes.filter(excerpt=excerpt).exists()


def _delete_the_code(themed, owner):
    coding.code_delete(code=themed["codes"][0], force=True, actor=owner)


def _merge_the_code(themed, owner):
    coding.code_merge(source=themed["codes"][0], target=themed["codes"][1])


def _gather_it_again(themed, owner):
    themes.theme_code_attach(theme=themed["training"], code=themed["codes"][0])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("meanwhile", "why"),
    [
        (_delete_the_code, "the code has since been deleted or merged"),
        (_merge_the_code, "the code has since been deleted or merged"),
        (_remove_the_theme, "the theme has since been removed"),
        (_gather_it_again, "the code was gathered into the theme again since"),
    ],
)
def test_a_code_taken_out_of_a_theme_is_not_put_back_when_that_no_longer_holds(
    study, themed, owner, meanwhile, why
):
    training = themed["training"]
    client = client_for(owner)
    taken = client.post(
        reverse("theme_codes", args=[study.slug, training.pk]),
        {"code": themed["codes"][0].pk, "detach": "1"},
        headers=HTMX,
    )
    meanwhile(themed, owner)
    links = theme_code_rows()

    refused = client.post(undo_url(taken), headers=HTMX)

    assert refused.status_code == 409
    assert "cannot be undone: " + why in refused.content.decode()
    assert theme_code_rows() == links


def _row(theme_id: int) -> dict:
    """Every concrete field of the theme as stored, but its revision (a restore bumps it:
    a page open before the removal must not save over the theme come back)."""
    theme = Theme.objects.get(pk=theme_id)
    return {
        field.attname: getattr(theme, field.attname)
        for field in Theme._meta.concrete_fields
        if field.attname != "revision"
    }


@pytest.mark.parametrize("how", ["undo", "bin"])
def test_a_theme_removed_then_brought_back_keeps_every_field_and_its_review_baseline(
    study, themed, owner, how
):
    """A theme under review comes back, by Undo or from the bin, field for field as it
    was: its review baseline too, so its page still says what changed since the review
    began."""
    training = themed["training"]
    themes.theme_status_set(theme=training, status="in_review")
    Theme.objects.filter(pk=training.pk).update(description="Changed since the review.")
    before = _row(training.pk)
    assert before["review_snapshot"] is not None
    client = client_for(owner)
    removed = client.post(reverse("theme_delete", args=[study.slug, training.pk]), headers=HTMX)
    if how == "undo":
        client.post(undo_url(removed), headers=HTMX)
    else:
        client.post(reverse("history_restore", args=[study.slug, "theme", training.pk]))
    assert _row(training.pk) == before
    page = client.get(reverse("theme_detail", args=[study.slug, training.pk])).content.decode()
    assert "Changed since review started" in page
