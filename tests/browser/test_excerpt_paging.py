"""Paging through the coding page's side list of excerpts in Chromium (issue 8 item 3): the
pager, N and P across pages, a highlight whose entry is on another page, and Back."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import Excerpt
from coding.sidelist import EXCERPTS_PER_PAGE
from tests.browser.conftest import log_in
from tests.coding.heavy import coded_transcript

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENTRIES = "#excerpt-list li[data-x]"


@pytest.fixture
def paged(page, live_server, study, owner):
    """The coding page of a transcript of 130 excerpts (two pages of the side list);
    returns the excerpts in text order and the page's URL."""
    interview = coded_transcript(study, owner, excerpts=130, turns=200, words_per_turn=40)
    excerpts = list(Excerpt.objects.filter(interview=interview).order_by("start", "end", "id"))
    url = live_server.url + reverse("interview_code", args=[study.slug, interview.pk])
    log_in(page, live_server, owner)
    page.goto(url)
    return excerpts, url


def shown(page):
    return expect(page.locator("#excerpt-detail"))


def test_the_side_list_pages_and_back_shows_the_whole_page(page, paged):
    excerpts, url = paged
    expect(page.locator(ENTRIES)).to_have_count(EXCERPTS_PER_PAGE)

    page.click("#excerpts-next")

    expect(page.locator(ENTRIES)).to_have_count(30)
    expect(page).to_have_url(url + "?page=2")
    expect(page.locator("#excerpt-count")).to_have_text("130")
    # An entry of the new page opens in the panel.
    page.locator(f'#excerpt-list a[data-x="{excerpts[120].pk}"]').click()
    shown(page).to_have_attribute("data-x", str(excerpts[120].pk))

    page.go_back()

    expect(page).to_have_url(url)
    expect(page.locator("header.topbar")).to_be_visible()
    expect(page.locator("#transcript")).to_be_visible()
    expect(page.locator(ENTRIES)).to_have_count(EXCERPTS_PER_PAGE)
    # The page works again after Back: N opens the first excerpt.
    page.locator("#transcript").focus()
    page.keyboard.press("n")
    shown(page).to_have_attribute("data-x", str(excerpts[0].pk))


def test_n_and_p_go_on_across_pages(page, paged):
    excerpts, _ = paged
    last_of_first = excerpts[EXCERPTS_PER_PAGE - 1]
    page.locator(f'#excerpt-list a[data-x="{last_of_first.pk}"]').click()
    shown(page).to_have_attribute("data-x", str(last_of_first.pk))

    page.keyboard.press("n")

    shown(page).to_have_attribute("data-x", str(excerpts[EXCERPTS_PER_PAGE].pk))
    expect(page.locator(ENTRIES)).to_have_count(30)
    expect(page.locator(f"#ex-{excerpts[EXCERPTS_PER_PAGE].pk}")).to_have_class(re.compile("on"))

    page.keyboard.press("p")

    shown(page).to_have_attribute("data-x", str(last_of_first.pk))
    expect(page.locator(ENTRIES)).to_have_count(EXCERPTS_PER_PAGE)


def test_a_highlight_whose_entry_is_on_another_page_opens_in_the_panel(page, paged):
    excerpts, _ = paged
    # One on the second page that overlaps no other, so a click on it opens it alone.
    alone = next(
        excerpt
        for excerpt in excerpts[EXCERPTS_PER_PAGE:]
        if not any(
            other.start < excerpt.end and excerpt.start < other.end
            for other in excerpts
            if other.pk != excerpt.pk
        )
    )
    expect(page.locator(f"#ex-{alone.pk}")).to_have_count(0)

    page.locator(f'#transcript mark[data-x="{alone.pk}"]').first.click()

    shown(page).to_have_attribute("data-x", str(alone.pk))
    expect(page.locator("#excerpt-detail")).to_contain_text(alone.text[:40])
    # N goes on from it, in text order, bringing in the page that holds the next one.
    following = excerpts[excerpts.index(alone) + 1]
    page.keyboard.press("n")
    shown(page).to_have_attribute("data-x", str(following.pk))
    expect(page.locator(ENTRIES)).to_have_count(30)
