"""Undo of every coding and codebook action: what the services note, and how it is reversed.

A service given a `Journal` notes what it changed as plain steps: the values of the fields
before and after, the ids of the rows it touched. The journal is kept as one entry of the
user's history for the study (`keep_noted`), in the action's own transaction, tied to the
login session so that it lasts until the user logs out. `undo` reverses an entry's steps,
newest first, in one transaction, and only where what each step left is still there: an
excerpt or a code that was changed since (by someone else, in another tab) is never
overwritten; the undo is refused with a message and changes nothing.

Views use only `Journal`, `keep_noted` (through coding.views.undo), `undo` and `Stale`; the
storage below them (UndoEntry rows of JSON steps) can be replaced by another record of
history without touching the views.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict
from core.naming import check_parent, clean_unique_name, name_key
from interviews.models import Interview
from interviews.revisions import study_revision_bump

from . import bin
from .models import Code, Coding, DeletedCode, Excerpt, ExcerptStatus, UndoEntry


class Stale(Conflict):
    """The action can no longer be undone: what it changed was changed again since."""


class NothingToUndo(Conflict):
    """There is nothing (left) to undo: the history is empty, or the action undone."""


class NotKept(Conflict):
    """The action's undo entry could not be written (the database busy past its timeout, or
    failing): raised inside the action's transaction, which then rolls back with it, so that
    nothing was changed."""


NOT_KEPT = (
    "Your change could not be saved: the database refused to keep its Undo. "
    "Nothing was changed; try again."
)


UNDONE_ALREADY = "That action was undone already; nothing was changed."
NOT_IN_THIS_LOGIN = (
    "That action can no longer be undone: it was undone already, or done before you last "
    "logged in (each login has its own Undo history). Nothing was changed."
)


class UnknownEntry(LookupError):
    """No such action in this user's history of this study, in this session."""


@dataclass(frozen=True)
class Owner:
    """Whose history an action joins: the user's, in one study, for one login session
    (`session_key`; None or "" when the request has none, and then nothing is kept)."""

    study: object
    user: object
    session_key: str | None


@dataclass
class Journal:
    """What one user action changed, step by step, as the services note it.

    With an `owner`, the journal is kept before the action's transaction commits
    (`keep_noted`: by a service that owns it, as coding a selection does, or by the view's
    coding.views.undo.undoable around the services), labelled `label`, so that the action
    and its undo entry are written together or not at all; `entry` is then the entry kept
    (None while nothing was, or when there was nothing to undo)."""

    steps: list[dict] = field(default_factory=list)
    owner: Owner | None = None
    label: str = ""
    entry: UndoEntry | None = None

    def note(self, kind: str, **data) -> None:
        self.steps.append({"kind": kind, **data})


def note(journal: Journal | None, kind: str, **data) -> None:
    """Note a step when the caller keeps a journal (commands and tests often do not)."""
    if journal is not None:
        journal.note(kind, **data)


def keep(*, journal: Journal, study, user, session_key: str | None, label: str):
    """Keep a journal as the newest entry of the user's history; returns it (or None when
    there is nothing to undo or no session to tie it to). Raises NotKept when the entry
    cannot be written: inside the action's transaction (keep_noted), the action goes too."""
    if not journal.steps or not session_key:
        return None
    try:
        return UndoEntry.objects.create(
            study=study, user=user, session_key=session_key, label=label[:300], steps=journal.steps
        )
    except DatabaseError as error:
        # A lost connection, a full disk, a refused row: the transaction this runs in
        # rolls back, and the user is told so rather than shown a 500. (SQLite's "database
        # is locked" comes earlier, at the transaction's BEGIN: core.http.RefusalMiddleware.)
        raise NotKept(NOT_KEPT) from error


