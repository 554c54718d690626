"""Downloads: the findings and the codebook as Word documents, tables for spreadsheets."""

from __future__ import annotations

import logging

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from core.http import message_for_next_page, refusal
from core.processes import ChildFailed, file_from_child
from interviews.access import READ, study_access

from ..charts import ChartError, findings_figures
from ..identifying import unreviewed_refusal
from ..rollup import study_rollup

logger = logging.getLogger(__name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"

# The longest a download's process may take (the memos of a default-scale study take about
# 20 s on a loaded machine); a stuck one is stopped and the user told.
EXPORT_TIMEOUT_S = 300
# what: (the function that makes the file, its name after the study's, its media type,
# whether it is made in a process of its own). The functions are named, and imported on
# the first download. The Word documents and the spreadsheets are made by a short-lived
# process (core.processes.file_from_child), so that neither python-docx with lxml (15 MB)
# nor openpyxl (9 MB) nor what building them allocates (tens of MB at the default scale,
# which a worker's heap keeps) stay in the worker (issue 9); starting it costs about a
# second. The findings and the codebook get the worker's cached roll-up and charts
# (from_caches). The excerpts' .csv is made in the worker: the export issue 9 compares
# with Taguette's (12.5 times faster), which a process's start (0.6 s of CPU on an idle
# machine) would eat, for 3 MB it leaves in the worker at the default scale (core.memory
# gives back what a download freed).
DOWNLOADS = {
    "findings": ("themes.exports.findings_docx", "findings.docx", DOCX, True),
    "codebook": ("themes.exports.codebook_docx", "codebook.docx", DOCX, True),
    "memos_docx": ("themes.exports.memos_docx", "memos.docx", DOCX, True),
    "excerpts_csv": ("themes.tables.excerpts_csv", "excerpts.csv", CSV, False),
    "excerpts_xlsx": ("themes.tables.excerpts_xlsx", "excerpts.xlsx", XLSX, True),
    "matrix_xlsx": ("themes.tables.matrix_xlsx", "matrix.xlsx", XLSX, True),
}


def from_caches(what: str, study) -> dict:
    """The keyword arguments a download takes from this worker's caches, for the process
    that makes it (pickled; about 1 MB at the default scale): the roll-up for the findings
    (themes.rollup.study_rollup, cached per revision of the study), and
    the findings' charts with their PNGs (themes.charts.findings_figures: cached, drawn by
    a drawing process on a miss), the roll-up alone for the codebook and the themes by
    respondent (whose refusal read it already). {} for the other downloads. Without them
    the process would compute the roll-up again (about 0.5 s at the default scale) and
    start a drawing process of its own. Raises ChartError when the charts cannot be
    drawn."""
    if what not in ("findings", "codebook", "matrix_xlsx"):
        return {}
    rollup = study_rollup(study)
    if what != "findings":
        return {"rollup": rollup}
    return {"rollup": rollup, "figures": findings_figures(study, rollup)}


def download_name(study, suffix: str) -> str:
    """ "harm-reduction-findings.docx": a download's file name, from the study's title."""
    return f"{slugify(study.title)[:50] or 'study'}-{suffix}"


def made_apart(function: str, *, study, suffix: str, kwargs: dict, refusals=()) -> bytes:
    """The bytes of `function(**kwargs)`, a file of `study`, made by a short-lived process
    (core.processes.file_from_child; in this one inside a transaction). Raises one of
    `refusals` as the function raised it, ChildFailed when the process failed or took over
    EXPORT_TIMEOUT_S seconds (answer it with `not_made`)."""
    return file_from_child(
        function,
        kwargs=kwargs,
        refusals=refusals,
        timeout=EXPORT_TIMEOUT_S,
        doing=f"Making {suffix} of study {study.pk}",
        error=ChildFailed,
    )


def not_made(request, study, suffix: str) -> HttpResponse:
    """The answer to a download whose process failed (ChildFailed, being handled): logged
    with the process's stderr, and the user told in words, back on the themes page."""
    logger.exception("The %s of study %s could not be made", suffix, study.pk)
    message = (
        f"The {suffix} file could not be made this time. Nothing was changed; "
        "try the download again."
    )
    return refusal(request, message, status=503, fallback_url=reverse("themes", args=[study.slug]))


@require_safe
def download(request, slug, what):
    """A study's file; reviewers may download too (reading is all it is). One that quotes
    the transcripts is refused, back on the themes page, while the de-identification
    list has unreviewed strings in them; any, while a field it writes holds a listed
    string (themes.identifying.unreviewed_refusal)."""
    access = study_access(request, slug, READ)
    make, suffix, content_type, apart = DOWNLOADS[what]
    refused = unreviewed_refusal(access.study, what)
    if refused:
        return refusal(request, refused, status=409, fallback_url=reverse("themes", args=[slug]))
    if what == "matrix_xlsx" and (why := study_rollup(access.study).why_no_matrix):
        # With no theme (or no counted respondent) the workbook was a sheet of one header
        # row, with no reason; the themes page says why instead, as the Matrices page does.
        message_for_next_page(request, f"Themes by respondent: nothing to count: {why}.", "info")
        return redirect("themes", slug)
    # The findings take a methods appendix when its box is ticked: its value, "1", and no
    # other (methods=0 in a link is not a tick).
    ticked = request.GET.get("methods") == "1"
    options = {"methods": True} if what == "findings" and ticked else {}
    try:
        if apart:
            kwargs = {"study": access.study, **options, **from_caches(what, access.study)}
            content = made_apart(make, study=access.study, suffix=suffix, kwargs=kwargs)
        else:
            content = import_string(make)(study=access.study, **options)
    except ChildFailed:
        return not_made(request, access.study, suffix)
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
