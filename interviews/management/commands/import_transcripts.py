from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from core.bidi import plain
from core.naming import find_by_name
from interviews import encodings, services
from interviews.models import Study
from interviews.text import ImportRejected


class Command(BaseCommand):
    help = (
        "Import transcript files (.txt, .docx) into a study, each in its own transaction. A "
        "file goes to --respondent (an existing pseudonym) or --new-respondent (created); "
        "otherwise to the existing respondent its name starts with (R3-interview.docx goes "
        "to R3). A new respondent is created from a file name only with --yes, and only when "
        "the name looks like the study's pseudonyms. A .txt file that is not readable as "
        "UTF-8 or Windows-1252 needs --encoding. The same text already imported for the "
        "respondent is skipped. Prints one line per file; exits with status 1 if any file "
        "was refused or skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="The study's slug.")
        who = parser.add_mutually_exclusive_group()
        who.add_argument("--respondent", help="Existing pseudonym every file belongs to.")
        who.add_argument(
            "--new-respondent", help="A new respondent every file belongs to (created)."
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Create the new respondents the file names propose (R3-x.txt makes R3).",
        )
        parser.add_argument(
            "--encoding",
            choices=sorted(encodings.CHOICES),
            help="Decode every .txt file in this encoding.",
        )
        parser.add_argument(
            "--import-duplicates",
            action="store_true",
            help="Import a text even when the respondent already has the same one.",
        )
        parser.add_argument("files", nargs="+", help="Files to import.")

    def handle(self, *args, study, files, **options):
        target = Study.objects.filter(slug=study).first()
        if target is None:
            raise CommandError(f"No study with the slug “{study}”.")
        chosen = None
        if options["respondent"]:
            found = find_by_name(target.respondents, options["respondent"], field="pseudonym")
            chosen = target.respondents.filter(pk=found).first()
            if chosen is None:
                raise CommandError(
                    f"The study has no respondent called “{options['respondent']}” "
                    "(to create one, use --new-respondent)."
                )
        refused = 0
        # The study is read once for all the files (see services.ImportContext).
        context = services.ImportContext(target)
        for name in files:
            outcome = self._import(target, Path(name), chosen, options, context)
            self.stdout.write(plain(outcome.message))
            refused += not outcome.ok
        if refused:
            summary = ngettext(
                "%(refused)d of %(total)d file not imported.",
                "%(refused)d of %(total)d files not imported.",
                len(files),
            )
            raise CommandError(summary % {"refused": refused, "total": len(files)}, returncode=1)

    def _import(self, study, path: Path, chosen, options, context) -> services.ImportOutcome:
        try:
            raw = path.read_bytes()
        except OSError as error:
            return services.ImportOutcome(
                name=path.name, error=f"it cannot be read ({error.strerror})"
            )
        try:
            pseudonym = self._pseudonym(study, path.name, chosen, options)
            encoding = options["encoding"] or self._encoding(path.name, raw)
        except ImportRejected as rejected:
            return services.ImportOutcome(name=path.name, error=str(rejected))
        return services.interview_import_safely(
            study=study,
            context=context,
            file=services.ImportFile(
                name=path.name,
                raw=raw,
                respondent=chosen,
                pseudonym=pseudonym,
                encoding=encoding,
                import_duplicate=options["import_duplicates"],
            ),
        )

    @staticmethod
    def _pseudonym(study, name: str, chosen, options) -> str:
        """The confirmed pseudonym for a file, by the same rules as the import preview."""
        if chosen is not None:
            return ""
        if options["new_respondent"]:
            return options["new_respondent"]
        guess = services.respondent_guess(study=study, name=name)
        if guess.respondent is not None:
            return guess.respondent.pseudonym
        if guess.pseudonym and options["yes"]:
            return guess.pseudonym
        if guess.pseudonym:
            raise ImportRejected(
                f"“{guess.pseudonym}” would be a new respondent: run again with --yes to "
                "create it, or give --respondent or --new-respondent"
            )
        raise ImportRejected(f"{guess.reason}: give --respondent or --new-respondent")

    @staticmethod
    def _encoding(name: str, raw: bytes) -> str | None:
        """None where the usual ladder reads the file plausibly; refused otherwise."""
        if Path(name).suffix.lower() != ".txt":
            return None
        try:
            found = encodings.guess(raw)
        except ImportRejected:
            return None  # the importer refuses it with its own reason
        if found.sure:
            return None
        maybe = f" (it may be {found.encoding})" if found.encoding else ""
        raise ImportRejected(
            f"it is not UTF-8, and read as Windows-1252 it is not readable text{maybe}: run "
            "again with --encoding and the file's encoding"
        )
