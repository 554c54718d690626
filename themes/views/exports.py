"""Downloads: the findings and the codebook as Word documents, tables for spreadsheets."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from interviews.access import READ, study_access

from .. import exports, tables

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _name(access, what: str, suffix: str) -> str:
    return f"{slugify(access.study.title)[:50] or 'study'}-{what}.{suffix}"


@require_GET
def findings(request, slug):
    access = study_access(request, slug, READ)
    content = exports.findings_docx(study=access.study)
    return _download(content, _name(access, "findings", "docx"), DOCX)


@require_GET
def codebook(request, slug):
    access = study_access(request, slug, READ)
    content = exports.codebook_docx(study=access.study)
    return _download(content, _name(access, "codebook", "docx"), DOCX)


@require_GET
def excerpts_csv(request, slug):
    access = study_access(request, slug, READ)
    content = tables.excerpts_csv(study=access.study)
    return _download(content, _name(access, "excerpts", "csv"), "text/csv; charset=utf-8")


@require_GET
def excerpts_xlsx(request, slug):
    access = study_access(request, slug, READ)
    content = tables.excerpts_xlsx(study=access.study)
    return _download(content, _name(access, "excerpts", "xlsx"), XLSX)


@require_GET
def matrix_xlsx(request, slug):
    access = study_access(request, slug, READ)
    content = tables.matrix_xlsx(study=access.study)
    return _download(content, _name(access, "matrix", "xlsx"), XLSX)
