"""Restore a deleted code from the history page, in Chromium (issue 11, item 3)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from tests.browser.conftest import log_in
from tests.conftest import code_span, import_text

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

    page.goto(coding_page)
    marks = page.locator('#transcript mark[data-codes*="Learning"]')
    expect(marks).to_have_count(2)
    expect(marks.first).to_have_text("About six years now")
