"""The retrieval area's measurements: the retrieval page (every page of the biggest code,
and a first page filtered four ways) and two matrices."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from coding.models import Code, Coding
from devtools.benchmark.registry import fill_step, request
from devtools.benchmark.scratch import Scratch
from devtools.benchmark.serving import Browser, Response
from interviews.models import ProtocolQuestion

NEXT_PAGE = b'rel="next"'


@fill_step
def retrieval_filters(scratch: Scratch) -> None:
    """The biggest code without sub-codes (its own excerpts are all its retrieval shows: at
    the default scale, about 740), the second biggest, and the second protocol question."""
    study = scratch.study
    parents = set(
        Code.objects.filter(study=study, parent__isnull=False).values_list("parent_id", flat=True)
    )
    sizes = (
        Coding.objects.filter(code__study=study)
        .exclude(code_id__in=parents)
        .values("code_id")
        .annotate(n=Count("id"))
        .order_by("-n", "code_id")
    )
    biggest = [row["code_id"] for row in sizes[:2]]
    scratch.plan["retrieval_codes"] = biggest
    question = ProtocolQuestion.objects.filter(study=study).order_by("number")[1:2].get()
    scratch.plan["retrieval_question"] = question.pk


def _path(plan: dict, name: str, query: list[tuple]) -> str:
    return f"{reverse(name, args=[plan['slug']])}?{urlencode(query)}"


@request("retrieval_code")
def retrieval_code(browser: Browser, plan: dict, n: int, **headers: str) -> Response:
    """Every page of the biggest code's excerpts, one after the other as a reader clicks
    "Next": the time, queries and pages are the sums, the memory the largest."""
    query = [("code", plan["retrieval_codes"][0])]
    pages: list[Response] = []
    while not pages or NEXT_PAGE in pages[-1].body:
        page = [("page", len(pages) + 1)] if pages else []
        pages.append(browser.get(_path(plan, "retrieve", query + page), **headers))
        if pages[-1].status != 200:
            return pages[-1]
    peaks = [page.peak_mb for page in pages]
    queries = [page.queries for page in pages]
    return Response(
        status=200,
        body=pages[-1].body,
        seconds=sum(page.seconds for page in pages),
        queries=None if None in queries else sum(queries),
        peak_mb=None if None in peaks else max(peaks),
    )


@request("retrieval_filtered")
def retrieval_filtered(browser: Browser, plan: dict, n: int, **headers: str) -> Response:
    """The first page of two codes (either), respondents with 3 or more years of experience,
    and one protocol question."""
    query = [
        *(("code", code_id) for code_id in plan["retrieval_codes"]),
        ("attribute", "Years of experience"),
        ("at_least", 3),
        ("question", plan["retrieval_question"]),
    ]
    return browser.get(_path(plan, "retrieve", query), **headers)


@request("cooccurrence")
def cooccurrence(browser: Browser, plan: dict, n: int, **headers: str) -> Response:
    """The code-by-code co-occurrence matrix, counting excerpts."""
    return browser.get(_path(plan, "matrix", [("by", "code")]), **headers)


@request("matrix_respondent")
def matrix_respondent(browser: Browser, plan: dict, n: int, **headers: str) -> Response:
    """The code-by-respondent matrix, counting excerpts."""
    return browser.get(_path(plan, "matrix", [("by", "respondent")]), **headers)
