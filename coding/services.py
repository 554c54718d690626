"""Writes to the codebook and to excerpts. Views, commands and tests all go through here."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Max, Q
from django.utils import timezone
from django.utils.translation import ngettext

from core.bidi import isolated
from core.errors import Conflict
from core.naming import (
    check_parent,
    clean_unique_name,
    find_by_name,
    is_inside,
    lock_tree,
    name_key,
    name_taken,
    tidy,
    update_node,
)
from core.sanitise import typed_text
from interviews import history
from interviews import services as interviews
from interviews.locks import hold
from interviews.models import Interview, Study
from interviews.revisions import study_revision_bump, study_revision_keep
from interviews.textdiff import OffsetMap
from interviews.turns import Turn, interviewer_only, turns_from_json, turns_of

from . import bin, selectors, sql
from .models import Code, CodeMemo, Coding, Excerpt, ExcerptStatus, excerpt_followed
from .palette import next_colour, parse_colour
from .picker import similar_codes
from .selectors import CodeRow
from .selectors import code_rows as code_rows_of
from .undo import (
    Journal,
    codings_state,
    excerpt_state,
    keep_noted,
    note,
    note_code,
    note_excerpt,
)

# What the picker chose --------------------------------------------------------------------


@dataclass(frozen=True)
class CodeChoice:
    """The codes picked in the coding page's picker: existing codes by id, and a name typed
    for a code to make on the spot ("" for none), asked about first when it looks like an
    existing code's name, unless `confirm_new`."""

    ids: Sequence[int] = ()
    new_name: str = ""
    confirm_new: bool = False


class NearDuplicate(Exception):
    """A new code's name is close to existing codes' names (`similar`, CodeRows); nothing
    is saved until the user picks one of them or confirms the new name (confirm_new)."""

    def __init__(self, name: str, similar: list[CodeRow]):
        super().__init__(name)
        self.name, self.similar = name, similar


def _codes_chosen(interview: Interview, choice: CodeChoice, codes: dict[int, CodeRow], journal):
    """The CodeRows `choice` picks among `codes` (the interview's study's codes, as
    code_rows gives them), a new code first made if one was typed: it is added to `codes`,
    so that the answer can draw it. Inside the caller's transaction, so that a refused write
    makes no code.

    Conflict for an id not in `codes` (deleted or merged since), NearDuplicate for a new
    name close to a code's, ValidationError for a name too long.
    """
    if any(code_id not in codes for code_id in choice.ids):
        raise Conflict(CODE_GONE)
    chosen = [codes[code_id] for code_id in dict.fromkeys(choice.ids)]
    name = tidy(choice.new_name)
    if name:
        # A code of that name may exist already (in any case): `codes` holds them all.
        wanted = name_key(name)
        code = next((c for c in codes.values() if name_key(c.name) == wanted), None)
        # A slip of an existing name ("Peer suport") is asked about before it becomes a
        # code of its own.
        asked = choice.confirm_new
        if code is None and not asked and (similar := similar_codes(name, codes.values())):
            raise NearDuplicate(name, similar)
        if code is None:
            made = code_get_or_create(study=interview.study, name=name, journal=journal)
            code = codes[made.pk] = CodeRow(made.pk, made.name, made.colour, made.parent_id)
        if code not in chosen:
            chosen.append(code)
    return chosen


def excerpt_code_picked(
    *,
    interview: Interview,
    coder,
    start: int,
    end: int,
    seen_text: str,
    version: int,
    choice: CodeChoice,
    codes: dict[int, CodeRow] | None,
    journal: Journal | None = None,
    held: Held | None = None,
) -> tuple[Excerpt, bool, list[CodeRow]]:
    """Code a selection with what the picker chose: excerpt_code_selection and the code
    typed there as one unit of work (a refused selection makes no code). Returns the
    excerpt, whether it is new, and the codes applied (CodeRows, as held). Raises as
    excerpt_code_selection does, and NearDuplicate (see _codes_chosen).

    `codes` is the study's codes (code_rows), needed only when a new name was typed (it is
    compared with theirs, and the new code added to it); None otherwise, and then the
    codes chosen are read with the selection's checks (excerpt_code_selection's `held`),
    not the study's whole codebook. A `journal` with an owner (coding.undo.Journal) is
    kept in the same transaction, labelled coded_message(the codes applied).
    """
    if codes is None and tidy(choice.new_name):
        codes = code_rows_of(interview.study)
    held = held if held is not None else Held()
    # Only a code typed in the picker needs a transaction around the selection's; without
    # one, excerpt_code_selection's own is the whole unit of work, and no savepoint is
    # taken inside an outer one (two statements fewer on every coded selection).
    with transaction.atomic() if tidy(choice.new_name) else nullcontext():
        if codes is None:
            chosen = [_CodeId(code_id) for code_id in dict.fromkeys(choice.ids)]
        else:
            chosen = _codes_chosen(interview, choice, codes, journal)
        excerpt, created = excerpt_code_selection(
            interview=interview,
            coder=coder,
            start=start,
            end=end,
            seen_text=seen_text,
            version=version,
            codes=chosen,
            journal=journal,
            held=held,
        )
    return excerpt, created, held.codes


@dataclass(frozen=True)
class _CodeId:
    """A code picked by id alone: its name and colour come with the selection's checks."""

    id: int


def coded_message(codes: Sequence[Code | CodeRow]) -> str:
    """What coding a selection with `codes` says, and its undo entry is called:
    "Coded as “Peer support”, “Stress”." (the codes in the order given), each name quoted as
    every message quotes names, and isolated (core.bidi) so that a right-to-left one keeps
    the comma and full stop on their side."""
    return f"Coded as {', '.join(f'“{isolated(code.name)}”' for code in codes)}."


