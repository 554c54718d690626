"""Themes, quotes and comments found through the study the user belongs to, one query each."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from interviews.access import READ, WRITE
from tests.interviews.test_access import request_of
from themes import services
from themes.access import comment_access, quote_access, theme_access


def test_a_theme_quote_and_comment_come_with_study_and_role_in_one_query_each(
    study, themed, coder, django_assert_num_queries
):
    training = themed["training"]
    quote = training.quotes.first()
    comment = services.comment_add(theme=training, author=coder, body="Why this code?")
    request = request_of(coder)
    # the theme joined to its study and the user's membership
    with django_assert_num_queries(1):
        access, found = theme_access(request, study.slug, training.pk, WRITE)
    assert (found, access.study, access.role) == (training, study, "coder")
    # the quote joined to its theme, the study and the membership; the same for the comment
    with django_assert_num_queries(2):
        _, found_quote = quote_access(request, study.slug, quote.pk, WRITE)
        _, found_comment = comment_access(request, study.slug, comment.pk, READ)
        assert found_quote.theme == training == found_comment.theme
    assert (found_quote, found_comment) == (quote, comment)


def test_themes_are_hidden_from_strangers_and_closed_to_reviewers_writes(
    study, themed, reviewer, stranger
):
    training = themed["training"]
    # The true reason: not a member (the theme exists; it said it "no longer exists").
    with pytest.raises(Http404, match="you are not a member of it"):
        theme_access(request_of(stranger), study.slug, training.pk)
    with pytest.raises(PermissionDenied):
        theme_access(request_of(reviewer), study.slug, training.pk, WRITE)
