"""Backups of the whole database while the app serves, and their restore into an empty one.

- SQLite: the online backup API of Python's sqlite3, on Django's own connection, in one
  step: the copy is read in one read transaction, so it is the database at one moment;
  in WAL mode the app's writers go on meanwhile (they wait only for the page copy's last
  instant, never for long). The copy is then made a self-contained file (no -wal beside it)
  and checked (`PRAGMA quick_check`).
- PostgreSQL: `pg_dump --format=custom`, which reads in one repeatable-read transaction (a
  snapshot of one moment; the app writes on). The settings' credentials reach it through
  the environment and a password file readable only by this user (PGPASSFILE), never on
  the command line, where `ps` would show them to every user of the machine. The restore
  is `pg_restore --single-transaction --exit-on-error`: all of it or nothing.

Either way the backup is written beside its destination under a temporary name and renamed
into place only when complete: a failed backup leaves no file that looks like a backup.

A restore goes only into an empty database (no table at all): restoring over a study in
use would mix two states of it. A backup holds everything, including what was erased after
it was taken (see the README: what to do with old copies after an erasure).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from . import sql

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore was not made; the message says why and what to do. Nothing was
    written: no backup file, no restored table."""


@dataclass(frozen=True)
class Done:
    """What a backup or restore did: the database's engine ("SQLite", "PostgreSQL"), the
    backup file, its size in bytes, the time taken in seconds, and notes for the user."""

    engine: str
    path: Path
    size: int
    seconds: float
    notes: tuple[str, ...] = ()

    def summary(self, verb: str) -> str:
        """ "Backed up the SQLite database to FILE (1.2 MB in 0.3 s)." and the notes."""
        line = (
            f"{verb} the {self.engine} database {'to' if verb == 'Backed up' else 'from'} "
            f"{self.path} ({self.size / 1e6:.1f} MB in {self.seconds:.1f} s)."
        )
        return "\n".join([line, *self.notes])


def database_backup(*, output: Path, replace: bool = False) -> Done:
    """Write a consistent copy of the default database to the file `output` while the app
    may be writing. An existing `output` is kept unless `replace`.

    Raises BackupError (no file written) when `output` exists, its folder does not, the
    database engine is neither SQLite nor PostgreSQL, pg_dump is missing or fails, or the
    copy does not pass SQLite's check.
    """
    output = Path(output)
    if output.exists() and not replace:
        raise BackupError(f"{output} exists already: choose a new name (or --replace it).")
    if not output.parent.is_dir():
        raise BackupError(f"The folder {output.parent} does not exist: create it first.")
    started = time.monotonic()
    with _partial_beside(output) as partial:
        if connection.vendor == "sqlite":
            _sqlite_backup(partial)
            engine = "SQLite"
        elif connection.vendor == "postgresql":
            _pg_run(
                "pg_dump",
                ["--format=custom", "--no-owner", "--no-privileges"],
                partial,
                database=connection.settings_dict,
            )
            engine = "PostgreSQL"
        else:
            raise BackupError(
                f"Backups are made of SQLite and PostgreSQL, not {connection.vendor}."
            )
        os.replace(partial, output)
    return Done(engine, output, output.stat().st_size, time.monotonic() - started)


