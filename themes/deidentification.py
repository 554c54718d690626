"""What the themes keep of the researcher's and the committee's words apart from the fields
themselves, and that a de-identification replaces the applied strings in
(interviews.services.DEIDENTIFY_FOLLOWERS): the review snapshot a theme's page compares
with ("The description changed. It used to read: …")."""

from __future__ import annotations

from collections.abc import Callable

from interviews.deidentify import scrub_json
from interviews.models import Study

from .models import Theme


def follow(study: Study, moved, scrub: Callable[[str], str]) -> dict[str, int]:
    """Pass what the committee was shown when each review of the study's themes began
    (Theme.review_snapshot: its description) through `scrub`, and save the snapshots that
    changed. Returns {"snapshots_scrubbed": how many}. Two queries: the themes under
    review read, and (when one changed) their snapshots written. `moved` (the transcripts
    changed) is not read: a snapshot holds no offsets."""
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
    # The base manager's: the snapshot is no part of a theme's history (Theme.history
    # excludes it), so its rewriting writes no record of a change nobody made.
    Theme._base_manager.bulk_update(changed, ["review_snapshot"], batch_size=500)
    return {"snapshots_scrubbed": len(changed)}
