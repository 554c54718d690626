from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.bidi import plain
from interviews.models import Study
from themes.exports import findings_docx
from themes.identifying import unreviewed_refusal


class Command(BaseCommand):
    help = "Write a study's findings (themes, prevalence, chosen quotes) to a Word document."

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="The study's slug.")
        parser.add_argument("--output", required=True, help="The .docx file to write.")
        parser.add_argument(
            "--methods", action="store_true", help="Add the methods appendix (COREQ items)."
        )
        parser.add_argument(
            "--include-identifying",
            action="store_true",
            help="Write it even while strings of the de-identification list are unreviewed.",
        )

    def handle(self, *args, study, output, methods=False, include_identifying=False, **options):
        target = Study.objects.filter(slug=study).first()
        if target is None:
            raise CommandError(f"No study with the slug “{study}”.")
        path = Path(output)
        if path.suffix.lower() != ".docx":
            raise CommandError("The output file must end in .docx.")
        refused = "" if include_identifying else unreviewed_refusal(target, "findings")
        if refused:
            raise CommandError(plain(refused))
        try:
            path.write_bytes(findings_docx(study=target, methods=methods))
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
        self.stdout.write(f"Wrote the findings of “{target.title}” to {path}.")
