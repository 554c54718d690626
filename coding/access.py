"""Looking up excerpts and codes through the study the user belongs to (see interviews.access)."""

from __future__ import annotations

from django.db.models import F
from django.http import Http404

from interviews.access import READ, Access, study_access

from .models import Code, Excerpt


def excerpt_access(
    request, slug: str, excerpt_id: int, action: str = READ, *, deleted: bool = False
) -> tuple[Access, Excerpt]:
    """An excerpt of the study `slug` with its interview and study, in one query.

    `deleted=True` finds a deleted excerpt too (for undo).
    """
    manager = Excerpt.all_objects if deleted else Excerpt.objects
    excerpt = (
        manager.select_related("interview__study", "interview__respondent")
        .filter(
            pk=excerpt_id,
            interview__study__slug=slug,
            interview__study__memberships__user=request.user,
        )
        .annotate(member_role=F("interview__study__memberships__role"))
        .first()
    )
    if excerpt is None:
        raise Http404("That excerpt no longer exists. Reload the page.")
    access = Access(study=excerpt.interview.study, role=excerpt.member_role, user=request.user)
    access.require(action)
    return access, excerpt


def code_access(request, slug: str, code_id: int, action: str = READ) -> tuple[Access, Code]:
    access = study_access(request, slug, action)
    code = access.study.codes.filter(pk=code_id).first()
    if code is None:
        raise Http404("That code no longer exists. Reload the page.")
    return access, code
