"""The coding page and the edits made on it: code a selection, change, resize, delete, undo."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, trigger_client_event

from core.bidi import isolated
from core.errors import Conflict
from core.http import (
    flash_html,
    message_for_next_page,
    refusal,
    render_page_or_fragment,
    wants_fragment,
)
from interviews.access import READ, WRITE, interview_access

from .. import services, undo, workspace
from ..access import excerpt_access
from ..forms import CodeChoiceForm, MemoForm, ResizeForm, SelectionForm
from ..models import Excerpt
from ..selectors import code_rows, excerpt_row
from ..undo import Journal
from .colours import margin_shown
from .undo import bin_page_url, undo_owner, undo_url, undoable


@require_safe
def interview_code(request, slug, pk):
    """The coding page; to htmx paging through the side list, that list alone."""
    access, interview = interview_access(request, slug, pk, READ)
    number = request.GET.get("page")
    if wants_fragment(request):
        context = workspace.side_context(access, interview, number)
    else:
        context = workspace.page_context(access, interview, number)
        context["margin_shown"] = margin_shown(request)
    return render_page_or_fragment(request, "coding/interview.html", "excerpt-side", context)


def _ask_about(request, near: services.NearDuplicate) -> HttpResponse:
    """Nothing saved: the picker stays open and shows the warning with its choices. The
    warning's buttons work in the picker only: a plain form is refused with the same words,
    on a whole page."""
    if not request.htmx:
        names = ", ".join(f"“{code.name}”" for code in near.similar)
        message = f"“{near.name}” looks like {names}. Nothing was saved."
        return refusal(request, message, status=409)
    return reswap(HttpResponse(workspace.near_duplicate_html(near.name, near.similar)), "none")


def _refuse(request, error: Exception) -> HttpResponse:
    if isinstance(error, services.NearDuplicate):
        return _ask_about(request, error)
    if isinstance(error, Conflict):
        return refusal(request, str(error), status=409)
    return refusal(request, " ".join(error.messages), status=400)


def _refuse_forms(request, *forms) -> HttpResponse:
    """Bad input: the forms' own messages, nothing changed."""
    errors = dict.fromkeys(e for form in forms for errors in form.errors.values() for e in errors)
    return refusal(request, " ".join(errors), status=400)


def _conflict_with_detail(request, access, excerpt, message: str, memo_draft=None):
    """A 409 that also brings the excerpt's panel up to date, so that the next try works;
    a memo the user was writing stays in its box, beside the one saved meanwhile."""
    if not request.htmx:
        # The panel is a fragment for htmx to place; a plain form gets a whole page.
        return refusal(request, message, status=409)
    excerpt = Excerpt.all_objects.get(pk=excerpt.pk)
    row = excerpt_row(excerpt, code_rows(access.study))
    panel = workspace.detail_html(access, row, excerpt, oob=True, memo_draft=memo_draft)
    return reswap(HttpResponse(flash_html(message, "error") + panel, status=409), "none")


def _respond(
    request,
    interview,
    html: str,
    event: str,
    excerpt_id: int,
    message: str,
    level: str = "success",
    undo_url: str = "",
) -> HttpResponse:
    """The changes for htmx, telling the page's script which excerpt (`event`: excerptSaved
    or excerptDeleted); a plain request goes back to the page, `message` (of `level`) in
    its flash, with its Undo if `undo_url`."""
    if not request.htmx:
        message_for_next_page(request, message, level, undo_url)
        return redirect("interview_code", interview.study.slug, interview.pk)
    return trigger_client_event(HttpResponse(html), event, excerpt_id)


