"""Looking up excerpts and codes through the study the user belongs to (see interviews.access)."""

from __future__ import annotations

from django.http import Http404

from interviews.access import READ, Access, interview_columns, study_access
from interviews.models import Interview
from interviews.rows import fetch_one

from .models import Code, Excerpt

# In SQL for the same reason as interviews.access: these run on every edit of an excerpt.
# The interview is matched to the study through the (study, respondent) index, because on
# SQLite an interview's study_id sits after its transcript text in the row.
_EXCERPT_IN_STUDY = f"""
    SELECT * FROM {Excerpt._meta.db_table}
    WHERE id = %s AND interview_id IN (
        SELECT id FROM {Interview._meta.db_table} WHERE study_id = %s
    ) {{live}}
"""
_INTERVIEW = f"SELECT {{columns}} FROM {Interview._meta.db_table} WHERE id = %s"


def excerpt_access(
    request,
    slug: str,
    excerpt_id: int,
    action: str = READ,
    *,
    deleted: bool = False,
    text: bool = True,
) -> tuple[Access, Excerpt]:
    """An excerpt of the study `slug` with its interview and study (three small queries).

    `deleted=True` finds a deleted excerpt too (for undo). Pass text=False where the
    transcript itself is not needed, to leave it in the database.
    """
    access = study_access(request, slug, READ)
    sql = _EXCERPT_IN_STUDY.format(live="" if deleted else "AND deleted_at IS NULL")
    excerpt = fetch_one(Excerpt, sql, [excerpt_id, access.study.pk])
    if excerpt is None:
        raise Http404("That excerpt no longer exists. Reload the page.")
    access.require(action)
    sql = _INTERVIEW.format(columns=interview_columns(text))
    interview = fetch_one(Interview, sql, [excerpt.interview_id])
    interview.study = access.study
    excerpt.interview = interview
    return access, excerpt


def code_access(request, slug: str, code_id: int, action: str = READ) -> tuple[Access, Code]:
    access = study_access(request, slug, action)
    code = access.study.codes.filter(pk=code_id).first()
    if code is None:
        raise Http404("That code no longer exists. Reload the page.")
    return access, code
