"""Undo of the themes pages' quick actions, in the coding app's history of actions
(coding.undo): the services note their steps in its Journal, the views keep them with
coding.views.undo.remember, and the reversals below are registered there by kind
(themes.apps), so that the Undo button in a message and Ctrl+Z work as on the coding page.

Each reversal puts back exactly what its step took away, or raises coding.undo.Stale,
changing nothing, when that can no longer be done or would no longer hold: the theme, the
code or the excerpt gone since, the excerpt no longer under the theme (a quote put back
there would only be left out of the findings), or the same thing done again meanwhile.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F

from coding.models import Code, Excerpt, ExcerptStatus
from coding.services import codes_hold
from coding.undo import Stale, register
from core.errors import Conflict
from interviews.locks import hold

from .models import Quote, Theme
from .rollup import study_rollup
from .services import theme_restore


def _theme(step_theme: int, study) -> Theme:
    theme = Theme.objects.filter(pk=step_theme, study=study).first()
    if theme is None:
        raise Stale("the theme has since been removed.")
    return theme


def _undo_theme_delete(step: dict, study) -> None:
    """Restore the theme from the bin, with everything its removal took (theme_restore)."""
    try:
        theme_restore(study=study, theme_id=step["id"])
    except Conflict as error:
        raise Stale(str(error)) from None


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


def connect() -> None:
    """Register the reversals with coding's undo (called from themes' ready())."""
    register("theme_delete", _undo_theme_delete)
    register("theme_code_detach", _undo_theme_code_detach)
    register("quote_remove", _undo_quote_remove)
