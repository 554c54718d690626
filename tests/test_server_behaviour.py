"""Server behaviour: every page answers HEAD like GET, pages with transcripts are never
cached, and a weak secret key stops the app at start-up."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from config.settings import check_secret_key
from tests.conftest import HTMX, client_for, run_manage
from tests.test_access_matrix import CASES, build, url_for

GET_CASES = [case for case in CASES if case.method == "get"]
# The pages that show a transcript's words (or excerpts and quotes cut from them).
TRANSCRIPT_PAGES = [
    "interview_code",
    "transcript_text",
    "excerpt_detail",
    "excerpt_context",
    "interview_questions",
    "theme_detail",
    "import_batch",
    "import_lines",
    # The bin, on the history page, and the history show deleted excerpts' words.
    "history",
    "deidentify_preview",
]


@pytest.mark.parametrize("case", GET_CASES, ids=lambda c: c.name)
def test_every_study_page_answers_head_as_it_answers_get(case, study, owner, coder):
    url = url_for(case, build(study, coder))
    client = client_for(owner)

    got = client.get(url)
    head = client.head(url)

    assert got.status_code < 400
    assert head.status_code == got.status_code
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]


@pytest.mark.parametrize(
    "name", ["study_list", "study_create", "password_change", "password_reset", "login"]
)
def test_every_other_page_answers_head(owner, name):
    client = client_for(owner)

    got = client.get(reverse(name))
    head = client.head(reverse(name))

    assert got.status_code == 200
    assert head.status_code == 200
    assert head.content == b""


@pytest.mark.parametrize("name", TRANSCRIPT_PAGES)
def test_pages_showing_transcripts_are_never_cached(name, study, owner, coder):
    case = next(c for c in GET_CASES if c.name == name)

    # As the page fetches them: the fragments through htmx.
    response = client_for(owner).get(url_for(case, build(study, coder)), headers=HTMX)

    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_every_study_page_is_private(study, owner, coder):
    objects = build(study, coder)
    client = client_for(owner)

    responses = {case.name: client.get(url_for(case, objects)) for case in GET_CASES}
    uncached = {
        name: response.get("Cache-Control", "")
        for name, response in responses.items()
        if not response["Content-Type"].startswith("text/css")
    }

    assert {name for name, value in uncached.items() if "no-store" not in value} == set()
    # The codes' colour stylesheet holds no words, only colours: it may be revalidated (ETag,
    # 304) but never kept by a shared cache.
    stylesheets = {n: r for n, r in responses.items() if n not in uncached}
    assert set(stylesheets) == {"code_colours"}
    assert {"private", "no-cache"} <= {
        d.strip() for d in stylesheets["code_colours"]["Cache-Control"].split(",")
    }


def test_static_files_keep_their_long_cache_header(db):
    response = Client().get(settings.STATIC_URL.rstrip("/") + "/excerpta.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("short-but-random-Zq81", "has 21 characters"),
        ("ab" * 40, "only 2 different characters"),
        ("django-insecure-" + "x1y2z3w4v5" * 6, "insecure example key"),
    ],
)
def test_a_weak_secret_key_is_refused_outside_debug(key, says):
    with pytest.raises(ImproperlyConfigured, match=says):
        check_secret_key(key, debug=False)
    check_secret_key(key, debug=True)


def test_a_strong_secret_key_is_accepted():
    check_secret_key("q8Vn3-XkP0z_Lr7tWm2YcB5hJd9sFa4GeR1uNo6iTp" + "Kx0Lw3Vb", debug=False)


def test_the_app_does_not_start_with_a_weak_key():
    env = {**os.environ, "EXCERPTA_SECRET_KEY": "secret", "EXCERPTA_DEBUG": "0"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "EXCERPTA_SECRET_KEY has 6 characters" in result.stderr
