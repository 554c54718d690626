"""Looking up themes, quotes and comments through the study the user belongs to (see
interviews.access.child_access: one query each, Http404 or PermissionDenied)."""

from __future__ import annotations

from interviews.access import READ, Access, child_access

from .models import Comment, Quote, Theme


def theme_access(request, slug: str, theme_id: int, action: str = READ) -> tuple[Access, Theme]:
    return child_access(
        request,
        Theme.objects.all(),
        slug,
        theme_id,
        action,
        study="study",
        missing="That theme no longer exists. Reload the page.",
    )


def quote_access(request, slug: str, quote_id: int, action: str = READ) -> tuple[Access, Quote]:
    """A chosen quote with its theme (and the theme's study) and its excerpt."""
    return child_access(
        request,
        # Its excerpt's words name it in what a move says (views.theme.quote_move).
        Quote.objects.select_related("excerpt"),
        slug,
        quote_id,
        action,
        study="theme__study",
        missing="That quote is no longer chosen. Reload the page.",
    )


def comment_access(
    request, slug: str, comment_id: int, action: str = READ
) -> tuple[Access, Comment]:
    """A review comment with its theme (and the theme's study)."""
    return child_access(
        request,
        Comment.objects.all(),
        slug,
        comment_id,
        action,
        study="theme__study",
        missing="That comment no longer exists. Reload the page.",
    )
