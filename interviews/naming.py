"""Rules shared by the things a study names and nests: codes and themes.

Names are unique within a study whatever their case, and a node can never go under one of
its own descendants.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Model, QuerySet

from .errors import Conflict


def tidy(name: str) -> str:
    return " ".join(name.split())


def find_by_name(rows: QuerySet, name: str, *, field: str = "name") -> int | None:
    """The id of the row whose `field` equals `name` whatever the case, or None.

    Compared in Python with casefold: SQLite's case-insensitive matching knows only ASCII,
    so "Émotion" and "émotion" would otherwise be two codes.
    """
    wanted = tidy(name).casefold()
    for pk, value in rows.values_list("pk", field):
        if value.casefold() == wanted:
            return pk
    return None


def clean_unique_name(
    siblings: QuerySet, name: str, *, noun: str, max_length: int, exclude: int | None = None
) -> str:
    """`name` with its spaces tidied, or ValidationError if empty, too long or taken."""
    name = tidy(name)
    if not name:
        raise ValidationError(f"A {noun} needs a name.")
    if len(name) > max_length:
        raise ValidationError(f"A {noun} name has at most {max_length} characters.")
    clash = find_by_name(siblings.exclude(pk=exclude), name)
    if clash is not None:
        existing = siblings.get(pk=clash).name
        raise ValidationError(f"There is already a {noun} called “{existing}” in this study.")
    return name


def check_parent(study_id: int, node: Model | None, parent: Model | None, *, noun: str) -> None:
    """Refuse a parent from another study, or one inside `node` itself (a cycle).

    The chain of ancestors is read from the database, not from cached objects, so that a
    check made inside a transaction sees the tree as it is (see lock_tree).
    """
    if parent is None:
        return
    if parent.study_id != study_id:
        raise ValidationError(f"The parent {noun} belongs to another study.")
    if node is None:
        return
    parent_of = dict(
        type(parent)._base_manager.filter(study_id=study_id).values_list("id", "parent_id")
    )
    ancestor, seen = parent.pk, set()
    while ancestor is not None and ancestor not in seen:
        if ancestor == node.pk:
            raise ValidationError(
                f"“{node.name}” cannot go under “{parent.name}”, which is inside it."
            )
        seen.add(ancestor)
        ancestor = parent_of.get(ancestor)


def lock_tree(model, study_id: int) -> None:
    """Inside a transaction, hold the rows of a study's tree until it ends, so that two
    people moving nodes at once cannot make a cycle between them (PostgreSQL; on SQLite the
    IMMEDIATE transaction already holds the write lock)."""
    list(model._base_manager.select_for_update().filter(study_id=study_id).values_list("id"))


def update_node(node: Model, *, revision: int, parent: Model | None, noun: str, **values):
    """Save an edited code or theme: its new parent checked while the tree is locked, and
    only if nobody saved it since `revision` (else Conflict). `node` is reloaded."""
    model = type(node)
    with transaction.atomic():
        lock_tree(model, node.study_id)
        check_parent(node.study_id, node, parent, noun=noun)
        updated = model.objects.filter(pk=node.pk, revision=revision).update(
            parent=parent, revision=F("revision") + 1, **values
        )
        if not updated:
            raise Conflict(
                f"“{node.name}” was changed by someone else after you opened it, so your "
                "changes were not saved. They are still in the form: copy them, reload to "
                "see the other version, and edit again."
            )
    node.refresh_from_db()


def branches(pairs) -> dict[int, set[int]]:
    """{id: the ids of its whole branch (itself and every descendant)} for (id, parent id)
    pairs. A parent that is not among the ids is ignored, and a cycle (which the services
    refuse, but a database edited by hand could hold) ends the walk rather than looping."""
    parent_of = dict(pairs)
    found: dict[int, set[int]] = {node: {node} for node in parent_of}
    for node in parent_of:
        ancestor, seen = parent_of[node], {node}
        while ancestor in found and ancestor not in seen:
            found[ancestor].add(node)
            seen.add(ancestor)
            ancestor = parent_of[ancestor]
    return found


def tree_order(items: list, *, id_of, parent_of) -> list[tuple]:
    """(item, depth) for every item, each followed by its children, siblings kept in order.

    An item whose parent is missing is a root. Items caught in a cycle (the services refuse
    them, but a database edited by hand could hold one) are shown as roots rather than lost.
    """
    ids = {id_of(item) for item in items}
    children = defaultdict(list)
    for item in items:
        parent = parent_of(item)
        children[parent if parent in ids else None].append(item)
    ordered: list[tuple] = []
    seen: set = set()

    def walk(parent, depth: int) -> None:
        for item in children.get(parent, []):
            if id_of(item) not in seen:
                seen.add(id_of(item))
                ordered.append((item, depth))
                walk(id_of(item), depth + 1)

    walk(None, 0)
    for item in items:
        if id_of(item) not in seen:
            seen.add(id_of(item))
            ordered.append((item, 0))
            walk(id_of(item), 1)
    return ordered
