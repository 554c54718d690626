"""Ctrl+Z undoes the user's last action whatever it was: a memo of any kind (a journal entry
too) written, edited or deleted, a comment posted, resolved or reopened. Each is the newest
entry of her history (coding.undo, reversed by themes.undo), so Ctrl+Z and the message's
Undo take back that, and never silently an older coding action instead. A deleted memo put
back with the Undo shown in its place, or from the bin, is no longer in the history: the
next Ctrl+Z reaches the action before it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from coding import services as coding
from coding.models import DeletedCode, Excerpt, UndoEntry
from interviews import memos
from tests.coding.test_views_undo import UNDO_FORM
from tests.conftest import HTMX, client_for
from themes import services as themes
from themes.memos import WRITABLE
from themes.models import Comment


def url(study, name, *args):
    return reverse(name, args=[study.slug, *args])


def ctrl_z(client, study):
    """What Ctrl+Z sends (static/js/undo.js): the study's undo endpoint, from htmx."""
    return client.post(url(study, "undo"), headers=HTMX)


@pytest.fixture
def older(study, themed, owner):
    """The owner's client, her older action (an excerpt deleted on the coding page, kept
    in her history) and that excerpt."""
    client = client_for(owner)
    excerpt = themed["excerpts"][1]
    assert client.post(url(study, "excerpt_delete", excerpt.pk), headers=HTMX).status_code == 200
    assert Excerpt.all_objects.get(pk=excerpt.pk).deleted_at is not None
    return client, excerpt


def _memo(kind: str, study, themed, owner):
    target = {
        "journal": {"study": study},
        "interview": {"interview": themed["interviews"][0]},
        "code": {"code": themed["codes"][0]},
        "theme": {"theme": themed["training"]},
    }[kind]
    return memos.memo_create(
        model=WRITABLE[kind].model, author=owner, body="First words.", **target
    )


def _panel_url(kind: str, study, themed) -> str:
    """Where the memos of `kind` on one of `themed`'s rows are written."""
    if kind == "journal":
        return url(study, "journal")
    target = {
        "interview": themed["interviews"][0],
        "code": themed["codes"][0],
        "theme": themed["training"],
    }[kind]
    return url(study, "memo_panel", kind, target.pk)


def _still_deleted(excerpt) -> bool:
    return Excerpt.all_objects.get(pk=excerpt.pk).deleted_at is not None


@pytest.mark.parametrize("kind", sorted(WRITABLE))
def test_ctrl_z_after_deleting_a_memo_brings_it_back_not_an_older_action(
    kind, study, themed, owner, older
):
    client, excerpt = older
    memo = _memo(kind, study, themed, owner)
    response = client.post(url(study, "memo_delete", kind, memo.pk), headers=HTMX)
    assert "Memo deleted" in response.content.decode()
    memo.refresh_from_db()
    assert memo.deleted_at is not None

    response = ctrl_z(client, study)
    assert response.status_code == 200
    memo.refresh_from_db()
    assert memo.deleted_at is None
    assert _still_deleted(excerpt), "Ctrl+Z undid the older excerpt deletion instead"
    # Pressed again, it goes on back: the excerpt deleted before.
    ctrl_z(client, study)
    assert not _still_deleted(excerpt)


@pytest.mark.parametrize("kind", sorted(WRITABLE))
def test_ctrl_z_after_writing_or_editing_a_memo_takes_back_that(kind, study, themed, owner, older):
    client, excerpt = older
    panel = _panel_url(kind, study, themed)
    client.post(panel, {"body": "Written now."}, headers=HTMX)
    memo = WRITABLE[kind].model.objects.get(body="Written now.")
    client.post(url(study, "memo_edit", kind, memo.pk), {"body": "Edited now."}, headers=HTMX)
    memo.refresh_from_db()
    assert memo.body == "Edited now."

    ctrl_z(client, study)
    memo.refresh_from_db()
    assert (memo.body, memo.deleted_at) == ("Written now.", None)
    assert _still_deleted(excerpt)
    ctrl_z(client, study)
    memo.refresh_from_db()
    # Undoing its writing puts it in the bin, whence it can still be restored.
    assert memo.deleted_at is not None
    assert _still_deleted(excerpt)


