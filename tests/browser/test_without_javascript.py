"""Forms meant for htmx, used in Chromium with JavaScript off (or submitted before htmx
loaded): every answer is a whole page of the site, never a bare fragment of one."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from interviews import services
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plain_page(browser):
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_rows_are_edited_in_whole_pages_without_javascript(plain_page, live_server, study, owner):
    page = plain_page
    log_in(page, live_server, owner)
    question = study.questions.first()
    page.goto(live_server.url + reverse("protocol", args=[study.slug]))
    page.locator(f"#question-{question.pk}").get_by_role("link", name="Edit").click()
    # The page around the form, with the site's menu: not the form's bare fragment.
    expect(page.get_by_role("heading", name="Interview protocol")).to_be_visible()
    expect(page.locator("nav").first).to_be_visible()
    form = page.locator(f"#question-{question.pk} form")
    form.locator("textarea, input[name=text]").first.fill(" ")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Interview protocol")).to_be_visible()
    expect(page.locator(f"#question-{question.pk}")).to_contain_text("This field is required.")
    form.locator("textarea, input[name=text]").first.fill("How long, really?")
    form.get_by_role("button", name="Save").click()
    expect(page).to_have_url(live_server.url + reverse("protocol", args=[study.slug]))
    expect(page.locator("#flash")).to_contain_text(f"Q{question.number} saved.")
    expect(page.locator(f"#question-{question.pk}")).to_contain_text("How long, really?")

    respondent = services.respondent_create(study=study, pseudonym="R1")
    page.goto(live_server.url + reverse("respondents", args=[study.slug]))
    page.locator(f"#respondent-{respondent.pk}").get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    row = page.locator(f"#respondent-{respondent.pk}")
    row.locator("input[name=pseudonym]").fill("R1b")
    row.get_by_role("button", name="Save").click()
    expect(page).to_have_url(live_server.url + reverse("respondents", args=[study.slug]))
    expect(page.locator("#flash")).to_contain_text("R1b saved.")
    expect(page.locator(f"#respondent-{respondent.pk}")).to_contain_text("R1b")
