"""Looking up excerpts and codes through the study the user belongs to (see interviews.access)."""

from __future__ import annotations

from interviews.access import READ, Access, child_access

from .models import Code, Excerpt


def excerpt_access(
    request,
    slug: str,
    excerpt_id: int,
    action: str = READ,
    *,
    deleted: bool = False,
    text: bool = True,
) -> tuple[Access, Excerpt]:
    """An excerpt of the study `slug` with its interview, study and the user's role (one
    query); Http404 or PermissionDenied as interviews.access.child_access.

    `deleted=True` finds a deleted excerpt too (for undo). Pass text=False where the
    transcript itself is not needed, to leave it (and its turns) in the database.
    """
    rows = Excerpt.all_objects.all() if deleted else Excerpt.objects.all()
    if not text:
        rows = rows.defer("interview__text", "interview__turns")
    return child_access(
        request,
        rows,
        slug,
        excerpt_id,
        action,
        study="interview__study",
        missing="That excerpt no longer exists. Reload the page.",
    )


def code_access(request, slug: str, code_id: int, action: str = READ) -> tuple[Access, Code]:
    """A code of the study `slug` with its study and the user's role (one query)."""
    return child_access(
        request,
        Code.objects.all(),
        slug,
        code_id,
        action,
        study="study",
        missing="That code no longer exists. Reload the page.",
    )
