"""Names inside sentences, isolated from the sentence's direction.

A right-to-left name (Hebrew, Arabic) inside an English message takes the words or the
full stop after it to its own side: "Coded as שלום." showed its full stop left of the
name. A message built in Python marks each name it quotes with `isolated` (Unicode's
FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE: plain text, so the mark survives every
way a message travels: the session's messages, an undo entry's label in the database, a
ValidationError's text joined into a refusal). The templates that show messages render
them through `bdi_html` (the `bdi` filter), which escapes the message and turns each
marked name into `<bdi>…</bdi>`. Names a template puts in a sentence itself are wrapped
in `<bdi>` there.

A message that quotes a name without marking it (a refusal raised in a service, "This
study already records “…”.", a label of the history page) has it isolated too, where it
meets HTML: `bdi_html` puts what stands between typographic quotes “…”, the app's way of
quoting every name, in `<bdi>` as well.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

FSI, PDI = "\u2068", "\u2069"
_ISOLATED = re.compile(f"{FSI}([^{FSI}{PDI}]*){PDI}")
# A quoted name: “…” with no quote inside (the innermost pair, when quotes nest).
_QUOTED = re.compile("“([^“”]+)”")


def isolated(text: object) -> str:
    """`text` (any object, as str) between FSI and PDI: a name to isolate in a message."""
    return f"{FSI}{text}{PDI}"


def plain(message: object) -> str:
    """`message` (str, or anything as str) without the marks of `isolated`: for a command's
    output, read in a terminal or a log, where they would be invisible characters that
    break a search for the name. Never raises."""
    return str(message).replace(FSI, "").replace(PDI, "")


def marked_parts(message: object) -> list[tuple[str, bool]]:
    """`message` (str, or anything as str) as its pieces in order, (text, True) for each
    part marked by `isolated` (its marks removed) and (text, False) for the text between
    them: for a file that says a name's direction its own way (a Word run's w:rtl), where
    the marks would be invisible characters. Empty pieces are left out. Never raises."""
    parts = _ISOLATED.split(str(message))
    # split() alternates the text between marks and the text inside them.
    return [(part, bool(i % 2)) for i, part in enumerate(parts) if part]


def right_to_left(text: str) -> bool:
    """Whether `text` reads right to left as an isolate would lay it out: its first letter
    of a strong direction is Hebrew or Arabic (Unicode's bidi classes R and AL; the rule of
    FIRST STRONG ISOLATE). False for text with no such letter (digits, punctuation)."""
    for letter in text:
        direction = unicodedata.bidirectional(letter)
        if direction in ("L", "R", "AL"):
            return direction != "L"
    return False


def bdi_html(message: object) -> SafeString:
    """`message` (str, or anything as str) escaped, with each part marked by `isolated`
    and each name quoted “…” outside them as `<bdi>…</bdi>` (its text escaped too). Every
    message is escaped, one marked safe too: a message is text, never markup. Never
    raises."""
    parts = _ISOLATED.split(str(message))
    # split() alternates the text between marks and the text inside them, ending with
    # the text after the last mark.
    marked = format_html_join(
        "",
        "{}<bdi>{}</bdi>",
        (
            (_quoted_html(text), name)
            for text, name in zip(parts[0:-1:2], parts[1::2], strict=True)
        ),
    )
    return format_html("{}{}", marked, _quoted_html(parts[-1]))


def _quoted_html(text: str) -> SafeString:
    """`text` escaped, with what stands between “ and ” in `<bdi>`."""
    parts = _QUOTED.split(text)
    quoted = format_html_join(
        "", "{}“<bdi>{}</bdi>”", zip(parts[0:-1:2], parts[1::2], strict=True)
    )
    return format_html("{}{}", quoted, parts[-1])


def bdi_html_led(message: object, name: object) -> SafeString:
    """`bdi_html(message)`, with `name` (a file's name, say) isolated too where the message
    begins with it ("R1.txt: refused: it is empty."): messages kept in the database before
    they reach a page, and printed by commands, that name their subject first, unmarked.
    Never raises."""
    text, name = str(message), str(name or "")
    if name and text.startswith(name):
        text = isolated(name) + text[len(name) :]
    return bdi_html(text)
