"""What the coding page shows, and what an edit of an excerpt sends back to it.

The page is rendered whole once; after that every edit answers with only what changed: the
transcript lines the edit touched, the excerpt's entry in the side list, the detail panel and
a message, all as htmx out-of-band swaps. Both paths render from the same functions and
partials, so a line after an edit is the line a reload would show.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.template.loader import render_to_string

from core.naming import tree_order
from interviews.models import Interview
from interviews.turns import turns_from_json, turns_of

from . import sidelist
from .highlight import Marker, lines_of, margin_window, render_lines_oob, render_transcript
from .models import Excerpt
from .selectors import (
    CodeRow,
    ExcerptRow,
    code_rows,
    excerpt_bounds,
    excerpt_row,
    excerpt_rows,
    excerpt_rows_coded,
    question_markers,
    respondent_of,
    sibling_interviews,
)


def page_context(access, interview: Interview, page_number=None) -> dict:
    """Everything the coding page needs, in a fixed number of queries; the side list shows
    the page `page_number` of the excerpts (sidelist.paged)."""
    codes = code_rows(access.study)
    excerpts = excerpt_rows(interview, codes)
    markers = [Marker(*row) for row in question_markers(interview)]
    lines = lines_of(interview.text, turns_from_json(interview.turns))
    siblings = sibling_interviews(access.study)
    position = [sibling[0] for sibling in siblings].index(interview.pk)
    interview.respondent = respondent_of(interview)
    return {
        "access": access,
        "study": access.study,
        "interview": interview,
        "respondent": interview.respondent,
        "attributes": [
            (name, interview.respondent.attributes.get(name))
            for name in access.study.attribute_names
            if interview.respondent.attributes.get(name) not in (None, "")
        ],
        "transcript_html": render_transcript(
            interview.text, lines, [row.span for row in excerpts], markers
        ),
        **sidelist.paged(excerpts, page_number, sidelist.detail_url_prefix(access.study.slug)),
        "code_tree": _code_tree(codes) if access.can_write else (),
        "previous": siblings[position - 1] if position > 0 else None,
        "next": siblings[position + 1] if position + 1 < len(siblings) else None,
    }


def side_context(access, interview: Interview, page_number) -> dict:
    """What the side list's page `page_number` needs alone (paging through it), in two
    queries: the codes and the excerpts."""
    excerpts = excerpt_rows(interview, code_rows(access.study))
    prefix = sidelist.detail_url_prefix(access.study.slug)
    return {"access": access, "interview": interview} | sidelist.paged(
        excerpts, page_number, prefix
    )


# The panel, the picker's options and its warning are partials of the coding page, rendered
# alone for the answers to edits. They were built in Python for a while: measured with timeit
# on a realistic excerpt, the templates cost a fraction of a millisecond more (see the commit
# that brought them back), and a template escapes user text without anyone having to.
PAGE = "coding/interview.html"


def detail_html(
    access,
    row: ExcerptRow | None,
    excerpt: Excerpt | None,
    *,
    oob: bool = False,
    memo_draft: str | None = None,
) -> str:
    """The excerpt panel for `row` (the excerpt as the page shows it) and `excerpt` (its
    model, for the status, the previous words and who coded it when); with no row, the
    empty panel. `memo_draft` is a memo the user was writing when someone else saved one:
    it stays in the box, beside a note of the memo saved meanwhile."""
    context = {
        "access": access,
        "panel_row": row if excerpt is not None else None,
        "panel_excerpt": excerpt,
        "oob": oob,
        "memo_draft": memo_draft,
    }
    return render_to_string(f"{PAGE}#excerpt-detail", context)


def options_html(tree: list[tuple], *, oob: bool = False) -> str:
    """The picker's list of codes; `tree` holds (code row, depth) in tree order."""
    return render_to_string(f"{PAGE}#code-options", {"code_tree": tree, "oob": oob})


def near_duplicate_html(name: str, similar: list[CodeRow]) -> str:
    """The picker's warning (swapped out of band into #picker-warning): `name` looks like
    the codes `similar`; a button for each of them and one to make `name` all the same."""
    context = {"typed": name, "similar": similar, "oob": True}
    return render_to_string(f"{PAGE}#picker-warning", context)


def _code_tree(codes) -> list[tuple]:
    """(code, depth) in tree order, for the code picker."""
    return tree_order(list(codes.values()), id_of=lambda c: c.id, parent_of=lambda c: c.parent_id)


def changes_html(
    request,
    access,
    interview: Interview,
    ranges: Iterable[tuple[int, int]],
    *,
    codes: dict | None = None,
    changed: Iterable[int] = (),
    added: Excerpt | None = None,
    removed: Iterable[int] = (),
    detail: Excerpt | None = None,
    message: str = "",
    level: str = "success",
    undo_url: str = "",
    codes_changed: bool = False,
    bounds: Iterable[Sequence[int]] | None = None,
) -> str:
    """The out-of-band swaps that bring an open coding page up to date after an edit.

    Written for the hot path (coding a selection): only the lines the edit touched are
    split and rendered, and the excerpts they show come in one query with their codes
    (the study's `codes`, code_rows', are read only when not given and needed: for an
    excerpt the redrawn lines do not show, or for the picker's options when
    `codes_changed`). `bounds` are the (start, end) in code points of the
    interview's live excerpts as they now are, when the edit read them already (see
    services.Held); else they are read here. The side list keeps itself in text order and
    counts its entries in the browser.

    The lines redrawn are those the edit touched, widened to whole clusters of overlapping
    excerpts: an excerpt keeps one lane of the coding margin over all its lines, and an
    edit can move the lanes of every excerpt it overlaps, directly or through others.
    """
    turns = turns_of(interview)
    if bounds is None:
        bounds = excerpt_bounds(interview)
    touched: dict[int, object] = {}
    for start, end in ranges:
        window = margin_window(interview.text, bounds, start, end)
        for line in lines_of(interview.text, turns, window):
            touched[line.start] = line
    lines = [touched[key] for key in sorted(touched)]
    rows: list[ExcerptRow] = []
    if lines:
        rows = excerpt_rows_coded(interview, start=lines[0].start, end=lines[-1].end)
    by_id = {row.id: row for row in rows}

    def study_codes() -> dict:
        nonlocal codes
        if codes is None:
            codes = code_rows(access.study)
        return codes

    def row_of(excerpt: Excerpt) -> ExcerptRow:
        return by_id.get(excerpt.pk) or excerpt_row(excerpt, study_codes())

    removed = list(removed)
    # The panel shows the excerpt edited, and empties when its excerpt was removed.
    panel = ""
    if detail is not None:
        panel = detail_html(access, row_of(detail), detail, oob=True)
    elif removed:
        panel = detail_html(access, None, None, oob=True)
    prefix = sidelist.detail_url_prefix(access.study.slug)
    context = {
        "lines_html": render_lines_oob(interview.text, lines, [row.span for row in rows]),
        "changed_items": sidelist.render_items(
            [by_id[pk] for pk in changed if pk in by_id], prefix, oob=True
        ),
        "added_item": sidelist.render_items([row_of(added)], prefix) if added else "",
        "removed": removed,
        "detail_html": panel,
        "message": message,
        "level": level,
        "undo_url": undo_url,
        "code_options": (
            options_html(_code_tree(study_codes()), oob=True) if codes_changed else ""
        ),
    }
    return render_to_string("coding/_changes.html", context, request=request)
