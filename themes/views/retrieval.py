"""The retrieval page: a study's excerpts filtered by codes, themes, respondents and the
rest, the filter in the URL; and the result as a .csv or .xlsx file."""

from __future__ import annotations

import hashlib

from django.core.cache import caches
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from core.http import refusal, render_page_or_fragment
from core.processes import ChildFailed
from interviews.access import READ, study_access

from .. import retrieval
from ..filters import RetrievalForm
from ..identifying import unreviewed_refusal
from ..result_rows import rows_html
from .exports import CSV, XLSX, made_apart, not_made

# Excerpts per page: Taguette shows 50; a page of 50 renders in a few milliseconds.
EXCERPTS_PER_PAGE = 50


def _query(request) -> str:
    """The filter's part of the URL, without the page number: for pages and downloads."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _digest(*parts) -> str:
    """A short, plain cache key of `parts` (ints, strings, dicts, lists and tuples of them)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _filters(request, index: retrieval.StudyIndex) -> tuple[retrieval.Filter | None, str, str]:
    """The Filter the URL asks for (None when the form finds it wrong), the filter form's
    HTML, its errors included, and the refusal the results show in its place when it is
    wrong ("" when not): the errors said where it stands (_filter_refused.html, as on the
    Memos and History pages), since their fields are further down the filter's column.

    All three are a function of what the form shows and checks a filter against: the URL's
    filter, the study's slug and attributes, its codes, themes, respondents and questions
    (the choices) and its coders. They are kept in the "retrieval" cache under a digest of
    all of that, so that a write that changes no choice (coding an excerpt, writing a memo)
    does not build the form again (3.5 ms of CPU at the benchmark's default scale). The
    digest is itself kept per revision of the study, filter and coders (memberships are not
    under the revision), so that a reader's "Next" neither digests, parses nor renders the
    form (5 of a later page's 14 ms of CPU).
    """
    study = index.study
    query = _query(request)

    def shown() -> str:
        return _digest(
            query,
            study.slug,
            study.attribute_schema,
            index.coders,
            index.codes,
            index.themes,
            [(respondent["id"], respondent["pseudonym"]) for respondent in index.respondents],
            index.questions,
        )

    revision_key = _digest(query, study.slug, study.attribute_schema, index.coders)
    content = retrieval.revision_cached(
        study, f"retrieval_form:{revision_key}", shown, using="retrieval"
    )
    store, key = caches["retrieval"], f"retrieval_form_shown:{content}"
    found = store.get(key)
    if found is None:
        form = RetrievalForm(request.GET, index=index)
        context = {"form": form, "slug": study.slug}
        valid = form.is_valid()
        found = (
            form.filter() if valid else None,
            render_to_string("themes/retrieval.html#filters", context),
            "" if valid else render_to_string("_filter_refused.html", {"form": form}),
        )
        # Stored at once, not when the transaction commits: the entry is what its key
        # names, whatever the transaction does.
        store.set(key, found)
    return found


@require_safe
@vary_on_headers("HX-Request")
def retrieve(request, slug):
    access = study_access(request, slug, READ)
    index = retrieval.study_index(access.study)
    flt, filters_html, refused_html = _filters(request, index)
    context = {
        "access": access,
        "filters_html": filters_html,
        "refused_html": refused_html,
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
    flt, filters_html, refused_html = _filters(request, index)
    if flt is None:
        return render_page_or_fragment(
            request,
            "themes/retrieval.html",
            "results",
            {
                "access": access,
                "filters_html": filters_html,
                "query": _query(request),
                "refused_html": refused_html,
            },
            status=400,
        )
    # The excerpts' words: not while a listed identifying string is unreviewed in them, or
    # is in a field the file writes.
    refused = unreviewed_refusal(access.study, f"excerpts_{kind}")
    if refused:
        back = f"{reverse('retrieve', args=[slug])}?{_query(request)}"
        return refusal(request, refused, status=409, fallback_url=back)
    # Made apart, as the study's own excerpts (themes.views.exports): the rows of every
    # excerpt (12 MB at the default scale), and openpyxl's cells for the workbook, would
    # stay in the worker. The filter was checked here, on the worker's cached index.
    try:
        body = made_apart(
            "themes.retrieval.retrieved_file",
            study=access.study,
            suffix=f"retrieved.{kind}",
            kwargs={"study": access.study, "index": index, "flt": flt, "kind": kind},
        )
    except ChildFailed:
        return not_made(request, access.study, f"retrieved.{kind}")
    response = HttpResponse(body, content_type=CSV if kind == "csv" else XLSX)
    filename = f"{slugify(access.study.title)[:50] or 'study'}-retrieved.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
