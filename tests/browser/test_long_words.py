"""A long unbroken word (a URL, a name of letters without a space) wraps inside its box on
every page that shows user text: none scrolls sideways at 1280 px, and the codebook's
counts stay on screen. The longest code name is 120 characters; the other texts carry a
300-letter word."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding import services as coding
from interviews import memos
from interviews import services as interviews
from interviews.models import JournalEntry
from tests.browser.conftest import log_in
from tests.conftest import code_span
from themes import services as themes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORD = "https://example.org/" + "a" * 280
NAME = "Peer" + "s" * 116  # the longest name a code may have


@pytest.fixture
def wordy(study, owner, interview):
    """Long words wherever a researcher can type them."""
    code = coding.code_create(study=study, name=NAME, definition=f"See {WORD} first.")
    excerpt = code_span(interview, "nobody else", [code], owner)
    coding.excerpt_memo_set(excerpt=excerpt, memo=f"Memo {WORD}.", revision=excerpt.revision)
    theme = themes.theme_create(study=study, name="Support", description=f"About {WORD}.")
    themes.theme_code_attach(theme=theme, code=code)
    themes.quote_add(theme=theme, excerpt=excerpt)
    themes.comment_add(theme=theme, author=owner, body=f"Comment {WORD}.")
    memos.memo_create(model=JournalEntry, author=owner, body=f"Journal {WORD}.", study=study)
    interviews.attribute_add(study=study, name="Agency")
    respondent = interview.respondent
    interviews.respondent_update(
        respondent=respondent, pseudonym=respondent.pseudonym, attributes={"Agency": WORD}
    )
    return {"code": code, "theme": theme, "interview": interview}


def _sideways(page) -> int:
    """How many pixels the page scrolls sideways."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def test_no_page_scrolls_sideways_for_a_long_word(browser, live_server, study, owner, wordy):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, owner)
    slug = study.slug
    pages = {
        "codebook": reverse("codebook", args=[slug]),
        "code editor": reverse("code_edit", args=[slug, wordy["code"].pk]),
        "coding": reverse("interview_code", args=[slug, wordy["interview"].pk]),
        "excerpts": reverse("retrieve", args=[slug]),
        "themes": reverse("themes", args=[slug]),
        "theme": reverse("theme_detail", args=[slug, wordy["theme"].pk]),
        "respondents": reverse("respondents", args=[slug]),
        "memos": reverse("memos", args=[slug]),
        "matrices": reverse("matrix", args=[slug]),
        "history": reverse("history", args=[slug]),
    }
    wide = {}
    for name, url in pages.items():
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        if _sideways(page) > 0:
            wide[name] = _sideways(page)
    assert wide == {}, f"pages scrolling sideways (px): {wide}"

    # The codebook's counts are on screen beside the long name, not pushed off it.
    page.goto(live_server.url + pages["codebook"])
    cells = page.locator(f'tr:has-text("{NAME}") td.num')
    assert cells.count() == 4
    for n in range(4):
        box = cells.nth(n).bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= 1280
    name_box = page.locator(f'tr:has-text("{NAME}") > :first-child').bounding_box()
    assert name_box["x"] + name_box["width"] <= cells.first.bounding_box()["x"]
    context.close()


def test_a_long_code_name_keeps_its_remove_button_beside_it(
    browser, live_server, study, owner, wordy
):
    # The excerpt's panel listed the code's chip, then its × on a line of its own, under
    # the chip and outside it, as if it removed something else.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, owner)
    page.goto(
        live_server.url + reverse("interview_code", args=[study.slug, wordy["interview"].pk])
    )
    page.locator("mark[data-x]").first.click()
    item = page.locator("#excerpt-detail .code-list li").first
    chip = item.locator(".chip").bounding_box()
    remove = item.get_by_role("button", name=f"Remove the code {NAME}").bounding_box()
    # Beside the chip, and level with it.
    assert remove["x"] >= chip["x"] + chip["width"] - 1
    middle = remove["y"] + remove["height"] / 2
    assert chip["y"] <= middle <= chip["y"] + chip["height"]
    # The name wraps inside the panel instead of widening it.
    panel = page.locator("#excerpt-detail").bounding_box()
    assert remove["x"] + remove["width"] <= panel["x"] + panel["width"]
    context.close()
