"""The code picker in Chromium (issue 7, item 5): what is being coded stays in sight, the
picked codes show as chips that unpick, and a new name close to an existing code's is
asked about before it is created."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from coding.models import Code, Excerpt
from tests.browser.conftest import click_phrase, log_in, select_text
from tests.conftest import code_span, import_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = """\
Interviewer: Who helped you?

P1: Other nurses did, the ones on nights. Peer support kept me going that first winter."""


@pytest.fixture
def coding_page(page, live_server, study, owner, code):
    """TEXT's coding page with "the ones on nights" coded and open in the side panel."""
    interview = import_text(study, text=TEXT, name="P1.txt")
    opened = code_span(interview, "the ones on nights", [code])
    coding.code_create(study=study, name="Peer support")
    coding.code_create(study=study, name="Nights")
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("interview_code", args=[study.slug, interview.pk]))
    click_phrase(page, "nights")
    expect(page.locator("#excerpt-detail")).to_have_attribute("data-x", str(opened.pk))
    return opened


def pending_text(page) -> str | None:
    """The text under the picker's own highlight, or None when there is none."""
    return page.evaluate(
        """() => {
            const h = CSS.highlights.get("pending-excerpt");
            return h ? [...h][0].toString() : null;
        }"""
    )


def test_what_is_being_coded_stays_in_sight_and_comes_back_on_escape(page, coding_page):
    select_text(page, "Peer support kept me going")
    page.keyboard.press("c")
    expect(page.locator("#code-filter")).to_be_focused()
    # The DOM selection went to the filter box; the words keep a highlight of their own.
    assert page.evaluate("() => window.getSelection().toString()") == ""
    assert pending_text(page) == "Peer support kept me going"
    # The side panel shows what is being coded, not the excerpt it showed before.
    detail = page.locator("#excerpt-detail")
    expect(detail).to_contain_text("New excerpt")
    expect(detail).to_contain_text("Peer support kept me going")
    expect(detail).not_to_contain_text("the ones on nights")
    expect(detail).not_to_have_attribute("data-x", str(coding_page.pk))
    page.keyboard.press("Delete")  # no excerpt is open to delete meanwhile
    assert Excerpt.objects.count() == 1
    # Closed without coding: the panel and the selection come back, the highlight goes.
    page.keyboard.press("Escape")
    expect(detail).to_have_attribute("data-x", str(coding_page.pk))
    expect(detail).to_contain_text("the ones on nights")
    assert pending_text(page) is None
    assert page.evaluate("() => window.getSelection().toString()") == (
        "Peer support kept me going"
    )


def test_picked_codes_show_as_chips_that_unpick(page, coding_page):
    select_text(page, "Other nurses did")
    page.keyboard.press("c")
    for name in ("peer", "nights", "train"):
        page.locator("#code-filter").fill(name)
        page.keyboard.press("Control+Enter")
    chips = page.locator("#picked .chip")  # in the codebook's order
    expect(chips).to_have_text(["Training×", "Peer support×", "Nights×"])
    page.get_by_role("button", name="Unpick Nights").click()
    expect(chips).to_have_text(["Training×", "Peer support×"])
    nights = page.locator('#code-options li[data-name="Nights"]')
    expect(nights).to_have_attribute("aria-selected", "false")
    page.locator("#code-filter").fill("")
    page.keyboard.press("Enter")
    expect(page.locator("#excerpt-list li")).to_have_count(2)
    made = Excerpt.objects.exclude(pk=coding_page.pk).get()
    assert sorted(made.codings.values_list("code__name", flat=True)) == [
        "Peer support",
        "Training",
    ]
    assert pending_text(page) is None


def test_a_new_name_close_to_a_code_is_asked_about_and_the_code_offered(page, coding_page):
    select_text(page, "kept me going")
    page.keyboard.press("c")
    page.keyboard.type("Peer suport")
    expect(page.locator("#opt-new")).to_contain_text("Create “Peer suport”")
    page.keyboard.press("Enter")
    warning = page.locator("#picker-warning")
    expect(warning).to_contain_text("“Peer suport” looks like the code “Peer support”")
    assert not Code.objects.filter(name="Peer suport").exists()
    assert Excerpt.objects.count() == 1
    expect(page.locator("#code-panel")).to_be_visible()
    warning.get_by_role("button", name="Use “Peer support”").click()
    expect(page.locator("#excerpt-list li")).to_have_count(2)
    made = Excerpt.objects.exclude(pk=coding_page.pk).get()
    assert list(made.codings.values_list("code__name", flat=True)) == ["Peer support"]
    assert not Code.objects.filter(name="Peer suport").exists()


def test_a_close_name_can_still_be_created_when_confirmed(page, coding_page):
    select_text(page, "kept me going")
    page.keyboard.press("c")
    page.keyboard.type("Peer suport")
    page.keyboard.press("Enter")
    page.locator("#picker-warning").get_by_role(
        "button", name="Create “Peer suport” all the same"
    ).click()
    expect(page.locator("#excerpt-list li")).to_have_count(2)
    made = Excerpt.objects.exclude(pk=coding_page.pk).get()
    assert list(made.codings.values_list("code__name", flat=True)) == ["Peer suport"]


def test_the_same_name_in_another_case_or_normal_form_is_the_existing_code(
    page, coding_page, study
):
    coding.code_create(study=study, name="Émotion")
    page.reload()
    select_text(page, "kept me going")
    page.keyboard.press("c")
    # E + combining acute, in capitals, as pasted.
    page.locator("#code-filter").fill("E\u0301MOTION")
    expect(page.locator("#opt-new")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(page.locator("#excerpt-list li")).to_have_count(2)
    made = Excerpt.objects.exclude(pk=coding_page.pk).get()
    assert list(made.codings.values_list("code__name", flat=True)) == ["Émotion"]
    assert Code.objects.filter(study=study).count() == 4
