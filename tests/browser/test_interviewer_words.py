"""Coding the interviewer's line in the browser leaves the themes page's count as it was,
and the Excerpts page marks it as the interviewer's words."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.models import Excerpt
from tests.browser.conftest import log_in, select_text
from tests.conftest import code_span
from tests.themes.test_interviewer_words import QUESTION, one_answer_under_a_theme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coding_the_interviewers_line_counts_for_no_respondent(page, live_server, study, owner):
    """The themes page keeps "(1 of 2)"; the Excerpts page lists the excerpt as "(Interviewer
    to R2, Q1)", marked "Interviewer’s words", and counts one respondent."""
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

    excerpts_url = live_server.url + reverse("retrieve", args=[study.slug])
    page.goto(f"{excerpts_url}?code={made['learning'].pk}")
    question = page.locator(f"#result-{Excerpt.objects.get(interview=r2).pk}")
    expect(question.locator(".attribution")).to_contain_text("(Interviewer to R2, Q1)")
    expect(question.locator(".badge.interviewer")).to_have_text("Interviewer’s words")
    expect(page.locator('[data-count="respondents"]')).to_have_text("1")


def test_a_matrix_cell_of_the_interviewers_words_alone_is_a_link_to_them(
    page, live_server, study, owner
):
    """R2's cell under Learning, by respondent, holds R2's question alone: it shows "0 · 1
    in the interviewer’s words", and following it lists the question on the Excerpts
    page."""
    made = one_answer_under_a_theme(study, owner)
    question = code_span(made["r2"], QUESTION, [made["learning"]], owner)
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("matrix", args=[study.slug]) + "?by=respondent")
    table = page.get_by_role("table", name="Codes by respondent: number of excerpts")
    r2 = table.get_by_role("row", name="Learning").get_by_role("cell").nth(1)
    expect(r2).to_have_text("0\u00a0·\u00a01 in the interviewer’s words")
    r2.get_by_role("link").click()
    found = page.locator(f"#result-{question.pk}")
    expect(found.locator(".attribution")).to_contain_text("(Interviewer to R2, Q1)")
    expect(page.locator('[data-count="respondents"]')).to_have_text("0")