@require_POST
def excerpt_create(request, slug, pk):
    """Code the selection the browser sent with one or more codes."""
    # named=False: the answer names no interview, and coding a selection is the request a
    # researcher makes most (issue 9 holds it to twice a bare write).
    access, interview = interview_access(request, slug, pk, WRITE, named=False)
    selection, picker = SelectionForm(request.POST), CodeChoiceForm(request.POST)
    if not (selection.is_valid() and picker.is_valid()):
        return _refuse_forms(request, selection, picker)
    # The study's codes are read only for a new code typed in the picker (compared with
    # theirs, then drawn in its options); codes picked by id come with the selection's
    # checks, and the redrawn excerpts with their codes (services.Held).
    all_codes = code_rows(access.study) if picker.cleaned_data["new_code"] else None
    # Kept by the service in the coding's own transaction: one commit, never a coding
    # without its undo entry.
    journal = Journal(owner=undo_owner(request, access))
    held = services.Held()
    try:
        excerpt, created, codes = services.excerpt_code_picked(
            interview=interview,
            coder=request.user,
            **selection.span(),
            choice=picker.choice(),
            codes=all_codes,
            journal=journal,
            held=held,
        )
    except (services.NearDuplicate, ValidationError, Conflict) as error:
        return _refuse(request, error)
    message, level = services.coded_message(codes), "success"
    if held.added is not None and held.added != codes:
        # The same words coded the same in another tab, or a stale page: say what was there.
        message, level = _added_message(codes, held.added)
    undo_link = undo_url(access, journal.entry)
    html = workspace.changes_html(
        request,
        access,
        interview,
        [(excerpt.start, excerpt.end)],
        codes=all_codes,
        # Selecting an existing excerpt's exact words adds to it: its entry is redrawn.
        added=excerpt if created else None,
        changed=() if created else [excerpt.pk],
        detail=excerpt,
        message=message,
        level=level,
        undo_url=undo_link,
        codes_changed=all_codes is not None,
        bounds=held.bounds,
    )
    return _respond(
        request, interview, html, "excerptSaved", excerpt.pk, message, level, undo_url=undo_link
    )


@require_safe
@vary_on_headers("HX-Request")
def excerpt_detail(request, slug, pk):
    access, excerpt = excerpt_access(request, slug, pk, READ, text=False)
    if not request.htmx:
        url = reverse("interview_code", args=[slug, excerpt.interview_id])
        return redirect(f"{url}#x{excerpt.pk}")
    row = excerpt_row(excerpt, code_rows(access.study))
    return HttpResponse(workspace.detail_html(access, row, excerpt))


def _after_edit(
    request,
    access,
    excerpt,
    message,
    journal,
    *,
    ranges=None,
    codes=None,
    codes_changed=False,
    level="success",
):
    interview = excerpt.interview
    undo_link = undo_url(access, journal.entry)
    html = workspace.changes_html(
        request,
        access,
        interview,
        ranges or [(excerpt.start, excerpt.end)],
        codes=codes,
        changed=[excerpt.pk],
        detail=excerpt,
        message=message,
        level=level,
        undo_url=undo_link,
        codes_changed=codes_changed,
    )
    return _respond(
        request, interview, html, "excerptSaved", excerpt.pk, message, level, undo_url=undo_link
    )


@require_POST
def excerpt_codes_add(request, slug, pk):
    access, excerpt = excerpt_access(request, slug, pk, WRITE)
    picker = CodeChoiceForm(request.POST)
    if not picker.is_valid():
        return _refuse_forms(request, picker)
    all_codes = code_rows(access.study)
    try:
        with undoable(request, access) as journal:
            chosen, added = services.excerpt_codes_add_picked(
                excerpt=excerpt,
                coder=request.user,
                choice=picker.choice(),
                codes=all_codes,
                journal=journal,
            )
            message, level = _added_message(chosen, added)
            journal.label = message
    except Conflict as error:
        # Its words removed meanwhile (services.EXCERPT_ORPHANED): the panel shows why.
        return _conflict_with_detail(request, access, excerpt, str(error))
    except (services.NearDuplicate, ValidationError) as error:
        return _refuse(request, error)
    return _after_edit(
        request,
        access,
        excerpt,
        message,
        journal,
        codes=all_codes,
        codes_changed=bool(picker.cleaned_data["new_code"]),
        level=level,
    )


def _added_message(chosen: list, added: list) -> tuple[str, str]:
    """(message, level) after adding the `chosen` codes to an excerpt, of which `added`
    were not on it yet: those already there (added in another tab, or a stale page) are
    named as such, and when none was added the message says nothing was changed."""
    new = {code.id for code in added}
    there = [code for code in chosen if code.id not in new]
    if not there:
        return f"Added {', '.join(isolated(code.name) for code in added)}.", "success"
    names = ", ".join(f"“{isolated(code.name)}”" for code in there)
    was = "was" if len(there) == 1 else "were"
    if not added:
        return f"{names} {was} on this excerpt already; nothing was changed.", "info"
    added_names = ", ".join(isolated(code.name) for code in added)
    return f"Added {added_names}; {names} {was} on it already.", "success"


