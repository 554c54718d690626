"""Pages go compressed on the wire (Django's GZipMiddleware), downloads that are archives
already do not, and the CSRF token a page carries differs on every response (BREACH)."""

from __future__ import annotations

import gzip
import re

import pytest
from django.test import Client
from django.urls import reverse

from coding import services as coding
from interviews import deidentify
from interviews.services import deidentification_apply
from tests.conftest import client_for
from tests.test_access_matrix import CASES, build, url_for

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
GET_CASES = [case for case in CASES if case.method == "get"]


def test_every_html_page_is_compressed(study, owner, coder):
    objects = build(study, coder)
    client = client_for(owner)

    responses = {case.name: client.get(url_for(case, objects), headers=GZIP) for case in GET_CASES}
    pages = {
        name: response
        for name, response in responses.items()
        if response.status_code == 200
        and response["Content-Type"].startswith("text/html")
        # Django leaves alone what is too short to gain (under 200 bytes).
        and len(response.content) >= 200
    }

    assert len(pages) > 20
    assert {n for n, r in pages.items() if r.get("Content-Encoding") != "gzip"} == set()
    assert {n for n, r in pages.items() if "Accept-Encoding" not in r.get("Vary", "")} == set()
    page = gzip.decompress(pages["interview_code"].content).decode()
    assert "<html" in page
    assert 'id="transcript"' in page


def test_a_page_asked_for_without_gzip_comes_plain(study, owner, coder):
    objects = build(study, coder)
    case = next(case for case in GET_CASES if case.name == "interview_code")

    response = client_for(owner).get(url_for(case, objects))

    assert "Content-Encoding" not in response
    assert b'id="transcript"' in response.content
    assert "Accept-Encoding" in response["Vary"]


@pytest.mark.parametrize(
    ("what", "compressed"),
    [("findings", False), ("excerpts_xlsx", False), ("excerpts_csv", True)],
)
def test_archives_go_as_they_are_and_tables_compressed(study, owner, coder, what, compressed):
    excerpt = build(study, coder)["excerpt"]
    # The access matrix's study lists "Café" for de-identification: kept where it stands, so
    # that the files quoting the transcripts are made (themes.identifying).
    waiting = deidentify.study_occurrences(study=study)
    deidentification_apply(study=study, decisions={each.key: False for each in waiting})
    # A memo long enough for any table to be worth compressing.
    memo = " ".join(f"The client came back in week {n}." for n in range(100))
    coding.excerpt_memo_set(excerpt=excerpt, memo=memo, revision=excerpt.revision)

    response = client_for(owner).get(reverse(f"export_{what}", args=[study.slug]), headers=GZIP)

    assert response.status_code == 200
    assert (response.get("Content-Encoding") == "gzip") is compressed
    if not compressed:
        assert response.content[:2] == b"PK"  # the zip archive itself


def test_static_files_are_served_by_whitenoise_not_compressed_again(db):
    response = Client().get("/static/excerpta.css", headers=GZIP)

    assert response.status_code == 200
    # WhiteNoise sends its own compressed copy (or the file); never gzip over gzip.
    body = b"".join(response.streaming_content)
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    assert b"{" in body[:4000]


def test_the_csrf_token_differs_on_every_compressed_page(study, owner):
    client = client_for(owner)
    url = reverse("study_detail", args=[study.slug])

    tokens = [
        re.search(
            rb'"x-csrftoken": "([^"]+)"',
            gzip.decompress(client.get(url, headers=GZIP).content),
        ).group(1)
        for _ in range(2)
    ]

    # Masked afresh per response: its compressed size tells an attacker nothing (BREACH).
    assert tokens[0] != tokens[1]