def excerpt_codes_add_picked(
    *,
    excerpt: Excerpt,
    coder,
    choice: CodeChoice,
    codes: dict[int, CodeRow],
    journal: Journal | None = None,
) -> tuple[list[CodeRow], list[CodeRow]]:
    """Add what the picker chose to an excerpt, a code typed there included, as one unit
    of work; returns (the codes chosen, those of them the excerpt did not carry yet: the
    ones added). ValidationError when nothing was chosen; Conflict when the excerpt has no
    words left (EXCERPT_ORPHANED): nothing is added, not even a code typed there."""
    with transaction.atomic():
        chosen = _codes_chosen(excerpt.interview, choice, codes, journal)
        if not chosen:
            raise ValidationError("Choose a code to add.")
        added = _codes_add(excerpt=excerpt, codes=chosen, coder=coder, journal=journal)
        if not added:
            # It carried every code chosen (a code typed there would be new, and added).
            study_revision_keep()
    return chosen, added


# Selections --------------------------------------------------------------------------------


def checked_span(
    interview: Interview, *, start: int, end: int, seen_text: str, version: int
) -> tuple[int, int]:
    """Validate a selection the browser sent; returns it with surrounding spaces and any
    speaker label at its ends trimmed (see outside_labels).

    The browser sends the offsets (in code points), the text it showed between them and the
    transcript version it had. Anything stale or forged is refused, never adjusted silently.
    """
    if version != interview.version:
        raise Conflict(_STALE)
    text = interview.text
    if not 0 <= start < end <= len(text):
        raise ValidationError(
            "That selection is outside the transcript. Select a passage in the text."
        )
    if text[start:end] != seen_text.replace("\r\n", "\n"):
        raise Conflict(
            "The selected text does not match the transcript at that place. Reload the "
            "page and select it again; nothing was saved."
        )
    start, end = _trimmed(text, start, end)
    if start == end:
        raise ValidationError("Select some words first: the selection holds only spaces.")
    start, end = outside_labels(turns_of(interview), start, end)
    start, end = _trimmed(text, start, end)
    if start >= end:
        raise ValidationError(
            "Select some words of what was said: the selection holds only a speaker label."
        )
    return start, end


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def outside_labels(turns: Sequence[Turn], start: int, end: int) -> tuple[int, int]:
    """A span (code points) with its ends moved out of speaker labels ("P1: ",
    "[00:12] Interviewer: "): a start inside a label moves to the label's end, an end
    inside one back to the label's start; what was said is all an excerpt holds. The span
    may come out empty (start >= end) when it held only a label. `turns` are in text order.
    """
    index = bisect_right(turns, start, key=lambda turn: turn.start) - 1
    if index >= 0 and turns[index].start <= start < turns[index].label_end:
        start = turns[index].label_end
    index = bisect_right(turns, end - 1, key=lambda turn: turn.start) - 1
    if index >= 0 and turns[index].start < end <= turns[index].label_end:
        end = turns[index].start
    return start, end


# Excerpts ---------------------------------------------------------------------------------


_STALE = (
    "This transcript was edited after you opened it. Reload the page and select the "
    "passage again; nothing was saved."
)


def _hold_version(interview: Interview, version: int) -> None:
    """Inside a transaction: refuse if the text changed since `version`, and keep it from
    changing until the transaction ends (a row lock on PostgreSQL; on SQLite the IMMEDIATE
    transaction already holds the database's write lock)."""
    if list(_version_held(interview).values_list("version", flat=True)) != [version]:
        raise Conflict(_STALE)


def _version_held(interview: Interview):
    # order_by(): the model's ordering would join the respondent, and lock its row too.
    return Interview.objects.select_for_update().filter(pk=interview.pk).order_by()


def excerpt_create(**kwargs) -> Excerpt:
    """Code a selection (see excerpt_code_selection); returns the excerpt."""
    return excerpt_code_selection(**kwargs)[0]


def excerpt_code_selection(
    *,
    interview: Interview,
    coder,
    start: int,
    end: int,
    seen_text: str,
    version: int,
    codes: Sequence[Code | CodeRow],
    memo: str = "",
    journal: Journal | None = None,
    held: Held | None = None,
) -> tuple[Excerpt, bool]:
    """Code a selection; returns the excerpt and whether it is new. Selecting exactly an
    existing excerpt adds the codes to it instead of making a second one.

    `codes` must be codes of the interview's study (models, or rows from code_rows; of
    rows only the id is relied on, see Held). With a `journal`, what was done is noted
    there for undo (see coding.undo), as by every service here that takes one; a journal
    with an owner is also kept, as the newest entry of its owner's undo history, in this
    transaction (undo.keep_noted; labelled `journal.label`, else coded_message(the codes
    as held)): the coding and the entry that undoes it are written together, one commit,
    or not at all. With `held`, what the selection's checks read is kept there for the
    answer (see Held).
    """
    _check_study(interview, codes)
    if not codes:
        raise ValidationError("Choose at least one code for the selection.")
    start, end = checked_span(
        interview, start=start, end=end, seen_text=seen_text, version=version
    )
    with transaction.atomic():
        # The transcript's lock also queues identical selections: the second one finds the
        # first one's excerpt and adds to it.
        study_revision_bump(interview.study_id)
        excerpt, rows, bounds = _hold_span(
            interview, version, start, end, codes, bounds=held is not None
        )
        if held is not None:
            held.codes = [rows[code.id] for code in _unique(codes)]
        if journal is not None and journal.owner is not None and not journal.label:
            journal.label = coded_message([rows[code.id] for code in _unique(codes)])
        if excerpt is None:
            excerpt = _insert_excerpt(interview, coder, start, end, memo, _unique(codes))
            if held is not None:
                held.bounds = [*bounds, [start, end]]
            after = excerpt_state(excerpt, codings=_new_codings(excerpt, codes, coder))
            note_excerpt(journal, excerpt, None, after)
            keep_noted(journal)
            return excerpt, True
        excerpt.interview = interview
        added = {
            code.id
            for code in _codes_add(excerpt=excerpt, codes=codes, coder=coder, journal=journal)
        }
        if held is not None:
            held.added = [rows[code.id] for code in _unique(codes) if code.id in added]
        if added:
            # Only then: with nothing added (the same words coded the same in another tab),
            # an undo entry would spend a Ctrl+Z undoing nothing.
            keep_noted(journal)
        else:
            study_revision_keep()  # Nothing changed: the cached roll-up stays in use.
    return excerpt, False


