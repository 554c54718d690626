"""Themes and quotes changed at the same moment: each request answers as it would alone,
none answers 500, order numbers stay distinct. Real concurrent requests, each thread on its
own connection."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding import services as coding
from tests.concurrency import WORKERS, clients_for, post_race, race
from tests.conftest import HTMX
from themes import services
from themes.models import Quote, Theme

pytestmark = pytest.mark.django_db(transaction=True)


def quote_url(theme, excerpt):
    return reverse("quote_toggle", args=[theme.study.slug, theme.pk, excerpt.pk])


def test_the_same_quote_chosen_at_once_is_chosen_once(themed, owner, coder):
    training = themed["training"]
    _, second, _ = themed["excerpts"]
    services.theme_code_attach(theme=training, code=themed["codes"][1])
    url = quote_url(training, second)
    outcome = post_race(clients_for([owner, coder]), url, {"choose": "1"}, headers=HTMX)
    outcome.assert_answered(200)
    assert Quote.objects.filter(theme=training, excerpt=second).count() == 1
    orders = list(training.quotes.values_list("order", flat=True))
    assert len(orders) == len(set(orders))


def test_the_same_quote_removed_at_once_is_removed(themed, owner, coder):
    training = themed["training"]
    first, _, _ = themed["excerpts"]
    url = quote_url(training, first)
    outcome = post_race(clients_for([owner, coder]), url, {"choose": "0"}, headers=HTMX)
    outcome.assert_answered(200)
    assert not Quote.objects.filter(theme=training, excerpt=first).exists()


def test_quotes_chosen_at_once_get_distinct_order_numbers(long_theme, owner, coder):
    theme, excerpt_ids = long_theme
    clients = clients_for([owner, coder], workers=len(excerpt_ids))

    def url(i):
        return reverse("quote_toggle", args=[theme.study.slug, theme.pk, excerpt_ids[i]])

    outcome = race(
        lambda i: clients[i].post(url(i), {"choose": "1"}, headers=HTMX),
        workers=len(excerpt_ids),
    )
    outcome.assert_answered(200)
    orders = sorted(theme.quotes.values_list("order", flat=True))
    assert orders == list(range(1, len(excerpt_ids) + 1))


def test_themes_made_at_once_get_distinct_order_numbers(study):
    outcome = race(lambda i: services.theme_create(study=study, name=f"Theme {i}"))
    assert outcome.errors == []
    orders = sorted(Theme.objects.filter(study=study).values_list("order", flat=True))
    assert orders == list(range(1, WORKERS + 1))


def test_themes_renamed_to_one_name_at_once_keep_it_unique(study, owner, coder):
    themes = [services.theme_create(study=study, name=f"Theme {i}") for i in range(WORKERS)]
    clients = clients_for([owner, coder])

    def rename(i):
        url = reverse("theme_edit", args=[study.slug, themes[i].pk])
        data = {"name": "Stress", "description": "", "revision": themes[i].revision}
        return clients[i].post(url, data, headers=HTMX)

    outcome = race(rename)
    # One saves; the others are told the name is taken, in the form they sent.
    outcome.assert_answered(200)
    refused = [r for r in outcome.results if "There is already a theme called" in r.text]
    assert len(refused) == WORKERS - 1
    assert Theme.objects.filter(study=study, name="Stress").count() == 1


def test_moving_themes_at_once_keeps_their_order_numbers_distinct(study):
    themes = [services.theme_create(study=study, name=f"Theme {i}") for i in range(WORKERS)]
    outcome = race(lambda i: services.theme_move(theme=themes[i], delta=-1 if i % 2 else 1))
    assert outcome.errors == []
    orders = sorted(Theme.objects.filter(study=study).values_list("order", flat=True))
    assert orders == list(range(1, WORKERS + 1))


def test_a_code_attached_while_it_is_merged_ends_as_the_target(study, owner, coder):
    source = coding.code_create(study=study, name="Support")
    source_id = source.pk  # the merge clears source.pk
    target = coding.code_create(study=study, name="Peer support")
    themes = [services.theme_create(study=study, name=f"Theme {i}") for i in range(WORKERS - 1)]
    clients = clients_for([owner, coder])

    def act(i):
        if i == WORKERS - 1:
            return coding.code_merge(source=source, target=target)
        url = reverse("theme_codes", args=[study.slug, themes[i].pk])
        return clients[i].post(url, {"code": source_id}, headers=HTMX)

    outcome = race(act)
    assert outcome.errors == []
    answers = outcome.results[:-1]
    assert [r.status_code for r in answers if r.status_code not in (200, 400, 409)] == []
    for theme, answer in zip(themes, answers, strict=True):
        gathered = list(theme.codes.values_list("pk", flat=True))
        # Attached before the merge: moved to the target; refused after it: nothing.
        assert gathered == ([target.pk] if answer.status_code == 200 else [])
