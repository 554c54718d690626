"""Every place that shows a choice shows its label ("In review"), never its stored value."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.urls import reverse

from tests.conftest import client_for
from themes import services as themes
from themes.models import ReviewStatus

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# An HTML tag with its attributes, where a stored value may well go (class="status-draft").
TAG = re.compile(r"<[^<>]*>")
OUTPUT = re.compile(r"\{\{\s*([\w.]+)\s*(\|[^}]*)?\}\}")


def choice_fields() -> set[str]:
    return {
        field.name
        for model in apps.get_models()
        if model._meta.app_label in {"interviews", "coding", "themes"}
        for field in model._meta.get_fields()
        if getattr(field, "choices", None)
    }


def test_no_template_prints_a_stored_choice_value():
    names = choice_fields()
    # A sanity check that the scan sees the choice fields people read (colour is a free
    # #rrggbb value since codes take any colour, so it is no choice any more).
    assert {"role", "review_status", "status", "page_size"} <= names
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = TAG.sub("", path.read_text())
        for match in OUTPUT.finditer(text):
            owner, _, name = match[1].rpartition(".")
            # A bare name is a view's own variable; a form's field renders its widget.
            if owner and owner != "form" and name in names:
                found.append(f"{path.relative_to(TEMPLATES)}: {match[0]}")
    assert found == [], "use get_FOO_display (or a label property) where people read it"


def test_the_themes_page_badge_reads_the_status_label(study, themed, owner):
    themes.theme_status_set(theme=themed["training"], status=ReviewStatus.IN_REVIEW)
    html = client_for(owner).get(reverse("themes", args=[study.slug])).content.decode()
    assert '<span class="badge status-in_review">In review</span>' in html
    assert '<span class="badge status-draft">Draft</span>' in html
    assert "Inreview" not in html


def test_the_theme_page_badge_reads_the_status_label(study, themed, reviewer):
    training = themed["training"]
    themes.theme_status_set(theme=training, status=ReviewStatus.APPROVED)
    url = reverse("theme_detail", args=[study.slug, training.pk])
    html = client_for(reviewer).get(url).content.decode()
    assert '<span class="badge status-approved">Approved</span>' in html


def test_the_top_bar_reads_the_role_label(study, owner, reviewer):
    url = reverse("study_detail", args=[study.slug])
    assert "olive · Owner" in client_for(owner).get(url).content.decode()
    assert "rita · Reviewer" in client_for(reviewer).get(url).content.decode()