@dataclass
class Held:
    """What a selection's checks read (excerpt_code_selection's `held`), so that its answer
    need not read it again: `codes`, the CodeRows of the codes applied as they are now (in
    the order given, each once); `bounds`, [start, end] in code points of each of the
    interview's live excerpts after the write, in no order, or None when the selection
    added to an existing excerpt (nothing new to place); `added`, the CodeRows of the codes
    applied that the existing excerpt did not carry yet, or None for a new excerpt."""

    codes: list[CodeRow] = field(default_factory=list)
    bounds: list[list[int]] | None = None
    added: list[CodeRow] | None = None


@dataclass(frozen=True)
class SpanToCode:
    """A passage to code in a batch (excerpts_import): [start, end) in code points of the
    interview's text, the codes (of its study) and a memo."""

    start: int
    end: int
    codes: tuple
    memo: str = ""


def spans_merged(
    *, interview: Interview, spans: Sequence[SpanToCode]
) -> tuple[dict[tuple[int, int], tuple[dict[int, Code], list[str]]], list[tuple[SpanToCode, str]]]:
    """The excerpts `spans` make in `interview` (excerpts_import's rules, no query): each
    span trimmed as a selection is (spaces and speaker labels out, see checked_span), spans
    that come out the same merged. Returns ({(start, end): ({code id: code}, [memos])} in
    the order met, [(span, why it was left out)] for a span off the text, of words only a
    label or spaces, or without codes)."""
    text, turns = interview.text, turns_from_json(interview.turns)
    merged: dict[tuple[int, int], tuple[dict[int, Code], list[str]]] = {}
    refused: list[tuple[SpanToCode, str]] = []
    for span in spans:
        start, end = span.start, span.end
        if not span.codes:
            refused.append((span, "it carries no code"))
            continue
        if not 0 <= start < end <= len(text):
            refused.append((span, "it is outside the transcript"))
            continue
        start, end = span_trimmed(text, turns, start, end)
        if start >= end:
            refused.append((span, "it holds only spaces or a speaker label"))
            continue
        codes, memos = merged.setdefault((start, end), ({}, []))
        codes.update({code.id: code for code in span.codes})
        if span.memo.strip() and span.memo.strip() not in memos:
            memos.append(span.memo.strip())
    return merged, refused


def span_trimmed(text: str, turns: Sequence[Turn], start: int, end: int) -> tuple[int, int]:
    """[start, end) (code points of `text`, within it) trimmed as a selection is, spaces and
    speaker labels out (see checked_span): the excerpt it makes in spans_merged."""
    return _trimmed(text, *outside_labels(turns, *_trimmed(text, start, end)))


def excerpts_import(
    *, interview: Interview, coder, spans: Sequence[SpanToCode]
) -> tuple[int, list[tuple[SpanToCode, str]]]:
    """Code many passages of a freshly imported interview at once (a REFI-QDA import):
    each span is trimmed as a selection is (spaces and speaker labels out, see
    checked_span); spans that come out the same are one excerpt with all their codes, their
    memos joined by a blank line. Returns (excerpts made, [(span, why it was left out)] for
    a span off the text, of words only a label or spaces, or without codes).

    Raises ValidationError when the interview already has excerpts (this makes new ones
    only) or a code is another study's; Conflict when a code was deleted meanwhile. Six
    statements up to 500 spans: the revision bump, the interview's lock, the
    check for excerpts, the codes' hold, the excerpts' and the codings' INSERTs (each in
    batches past 500 rows).
    """
    text = interview.text
    merged, refused = spans_merged(interview=interview, spans=spans)
    all_codes = [code for codes, _ in merged.values() for code in codes.values()]
    _check_study(interview, all_codes)
    with transaction.atomic():
        study_revision_bump(interview.study_id)
        if not list(_version_held(interview).values_list("pk", flat=True)):
            raise Conflict(_STALE)
        if Excerpt.all_objects.filter(interview=interview).exists():
            raise ValidationError("This interview already has excerpts; nothing was imported.")
        if all_codes:
            codes_hold(codes=all_codes)
        now = timezone.now()
        excerpts = Excerpt.objects.bulk_create(
            [
                Excerpt(
                    interview=interview,
                    coder=coder,
                    start=start,
                    end=end,
                    text=text[start:end],
                    memo="\n\n".join(memos),
                    interviewer_only=interviewer_only(text, start, end),
                    created_at=now,
                    updated_at=now,
                )
                for (start, end), (_, memos) in merged.items()
            ],
            batch_size=500,
        )
        codings = []
        for excerpt, (codes, _) in zip(excerpts, merged.values(), strict=True):
            for code_id in codes:
                coding = Coding.of(excerpt=excerpt, code_id=code_id, coder=coder)
                coding.created_at = now
                codings.append(coding)
        Coding.objects.bulk_create(codings, batch_size=500)
    return len(excerpts), refused


