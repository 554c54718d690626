"""Memos in Chromium: write a journal entry and a code memo, find both on the memos page,
filter, and open the code memo where it belongs (the code's editor in the codebook)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from coding.models import CodeMemo
from interviews import memos
from tests.browser.conftest import expect_saved_meanwhile, in_two_tabs, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_a_journal_entry_and_a_code_memo_then_find_and_open_them(
    page, live_server, study, owner, code
):
    log_in(page, live_server, owner)
    memos_url = live_server.url + reverse("memos", args=[study.slug])
    page.goto(memos_url)
    page.fill("#journal-body", "Decided to keep <b>Training</b> whole for now.")
    page.click("text=Add to the journal")
    page.wait_for_url(memos_url)
    entry = page.locator(".memo-item", has_text="Decided to keep")
    # Escaped: the words show as typed, no bold element is made of them.
    assert (
        entry.locator(".memo-body").inner_text()
        == "Decided to keep <b>Training</b> whole for now."
    )

    # The code's editor loads its memo panel in place; a memo is added without leaving it.
    page.goto(live_server.url + reverse("code_edit", args=[study.slug, code.pk]))
    panel = page.locator(".memo-panel")
    panel.locator("textarea[name=body]").fill("Training now includes learning from peers.")
    panel.locator("button", has_text="Add memo").click()
    page.locator(".memo-panel .memo-body", has_text="learning from peers").wait_for()

    page.goto(memos_url)
    assert page.locator("#memo-results .memo-item").count() == 2
    page.check("input[name=kind][value=code]")
    page.click(".memo-filters button[type=submit]")
    page.wait_for_url("**kind=code**")
    page.locator("#memo-results .memo-item").first.wait_for()
    assert page.locator("#memo-results .memo-item").count() == 1
    assert "Decided to keep" not in page.locator("#memo-results").inner_text()

    page.locator("#memo-results .memo-item a", has_text="Training").click()
    page.wait_for_url(live_server.url + reverse("code_edit", args=[study.slug, code.pk]))
    page.locator(".memo-panel .memo-body", has_text="learning from peers").wait_for()

    # Deleting the memo there can be undone.
    page.locator(".memo-panel .memo-item button", has_text="Delete").click()
    page.locator(".memo-panel button.undo").click()
    page.locator(".memo-panel .memo-body", has_text="learning from peers").wait_for()


def test_an_excerpt_memo_opens_its_excerpt_on_the_coding_page(
    page, live_server, study, owner, excerpt
):
    coding.excerpt_memo_set(
        excerpt=excerpt, memo="Say why nobody else sees them.", revision=excerpt.revision
    )
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("memos", args=[study.slug]) + "?kind=excerpt")
    page.locator("#memo-results .memo-item a", has_text="R1").click()
    # The excerpt is open in the side panel, with its memo, and marked in the text.
    page.locator("#excerpt-detail textarea[name=memo]").wait_for()
    assert (
        page.input_value("#excerpt-detail textarea[name=memo]") == "Say why nobody else sees them."
    )
    assert page.locator(f'mark.on[data-x="{excerpt.pk}"]').count() >= 1


def test_a_memo_past_the_limit_stays_in_its_box_with_the_limit_said(
    page, live_server, study, owner, excerpt
):
    # The fault: over the limit, the message said nothing of the limit and a reload was
    # the way out, which lost the text. Now the limit and the length are said and the
    # text waits in the box to be shortened.
    coding.excerpt_memo_set(excerpt=excerpt, memo="Short.", revision=excerpt.revision)
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("memos", args=[study.slug]) + "?kind=excerpt")
    page.locator("#memo-results .memo-item a", has_text="R1").click()
    box = page.locator("#excerpt-detail textarea[name=memo]")
    box.wait_for()
    assert box.get_attribute("maxlength") is None  # a paste past it would be cut in silence
    box.fill("A long memo. " + "x" * 20_287)
    box.press("End")
    box.press_sequentially(" and more")
    typed = box.input_value()
    assert len(typed) == 20_309
    page.locator("#excerpt-detail button", has_text="Save memo").click()
    flash = page.locator("#flash .flash-text")
    flash.wait_for()
    assert flash.inner_text() == ("A memo holds at most 20,000 characters; this one has 20,309.")
    assert page.locator("#excerpt-detail textarea[name=memo]").input_value() == typed
    coding_excerpt = type(excerpt).objects.get(pk=excerpt.pk)
    assert coding_excerpt.memo == "Short."


def test_the_next_page_of_memos_is_read_from_its_top(page, live_server, study, owner, code):
    """Next swapped in the following 25 memos and left the window where the link was, at
    the bottom: the page began with its last memo in view. Now it is shown from its top,
    as the other pagers (a theme's excerpts, the Excerpts page, the History page) are."""
    for n in range(60):
        memos.memo_create(model=CodeMemo, author=owner, body=f"Memo number {n:02}.", code=code)
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("memos", args=[study.slug]))
    items = page.locator("#memo-results .memo-item")
    expect(items).to_have_count(25)
    page.get_by_role("navigation", name="Pages of memos").get_by_role(
        "link", name="Next →"
    ).click()
    expect(items.first).to_contain_text("Memo number 34.")
    expect(items.first).to_be_in_viewport()


