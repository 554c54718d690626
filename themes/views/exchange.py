"""The REFI-QDA downloads: the study as a .qdpx project, or its codebook as a .qdc."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.http import refusal
from core.processes import ChildFailed
from interviews.access import OWN, READ, study_access

from ..exchange.qdpx_export import ExportRefused, study_qdpx_bytes
from ..forms import ExchangeExportForm
from .exports import download_name, made_apart, not_made

MEDIA_TYPES = {".qdpx": "application/zip", ".qdc": "application/xml"}


@require_safe
def exchange_download(request, slug, codebook_only):
    """The study as REFI-QDA; reviewers may download too, as every export. Ticking
    "include text that is not de-identified" is an owner's choice (403 for others); a
    refused export (identifying strings unreviewed, a codebook of no codes) comes back
    to the themes page with the reason."""
    access = study_access(request, slug, READ)
    form = ExchangeExportForm(request.GET)
    include_identifying = form.is_valid() and form.cleaned_data["identifying"]
    if include_identifying:
        access.require(OWN)
    suffix = ".qdc" if codebook_only else ".qdpx"
    # Written whole before the first byte is sent: a refusal then still has its message,
    # and a download never stops half-way through a file. A project is made in a process
    # of its own, as the excerpts' downloads are (themes.views.exports): its XML and ZIP
    # at the default scale would leave their memory in the worker; a codebook is small.
    options = {"codebook_only": codebook_only, "include_identifying": include_identifying}
    try:
        if codebook_only:
            content = study_qdpx_bytes(study=access.study, **options)
        else:
            content = made_apart(
                "themes.exchange.qdpx_export.study_qdpx_bytes",
                study=access.study,
                suffix=suffix,
                kwargs={"study": access.study, **options},
                refusals=(ExportRefused,),
            )
    except ExportRefused as refused:
        return refusal(
            request, str(refused), status=409, fallback_url=reverse("themes", args=[slug])
        )
    except ChildFailed:
        return not_made(request, access.study, suffix)
    response = HttpResponse(content, content_type=MEDIA_TYPES[suffix])
    name = download_name(access.study, "codebook.qdc" if codebook_only else "project.qdpx")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
