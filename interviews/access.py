"""The one place that decides who may see and change a study.

Every view that touches study data starts with one of these helpers. A user who is not a
member of the study gets 404 (the study's existence is not revealed); a member whose role
does not allow the action gets 403. Child objects are always looked up inside the study, so
an id from another study is never found.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import F, Model, QuerySet
from django.http import Http404

from .models import WRITE_ROLES, Interview, Membership, Role, Study, same_day_before_annotated

if TYPE_CHECKING:
    from django.http import HttpRequest

M = TypeVar("M", bound=Model)


READ, WRITE, OWN = "read", "write", "own"

REFUSALS = {
    WRITE: "You can read this study but not change it: your role is reviewer.",
    OWN: "Only an owner of this study can do this.",
}


NOT_A_MEMBER = "No such study, or you are not a member of it."
CREATE_REFUSAL = "On this server only staff can create studies; ask the person who runs it."


def can_create_studies(user) -> bool:
    """Whether `user` may create a study: anyone logged in, or only staff when the server
    sets EXCERPTA_STUDY_CREATORS=staff."""
    from django.conf import settings

    return settings.EXCERPTA_STUDY_CREATORS == "any" or bool(user.is_staff)


@dataclass(frozen=True)
class Access:
    """A user's standing in one study, as the views and templates need it."""

    study: Study
    role: str
    user: object

    @property
    def role_label(self) -> str:
        """ "Owner": the role as people read it, not as it is stored."""
        return Role(self.role).label

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
    """The study `slug` as seen by the requesting user, in one query (the user's membership
    with its study); Http404 when there is no such study or the user is not a member of it,
    PermissionDenied (403) when the role does not allow `action`."""
    try:
        membership = Membership.objects.select_related("study").get(
            study__slug=slug, user_id=request.user.pk
        )
    except Membership.DoesNotExist:
        raise Http404(NOT_A_MEMBER) from None
    access = Access(study=membership.study, role=membership.role, user=request.user)
    access.require(action)
    return access


def study_of_request(request: HttpRequest) -> Access | None:
    """The user's Access to the study whose slug the request's URL holds, for reading; None
    when the URL names no study or the user is not a member of it (one query, or none)."""
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("slug") if match else None
    if not slug or not request.user.is_authenticated:
        return None
    try:
        return study_access(request, slug, READ)
    except Http404:
        return None


def child_access(
    request: HttpRequest,
    rows: QuerySet[M],
    slug: str,
    pk: int,
    action: str = READ,
    *,
    study: str,
    missing: str,
) -> tuple[Access, M]:
    """The row `pk` of `rows` if it belongs to the study `slug` and the user is a member of
    it, with the study and the user's role, in one query.

    `study` is the path from the row to its study ("study", "interview__study"): everything
    on that path is loaded with the row (select_related). Raises Http404 (NOT_A_MEMBER)
    when the user is not a member of the study `slug`, PermissionDenied (403) when the
    role does not allow `action`, and Http404 with `missing` when the row is not in that
    study (deleted since, or another study's: which of the two is not told).
    """
    member = {f"{study}__slug": slug, f"{study}__memberships__user": request.user.pk}
    try:
        # Filtered first: the annotation then reads the role from the membership row the
        # filter joined (the user's, one at most), not from a second join of every member.
        found = (
            rows.select_related(study)
            .filter(pk=pk, **member)
            .annotate(member_role=F(f"{study}__memberships__role"))
            .get()
        )
    except rows.model.DoesNotExist:
        # Not found for the user: say why in their terms. Not a member of the study, or a
        # reviewer asking to write, is refused as study_access refuses it (one query more,
        # on this path only); `missing` only for a member whose row is truly gone.
        study_access(request, slug, action)
        raise Http404(missing) from None
    owner_study = attrgetter(study.replace("__", "."))(found)
    access = Access(study=owner_study, role=found.member_role, user=request.user)
    access.require(action)
    return access, found


def row_of(rows: QuerySet[M], pk: int, *, missing: str) -> M:
    """The row `pk` of `rows` (a model instance), rows the user may see: a study's own
    (access.study.questions, .respondents...) once study_access found her a member, her own
    invitations. Raises Http404 with `missing` ("That question no longer exists. Reload
    the page.") when there is none: the row was deleted since the page showed it (another
    tab, another member). get_object_or_404's message is Django's, which the 404 page
    words for a stranger ("Not found, or you are not a member of the study")."""
    try:
        return rows.get(pk=pk)
    except rows.model.DoesNotExist:
        raise Http404(missing) from None


def interview_access(
    request: HttpRequest,
    slug: str,
    interview_id: int,
    action: str = READ,
    *,
    text: bool = True,
    named: bool = True,
) -> tuple[Access, Interview]:
    """One interview of the study `slug`, with its study and the user's role (one query).

    Pass text=False where the transcript itself is not needed, to leave it (and its speaker
    turns) in the database. The respondent is loaded on first use. Its display_name is the
    one the lists give it ("Interview imported 30 Nov 2026 (2)", see interviews_named), read
    in the same query (same_day_before_annotated: for one row, a subquery costs less than
    a second query): its own pages name it as the lists do. Pass named=False where the
    answer names no interview, to leave out that count (a correlated subquery).
    """
    rows = Interview.objects.all() if text else Interview.objects.defer("text", "turns")
    if named:
        rows = same_day_before_annotated(rows)
    return child_access(
        request,
        rows,
        slug,
        interview_id,
        action,
        study="study",
        missing="No such interview in this study, or you are not a member of it.",
    )
