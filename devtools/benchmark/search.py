"""The search area's measurement: full-text search of every transcript of the study."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from devtools.benchmark.registry import request
from devtools.benchmark.serving import Browser, Response

# Most of the protocol's questions say it, so every transcript holds it several times: the
# first page is full (search.PER_PAGE interviews, each with its hits located and shown).
PHRASE = '"harm reduction"'


@request("search")
def search(browser: Browser, plan: dict, n: int, **headers: str) -> Response:
    """The first page of a two-word phrase searched over all the study's transcripts."""
    path = reverse("transcript_search", args=[plan["slug"]])
    return browser.get(f"{path}?{urlencode({'q': PHRASE})}", **headers)
