"""What the themes keep of the researcher's and the committee's words apart from the fields
themselves, and that a de-identification replaces the applied strings in
(interviews.services.DEIDENTIFY_FOLLOWERS): the review snapshot a theme's page compares
with ("The description changed. It used to read: …"), and the comments on themes, which
nobody edits or deletes (the researcher's and the committee's alike)."""

from __future__ import annotations

from collections.abc import Callable

from interviews.deidentify import scrub_json
from interviews.models import Study

from .models import Comment, Theme


def follow(study: Study, moved, scrub: Callable[[str], str]) -> dict[str, int]:
    """Pass the review snapshots (_snapshots_scrub) and the comments (_comments_scrub) of
    the study's themes through `scrub` (the apply's replacements, as in the transcripts).
    Returns {"snapshots_scrubbed": how many, "comments_scrubbed": how many}. `moved` (the
    transcripts changed) is not read: neither holds offsets into them."""
    return {
        "snapshots_scrubbed": _snapshots_scrub(study, scrub),
        "comments_scrubbed": _comments_scrub(study, scrub),
    }


def _comments_scrub(study: Study, scrub: Callable[[str], str]) -> int:
    """Save every comment of the study whose body `scrub` changes; how many. A comment
    cannot be edited or deleted by anyone, so the apply is the one way a listed name leaves
    it, as from a memo (interviews.services._memos_scrub), with a record of the change in
    the History. One query to read them; when some changed, their update, their rows read
    again and their records (RecordedQuerySet.bulk_update)."""
    comments = list(Comment.objects.filter(theme__study=study).only("body"))
    changed = [comment for comment in comments if scrub(comment.body) != comment.body]
    for comment in changed:
        comment.body = scrub(comment.body)
    Comment.objects.bulk_update(changed, ["body"], batch_size=500)
    return len(changed)


def _snapshots_scrub(study: Study, scrub: Callable[[str], str]) -> int:
    """Pass what the committee was shown when each review of the study's themes began
    (Theme.review_snapshot: its description) through `scrub`, and save the snapshots that
    changed; how many. Two queries: the themes under review read, and (when one changed)
    their snapshots written."""
    themes = list(
        Theme._base_manager.filter(study=study, review_snapshot__isnull=False).only(
            "review_snapshot"
        )
    )
    changed = []
    for theme in themes:
        scrubbed = scrub_json(theme.review_snapshot, scrub)
        if scrubbed != theme.review_snapshot:
            theme.review_snapshot = scrubbed
            changed.append(theme)
    # The base manager's: its rewriting writes no record of a change nobody made (the
    # records' copies are scrubbed with the history's, interviews.history).
    Theme._base_manager.bulk_update(changed, ["review_snapshot"], batch_size=500)
    return len(changed)
