"""Undo of the themes pages' quick actions, in the coding app's history of actions
(coding.undo): the services note their steps in its Journal, kept in the action's own
transaction (coding.views.undo.undoable), and the reversals below are registered there by
kind (themes.apps), so that the Undo button in a message and Ctrl+Z work as on the coding page.
Memos of every kind and comments join the same history (their forms' views note them here),
so that Ctrl+Z after writing or deleting one takes back that, never an older action.

Each reversal puts back exactly what its step took away, or raises coding.undo.Stale,
changing nothing, when that can no longer be done or would no longer hold: the theme, the
code or the excerpt gone since, the excerpt no longer under the theme (a quote put back
there would only be left out of the findings), or the same thing done again meanwhile.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from coding.models import Code, Excerpt, ExcerptStatus
from coding.services import codes_hold
from coding.undo import Journal, Stale, note, register
from core.errors import Conflict
from interviews.locks import hold
from interviews.models import TypedKeep

from .memos import WRITABLE, MemoKind, memos_in_study
from .models import Comment, Quote, Theme
from .rollup import study_rollup
from .services import theme_restore


def _theme(step_theme: int, study) -> Theme:
    theme = Theme.objects.filter(pk=step_theme, study=study).first()
    if theme is None:
        raise Stale("the theme has since been removed.")
    return theme


def _undo_theme_delete(step: dict, study) -> str:
    """Restore the theme from the bin, with everything its removal took that still holds
    (theme_restore); returns what was left out and why ("" for nothing)."""
    try:
        restored = theme_restore(study=study, theme_id=step["id"])
    except Conflict as error:
        raise Stale(str(error)) from None
    return restored.left_out_note()


def _undo_theme_code_detach(step: dict, study) -> None:
    """Gather the code into the theme again. Stale when the theme or the code is gone, or
    the theme gathers the code again already (undoing would change nothing)."""
    theme = _theme(step["theme"], study)
    code = Code.objects.filter(pk=step["code"], study=study).first()
    if code is None:
        raise Stale("the code has since been deleted or merged.")
    try:
        # A merge or delete of the code at the same moment waits for this, or this for it.
        codes_hold(codes=[code])
    except Conflict as error:
        raise Stale(str(error)) from None
    if theme.codes.filter(pk=code.pk).exists():
        raise Stale("the code was gathered into the theme again since.")
    theme.codes.add(code)


def _undo_theme_code_attach(step: dict, study) -> None:
    """Take the code out of the theme again. Stale when the theme is gone, or no longer
    gathers the code (taken out, deleted or merged since: undoing would change nothing)."""
    theme = _theme(step["theme"], study)
    if not theme.codes.filter(pk=step["code"]).exists():
        raise Stale("the code is no longer in the theme.")
    theme.codes.remove(step["code"])


def _undo_quote_remove(step: dict, study) -> None:
    """Choose the excerpt again, under the quote's id, with its extract, at its place: the
    quotes from its order on move down one."""
    theme = _theme(step["theme"], study)
    # Quotes added or moved at the same moment renumber one after another.
    hold(Theme, theme.pk)
    excerpt = (
        Excerpt.objects.select_related("interview__respondent")
        .filter(pk=step["excerpt"], interview__study=study)
        .first()
    )
    if excerpt is None:
        raise Stale("its excerpt has since been deleted.")
    if excerpt.interview.respondent.is_withdrawn:
        raise Stale("its respondent has withdrawn since.")
    if excerpt.status == ExcerptStatus.ORPHANED:
        raise Stale("its words have since been removed from the transcript.")
    if theme.quotes.filter(excerpt=excerpt).exists():
        raise Stale("the excerpt was chosen as a quote again since.")
    # The roll-up decides what is under a theme (its codes, its sub-themes', their
    # sub-codes), as for choosing a quote (services.quote_add).
    if excerpt.pk not in set(study_rollup(study).theme(theme.pk).excerpt_ids):
        raise Stale(
            "that excerpt is no longer under this theme (none of its codes is gathered by the "
            "theme now: a code was taken off the theme, or off the excerpt, since)."
        )
    theme.quotes.filter(order__gte=step["order"]).update(order=F("order") + 1)
    Quote.objects.create(
        id=step["id"],
        theme=theme,
        excerpt=excerpt,
        extract=step["extract"],
        order=step["order"],
        created_at=datetime.fromisoformat(step["created_at"]),
    )


def _undo_quote_extract(step: dict, study) -> None:
    """Put back the words a quote printed before the step. Stale when the quote is gone
    or its words were changed since (in another tab)."""
    quote = (
        Quote.objects.select_for_update()
        .filter(pk=step["id"], theme__study=study)
        .only("pk", "extract")
        .first()
    )
    if quote is None:
        raise Stale("the quote was removed since.")
    if quote.extract != step["after"]:
        raise Stale("its words to print were changed since (in another tab).")
    quote.extract = step["before"]
    quote.save(update_fields=["extract"])


# Memos of every kind, the journal's entries included --------------------------------------


def memo_state(memo) -> dict:
    """A memo as its undo step keeps it: {"body": str, "deleted": bool (in the bin)}."""
    return {"body": memo.body, "deleted": memo.deleted_at is not None}


def note_memo(journal: Journal, kind: MemoKind, memo, before: dict | None) -> None:
    """Note the change a memo form just made to `memo` (of `kind`, one of memos.WRITABLE):
    `before` is memo_state before it, None when the memo was written now. A change that
    changed nothing (the same words saved again) is not noted: undoing it would do
    nothing, and Ctrl+Z would spend itself on it."""
    after = memo_state(memo)
    if before != after:
        note(journal, "memo", memo_kind=kind.name, id=memo.pk, before=before, after=after)


def _undo_memo(step: dict, study) -> None:
    """Put a memo back as it was before the step: its words, in or out of the bin; a memo
    written by the step goes into the bin (whence it can be restored). Stale when it was
    changed since (edited, deleted or restored in another tab) or is gone for good."""
    kind = WRITABLE.get(step["memo_kind"])
    memo = memos_in_study(study, kind).select_for_update().filter(pk=step["id"]).first()
    if memo is None:
        raise Stale("the memo is gone since (the bin was emptied, or what it is about deleted).")
    if memo_state(memo) != step["after"]:
        raise Stale("the memo was changed since (in another tab).")
    before = step["before"] or {"body": memo.body, "deleted": True}
    memo.body = before["body"]
    memo.deleted_at = timezone.now() if before["deleted"] else None
    memo.updated_at = timezone.now()
    memo.save(update_fields=["body", "deleted_at", "updated_at"])


# Comments ---------------------------------------------------------------------------------


def _locked_comment(step: dict, study) -> Comment:
    comment = Comment.objects.select_for_update().filter(pk=step["id"], theme__study=study).first()
    if comment is None:
        raise Stale("the comment is gone since (its theme was removed).")
    return comment


def _undo_comment_add(step: dict, study) -> None:
    """Take back a comment just posted; Stale once someone has replied to it."""
    comment = _locked_comment(step, study)
    if comment.replies.exists():
        raise Stale("someone has replied to it since.")
    comment.delete()


def _undo_comment_resolve(step: dict, study) -> None:
    """Open a comment resolved (or resolve again one opened) as it was, with who resolved
    it and when; Stale when it was resolved or opened again since."""
    comment = _locked_comment(step, study)
    if (comment.resolved_at is not None) != (step["after"]["at"] is not None):
        raise Stale("it was resolved or opened again since.")
    before = step["before"]
    by = before["by"]
    if by is not None and not get_user_model().objects.filter(pk=by).exists():
        by = None  # The member has left since; the comment still says it was resolved.
    at = datetime.fromisoformat(before["at"]) if before["at"] else None
    Comment.objects.filter(pk=comment.pk).update(resolved_at=at, resolved_by_id=by)


# Keeps of typed fields -----------------------------------------------------------------


def _undo_typed_keep(step: dict, study) -> None:
    """Ask again about a typed field kept (services.typed_field_keep): its keep goes, or
    holds again what an earlier Keep of the field held. Stale when the keep is gone (undone
    from the de-identification page, or its string taken off the list) or kept again since
    for another text."""
    keep = TypedKeep.objects.select_for_update().filter(pk=step["id"], study=study).first()
    if keep is None:
        raise Stale("the field is no longer kept (its Keep was undone already).")
    if {"words": keep.words, "digest": keep.digest} != step["after"]:
        raise Stale("the field was kept again since, for another text.")
    if step["before"] is None:
        keep.delete()
        return
    keep.words, keep.digest = step["before"]["words"], step["before"]["digest"]
    keep.save(update_fields=["words", "digest"])


def connect() -> None:
    """Register the reversals with coding's undo (called from themes' ready())."""
    register("theme_delete", _undo_theme_delete)
    register("theme_code_detach", _undo_theme_code_detach)
    register("theme_code_attach", _undo_theme_code_attach)
    # Quotes, memos and comments are read apart from the roll-up (themes.review).
    register("quote_remove", _undo_quote_remove, rollup=False)
    register("quote_extract", _undo_quote_extract, rollup=False)
    register("memo", _undo_memo, rollup=False)
    register("comment_add", _undo_comment_add, rollup=False)
    register("comment_resolve", _undo_comment_resolve, rollup=False)
    # A keep changes which downloads are refused, never what the roll-up reads.
    register("typed_keep", _undo_typed_keep, rollup=False)
