"""The theme-by-respondent table of the themes page, built in Python.

With two hundred respondents the table has thousands of cells; a template loop spent a
tenth of a second on them. Theme names and pseudonyms are escaped.
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

from .rollup import RollUp


def render_matrix(rollup: RollUp) -> SafeString:
    head = "".join(
        f'<th scope="col" class="num">{escape(r["pseudonym"])}</th>' for r in rollup.respondents
    )
    rows = []
    for summary, counts in rollup.matrix_rows():
        cells = "".join(
            f'<td class="num hit">{count}</td>' if count else '<td class="num"></td>'
            for count in counts
        )
        rows.append(
            f'<tr><th scope="row" class="depth-{summary.depth}">{escape(summary.name)}</th>'
            f'{cells}<td class="num">{summary.n} of {summary.total}</td></tr>'
        )
    return mark_safe(
        '<table class="grid matrix-table"><thead><tr><th scope="col">Theme</th>'
        f'{head}<th scope="col" class="num">n of N</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
