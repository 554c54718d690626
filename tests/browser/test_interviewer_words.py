"""Coding the interviewer's line in the browser leaves the themes page's count as it was."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import Excerpt
from tests.browser.conftest import log_in, select_text
from tests.themes.test_interviewer_words import QUESTION, one_answer_under_a_theme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coding_the_interviewers_line_counts_for_no_respondent(page, live_server, study, owner):
    made = one_answer_under_a_theme(study, owner)
    training, r2 = made["training"], made["r2"]
    themes_url = live_server.url + reverse("themes", args=[study.slug])
    log_in(page, live_server, owner)
    page.goto(themes_url)
    prevalence = page.locator(f"#theme-{training.pk} .prevalence")
    expect(prevalence).to_contain_text("(1 of 2)")

    page.goto(live_server.url + reverse("interview_code", args=[study.slug, r2.pk]))
    select_text(page, QUESTION)
    page.keyboard.press("c")
    expect(page.locator("#code-filter")).to_be_focused()
    page.keyboard.type("learn")
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_contain_text("Coded as “Learning”.")
    assert Excerpt.objects.get(interview=r2).text == QUESTION

    page.goto(themes_url)
    expect(prevalence).to_contain_text("(1 of 2)")
    expect(page.locator(f"#theme-{training.pk}")).to_contain_text(
        "1 excerpt holds only the interviewer’s words and counts for no respondent."
    )
