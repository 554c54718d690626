"""The data of a study: who is in it, what was asked, who answered, and what they said."""

from __future__ import annotations

import bisect
import datetime
import json
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce, TruncDate
from django.utils import dateformat, timezone

from core.naming import NameKeyField, OrderKeyField
from core.stale import fields_text, text_token

from . import pages
from .history import Recorded, RecordedQuerySet


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    CODER = "coder", "Coder"
    REVIEWER = "reviewer", "Reviewer"


WRITE_ROLES = frozenset({Role.OWNER, Role.CODER})


class PageSize(models.TextChoices):
    """The paper the findings document is laid out on."""

    LETTER = "letter", "US Letter (8.5 × 11 in)"
    A4 = "a4", "A4 (210 × 297 mm)"


class Study(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    research_question = models.TextField(blank=True)
    description = models.TextField(blank=True)
    # The respondent attributes this study records, in display order:
    # [{"name": "Years of experience", "type": "number"}, ...]. Values live on Respondent.
    attribute_schema = models.JSONField(default=list, blank=True)
    page_size = models.CharField(
        "paper size of the findings",
        max_length=10,
        choices=PageSize.choices,
        default=PageSize.LETTER,
    )
    # Days after their interview a respondent may still withdraw (the consent form's
    # promise: the demo study's allows 7); None when the study promised no window.
    withdrawal_days = models.PositiveSmallIntegerField(
        "withdrawal window (days)", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Moves on every write that changes what the roll-up of codes into themes counts or
    # names (interviews.revisions): the roll-up is cached under it, so a stale one is never
    # read. Bumped in the same transaction as the write.
    revision = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return pages.study_url(self.slug)

    @property
    def attribute_names(self) -> list[str]:
        return [attribute["name"] for attribute in self.attribute_schema]

    # The details its settings page types, in the order the page shows them.
    TYPED = ("title", "research_question", "description")

    @property
    def typed(self) -> str:
        """Its title, research question and description as one text, as a stale save of
        its settings is checked (core.stale)."""
        return fields_text(*(getattr(self, name) for name in self.TYPED))

    @property
    def seen(self) -> str:
        """The token of its details as drawn, that the settings form sends back."""
        return text_token(self.typed)


class Membership(models.Model):
    # Not indexed alone: the unique (study, user) begins with it.
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, db_index=False, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["study", "user"], name="membership_unique_user"),
        ]
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.study}"


class Invitation(models.Model):
    """An owner's offer of a role in a study: the user gets no access until they accept it
    on their study list (then it becomes a Membership)."""

    # Not indexed alone: the unique (study, user) begins with it.
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, db_index=False, related_name="invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["study", "user"], name="invitation_unique_user"),
        ]
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.user} invited as {self.role} to {self.study}"


class ProtocolQuestion(models.Model):
    # Not indexed alone: the unique (study, number) begins with it.
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, db_index=False, related_name="questions"
    )
    number = models.PositiveIntegerField()
    text = models.TextField()
    topic = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="question_unique_number"),
        ]

    def __str__(self) -> str:
        return f"Q{self.number}. {self.text}"

    @property
    def label(self) -> str:
        return f"Q{self.number}"

    @property
    def typed(self) -> str:
        """Its text and topic as one text, as a stale edit is checked (core.stale)."""
        return fields_text(self.text, self.topic)

    @property
    def seen(self) -> str:
        """The token of the question as drawn, that its edit form sends back (core.stale)."""
        return text_token(self.typed)


