"""Passages like a code's excerpts, in a real browser: from the codebook, code one, undo it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from coding.models import Excerpt
from tests.browser.conftest import log_in
from tests.coding.test_similar import TEXT
from tests.conftest import code_span, import_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_code_a_suggested_passage_then_undo_it(page, live_server, study, owner):
    interview = import_text(study, text=TEXT, name="R1.txt")
    support = coding.code_create(study=study, name="Supervision")
    code_span(interview, "My supervisor listens when a client relapses", [support], owner)
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("code_edit", args=[study.slug, support.pk]))
    page.get_by_role("link", name="Find uncoded passages like its excerpts").click()
    suggestions = page.locator("#suggestions")
    expect(suggestions).to_contain_text("like the 1 excerpt of “Supervision”")
    first = suggestions.locator("li").first
    expect(first).to_contain_text("Honestly my supervisor listens to me when a client relapses.")
    first.get_by_role("button", name="Code it as “Supervision”").click()
    expect(first).to_contain_text("Coded as “Supervision”.")
    assert Excerpt.objects.filter(interview=interview, text__startswith="😀 Honestly").exists()
    first.get_by_role("button", name="Undo").click()
    expect(page.locator("#flash")).to_contain_text("Undone: Coded as “Supervision”.")
    assert not Excerpt.objects.filter(text__startswith="😀 Honestly").exists()
    # The page came back with the passage suggested again.
    expect(page.locator("#suggestions li").first).to_contain_text("Honestly my supervisor")
