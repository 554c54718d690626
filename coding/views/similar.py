"""Passages like a code's excerpts (coding.similar), and coding one of them."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from core.bidi import isolated
from core.errors import Conflict
from core.http import refusal, render_page_or_fragment
from interviews.access import READ, WRITE, interview_access

from .. import services
from ..access import code_access
from ..forms import SelectionForm
from ..similar import FittingError, similar_passages
from ..undo import Journal
from .undo import undo_owner, undo_url

logger = logging.getLogger(__name__)


@require_safe
def code_similar(request, slug, pk):
    """The page, whose list of suggestions htmx fetches after it shows: comparing every
    passage can take seconds the first time, and the page says it is working meanwhile."""
    access, code = code_access(request, slug, pk, READ)
    context = {"access": access, "code": code}
    if request.htmx:
        try:
            context["comparison"] = similar_passages(code)
        except FittingError:
            # The fitting process failed or timed out (its stderr is for the log, not the
            # page); nothing was changed, and the next request tries again.
            logger.exception("Similar passages of code %s failed", code.pk)
            context["failed"] = True
    return render_page_or_fragment(request, "coding/similar.html", "suggestions", context)


@require_POST
def code_similar_apply(request, slug, pk, code_id):
    """Code one suggested passage of the interview `pk` with the code `code_id`."""
    access, interview = interview_access(request, slug, pk, WRITE)
    code = access.study.codes.filter(pk=code_id).first()
    back = reverse("code_similar", args=[slug, code_id])
    if code is None:
        return refusal(request, "That code was deleted or merged meanwhile.", status=409)
    form = SelectionForm(request.POST)
    if not form.is_valid():
        return refusal(request, "That passage could not be read; reload the page.")
    # Kept by the service in the coding's own transaction, as coding a selection's is
    # (undo.keep_noted, labelled "Coded as “…”." as the flash below says).
    journal, held = Journal(owner=undo_owner(request, access)), services.Held()
    try:
        excerpt = services.excerpt_create(
            interview=interview,
            coder=request.user,
            **form.span(),
            codes=[code],
            journal=journal,
            held=held,
        )
    except Conflict as error:
        return refusal(request, str(error), status=409, fallback_url=back)
    except ValidationError as error:
        return refusal(request, " ".join(error.messages), fallback_url=back)
    message, level = services.coded_message([code]), "success"
    # An existing excerpt to which nothing was added (None is a new excerpt).
    already = held.added == []
    if already:
        # Coded so in another tab meanwhile: nothing was added, nothing to undo.
        message = f"“{isolated(code.name)}” was on this passage already; nothing was changed."
        level = "info"
    context = {
        "access": access,
        "code": code,
        "excerpt": excerpt,
        "undo_url": undo_url(access, journal.entry),
        # Said in the passage's place as in the flash: the words are the view's alone.
        "already": already,
        "said": message,
    }
    return render_page_or_fragment(
        request,
        "coding/similar.html",
        "coded",
        context,
        done=back,
        message=message,
        level=level,
        undo_url=context["undo_url"],
    )
