"""The rows the roll-up and the exports are computed from: eight queries for a whole study.

Withdrawn respondents and deleted excerpts are filtered out here, once, so that no page and
no export can count them by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F

from coding.models import Code, Coding, ExcerptStatus
from coding.selectors import counted_interviews
from interviews.models import Membership, ProtocolQuestion, QuestionSegment, Respondent, Study

from .models import Quote, Theme


@dataclass
class StudyRows:
    themes: list[dict]
    theme_codes: list[tuple[int, int]]  # (theme id, code id)
    codes: list[dict]
    # One (excerpt, code, interview, respondent, start) per code on a live excerpt of a
    # counted respondent: tuples, because a large study has tens of thousands of them.
    codings: list[tuple]
    segments: list[dict]
    respondents: list[dict]  # counted respondents: with a transcript, not withdrawn
    questions: list[dict]
    # The ids of those excerpts that hold only the interviewer's words (Excerpt.
    # interviewer_only): under their themes still, counted for no respondent.
    interviewer_only: frozenset[int] = frozenset()


def study_rows(study: Study) -> StudyRows:
    counted = Respondent.objects.filter(
        study=study, withdrawn_at__isnull=True, interviews__isnull=False
    ).distinct()
    respondent_of = counted_interviews(study)
    # Read in the codings' query, not one of its own: the roll-up's query count holds.
    rows = (
        Coding.objects.filter(
            interview_id__in=list(respondent_of), excerpt__deleted_at__isnull=True
        )
        .exclude(excerpt__status=ExcerptStatus.ORPHANED)
        .values_list(
            "excerpt_id", "code_id", "interview_id", "excerpt__start", "excerpt__interviewer_only"
        )
    )
    codings, interviewer_only = [], set()
    for excerpt_id, code_id, interview_id, start, alone in rows:
        codings.append((excerpt_id, code_id, interview_id, respondent_of[interview_id], start))
        if alone:
            interviewer_only.add(excerpt_id)
    return StudyRows(
        themes=list(
            Theme.objects.filter(study=study)
            .order_by("order", "name")
            .values("id", "name", "description", "parent_id", "order", "review_status")
        ),
        theme_codes=list(
            Theme.codes.through.objects.filter(theme__study=study).values_list(
                "theme_id", "code_id"
            )
        ),
        codes=list(
            Code.objects.filter(study=study)
            .order_by("order", "name")
            .values("id", "name", "colour", "parent_id", "definition")
        ),
        codings=codings,
        segments=list(
            QuestionSegment.objects.filter(interview__study=study).values(
                "interview_id", "start", "end", number=F("question__number")
            )
        ),
        respondents=list(
            counted.order_by("pseudonym_order", "id").values("id", "pseudonym", "attributes")
        ),
        questions=list(
            ProtocolQuestion.objects.filter(study=study).values("id", "number", "text")
        ),
        interviewer_only=frozenset(interviewer_only),
    )


def quote_rows(study: Study) -> list[dict]:
    """The chosen quotes with what their attribution needs, counted respondents only."""
    return list(
        Quote.objects.filter(
            theme__study=study,
            excerpt__deleted_at__isnull=True,
            excerpt__interview__respondent__withdrawn_at__isnull=True,
        )
        .exclude(excerpt__status=ExcerptStatus.ORPHANED)
        .order_by("theme_id", "order", "id")
        .values(
            "id",
            "theme_id",
            "excerpt_id",
            "order",
            "extract",
            text=F("excerpt__text"),
            start=F("excerpt__start"),
            interview_id=F("excerpt__interview_id"),
            pseudonym=F("excerpt__interview__respondent__pseudonym"),
            interviewer_only=F("excerpt__interviewer_only"),
        )
    )


def member_choices(study: Study) -> list[tuple[int, str]]:
    """[(user id, username), ...] of the study's members, by username: the "who" choices of
    the history and memos filters (one query)."""
    return list(
        Membership.objects.filter(study=study)
        .order_by("user__username")
        .values_list("user_id", "user__username")
    )
