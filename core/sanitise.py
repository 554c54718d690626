"""The one rule for text a user types or uploads: what every export (.docx, .xlsx, .csv) can hold.

`sanitise_text` is applied where text enters (form fields through `SanitisedCharField`,
transcript normalisation at import) and again, defensively, by every export writer. Word's
XML refuses C0 controls and lone surrogates (python-docx raises `ValueError: All strings must
be XML compatible`, RELIABILITY.md T15), and a user can paste them without seeing them: Word
puts U+000B on the clipboard for Shift+Enter.
"""

from __future__ import annotations

import re

from django import forms

# Every way of saying "new line": Windows and old Mac endings, Word's manual line break
# (U+000B) and page break (U+000C), NEL, and Unicode's line and paragraph separators.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# C0 controls but tab and newline, DEL, C1 controls, and the two non-characters XML 1.0
# forbids. Surrogates are handled apart (a pair is joined into its character).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# The two bidirectional overrides (LEFT-TO-RIGHT and RIGHT-TO-LEFT OVERRIDE): they make the
# characters after them show in the reverse of their order, so a comment typed as
# "\u202eevitisop" reads "positive" to the committee ("Trojan Source", CVE-2021-42574).
# Typed text never needs them: Hebrew and Arabic show right to left by themselves, and the
# marks and isolates that right-to-left writers do use are kept.
_BIDI_OVERRIDES = re.compile("[\u202d\u202e]")


def sanitise_text(text: str) -> str:
    """`text` with every line break as "\\n" and nothing an export cannot write.

    Shape: str in, str out, no longer than `text` (in code points). Line breaks (CR LF, CR,
    U+000B, U+000C, U+0085, U+2028, U+2029) become "\\n"; tab and newline stay; other C0
    and C1 controls, U+FFFE and U+FFFF are removed; a surrogate pair left in a str is joined
    into its character and a lone surrogate is removed. Nothing else changes: no
    normalisation form, no trimming. Never raises for a str.
    """
    text = _LINE_BREAKS.sub("\n", text)
    text = _CONTROLS.sub("", text)
    if _SURROGATES.search(text):
        # UTF-16 with surrogatepass writes each surrogate as the unit it is; decoding joins
        # the pairs and, with "ignore", drops the units that have no partner.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    return text


def typed_text(text: str) -> str:
    """`sanitise_text(text)` without the bidirectional overrides (U+202D, U+202E): the rule
    for what a user types (names, memos, comments, attribute values), so that it shows as it
    reads. Not for transcripts: they are the respondent's words, and excerpts' offsets (in
    code points) count every character of them. Shape: str in, str out, never longer."""
    return _BIDI_OVERRIDES.sub("", sanitise_text(text))


class SanitisedCharField(forms.CharField):
    """A CharField whose cleaned value has passed `typed_text`: every form that takes text a
    user typed uses it, so control characters never reach the database from a form, nor text
    that shows other than it reads."""

    def to_python(self, value):
        value = super().to_python(value)
        if not isinstance(value, str):
            return value
        value = typed_text(value)
        # What was removed may have stood before or after spaces that strip kept.
        return value.strip() if self.strip else value