def _new_codings(excerpt: Excerpt, codes, coder) -> list[list]:
    """The codings just made, as coding.undo states them."""
    coder_id = coder.pk if coder is not None else None
    return [[code.id, coder_id, bin.stamp(excerpt.updated_at)] for code in _unique(codes)]


def _hold_span(
    interview: Interview, version: int, start: int, end: int, codes, *, bounds: bool = False
) -> tuple[Excerpt | None, dict[int, CodeRow], list[list[int]] | None]:
    """_hold_version and codes_hold, and the live excerpt with exactly this span if the
    selection repeats one: all in one statement (sql.selection_checks; the excerpt is read
    whole only when there is one). Returns that excerpt or None, {id: CodeRow} of `codes`
    as they are now, and with `bounds` [start, end] of each of the interview's live
    excerpts (code points, in no order; else None). Conflict when the text or one of `codes`
    changed (deleted, merged, or not the study's)."""
    ids = sorted({code.id for code in codes})
    held = sql.selection_checks(interview.pk, interview.study_id, start, end, ids, bounds=bounds)
    if held is None or held[0] != version:
        raise Conflict(_STALE)
    _, same_id, rows, found = held
    if len(rows) != len(ids):
        raise Conflict(CODE_GONE)
    same = None if same_id is None else Excerpt.objects.get(pk=same_id)
    return same, {row[0]: CodeRow(*row) for row in rows}, found


def _insert_excerpt(interview, coder, start: int, end: int, memo: str, codes) -> Excerpt:
    """A new excerpt with its codings, each with its history record (four INSERTs), all
    stamped with one moment: the undo history notes the codings' time as the excerpt's
    (see _new_codings)."""
    now = timezone.now()
    excerpt = Excerpt(
        interview=interview,
        coder=coder,
        start=start,
        end=end,
        text=interview.text[start:end],
        memo=memo,
        interviewer_only=interviewer_only(interview.text, start, end),
        created_at=now,
        updated_at=now,
    )
    codings = [Coding.of(excerpt=excerpt, code_id=code.id, coder=coder) for code in codes]
    for coding in codings:
        coding.created_at = now
    # Through the ORM, each bulk_create with its records (RecordedQuerySet): the two
    # INSERTs written by hand saved 0.26 ms of CPU a coded selection (0.63 against 0.89 ms,
    # medians of 300 interleaved, in-process on the benchmark's default-scale study, load 7
    # on 2 cores), too little to keep hand-written SQL for (issue 9).
    # all_objects: the live excerpts' manager would build its filter for nothing here.
    Excerpt.all_objects.bulk_create([excerpt])
    Coding.objects.bulk_create(codings)
    return excerpt


CODE_GONE = "One of those codes was deleted or merged meanwhile. Reload the page."


def codes_hold(*, codes: Sequence[Code | CodeRow]) -> None:
    """Inside a transaction: refuse (Conflict) if one of `codes` was deleted or merged since
    the page showed it, and keep them until the transaction ends: for anything that makes
    a row pointing at a code (a coding, a theme gathering it). See sql.codes_hold for the
    lock (FOR KEY SHARE on PostgreSQL)."""
    ids = sorted({code.id for code in codes})
    if sql.codes_hold(ids) != len(ids):
        raise Conflict(CODE_GONE)


def _check_study(interview: Interview, codes) -> None:
    if any(getattr(code, "study_id", interview.study_id) != interview.study_id for code in codes):
        raise ValidationError("A code of another study cannot be applied here.")


def _unique(codes: Sequence[Code]) -> list[Code]:
    return list({code.id: code for code in codes}.values())


def excerpt_codes_add(
    *, excerpt: Excerpt, codes: Sequence[Code | CodeRow], coder, journal: Journal | None = None
) -> int:
    """Add codes an excerpt does not have yet; returns how many were added. Conflict when
    the excerpt has no words left (EXCERPT_ORPHANED), adding nothing."""
    return len(_codes_add(excerpt=excerpt, codes=codes, coder=coder, journal=journal))


# An excerpt whose words an edit of the transcript removed (ORPHANED) keeps its codes and
# memo, so that nothing is lost, but takes no new code: a code applied to no words would
# count nowhere (the roll-up, the retrieval and the exports leave it out), so the coder's
# work would vanish without a word. She gives it words again, or deletes it.
EXCERPT_ORPHANED = (
    "This excerpt's words were removed from the transcript: it keeps its codes and memo, "
    "but takes no new code. Select new words for it and press “Set to the selection”, or "
    "delete it; nothing was added."
)


def _codes_add(*, excerpt: Excerpt, codes: Sequence, coder, journal: Journal | None) -> list:
    """excerpt_codes_add's work; returns the codes added (of `codes`, those not there).
    Conflict (EXCERPT_ORPHANED) for an excerpt left without words, as read by the caller or
    as it stands when the codes are written."""
    if excerpt.status == ExcerptStatus.ORPHANED:
        raise Conflict(EXCERPT_ORPHANED)
    _check_study(excerpt.interview, codes)
    with transaction.atomic():
        # Touching first takes the excerpt's row lock: a request adding the same code at the
        # same moment waits here, then sees the coding this one made. The same UPDATE reads
        # whether it has words: an edit of the transcript since the caller read the excerpt
        # may have removed them (the edit writes the status under the same lock).
        _touch(excerpt, with_words=True)
        codes_hold(codes=codes)
        have = set(excerpt.codings.values_list("code_id", flat=True))
        new = [code for code in _unique(codes) if code.id not in have]
        if not new:
            study_revision_keep()  # Each code was there: nothing changed, the revisions stay.
            return new
        Coding.objects.bulk_create(
            Coding.of(excerpt=excerpt, code_id=code.id, coder=coder) for code in new
        )
        after = {"codings": _new_codings(excerpt, new, coder)}
        note_excerpt(journal, excerpt, {"codings": []}, after, [code.id for code in new])
    return new


