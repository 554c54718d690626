"""The side list of a coding page: one entry per excerpt, in text order.

Built in Python rather than with a template loop for the same reason as the highlights: a
transcript can hold hundreds of excerpts, and a template include per entry costs about a
tenth of a millisecond each. Every piece of user text goes through `escape`, so the one
`mark_safe` is sound (tests/coding/test_fragments.py parses the output).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from django.core.paginator import Page, Paginator
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from .selectors import ExcerptRow

SNIPPET_CHARS = 150
# Entries on one page of the side list: a transcript at the import limits can hold thousands
# of excerpts, and the list of them all would weigh more than the transcript itself.
EXCERPTS_PER_PAGE = 100


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
        chips += '<span class="memo-flag">memo</span>'
    if row.status != "ok":
        label = "words removed" if row.status == "orphaned" else "words changed"
        # No tooltip: the excerpt's panel, which the item opens, says why (its status).
        chips += f'<span class="review-flag">{label}</span>'
    swap = ' hx-swap-oob="true"' if oob else ""
    return (
        f'<li id="ex-{row.id}" data-x="{row.id}" data-start="{row.start}" '
        f'data-end="{row.end}"{swap}>'
        f'<a href="{prefix}{row.id}/" data-x="{row.id}">{escape(snippet(row.text))}</a>'
        f'<span class="chips">{chips}</span></li>'
    )


def render_items(rows: Iterable[ExcerptRow], prefix: str, *, oob: bool = False) -> SafeString:
    return mark_safe("".join(_item(row, prefix, oob) for row in rows))


def key(row: ExcerptRow) -> str:
    """Where an entry stands in text order, as the page's script compares them:
    "start,end,id" (code points)."""
    return f"{row.start},{row.end},{row.id}"


def paged(rows: Sequence[ExcerptRow], page_number, prefix: str) -> dict:
    """One page of the side list: `rows` (all the interview's, in text order) cut into pages
    of EXCERPTS_PER_PAGE; `page_number` is the request's, as text or None (out of range or
    not a number gives the nearest page, as Paginator.get_page does); `prefix` is
    detail_url_prefix's.

    Returns the context of the coding page's `excerpt-side` partial: the page, its entries
    rendered, and what the script needs to keep the list right after edits: the keys
    bounding the page (an entry made outside them belongs to another page) and how many
    excerpts the other pages hold (the heading counts them all).
    """
    page: Page = Paginator(rows, EXCERPTS_PER_PAGE, allow_empty_first_page=True).get_page(
        page_number
    )
    first, last = page.start_index() - 1, page.end_index()
    return {
        "excerpt_page": page,
        "excerpt_items": render_items(page.object_list, prefix),
        "excerpt_count": len(rows),
        "excerpts_after": key(rows[first - 1]) if first > 0 else "",
        "excerpts_before": key(rows[last]) if last < len(rows) else "",
        "excerpts_elsewhere": len(rows) - len(page.object_list),
    }
