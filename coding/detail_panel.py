"""The excerpt panel of the coding page: the open excerpt's words, codes, memo and actions.

Built in Python rather than as a template partial because it is part of the answer to every
edit, coding a selection above all, where the partial took 0.9 ms of a 6 ms request. Every
piece of user text goes through `escape`, so the one `mark_safe` is sound
(tests/coding/test_fragments.py parses the output).
"""

from __future__ import annotations

from html import escape

from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime

from .models import Excerpt
from .selectors import ExcerptRow
from .sidelist import chip

EMPTY = (
    '<p class="hint">Click a highlight, or pick an excerpt below, to see its codes and memo.</p>'
)


def render_detail(
    access,
    row: ExcerptRow | None,
    excerpt: Excerpt | None,
    *,
    oob: bool = False,
    memo_draft: str | None = None,
) -> SafeString:
    """The panel for `row` (the excerpt as the page shows it) and `excerpt` (its model, for
    the status, the previous words and who coded it when); with no row, the empty panel.

    `memo_draft` is a memo the user was writing when someone else saved one: it stays in the
    box, beside a note of the memo saved meanwhile.
    """
    swap = ' hx-swap-oob="true"' if oob else ""
    if row is None or excerpt is None:
        body, data = EMPTY, ""
    else:
        body, data = _body(access, row, excerpt, memo_draft), f' data-x="{row.id}"'
    return mark_safe(
        f'<section id="excerpt-detail" class="detail" aria-label="Selected excerpt"{swap}{data}>'
        f"{body}</section>"
    )


def _body(access, row: ExcerptRow, excerpt: Excerpt, memo_draft: str | None) -> str:
    slug, can_write = access.study.slug, access.can_write
    parts = [
        '<header class="detail-head"><h2>Excerpt</h2>'
        '<button type="button" class="icon" data-action="close-detail" aria-label="Close">×'
        "</button></header>",
        f'<blockquote class="quote">{escape(Truncator(row.text).chars(700))}</blockquote>',
    ]
    if row.status != "ok":
        parts.append(_review_note(slug, row, excerpt, can_write))
    parts.append(_codes(slug, row, can_write))
    if can_write:
        parts.append(_editing(slug, row, memo_draft))
    elif row.memo:
        parts.append(f'<h3>Memo</h3><p class="memo-read">{linebreaksbr(row.memo)}</p>')
    coded = f"Coded {escape(format_date(localtime(excerpt.created_at), 'j M Y'))}"
    if excerpt.coder:
        coded += f" by {escape(excerpt.coder.username)}"
    parts.append(f'<p class="muted small">{coded}</p>')
    return "".join(parts)


def _review_note(slug: str, row: ExcerptRow, excerpt: Excerpt, can_write: bool) -> str:
    note = f'<p class="warn">{escape(excerpt.get_status_display())}: check this excerpt.</p>'
    if excerpt.previous_text:
        before = escape(Truncator(excerpt.previous_text).chars(300))
        note += f'<p class="small">Its words before the edit: <q>{before}</q></p>'
    if can_write and row.status == "changed":
        url = reverse("excerpt_review", args=[slug, row.id])
        note += (
            f'<form hx-post="{url}" hx-swap="none">'
            '<button type="submit">Keep it as it now reads</button></form>'
        )
    elif can_write:
        note += (
            '<p class="small">Select new words for it and press “Set to the selection”, '
            "or delete it.</p>"
        )
    return f'<div class="review-note">{note}</div>'


def _codes(slug: str, row: ExcerptRow, can_write: bool) -> str:
    items = []
    for code in row.codes:
        name = escape(code.name)
        item = chip(code)
        if can_write:
            url = reverse("excerpt_code_remove", args=[slug, row.id, code.id])
            item += (
                f'<button type="button" class="icon" hx-post="{url}" hx-swap="none" '
                f'aria-label="Remove the code {name}">×</button>'
            )
        items.append(f"<li>{item}</li>")
    listed = "".join(items) or '<li class="muted">No codes yet.</li>'
    return f'<ul class="code-list" aria-label="Codes on this excerpt">{listed}</ul>'


def _editing(slug: str, row: ExcerptRow, memo_draft: str | None) -> str:
    memo_url = reverse("excerpt_memo", args=[slug, row.id])
    resize_url = reverse("excerpt_resize", args=[slug, row.id])
    delete_url = reverse("excerpt_delete", args=[slug, row.id])
    meanwhile = ""
    if memo_draft is not None:
        saved = escape(row.memo or "(empty)")
        meanwhile = (
            f'<p class="warn small">Saved meanwhile by someone else: <q>{saved}</q>. Your text '
            "is in the box; saving it replaces theirs.</p>"
        )
    memo = escape(memo_draft if memo_draft is not None else row.memo)
    return (
        '<p><button type="button" data-action="add-code" aria-keyshortcuts="c">'
        "Add a code <kbd>C</kbd></button></p>"
        f'<form class="memo-form" hx-post="{memo_url}" hx-swap="none">'
        f'<label for="memo-{row.id}">Memo</label>{meanwhile}'
        f'<textarea id="memo-{row.id}" name="memo" rows="4" '
        f'placeholder="Why this passage matters, questions for later…">{memo}</textarea>'
        f'<input type="hidden" name="revision" value="{row.revision}">'
        '<button type="submit">Save memo</button></form>'
        '<div class="detail-actions">'
        f'<button type="button" data-action="resize" data-url="{resize_url}" '
        f'data-revision="{row.revision}" title="Select the new extent in the text first">'
        "Set to the selection</button>"
        f'<form hx-post="{delete_url}" hx-swap="none">'
        '<button type="submit" class="danger" data-action-delete aria-keyshortcuts="Delete">'
        "Delete excerpt</button></form></div>"
    )