def keep_noted(journal: Journal | None) -> None:
    """Inside the transaction of the action `journal` noted: keep it as the newest entry
    of its owner's history (see keep), once, into `journal.entry`. Does nothing without a
    journal, an owner or a label (the caller then keeps it, or not, itself), or once kept.
    """
    if journal is None or journal.owner is None or not journal.label or journal.entry:
        return
    owner = journal.owner
    journal.entry = keep(
        journal=journal,
        study=owner.study,
        user=owner.user,
        session_key=owner.session_key,
        label=journal.label,
    )


SPEND_REACH = 200


def one_step(kind: str, **match):
    """For `spend`: whether an entry's steps are one step of `kind` whose values of
    `match`'s keys are those given (a code's deletion: one_step("code_delete", bin=7))."""

    def done(steps: list[dict]) -> bool:
        return (
            len(steps) == 1
            and steps[0]["kind"] == kind
            and all(steps[0].get(key) == value for key, value in match.items())
        )

    return done


def spend(*, owner: Owner, done) -> UndoEntry | None:
    """Set aside the newest entry of `owner`'s history that is still to undo and that
    `done(steps)` (its list of step dicts; see one_step) says was undone another way: a
    memo put back with the Undo shown in its place, anything restored from the bin on the
    History page. Ctrl+Z then goes on to the entry
    before it, as after undoing it here. Returns the entry set aside, or None."""
    if not owner.session_key:
        return None
    entries = UndoEntry.objects.filter(
        study=owner.study, user=owner.user, session_key=owner.session_key, spent_at__isnull=True
    ).order_by("-id")
    # The action undone another way is almost always among the last few; past these, an
    # entry left to undo is refused by Ctrl+Z as changed since (Stale), never done twice.
    for entry in entries.only("id", "steps")[:SPEND_REACH]:
        if done(entry.steps):
            UndoEntry.objects.filter(pk=entry.pk).update(spent_at=timezone.now())
            return entry
    return None


def undo(*, study, user, session_key: str | None, entry_id: int | None = None) -> UndoEntry:
    """Undo the entry `entry_id` of this user's history in the study, or the newest one.

    Returns the entry undone (its steps say what changed back; its `notes`, a list of
    sentences, what the reversals left out and why). Raises UnknownEntry for an id of
    another study or user; NothingToUndo when there is none, or it was undone already, or
    it is not in this login's history (NOT_IN_THIS_LOGIN); Stale when it no longer
    applies: then nothing is changed, and the entry is
    set aside so that the next undo reaches the one before.
    """
    entries = UndoEntry.objects.filter(study=study, user=user, session_key=session_key or "")
    if entry_id is not None:
        entry = entries.filter(pk=entry_id).first()
        if entry is None:
            # Another study's id, or another user's, is not found, as every view answers
            # it. One of the user's own in this study was kept by an earlier login (an Undo
            # in a page kept from before: another tab, the Back button), whose history
            # ended with it, or was purged since.
            if UndoEntry.objects.filter(pk=entry_id).exclude(study=study, user=user).exists():
                raise UnknownEntry(entry_id)
            raise NothingToUndo(NOT_IN_THIS_LOGIN)
        if entry.spent_at is not None:
            raise NothingToUndo(UNDONE_ALREADY)
    else:
        entry = entries.filter(spent_at__isnull=True).order_by("-id").first()
        if entry is None:
            # The history is the user's in this study and this session (Owner): what they did
            # in another browser or before logging in again is not theirs to undo here.
            raise NothingToUndo("There is nothing left to undo from this session in this study.")
    now = timezone.now()
    try:
        with transaction.atomic():
            # Claimed first: two clicks at once undo the action once.
            claimed = UndoEntry.objects.filter(pk=entry.pk, spent_at__isnull=True).update(
                spent_at=now
            )
            if not claimed:
                raise NothingToUndo(UNDONE_ALREADY)
            # A step that changes the study's coding, codebook or themes moves the revision;
            # one the roll-up never reads (a memo, a comment, a quote) leaves it, and the
            # cached roll-up stays in use.
            if any(step["kind"] not in OUTSIDE_ROLLUP for step in entry.steps):
                study_revision_bump(study.pk)
            # What the reversals say they left out (a restored theme's quotes that no
            # longer hold): the message tells the user.
            entry.notes = []
            try:
                with transaction.atomic():
                    for step in reversed(entry.steps):
                        said = REVERSALS[step["kind"]](step, study)
                        if said:
                            entry.notes.append(said)
            except IntegrityError:
                # Another request made the same name or coding at the same moment.
                raise Stale("someone else changed the same codes at the same moment.") from None
    except Stale as error:
        UndoEntry.objects.filter(pk=entry.pk).update(spent_at=now)
        raise Stale(f"“{entry.label}” cannot be undone: {error} Nothing was changed.") from None
    return entry


