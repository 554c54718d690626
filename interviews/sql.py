"""Every statement of the interviews app that is written by hand, with why it is SQL.

1. Full-text search over transcripts, one dialect per database. Why SQL: Django's ORM knows
   neither SQLite's FTS5 nor an index on an expression that PostgreSQL's planner must
   recognise word for word. Everything else about search is ORM.
2. The study revision's bump, which must return the new value (interviews.revisions).
3. The batch import's claim of its queued files (interviews.staging), which must return
   which rows it claimed.
4. What an erasure does to the files (interviews.erasure): compact the FTS5 index,
   checkpoint SQLite's WAL, vacuum on PostgreSQL. None of these is a query the ORM makes.
5. The texts a de-identification rewrites in the history's records (interviews.history),
   measured much slower through the ORM's bulk_update (the figure is beside it).
6. What a backup and a restore ask of an SQLite file that is not Django's connection
   (interviews.backup): its journal mode, its integrity, its tables. PRAGMAs and a file
   the ORM does not know.
7. History records written by hand (interviews.history.records_insert): measured much
   slower through model instances (the figures are beside them); INSERT ... SELECT is
   not a statement the ORM makes.

On search:

- SQLite: an FTS5 table over interviews_interview (external content: it stores only the
  index, the text stays in the interview's row), kept in step by triggers on every insert,
  change of text and delete, so that an import, an edit, a deletion (also a cascade from
  a respondent or a study) can never leave it behind. A migration that remakes
  interviews_interview on SQLite (Django does so to alter a column) drops its triggers:
  such a migration must run `sqlite_create` again after it; the test
  tests/interviews/test_search_index.py fails until it does.
- PostgreSQL: a GIN index on the tsvector of the text, computed from the row itself, so
  it is always in step without a trigger. The 'simple' configuration (no stemming, no stop
  words) and punctuation turned into spaces make its words those of SQLite's unicode61
  tokenizer and of searchquery.WORD: "self-care" is two words everywhere, not three.
  PostgreSQL stops counting word positions at 16,383, so a phrase (`<->`) in a longer
  transcript is matched as its words (`&`) there; the hits are found in Python anyway.

Withdrawal is not indexed: it is a filter of the query (see search.py), so reinstating a
respondent needs no re-indexing.
"""

from __future__ import annotations

import sqlite3

from django.db import connection, migrations
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

FTS = "interviews_interview_fts"
TABLE = "interviews_interview"

# Word positions PostgreSQL counts exactly (beyond them, all are 16,383); with a margin,
# since Interview.word_count counts words between spaces and "don't" is two to the index.
POSITIONS_COUNTED = 12_000

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE {FTS} USING fts5(
        text, content='{TABLE}', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
    )""",
    f"""CREATE TRIGGER {FTS}_insert AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS}(rowid, text) VALUES (new.id, new.text);
    END""",
    f"""CREATE TRIGGER {FTS}_delete AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    f"""CREATE TRIGGER {FTS}_update AFTER UPDATE OF text ON {TABLE} BEGIN
        INSERT INTO {FTS}({FTS}, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO {FTS}(rowid, text) VALUES (new.id, new.text);
    END""",
    # Index the transcripts there are already.
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TABLE IF EXISTS {FTS}",
]
SQLITE_TRIGGERS = {f"{FTS}_insert", f"{FTS}_delete", f"{FTS}_update"}

# The same expression in the index and in the query, or the planner will not use the index.
_PG_VECTOR = "to_tsvector('simple', regexp_replace({column}, '[[:punct:]]', ' ', 'g'))"
POSTGRESQL_CREATE = [
    f"CREATE INDEX interview_text_search ON {TABLE} USING GIN ("
    + _PG_VECTOR.format(column="text")
    + ")"
]
POSTGRESQL_DROP = ["DROP INDEX IF EXISTS interview_text_search"]


class RunSQLOn(migrations.RunSQL):
    """RunSQL on one database vendor only ("sqlite", "postgresql"), a no-op on others."""

    def __init__(self, vendor: str, sql, reverse_sql):
        super().__init__(sql, reverse_sql)
        self.vendor = vendor

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, [self.vendor, *args], kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def matches(vendor: str, *, fts5: str, tsquery: str, loose_tsquery: str) -> RawSQL:
    """A condition on interviews_interview rows: the text matches the query (compiled by
    searchquery for each dialect). Use it in .filter() of an Interview queryset."""
    if vendor == "sqlite":
        return RawSQL(
            f'"{TABLE}"."id" IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH %s)',
            [fts5],
            output_field=BooleanField(),
        )
    if vendor == "postgresql":
        vector = _PG_VECTOR.format(column=f'"{TABLE}"."text"')
        return RawSQL(
            f"({vector} @@ to_tsquery('simple', %s) OR ("
            f'"{TABLE}"."word_count" > {POSITIONS_COUNTED}'
            f" AND {vector} @@ to_tsquery('simple', %s)))",
            [tsquery, loose_tsquery],
            output_field=BooleanField(),
        )
    raise NotImplementedError(f"Full-text search is not written for {vendor}.")


