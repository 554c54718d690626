"""What a screen reader hears after an action, in Chromium: messages land in live regions
that are in the page from its load and stay the same elements, only their content changing
(a live region replaced whole, or inserted with its content, is not reliably announced).
Messages are polite (role="status"); refusals and errors are alerts (role="alert")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import code_span
from themes import services as themes

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


# What an action the page shows but no message says is said in #announce, hidden from view.
SAID = "#announce[role=status]"


def test_moving_or_choosing_a_quote_is_said_in_the_same_live_region(
    page, live_server, study, themed, owner
):
    training = themed["training"]
    r1 = themed["interviews"][0]
    third = code_span(r1, "never looked back", [themed["codes"][0]], owner)
    themes.quote_add(theme=training, excerpt=third)
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("theme_detail", args=[study.slug, training.pk]))
    said = page.locator(SAID)
    expect(said).to_have_count(1)
    assert said.get_attribute("aria-live") == "polite"
    page.evaluate("() => { document.getElementById('announce').keptNode = 'same'; }")
    quotes = page.locator(".quotes li")

    quotes.first.get_by_role("button", name=re.compile(r"^Move the quote .+ down$")).click()
    expect(said).to_have_text("Moved the quote “About six years” down: 2 of 2.")
    quotes.first.get_by_role("button", name=re.compile(r"^Move the quote .+ down$")).click()
    expect(said).to_have_text("Moved the quote “never looked back” down: 2 of 2.")

    quotes.first.get_by_role("button", name=re.compile(r"^Remove from quotes")).click()
    expect(quotes).to_have_count(1)
    page.get_by_role("button", name=re.compile(r"^Choose as a quote")).first.click()
    expect(said).to_have_text("Chosen as a quote of “Training”.")
    assert page.evaluate("() => document.getElementById('announce').keptNode") == "same"


def test_moving_a_theme_is_said_and_taking_a_code_out_is_said(
    page, live_server, study, themed, owner
):
    themes.theme_create(study=study, name="Stress")
    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/studies/{study.slug}/themes/")
    page.evaluate(MARK)
    page.evaluate("() => { document.getElementById('announce').keptNode = 'same'; }")
    said = page.locator(SAID)
    page.get_by_role("button", name="Move the theme “Stress” up").click()
    expect(said).to_have_text("Moved “Stress” up: 1 of 2.")
    page.get_by_role("button", name="Move the theme “Stress” up").click()
    expect(said).to_have_text("“Stress” did not move.")
    assert page.evaluate("() => document.getElementById('announce').keptNode") == "same"

    status, _ = regions(page)
    page.get_by_role("button", name="Take the code “Learning” out of the theme “Training”").click()
    expect(status).to_contain_text("Took “Learning” out of “Training”")
    assert page.evaluate(KEPT, "#flash [role=status]") == [0]


# Every addition of a message to the polite region once the page has loaded: a message in
# the region from the page's start (kept for it by a reload or redirect) is not announced.
WATCH = """window.said = [];
  document.addEventListener("DOMContentLoaded", () => {
    const live = document.getElementById("flash-status");
    new MutationObserver((records) => records.forEach((record) => record.addedNodes.forEach(
      (node) => node.nodeName === "P" && window.said.push(node.textContent.trim())
    ))).observe(live, { childList: true });
  });"""


def test_a_message_kept_for_the_page_an_undo_reloads_is_said_after_it_loads(
    page, live_server, study, themed, owner
):
    """Ctrl+Z reloads the themes page (its counts change), which shows "Undone: …" from its
    start: it comes into the region once the page is there, as a change to announce."""
    page.add_init_script(WATCH)
    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/studies/{study.slug}/themes/")
    status, _ = regions(page)
    page.get_by_role("button", name="Take the code “Learning” out of the theme “Training”").click()
    expect(status).to_contain_text("Took “Learning” out of “Training”")
    page.locator("h1").click()
    page.keyboard.press("Control+z")
    page.wait_for_function(
        "() => window.said.some((text) => text.startsWith('Undone: Took “Learning” out'))"
    )
    expect(status).to_contain_text("Undone: Took “Learning” out of “Training”")


def test_a_comment_refused_is_said_in_the_alert_region(page, live_server, study, themed, reviewer):
    """A comment posted empty is refused beside its field, in the comments the answer swaps
    in: an element the swap creates, which a screen reader does not reliably announce. The
    page's alert region, there from its load, says it too; a comment posted then says so in
    the polite one."""
    training = themed["training"]
    log_in(page, live_server, reviewer)
    page.goto(live_server.url + reverse("theme_detail", args=[study.slug, training.pk]))
    page.evaluate(MARK)
    status, alert = regions(page)
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("#comments .error")).to_have_count(1)
    expect(alert).to_contain_text(page.locator("#comments .error").inner_text())
    page.get_by_label("Add a comment").fill("Which agency said this?")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(status).to_contain_text("Comment posted.")
    expect(alert).to_have_text("")
    assert page.evaluate(KEPT, "#flash [role=alert]") == [1]
