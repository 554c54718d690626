"""Export a study as a REFI-QDA project (.qdpx) or its codebook alone (.qdc).

See the package's docstring for what goes where; `study_export_qdpx` is the one entry
point (the browser's download, `manage.py export_qdpx`, the backup's and the round trip's
tests).
"""

from __future__ import annotations

import io
from importlib.metadata import PackageNotFoundError, version
from typing import IO

from interviews import deidentify
from interviews.models import Study

from ..identifying import identifying_refusal, typed_places, typed_refusal
from .archive import Archive
from .codebook import EmptyCodebook, write_qdc
from .guids import StudyGuids
from .left_out import study_left_out
from .project import ProjectWriter, source_path
from .reading import interview_texts, study_content


class ExportRefused(Exception):
    """The export was not made; the message says why, in words for the researcher, and
    nothing was written."""


def origin() -> str:
    """ "Excerpta 0.1.0": the Project's and CodeBook's `origin` (importers branch on it)."""
    try:
        return f"Excerpta {version('excerpta')}"
    except PackageNotFoundError:  # a checkout that was never installed
        return "Excerpta"


def study_export_qdpx(
    *, study: Study, out: IO[bytes], codebook_only: bool = False, include_identifying: bool = False
) -> list[str]:
    """Write `study` as a REFI-QDA project (.qdpx: a ZIP of project.qde and
    sources/<GUID>.txt), or with `codebook_only` its codebook as a .qdc document, to the
    binary stream `out`.

    The same database state always gives the same bytes. GUIDs are the same in every
    export of the study (guids.py). Positions are code points of the UTF-8 source texts,
    end exclusive. Withdrawn respondents and all of theirs are left out. Returns the
    sentences naming what of the study the project does not carry (left_out.py; also in
    the project's Description, for the tool that opens it): [] for a codebook.

    Unless `include_identifying` (the owner's choice; the caller checks the role), a
    project is refused while strings of the study's de-identification list are still
    unreviewed in the transcripts (interviews.deidentify.study_unreviewed_count), or
    typed in a field the project writes, or a withdrawn respondent named or quoted in one
    (themes.identifying.typed_places); a codebook
    while one is typed in a code's or a theme's texts.
    Raises ExportRefused (nothing written to `out`) then, and when a codebook is asked
    of a study without codes. OSError from
    `out` passes through; `out` may then hold part of a file, so callers write to a
    temporary file or buffer and keep it only on success.

    Queries, whatever the study's size: 4 for a codebook (with the list's), 2 more when the
    list is not empty or a respondent withdrew (typed_places' and the keeps'); 15 for a
    project whose de-identification list is empty and no respondent withdrew (the list,
    the interviews, the 12 of
    reading.study_content, then what is left out), and the list's check's few more when it is not
    (interviews.deidentify.study_unreviewed_count, then typed_places' 1).
    """
    guids = StudyGuids(study.pk)
    if not include_identifying:
        listed = deidentify.study_listed(study)
        identifiers = listed.identifiers
        # Looked up on the module, so that the check is the one de-identification keeps.
        # A codebook quotes no transcript: only what was typed in it is looked for.
        count = (
            identifiers
            and not codebook_only
            and deidentify.study_unreviewed_count(study=study, identifiers=identifiers)
        )
        if count:
            raise ExportRefused(identifying_refusal(count, owner_may_override=True))
        what = "qdc" if codebook_only else "qdpx"
        places = listed and typed_places(study, what, listed)
        if places:
            raise ExportRefused(typed_refusal(places, owner_may_override=True))
    if codebook_only:
        try:
            write_qdc(out, study_content(study), guids, origin())
        except EmptyCodebook as error:
            raise ExportRefused(str(error)) from None
        return []
    with Archive(out) as archive:
        # The texts first, one at a time: they are the bulk, and only their rows (without
        # the text) are kept for the project document written after them.
        sources = []
        for source, text in interview_texts(study):
            with archive.member(source_path(guids.of("interview", source.id))) as member:
                member.write(text.encode("utf-8"))
            sources.append(source)
        content = study_content(study, sources=sources)
        left_out = study_left_out(study)
        with archive.member("project.qde") as member:
            ProjectWriter(content, guids, origin(), left_out).write(member)
    return left_out


def study_qdpx_bytes(
    *, study: Study, codebook_only: bool = False, include_identifying: bool = False
) -> bytes:
    """`study_export_qdpx` into bytes, whole: the browser's download, made in a process of
    its own (themes.views.exchange). Raises ExportRefused as it does."""
    out = io.BytesIO()
    study_export_qdpx(
        study=study, out=out, codebook_only=codebook_only, include_identifying=include_identifying
    )
    return out.getvalue()
