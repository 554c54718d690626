"""Writes that take the ids of two related objects refuse a pair that does not belong: an
excerpt chosen as a quote for a theme it is not under, a reply to a comment of another
theme. Each is a 400 with a message saying so, and nothing is written (the page offers
neither: these come from a forged or stale request)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import HTMX, client_for
from themes import services
from themes.models import Comment, Quote


def url(study, name, *args):
    return reverse(name, args=[study.slug, *args])


def test_an_excerpt_not_under_the_theme_is_not_chosen_as_its_quote(study, themed, owner):
    # R1's first excerpt carries Learning, which "Training" gathers and "At work" does not.
    at_work, first = themed["at_work"], themed["excerpts"][0]
    response = client_for(owner).post(
        url(study, "quote_toggle", at_work.pk, first.pk), {"choose": "1"}, headers=HTMX
    )
    assert response.status_code == 400
    assert "That excerpt is not under “<bdi>At work</bdi>”" in response.content.decode()
    assert not Quote.objects.filter(theme=at_work).exists()


def test_an_excerpt_under_a_sub_theme_is_chosen_for_its_parent(study, themed, owner):
    """The check is the theme's excerpts as the roll-up counts them: a sub-theme's too."""
    training, second = themed["training"], themed["excerpts"][1]
    response = client_for(owner).post(
        url(study, "quote_toggle", training.pk, second.pk), {"choose": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    assert Quote.objects.filter(theme=training, excerpt=second).exists()


def test_the_service_refuses_an_excerpt_not_under_the_theme(themed):
    with pytest.raises(ValidationError, match="not under “At work”"):
        services.quote_add(theme=themed["at_work"], excerpt=themed["excerpts"][0])
    assert not Quote.objects.filter(theme=themed["at_work"]).exists()


@pytest.mark.parametrize("foreign", [True, False], ids=["another-theme", "gone"])
def test_a_reply_to_a_comment_not_on_the_theme_is_refused(study, themed, reviewer, owner, foreign):
    training, at_work = themed["training"], themed["at_work"]
    parent = services.comment_add(theme=training, author=owner, body="Which agency?")
    parent_id = parent.pk if foreign else parent.pk + 1000
    response = client_for(reviewer).post(
        url(study, "comment_add", at_work.pk),
        {"body": "Agency C.", "parent": parent_id},
        headers=HTMX,
    )
    assert response.status_code == 400
    assert "That comment is not on this theme" in response.content.decode()
    assert list(Comment.objects.values_list("body", flat=True)) == ["Which agency?"]


def test_a_reply_on_the_same_theme_is_posted_in_its_thread(study, themed, reviewer, owner):
    training = themed["training"]
    parent = services.comment_add(theme=training, author=owner, body="Which agency?")
    response = client_for(reviewer).post(
        url(study, "comment_add", training.pk),
        {"body": "Agency C.", "parent": parent.pk},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert Comment.objects.get(body="Agency C.").parent_id == parent.pk