def test_a_memo_saved_and_a_comment_posted_are_taken_back_by_the_messages_undo(
    page, live_server, study, owner, code, themed
):
    # The fault: saving a memo or posting a comment said nothing and offered no Undo; only
    # Ctrl+Z took it back, which a researcher has to know of.
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("code_edit", args=[study.slug, code.pk]))
    panel = page.locator(".memo-panel")
    panel.locator("textarea[name=body]").fill("A slip of the keyboard.")
    panel.locator("button", has_text="Add memo").click()
    flash = page.locator("#flash")
    expect(flash).to_contain_text("Memo saved.")
    expect(panel.locator(".memo-body", has_text="A slip of the keyboard.")).to_have_count(1)
    flash.get_by_role("button", name="Undo").click()
    expect(page.locator("#flash")).to_contain_text("Undone: Wrote a memo.")
    expect(page.locator(".memo-panel .memo-body", has_text="A slip")).to_have_count(0)
    assert CodeMemo.objects.get(body="A slip of the keyboard.").deleted_at is not None

    training = themed["training"]
    page.goto(live_server.url + reverse("theme_detail", args=[study.slug, training.pk]))
    page.fill("#new-comment", "Posted on the wrong theme.")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("#comments .comment")).to_contain_text("Posted on the wrong theme.")
    expect(page.locator("#flash")).to_contain_text("Comment posted.")
    page.locator("#flash").get_by_role("button", name="Undo").click()
    expect(page.locator("#flash")).to_contain_text("Undone: Commented on")
    expect(page.locator("#comments")).not_to_contain_text("Posted on the wrong theme.")


def test_a_memo_saved_in_another_tab_is_not_replaced_without_a_word(
    page, live_server, study, owner, code
):
    """Two tabs on the memos page, the same memo's Edit open in both: tab B saves, then tab
    A. A's save replaced B's text in silence; now A is told, keeps its text, and a second
    Save replaces B's."""
    memo = memos.memo_create(model=CodeMemo, author=owner, body="First thoughts.", code=code)
    log_in(page, live_server, owner)
    memos_url = live_server.url + reverse("memos", args=[study.slug])

    def open_edit(tab):
        item = tab.locator(f"#memo-code-{memo.pk}")
        item.locator("summary", has_text="Edit").click()
        return item

    tabs = in_two_tabs(page, memos_url, open_edit)
    other = tabs["B"].page
    tabs["B"].locator("textarea[name=body]").fill("Tab B's words.")
    tabs["B"].get_by_role("button", name="Save").click()
    expect(other.locator(f"#memo-code-{memo.pk} .memo-body")).to_have_text("Tab B's words.")

    tabs["A"].locator("textarea[name=body]").fill("Tab A's words.")
    tabs["A"].get_by_role("button", name="Save").click()
    item = page.locator(f"#memo-code-{memo.pk}")
    expect_saved_meanwhile(item, "Tab B's words.")
    expect(item.locator("textarea[name=body]")).to_have_value("Tab A's words.")
    assert CodeMemo.objects.get(pk=memo.pk).body == "Tab B's words."

    item.get_by_role("button", name="Save").click()
    expect(page.locator(f"#memo-code-{memo.pk} .memo-body")).to_have_text("Tab A's words.")
    assert CodeMemo.objects.get(pk=memo.pk).body == "Tab A's words."
