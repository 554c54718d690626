"""Search in a real browser: from a hit to the transcript, find in the transcript, and
coding from a search (with undo)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import Excerpt
from tests.browser.conftest import log_in
from tests.browser.test_coding import TEXT
from tests.conftest import import_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def search(page, live_server, study, q: str) -> None:
    page.goto(live_server.url + reverse("transcript_search", args=[study.slug]))
    page.get_by_label("Search the transcripts").fill(q)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#search-count")).to_be_visible()


def selection_and_after(page, n: int = 12) -> tuple[str, str]:
    """The selected text, and the `n` characters of the transcript after it."""
    return tuple(
        page.evaluate(
            """(n) => { const r = window.getSelection().getRangeAt(0);
            const tail = document.createRange(); tail.setStart(r.endContainer, r.endOffset);
            tail.setEndAfter(document.getElementById('transcript').lastChild);
            return [window.getSelection().toString(), tail.toString().slice(0, n)]; }""",
            n,
        )
    )


def test_a_hit_opens_the_transcript_with_its_words_selected(page, live_server, study, owner):
    import_text(study, text=TEXT, name="R1-interview.txt")
    log_in(page, live_server, owner)
    search(page, live_server, study, '"the ones"')
    expect(page.locator("#search-count")).to_have_text("Found in 1 interview.")
    hits = page.locator("#search-results mark")
    expect(hits).to_have_count(2)
    hits.nth(1).click()
    expect(page.locator("#transcript")).to_be_visible()
    assert "?at=" in page.url
    page.wait_for_function("() => window.getSelection().toString() === 'the ones'")
    # It is the second "the ones" that is selected: its text after it follows.
    assert selection_and_after(page) == ("the ones", " the system ")


FIND_TEXT = """Interviewer: What helped?

R1: Support 😀 from colleagues. Support at home,
too; SUPPORT from my supervisor.

Interviewer: And now?

R1: Less support than before."""


def test_find_in_the_transcript_steps_through_matches(page, live_server, study, owner):
    interview = import_text(study, text=FIND_TEXT, name="R1.txt")
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("interview_code", args=[study.slug, interview.pk]))
    page.locator("#transcript").focus()
    page.keyboard.press("/")
    box = page.get_by_role("searchbox", name="Find in this transcript")
    expect(box).to_be_focused()
    box.fill("support")
    count = page.locator("#find-count")
    expect(count).to_have_text("4 found")
    box.press("Enter")
    expect(count).to_have_text("1 of 4")
    box.press("Enter")
    expect(count).to_have_text("2 of 4")
    assert selection_and_after(page, 8) == ("Support", " at home")
    box.press("Shift+Enter")
    expect(count).to_have_text("1 of 4")
    box.press("Shift+Enter")
    expect(count).to_have_text("4 of 4")
    page.get_by_role("button", name="Next match").click()
    expect(count).to_have_text("1 of 4")
    # After the emoji (two UTF-16 units, one code point) the offsets still land right.
    assert selection_and_after(page, 6) == ("Support", " 😀 fr")
    page.get_by_role("button", name="Previous match").click()
    expect(count).to_have_text("4 of 4")
    assert selection_and_after(page, 5) == ("support", " than")
    box.fill("home, too")
    expect(count).to_have_text("1 found")
    box.fill("nowhere")
    expect(count).to_have_text("No match")
    box.press("Escape")
    expect(page.locator("#transcript")).to_be_focused()


AUTOCODE_TEXT = """Interviewer: What is harm reduction to you?

R1: Harm reduction is meeting people where they are. I learned harm reduction late.
Abstinence came first at my agency.

Interviewer: And your team?

R1: The team doubts harm reduction, mostly."""


def test_code_three_hits_of_a_phrase_from_the_preview_then_undo(
    page, live_server, study, owner, code
):
    interview = import_text(study, text=AUTOCODE_TEXT, name="R1.txt")
    log_in(page, live_server, owner)
    search(page, live_server, study, '"harm reduction"')
    expect(page.locator("#search-results mark")).to_have_count(4)
    page.get_by_role("link", name="Code from this search…").click()
    expect(page.locator("#autocode-count")).to_have_text(
        "4 passages to code. Untick those that do not fit."
    )
    # The interviewer's question does not fit: untick it; three passages remain.
    page.get_by_role("checkbox", name="What is harm reduction to you?").uncheck()
    page.get_by_label("Apply the code").select_option(label="Training")
    page.get_by_role("button", name="Code the ticked passages").click()
    flash = page.locator("#flash")
    expect(flash).to_contain_text("Coded “Training”: 3 new excerpts.")
    coded = sorted(Excerpt.objects.filter(codings__code=code).values_list("text", flat=True))
    assert coded == [
        "Harm reduction is meeting people where they are.",
        "I learned harm reduction late.",
        "The team doubts harm reduction, mostly.",
    ]
    expect(page.locator("#autocode-preview")).to_contain_text("already an excerpt")
    flash.get_by_role("button", name="Undo").click()
    page.wait_for_load_state()
    expect(page.locator("#flash")).to_contain_text("Undone: Coded “Training”")
    assert not Excerpt.objects.filter(interview=interview).exists()
