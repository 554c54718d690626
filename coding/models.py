"""The codebook and the act of coding: codes, excerpts of transcripts, and the codes on them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.naming import NameKeyField
from interviews.history import Recorded, RecordedQuerySet
from interviews.models import Interview, Memo, Study

from .palette import DEFAULT_COLOUR, validate_colour

if TYPE_CHECKING:
    from interviews.textdiff import OffsetMap


class Code(models.Model):
    # Not indexed alone: the unique (study, name_key) begins with it.
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, db_index=False, related_name="codes"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    name = models.CharField(max_length=120)
    # The name as compared (NFC, case-folded): unique in the study, see core.naming.
    name_key = NameKeyField(max_length=360, source="name")
    # "#rrggbb" in lower case: a palette colour or any colour the researcher picked.
    colour = models.CharField(max_length=20, default=DEFAULT_COLOUR, validators=[validate_colour])
    definition = models.TextField(blank=True)
    inclusion = models.TextField("inclusion criteria", blank=True)
    exclusion = models.TextField("exclusion criteria", blank=True)
    example = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    # Bumped on every edit so that two people editing the same code do not overwrite each
    # other unknowingly.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RecordedQuerySet.as_manager()
    history = Recorded(study="study_id")

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["study", "name_key"], name="code_unique_name_key"),
        ]

    def __str__(self) -> str:
        return self.name


class ExcerptStatus(models.TextChoices):
    OK = "ok", "OK"
    CHANGED = "changed", "Changed by an edit of the transcript"
    ORPHANED = "orphaned", "Its text was removed from the transcript"


def excerpt_followed(
    text: str, offsets: OffsetMap, start: int, end: int, words: str
) -> tuple[int, int, str, str | None]:
    """Where the excerpt `[start, end)` of a transcript, holding `words`, lands in its new
    `text` (code points; `offsets` maps old positions to new): (start, end, its words there,
    its new status). The status is ORPHANED when no words are left (then start == end and
    the words are ""), CHANGED when they differ from `words`, None when they are the same.
    The caller keeps the former words (previous_text) of an excerpt given a status."""
    start, end = offsets.start(start), offsets.end(end)
    if start >= end or not text[start:end].strip():
        # No words are left: none may be counted, quoted or exported (a researcher may have
        # removed a name); previous_text keeps them for the review.
        position = min(start, len(text))
        return position, position, "", ExcerptStatus.ORPHANED
    now = text[start:end]
    return start, end, now, None if now == words else ExcerptStatus.CHANGED


class LiveExcerptManager(models.Manager.from_queryset(RecordedQuerySet)):
    """Excerpts that have not been deleted. A deleted excerpt waits in the bin a while."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Excerpt(models.Model):
    """A span `[start, end)` of one interview's text, in code points, with a snapshot of it."""

    # Not indexed alone: excerpt_interview_start begins with it.
    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, db_index=False, related_name="excerpts"
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    memo = models.TextField(blank=True)
    # Who last wrote the memo, and when (empty for memos saved before these were kept: the
    # memos page then names the coder and the excerpt's last change).
    memo_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    memo_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ExcerptStatus.choices, default=ExcerptStatus.OK
    )
    # The excerpt's words before an edit of the transcript changed or removed them.
    previous_text = models.TextField(blank=True)
    # It lies within a line the interviewer's label opens (interviews.turns.interviewer_only):
    # it stays coded and found, and counts for no respondent. Kept with the span wherever
    # the span or the transcript's text changes, so that counting reads no text.
    interviewer_only = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    all_objects = RecordedQuerySet.as_manager()
    objects = LiveExcerptManager()
    history = Recorded(study="interview_id")

    class Meta:
        # Reverse relations (interview.excerpts) see live excerpts only; a Coding still
        # reaches its excerpt when that excerpt is deleted and waiting for undo.
        default_manager_name = "objects"
        base_manager_name = "all_objects"
        ordering = ["start", "end", "id"]
        indexes = [
            models.Index(fields=["interview", "start"], name="excerpt_interview_start"),
            # Deleted excerpts are few (they wait for undo); counting code usage subtracts
            # theirs, found through this small partial index.
            models.Index(
                fields=["deleted_at"],
                condition=models.Q(deleted_at__isnull=False),
                name="excerpt_deleted",
            ),
            # Likewise the few excerpts an edit of the transcript left without words, and
            # those of the interviewer's words alone, which count for no respondent
            # (selectors.code_usage reads both at once; a query for the orphaned alone
            # still uses it, its condition being one term of this one).
            models.Index(
                fields=["interview"],
                condition=models.Q(status="orphaned") | models.Q(interviewer_only=True),
                name="excerpt_uncounted",
            ),
            # The memos page and the retrieval's "with a memo" read the few live excerpts
            # that carry a memo (one in ten in the benchmark): the excerpt part of the memos
            # page's query took half the CPU time scanning every excerpt (2.5 to 1.3 ms at
            # a quarter of the benchmark's scale). SQLite uses it for the query's
            # NOT (memo = %s) because it plans again with the parameter's value.
            models.Index(
                fields=["interview"],
                condition=models.Q(deleted_at__isnull=True) & ~models.Q(memo=""),
                name="excerpt_memo",
            ),
        ]
        constraints = [
            # Only an excerpt whose words an edit removed is empty; it stays for review.
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end"))
                | models.Q(status="orphaned", start=models.F("end")),
                name="excerpt_nonempty_unless_orphaned",
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.start}, {self.end}) {self.text[:40]}"


