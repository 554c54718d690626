"""Stale-page checks for typed text saved over a value with no revision of its own.

A form that edits such a text (a memo, a quote's words to print) carries the fingerprint of
the text as its page drew it. Saving checks it against the text as it stands: another tab or
window that saved meanwhile is told, never silently overwritten (tests/themes/
test_views_memos.py and test_quote_words.py).
"""

from __future__ import annotations

from hashlib import sha256

from django import forms


def text_token(text: str) -> str:
    """The fingerprint of `text` a form sends back: 16 hex digits (a digest, so that the
    page does not carry the text twice, and line endings the browser sends need no care)."""
    return sha256(text.encode()).hexdigest()[:16]


def seen_field() -> forms.CharField:
    """The hidden field of a form that holds text_token() of the text its page showed.
    Optional: a form sent without it (a script, an older page) saves as before."""
    return forms.CharField(widget=forms.HiddenInput, required=False)


def saved_meanwhile(stored: str, *, seen: str, typed: str) -> bool:
    """Whether saving `typed` over `stored` would replace a text saved since the page drew
    the text whose token is `seen` ("": not known, never stale). The same text typed as
    stands replaces nothing."""
    return bool(seen) and seen != text_token(stored) and typed != stored
