"""Restore a deleted code from the history page, in Chromium (issue 11, item 3)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from tests.browser.conftest import log_in
from tests.conftest import code_span, import_text
from themes import services as themes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_deleted_code_is_found_on_the_history_page_and_restored(page, live_server, study, owner):
    interview = import_text(study)
    learning = coding.code_create(study=study, name="Learning")
    code_span(interview, "About six years now", [learning], owner)
    code_span(interview, "never looked back", [learning], owner)
    coding_page = live_server.url + reverse("interview_code", args=[study.slug, interview.pk])
    log_in(page, live_server, owner)

    page.goto(live_server.url + reverse("code_edit", args=[study.slug, learning.pk]))
    page.get_by_label("Also remove it from the excerpts that carry it").check()
    page.get_by_role("button", name="Delete code").click()
    expect(page.locator("#codebook-body")).to_contain_text("Deleted “Learning” (it waits")
    page.goto(coding_page)
    expect(page.locator('#transcript mark[data-codes*="Learning"]')).to_have_count(0)

    page.get_by_role("navigation", name="Study").get_by_role("link", name="History").click()
    expect(page.locator("h1")).to_have_text("History")
    expect(page.locator(".history-event").first).to_contain_text("Code deleted")
    expect(page.locator(".history-event").first).to_contain_text("“Learning”")
    row = page.locator("#bin tr", has_text="Code “Learning”")
    expect(row).to_contain_text("2 codings")
    row.get_by_role("button", name="Restore").click()
    expect(page.locator("#flash")).to_contain_text("Restored “Learning”")
    expect(page.locator("#bin")).to_contain_text("The bin is empty.")
    # The page after the restore says it came back, not that it was added anew.
    page.reload()
    restored = re.compile(r"· Code restored\s*:\s*“Learning”")
    expect(page.locator(".history-event").filter(has_text=restored)).to_have_count(1)

    page.goto(coding_page)
    marks = page.locator('#transcript mark[data-codes*="Learning"]')
    expect(marks).to_have_count(2)
    expect(marks.first).to_have_text("About six years now")


def test_the_history_pages_older_and_newer_with_its_filter_and_back_shows_the_whole_page(
    page, live_server, study, owner
):
    for n in range(110):
        coding.code_create(study=study, name=f"Code {n:03}")
    coding.code_create(study=study, name="Not a theme")
    for n in range(3):
        themes.theme_create(study=study, name=f"Theme {n}")
    log_in(page, live_server, owner)
    history = live_server.url + reverse("history", args=[study.slug])
    page.goto(history)
    page.get_by_label("What").select_option("code")
    page.get_by_role("button", name="Show").click()
    events = page.locator(".history-event")
    expect(events.first).to_contain_text("“Not a theme”")
    expect(events).to_have_count(50)
    pager = page.get_by_role("navigation", name="Pages of the history")
    expect(pager.get_by_role("link", name="← Newer")).to_have_count(0)

    pager.get_by_role("link", name="Older →").click()
    expect(events.first).to_contain_text("“Code 060”")
    expect(page).to_have_url(re.compile(r"kind=code&.*older=\d+-\d+-\d+$"))
    # The new page is read from its top, not from where the link was (its bottom).
    expect(events.first).to_be_in_viewport()
    second = page.url
    pager.get_by_role("link", name="Older →").click()
    expect(events.first).to_contain_text("“Code 010”")
    expect(events).to_have_count(11)
    expect(events.last).to_contain_text("“Code 000”")
    expect(pager.get_by_role("link", name="Older →")).to_have_count(0)

    pager.get_by_role("link", name="← Newer").click()
    expect(events.first).to_contain_text("“Code 060”")
    expect(events.first).to_be_in_viewport()
    expect(page).to_have_url(re.compile(r"kind=code&.*newer=\d+-\d+-\d+$"))

    page.go_back()
    # Each Back asks for its page again (core.http.render_page_or_fragment): the next Back
    # waits for it.
    expect(events.first).to_contain_text("“Code 010”")
    page.go_back()
    # The whole page again, with the second page of the filtered history.
    expect(page).to_have_url(second)
    expect(page.locator("header.topbar")).to_be_visible()
    expect(page.locator("#bin-heading")).to_be_visible()
    expect(page.get_by_label("What")).to_have_value("code")
    expect(events.first).to_contain_text("“Code 060”")
    expect(events).to_have_count(50)
    expect(page.locator(".history-event", has_text="Theme added")).to_have_count(0)
