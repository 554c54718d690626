"""The History and Memos pages' filters in Chromium: each date says what it bounds, a range
that holds no day is refused in those words, and what the filter found starts below it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from coding import services as coding
from interviews import memos
from interviews.models import JournalEntry
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each page: its filter's form, the box of what it found, the names of its two dates, and
# what it says when nothing of today is after tomorrow.
PAGES = {
    "history": (".history-filters", "#history-results", "Changed", "No changes match"),
    "memos": (".memo-filters", "#memo-results", "Written", "0 memos"),
}

# Below the filter, not against its fields (the pages' gap is 1.5rem; 16 px is 1rem).
RESULTS_GAP_PX = 16


@pytest.mark.parametrize("name", PAGES)
def test_a_dated_filter_names_its_dates_and_its_results_start_below_it(
    page, live_server, study, owner, name
):
    # Before: both pages' dates were "From" and "To", which said nothing of what they
    # bounded (a change's day? a memo's? the interview's?), the order message spoke of
    # "the From date", and the first change sat against the filter's fields.
    form, results, verb, none_found = PAGES[name]
    coding.code_create(study=study, name="Training")
    memos.memo_create(model=JournalEntry, author=owner, body="Kept Training whole.", study=study)
    today = timezone.localdate()
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse(name, args=[study.slug]))

    filters, found = page.locator(form), page.locator(results)
    expect(found).to_contain_text("Training")
    assert found.bounding_box()["y"] >= _bottom(filters) + RESULTS_GAP_PX

    page.get_by_label(f"{verb} since", exact=True).fill((today + timedelta(1)).isoformat())
    filters.get_by_role("button", name="Show").click()
    expect(found).to_contain_text(none_found)
    expect(found).not_to_contain_text("Training")

    page.get_by_label(f"{verb} until", exact=True).fill(today.isoformat())
    filters.get_by_role("button", name="Show").click()
    expect(found.get_by_role("alert")).to_contain_text(
        f"The “{verb} since” date is after the “{verb} until” date."
    )
    assert found.bounding_box()["y"] >= _bottom(filters) + RESULTS_GAP_PX


def test_the_memos_page_s_kinds_sit_beside_their_words_and_its_journal_button_fits_its_words(
    page, live_server, study, owner
):
    # Before: each kind's label took the filter's 10rem, so five checkboxes spread over the
    # page's width, each nearer the word before it than its own; and "Add to the journal"
    # stretched across the whole page.
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("memos", args=[study.slug]))
    gaps = page.eval_on_selector_all(
        ".memo-filters .check",
        """labels => labels.slice(0, -1).map((label, n) => {
            const words = document.createRange();
            words.selectNodeContents(label);
            words.setStartAfter(label.querySelector('input'));
            const next = labels[n + 1].querySelector('input').getBoundingClientRect();
            return next.left - words.getBoundingClientRect().right;
        })""",
    )
    assert len(gaps) == 4  # journal, interviews, codes, themes, excerpts
    # From a kind's word to the next kind's box: the fieldset's gap (1rem), not 5rem.
    assert all(0 < gap <= 24 for gap in gaps), gaps

    button = page.get_by_role("button", name="Add to the journal").bounding_box()
    assert button["width"] < page.locator(".journal-form").bounding_box()["width"] / 3


@pytest.mark.parametrize("name", PAGES)
def test_a_filter_s_fields_are_of_one_height(page, live_server, study, owner, name):
    # Before: Chromium's own boxes made a date field 44 px tall, a text field 42 and a
    # select 39, so the History page's "Who" and "What" stood lower at the top than its
    # dates. A list of several (the Excerpts page's codes) keeps its rows.
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse(name, args=[study.slug]))
    heights = page.eval_on_selector_all(
        f"{PAGES[name][0]} :is(input[type=date], input[type=text], input[type=search], select)",
        "fields => fields.map(field => [field.type, field.getBoundingClientRect().height])",
    )
    kinds = {kind for kind, _ in heights}
    assert "date" in kinds, heights
    assert len(kinds) > 1, heights
    assert len({height for _, height in heights}) == 1, heights
    # The filter's button is as tall as its fields (it was 40 px against their 42); on the
    # History page, beside its last date, it shares the date's top and bottom (its top
    # stood 2 px lower). The Memos page's wraps to a row of its own at this width.
    form = page.locator(PAGES[name][0])
    button = form.get_by_role("button", name="Show").bounding_box()
    assert button["height"] == heights[0][1], (button, heights)
    if name == "history":
        until = form.get_by_label("Changed until").bounding_box()
        assert (button["y"], button["height"]) == (until["y"], until["height"])

    page.goto(live_server.url + reverse("retrieve", args=[study.slug]))
    codes = page.get_by_label("Codes", exact=True)
    one_line = page.get_by_label("Excerpts with").bounding_box()["height"]
    assert codes.bounding_box()["height"] > 3 * one_line


def _bottom(locator) -> float:
    box = locator.bounding_box()
    return box["y"] + box["height"]
