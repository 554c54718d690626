"""Password pages: every one renders, a user changes their own password, and the reset form
answers the same whatever address it is given (it must not tell who has an account)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for

ANONYMOUS_PAGES = ["login", "password_reset", "password_reset_done", "password_reset_complete"]
LOGGED_IN_PAGES = ["password_change", "password_change_done"]


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_every_password_page_for_strangers_answers(db, name):
    response = Client().get(reverse(name))

    assert response.status_code == 200
    assert "<html" in response.text


@pytest.mark.parametrize("name", ANONYMOUS_PAGES + LOGGED_IN_PAGES)
def test_every_password_page_answers_a_logged_in_user(owner, name):
    response = client_for(owner).get(reverse(name))

    assert response.status_code == 200
    assert "Change password" in response.text


@pytest.mark.parametrize("name", LOGGED_IN_PAGES)
def test_changing_a_password_asks_for_the_login_first(db, name):
    response = Client().get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_reset_link_that_does_not_work_says_so(db):
    url = reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "set-password"})

    response = Client().get(url)

    assert response.status_code == 200
    assert "This link no longer works" in response.text


def test_the_top_bar_links_to_the_password_change(owner):
    response = client_for(owner).get(reverse("study_list"))

    assert reverse("password_change") in response.text


def test_a_user_changes_their_own_password(owner):
    client = client_for(owner)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-olive",
            "new_password1": "correct horse battery",
            "new_password2": "correct horse battery",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    owner.refresh_from_db()
    assert owner.check_password("correct horse battery")
    # Still logged in on this browser (Django updates the session's hash).
    assert client.get(reverse("study_list")).status_code == 200


def test_a_weak_new_password_is_refused_with_the_reason(owner):
    response = client_for(owner).post(
        reverse("password_change"),
        {"old_password": "pw-olive", "new_password1": "12345", "new_password2": "12345"},
    )

    assert response.status_code == 200
    assert "too short" in response.text
    owner.refresh_from_db()
    assert owner.check_password("pw-olive")


def _without_csrf(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'"x-csrftoken": "[^"]*"', "", html)


def _ask_reset(address: str):
    client = Client()
    form = client.get(reverse("password_reset"))
    answer = client.post(reverse("password_reset"), {"email": address})
    done = client.get(answer.url)
    return form, answer, done


def test_a_reset_answers_the_same_for_a_known_and_an_unknown_address(owner):
    owner.email = "olive@example.org"
    owner.save()

    known = _ask_reset("olive@example.org")
    assert len(mail.outbox) == 1
    unknown = _ask_reset("nobody@example.org")
    assert len(mail.outbox) == 1

    for for_known, for_unknown in zip(known, unknown, strict=True):
        assert for_known.status_code == for_unknown.status_code
        assert for_known.get("Location") == for_unknown.get("Location")
        assert _without_csrf(for_known.text) == _without_csrf(for_unknown.text)
    assert known[1].status_code == 302


def test_the_reset_mail_carries_a_link_that_sets_the_password(owner):
    owner.email = "olive@example.org"
    owner.save()
    _ask_reset("olive@example.org")

    (message,) = mail.outbox
    assert message.to == ["olive@example.org"]
    assert "olive" in message.body
    link = re.search(r"http://testserver(/\S+)", message.body).group(1)
    client = Client()
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.text
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "correct horse battery", "new_password2": "correct horse battery"},
    )

    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    owner.refresh_from_db()
    assert owner.check_password("correct horse battery")


def test_mail_goes_through_the_configured_backend_printed_by_default():
    from config import settings as configured

    assert configured.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
