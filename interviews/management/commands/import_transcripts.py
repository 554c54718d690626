from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from interviews import services
from interviews.models import Study
from interviews.naming import find_by_name


class Command(BaseCommand):
    help = (
        "Import transcript files (.txt, .docx) into a study. Each file is matched to the "
        "respondent its name starts with (R3-interview.docx goes to R3), unless --respondent "
        "is given. Prints one line per file; exits with status 1 if any file was refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="The study's slug.")
        parser.add_argument("--respondent", help="Pseudonym every file belongs to.")
        parser.add_argument("files", nargs="+", help="Files to import.")

    def handle(self, *args, study, respondent=None, files, **options):
        target = Study.objects.filter(slug=study).first()
        if target is None:
            raise CommandError(f"No study with the slug “{study}”.")
        chosen = None
        if respondent:
            found = find_by_name(target.respondents, respondent, field="pseudonym")
            chosen = target.respondents.filter(pk=found).first()
            if chosen is None:
                raise CommandError(f"The study has no respondent called “{respondent}”.")
        refused = 0
        for name in files:
            path = Path(name)
            try:
                raw = path.read_bytes()
            except OSError as error:
                self.stdout.write(f"{path.name}: refused: it cannot be read ({error.strerror}).")
                refused += 1
                continue
            outcome = services.interview_import(
                study=target, name=path.name, raw=raw, respondent=chosen
            )
            self.stdout.write(outcome.message)
            refused += not outcome.ok
        if refused:
            summary = ngettext(
                "%(refused)d of %(total)d file refused.",
                "%(refused)d of %(total)d files refused.",
                len(files),
            )
            raise CommandError(summary % {"refused": refused, "total": len(files)}, returncode=1)
