"""Middleware of the whole site."""

from __future__ import annotations

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
