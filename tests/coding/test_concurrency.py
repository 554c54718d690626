"""Coders acting at the same moment: every request answers as it would alone, no 500, no
lost or doubled coding. Real concurrent requests, each thread on its own connection."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from coding import services
from coding.models import Code, Coding, Excerpt
from interviews.models import Interview
from tests.concurrency import WORKERS, clients_for, post_race, race
from tests.conftest import HTMX, code_span, selection

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_code_added_to_an_excerpt_at_once_is_on_it_once(excerpt, owner, coder):
    other = services.code_create(study=excerpt.interview.study, name="Peer support")
    url = reverse("excerpt_codes_add", args=[excerpt.interview.study.slug, excerpt.pk])
    outcome = post_race(clients_for([owner, coder]), url, {"code": other.pk}, headers=HTMX)
    outcome.assert_answered(200)
    assert Coding.objects.filter(excerpt=excerpt, code=other).count() == 1


def test_the_same_selection_coded_at_once_makes_one_excerpt(interview, code, owner, coder):
    url = reverse("excerpt_create", args=[interview.study.slug, interview.pk])
    data = {**selection(interview, "About six years"), "code": code.pk}
    outcome = post_race(clients_for([owner, coder]), url, data, headers=HTMX)
    outcome.assert_answered(200)
    excerpts = Excerpt.objects.filter(interview=interview)
    assert excerpts.count() == 1
    assert Coding.objects.filter(excerpt__in=excerpts).count() == 1


def test_a_new_code_typed_by_several_coders_at_once_is_made_once_and_applied(
    interview, owner, coder
):
    phrases = ["About six years", "never looked back", "Café regulars", "we don't judge them"]
    url = reverse("excerpt_create", args=[interview.study.slug, interview.pk])

    def data(i):
        return {**selection(interview, phrases[i % len(phrases)]), "new_code": "Peer support"}

    outcome = post_race(clients_for([owner, coder]), url, data, headers=HTMX)
    outcome.assert_answered(200)
    code = Code.objects.get(study=interview.study)
    assert code.name == "Peer support"
    assert Excerpt.objects.filter(interview=interview).count() == len(phrases)
    assert Coding.objects.filter(code=code).count() == len(phrases)


def test_codes_created_at_once_get_distinct_order_numbers(study, owner, coder):
    url = reverse("codebook", args=[study.slug])
    outcome = post_race(
        clients_for([owner, coder]), url, lambda i: {"name": f"Code {i}"}, headers=HTMX
    )
    outcome.assert_answered(200)
    orders = list(Code.objects.filter(study=study).values_list("order", flat=True))
    assert len(orders) == WORKERS
    assert sorted(orders) == list(range(1, WORKERS + 1))


def test_the_same_code_name_created_at_once_is_made_once(study, owner, coder):
    url = reverse("codebook", args=[study.slug])
    outcome = post_race(clients_for([owner, coder]), url, {"name": "Stress"}, headers=HTMX)
    # The others are told the name is taken, in the form (htmx swaps 200 answers).
    outcome.assert_answered(200)
    refused = [r for r in outcome.results if "There is already a code called" in r.text]
    assert len(refused) == WORKERS - 1
    assert Code.objects.filter(study=study).count() == 1


def test_a_code_on_the_spot_races_with_itself_in_the_service(interview, owner):
    made = race(lambda i: services.code_get_or_create(study=interview.study, name="Stigma"))
    assert made.errors == []
    assert len({code.pk for code in made.results}) == 1
    assert Code.objects.filter(study=interview.study).count() == 1


def test_coding_while_the_code_is_merged_keeps_every_coding(interview, owner, coder):
    """An excerpt coded with the source while the source is merged into the target ends
    with the target code (or the coder is told to reload), never a 500 or a lost coding."""
    study = interview.study
    source = services.code_create(study=study, name="Support")
    source_id = source.pk  # the merge clears source.pk
    target = services.code_create(study=study, name="Peer support")
    phrases = ["About six years", "never looked back", "Café regulars"]
    excerpts = [code_span(interview, phrase, [target], owner) for phrase in phrases]
    clients = clients_for([owner, coder], workers=len(excerpts))

    def act(i):
        if i == len(excerpts):
            return services.code_merge(source=source, target=target)
        url = reverse("excerpt_codes_add", args=[study.slug, excerpts[i].pk])
        return clients[i].post(url, {"code": source_id}, headers=HTMX)

    outcome = race(act, workers=len(excerpts) + 1)
    assert outcome.errors == []
    for response in outcome.results[:-1]:
        assert response.status_code in (200, 409)
    assert not Code.objects.filter(pk=source_id).exists()
    for excerpt in excerpts:
        assert list(excerpt.codings.values_list("code_id", flat=True)) == [target.pk]


def test_reviews_saved_while_the_transcript_is_edited_are_kept(interview, code):
    """The edit rewrites every excerpt of the transcript; a review saved meanwhile is not
    written over with the status the edit read before it.

    The edit is paused right after reading the excerpts, and the reviews are sent then:
    without a lock they are saved during the pause and the edit undoes them; with it they
    wait for the edit (the pause gives up after a second) and are saved after it.
    """
    words = {"About six years": "six", "never looked back": "looked", "Café regulars": "Café"}
    excerpts = [code_span(interview, phrase, [code]) for phrase in words]
    text = interview.text
    for word, new in zip(words.values(), ["seven", "glanced", "Cafe"], strict=True):
        text = text.replace(word, new)
    services.transcript_edit(interview=interview, text=text, version=interview.version)
    assert {e.status for e in Excerpt.objects.filter(interview=interview)} == {"changed"}
    read, reviewed, done = threading.Event(), threading.Event(), []

    def pause_after_reading(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not read.is_set() and sql.startswith("SELECT") and Excerpt._meta.db_table in sql:
            read.set()
            reviewed.wait(timeout=1)
        return result

    def act(i):
        if i == 0:
            fresh = Interview.objects.get(pk=interview.pk)
            with connection.execute_wrapper(pause_after_reading):
                return services.transcript_edit(
                    interview=fresh, text=fresh.text.replace("shelter", "hostel"), version=2
                )
        read.wait(timeout=30)
        services.excerpt_review(excerpt=Excerpt.objects.get(pk=excerpts[i - 1].pk))
        done.append(i)
        if len(done) == len(excerpts):
            reviewed.set()
        return None

    outcome = race(act, workers=len(excerpts) + 1)
    assert outcome.errors == []
    assert {e.status for e in Excerpt.objects.filter(interview=interview)} == {"ok"}


def test_a_code_moved_at_once_by_several_people_counts_every_move(study):
    code = services.code_create(study=study, name="Stress")
    # A parent of its own for each worker, so that every move is a change (a move to the
    # parent the code has already changes nothing, and leaves its revision).
    parents = [services.code_create(study=study, name=f"Parent {n}") for n in range(WORKERS)]
    # Each worker has the code as its own page read it, before any of the moves.
    pages = [Code.objects.get(pk=code.pk) for _ in range(WORKERS)]
    outcome = race(lambda i: services.code_move(code=pages[i], parent=parents[i]))
    assert outcome.errors == []
    # An editor opened before any of the moves must find its revision stale.
    assert Code.objects.get(pk=code.pk).revision == 1 + WORKERS
