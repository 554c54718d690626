"""Login throttling with django-axes: the client's address and the lock-out page.

Failed logins are counted per account *and* address (AXES_LOCKOUT_PARAMETERS in settings);
after EXCERPTA_LOGIN_FAILURE_LIMIT failures the pair is locked for the cool-off time.
`manage.py axes_reset` (or `axes_reset_username NAME`) lifts every lock at once.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def client_ip(request: HttpRequest) -> str:
    """The address a login came from: REMOTE_ADDR, or behind EXCERPTA_PROXY_COUNT trusted
    proxies (each appending to X-Forwarded-For) the entry the outermost proxy saw.

    Never the first entry of X-Forwarded-For: the client writes that one itself.
    """
    proxies = settings.EXCERPTA_PROXY_COUNT
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The 429 page of a locked account and address: says when to try again (the end of the
    cool-off counted from now, an upper bound) and who can lift the lock sooner."""
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "minutes": int(cool_off.total_seconds() // 60),
        "retry_at": timezone.localtime(timezone.now() + cool_off),
    }
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
