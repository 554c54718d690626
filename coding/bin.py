"""The bin: deleted excerpts and codes, restorable for a number of days, then erased.

A deleted excerpt keeps its row (marked `deleted_at`, hidden by `Excerpt.objects`), with its
codes and memo. A deleted code's row is removed, so that every count, theme and export is at
once as if it had never been; a `DeletedCode` keeps its fields and its links (the codings
of its excerpts, its sub-codes, the themes that gathered it) and brings them back under
the same id. How long both wait is the setting `EXCERPTA_BIN_DAYS` (README).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from core.bidi import isolated
from core.errors import Conflict
from core.naming import find_by_name
from interviews import history
from interviews.models import Interview
from interviews.revisions import study_revision_bump

from .models import Code, CodeMemo, Coding, DeletedCode, Excerpt, UndoEntry

CODE_FIELDS = (
    "name",
    "colour",
    "parent_id",
    "definition",
    "inclusion",
    "exclusion",
    "example",
    "order",
)


def retention() -> timedelta:
    """How long a deleted excerpt or code stays in the bin (settings.EXCERPTA_BIN_DAYS)."""
    return timedelta(days=settings.EXCERPTA_BIN_DAYS)


def code_state(code: Code) -> dict:
    """The fields of a code that an undo or a restore puts back, as JSON."""
    return {"id": code.pk, **{field: getattr(code, field) for field in CODE_FIELDS}}


def stamp(moment: datetime) -> str:
    return moment.isoformat()


# Links to codes from the apps built on coding/ (a theme's codes) are found through the
# model's relations, so that coding/ does not import them. Each is keyed "app.Model.field".


def code_links() -> list[tuple[str, type, str, str]]:
    """(key, through model, owner column, code column) for every many-to-many to Code."""
    links = []
    for relation in Code._meta.related_objects:
        if relation.many_to_many:
            field = relation.field
            key = f"{relation.related_model._meta.label}.{field.name}"
            links.append(
                (
                    key,
                    field.remote_field.through,
                    field.m2m_field_name() + "_id",
                    field.m2m_reverse_field_name() + "_id",
                )
            )
    return links


def links_of(code_id: int) -> dict[str, list[int]]:
    """The ids of whatever gathers the code, per relation ({"themes.Theme.codes": [ids]})."""
    return {
        key: sorted(through.objects.filter(**{code_column: code_id}).values_list(owner, flat=True))
        for key, through, owner, code_column in code_links()
    }


def link(code_id: int, owners: dict[str, list[int]]) -> int:
    """Link the code again to the owners that still exist (a link already there stays);
    returns how many of `owners` still exist."""
    found = 0
    for key, through, owner, code_column in code_links():
        ids = owners.get(key) or []
        if not ids:
            continue
        model = apps.get_model(key.rsplit(".", 1)[0])
        alive = model._base_manager.filter(pk__in=ids).values_list("pk", flat=True)
        alive = list(alive)
        found += len(alive)
        through.objects.bulk_create(
            [through(**{owner: pk, code_column: code_id}) for pk in alive],
            ignore_conflicts=True,
        )
        # The links are rows of an automatic through table, which simple-history does not
        # see: the owners' records (a theme's, with its codes) are written here.
        history.record_changed(model, alive)
    return found


def record_owners(owners: dict[str, list[int]]) -> None:
    """Record in the history the owners (themes) whose links to codes changed without
    their knowing (a code deleted or merged drops its rows of the through table)."""
    for key, ids in owners.items():
        if ids:
            history.record_changed(apps.get_model(key.rsplit(".", 1)[0]), ids)


def unlink(code_id: int, owners: dict[str, list[int]]) -> None:
    for key, through, owner, code_column in code_links():
        ids = owners.get(key) or []
        if ids:
            through.objects.filter(**{code_column: code_id, f"{owner}__in": ids}).delete()
    record_owners(owners)


def codings_of(code_id: int, rows=None) -> list[list]:
    """[[excerpt_id, coder_id, created_at (ISO 8601)]] of a code (deleted excerpts' too),
    or of the codings `rows` (a queryset) when given."""
    rows = (Coding.objects.filter(code_id=code_id) if rows is None else rows).order_by(
        "excerpt_id"
    )
    return [
        [excerpt_id, coder_id, stamp(created)]
        for excerpt_id, coder_id, created in rows.values_list(
            "excerpt_id", "coder_id", "created_at"
        )
    ]


def recode(code_id: int, codings: list[list], study_id: int) -> int:
    """Apply the code again to those of `codings`' excerpts that still exist (in the bin
    too); returns how many it applied."""
    wanted = {row[0]: row for row in codings}
    interview_of = dict(
        Excerpt.all_objects.filter(pk__in=wanted, interview__study_id=study_id).values_list(
            "pk", "interview_id"
        )
    )
    Coding.objects.bulk_create(
        [
            Coding(
                excerpt_id=excerpt_id,
                code_id=code_id,
                coder_id=wanted[excerpt_id][1],
                created_at=datetime.fromisoformat(wanted[excerpt_id][2]),
                interview_id=interview_id,
            )
            for excerpt_id, interview_id in interview_of.items()
        ],
        # No conflict can arise (the code was deleted with its codings and comes back
        # now under its id), and the history records each coding made.
    )
    return len(interview_of)


@transaction.atomic
def code_to_bin(*, code: Code, actor) -> DeletedCode:
    """Delete a code into the bin: its sub-codes move up a level, its codings and links go.

    Returns the bin's item, which holds everything code_restore needs.
    """
    study_revision_bump(code.study_id)
    children = list(code.children.values_list("pk", flat=True))
    item = DeletedCode.objects.create(
        study_id=code.study_id,
        code_id=code.pk,
        name=code.name,
        deleted_by=actor,
        data={
            "code": {**code_state(code), "revision": code.revision},
            "codings": codings_of(code.pk),
            "children": children,
            "links": links_of(code.pk),
        },
    )
    code.children.update(parent=code.parent)
    code.delete()
    record_owners(item.data["links"])
    purge()
    return item


@dataclass(frozen=True)
class CodeRestored:
    """A code brought back by code_restore, and what of its links was left out because it
    no longer exists: `left_out` holds sentences ("2 of its excerpts were erased since")."""

    code: Code
    left_out: list[str]

    def left_out_note(self) -> str:
        """What was left out, as one sentence ("" when nothing was)."""
        return ("Left out: " + "; ".join(self.left_out) + ".") if self.left_out else ""

    def message(self) -> str:
        """The restore's message: with its links, or what was left out (the name isolated)."""
        name = isolated(self.code.name)
        if not self.left_out:
            return f"Restored “{name}” with its excerpts, sub-codes and themes."
        return f"Restored “{name}”. {self.left_out_note()}"