def excerpt_code_remove(*, excerpt: Excerpt, code: Code, journal: Journal | None = None) -> bool:
    """Take `code` off `excerpt`. Returns False, changing nothing, when the excerpt did not
    carry it (already removed in another tab, or a stale page): the caller says so."""
    with transaction.atomic():
        study_revision_bump(excerpt.interview.study_id)
        removed = codings_state(excerpt.pk, [code.pk]) if journal is not None else []
        deleted, _ = excerpt.codings.filter(code=code).delete()
        if not deleted:
            study_revision_keep()
            return False
        _touch(excerpt)
        if removed:
            note_excerpt(journal, excerpt, {"codings": removed}, {"codings": []}, [code.pk])
        return True


def excerpt_memo_set(
    *,
    excerpt: Excerpt,
    memo: str,
    revision: int,
    journal: Journal | None = None,
    author=None,
) -> None:
    """Save a memo, unless someone changed the excerpt since the editor was opened.

    `author` is noted as the memo's writer, with the time (the memos page lists them).
    """
    before = excerpt_state(excerpt, "memo")
    text = typed_text(memo).strip()
    if text == excerpt.memo and excerpt.revision == revision:
        # Saved as it was, and nobody changed it since: nothing to write (the study's
        # revision, and who wrote the memo and when, stay).
        return
    excerpt.memo = text
    excerpt.memo_by, excerpt.memo_at = author, timezone.now()
    _touch(excerpt, "memo", "memo_by", "memo_at", expected_revision=revision)
    note_excerpt(journal, excerpt, before, excerpt_state(excerpt, "memo"))


_SPAN = ("start", "end", "text", "status", "previous_text", "interviewer_only")


def excerpt_resize(
    *,
    excerpt: Excerpt,
    start: int,
    end: int,
    seen_text: str,
    version: int,
    revision: int,
    journal: Journal | None = None,
) -> tuple[int, int]:
    """Widen or narrow an excerpt to a new selection; returns its old range, which is the
    new one when nothing changed (the words it holds, not in doubt, chosen again: nothing
    is written or noted, and the study's revision stays). Raises Conflict (the transcript
    or the excerpt saved since the page) and ValidationError (a span the page did not
    see), as checked_span does."""
    interview = excerpt.interview
    start, end = checked_span(
        interview, start=start, end=end, seen_text=seen_text, version=version
    )
    old = (excerpt.start, excerpt.end)
    if old == (start, end) and excerpt.status == ExcerptStatus.OK:
        if excerpt.revision != revision:
            raise Conflict(EXCERPT_CHANGED)
        return old
    before = excerpt_state(excerpt, *_SPAN)
    excerpt.start, excerpt.end = start, end
    excerpt.text = interview.text[start:end]
    excerpt.interviewer_only = interviewer_only(interview.text, start, end)
    # Choosing the words anew settles any doubt an edit of the transcript raised.
    excerpt.status, excerpt.previous_text = ExcerptStatus.OK, ""
    with transaction.atomic():
        study_revision_bump(interview.study_id)
        _hold_version(interview, version)
        _touch(excerpt, *_SPAN, expected_revision=revision)
        note_excerpt(journal, excerpt, before, excerpt_state(excerpt, *_SPAN))
    return old


NO_WORDS_LEFT = "This excerpt has no words left: select new words for it, or delete it."


def excerpt_review(*, excerpt: Excerpt, journal: Journal | None = None) -> None:
    """Keep an excerpt an edit of the transcript changed, as it now stands.

    ValidationError (NO_WORDS_LEFT) for an excerpt read without words; Conflict with the
    same message when an edit removed them after it was read, nothing written."""
    if excerpt.status == ExcerptStatus.ORPHANED:
        raise ValidationError(NO_WORDS_LEFT)
    before = excerpt_state(excerpt, "status", "previous_text")
    excerpt.status, excerpt.previous_text = ExcerptStatus.OK, ""
    # The emptiness is read again in the UPDATE that writes "OK": an edit in another tab
    # since the page was read may have removed the words, and "kept as it stands" would
    # then hide an excerpt that needs new words.
    _touch(excerpt, "status", "previous_text", with_words=True, orphaned_message=NO_WORDS_LEFT)
    note_excerpt(journal, excerpt, before, excerpt_state(excerpt, "status", "previous_text"))


def excerpt_delete(*, excerpt: Excerpt, actor=None, journal: Journal | None = None) -> None:
    """Delete an excerpt into the bin (coding.bin): its codes and memo stay with it, for
    undo and for excerpt_restore, until the bin's retention has passed."""
    with transaction.atomic():
        excerpt.deleted_at, excerpt.deleted_by = timezone.now(), actor
        _touch(excerpt, "deleted_at", "deleted_by")
        note_excerpt(journal, excerpt, {"deleted": False}, {"deleted": True})
        bin.purge()


RESTORE_EDITED = (
    "This excerpt was changed since the page was read (the transcript was edited, or it was "
    "restored in another tab), so it was not restored. Reload the page to see it as it is now."
)


