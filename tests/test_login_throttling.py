"""Login throttling (django-axes, config/lockout.py): wrong passwords lock an account on the
address they came from, for a cool-off time; `axes_reset` lifts the lock."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from config.lockout import client_ip


def _login(client: Client, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": "olive", "password": password}, REMOTE_ADDR=address
    )


def _five_wrong(client: Client, address: str = "10.0.0.1"):
    answers = [_login(client, f"wrong-{n}", address).status_code for n in range(5)]
    # Four ordinary refusals, then the fifth locks.
    assert answers == [200, 200, 200, 200, 429]


def test_the_right_password_after_five_wrong_ones_is_refused_with_a_page_saying_when(owner):
    client = Client()
    _five_wrong(client)

    response = _login(client, "pw-olive")

    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.text
    assert response["Retry-After"] == str(15 * 60)
    assert "_auth_user_id" not in client.session


def test_the_right_password_works_again_after_the_cool_off(owner):
    client = Client()
    _five_wrong(client)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    response = _login(client, "pw-olive")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_the_cool_off_is_a_setting(owner, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=40)
    client = Client()
    _five_wrong(client)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    response = _login(client, "pw-olive")

    assert response.status_code == 429
    assert "Try again in 40 minutes" in response.text


def test_axes_reset_lifts_the_lock(owner):
    client = Client()
    _five_wrong(client)

    call_command("axes_reset", verbosity=0)

    assert _login(client, "pw-olive").status_code == 302


def test_the_lock_holds_one_address_not_the_whole_account(owner):
    _five_wrong(Client(), address="10.0.0.66")

    assert _login(Client(), "pw-olive", address="10.0.0.2").status_code == 302


def test_a_success_clears_earlier_failures(owner):
    client = Client()
    for n in range(4):
        _login(client, f"wrong-{n}")
    assert _login(client, "pw-olive").status_code == 302
    client.logout()

    assert [_login(client, f"again-{n}").status_code for n in range(4)] == [200] * 4


def test_the_address_behind_a_proxy_is_the_one_the_proxy_saw(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )

    assert client_ip(request) == "127.0.0.1"
    settings.EXCERPTA_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"
