"""Memos: the memos page of a study, and writing memos and journal entries.

A memo is read by every member; it is written by the study's owners and coders, and changed
or deleted only by its author (interviews.memos). A deleted memo can be brought back with
the Undo its deletion shows.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from coding.undo import one_step, spend
from coding.views.undo import undo_owner, undo_url, undoable
from core.errors import Conflict
from core.http import (
    message_for_next_page,
    posted,
    refusal,
    render_page_or_fragment,
    with_message,
)
from interviews import memos as services
from interviews.access import READ, WRITE, study_access
from interviews.forms import NextForm

from ..forms import MemoFilterForm, MemoForm
from ..memos import (
    JOURNAL,
    WRITABLE,
    MemoListing,
    MemoRow,
    interview_labels,
    memo_in_study,
    memo_rows,
    memo_url,
    memos_of,
    target_of,
)
from ..selectors import member_choices
from ..undo import memo_state, note_memo

PER_PAGE = 25


def _kind(name: str):
    kind = WRITABLE.get(name)
    if kind is None:
        raise Http404("No such kind of memo.")
    return kind


def _next(request, fallback: str) -> str:
    """Where to go back after a plain (not htmx) POST: the page the form was on."""
    return NextForm.url(request, fallback)


def panel_url(slug: str, kind, target) -> str:
    if kind is JOURNAL:
        return reverse("journal", args=[slug])
    return reverse("memo_panel", args=[slug, kind.name, target.pk])


def row_of(kind, memo) -> MemoRow:
    """A memo of one of the models as the memo templates show it."""
    return MemoRow(
        kind=kind,
        id=memo.pk,
        body=memo.body,
        author=memo.author.username if memo.author else "",
        author_id=memo.author_id,
        written=memo.created_at,
        target_id=None,
        target="",
        interview_id=None,
    )


@require_safe
def memos(request, slug):
    """Every memo of the study, filtered by kind, author, date and words, newest first."""
    access = study_access(request, slug, READ)
    form = MemoFilterForm(request.GET or None, authors=member_choices(access.study))
    memo_filter = form.memo_filter()
    # A filter to correct searches nothing (as on the Excerpts page).
    listing = MemoListing(access.study, memo_filter) if memo_filter else []
    page = Paginator(listing, PER_PAGE).get_page(request.GET.get("page"))
    rows = memo_rows(page.object_list)
    interview_labels(access.study, rows)
    for row in rows:
        row.url = memo_url(slug, row, can_write=access.can_write)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "access": access,
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "journal_form": MemoForm() if access.can_write else None,
        "next": request.get_full_path(),
    }
    return render_page_or_fragment(request, "themes/memos.html", "memo-results", context)


@require_http_methods(["GET", "HEAD", "POST"])
def memo_panel(request, slug, kind, target_id=None):
    """The memos on one interview, code or theme (or the journal), and the form that adds
    one: a fragment the pages load in place, or a page of its own without JavaScript."""
    kind = _kind(kind)
    access = study_access(request, slug, WRITE if request.method == "POST" else READ)
    target = target_of(access.study, kind, target_id)
    if target is None:
        raise Http404("That no longer exists. Reload the page.")
    form = MemoForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            with undoable(request, access, _label(kind, "Wrote")) as journal:
                memo = services.memo_create(
                    model=kind.model,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    **{kind.target: target},
                )
                note_memo(journal, kind, memo, None)
        except ValidationError as error:
            form.add_error("body", error)
        else:
            # Saved, with its Undo (htmx and plain alike): a slip of the Save button is
            # taken back in one click, not only by Ctrl+Z.
            if not request.htmx:
                response = redirect(_next(request, panel_url(slug, kind, target)))
            else:
                response = _panel(request, access, kind, target, form=MemoForm())
            return _saved(request, response, access, journal)
    return _panel(request, access, kind, target, form=form)


def _saved(request, response, access, journal):
    """`response` to a memo written or edited, saying so with the Undo of its entry."""
    return with_message(request, response, MEMO_SAVED, undo_url=undo_url(access, journal.entry))


MEMO_SAVED = "Memo saved."


def _panel(request, access, kind, target, *, form, edited=None, edit_form=None, status=200):
    """The memos on `target` and the form that adds one (`form`), as a page or its panel;
    memo `edited` (an id) is drawn with its edit form `edit_form` open (its errors and
    the text that was refused)."""
    here = panel_url(access.study.slug, kind, target)
    context = {
        "access": access,
        "kind": kind,
        "target": target,
        "form": form,
        "rows": [row_of(kind, memo) for memo in memos_of(access.study, kind, target)],
        "next": _next(request, here) if request.method == "POST" else request.get_full_path(),
        "here": here,
        "edited": edited,
        "edit_form": edit_form,
    }
    return render_page_or_fragment(
        request, "themes/memo_panel.html", "memo-panel", context, status=status
    )


def _memo(request, slug, kind, pk, *, deleted=False, missing_ok=False):
    """(the user's access to write, the kind named `kind`, memo `pk` of that kind in the
    study). Raises Http404 for a kind that is not one, and for a memo not found (deleted
    or not, as `deleted` asks), unless `missing_ok`, where the memo is None instead."""
    kind = _kind(kind)
    access = study_access(request, slug, WRITE)
    memo = memo_in_study(access.study, kind, pk, deleted=deleted)
    if memo is None and not missing_ok:
        raise Http404("That memo no longer exists. Reload the page.")
    return access, kind, memo


def _target(access, kind, memo):
    """What `memo` of `kind` is on: the study for the journal, else its interview, code
    or theme."""
    return access.study if kind is JOURNAL else getattr(memo, kind.target)


def _item(request, access, kind, memo, *, form=None, deleted=False, fallback=""):
    """One memo again after a change: the item for htmx, else back to the page."""
    if not request.htmx:
        return redirect(_next(request, fallback or reverse("memos", args=[access.study.slug])))
    context = {
        "access": access,
        "row": row_of(kind, memo),
        "edit_form": form,
        "deleted": deleted,
        "next": _next(request, ""),
    }
    return render(request, "themes/_memo.html", context)


@require_POST
def memo_edit(request, slug, kind, pk):
    """Replace the text of one's own memo. Refused (an empty or over-long text, a memo
    deleted meanwhile, or saved meanwhile in another tab: `seen`, core.stale), the text
    typed is kept: htmx gets the memo with its form open again; a plain request the page of
    the memos on the memo's target with that form open, or, for a deleted memo, with the
    text in the box that adds a memo."""
    access, kind, memo = _memo(request, slug, kind, pk, missing_ok=True)
    form = MemoForm(request.POST)
    if memo is None:
        return _edit_of_deleted(request, access, kind, pk, form)
    if form.is_valid():
        before = memo_state(memo)
        try:
            with undoable(request, access, _label(kind, "Edited")) as journal:
                body, seen = form.cleaned_data["body"], form.cleaned_data["seen"]
                services.memo_update(memo=memo, author=request.user, body=body, seen=seen)
                note_memo(journal, kind, memo, before)
        except ValidationError as error:
            form.add_error("body", error)
        except Conflict as error:
            # Saved in another tab: the memo as it now stands, the typed text kept in the
            # box under it (_memo.html), and the form's token now theirs, so that saving
            # again replaces it.
            form.add_error("seen", str(error))
        else:
            return _saved(request, _item(request, access, kind, memo), access, journal)
    if request.htmx:
        return _item(request, access, kind, memo, form=form)
    target = _target(access, kind, memo)
    blank = MemoForm()
    return _panel(request, access, kind, target, form=blank, edited=memo.pk, edit_form=form)


def _edit_of_deleted(request, access, kind, pk, form):
    """The answer to an edit of memo `pk`, deleted since the page was drawn: for htmx, the
    refusal (the page keeps the text in its box); else the memos on its target with the
    text in the box that adds a memo, or, when the memo is gone for good, the error page
    with the text (core.http.refusal)."""
    message = "That memo was deleted meanwhile (it waits in the bin on the History page)."
    memo = None if request.htmx else memo_in_study(access.study, kind, pk, deleted=True)
    if memo is None:
        return refusal(request, message + " Nothing was saved.", status=404)
    target = _target(access, kind, memo)
    kept = MemoForm({"body": form.data.get("body", "")})
    kept.is_valid()
    kept.add_error("body", message + " Your text is in the box below: add it as a new memo.")
    return _panel(request, access, kind, target, form=kept, status=404)


@require_POST
def memo_delete(request, slug, kind, pk):
    """Delete one's own memo; it can be restored (Undo) until the bin is emptied."""
    access, kind, memo = _memo(request, slug, kind, pk)
    before = memo_state(memo)
    with undoable(request, access, _label(kind, "Deleted")) as journal:
        services.memo_delete(memo=memo, author=request.user)
        note_memo(journal, kind, memo, before)
    if not request.htmx:
        # Its Undo as htmx offers it in the memo's place (_memo.html): a plain form too.
        restore = reverse("memo_restore", args=[slug, kind.name, memo.pk])
        message = "Memo deleted; it waits in the bin on the History page."
        message_for_next_page(request, message, undo_url=restore)
    return _item(request, access, kind, memo, deleted=True)


