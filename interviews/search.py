"""Full-text search over a study's transcripts: which interviews hold a query, and where.

The database's index (interviews.sql) finds the interviews; the hits are then found in each
interview's text by searchquery.pattern, so that their offsets are code points of the text
as stored (neither FTS5 nor PostgreSQL reports offsets that survive their normalisation).
Interviews of withdrawn respondents are never searched.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils.html import format_html
from django.utils.safestring import SafeString

from . import pages, searchquery, sql
from .models import Interview, QuestionSegment, Study, interviews_named
from .searchquery import Query
from .turns import interviewer_only

PER_PAGE = 20
SNIPPETS_SHOWN = 5
# Code points of context on each side of a hit in a snippet (extended to a whole word).
CONTEXT = 60
# Words on each side of a hit in its link's hidden name (hit_name).
NAME_WORDS = 3


def hits_in(text: str, query: Query) -> list[tuple[int, int]]:
    """The hits of `query` in `text`: sorted, non-overlapping [start, end) spans in code
    points; empty unless every group of the query matches somewhere in the text."""
    lowered = text.lower()
    if len(lowered) != len(text):
        # A few characters lower-case to two ("İ"): search the text itself, case-blind, so
        # that offsets stay those of the text.
        lowered = text
        flags = re.IGNORECASE
    else:
        flags = 0
    found: list[tuple[int, int]] = []
    for group in query.groups:
        spans = [
            match.span()
            for term in group
            for match in searchquery.pattern(term, flags).finditer(lowered)
        ]
        if not spans:
            return []
        found.extend(spans)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def text_matches(query: Query):
    """A condition for Interview querysets: the index says the text matches `query`."""
    return sql.matches(
        connection.vendor,
        fts5=searchquery.fts5(query),
        tsquery=searchquery.tsquery(query),
        loose_tsquery=searchquery.tsquery(query, phrases=False),
    )


def interviews_matching(*, study: Study, query: Query):
    """The study's interviews (queryset, respondent's order) whose text the index says
    match `query`, withdrawn respondents left out."""
    return Interview.objects.filter(
        text_matches(query), study=study, respondent__withdrawn_at__isnull=True
    ).order_by("respondent__pseudonym_order", "respondent_id", "conducted_on", "id")


@dataclass
class Snippet:
    """A stretch of text around one or more hits, as safe HTML with the hits marked."""

    start: int
    end: int
    hits: list[tuple[int, int]]
    html: SafeString


@dataclass
class Found:
    """One interview's hits (all of them) and the snippets shown of them."""

    interview: Interview
    hits: list[tuple[int, int]]
    snippets: list[Snippet] = field(default_factory=list)

    @property
    def more(self) -> int:
        """Hits not shown in a snippet."""
        return len(self.hits) - sum(len(snippet.hits) for snippet in self.snippets)


def transcripts_search(*, study: Study, query: Query, page: int = 1) -> tuple[Page, list[Found]]:
    """One page (PER_PAGE interviews) of the interviews holding `query`, in three queries:
    the ids of all matching interviews, the page's interviews with their respondents, and
    their question segments (for the hits' names, hit_name); a fourth when one of the page's
    interviews is untitled and undated (its name, interviews_named).

    Returns the page (its paginator counts the interviews) and each interview's hits and
    first SNIPPETS_SHOWN snippets. A page number out of range gives the last page.
    """
    ids = list(interviews_matching(study=study, query=query).values_list("id", flat=True))
    paginated = Paginator(ids, PER_PAGE).get_page(page)
    # Only what the page shows: an interview's turns (JSON) cost as much to load as its text.
    interviews = interviews_named(
        Interview.objects.filter(id__in=list(paginated))
        .select_related("respondent")
        .only("title", "conducted_on", "imported_at", "text", "respondent__pseudonym")
    )
    by_id = {interview.pk: interview for interview in interviews}
    segments: dict[int, list[tuple[int, int, int]]] = {}
    rows = QuestionSegment.objects.filter(interview_id__in=list(paginated)).values_list(
        "interview_id", "start", "end", "question__number"
    )
    for interview_id, start, end, number in rows:
        segments.setdefault(interview_id, []).append((start, end, number))
    # The interview's page up to its id, reversed once per page rather than per interview.
    prefix = pages.interview_url(study.slug, 0).removesuffix("0/")
    found = []
    for interview_id in paginated:
        interview = by_id[interview_id]
        hits = hits_in(interview.text, query)
        if hits:
            url = f"{prefix}{interview.pk}/"
            name = partial(
                hit_name,
                interview.text,
                pseudonym=interview.respondent.pseudonym,
                segments=segments.get(interview.pk, []),
            )
            found.append(Found(interview, hits, snippets(interview.text, hits, url, name=name)))
    return paginated, found


