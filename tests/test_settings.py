"""The settings that keep data safe: database pragmas, migrations, headers, CSRF."""

from __future__ import annotations

import os
import stat
import subprocess
from io import StringIO

from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import HTMX, client_for, run_manage


def test_the_database_runs_with_the_settings_we_rely_on(db):
    connection.ensure_connection()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # WAL, a busy timeout and IMMEDIATE transactions (RELIABILITY.md, C1 and T3).
            # The test database lives in memory, where SQLite reports "memory" for WAL.
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] in {"wal", "memory"}
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 20000
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 1
            assert connection.transaction_mode == "IMMEDIATE"
        else:
            assert connection.vendor == "postgresql"
            cursor.execute("SHOW server_encoding")
            assert cursor.fetchone()[0] == "UTF8"


def test_a_sqlite_file_database_gets_wal_and_a_busy_timeout(tmp_path, settings, django_db_blocker):
    """What make run and a laptop install get: checked on a real file, whatever database
    the suite itself runs on (the suite's own SQLite database lives in memory)."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    wrapper = DatabaseWrapper(
        {
            **connection.settings_dict,
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(tmp_path / "laptop.sqlite3"),
            "OPTIONS": dict(settings.SQLITE_OPTIONS),
        }
    )
    try:
        with django_db_blocker.unblock(), wrapper.cursor() as cursor:
            pragmas = {}
            for name in (
                "journal_mode",
                "busy_timeout",
                "synchronous",
                "foreign_keys",
                "cache_size",
            ):
                cursor.execute(f"PRAGMA {name}")
                pragmas[name] = cursor.fetchone()[0]
        assert pragmas == {
            "journal_mode": "wal",
            "busy_timeout": 20000,
            "synchronous": 1,
            "foreign_keys": 1,
            # KiB: 2 MB per connection, so that a worker's threads do not hold a big
            # study's database each (issue 9, a worker's memory).
            "cache_size": -2048,
        }
        assert wrapper.transaction_mode == "IMMEDIATE"
    finally:
        wrapper.close()


def test_every_model_change_has_its_migration(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_pages_and_fragments_carry_the_security_headers(study, owner):
    client = client_for(owner)
    for response in [
        client.get(reverse("codebook", args=[study.slug])),
        client.get(reverse("codebook", args=[study.slug]), headers=HTMX),
    ]:
        assert response.status_code == 200
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "object-src 'none'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_a_post_without_the_csrf_token_is_refused(study, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    url = reverse("codebook", args=[study.slug])
    response = client.post(url, {"name": "Sneaky"})
    assert response.status_code == 403
    response = client.post(url, {"name": "Sneaky"}, headers=HTMX)
    assert response.status_code == 403
    assert "session has expired" in response.content.decode()
    assert response["HX-Reswap"] == "none"
    assert not study.codes.exists()


def test_the_page_sends_the_csrf_token_in_htmx_headers(study, owner):
    response = client_for(owner).get(reverse("codebook", args=[study.slug]))
    assert 'hx-headers=\'{"x-csrftoken": "' in response.content.decode()


def test_a_new_database_and_var_are_readable_by_their_owner_only(tmp_path):
    """`make run` on a fresh clone made var/ (0755) and its database (0644) as the umask
    gave them: any account on the machine could read the transcripts."""
    # The Makefile's own step that makes var/ (for the demo password), in a folder of its own.
    made = subprocess.run(
        [
            "make",
            "-f",
            str(django_settings.BASE_DIR / "Makefile"),
            "-C",
            str(tmp_path),
            "var/demo-password",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    var = tmp_path / "var"
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "EXCERPTA_SQLITE_PATH")
    }
    env["EXCERPTA_VAR_DIR"] = str(var)
    migrated = run_manage("migrate", "--noinput", "--verbosity", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr

    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    for path in [var / "excerpta.sqlite3", var / "secret_key", var / "demo-password"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
