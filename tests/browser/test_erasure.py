"""Withdrawing and erasing a respondent in Chromium: the late withdrawal is said to be late
before and after, the erasure asks for the pseudonym typed exactly, and the themes' counts of
respondents change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from interviews import services as interviews
from interviews.models import Erasure, Respondent
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def prevalence(page, theme):
    return page.locator(f"#theme-{theme.pk} .prevalence")


def test_a_respondent_is_withdrawn_late_then_erased_by_typing_the_pseudonym(
    page, live_server, study, themed, owner
):
    training, at_work = themed["training"], themed["at_work"]
    r3 = themed["interviews"][2].respondent
    interviews.respondent_reinstate(respondent=r3)  # the fixture's R3 is withdrawn: take part
    interviews.study_update(
        study=study, title=study.title, research_question="", description="", withdrawal_days=7
    )
    interviews.respondent_update(
        respondent=r3,
        pseudonym="R3",
        attributes={},
        interviewed_on=timezone.localdate() - timedelta(days=10),
    )
    themes_url = live_server.url + reverse("themes", args=[study.slug])
    log_in(page, live_server, owner)
    page.goto(themes_url)
    # Training gathers R1's and R3's excerpts and, through its sub-theme, R2's.
    expect(prevalence(page, training)).to_contain_text("(3 of 3)")
    expect(prevalence(page, at_work)).to_contain_text("(1 of 3)")

    page.goto(live_server.url + reverse("respondents", args=[study.slug]))
    row = page.locator(f"#respondent-{r3.pk}")
    expect(row).to_contain_text("closed")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    row.get_by_role("button", name="Withdraw").click()
    expect(page.locator("#flash")).to_contain_text("R3 is withdrawn, late")
    assert "this withdrawal is late" in dialogs[0]
    expect(row).to_contain_text("late: withdrawn")
    screenshot(page, "erasure-late-withdrawal")

    row.get_by_role("link", name="Erase…").click()
    field = page.get_by_label("Type the pseudonym to confirm")
    field.fill("r3")  # not exactly the pseudonym: refused, nothing erased
    page.get_by_role("button", name="Erase R3 for good").click()
    expect(page.locator("main")).to_contain_text("type it exactly to erase this respondent")
    assert Respondent.objects.filter(pk=r3.pk).exists()
    page.get_by_label("Type the pseudonym to confirm").fill("R3")
    page.get_by_role("button", name="Erase R3 for good").click()
    page.wait_for_url("**/respondents/")
    expect(page.locator("#flash")).to_contain_text("Erased: 1 transcript, 1 excerpt, 1 quote")
    expect(page.locator(f"#respondent-{r3.pk}")).to_have_count(0)
    assert not Respondent.objects.filter(pk=r3.pk).exists()
    assert Erasure.objects.filter(study=study).count() == 1

    page.goto(themes_url)
    expect(prevalence(page, training)).to_contain_text("(2 of 2)")
    expect(prevalence(page, at_work)).to_contain_text("(1 of 2)")
    expect(page.locator("main")).not_to_contain_text("Café regulars")
    screenshot(page, "erasure-themes-after")


def test_the_counts_line_follows_a_withdrawal_and_a_reinstatement_without_a_reload(
    page, live_server, study, themed, owner
):
    """The line above the table is the findings' N: withdrawing a respondent (an htmx swap
    of their row) redrew the row but left "3 respondents" until a reload. The answer now
    carries the line out of band."""
    r1 = themed["interviews"][0].respondent
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("respondents", args=[study.slug]))
    counts = page.locator("#study-counts")
    # The fixture's R3 is withdrawn already.
    expect(counts).to_have_text("2 respondents with a transcript, 2 interviews · 1 withdrawn")
    row = page.locator(f"#respondent-{r1.pk}")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Withdraw").click()
    expect(row.get_by_role("button", name="Reinstate")).to_be_visible()
    expect(counts).to_have_text("1 respondent with a transcript, 1 interview · 2 withdrawn")
    row.get_by_role("button", name="Reinstate").click()
    expect(row.get_by_role("button", name="Withdraw")).to_be_visible()
    expect(counts).to_have_text("2 respondents with a transcript, 2 interviews · 1 withdrawn")
    expect(page.locator(".counts")).to_have_count(1)