def hit_name(
    text: str, hit: tuple[int, int], pseudonym: str, segments: Sequence[tuple[int, int, int]]
) -> str:
    """What a hit's link says after its visible words, for a screen reader: where it goes,
    so that sixteen links reading "support" are told apart. `hit` is a [start, end) span of
    `text` in code points, `segments` the interview's (start, end, question number) spans.
    Shape: ", R3, Q5: “I get support from colleagues”" (without ", Q5" outside a question's
    part; ", Interviewer to R3, Q5: …" when the hit lies in the interviewer's words,
    turns.interviewer_only), NAME_WORDS words on each side of the hit; plain text, to be
    escaped."""
    start, end = hit
    # The words the hit is in, whole, and NAME_WORDS words on each side of them.
    left, right = _word_edge(text, start, -1), _word_edge(text, end, 1)
    before = text[max(0, left - CONTEXT) : left].split()[-NAME_WORDS:]
    after = text[right : right + CONTEXT].split()[:NAME_WORDS]
    words = " ".join([*before, *text[left:right].split(), *after])
    question = next((n for s, e, n in segments if s <= start < e), None)
    # Words in the interviewer's line are not the respondent's answer: named as the
    # Excerpts page attributes an excerpt of them (themes.review.attribution).
    who = f"Interviewer to {pseudonym}" if interviewer_only(text, start, end) else pseudonym
    where = f"{who}, Q{question}" if question else who
    return f", {where}: “{words}”"


def snippets(
    text: str,
    hits: list[tuple[int, int]],
    url: str,
    *,
    name: Callable[[tuple[int, int]], str] | None = None,
) -> list[Snippet]:
    """The first SNIPPETS_SHOWN stretches of `text` around `hits`, hits that lie close
    together sharing one; each hit links to `url` with ?at=start-end (the coding page
    selects it), `name(hit)` (if given) added to the link's name as visually hidden words.
    The HTML is built from escaped pieces only."""
    groups: list[list[tuple[int, int]]] = []
    for hit in hits:
        if groups and hit[0] - groups[-1][-1][1] <= 2 * CONTEXT:
            groups[-1].append(hit)
        elif len(groups) == SNIPPETS_SHOWN:
            break
        else:
            groups.append([hit])
    return [_snippet(text, group, url, name) for group in groups]


def _snippet(
    text: str, group: list[tuple[int, int]], url: str, name: Callable | None = None
) -> Snippet:
    start = _word_edge(text, max(0, group[0][0] - CONTEXT), -1)
    end = _word_edge(text, min(len(text), group[-1][1] + CONTEXT), 1)
    markup = format_html(
        "{}{}{}",
        "…" if start > 0 else "",
        marked_html(text, start, end, group, url, name=name),
        "…" if end < len(text) else "",
    )
    return Snippet(start, end, group, markup)


def marked_html(
    text: str,
    start: int,
    end: int,
    hits: Sequence[tuple[int, int]],
    url: str = "",
    *,
    name: Callable[[tuple[int, int]], str] | None = None,
) -> SafeString:
    """text[start:end] (code points) as HTML with each of `hits` (sorted, inside the
    stretch) in <mark>, and a link to `url`?at=start-end around it when `url` is given,
    its name followed by `name(hit)` in a visually hidden span when `name` is given too.
    Built from escaped pieces only: the transcript is user text."""
    # html.escape rather than Django's escape: the same five characters replaced, without
    # the lazy-string wrapper that made up a fifth of a search page's time.
    href = html.escape(url)
    pieces, cursor = [], start
    for hit_start, hit_end in hits:
        pieces.append(html.escape(text[cursor:hit_start]))
        hit = f"<mark>{html.escape(text[hit_start:hit_end])}</mark>"
        if url and name is not None:
            # After the marked words, so that the name begins with what a sighted user
            # reads (WCAG 2.5.3), as the other repeated controls' names do.
            hidden = html.escape(name((hit_start, hit_end)))
            hit += f'<span class="visually-hidden">{hidden}</span>'
        pieces.append(f'<a href="{href}?at={hit_start}-{hit_end}">{hit}</a>' if url else hit)
        cursor = hit_end
    pieces.append(html.escape(text[cursor:end]))
    return SafeString("".join(pieces))


def _word_edge(text: str, position: int, step: int) -> int:
    """`position` moved outwards (step -1: left, 1: right) to the edge of the word it cuts."""
    if step < 0:
        while position > 0 and not text[position - 1].isspace():
            position -= 1
    else:
        while position < len(text) and not text[position].isspace():
            position += 1
    return position
