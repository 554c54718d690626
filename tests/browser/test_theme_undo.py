"""Undo on the themes pages, in Chromium: a theme removed comes back with the committee's
comments when Undo is pressed in the message; a quote removed comes back at its place with
its chosen words."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from themes import services as themes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_theme_removed_with_a_comment_comes_back_with_it_by_undo(
    page, live_server, study, themed, owner, reviewer
):
    training = themed["training"]
    themes.comment_add(theme=training, author=reviewer, body="Is <b>this</b> one theme or two?")
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    page.once("dialog", lambda dialog: dialog.accept())
    section = page.locator("section.theme", has=page.get_by_role("heading", name="Training"))
    section.get_by_role("button", name="Remove").click()
    flash = page.locator("#flash")
    expect(flash).to_contain_text("Removed the theme “Training”")
    expect(flash).to_contain_text("It waits in the bin on the History page")
    expect(page.get_by_role("heading", name="Training", exact=True)).to_have_count(0)

    flash.get_by_role("button", name="Undo").click()
    expect(page.locator("#flash")).to_contain_text("Undone: Removed the theme “Training”.")
    page.get_by_role("link", name="Training", exact=True).click()
    comments = page.locator("#comments")
    expect(comments).to_contain_text("Is <b>this</b> one theme or two?")
    expect(comments).to_contain_text(reviewer.username)
    expect(comments).not_to_contain_text("No comments yet.")


def test_a_quote_removed_comes_back_at_its_place_with_its_words_by_undo(
    page, live_server, study, themed, owner
):
    training = themed["training"]
    first = training.quotes.get(excerpt=themed["excerpts"][0])
    themes.quote_extract_set(quote=first, extract="About six […]")
    themes.quote_add(theme=training, excerpt=themed["excerpts"][1])
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("theme_detail", args=[study.slug, training.pk]))
    quotes = page.locator(".quotes > li")
    expect(quotes.first.locator("blockquote")).to_have_text("“About six […]”")

    quotes.first.get_by_role("button", name="Remove from quotes").click()
    flash = page.locator("#flash")
    expect(flash).to_contain_text("Removed the quote from “Training”")
    expect(quotes).to_have_count(1)
    flash.get_by_role("button", name="Undo").click()

    expect(quotes).to_have_count(2)
    expect(quotes.first.locator("blockquote")).to_have_text("“About six […]”")
    expect(quotes.nth(1).locator("blockquote")).to_have_text("“the ones nobody else will see”")


def test_undo_refuses_to_bring_back_a_quote_whose_excerpt_left_the_theme(
    page, live_server, study, themed, owner
):
    """Its code was taken off the theme meanwhile (another tab): the quote would only show
    under "Left out of the findings". The message says why nothing was changed."""
    training = themed["training"]
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("theme_detail", args=[study.slug, training.pk]))
    quotes = page.locator(".quotes > li")
    quotes.first.get_by_role("button", name="Remove from quotes").click()
    flash = page.locator("#flash")
    expect(flash).to_contain_text("Removed the quote from “Training”")
    themes.theme_code_detach(theme=training, code=themed["codes"][0])

    flash.get_by_role("button", name="Undo").click()

    expect(page.locator("#flash")).to_contain_text(
        "cannot be undone: that excerpt is no longer under this theme"
    )
    expect(page.locator("#flash")).to_contain_text("Nothing was changed.")
    page.reload()
    expect(page.locator(".quotes > li")).to_have_count(0)
    assert not training.quotes.filter(excerpt=themed["excerpts"][0]).exists()


def undo_posts(page, live_server, study) -> list:
    """The POSTs the page sends to the study's undo (Ctrl+Z's endpoint), as they go."""
    url = live_server.url + reverse("undo", args=[study.slug])
    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" and r.url == url else 0)
    return sent


def test_ctrl_z_on_a_themes_page_undoes_but_not_while_typing_a_comment(
    page, live_server, study, themed, owner
):
    """Ctrl+Z works on the theme pages as on the coding page; in the comment box it is the
    browser's own undo of the typing, and nothing is undone on the server."""
    training = themed["training"]
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("theme_detail", args=[study.slug, training.pk]))
    sent = undo_posts(page, live_server, study)
    quotes = page.locator(".quotes > li")
    quotes.first.get_by_role("button", name="Remove from quotes").click()
    expect(page.locator("#flash")).to_contain_text("Removed the quote from “Training”")
    expect(quotes).to_have_count(0)

    box = page.get_by_label("Add a comment")
    box.click()
    page.keyboard.type("Why here?")
    page.keyboard.press("Control+z")
    page.get_by_role("heading", name="Comments").click()
    page.keyboard.press("Control+z")

    expect(page.locator("#flash")).to_contain_text("Undone: Removed the quote from “Training”")
    expect(quotes).to_have_count(1)
    # One press reached the server: the second, outside the box.
    assert len(sent) == 1
    assert training.quotes.filter(excerpt=themed["excerpts"][0]).exists()


def test_ctrl_z_on_the_themes_page_gathers_a_code_again(page, live_server, study, themed, owner):
    training = themed["training"]
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    section = page.locator(f"#theme-{training.pk}")
    take = "Take the code “Learning” out of the theme “Training”"
    section.get_by_role("button", name=take).click()
    expect(page.locator("#flash")).to_contain_text("Took “Learning” out of “Training”")
    assert not training.codes.exists()

    page.locator("h1").click()
    page.keyboard.press("Control+z")

    expect(page.locator("#flash")).to_contain_text("Undone: Took “Learning” out of “Training”")
    assert list(training.codes.all()) == [themed["codes"][0]]


def test_ctrl_z_sends_nothing_for_a_reviewer(page, live_server, study, themed, reviewer):
    """A reviewer reads: the theme pages name no undo, and the key sends nothing."""
    log_in(page, live_server, reviewer)
    sent = undo_posts(page, live_server, study)
    for url in (
        reverse("themes", args=[study.slug]),
        reverse("theme_detail", args=[study.slug, themed["training"].pk]),
    ):
        page.goto(live_server.url + url)
        expect(page.locator("[data-undo-url]")).to_have_count(0)
        page.locator("h1").click()
        page.keyboard.press("Control+z")
    # Requests are reported in the order sent: one sent by the key comes before this load's.
    page.reload()
    assert sent == []
