"""A right-to-left name in a message stays whole on its own side: the punctuation and the
count after it are shown after it (to its right in an English sentence), not pulled into
the name's right-to-left run."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from interviews import services as interviews
from tests.browser.conftest import log_in
from tests.browser.test_search import AUTOCODE_TEXT, search
from tests.conftest import import_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "שלום"

# The boxes of the name and of each character after it in the text of the element a
# selector finds (the flash's text, an error), found in its text nodes whatever the markup
# around the name.
BOXES = """
    ([selector, name, after]) => {
        const flash = document.querySelector(selector);
        const walker = document.createTreeWalker(flash, NodeFilter.SHOW_TEXT);
        const chars = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.data.length; i++) chars.push([node, i]);
        }
        const text = chars.map(([node, i]) => node.data[i]).join("");
        const start = text.indexOf(name);
        const box = (from, to) => {
            const range = document.createRange();
            range.setStart(chars[from][0], chars[from][1]);
            range.setEnd(chars[to - 1][0], chars[to - 1][1] + 1);
            const rect = range.getBoundingClientRect();
            return {left: rect.left, right: rect.right};
        };
        const found = {name: box(start, start + name.length)};
        for (const c of after) {
            const at = text.indexOf(c, start + name.length);
            found[c] = box(at, at + 1);
        }
        return {text, found};
    }
"""


def test_the_punctuation_after_a_hebrew_name_is_shown_after_it(
    page, live_server, study, owner, code
):
    coding.code_update(
        code=code, revision=code.revision, name=NAME, colour=code.colour, parent=None
    )
    import_text(study, text=AUTOCODE_TEXT, name="R1.txt")
    log_in(page, live_server, owner)
    search(page, live_server, study, '"harm reduction"')
    page.get_by_role("link", name="Code from this search…").click()
    page.get_by_role("checkbox", name="What is harm reduction to you?").uncheck()
    page.get_by_label("Apply the code").select_option(label=NAME)
    page.get_by_role("button", name="Code the ticked passages").click()
    expect(page.locator("#flash")).to_contain_text("3 new excerpts.")
    # Isolated: its own element, so the bidirectional algorithm cannot join what follows.
    assert page.locator("#flash .flash-text bdi").inner_text() == NAME
    shown = page.evaluate(BOXES, ["#flash .flash-text", NAME, ["”", ":", "3", "."]])
    assert shown["text"] == f"Coded “{NAME}”: 3 new excerpts."
    boxes = shown["found"]
    # Before, "”: 3" joined the name's right-to-left run: the colon and the 3 showed to
    # the left of the name ("Coded “3 :”שלום new excerpts.").
    for c in ["”", ":", "3", "."]:
        assert boxes[c]["left"] >= boxes["name"]["right"] - 0.5, (c, boxes)
    assert boxes["”"]["left"] < boxes[":"]["left"] < boxes["3"]["left"] < boxes["."]["left"]


def test_the_full_stop_after_a_hebrew_name_in_a_services_refusal_is_shown_after_it(
    page, live_server, study, owner
):
    # The refusal is raised in interviews.services, which quotes the name without marking
    # it: the page isolates it where the message meets HTML (core.bidi.bdi_html).
    interviews.attribute_add(study=study, name=NAME, kind="text")
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("respondents", args=[study.slug]))
    page.get_by_label("Name").fill(NAME)
    page.get_by_role("button", name="Add column").click()
    error = page.locator("#respondent-section p.error")
    expect(error).to_have_text(f"This study already records “{NAME}”.")
    assert error.locator("bdi").inner_text() == NAME
    shown = page.evaluate(BOXES, ["#respondent-section p.error", NAME, ["”", "."]])
    boxes = shown["found"]
    # Before, the closing quote and the full stop joined the name's run, to its left.
    for c in ["”", "."]:
        assert boxes[c]["left"] >= boxes["name"]["right"] - 0.5, (c, boxes)
    assert boxes["”"]["left"] < boxes["."]["left"]
