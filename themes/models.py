"""The meaning of a study: themes that gather codes, the quotes that show them, and the
committee's review of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from coding.models import Code, Excerpt
from core.naming import NameKeyField
from interviews.history import Recorded, RecordedQuerySet
from interviews.models import Memo, Study


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"


class Theme(models.Model):
    # Not indexed alone: the unique (study, name_key) begins with it.
    study = models.ForeignKey(
        Study, on_delete=models.CASCADE, db_index=False, related_name="themes"
    )
    # Removing a theme lifts its sub-themes up a level (see themes.services.theme_delete).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    name = models.CharField(max_length=160)
    # The name as compared (NFC, case-folded): unique in the study, see core.naming.
    name_key = NameKeyField(max_length=480, source="name")
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    codes = models.ManyToManyField(Code, blank=True, related_name="themes")
    review_status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    # What the committee saw when the status was last set to "in review": the description and
    # the ids of the theme's excerpts and quotes, so the page can show what changed since.
    review_snapshot = models.JSONField(null=True, blank=True)
    review_started_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RecordedQuerySet.as_manager()
    # Each record keeps the theme's codes as they were (simple-history's m2m records), and
    # its review baseline: a theme restored from them (themes.services.theme_restore) still
    # shows what changed since its review began.
    history = Recorded(study="study_id", m2m_fields=[codes])

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["study", "name_key"], name="theme_unique_name_key"),
        ]

    def __str__(self) -> str:
        return self.name


class Quote(models.Model):
    """An excerpt chosen to illustrate a theme, in the order the researcher gave."""

    # Not indexed alone: the unique (theme, excerpt) begins with it.
    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, db_index=False, related_name="quotes"
    )
    excerpt = models.ForeignKey(Excerpt, on_delete=models.CASCADE, related_name="quotes")
    # The words of the excerpt the researcher chose to print, with "[…]" where she left
    # words out; empty: the whole excerpt. Never cut by the app (see themes.quoting).
    extract = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RecordedQuerySet.as_manager()
    history = Recorded(study=("excerpt_id", "theme_id"))

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "excerpt"], name="quote_unique_excerpt"),
        ]

    def __str__(self) -> str:
        return f"{self.theme}: {self.excerpt_id}"


class Comment(models.Model):
    """A remark on a theme by a committee member or the researcher; replies nest one level."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = RecordedQuerySet.as_manager()
    # Recorded so that a theme restored from the bin brings its threads back (a theme's
    # deletion takes them with it: themes.services.theme_restore reads them here).
    history = Recorded(study="theme_id")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:40]


class ThemeMemo(Memo):
    """A memo on a theme: the researcher's thinking about it, not the committee's comments."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="memos")
    history = Recorded(study="theme_id")
    study_lookup = "theme__study"
