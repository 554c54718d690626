"""Dates a person enters about their study (when an interview was conducted): refused when
they cannot be right, so that a slip of the keyboard (1800-01-01, 2206-03-02) never
becomes a date every page and export repeats."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

EARLIEST = date(1900, 1, 1)
# Ahead of today: an interview planned and entered early, but not years out.
AHEAD = timedelta(days=366)


def latest() -> date:
    """The last date accepted: a year from today (the server's local date)."""
    return timezone.localdate() + AHEAD


def check_plausible(value: date | None, *, label: str = "The date") -> None:
    """Raise ValidationError, naming the bounds, if `value` is before 1900-01-01 or more
    than a year from today; None (no date) passes."""
    if value is None:
        return
    if not is_plausible(value):
        raise ValidationError(
            f"{label} {value.isoformat()} cannot be right: give a date from "
            f"{EARLIEST.isoformat()} to {latest().isoformat()}.",
            code="implausible",
        )


def is_plausible(value: date) -> bool:
    """Whether `value` lies between 1900-01-01 and a year from today."""
    return EARLIEST <= value <= latest()


class PlausibleDateField(forms.DateField):
    """A DateField that refuses dates before 1900 or more than a year ahead (see
    check_plausible), with the bounds in its message."""

    def validate(self, value):
        super().validate(value)
        check_plausible(value, label=str(self.label or "The date"))


def check_order(start: date | None, end: date | None, *, message: str) -> None:
    """Raise ValidationError(`message`, code "reversed") when both dates are given and
    `start` is after `end`: a range that can hold nothing is a slip to correct, and
    searching it would answer with an empty list that reads as "nothing happened"."""
    if start and end and start > end:
        raise ValidationError(message, code="reversed")


# What a dated filter (the memos, the history) says of a range that holds no day, with
# the labels of its two dates.
FROM_AFTER_TO = "The “{since}” date is after the “{until}” date."
