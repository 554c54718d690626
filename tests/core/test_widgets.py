"""The quick select widgets write the markup Django's own templates write."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core import widgets

CHOICES = [
    ("", "(any)"),
    (1, 'R<1> & "the ones"'),
    ("Group <b>", [(2, "two"), (3, "three")]),
    # A value twice: a single select selects the first only, a multiple one both.
    (3, "three again"),
    (None, "none"),
    (4, gettext_lazy("a lazy 'label'")),
    (5, mark_safe("<i>safe</i>")),
]


def _tight(html: str) -> str:
    # Django's templates put a line break and indentation between options.
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize(
    ("quick", "django", "value"),
    [
        (widgets.QuickSelect, forms.Select, "1"),
        (widgets.QuickSelect, forms.Select, None),
        (widgets.QuickSelect, forms.Select, "3"),
        (widgets.QuickSelect, forms.Select, ""),
        (widgets.QuickSelectMultiple, forms.SelectMultiple, ["1", "3"]),
        (widgets.QuickSelectMultiple, forms.SelectMultiple, []),
    ],
)
def test_it_renders_as_django_does(quick, django, value):
    attrs = {"id": "id_x", "size": 6, "required": False, "disabled": True, "data-x": 'a"b'}
    ours = quick(choices=CHOICES).render("x", value, attrs)
    theirs = django(choices=CHOICES).render("x", value, attrs)
    assert ours == _tight(theirs)
    assert "&lt;b&gt;" in ours  # labels and group names are escaped
    assert "<b>" not in ours
    assert "<i>safe</i>" in ours  # a label marked safe is not escaped twice


@pytest.mark.parametrize(
    ("quick", "django", "value"),
    [
        (widgets.QuickTextInput, forms.TextInput, 'a "quoted" <word> & more'),
        (widgets.QuickTextInput, forms.TextInput, None),
        (widgets.QuickTextInput, forms.TextInput, ""),
        (widgets.QuickNumberInput, forms.NumberInput, 3.5),
        (widgets.QuickDateInput, forms.DateInput, date(2026, 3, 2)),
        (widgets.QuickDateInput, forms.DateInput, "not a date"),
        (widgets.QuickCheckboxInput, forms.CheckboxInput, True),
        (widgets.QuickCheckboxInput, forms.CheckboxInput, False),
    ],
)
def test_inputs_render_as_django_does(quick, django, value):
    attrs = {"id": "id_x", "required": False, "disabled": True, "data-x": 'a"b', "step": "any"}
    ours = quick(attrs={"type": "date"} if quick is widgets.QuickDateInput else None)
    theirs = django(attrs={"type": "date"} if quick is widgets.QuickDateInput else None)
    assert ours.render("x", value, attrs) == theirs.render("x", value, attrs).strip()
