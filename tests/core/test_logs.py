"""The log keeps one line for a refusal (403, 404) and the whole traceback for a 500."""

from __future__ import annotations

import io
import logging
from contextlib import contextmanager

import pytest
from django.urls import reverse

from tests.conftest import client_for


@contextmanager
def logged():
    """What the configured stdout handler (settings.LOGGING) writes meanwhile."""
    # settings.LOGGING's "stdout" handler (pytest adds its own capturing handlers beside it).
    (handler,) = [
        h for h in logging.getLogger("django").handlers if type(h) is logging.StreamHandler
    ]
    out = io.StringIO()
    previous = handler.setStream(out)
    try:
        yield out
    finally:
        handler.setStream(previous)


@pytest.mark.django_db
def test_a_refused_request_is_one_line_in_the_log(study, reviewer):
    with logged() as out:
        response = client_for(reviewer).post(
            reverse("members", args=[study.slug]), {"username": "x", "role": "coder"}
        )
    assert response.status_code == 403
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "Forbidden" in lines[0]
    assert "Traceback" not in out.getvalue()


def test_a_fault_of_the_app_keeps_its_traceback():
    with logged() as out:
        try:
            raise RuntimeError("a real fault")
        except RuntimeError:
            logging.getLogger("django.request").error(
                "Internal Server Error: /x/", exc_info=True, extra={"status_code": 500}
            )
    assert "Traceback" in out.getvalue()
    assert "RuntimeError: a real fault" in out.getvalue()