class Coding(models.Model):
    """One code applied to one excerpt."""

    # Not indexed alone: coding_unique_code begins with it.
    excerpt = models.ForeignKey(
        Excerpt, on_delete=models.CASCADE, db_index=False, related_name="codings"
    )
    # Not indexed alone: coding_code_interview begins with it.
    code = models.ForeignKey(
        Code, on_delete=models.CASCADE, db_index=False, related_name="codings"
    )
    # The excerpt's interview, copied here (an excerpt never changes interview) so that
    # counting codes per interview and respondent reads this table's index alone: joining
    # each coding to its excerpt and interview costs half a second at 40,000 codings.
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="+")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RecordedQuerySet.as_manager()
    # Its excerpt, when loaded (as on coding), knows the study without a query.
    history = Recorded(study=("excerpt_id", "interview_id"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["excerpt", "code"], name="coding_unique_code"),
        ]
        indexes = [models.Index(fields=["code", "interview"], name="coding_code_interview")]

    def __str__(self) -> str:
        return f"{self.code} on {self.excerpt_id}"

    @classmethod
    def of(cls, *, excerpt: Excerpt, code_id: int, coder) -> Coding:
        """A new coding, with the copy of the excerpt's interview filled in."""
        return cls(
            excerpt=excerpt, code_id=code_id, coder=coder, interview_id=excerpt.interview_id
        )


class CodeMemo(Memo):
    """A memo on a code: what it came to mean, why it was split or merged."""

    # No database constraint and nothing done on delete: a deleted code waits in the bin and
    # comes back under the same id (coding.bin), and its memos with it. While it is in the
    # bin its memos are hidden, as they join no code; a merge moves them to the kept code.
    code = models.ForeignKey(
        Code, on_delete=models.DO_NOTHING, db_constraint=False, related_name="memos"
    )
    study_lookup = "code__study"
    history = Recorded(study="code_id")


class UndoEntry(models.Model):
    """One action a user can undo: what it changed, as coding.undo reads it back.

    Kept per user, study and login session (the session key), so that the history lasts
    until the user logs out; entries of sessions that ended are purged (coding.bin.purge).
    """

    # Not indexed alone: undo_entry_history begins with it.
    study = models.ForeignKey(Study, on_delete=models.CASCADE, db_index=False, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40)
    label = models.CharField(max_length=300)
    # The steps of the action in the order they were made, each a dict whose "kind" names
    # the reversal in coding.undo (the states before and after, ids of rows touched).
    steps = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the entry was undone, or found no longer to apply: either way it is done.
    spent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["study", "user", "session_key", "-id"], name="undo_entry_history")
        ]

    def __str__(self) -> str:
        return self.label


class DeletedCode(models.Model):
    """A deleted code waiting in the bin, with what it takes to restore it and its links.

    The code's row itself is deleted (every count and export stays as it was), and comes
    back under the same id when restored.
    """

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="+")
    code_id = models.PositiveIntegerField()
    name = models.CharField(max_length=120)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deleted_at = models.DateTimeField(default=timezone.now)
    # {"code": its fields, "codings": [[excerpt_id, coder_id, created_at]],
    #  "children": [ids], "links": {"app.Model.field": [ids]}}
    data = models.JSONField()

    class Meta:
        ordering = ["-deleted_at"]

    def __str__(self) -> str:
        return self.name
