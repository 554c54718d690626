"""Selecting with a real mouse drag in Chromium (issue 7, item 2): a drag from any point
(inside a highlight, on its first or last letter, on plain text, on a speaker label),
forward or backward, gives a selection that codes as the words dragged over; a selection
starting on a speaker label starts after it, as the user sees (item 6)."""

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
Then the training came later.

Interviewer: And the training?"""

HIGHLIGHT = "colleagues, mostly"


def drag(page, start, end):
    page.mouse.move(*start)
    page.mouse.down()
    # Several steps, as a hand moves: Chromium extends the selection on each move. A first
    # jump of many pixels to another line can leave Chromium's selection empty even on a
    # page without script, which no hand does: start with a small step.
    page.mouse.move(start[0] + (end[0] - start[0]) / 20, start[1] + (end[1] - start[1]) / 20)
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


# Dragged over (from its first letter to its last), and what is selected then stored.
FROM_LABELS = {
    "the respondent's label": ("P1: From colleagues", "From colleagues"),
    "the interviewer's label": ("Interviewer: What helped", "What helped"),
    "inside a label": ("1: From", "From"),
    "into the next turn's label": ("came later.\nInterv", "came later."),
}


@pytest.fixture
def coding_page(page, live_server, study, owner, code):
    """The coding page of TEXT, with HIGHLIGHT coded; returns that excerpt."""
    interview = import_text(study, text=TEXT, name="P1.txt")
    existing = code_span(interview, HIGHLIGHT, [code])
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("interview_code", args=[study.slug, interview.pk]))
    expect(page.locator("#transcript")).to_be_visible()
    return existing


def drag_over(page, words: str, backward: bool) -> None:
    """Drag over `words` (of TEXT; its lines may be several), from its first letter to its
    last, or back."""
    first, last = words.split("\n")[0], words.split("\n")[-1]
    a, b = phrase_ends(page, first)
    if "\n" in words:
        # The occurrence of the last line's words that follows the first line's.
        b = phrase_ends(page, last, TEXT[: TEXT.index(first)].count(last))[1]
    drag(page, b, a) if backward else drag(page, a, b)


def code_selection(page, existing) -> Excerpt:
    expect(page.locator("#code-selection")).to_be_visible()
    page.keyboard.press("c")
    page.keyboard.type("train")
    page.keyboard.press("Enter")
    expect(page.locator("#excerpt-list li")).to_have_count(2)
    return Excerpt.objects.exclude(pk=existing.pk).get()


@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
@pytest.mark.parametrize("name", DRAGS)
def test_a_drag_from_any_point_selects_and_codes(page, coding_page, name, backward):
    words = DRAGS[name]
    drag_over(page, words, backward)
    assert code_selection(page, coding_page).text == words


@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
@pytest.mark.parametrize("name", FROM_LABELS)
def test_a_selection_from_a_speaker_label_starts_after_it(page, coding_page, name, backward):
    words, stored = FROM_LABELS[name]
    stored = stored or words
    drag_over(page, words, backward)
    # The user sees the selection without the label before coding it.
    page.wait_for_function("(words) => window.getSelection().toString() === words", arg=stored)
    assert code_selection(page, coding_page).text == stored


def test_a_triple_click_on_an_answer_codes_only_its_words(page, coding_page):
    box = phrase_ends(page, "the ropes")[0]
    page.mouse.click(*box, click_count=3)
    answer = "From colleagues, mostly. They showed me the ropes when nobody else would."
    page.wait_for_function(
        "(words) => window.getSelection().toString().trim() === words", arg=answer
    )
    assert code_selection(page, coding_page).text == answer


def test_shift_and_arrows_from_a_line_start_leave_the_label_out(page, coding_page):
    page.locator("#transcript").focus()
    page.keyboard.press("ArrowDown")  # the caret at the start of "P1: From colleagues…"
    for _ in range(3):
        page.keyboard.press("Control+Shift+ArrowRight")  # "P1:", " From", " colleagues,"
    page.wait_for_function("() => window.getSelection().toString() === 'From colleagues,'")
    page.keyboard.press("c")
    page.keyboard.type("train")
    page.keyboard.press("Enter")
    expect(page.locator("#excerpt-list li")).to_have_count(2)
    assert Excerpt.objects.exclude(pk=coding_page.pk).get().text == "From colleagues,"
