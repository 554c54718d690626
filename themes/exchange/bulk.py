"""Writing an imported project's rows in bulk, each kind in a few statements whatever the
number of rows, with a history record of each row (interviews.history).

The REFI-QDA import (qdpx_import) decides every row in memory first (names made unique,
colours, positions, memos), then writes them here inside its one transaction, after its one
revision bump. The app's one-row services (code_create, interview_import, theme_create,
memo_create...) each bump the revision, hold the study and write a record: called per
item, they made an import of 50 transcripts and 5,000 excerpts take 37 s. The rules they
keep that matter for a study no one else can see yet (it is made in this transaction) are
kept by the caller: unique names, parents in the same study, memos' texts (memo_text).

Codes and themes are inserted without their parent, then given it (a row's parent must
exist first), and recorded once they are whole: their history begins with one record of
each as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

from django.db.models import Model, QuerySet
from django.utils import timezone

from coding.models import Code, Coding, Excerpt
from interviews import history, segmentation
from interviews.importers import ReadText
from interviews.models import Interview, ProtocolQuestion, QuestionSegment, Respondent, Study
from interviews.turns import find_turns, interviewer_only
from themes import sql
from themes.models import Theme


def _plain(model: type[Model]) -> QuerySet:
    """`model`'s rows without RecordedQuerySet: written here, recorded once whole."""
    return QuerySet(model)


def tree_insert(
    model: type[Model],
    nodes: Sequence[tuple[Model, Model | None]],
    *,
    links: Iterable[tuple[Theme, Code]] = (),
) -> None:
    """Insert `nodes` (unsaved codes or themes, each with its parent: one of `nodes`, an
    existing row, or None) and record each as created; for themes, `links` are the
    (theme, code) pairs of the codes they gather, written before the records that hold
    them. Three statements (the rows, their parents, the records), one more for links and
    two for themes' records of them; each in batches past a few hundred rows. None for
    no nodes."""
    if not nodes:
        return
    _plain(model).bulk_create([node for node, _ in nodes])
    _links_insert(links)
    children = []
    for node, parent in nodes:
        if parent is not None:
            node.parent = parent
            children.append(node)
    _plain(model).bulk_update(children, ["parent"])
    history.record([node for node, _ in nodes], "+")


def _links_insert(links: Iterable[tuple[Theme, Code]]) -> None:
    """The codes each theme gathers, (theme, code) pairs of saved rows, each pair once:
    one INSERT (none for no pairs)."""
    through = Theme.codes.through
    seen, rows = set(), []
    for theme, code in links:
        if (theme.pk, code.pk) not in seen:
            seen.add((theme.pk, code.pk))
            rows.append(through(theme_id=theme.pk, code_id=code.pk))
    if rows:
        through.objects.bulk_create(rows)


@dataclass
class Transcript:
    """An interview to write: its respondent, its text as read (interviews.importers), what
    the source said of it, and after `interviews_insert` the saved interview."""

    respondent: Respondent
    read: ReadText
    file_name: str
    title: str
    conducted_on: date | None = None
    interview: Interview | None = None
    spans: list = field(default_factory=list)


def interviews_insert(
    *, study: Study, transcripts: Sequence[Transcript], questions: Sequence[ProtocolQuestion], user
) -> None:
    """Save each of `transcripts` as an interview of `study` imported by `user`, with its
    speaker turns and the question sections found in it (as interview_import finds them),
    and record each. Three statements (the interviews, their records, the sections; each
    in batches past a few dozen rows), one query more per batch of rows on PostgreSQL."""
    questions = list(questions)
    texts = [question.text for question in questions]
    made = []
    for transcript in transcripts:
        read, respondent = transcript.read, transcript.respondent
        interview = Interview(
            study=study,
            respondent=respondent,
            title=transcript.title.strip()[:200],
            conducted_on=transcript.conducted_on,
            source_name=PurePath(transcript.file_name).name[:255],
            source_encoding=read.encoding,
            source_hash=hashlib.sha256(read.text.encode("utf-8")).hexdigest(),
            imported_by=user,
        )
        interview.set_text(read.text, word_count=read.words)
        turns = find_turns(read.text, [respondent.pseudonym])
        interview.turns = [list(turn) for turn in turns]
        transcript.spans = segmentation.find_segments(read.text, turns, texts)
        transcript.interview = interview
        made.append(interview)
    Interview.objects.bulk_create(made)
    QuestionSegment.objects.bulk_create(
        QuestionSegment.of(transcript.interview, questions, span)
        for transcript in transcripts
        for span in transcript.spans
    )


