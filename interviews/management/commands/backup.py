from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interviews.backup import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the whole database to --output while the app serves: "
        "SQLite's online backup (one self-contained file) or pg_dump's custom format on "
        "PostgreSQL (with the settings' credentials, the password in a private file, never "
        "on the command line). The file appears only when complete. Bring it back with "
        "`manage.py restore FILE` into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, type=Path, help="The backup file.")
        parser.add_argument(
            "--replace", action="store_true", help="Replace --output if it exists."
        )

    def handle(self, *args, output, replace, **options):
        try:
            done = database_backup(output=output, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(done.summary("Backed up"))
