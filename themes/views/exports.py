"""Downloads: the findings and the codebook as Word documents, tables for spreadsheets."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from interviews.access import READ, study_access

from .. import exports, tables

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

# what: (the function that makes the file, its name after the study's, its media type)
DOWNLOADS = {
    "findings": (exports.findings_docx, "findings.docx", DOCX),
    "codebook": (exports.codebook_docx, "codebook.docx", DOCX),
    "excerpts_csv": (tables.excerpts_csv, "excerpts.csv", CSV),
    "excerpts_xlsx": (tables.excerpts_xlsx, "excerpts.xlsx", XLSX),
    "matrix_xlsx": (tables.matrix_xlsx, "matrix.xlsx", XLSX),
}


@require_safe
def download(request, slug, what):
    """A study's file; reviewers may download too (reading is all it is)."""
    access = study_access(request, slug, READ)
    make, suffix, content_type = DOWNLOADS[what]
    response = HttpResponse(make(study=access.study), content_type=content_type)
    filename = f"{slugify(access.study.title)[:50] or 'study'}-{suffix}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
