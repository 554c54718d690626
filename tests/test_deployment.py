"""Running Excerpta for a team: the health check, `check --deploy` with the production
variables, and gunicorn with several workers serving pages and static files."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from tests.conftest import run_manage

STRONG_KEY = "q8Vn3-XkP0z_Lr7tWm2YcB5hJd9sFa4GeR1uNo6iTpKx0Lw3Vb-test"
PRODUCTION = {
    "EXCERPTA_SECRET_KEY": STRONG_KEY,
    "EXCERPTA_SECURE": "1",
    "EXCERPTA_DEBUG": "0",
    "EXCERPTA_ALLOWED_HOSTS": "excerpta.example.org",
    "EXCERPTA_CSRF_TRUSTED_ORIGINS": "https://excerpta.example.org",
    # Never connected: `check --deploy` does not open the database.
    "DATABASE_URL": "postgres://excerpta@127.0.0.1:9/excerpta",
}


def clean_environment(**variables: str) -> dict:
    """The process's environment without the app's and Django's variables (the test run
    sets some, e.g. DJANGO_ALLOW_ASYNC_UNSAFE for Playwright), plus `variables`."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("EXCERPTA_", "DJANGO_")) and name != "DATABASE_URL"
    }
    return {**kept, **variables}


def test_the_health_check_answers_ok_without_a_login_in_one_query(db, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1
        response = Client().get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert Client().head(reverse("healthz")).status_code == 200


def test_the_health_check_answers_503_when_the_database_does_not(db, monkeypatch):
    def broken():
        raise OperationalError("connection refused")

    # Undone before the test's own teardown, which needs the database.
    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken)
        response = Client().get(reverse("healthz"))

    assert response.status_code == 503
    assert b"connection refused" not in response.content


def test_check_deploy_is_clean_with_the_production_variables():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=clean_environment(**PRODUCTION)
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_logging_goes_to_stdout():
    handler = settings.LOGGING["handlers"]["stdout"]

    assert handler["stream"] == "ext://sys.stdout"
    assert settings.LOGGING["root"]["handlers"] == ["stdout"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _database_url(tmp_path: Path) -> str:
    """The test database as a URL another process can open. SQLite's test database lives in
    memory, so gunicorn gets a file of its own (the pages fetched here read no table)."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}"


@pytest.mark.django_db(transaction=True)
def test_gunicorn_with_two_workers_serves_pages_and_long_cached_static_files(tmp_path):
    static_root = tmp_path / "static"
    env = clean_environment(
        EXCERPTA_SECRET_KEY=STRONG_KEY,
        EXCERPTA_DEBUG="0",
        EXCERPTA_STATIC_ROOT=str(static_root),
        EXCERPTA_VAR_DIR=str(tmp_path),
        DATABASE_URL=_database_url(tmp_path),
    )
    run_manage("collectstatic", "--noinput", "-v0", env=env, check=True)
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, body = _get(base + "/healthz")
                break
            except (ConnectionError, urllib.error.URLError):
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not start in 60 s"
                time.sleep(0.3)
        assert (status, body) == (200, b"ok\n")

        status, _, page = _get(base + "/accounts/login/")
        assert status == 200
        assert b"Log in to Excerpta" in page

        stylesheet = re.search(rb'href="(/static/excerpta\.[0-9a-f]+\.css)"', page).group(1)
        status, headers, css = _get(base + stylesheet.decode())
        assert status == 200
        assert css
        assert "max-age=315360000" in headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=30)
