from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.bidi import plain
from interviews.models import Study
from interviews.text import ImportRejected
from themes.exchange.qdpx_import import ImportReport, codebook_import, study_import_qdpx


class Command(BaseCommand):
    help = (
        "Import a REFI-QDA project (.qdpx, .qde) from another tool as a new study, owned by "
        "--owner; or, with --codebook-into SLUG, merge the codebook of a .qdc (or of a "
        "project) into that study, codes matched by name. Prints what was made and every "
        "item dropped or adjusted. Nothing is written when the file is refused (exit 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .qdpx, .qde or .qdc file.")
        parser.add_argument(
            "--owner",
            help="Username of the new study's owner (default: the only superuser).",
        )
        parser.add_argument(
            "--codebook-into", metavar="SLUG", help="Merge the file's codebook into this study."
        )

    def handle(self, *args, file, owner, codebook_into, **options):
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path.name}: cannot be read ({error.strerror}).") from None
        try:
            if codebook_into:
                study = Study.objects.filter(slug=codebook_into).first()
                if study is None:
                    raise CommandError(f"No study with the slug “{codebook_into}”.")
                report = codebook_import(study=study, name=path.name, raw=raw)
            else:
                report = study_import_qdpx(name=path.name, raw=raw, owner=self._owner(owner))
        except ImportRejected as rejected:
            raise CommandError(
                f"{path.name}: refused: {plain(rejected)}; nothing was imported."
            ) from None
        except ValidationError as invalid:
            message = " ".join(invalid.messages)
            raise CommandError(f"{path.name}: refused: {message} Nothing was imported.") from None
        self._print(path.name, report)

    def _owner(self, username: str | None):
        users = get_user_model().objects
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user called “{username}”.")
            return user
        superusers = list(users.filter(is_superuser=True)[:2])
        if len(superusers) != 1:
            raise CommandError("Name the new study's owner with --owner USERNAME.")
        return superusers[0]

    def _print(self, name: str, report: ImportReport) -> None:
        study = report.study
        self.stdout.write(
            f"{name}: imported into “{study.title}” ({study.slug}): {report.summary()}."
        )
        if kept := report.kept():
            self.stdout.write(f"  already in the study, left as they were: {kept}")
        for line in report.adjusted:
            self.stdout.write(f"  adjusted: {plain(line)}")
        for line in report.dropped:
            self.stdout.write(f"  dropped: {plain(line)}")
