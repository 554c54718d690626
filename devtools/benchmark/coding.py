"""The coding area's measurements: coding a selection, the coding page, the codebook."""

from __future__ import annotations

from django.urls import reverse

from devtools.benchmark.registry import fill_step, page, request
from devtools.benchmark.scratch import Scratch, answer_words, free_span
from devtools.benchmark.serving import Browser, Response

# apply_code spreads its new excerpts over this many interviews (the measured pages excluded).
APPLY_CODE_INTERVIEWS = 8


@fill_step
def measured_transcripts(scratch: Scratch) -> None:
    """The two measured coding pages: the interviews with 100 and 400 excerpts."""
    scratch.plan["transcript_100"] = scratch.interviews[0].pk
    scratch.plan["transcript_400"] = scratch.interviews[1].pk


def new_selections(scratch: Scratch) -> list[dict]:
    """New selections of a few words, one per request of a measurement, round-robin over a
    few interviews other than the measured two, each on words no excerpt covers yet."""
    targets = scratch.interviews[2:][:APPLY_CODE_INTERVIEWS]
    answers = {interview.pk: answer_words(interview) for interview in targets}
    chosen = []
    for n in range(scratch.requests_per_measurement):
        interview = targets[n % len(targets)]
        start, end = free_span(scratch.rng, answers[interview.pk], scratch.taken[interview.pk])
        chosen.append(
            {
                "interview": interview.pk,
                "version": interview.version,
                "start": start,
                "end": end,
                "text": interview.text[start:end],
                "code": scratch.rng.choice(scratch.code_ids),
            }
        )
    return chosen


@fill_step
def selections(scratch: Scratch) -> None:
    """apply_code's selections (new_selections)."""
    scratch.plan["selections"] = new_selections(scratch)


def code_selection(browser: Browser, plan: dict, selection: dict, **headers: str) -> Response:
    """Code `selection` (see new_selections) with its code, as the coding page's picker
    does (htmx)."""
    coding_page = reverse("interview_code", args=[plan["slug"], selection["interview"]])
    fields = {key: selection[key] for key in ("start", "end", "text", "version", "code")}
    path = reverse("excerpt_create", args=[plan["slug"], selection["interview"]])
    return browser.post(path, fields, referer=coding_page, **{"HX-Request": "true"}, **headers)


@request("apply_code")
def apply_code(browser: Browser, plan: dict, n: int, **headers: str) -> Response:
    """Code a new selection with one code, as the coding page's picker does (htmx)."""
    return code_selection(browser, plan, plan["selections"][n], **headers)


page("transcript_100", "interview_code", "transcript_100")
page("transcript_400", "interview_code", "transcript_400")
page("codebook", "codebook")
