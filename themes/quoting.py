"""How a chosen quote is printed: the whole excerpt, or the extract the researcher chose.

The app never cuts a quote by itself (a cut inside a word or a sentence changes what the
respondent said). The researcher may choose an extract: words of the excerpt, in order, with
"[…]" where she leaves words out; the printed quote then carries "[…]" at every cut.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

OMISSION = "[…]"
# What a researcher types for an omission: the ellipsis character or three dots, bracketed.
_OMISSIONS = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]")
# Quote marks a researcher may type around a quote or an example; the export adds its own.
_QUOTE_MARKS = "\"'“”‘’„«»"
# An apostrophe between two letters is inside the word: "don't", "I’m", "O’Brien".
_APOSTROPHES = "'’ʼ"


def _flat(text: str) -> str:
    return " ".join(text.split())


def marked_cuts(extract: str) -> str:
    """`extract` (a quote's chosen words, str) with each omission typed as three dots or the
    ellipsis in brackets, spaces inside or not ("[...]", "[ ... ]", "[ … ]"), written as the
    one mark the findings print, "[…]". What a quote stores is then what it prints, and
    the box shows it back so. A bare "…" or "..." is left alone: it may be the respondent's
    own trailing off, words of the excerpt. Never raises."""
    return _OMISSIONS.sub(OMISSION, extract)


def extract_pieces(excerpt_text: str, extract: str) -> list[tuple[int, int]]:
    """Where each piece of `extract` lies in the excerpt's text with its spaces tidied.

    Shape: [(start, end), ...] in code points of `" ".join(excerpt_text.split())`, in
    order, not overlapping. Each piece is whole words of the excerpt (a cut inside a word
    changes what was said), and between two pieces the excerpt has words left out (the
    printed "[…]" must stand for something cut). Raises ValidationError (the message says
    which words and why) when a piece breaks either rule or is not words of the excerpt in
    order, or when the extract holds no words.
    """
    flat = _flat(excerpt_text)
    pieces = [_flat(piece) for piece in _OMISSIONS.split(extract)]
    pieces = [piece.strip(_QUOTE_MARKS + " ") for piece in pieces]
    pieces = [piece for piece in pieces if piece]
    if not pieces:
        raise ValidationError("The extract holds no words of the excerpt.")
    spans: list[tuple[int, int]] = []
    position = 0
    for piece in pieces:
        start = _place_of(flat, piece, position, after_cut=bool(spans))
        if start < 0:
            raise ValidationError(_misplaced(flat, piece, position, spans))
        spans.append((start, start + len(piece)))
        position = start + len(piece)
    return spans


def _place_of(flat: str, piece: str, position: int, *, after_cut: bool) -> int:
    """The first place at or after `position` where `piece` is whole words and, after a
    cut, follows left-out words; -1 when there is none."""
    start = flat.find(piece, position)
    while start >= 0:
        whole = not _splits_word(flat, start) and not _splits_word(flat, start + len(piece))
        if whole and (not after_cut or flat[position:start].strip()):
            return start
        start = flat.find(piece, start + 1)
    return -1


def _splits_word(flat: str, at: int) -> bool:
    """Whether a cut at `at` (a code point offset) falls inside a word of `flat`."""
    return 0 < at < len(flat) and _of_word(flat, at - 1) and _of_word(flat, at)


def _of_word(flat: str, at: int) -> bool:
    """Whether the character at `at` belongs to a word: a letter or digit, a combining
    mark (the accent of a decomposed "é"), or an apostrophe between two of those (cutting
    "don't" after "don" leaves "n't" out: a word cut in two)."""
    char = flat[at]
    if char in _APOSTROPHES:
        return 0 < at < len(flat) - 1 and _letter(flat[at - 1]) and _letter(flat[at + 1])
    return _letter(char)


def _letter(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char).startswith("M")


def _misplaced(flat: str, piece: str, position: int, spans: list[tuple[int, int]]) -> str:
    """Why `piece` has no place in the excerpt after `position`, in the researcher's words."""
    shown = piece if len(piece) <= 60 else piece[:57] + "…"
    start = flat.find(piece, position)
    if start < 0:
        return (
            f"“{shown}” is not in the excerpt (after the words before it). An extract "
            f"keeps the excerpt's words in order; mark each cut with {OMISSION}."
        )
    if spans and not flat[position:start].strip():
        before = flat[spans[-1][0] : spans[-1][1]]
        before = before if len(before) <= 60 else "…" + before[-57:]
        return (
            f"Nothing is left out between “{before}” and “{shown}”: they follow each other "
            f"in the excerpt. Take out the {OMISSION} between them; {OMISSION} marks only "
            "words left out."
        )
    return (
        f"“{shown}” cuts a word of the excerpt in two. An extract keeps whole words; mark "
        f"each cut with {OMISSION}."
    )


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
