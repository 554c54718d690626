"""Looking up themes, quotes and comments through the study the user belongs to."""

from __future__ import annotations

from django.http import Http404

from interviews.access import READ, Access, study_access

from .models import Comment, Quote, Theme


def theme_access(request, slug: str, theme_id: int, action: str = READ) -> tuple[Access, Theme]:
    access = study_access(request, slug, action)
    theme = access.study.themes.filter(pk=theme_id).first()
    if theme is None:
        raise Http404("That theme no longer exists. Reload the page.")
    return access, theme


def quote_access(request, slug: str, quote_id: int, action: str = READ) -> tuple[Access, Quote]:
    access = study_access(request, slug, action)
    quote = (
        Quote.objects.select_related("theme")
        .filter(pk=quote_id, theme__study=access.study)
        .first()
    )
    if quote is None:
        raise Http404("That quote is no longer chosen. Reload the page.")
    return access, quote


def comment_access(
    request, slug: str, comment_id: int, action: str = READ
) -> tuple[Access, Comment]:
    access = study_access(request, slug, action)
    comment = (
        Comment.objects.select_related("theme")
        .filter(pk=comment_id, theme__study=access.study)
        .first()
    )
    if comment is None:
        raise Http404("That comment no longer exists. Reload the page.")
    return access, comment
