"""The quick select widgets write the markup Django's own templates write."""

from __future__ import annotations

import re

import pytest
from django import forms

from core.widgets import QuickSelect, QuickSelectMultiple

CHOICES = [
    ("", "(any)"),
    (1, 'R<1> & "the ones"'),
    ("Group <b>", [(2, "two"), (3, "three")]),
]


def _tight(html: str) -> str:
    # Django's templates put a line break and indentation between options.
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize(
    ("quick", "django", "value"),
    [
        (QuickSelect, forms.Select, "1"),
        (QuickSelect, forms.Select, None),
        (QuickSelectMultiple, forms.SelectMultiple, ["1", "3"]),
        (QuickSelectMultiple, forms.SelectMultiple, []),
    ],
)
def test_it_renders_as_django_does(quick, django, value):
    attrs = {"id": "id_x", "size": 6, "required": False, "disabled": True, "data-x": 'a"b'}
    ours = quick(choices=CHOICES).render("x", value, attrs)
    theirs = django(choices=CHOICES).render("x", value, attrs)
    assert ours == _tight(theirs)
    assert "&lt;b&gt;" in ours  # labels and group names are escaped
    assert "<b>" not in ours
