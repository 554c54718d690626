"""Undo (the button in a message, Ctrl+Z) and the study's bin of deleted excerpts and codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRefresh

from core.errors import Conflict
from core.http import refusal
from interviews.access import READ, WRITE, interview_access, study_access
from interviews.forms import NextForm, PageForm

from .. import bin, undo, workspace
from ..models import DeletedCode, Excerpt


def undo_owner(request, access) -> undo.Owner:
    """The requesting user's undo history in the study of `access`, for a Journal that its
    service keeps in its own transaction (undo.keep_noted)."""
    return undo.Owner(access.study, request.user, request.session.session_key)


def undo_url(access, entry) -> str:
    """The URL of the Undo button of a kept entry ("" for none: nothing to undo)."""
    return reverse("undo_entry", args=[access.study.slug, entry.pk]) if entry else ""


@contextmanager
def undoable(request, access, label: str = "") -> Iterator[undo.Journal]:
    """One user action and the undo entry that takes it back, written together or not at
    all: yields a Journal of the requesting user's history in the study (undo_owner) for
    the services the `with` block calls to note into, and keeps it, labelled `label` or the
    `journal.label` the block set from what the services returned, in the block's own
    transaction before it commits (undo.keep_noted). `journal.entry` is then the entry
    (None when nothing was noted, or without a label). Raises undo.NotKept, a Conflict,
    when the entry cannot be written: the action is rolled back with it."""
    journal = undo.Journal(owner=undo_owner(request, access), label=label)
    with transaction.atomic():
        yield journal
        undo.keep_noted(journal)


@require_POST
def undo_action(request, slug, pk=None):
    """Undo the action `pk` of the user's history in the study, or the newest (Ctrl+Z)."""
    access = study_access(request, slug, WRITE)
    # The plain form of a message's Undo (_flash.html) says the page it was on: its answer,
    # and its refusal, go back there.
    back = NextForm.url(request, _back(request, slug))
    try:
        entry = undo.undo(
            study=access.study,
            user=request.user,
            session_key=request.session.session_key,
            entry_id=pk,
        )
    except undo.UnknownEntry:
        raise Http404("That action is not in your history of this study.") from None
    except Conflict as error:
        return refusal(request, str(error), status=409, fallback_url=back)
    message = " ".join([f"Undone: {entry.label}", *entry.notes])
    interview_id = _coding_page_of(request, slug)
    steps = entry.steps
    if interview_id and len(steps) == 1 and steps[0]["kind"] == "excerpt":
        answer = _redraw_excerpt(request, slug, interview_id, steps[0], message)
        if answer is not None:
            return answer
    messages.success(request, message)
    if request.htmx:
        # A codebook action changes what many lines and lists show: reload the page.
        return HttpResponseClientRefresh()
    return redirect(back)


def _coding_page_of(request, slug: str) -> int | None:
    """The interview whose coding page sent the request, if one did."""
    path = request.htmx.current_url_abs_path if request.htmx else None
    try:
        match = resolve((path or "").split("?")[0].split("#")[0])
    except Resolver404:
        return None
    if match.url_name == "interview_code" and match.kwargs.get("slug") == slug:
        return match.kwargs["pk"]
    return None


def _redraw_excerpt(request, slug, interview_id: int, step: dict, message: str):
    """Bring the coding page up to date after undoing an excerpt's change, as the edit's
    own answer would; None when the excerpt is not on this page."""
    if step.get("interview") != interview_id:
        return None
    # named=False: the redraw names no interview (as coding a selection's, see excerpt_create).
    access, interview = interview_access(request, slug, interview_id, WRITE, named=False)
    excerpt = Excerpt.all_objects.filter(pk=step["id"], interview=interview).first()
    after = step["after"]
    ranges = [(after["start"], after["end"])] if "start" in after else []
    live = excerpt is not None and excerpt.deleted_at is None
    if excerpt is not None:
        excerpt.interview = interview
        ranges.append((excerpt.start, excerpt.end))
    came_back = live and "deleted" in (step["before"] or {})
    html = workspace.changes_html(
        request,
        access,
        interview,
        ranges,
        changed=[excerpt.pk] if live and not came_back else (),
        added=excerpt if came_back else None,
        removed=() if live else [step["id"]],
        detail=excerpt if live else None,
        message=message,
    )
    return HttpResponse(html)


def _back(request, slug: str) -> str:
    """Where a plain (not htmx) request returns: the codebook, the study's central page."""
    return reverse("codebook", args=[slug])


@require_safe
def bin_page(request, slug):
    """The bin moved onto the study's history page: the old address leads there."""
    study_access(request, slug, READ)
    return redirect(reverse("history", args=[slug]) + "#bin")


def bin_page_url(request, slug: str) -> str:
    """Where a restore returns: the page of the bin on the study's history page it was sent
    from (its `page` field; the URL name is the themes app's, coding only names it)."""
    url = reverse("history", args=[slug])
    number = PageForm.number(request.POST)
    return (f"{url}?bin_page={number}" if number else url) + "#bin"


@require_POST
def code_restore(request, slug, pk):
    access = study_access(request, slug, WRITE)
    item = DeletedCode.objects.filter(pk=pk, study=access.study).first()
    if item is None:
        raise Http404("That code is no longer in the bin (restored or erased since).")
    deletion = undo.one_step("code_delete", bin=item.pk)  # The item goes with the restore.
    try:
        restored = bin.code_restore(item=item)
    except Conflict as error:
        return refusal(request, str(error), status=409, fallback_url=bin_page_url(request, slug))
    # Its deletion is no longer to undo: the next Ctrl+Z reaches the action before it.
    undo.spend(owner=undo_owner(request, access), done=deletion)
    messages.success(request, restored.message())
    return redirect(bin_page_url(request, slug))
