"""Selecting with a real mouse drag in Chromium (issue 7, item 2): a drag from any point
(inside a highlight, on its first or last letter, on plain text, on a speaker label),
forward or backward, gives a selection that codes as the words dragged over."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import Excerpt
from tests.browser.conftest import log_in, phrase_ends
from tests.conftest import code_span, import_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = """\
Interviewer: What helped most?

P1: From colleagues, mostly. They showed me the ropes when nobody else would.
Then the training came later."""

HIGHLIGHT = "colleagues, mostly"


def drag(page, start, end):
    page.mouse.move(*start)
    page.mouse.down()
    # Several steps, as a hand moves: Chromium extends the selection on each move.
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=4)
    page.mouse.move(*end, steps=4)
    page.mouse.up()


# What is dragged over, from its first letter to its last.
DRAGS = {
    "from the highlight's first letter": "colleagues, mostly. They showed me the ropes",
    "from inside the highlight": "mostly. They showed",
    "from the highlight's last letter": "y. They showed",
    "across the highlight from plain text": "From colleagues, mostly. They",
    "to the highlight's first letter": "From c",
    "over two lines": "ropes when nobody else would.\nThen the training",
}


@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
@pytest.mark.parametrize("name", DRAGS)
def test_a_drag_from_any_point_selects_and_codes(
    page, live_server, study, owner, code, name, backward
):
    words = DRAGS[name]
    interview = import_text(study, text=TEXT, name="P1.txt")
    existing = code_span(interview, HIGHLIGHT, [code])
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("interview_code", args=[study.slug, interview.pk]))
    expect(page.locator("#transcript")).to_be_visible()
    a, b = phrase_ends(page, words.split("\n")[0])
    if "\n" in words:
        b = phrase_ends(page, words.split("\n")[-1])[1]
    drag(page, b, a) if backward else drag(page, a, b)
    expect(page.locator("#code-selection")).to_be_visible()
    page.keyboard.press("c")
    page.keyboard.type("train")
    page.keyboard.press("Enter")
    expect(page.locator("#excerpt-list li")).to_have_count(2)
    made = Excerpt.objects.exclude(pk=existing.pk).get()
    assert made.text == words