@transaction.atomic
def code_restore(*, item: DeletedCode) -> CodeRestored:
    """Bring a deleted code back with its links: the codings of its excerpts that still
    exist, its sub-codes that are still where the deletion put them, its parent if it still
    exists (else it comes back at the top level), the themes that still exist. Returns the
    code, with what of those was left out.

    Raises Conflict when a code of the same name was created meanwhile (nothing changes).
    """
    fields = dict(item.data["code"])
    study_id = item.study_id
    if Code.objects.filter(pk=item.code_id).exists():
        raise Conflict(f"“{item.name}” is already back in the codebook.")
    if find_by_name(Code.objects.filter(study_id=study_id), fields["name"]) is not None:
        raise Conflict(
            f"A code called “{fields['name']}” exists now: rename it first, then restore "
            "this one. Nothing was changed."
        )
    try:
        with transaction.atomic():
            return _restore(item, fields)
    except IntegrityError:
        # Restored by another request, or a code of its name made, at the same moment.
        raise Conflict(
            f"“{fields['name']}” was restored, or a code of that name made, at the same "
            "moment by someone else. Reload the page; nothing was changed."
        ) from None


def _restore(item: DeletedCode, fields: dict) -> CodeRestored:
    study_id = item.study_id
    study_revision_bump(study_id)
    left_out = []
    parent_id = fields.pop("parent_id")
    if not Code.objects.filter(pk=parent_id, study_id=study_id).exists():
        if parent_id is not None:
            left_out.append("its parent code was deleted since, so it is at the top level")
        parent_id = None
    fields.pop("id")
    revision = fields.pop("revision", 1)
    code = Code.objects.create(
        id=item.code_id,
        study_id=study_id,
        parent_id=parent_id,
        revision=revision + 1,
        **fields,
    )
    codings = item.data["codings"]
    recoded = recode(code.pk, codings, study_id)
    if recoded < len(codings):
        left_out.append(
            ngettext(
                "%(n)d of its excerpts was erased since",
                "%(n)d of its excerpts were erased since",
                len(codings) - recoded,
            )
            % {"n": len(codings) - recoded}
        )
    children = item.data["children"]
    moved_back = Code.objects.filter(
        pk__in=children, study_id=study_id, parent_id=parent_id
    ).update(parent=code)
    if moved_back < len(children):
        left_out.append(
            ngettext(
                "%(n)d sub-code was moved or deleted since and stays where it is",
                "%(n)d sub-codes were moved or deleted since and stay where they are",
                len(children) - moved_back,
            )
            % {"n": len(children) - moved_back}
        )
    linked = link(code.pk, item.data["links"])
    wanted = sum(len(ids) for ids in item.data["links"].values())
    if linked < wanted:
        left_out.append(
            ngettext(
                "%(n)d theme that gathered it was removed since",
                "%(n)d themes that gathered it were removed since",
                wanted - linked,
            )
            % {"n": wanted - linked}
        )
    item.delete()
    return CodeRestored(code, left_out)