def excerpt_restore(*, excerpt: Excerpt, journal: Journal | None = None) -> str:
    """Bring a deleted excerpt back from the bin with its codes and memo, unless the
    transcript changed under it since (Conflict). Returns what was left out, as a sentence
    ("" for nothing): its quotes that no longer hold (bin.excerpt_came_back)."""
    interview = excerpt.interview
    if interview.text[excerpt.start : excerpt.end] != excerpt.text:
        raise Conflict("The transcript was edited since this excerpt was deleted; code it again.")
    excerpt.deleted_at, excerpt.deleted_by = None, None
    with transaction.atomic():
        # The check above holds at the write only if nobody moved the excerpt since it was
        # read: a transcript edit moves deleted excerpts too, bumping their revision, and
        # another tab's restore bumps it as well. One UPDATE checks and writes.
        try:
            _touch(excerpt, "deleted_at", "deleted_by", expected_revision=excerpt.revision)
        except Conflict as error:
            raise Conflict(RESTORE_EDITED) from error
        note_excerpt(journal, excerpt, {"deleted": True}, {"deleted": False})
        return bin.excerpt_came_back(excerpt)


EXCERPT_CHANGED = (
    "This excerpt was changed elsewhere (another tab or another coder) after you opened it, "
    "so your change was not saved."
)


def _touch(
    excerpt: Excerpt,
    *fields: str,
    expected_revision: int | None = None,
    with_words: bool = False,
    orphaned_message: str = EXCERPT_ORPHANED,
) -> None:
    """Write `fields` and bump the revision that concurrent editors compare against.

    With `expected_revision`, the write happens only if nobody changed the excerpt since
    that revision: the check and the write are one UPDATE, so no edit slips in between.
    With `with_words`, only if the excerpt has words (is not ORPHANED) as it stands, in the
    same UPDATE: Conflict (`orphaned_message`) otherwise, whatever the caller read.
    """
    excerpt.updated_at = timezone.now()
    rows = Excerpt.all_objects.filter(pk=excerpt.pk)
    if expected_revision is not None:
        rows = rows.filter(revision=expected_revision)
    if with_words:
        rows = rows.exclude(status=ExcerptStatus.ORPHANED)
    with transaction.atomic():
        # Every write to an excerpt (its span, status, deletion, codes) passes here: the
        # study's revision moves with it, and the roll-up cached under the old one is left.
        study_revision_bump(excerpt.interview.study_id)
        updated = rows.update(
            revision=F("revision") + 1,
            updated_at=excerpt.updated_at,
            **{field: getattr(excerpt, field) for field in fields},
        )
        if not updated:
            orphaned = Excerpt.all_objects.filter(pk=excerpt.pk, status=ExcerptStatus.ORPHANED)
            if with_words and orphaned.exists():
                raise Conflict(orphaned_message)
            raise Conflict(EXCERPT_CHANGED)
    excerpt.revision = (excerpt.revision if expected_revision is None else expected_revision) + 1


# Editing a transcript ---------------------------------------------------------------------


@dataclass
class EditReport:
    moved: int = 0
    changed: int = 0
    orphaned: int = 0
    unchanged: bool = False  # The text saved as it was: nothing was written.

    @property
    def message(self) -> str:
        if self.unchanged:
            return "The transcript is as it was; nothing was changed."
        parts = [
            ngettext("%(n)d excerpt kept its words", "%(n)d excerpts kept their words", self.moved)
            % {"n": self.moved}
        ]
        if self.changed:
            parts.append(
                ngettext(
                    "%(n)d now holds changed words and is marked for review",
                    "%(n)d now hold changed words and are marked for review",
                    self.changed,
                )
                % {"n": self.changed}
            )
        if self.orphaned:
            parts.append(
                ngettext(
                    "%(n)d lost all its words and is marked for review",
                    "%(n)d lost all their words and are marked for review",
                    self.orphaned,
                )
                % {"n": self.orphaned}
                + "; nothing was deleted"
            )
        return "Transcript saved: " + "; ".join(parts) + "."


@transaction.atomic
def transcript_edit(*, interview: Interview, text: str, version: int) -> EditReport:
    """Save an edited transcript and move every excerpt with its words.

    Excerpts follow their words (excerpts_follow).
    """
    offsets = interviews.interview_text_replace(interview=interview, text=text, version=version)
    if offsets is None:
        return EditReport(unchanged=True)
    return excerpts_follow(interview=interview, offsets=offsets)


def excerpts_follow(*, interview: Interview, offsets: OffsetMap) -> EditReport:
    """Inside the transaction that changed `interview.text` (already the new text): move its
    excerpts, deleted ones waiting for undo too, to where `offsets` puts their words.

    An excerpt whose words changed is marked "changed", one whose words were all removed
    "orphaned"; both keep their codes and memo, and their former words in previous_text.
    Two queries: the excerpts (held until the transaction ends), their update (one
    statement run for each; none when there are no excerpts).
    """
    report = EditReport()
    # Held until the edit is saved: a review, memo or code saved meanwhile waits, rather
    # than being written over with what was read here (PostgreSQL; SQLite queues writers).
    excerpts = list(Excerpt.all_objects.select_for_update().filter(interview=interview))
    for excerpt in excerpts:
        # The history's records name the study through it, without reading it again.
        excerpt.interview = interview
        start, end, words, status = excerpt_followed(
            interview.text, offsets, excerpt.start, excerpt.end, excerpt.text
        )
        if status == ExcerptStatus.ORPHANED:
            report.orphaned += 1
        elif status == ExcerptStatus.CHANGED:
            report.changed += 1
        else:
            report.moved += 1
        if status is not None:
            excerpt.previous_text, excerpt.status = excerpt.text, status
        excerpt.start, excerpt.end, excerpt.text = start, end, words
        excerpt.interviewer_only = interviewer_only(interview.text, start, end)
        excerpt.revision += 1
    sql.excerpts_move(
        [
            (
                e.start,
                e.end,
                e.text,
                e.status,
                e.previous_text,
                e.interviewer_only,
                e.revision,
                e.pk,
            )
            for e in excerpts
        ]
    )
    # Written by hand (coding.sql): the history's records too, one INSERT.
    history.record(excerpts, "~")
    return report


