"""Dates a researcher enters are refused when they cannot be right: before 1900 or more
than a year from today, with the bounds in the message (core.dates)."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from core.dates import PlausibleDateField
from interviews import forms as interview_forms
from interviews import staging
from tests.conftest import HTMX, client_for


def _date_fields():
    """(form, field name) for every date field of the study's entry forms."""
    for name, form in inspect.getmembers(interview_forms, inspect.isclass):
        if issubclass(form, forms.Form) and form.__module__ == interview_forms.__name__:
            for field_name, field in form.base_fields.items():
                if isinstance(field, forms.DateField):
                    yield f"{name}.{field_name}", field


def test_every_date_field_of_the_entry_forms_checks_the_date_is_plausible():
    fields = dict(_date_fields())
    assert fields, "the forms have date fields"
    assert {name: type(field) for name, field in fields.items()} == dict.fromkeys(
        fields, PlausibleDateField
    )


@pytest.mark.parametrize("name", [name for name, _ in _date_fields()])
def test_each_date_field_refuses_1800_and_next_decade_but_keeps_today_and_1950(name):
    field = dict(_date_fields())[name]
    today = timezone.localdate()
    for typed in ("1800-01-01", (today + timedelta(days=400)).isoformat()):
        with pytest.raises(forms.ValidationError, match="cannot be right: give a date from 1900"):
            field.clean(typed)
    assert field.clean("1950-06-01").isoformat() == "1950-06-01"
    assert field.clean(today.isoformat()) == today


@pytest.mark.django_db
def test_a_respondent_interviewed_in_1800_is_refused_with_a_message(study, owner):
    url = reverse("respondents", args=[study.slug])
    data = {"pseudonym": "R1", "interviewed_on": "1800-01-01"}
    html = client_for(owner).post(url, data, headers=HTMX).content.decode()
    assert "Interviewed on 1800-01-01 cannot be right" in html
    assert 'value="R1"' in html, "what was typed stays"
    assert not study.respondents.exists()


def test_a_file_name_s_implausible_date_is_not_proposed():
    assert staging.date_from_name("R1 2025-03-02.txt").isoformat() == "2025-03-02"
    assert staging.date_from_name("R1 1800-01-01.txt") is None
