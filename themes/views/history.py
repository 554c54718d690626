"""The history page of a study: every change, who made it and when, and the bin of what can
be restored (deleted excerpts, codes, themes and memos)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST, require_safe

from coding.undo import one_step, spend
from coding.views.undo import bin_page_url, undo_owner
from core.errors import Conflict
from core.http import refusal, render_page_or_fragment
from interviews import memos as memo_services
from interviews.access import READ, WRITE, study_access
from interviews.forms import PageForm
from interviews.history import REGISTRY
from interviews.models import Erasure, Role

from .. import services
from ..forms import HistoryFilterForm
from ..history import MEMO_KINDS, Key, bin_page, history_page
from ..memos import WRITABLE as MEMO_WRITABLE
from ..models import Theme
from ..selectors import member_choices
from .memos import memo_restored


@require_safe
def history(request, slug):
    """The study's history, newest first, filtered by who, what and when (in the URL), 50
    changes a page (each page's address says the record it starts after or ends before:
    themes.history.Key); the bin above it; the erasures below."""
    access = study_access(request, slug, READ)
    form = HistoryFilterForm(request.GET or None, users=member_choices(access.study))
    history_filter = form.history_filter()
    # Where the page starts: after the key of an older page's start (`older`), or before a
    # newer page's (`newer`), else the newest. A key that is no key (typed, cut short)
    # shows the newest page and says so; one whose record is gone still has its place.
    asked = {way: request.GET.get(way) for way in ("older", "newer")}
    keys = {way: Key.parse(text) for way, text in asked.items()}
    unreadable = any(text and keys[way] is None for way, text in asked.items())
    page = None
    # A filter to correct searches nothing (as on the Excerpts and Memos pages).
    if history_filter is not None:
        page = history_page(
            access.study,
            history_filter,
            older=None if unreadable else keys["older"],
            newer=None if unreadable else keys["newer"],
            reviewer=access.role == Role.REVIEWER,
        )
    query = request.GET.copy()
    for way in ("page", "older", "newer"):
        query.pop(way, None)
    restorable = bin_page(access.study, PageForm.number({"page": request.GET.get("bin_page")}))
    context = {
        "access": access,
        "form": form,
        "events": page.events if page else [],
        "page": page,
        "unreadable": unreadable,
        "query": query.urlencode(),
        "restorable": restorable,
        # What an erasure removed, and when; its note (it may say whom) only to owners.
        "erasures": Erasure.objects.filter(study=access.study).order_by("-erased_at"),
    }
    return render_page_or_fragment(request, "themes/history.html", "history-results", context)


@require_POST
def history_restore(request, slug, kind, pk):
    """Restore a deleted theme (with its codes, quotes, memos and sub-themes) or one's own
    deleted memo from the history page's bin. Excerpts and codes go through their own
    restore views (coding.views)."""
    access = study_access(request, slug, WRITE)
    back = bin_page_url(request, slug)
    if kind == "theme":
        if not Theme.history.filter(id=pk, history_study_id=access.study.pk).exists():
            raise Http404("No theme of this study was deleted under that number.")
        try:
            restored = services.theme_restore(study=access.study, theme_id=pk)
        except Conflict as error:
            return refusal(request, str(error), status=409, fallback_url=back)
        # Its removal is no longer to undo: the next Ctrl+Z reaches the action before it.
        spend(owner=undo_owner(request, access), done=one_step("theme_delete", id=pk))
        messages.success(request, restored.message())
        return redirect(back)
    model = MEMO_KINDS.get(kind.removeprefix("memo-")) if kind.startswith("memo-") else None
    if model is None:
        raise Http404("Nothing of that kind can be restored.")
    memo = model.objects.filter(pk=pk, deleted_at__isnull=False).first()
    if memo is None or _study_id(memo) != access.study.pk:
        raise Http404("That memo is not in the bin (restored or erased since).")
    # PermissionDenied (403) unless the user wrote it: only a memo's author restores it.
    memo_services.memo_restore(memo=memo, author=request.user)
    memo_restored(request, access, MEMO_WRITABLE[kind.removeprefix("memo-")], memo)
    messages.success(request, "Memo restored.")
    return redirect(back)


def _study_id(memo) -> int | None:
    return REGISTRY[type(memo)].study_of(memo)
