"""What a theme's page shows: its summary, quotes, supporting excerpts and comments."""

from __future__ import annotations

from collections import defaultdict

from django.core.paginator import Paginator
from django.db.models import F

from coding.models import Coding, Excerpt
from core.bidi import isolated
from core.stale import text_token

from .models import Theme
from .quoting import extract_fits, quote_text, quoted
from .rollup import RollUp, study_rollup
from .services import changes_since_review

CONTEXT_CHARS = 320
# What names an excerpt in the review's list of changes: its first words, so many at most,
# and at most so many excerpts named per kind of change (a code taken off can take hundreds
# of excerpts with it; the rest are counted).
OPENING_WORDS = 8
OPENING_CHARS = 80
NAMED_PER_CHANGE = 10
# Supporting excerpts per page of a theme: a big study's theme can gather thousands, more
# than anyone reads in one go and more than a page should render.
EXCERPTS_PER_PAGE = 100


def attribution(pseudonym: str, question: int | None, *, interviewer: bool = False) -> str:
    """ "(R3, Q7)": how a quote is attributed on the pages and in the findings document.
    With `interviewer` (the excerpt holds only the interviewer's words, Excerpt.
    interviewer_only) "(Interviewer to R3, Q7)": never printed as the respondent's words."""
    who = f"Interviewer to {pseudonym}" if interviewer else pseudonym
    return f"({who}, Q{question})" if question else f"({who})"


def theme_quotes(theme: Theme) -> list[dict]:
    """The theme's chosen quotes in their order, each with its excerpt's words, respondent
    and state (one query): [{"id", "excerpt_id", "extract", "text", "pseudonym",
    "withdrawn", "deleted", "status"}]."""
    return list(
        theme.quotes.order_by("order", "id").values(
            "id",
            "excerpt_id",
            "extract",
            text=F("excerpt__text"),
            pseudonym=F("excerpt__interview__respondent__pseudonym"),
            withdrawn=F("excerpt__interview__respondent__withdrawn_at"),
            deleted=F("excerpt__deleted_at"),
            status=F("excerpt__status"),
        )
    )


def theme_page(
    theme: Theme,
    page_number=1,
    rollup: RollUp | None = None,
    quotes: list[dict] | None = None,
) -> dict:
    """Everything the theme's summary, quotes and supporting excerpts need (its comments
    are read apart: comment_threads), in a fixed number of queries; the supporting
    excerpts one page at a time, in reading order. `rollup` and `quotes` (theme_quotes)
    save reading them again when the request already did."""
    rollup = rollup or study_rollup(theme.study)
    summary = rollup.theme(theme.pk)
    page = Paginator(rollup.in_reading_order(summary.excerpt_ids), EXCERPTS_PER_PAGE).get_page(
        page_number
    )
    quotes = theme_quotes(theme) if quotes is None else quotes
    chosen = {quote["excerpt_id"] for quote in quotes}
    supporting = set(summary.excerpt_ids)
    by_id = _excerpts({*page, *(chosen & supporting)}, rollup)
    excerpts = [by_id[excerpt_id] for excerpt_id in page if excerpt_id in by_id]
    for excerpt in excerpts:
        excerpt["chosen"] = excerpt["id"] in chosen
    return {
        "theme": theme,
        "summary": summary,
        "subthemes": [s for s in rollup.themes if s.parent_id == theme.pk],
        "codes": _codes(theme, rollup),
        # The excerpt's row, with the quote's own id (the ordering buttons act on quotes).
        "quotes": [
            {
                **by_id[quote["excerpt_id"]],
                "id": quote["id"],
                "excerpt_id": quote["excerpt_id"],
                "extract": quote["extract"],
                # The token of the words its form shows, sent back (core.stale).
                "seen": text_token(quote["extract"]),
                # What the findings print: the whole excerpt or the chosen extract.
                "printed": quote_text(by_id[quote["excerpt_id"]]["text"], quote["extract"]),
                # A chosen extract the excerpt's words no longer hold (the transcript was
                # edited since): the whole excerpt is printed, and the page says so.
                "extract_lost": not extract_fits(
                    by_id[quote["excerpt_id"]]["text"], quote["extract"]
                ),
            }
            for quote in quotes
            if quote["excerpt_id"] in by_id
        ],
        "stray_quotes": [_stray(quote) for quote in quotes if quote["excerpt_id"] not in by_id],
        "excerpts": excerpts,
        "page": page,
        "spread": _spread(summary, rollup),
        # Why the spread is left out, when the study's data says so (see _spread).
        "why_no_spread": rollup.why_no_answers if summary.excerpt_ids else "",
        "changes": named_changes(
            changes_since_review(theme, rollup), rollup, study_id=theme.study_id
        ),
    }