# Codes ------------------------------------------------------------------------------------

CODE_TEXT_FIELDS = ("definition", "inclusion", "exclusion", "example")


def _clean_name(study: Study, name: str, exclude: int | None = None) -> str:
    return clean_unique_name(study.codes, name, noun="code", max_length=120, exclude=exclude)


def _check_parent(study: Study, code: Code | None, parent: Code | None) -> None:
    check_parent(study.pk, code, parent, noun="code")


def code_create(
    *,
    study: Study,
    name: str,
    parent: Code | None = None,
    colour: str = "",
    journal: Journal | None = None,
    **texts: str,
) -> Code:
    """A new code. `colour` is #rrggbb or a palette name; without one the code takes the
    first palette colour its study does not use yet. Raises ValidationError for a name in
    use, a parent from elsewhere or a colour that is neither."""
    name = _clean_name(study, name)
    _check_parent(study, None, parent)
    colour = parse_colour(colour) if colour else ""
    try:
        with transaction.atomic():
            # Codes made at the same moment take the next order numbers one after another.
            hold(Study, study.pk)
            study_revision_bump(study.pk)
            used = list(study.codes.values_list("colour", flat=True))
            last = study.codes.aggregate(last=Max("order"))["last"] or 0
            code = Code.objects.create(
                study=study,
                name=name,
                parent=parent,
                colour=colour or next_colour(used),
                order=last + 1,
                **{field: texts.get(field, "").strip() for field in CODE_TEXT_FIELDS},
            )
            note_code(journal, code, None, bin.code_state(code))
            return code
    except IntegrityError:
        # Another request saved the same name meanwhile: the unique key decided.
        raise name_taken(study.codes, name, noun="code") from None


def code_get_or_create(*, study: Study, name: str, journal: Journal | None = None) -> Code:
    """The code of that name (compared as core.naming.name_key does), or a new one:
    for coding "on the spot". ValidationError for a name that is empty or too long.

    Two coders typing the same new name at once get the same code: the second waits for the
    study's lock, then finds the code the first made.
    """
    with transaction.atomic():
        hold(Study, study.pk)
        existing = find_by_name(study.codes, name)
        if existing:
            return study.codes.get(pk=existing)
        try:
            return code_create(study=study, name=name, journal=journal)
        except ValidationError:
            # The same name made meanwhile another way (a rename, say): this one codes with
            # it, as a single user would.
            existing = find_by_name(study.codes, name)
            if existing is None:
                raise
            return study.codes.get(pk=existing)


def code_update(
    *,
    code: Code,
    revision: int,
    name: str,
    colour: str,
    parent: Code | None,
    journal: Journal | None = None,
    **texts: str,
) -> Code:
    """Save an edited code, unless someone saved it since `revision` (then Conflict): its
    Code.revision as the edit form showed it. Saved as it stands (as opened, or typed as
    another tab saved it meanwhile), nothing is written and nothing is refused (core.stale:
    the same words replace nothing)."""
    before = bin.code_state(code)
    name = _clean_name(code.study, name, exclude=code.pk)
    colour = parse_colour(colour)
    values = {field: texts.get(field, "").strip() for field in CODE_TEXT_FIELDS}
    after = {**before, "name": name, "colour": colour, "parent_id": parent and parent.pk}
    if {**after, **values} == before:
        # Nothing to write, and the study's revision (the cached roll-up) stays.
        return code
    with transaction.atomic():
        # Names, parents, colours and definitions are all in the roll-up.
        study_revision_bump(code.study_id)
        update_node(
            code, revision=revision, parent=parent, noun="code", name=name, colour=colour, **values
        )
    note_code(journal, code, before, bin.code_state(code))
    return code


@transaction.atomic
def code_move(*, code: Code, parent: Code | None, journal: Journal | None = None) -> None:
    study_revision_bump(code.study_id)
    lock_tree(Code, code.study_id)
    # As it is now, under the tree's lock: the revision read with the page may be stale.
    _refresh(code)
    _check_parent(code.study, code, parent)
    if code.parent_id == (parent.pk if parent else None):
        study_revision_keep()  # Dropped where it was: nothing to move.
        return
    before = bin.code_state(code)
    code.parent = parent
    code.revision += 1
    code.save(update_fields=["parent", "revision"])
    note_code(journal, code, before, bin.code_state(code))


@dataclass(frozen=True)
class CodeMerged:
    """What code_merge moved: `codings`, every coding moved to the target code (deleted
    excerpts', withdrawn respondents' and orphaned excerpts' too); `excerpts`, those of
    them that count as the codebook counts (selectors.merge_counts' first number less its
    second), which the merge's message gives."""

    codings: int
    excerpts: int


