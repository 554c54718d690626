"""What the app's log keeps of a request: one line for each refusal, a traceback only for
a fault of the app's own."""

from __future__ import annotations

import logging


class RefusalsOnOneLine(logging.Filter):
    """Drop the traceback of a record about a 4xx answer (django.request logs the
    PermissionDenied or Http404 behind a 403 or 404 with its whole traceback): a refusal is
    the app working, and forty lines for each would bury the 500s, whose traceback stays.
    Always lets the record through (returns True)."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
