"""`manage.py adduser`: how the owner of a deployment makes accounts for colleagues."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

GOOD = "maple-harbour-tide-42"


def _typed(monkeypatch, *answers):
    """Feed the password prompts `answers` in turn, as a person would type them."""
    prompts = []
    answers = iter(answers)

    def fake_getpass(prompt=""):
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("interviews.management.commands.adduser.getpass.getpass", fake_getpass)
    return prompts


def _logs_in(username, password):
    """Whether the login page lets `username` in with `password`."""
    response = Client().post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def _run(*args):
    out, err = StringIO(), StringIO()
    call_command("adduser", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_creates_an_account_that_can_log_in(monkeypatch):
    prompts = _typed(monkeypatch, GOOD, GOOD)
    out, _ = _run("amira", "--email", "amira@example.org")
    assert prompts == ["Password: ", "Password (again): "]
    assert "Created the account “amira”" in out
    user = User.objects.get(username="amira")
    assert user.email == "amira@example.org"
    assert not user.is_staff
    assert not user.is_superuser
    assert _logs_in("amira", GOOD)


def test_it_asks_again_when_the_passwords_differ_or_are_refused_by_the_validators(monkeypatch):
    _typed(monkeypatch, GOOD, "typo", "password", "password", GOOD, GOOD)
    _, err = _run("amira")
    assert "The two passwords differ" in err
    assert "too common" in err
    assert _logs_in("amira", GOOD)


def test_it_creates_nothing_after_three_refused_passwords(monkeypatch):
    _typed(monkeypatch, *["123"] * 6)
    with pytest.raises(CommandError, match="No account was created"):
        _run("amira")
    assert not User.objects.filter(username="amira").exists()


def test_it_refuses_a_name_taken_whatever_the_case(monkeypatch):
    User.objects.create_user("Amira", password=GOOD)
    _typed(monkeypatch, GOOD, GOOD)
    with pytest.raises(CommandError, match="already an account called “Amira”"):
        _run("AMIRA")
    assert User.objects.count() == 1


def test_it_refuses_a_username_django_would_not_accept(monkeypatch):
    _typed(monkeypatch, GOOD, GOOD)
    with pytest.raises(CommandError, match="Enter a valid username"):
        _run("amira smith!")
    assert not User.objects.exists()
