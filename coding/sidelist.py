"""The side list of a coding page: one entry per excerpt, in text order.

Built in Python rather than with a template loop for the same reason as the highlights: a
transcript can hold hundreds of excerpts, and a template include per entry costs about a
tenth of a millisecond each. Every piece of user text goes through `escape`, so the one
`mark_safe` is sound (tests/coding/test_fragments.py parses the output).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from .selectors import ExcerptRow

SNIPPET_CHARS = 150


def snippet(text: str) -> str:
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"


def url_prefix(name: str, slug: str) -> str:
    """The URL `name` of the study `slug` up to the trailing id, computed once per page
    instead of once per entry."""
    return reverse(name, args=[slug, 0]).removesuffix("0/")


def detail_url_prefix(slug: str) -> str:
    return url_prefix("excerpt_detail", slug)


def chip(code) -> str:
    """A code's name in its colour."""
    return f'<span class="chip c-{code.colour}">{escape(code.name)}</span>'


def _item(row: ExcerptRow, prefix: str, oob: bool) -> str:
    chips = (
        "".join(chip(code) for code in row.codes) or '<span class="chip c-none">No codes</span>'
    )
    if row.memo:
        chips += '<span class="memo-flag" title="Has a memo">memo</span>'
    if row.status != "ok":
        label = "words removed" if row.status == "orphaned" else "words changed"
        chips += (
            '<span class="review-flag" title="An edit of the transcript changed it">'
            f"{label}</span>"
        )
    swap = ' hx-swap-oob="true"' if oob else ""
    return (
        f'<li id="ex-{row.id}" data-x="{row.id}" data-start="{row.start}" '
        f'data-end="{row.end}"{swap}>'
        f'<a href="{prefix}{row.id}/" data-x="{row.id}">{escape(snippet(row.text))}</a>'
        f'<span class="chips">{chips}</span></li>'
    )


def render_items(rows: Iterable[ExcerptRow], prefix: str, *, oob: bool = False) -> SafeString:
    return mark_safe("".join(_item(row, prefix, oob) for row in rows))
