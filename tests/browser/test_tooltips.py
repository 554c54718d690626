"""No page hides information in a tooltip: what an element's title= says is also in the
page's visible text, for keyboard and touch users, who never see a tooltip. The pages of the
demo study as its owner and as its reviewer (test_pages' list), the matrix by question and by
an attribute, and the coding page with an excerpt open in the panel, in Chromium."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from demo.seed import OWNER, REVIEWER
from tests.browser.test_pages import demo_log_in, demo_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each element whose title is nowhere in the page's visible text (innerText leaves hidden
# elements out), as "tag: title", white space folded.
HIDDEN_TITLES = """() => {
    const fold = (text) => text.replace(/\\s+/g, " ").trim();
    const shown = fold(document.body.innerText);
    return [...document.body.querySelectorAll("[title]")]
        .filter((element) => fold(element.title) && !shown.includes(fold(element.title)))
        .map((element) => `${element.tagName.toLowerCase()}: ${fold(element.title)}`);
}"""


@pytest.mark.parametrize("username", [OWNER, REVIEWER])
def test_no_demo_page_says_in_a_tooltip_only(demo, live_server, username):
    study, page = demo
    demo_log_in(page, live_server, username)
    matrix = reverse("matrix", args=[study.slug])
    attribute = study.attribute_names[0]
    extra = [f"{matrix}?by=question", f"{matrix}?by=attribute&attribute={attribute}"]
    found = {}
    for path in demo_pages(study, owner=username == OWNER) + extra:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(200)  # fragments the page loads once ready
        if hidden := page.evaluate(HIDDEN_TITLES):
            found[path] = hidden
    # The coding page with an excerpt open in the side panel.
    interview = study.interviews.order_by("respondent__pseudonym").first()
    page.goto(live_server.url + reverse("interview_code", args=[study.slug, interview.pk]))
    page.locator("#transcript mark").first.click()
    expect(page.locator("#excerpt-detail")).to_have_attribute("data-x", re.compile(r"\d+"))
    if hidden := page.evaluate(HIDDEN_TITLES):
        found["coding page, excerpt open"] = hidden
    assert not found, "\n".join(f"{where}: {what}" for where, what in found.items())
