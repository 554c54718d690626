"""Middleware of the whole site."""

from __future__ import annotations

from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_cache_control


def private_pages(get_response):
    """Every page the app builds is `Cache-Control: private, no-store`: they show transcripts,
    quotes, names and study titles, which no shared cache or browser disk may keep.

    A view that sets its own Cache-Control (the exports do) keeps it. Static files never come
    here: WhiteNoise answers them before this middleware, with a long cache header.
    """

    def middleware(request):
        response = get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware


# Media types whose bodies are compressed archives already: gzip would spend a worker's time
# to make them a few bytes larger.
COMPRESSED_TYPES = (
    "application/vnd.openxmlformats-officedocument.",  # .docx, .xlsx (zip archives)
    "application/zip",
    "application/gzip",
    "image/png",
    "image/jpeg",
)


class PageCompression(GZipMiddleware):
    """Django's GZipMiddleware for every page the app builds (a big coding page shrinks about
    tenfold), except downloads that are compressed archives already (.docx, .xlsx).

    BREACH, which Django's documentation warns of: an attacker who can put text in a page
    and watch the compressed size guesses a secret in the same page. Django masks the CSRF
    token afresh on every response and this middleware pads each gzip stream with random
    bytes ("Heal The Breach"), which is what Django relies on; the app puts no other secret
    in a page.
    """

    def process_response(self, request, response):
        if response.get("Content-Type", "").startswith(COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)
