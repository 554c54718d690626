"""Real Chromium, driven by Playwright, against Django's live server.

The browser is the system's Chromium (or EXCERPTA_CHROMIUM, or Playwright's own download when
neither exists); `make test` installs one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from demo.seed import seed_demo
from interviews.models import Study

# Playwright's sync API runs an event loop in the test's thread; Django refuses database
# access from such a thread unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    if path := os.environ.get("EXCERPTA_CHROMIUM"):
        return path
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None  # Playwright's own download


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def demo(browser):
    """(the demo study, a page of a new browser context): seed_demo's data, its users'
    password "pw-demo"."""
    seed_demo(password="pw-demo")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Study.objects.get(), page
    context.close()


def log_in(page, live_server, user):
    """Log in through the real login form (the users' passwords are "pw-" + username)."""
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pw-" + user.username)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def in_two_tabs(page, url: str, open_form) -> dict:
    """`url` in two tabs of one browser context, "A" (`page`) and "B" (a new page), each
    with the form that open_form(tab) opens and returns: {"A": form, "B": form}, to save
    in one and then in the other (core.stale)."""
    forms = {}
    for name, tab in (("A", page), ("B", page.context.new_page())):
        tab.goto(url)
        forms[name] = open_form(tab)
    return forms


def expect_saved_meanwhile(place, theirs: str) -> None:
    """`place` (a locator) says a save was refused, another tab having saved `theirs`."""
    warning = place.locator(".warn")
    expect(warning).to_contain_text("Saved meanwhile, in another tab or window:")
    expect(warning.locator("q")).to_have_text(theirs)
    expect(warning).to_contain_text("Your text is in the box; saving it replaces that.")


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


# Defines phraseRange(phrase, occurrence): a DOM Range over that occurrence of `phrase` in
# the transcript's text (question markers left out), starting and ending inside text nodes.
PHRASE_RANGE = """
    const phraseRange = (phrase, occurrence) => {
        const root = document.getElementById("transcript");
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        const nodes = [];
        let text = "";
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            if (n.parentElement.closest("[data-skip]")) continue;
            nodes.push([n, text.length]);
            text += n.data;
        }
        let at = -1;
        for (let i = 0; i <= occurrence; i++) at = text.indexOf(phrase, at + 1);
        if (at < 0) throw new Error("phrase not in transcript: " + phrase);
        const locate = (offset, end) => {
            for (let i = nodes.length - 1; i >= 0; i--) {
                const [node, from] = nodes[i];
                if (from < offset || (from === offset && !end)) return [node, offset - from];
            }
            return [nodes[0][0], 0];
        };
        const range = document.createRange();
        range.setStart(...locate(at, false));
        range.setEnd(...locate(at + phrase.length, true));
        return range;
    };
"""


def select_text(page, phrase: str, occurrence: int = 0) -> None:
    """Select `phrase` in the transcript as a mouse drag would: a DOM range over its text."""
    page.evaluate(
        "([phrase, occurrence]) => {"
        + PHRASE_RANGE
        + """const r = phraseRange(phrase, occurrence);
            window.getSelection().setBaseAndExtent(
                r.startContainer, r.startOffset, r.endContainer, r.endOffset);
        }""",
        [phrase, occurrence],
    )


def phrase_box(page, phrase: str, occurrence: int = 0) -> dict:
    """The viewport box {x, y, width, height} of `phrase`'s first line box."""
    return page.evaluate(
        "([phrase, occurrence]) => {"
        + PHRASE_RANGE
        + """const r = phraseRange(phrase, occurrence).getClientRects()[0];
            return {x: r.x, y: r.y, width: r.width, height: r.height};
        }""",
        [phrase, occurrence],
    )


def click_phrase(page, phrase: str, occurrence: int = 0) -> None:
    """Click with the mouse in the middle of `phrase` (its first line box)."""
    box = phrase_box(page, phrase, occurrence)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def phrase_ends(page, phrase: str, occurrence: int = 0) -> tuple[tuple, tuple]:
    """Two viewport points: 2 px inside the first letter of `phrase` and 2 px inside its
    last letter, where a drag selecting exactly that phrase would start and end."""
    first, last = page.evaluate(
        "([phrase, occurrence]) => {"
        + PHRASE_RANGE
        + """const rects = [...phraseRange(phrase, occurrence).getClientRects()]
                .filter(r => r.width > 0);
            const a = rects[0], b = rects[rects.length - 1];
            return [[a.left + 2, a.top + a.height / 2], [b.right - 2, b.top + b.height / 2]];
        }""",
        [phrase, occurrence],
    )
    return tuple(first), tuple(last)