def index_compact() -> None:
    """SQLite: rewrite the FTS5 index as one segment, leaving out every deleted transcript.

    FTS5 records a deletion as a tombstone beside the old entries, which stay in the index's
    pages until segments are merged; 'optimize' merges them all now, so that with
    secure_delete on (settings) no word of an erased transcript is left in the file.
    PostgreSQL's GIN index holds no text of its own beyond the rows: nothing to do.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")


# The study revision (interviews.revisions) ---------------------------------------------------

# Django's QuerySet.update() answers how many rows it changed, not their new values; the
# batch import needs the new revision to know whether anyone else wrote meanwhile (see
# services.ImportContext), so the UPDATE returns it (SQLite 3.35+, PostgreSQL).
_BUMP = "UPDATE interviews_study SET revision = revision + 1 WHERE id = %s RETURNING revision"


def revision_bump_returning(study_id: int) -> int | None:
    """Move the study's revision on in one statement; the new revision, or None when there
    is no such study. Only where the database returns columns from an UPDATE."""
    with connection.cursor() as cursor:
        cursor.execute(_BUMP, [study_id])
        row = cursor.fetchone()
    return row[0] if row else None


# The batch import's claim (interviews.staging) ------------------------------------------------

# QuerySet.update() answers how many rows it changed, not which: when another request steps
# the same batch, only the rows this UPDATE moved from queued to importing are this
# request's to import. One statement for a chunk of files instead of one per file: with
# the outcomes also written by chunk, a file's import costs 4 statements on a server, not 6
# (tests/interviews/test_import_views.py counts them).
_CLAIM = (
    "UPDATE interviews_stagedfile SET status = %s WHERE status = %s AND id IN ({}) RETURNING id"
)


def staged_files_claim_returning(ids: list[int], *, queued: str, importing: str) -> set[int]:
    """Move the staged files `ids` that are still `queued` to `importing` in one statement;
    the ids it moved. Only where the database returns columns from an UPDATE."""
    if not ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM.format(", ".join(["%s"] * len(ids))), [importing, queued, *ids])
        return {row[0] for row in cursor.fetchall()}


# Erasure (interviews.erasure) ------------------------------------------------------------------


def wipe_free_space(tables: list[str]) -> None:
    """After an erasure's commit: write SQLite's zeroed pages back and empty its WAL, or
    vacuum `tables` on PostgreSQL (VACUUM cannot run in a transaction)."""
    if connection.vendor == "sqlite":
        wal_empty()
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM " + ", ".join(tables))


def wal_empty() -> None:
    """On SQLite, after a commit: copy the write-ahead log's pages into the database file
    and truncate the log, so that the words a commit overwrote (secure_delete zeroes them
    in the file) are not left in the log's older copies of the pages until an automatic
    checkpoint, 1,000 pages later. Best effort: a page another connection is still reading
    stays in the log until the next checkpoint. Nothing on another database."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# History (interviews.history) ------------------------------------------------------------------

# A de-identification rewrites the texts of the study's history records that held an applied
# name. Django's bulk_update writes a CASE WHEN per row and field: building those took 64 of
# the 116 s of a five-name de-identification of the benchmark's default-scale study
# (cProfile, load 7 to 11 on 2 cores); one prepared statement run per row (executemany)
# takes milliseconds.
_HISTORY_TEXTS = "UPDATE {table} SET {columns} WHERE history_id = %s"


def history_texts_set(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Write `rows` ([(a value for each of `columns`, ..., history_id), ...]) into the
    historical table `table`, one prepared UPDATE run per row. `table` and `columns` are a
    model's own names (never user input), quoted here; the values are bound."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = _HISTORY_TEXTS.format(
        table=quote(table), columns=", ".join(f"{quote(column)} = %s" for column in columns)
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# History records written by hand (interviews.history.records_insert, the one helper for
# them): bulk_create's model instances and its statement's building took 32 of 67 s of a
# profiled five-name de-identification at the benchmark's default scale (25,000 records of
# excerpts); one prepared statement run per row takes a fraction of that. A REFI-QDA
# import's 20,000 excerpts had their records in 8.8 s through model instances, and in a
# fraction of a second copied by the database from the rows just written (INSERT ...
# SELECT; SQLite, the benchmark's study at a quarter of its scale, load 9 on 2 cores).
_HISTORY_INSERT = "INSERT INTO {table} ({columns}) VALUES ({values})"
_HISTORY_COPY = "INSERT INTO {table} ({columns}) {select}"


def _history_columns(table: str, columns: list[str]) -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(table), ", ".join(map(quote, columns))


def history_records_insert(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Insert `rows` (tuples of values prepared for `columns`) into the historical table
    `table`, one prepared INSERT run per row; nothing for no rows. `table` and `columns`
    are a model's own names (never user input), quoted here."""
    if not rows:
        return
    table, names = _history_columns(table, columns)
    sql = _HISTORY_INSERT.format(
        table=table, columns=names, values=", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def history_records_copy(table: str, columns: list[str], select: str, params: tuple) -> None:
    """Insert into the historical table `table` the rows of `select` (SQL the ORM compiled,
    its values bound from `params`), a value for each of `columns` in their order: one
    INSERT ... SELECT. `table` and `columns` are a model's own names, quoted here."""
    table, names = _history_columns(table, columns)
    with connection.cursor() as cursor:
        cursor.execute(_HISTORY_COPY.format(table=table, columns=names, select=select), params)


# Backups (interviews.backup) -------------------------------------------------------------------


def sqlite_copy_settle(copy: sqlite3.Connection) -> None:
    """Make a backup copy one self-contained file: the copy takes the live database's WAL
    mode with its pages, and a WAL-mode file is read with its -wal and -shm beside it."""
    copy.execute("PRAGMA journal_mode=DELETE").fetchall()


def sqlite_file_check(db: sqlite3.Connection) -> tuple[str, list[str]]:
    """SQLite's quick integrity check of `db` ("ok" or what is wrong) and its table names.
    Raises sqlite3.DatabaseError when `db` is not an SQLite database."""
    verdict = db.execute("PRAGMA quick_check").fetchone()[0]
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return verdict, tables