def database_restore(*, source: Path) -> Done:
    """Bring the backup file `source` back into the default database, which must be empty
    (no table at all); afterwards the database is the backed-up one, table for table.

    Raises BackupError (the database left as it was) when the file is missing, is not a
    backup of this kind of database (an SQLite backup on a PostgreSQL server, say), is
    damaged, or when the database already holds tables.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    with source.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    kind = ""
    if head == SQLITE_MAGIC:
        kind = "sqlite"
    elif head.startswith(PG_DUMP_MAGIC):
        kind = "postgresql"
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    if not kind:
        raise BackupError(f"{source} is not an Excerpta backup (neither SQLite nor pg_dump's).")
    if kind != connection.vendor:
        raise BackupError(
            f"{source} is a backup of a {names[kind]} database, and this server's database is "
            f"{names.get(connection.vendor, connection.vendor)}. Restore it into a "
            f"{names[kind]} database (set DATABASE_URL); moving a study between the two is "
            "done with its REFI-QDA export (manage.py export_qdpx) instead."
        )
    _refuse_unless_empty()
    started = time.monotonic()
    if kind == "sqlite":
        _sqlite_restore(source)
    else:
        _pg_run(
            "pg_restore",
            ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"],
            source,
            database=connection.settings_dict,
        )
    return Done(
        names[kind], source, source.stat().st_size, time.monotonic() - started, _schema_notes()
    )


# SQLite ------------------------------------------------------------------------------------


def _sqlite_backup(partial: Path) -> None:
    connection.ensure_connection()
    copy = sqlite3.connect(partial)
    try:
        # pages=-1: every page in one step, under one read transaction (a moment's state);
        # a step-wise copy would restart, or mix moments, each time the app writes.
        connection.connection.backup(copy, pages=-1)
        sql.sqlite_copy_settle(copy)
        verdict, _ = sql.sqlite_file_check(copy)
    finally:
        copy.close()
    if verdict != "ok":
        raise BackupError(f"The copy failed SQLite's check ({verdict}); nothing was kept.")


def _sqlite_restore(source: Path) -> None:
    # Read-only: a restore never changes its backup file.
    backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        try:
            verdict, tables = sql.sqlite_file_check(backup)
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is damaged: {error}. Nothing was restored.") from None
        if verdict != "ok":
            raise BackupError(f"{source} is damaged ({verdict}). Nothing was restored.")
        if "django_migrations" not in tables:
            raise BackupError(f"{source} is an SQLite file, but not a backup of Excerpta.")
        connection.ensure_connection()
        backup.backup(connection.connection, pages=-1)
    finally:
        backup.close()


# PostgreSQL --------------------------------------------------------------------------------


def _pg_run(program: str, arguments: list[str], path: Path, *, database: dict) -> None:
    """Run pg_dump (writing `path`) or pg_restore (reading it) on `database`, Django's
    settings of a connection (NAME, USER, PASSWORD, HOST, PORT, OPTIONS)."""
    binary = _pg_binary(program)
    with _pg_environment(database) as env:
        if program == "pg_dump":
            command = [binary, *arguments, f"--file={path}"]
        else:
            command = [binary, *arguments, f"--dbname={database['NAME']}", str(path)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = done.stderr.strip() or f"exit status {done.returncode}"
        raise BackupError(f"{program} failed, nothing was {_undone(program)}: {said}")


def _undone(program: str) -> str:
    return "kept" if program == "pg_dump" else "restored (it runs in one transaction)"


def _pg_binary(program: str) -> str:
    """`program` on PATH, else the newest of Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(program)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{program}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        f"{program} is not installed: install PostgreSQL's client programs of the server's "
        "version or newer (Debian: apt-get install postgresql-client) or put them on PATH."
    )


@contextmanager
def _pg_environment(database: dict) -> Iterator[dict[str, str]]:
    """The environment that points libpq at the settings' database, with the password in a
    file only this user can read (PGPASSFILE), deleted afterwards."""
    env = dict(os.environ)
    for key, variable in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("NAME", "PGDATABASE"),
    ]:
        if database.get(key):
            env[variable] = str(database[key])
    if sslmode := database.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    env.pop("PGPASSWORD", None)
    if not database.get("PASSWORD"):
        yield env
        return
    escaped = database["PASSWORD"].replace("\\", "\\\\").replace(":", "\\:")
    # mkstemp makes the file readable by this user alone (0600), as libpq requires.
    handle, name = tempfile.mkstemp(prefix="excerpta-pgpass-")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(f"*:*:*:*:{escaped}\n")
        env["PGPASSFILE"] = name
        yield env
    finally:
        os.unlink(name)


# Both --------------------------------------------------------------------------------------


@contextmanager
def _partial_beside(output: Path) -> Iterator[Path]:
    """A temporary name in `output`'s folder (so the final rename is atomic), removed if the
    backup fails."""
    # mkstemp: readable by this user alone (0600), as a copy of a confidential study should be.
    handle, name = tempfile.mkstemp(
        prefix=f".{output.name}.", suffix=".partial", dir=output.parent
    )
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)


def _refuse_unless_empty() -> None:
    try:
        tables = connection.introspection.table_names()
    except Exception as error:  # the database cannot be reached or opened
        raise BackupError(f"The database cannot be opened: {error}") from None
    if tables:
        shown = ", ".join(sorted(tables)[:3]) + (", …" if len(tables) > 3 else "")
        where = connection.settings_dict["NAME"]
        raise BackupError(
            f"The database {where} is not empty ({len(tables)} tables: {shown}); nothing was "
            "restored. Restore into a new, empty database (do not run migrate on it first): "
            "point DATABASE_URL at it, or EXCERPTA_SQLITE_PATH at a file that does not exist."
        )


def _schema_notes() -> tuple[str, ...]:
    """What the user must do when the backup's migrations differ from this code's."""
    loader = MigrationLoader(connection)
    applied = set(loader.applied_migrations)
    known = set(loader.graph.nodes)
    if applied - known:
        return (
            "The backup comes from a newer Excerpta than this one: run this version or a "
            "newer one against it.",
        )
    if known - applied:
        return ("The backup is from an older Excerpta: run `manage.py migrate` next.",)
    return ()
