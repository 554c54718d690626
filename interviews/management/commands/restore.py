from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interviews.backup import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Bring a backup made by `manage.py backup` back into the database the settings name "
        "(DATABASE_URL, or the SQLite file), which must be empty: no table at all, so do not "
        "run migrate on it first. Refuses a database that holds anything, and a backup of "
        "the other kind of database, with nothing changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup file.")

    def handle(self, *args, file, **options):
        try:
            done = database_restore(source=file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(done.summary("Restored"))
