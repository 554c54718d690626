"""The rows the benchmark's floor view writes (devtools is installed only when asked for)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class FloorRow(models.Model):
    """One row per request of the benchmark's `floor` measurement (devtools.views.floor)."""

    text = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.text
