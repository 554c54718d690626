"""Erasing a withdrawn respondent: everything of theirs goes, and leaves no trace in the files.

What goes: the respondent (pseudonym, attributes), their transcripts and question sections,
the uploads they came from, and whatever the apps above built on those transcripts. This app
knows nothing of those apps (the dependencies run interviews → coding → themes), so each
registers an erasure step in its AppConfig.ready(): coding removes the excerpts (the bin's
too) with their codes and memos and the study's undo history, which could hold an erased
memo or bring an erased excerpt back; themes counts the quotes (they go with the excerpts).
What stays: a dated `Erasure` with the counts, and a note only if the researcher wrote one.

Where the bytes go: SQLite overwrites deleted content with zeros (`secure_delete`, set on
every connection in settings), the full-text index is compacted without the erased
transcripts, and the write-ahead log is checkpointed and truncated, so that no erased word
is left in the database file or its WAL. On PostgreSQL the rows are gone at once and their
tables vacuumed; the bytes of dead rows can survive in the data files until their space is
reused, and in any backup or WAL archive taken before (README, "Erasing a respondent").
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count

from .models import Erasure, Interview, Respondent, StagedFile
from .revisions import study_revision_bump
from .sql import index_compact, wipe_free_space

# An erasure step: called with the respondent inside the erasure's transaction, before the
# respondent's row is deleted; removes what its app holds of theirs that would not go with
# the row, and returns what it counted ({"excerpts": 12}) for the record.
Step = Callable[[Respondent], dict[str, int]]
STEPS: list[Step] = []
# A step run after the rows are deleted (the history's records of them, which the deletion
# itself adds to): called with the respondent's id (the row is gone) and what the steps
# before it erased, by model label ({"interviews.Interview": {ids}}), to which it adds its
# own.
AfterStep = Callable[[int, dict[str, set[int]]], None]
AFTER_STEPS: list[AfterStep] = []
# Tables that erased rows came from, vacuumed afterwards on PostgreSQL; steps add theirs.
TABLES: list[str] = [Respondent._meta.db_table, Interview._meta.db_table]

# What an erasure would remove, counted for its confirmation page: each app above registers
# a function of the respondent that returns its part ({"excerpts": 17}), one query each.
Preview = Callable[[Respondent], dict]
PREVIEWS: list[Preview] = []

NOT_WITHDRAWN = (
    "Only a withdrawn respondent can be erased. Withdraw them first: their data then "
    "counts nowhere, and you can still reinstate them until you erase."
)


def register(step: Step, *tables: str) -> None:
    """Add an erasure step (an AppConfig.ready() calls this), and the tables it erases from."""
    if step not in STEPS:
        STEPS.append(step)
    TABLES.extend(table for table in tables if table not in TABLES)


def register_after(step: AfterStep, *tables: str) -> None:
    """Add a step run once the respondent's rows are deleted, and the tables it erases
    from (apps' ready() call this, in the order interviews, coding, themes)."""
    if step not in AFTER_STEPS:
        AFTER_STEPS.append(step)
    TABLES.extend(table for table in tables if table not in TABLES)


def register_preview(preview: Preview) -> None:
    """Add an app's part of erasure_preview (an AppConfig.ready() calls this)."""
    if preview not in PREVIEWS:
        PREVIEWS.append(preview)


def erasure_preview(respondent: Respondent) -> dict:
    """What erasing `respondent` would remove, for the page that asks to confirm it:
    {"transcripts": int, "interview_memos": int (memos on those transcripts)}, with each
    registered app's part ("excerpts", "excerpt_memos", "quotes", "quote_themes": [(theme
    name, quotes)]). One query here and one per app; raises nothing."""
    found = Interview.objects.filter(respondent=respondent).aggregate(
        transcripts=Count("id", distinct=True), interview_memos=Count("memos", distinct=True)
    )
    for preview in PREVIEWS:
        found.update(preview(respondent))
    return found


def respondent_erase(*, respondent: Respondent, typed: str, note: str = "") -> Erasure:
    """Erase `respondent` (withdrawn) and everything of theirs; returns the Erasure record.

    `typed` must be the pseudonym exactly as stored (surrounding spaces aside): the
    confirmation that this is the one meant. `note` (at most 200 characters) is kept in the
    record; it is empty unless the researcher writes one. Raises ValidationError, changing
    nothing, when the respondent is not withdrawn or `typed` differs.
    """
    if respondent.withdrawn_at is None:
        raise ValidationError(NOT_WITHDRAWN)
    if typed.strip() != respondent.pseudonym:
        raise ValidationError(
            "That is not the pseudonym as shown: type it exactly to erase this respondent. "
            "Nothing was erased."
        )
    with transaction.atomic():
        # First, as in every writer (interviews.revisions): the cached roll-up is stale now.
        study_revision_bump(respondent.study_id)
        interviews = Interview.objects.filter(respondent=respondent)
        removed = {"transcripts": interviews.count()}
        for step in STEPS:
            removed.update(step(respondent))
        # The uploads hold the transcripts' bytes as sent (their links would only be unset).
        StagedFile.objects.filter(interview__in=interviews).delete()
        StagedFile.objects.filter(respondent=respondent).delete()
        _unassigned_uploads_named(respondent).delete()
        respondent_id = respondent.pk
        # Cascades to the interviews, their question sections and what is built on them.
        respondent.delete()
        erased: dict[str, set[int]] = {}
        for after in AFTER_STEPS:
            after(respondent_id, erased)
        record = Erasure.objects.create(
            study=respondent.study, note=note.strip()[:200], removed=removed
        )
        index_compact()
    _wipe_free_space()
    return record


def _unassigned_uploads_named(respondent: Respondent):
    """The study's uploads waiting in an import preview with no respondent chosen yet whose
    file name holds the pseudonym as a word ("R9-interview.docx" for R9, not "R90.txt"):
    most likely this respondent's transcript, sent again or never confirmed, and its bytes
    must not outlive the erasure until the day-old purge. A queryset, for delete()."""
    word = re.compile(rf"(?<![^\W_]){re.escape(respondent.pseudonym)}(?![^\W_])", re.IGNORECASE)
    waiting = StagedFile.objects.filter(
        study_id=respondent.study_id, respondent__isnull=True, interview__isnull=True
    )
    named = [pk for pk, name in waiting.values_list("pk", "name") if word.search(name)]
    return StagedFile.objects.filter(pk__in=named)


def _wipe_free_space() -> None:
    if connection.in_atomic_block:
        # Inside a caller's transaction: nothing is committed yet, so nothing to wipe.
        return
    wipe_free_space([*TABLES, StagedFile._meta.db_table])
