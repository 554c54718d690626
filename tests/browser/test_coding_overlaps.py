"""Overlapping and nested excerpts in Chromium (issue 7, item 1): a click or Enter on text
that several excerpts cover opens the innermost one and offers every one; the description
names them all; the panel's actions act only on the excerpt the panel shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from coding.models import Excerpt
from tests.browser.conftest import click_phrase, log_in, phrase_box
from tests.conftest import code_span, import_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Of the kind of ../shared/cases/R23-nested-excerpts.txt.
TEXT = """\
Interviewer: Describe a typical shift.

R13: We start at seven, handover takes forever, then the rounds begin and nobody has time \
to eat until the afternoon break.
After that it is paperwork."""

OUTER = "We start at seven, handover takes forever, then the rounds begin"

# (excerpts, from outermost to innermost at the clicked words; the words clicked)
KINDS = {
    "inside": ([OUTER, "handover takes forever"], "forever"),
    "sharing the end": (["We start at seven, handover takes forever", "takes forever"], "forever"),
    "sharing the start": (["We start at seven, handover takes forever", "We start"], "start"),
    "three deep": ([OUTER, "handover takes forever, then the rounds", "takes forever"], "forever"),
    "partly overlapping": (
        ["We start at seven, handover takes forever", "takes forever, then the rounds begin"],
        "forever",
    ),
}


def open_transcript(page, live_server, interview):
    page.goto(
        live_server.url + reverse("interview_code", args=[interview.study.slug, interview.pk])
    )
    expect(page.locator("#transcript")).to_be_visible()


def code_all(interview, phrases, order):
    """One excerpt per phrase, each with its own code named after its position; created in
    `order` (the bug depended on which came first)."""
    made = {}
    for index in order:
        code = coding.code_create(study=interview.study, name=f"Code {index}")
        made[index] = code_span(interview, phrases[index], [code])
    return [made[i] for i in range(len(phrases))]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("inner_first", [False, True], ids=["outer-first", "inner-first"])
def test_a_click_opens_the_innermost_and_offers_every_covering_excerpt(
    page, live_server, study, owner, kind, inner_first
):
    phrases, word = KINDS[kind]
    interview = import_text(study, text=TEXT, name="R13.txt")
    order = range(len(phrases))
    excerpts = code_all(interview, phrases, list(reversed(order)) if inner_first else list(order))
    innermost_first = list(reversed(excerpts))
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)

    click_phrase(page, word)
    expect(page.locator("#excerpt-detail")).to_have_attribute("data-x", str(excerpts[-1].pk))
    expect(page.locator("#excerpt-detail .code-list")).to_contain_text(f"Code {len(phrases) - 1}")
    choices = page.locator("#covering [data-open]")
    expect(choices).to_have_count(len(phrases))
    assert choices.evaluate_all("bs => bs.map(b => b.dataset.open)") == [
        str(e.pk) for e in innermost_first
    ]
    expect(choices.first).to_have_attribute("aria-pressed", "true")

    # The description (hover) names every excerpt covering the point, innermost first.
    box = phrase_box(page, word)
    page.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2)
    description = page.locator("#excerpt-desc p")
    expect(description).to_have_text(
        [f"{len(phrases)} excerpts here, innermost first:"]
        + [f"Code {i}" for i in reversed(range(len(phrases)))]
    )

    # Choosing the outermost shows it; Delete then deletes that one and no other.
    choices.last.click()
    expect(page.locator("#excerpt-detail")).to_have_attribute("data-x", str(excerpts[0].pk))
    expect(choices.last).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Delete")
    expect(page.locator(f'#transcript mark[data-x="{excerpts[0].pk}"]')).to_have_count(0)
    assert set(Excerpt.objects.values_list("pk", flat=True)) == {e.pk for e in excerpts[1:]}


def test_a_point_covered_by_one_excerpt_offers_no_choice(page, live_server, study, owner):
    interview = import_text(study, text=TEXT, name="R13.txt")
    outer, _inner = code_all(interview, KINDS["partly overlapping"][0], [0, 1])
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    click_phrase(page, "seven")
    expect(page.locator("#excerpt-detail")).to_have_attribute("data-x", str(outer.pk))
    expect(page.locator("#covering")).to_be_hidden()


def test_the_panels_actions_act_on_the_excerpt_it_shows(page, live_server, study, owner):
    """Add a code and remove a code from the inner excerpt: the outer one is untouched."""
    interview = import_text(study, text=TEXT, name="R13.txt")
    outer, inner = code_all(interview, KINDS["sharing the end"][0], [0, 1])
    coding.code_create(study=study, name="Handover")
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    click_phrase(page, "forever")
    expect(page.locator("#excerpt-detail")).to_have_attribute("data-x", str(inner.pk))
    page.locator("#excerpt-detail").get_by_role("button", name="Add a code").click()
    page.keyboard.type("handover")
    page.keyboard.press("Enter")
    expect(page.locator("#excerpt-detail .code-list")).to_contain_text("Handover")
    page.locator("#excerpt-detail").get_by_role("button", name="Remove the code Code 1").click()
    expect(page.locator("#excerpt-detail .code-list")).not_to_contain_text("Code 1")
    names = lambda e: sorted(e.codings.values_list("code__name", flat=True))  # noqa: E731
    assert names(inner) == ["Handover"]
    assert names(outer) == ["Code 0"]


def test_the_shared_r23_case(page, live_server, study, owner):
    path = Path(settings.BASE_DIR).parent / "shared" / "cases" / "R23-nested-excerpts.txt"
    if not path.exists():
        pytest.skip(f"{path} is absent (it lives beside the worktrees, not in the repo)")
    interview = import_text(study, text=path.read_text(encoding="utf-8"), name="R13.txt")
    _outer, inner = code_all(interview, [OUTER, "handover takes forever"], [0, 1])
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    click_phrase(page, "forever")
    expect(page.locator("#excerpt-detail")).to_have_attribute("data-x", str(inner.pk))
    expect(page.locator("#covering [data-open]")).to_have_count(2)
