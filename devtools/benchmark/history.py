"""The history area's measurement: the study's history page (issue 11, item 3)."""

from __future__ import annotations

from coding.models import Code
from devtools.benchmark.registry import fill_step, page
from devtools.benchmark.scratch import Scratch


@fill_step
def history(scratch: Scratch) -> None:
    """Every row the scratch study was filled with has its "added" record (the fill writes in
    bulk, which interviews.history records); each code is renamed once on top, so that the
    newest page holds changes with a before and an after, as after a day's work."""
    codes = list(Code.objects.filter(study=scratch.study))
    for code in codes:
        code.name = f"{code.name} (renamed)"
    Code.objects.bulk_update(codes, ["name"])


page("history_page", "history")