# Excerpts ----------------------------------------------------------------------------------

# interviewer_only moves with the span (coding.services._SPAN); states noted before it was
# kept lack it, and their undo leaves it as it is.
EXCERPT_FIELDS = ("start", "end", "text", "memo", "status", "previous_text", "interviewer_only")


def excerpt_state(excerpt: Excerpt, *keys: str, codings: list | None = None) -> dict:
    """The values of `keys` of an excerpt, as JSON: its fields, "deleted" (bool) and
    "codings" ([[code_id, coder_id, created_at]], read from the database unless given)."""
    state = {}
    for key in keys or (*EXCERPT_FIELDS, "deleted"):
        if key == "deleted":
            state[key] = excerpt.deleted_at is not None
        else:
            state[key] = getattr(excerpt, key)
    if codings is not None:
        state["codings"] = codings
    return state


def codings_state(excerpt_id: int, code_ids=None) -> list[list]:
    """[[code_id, coder_id, created_at (ISO 8601)]] of an excerpt, of `code_ids` only if given."""
    rows = Coding.objects.filter(excerpt_id=excerpt_id)
    if code_ids is not None:
        rows = rows.filter(code_id__in=list(code_ids))
    return sorted(
        [code_id, coder_id, bin.stamp(created)]
        for code_id, coder_id, created in rows.values_list("code_id", "coder_id", "created_at")
    )


def note_excerpt(
    journal: Journal | None, excerpt: Excerpt, before: dict | None, after: dict, codes=None
) -> None:
    """Note a change of an excerpt: `before` None when it was created; `codes` the ids of
    the codes concerned when "codings" holds only theirs. A change that changed nothing
    (a memo saved as it was) is not noted: undoing it would do nothing."""
    if before == after:
        return
    note(
        journal,
        "excerpt",
        id=excerpt.pk,
        interview=excerpt.interview_id,
        before=before,
        after=after,
        codes=codes,
    )


def _code_ids(codings: list[list]) -> set[int]:
    return {row[0] for row in codings}


def _matches(excerpt: Excerpt, wanted: dict, codes) -> bool:
    for key, value in wanted.items():
        if key == "codings":
            if _code_ids(codings_state(excerpt.pk, codes)) != _code_ids(value):
                return False
        elif excerpt_state(excerpt, key)[key] != value:
            return False
    return True


def _undo_excerpt(step: dict, study) -> str:
    before, after, codes = step["before"], step["after"], step.get("codes")
    excerpt = (
        Excerpt.all_objects.select_for_update()
        .filter(pk=step["id"], interview__study=study)
        .first()
    )
    if excerpt is None:
        raise Stale("the excerpt has since been erased.")
    if not _matches(excerpt, after, codes):
        raise Stale("the excerpt was changed since (in another tab, or by another coder).")
    if before is None:
        _erase_new_excerpt(excerpt)
        return
    values = {key: before[key] for key in EXCERPT_FIELDS if key in before}
    if "deleted" in before:
        values["deleted_at"] = timezone.now() if before["deleted"] else None
        values["deleted_by"] = None
    _check_words(excerpt, values)
    Excerpt.all_objects.filter(pk=excerpt.pk).update(
        revision=excerpt.revision + 1, updated_at=timezone.now(), **values
    )
    if "codings" in before:
        _set_codings(excerpt, before["codings"], codes)
    if values.get("deleted_at", 1) is None and after.get("deleted"):
        # Back from the bin: what no longer holds of what points at it is left out.
        return bin.excerpt_came_back(excerpt)
    return ""


