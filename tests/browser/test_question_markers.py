"""The question-markers page in Chromium: a refused save keeps every choice she made and
puts the message on the row that is wrong; a question marked again later is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from demo.seed import OWNER
from tests.browser.conftest import log_in
from tests.browser.test_pages import demo_log_in
from tests.conftest import import_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRANSCRIPT = (
    "Interviewer: First?\n\nR1: One.\n\nInterviewer: Second?\n\nR1: Two.\n\n"
    "Interviewer: Back to the first?\n\nR1: One again.\n\nInterviewer: And then?\n\nR1: Done."
)


def test_a_refused_save_keeps_her_choices_and_marks_the_row(page, live_server, study, owner):
    first, second = study.questions.all()
    interview = import_text(study, TRANSCRIPT)
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("interview_questions", args=[study.slug, interview.pk]))
    selects = page.locator("select[name$='-question']")
    expect(selects).to_have_count(4)
    # Q1, Q2, Q1 again: allowed. And Q1 on the last turn too: the same answer cut in two.
    for n, question in enumerate([first, second, first, first]):
        selects.nth(n).select_option(str(question.pk))
    page.get_by_role("button", name="Save markers").click()

    rows = page.locator("tbody tr")
    expect(rows.nth(3).locator(".error")).to_contain_text("Q1 already starts at an earlier turn")
    expect(rows.nth(3).locator("select")).to_have_attribute("aria-invalid", "true")
    for n in range(3):
        expect(rows.nth(n).locator(".error")).to_have_count(0)
    chosen = [selects.nth(n).input_value() for n in range(4)]
    assert chosen == [str(q.pk) for q in (first, second, first, first)]
    assert [s.question_id for s in interview.segments.all()] != [first.pk, second.pk, first.pk]

    # She clears the wrong row and saves: Q1 is marked twice, once per asking.
    selects.nth(3).select_option("")
    page.get_by_role("button", name="Save markers").click()
    expect(page.locator(".row-error")).to_have_count(0)
    assert [s.question_id for s in interview.segments.all()] == [first.pk, second.pk, first.pk]


# Whether an element shows all its text: inside the viewport's width, nothing cut off.
WHOLE = """(element) => { const box = element.getBoundingClientRect();
    return element.checkVisibility() && box.right <= innerWidth &&
        element.scrollWidth <= element.clientWidth &&
        element.scrollHeight <= element.clientHeight; }"""


def test_each_turn_shows_the_whole_of_the_question_chosen(demo, live_server):
    """A 273 px select showed "Q1. How long hav…": the eleven questions could not be told
    apart. Under each turn's select, the whole text of its question; choosing another
    shows that one's."""
    study, page = demo
    page.set_viewport_size({"width": 800, "height": 900})
    interview = study.interviews.order_by("respondent__pseudonym").first()
    marked = {s.start: s.question.text for s in interview.segments.select_related("question")}
    longest = max(study.questions.all(), key=lambda question: len(question.text))
    demo_log_in(page, live_server, OWNER)
    page.goto(live_server.url + reverse("interview_questions", args=[study.slug, interview.pk]))
    rows = page.locator("tbody tr")
    shown = []
    for n in range(rows.count()):
        text = rows.nth(n).locator(".question-text")
        if text.is_visible():
            assert text.evaluate(WHOLE), text.inner_text()
            shown.append(text.inner_text())
    assert shown == list(marked.values())
    assert len(set(shown)) > 5

    # A turn with no question yet: the longest question chosen, its whole text under it.
    first = rows.filter(has=page.locator("select option[value='']:checked")).first
    unmarked = page.locator("tbody tr").filter(
        has=page.locator("#" + first.locator("select").get_attribute("id"))
    )
    expect(unmarked.locator(".question-text")).to_be_hidden()
    unmarked.locator("select").select_option(str(longest.pk))
    expect(unmarked.locator(".question-text")).to_have_text(longest.text)
    assert unmarked.locator(".question-text").evaluate(WHOLE)
    unmarked.locator("select").select_option("")
    expect(unmarked.locator(".question-text")).to_be_hidden()
