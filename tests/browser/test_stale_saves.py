"""Typed text saved in one tab, then in another that showed it before: the second tab is
told and keeps its words, never silently replacing the first's (core.stale)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from interviews import services as interview_services
from interviews.models import ProtocolQuestion
from tests.browser.conftest import expect_saved_meanwhile, in_two_tabs, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _edit_form(row_selector, link_name):
    """For in_two_tabs: in a tab, click the row's Edit link and give back its edit form."""

    def open_edit(tab):
        row = tab.locator(row_selector)
        row.get_by_role("link", name=link_name, exact=True).click()
        return row.locator("form[data-edit]")

    return open_edit


def test_a_protocol_question_saved_in_another_tab_is_not_replaced_without_a_word(
    page, live_server, study, owner
):
    """Two tabs on the protocol, Q1's Edit open in both: tab B saves, then tab A. A's save
    replaced B's question in silence; now A is told, keeps its text, and a second Save
    replaces B's."""
    question = ProtocolQuestion.objects.get(study=study, number=1)
    log_in(page, live_server, owner)
    protocol = live_server.url + reverse("protocol", args=[study.slug])

    rows = in_two_tabs(page, protocol, _edit_form(f"#question-{question.pk}", "Edit Q1"))
    other = rows["B"].page
    rows["B"].get_by_label("Text", exact=True).fill("Tab B's <question>?")
    rows["B"].get_by_role("button", name="Save").click()
    expect(other.locator("ol.protocol li p", has_text="Tab B's <question>?")).to_be_visible()

    rows["A"].get_by_label("Text", exact=True).fill("Tab A's question?")
    rows["A"].get_by_role("button", name="Save").click()
    row = page.locator(f"#question-{question.pk}")
    expect_saved_meanwhile(row, "Tab B's <question>?")
    expect(row.get_by_label("Text", exact=True)).to_have_value("Tab A's question?")
    question.refresh_from_db()
    assert question.text == "Tab B's <question>?"

    row.get_by_role("button", name="Save").click()
    expect(page.locator("ol.protocol li p", has_text="Tab A's question?")).to_be_visible()
    question.refresh_from_db()
    assert question.text == "Tab A's question?"


def test_a_respondent_row_saved_in_another_tab_is_not_replaced_without_a_word(
    page, live_server, study, owner
):
    """Two tabs on the respondents table, R1's Edit open in both: tab B saves their years,
    then tab A its own. A's save replaced B's in silence; now A is told, keeps its values,
    and a second Save replaces B's."""
    respondent = interview_services.respondent_create(study=study, pseudonym="R1")
    log_in(page, live_server, owner)
    table = live_server.url + reverse("respondents", args=[study.slug])

    rows = in_two_tabs(page, table, _edit_form(f"#respondent-{respondent.pk}", "Edit R1"))
    other = rows["B"].page
    rows["B"].get_by_label("Years of experience").fill("12")
    rows["B"].get_by_role("button", name="Save").click()
    expect(other.locator(f"#respondent-{respondent.pk} td.num").first).to_have_text("12")

    rows["A"].get_by_label("Years of experience").fill("7")
    rows["A"].get_by_role("button", name="Save").click()
    row = page.locator(f"#respondent-{respondent.pk}")
    expect_saved_meanwhile(row, "12")
    expect(row.get_by_label("Years of experience")).to_have_value("7")
    respondent.refresh_from_db()
    assert respondent.attributes == {"Years of experience": 12}

    row.get_by_role("button", name="Save").click()
    expect(page.locator(f"#respondent-{respondent.pk} td.num").first).to_have_text("7")
    respondent.refresh_from_db()
    assert respondent.attributes == {"Years of experience": 7}
