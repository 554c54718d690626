"""No index of the app's tables repeats the start of another: each would be written on every
insert, update and delete for nothing, since the longer index serves its lookups."""

from __future__ import annotations

from django.apps import apps
from django.db import connection


def _indexes(table: str, conditional: set[str]) -> dict[str, tuple[list[str], bool]]:
    """{name: (columns, unique)} of `table`'s indexes on plain columns, leaving out the
    primary key and the partial indexes named in `conditional`."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name: (found["columns"], bool(found["unique"]))
        for name, found in constraints.items()
        if (found["index"] or found["unique"])
        and not found["primary_key"]
        and found["columns"]
        and None not in found["columns"]
        and name not in conditional
    }


def test_no_index_is_the_start_of_another(db):
    covered = []
    for label in ("interviews", "coding", "themes"):
        for model in apps.get_app_config(label).get_models():
            conditional = {index.name for index in model._meta.indexes if index.condition}
            found = _indexes(model._meta.db_table, conditional)
            for name, (columns, unique) in found.items():
                if unique:
                    continue
                covered += [
                    f"{model._meta.db_table}: {name} {columns} begins {other} {longer}"
                    for other, (longer, _) in found.items()
                    if other != name
                    and len(longer) > len(columns)
                    and longer[: len(columns)] == columns
                ]
    assert covered == []
