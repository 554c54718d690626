"""Forms meant for htmx, used in Chromium with JavaScript off (or submitted before htmx
loaded): every answer is a whole page of the site, never a bare fragment of one."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.limits import LONGEST
from interviews import memos, services
from interviews.models import JournalEntry
from tests.browser.conftest import log_in
from themes import services as themes

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


def test_a_refused_memo_edit_keeps_its_text_without_javascript(
    plain_page, live_server, study, owner
):
    page = plain_page
    entry = memos.memo_create(
        model=JournalEntry, author=owner, body="First thoughts.", study=study
    )
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("memos", args=[study.slug]))
    item = page.locator(f"#memo-journal-{entry.pk}")
    item.locator("summary", has_text="Edit").click()
    typed = "Second thoughts, at length. " * (LONGEST // 28 + 1)
    # fill() types past the box's limits as a paste would; the server is what refuses.
    item.locator("textarea[name=body]").fill(typed)
    item.get_by_role("button", name="Save").click()
    # A whole page, the memo's form open with its error and every word typed.
    expect(page.locator("nav").first).to_be_visible()
    item = page.locator(f"#memo-journal-{entry.pk}")
    expect(item.get_by_role("alert")).to_contain_text("A memo holds at most 20,000 characters")
    expect(item.locator("textarea[name=body]")).to_be_visible()
    assert item.locator("textarea[name=body]").input_value() == typed
    item.locator("textarea[name=body]").fill("Second thoughts.")
    item.get_by_role("button", name="Save").click()
    expect(page.locator(f"#memo-journal-{entry.pk} .memo-body")).to_have_text("Second thoughts.")

    # Deleted in another tab meanwhile: the text comes back in the box that adds a memo.
    page.goto(live_server.url + reverse("memos", args=[study.slug]))
    item = page.locator(f"#memo-journal-{entry.pk}")
    item.locator("summary", has_text="Edit").click()
    memos.memo_delete(memo=JournalEntry.objects.get(pk=entry.pk), author=owner)
    item.locator("textarea[name=body]").fill("Third thoughts.")
    item.get_by_role("button", name="Save").click()
    # The form's own alert (the page's message regions, one an alert, are outside <main>).
    expect(page.locator("main").get_by_role("alert")).to_contain_text(
        "That memo was deleted meanwhile"
    )
    box = page.get_by_label("New journal entry")
    assert box.input_value() == "Third thoughts."
    page.get_by_role("button", name="Add memo").click()
    expect(page.locator("#flash")).to_contain_text("Memo saved.")
    assert JournalEntry.objects.filter(body="Third thoughts.", deleted_at=None).count() == 1


def test_a_memo_refused_for_an_expired_session_keeps_its_text(
    plain_page, live_server, study, owner
):
    # Chromium sends the Origin of the page with the form: this site's, so the refusal
    # shows back what was typed (a form posted from another site would not see its words).
    page = plain_page
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("memos", args=[study.slug]))
    page.context.clear_cookies(name="csrftoken")
    page.get_by_label("New journal entry").fill("Thoughts written over lunch.")
    page.get_by_role("button", name="Add to the journal").click()
    expect(page.locator("#main")).to_contain_text("Your session has expired")
    assert page.locator("textarea").first.input_value() == "Thoughts written over lunch."
    assert not JournalEntry.objects.exists()


def test_a_refused_form_goes_back_to_its_page_with_what_was_typed(
    plain_page, live_server, study, owner
):
    """Before: the bare error page (no study menu, the message twice, "Back to your
    studies"). Now the Themes page again, the refusal once, the typed name to copy."""
    from themes import services as themes

    themes.theme_create(study=study, name="Support")
    page = plain_page
    log_in(page, live_server, owner)
    themes_url = live_server.url + reverse("themes", args=[study.slug])
    page.goto(themes_url)
    page.get_by_label("Add a code to “Support”").fill("Peer <support>")
    page.get_by_role("button", name="Add the code to “Support”").click()
    expect(page).to_have_url(themes_url)
    expect(page.get_by_role("heading", name="Themes", exact=True)).to_be_visible()
    expect(page.get_by_role("navigation", name="Study")).to_be_visible()
    expect(page.get_by_text("There is no code called")).to_have_count(1)
    expect(page.locator("#flash")).to_contain_text("There is no code called “Peer <support>”.")
    typed = page.get_by_role("region", name="What you typed was not saved")
    expect(typed.get_by_label("Code")).to_have_value("Peer <support>")
    page.reload()
    expect(page.get_by_text("What you typed was not saved")).to_have_count(0)


def test_a_plain_form_s_message_undoes_without_javascript(plain_page, live_server, study, owner):
    """After a form posted without JavaScript, the message had no Undo: only the bin
    restored. Its Undo is a plain form now, posted with the page's CSRF token."""
    page = plain_page
    themes.theme_create(study=study, name="Support")
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    page.get_by_role("button", name="Remove the theme “Support”").click()
    flash = page.locator("#flash")
    expect(flash).to_contain_text("Removed the theme “Support”")
    expect(page.locator("#theme-list")).not_to_contain_text("Support")
    flash.get_by_role("button", name="Undo").click()
    expect(page).to_have_url(live_server.url + reverse("themes", args=[study.slug]))
    expect(flash).to_contain_text("Undone: Removed the theme “Support”.")
    expect(page.locator("#theme-list")).to_contain_text("Support")
    expect(flash.get_by_role("button", name="Undo")).to_have_count(0)


def test_a_code_added_to_a_theme_without_javascript_says_so_and_undoes(
    plain_page, live_server, study, owner
):
    """Without JavaScript, adding a code to a theme said nothing and offered no Undo."""
    from coding import services as coding

    page = plain_page
    themes.theme_create(study=study, name="Support")
    coding.code_create(study=study, name="Peers")
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    page.get_by_label("Add a code to “Support”").fill("Peers")
    page.get_by_role("button", name="Add the code to “Support”").click()
    flash = page.locator("#flash")
    expect(flash).to_contain_text("Added “Peers” to “Support”")
    chips = page.get_by_role("list", name="Codes of Support")
    expect(chips).to_contain_text("Peers")
    flash.get_by_role("button", name="Undo").click()
    expect(page).to_have_url(live_server.url + reverse("themes", args=[study.slug]))
    expect(flash).to_contain_text("Undone: Added “Peers” to “Support”.")
    expect(chips).not_to_contain_text("Peers")
