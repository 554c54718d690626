"""Deleting a code asks first when its branch is in use or a theme gathers it, and says what
changes: a parent code with no excerpts of its own took its whole branch out of a theme in
silence ("Not raised by any respondent (0 of 3)"). Undo brings the theme's counts back."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coding import services
from coding.models import Code
from interviews import services as interviews
from tests.conftest import HTMX, client_for, code_span, import_text
from themes import services as themes
from themes.rollup import study_rollup


@pytest.fixture
def parent_only(study, owner):
    """“Parent only” with “Child one” and “Child two” under it, no excerpt of its own; R1
    and R2 coded “Child one”, R3 “Child two”; “Parent theme” gathers “Parent only”."""
    parent = services.code_create(study=study, name="Parent only")
    one = services.code_create(study=study, name="Child one", parent=parent)
    two = services.code_create(study=study, name="Child two", parent=parent)
    for pseudonym, child in (("R1", one), ("R2", one), ("R3", two)):
        interviews.respondent_create(study=study, pseudonym=pseudonym)
        code_span(import_text(study, name=f"{pseudonym}.txt"), "About six years", [child])
    theme = themes.theme_create(study=study, name="Parent theme")
    themes.theme_code_attach(theme=theme, code=parent)
    return {"parent": parent, "children": (one, two), "theme": theme}


def _raised(study) -> int:
    return next(t.n for t in study_rollup(study).themes if t.name == "Parent theme")


def test_a_parent_with_no_excerpts_of_its_own_is_deleted_only_when_confirmed(
    study, parent_only, owner
):
    parent = parent_only["parent"]
    client = client_for(owner)
    delete = reverse("code_delete", args=[study.slug, parent.pk])
    response = client.post(delete, headers=HTMX)
    assert response.status_code == 409
    # The names stand in <bdi> (core.bidi), said as plain text here.
    text = re.sub(r"</?bdi>", "", response.content.decode())
    assert "“Parent only” is in use. Its sub-codes carry 3 excerpts" in text
    assert "“Child one”, “Child two” move up a level, out of “Parent only”" in text
    assert "The theme “Parent theme” counts “Parent only” and goes from 3 of 3 " in text
    assert "respondents to 0." in text
    assert Code.objects.filter(pk=parent.pk).exists()
    assert _raised(study) == 3

    response = client.post(delete, {"confirm": "yes"}, headers=HTMX)
    assert response.status_code == 200
    assert not Code.objects.filter(pk=parent.pk).exists()
    assert _raised(study) == 0
    # The children moved up a level, and keep their excerpts.
    assert set(Code.objects.filter(parent=None).values_list("name", flat=True)) == {
        "Child one",
        "Child two",
    }

    client.post(reverse("undo", args=[study.slug]), headers=HTMX)
    assert Code.objects.get(pk=parent.pk).children.count() == 2
    assert list(parent_only["theme"].codes.all()) == [Code.objects.get(pk=parent.pk)]
    assert _raised(study) == 3


def test_a_code_a_sub_theme_gathers_names_the_themes_above_it_too(study, parent_only):
    """“Above” gathers “Child one” (R1, R2) and holds “Below”, which gathers “Child two”
    (R3): a theme counts its sub-themes' codes, so deleting “Child two” changes both, and
    “Parent theme”, whose branch held it."""
    one, two = parent_only["children"]
    above = themes.theme_create(study=study, name="Above")
    themes.theme_code_attach(theme=above, code=one)
    below = themes.theme_create(study=study, name="Below", parent=above)
    themes.theme_code_attach(theme=below, code=two)
    with pytest.raises(ValidationError) as refused:
        services.code_delete(code=two)
    assert refused.value.messages == [
        "“Child two” is applied to 1 excerpt. "
        "The theme “Above” counts “Child two” and goes from 3 of 3 respondents to 2. "
        "The theme “Below” counts “Child two” and goes from 1 of 3 respondents to 0. "
        "The theme “Parent theme” counts “Child two” and goes from 3 of 3 respondents to 2. "
        "To delete it anyway, tick “Also remove it from the excerpts that carry it”; or "
        "merge it into another code instead."
    ]


def test_an_unused_code_no_theme_gathers_is_deleted_at_once(study, parent_only):
    lone = services.code_create(study=study, name="Lone")
    services.code_delete(code=lone)
    assert not Code.objects.filter(pk=lone.pk).exists()


def test_a_theme_whose_other_codes_cover_the_same_respondents_is_said_to_stay(study, parent_only):
    """Before: "The theme “Both” counts “Parent only” and goes from 3 of 3 respondents to 3",
    a change that is none (seen on the demo: "Training … goes from 7 of 7 respondents to 7")."""
    one, two = parent_only["children"]
    both = themes.theme_create(study=study, name="Both")
    for code in (parent_only["parent"], one, two):
        themes.theme_code_attach(theme=both, code=code)
    with pytest.raises(ValidationError) as refused:
        services.code_delete(code=parent_only["parent"])
    [message] = refused.value.messages
    assert "The theme “Both” counts “Parent only” and stays at 3 of 3 respondents." in message
    assert "The theme “Parent theme” counts “Parent only” and goes from 3 of 3 " in message
