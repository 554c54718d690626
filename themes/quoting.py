"""How a chosen quote is printed: the whole excerpt, or the extract the researcher chose.

The app never cuts a quote by itself (a cut inside a word or a sentence changes what the
respondent said). The researcher may choose an extract: words of the excerpt, in order, with
"[…]" where she leaves words out; the printed quote then carries "[…]" at every cut.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

OMISSION = "[…]"
# What a researcher types for an omission: the ellipsis character or three dots, bracketed.
_OMISSIONS = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]")
# Quote marks a researcher may type around a quote or an example; the export adds its own.
_QUOTE_MARKS = "\"'“”‘’„«»"


def _flat(text: str) -> str:
    return " ".join(text.split())


def extract_pieces(excerpt_text: str, extract: str) -> list[tuple[int, int]]:
    """Where each piece of `extract` lies in the excerpt's text with its spaces tidied.

    Shape: [(start, end), ...] in code points of `" ".join(excerpt_text.split())`, in
    order, not overlapping. Raises ValidationError when a piece is not words of the excerpt
    in order (the message says which), or when the extract holds no words.
    """
    flat = _flat(excerpt_text)
    pieces = [_flat(piece) for piece in _OMISSIONS.split(extract)]
    pieces = [piece.strip(_QUOTE_MARKS + " ") for piece in pieces]
    pieces = [piece for piece in pieces if piece]
    if not pieces:
        raise ValidationError("The extract holds no words of the excerpt.")
    spans, position = [], 0
    for piece in pieces:
        start = flat.find(piece, position)
        if start < 0:
            shown = piece if len(piece) <= 60 else piece[:57] + "…"
            raise ValidationError(
                f"“{shown}” is not in the excerpt (after the words before it). An extract "
                f"keeps the excerpt's words in order; mark each cut with {OMISSION}."
            )
        spans.append((start, start + len(piece)))
        position = start + len(piece)
    return spans


def extract_fits(excerpt_text: str, extract: str) -> bool:
    """Whether `extract` (a quote's chosen words) is still words of the excerpt in order:
    an empty extract fits (the whole excerpt is printed); one whose words were edited out
    of the excerpt since does not, and quote_text then prints the whole excerpt."""
    if not extract.strip():
        return True
    try:
        extract_pieces(excerpt_text, extract)
    except ValidationError:
        return False
    return True


def quote_text(excerpt_text: str, extract: str = "") -> str:
    """The words to print for a quote: the excerpt's, or its chosen extract with "[…]" at
    every cut (at the start, between pieces, at the end). An extract that no longer fits
    the excerpt (its words were edited since) gives the whole excerpt. No quote marks."""
    if not extract.strip():
        return excerpt_text.strip()
    try:
        spans = extract_pieces(excerpt_text, extract)
    except ValidationError:
        return excerpt_text.strip()
    flat = _flat(excerpt_text)
    parts = [flat[start:end] for start, end in spans]
    text = f" {OMISSION} ".join(parts)
    if spans[0][0] > 0:
        text = f"{OMISSION} {text}"
    if spans[-1][1] < len(flat):
        text = f"{text} {OMISSION}"
    return text


def quoted(text: str) -> str:
    """`text` between one pair of curly quotes, whatever quote marks were typed around it."""
    text = text.strip()
    if len(text) >= 2 and text[0] in _QUOTE_MARKS and text[-1] in _QUOTE_MARKS:
        text = text[1:-1].strip()
    return f"“{text}”"
