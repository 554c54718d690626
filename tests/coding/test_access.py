"""Excerpts and codes found through the study the user belongs to, in one query each."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from coding import services
from coding.access import code_access, excerpt_access
from interviews.access import WRITE
from tests.interviews.test_access import request_of


def test_an_excerpt_comes_with_its_interview_study_and_role_in_one_query(
    excerpt, coder, django_assert_num_queries
):
    slug = excerpt.interview.study.slug
    # the excerpt joined to its interview, the study and the user's membership
    with django_assert_num_queries(1):
        access, found = excerpt_access(request_of(coder), slug, excerpt.pk, WRITE)
        assert found.interview.text == excerpt.interview.text
        assert found.interview.study.slug == slug
    assert found == excerpt
    assert access.role == "coder"


def test_a_deleted_excerpt_is_found_only_when_asked_for(excerpt, owner):
    services.excerpt_delete(excerpt=excerpt)
    slug = excerpt.interview.study.slug
    with pytest.raises(Http404, match="no longer exists"):
        excerpt_access(request_of(owner), slug, excerpt.pk)
    _, found = excerpt_access(request_of(owner), slug, excerpt.pk, deleted=True, text=False)
    assert found.deleted_at is not None
    assert found.interview.get_deferred_fields() == {"text", "turns"}


def test_an_excerpt_is_refused_to_a_reviewers_write_and_hidden_from_a_stranger(
    excerpt, reviewer, stranger
):
    slug = excerpt.interview.study.slug
    with pytest.raises(PermissionDenied):
        excerpt_access(request_of(reviewer), slug, excerpt.pk, WRITE)
    with pytest.raises(Http404):
        excerpt_access(request_of(stranger), slug, excerpt.pk)


def test_a_code_comes_with_its_study_and_role_in_one_query(
    code, owner, other_study, stranger, django_assert_num_queries
):
    # the code joined to its study and the user's membership
    with django_assert_num_queries(1):
        access, found = code_access(request_of(owner), code.study.slug, code.pk, WRITE)
    assert found == code
    assert access.study == code.study
    with pytest.raises(Http404):
        code_access(request_of(stranger), other_study.slug, code.pk)
