"""The methods appendix of the findings document: what the study's data says about how it
was done, in the words a thesis uses, and the items of the COREQ checklist the tool knows.

Pure data (headed paragraphs and table rows); themes/exports.py lays it out in Word. No user
name is written: coders are counted and numbered, as the findings hold no user names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import PackageNotFoundError, version

import django
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from coding.models import Coding, Excerpt, ExcerptStatus
from core.naming import tree_order
from interviews.models import (
    Erasure,
    Interview,
    InterviewMemo,
    JournalEntry,
    Membership,
    Respondent,
    Study,
)

from .rollup import PREVALENCE_RULES, RollUp, number_word, prevalence_word

# The counting rules, as README.md states them and themes/rollup.py applies them.
COUNTING_RULES = [
    "A theme that gathers a code gathers its whole branch: the code and all its sub-codes.",
    "A theme includes its sub-themes.",
    "An excerpt counts once per theme however many of the theme's codes it carries.",
    "A respondent raised a theme when at least one of their excerpts falls under it.",
    "N counts the respondents who have a transcript and have not withdrawn; a withdrawn "
    "respondent counts nowhere.",
]


@dataclass
class MethodsAppendix:
    """Shape: sections as (heading, [paragraph]); prevalence as (word, rule, the counts
    of this study's N it covers); coreq as (item number, item, what the study records)."""

    total: int = 0
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    prevalence: list[tuple[str, str, str]] = field(default_factory=list)
    coreq: list[tuple[str, str, str]] = field(default_factory=list)


def software() -> str:
    """ "Excerpta 0.1.0 (Django 5.2.1, python-docx 1.1.2)": what made the document."""
    try:
        own = version("excerpta")
    except PackageNotFoundError:  # run from a checkout that was never installed
        own = "(development copy)"
    return f"Excerpta {own} (Django {django.get_version()}, python-docx {version('python-docx')})"


def _day(value) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _span(low, high) -> str:
    if not low:
        return "not recorded"
    return _day(low) if low == high else f"{_day(low)} to {_day(high)}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{number_word(n)} {one if n == 1 else (many or one + 's')}"


def count_of(n: int, one: str, many: str | None = None) -> str:
    """ "3 excerpts", "1 respondent": `n` in digits and the noun it takes (`many`, or `one`
    with an s)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def withdrawals(withdrawn: int, erased: int, *, words: bool = True) -> str:
    """Who withdrew, for the method text (`words`: "two respondents withdrew and count
    nowhere (one erased since)") or COREQ item 13 ("2 respondents withdrew after the
    interview and count nowhere (1 erased since)."). `withdrawn` counts the withdrawn
    respondents still kept, `erased` the erasures of withdrawn respondents who had a
    transcript: an erasure keeps only a dated record of itself, no pseudonym, yet the
    respondent withdrew all the same and a thesis must say so. Raises nothing."""
    total = withdrawn + erased
    if not total:
        return "none withdrew" if words else "No respondent withdrew."
    verb = "counts" if total == 1 else "count"
    if words:
        text = f"{_plural(total, 'respondent')} withdrew and {verb} nowhere"
        return text + (f" ({number_word(erased)} erased since)" if erased else "")
    text = f"{count_of(total, 'respondent')} withdrew after the interview and {verb} nowhere"
    return text + (f" ({erased} erased since)." if erased else ".")


def prevalence_rows(total: int) -> list[tuple[str, str, str]]:
    """Each prevalence word, its rule, and which counts of `total` respondents it names."""
    rows = []
    for word, rule, _ in PREVALENCE_RULES:
        counts = [n for n in range(total + 1) if prevalence_word(n, total) == word]
        if not counts:
            shown = "(none with this N)"
        elif len(counts) == 1:
            shown = str(counts[0])
        else:
            shown = f"{counts[0]}–{counts[-1]}"
        rows.append((word, rule, shown))
    return rows


def _quoted_questions(quotes: int, answering: int) -> str:
    """The end of COREQ item 29's sentence, true of the quotes as the findings print them:
    each is attributed "(R1, Q3)" when it answers a protocol question and "(R1)" when it
    falls in no question's answer (no protocol, none marked, or before the first)."""
    if not answering:
        return "."
    if answering == quotes:
        return " and protocol question."
    return " and, where it answers one, its protocol question."


def methods_appendix(
    study: Study,
    rollup: RollUp,
    *,
    quotes: int,
    answering: int | None = None,
    today: date | None = None,
) -> MethodsAppendix:
    """The methods appendix of `study`, from its roll-up and a few counts (eight queries).

    `quotes` is how many quotes the findings print, `answering` how many of them answer a
    protocol question (all of them when None); `today` the document's date.
    """
    total = rollup.total
    counted = [respondent["id"] for respondent in rollup.respondents]
    withdrawn = (
        Respondent.objects.filter(
            study=study, withdrawn_at__isnull=False, interviews__isnull=False
        )
        .distinct()
        .count()
    )
    # An erased respondent left only the Erasure record (no pseudonym); those who had a
    # transcript withdrew after their interview, as the kept withdrawn respondents counted
    # above did, so the appendix counts them on the same basis.
    erased = Erasure.objects.filter(study=study, removed__transcripts__gt=0).count()
    interviews = Interview.objects.filter(respondent_id__in=counted).aggregate(
        n=Count("id"),
        first=Min("conducted_on"),
        last=Max("conducted_on"),
        words=Sum("word_count"),
        people=Count("respondent", distinct=True),
    )
    repeated = interviews["n"] - interviews["people"]
    counted_excerpts = Excerpt.objects.filter(interview__respondent_id__in=counted).exclude(
        status=ExcerptStatus.ORPHANED
    )
    # Who coded is who applied a code (Coding.coder), not only who made the excerpt: a
    # second coder adding her codes to excerpts the first one made coded too (COREQ item
    # 24). An excerpt is coded when it carries a code: one whose codes were all removed
    # is not counted as coded.
    codings = Coding.objects.filter(excerpt__in=counted_excerpts)
    per_coder = list(
        codings.values("coder_id")
        .annotate(n=Count("id"), first=Min("created_at"), last=Max("created_at"))
        .order_by("-n", "coder_id")
    )
    excerpts = codings.aggregate(n=Count("excerpt", distinct=True))["n"]
    roles = dict(
        Membership.objects.filter(study=study)
        .values_list("role")
        .annotate(n=Count("id"))
        .order_by()
    )
    journal = JournalEntry.objects.filter(study=study, deleted_at__isnull=True).count()
    field_notes = InterviewMemo.objects.filter(
        interview__respondent_id__in=counted, deleted_at__isnull=True
    ).count()

    codes = list(rollup.codes.values())
    tree = tree_order(codes, id_of=lambda c: c["id"], parent_of=lambda c: c["parent_id"])
    depths = [depth for _, depth in tree]
    levels = max(depths, default=-1) + 1
    top = depths.count(0)
    main_themes = sum(1 for summary in rollup.themes if summary.depth == 0)
    sub_themes = len(rollup.themes) - main_themes
    gathered = len({code_id for summary in rollup.themes for code_id in summary.code_ids})
    applied = sum(row["n"] for row in per_coder)
    coders = len(per_coder)
    coded = [
        timezone.localtime(moment).date() if moment else None
        for moment in (
            min((row["first"] for row in per_coder), default=None),
            max((row["last"] for row in per_coder), default=None),
        )
    ]

    appendix = MethodsAppendix(total=total)
    again = _plural(repeated, "repeat interview") + (
        " of a respondent interviewed before"
        if repeated == 1
        else " of respondents interviewed before"
    )
    respondents = [
        f"{_plural(total, 'respondent').capitalize()} with a transcript counted (N = {total}); "
        f"{withdrawals(withdrawn, erased)}.",
        f"{_plural(interviews['n'] or 0, 'interview').capitalize()}, "
        f"{interviews['words'] or 0:,} words of transcript in all"
        + (f"; {again}." if repeated else "."),
    ]
    appendix.sections.append(("Respondents and interviews", respondents))
    questions = len(rollup.questions)
    if questions:  # a study without a protocol says nothing of one (see exports)
        appendix.sections.append(
            (
                "Protocol",
                [
                    f"A semi-structured protocol of {_plural(questions, 'open question')}, "
                    "listed in the appendix on the interview protocol."
                ],
            )
        )
    coding_text = [
        f"The codebook holds {_plural(len(codes), 'code')} in {_plural(levels, 'level')} "
        f"({number_word(top)} at the top level); {_plural(len(rollup.themes), 'theme')} "
        f"({number_word(main_themes)} main, {_plural(sub_themes, 'sub-theme')}) gather "
        f"{_plural(gathered, 'code')}, each with its sub-codes.",
        f"{_plural(excerpts, 'excerpt').capitalize()} of counted respondents "
        f"{'was' if excerpts == 1 else 'were'} coded by "
        f"{_plural(coders, 'coder')}"
        + (
            ": "
            + "; ".join(
                f"coder {n} applied {count_of(row['n'], 'code')} "
                f"({round(100 * row['n'] / applied)}% of the {applied:,} applied)"
                for n, row in enumerate(per_coder, start=1)
            )
            + "."
            if coders > 1
            else "."
        ),
        "The study's members: "
        + ", ".join(
            _plural(roles[role], label.lower())
            for role, label in Membership._meta.get_field("role").choices
            if roles.get(role)
        )
        + ".",
    ]
    appendix.sections.append(("Coding", coding_text))
    appendix.sections.append(("Counting rules", list(COUNTING_RULES)))
    day = today or timezone.localdate()
    appendix.sections.append(
        (
            "Dates",
            [
                f"Study set up: {_day(timezone.localtime(study.created_at).date())}.",
                f"Interviews conducted: {_span(interviews['first'], interviews['last'])}.",
                f"Excerpts coded: {_span(*coded)}.",
                f"This document: {_day(day)}.",
            ],
        )
    )
    appendix.sections.append(("Software", [f"Coded and counted with {software()}."]))
    appendix.prevalence = prevalence_rows(total)
    theme_word = _plural(main_themes, "main theme")
    appendix.coreq = [
        ("12", "Sample size", f"{count_of(total, 'respondent')} (N)."),
        (
            "13",
            "Non-participation",
            withdrawals(withdrawn, erased, words=False),
        ),
        ("16", "Description of sample", "Attributes as in the method section."),
        # Item 17 left out without a protocol: the study's data does not answer it.
        *(
            [("17", "Interview guide", f"Protocol of {questions} questions (appendix).")]
            if questions
            else []
        ),
        (
            "18",
            "Repeat interviews",
            f"{count_of(repeated, 'repeat interview')}." if repeated else "None.",
        ),
        (
            "20",
            "Field notes",
            f"{count_of(journal, 'journal entry', 'journal entries')}; "
            f"{count_of(field_notes, 'memo')} on interviews.",
        ),
        ("24", "Number of data coders", f"{coders}."),
        (
            "25",
            "Description of the coding tree",
            f"{count_of(len(codes), 'code')} in {count_of(levels, 'level')}.",
        ),
        (
            "26",
            "Derivation of themes",
            f"{count_of(len(rollup.themes), 'theme')} gather "
            f"{count_of(gathered, 'code')} of the codebook.",
        ),
        ("27", "Software", software() + "."),
        (
            "29",
            "Quotations presented",
            f"{count_of(quotes, 'quote')}, each with its respondent's pseudonym"
            + _quoted_questions(quotes, quotes if answering is None else answering),
        ),
        (
            "31–32",
            "Clarity of major and minor themes",
            f"{theme_word.capitalize()} and {_plural(sub_themes, 'sub-theme')}, each with "
            "its prevalence.",
        ),
    ]
    return appendix