def _check_words(excerpt: Excerpt, values: dict) -> None:
    """Refuse to bring back a span whose words the transcript no longer has there."""
    if not ({"start", "end", "text"} & values.keys() or values.get("deleted_at", 1) is None):
        return
    start, end = values.get("start", excerpt.start), values.get("end", excerpt.end)
    text = values.get("text", excerpt.text)
    if values.get("status", excerpt.status) == ExcerptStatus.ORPHANED:
        return
    transcript = Interview.objects.values_list("text", flat=True).get(pk=excerpt.interview_id)
    if transcript[start:end] != text:
        raise Stale("the transcript was edited there since.")


def _erase_new_excerpt(excerpt: Excerpt) -> None:
    """Undo the coding of a selection: the excerpt goes, unless something else uses it now
    (a theme's quote), which it would take with it."""
    for relation in Excerpt._meta.related_objects:
        if relation.related_model is Coding:
            continue
        rows = relation.related_model._base_manager.filter(**{relation.field.name: excerpt})
        if rows.exists():
            raise Stale("the excerpt is used since (it is a quote of a theme).")
    excerpt.delete()


def _set_codings(excerpt: Excerpt, codings: list[list], codes) -> None:
    """Make the excerpt's codings (of `codes`, or all) those of `codings`."""
    wanted = _code_ids(codings)
    existing = set(
        Code.objects.filter(pk__in=wanted, study_id=_study_id(excerpt)).values_list(
            "pk", flat=True
        )
    )
    if wanted - existing:
        raise Stale("one of its codes has been deleted or merged since.")
    rows = Coding.objects.filter(excerpt_id=excerpt.pk)
    if codes is not None:
        rows = rows.filter(code_id__in=codes)
    rows.exclude(code_id__in=wanted).delete()
    have = set(rows.values_list("code_id", flat=True))
    Coding.objects.bulk_create(
        Coding(
            excerpt_id=excerpt.pk,
            code_id=code_id,
            coder_id=coder_id,
            created_at=datetime.fromisoformat(created),
            interview_id=excerpt.interview_id,
        )
        for code_id, coder_id, created in codings
        if code_id not in have
    )


def _study_id(excerpt: Excerpt) -> int:
    return Interview.objects.values_list("study_id", flat=True).get(pk=excerpt.interview_id)


# Codes -------------------------------------------------------------------------------------


def note_code(journal: Journal | None, code: Code, before: dict | None, after: dict) -> None:
    """Note a change of a code's fields (`before` None when it was created)."""
    if before == after:
        return
    note(journal, "code", id=code.pk, before=before, after=after)


def _locked_code(code_id: int, study) -> Code:
    code = Code.objects.select_for_update().filter(pk=code_id, study=study).first()
    if code is None:
        raise Stale("the code has since been deleted or merged.")
    return code


def _undo_code(step: dict, study) -> None:
    code = _locked_code(step["id"], study)
    if bin.code_state(code) != step["after"]:
        raise Stale(f"“{code.name}” was changed since (in another tab, or by another coder).")
    if step["before"] is None:
        _erase_new_code(code)
        return
    values = {key: value for key, value in step["before"].items() if key != "id"}
    try:
        values["name"] = clean_unique_name(
            study.codes, values["name"], noun="code", max_length=120, exclude=code.pk
        )
        parent = study.codes.filter(pk=values["parent_id"]).first()
        if values["parent_id"] is not None and parent is None:
            raise ValidationError("its former parent code has since been deleted.")
        check_parent(study.pk, code, parent, noun="code")
    except ValidationError as error:
        raise Stale(" ".join(error.messages)) from None
    # A queryset update bypasses NameKeyField.pre_save: the key goes with the name.
    values["name_key"] = name_key(values["name"])
    Code.objects.filter(pk=code.pk).update(revision=code.revision + 1, **values)