def test_the_undo_in_a_deleted_memos_place_spends_its_entry(study, themed, owner, older):
    client, excerpt = older
    memo = _memo("theme", study, themed, owner)
    client.post(url(study, "memo_delete", "theme", memo.pk), headers=HTMX)
    client.post(url(study, "memo_restore", "theme", memo.pk), headers=HTMX)
    memo.refresh_from_db()
    assert memo.deleted_at is None
    # The deletion is undone: Ctrl+Z now reaches the excerpt's deletion, with no refusal.
    assert ctrl_z(client, study).status_code == 200
    assert not _still_deleted(excerpt)
    memo.refresh_from_db()
    assert memo.deleted_at is None


def test_a_memo_restored_from_the_bin_spends_its_deletion_too(study, themed, owner, older):
    client, excerpt = older
    memo = _memo("journal", study, themed, owner)
    client.post(url(study, "memo_delete", "journal", memo.pk), headers=HTMX)
    client.post(url(study, "history_restore", "memo-journal", memo.pk))
    memo.refresh_from_db()
    assert memo.deleted_at is None
    assert ctrl_z(client, study).status_code == 200
    assert not _still_deleted(excerpt)


def test_a_memo_changed_since_is_not_overwritten_and_ctrl_z_says_so(study, themed, owner, older):
    client, excerpt = older
    memo = _memo("code", study, themed, owner)
    client.post(url(study, "memo_edit", "code", memo.pk), {"body": "Second."}, headers=HTMX)
    # Another tab edits it again, outside this history.
    memos.memo_update(memo=memo, author=owner, body="Third, elsewhere.")
    response = ctrl_z(client, study)
    assert response.status_code == 409
    assert "the memo was changed since" in response.content.decode()
    memo.refresh_from_db()
    assert memo.body == "Third, elsewhere."
    assert _still_deleted(excerpt), "a refused undo must not reach the older action"


def test_ctrl_z_after_a_comment_takes_it_back(study, themed, owner, older):
    client, excerpt = older
    training = themed["training"]
    client.post(url(study, "comment_add", training.pk), {"body": "Why R1?"}, headers=HTMX)
    assert Comment.objects.filter(body="Why R1?").exists()
    response = ctrl_z(client, study)
    assert response.status_code == 200
    assert not Comment.objects.filter(body="Why R1?").exists()
    assert _still_deleted(excerpt)


def test_a_comment_with_a_reply_since_is_not_taken_back(study, themed, owner, reviewer, older):
    client, excerpt = older
    training = themed["training"]
    client.post(url(study, "comment_add", training.pk), {"body": "Why R1?"}, headers=HTMX)
    question = Comment.objects.get(body="Why R1?")
    themes.comment_add(theme=training, author=reviewer, body="Because.", parent=question)
    response = ctrl_z(client, study)
    assert response.status_code == 409
    assert "replied to it since" in response.content.decode()
    assert Comment.objects.filter(pk=question.pk).exists()
    assert _still_deleted(excerpt)


def test_ctrl_z_after_resolving_or_reopening_a_comment_puts_it_back_as_it_was(
    study, themed, owner, reviewer, older
):
    client, excerpt = older
    comment = themes.comment_add(theme=themed["training"], author=reviewer, body="Why R1?")
    themes.comment_resolve(comment=comment, user=reviewer)
    resolved = Comment.objects.values_list("resolved_at", "resolved_by_id").get(pk=comment.pk)
    client.post(url(study, "comment_resolve", comment.pk), {"reopen": "1"}, headers=HTMX)
    assert Comment.objects.get(pk=comment.pk).resolved_at is None
    ctrl_z(client, study)
    # Resolved again, by whom and when it was.
    assert Comment.objects.values_list("resolved_at", "resolved_by_id").get(pk=comment.pk) == (
        resolved
    )
    assert _still_deleted(excerpt)

    client.post(url(study, "comment_resolve", comment.pk), {"reopen": "1"}, headers=HTMX)
    client.post(url(study, "comment_resolve", comment.pk), headers=HTMX)
    ctrl_z(client, study)
    assert Comment.objects.get(pk=comment.pk).resolved_at is None
    assert _still_deleted(excerpt)


def test_a_reviewers_comment_keeps_no_history(study, themed, reviewer):
    client = client_for(reviewer)
    client.post(url(study, "comment_add", themed["training"].pk), {"body": "Hm?"}, headers=HTMX)
    comment = Comment.objects.get(body="Hm?")
    client.post(url(study, "comment_resolve", comment.pk), headers=HTMX)
    assert not UndoEntry.objects.exists()


