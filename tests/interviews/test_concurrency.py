"""Studies, protocols, respondents and markers changed at the same moment: each request
answers as it would alone (or is refused with a message), none answers 500, nothing it
saved is lost. Real concurrent requests and calls, each thread on its own connection."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from interviews import services
from interviews.models import Membership, Respondent, Role, Study
from tests.concurrency import WORKERS, clients_for, post_race, race
from tests.conftest import HTMX, TRANSCRIPT, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_questions_added_at_once_are_all_saved_with_their_own_numbers(study, owner, coder):
    url = reverse("protocol", args=[study.slug])
    outcome = post_race(
        clients_for([owner, coder]), url, lambda i: {"text": f"Question {i}?"}, headers=HTMX
    )
    outcome.assert_answered(200)
    # The study fixture has two questions already.
    numbers = list(study.questions.values_list("number", flat=True))
    assert numbers == list(range(1, WORKERS + 3))
    texts = set(study.questions.values_list("text", flat=True))
    assert {f"Question {i}?" for i in range(WORKERS)} <= texts


def test_the_same_question_sent_at_once_by_everyone_is_saved_once(study, owner, coder):
    url = reverse("protocol", args=[study.slug])
    outcome = post_race(clients_for([owner, coder]), url, {"text": "Anything else?"})
    # Without htmx the form redirects back to the protocol once saved; the protocol asks
    # each question once, so every other sender gets the form back with why (under the
    # study's lock: no two of them both find the question missing).
    outcome.assert_answered(302, 200)
    assert outcome.statuses.count(302) == 1
    assert study.questions.filter(text="Anything else?").count() == 1
    refused = [r.content.decode() for r in outcome.results if r.status_code == 200]
    assert all("already asks this question" in html for html in refused)


def test_moving_and_adding_questions_at_once_keeps_the_protocol_numbered(study):
    first = study.questions.get(number=1)

    def act(i):
        if i % 2:
            return services.question_add(study=study, text=f"Added {i}?")
        return services.question_move(question=first, delta=1)

    outcome = race(act)
    assert outcome.errors == []
    numbers = list(study.questions.values_list("number", flat=True))
    assert numbers == list(range(1, 2 + WORKERS // 2 + 1))


def test_attributes_added_at_once_are_all_kept(study):
    outcome = race(lambda i: services.attribute_add(study=study, name=f"Agency {i}"))
    assert outcome.errors == []
    study = Study.objects.get(pk=study.pk)
    assert set(study.attribute_names) == {"Years of experience"} | {
        f"Agency {i}" for i in range(WORKERS)
    }


def test_owners_stepping_down_at_once_leave_one_owner(study, owner):
    owners = [owner] + [make_user(f"owner{i}") for i in range(3)]
    for user in owners[1:]:
        services.membership_set(study=study, username=user.username, role=Role.OWNER)

    def step_down(i):
        try:
            services.membership_set(study=study, username=owners[i].username, role=Role.CODER)
        except ValidationError as refused:  # the answer the last of them must get
            return refused.messages
        return None

    outcome = race(step_down, workers=len(owners))
    assert outcome.errors == []
    assert [r for r in outcome.results if r] == [["A study must keep at least one owner."]]
    assert Membership.objects.filter(study=study, role=Role.OWNER).count() == 1


def test_studies_with_the_same_title_made_at_once_get_their_own_addresses(owner, coder):
    clients = clients_for([owner, coder])
    outcome = post_race(clients, reverse("study_create"), {"title": "Peer support"})
    outcome.assert_answered(302)
    slugs = sorted(Study.objects.values_list("slug", flat=True))
    assert len(slugs) == WORKERS
    assert len(set(slugs)) == WORKERS
    assert Membership.objects.filter(role=Role.OWNER).count() == WORKERS


def test_files_of_one_new_respondent_imported_at_once_all_go_to_them(study):
    def import_one(i):
        text = f"{TRANSCRIPT}\n\nInterviewer: Anything else?\n\nR7: Part {i}."
        return services.interview_import(
            study=study, name=f"part{i}.txt", raw=text.encode("utf-8"), pseudonym="R7"
        )

    outcome = race(import_one, workers=4)
    assert outcome.errors == []
    assert [o.error for o in outcome.results] == [""] * 4
    respondent = Respondent.objects.get(study=study, pseudonym="R7")
    assert respondent.interviews.count() == 4
    assert sum(o.created_respondent for o in outcome.results) == 1


def test_one_file_imported_twice_at_once_is_imported_once(study, interview):
    respondent = interview.respondent

    def import_one(i):
        raw = f"{TRANSCRIPT}\n\nR1: One more thing.".encode()
        return services.interview_import(
            study=study, name="R1-again.txt", raw=raw, respondent=respondent
        )

    outcome = race(import_one, workers=4)
    assert outcome.errors == []
    assert sorted(o.duplicate for o in outcome.results) == [False, True, True, True]
    assert respondent.interviews.count() == 2


def test_question_markers_saved_at_once_on_different_turns_are_all_kept(study, interview):
    """Each save changes only its own turns; one saved meanwhile is not undone."""
    first, second = study.questions.all()
    asks = [turn[0] for turn in interview.turns if turn[3] == "i"]
    services.segments_set(interview=interview, markers=dict.fromkeys(asks))
    assert interview.segments.count() == 0

    def mark(i):
        question = (first, second)[i % 2]
        return services.segments_set(interview=interview, markers={asks[i % 2]: question.pk})

    outcome = race(mark)
    assert outcome.errors == []
    marked = dict(interview.segments.values_list("start", "question_id"))
    assert marked == {asks[0]: first.pk, asks[1]: second.pk}
