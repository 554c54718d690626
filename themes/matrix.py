"""The theme-by-respondent table of the themes page, built in Python.

With two hundred respondents the table has thousands of cells; a template loop spent a
tenth of a second on them. Theme names and pseudonyms are escaped.
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

from .rollup import RollUp


def render_matrix(
    rollup: RollUp, retrieve_url: str = "", labelled_by: str = "matrix-title"
) -> SafeString:
    """The table; with `retrieve_url` (the study's retrieval page) each count links to its
    excerpts there, filtered by the theme and the respondent; a cell whose excerpts hold
    only the interviewer's words is "0" with its link and the note (interviewer_note).
    Its name is the page's heading of it, the element of id `labelled_by`
    (aria-labelledby)."""
    head = "".join(
        f'<th scope="col" class="num">{escape(r["pseudonym"])}</th>' for r in rollup.respondents
    )
    rows = []
    for summary, counts, left_out in rollup.matrix_rows():
        cells = "".join(
            f'<td class="num hit">{_count(count, alone, retrieve_url, summary.id, respondent)}'
            "</td>"
            if count or alone
            else '<td class="num"></td>'
            for count, alone, respondent in zip(counts, left_out, rollup.respondents, strict=True)
        )
        rows.append(
            f'<tr><th scope="row" class="depth-{summary.depth}">{escape(summary.name)}</th>'
            f'{cells}<td class="num">{summary.n} of {summary.total}</td></tr>'
        )
    return mark_safe(
        f'<table class="grid matrix-table" aria-labelledby="{escape(labelled_by)}">'
        '<thead><tr><th scope="col">Theme</th>'
        f'{head}<th scope="col" class="num">n of N</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def interviewer_note(n: int) -> str:
    """The note a matrix cell carries after its count for the `n` excerpts its link finds
    that hold only the interviewer's words and count for no respondent (themes.rollup's
    rule): "" for none. A cell of such excerpts alone reads "0 · 1 in the interviewer’s
    words", a link to them, not an empty cell that hides them."""
    if not n:
        return ""
    # Non-breaking spaces and nowrap: a count is never broken over lines (its row stays
    # as tall as its name), the note stays on the count's line.
    return f'\u00a0<small class="interviewer-words">·\u00a0{n} in the interviewer’s words</small>'


def _count(count: int, alone: int, retrieve_url: str, theme_id: int, respondent: dict) -> str:
    """The cell's count, with the note of the `alone` excerpts of the interviewer's words
    it does not count; a link to them all with `retrieve_url`."""
    if not retrieve_url:
        return f"{count}{interviewer_note(alone)}"
    # Both ids are integers: nothing to quote or escape, and urlencode per cell took half
    # of the table's time (4,000 cells at the benchmark's default scale). The "&" is
    # written as the entity, as escape() wrote it.
    query = f"theme={theme_id:d}&amp;respondent={respondent['id']:d}"
    return f'<a href="{retrieve_url}?{query}">{count}{interviewer_note(alone)}</a>'
