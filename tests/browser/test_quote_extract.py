"""Choosing the words a quote prints, on the theme page in a real browser: a cut the
researcher marks shows with […], a refused extract keeps what she typed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from themes import services as themes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_researcher_cuts_a_quote_where_she_chooses(page, live_server, study, themed, owner):
    training = themed["training"]
    quote = themes.quote_add(theme=training, excerpt=themed["excerpts"][1])
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("theme_detail", args=[study.slug, training.pk]))

    item = page.locator(".quotes li").nth(1)
    expect(item.locator("blockquote")).to_have_text("“the ones nobody else will see”")
    item.get_by_text("Choose the words to print").click()
    words = item.get_by_label("Words to print")
    expect(words).to_have_value("the ones nobody else will see")

    words.fill("words she never said")
    item.get_by_role("button", name="Save the extract").click()
    expect(page.locator("#flash")).to_contain_text("is not in the excerpt")
    expect(words).to_have_value("words she never said")

    words.fill("the ones […] will see")
    item.get_by_role("button", name="Save the extract").click()
    expect(page.locator(".quotes li").nth(1).locator("blockquote")).to_have_text(
        "“the ones […] will see”"
    )
    quote.refresh_from_db()
    assert quote.extract == "the ones […] will see"
