"""The committee's review in a real browser: a quote chosen by the researcher reaches the
reviewer, who can comment and finds nothing else that changes data."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from themes.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_quote_chosen_by_the_researcher_is_reviewed_by_the_committee(
    browser, live_server, study, themed, owner, reviewer
):
    training = themed["training"]
    second = themed["excerpts"][1]
    theme_url = live_server.url + reverse("theme_detail", args=[study.slug, training.pk])

    researcher = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    log_in(researcher, live_server, owner)
    researcher.goto(theme_url)
    item = researcher.locator(f"#support-{second.pk}")
    item.get_by_role("button", name="Choose as a quote").click()
    expect(researcher.locator(".quotes li")).to_have_count(2)
    expect(researcher.locator(".quotes")).to_contain_text("the ones nobody else will see")
    expect(researcher.locator(".quotes")).to_contain_text("(R2, Q2)")
    researcher.context.close()

    committee = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    log_in(committee, live_server, reviewer)
    committee.goto(theme_url)
    expect(committee.locator(".quotes")).to_contain_text("the ones nobody else will see")
    committee.locator(f"#support-{second.pk}").get_by_role(
        "button", name="Show in context"
    ).click()
    expect(committee.locator(f"#context-{second.pk} mark")).to_have_text(
        "the ones nobody else will see"
    )
    committee.fill("#new-comment", "Is R2 the only one who says this?")
    committee.get_by_role("button", name="Comment", exact=True).click()
    expect(committee.locator("#comments .comment")).to_contain_text("Is R2 the only one")
    assert Comment.objects.get().author == reviewer
    screenshot(committee, "committee-review")

    # Nothing on the page lets a reviewer change data, apart from commenting and logging out.
    allowed = {
        reverse("comment_add", args=[study.slug, training.pk]),
        reverse("comment_resolve", args=[study.slug, Comment.objects.get().pk]),
        reverse("logout"),
    }
    targets = committee.evaluate(
        """() => [...document.querySelectorAll(
                'form[method=post], [hx-post], [hx-put], [hx-patch], [hx-delete]')]
            .map(el => el.getAttribute('hx-post') || el.getAttribute('action'))"""
    )
    assert set(targets) <= allowed, set(targets) - allowed
    expect(committee.get_by_role("button", name="Choose as a quote")).to_have_count(0)
    expect(committee.locator("select[name=status]")).to_have_count(0)
    committee.context.close()


def _open_theme(page, live_server, user, theme) -> str:
    """Log `user` in and open the theme's page; its address."""
    theme_url = live_server.url + reverse("theme_detail", args=[theme.study.slug, theme.pk])
    log_in(page, live_server, user)
    page.goto(theme_url)
    return theme_url


def test_paging_through_supporting_excerpts_and_choosing_a_quote_on_a_later_page(
    page, live_server, study, long_theme, owner
):
    theme, reading = long_theme
    theme_url = _open_theme(page, live_server, owner, theme)
    items = page.locator(".supporting > li")
    expect(items).to_have_count(3)
    expect(page.locator(f"#support-{reading[0]}")).to_be_visible()

    page.locator(".pager").first.get_by_role("link", name="Next →").click()
    expect(page).to_have_url(theme_url + "?page=2")
    expect(page.locator(f"#support-{reading[3]}")).to_be_visible()
    expect(page.locator(".pager").first).to_contain_text("Excerpts 4–6 of 8")
    page.locator("#excerpts-title").scroll_into_view_if_needed()
    screenshot(page, "theme-page-2")

    chosen = page.locator(f"#support-{reading[4]}")
    chosen.get_by_role("button", name="Choose as a quote").click()
    expect(page.locator(".quotes li")).to_have_count(1)
    # Still on page 2, with the choice marked where it was made.
    expect(page.locator(f"#support-{reading[4]}")).to_contain_text("chosen quote")
    expect(items).to_have_count(3)

    page.go_back()
    expect(page.locator(f"#support-{reading[0]}")).to_be_visible()
    # The quote is listed on page 1 too, though its excerpt is on page 2.
    page.reload()
    expect(page.locator(".quotes li")).to_have_count(1)
    expect(page.locator(f"#support-{reading[4]}")).to_have_count(0)


def test_back_after_paging_supporting_excerpts_shows_the_whole_page_not_a_fragment(
    page, live_server, study, long_theme, owner
):
    theme, reading = long_theme
    theme_url = _open_theme(page, live_server, owner, theme)
    for number in (2, 3):
        page.locator(".pager").first.get_by_role("link", name="Next →").click()
        expect(page).to_have_url(f"{theme_url}?page={number}")
    expect(page.locator(f"#support-{reading[6]}")).to_be_visible()

    # htmx keeps no history cache here (historyCacheSize 0), so Back asks the server again.
    for number, first in ((2, reading[3]), (1, reading[0])):
        page.go_back()
        expect(page).to_have_url(theme_url if number == 1 else f"{theme_url}?page={number}")
        expect(page.locator(f"#support-{first}")).to_be_visible()
        expect(page.locator("header.topbar")).to_have_count(1)
        expect(page.get_by_role("navigation", name="Study")).to_be_visible()
        expect(page.locator(".crumbs")).to_contain_text("All themes")
        expect(page.get_by_role("heading", level=1)).to_have_text(theme.name)
        expect(page.locator("#theme-body")).to_have_count(1)
