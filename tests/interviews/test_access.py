"""The access helpers: the object, its study and the user's role in one ORM query; 404 for
what is not in a study of the user's, 403 for a role that may not do the action."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from interviews.access import OWN, READ, WRITE, interview_access, study_access
from interviews.models import Interview


def request_of(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_a_member_gets_the_study_and_their_role_in_one_query(
    study, coder, django_assert_num_queries
):
    # the user's membership joined to its study
    with django_assert_num_queries(1):
        access = study_access(request_of(coder), study.slug, WRITE)
    assert access.study == study
    assert access.study.title == "Harm reduction"
    assert access.role == "coder"


def test_a_stranger_is_not_told_the_study_exists(study, stranger):
    with pytest.raises(Http404):
        study_access(request_of(stranger), study.slug)


@pytest.mark.parametrize(("role", "action"), [("reviewer", WRITE), ("coder", OWN)])
def test_a_role_may_not_do_more_than_it_allows(study, request, role, action):
    with pytest.raises(PermissionDenied):
        study_access(request_of(request.getfixturevalue(role)), study.slug, action)


def test_an_interview_comes_with_its_study_and_the_role_in_one_query(
    interview, coder, django_assert_num_queries
):
    # the interview joined to its study and the user's membership
    with django_assert_num_queries(1):
        access, found = interview_access(
            request_of(coder), interview.study.slug, interview.pk, WRITE
        )
        assert found.study.slug == interview.study.slug
        assert found.text == interview.text
    assert found == interview
    assert access.study == interview.study
    assert access.role == "coder"


def test_the_role_is_the_users_own_not_another_members(interview, reviewer, owner):
    # The study has an owner too: the role must come from the reviewer's own membership.
    with pytest.raises(PermissionDenied):
        interview_access(request_of(reviewer), interview.study.slug, interview.pk, WRITE)
    access, _ = interview_access(request_of(reviewer), interview.study.slug, interview.pk, READ)
    assert access.role == "reviewer"


def test_without_text_the_transcript_stays_in_the_database(
    interview, owner, django_assert_num_queries
):
    _, found = interview_access(request_of(owner), interview.study.slug, interview.pk, text=False)
    assert found.get_deferred_fields() == {"text", "turns"}
    # the transcript, read only when asked for
    with django_assert_num_queries(1):
        assert found.text == interview.text


def test_an_interview_of_another_study_is_not_found(interview, other_study, stranger):
    foreign = Interview.objects.get(pk=interview.pk)
    with pytest.raises(Http404):
        interview_access(request_of(stranger), other_study.slug, foreign.pk)
    with pytest.raises(Http404):
        interview_access(request_of(stranger), interview.study.slug, foreign.pk)
