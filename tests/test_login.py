"""Staying logged in, and being logged out, through Django's own database sessions and
ModelBackend (behind django-axes' backend, which only refuses locked logins)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone


def _logged_in(study, user) -> Client:
    client = Client()
    response = client.post(
        reverse("login"), {"username": user.username, "password": "pw-" + user.username}
    )
    assert response.status_code == 302
    return client


def _studies_page(client):
    return client.get(reverse("study_list"))


def test_sessions_and_users_are_read_by_djangos_own_parts():
    # Hand-made replacements saved a fraction of a millisecond a request (issue 9); a
    # database session also ends for every worker at logout, which a per-process cache
    # of sessions would not.
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]


def test_a_login_keeps_the_user_logged_in_on_the_next_pages(
    study, owner, django_assert_num_queries
):
    client = _logged_in(study, owner)

    # the session (Django's SessionStore), the user (ModelBackend.get_user), the user's
    # memberships with their studies, their studies' counts (interviews.counts.study_counts,
    # one query for all), the invitations
    with django_assert_num_queries(5):
        response = _studies_page(client)

    assert response.status_code == 200
    assert response.wsgi_request.user == owner
    assert study.title in response.text


def test_an_expired_session_asks_for_the_login_again(study, owner):
    client = _logged_in(study, owner)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = _studies_page(client)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_session_deleted_on_the_server_logs_its_browser_out(study, owner):
    client = _logged_in(study, owner)
    Session.objects.all().delete()

    assert _studies_page(client).url.startswith(reverse("login"))


def test_a_deactivated_user_is_logged_out_at_their_next_request(study, owner):
    client = _logged_in(study, owner)
    owner.is_active = False
    owner.save()

    assert _studies_page(client).url.startswith(reverse("login"))


def test_a_deleted_user_is_logged_out_at_their_next_request(study, coder):
    client = _logged_in(study, coder)
    coder.delete()

    assert _studies_page(client).url.startswith(reverse("login"))


def test_changing_the_password_elsewhere_logs_this_browser_out(study, owner):
    client = _logged_in(study, owner)
    owner.set_password("a-new-long-password")
    owner.save()

    assert _studies_page(client).url.startswith(reverse("login"))


def test_a_forged_session_cookie_is_a_stranger(study, owner):
    client = Client()
    client.cookies["sessionid"] = "not-a-session-key-that-exists"

    response = _studies_page(client)

    assert response.url.startswith(reverse("login"))
    assert not Session.objects.filter(session_key="not-a-session-key-that-exists").exists()
