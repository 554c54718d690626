"""What a REFI-QDA export reads from the database: a fixed number of queries whatever the
size of the study, rows as tuples (not model instances), every list in a fixed order so
that the same database state always gives the same file.

Left out, as in every export: withdrawn respondents and everything of theirs (interviews,
excerpts, their codings and memos, memos on their interviews); deleted excerpts and memos
waiting in the bin; excerpts an edit of the transcript left without words (status
"orphaned": they count nowhere, and a selection of no characters shows nowhere).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Q

from coding.models import Code, CodeMemo, Coding, Excerpt, ExcerptStatus
from interviews.models import (
    Interview,
    InterviewMemo,
    JournalEntry,
    ProtocolQuestion,
    Respondent,
    Study,
)
from themes.models import Theme, ThemeMemo


@dataclass(frozen=True)
class SourceRow:
    """An interview without its text (the text goes to its own file)."""

    id: int
    respondent_id: int
    title: str
    conducted_on: date | None
    imported_by_id: int | None
    imported_at: datetime


@dataclass(frozen=True)
class MemoRow:
    id: int
    target_id: int
    author_id: int | None
    body: str
    created_at: datetime
    updated_at: datetime


@dataclass
class StudyContent:
    """Everything of a study an export writes but the transcripts' texts.

    Shapes: `excerpts` are (id, interview_id, coder_id, start, end, text, memo,
    created_at, updated_at), start and end in code points, end exclusive, ordered by
    interview, start, end, id; `codings` map an excerpt id to its (id, code_id, coder_id,
    created_at), by id; `codes` are (id, parent_id, name, colour, definition, inclusion,
    exclusion, example) in tree order's sort (order, name, id); `themes` likewise (id,
    parent_id, name, description); `theme_codes` map a theme id to its code ids.
    """

    study: Study
    questions: list[tuple[int, str]] = field(default_factory=list)
    codes: list[tuple] = field(default_factory=list)
    themes: list[tuple] = field(default_factory=list)
    theme_codes: dict[int, list[int]] = field(default_factory=dict)
    respondents: list[tuple[int, str, dict, date | None]] = field(default_factory=list)
    sources: list[SourceRow] = field(default_factory=list)
    excerpts: list[tuple] = field(default_factory=list)
    codings: dict[int, list[tuple]] = field(default_factory=dict)
    memos: dict[str, list[MemoRow]] = field(default_factory=dict)
    users: list[tuple[int, str]] = field(default_factory=list)


def _live_interviews(study: Study):
    return Interview.objects.filter(study=study, respondent__withdrawn_at__isnull=True)


def interview_texts(study: Study) -> Iterator[tuple[SourceRow, str]]:
    """Each exported interview with its text, one at a time (one query, read in chunks:
    the transcripts are the bulk of a study and are never all held at once), ordered by
    respondent's pseudonym, date conducted and id."""
    rows = (
        _live_interviews(study)
        .order_by("respondent__pseudonym_order", "respondent_id", "conducted_on", "id")
        .values_list(
            "id",
            "respondent_id",
            "title",
            "conducted_on",
            "imported_by_id",
            "imported_at",
            "text",
        )
    )
    for *head, text in rows.iterator(chunk_size=20):
        yield SourceRow(*head), text


def _memos(rows, target: str) -> list[MemoRow]:
    return [
        MemoRow(*row)
        for row in rows.filter(deleted_at__isnull=True)
        .order_by("created_at", "id")
        .values_list("id", target, "author_id", "body", "created_at", "updated_at")
    ]


def study_content(study: Study, *, sources: list[SourceRow] | None = None) -> StudyContent:
    """The study's codebook and themes, and with `sources` (the interviews
    `interview_texts` gave, for a whole project; None for the codebook alone) its
    respondents, excerpts, codings, memos and users (see StudyContent for the shapes).

    Queries: codes, themes, theme codes; for a project also protocol questions,
    respondents, excerpts, codings, journal entries, interview memos, code memos, theme
    memos and users (12 in all).
    """
    content = StudyContent(study=study)
    content.codes = list(
        Code.objects.filter(study=study)
        .order_by("order", "name_key", "id")
        .values_list(
            "id",
            "parent_id",
            "name",
            "colour",
            "definition",
            "inclusion",
            "exclusion",
            "example",
        )
    )
    content.themes = list(
        Theme.objects.filter(study=study)
        .order_by("order", "name_key", "id")
        .values_list("id", "parent_id", "name", "description")
    )
    for theme_id, code_id in (
        Theme.codes.through.objects.filter(theme__study=study)
        .order_by("theme_id", "code__order", "code__name_key", "code_id")
        .values_list("theme_id", "code_id")
    ):
        content.theme_codes.setdefault(theme_id, []).append(code_id)
    if sources is None:
        return content
    content.sources = sources

    content.questions = list(
        ProtocolQuestion.objects.filter(study=study).values_list("number", "text")
    )
    content.respondents = list(
        Respondent.objects.filter(study=study, withdrawn_at__isnull=True)
        .order_by("pseudonym_order", "id")
        .values_list("id", "pseudonym", "attributes", "interviewed_on")
    )
    content.excerpts = list(
        Excerpt.objects.filter(
            interview__study=study, interview__respondent__withdrawn_at__isnull=True
        )
        .exclude(status=ExcerptStatus.ORPHANED)
        .order_by("interview_id", "start", "end", "id")
        .values_list(
            "id",
            "interview_id",
            "coder_id",
            "start",
            "end",
            "text",
            "memo",
            "created_at",
            "updated_at",
        )
    )
    for excerpt_id, *coding in (
        Coding.objects.filter(
            interview__study=study,
            interview__respondent__withdrawn_at__isnull=True,
            excerpt__deleted_at__isnull=True,
        )
        .exclude(excerpt__status=ExcerptStatus.ORPHANED)
        .order_by("excerpt_id", "id")
        .values_list("excerpt_id", "id", "code_id", "coder_id", "created_at")
    ):
        content.codings.setdefault(excerpt_id, []).append(tuple(coding))
    content.memos = {
        "journal": _memos(JournalEntry.objects.filter(study=study), "study_id"),
        "interview": _memos(
            InterviewMemo.objects.filter(
                interview__study=study, interview__respondent__withdrawn_at__isnull=True
            ),
            "interview_id",
        ),
        # A code in the bin has no row: the join leaves its memos out with it.
        "code": _memos(CodeMemo.objects.filter(code__study=study), "code_id"),
        "theme": _memos(ThemeMemo.objects.filter(theme__study=study), "theme_id"),
    }
    content.users = _users(study, content)
    return content


def _users(study: Study, content: StudyContent) -> list[tuple[int, str]]:
    """The study's members and everyone the export names as a coder or an author (someone
    who has left the study still coded what they coded), as (id, username), by id."""
    named = {row[2] for row in content.excerpts}
    named |= {coding[2] for codings in content.codings.values() for coding in codings}
    named |= {memo.author_id for memos in content.memos.values() for memo in memos}
    named |= {source.imported_by_id for source in content.sources}
    named.discard(None)
    return list(
        get_user_model()
        .objects.filter(Q(memberships__study=study) | Q(pk__in=sorted(named)))
        .distinct()
        .order_by("pk")
        .values_list("pk", "username")
    )
