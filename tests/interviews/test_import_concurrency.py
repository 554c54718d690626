"""A long import never blocks other users: each chunk of files is its own transaction, and
nothing is held between two (issue 8, item 3)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from interviews import staging
from interviews.models import Interview
from tests.conftest import TRANSCRIPT, client_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_other_users_are_served_while_a_batch_imports(study, owner, coder, monkeypatch):
    batch = staging.staged_files_stage(
        study=study,
        user=owner,
        uploads=[(f"R{i}.txt", f"{TRANSCRIPT}\n\nR{i}: file {i}".encode()) for i in range(3)],
    )
    rows = staging.staged_batch(study=study, user=owner, batch=batch)
    staging.staged_files_confirm(rows=rows, choices={row.pk: staging.Choice() for row in rows})

    first_done, served = threading.Event(), threading.Event()
    real_import = staging.interviews_import_together

    def import_then_wait(**kwargs):
        outcomes = real_import(**kwargs)
        if not first_done.is_set():
            first_done.set()
            # The batch is paused between two chunks while another user is served.
            assert served.wait(timeout=30)
        return outcomes

    # A chunk of one file, so that the three files make three transactions.
    monkeypatch.setattr(staging, "CHUNK", 1)
    monkeypatch.setattr(staging, "interviews_import_together", import_then_wait)
    errors = []

    def run_batch():
        try:
            staging.staged_files_import(study=study, user=owner, batch=batch)
        except Exception as error:  # reported to the test's thread below
            errors.append(error)
        finally:
            connection.close()

    worker = threading.Thread(target=run_batch)
    worker.start()
    try:
        assert first_done.wait(timeout=30), "the first file was never imported"
        started = time.monotonic()
        client = client_for(coder)
        response = client.post(
            reverse("respondents", args=[study.slug]), {"pseudonym": "P9"}, follow=True
        )
        overview = client.get(reverse("study_detail", args=[study.slug])).content.decode()
        elapsed = time.monotonic() - started
    finally:
        served.set()
        worker.join(timeout=60)
    assert errors == []
    assert response.status_code == 200
    assert study.respondents.filter(pseudonym="P9").exists()
    # The first file was committed on its own: another user already sees it.
    assert "R0" in overview
    assert elapsed < 5, f"another user waited {elapsed:.1f} s for the batch"
    assert Interview.objects.count() == 3
