"""Uploads over the site's limits: a message where the researcher is, never a bare 400,
nothing read further and nothing saved (core.upload_limits)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.request import HttpRequest
from django.test import Client
from django.urls import reverse

from core.upload_limits import over_limit
from interviews.models import StagedFile
from tests.conftest import HTMX


def csrf_client(user) -> tuple[Client, str]:
    """A client that checks CSRF as a browser's requests are checked, and its token: the
    limits bite while CsrfViewMiddleware reads the body, before any view."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = reverse("project_import")
    client.get(page)
    return client, client.cookies["csrftoken"].value


def files(n: int, size: int = 10) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"R{i}.txt", b"R1: yes\n" + b"x" * size) for i in range(n)]


def post(client, url, data, *, token, htmx=True):
    headers = {**HTMX, "X-CSRFToken": token} if htmx else {"Referer": f"http://testserver{url}"}
    if not htmx:
        data = {"csrfmiddlewaretoken": token, **data}
    return client.post(url, data, headers=headers)


def test_more_files_than_one_upload_takes_are_refused_in_the_page_over_htmx(
    study, owner, settings
):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    client, token = csrf_client(owner)
    url = reverse("transcript_import", args=[study.slug])
    response = post(client, url, {"files": files(4)}, token=token)
    # A flash swapped into the page: the form keeps the files she chose.
    assert response.status_code == 400
    assert response["HX-Reswap"] == "none"
    assert "You chose more than 3 files; one upload takes at most 3." in response.text
    assert not StagedFile.objects.exists()
    # Within the limit the same upload goes through.
    response = post(client, url, {"files": files(3)}, token=token)
    assert response.status_code == 200
    assert "HX-Redirect" in response
    assert StagedFile.objects.count() == 3


def test_more_files_than_one_upload_takes_go_back_to_the_import_page_without_javascript(
    study, owner, settings
):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    client, token = csrf_client(owner)
    url = reverse("transcript_import", args=[study.slug])
    response = post(client, url, {"files": files(5)}, token=token, htmx=False)
    assert response.status_code == 302
    assert response["Location"].endswith(url)
    page = client.get(url).text
    assert "Import transcripts" in page
    assert "You chose more than 3 files; one upload takes at most 3." in page
    assert not StagedFile.objects.exists()


def test_more_fields_than_one_request_takes_are_refused_with_a_message(study, owner, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    client, token = csrf_client(owner)
    url = reverse("transcript_import", args=[study.slug])
    data = {f"field{i}": "x" for i in range(6)} | {"files": files(1)}
    response = post(client, url, data, token=token)
    assert response.status_code == 400
    assert "This form sent more than 5 fields, more than one request takes." in response.text
    assert not StagedFile.objects.exists()


def test_an_upload_over_the_whole_uploads_limit_is_refused_before_it_is_read(
    study, owner, settings, monkeypatch
):
    settings.EXCERPTA_MAX_UPLOAD_BATCH_BYTES = 1024 * 1024
    client, token = csrf_client(owner)
    url = reverse("transcript_import", args=[study.slug])

    def unread(*args):
        raise AssertionError("an upload over the limit must not be parsed")

    with monkeypatch.context() as patched:
        patched.setattr(HttpRequest, "parse_file_upload", unread)
        response = post(client, url, {"files": files(3, size=400_000)}, token=token)
    assert response.status_code == 413
    assert (
        "The files you chose come to 1.15 MB; one upload takes at most 1 MB. Import them in "
        "two or more uploads. Nothing was uploaded."
    ) in response.text
    assert not StagedFile.objects.exists()
    # Each file of it, in an upload of its own, is taken.
    response = post(client, url, {"files": files(1, size=400_000)}, token=token)
    assert response.status_code == 200
    assert StagedFile.objects.count() == 1


def test_the_project_import_is_held_to_the_same_limits(owner, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 1
    client, token = csrf_client(owner)
    url = reverse("project_import")
    response = post(client, url, {"file": files(2)}, token=token)
    assert response.status_code == 400
    assert "You chose more than 1 files" not in response.text
    assert "You chose more than 1 file; one upload takes at most 1." in response.text


MB = 1024 * 1024


@pytest.mark.parametrize(
    ("size", "limit", "said"),
    [
        (10 * MB + 1, 10 * MB, ("10.01 MB", "10 MB")),
        (int(10.04 * MB), 10 * MB, ("10.04 MB", "10 MB")),
        (1200 * MB, 100 * MB, ("1,200 MB", "100 MB")),
        # A limit of a few bytes (a test's) is not said as 0 MB, nor the size as the limit.
        (500, 100, ("0.0005 MB", "0.0001 MB")),
    ],
)
def test_a_size_over_a_limit_never_reads_as_the_limit(size, limit, said):
    assert over_limit(size, limit) == said