# What apps built on coding do when a deleted excerpt comes back (themes takes off its
# quotes that no longer hold): each is called with the excerpt, in the transaction that
# brings it back, and returns a sentence saying what it left out, or "".
RESTORE_FOLLOWERS: list = []


def excerpt_came_back(excerpt: Excerpt) -> str:
    """After `excerpt` left the bin (its restore, or an undone deletion), in the same
    transaction: run RESTORE_FOLLOWERS; returns what they left out, one sentence each,
    joined ("" when nothing was)."""
    return " ".join(filter(None, (follower(excerpt) for follower in RESTORE_FOLLOWERS)))


# Listing and purging -----------------------------------------------------------------------


@dataclass(frozen=True)
class BinItem:
    kind: str  # "excerpt" or "code"
    id: int
    label: str
    where: str  # the respondent of an excerpt (_whose); empty for a code
    deleted_by: str
    deleted_at: datetime
    detail: str  # what comes back with it


def deleted_excerpts(study) -> QuerySet[Excerpt]:
    """The study's deleted excerpts, unordered (the caller orders or pages them).

    Found from the partial index of deleted excerpts (the first subquery, which lists the
    bin of every study: a few hundred rows at most, since the bin erases what is older than
    its retention) and kept when their transcript is one of the study's (the second).
    Joined from the study's transcripts instead, SQLite read every excerpt of the study:
    8.6 ms for a bin of 100 at the benchmark's default scale (20,000 excerpts), 0.5 ms so.
    """
    deleted = Excerpt.all_objects.filter(deleted_at__isnull=False).values("pk")
    transcripts = Interview.objects.filter(study=study).values("pk")
    return Excerpt.all_objects.filter(pk__in=deleted, interview_id__in=transcripts).order_by()


def excerpt_items(excerpts: QuerySet[Excerpt]) -> list[BinItem]:
    """The bin's items of `excerpts` (deleted ones), in their queryset's order: two queries
    (the excerpts with their respondent and who deleted them; the names of their codes,
    only when there are excerpts). Rows, not model instances: the history page reads a
    page of them on every view. The transcripts' texts are not read."""
    deleted_by = f"deleted_by__{get_user_model().USERNAME_FIELD}"
    rows = list(
        excerpts.values(
            "pk",
            "text",
            "previous_text",
            "deleted_at",
            "interview__respondent__pseudonym",
            "interviewer_only",
            deleted_by,
        )
    )
    codes: dict[int, list[str]] = {row["pk"]: [] for row in rows}
    if rows:
        # In the order they were applied, the same on SQLite and PostgreSQL.
        names = (
            Coding.objects.filter(excerpt_id__in=list(codes))
            .order_by("pk")
            .values_list("excerpt_id", "code__name")
        )
        for excerpt_id, name in names:
            codes[excerpt_id].append(name)
    return [
        BinItem(
            "excerpt",
            row["pk"],
            row["text"] or row["previous_text"],
            _whose(row["interview__respondent__pseudonym"], row["interviewer_only"]),
            row[deleted_by] or REMOVED,
            row["deleted_at"],
            ", ".join(codes[row["pk"]]),
        )
        for row in rows
    ]


