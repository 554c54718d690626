"""Members choose for themselves: who may create studies is a setting, and a member can leave
a study (never its last owner)."""

from __future__ import annotations

import re

from django.urls import reverse

from interviews import services as interviews
from interviews.models import Invitation, Role
from tests.conftest import client_for


def test_any_user_creates_studies_by_default(stranger):
    client = client_for(stranger)

    assert "New study" in client.get(reverse("study_list")).text
    response = client.post(reverse("study_create"), {"title": "Mine", "page_size": "letter"})

    assert response.status_code == 302
    assert stranger.memberships.get().study.title == "Mine"


def test_a_team_server_lets_only_staff_create_studies(stranger, settings):
    settings.EXCERPTA_STUDY_CREATORS = "staff"
    client = client_for(stranger)

    assert "New study" not in client.get(reverse("study_list")).text
    assert client.get(reverse("study_create")).status_code == 403
    response = client.post(reverse("study_create"), {"title": "Mine"})

    assert response.status_code == 403
    assert not stranger.memberships.exists()


def test_staff_create_studies_on_a_team_server(stranger, settings):
    settings.EXCERPTA_STUDY_CREATORS = "staff"
    stranger.is_staff = True
    stranger.save()

    response = client_for(stranger).post(
        reverse("study_create"), {"title": "Mine", "page_size": "letter"}
    )

    assert response.status_code == 302
    assert stranger.memberships.exists()


def test_a_reviewer_leaves_a_study_after_confirming(study, reviewer):
    client = client_for(reviewer)
    members = client.get(reverse("members", args=[study.slug]))
    assert reverse("member_leave", args=[study.slug]) in members.text

    confirm = client.get(reverse("member_leave", args=[study.slug]))
    assert confirm.status_code == 200
    assert "Leave “<bdi>Harm reduction</bdi>”?" in confirm.text
    assert study.memberships.filter(user=reviewer).exists()

    response = client.post(reverse("member_leave", args=[study.slug]))

    assert response.status_code == 302
    assert response.url == reverse("study_list")
    assert not study.memberships.filter(user=reviewer).exists()
    assert client.get(reverse("study_detail", args=[study.slug])).status_code == 404


def test_the_last_owner_cannot_leave(study, owner):
    client = client_for(owner)
    assert (
        reverse("member_leave", args=[study.slug])
        not in client.get(reverse("members", args=[study.slug])).text
    )

    response = client.post(reverse("member_leave", args=[study.slug]), follow=True)

    assert "A study must keep at least one owner." in response.text
    assert study.memberships.filter(user=owner, role=Role.OWNER).exists()


def test_an_owner_with_a_co_owner_can_leave(study, owner, coder):
    interviews.membership_set(study=study, username=coder.username, role=Role.OWNER)

    response = client_for(owner).post(reverse("member_leave", args=[study.slug]))

    assert response.status_code == 302
    assert not study.memberships.filter(user=owner).exists()


def _add(client, study, username, role="coder"):
    return client.post(
        reverse("members", args=[study.slug]), {"username": username, "role": role}, follow=True
    )


def _without_csrf(html: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value=|"x-csrftoken": )"[^"]*"', "", html)


def test_adding_a_member_answers_the_same_whether_or_not_the_name_exists(study, owner, stranger):
    client = client_for(owner)

    known = _add(client, study, "stan")
    unknown = _add(client, study, "stanley")

    assert known.status_code == unknown.status_code == 200
    assert _without_csrf(known.text).replace("stan", "X") == _without_csrf(unknown.text).replace(
        "stanley", "X"
    )
    assert "If “<bdi>stan</bdi>” has an account, they are invited" in known.text


def test_an_invited_user_has_no_access_until_they_accept(study, owner, stranger):
    _add(client_for(owner), study, "stan", role="reviewer")
    client = client_for(stranger)

    assert not study.memberships.filter(user=stranger).exists()
    assert client.get(reverse("study_detail", args=[study.slug])).status_code == 404
    studies = client.get(reverse("study_list"))
    assert "olive invites you to “<bdi>Harm reduction</bdi>” as reviewer" in studies.text

    invitation = Invitation.objects.get(user=stranger)
    response = client.post(reverse("invitation_accept", args=[invitation.pk]))

    assert response.status_code == 302
    assert study.memberships.get(user=stranger).role == Role.REVIEWER
    assert client.get(reverse("study_detail", args=[study.slug])).status_code == 200
    assert not Invitation.objects.exists()