def named_changes(changes: dict | None, rollup: RollUp, *, study_id: int) -> dict | None:
    """`changes` (services.changes_since_review) with what changed named, for the committee:
    "names" maps each of "new_quotes", "removed_quotes", "removed_excerpts" to {"labels":
    ["R3, Q7: “I learned it on the job…”", at most NAMED_PER_CHANGE], "more": how many
    more} and each of "new_codes", "removed_codes" to a list of code names. A withdrawn
    respondent's excerpt is named only as such, never by pseudonym or words. Plain text,
    escaped by the template. One query when an excerpt is to be named, none otherwise;
    only excerpts of study `study_id` are read (an id of another study's reads as erased)."""
    if changes is None:
        return None
    kinds = ("new_quotes", "removed_quotes", "removed_excerpts")
    wanted = {i for kind in kinds for i in changes[kind][:NAMED_PER_CHANGE]}
    rows = {}
    if wanted:
        rows = {
            row["id"]: row
            for row in Excerpt.all_objects.filter(
                pk__in=wanted, interview__study_id=study_id
            ).values(
                "id",
                "text",
                "start",
                "interview_id",
                "interviewer_only",
                pseudonym=F("interview__respondent__pseudonym"),
                withdrawn=F("interview__respondent__withdrawn_at"),
            )
        }
    names = {
        kind: {
            "labels": [
                _excerpt_label(rows.get(i), rollup) for i in changes[kind][:NAMED_PER_CHANGE]
            ],
            "more": max(0, len(changes[kind]) - NAMED_PER_CHANGE),
        }
        for kind in kinds
    }
    for kind in ("new_codes", "removed_codes"):
        names[kind] = [
            rollup.codes[i]["name"] if i in rollup.codes else "a code since deleted"
            for i in changes[kind]
        ]
    return {**changes, "names": names}


def _excerpt_label(row: dict | None, rollup: RollUp) -> str:
    """ "R3, Q7: “I learned it on the job…”" for an excerpt row of named_changes;
    "Interviewer to R3, Q7: “…”" for one of the interviewer's words alone."""
    if row is None:
        # Erasing a respondent or deleting a transcript removes its excerpts for good.
        return "an excerpt since erased from the study"
    if row["withdrawn"]:
        return "an excerpt of a withdrawn respondent"
    question = rollup.excerpt_question.get(row["id"])
    if question is None:
        question = rollup.question_at(row["interview_id"], row["start"])
    who = isolated(row["pseudonym"])
    if row["interviewer_only"]:
        # Never listed as the respondent's words, as attribution() says it on the page.
        who = f"Interviewer to {who}"
    place = f"{who}, Q{question}" if question else who
    return f"{place}: {quoted(_opening(row['text']))}"


def _opening(text: str) -> str:
    """The first OPENING_WORDS words of `text` (OPENING_CHARS code points at most), with "…"
    when there is more."""
    words = text.split()
    opening = " ".join(words[:OPENING_WORDS])
    if len(opening) > OPENING_CHARS:
        opening = opening[: OPENING_CHARS - 1].rstrip()
    elif len(words) <= OPENING_WORDS:
        return opening
    return opening + "…"


def _stray(quote: dict) -> dict:
    """A chosen quote that no longer illustrates the theme, and why; it is left out of the
    findings until the researcher removes it or codes it back under the theme."""
    if quote["withdrawn"]:
        return {**quote, "text": "", "why": "its respondent has withdrawn"}
    if quote["deleted"]:
        return {**quote, "why": "its excerpt was deleted"}
    if quote["status"] == "orphaned":
        return {**quote, "text": "", "why": "its words were removed from the transcript"}
    return {**quote, "why": "its excerpt no longer carries any of the theme's codes"}


