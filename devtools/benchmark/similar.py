"""Passages like a code's excerpts (coding.similar): the list as the page fetches it, with
the study's passages already compared (`similar`), and the first comparison, which fits
every passage of the study (`similar_cold`)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count
from django.urls import reverse

from coding.models import Code
from coding.similar import similar_passages
from devtools.benchmark.registry import call, fill_step, request
from devtools.benchmark.scratch import Scratch
from devtools.benchmark.serving import Browser, Response
from interviews.models import Study


def _biggest_code(study: Study) -> Code:
    return (
        Code.objects.filter(study=study)
        .annotate(used=Count("codings"))
        .order_by("-used", "pk")
        .first()
    )


@fill_step
def similar_code(scratch: Scratch) -> None:
    """The code with the most excerpts: the most to compare with."""
    scratch.plan["similar_code"] = _biggest_code(scratch.study).pk


@request("similar")
def similar(browser: Browser, plan: dict, n: int, **headers: str) -> Response:
    """The suggestions as the page fetches them (htmx); the warm-up's first request fits
    the study's passages, which later requests find in the cache."""
    path = reverse("code_similar", args=[plan["slug"], plan["similar_code"]])
    return browser.get(path, **{"HX-Request": "true"}, **headers)


@call("similar_cold")
def similar_cold(study: Study) -> None:
    """The first comparison after a change of the transcripts: fitting every passage."""
    cache.clear()
    similar_passages(_biggest_code(study))
