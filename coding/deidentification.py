"""What de-identifying a study's transcripts changes in the coding (interviews.services
.deidentification_apply calls `follow`; interviews.deidentify counts `stored_texts`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from interviews import history
from interviews.models import Interview, Study
from interviews.textdiff import OffsetMap

from . import sql
from .models import Excerpt, UndoEntry
from .services import excerpts_follow


def follow(
    study: Study, moved: list[tuple[Interview, OffsetMap]], scrub: Callable[[str], str]
) -> dict[str, int]:
    """Move the excerpts of the transcripts that changed with their words (an excerpt whose
    words were replaced is marked "changed", for review), then replace the applied strings
    in the texts that hold no offsets: every excerpt memo of the study and the former words
    kept for review. The study's undo history is deleted: an entry holds an excerpt's old
    words or memo, and undoing it would bring the name back.

    Returns {"excerpts_marked": n, "memos_scrubbed": m}. Queries: two per transcript moved,
    one read of the study's excerpts with a memo or former words, one update when any of
    those changed, and one delete of the undo history.
    """
    marked = 0
    for interview, offsets in moved:
        report = excerpts_follow(interview=interview, offsets=offsets)
        marked += report.changed + report.orphaned
    texts = Excerpt.all_objects.filter(interview__study=study).exclude(memo="", previous_text="")
    scrubbed = []
    for excerpt in texts.only("pk", "memo", "previous_text", "text"):
        memo, previous = scrub(excerpt.memo), scrub(excerpt.previous_text)
        if previous == excerpt.text:
            # The former words differed from these only by the names just replaced: the
            # review has nothing more to show than the mark.
            previous = ""
        if (memo, previous) != (excerpt.memo, excerpt.previous_text):
            excerpt.memo, excerpt.previous_text = memo, previous
            scrubbed.append(excerpt)
    sql.excerpts_texts_set([(e.memo, e.previous_text, e.pk) for e in scrubbed])
    # Written by hand (coding.sql), read in part: the history's records of the rows as
    # they are now, read whole (one query, one INSERT).
    history.record_changed(Excerpt, [e.pk for e in scrubbed])
    UndoEntry.objects.filter(study=study).delete()
    return {"excerpts_marked": marked, "memos_scrubbed": sum(1 for e in scrubbed if e.memo)}


def stored_texts(study: Study) -> Iterator[str]:
    """The words the coding keeps of the study's transcripts apart from them: the former
    words of excerpts marked for review, of respondents who have not withdrawn (no export
    holds the others'), in one query. Excerpt texts are not read: each is
    the transcript's own words at its place, counted there. Memos are not either: they
    are the coders' words, scrubbed when a string is applied but never asked about."""
    rows = Excerpt.objects.filter(
        interview__study=study, interview__respondent__withdrawn_at__isnull=True
    ).exclude(previous_text="")
    yield from rows.values_list("previous_text", flat=True)
