"""Writing memos and journal entries: one set of services for every kind of memo.

The memos on a study's things live in the app that owns each thing (interviews.JournalEntry
and InterviewMemo here, coding.CodeMemo, themes.ThemeMemo), all of the shape
`interviews.models.Memo`. These functions take any of them, so that the rules are written
once: the text passes `typed_text`, an empty memo is refused, only its author changes or
deletes a memo, and a deleted memo can be brought back until EXCERPTA_BIN_DAYS have passed.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict
from core.limits import LONGEST, check_length
from core.sanitise import typed_text
from core.stale import saved_meanwhile

from .models import Memo

EMPTY = "A memo needs some words; nothing was saved."
NOT_YOURS = "Only the person who wrote this memo can change or delete it."
MEMO_MEANWHILE = "This memo was saved meanwhile, in another tab or window; nothing was saved."


def memo_text(body: str) -> str:
    """`body` as stored: sanitised and trimmed. Raises ValidationError when nothing is left
    or it is longer than LONGEST code points."""
    text = typed_text(body).strip()
    if not text:
        raise ValidationError(EMPTY)
    check_length(text, noun="memo", limit=LONGEST)
    return text


def memo_create(*, model: type[Memo], author, body: str, **target) -> Memo:
    """A new memo of `model` by `author` on `target` (study=, interview=, code= or theme=).

    Raises ValidationError for an empty or over-long text.
    """
    memo = model(author=author, body=memo_text(body), **target)
    memo.save()
    return memo


def _check_author(memo: Memo, user) -> None:
    if memo.author_id is None or memo.author_id != user.pk:
        raise PermissionDenied(NOT_YOURS)


def memo_update(*, memo: Memo, author, body: str, seen: str = "") -> Memo:
    """Replace the memo's text. Raises PermissionDenied unless `author` wrote it,
    ValidationError for an empty or over-long text, and Conflict (nothing saved) when the
    memo was saved since its edit form was drawn: `seen` is core.stale.text_token() of the
    text that form showed ("" checks nothing)."""
    _check_author(memo, author)
    text = memo_text(body)
    if saved_meanwhile(memo.body, seen=seen, typed=text):
        raise Conflict(MEMO_MEANWHILE)
    memo.body = text
    memo.updated_at = timezone.now()
    memo.save(update_fields=["body", "updated_at"])
    return memo


def memo_delete(*, memo: Memo, author) -> None:
    """Delete the memo into the bin (it can be restored), and erase for good the memos of the
    same kind deleted longer ago than EXCERPTA_BIN_DAYS. Raises PermissionDenied unless
    `author` wrote it."""
    _check_author(memo, author)
    now = timezone.now()
    with transaction.atomic():
        memo.deleted_at = now
        memo.save(update_fields=["deleted_at"])
        cutoff = now - timedelta(days=settings.EXCERPTA_BIN_DAYS)
        type(memo).objects.filter(deleted_at__lt=cutoff).delete()


def memo_restore(*, memo: Memo, author) -> None:
    """Bring a deleted memo back. Raises PermissionDenied unless `author` wrote it."""
    _check_author(memo, author)
    memo.deleted_at = None
    memo.save(update_fields=["deleted_at"])
