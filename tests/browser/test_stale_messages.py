"""An old refusal does not stay up once later actions succeed, in Chromium: every answer to
an action replaces the message region (core.http.HtmxErrorMiddleware)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from tests.browser.conftest import log_in
from tests.conftest import code_span
from themes import services as themes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def refuse_extract(page, item) -> None:
    """Save words the excerpt does not hold: refused, in red."""
    item.get_by_text("Choose the words to print").click()
    item.get_by_label("Words to print").fill("words she never said")
    item.get_by_role("button", name="Save the extract").click()
    expect(page.locator("#flash-alert")).to_contain_text("is not in the excerpt")


def test_on_a_theme_page_a_refusal_goes_once_an_extract_a_move_or_a_removal_succeeds(
    page, live_server, study, themed, owner
):
    training = themed["training"]
    r1 = themed["interviews"][0]
    learning = themed["codes"][0]
    third = code_span(r1, "never looked back", [learning], owner)
    themes.quote_add(theme=training, excerpt=third)
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("theme_detail", args=[study.slug, training.pk]))
    quotes = page.locator(".quotes li")
    flash = page.locator("#flash")

    refuse_extract(page, quotes.first)
    quotes.first.get_by_label("Words to print").fill("About […] years")
    quotes.first.get_by_role("button", name="Save the extract").click()
    expect(quotes.first.locator("blockquote")).to_have_text("“About […] years”")
    # The refusal gives way to the save's own message (with its Undo).
    expect(flash).to_contain_text("Words to print saved.")
    expect(flash).not_to_contain_text("is not in the excerpt")
    expect(page.locator("#flash-alert")).to_have_text("")

    refuse_extract(page, quotes.first)
    quotes.first.get_by_role("button", name=re.compile(r"^Move the quote .+ down$")).click()
    expect(quotes.nth(1).locator("blockquote")).to_have_text("“About […] years”")
    expect(flash).not_to_contain_text("is not in the excerpt")

    refuse_extract(page, quotes.first)
    quotes.first.get_by_role("button", name="Remove from quotes").click()
    expect(quotes).to_have_count(1)
    expect(flash).not_to_contain_text("is not in the excerpt")


def test_on_the_themes_page_an_unknown_code_is_refused_then_a_known_one_clears_it(
    page, live_server, study, themed, owner
):
    coding.code_create(study=study, name="Mentors")
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    section = page.locator("section.theme", has_text="Training").first
    name = section.get_by_label("Add a code")
    name.fill("Nobody's code")
    section.get_by_role("button", name="Add the code to “Training”", exact=True).click()
    flash = page.locator("#flash")
    expect(flash).to_contain_text("There is no code called “Nobody's code”.")

    section = page.locator("section.theme", has_text="Training").first
    section.get_by_label("Add a code").fill("Mentors")
    section.get_by_role("button", name="Add the code to “Training”", exact=True).click()
    expect(page.locator("section.theme").first.get_by_label("Codes of Training")).to_contain_text(
        "Mentors"
    )
    expect(flash).not_to_contain_text("There is no code")
