"""The coding page and the edits made on it: code a selection, change, resize, delete, undo."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from interviews.access import READ, WRITE, interview_access
from interviews.errors import Conflict
from interviews.http import flash_html, refusal, render_page_or_fragment, wants_fragment
from interviews.naming import name_key, tidy

from .. import services, workspace
from ..access import excerpt_access
from ..detail_panel import render_detail
from ..models import Excerpt
from ..picker import render_near_duplicate, similar_codes
from ..selectors import CodeRow, code_rows, excerpt_row
from ..undo import Journal
from .colours import margin_shown
from .undo import bin_page_url, remember


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


def _codes_from_request(
    request, study, codes: dict[int, CodeRow], journal: Journal
) -> list[CodeRow]:
    """The codes chosen in the picker, plus a new one typed there ("code on the spot").

    `codes` are the study's codes (code_rows); a new code is added to it, so that the
    answer can draw it, and noted in `journal`.
    """
    ids = [int(value) for value in request.POST.getlist("code") if value.isdigit()]
    if any(code_id not in codes for code_id in ids):
        raise Conflict("One of those codes was deleted or merged meanwhile. Reload the page.")
    chosen = [codes[code_id] for code_id in dict.fromkeys(ids)]
    new_name = tidy(request.POST.get("new_code", ""))
    if new_name:
        # A code of that name may exist already (in any case): `codes` holds them all.
        wanted = name_key(new_name)
        code = next((c for c in codes.values() if name_key(c.name) == wanted), None)
        # A slip of an existing name ("Peer suport") is asked about before it becomes a
        # code of its own.
        asked = bool(request.POST.get("confirm_new"))
        if code is None and not asked and (similar := similar_codes(new_name, codes.values())):
            raise NearDuplicate(new_name, similar)
        if code is None:
            made = services.code_get_or_create(study=study, name=new_name, journal=journal)
            code = codes[made.pk] = CodeRow(made.pk, made.name, made.colour, made.parent_id)
        if code not in chosen:
            chosen.append(code)
    return chosen


class NearDuplicate(Exception):
    """A new code's name is close to existing codes' names; nothing is saved until the
    user picks one of them or confirms the new name (confirm_new)."""

    def __init__(self, name: str, similar: list[CodeRow]):
        super().__init__(name)
        self.name, self.similar = name, similar


def _ask_about(near: NearDuplicate) -> HttpResponse:
    """Nothing saved: the picker stays open and shows the warning with its choices."""
    response = HttpResponse(render_near_duplicate(near.name, near.similar))
    response["HX-Reswap"] = "none"
    return response


def _refuse(request, error: Exception) -> HttpResponse:
    if isinstance(error, Conflict):
        return refusal(request, str(error), status=409)
    return refusal(request, " ".join(error.messages), status=400)


def _conflict_with_detail(request, access, excerpt, message: str, memo_draft=None):
    """A 409 that also brings the excerpt's panel up to date, so that the next try works;
    a memo the user was writing stays in its box, beside the one saved meanwhile."""
    excerpt = Excerpt.all_objects.get(pk=excerpt.pk)
    row = excerpt_row(excerpt, code_rows(access.study))
    panel = render_detail(access, row, excerpt, oob=True, memo_draft=memo_draft)
    response = HttpResponse(flash_html(message, "error") + panel, status=409)
    response["HX-Reswap"] = "none"
    return response


def _int(request, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise ValidationError("The request was incomplete; reload the page.") from None


def _respond(request, interview, html: str, trigger: str = "") -> HttpResponse:
    # The flash of a plain (not htmx) request is lost with the redirect; its undo stays
    # reachable by Ctrl+Z.
    if not request.htmx:
        return redirect("interview_code", interview.study.slug, interview.pk)
    response = HttpResponse(html)
    if trigger:
        response["HX-Trigger"] = trigger
    return response


@require_POST
def excerpt_create(request, slug, pk):
    """Code the selection the browser sent with one or more codes."""
    access, interview = interview_access(request, slug, pk, WRITE)
    all_codes = code_rows(access.study)
    journal = Journal()
    try:
        # One transaction: a code typed in the picker is not created if the selection
        # is refused.
        with transaction.atomic():
            start, end = services.parse_offsets(request.POST.get("start"), request.POST.get("end"))
            codes = _codes_from_request(request, access.study, all_codes, journal)
            excerpt, created = services.excerpt_code_selection(
                interview=interview,
                coder=request.user,
                start=start,
                end=end,
                seen_text=request.POST.get("text", ""),
                version=_int(request, "version"),
                codes=codes,
                journal=journal,
            )
    except NearDuplicate as near:
        return _ask_about(near)
    except (ValidationError, Conflict) as error:
        return _refuse(request, error)
    names = ", ".join(code.name for code in codes)
    message = f"Coded as {names}."
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
        undo_url=remember(request, access, journal, message),
        codes_changed=bool(request.POST.get("new_code")),
    )
    return _respond(request, interview, html, f'{{"excerptSaved": {excerpt.pk}}}')


@require_safe
@vary_on_headers("HX-Request")
def excerpt_detail(request, slug, pk):
    access, excerpt = excerpt_access(request, slug, pk, READ, text=False)
    if not request.htmx:
        url = reverse("interview_code", args=[slug, excerpt.interview_id])
        return redirect(f"{url}#x{excerpt.pk}")
    row = excerpt_row(excerpt, code_rows(access.study))
    return HttpResponse(render_detail(access, row, excerpt))


def _after_edit(
    request, access, excerpt, message, journal, *, ranges=None, codes=None, codes_changed=False
):
    interview = excerpt.interview
    html = workspace.changes_html(
        request,
        access,
        interview,
        ranges or [(excerpt.start, excerpt.end)],
        codes=codes,
        changed=[excerpt.pk],
        detail=excerpt,
        message=message,
        undo_url=remember(request, access, journal, message),
        codes_changed=codes_changed,
    )
    return _respond(request, interview, html, f'{{"excerptSaved": {excerpt.pk}}}')


@require_POST
def excerpt_codes_add(request, slug, pk):
    access, excerpt = excerpt_access(request, slug, pk, WRITE)
    all_codes = code_rows(access.study)
    journal = Journal()
    try:
        with transaction.atomic():
            codes = _codes_from_request(request, access.study, all_codes, journal)
            if not codes:
                raise ValidationError("Choose a code to add.")
            services.excerpt_codes_add(
                excerpt=excerpt, codes=codes, coder=request.user, journal=journal
            )
    except NearDuplicate as near:
        return _ask_about(near)
    except (ValidationError, Conflict) as error:
        return _refuse(request, error)
    names = ", ".join(code.name for code in codes)
    return _after_edit(
        request,
        access,
        excerpt,
        f"Added {names}.",
        journal,
        codes=all_codes,
        codes_changed=bool(request.POST.get("new_code")),
    )


@require_POST
def excerpt_code_remove(request, slug, pk, code_id):
    access, excerpt = excerpt_access(request, slug, pk, WRITE)
    code = access.study.codes.filter(pk=code_id).first()
    if code is None:
        return refusal(request, "That code no longer exists. Reload the page.", status=404)
    journal = Journal()
    services.excerpt_code_remove(excerpt=excerpt, code=code, journal=journal)
    return _after_edit(request, access, excerpt, f"Removed {code.name}.", journal)


@require_POST
def excerpt_memo(request, slug, pk):
    access, excerpt = excerpt_access(request, slug, pk, WRITE)
    journal = Journal()
    try:
        services.excerpt_memo_set(
            excerpt=excerpt,
            memo=request.POST.get("memo", ""),
            revision=_int(request, "revision"),
            journal=journal,
        )
    except Conflict as error:
        # Show the memo as it now stands, with the user's own text kept in the box.
        return _conflict_with_detail(
            request, access, excerpt, str(error), memo_draft=request.POST.get("memo", "")
        )
    except ValidationError as error:
        return _refuse(request, error)
    return _after_edit(request, access, excerpt, "Memo saved.", journal)


@require_POST
def excerpt_resize(request, slug, pk):
    access, excerpt = excerpt_access(request, slug, pk, WRITE)
    journal = Journal()
    try:
        start, end = services.parse_offsets(request.POST.get("start"), request.POST.get("end"))
        old = services.excerpt_resize(
            journal=journal,
            excerpt=excerpt,
            start=start,
            end=end,
            seen_text=request.POST.get("text", ""),
            version=_int(request, "version"),
            revision=_int(request, "revision"),
        )
    except Conflict as error:
        return _conflict_with_detail(request, access, excerpt, str(error))
    except ValidationError as error:
        return _refuse(request, error)
    return _after_edit(
        request,
        access,
        excerpt,
        "Excerpt resized.",
        journal,
        ranges=[old, (excerpt.start, excerpt.end)],
    )


@require_POST
def excerpt_review(request, slug, pk):
    access, excerpt = excerpt_access(request, slug, pk, WRITE)
    journal = Journal()
    try:
        services.excerpt_review(excerpt=excerpt, journal=journal)
    except ValidationError as error:
        return _refuse(request, error)
    return _after_edit(request, access, excerpt, "Excerpt kept as it now stands.", journal)


@require_POST
def excerpt_delete(request, slug, pk):
    access, excerpt = excerpt_access(request, slug, pk, WRITE)
    journal = Journal()
    services.excerpt_delete(excerpt=excerpt, actor=request.user, journal=journal)
    interview = excerpt.interview
    message = "Excerpt deleted (it waits in the study's bin)."
    html = workspace.changes_html(
        request,
        access,
        interview,
        [(excerpt.start, excerpt.end)],
        removed=[excerpt.pk],
        message=message,
        level="info",
        undo_url=remember(request, access, journal, message),
    )
    return _respond(request, interview, html, f'{{"excerptDeleted": {excerpt.pk}}}')


@require_POST
def excerpt_restore(request, slug, pk):
    """Bring an excerpt back from the bin, with its codes and memo."""
    _, excerpt = excerpt_access(request, slug, pk, WRITE, deleted=True)
    bin_url = bin_page_url(request, slug)
    if excerpt.deleted_at is None:
        return refusal(request, "That excerpt is not deleted.", status=409, fallback_url=bin_url)
    try:
        services.excerpt_restore(excerpt=excerpt)
    except Conflict as error:
        return refusal(request, str(error), status=409, fallback_url=bin_url)
    messages.success(request, "Excerpt restored with its codes and memo.")
    return redirect(bin_url)
