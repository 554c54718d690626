"""Undo of the themes pages' quick actions, in the coding app's history of actions
(coding.undo): the services note their steps in its Journal, the views keep them with
coding.views.undo.remember, and the reversals below are registered there by kind
(themes.apps), so that the Undo button in a message and Ctrl+Z work as on the coding page.

Each reversal puts back exactly what its step took away, or raises coding.undo.Stale,
changing nothing, when that can no longer be done (the theme, the code or the excerpt gone
since, or the same thing done again meanwhile).
"""

from __future__ import annotations

from coding.undo import Stale, register
from core.errors import Conflict

from .services import theme_restore


def _undo_theme_delete(step: dict, study) -> None:
    """Restore the theme from the bin, with everything its removal took (theme_restore)."""
    try:
        theme_restore(study=study, theme_id=step["id"])
    except Conflict as error:
        raise Stale(str(error)) from None


def connect() -> None:
    """Register the reversals with coding's undo (called from themes' ready())."""
    register("theme_delete", _undo_theme_delete)
