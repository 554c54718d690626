"""What a screen reader hears after an action, in Chromium: messages land in live regions
that are in the page from its load and stay the same elements, only their content changing
(a live region replaced whole, or inserted with its content, is not reliably announced).
Messages are polite (role="status"); refusals and errors are alerts (role="alert")."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Tag each live region's element: a tag still there after an action is the same node.
MARK = """() => document.querySelectorAll('[role=status], [role=alert]').forEach((region, i) => {
  region.dataset.kept = 'yes'; region.keptNode = i; })"""
KEPT = """(selector) => [...document.querySelectorAll(selector)].map((r) => r.keptNode)"""


def regions(page):
    return page.locator("#flash [role=status]"), page.locator("#flash [role=alert]")


def test_a_message_and_a_refusal_change_the_regions_content_not_the_regions(
    page, live_server, study, themed, owner
):
    training = themed["training"]
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("theme_detail", args=[study.slug, training.pk]))
    status, alert = regions(page)
    expect(status).to_have_count(1)
    expect(alert).to_have_count(1)
    assert status.get_attribute("aria-live") == "polite"
    assert alert.get_attribute("aria-live") == "assertive"
    page.evaluate(MARK)
    quote = page.locator(".quotes li").first

    quote.get_by_text("Choose the words to print").click()
    quote.get_by_label("Words to print").fill("words she never said")
    quote.get_by_role("button", name="Save the extract").click()
    expect(alert).to_contain_text("is not in the excerpt")
    expect(status).to_have_text("")

    quote.get_by_label("Words to print").fill("About […] years")
    quote.get_by_role("button", name="Save the extract").click()
    expect(status).to_contain_text("Words to print saved.")
    expect(alert).to_have_text("")
    assert page.evaluate(KEPT, "#flash [role=status]") == [0]
    assert page.evaluate(KEPT, "#flash [role=alert]") == [1]


def test_an_htmx_refusal_of_the_server_lands_in_the_alert_region(
    page, live_server, study, themed, owner
):
    """A refusal that is not the view's own (a 400 of a form, through the middleware) too."""
    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/studies/{study.slug}/themes/")
    page.evaluate(MARK)
    _, alert = regions(page)
    page.get_by_placeholder("Type a code's name").first.fill("Nothing like it")
    with page.expect_response(lambda r: "/codes/" in r.url) as answer:
        page.get_by_role("button", name="Add the code to “Training”", exact=True).click()
    assert answer.value.status == 400
    expect(alert).to_contain_text("There is no code called “Nothing like it”.")
    assert page.evaluate(KEPT, "#flash [role=alert]") == [1]
    assert page.evaluate(KEPT, "#flash [role=status]") == [0]

