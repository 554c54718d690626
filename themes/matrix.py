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
    excerpts there, filtered by the theme and the respondent. Its name is the page's
    heading of it, the element of id `labelled_by` (aria-labelledby)."""
    head = "".join(
        f'<th scope="col" class="num">{escape(r["pseudonym"])}</th>' for r in rollup.respondents
    )
    rows = []
    for summary, counts in rollup.matrix_rows():
        cells = "".join(
            f'<td class="num hit">{_count(count, retrieve_url, summary.id, respondent)}</td>'
            if count
            else '<td class="num"></td>'
            for count, respondent in zip(counts, rollup.respondents, strict=True)
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


def _count(count: int, retrieve_url: str, theme_id: int, respondent: dict) -> str:
    if not retrieve_url:
        return str(count)
    # Both ids are integers: nothing to quote or escape, and urlencode per cell took half
    # of the table's time (4,000 cells at the benchmark's default scale). The "&" is
    # written as the entity, as escape() wrote it.
    query = f"theme={theme_id:d}&amp;respondent={respondent['id']:d}"
    return f'<a href="{retrieve_url}?{query}">{count}</a>'
