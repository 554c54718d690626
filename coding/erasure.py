"""What erasing a respondent removes from the coding (interviews.erasure registers it)."""

from __future__ import annotations

from interviews.models import Respondent

from .models import Excerpt, UndoEntry


def erase_respondent_coding(respondent: Respondent) -> dict[str, int]:
    """Count the respondent's excerpts (they go with their transcripts, deleted ones in the
    bin too) and delete the study's undo history: an entry can hold an erased memo or the
    words of an edited transcript, or bring an erased excerpt back."""
    excerpts = Excerpt.objects.filter(interview__respondent=respondent).count()
    UndoEntry.objects.filter(study=respondent.study).delete()
    return {"excerpts": excerpts}
