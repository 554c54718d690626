"""How long a text a person types may be, and what is said past it.

One wording everywhere ("A memo holds at most 20,000 characters; this one has 20,312."):
the limit and the length, so that the researcher knows how much to cut. Lengths are in
code points, as Python's len() counts them.

The text boxes carry no `maxlength` attribute: a browser cuts a paste past it without a
word, and the researcher would save a memo whose end is missing. The server says it
instead, and the form keeps the text in its box to shorten.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .sanitise import SanitisedCharField

# A long memo, comment or definition: some pages of text, far under what a page can show.
LONGEST = 20_000


def too_long(noun: str, limit: int, length: int) -> str:
    """The message for a text of `length` code points over `limit`: "A memo holds at
    most 20,000 characters; this one has 20,312."."""
    article = "An" if noun[:1].lower() in "aeiou" else "A"
    return f"{article} {noun} holds at most {limit:,} characters; this one has {length:,}."


def check_length(text: str, *, noun: str, limit: int = LONGEST) -> None:
    """Raise ValidationError (code "max_length", the message of too_long) when `text` is
    longer than `limit` code points."""
    if len(text) > limit:
        raise ValidationError(too_long(noun, limit, len(text)), code="max_length")


class LimitedTextField(SanitisedCharField):
    """A sanitised text field of at most `limit` code points (LONGEST unless given), whose
    error names the limit and the length (too_long, with `noun`: "memo", "comment") and
    whose box has no `maxlength` (see the module's docstring)."""

    def __init__(self, *, noun: str, limit: int = LONGEST, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)
        self.noun, self.limit = noun, limit

    def validate(self, value):
        super().validate(value)
        if value:
            check_length(value, noun=self.noun, limit=self.limit)
