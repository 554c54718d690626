"""The REFI-QDA downloads: the study as a .qdpx project, or its codebook as a .qdc."""

from __future__ import annotations

import tempfile

from django.http import FileResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.http import refusal
from interviews.access import OWN, READ, study_access

from ..exchange.qdpx_export import ExportRefused, study_export_qdpx
from ..forms import ExchangeExportForm
from .exports import download_name

# Exports up to this size stay in memory; a bigger one goes to a temporary file.
IN_MEMORY_BYTES = 8 * 1024 * 1024
NO_ROOM = "The server has no room to write the export just now; nothing was exported."
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
    # Written whole before the first byte is sent: a refusal then still has its message,
    # and a download never stops half-way through a file. FileResponse closes it once sent.
    spool = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115
    try:
        study_export_qdpx(
            study=access.study,
            out=spool,
            codebook_only=codebook_only,
            include_identifying=include_identifying,
        )
    except ExportRefused as refused:
        spool.close()
        return refusal(
            request, str(refused), status=409, fallback_url=reverse("themes", args=[slug])
        )
    except OSError:  # the server's temporary space is full; nothing was sent
        spool.close()
        return refusal(request, NO_ROOM, status=503, fallback_url=reverse("themes", args=[slug]))
    spool.seek(0)
    suffix = ".qdc" if codebook_only else ".qdpx"
    name = download_name(access.study, "codebook.qdc" if codebook_only else "project.qdpx")
    response = FileResponse(
        spool, as_attachment=True, filename=name, content_type=MEDIA_TYPES[suffix]
    )
    response["Cache-Control"] = "private, no-store"
    return response
