"""The coding page with the keyboard alone, in Chromium (issue 7 item 7, issue 8 item 10):
a skip link to the transcript, which is one tab stop; every key the help lists, pressed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import Excerpt
from tests.browser.conftest import click_phrase, log_in
from tests.conftest import code_span, import_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = """\
Interviewer: What helped most?

P1: From colleagues, mostly. They showed me the ropes.
Then the training came later."""

# The key help, entry by entry: every key below is pressed by a test of this module.
HELP = [
    "Tab to the text, then ← →",
    "↑ ↓ Home End",
    "Shift with any of these",
    "Enter",
    "C",
    "N P or ] [",
    "S",
    "M",
    "Delete or Backspace",
    "Ctrl+Z (⌘+Z on a Mac)",
    "Esc",
    "/",
    "?",
]


@pytest.fixture
def coded(page, live_server, study, owner, code):
    """The coding page of TEXT with two excerpts, the first of them nested in a wider one;
    returns (wider, inner, later) and leaves the transcript focused, caret at the top."""
    interview = import_text(study, text=TEXT, name="P1.txt")
    wider = code_span(interview, "From colleagues, mostly", [code])
    inner = code_span(interview, "colleagues", [code])
    later = code_span(interview, "the training", [code])
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("interview_code", args=[study.slug, interview.pk]))
    page.locator("#transcript").focus()
    return wider, inner, later


def selected(page) -> str:
    return page.evaluate("() => window.getSelection().toString()")


def shown(page):
    return expect(page.locator("#excerpt-detail"))


def test_the_help_lists_exactly_the_keys_tested_here(page, coded):
    page.keyboard.press("?")
    expect(page.locator("#keys-help")).to_be_visible()
    entries = page.locator("#keys-help dt").all_inner_texts()
    assert [" ".join(entry.split()) for entry in entries] == HELP
    page.keyboard.press("Escape")
    expect(page.locator("#keys-help")).to_be_hidden()


def test_a_skip_link_leads_to_the_transcript_which_is_one_tab_stop(page, coded):
    page.reload()
    page.keyboard.press("Tab")
    link = page.locator("a.skip").first
    expect(link).to_be_focused()
    expect(link).to_have_text("Skip to the transcript")
    page.keyboard.press("Enter")
    expect(page.locator("#transcript")).to_be_focused()
    # Nothing inside the transcript is a tab stop of its own, and Tab leaves it at once.
    inside = page.evaluate(
        """() => [...document.querySelectorAll("#transcript *")].filter(el => el.tabIndex >= 0)
            .length"""
    )
    assert inside == 0
    page.keyboard.press("Tab")
    assert page.evaluate(
        "() => !document.getElementById('transcript').contains(document.activeElement)"
    )


def test_arrows_move_by_character_and_shift_selects(page, coded):
    page.keyboard.press("ArrowDown")  # "|P1: From colleagues…"
    for _ in range(6):
        page.keyboard.press("ArrowRight")  # "P1: Fr|om"
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    assert selected(page) == "om "
    page.keyboard.press("Shift+ArrowLeft")
    assert selected(page) == "om"
    # Across a line break: the break is one step.
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    assert selected(page).split() == [".", "T"]


def test_ctrl_or_alt_arrows_move_by_word(page, coded):
    page.keyboard.press("Control+ArrowRight")  # after "Interviewer:"
    page.keyboard.press("Control+Shift+ArrowRight")
    assert selected(page) == " What"
    page.keyboard.press("Alt+Shift+ArrowRight")
    assert selected(page) == " What helped"
    page.keyboard.press("Alt+Shift+ArrowLeft")  # back to the start of "helped"
    assert selected(page) == " What "


def test_up_down_home_end_move_by_line(page, coded):
    page.keyboard.press("ArrowDown")  # the start of "P1: …" (its label left out of selections)
    page.keyboard.press("Shift+End")
    assert selected(page) == "From colleagues, mostly. They showed me the ropes."
    page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    page.keyboard.press("Shift+Home")
    assert selected(page) == "Then the training came later."
    page.keyboard.press("ArrowUp")  # from the line's start: the line above
    page.keyboard.press("Shift+End")
    assert selected(page) == "From colleagues, mostly. They showed me the ropes."


def test_enter_opens_the_innermost_excerpt_at_the_caret(page, coded):
    wider, inner, _later = coded
    page.keyboard.press("ArrowDown")
    for _ in range(6):  # "P1: Fr|om": the wider excerpt only
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    shown(page).to_have_attribute("data-x", str(wider.pk))
    for _ in range(4):  # "From |colleagues": both, the inner one opens
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    shown(page).to_have_attribute("data-x", str(inner.pk))
    expect(page.locator("#covering [data-open]")).to_have_count(2)
    # The description names what is at the caret.
    expect(page.locator("#excerpt-desc")).to_contain_text("2 excerpts here")


@pytest.mark.parametrize(("forward", "back"), [("n", "p"), ("]", "[")])
def test_n_p_and_brackets_move_between_excerpts(page, coded, forward, back):
    wider, inner, later = coded
    page.keyboard.press(forward)
    shown(page).to_have_attribute("data-x", str(wider.pk))
    page.keyboard.press(forward)
    shown(page).to_have_attribute("data-x", str(inner.pk))
    page.keyboard.press(forward)
    shown(page).to_have_attribute("data-x", str(later.pk))
    page.keyboard.press(back)
    shown(page).to_have_attribute("data-x", str(inner.pk))


def test_c_codes_and_escape_closes_picker_then_panel_then_selection(page, coded):
    page.keyboard.press("n")
    shown(page).to_have_attribute("data-x", str(coded[0].pk))
    page.locator("#transcript").focus()
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("c")
    expect(page.locator("#code-panel")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#code-panel")).to_be_hidden()
    expect(page.locator("#transcript")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#excerpt-detail")).not_to_have_attribute("data-x", str(coded[0].pk))
    expect(page.locator("#transcript mark.on")).to_have_count(0)
    assert selected(page) != ""
    page.keyboard.press("Escape")
    assert selected(page) == ""


def test_m_opens_the_memo_of_the_open_excerpt(page, coded):
    page.keyboard.press("n")
    shown(page).to_have_attribute("data-x", str(coded[0].pk))
    page.keyboard.press("m")
    expect(page.locator("#excerpt-detail textarea[name=memo]")).to_be_focused()


@pytest.mark.parametrize("key", ["Delete", "Backspace"])
def test_delete_or_backspace_deletes_the_open_excerpt_and_ctrl_z_undoes(page, coded, key):
    wider, inner, later = coded
    click_phrase(page, "training")
    shown(page).to_have_attribute("data-x", str(later.pk))
    page.keyboard.press(key)
    expect(page.locator(f'#transcript mark[data-x="{later.pk}"]')).to_have_count(0)
    assert set(Excerpt.objects.values_list("pk", flat=True)) == {wider.pk, inner.pk}
    page.keyboard.press("Control+z")
    expect(page.locator(f'#transcript mark[data-x="{later.pk}"]')).to_have_count(1)
    assert Excerpt.objects.count() == 3


def test_s_hides_and_shows_the_codes_in_the_margin(page, coded):
    # tests/browser/test_margin.py checks what shows and that a reload remembers it.
    transcript = page.locator("#transcript")
    page.keyboard.press("s")
    expect(transcript).to_have_class("transcript margin-off")
    page.keyboard.press("S")
    expect(transcript).to_have_class("transcript")


def test_slash_finds_in_the_transcript(page, coded):
    page.keyboard.press("/")
    box = page.get_by_role("searchbox", name="Find in this transcript")
    expect(box).to_be_focused()
    page.keyboard.type("the")
    page.keyboard.press("Enter")
    expect(page.locator("#find-count")).to_have_text("1 of 4")
    assert selected(page) == "The"
