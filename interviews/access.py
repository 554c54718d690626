"""The one place that decides who may see and change a study.

Every view that touches study data starts with one of these helpers. A user who is not a
member of the study gets 404 (the study's existence is not revealed); a member whose role
does not allow the action gets 403. Child objects are always looked up inside the study, so
an id from another study is never found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404

from .models import WRITE_ROLES, Interview, Role, Study

if TYPE_CHECKING:
    from django.http import HttpRequest


READ, WRITE, OWN = "read", "write", "own"

REFUSALS = {
    WRITE: "You can read this study but not change it: your role is reviewer.",
    OWN: "Only an owner of this study can do this.",
}


@dataclass(frozen=True)
class Access:
    """A user's standing in one study, as the views and templates need it."""

    study: Study
    role: str
    user: object

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    def require(self, action: str) -> None:
        if action == WRITE and not self.can_write:
            raise PermissionDenied(REFUSALS[WRITE])
        if action == OWN and not self.is_owner:
            raise PermissionDenied(REFUSALS[OWN])


def study_access(request: HttpRequest, slug: str, action: str = READ) -> Access:
    """The study `slug` as seen by the requesting user, in one query; 404 or 403 otherwise."""
    study = (
        Study.objects.filter(slug=slug, memberships__user=request.user)
        .annotate(member_role=F("memberships__role"))
        .first()
    )
    if study is None:
        raise Http404("No such study, or you are not a member of it.")
    access = Access(study=study, role=study.member_role, user=request.user)
    access.require(action)
    return access


def interview_access(
    request: HttpRequest, slug: str, interview_id: int, action: str = READ, *, text: bool = True
) -> tuple[Access, Interview]:
    """One interview of the study `slug`, with the study and the user's role, in one query.

    Pass text=False where the transcript itself is not needed, to leave it in the database.
    """
    queryset = Interview.objects.select_related("study", "respondent").filter(
        pk=interview_id, study__slug=slug, study__memberships__user=request.user
    )
    if not text:
        queryset = queryset.defer("text")
    interview = queryset.annotate(member_role=F("study__memberships__role")).first()
    if interview is None:
        raise Http404("No such interview in this study, or you are not a member of it.")
    access = Access(study=interview.study, role=interview.member_role, user=request.user)
    access.require(action)
    return access, interview
