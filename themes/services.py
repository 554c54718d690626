"""Writes to themes: creating them and gathering codes under them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from coding.models import Code
from interviews.models import Study

from .models import Theme


def theme_create(
    *, study: Study, name: str, description: str = "", parent: Theme | None = None
) -> Theme:
    name = " ".join(name.split())
    if not name:
        raise ValidationError("A theme needs a name.")
    if study.themes.filter(name__iexact=name).exists():
        raise ValidationError(f"There is already a theme called “{name}”.")
    if parent is not None and parent.study_id != study.pk:
        raise ValidationError("The parent theme belongs to another study.")
    try:
        with transaction.atomic():
            last = study.themes.aggregate(last=Max("order"))["last"] or 0
            return Theme.objects.create(
                study=study,
                name=name,
                description=description.strip(),
                parent=parent,
                order=last + 1,
            )
    except IntegrityError:
        raise ValidationError(f"There is already a theme called “{name}”.") from None


def theme_code_attach(*, theme: Theme, code: Code) -> None:
    if code.study_id != theme.study_id:
        raise ValidationError("That code belongs to another study.")
    theme.codes.add(code)


def theme_code_detach(*, theme: Theme, code: Code) -> None:
    """Take a code out of a theme; the code and its excerpts stay."""
    theme.codes.remove(code)