@dataclass
class ExcerptToInsert:
    """An excerpt of an import (excerpts_insert): [start, end) in code points of its
    interview's text, its memo, the ids of its codes, its coder's account id (None: the
    importer), when it was made and last changed, and code id -> when that code was applied
    (each None or missing where the file says nothing: then the excerpt's `created`, else
    the import's time)."""

    interview: Interview
    start: int
    end: int
    memo: str
    code_ids: Sequence[int]
    coder_id: int | None = None
    created: datetime | None = None
    modified: datetime | None = None
    coded: dict[int, datetime] = field(default_factory=dict)


# The columns each excerpt and coding row gives, in this order; the rest are the same for
# every row of an import (see _constants).
_EXCERPT_VARYING = (
    "interview_id",
    "start",
    "end",
    "text",
    "memo",
    "coder_id",
    "interviewer_only",
    "created_at",
    "updated_at",
)
_CODING_VARYING = ("excerpt_id", "code_id", "interview_id", "coder_id", "created_at")


def _constants(template: Model, varying: Sequence[str]) -> tuple[list[str], tuple]:
    """The attnames of `template`'s concrete fields other than its id and `varying`, and
    their values on `template` as the database stores them."""
    names = [
        f.attname
        for f in template._meta.concrete_fields
        if not f.primary_key and f.attname not in varying
    ]
    model = type(template)
    # A choice (ExcerptStatus.OK) goes to the driver as the plain string it stands for.
    values = (getattr(template, name) for name in names)
    plain = (str(v) if isinstance(v, str) else v for v in values)
    return names, tuple(sql.prepared(model, name, v) for name, v in zip(names, plain, strict=True))


def excerpts_insert(
    *,
    study: Study,
    coder,
    excerpts: Sequence[ExcerptToInsert],
) -> None:
    """Save `excerpts` of the interviews of `study` (new: they have no excerpt yet), each
    coded (with each of its codes) by the user of its coder id, or by `coder` when None,
    made and coded when the file says (now where it says nothing), and record every excerpt
    and coding (unless the history is off). Five statements whatever their number: the
    excerpts, their ids read back, the codings, and one INSERT ... SELECT of records for
    each (interviews.history.records_insert)."""
    if not excerpts:
        return
    now = timezone.now()
    default = getattr(coder, "pk", None)

    # Each distinct date prepared once: most rows share their second (a file's dates, or
    # now), and preparing one per row was most of what keeping the dates cost.
    prepared: dict[tuple, object] = {}

    def moment(model, value) -> object:
        key = (model, value)
        if key not in prepared:
            prepared[key] = sql.prepared(model, "created_at", value or now)
        return prepared[key]

    names, constants = _constants(Excerpt(), _EXCERPT_VARYING)
    sql.rows_insert(
        Excerpt,
        [*_EXCERPT_VARYING, *names],
        [
            (
                e.interview.pk,
                e.start,
                e.end,
                e.interview.text[e.start : e.end],
                e.memo,
                e.coder_id or default,
                interviewer_only(e.interview.text, e.start, e.end),
                moment(Excerpt, e.created),
                moment(Excerpt, e.modified or e.created),
                *constants,
            )
            for e in excerpts
        ],
    )
    ids = {
        (interview_id, start, end): pk
        for pk, interview_id, start, end in Excerpt.all_objects.filter(
            interview__study=study
        ).values_list("pk", "interview_id", "start", "end")
    }
    names, constants = _constants(Coding(), _CODING_VARYING)
    sql.rows_insert(
        Coding,
        [*_CODING_VARYING, *names],
        [
            (
                ids[e.interview.pk, e.start, e.end],
                code_id,
                e.interview.pk,
                e.coder_id or default,
                moment(Coding, e.coded.get(code_id) or e.created),
                *constants,
            )
            for e in excerpts
            for code_id in e.code_ids
        ],
    )
    for model in (Excerpt, Coding):
        # Copied by the database from the rows just written (none had a record yet).
        rows = model._base_manager.filter(interview__study=study)
        history.records_insert(model, "+", rows=rows)
