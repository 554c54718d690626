"""Matrices of codes or themes by respondent, question, attribute value or code; each cell
opens its excerpts on the retrieval page; each matrix downloads as .xlsx."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from core.http import render_page_or_fragment
from core.processes import ChildFailed
from interviews.access import READ, study_access

from .. import matrices, retrieval
from ..filters import MatrixForm
from .exports import XLSX, made_apart, not_made


def _matrix(request, slug):
    """(access, form, the matrix or None when the form is invalid)."""
    access = study_access(request, slug, READ)
    index = retrieval.study_index(access.study)
    form = MatrixForm(request.GET, index=index)
    if not form.is_valid():
        return access, form, None
    data = form.cleaned_data
    matrix = matrices.build(
        index, rows=data["rows"], by=data["by"], count=data["count"], attribute=data["attribute"]
    )
    return access, form, matrix


@require_safe
@vary_on_headers("HX-Request")
def matrix(request, slug):
    access, form, found = _matrix(request, slug)
    context = {"access": access, "form": form, "matrix": found, "query": request.GET.urlencode()}
    if found is not None:
        context["table"] = matrices.render(
            found,
            by=form.cleaned_data["by"],
            retrieve_url=reverse("retrieve", args=[access.study.slug]),
        )
    return render_page_or_fragment(request, "themes/matrices.html", "matrix", context)


@require_safe
def matrix_download(request, slug):
    """The matrix of the URL's choices as an .xlsx workbook; a reviewer may download too.
    A matrix that counts nothing for a reason (Matrix.why_empty: by question, with no
    protocol or none marked) is not a workbook: the address goes to the Matrices page of
    the same choices, which says why in the matrix's place."""
    access, form, found = _matrix(request, slug)
    if found is None:
        context = {"access": access, "form": form, "matrix": None}
        return render_page_or_fragment(
            request, "themes/matrices.html", "matrix", context, status=400
        )
    if found.why_empty:
        # A bookmarked link once offered the workbook: a sheet of code names with no
        # question columns, and no reason. The page says the reason, once.
        page = reverse("matrix", args=[slug])
        return redirect(f"{page}?{request.GET.urlencode()}" if request.GET else page)
    columns, rows = matrices.table(found)
    # Made apart, as every .xlsx (themes.views.exports): openpyxl stays out of the worker.
    try:
        body = made_apart(
            "themes.tables.rows_xlsx",
            study=access.study,
            suffix="matrix .xlsx",
            kwargs={
                "sheet": found.title,
                "rows": rows,
                "columns": [f"{columns[0]} ({found.count})", *columns[1:]],
            },
        )
    except ChildFailed:
        return not_made(request, access.study, "matrix .xlsx")
    response = HttpResponse(body, content_type=XLSX)
    filename = f"{slugify(access.study.title)[:50] or 'study'}-{slugify(found.title)}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
