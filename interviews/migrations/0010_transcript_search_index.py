"""Full-text search over transcripts: FTS5 with triggers on SQLite, a GIN index on
PostgreSQL (the SQL and why it is SQL: interviews/sql.py)."""

from __future__ import annotations

from django.db import migrations

from interviews.sql import (
    POSTGRESQL_CREATE,
    POSTGRESQL_DROP,
    SQLITE_CREATE,
    SQLITE_DROP,
    RunSQLOn,
)


class Migration(migrations.Migration):
    dependencies = [("interviews", "0009_invitation")]

    operations = [
        RunSQLOn("sqlite", SQLITE_CREATE, SQLITE_DROP),
        RunSQLOn("postgresql", POSTGRESQL_CREATE, POSTGRESQL_DROP),
    ]
