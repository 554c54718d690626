"""The coding loop in a real browser: select, code with the keyboard, see it, reload, undo."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from coding.models import Excerpt
from interviews.models import Interview
from tests.browser.conftest import log_in, screenshot, select_text
from tests.conftest import code_span, import_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = """Interviewer: How long have you been implementing harm reduction in your practice?

R1: Six years 😀 with clients who use every day, and a café crowd too.
We met at the shelter, mostly.

Interviewer: What type of client does it work best for?

R1: The ones nobody else will see. Honestly, the ones the system gave up on."""


@pytest.fixture
def setup(study, code):
    interview = import_text(study, text=TEXT, name="R1-interview.txt")
    coding.code_create(study=study, name="Stress and self-care")
    return interview


def open_transcript(page, live_server, interview):
    page.goto(
        live_server.url + reverse("interview_code", args=[interview.study.slug, interview.pk])
    )
    expect(page.locator("#transcript")).to_be_visible()


def apply_code_with_keyboard(page, typed: str):
    page.keyboard.press("c")
    expect(page.locator("#code-filter")).to_be_focused()
    page.keyboard.type(typed)
    page.keyboard.press("Enter")


def test_code_a_span_after_an_emoji_with_the_keyboard(page, live_server, setup, owner):
    interview = setup
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    select_text(page, "with clients who use")
    apply_code_with_keyboard(page, "train")
    mark = page.locator("#transcript mark.x", has_text="with clients who use")
    expect(mark).to_have_count(1)
    expect(page.locator("#flash")).to_contain_text("Coded as “Training”.")
    excerpt = Excerpt.objects.get()
    # The emoji is one code point before the selection, two UTF-16 units in the browser.
    assert excerpt.start == interview.text.index("with clients who use")
    assert excerpt.text == "with clients who use"
    expect(page.locator("#excerpt-list li")).to_have_count(1)
    expect(page.locator("#excerpt-detail")).to_contain_text("Training")
    screenshot(page, "coded-transcript")

    page.reload()
    expect(page.locator(f'#transcript mark[data-x="{excerpt.pk}"]')).to_have_text(
        "with clients who use"
    )


def test_the_side_list_stays_in_text_order_and_counted(page, live_server, setup, owner, code):
    interview = setup
    later = code_span(interview, "The ones nobody else will see.", [code])
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    select_text(page, "Six years")
    apply_code_with_keyboard(page, "train")
    expect(page.locator("#excerpt-list li")).to_have_count(2)
    first = Excerpt.objects.exclude(pk=later.pk).get()
    ids = page.locator("#excerpt-list li").evaluate_all("items => items.map(li => li.id)")
    assert ids == [f"ex-{first.pk}", f"ex-{later.pk}"]
    expect(page.locator("#excerpt-count")).to_have_text("2")


def test_select_with_shift_and_arrows_only(page, live_server, setup, owner):
    interview = setup
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    page.locator("#transcript").focus()
    # From the start of the first line: skip "Interviewer: How long", select "have you been".
    for _ in range(3):
        page.keyboard.press("Control+ArrowRight")
    for _ in range(3):
        page.keyboard.press("Control+Shift+ArrowRight")
    apply_code_with_keyboard(page, "stress")
    expect(page.locator("#transcript mark.x")).to_have_count(1)
    assert Excerpt.objects.get().text == "have you been"


def test_overlapping_excerpts_stay_visible_and_distinct(page, live_server, setup, owner, code):
    interview = setup
    outer = code_span(interview, "The ones nobody else will see.", [code])
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    select_text(page, "nobody else will see. Honestly")
    apply_code_with_keyboard(page, "stress")
    expect(page.locator("#excerpt-list li")).to_have_count(2)
    inner = Excerpt.objects.exclude(pk=outer.pk).get()
    # Where both cover the text, each has its own lane (its own underline).
    nested = page.locator(
        f'mark[data-x="{outer.pk}"] mark[data-x="{inner.pk}"], '
        f'mark[data-x="{inner.pk}"] mark[data-x="{outer.pk}"]'
    )
    expect(nested).to_have_text(["nobody else will see."])
    lanes = page.evaluate(
        """(ids) => ids.map(id => [...document.querySelectorAll(`mark[data-x="${id}"]`)]
            .map(m => m.className.match(/\\bl(\\d)\\b/)[1]))""",
        [outer.pk, inner.pk],
    )
    assert set(lanes[0]).isdisjoint(set(lanes[1]))
    # Hovering an excerpt tells its codes, in the transcript's one description.
    page.locator(f'mark[data-x="{outer.pk}"]', has_text="The ones").first.hover()
    expect(page.locator("#excerpt-desc")).to_have_text("Training")
    assert page.locator("#transcript").get_attribute("aria-describedby") == "excerpt-desc"
    assert page.locator("#transcript [title], #transcript [tabindex]").count() == 0
    screenshot(page, "overlapping-excerpts")


def test_delete_and_undo(page, live_server, setup, owner, code):
    interview = setup
    excerpt = code_span(interview, "a café crowd too", [code])
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    page.locator(f'mark[data-x="{excerpt.pk}"]').first.click()
    expect(page.locator("#excerpt-detail")).to_contain_text("a café crowd too")
    page.keyboard.press("Delete")
    expect(page.locator("#transcript mark.x")).to_have_count(0)
    expect(page.locator("#excerpt-list li")).to_have_count(0)
    assert not Excerpt.objects.exists()
    page.locator("#flash").get_by_role("button", name="Undo").click()
    expect(page.locator(f'#transcript mark[data-x="{excerpt.pk}"]')).to_have_count(1)
    expect(page.locator("#excerpt-list li")).to_have_count(1)
    assert Excerpt.objects.get().pk == excerpt.pk


def test_a_new_code_is_created_from_the_picker(page, live_server, setup, owner):
    interview = setup
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    select_text(page, "mostly")
    page.keyboard.press("c")
    page.keyboard.type("Shelter")
    expect(page.locator("#opt-new")).to_contain_text("Create “Shelter”")
    expect(page.locator("#code-options li[data-id]:visible")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(page.locator("#transcript mark.x", has_text="mostly")).to_have_count(1)
    assert list(Excerpt.objects.get().codings.values_list("code__name", flat=True)) == ["Shelter"]
    # The new code is offered at once for the next selection.
    select_text(page, "Honestly")
    page.keyboard.press("c")
    page.keyboard.type("shel")
    expect(page.locator("#code-options li[data-id]:visible")).to_have_count(1)


def test_a_stale_page_is_refused_with_a_message_in_the_page(page, live_server, setup, owner):
    interview = setup
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    Interview.objects.filter(pk=interview.pk).update(version=2)
    select_text(page, "mostly")
    apply_code_with_keyboard(page, "train")
    expect(page.locator("#flash")).to_contain_text("edited after you opened it")
    assert not Excerpt.objects.exists()


def test_a_reviewer_reads_but_cannot_code(page, live_server, setup, reviewer, code):
    interview = setup
    excerpt = code_span(interview, "a café crowd too", [code])
    coding.excerpt_memo_set(excerpt=excerpt, memo="Why the café?", revision=excerpt.revision)
    log_in(page, live_server, reviewer)
    open_transcript(page, live_server, interview)
    expect(page.locator("#code-panel")).to_have_count(0)
    select_text(page, "mostly")
    page.keyboard.press("c")
    page.locator(f'mark[data-x="{excerpt.pk}"]').first.click()
    expect(page.locator("#excerpt-detail")).to_contain_text("Why the café?")
    expect(page.locator("#excerpt-detail button", has_text="Delete")).to_have_count(0)
    expect(page.locator("#excerpt-detail textarea")).to_have_count(0)
    assert Excerpt.objects.count() == 1


def test_hostile_transcripts_and_code_names_stay_text(page, live_server, study, owner):
    payload = (
        "Interviewer: <script>alert(1)</script> and <img src=x onerror=alert(2)>\n"
        'R1: "><svg onload=alert(3)> </mark><img src=x onerror=alert(4)> '
        '<div hx-get="/evil/" hx-trigger="load">x</div> <a href="javascript:alert(5)">y</a>'
    )
    interview = import_text(study, text=payload, name="R1.txt")
    evil = coding.code_create(study=study, name='" onmouseover="alert(6)" x="')
    code_span(interview, "<script>alert(1)</script>", [evil])
    code_span(interview, '<div hx-get="/evil/" hx-trigger="load">x</div>', [evil])
    dialogs, evil_requests = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: "/evil/" in request.url and evil_requests.append(request))
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    for mark in page.locator("#transcript mark").all():
        mark.hover()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert evil_requests == []
    assert page.locator("#transcript script, #transcript img, #transcript svg").count() == 0
    on_attributes = page.evaluate(
        """() => [...document.querySelectorAll("#transcript *")]
            .flatMap(el => [...el.attributes].map(a => a.name))
            .filter(name => name.startsWith("on"))"""
    )
    assert on_attributes == []
    expect(page.locator("#transcript")).to_contain_text("<script>alert(1)</script>")


def test_a_memo_being_written_survives_adding_a_code(page, live_server, setup, owner, code):
    interview = setup
    excerpt = code_span(interview, "a café crowd too", [code])
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    page.locator(f'mark[data-x="{excerpt.pk}"]').first.click()
    memo = page.locator("#excerpt-detail textarea[name=memo]")
    memo.fill("Half-written thought")
    page.locator("#excerpt-detail").get_by_role("button", name="Add a code").click()
    page.keyboard.type("stress")
    page.keyboard.press("Enter")
    expect(page.locator("#excerpt-detail")).to_contain_text("Stress and self-care")
    expect(page.locator("#excerpt-detail textarea[name=memo]")).to_have_value(
        "Half-written thought"
    )