class Respondent(models.Model):
    # Not indexed alone: the unique (study, pseudonym_key) begins with it.
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, db_index=False, related_name="respondents"
    )
    pseudonym = models.CharField(max_length=40)
    # The pseudonym as compared (NFC, case-folded): unique in the study, see naming.py.
    pseudonym_key = NameKeyField(max_length=120, source="pseudonym")
    # The one order of respondents on every page, export and list (naming.order_key:
    # "R2" before "R10", case and accents aside); the default ordering below.
    pseudonym_order = OrderKeyField(max_length=200, source="pseudonym", default="")
    attributes = models.JSONField(default=dict, blank=True)
    # The day of the interview, which opens the withdrawal window. The respondent holds it,
    # not only their transcript: consent runs from the interview, often days before its
    # transcript is imported. When left empty, the latest `conducted_on` of their transcripts
    # stands in (interviews.consent).
    interviewed_on = models.DateField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RecordedQuerySet.as_manager()
    history = Recorded(study="study_id")

    class Meta:
        ordering = ["pseudonym_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "pseudonym_key"], name="respondent_unique_pseudonym_key"
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    # Not `typed`, as Study's and ProtocolQuestion's: the respondents table sets that name
    # on each row to what a refused edit typed (views/respondents.py).
    @property
    def row_text(self) -> str:
        """Its row's typed values as one text, as a stale edit of the row is checked
        (core.stale): respondent_typed() of what it stores."""
        return respondent_typed(self.pseudonym, self.attributes, self.interviewed_on)

    @property
    def seen(self) -> str:
        """The token of its row as drawn, that the row's edit form sends back."""
        return text_token(self.row_text)


def interview_details(title: str, respondent_id: int, conducted_on: datetime.date | None) -> str:
    """An interview's title, respondent (id) and day as the one text core.stale compares."""
    day = conducted_on.isoformat() if conducted_on else ""
    return fields_text(title, str(respondent_id), day)


def respondent_typed(
    pseudonym: str, attributes: dict, interviewed_on: datetime.date | None
) -> str:
    """A respondent's row (pseudonym, attribute name to value, interview day) as the one
    text core.stale compares: the attributes as sorted JSON, so that their order is none."""
    day = interviewed_on.isoformat() if interviewed_on else ""
    return fields_text(pseudonym, day, json.dumps(attributes, sort_keys=True))


# How a day is written in an interview's name: "3 Mar 2025", as the templates' |date:"j M Y".
DAY = "j M Y"


class Speaker(models.TextChoices):
    INTERVIEWER = "i", "Interviewer"
    RESPONDENT = "r", "Respondent"


class Interview(models.Model):
    """One transcript. `text` is normalised once on import and is the only truth for offsets."""

    # Not indexed alone: interview_study_respondent begins with it.
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, db_index=False, related_name="interviews"
    )
    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="interviews")
    title = models.CharField(max_length=200, blank=True)
    conducted_on = models.DateField(null=True, blank=True)
    text = models.TextField()
    # Incremented on every change to `text`; a selection made on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    word_count = models.PositiveIntegerField(default=0)
    # Speaker turns as [start, label_end, end, speaker] over `text`, in text order.
    turns = models.JSONField(default=list, blank=True)
    # The uploaded file's name may hold a participant's real name: shown to the study's
    # writers on the interview's details page only, never to reviewers nor in any export.
    source_name = models.CharField(max_length=255, blank=True)
    source_encoding = models.CharField(max_length=40, blank=True)
    # SHA-256 of the text as imported, to flag the same text imported twice for a respondent.
    source_hash = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RecordedQuerySet.as_manager()
    # The turns are found again from the text; the text itself is what the history keeps.
    history = Recorded(study="study_id", excluded_fields=["turns"])

    class Meta:
        ordering = ["respondent__pseudonym_order", "respondent_id", "conducted_on", "id"]
        # On SQLite the foreign keys sit after the transcript's text in each row; this index
        # answers "the interviews of a study, by respondent" without reading the text.
        indexes = [
            models.Index(
                fields=["study", "respondent", "conducted_on"], name="interview_study_respondent"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return pages.interview_url(self.study.slug, self.pk)

    @property
    def display_name(self) -> str:
        """What the app calls the interview: its title, else what the researcher knows of it,
        "Interview of 3 Mar 2025" (the day it was conducted) or, undated, "Interview imported
        30 Nov 2026" (the local day of its import). Never its database id, which counts every
        study's interviews ("Interview 9" for a study's first), nor source_name: a file name
        may carry a participant's real name (issue 7, item 13). Reads only the row's own
        fields (title, conducted_on, imported_at): no query when a list shows it."""
        if self.title:
            return self.title
        if self.conducted_on:
            return f"Interview of {dateformat.format(self.conducted_on, DAY)}"
        day = f"Interview imported {dateformat.format(timezone.localdate(self.imported_at), DAY)}"
        # Set by interviews_named: the respondent's second untitled, undated interview
        # imported that day is "(2)", so that lists can tell the two apart.
        before = getattr(self, "same_day_before", 0)
        return f"{day} ({before + 1})" if before else day

    @property
    def details(self) -> str:
        """Its details page's values as one text, as a stale save of them is checked
        (core.stale): interview_details() of what it stores. Not its text, which its
        version guards (services.interview_text_replace)."""
        return interview_details(self.title, self.respondent_id, self.conducted_on)

    @property
    def seen(self) -> str:
        """The token of its details as drawn, that the details form sends back."""
        return text_token(self.details)

    def set_text(self, text: str, *, word_count: int | None = None) -> None:
        """Replace the transcript text; the one place that keeps derived fields in step.
        `word_count` is the number of words of `text` when the caller has it counted
        already (importers.check_transcript_limits returns it, ReadText.words); else it is
        counted here, as they count it: the runs of non-space characters."""
        self.text = text
        self.word_count = len(text.split()) if word_count is None else word_count


class QuestionSegment(models.Model):
    """The part `[start, end)` of a transcript that answers one protocol question.

    Interviewers come back to questions, so a question may have several segments in one
    interview, one per time it is asked; two questions never start at the same offset.
    """

    # Not indexed alone: the unique (interview, start) begins with it.
    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, db_index=False, related_name="segments"
    )
    question = models.ForeignKey(
        ProtocolQuestion, on_delete=models.CASCADE, related_name="segments"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    # How well the interviewer's turn matched the question (0-100); None when set by hand.
    score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["interview", "start"], name="segment_unique_start"),
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="segment_nonempty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.label} [{self.start}, {self.end})"

    @classmethod
    def of(cls, interview: Interview, questions: list, span) -> QuestionSegment:
        """A segment from a segmentation.Span, whose question is an index in `questions`."""
        return cls(
            interview=interview,
            question=questions[span.question_index],
            start=span.start,
            end=span.end,
            score=span.score,
        )


class Memo(models.Model):
    """A note one member wrote: an entry of the study journal, or a memo on an interview, a
    code or a theme. Each app keeps the memos on its own things (coding.CodeMemo,
    themes.ThemeMemo), so that a lower app never knows a higher one; they share this shape,
    and the memos page (themes/) reads them all. Each names the lookup from it to its
    study in `study_lookup` (how a de-identification finds the memos it scrubs).

    Only its author edits or deletes it. A deleted memo keeps its row a while (deleted_at),
    so that the delete can be undone; it is erased after EXCERPTA_BIN_DAYS.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = RecordedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.body[:40]


class JournalEntry(Memo):
    """The researcher's reflexive journal: a dated entry on a decision, a doubt or a bias."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="journal_entries")
    history = Recorded(study="study_id")
    study_lookup = "study"

    class Meta(Memo.Meta):
        verbose_name_plural = "journal entries"


class InterviewMemo(Memo):
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="memos")
    history = Recorded(study="interview_id")
    study_lookup = "interview__study"


