"""The meaning of a study: themes that gather codes."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from coding.models import Code
from interviews.models import Study


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"


class Theme(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="themes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    codes = models.ManyToManyField(Code, blank=True, related_name="themes")
    review_status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "study", name="theme_unique_name_ci"),
        ]

    def __str__(self) -> str:
        return self.name
