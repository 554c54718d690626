"""Keyboard users keep their place on the themes pages, in Chromium: each control is pressed
with the keyboard (focused, then Enter), and after htmx has redrawn the region that held it
the focus is on the same control in its new place, or on the next item after a removed one,
never on <body> (where the next Tab would start from the top of the page). One more Tab
then goes where it would go from there (static/js/focus.js)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from tests.browser.conftest import log_in
from themes import services as themes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def press(page, control, target: str, key: str = "Enter") -> None:
    """Focus `control` and press `key` on it, then wait until htmx has settled its answer
    in the region of id `target` (the page's own loads settled first)."""
    page.wait_for_load_state("networkidle")
    control.focus()
    page.evaluate(
        """(target) => { window.settled = false;
            const done = (event) => {
                if (!event.target.isConnected || event.target.id !== target) return;
                document.removeEventListener("htmx:afterSettle", done);
                setTimeout(() => (window.settled = true));
            };
            document.addEventListener("htmx:afterSettle", done); }""",
        target,
    )
    page.keyboard.press(key)
    page.wait_for_function("() => window.settled === true")


def focused(page) -> str:
    """The focused element as "TAG: its accessible words" (aria-label, else its text)."""
    return page.evaluate(
        """() => { const e = document.activeElement;
            const words =
                e.getAttribute("aria-label") || e.textContent.trim().replace(/\\s+/g, " ");
            return e.tagName + ": " + words; }"""
    )


def theme_page(page, live_server, study, theme) -> None:
    page.goto(live_server.url + reverse("theme_detail", args=[study.slug, theme.pk]))


def test_a_moved_quote_keeps_the_focus_on_its_arrow_or_the_other_at_the_end(
    page, live_server, study, themed, owner
):
    training = themed["training"]
    second = themed["excerpts"][1]
    themes.quote_add(theme=training, excerpt=second)
    log_in(page, live_server, owner)
    theme_page(page, live_server, study, training)
    quotes = page.locator(".quotes > li")
    expect(quotes.nth(1)).to_contain_text("the ones nobody else will see")

    # R2's quote, second of two, goes up: at the top its ↑ is disabled, so its ↓ has the focus.
    press(page, quotes.nth(1).get_by_role("button", name="up"), "theme-body")
    expect(quotes.first).to_contain_text("the ones nobody else will see")
    assert focused(page).startswith("BUTTON: Move the quote (R2, Q2)")
    assert focused(page).endswith("down")
    page.keyboard.press("Tab")
    assert focused(page).startswith("BUTTON: Remove from quotes: (R2, Q2)")

    # And down again, with its ↓: at the bottom, its ↑.
    press(page, quotes.first.get_by_role("button", name="down"), "theme-body")
    expect(quotes.nth(1)).to_contain_text("the ones nobody else will see")
    assert focused(page).startswith("BUTTON: Move the quote (R2, Q2)")
    assert focused(page).endswith("up")


def test_an_excerpt_chosen_as_a_quote_keeps_the_focus_on_its_button_now_remove(
    page, live_server, study, themed, owner
):
    training = themed["training"]
    second = themed["excerpts"][1]
    log_in(page, live_server, owner)
    theme_page(page, live_server, study, training)
    item = page.locator(f"#support-{second.pk}")

    press(page, item.get_by_role("button", name="Choose as a quote"), "theme-body")
    expect(page.locator(".quotes")).to_contain_text("the ones nobody else will see")
    assert focused(page).startswith("BUTTON: Chosen as a quote: remove: (R2, Q2)")
    page.keyboard.press("Tab")
    assert page.evaluate(
        f"() => document.getElementById('support-{second.pk}').nextElementSibling"
        "?.contains(document.activeElement) ?? document.activeElement.id === 'new-comment'"
    ), focused(page)


def test_a_quote_removed_gives_the_focus_to_the_next_quote(
    page, live_server, study, themed, owner
):
    training = themed["training"]
    themes.quote_add(theme=training, excerpt=themed["excerpts"][1])
    log_in(page, live_server, owner)
    theme_page(page, live_server, study, training)
    quotes = page.locator(".quotes > li")

    press(page, quotes.first.get_by_role("button", name="Remove from quotes"), "theme-body")
    expect(quotes).to_have_count(1)
    assert focused(page).startswith("SUMMARY: Choose the words to print: (R2, Q2)")
    # Alone, its arrows are both disabled: Tab goes to its own "Remove from quotes".
    page.keyboard.press("Tab")
    assert focused(page).startswith("BUTTON: Remove from quotes: (R2, Q2)")


def test_a_moved_theme_keeps_the_focus_on_its_arrow(page, live_server, study, themed, owner):
    themes.theme_create(study=study, name="Stress")
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    names = page.locator("section.theme h2")
    expect(names.last).to_have_text("Stress")

    press(page, page.get_by_role("button", name="Move the theme “Stress” up"), "theme-list")
    expect(names.first).to_have_text("Stress")
    assert focused(page) == "BUTTON: Move the theme “Stress” up"
    page.keyboard.press("Tab")
    assert focused(page) == "BUTTON: Move the theme “Stress” down"


def test_a_code_taken_off_a_theme_gives_the_focus_to_the_next_code_then_the_add_field(
    page, live_server, study, themed, owner
):
    training = themed["training"]
    themes.theme_code_attach(theme=training, code=coding.code_create(study=study, name="Peers"))
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    chips = page.locator(f"#theme-{training.pk} .chips")
    expect(chips).to_contain_text("Peers")

    take = "Take the code “{}” out of the theme “Training”"
    press(page, page.get_by_role("button", name=take.format("Learning")), "theme-list")
    expect(chips).not_to_contain_text("Learning")
    assert focused(page) == "BUTTON: " + take.format("Peers")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "code_name"

    # None left: the field that adds one, in the same theme.
    press(page, page.get_by_role("button", name=take.format("Peers")), "theme-list")
    expect(chips).to_contain_text("No codes of its own.")
    assert page.evaluate(
        f"""() => document.activeElement.name === "code_name"
            && document.getElementById("theme-{training.pk}").contains(document.activeElement)"""
    )
    page.keyboard.press("Tab")
    assert focused(page) == "BUTTON: Add the code to “Training”"


def open_beta(page, live_server, study, owner) -> None:
    """The codebook with the codes Alpha and Beta, Beta open in its editor."""
    coding.code_create(study=study, name="Alpha")
    beta = coding.code_create(study=study, name="Beta")
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("codebook", args=[study.slug]))
    page.locator(f"#code-{beta.pk} a", has_text="Edit").click()
    expect(page.locator("#code-editor h2")).to_contain_text("Beta")


def test_a_code_deleted_in_the_codebook_gives_the_focus_to_the_undo_of_its_message(
    page, live_server, study, owner
):
    open_beta(page, live_server, study, owner)

    press(page, page.get_by_role("button", name="Delete code"), "codebook-body")
    notice = page.locator("#codebook-body .notice")
    expect(notice).to_contain_text("Beta")
    assert focused(page) == "BUTTON: Undo"
    assert page.evaluate("() => document.activeElement.closest('.notice') !== null")
    page.keyboard.press("Tab")
    assert focused(page).startswith("A: Edit")


def test_a_code_merged_in_the_codebook_gives_the_focus_to_the_undo_of_its_message(
    page, live_server, study, owner
):
    open_beta(page, live_server, study, owner)
    page.get_by_label("Merge “Beta” into").select_option(label="Alpha")

    press(page, page.get_by_role("button", name="Merge…"), "codebook-body")
    confirm = page.locator("#code-editor").get_by_role("button", name="Merge", exact=True)
    expect(confirm).to_be_visible()
    press(page, confirm, "codebook-body")
    expect(page.locator("#codebook-body .notice")).to_contain_text("Beta")
    assert focused(page) == "BUTTON: Undo"