class StagedFile(models.Model):
    """One uploaded file waiting in the import preview, private to the user who sent it.

    Its bytes are kept here (not on disk) until it is imported, refused or skipped; a batch
    left unconfirmed is erased after a day (services.staged_files_purge).
    """

    class Status(models.TextChoices):
        STAGED = "staged", "To confirm"
        QUEUED = "queued", "Waiting"
        IMPORTING = "importing", "Importing"
        IMPORTED = "imported", "Imported"
        REFUSED = "refused", "Refused"
        SKIPPED = "skipped", "Skipped"

    # Not indexed alone: staged_file_batch begins with it.
    study = models.ForeignKey(Study, on_delete=models.CASCADE, db_index=False, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    batch = models.UUIDField()
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    data = models.BinaryField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STAGED)
    # Why the file was refused or skipped, or what its import found, in words for the user.
    message = models.TextField(blank=True)
    # Why it was refused in a word or two, for the preview's summary: a key of
    # interviews.text.ImportRejected.KINDS ("empty", "too-big", ...); "" unless refused.
    refused_as = models.CharField(max_length=20, blank=True)
    # A codec name for a .txt file: proposed on upload, then the one the researcher chose.
    encoding = models.CharField(max_length=40, blank=True)
    encoding_sure = models.BooleanField(default=True)
    # Who the file goes to: an existing respondent, or a new pseudonym the researcher gave.
    respondent = models.ForeignKey(
        Respondent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pseudonym = models.CharField(max_length=40, blank=True)
    import_duplicate = models.BooleanField(default=False)
    conducted_on = models.DateField(null=True, blank=True)
    interview = models.ForeignKey(
        Interview, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["study", "user", "batch"], name="staged_file_batch")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class Erasure(models.Model):
    """That a respondent was erased, and when: all that is left of them (interviews.erasure).

    No pseudonym unless the researcher chose to keep a note. `removed` counts what went:
    {"transcripts": 1, "excerpts": 12, "quotes": 2}.
    """

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="erasures")
    erased_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)
    removed = models.JSONField(default=dict)

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"Erasure of {self.erased_at:%Y-%m-%d}"


