"""The list of a user's studies, a study's overview, its settings and its members."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from core.bidi import isolated
from core.errors import Conflict
from core.http import posted, refusal, render_page_or_fragment, with_message
from core.stale import seen_again

from .. import services
from ..access import CREATE_REFUSAL, OWN, READ, can_create_studies, row_of, study_access
from ..counts import study_counts
from ..forms import MemberForm, StudyForm, StudySettingsForm
from ..models import Invitation, Membership, Role


@require_safe
def study_list(request):
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("study")
        .order_by("study__title")
    )
    counted = study_counts(membership.study_id for membership in memberships)
    for membership in memberships:
        membership.counts = counted[membership.study_id]
    return render(
        request,
        "interviews/study_list.html",
        {
            "memberships": memberships,
            "can_create": can_create_studies(request.user),
            "invitations": Invitation.objects.filter(user=request.user).select_related(
                "study", "invited_by"
            ),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def study_create(request):
    if not can_create_studies(request.user):
        raise PermissionDenied(CREATE_REFUSAL)
    form = StudyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            study = services.study_create(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Study “{isolated(study.title)}” created. Add its protocol next."
            )
            return redirect("protocol", study.slug)
    return render(request, "interviews/study_create.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def study_settings(request, slug):
    access = study_access(request, slug, OWN if request.method == "POST" else "read")
    study = access.study
    form = StudySettingsForm(
        posted(request),
        initial={
            "title": study.title,
            "research_question": study.research_question,
            "description": study.description,
            "page_size": study.page_size,
            "withdrawal_days": study.withdrawal_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.study_update(study=study, **form.cleaned_data)
        except Conflict as error:
            # Saved in another tab: what it saved is shown over the typed text kept in the
            # boxes, the form's token now its: saving again replaces it.
            form.add_error("seen", str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Study details saved.")
            return redirect("study_settings", study.slug)
    context = {
        "access": access,
        "form": form,
        "seen": seen_again(form, study.typed),
        "meanwhile": _saved_meanwhile(form, study) if form.has_error("seen") else [],
    }
    return render(request, "interviews/study_settings.html", context)


def _saved_meanwhile(form, study) -> list[tuple[str, str]]:
    """(label, text as saved) of each detail that another tab saved otherwise than typed
    here, for the refusal of a stale save to show."""
    return [
        (form.fields[name].label or name.replace("_", " ").capitalize(), getattr(study, name))
        for name in study.TYPED
        if getattr(study, name) != form.cleaned_data.get(name)
    ]


@require_http_methods(["GET", "HEAD", "POST"])
def members(request, slug):
    """The study's members; POST (owners): add a member or change a member's role. Every
    add says so at the top of the page, in the same words whether or not the name has an
    account; a refused role change (the last owner stepping down) too, with the Add form
    left empty."""
    access = study_access(request, slug, OWN if request.method == "POST" else "read")
    form = MemberForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(study=access.study, invited_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            return _members_answer(request, access, " ".join(error.messages), "error")
        return _members_answer(request, access, _added(access.study, **form.cleaned_data))
    return _members_page(request, access, form)


def _added(study, *, username: str, role: str) -> str:
    """What an owner is told after adding `username` as `role`."""
    username = username.strip()
    label = Role(role).label
    member = study.memberships.filter(user__username__iexact=username).first()
    if member is not None:
        # Members are listed on the page already: naming them reveals nothing.
        return f"{isolated(member.user.username)} is now {label} in this study."
    # The same words whether or not the name has an account (no account enumeration).
    return (
        f"If “{isolated(username)}” has an account, they are invited as {label}: they join "
        "the study when they accept it on their list of studies."
    )


def _members_answer(request, access, message: str, level: str = "success"):
    """The members page with `message` at the top: a redirect with it as a flash for a plain
    form, the refreshed section with the flash swapped in for htmx."""
    if not request.htmx:
        response = redirect("members", access.study.slug)
    else:
        response = _members_page(request, access, MemberForm())
    return with_message(request, response, message, level=level)


@require_POST
def invitation_answer(request, pk, answer):
    """Accept or decline one of the user's own invitations (another's is not found)."""
    invitation = row_of(
        Invitation.objects.select_related("study").filter(user=request.user),
        pk,
        missing="That invitation is no longer open: it was answered, or withdrawn.",
    )
    if answer == "accept":
        services.invitation_accept(invitation=invitation)
        messages.success(request, f"You joined the study “{isolated(invitation.study.title)}”.")
    else:
        services.invitation_decline(invitation=invitation)
        messages.info(
            request, f"You declined the invitation to “{isolated(invitation.study.title)}”."
        )
    return redirect("study_list")


@require_POST
def member_remove(request, slug, pk):
    access = study_access(request, slug, OWN)
    membership = row_of(
        access.study.memberships,
        pk,
        missing="That member is no longer in the study. Reload the page.",
    )
    try:
        services.membership_remove(membership=membership)
    except ValidationError as error:
        return refusal(
            request, " ".join(error.messages), fallback_url=reverse("members", args=[slug])
        )
    if membership.user_id == request.user.pk:
        return (
            HttpResponseClientRedirect(reverse("study_list"))
            if request.htmx
            else redirect("study_list")
        )
    name = membership.user.username
    return _members_answer(
        request, access, f"{isolated(name)} is no longer a member of this study."
    )


@require_http_methods(["GET", "HEAD", "POST"])
def member_leave(request, slug):
    """GET asks to confirm; POST takes the user out of the study (never its last owner)."""
    access = study_access(request, slug, READ)
    if request.method == "POST":
        membership = access.study.memberships.get(user=request.user)
        try:
            services.membership_remove(membership=membership)
        except ValidationError as error:
            return refusal(
                request, " ".join(error.messages), fallback_url=reverse("members", args=[slug])
            )
        messages.success(request, f"You left the study “{isolated(access.study.title)}”.")
        return redirect("study_list")
    return render(request, "interviews/member_leave.html", {"access": access})


def _members_page(request, access, form):
    memberships = list(access.study.memberships.select_related("user"))
    owners = sum(membership.role == Role.OWNER for membership in memberships)
    context = {
        "access": access,
        "form": form,
        "memberships": memberships,
        # The last owner cannot leave: a study must keep one.
        "can_leave": access.role != Role.OWNER or owners > 1,
        "roles": Role.choices,
    }
    return render_page_or_fragment(request, "interviews/members.html", "member-section", context)
