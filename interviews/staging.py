"""Uploads waiting in the import preview: kept, shown, confirmed, then imported one by one.

An upload is judged on arrival (empty, too big, wrong type, damaged: refused at once, with
the reason), and what Excerpta proposes for it (respondent, encoding) is shown to the
researcher before anything is created. Staged bytes belong to one user in one study and are
erased once the file is imported, refused or skipped, or after a day.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Min
from django.utils import timezone

from core.dates import is_plausible

from . import deidentify, encodings, sql
from .importers import TooLarge, file_suffix, read_transcript
from .models import Identifier, Respondent, StagedFile, Study
from .services import (
    ImportContext,
    ImportFile,
    ImportOutcome,
    guess_among,
    interview_import_safely,
    interviews_import_together,
)
from .text import ImportRejected

STAGED_LIFETIME = timedelta(days=1)
# How much of a file the preview shows: lines, and code points per line.
PREVIEW_LINES = 6
PREVIEW_LINE_CHARS = 160

Status = StagedFile.Status
# What importing a file writes back to its row.
OUTCOME_FIELDS = ["status", "message", "interview", "data"]
# Files a batch import claims, imports in one transaction and whose outcomes it writes, in a
# few statements per CHUNK files, and at most CHUNK files to look at should a request die.
# The transaction holds the study only while it writes: 50 transcripts of 8,000 words took
# 0.63 s of INSERTs (and the search index's), the study's lock for that long (load 12 on
# the shared 2-core machine); reading and segmenting them (5.4 s) came before.
CHUNK = 50
_DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def staged_files_stage(
    *, study: Study, user, uploads: Iterable[tuple[str, bytes | TooLarge]]
) -> uuid.UUID:
    """Keep each upload (name, bytes) for the preview and return the batch's id.

    Each file is read at once: one that cannot be imported is kept as refused, with the
    reason and without its bytes. Unconfirmed batches older than a day are erased first.
    """
    staged_files_purge()
    batch = uuid.uuid4()
    # Read once for the whole upload: every file's name is matched against them.
    pseudonyms = list(study.respondents.values_list("pk", "pseudonym"))
    rows, seen = [], Counter()
    for position, (name, raw) in enumerate(uploads):
        name = _told_apart(name, seen)
        size = raw.size if isinstance(raw, TooLarge) else len(raw)
        row = StagedFile(
            study=study, user=user, batch=batch, position=position, name=name[:255], size=size
        )
        guess = None
        try:
            if file_suffix(name) == ".txt" and isinstance(raw, bytes):
                guess = encodings.guess(raw)
            read_transcript(name, raw, _read_as(guess))
        except ImportRejected as rejected:
            row.status, row.message = Status.REFUSED, f"{name}: refused: {rejected}."
            row.refused_as = rejected.kind
        else:
            row.data = raw
            if guess is not None:
                row.encoding, row.encoding_sure = guess.encoding, guess.sure
            proposal = guess_among(study, name, pseudonyms)
            row.respondent_id = proposal.respondent.pk if proposal.respondent else None
            row.pseudonym = proposal.pseudonym
        rows.append(row)
    # One INSERT for the upload, whatever its number of files.
    StagedFile.objects.bulk_create(rows, batch_size=50)
    return batch


def _read_as(guess: encodings.EncodingGuess | None) -> str | None:
    """The encoding a .txt file is checked in on upload (its size, its text): the one
    proposed, else the likeliest it decodes in, where none reads well enough to propose
    (the researcher then chooses, as for any guess); None for a Word document."""
    if guess is None:
        return None
    return guess.encoding or (guess.candidates[0] if guess.candidates else None)


def _told_apart(name: str, seen: Counter) -> str:
    """`name`, or "R1 (2).txt" for the second file of that name in one upload (counted in
    `seen`, whatever the case): two files chosen from two folders would otherwise be two
    rows and two results of the same name, which the researcher cannot tell apart."""
    seen[name.casefold()] += 1
    n = seen[name.casefold()]
    if n == 1:
        return name
    stem, dot, kind = name.rpartition(".")
    return f"{stem} ({n}).{kind}" if dot and stem else f"{name} ({n})"


def staged_files_purge(*, now=None) -> int:
    """Erase staged files older than STAGED_LIFETIME; returns how many."""
    cutoff = (now or timezone.now()) - STAGED_LIFETIME
    deleted, _ = StagedFile.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def staged_batch(*, study: Study, user, batch: uuid.UUID) -> list[StagedFile]:
    """The files of one batch of `user` in `study`, in upload order (one query)."""
    return list(
        StagedFile.objects.filter(study=study, user=user, batch=batch).select_related(
            "respondent", "interview"
        )
    )


def staged_batches_waiting(*, study: Study, user) -> list[dict]:
    """The user's batches in `study` with files still to confirm, newest first (one query):
    [{"batch": uuid, "files": count, "created_at": datetime}]."""
    rows = (
        StagedFile.objects.filter(study=study, user=user, status=Status.STAGED)
        .values("batch")
        .annotate(files=Count("pk"), created_at=Min("created_at"))
        .order_by("-created_at")
    )
    return list(rows)


@dataclass(frozen=True)
class Preview:
    """What the preview shows of one staged file, decoded in `encoding` (a codec name).

    `listed` is what the study's de-identification list finds in the file before it is
    saved: [(listed words as typed, occurrences in the text, occurrences in the file's
    name)], in list order."""

    lines: list[str]
    words: int
    error: str
    text_hash: str
    listed: tuple[tuple[str, int, int], ...] = ()


def staged_file_preview(
    row: StagedFile,
    encoding: str | None = None,
    identifiers: Sequence[Identifier] = (),
) -> Preview:
    """Decode a staged file (in `encoding`, else the one proposed) for the preview, and
    check it and its name against `identifiers` (the study's de-identification list)."""
    try:
        read = read_transcript(row.name, bytes(row.data), encoding or row.encoding or None)
    except ImportRejected as rejected:
        return Preview(lines=[], words=0, error=str(rejected), text_hash="")
    lines = [line for line in read.text.splitlines() if line.strip()][:PREVIEW_LINES]
    lines = [
        line if len(line) <= PREVIEW_LINE_CHARS else line[:PREVIEW_LINE_CHARS] + "…"
        for line in lines
    ]
    digest = hashlib.sha256(read.text.encode("utf-8")).hexdigest()
    return Preview(
        lines=lines,
        words=read.words,
        error="",
        text_hash=digest,
        listed=_listed(identifiers, read.text, row.name),
    )


def _listed(identifiers: Sequence[Identifier], text: str, name: str) -> tuple:
    if not identifiers:
        return ()
    matcher = deidentify.matcher_of(identifiers)
    in_text = Counter(identifier_id for _, _, identifier_id in matcher.find(text))
    in_name = Counter(identifier_id for _, _, identifier_id in matcher.find(name))
    return tuple(
        (identifier.text, in_text[identifier.pk], in_name[identifier.pk])
        for identifier in identifiers
        if in_text[identifier.pk] or in_name[identifier.pk]
    )


def unreadable_in(row: StagedFile, encoding: str) -> str:
    """Why the import would refuse `row` read in `encoding` (a codec name the researcher
    chose in the preview), in its words (importers.read_transcript): "it is not valid
    iso8859-7 text"; "" when it reads. An encoding is offered when the file's first pages
    decode in it (encodings.guess), so a byte further on can still refuse the whole file.
    The one the file was read in on upload is not read again."""
    if not encoding or encoding == row.encoding:
        return ""
    try:
        read_transcript(row.name, bytes(row.data), encoding)
    except ImportRejected as rejected:
        return str(rejected)
    return ""


def date_from_name(name: str) -> date | None:
    """A date written in a file name as 2026-03-02, if it is a real and plausible date
    (core.dates: a number like 1800-01-01 in a name is not proposed as the interview's)."""
    match = _DATE_IN_NAME.search(name)
    try:
        found = date(*map(int, match.groups())) if match else None
    except ValueError:
        return None
    return found if found and is_plausible(found) else None


@dataclass(frozen=True)
class Choice:
    """What the researcher confirmed for one staged file in the preview."""

    skip: bool = False
    respondent: Respondent | None = None
    pseudonym: str = ""
    encoding: str = ""
    conducted_on: date | None = None
    import_duplicate: bool = False


@transaction.atomic
def staged_files_confirm(*, rows: list[StagedFile], choices: dict[int, Choice]) -> int:
    """Record the researcher's choice for each file to confirm (by row id) and queue it;
    returns how many files are queued. Nothing is imported here."""
    queued, confirmed = 0, []
    for row in rows:
        choice = choices.get(row.pk)
        if row.status != Status.STAGED or choice is None:
            continue
        if choice.skip:
            row.status, row.message, row.data = Status.SKIPPED, f"{row.name}: left out.", b""
        else:
            row.status = Status.QUEUED
            row.respondent = choice.respondent
            row.pseudonym = "" if choice.respondent else choice.pseudonym
            row.encoding = choice.encoding or row.encoding
            row.import_duplicate = choice.import_duplicate
            row.conducted_on = choice.conducted_on
            queued += 1
        confirmed.append(row)
    fields = ["status", "message", "data", "respondent", "pseudonym", "encoding"]
    fields += ["import_duplicate", "conducted_on"]
    StagedFile.objects.bulk_update(confirmed, fields, batch_size=50)
    return queued


def staged_file_import_next(*, study: Study, user, batch: uuid.UUID) -> StagedFile | None:
    """Import the next queued file of the batch, in its own transaction; None when done."""
    for row in _queued(study, user, batch):
        if _claimed(row):
            row = _import(row, study=study, user=user, context=ImportContext(study))
            row.save(update_fields=OUTCOME_FIELDS)
            return row
    return None


def _queued(study: Study, user, batch: uuid.UUID) -> list[StagedFile]:
    """The batch's files waiting to be imported, in upload order (one query)."""
    queued = StagedFile.objects.filter(study=study, user=user, batch=batch, status=Status.QUEUED)
    return list(queued.select_related("respondent"))


def _claimed(row: StagedFile) -> bool:
    """Claim a queued file (one UPDATE), so that two requests stepping the same batch never
    import a file twice; False when another request claimed it first."""
    return bool(
        StagedFile.objects.filter(pk=row.pk, status=Status.QUEUED).update(status=Status.IMPORTING)
    )


def _claimed_rows(rows: list[StagedFile]) -> list[StagedFile]:
    """Claim queued files together (one UPDATE where the database returns the rows it
    changed, else one per file, see _claimed): those of `rows` this request now imports,
    in their order. A file another request claimed first is left to it."""
    if not connection.features.can_return_columns_from_insert:
        return [row for row in rows if _claimed(row)]
    ids = sql.staged_files_claim_returning(
        [row.pk for row in rows], queued=Status.QUEUED, importing=Status.IMPORTING
    )
    return [row for row in rows if row.pk in ids]


def _import(row: StagedFile, *, study: Study, user, context: ImportContext) -> StagedFile:
    """Import one claimed file in its own transaction; returns its row with the outcome set
    (OUTCOME_FIELDS), for the caller to save."""
    outcome = interview_import_safely(study=study, user=user, context=context, file=_file(row))
    return _outcome_set(row, outcome)


def _file(row: StagedFile) -> ImportFile:
    return ImportFile(
        name=row.name,
        raw=bytes(row.data),
        respondent=row.respondent,
        pseudonym=row.pseudonym,
        encoding=row.encoding or None,
        conducted_on=row.conducted_on,
        import_duplicate=row.import_duplicate,
    )


def _outcome_set(row: StagedFile, outcome: ImportOutcome) -> StagedFile:
    if outcome.ok:
        row.status = Status.IMPORTED
    else:
        row.status = Status.SKIPPED if outcome.duplicate else Status.REFUSED
    row.message, row.interview, row.data = outcome.message, outcome.interview, b""
    return row


def staged_files_import(*, study: Study, user, batch: uuid.UUID) -> int:
    """Import every queued file of the batch, CHUNK files a transaction; returns how many.

    The queue and the study are read once for the batch (see services.ImportContext). For
    each chunk: its files are claimed, imported together (services.interviews_import_together:
    made ready before the transaction, then written in a fixed number of statements), and
    their outcomes written, whatever the number of files in it. Between two chunks no lock
    is held, so other users are served while a long batch runs. Should the request die
    midway, the files of the chunk under way stay "importing" (their interviews committed
    all or none) until the batch is erased after a day.
    """
    context = ImportContext(study)
    queued = _queued(study, user, batch)
    count = 0
    for start in range(0, len(queued), CHUNK):
        rows = _claimed_rows(queued[start : start + CHUNK])
        outcomes = interviews_import_together(
            study=study, user=user, context=context, files=[_file(row) for row in rows]
        )
        for row, outcome in zip(rows, outcomes, strict=True):
            _outcome_set(row, outcome)
        StagedFile.objects.bulk_update(rows, OUTCOME_FIELDS)
        count += len(rows)
    return count
