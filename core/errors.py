"""Errors the services raise, shared by every app."""

from __future__ import annotations


class Conflict(Exception):
    """The request was made against a state that has changed since (HTTP 409).

    Its message says what happened and that nothing was saved.
    """