class Identifier(models.Model):
    """One identifying string of a study (a person's name, an agency, a street) with its
    variants and the words that replace it (interviews.deidentify finds it, whole words,
    whatever the case). Edited by the study's owners; every member reads the list."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="identifiers")
    text = models.CharField(max_length=200)
    # Other spellings of the same person or place, one a line ("Maria", "Ms Lopez").
    variants = models.TextField(blank=True)
    replacement = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["text", "id"]

    def __str__(self) -> str:
        return f"{self.text} → {self.replacement}"

    @property
    def forms(self) -> list[str]:
        """The string and its variants, as they are looked for."""
        return [self.text, *(line.strip() for line in self.variants.splitlines() if line.strip())]

    @property
    def typed(self) -> str:
        """Its edit form's values (words, variants, replacement) as one text, as a stale
        save of them is checked (core.stale)."""
        return fields_text(self.text, self.variants, self.replacement)

    @property
    def seen(self) -> str:
        """The token of its values as drawn, that its edit form sends back (core.stale)."""
        return text_token(self.typed)


class IdentifierSkip(models.Model):
    """An occurrence of an identifier the researcher chose to keep: never asked again.

    `[start, end)` in code points over the interview's text (or its file name when
    `in_name`); a skip follows its words when the transcript is edited, like an excerpt.
    """

    identifier = models.ForeignKey(Identifier, on_delete=models.CASCADE, related_name="skips")
    # Not indexed alone: identifier_skip_at begins with it.
    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, db_index=False, related_name="+"
    )
    in_name = models.BooleanField(default=False)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["interview", "start"], name="identifier_skip_at")]

    def __str__(self) -> str:
        return f"{self.identifier_id} kept at {self.start}-{self.end} of {self.interview_id}"


class TypedKeep(models.Model):
    """A field the researcher typed that holds strings of the study's list she chose to keep
    (a false match: "Hope" as a word in a theme's description): no download is refused for
    them while the field's text is still the one she read. Written and read by
    themes.identifying; kept here, beside the list, so that the list's edits can drop the
    decisions on strings no longer listed.

    The field is (`kind`, `row`, `field`) as themes.identifying.TypedPlace.field names it
    (kind "theme", the theme's id, "description"; `field` an attribute's name for
    "attributes", "" where the kind has one field). `words` are the kept strings,
    case-folded as the list matches them (interviews.deidentify.fold): a string of the list
    found later in the same text is asked about. `digest` is the sha256 (hex) of the
    field's text when kept: an edit asks again, and so does another row that takes the
    deleted one's id with other words.
    """

    # Not indexed alone: typed_keep_one_per_field begins with it.
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, db_index=False, related_name="typed_keeps"
    )
    kind = models.CharField(max_length=20)
    row = models.PositiveIntegerField()
    field = models.CharField(max_length=200, blank=True)
    words = models.JSONField(default=list)
    digest = models.CharField(max_length=64)
    kept_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["study", "kind", "row", "field"], name="typed_keep_one_per_field"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.row} {self.field} kept"


def interviews_named(
    interviews: Iterable[Interview], *, all_of_theirs: bool = False
) -> list[Interview]:
    """`interviews` as a list, each with what Interview.display_name needs to tell apart a
    respondent's untitled, undated interviews imported the same day ("Interview imported 30
    Nov 2026 (2)"): `same_day_before`, how many of its respondent's untitled, undated
    interviews were imported before it that (local) day, by imported_at then id; 0 for the
    first of a day, and for every titled or dated interview.

    Each interview must hold pk, respondent_id, title, conducted_on and imported_at (no
    deferred field among them, or it is read one query per row). The count is taken from
    all the respondent's interviews, whichever are given: one query reads the (id,
    respondent, imported_at) of the untitled, undated interviews of the respondents of
    those given that are untitled and undated. None when no interview given is, nor when
    `all_of_theirs` says the given ones are all their respondents' interviews (a study's
    whole list): the count is then made from them. Read once, counted in Python: a
    subquery per row (the annotation interview_access keeps for its one row) cost the
    study's page of 200 interviews 1.1 s on SQLite."""
    interviews = list(interviews)
    untitled = [i for i in interviews if not i.title and i.conducted_on is None]
    for interview in interviews:
        interview.same_day_before = 0
    if not untitled:
        return interviews
    if all_of_theirs:
        peers = [(i.pk, i.respondent_id, i.imported_at) for i in untitled]
    else:
        peers = (
            Interview.objects.filter(
                respondent_id__in={i.respondent_id for i in untitled},
                title="",
                conducted_on__isnull=True,
            )
            .order_by()
            .values_list("pk", "respondent_id", "imported_at")
        )
    days: dict[tuple[int, datetime.date], list[tuple[datetime.datetime, int]]] = {}
    for pk, respondent_id, imported_at in peers:
        days.setdefault((respondent_id, timezone.localdate(imported_at)), []).append(
            (imported_at, pk)
        )
    for day in days.values():
        day.sort()
    for interview in untitled:
        day = days.get((interview.respondent_id, timezone.localdate(interview.imported_at)), [])
        interview.same_day_before = bisect.bisect_left(day, (interview.imported_at, interview.pk))
    return interviews


def same_day_before_annotated(rows: models.QuerySet) -> models.QuerySet:
    """`rows` (interviews) annotated with `same_day_before` as interviews_named counts it,
    in the rows' own query (a correlated subquery per row): for interview_access's one
    interview, where this costs less than interviews_named's second query. Never for a
    list: the subquery runs for every row."""
    untitled = Interview.objects.filter(
        respondent=models.OuterRef("respondent"), title="", conducted_on__isnull=True
    )
    earlier = (
        untitled.annotate(day=TruncDate("imported_at"))
        .filter(day=models.OuterRef("imported_day"))
        .filter(
            models.Q(imported_at__lt=models.OuterRef("imported_at"))
            | models.Q(imported_at=models.OuterRef("imported_at"), pk__lt=models.OuterRef("pk"))
        )
        .order_by()
        .values("respondent")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    return rows.annotate(imported_day=TruncDate("imported_at")).annotate(
        same_day_before=Coalesce(models.Subquery(earlier), 0)
    )
