"""Code from a search: preview the passages around the hits, code the ticked ones."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from core.bidi import isolated
from core.errors import Conflict
from core.http import refusal, with_message
from interviews.access import WRITE, study_access

from ..autocode import TooMany, autocode_preview, excerpts_autocode
from ..forms import AutocodeApplyForm, AutocodeForm
from .undo import undo_url, undoable


def _preview(request, access, *, template="coding/autocode.html", apply_form=None, **extra):
    form = AutocodeForm(request.GET if "q" in request.GET else None)
    passages, too_many = None, ""
    if form.is_valid():
        try:
            passages = autocode_preview(
                study=access.study,
                query=form.cleaned_data["query"],
                unit=form.cleaned_data["unit"],
            )
        except TooMany as error:
            too_many = str(error)
    context = {
        "access": access,
        "study": access.study,
        "form": form,
        "passages": passages,
        "too_many": too_many,
        "apply_form": apply_form or AutocodeApplyForm(study=access.study),
        **extra,
    }
    return render(request, template, context)


@require_safe
def autocode(request, slug):
    """The preview: ?q= and ?unit= (hit, sentence, paragraph, turn)."""
    return _preview(request, study_access(request, slug, WRITE))


@require_POST
def autocode_apply(request, slug):
    """Code the ticked passages (the preview's query stays in the URL); htmx gets the
    preview again with a message and its Undo button."""
    access = study_access(request, slug, WRITE)
    form = AutocodeApplyForm(request.POST, study=access.study)
    back = reverse("autocode", args=[slug]) + (f"?{urlencode(request.GET)}" if request.GET else "")
    if not form.is_valid():
        return refusal(request, _first(form), fallback_url=back)
    try:
        with undoable(request, access) as journal:
            code, made, added = excerpts_autocode(
                study=access.study,
                picks=form.cleaned_data["pick"],
                code=form.cleaned_data["code"],
                new_code=form.cleaned_data["new_code"],
                coder=request.user,
                journal=journal,
            )
            message = journal.label = _coded(code.name, made, added)
    except Conflict as error:
        return refusal(request, str(error), status=409, fallback_url=back)
    except ValidationError as error:
        return refusal(request, " ".join(error.messages), fallback_url=back)
    if not request.htmx:
        response = redirect(back)
    else:
        response = _preview(request, access, template="coding/autocode.html#preview")
    return with_message(request, response, message, undo_url=undo_url(access, journal.entry))


def _first(form) -> str:
    """The form's first error, for a refusal."""
    return next(error for errors in form.errors.values() for error in errors)


def _coded(name: str, made: int, added: int) -> str:
    parts = []
    if made:
        parts.append(ngettext("%d new excerpt", "%d new excerpts", made) % made)
    if added:
        parts.append(ngettext("%d existing excerpt", "%d existing excerpts", added) % added)
    return (
        f"Coded “{isolated(name)}”: "
        + (" and ".join(parts) or "every passage had it already")
        + "."
    )
