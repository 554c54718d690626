"""Rules shared by the things a study names and nests.

Names a study keeps unique (codes, themes, respondents' pseudonyms, attribute names) are
stored in NFC with their spaces tidied, and compared through one key (`name_key`):
Unicode NFKC after case folding, so that "E" + combining acute + "motion" is "Émotion",
"STRASSE" is "straße" and a full-width "R１" is "R1". The key is a column of its own
with a unique constraint, so that two requests saving look-alike names at once cannot
both succeed. A node can never go under one of its own descendants.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Model, QuerySet

from .errors import Conflict
from .sanitise import typed_text

# A key never holds a line break (tidy turns every run of white space into one space), so
# the key of a name that clashed before keys existed can be kept apart with one.
_CLASH_MARK = "\n"


# Invisible format characters that carry no letter of a name: soft hyphen, zero-width space,
# word joiner and the invisible operators, every bidirectional embedding, override and
# isolate (with their terminators), the deprecated format controls, the byte order mark and
# the interlinear annotation marks. A name typed or pasted with them reads exactly as the
# name without them, so they are never stored. The joiners (ZWJ, ZWNJ), the direction marks
# and the other format characters that some scripts need inside a word are kept, and
# name_key ignores them.
_INVISIBLE = re.compile("[\u00ad\u200b\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")


def _is_format(character: str) -> bool:
    return unicodedata.category(character) == "Cf"


def tidy(name: str) -> str:
    """`name` as it is stored: control characters out (core.sanitise.typed_text), the
    invisible characters that carry no letter out (_INVISIBLE), NFC, runs of white space
    made one space, trimmed of spaces and of the format characters (category Cf: a joiner
    at either end of a name joins nothing). Shape: str in, str out, never longer."""
    name = " ".join(unicodedata.normalize("NFC", _INVISIBLE.sub("", typed_text(name))).split())
    start, end = 0, len(name)
    while start < end and (_is_format(name[start]) or name[start].isspace()):
        start += 1
    while end > start and (_is_format(name[end - 1]) or name[end - 1].isspace()):
        end -= 1
    return name[start:end]


def name_key(name: str) -> str:
    """The key two names share when they are the same name: `name` tidied, case-folded
    (Unicode full folding: "ß" and "SS" both become "ss") and in NFKC, so that compatibility
    forms read as the same letters are one name: a full-width "Ｒ１" is "R1", "ﬁ" is "fi",
    a superscript "²" is "2". The key is at most three code points per code point of the
    tidied name (the key columns' bound): the rare name whose NFKC form is longer (one
    Arabic ligature is eighteen letters) is keyed by NFC folding alone. Every format
    character (Unicode category Cf: ZWJ, ZWNJ, direction marks, ...) is left out of the key:
    a script may need one inside a word, but it never makes two names different."""
    tidied = "".join(c for c in tidy(name) if not _is_format(c))
    key = unicodedata.normalize("NFKC", unicodedata.normalize("NFKD", tidied).casefold())
    if len(key) <= 3 * len(tidied):
        return key
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", tidied).casefold())


class NameKeyField(models.CharField):
    """The `name_key` of another field of the row (`source`), computed whenever the row is
    saved or bulk-created, as auto_now fills a date: the unique constraint on it is what
    refuses look-alike names. A queryset `.update()` of the name must set it too (see
    update_node). `max_length` must allow for folding: three times the source's."""

    def __init__(self, *args, source: str = "name", **kwargs):
        self.source = source
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = name_key(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def order_key(name: str) -> str:
    """The key that puts names in the order people read them: `name_key`'s folding (case,
    however an accent was typed), accents then set aside ("É3" beside "E3"), and each run of
    digits as a number ("R2" before "R10": the run written as its length in two digits, then
    the digits without leading zeros). Plain text, so the database and Python sort it the
    same under a binary collation ("C" on PostgreSQL, SQLite's default). At most 5 code
    points per code point of `name`.

    Shape: order_key("R10") == "r0210", order_key("R2") == "r012".
    """
    bare = "".join(
        c for c in unicodedata.normalize("NFD", name_key(name)) if not unicodedata.combining(c)
    )
    return re.sub(
        r"\d+",
        lambda m: f"{len(m[0].lstrip('0') or '0'):02d}{m[0].lstrip('0') or '0'}",
        bare,
    )


class OrderKeyField(NameKeyField):
    """The `order_key` of another field of the row (`source`), computed on every save and
    bulk create as NameKeyField is: the one order of a study's rows by name."""

    def pre_save(self, model_instance, add):
        value = order_key(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def find_by_name(rows: QuerySet, name: str, *, field: str = "name") -> int | None:
    """The id of the row whose `field` is the same name as `name` (see name_key), or None.

    Reads the row's `<field>_key` column, through the study's unique index.
    """
    return rows.filter(**{f"{field}_key": name_key(name)}).values_list("pk", flat=True).first()


def clean_unique_name(
    siblings: QuerySet,
    name: str,
    *,
    noun: str,
    max_length: int,
    exclude: int | None = None,
    field: str = "name",
) -> str:
    """`name` tidied (see tidy), or ValidationError if empty, too long, or the same name
    as one of `siblings` (but `exclude`) by name_key. `max_length` is in code points."""
    name = tidy(name)
    if not name:
        raise ValidationError(f"A {noun} needs a name.")
    if len(name) > max_length:
        raise ValidationError(f"A {noun} name has at most {max_length} characters.")
    if find_by_name(siblings.exclude(pk=exclude), name, field=field) is not None:
        raise name_taken(siblings.exclude(pk=exclude), name, noun=noun, field=field)
    return name


def name_taken(rows: QuerySet, name: str, *, noun: str, field: str = "name") -> ValidationError:
    """The refusal of `name` because a row of `rows` has the same name (see name_key),
    naming that row's name as stored (or `name`, if that row is gone meanwhile)."""
    existing = (
        rows.filter(**{f"{field}_key": name_key(name)}).values_list(field, flat=True).first()
    )
    return ValidationError(f"There is already a {noun} called “{existing or name}” in this study.")


def backfill_name_keys(model, *, field: str = "name", noun: str) -> list[str]:
    """For a data migration: store each row's `field` tidied (see tidy; in NFC only if
    tidying would leave nothing) and fill `<field>_key`.

    Rows of one study whose names are now the same name (they were told apart by case or
    by Unicode form before) are not merged nor refused: the first keeps the key, the others
    get a key marked apart, and each clash is reported (returned and written to stdout) so
    that the researcher renames one; saving such a row under its old name is refused.
    """
    seen: dict[tuple, object] = {}
    changed, clashes = [], []
    for row in model.objects.order_by("pk"):
        name = tidy(getattr(row, field)) or unicodedata.normalize("NFC", getattr(row, field))
        key = name_key(name)
        first = seen.setdefault((row.study_id, key), row)
        if first is not row:
            clashes.append(
                f"{model.__name__} {row.pk} “{name}” in study {row.study_id} has the same "
                f"{noun} as {first.pk} “{getattr(first, field)}”: rename one of them."
            )
            key = f"{key}{_CLASH_MARK}{row.pk}"
        setattr(row, field, name)
        setattr(row, f"{field}_key", key)
        changed.append(row)
    model.objects.bulk_update(changed, [field, f"{field}_key"], batch_size=500)
    for clash in clashes:
        sys.stdout.write(f"\n  {clash}")
    return clashes


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


def is_inside(node: Model, ancestor: Model) -> bool:
    """Whether `ancestor` is above `node` in its tree (one query per level climbed)."""
    parent = node.parent
    while parent is not None:
        if parent.pk == ancestor.pk:
            return True
        parent = parent.parent
    return False


def lock_tree(model, study_id: int) -> None:
    """Inside a transaction, hold the rows of a study's tree until it ends, so that two
    people moving nodes at once cannot make a cycle between them (PostgreSQL; on SQLite the
    IMMEDIATE transaction already holds the write lock)."""
    # Always in the order of ids, so that two transactions locking rows of the same study
    # cannot each hold a row the other waits for (a deadlock).
    rows = model._base_manager.select_for_update().filter(study_id=study_id).order_by("pk")
    list(rows.values_list("id"))


def update_node(node: Model, *, revision: int, parent: Model | None, noun: str, **values):
    """Save an edited code or theme: its new parent checked while the tree is locked, and
    only if nobody saved it since `revision` (else Conflict). `node` is reloaded. A new
    name that another request gave a sibling meanwhile raises ValidationError."""
    model = type(node)
    if "name" in values:
        values["name_key"] = name_key(values["name"])
    with transaction.atomic():
        lock_tree(model, node.study_id)
        check_parent(node.study_id, node, parent, noun=noun)
        try:
            with transaction.atomic():
                updated = model.objects.filter(pk=node.pk, revision=revision).update(
                    parent=parent, revision=F("revision") + 1, **values
                )
        except IntegrityError:
            siblings = model.objects.filter(study_id=node.study_id).exclude(pk=node.pk)
            raise name_taken(siblings, values["name"], noun=noun) from None
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
