"""Search in a real browser: from a hit to the transcript, find in the transcript, and
coding from a search (with undo)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_coding import TEXT
from tests.conftest import import_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def search(page, live_server, study, q: str) -> None:
    page.goto(live_server.url + reverse("transcript_search", args=[study.slug]))
    page.get_by_label("Search the transcripts").fill(q)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#search-count")).to_be_visible()


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
    after = page.evaluate(
        """() => { const r = window.getSelection().getRangeAt(0);
        const tail = document.createRange(); tail.setStart(r.endContainer, r.endOffset);
        tail.setEndAfter(document.getElementById('transcript').lastChild);
        return tail.toString().slice(0, 12); }"""
    )
    assert after == " the system "
