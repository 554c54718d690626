"""The retrieval page: a study's excerpts filtered by codes, themes, respondents and the
rest, the filter in the URL; and the result as a .csv or .xlsx file."""

from __future__ import annotations

import hashlib

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from core.http import render_page_or_fragment
from interviews.access import READ, study_access

from .. import retrieval, tables
from ..filters import RetrievalForm
from ..result_rows import rows_html
from .exports import CSV, XLSX

# Excerpts per page: Taguette shows 50; a page of 50 renders in a few milliseconds.
EXCERPTS_PER_PAGE = 50


def _query(request) -> str:
    """The filter's part of the URL, without the page number: for pages and downloads."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _filters(request, index: retrieval.StudyIndex) -> tuple[retrieval.Filter | None, str]:
    """The Filter the URL asks for (None when the form finds it wrong) and the filter form's
    HTML, its errors included.

    Both are a function of the URL's filter, the study's revision (its codes, themes,
    respondents and questions, the choices), its slug and attributes, and the coders
    (memberships are not under the revision): computed once per revision for each, so that
    a reader's "Next" neither parses nor renders the form again (5 of a later page's 14 ms of
    CPU at the benchmark's default scale).
    """
    study = index.study
    key = repr((_query(request), study.slug, study.attribute_schema, index.coders))
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]

    def parsed() -> tuple[retrieval.Filter | None, str]:
        form = RetrievalForm(request.GET, index=index)
        flt = form.filter() if form.is_valid() else None
        context = {"form": form, "slug": study.slug}
        return flt, render_to_string("themes/retrieval.html#filters", context)

    return retrieval.revision_cached(study, f"retrieval_form:{digest}", parsed, using="retrieval")


@require_safe
@vary_on_headers("HX-Request")
def retrieve(request, slug):
    access = study_access(request, slug, READ)
    index = retrieval.study_index(access.study)
    flt, filters_html = _filters(request, index)
    context = {
        "access": access,
        "filters_html": filters_html,
        "query": _query(request),
        "filtered": False,
    }
    if flt is not None:
        result = retrieval.cached_result(index, flt)
        page = Paginator(result.ids, EXCERPTS_PER_PAGE).get_page(request.GET.get("page"))
        rows = retrieval.result_rows(index, list(page.object_list))
        context.update(
            result=result,
            page=page,
            rows=rows,
            rows_html=rows_html(rows, slug=access.study.slug),
            filtered=bool(context["query"]),
        )
    return render_page_or_fragment(request, "themes/retrieval.html", "results", context)


@require_safe
def retrieve_download(request, slug, kind):
    """The excerpts of the filter in the URL as a file (`kind` "csv" or "xlsx"), memos
    included; a reviewer may download too. An invalid filter gets the page with its
    errors instead."""
    access = study_access(request, slug, READ)
    index = retrieval.study_index(access.study)
    flt, filters_html = _filters(request, index)
    if flt is None:
        return render_page_or_fragment(
            request,
            "themes/retrieval.html",
            "results",
            {"access": access, "filters_html": filters_html, "query": _query(request)},
            status=400,
        )
    columns, rows = retrieval.export_table(index, flt)
    if kind == "csv":
        response = HttpResponse(tables.rows_csv(rows, columns), content_type=CSV)
    else:
        response = HttpResponse(tables.rows_xlsx("Excerpts", rows, columns), content_type=XLSX)
    filename = f"{slugify(access.study.title)[:50] or 'study'}-retrieved.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
