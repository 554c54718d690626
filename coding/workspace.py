"""What the coding page shows, and what an edit of an excerpt sends back to it.

The page is rendered whole once; after that every edit answers with only what changed: the
transcript lines the edit touched, the excerpt's entry in the side list, the detail panel and
a message, all as htmx out-of-band swaps. Both paths render from the same functions and
partials, so a line after an edit is the line a reload would show.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.template.loader import render_to_string

from interviews.models import Interview
from interviews.turns import turns_from_json

from .highlight import Marker, lines_of, lines_touching, render_lines_oob, render_transcript
from .models import Excerpt
from .selectors import ExcerptRow, code_rows, excerpt_row, excerpt_rows, next_excerpt_id


def page_context(access, interview: Interview) -> dict:
    """Everything the coding page needs, in a fixed number of queries."""
    codes = code_rows(access.study)
    excerpts = excerpt_rows(interview, codes)
    markers = [
        Marker(segment.start, segment.question.number, segment.question.text)
        for segment in interview.segments.select_related("question").order_by("start")
    ]
    lines = lines_of(interview.text, turns_from_json(interview.turns))
    siblings = list(
        access.study.interviews.order_by(
            "respondent__pseudonym", "conducted_on", "id"
        ).values_list("id", "respondent__pseudonym")
    )
    position = [sibling[0] for sibling in siblings].index(interview.pk)
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
        "excerpts": excerpts,
        "codes": _code_tree(codes),
        "previous": siblings[position - 1] if position > 0 else None,
        "next": siblings[position + 1] if position + 1 < len(siblings) else None,
    }


def _code_tree(codes) -> list[tuple]:
    """(code, depth) in tree order, for the code picker."""
    children: dict[int | None, list] = {}
    for code in codes.values():
        children.setdefault(code.parent_id if code.parent_id in codes else None, []).append(code)
    tree: list[tuple] = []

    def walk(parent_id, depth):
        for code in children.get(parent_id, []):
            tree.append((code, depth))
            walk(code.id, depth + 1)

    walk(None, 0)
    return tree


def changes_html(
    request,
    access,
    interview: Interview,
    ranges: Iterable[tuple[int, int]],
    *,
    changed: Iterable[int] = (),
    added: Excerpt | None = None,
    removed: Iterable[int] = (),
    detail: Excerpt | None = None,
    message: str = "",
    level: str = "success",
    undo_url: str = "",
    codes_changed: bool = False,
) -> str:
    """The out-of-band swaps that bring an open coding page up to date after an edit."""
    codes = code_rows(access.study)
    all_lines = lines_of(interview.text, turns_from_json(interview.turns))
    touched = {}
    for start, end in ranges:
        for line in lines_touching(all_lines, start, end):
            touched[line.start] = line
    lines = [touched[key] for key in sorted(touched)]
    rows: list[ExcerptRow] = []
    if lines:
        rows = excerpt_rows(interview, codes, start=lines[0].start, end=lines[-1].end)
    by_id = {row.id: row for row in rows}
    changed_rows = [by_id[pk] for pk in changed if pk in by_id]
    added_row, before = None, None
    if added is not None:
        added_row = by_id.get(added.pk) or excerpt_row(added, codes)
        before = next_excerpt_id(interview, added_row)
    context = {
        "access": access,
        "interview": interview,
        "lines_html": render_lines_oob(interview.text, lines, [row.span for row in rows]),
        "changed_rows": changed_rows,
        "added_row": added_row,
        "added_before": before,
        "removed": list(removed),
        "detail": excerpt_row(detail, codes) if detail is not None else None,
        "detail_excerpt": detail,
        "excerpt_count": Excerpt.objects.filter(interview=interview).count(),
        "message": message,
        "level": level,
        "undo_url": undo_url,
        "codes": _code_tree(codes) if codes_changed else None,
    }
    return render_to_string("coding/_changes.html", context, request=request)
