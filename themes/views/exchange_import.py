"""Importing from other tools: a REFI-QDA project as a new study, a codebook into a study.

The file is read and written in the request (one transaction: all of it or nothing) and
the page then shows what was made and every item dropped or adjusted on the way.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.views.decorators.http import require_http_methods

from core.bidi import isolated
from core.http import posted, render_page_or_fragment
from interviews.access import CREATE_REFUSAL, WRITE, can_create_studies, study_access
from interviews.text import ImportRejected

from ..exchange.qdpx_import import codebook_import, study_import_qdpx
from ..forms import ExchangeImportForm

TEMPLATE = "themes/exchange_import.html"


def _form(request) -> ExchangeImportForm:
    # Bound on every POST, an empty one too: it must say that the file is missing.
    data = posted(request)
    return ExchangeImportForm(data, request.FILES if data is not None else None)


def _run(form: ExchangeImportForm, importing):
    """The ImportReport of `importing(name=, raw=)` on the form's file, or None with the
    refusal on the form's file field."""
    upload = form.cleaned_data["file"]
    try:
        return importing(name=upload.name, raw=upload.read())
    except ImportRejected as rejected:
        form.add_error("file", f"{isolated(upload.name)}: {rejected}. Nothing was imported.")
    except ValidationError as invalid:
        form.add_error(
            "file",
            f"{isolated(upload.name)}: {' '.join(invalid.messages)} Nothing was imported.",
        )
    return None


def _page(request, access, importing):
    """The import page: the form, and after a POST the report (or the refusal)."""
    form = _form(request)
    report = None
    if request.method == "POST" and form.is_valid():
        report = _run(form, importing)
    context = {"form": form, "report": report, "access": access}
    return render_page_or_fragment(request, TEMPLATE, "import-section", context)


@require_http_methods(["GET", "HEAD", "POST"])
def project_import(request):
    """A REFI-QDA project as a new study that the user owns (who may create studies)."""
    if not can_create_studies(request.user):
        raise PermissionDenied(CREATE_REFUSAL)
    return _page(request, None, lambda **file: study_import_qdpx(owner=request.user, **file))


@require_http_methods(["GET", "HEAD", "POST"])
def codebook_upload(request, slug):
    """A codebook merged into the study by name (owners and coders, as codes are made)."""
    access = study_access(request, slug, WRITE)
    return _page(request, access, lambda **file: codebook_import(study=access.study, **file))