@transaction.atomic
def code_merge(*, source: Code, target: Code, journal: Journal | None = None) -> CodeMerged:
    """Fold `source` into `target`: its excerpts, sub-codes and themes follow; it disappears.

    An excerpt that had both codes keeps one coding. Returns what moved (CodeMerged), read
    under the tree's lock from the codings that move, so that the message after the merge
    says what moved, never a count read before (see selectors.merge_counts for the count
    to confirm beforehand).
    """
    if source.pk == target.pk:
        raise ValidationError("Choose a different code to merge into.")
    if source.study_id != target.study_id:
        raise ValidationError("Codes of different studies cannot be merged.")
    # Wait for coders applying these codes (see codes_hold), and read the tree afresh.
    study_revision_bump(source.study_id)
    lock_tree(Code, source.study_id)
    _refresh(source)
    _refresh(target)
    target_before = bin.code_state(target)
    if is_inside(target, source):
        # Lift the target out first, or its own ancestors would end up beneath it.
        target.parent_id = source.parent_id
        target.save(update_fields=["parent"])
    both = Coding.objects.filter(code=target).values("excerpt_id")
    doubles = Coding.objects.filter(code=source, excerpt_id__in=both)
    dropped = bin.codings_of(source.pk, doubles) if journal is not None else []
    doubles.delete()
    moving = Coding.objects.filter(code=source)
    # Each moving coding with whether its excerpt counts as the codebook counts it
    # (selectors.merge_counts): live, its respondent not withdrawn, its words in the
    # transcript. One query, which the undo's journal needs anyway.
    counts = (
        Q(excerpt__deleted_at__isnull=True)
        & Q(interview__respondent__withdrawn_at__isnull=True)
        & ~Q(excerpt__status=ExcerptStatus.ORPHANED)
    )
    rows = list(
        moving.annotate(counts=ExpressionWrapper(counts, output_field=BooleanField())).values_list(
            "pk", "counts"
        )
    )
    moved_ids = [pk for pk, _ in rows] if journal is not None else []
    moved = moving.update(code=target)
    children = list(source.children.values_list("pk", flat=True))
    source.children.update(parent=target)
    # Whatever gathers codes (themes, later sets) gathers the target instead.
    links, had = bin.links_of(source.pk), bin.links_of(target.pk)
    added = {key: sorted(set(ids) - set(had[key])) for key, ids in links.items()}
    bin.link(target.pk, added)
    source_state = {**bin.code_state(source), "revision": source.revision}
    # The memos on the merged code are kept on the code that now holds its excerpts.
    CodeMemo.objects.filter(code_id=source.pk).update(code=target)
    source.delete()
    bin.record_owners(links)
    target.revision += 1
    target.save(update_fields=["revision"])
    if journal is not None:
        note(
            journal,
            "merge",
            source=source_state,
            target=target.pk,
            target_before=target_before,
            target_after=bin.code_state(target),
            moved=moved_ids,
            dropped=dropped,
            children=children,
            links=links,
            added=added,
        )
    return CodeMerged(codings=moved, excerpts=sum(1 for _, counted in rows if counted))


def _refresh(code: Code) -> None:
    """Read `code` again (under the tree's lock); Conflict if it is gone meanwhile."""
    try:
        code.refresh_from_db()
    except Code.DoesNotExist:
        raise Conflict(
            f"“{code.name}” was deleted or merged meanwhile. Reload the page."
        ) from None


def _delete_warning(code: Code, effect) -> str:
    """The sentences of a delete's refusal after its first (selectors.DeleteEffect `effect`
    of deleting `code`): what its sub-codes and the themes that gather it become, then how
    to go on. A str starting with a space; raises nothing. Said like a merge's confirmation
    (views.codebook._merge_tree_text)."""
    said = []
    if effect.branch:
        said.append(
            ngettext(
                "Its sub-codes carry %(n)d excerpt",
                "Its sub-codes carry %(n)d excerpts",
                effect.branch,
            )
            % {"n": effect.branch}
        )
    if effect.sub_codes:
        names = ", ".join(f"“{name}”" for name in effect.sub_codes)
        said.append(
            ngettext(
                "%(names)s moves up a level, out of “%(code)s”",
                "%(names)s move up a level, out of “%(code)s”",
                len(effect.sub_codes),
            )
            % {"names": names, "code": code.name}
        )
    text = (" " + "; ".join(said) + ".") if said else ""
    for name, before, after in effect.gatherers:
        # "goes from 7 of 7 respondents to 7" read as a change: a theme whose other codes
        # cover the same respondents loses the link, not a respondent.
        text += " " + (
            ngettext(
                "The theme “%(name)s” counts “%(code)s” and stays at %(before)d of "
                "%(total)d respondent.",
                "The theme “%(name)s” counts “%(code)s” and stays at %(before)d of "
                "%(total)d respondents.",
                effect.total,
            )
            if before == after
            else ngettext(
                "The theme “%(name)s” counts “%(code)s” and goes from %(before)d of "
                "%(total)d respondent to %(after)d.",
                "The theme “%(name)s” counts “%(code)s” and goes from %(before)d of "
                "%(total)d respondents to %(after)d.",
                effect.total,
            )
        ) % {
            "name": name,
            "code": code.name,
            "before": before,
            "total": effect.total,
            "after": after,
        }
    return text + (
        " To delete it anyway, tick “Also remove it from the excerpts that carry it”; "
        "or merge it into another code instead."
    )


@transaction.atomic
def code_delete(
    *, code: Code, force: bool = False, actor=None, journal: Journal | None = None
) -> None:
    """Delete a code into the bin (coding.bin.code_to_bin), whence it can be restored with
    its links. Refused while excerpts carry it, unless `force` (the user confirmed).

    Counted under the tree's lock, after any coder applying it has finished, so that a
    coding made meanwhile is never deleted without the user's word.
    """
    study_revision_bump(code.study_id)
    lock_tree(Code, code.study_id)
    _refresh(code)
    in_use = Coding.objects.filter(code=code, excerpt__deleted_at__isnull=True).count()
    if not force:
        # Asked too when no excerpt carries the code itself, if its sub-codes' excerpts or a
        # theme would change: a theme lost a parent code's whole branch in silence.
        effect = selectors.delete_effect(code=code)
        if in_use or effect.asks:
            first = (
                ngettext(
                    "“%(code)s” is applied to %(n)d excerpt.",
                    "“%(code)s” is applied to %(n)d excerpts.",
                    in_use,
                )
                % {"code": code.name, "n": in_use}
                if in_use
                else f"“{code.name}” is in use."
            )
            raise ValidationError(first + _delete_warning(code, effect))
    item = bin.code_to_bin(code=code, actor=actor)
    note(journal, "code_delete", bin=item.pk)
