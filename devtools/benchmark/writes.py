"""Writes where users wait: posting a comment on a theme (`comment_post`), which redraws
the comment threads alone, and importing 200 transcripts in one upload (`import_200`),
whose queries grow by a fixed few per chunk of 50 files (interviews.staging.CHUNK), not
per file."""

from __future__ import annotations

import random
import time
import uuid

from django.urls import reverse

from devtools.benchmark.measuring import Session
from devtools.benchmark.registry import fill_step, once, request
from devtools.benchmark.scratch import (
    PROTOCOL,
    SEED,
    BenchmarkError,
    Scratch,
    _transcript,
)
from devtools.benchmark.serving import Browser, Response
from themes.models import Theme

# Targets of issue 9 ("speed where users wait").
COMMENT_POST_TARGET_MS = 30
IMPORT_FILES = 200


@fill_step
def comment_themes(scratch: Scratch) -> None:
    """The themes the comments go to, in turn, so that no thread grows past what a review
    holds (a dozen comments a theme over a whole run)."""
    scratch.plan["comment_themes"] = list(
        Theme.objects.filter(study=scratch.study).order_by("pk").values_list("pk", flat=True)
    )


@request("comment_post")
def comment_post(browser: Browser, plan: dict, n: int, **headers: str) -> Response:
    """A comment on a theme, from its page (htmx): the answer is the comment threads."""
    themes = plan["comment_themes"]
    if not themes:
        raise BenchmarkError("comment_post: the scratch study has no theme.")
    theme = themes[n % len(themes)]
    page = reverse("theme_detail", args=[plan["slug"], theme])
    path = reverse("comment_add", args=[plan["slug"], theme])
    fields = {"body": f"Comment {n}: is this theme's count right for the agency?"}
    return browser.post(path, fields, referer=page, **{"HX-Request": "true"}, **headers)


@once("import_200")
def import_200(session: Session) -> dict:
    """200 transcripts of new respondents uploaded in one request, then confirmed in one
    (without htmx: the confirming request imports the whole batch): the time and queries
    of each, and the queries per file. Each file has as many words as the study's."""
    browser, slug = session.browser, session.plan["slug"]
    rng = random.Random(SEED + 200)
    first = session.sizes.interviews + 1
    names = [f"R{n}" for n in range(first, first + IMPORT_FILES)]
    files = [
        (f"{name}-interview.txt", _transcript(rng, name, PROTOCOL, session.sizes.words))
        for name in names
    ]
    path = reverse("transcript_import", args=[slug])
    body, content_type = _multipart({"files": files}, browser.cookies.get("csrftoken", ""))
    upload = _post(browser, path, body, content_type)
    if upload.status != 302:
        raise BenchmarkError(f"import_200: the upload answered HTTP {upload.status}.")
    batch = upload.location
    fields = {"csrfmiddlewaretoken": browser.cookies.get("csrftoken", "")}
    for position, name in enumerate(names):
        fields[f"f{position}-respondent"] = "new"
        fields[f"f{position}-pseudonym"] = name
    started = time.perf_counter()
    confirm = browser.post(batch, fields, referer=batch)
    seconds = time.perf_counter() - started
    if confirm.status != 302:
        raise BenchmarkError(f"import_200: the confirmation answered HTTP {confirm.status}.")
    return {
        "files": IMPORT_FILES,
        "words_per_file": session.sizes.words,
        "upload_ms": round(upload.seconds * 1000, 2),
        "upload_queries": upload.queries,
        "import_ms": round(seconds * 1000, 2),
        "import_queries": confirm.queries,
        "queries_per_file": round(confirm.queries / IMPORT_FILES, 2),
    }


def _post(browser: Browser, path: str, body: bytes, content_type: str) -> Response:
    """A multipart POST through the browser's connection (its session and CSRF token)."""
    headers = {
        "Content-Type": content_type,
        "Referer": browser.origin + path,
        "Origin": browser.origin,
        "X-CSRFToken": browser.cookies.get("csrftoken", ""),
    }
    return browser.request("POST", path, body, headers)


def _multipart(files: dict[str, list[tuple[str, str]]], token: str) -> tuple[bytes, str]:
    """A multipart/form-data body of text files (name, text) under each field name."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{token}\r\n".encode()
    ]
    for field_name, items in files.items():
        for filename, text in items:
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; '
                f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'
            )
            parts.append(head.encode() + text.encode() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
