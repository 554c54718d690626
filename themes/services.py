"""Writes to themes: shaping them, gathering codes, choosing quotes, and the review."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import ngettext

from coding.models import Code, Excerpt, ExcerptStatus
from coding.selectors import branch_usage
from coding.services import codes_hold
from coding.undo import Journal, note
from core.bidi import isolated
from core.errors import Conflict
from core.naming import (
    check_parent,
    clean_unique_name,
    find_by_name,
    lock_tree,
    name_taken,
    update_node,
)
from core.sanitise import sanitise_text
from core.stale import saved_meanwhile
from interviews import deidentify, history
from interviews.locks import hold
from interviews.mentions import kept_word
from interviews.models import Study, TypedKeep
from interviews.revisions import study_revision_bump, study_revision_keep

from .identifying import TypedField, strings_of, study_typed_places
from .models import Comment, Quote, ReviewStatus, Theme, ThemeMemo
from .quoting import extract_pieces, marked_cuts
from .rollup import study_rollup


def _clean_name(study: Study, name: str, exclude: int | None = None) -> str:
    return clean_unique_name(study.themes, name, noun="theme", max_length=160, exclude=exclude)


def _check_parent(study: Study, theme: Theme | None, parent: Theme | None) -> None:
    check_parent(study.pk, theme, parent, noun="theme")


def theme_create(
    *, study: Study, name: str, description: str = "", parent: Theme | None = None
) -> Theme:
    name = _clean_name(study, name)
    _check_parent(study, None, parent)
    try:
        with transaction.atomic():
            # Themes made at the same moment take the next order numbers one after another.
            hold(Study, study.pk)
            study_revision_bump(study.pk)
            last = study.themes.aggregate(last=Max("order"))["last"] or 0
            return Theme.objects.create(
                study=study,
                name=name,
                description=description.strip(),
                parent=parent,
                order=last + 1,
            )
    except IntegrityError:
        # Another request saved the same name meanwhile: the unique key decided.
        raise name_taken(study.themes, name, noun="theme") from None


def theme_update(
    *, theme: Theme, revision: int, name: str, description: str, parent: Theme | None
) -> Theme:
    """Save an edited theme, unless someone saved it since `revision` (then Conflict): its
    Theme.revision as the edit form showed it. Saved as it stands (as opened, or typed as
    another tab saved it meanwhile), nothing is written and nothing is refused (core.stale:
    the same words replace nothing)."""
    name = _clean_name(theme.study, name, exclude=theme.pk)
    same = (theme.name, theme.description, theme.parent_id) == (
        name,
        description.strip(),
        parent and parent.pk,
    )
    if same:
        # Nothing to write, and the study's revision (the cached roll-up) stays.
        return theme
    # Its own transaction: the revision moves with the edit or not at all (the view opens
    # none; tests/themes/test_concurrency.py edits themes from many connections at once).
    with transaction.atomic():
        study_revision_bump(theme.study_id)
        update_node(
            theme,
            revision=revision,
            parent=parent,
            noun="theme",
            name=name,
            description=description.strip(),
        )
    return theme


@transaction.atomic
def theme_move(*, theme: Theme, delta: int) -> tuple[int, int] | None:
    """Move a theme up (-1) or down (+1) among the themes that share its parent. Returns
    (its place after the move, counted from 1, the number of those themes), or None when
    nothing moved (deleted meanwhile, or first moved up or last down)."""
    # Moves, and themes made, at the same moment renumber one after another, each from the
    # order the one before left.
    hold(Study, theme.study_id)
    # The order of themes is the roll-up's order.
    study_revision_bump(theme.study_id)
    parent_id = Theme.objects.filter(pk=theme.pk).values_list("parent_id", flat=True).first()
    siblings = list(theme.study.themes.filter(parent=parent_id).order_by("order", "name"))
    index = next((i for i, sibling in enumerate(siblings) if sibling.pk == theme.pk), None)
    target = None if index is None else index + delta
    if target is None or not 0 <= target < len(siblings):
        # Deleted meanwhile, or first moved up or last down: nothing moves.
        study_revision_keep()
        return None
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for order, sibling in enumerate(siblings, start=1):
        if sibling.order != order:
            Theme.objects.filter(pk=sibling.pk).update(order=order)
    return target + 1, len(siblings)


@transaction.atomic
def theme_delete(*, theme: Theme, journal: Journal | None = None) -> None:
    """Remove a theme into the bin: its quotes, memos and comment threads go with it (each
    recorded, "with theme <id>", so that theme_restore brings them back); its codes, their
    excerpts and its sub-themes stay. Notes a "theme_delete" step (undone by restoring)."""
    # Its parent as it is now, under the tree's lock: it may have moved since the page.
    study_revision_bump(theme.study_id)
    lock_tree(Theme, theme.study_id)
    parent_id = Theme.objects.filter(pk=theme.pk).values_list("parent_id", flat=True).first()
    theme.children.update(parent=parent_id)
    with history.because(f"with theme {theme.pk}"):
        Theme.objects.filter(pk=theme.pk).delete()
    note(journal, "theme_delete", id=theme.pk)


# What theme_restore takes from the theme's last record (its review baseline with its status:
# without it, a theme in review came back saying nothing had changed since).
THEME_FIELDS = (
    "name",
    "description",
    "order",
    "review_status",
    "review_snapshot",
    "review_started_at",
)


# Why a quote that comes back with its theme or its excerpt is left out of the findings (as
# the theme's page lists it, themes.review._stray): the words for one quote and for several,
# in the order a message lists them. Such a quote is kept, as one that strays while its theme
# stands is: the researcher removes it, or it counts again once its excerpt does ("purged":
# its excerpt was deleted for good, so it cannot come back at all).
QUOTE_LEFT_OUT = {
    "purged": ("its excerpt was deleted for good", "their excerpts were deleted for good"),
    "deleted": ("its excerpt is in the bin", "their excerpts are in the bin"),
    "withdrawn": ("its respondent has withdrawn", "their respondents have withdrawn"),
    "orphaned": (
        "its words were removed from the transcript",
        "their words were removed from the transcript",
    ),
    "uncoded": (
        "its excerpt no longer carries the theme's codes",
        "their excerpts no longer carry the theme's codes",
    ),
}


def quotes_left_out_note(left_out: dict[str, int]) -> str:
    """{reason (QUOTE_LEFT_OUT's keys): number of quotes} as one sentence, "" for none:
    "1 quote could not come back: its excerpt was deleted for good; 2 quotes are left out
    of the findings: their excerpts no longer carry the theme's codes." """
    parts = []
    for reason, (one, many) in QUOTE_LEFT_OUT.items():
        n = left_out.get(reason, 0)
        if not n:
            continue
        if reason == "purged":
            quotes = ngettext("%(n)d quote could", "%(n)d quotes could", n) % {"n": n}
            parts.append(f"{quotes} not come back: {one if n == 1 else many}")
        else:
            quotes = ngettext("%(n)d quote is", "%(n)d quotes are", n) % {"n": n}
            parts.append(f"{quotes} left out of the findings: {one if n == 1 else many}")
    return "; ".join(parts) + "." if parts else ""


@dataclass(frozen=True)
class ThemeRestored:
    """A theme brought back by theme_restore, and how many of its quotes are left out of
    the findings (or could not come back), by why (QUOTE_LEFT_OUT's keys)."""

    theme: Theme
    left_out: dict[str, int]

    def left_out_note(self) -> str:
        """What is left out, as a sentence ("" when nothing is): "2 quotes are left out of
        the findings: their excerpts no longer carry the theme's codes." """
        return quotes_left_out_note(self.left_out)

    def message(self) -> str:
        """ "Restored “X”." with what is left out, if anything (user text isolated)."""
        restored = f"Restored “{isolated(self.theme.name)}”"
        note = self.left_out_note()
        return f"{restored}; {note}" if note else f"{restored}."


@transaction.atomic
def theme_restore(*, study: Study, theme_id: int) -> ThemeRestored:
    """Bring back a deleted theme from its history, with its links: the codes it gathered
    that still exist, its quotes whose excerpts exist (those no longer under it: in the
    bin, their respondent withdrawn, their words out of the transcript, no longer carrying
    a code the theme gathers, come back left out of the findings, as while a theme stands,
    until the researcher removes them or they count again), its memos, its comment
    threads (replies, authors, dates and resolved state as they were; an author whose
    account is gone since shows as a former member), and the sub-themes its deletion lifted
    that are still where the deletion put them. Its parent comes back if it still exists
    (else the theme returns at the top level).

    Returns the theme with the number of quotes left out of the findings or not brought
    back (their excerpts deleted for good), by why. Raises Conflict,
    changing nothing, when the theme is not deleted (never was, or is back already), or a
    theme of its name exists now.
    """
    study_revision_bump(study.pk)
    lock_tree(Theme, study.pk)
    records = Theme.history.filter(id=theme_id, history_study_id=study.pk).order_by("-history_id")
    gone = records.first()
    if gone is None or gone.history_type != "-" or Theme.objects.filter(pk=theme_id).exists():
        raise Conflict("That theme is not deleted: there is nothing to restore.")
    # The theme as it last was (its deletion's record was written once its codes were gone).
    last = records.exclude(history_type="-").first()
    if find_by_name(study.themes.all(), last.name) is not None:
        raise Conflict(
            f"A theme called “{last.name}” exists now: rename it first, then restore this "
            "one. Nothing was changed."
        )
    parent_id = last.parent_id if study.themes.filter(pk=last.parent_id).exists() else None
    theme = Theme(id=theme_id, study=study, parent_id=parent_id, revision=last.revision + 1)
    for field in THEME_FIELDS:
        setattr(theme, field, getattr(last, field))
    theme.created_at = last.created_at
    theme.save(force_insert=True)
    codes = Code.objects.filter(study=study, pk__in=[row.code_id for row in last.codes.all()])
    if codes:
        theme.codes.add(*codes)
    # Sub-themes the deletion lifted to its parent, and that stayed there.
    lifted = Theme.history.filter(
        history_study_id=study.pk, parent_id=theme_id, history_date__lte=gone.history_date
    ).values("id")
    study.themes.filter(pk__in=lifted, parent_id=gone.parent_id).update(parent=theme)
    quotes = _taken_with(Quote, gone, last)
    # Read once its codes and sub-themes are back: what is under the theme now.
    left_out = _quotes_left_out(study, quotes)
    _restore_rows(Quote, [row for row in quotes if left_out.get(row.pk) != "purged"])
    _restore_rows(ThemeMemo, _taken_with(ThemeMemo, gone, last))
    _restore_rows(Comment, _taken_with(Comment, gone, last))
    return ThemeRestored(theme, dict(Counter(left_out.values())))


def quotes_of_restored_excerpt(excerpt: Excerpt) -> str:
    """coding.bin's follower when an excerpt comes back from the bin: what of its quotes is
    left out of the findings (its codes taken out of their theme meanwhile, its respondent
    withdrawn, ...), as a sentence ("" for nothing). The quotes stay, as a quote that
    strays while its excerpt is live does: the theme's page lists them with why."""
    quotes = list(Quote.objects.filter(excerpt_id=excerpt.pk))
    if not quotes:
        return ""
    # Its study as the excerpt carries it (loaded with it by the access helper on a restore
    # from the bin), not read again by id.
    left_out = _quotes_left_out(excerpt.interview.study, quotes)
    return quotes_left_out_note(dict(Counter(left_out.values())))


def _taken_with(model, gone, last) -> list:
    """The rows of `model` that the theme's deletion (its record `gone`) took with it, as
    they were, by id (a comment's replies after it, so it is there when they point at it).
    They are the records the deletion gave its reason, since the theme's last record
    before it (`last`)."""
    deleted = model.history.filter(
        theme_id=gone.id,
        history_type="-",
        history_change_reason=f"with theme {gone.id}",
        history_date__gte=last.history_date,
        history_date__lte=gone.history_date,
    )
    fields = [field.attname for field in model._meta.concrete_fields]
    return [
        model(**{name: getattr(record, name) for name in fields})
        for record in deleted.order_by("id")
    ]


def _quotes_left_out(study: Study, quotes: list[Quote]) -> dict[int, str]:
    """{quote id: why} for the quotes that are not under their themes (QUOTE_LEFT_OUT's
    reasons, checked in that order; "purged" when the excerpt no longer exists at all), by
    the study's roll-up as it is now in this transaction."""
    if not quotes:
        return {}
    rows = Excerpt.all_objects.filter(pk__in=[quote.excerpt_id for quote in quotes]).values_list(
        "pk", "deleted_at", "interview__respondent__withdrawn_at", "status"
    )
    state = {pk: (deleted, withdrawn, status) for pk, deleted, withdrawn, status in rows}
    rollup = study_rollup(study)
    under = {
        theme_id: set(rollup.theme(theme_id).excerpt_ids)
        for theme_id in {q.theme_id for q in quotes}
    }
    left_out = {}
    for quote in quotes:
        if quote.excerpt_id not in state:
            left_out[quote.pk] = "purged"
            continue
        deleted, withdrawn, status = state[quote.excerpt_id]
        if deleted is not None:
            left_out[quote.pk] = "deleted"
        elif withdrawn is not None:
            left_out[quote.pk] = "withdrawn"
        elif status == ExcerptStatus.ORPHANED:
            left_out[quote.pk] = "orphaned"
        elif quote.excerpt_id not in under[quote.theme_id]:
            left_out[quote.pk] = "uncoded"
    return left_out


def _restore_rows(model, rows: list) -> None:
    """Insert `rows` (of `model`, from _taken_with) again under their ids."""
    _forget_gone_users(model, rows)
    model.objects.bulk_create(rows)


def _forget_gone_users(model, rows: list) -> None:
    """Empty the rows' nullable links to accounts deleted since the rows were (what the
    links' SET_NULL did to the rows that stayed), so that they can be inserted again."""
    names = [
        field.attname
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is get_user_model() and field.null
    ]
    wanted = {getattr(row, name) for row in rows for name in names} - {None}
    if not wanted:
        return
    live = set(get_user_model().objects.filter(pk__in=wanted).values_list("pk", flat=True))
    for row in rows:
        for name in names:
            if getattr(row, name) not in live:
                setattr(row, name, None)


def theme_code_attach(*, theme: Theme, code: Code, journal: Journal | None = None) -> str:
    """Gather `code` (with its whole branch of sub-codes) into `theme`. Notes a
    "theme_code_attach" step (undone by taking it out again) when it was added.

    Returns a warning for the researcher when no excerpt that counts carries the code or
    any of its sub-codes, so that it adds nothing to the theme yet (attached all the same),
    or when the theme gathered it already (another tab, a stale page: nothing changed);
    "" otherwise. Raises ValidationError for a code of another study, Conflict for one
    deleted or merged meanwhile.
    """
    if code.study_id != theme.study_id:
        raise ValidationError("That code belongs to another study.")
    with transaction.atomic():
        # A merge or delete of the code at the same moment waits for this, or this for it
        # (then Conflict): the theme never points at a code that is gone.
        study_revision_bump(theme.study_id)
        codes_hold(codes=[code])
        if theme.codes.filter(pk=code.pk).exists():
            # Gathered already (another tab, a stale page): nothing changes.
            study_revision_keep()
            return (
                f"“{isolated(code.name)}” was in “{isolated(theme.name)}” already; nothing "
                "was changed."
            )
        theme.codes.add(code)
        note(journal, "theme_code_attach", theme=theme.pk, code=code.pk)
    pairs = list(Code.objects.filter(study_id=theme.study_id).values_list("id", "parent_id"))
    excerpts, _ = branch_usage(theme.study, pairs, [code.pk])[code.pk]
    if excerpts:
        return ""
    return (
        f"Added “{isolated(code.name)}” to “{isolated(theme.name)}”, but no excerpt carries "
        "it or any of its sub-codes yet, so the theme's counts do not change until you code "
        "with it."
    )


def theme_code_detach(*, theme: Theme, code: Code, journal: Journal | None = None) -> bool:
    """Take a code out of a theme; the code and its excerpts stay. Notes a
    "theme_code_detach" step (undone by gathering it again) when the theme had it.
    Returns False, changing nothing, when the theme did not gather the code (taken out
    in another tab, or a stale page)."""
    with transaction.atomic():
        study_revision_bump(theme.study_id)
        if not theme.codes.filter(pk=code.pk).exists():
            study_revision_keep()
            return False
        theme.codes.remove(code)
        note(journal, "theme_code_detach", theme=theme.pk, code=code.pk)
        return True


# Quotes -----------------------------------------------------------------------------------


def quote_add(*, theme: Theme, excerpt: Excerpt, rollup=None) -> Quote:
    """Choose an excerpt to illustrate a theme; it goes last in the theme's order. `rollup`
    (the study's, themes.rollup) saves reading it again.

    Raises ValidationError, choosing nothing, for an excerpt of another study, of a
    withdrawn respondent, of the interviewer's words alone (Excerpt.interviewer_only: they
    count for no respondent), or not under the theme (none of its codes gathered by the theme
    or its sub-themes: a forged or stale request; the page offers only excerpts under it).
    """
    if excerpt.interview.study_id != theme.study_id:
        raise ValidationError("That excerpt belongs to another study.")
    if excerpt.interview.respondent.is_withdrawn:
        raise ValidationError(
            "That respondent has withdrawn: their words cannot illustrate a theme."
        )
    if excerpt.interviewer_only:
        raise ValidationError(
            "That excerpt holds only the interviewer’s words: it cannot illustrate what a "
            "respondent said. Nothing was chosen."
        )
    rollup = rollup or study_rollup(theme.study)
    if excerpt.pk not in set(rollup.theme(theme.pk).excerpt_ids):
        raise ValidationError(
            f"That excerpt is not under “{theme.name}”: none of its codes is gathered by the "
            "theme, so it cannot illustrate it. Nothing was chosen."
        )
    with transaction.atomic():
        # The same excerpt chosen twice at once is chosen once; different ones take the
        # next order numbers one after another.
        hold(Theme, theme.pk)
        existing = theme.quotes.filter(excerpt=excerpt).first()
        if existing:
            return existing
        last = theme.quotes.aggregate(last=Max("order"))["last"] or 0
        return Quote.objects.create(theme=theme, excerpt=excerpt, order=last + 1)


QUOTE_MEANWHILE = (
    "The words to print of this quote were saved meanwhile, in another tab or window; "
    "nothing was saved."
)


def quote_extract_set(
    *, quote: Quote, extract: str, seen: str = "", journal: Journal | None = None
) -> Quote:
    """Choose which words of the quote's excerpt the findings print: words of the excerpt in
    order, "[…]" at each cut (typed "[...]" is stored as "[…]": quoting.marked_cuts); ""
    prints the whole excerpt. Raises ValidationError (saying which words) when the extract
    is not the excerpt's words in order, and Conflict (nothing saved) when the words were
    saved since the form was drawn: `seen` is core.stale.text_token() of the extract that
    form showed ("" checks nothing). Notes a "quote_extract" step (id, before, after) when
    the words change."""
    extract = marked_cuts(sanitise_text(extract).strip())
    if extract:
        extract_pieces(quote.excerpt.text, extract)
    if saved_meanwhile(quote.extract, seen=seen, typed=extract):
        raise Conflict(QUOTE_MEANWHILE)
    if extract != quote.extract:
        note(journal, "quote_extract", id=quote.pk, before=quote.extract, after=extract)
    quote.extract = extract
    quote.save(update_fields=["extract"])
    return quote


def quote_remove(*, quote: Quote, journal: Journal | None = None) -> bool:
    """Take a quote off its theme (the excerpt stays). Notes a "quote_remove" step with
    what undoing it puts back: its id, theme, excerpt, extract, order and creation date.
    Returns False, changing nothing, when the quote was removed already."""
    with transaction.atomic():
        # A quote already removed (two clicks, two tabs) is removed once, and noted once.
        removed, _ = Quote.objects.filter(pk=quote.pk).delete()
        if removed:
            note(
                journal,
                "quote_remove",
                id=quote.pk,
                theme=quote.theme_id,
                excerpt=quote.excerpt_id,
                extract=quote.extract,
                order=quote.order,
                created_at=quote.created_at.isoformat(),
            )
    return bool(removed)


@transaction.atomic
def quote_move(*, quote: Quote, delta: int, rollup=None) -> tuple[int, int] | None:
    """Move a quote up (-1) or down (+1) past the next quote that still illustrates the
    theme; quotes left out of the findings (see review.py) keep their place. Returns (its
    place after the move among the quotes shown, counted from 1, their number), or None
    when nothing moved (removed meanwhile, left out, or first moved up or last down)."""
    # Moves and additions at the same moment renumber one after another.
    hold(Theme, quote.theme_id)
    quotes = list(quote.theme.quotes.order_by("order", "id"))
    if quote.pk not in {other.pk for other in quotes}:
        return None  # removed meanwhile
    rollup = rollup or study_rollup(quote.theme.study)
    shown = set(rollup.theme(quote.theme_id).excerpt_ids)
    visible = [i for i, other in enumerate(quotes) if other.excerpt_id in shown]
    if quote.excerpt_id not in shown:
        return None
    position = next(n for n, i in enumerate(visible) if quotes[i].pk == quote.pk)
    if not 0 <= position + delta < len(visible):
        return None
    here, there = visible[position], visible[position + delta]
    quotes[here], quotes[there] = quotes[there], quotes[here]
    for order, other in enumerate(quotes, start=1):
        if other.order != order:
            Quote.objects.filter(pk=other.pk).update(order=order)
    return position + delta + 1, len(visible)


# Review -----------------------------------------------------------------------------------


def theme_snapshot(theme: Theme, rollup=None) -> dict:
    """What the committee is shown of a theme, to compare against later: {"description",
    "excerpts": [excerpt id], "quotes": [excerpt id], "codes": [its own code ids]}."""
    rollup = rollup or study_rollup(theme.study)
    return {
        "description": theme.description,
        "excerpts": rollup.theme(theme.pk).excerpt_ids,
        "codes": rollup.theme(theme.pk).code_ids,
        "quotes": list(theme.quotes.order_by("order").values_list("excerpt_id", flat=True)),
    }


def theme_status_set(*, theme: Theme, status: str, rollup=None, afresh: bool = False) -> bool:
    """Change the review status (owners only, checked by the view). Returns False, changing
    nothing, when the theme has that status already (a second click on Set, a stale tab).

    Setting "in review" records what the committee sees now, so that the page can later
    show what changed since they last looked. A theme already in review keeps its record
    (the committee still sees what changed since), unless `afresh`: the researcher asked,
    by the button that says so, to start the review again from what the theme holds now.
    Raises ValidationError for a status that is not one of ReviewStatus.
    """
    if status not in ReviewStatus.values:
        raise ValidationError(f"Unknown review status “{status}”.")
    restart = afresh and status == ReviewStatus.IN_REVIEW
    if not restart and Theme.objects.filter(pk=theme.pk, review_status=status).exists():
        # A silent restart of the review would wipe the changes the committee reads.
        return False
    theme.review_status = status
    fields = ["review_status"]
    if status == ReviewStatus.IN_REVIEW:
        theme.review_snapshot = theme_snapshot(theme, rollup)
        theme.review_started_at = timezone.now()
        fields += ["review_snapshot", "review_started_at"]
    with transaction.atomic():
        # The status shows on the themes page, which reads it from the roll-up.
        study_revision_bump(theme.study_id)
        theme.save(update_fields=fields)
    return True


def changes_since_review(theme: Theme, rollup) -> dict | None:
    """None before any review; else {"since": datetime, "new_excerpts", "removed_excerpts",
    "new_quotes", "removed_quotes" (excerpt ids, sorted), "new_codes", "removed_codes" (the
    theme's own code ids, sorted; empty for a review started before codes were recorded),
    "old_description": the description then, or None if unchanged}."""
    snapshot = theme.review_snapshot
    if not snapshot:
        return None
    now = theme_snapshot(theme, rollup)
    before_excerpts, now_excerpts = set(snapshot["excerpts"]), set(now["excerpts"])
    before_quotes, now_quotes = set(snapshot["quotes"]), set(now["quotes"])
    # A snapshot taken before the codes were recorded compares them with themselves.
    before_codes, now_codes = set(snapshot.get("codes", now["codes"])), set(now["codes"])
    return {
        "since": theme.review_started_at,
        "new_excerpts": sorted(now_excerpts - before_excerpts),
        "removed_excerpts": sorted(before_excerpts - now_excerpts),
        "new_quotes": sorted(now_quotes - before_quotes),
        "removed_quotes": sorted(before_quotes - now_quotes),
        "new_codes": sorted(now_codes - before_codes),
        "removed_codes": sorted(before_codes - now_codes),
        "old_description": (
            snapshot["description"] if snapshot["description"] != theme.description else None
        ),
    }


def comment_add(
    *,
    theme: Theme,
    author,
    body: str,
    parent: Comment | None = None,
    journal: Journal | None = None,
) -> Comment:
    """A comment by `author` on `theme` (a reply to `parent`'s thread when given), noted in
    `journal` for undo. Raises ValidationError for an empty text or a parent of another
    theme."""
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError("Write something first: the comment is empty.")
    if parent is not None:
        if parent.theme_id != theme.pk:
            raise ValidationError("That comment belongs to another theme.")
        # Replies stay one level deep: a reply to a reply joins its thread.
        parent = parent.parent or parent
    comment = Comment.objects.create(theme=theme, author=author, body=body, parent=parent)
    note(journal, "comment_add", id=comment.pk)
    return comment


def comment_resolve(
    *, comment: Comment, user, resolved: bool = True, journal: Journal | None = None
) -> bool:
    """Mark a comment resolved by `user`, now (or open it again, `resolved` False), noted
    in `journal` for undo with who had resolved it and when.

    Returns False, changing nothing, when it is so already (resolved or opened in another
    tab, or by another member): who resolved it, and when, stay as they were."""
    with transaction.atomic():
        # Locked, so that the state noted as before is the one this change replaced.
        row = Comment.objects.select_for_update().filter(pk=comment.pk).first()
        if row is None or (row.resolved_at is not None) == resolved:
            return False
        before = comment_state(row)
        row.resolved_at = timezone.now() if resolved else None
        row.resolved_by_id = user.pk if resolved else None
        # An update, as before undo noted it: resolving is not a change the history lists.
        Comment.objects.filter(pk=row.pk).update(
            resolved_at=row.resolved_at, resolved_by_id=row.resolved_by_id
        )
        note(journal, "comment_resolve", id=row.pk, before=before, after=comment_state(row))
    return True


def comment_state(comment: Comment) -> dict:
    """Whether a comment is resolved, when (ISO 8601) and by whom (a user id), as JSON:
    {"at": str | None, "by": int | None}."""
    at = comment.resolved_at
    return {"at": at.isoformat() if at else None, "by": comment.resolved_by_id}


# Typed fields kept as they are (themes.identifying) -------------------------------------

TYPED_GONE = (
    "That field no longer holds a string of the de-identification list (changed, or the "
    "string taken off the list, since the page showed it): nothing was kept. Reload the page."
)
TYPED_CHANGED = (
    "{where} was changed since the page showed it: nothing was kept. Reload the page and "
    "read it again."
)


def typed_field_keep(
    *, study: Study, field: tuple[str, int, str], digest: str, journal: Journal | None = None
) -> TypedField:
    """Keep the typed field `field` (TypedPlace.field: kind, row id, field name) as it is,
    the listed strings it holds being no names (a false match: "Hope" as a word): no
    download is refused for them while its text is the one `digest` (text_digest) was
    read from. Records every listed string the field holds now (case-folded), replacing
    what an earlier Keep of another text recorded. Returns the field as the page lists it,
    kept.

    Raises Conflict (nothing kept) when the field holds no listed string now (TYPED_GONE)
    or its text is no longer the one read (TYPED_CHANGED: edited since the page showed
    it). Queries: the list, the typed fields' UNION, then the write, and the deletion of
    the study's keeps that no longer match (_stale_keeps_drop)."""
    listed = deidentify.study_listed(study)
    found = listed and study_typed_places(study, listed)
    places = [p for p in found if p.field == field]
    if not places:
        raise Conflict(TYPED_GONE)
    first = places[0]
    if first.digest != digest:
        raise Conflict(TYPED_CHANGED.format(where=first.where[0].upper() + first.where[1:]))
    kind, row, name = field
    # What a Keep of this field kept before (another text of it), for the undo to put back.
    before = (
        TypedKeep.objects.filter(study=study, kind=kind, row=row, field=name)
        .values("words", "digest")
        .first()
        if journal is not None
        else None
    )
    keep, _created = TypedKeep.objects.update_or_create(
        study=study,
        kind=kind,
        row=row,
        field=name,
        defaults={
            "words": sorted({kept_word(place.words, place.withdrawn) for place in places}),
            "digest": digest,
            "kept_at": timezone.now(),
        },
    )
    _stale_keeps_drop(study, found)
    note(
        journal,
        "typed_keep",
        id=keep.pk,
        field=list(field),
        before=before,
        after={"words": keep.words, "digest": digest},
    )
    return TypedField(first.where, strings_of(places), "", field, digest, keep.pk)


def _stale_keeps_drop(study: Study, places) -> None:
    """Delete the study's keeps that no longer keep anything: their field edited since (its
    text is not the one kept, TypedKeep.digest), or holding no listed string now, or gone
    (its row deleted, or a withdrawn respondent's, which no download writes). Such a keep
    would never match again and only piled up: it goes at the next Keep, which has just
    read every typed field that holds a listed string (`places`, study_typed_places,
    never empty there). One query."""
    current = {place.field: place.digest for place in places}
    still = [
        Q(kind=kind, row=row, field=name, digest=digest)
        for (kind, row, name), digest in current.items()
    ]
    TypedKeep.objects.filter(study=study).exclude(reduce(or_, still)).delete()


def typed_keep_undo(*, keep: TypedKeep) -> None:
    """Ask again about a kept field: its downloads are refused while it holds a listed
    string, and the de-identification page lists it waiting."""
    keep.delete()
