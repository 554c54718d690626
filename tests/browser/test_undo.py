"""Undo in a real browser: Ctrl+Z on the coding page, the Undo button on the codebook."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from coding.models import Code, Coding, Excerpt
from interviews import memos
from interviews.models import InterviewMemo
from tests.browser.conftest import log_in, select_text
from tests.browser.test_coding import TEXT, apply_code_with_keyboard, open_transcript
from tests.conftest import code_span, import_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ctrl_z_undoes_removing_a_code_from_an_excerpt(page, live_server, study, code, owner):
    interview = import_text(study, text=TEXT, name="R1-interview.txt")
    stress = coding.code_create(study=study, name="Stress")
    excerpt = code_span(interview, "a café crowd too", [code, stress], owner)
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    page.locator(f'mark[data-x="{excerpt.pk}"]').first.click()
    detail = page.locator("#excerpt-detail")
    detail.get_by_role("button", name="Remove the code Stress").click()
    expect(page.locator("#flash")).to_contain_text("Removed Stress.")
    expect(detail.get_by_role("button", name="Remove the code Stress")).to_have_count(0)
    assert list(excerpt.codings.values_list("code__name", flat=True)) == ["Training"]
    # Focus back in the page (not in a field), as after any click, then the key.
    page.locator("#transcript").focus()
    page.keyboard.press("Control+z")
    expect(page.locator("#flash")).to_contain_text("Undone: Removed Stress.")
    expect(detail.get_by_role("button", name="Remove the code Stress")).to_have_count(1)
    codings = Coding.objects.filter(excerpt=excerpt)
    assert sorted(codings.values_list("code__name", "coder")) == [
        ("Stress", owner.pk),
        ("Training", owner.pk),
    ]


def test_the_undo_button_undoes_a_confirmed_merge(page, live_server, study, code, owner):
    interview = import_text(study, text=TEXT, name="R1-interview.txt")
    learning = coding.code_create(study=study, name="Learning")
    code_span(interview, "a café crowd too", [learning])
    code_span(interview, "Six years", [learning, code])
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("code_edit", args=[study.slug, learning.pk]))
    page.get_by_label("Merge “Learning” into").select_option(label="Training")
    page.get_by_role("button", name="Merge…").click()
    editor = page.locator("#code-editor")
    expect(editor).to_contain_text("Merge “Learning” into “Training”?")
    expect(editor).to_contain_text(
        "2 excerpts carry “Learning” and move to “Training”; 1 of them already carries"
    )
    assert Code.objects.filter(name="Learning").exists(), "nothing merged before confirming"
    editor.get_by_role("button", name="Merge", exact=True).click()
    notice = page.locator("#codebook-body .notice")
    expect(notice).to_contain_text("Merged “Learning” into “Training”: 1 excerpt moved.")
    assert not Code.objects.filter(name="Learning").exists()
    notice.get_by_role("button", name="Undo").click()
    expect(page.locator("#flash")).to_contain_text("Undone: Merged “Learning”")
    expect(page.locator("#codebook-body")).to_contain_text("Learning")
    restored = Code.objects.get(name="Learning")
    assert restored.pk == learning.pk
    assert Coding.objects.filter(code=restored).count() == 2
    assert Coding.objects.filter(code=code).count() == 1


def test_ctrl_z_on_the_codebook_brings_back_a_deleted_code(page, live_server, study, code, owner):
    interview = import_text(study, text=TEXT, name="R1-interview.txt")
    code_span(interview, "a café crowd too", [code], owner)
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("code_edit", args=[study.slug, code.pk]))
    page.get_by_label("Also remove it from the excerpts").check()
    page.get_by_role("button", name="Delete code").click()
    expect(page.locator("#codebook-body .notice")).to_contain_text("Deleted “Training”")
    assert not Code.objects.exists()
    page.locator("h1").click()
    page.keyboard.press("Control+z")
    expect(page.locator("#flash")).to_contain_text("Undone: Deleted “Training”")
    expect(page.locator(f"#code-{code.pk}")).to_contain_text("Training")
    assert list(Coding.objects.values_list("code__name", "coder")) == [("Training", owner.pk)]


def test_ctrl_z_after_deleting_a_memo_brings_the_memo_back_and_keeps_the_coding(
    page, live_server, study, code, owner
):
    interview = import_text(study, text=TEXT, name="R1-interview.txt")
    memos.memo_create(
        model=InterviewMemo, author=owner, body="Noisy café, hard to hear.", interview=interview
    )
    log_in(page, live_server, owner)
    open_transcript(page, live_server, interview)
    select_text(page, "with clients who use")
    apply_code_with_keyboard(page, "train")
    expect(page.locator("#flash")).to_contain_text("Coded as “Training”.")
    page.locator("#memos summary").click()
    memo = page.locator("#memos .memo-item", has_text="Noisy café")
    memo.get_by_role("button", name="Delete").click()
    expect(page.locator("#memos")).to_contain_text("Memo deleted")
    assert InterviewMemo.objects.get().deleted_at is not None
    page.locator("#transcript").focus()
    page.keyboard.press("Control+z")
    # The page is drawn again: the memo is back, the coding still there.
    expect(page.locator("#flash")).to_contain_text("Undone: Deleted a memo.")
    page.locator("#memos summary").click()
    expect(page.locator("#memos .memo-body", has_text="Noisy café")).to_have_count(1)
    assert InterviewMemo.objects.get().deleted_at is None
    excerpt = Excerpt.objects.get()
    assert excerpt.text == "with clients who use"
    assert list(excerpt.codings.values_list("code__name", flat=True)) == ["Training"]
    expect(page.locator(f'#transcript mark[data-x="{excerpt.pk}"]')).to_have_count(1)
