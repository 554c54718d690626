"""In Chromium: deleting a parent code that no excerpt carries itself, but whose sub-codes'
excerpts a theme counts, is refused with what it would change, and done once confirmed."""

from __future__ import annotations

from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from interviews import services as interviews
from tests.browser.conftest import log_in
from tests.conftest import code_span, import_text
from themes import services as themes


def test_a_parent_code_a_theme_counts_is_deleted_only_once_confirmed(
    page, live_server, study, owner
):
    parent = coding.code_create(study=study, name="Parent only")
    child = coding.code_create(study=study, name="Child one", parent=parent)
    interviews.respondent_create(study=study, pseudonym="R1")
    code_span(import_text(study, name="R1.txt"), "About six years", [child])
    theme = themes.theme_create(study=study, name="Parent theme")
    themes.theme_code_attach(theme=theme, code=parent)
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("codebook", args=[study.slug]))
    page.locator(f"#code-{parent.pk} a", has_text="Edit").click()
    expect(page.locator("#code-editor h2")).to_contain_text("Parent only")

    page.get_by_role("button", name="Delete code").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        "The theme “Parent theme” counts “Parent only” and goes from 1 of 1 respondent to 0."
    )
    expect(page.locator(f"#code-{parent.pk}")).to_be_visible()

    page.get_by_label("Also remove it from the excerpts that carry it").check()
    page.get_by_role("button", name="Delete code").click()
    expect(page.locator("#codebook-body .notice")).to_contain_text("Deleted “Parent only”")
    expect(page.locator(f"#code-{parent.pk}")).to_have_count(0)
