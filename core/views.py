"""Error pages; for htmx requests, a flash message in the page instead."""

from __future__ import annotations

from core.http import CSRF_MESSAGE, STATUS_MESSAGES, refusal, refused_page


def _answer(request, status: int, message: str, *, typed: bool = True):
    if getattr(request, "htmx", False):
        return refusal(request, message, status=status)
    # A form refused this way (a memo deleted in another tab, a session that expired) shows
    # what was typed in it: the page it came from, reloaded, would not have it any more.
    return refused_page(request, message, status=status, typed=typed)


def forbidden(request, exception=None):
    message = str(exception) if exception and str(exception) else STATUS_MESSAGES[403]
    return _answer(request, 403, message)


def not_found(request, exception=None):
    # Our access helpers raise Http404 with a sentence for the user; Django's own (a URL that
    # resolves to nothing, get_object_or_404) carry technical text, so those get ours.
    message = exception.args[0] if exception and exception.args else ""
    if not isinstance(message, str) or not message or "matches the given query" in message:
        message = "Not found, or you are not a member of the study it belongs to."
    return _answer(request, 404, message)


def csrf_failure(request, reason=""):
    # Any site can post a form here and land on this page: what it posted is shown back
    # only when the form was ours (a page of this site whose session expired), so that no
    # other site can put words of its choosing on our page.
    return _answer(request, 403, CSRF_MESSAGE, typed=_same_origin(request))


def _same_origin(request) -> bool:
    """Whether the browser says the request came from a page of this site: its Origin
    header (which browsers send with every POST) is this site's scheme and host."""
    origin = request.headers.get("Origin")
    return origin is not None and origin == f"{request.scheme}://{request.get_host()}"
