"""The history area's measurement: the study's history page (issue 11, item 3), and the
history a study of the benchmark's size has after months of work, which the page reads and
a de-identification scrubs (deidentify.py measures it)."""

from __future__ import annotations

import copy

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from coding.models import Code, Coding, Excerpt
from devtools.benchmark.registry import fill_step, page, request
from devtools.benchmark.scratch import Scratch, answer_words, free_span
from devtools.benchmark.serving import Browser, Response
from interviews import history as records
from themes.history import MODELS, PER_PAGE, Key

# What months of work leave beyond the record of each row the fill wrote: every transcript
# corrected by hand after its import (a record of its whole text each time), one excerpt in
# RESIZED_SHARE resized, on one in UNCODED_SHARE a code added and taken off again, and as
# many excerpts as one in BIN_SHARE deleted into the bin (made for it, on words no excerpt
# holds: the other measurements' excerpts stay as they are).
TRANSCRIPT_EDITS = 2
RESIZED_SHARE = 4
UNCODED_SHARE = 10
BIN_SHARE = 200


@fill_step
def history(scratch: Scratch) -> None:
    """Every row the scratch study was filled with has its "added" record (the fill writes in
    bulk, which interviews.history records); on top, each code is renamed once, so that the
    newest page holds changes with a before and an after, and the records of the work above
    (TRANSCRIPT_EDITS ...): at the default scale 400 more records of whole transcripts
    (600 in all, 26 million characters), 5,000 more of excerpts, 4,000 of codings and 200
    of the bin's 100 excerpts."""
    codes = list(Code.objects.filter(study=scratch.study))
    for code in codes:
        code.name = f"{code.name} (renamed)"
    Code.objects.bulk_update(codes, ["name"])
    _transcript_edits(scratch)
    excerpts = list(Excerpt.objects.filter(interview__study=scratch.study).order_by("pk"))
    records.record(excerpts[::RESIZED_SHARE], "~")
    _codings_taken_off(scratch, excerpts)
    _bin(scratch)
    scratch.plan["history_oldest"] = _oldest_page_key(scratch)


def _oldest_page_key(scratch: Scratch) -> str:
    """The address key (themes.history.Key) after which the history's oldest PER_PAGE
    records come: its last page, the one OFFSET paging read every record before. Steps
    that fill after this one write newer records, so the page stays the oldest. "" when
    the history is one page."""
    oldest = []
    for part, model in enumerate(MODELS):
        found = model.history.filter(history_study_id=scratch.study.pk)
        for when, pk in found.order_by("history_date", "history_id")[: PER_PAGE + 1].values_list(
            "history_date", "history_id"
        ):
            oldest.append(Key(when, pk, part))
    oldest.sort(key=lambda key: (key.when, key.history_id, key.part))
    return str(oldest[PER_PAGE]) if len(oldest) > PER_PAGE else ""


def _transcript_edits(scratch: Scratch) -> None:
    """TRANSCRIPT_EDITS records of each transcript's whole text: the earlier versions with a
    typo the researcher corrected, the last as it is now."""
    for edit in range(TRANSCRIPT_EDITS):
        last = edit == TRANSCRIPT_EDITS - 1
        versions = []
        for interview in scratch.interviews:
            version = copy.copy(interview)
            if not last:
                version.text = interview.text.replace(" the ", " teh ", edit + 1)
            versions.append(version)
        records.record(versions, "~")


def _codings_taken_off(scratch: Scratch, excerpts: list[Excerpt]) -> None:
    """Codings added and taken off again: their "added" and "deleted" records (the rows
    are gone, as after a coder's change of mind)."""
    first = (Coding.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    gone = []
    for n, excerpt in enumerate(excerpts[::UNCODED_SHARE]):
        coding = Coding.of(
            excerpt=excerpt, code_id=scratch.rng.choice(scratch.code_ids), coder=scratch.owner
        )
        coding.pk = first + n
        gone.append(coding)
    records.record(gone, "+")
    records.record(gone, "-")


def _bin(scratch: Scratch) -> None:
    """Excerpts made and deleted (by the owner, today): the bin on the page."""
    rng, now = scratch.rng, timezone.now()
    made = []
    for n in range(max(1, scratch.sizes.excerpts // BIN_SHARE)):
        interview = scratch.interviews[n % len(scratch.interviews)]
        start, end = free_span(rng, answer_words(interview), scratch.taken[interview.pk])
        made.append(
            Excerpt(
                interview=interview,
                coder=scratch.owner,
                start=start,
                end=end,
                text=interview.text[start:end],
            )
        )
    made = Excerpt.objects.bulk_create(made)
    Excerpt.all_objects.filter(pk__in=[e.pk for e in made]).update(
        deleted_at=now, deleted_by=scratch.owner
    )


page("history_page", "history")


@request("history_last_page")
def history_last_page(browser: Browser, plan: dict, n: int, **headers: str) -> Response:
    """The history's last page (its oldest 50 records) by its Older link's address."""
    path = reverse("history", args=[plan["slug"]])
    return browser.get(f"{path}?older={plan['history_oldest']}", **headers)