def _spread(summary, rollup: RollUp) -> list[dict]:
    """The theme's excerpts and respondents per protocol question, as the page's "Where in
    the interviews" lists them: [{"number", "text", "excerpts", "respondents"}], by number,
    those before the first question last (number None). Empty when none of its excerpts
    answers a question: alone, the "before the first question" row said nothing of where
    in the interviews they are (no protocol, or one marked in no transcript)."""
    if all(row.number is None for row in summary.by_question):
        return []
    texts = {question["number"]: question["text"] for question in rollup.questions}
    return [
        {
            "number": row.number,
            "text": texts.get(row.number, ""),
            "excerpts": row.excerpts,
            "respondents": row.respondents,
        }
        for row in summary.by_question
    ]


def _codes(theme: Theme, rollup: RollUp) -> list[dict]:
    """Every code whose excerpts fall under the theme, with its definition: its own codes
    with their sub-codes, and its sub-themes' (see rollup.gathered_links)."""
    return [rollup.codes[code_id] for code_id in rollup.theme(theme.pk).gathered_code_ids]


def _excerpts(excerpt_ids: set[int], rollup: RollUp) -> dict[int, dict]:
    rows = list(
        Excerpt.objects.filter(pk__in=excerpt_ids).values(
            "id",
            "text",
            "memo",
            "interview_id",
            "start",
            "end",
            pseudonym_value=F("interview__respondent__pseudonym"),
        )
    )
    codes = defaultdict(list)
    for excerpt_id, code_id in Coding.objects.filter(excerpt_id__in=excerpt_ids).values_list(
        "excerpt_id", "code_id"
    ):
        if code_id in rollup.codes:
            codes[excerpt_id].append(rollup.codes[code_id])
    for row in rows:
        row["pseudonym"] = row.pop("pseudonym_value")
        row["question"] = rollup.excerpt_question.get(row["id"])
        row["interviewer_only"] = row["id"] in rollup.interviewer_only
        row["attribution"] = attribution(
            row["pseudonym"], row["question"], interviewer=row["interviewer_only"]
        )
        row["codes"] = codes[row["id"]]
    return {row["id"]: row for row in rows}


def comment_threads(theme: Theme) -> list[dict]:
    """The theme's comments as threads: [{"comment": Comment, "replies": [Comment]}], oldest
    first, with their authors (one query)."""
    comments = list(theme.comments.select_related("author", "resolved_by").order_by("created_at"))
    replies = defaultdict(list)
    for comment in comments:
        if comment.parent_id:
            replies[comment.parent_id].append(comment)
    return [
        {"comment": comment, "replies": replies[comment.pk]}
        for comment in comments
        if comment.parent_id is None
    ]


def thread_state(thread: dict) -> tuple:
    """All that a thread of comment_threads shows, as a tuple of plain values (for the key
    of its cached HTML): each comment's id, author, words, time, and who resolved it when."""
    return tuple(
        (
            comment.pk,
            comment.author.username if comment.author else None,
            comment.body,
            comment.created_at.isoformat(),
            comment.resolved_at.isoformat() if comment.resolved_at else None,
            comment.resolved_by.username if comment.resolved_by else None,
        )
        for comment in (thread["comment"], *thread["replies"])
    )


def excerpt_in_context(excerpt: Excerpt) -> dict:
    """The excerpt with a little of the text around it, cut at word boundaries."""
    text = excerpt.interview.text
    start = max(0, excerpt.start - CONTEXT_CHARS)
    end = min(len(text), excerpt.end + CONTEXT_CHARS)
    while 0 < start < excerpt.start and not text[start - 1].isspace():
        start += 1
    while excerpt.end < end < len(text) and not text[end].isspace():
        end -= 1
    return {
        "before": ("…" if start > 0 else "") + text[start : excerpt.start],
        "excerpt": text[excerpt.start : excerpt.end],
        "after": text[excerpt.end : end] + ("…" if end < len(text) else ""),
    }
