"""The retrieval page's results as HTML, built in Python.

The template's loop over a page's 50 results (a URL reversed, a date formatted, a few
escapes and a loop over codes each) took 7 of the page's 33 ms of CPU at the benchmark's
default scale; these strings take under 1 ms. The markup is the template's, but for white
space; every piece of user text (excerpt, context, memo, code name, pseudonym, coders) goes
through html.escape, which replaces the same five characters as Django's escape.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from django.urls import reverse
from django.utils import dateformat
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.timezone import localtime


def rows_html(rows: list[dict], *, slug: str) -> SafeString:
    """The <li> of each of `rows` (retrieval.result_rows' dicts), in their order, for the
    <ol> of the study `slug`'s retrieval page: the excerpt in its context, its attribution
    (marked "Interviewer’s words" when they are the interviewer's alone), codes, the
    coders who applied them, who made it and when (in the current time zone; once, "coded
    by olive excerpt made 2 Dec 2026", when its maker alone applied its codes), memo, and
    the link that opens the transcript with it selected."""
    # The interview's page up to its id, reversed once rather than once per row.
    prefix = reverse("interview_code", args=[slug, 0]).removesuffix("0/")
    dates: dict = {}
    return SafeString("".join(_row(row, prefix, dates) for row in rows))


def _row(row: dict, prefix: str, dates: dict) -> str:
    excerpt_id = row["id"]
    chips = "".join(
        f'<span class="chip c-{escape(code["colour"])}">{escape(code["name"])}</span>'
        for code in row["codes"]
    )
    coded = _coded(row, _day(row["created_at"], dates))
    memo = ""
    if row["memo"]:
        memo = f'<p class="memo"><strong>Memo:</strong> {escape(row["memo"])}</p>'
    return (
        f'<li id="result-{excerpt_id}" data-x="{excerpt_id}">'
        f'<p class="in-context"><span class="muted">{escape(row["before"])}</span>'
        f'<mark class="context-mark">{escape(row["text"])}</mark>'
        f'<span class="muted">{escape(row["after"])}</span></p>'
        f'<p class="attribution">{escape(row["attribution"])}{_interviewer(row)} {chips} '
        f"{coded}</p>"
        f"{memo}"
        f'<a class="open-transcript" href="{escape(prefix)}{row["interview_id"]}/'
        f'#x{excerpt_id}">Open in the transcript{_named(row)}</a></li>'
    )


def _interviewer(row: dict) -> str:
    """The mark of an excerpt of the interviewer's words alone, as on a theme's page: it
    counts for no respondent, and the attribution alone is easy to misread."""
    if row["interviewer_only"]:
        return ' <span class="badge interviewer">Interviewer’s words</span>'
    return ""


def _coded(row: dict, day: str) -> str:
    """Who applied its codes, as "Coded by" selects (retrieval.CODER_RULE), then who made
    the excerpt and on which `day`, which is all the page said before: another coder may
    have made it. Its maker, when she alone applied its codes, is named once ("coded by
    olive excerpt made 2 Dec 2026"), not twice. The day is the excerpt's (Excerpt.
    created_at), said as such: "coded by olive, 2 Dec 2026" gave it as the day its codes
    were applied, which "Coded from" and the files' "First coded on" count (Coding.
    created_at)."""
    maker, coders = row["coder_name"], row["coders"]
    if maker and coders == [maker]:
        return f"<span>coded by {escape(maker)}</span> <span>excerpt made {day}</span>"
    coded = ""
    if coders:
        coded = f"<span>codes applied by {escape(', '.join(coders))}</span> "
    if maker:
        return coded + f"<span>excerpt made by {escape(maker)}, {day}</span>"
    return coded + f"<span>excerpt made {day}</span>"  # its maker's account is gone


def _named(row: dict) -> str:
    """The visually hidden rest of a row's link's name: the excerpt's attribution and first
    six words (as the template's |truncatewords:6 cuts them), so that a screen reader's list
    of links tells the page's 50 "Open in the transcript" apart, as on a theme's page."""
    opening = Truncator(row["text"]).words(6)
    attribution = escape(row["attribution"])
    return f'<span class="visually-hidden">: {attribution} “{escape(opening)}”</span>'


def _day(moment: datetime, dates: dict) -> str:
    """`moment` as the template's |date:"j M Y" shows it, in the current time zone; one
    formatting per day of a page (`dates` remembers them), most excerpts sharing a few."""
    day = localtime(moment).date()
    if day not in dates:
        dates[day] = escape(dateformat.format(day, "j M Y"))
    return dates[day]
