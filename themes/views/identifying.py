"""Keeping a typed field that holds a listed string as it is, and undoing that, from the
de-identification page's "In what was typed" (themes.identifying; the page is
interviews.views.deidentify.deidentify_preview)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from coding.views.undo import undo_url, undoable
from core.bidi import isolated
from core.errors import Conflict
from core.http import message_for_next_page, refusal
from interviews.access import WRITE, child_access, study_access
from interviews.models import TypedKeep

from .. import services
from ..forms import TypedKeepForm

_UNREAD = "That Keep could not be read; nothing was kept. Reload the page."
_UNDONE_ALREADY = "That field is not kept (its Keep was undone already); nothing was changed."


def _typed_section(slug: str) -> str:
    return reverse("deidentify_preview", args=[slug]) + "#typed"


@require_POST
def typed_keep(request, slug):
    """A member who writes keeps a typed field as it is (services.typed_field_keep): 409
    with nothing kept when it changed since the page showed it."""
    access = study_access(request, slug, WRITE)
    form = TypedKeepForm(request.POST)
    if not form.is_valid():
        return refusal(request, _UNREAD, status=400, typed=False)
    try:
        # Its Undo in the message and Ctrl+Z alike, as every other action's.
        with undoable(request, access) as journal:
            kept = services.typed_field_keep(
                study=access.study,
                field=form.typed_field(),
                digest=form.cleaned_data["digest"],
                journal=journal,
            )
            words = ", ".join(f"“{isolated(words)}”" for words in kept.words)
            journal.label = (
                f"Kept: {kept.where} holds {words}, no name to change; downloads are no "
                "longer refused for it while its text stays as it is."
            )
    except Conflict as conflict:
        return refusal(request, str(conflict), status=409, typed=False)
    message_for_next_page(request, journal.label, undo_url=undo_url(access, journal.entry))
    return redirect(_typed_section(slug))


@require_POST
def typed_keep_undo(request, slug, pk):
    """Undo a Keep: the field is asked about again (services.typed_keep_undo)."""
    access, keep = child_access(
        request, TypedKeep.objects.all(), slug, pk, WRITE, study="study", missing=_UNDONE_ALREADY
    )
    services.typed_keep_undo(keep=keep)
    messages.success(request, "Undone: the field is listed again, and refuses the downloads.")
    return redirect(_typed_section(access.study.slug))
