"""Uploads past the site's limits, refused with a message instead of Django's bare 400.

Django refuses a POST with more files than DATA_UPLOAD_MAX_NUMBER_FILES, more fields than
DATA_UPLOAD_MAX_NUMBER_FIELDS or more non-file data than DATA_UPLOAD_MAX_MEMORY_SIZE by
raising while the body is parsed; the first to read request.POST is CsrfViewMiddleware,
before any view runs, so a view cannot catch it and the researcher got "Bad Request (400)"
in place of her page. And no Django setting bounds a whole upload: every file is held to
EXCERPTA_MAX_UPLOAD_BYTES by the importers, but 200 files of 10 MB were all read, a worker
growing by hundreds of MB. This middleware stands before CsrfViewMiddleware and answers
both with a refusal (core.http.refusal: a flash where she is, over htmx; else back to the
page the form was on, with the message), nothing read further, nothing saved.
"""

from __future__ import annotations

import logging
import math

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

from .http import refusal

logger = logging.getLogger(__name__)

# Draining an upload refused unread: read in pieces of this many bytes, so that the
# worker's memory does not grow with the upload it refuses.
DRAIN_CHUNK = 64 * 1024


def megabytes(size: int, places: int = 2, *, up: bool = True) -> str:
    """`size` bytes in MB (1024 × 1024) for a message, to `places` decimals at most,
    rounded up (`up`, for a size over a limit: it never reads as the limit itself) or to
    the nearest: "10 MB", "10.01 MB" (10 MB and one byte), "1,200 MB"."""
    scaled = size * 10**places / (1024 * 1024)
    value = (math.ceil(scaled) if up else round(scaled)) / 10**places
    text = f"{value:,.{places}f}"
    return f"{text.rstrip('0').rstrip('.') if '.' in text else text} MB"


def over_limit(size: int, limit: int) -> tuple[str, str]:
    """(size, limit) in MB for "it is 10.01 MB, over the 10 MB limit": two decimals, more
    where two would show the two sizes alike or the limit as 0 (a limit of a few KB)."""
    for places in range(2, 7):
        said = megabytes(size, places), megabytes(limit, places, up=False)
        if said[0] != said[1] and said[1] != "0 MB":
            break
    return said


def too_many_files(limit: int) -> str:
    return (
        f"You chose more than {limit:,} {ngettext('file', 'files', limit)}; one upload takes "
        f"at most {limit:,}. Import them in two or more uploads. Nothing was uploaded."
    )


def too_many_fields(limit: int) -> str:
    return (
        f"This form sent more than {limit:,} fields, more than one request takes. Nothing "
        "was saved: send it in smaller parts (fewer files in one import, say)."
    )


def too_much_text(limit: int) -> str:
    return (
        f"This form sent more than {megabytes(limit)} of text, more than one request takes. "
        "Nothing was saved."
    )


def upload_too_large(size: int, limit: int) -> str:
    return (
        "The files you chose come to {}; one upload takes at most {}. Import them in two or "
        "more uploads. Nothing was uploaded."
    ).format(*over_limit(size, limit))


def limit_attrs() -> dict[str, int]:
    """A file input's attributes that give static/js/upload_limits.js the limits, for it to
    say an upload is over them before it is sent: the number of files and bytes."""
    return {
        "data-max-files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        "data-max-bytes": settings.EXCERPTA_MAX_UPLOAD_BATCH_BYTES,
    }


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _drain(request: HttpRequest) -> None:
    """Read what is left of the body and drop it: a browser still sending when the answer
    comes may show "connection reset" instead of the answer."""
    try:
        while request.read(DRAIN_CHUNK):
            pass
    except OSError:
        pass


class UploadLimitsMiddleware:
    """Refuse, with a message, a POST over the upload limits (see the module's docstring):

    - a multipart body over EXCERPTA_MAX_UPLOAD_BATCH_BYTES (its Content-Length), before
      any of it is read;
    - a body Django refuses to parse (TooManyFilesSent, TooManyFieldsSent,
      RequestDataTooBig).

    Answers 413 or 400 through core.http.refusal. Must stand before CsrfViewMiddleware
    (process_view runs in list order, after every middleware's request phase, so the
    session, the user and htmx are known here)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST":
            return None
        size, limit = _content_length(request), settings.EXCERPTA_MAX_UPLOAD_BATCH_BYTES
        if request.content_type == "multipart/form-data" and size > limit:
            logger.warning("Upload of %d bytes refused (limit %d)", size, limit)
            _drain(request)
            return refusal(request, upload_too_large(size, limit), status=413, typed=False)
        try:
            # Parsed here once; CsrfViewMiddleware and the view read the same QueryDicts.
            request.POST  # noqa: B018
            request.FILES  # noqa: B018
        except TooManyFilesSent:
            message = too_many_files(settings.DATA_UPLOAD_MAX_NUMBER_FILES)
        except TooManyFieldsSent:
            message = too_many_fields(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
        except RequestDataTooBig:
            message = too_much_text(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        else:
            return None
        logger.warning("POST to %s refused: %s", request.path, message)
        _drain(request)
        return refusal(request, message, status=400, typed=False)
