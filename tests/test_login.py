"""Staying logged in, and being logged out, through the session store and login backend
that read their rows in SQL (config/sessions.py, config/backends.py)."""

from __future__ import annotations

from datetime import timedelta

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


def test_a_login_keeps_the_user_logged_in_on_the_next_pages(study, owner):
    client = _logged_in(study, owner)

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
