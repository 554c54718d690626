"""How many respondents and interviews a study has, on one basis for every page that says so
(the list of studies, the study's page, the respondents page, the themes page).

The basis is the findings' N: a respondent counts when they have a transcript and have not
withdrawn; interviews are those respondents' transcripts. Withdrawn respondents and those
still without a transcript are told apart, never added in, so the parts add up to every
respondent of the study.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.template.loader import render_to_string

from .models import Respondent


@dataclass(frozen=True)
class StudyCounts:
    """respondents: N (a transcript, not withdrawn); interviews: their transcripts;
    withdrawn: respondents who withdrew (with a transcript or not); awaiting: respondents
    not withdrawn who have no transcript yet."""

    respondents: int = 0
    interviews: int = 0
    withdrawn: int = 0
    awaiting: int = 0


def study_counts(study_ids) -> dict[int, StudyCounts]:
    """{study id: StudyCounts} for each of `study_ids` (an iterable of ints), in one query;
    a study with no respondent gets StudyCounts() of zeros. Raises nothing."""
    ids = list(study_ids)
    taking_part = Q(withdrawn_at__isnull=True)
    # Respondents joined to their transcripts: a respondent is counted once (distinct), each
    # transcript once (one joined row each). The annotations' names are not the fields'
    # ("interviews" is the relation the filters follow).
    rows = (
        Respondent.objects.filter(study_id__in=ids)
        .values("study_id")
        .annotate(
            n_respondents=Count(
                "id", filter=taking_part & Q(interviews__isnull=False), distinct=True
            ),
            n_interviews=Count("interviews", filter=taking_part),
            n_withdrawn=Count("id", filter=Q(withdrawn_at__isnull=False), distinct=True),
            n_awaiting=Count("id", filter=taking_part & Q(interviews__isnull=True), distinct=True),
        )
        .order_by()
    )
    found = {
        row.pop("study_id"): StudyCounts(**{name[2:]: n for name, n in row.items()})
        for row in rows
    }
    return {study_id: found.get(study_id, StudyCounts()) for study_id in ids}


def counts_oob(study) -> str:
    """The study's counts line (templates/interviews/_counts.html, the element
    #study-counts of its pages) as HTML marked for an out-of-band swap, counted now: what an
    htmx action that changes the counts (withdrawing, reinstating) adds to its answer through
    core.http.render_page_or_fragment's `oob`, so that the line never shows the N of before.
    One query; raises nothing."""
    counts = study_counts([study.pk])[study.pk]
    return render_to_string(
        "interviews/_counts.html", {"counts": counts, "counts_id": "study-counts", "oob": True}
    )
