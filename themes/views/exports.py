"""Downloads: the findings and the codebook as Word documents, tables for spreadsheets."""

from __future__ import annotations

import logging

from django.http import HttpResponse
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from core.http import refusal
from interviews.access import READ, study_access

from ..charts import ChartError

logger = logging.getLogger(__name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

# what: (the function that makes the file, its name after the study's, its media type).
# The functions are named, and imported on the first download: python-docx and openpyxl
# weigh 16 MB in a worker, which one that never serves a download need not hold.
DOWNLOADS = {
    "findings": ("themes.exports.findings_docx", "findings.docx", DOCX),
    "codebook": ("themes.exports.codebook_docx", "codebook.docx", DOCX),
    "memos_docx": ("themes.exports.memos_docx", "memos.docx", DOCX),
    "excerpts_csv": ("themes.tables.excerpts_csv", "excerpts.csv", CSV),
    "excerpts_xlsx": ("themes.tables.excerpts_xlsx", "excerpts.xlsx", XLSX),
    "matrix_xlsx": ("themes.tables.matrix_xlsx", "matrix.xlsx", XLSX),
}


def download_name(study, suffix: str) -> str:
    """ "harm-reduction-findings.docx": a download's file name, from the study's title."""
    return f"{slugify(study.title)[:50] or 'study'}-{suffix}"


@require_safe
def download(request, slug, what):
    """A study's file; reviewers may download too (reading is all it is)."""
    access = study_access(request, slug, READ)
    make, suffix, content_type = DOWNLOADS[what]
    # The findings take a methods appendix when its box is ticked.
    options = {"methods": True} if what == "findings" and request.GET.get("methods") else {}
    try:
        content = import_string(make)(study=access.study, **options)
    except ChartError:
        # The findings' figures are drawn by a process of their own (themes.charts); when
        # it fails, the document is not half-made without them: the user is told, and the
        # next download tries again.
        logger.exception("The figures of study %s could not be drawn", access.study.pk)
        message = (
            "The findings could not be made: their charts could not be drawn this time. "
            "Nothing was changed; try the download again."
        )
        return refusal(request, message, status=503, fallback_url=reverse("themes", args=[slug]))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{download_name(access.study, suffix)}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
