"""Schema changes that migrations share."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import migrations


def covered_indexes_dropped(
    dropped: Sequence[tuple[str, str, str]], state_operations: list
) -> migrations.SeparateDatabaseAndState:
    """A migration's operation dropping the index of each foreign key in `dropped`, (table,
    column, index name) with the name Django gave it (the same on SQLite and PostgreSQL),
    where another index begins with that column and so serves every lookup it served; the
    fields become db_index=False by `state_operations` (makemigrations' AlterFields).

    By name, not by altering the fields, because SQLite alters a field by remaking its
    table, and remaking interviews_interview drops its full-text search triggers. Undone,
    each index is made again. Raises nothing itself; a missing index is no error."""
    return migrations.SeparateDatabaseAndState(
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{name}"',
                f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
            )
            for table, column, name in dropped
        ],
        state_operations=state_operations,
    )