def _binned_code(client, study, themed):
    code = coding.code_create(study=study, name="Spare")
    client.post(url(study, "code_delete", code.pk), {"confirm": "yes"})
    return url(study, "code_restore", DeletedCode.objects.get(name="Spare").pk)


def _binned_theme(client, study, themed):
    at_work = themed["at_work"]
    client.post(url(study, "theme_delete", at_work.pk), headers=HTMX)
    return url(study, "history_restore", "theme", at_work.pk)


def _binned_excerpt(client, study, themed):
    first = themed["excerpts"][0]
    client.post(url(study, "excerpt_delete", first.pk), headers=HTMX)
    return url(study, "excerpt_restore", first.pk)


@pytest.mark.parametrize("binned", [_binned_code, _binned_theme, _binned_excerpt])
def test_a_restore_from_the_bin_spends_the_deletions_entry(binned, study, themed, older):
    client, excerpt = older
    restore = binned(client, study, themed)
    assert client.post(restore).status_code == 302
    # The deletion is undone: Ctrl+Z reaches the action before it, with no refusal.
    assert ctrl_z(client, study).status_code == 200
    assert not _still_deleted(excerpt)


def _undo_button_url(response) -> str:
    """The URL the message's Undo button posts to (templates/_flash.html), "" for none."""
    found = re.search(
        r'id="flash-status".*?hx-post="([^"]+)"[^>]*data-undo', response.content.decode(), re.S
    )
    return found.group(1) if found else ""


@pytest.mark.parametrize("kind", sorted(WRITABLE))
def test_a_memo_written_or_edited_says_saved_with_an_undo_that_takes_back_that(
    kind, study, themed, owner, older
):
    client, excerpt = older
    panel = _panel_url(kind, study, themed)
    written = client.post(panel, {"body": "Written now."}, headers=HTMX)
    assert "Memo saved." in written.content.decode()
    memo = WRITABLE[kind].model.objects.get(body="Written now.")
    edited = client.post(
        url(study, "memo_edit", kind, memo.pk), {"body": "Edited now."}, headers=HTMX
    )
    assert "Memo saved." in edited.content.decode()

    # The edit's own Undo: the words before it come back.
    assert client.post(_undo_button_url(edited), headers=HTMX).status_code == 200
    memo.refresh_from_db()
    assert (memo.body, memo.deleted_at) == ("Written now.", None)
    # The writing's Undo, pressed after: the memo goes to the bin; the older action stays.
    assert client.post(_undo_button_url(written), headers=HTMX).status_code == 200
    memo.refresh_from_db()
    assert memo.deleted_at is not None
    assert _still_deleted(excerpt)


def test_a_memo_saved_without_javascript_offers_its_undo_on_the_next_page(study, themed, owner):
    client = client_for(owner)
    code = themed["codes"][0]
    response = client.post(
        url(study, "memo_panel", "code", code.pk), {"body": "Plain."}, follow=True
    )
    page = response.content.decode()
    assert "Memo saved." in page
    memo = WRITABLE["code"].model.objects.get(body="Plain.")
    # The plain form of the Undo (_flash.html), posted as the button would.
    (_, action, back) = UNDO_FORM.search(page).groups()
    client.post(action, {"next": back})
    memo.refresh_from_db()
    assert memo.deleted_at is not None


def test_a_comment_posted_or_resolved_says_so_with_an_undo_for_a_writer(
    study, themed, owner, older
):
    client, excerpt = older
    training = themed["training"]
    posted = client.post(url(study, "comment_add", training.pk), {"body": "Why R1?"}, headers=HTMX)
    assert "Comment posted." in posted.content.decode()
    comment = Comment.objects.get(body="Why R1?")
    resolved = client.post(url(study, "comment_resolve", comment.pk), headers=HTMX)
    assert "Comment resolved." in resolved.content.decode()

    client.post(_undo_button_url(resolved), headers=HTMX)
    assert Comment.objects.get(pk=comment.pk).resolved_at is None
    client.post(_undo_button_url(posted), headers=HTMX)
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert _still_deleted(excerpt)


def test_a_reviewers_comment_says_posted_with_no_undo(study, themed, reviewer):
    client = client_for(reviewer)
    response = client.post(
        url(study, "comment_add", themed["training"].pk), {"body": "Hm?"}, headers=HTMX
    )
    assert "Comment posted." in response.content.decode()
    assert _undo_button_url(response) == ""
