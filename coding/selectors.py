"""Reads for the coding workspace and the codebook, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from interviews.models import Interview, Study

from .highlight import Span
from .models import Code, Coding, Excerpt


@dataclass(frozen=True)
class CodeRow:
    id: int
    name: str
    colour: str
    parent_id: int | None


@dataclass
class ExcerptRow:
    id: int
    start: int
    end: int
    text: str
    memo: str
    revision: int
    status: str
    codes: list[CodeRow] = field(default_factory=list)

    @property
    def span(self) -> Span:
        colour = self.codes[0].colour if self.codes else "none"
        title = " · ".join(code.name for code in self.codes) or "No codes"
        return Span(self.id, self.start, self.end, colour, title)


def code_rows(study: Study) -> dict[int, CodeRow]:
    """The study's codes in codebook order, keyed by id (one query)."""
    rows = study.codes.order_by("order", "name").values_list("id", "name", "colour", "parent_id")
    return {row[0]: CodeRow(*row) for row in rows}


def excerpt_rows(
    interview: Interview,
    codes: dict[int, CodeRow],
    *,
    start: int | None = None,
    end: int | None = None,
) -> list[ExcerptRow]:
    """The live excerpts of an interview, or those touching `[start, end)`, in text order.

    Two queries whatever the number of excerpts; codes come from `codes` (see code_rows).
    """
    excerpts = Excerpt.objects.filter(interview=interview)
    if start is not None:
        excerpts = excerpts.filter(start__lt=end, end__gt=start)
    rows = {
        row[0]: ExcerptRow(*row)
        for row in excerpts.order_by("start", "end", "id").values_list(
            "id", "start", "end", "text", "memo", "revision", "status"
        )
    }
    if rows:
        codings = Coding.objects.filter(excerpt_id__in=excerpts.values("id")).values_list(
            "excerpt_id", "code_id"
        )
        for excerpt_id, code_id in codings:
            if excerpt_id in rows and code_id in codes:
                rows[excerpt_id].codes.append(codes[code_id])
        order = {code_id: index for index, code_id in enumerate(codes)}
        for row in rows.values():
            row.codes.sort(key=lambda code: order[code.id])
    return list(rows.values())


def excerpt_row(excerpt: Excerpt, codes: dict[int, CodeRow]) -> ExcerptRow:
    row = ExcerptRow(
        excerpt.pk,
        excerpt.start,
        excerpt.end,
        excerpt.text,
        excerpt.memo,
        excerpt.revision,
        excerpt.status,
    )
    ids = set(excerpt.codings.values_list("code_id", flat=True))
    row.codes = [code for code_id, code in codes.items() if code_id in ids]
    return row


def next_excerpt_id(interview: Interview, row: ExcerptRow) -> int | None:
    """The excerpt after `row` in text order: where a new item goes in the side list."""
    later = (
        Q(start__gt=row.start)
        | Q(start=row.start, end__gt=row.end)
        | Q(start=row.start, end=row.end, id__gt=row.id)
    )
    return (
        Excerpt.objects.filter(later, interview=interview)
        .order_by("start", "end", "id")
        .values_list("id", flat=True)
        .first()
    )


@dataclass
class CodeNode:
    code: Code
    depth: int
    excerpts: int = 0
    respondents: int = 0
    children: list[CodeNode] = field(default_factory=list)


def codebook(study: Study) -> list[CodeNode]:
    """The codebook as a flat list in tree order, with usage counts (two queries).

    Counts leave out deleted excerpts and withdrawn respondents, who count nowhere.
    """
    codes = list(study.codes.order_by("order", "name"))
    usage = (
        Coding.objects.filter(
            code__study=study,
            excerpt__deleted_at__isnull=True,
            excerpt__interview__respondent__withdrawn_at__isnull=True,
        )
        .values("code_id")
        .annotate(
            excerpts=Count("excerpt_id", distinct=True),
            respondents=Count("excerpt__interview__respondent_id", distinct=True),
        )
    )
    counts = {row["code_id"]: row for row in usage}
    children = defaultdict(list)
    for code in codes:
        children[code.parent_id].append(code)
    flat: list[CodeNode] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for code in children.get(parent_id, []):
            row = counts.get(code.pk, {})
            flat.append(CodeNode(code, depth, row.get("excerpts", 0), row.get("respondents", 0)))
            walk(code.pk, depth + 1)

    walk(None, 0)
    return flat


def study_overview(study: Study) -> dict:
    """The study's front page: its interviews with their coding progress (3 queries)."""
    interviews = (
        study.interviews.select_related("respondent")
        .defer("text")
        .annotate(
            excerpt_count=Count(
                "excerpts", filter=Q(excerpts__deleted_at__isnull=True), distinct=True
            ),
            segment_count=Count("segments", distinct=True),
        )
        .order_by("respondent__pseudonym", "conducted_on", "id")
    )
    respondents = study.respondents.aggregate(
        total=Count("id"), withdrawn=Count("id", filter=Q(withdrawn_at__isnull=False))
    )
    return {
        "interviews": interviews,
        "respondent_total": respondents["total"],
        "respondent_withdrawn": respondents["withdrawn"],
        "question_count": study.questions.count(),
        "code_count": study.codes.count(),
    }