def _whose(pseudonym: str, interviewer_only: bool) -> str:
    """Where a deleted excerpt is from, as the bin says it ("Excerpt of R2: …"): "R2
    (interviewer’s words)" for one that holds only the interviewer's words (Excerpt.
    interviewer_only), which are not R2's to be quoted as theirs."""
    return f"{pseudonym} (interviewer’s words)" if interviewer_only else pseudonym


def code_items(codes: QuerySet[DeletedCode]) -> list[BinItem]:
    """The bin's items of `codes`, in their queryset's order: one query (with who deleted
    them)."""
    items = []
    for code in codes.select_related("deleted_by"):
        count = len(code.data["codings"])
        items.append(
            BinItem(
                "code",
                code.pk,
                code.name,
                "",
                _name(code.deleted_by),
                code.deleted_at,
                f"{count} coding{'s' if count != 1 else ''}",
            )
        )
    return items


def bin_items(study) -> list[BinItem]:
    """Everything the study's bin holds of excerpts and codes, newest first (three queries;
    two when no excerpt is deleted). The history page reads one page of it instead
    (themes.history.bin_page)."""
    items = excerpt_items(deleted_excerpts(study))
    items += code_items(DeletedCode.objects.filter(study=study))
    return sorted(items, key=lambda item: item.deleted_at, reverse=True)


# Who deleted an item whose account was deleted since.
REMOVED = "someone since removed"


def _name(user) -> str:
    return user.get_username() if user is not None else REMOVED


def purge(*, now: datetime | None = None) -> dict[str, int]:
    """Erase what has waited in the bin longer than the retention, and the undo history of
    sessions that ended (logged out or expired). Returns how many of each were erased.

    Run by `manage.py purge_bin`, and on every deletion so that nothing lingers even where
    the command is never scheduled.
    """
    now = now or timezone.now()
    cutoff = now - retention()
    # "Erased for good" holds for the history too: every record of what is purged goes,
    # since the records hold its words (and deleting it wrote one more).
    excerpt_ids = list(
        Excerpt.all_objects.filter(deleted_at__lt=cutoff).values_list("pk", flat=True)
    )
    code_ids = list(
        DeletedCode.objects.filter(deleted_at__lt=cutoff).values_list("code_id", flat=True)
    )
    # delete() counts the rows it cascaded to as well: take each model's own count.
    _, excerpts = Excerpt.all_objects.filter(pk__in=excerpt_ids).delete()
    codes, _ = DeletedCode.objects.filter(deleted_at__lt=cutoff, code_id__in=code_ids).delete()
    # A code's memos wait with it (CodeMemo has no constraint); once it is gone for good,
    # so are they. Deleted memos are erased after the same time.
    orphans = CodeMemo.objects.exclude(code_id__in=Code.objects.values("pk")).exclude(
        code_id__in=DeletedCode.objects.values("code_id")
    )
    memo_ids = list(orphans.values_list("pk", flat=True))
    memo_ids += CodeMemo.objects.filter(deleted_at__lt=cutoff).values_list("pk", flat=True)
    CodeMemo.objects.filter(pk__in=memo_ids).delete()
    if excerpt_ids or code_ids or memo_ids:
        Excerpt.history.filter(id__in=excerpt_ids).delete()
        Coding.history.filter(excerpt_id__in=excerpt_ids).delete()
        Code.history.filter(id__in=code_ids).delete()
        CodeMemo.history.filter(id__in=memo_ids).delete()
    live = Session.objects.filter(expire_date__gt=now).values("session_key")
    entries, _ = UndoEntry.objects.exclude(session_key__in=live).delete()
    return {
        "excerpts": excerpts.get(Excerpt._meta.label, 0),
        "codes": codes,
        "undo entries": entries,
    }
