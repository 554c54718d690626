"""What erasing a respondent removes from the coding (interviews.erasure registers it)."""

from __future__ import annotations

from django.db.models import Count, Q

from interviews.models import Respondent

from .models import Coding, Excerpt, UndoEntry


def erase_respondent_coding(respondent: Respondent) -> dict[str, int]:
    """Count the respondent's excerpts (they go with their transcripts, deleted ones in the
    bin too) and delete the study's undo history: an entry can hold an erased memo or the
    words of an edited transcript, or bring an erased excerpt back."""
    excerpts = Excerpt.objects.filter(interview__respondent=respondent).count()
    UndoEntry.objects.filter(study=respondent.study).delete()
    return {"excerpts": excerpts}


def erase_respondent_coding_history(respondent_id: int, erased: dict[str, set[int]]) -> None:
    """After an erasure: delete every record of the excerpts and codings of the erased
    interviews (their words, memos and codes, the bin's too), and add the excerpts' ids to
    `erased` for the apps above."""
    interviews = erased.get("interviews.Interview", set())
    excerpts = set(
        Excerpt.history.filter(interview_id__in=interviews).values_list("id", flat=True)
    )
    Excerpt.history.filter(interview_id__in=interviews).delete()
    Coding.history.filter(interview_id__in=interviews).delete()
    erased[Excerpt._meta.label] = excerpts


def preview_respondent_coding(respondent: Respondent) -> dict[str, int]:
    """For the erasure's confirmation page: {"excerpts": the respondent's excerpts, the
    bin's too, "excerpt_memos": those of them with a memo}, in one query."""
    return Excerpt.all_objects.filter(interview__respondent=respondent).aggregate(
        excerpts=Count("id"), excerpt_memos=Count("id", filter=~Q(memo=""))
    )
