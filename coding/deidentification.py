"""What de-identifying a study's transcripts changes in the coding (interviews.services
.deidentification_apply calls `follow`; interviews.deidentify counts `stored_texts`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.db.models import Q

from interviews import history
from interviews.models import Interview, Study
from interviews.textdiff import OffsetMap
from interviews.turns import interviewer_only

from . import sql
from .models import Excerpt, UndoEntry, excerpt_followed

# Ids bound in one statement: within SQLite's smallest limit of bound parameters (999).
OTHERS_CHUNK = 900


def follow(
    study: Study, moved: list[tuple[Interview, OffsetMap]], scrub: Callable[[str], str]
) -> dict[str, int]:
    """Move the excerpts of the transcripts that changed with their words (an excerpt whose
    words were replaced is marked "changed", for review), and replace the applied strings
    in the texts that hold no offsets: every excerpt memo of the study and the former words
    kept for review. The study's undo history is deleted: an entry holds an excerpt's old
    words or memo, and undoing it would bring the name back.

    One pass: each excerpt is moved and scrubbed at once, so that it has one history
    record of the change, holding the row as written. Returns {"excerpts_marked": n,
    "memos_scrubbed": m}. Queries, whatever the number of transcripts: one read of the
    excerpts of the transcripts moved and of the study's excerpts with a memo or former
    words (held until the transaction ends); their moves and their scrubbed texts written
    (one statement each, run per row; none without rows); their history records copied
    from the rows (one INSERT ... SELECT of the moved transcripts' excerpts, one per
    OTHERS_CHUNK of the others scrubbed); the undo history deleted.
    """
    texts = {interview.pk: (interview.text, offsets) for interview, offsets in moved}
    rows = (
        Excerpt.all_objects.filter(
            Q(interview_id__in=list(texts))
            | Q(interview__study=study) & ~Q(memo="", previous_text="")
        )
        # Held until the de-identification is saved: a review, memo or code saved
        # meanwhile waits rather than being written over (PostgreSQL; SQLite queues writers).
        .select_for_update(of=("self",))
        .values_list(
            "pk",
            "interview_id",
            "start",
            "end",
            "text",
            "status",
            "previous_text",
            "memo",
            "revision",
        )
    )
    moves, scrubbed, others = [], [], []
    marked = memos = 0
    for pk, interview_id, start, end, words, status, previous, memo, revision in rows:
        was = (memo, previous)
        if interview_id in texts:
            text, offsets = texts[interview_id]
            start, end, now, mark = excerpt_followed(text, offsets, start, end, words)
            if mark is not None:
                previous, status = words, mark
                marked += 1
            words, revision = now, revision + 1
        memo, previous = scrub(memo), scrub(previous)
        if previous == words:
            # The former words differed from these only by the names just replaced: the
            # review has nothing more to show than the mark.
            previous = ""
        memos += memo != was[0]
        if interview_id in texts:
            alone = interviewer_only(texts[interview_id][0], start, end)
            moves.append((start, end, words, status, previous, alone, revision, pk))
            if memo != was[0]:
                scrubbed.append((memo, previous, pk))
        elif (memo, previous) != was:
            scrubbed.append((memo, previous, pk))
            others.append(pk)
    sql.excerpts_move(moves)
    sql.excerpts_texts_set(scrubbed)
    # One record of each excerpt changed, copied by the database from its row as written.
    if texts:
        rows = Excerpt.all_objects.filter(interview_id__in=list(texts))
        history.records_insert(Excerpt, "~", rows=rows)
    for start in range(0, len(others), OTHERS_CHUNK):
        rows = Excerpt.all_objects.filter(pk__in=others[start : start + OTHERS_CHUNK])
        history.records_insert(Excerpt, "~", rows=rows)
    UndoEntry.objects.filter(study=study).delete()
    return {"excerpts_marked": marked, "memos_scrubbed": memos}


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