@require_POST
def memo_restore(request, slug, kind, pk):
    """Undo the deletion of one's own memo. Refused with a message (409), back to the page,
    when it was restored already (its Undo pressed twice, or in another tab)."""
    access, kind, memo = _memo(request, slug, kind, pk, deleted=True)
    if memo.deleted_at is None:
        back = _next(request, reverse("memos", args=[access.study.slug]))
        return refusal(request, MEMO_RESTORED_ALREADY, status=409, fallback_url=back)
    services.memo_restore(memo=memo, author=request.user)
    memo_restored(request, access, kind, memo)
    if not request.htmx:
        messages.success(request, "Memo restored.")
    return _item(request, access, kind, memo)


MEMO_RESTORED_ALREADY = "That memo was restored already; nothing was changed."


def _label(kind, done: str) -> str:
    """The undo label of what a memo form did (`done`: "Wrote", "Edited", "Deleted"): kept
    as the user's newest action, so that Ctrl+Z and the Undo button take back that memo's
    change and not an older action (coding's history; themes.undo reverses it)."""
    noun = "a journal entry" if kind is JOURNAL else "a memo"
    return f"{done} {noun}."


def memo_restored(request, access, kind, memo) -> None:
    """After a deleted memo was put back (its Undo, or the bin): its deletion is no longer
    to undo, so that the next Ctrl+Z reaches the action before it."""
    deleted = {"body": memo.body, "deleted": True}
    deletion = one_step("memo", memo_kind=kind.name, id=memo.pk, after=deleted)
    spend(owner=undo_owner(request, access), done=deletion)
