"""The withdrawal window: how long after their interview a respondent may still withdraw.

A study promises its respondents a window of `Study.withdrawal_days` days after their
interview. The window opens on the respondent's `interviewed_on`, or, where that was left
empty, on the latest `conducted_on` of their transcripts (a follow-up interview renews the
promise). It is open through its last day, `closes_on` (the interview's day plus the days),
counted in the user's time zone: a researcher in Sydney sees the day that is today in
Sydney. Withdrawing stays possible after it closes (a person's wish comes first), but the
table and the message say that it came late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.dateformat import format as date_format

from core.bidi import isolated

from .models import Respondent, Study


class WindowState(StrEnum):
    NONE = "none"  # the study promised no window
    UNDATED = "undated"  # no interview date yet (no transcript, no date typed)
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class WithdrawalWindow:
    """One respondent's window. `interviewed_on` and `closes_on` are None when unknown."""

    state: WindowState
    interviewed_on: date | None = None
    closes_on: date | None = None

    def withdrawal_is_late(self, withdrawn_on: date) -> bool:
        """Whether a withdrawal on `withdrawn_on` (a local date) came after the window."""
        return self.closes_on is not None and withdrawn_on > self.closes_on


def with_interview_dates(respondents: QuerySet[Respondent]) -> QuerySet[Respondent]:
    """`respondents` with `last_conducted_on` annotated (the latest date among their
    transcripts, None without one), in the same query, for `withdrawal_window`."""
    return respondents.annotate(last_conducted_on=Max("interviews__conducted_on"))


def interview_date(respondent: Respondent) -> date | None:
    """The day that opens the respondent's window: their `interviewed_on`, else the latest
    `conducted_on` of their transcripts (annotated by `with_interview_dates`, else read: one
    query), else None."""
    if respondent.interviewed_on is not None:
        return respondent.interviewed_on
    if not hasattr(respondent, "last_conducted_on"):
        respondent.last_conducted_on = respondent.interviews.aggregate(latest=Max("conducted_on"))[
            "latest"
        ]
    return respondent.last_conducted_on


def withdrawal_window(
    *, respondent: Respondent, study: Study, today: date | None = None
) -> WithdrawalWindow:
    """The respondent's window under the study's promise, as of `today` (default: today in
    the active time zone)."""
    if study.withdrawal_days is None:
        return WithdrawalWindow(WindowState.NONE)
    opened = interview_date(respondent)
    if opened is None:
        return WithdrawalWindow(WindowState.UNDATED)
    closes_on = opened + timedelta(days=study.withdrawal_days)
    today = today or timezone.localdate()
    state = WindowState.OPEN if today <= closes_on else WindowState.CLOSED
    return WithdrawalWindow(state, interviewed_on=opened, closes_on=closes_on)


def late_withdrawal_message(respondent: Respondent, window: WithdrawalWindow) -> str:
    """The words saying a withdrawal came after the window (only for a closed window)."""
    return (
        f"{isolated(respondent.pseudonym)} is withdrawn, late: their withdrawal window closed on "
        f"{date_format(window.closes_on, 'j M Y')} (interviewed "
        f"{date_format(window.interviewed_on, 'j M Y')}). "
        "Their data counts nowhere from now on; note why you accepted it in the journal."
    )


def withdrawn_refusal(respondent: Respondent) -> str:
    """Why nothing more of a withdrawn respondent comes in by an import (a transcript, or a
    project's case): "R3 withdrew from the study on 3 Mar 2025: their transcripts are not
    imported (reinstate them on the Respondents page first if that was a mistake)". The day
    is the local day of `withdrawn_at`; the pseudonym is marked with core.bidi.isolated. A
    withdrawal is a person's wish (DESIGN.md, "participants could withdraw"): an import must
    not bring back what it took out of the study."""
    day = date_format(timezone.localdate(respondent.withdrawn_at), "j M Y")
    return (
        f"{isolated(respondent.pseudonym)} withdrew from the study on {day}: their transcripts "
        "are not imported (reinstate them on the Respondents page first if that was a mistake)"
    )