def _erase_new_code(code: Code) -> None:
    in_use = (
        Coding.objects.filter(code=code).exists()
        or code.children.exists()
        or any(bin.links_of(code.pk).values())
    )
    if in_use:
        raise Stale(f"“{code.name}” is in use since; delete it in the codebook instead.")
    code.delete()


def _undo_code_delete(step: dict, study) -> str:
    """Restore the code from the bin; returns what of its links was left out ("")."""
    item = DeletedCode.objects.filter(pk=step["bin"], study=study).first()
    if item is None:
        raise Stale("the code is no longer in the bin (restored or erased since).")
    try:
        return bin.code_restore(item=item).left_out_note()
    except Conflict as error:
        raise Stale(str(error)) from None


def _undo_merge(step: dict, study) -> None:
    """Split a merged code out again: the codings it brought go back to it, the excerpts
    that had both get their second coding back, its sub-codes and themes return."""
    target = _locked_code(step["target"], study)
    source = step["source"]
    if bin.code_state(target) != step["target_after"]:
        raise Stale(f"“{target.name}” was changed since.")
    if Code.objects.filter(pk=source["id"]).exists():
        raise Stale(f"“{source['name']}” exists again.")
    moved = Coding.objects.filter(pk__in=step["moved"], code=target)
    if moved.count() != len(step["moved"]):
        raise Stale("some of the excerpts it moved were changed or deleted since.")
    try:
        clean_unique_name(study.codes, source["name"], noun="code", max_length=120)
    except ValidationError as error:
        raise Stale(" ".join(error.messages)) from None
    fields = {key: source[key] for key in bin.CODE_FIELDS if key != "parent_id"}
    parent_id = source["parent_id"]
    if parent_id is not None and not study.codes.filter(pk=parent_id).exists():
        parent_id = None
    restored = Code.objects.create(
        id=source["id"],
        study=study,
        parent_id=parent_id,
        revision=source.get("revision", 1),
        **fields,
    )
    moved.update(code=restored)
    bin.recode(restored.pk, step["dropped"], study.pk)
    Code.objects.filter(pk__in=step["children"], parent=target).update(parent=restored)
    bin.link(restored.pk, step["links"])
    bin.unlink(target.pk, step["added"])
    before = {key: value for key, value in step["target_before"].items() if key != "id"}
    before["name_key"] = name_key(before["name"])
    Code.objects.filter(pk=target.pk).update(revision=target.revision + 1, **before)


def _undo_autocode(step: dict, study) -> None:
    """Undo coding from a search: every passage of the batch, newest first, or none (the
    caller's transaction rolls back the lot when one was changed since)."""
    for inner in reversed(step["steps"]):
        REVERSALS[inner["kind"]](inner, study)


# The kinds of step whose reversal writes nothing the roll-up reads (registered so).
OUTSIDE_ROLLUP: set[str] = set()

REVERSALS = {
    "autocode": _undo_autocode,
    "excerpt": _undo_excerpt,
    "code": _undo_code,
    "code_delete": _undo_code_delete,
    "merge": _undo_merge,
}


def register(kind: str, reversal, *, rollup: bool = True) -> None:
    """Let an app built on coding undo steps of its own `kind` (themes registers its quick
    actions in its AppConfig.ready()): `reversal(step, study)` puts back what the step
    changed, or raises Stale changing nothing; it returns None, or a sentence saying what
    it left out (the undo's message adds it). `rollup` False: its steps change nothing the
    roll-up reads, so undoing them leaves the study's revision. One history and one Undo
    for every page."""
    REVERSALS[kind] = reversal
    if rollup:
        OUTSIDE_ROLLUP.discard(kind)
    else:
        OUTSIDE_ROLLUP.add(kind)