@require_POST
def excerpt_code_remove(request, slug, pk, code_id):
    access, excerpt = excerpt_access(request, slug, pk, WRITE)
    code = access.study.codes.filter(pk=code_id).first()
    if code is None:
        return refusal(request, "That code no longer exists. Reload the page.", status=404)
    removed = f"Removed {isolated(code.name)}."
    # Nothing removed, nothing noted: no entry is kept under that label.
    with undoable(request, access, removed) as journal:
        done = services.excerpt_code_remove(excerpt=excerpt, code=code, journal=journal)
    if not done:
        # Removed in another tab, or a stale page: say so, and bring the panel up to date.
        message = f"“{isolated(code.name)}” was not on this excerpt; nothing was changed."
        return _after_edit(request, access, excerpt, message, journal, level="info")
    return _after_edit(request, access, excerpt, removed, journal)


@require_POST
def excerpt_memo(request, slug, pk):
    access, excerpt = excerpt_access(request, slug, pk, WRITE)
    form = MemoForm(request.POST)
    if not form.is_valid():
        return _refuse_forms(request, form)
    memo = form.cleaned_data["memo"]
    try:
        with undoable(request, access, "Memo saved.") as journal:
            services.excerpt_memo_set(
                excerpt=excerpt,
                memo=memo,
                revision=form.cleaned_data["revision"],
                journal=journal,
                author=request.user,
            )
    except Conflict as error:
        # Show the memo as it now stands, with the user's own text kept in the box.
        return _conflict_with_detail(request, access, excerpt, str(error), memo_draft=memo)
    except ValidationError as error:
        return _refuse(request, error)
    return _after_edit(request, access, excerpt, "Memo saved.", journal)


@require_POST
def excerpt_resize(request, slug, pk):
    access, excerpt = excerpt_access(request, slug, pk, WRITE)
    form = ResizeForm(request.POST)
    if not form.is_valid():
        return _refuse_forms(request, form)
    try:
        # The same words again note nothing: no entry is kept under that label.
        with undoable(request, access, "Excerpt resized.") as journal:
            old = services.excerpt_resize(
                journal=journal,
                excerpt=excerpt,
                **form.span(),
                revision=form.cleaned_data["revision"],
            )
    except Conflict as error:
        return _conflict_with_detail(request, access, excerpt, str(error))
    except ValidationError as error:
        return _refuse(request, error)
    if not journal.steps:
        message, level = "The excerpt holds those words already; nothing was changed.", "info"
    else:
        message, level = "Excerpt resized.", "success"
    return _after_edit(
        request,
        access,
        excerpt,
        message,
        journal,
        ranges=[old, (excerpt.start, excerpt.end)],
        level=level,
    )


@require_POST
def excerpt_review(request, slug, pk):
    access, excerpt = excerpt_access(request, slug, pk, WRITE)
    message = "Excerpt kept as it now stands."
    try:
        with undoable(request, access, message) as journal:
            services.excerpt_review(excerpt=excerpt, journal=journal)
    except ValidationError as error:
        return _refuse(request, error)
    return _after_edit(request, access, excerpt, message, journal)


@require_POST
def excerpt_delete(request, slug, pk):
    access, excerpt = excerpt_access(request, slug, pk, WRITE)
    message = "Excerpt deleted (it waits in the bin on the History page)."
    with undoable(request, access, message) as journal:
        services.excerpt_delete(excerpt=excerpt, actor=request.user, journal=journal)
    interview = excerpt.interview
    undo_link = undo_url(access, journal.entry)
    html = workspace.changes_html(
        request,
        access,
        interview,
        [(excerpt.start, excerpt.end)],
        removed=[excerpt.pk],
        message=message,
        level="info",
        undo_url=undo_link,
    )
    return _respond(
        request, interview, html, "excerptDeleted", excerpt.pk, message, undo_url=undo_link
    )


@require_POST
def excerpt_restore(request, slug, pk):
    """Bring an excerpt back from the bin, with its codes and memo."""
    access, excerpt = excerpt_access(request, slug, pk, WRITE, deleted=True)
    bin_url = bin_page_url(request, slug)
    if excerpt.deleted_at is None:
        return refusal(request, "That excerpt is not deleted.", status=409, fallback_url=bin_url)
    try:
        left_out = services.excerpt_restore(excerpt=excerpt)
    except Conflict as error:
        return refusal(request, str(error), status=409, fallback_url=bin_url)
    # Its deletion is no longer to undo: the next Ctrl+Z reaches the action before it.
    deletion = undo.one_step("excerpt", id=excerpt.pk, after={"deleted": True})
    undo.spend(owner=undo_owner(request, access), done=deletion)
    restored = "Excerpt restored with its codes and memo."
    messages.success(request, f"{restored} {left_out}" if left_out else restored)
    return redirect(bin_url)
