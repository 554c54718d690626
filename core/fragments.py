"""Rendered regions of pages kept in Django's cache framework (the "fragments" cache, or
another alias the caller names), so that a page read again draws only what changed since.

A region is cached under a key its caller builds from everything the region shows: for a
study's pages, the study's revision (interviews.revisions, moved by every write to what the
roll-up counts) and the reader's role, so that a reviewer never gets an owner's buttons and
a change never shows stale text. The CSRF token is the one thing of the request inside the
forms of a region: it is rendered as a placeholder and the request's own token is put in
its place on every read.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from hashlib import sha256

from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString

CACHE = "fragments"
# What {% csrf_token %} writes, with the placeholder as its value. Only this whole element is
# replaced: text a user typed is escaped, so it can never hold a literal `<input …>`.
_TOKEN_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
_PLACEHOLDER = "csrf-token-of-the-request"
_PLACEHOLDER_INPUT = format_html(_TOKEN_INPUT, _PLACEHOLDER)
# zlib's fastest level: a 500 KB region packs to about 30 KB in 1.3 ms and unpacks in
# 0.75 ms (measured on the benchmark's themes page), so that a worker's cache of regions
# costs it a few MB at most (the worker's memory has a target too, issue 9).
_LEVEL = 1


def fragment_key(*parts) -> str:
    """The cache key of a region from what it shows (ints, strings, tuples of them): a
    digest, so that any length of parts makes a key every cache backend takes."""
    return "fragment:" + sha256(repr(parts).encode()).hexdigest()


def cached_fragment(
    request: HttpRequest,
    template_name: str,
    key: str,
    context: Callable[[], dict],
    *,
    cache: str = CACHE,
) -> SafeString:
    """The region `template_name` ("app/page.html#partial") as HTML, from the cache alias
    `cache` under `key` or rendered with `context()` (called only then) and kept.

    The caller's key must name everything the region shows: a key that misses a change
    serves stale text. A region rendered inside a transaction is kept only when it commits
    (at once outside one), as the roll-up is (themes.rollup.study_rollup): what a transaction
    that rolls back read never reaches the cache.
    """
    cache = caches[cache]
    packed = cache.get(key)
    if packed is None:
        html = render_to_string(
            template_name, {**context(), "csrf_token": _PLACEHOLDER}, request=request
        )
        packed = zlib.compress(html.encode(), _LEVEL)
        transaction.on_commit(lambda: cache.set(key, packed))
    else:
        html = zlib.decompress(packed).decode()
    return SafeString(html.replace(_PLACEHOLDER_INPUT, _token_input(request)))


def _token_input(request: HttpRequest) -> str:
    """The request's CSRF field, made once a request and kept on it (as Django keeps the
    request's user): masking the token anew for each of a page's thirty comment threads
    took half of the time of reading them from the cache. One masked token serves every
    form of a page, as the templates' {% csrf_token %} does."""
    if not hasattr(request, "_fragment_token_input"):
        request._fragment_token_input = format_html(_TOKEN_INPUT, get_token(request))
    return request._fragment_token_input