def test_a_declined_invitation_gives_no_access(study, owner, stranger):
    _add(client_for(owner), study, "stan")
    client = client_for(stranger)
    invitation = Invitation.objects.get(user=stranger)

    client.post(reverse("invitation_decline", args=[invitation.pk]))

    assert not Invitation.objects.exists()
    assert not study.memberships.filter(user=stranger).exists()


def test_nobody_answers_another_users_invitation(study, owner, stranger, coder):
    _add(client_for(owner), study, "stan")
    invitation = Invitation.objects.get(user=stranger)

    response = client_for(coder).post(reverse("invitation_accept", args=[invitation.pk]))

    assert response.status_code == 404
    assert not study.memberships.filter(user=stranger).exists()
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_an_owner_still_changes_a_members_role_at_once(study, owner, coder):
    _add(client_for(owner), study, "cody", role="reviewer")

    assert study.memberships.get(user=coder).role == Role.REVIEWER
    assert not Invitation.objects.exists()


def _add_as(client, study, username, role, **headers):
    return client.post(
        reverse("members", args=[study.slug]), {"username": username, "role": role}, **headers
    )


def test_adding_a_member_always_says_so_in_the_same_words_whoever_the_name_is(
    study, owner, stranger
):
    """The owner is told every time; the words differ only by the name typed, so the
    answer never tells whether an account exists."""
    client = client_for(owner)
    htmx = {"headers": {"HX-Request": "true"}}
    known = _add_as(client, study, stranger.username, Role.CODER, **htmx).text
    unknown = _add_as(client, study, "nobody-here", Role.CODER, **htmx).text
    message = f"If “<bdi>{stranger.username}</bdi>” has an account, they are invited as Coder"
    assert message in known
    assert _without_csrf(known).replace(stranger.username, "NAME") == _without_csrf(
        unknown
    ).replace("nobody-here", "NAME")
    assert Invitation.objects.filter(study=study, user=stranger, role=Role.CODER).exists()
    # Without htmx: the same message, at the top of the members page.
    page = client.get(_add_as(client, study, "nobody-here", Role.CODER).url).text
    assert "If “<bdi>nobody-here</bdi>” has an account, they are invited as Coder" in page


def test_the_add_form_offers_the_least_power_by_default(study, owner):
    page = client_for(owner).get(reverse("members", args=[study.slug])).text
    add_form = page[page.index("Add a member") :]
    assert re.search(r'<option value="reviewer" selected>', add_form)
    assert not re.search(r'<option value="owner" selected>', add_form)


def test_the_last_owner_stepping_down_is_told_at_the_top_not_in_the_add_form(study, owner):
    client = client_for(owner)
    response = _add_as(
        client, study, owner.username, Role.REVIEWER, headers={"HX-Request": "true"}
    )
    html = response.text
    flash = html[html.index('id="flash-') :]
    assert "A study must keep at least one owner." in flash
    add_form = html[html.index("Add a member") : html.index('id="flash-')]
    assert "must keep" not in add_form
    assert f'value="{owner.username}"' not in add_form, "the Add form is left empty"
    assert study.memberships.get(user=owner).role == Role.OWNER


def test_changing_a_member_s_role_says_so(study, owner, coder):
    client = client_for(owner)
    page = client.get(_add_as(client, study, coder.username, Role.REVIEWER).url).text
    assert f"<bdi>{coder.username}</bdi> is now Reviewer in this study." in page
    assert study.memberships.get(user=coder).role == Role.REVIEWER


def test_a_member_removed_by_a_plain_form_is_said_gone_on_the_members_page(study, owner, coder):
    page = reverse("members", args=[study.slug])
    membership = study.memberships.get(user=coder)
    remove = reverse("member_remove", args=[study.slug, membership.pk])
    response = client_for(owner).post(remove, follow=True)
    assert response.redirect_chain == [(page, 302)]
    html = response.content.decode()
    assert f"<bdi>{coder.username}</bdi> is no longer a member of this study." in html
    assert not study.memberships.filter(user=coder).exists()
