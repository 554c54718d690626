"""Rules shared by the things a study names and nests: codes and themes.

Names are unique within a study whatever their case, and a node can never go under one of
its own descendants.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet


def clean_unique_name(
    siblings: QuerySet, name: str, *, noun: str, max_length: int, exclude: int | None = None
) -> str:
    """`name` with its spaces tidied, or ValidationError if empty, too long or taken."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(f"A {noun} needs a name.")
    if len(name) > max_length:
        raise ValidationError(f"A {noun} name has at most {max_length} characters.")
    clash = siblings.filter(name__iexact=name).exclude(pk=exclude).first()
    if clash:
        raise ValidationError(f"There is already a {noun} called “{clash.name}” in this study.")
    return name


def check_parent(study_id: int, node: Model | None, parent: Model | None, *, noun: str) -> None:
    """Refuse a parent from another study, or one inside `node` itself (a cycle)."""
    if parent is None:
        return
    if parent.study_id != study_id:
        raise ValidationError(f"The parent {noun} belongs to another study.")
    ancestor = parent
    while node is not None and ancestor is not None:
        if ancestor.pk == node.pk:
            raise ValidationError(
                f"“{node.name}” cannot go under “{parent.name}”, which is inside it."
            )
        ancestor = ancestor.parent
