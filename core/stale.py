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


def fields_text(*values: str) -> str:
    """Several typed fields of one row (a question's text and its topic) as the one text
    that text_token() and saved_meanwhile() compare: joined by U+001F, a control character
    that no typed field keeps (core.sanitise), so that ("a", "bc") is not ("ab", "c")."""
    return "\x1f".join(values)


def seen_again(form: forms.Form, stored: str) -> str:
    """The token an edit form carries when drawn (again) over `stored`, the text as it
    stands: its token on a form newly drawn, sent without one (a script, an older page) or
    refused as saved meanwhile (an error on "seen": saving again then replaces it); else
    the one it was sent with, so that a save refused for another reason (an empty text)
    still checks against the text its page first showed."""
    sent = form["seen"].value() if form.is_bound else ""
    if not sent or form.has_error("seen"):
        return text_token(stored)
    return str(sent)


def saved_fields(
    form: forms.Form, saved: dict, typed: dict | None = None
) -> list[tuple[str, str]]:
    """(label, value as saved: str, "" for none) of each field named in `saved` (field name
    to its value as it now stands) that differs from what `form` (valid) was typed with, or
    `typed` where given (field name to value, for a field whose cleaned value is not the
    one compared): what a refusal of a stale save shows another tab saved."""
    typed = {**form.cleaned_data, **(typed or {})}
    return [
        (form.fields[name].label or name.replace("_", " ").capitalize(), _shown(value))
        for name, value in saved.items()
        if value != typed.get(name)
    ]


def _shown(value) -> str:
    return "" if value is None else str(value)


def revision_again(form: forms.Form, revision: int) -> None:
    """Draw a bound edit form refused as saved meanwhile with `revision`, the one its row
    now has (a code, a theme), instead of the one it was sent with: saving it again then
    replaces what was saved meanwhile, as its warning says."""
    form.data = form.data.copy()
    form.data["revision"] = str(revision)
