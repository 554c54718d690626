from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from interviews.models import Study
from themes.exchange.qdpx_export import ExportRefused, study_export_qdpx


class Command(BaseCommand):
    help = (
        "Write a study as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or "
        "QualCoder, or with --codebook-only its codebook (.qdc)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="The study's slug.")
        parser.add_argument("--output", required=True, help="The .qdpx (or .qdc) file to write.")
        parser.add_argument(
            "--codebook-only", action="store_true", help="Write the codebook alone, as .qdc."
        )
        parser.add_argument(
            "--include-identifying",
            action="store_true",
            help="Export even while strings of the de-identification list are unreviewed.",
        )

    def handle(self, *args, study, output, codebook_only, include_identifying, **options):
        target = Study.objects.filter(slug=study).first()
        if target is None:
            raise CommandError(f"No study with the slug “{study}”.")
        path = Path(output)
        suffix = ".qdc" if codebook_only else ".qdpx"
        if path.suffix.lower() != suffix:
            raise CommandError(f"The output file must end in {suffix}.")
        try:
            left_out = _write_whole(path, target, codebook_only, include_identifying)
        except ExportRefused as refusal:
            raise CommandError(str(refusal)) from None
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
        what = "codebook" if codebook_only else "project"
        self.stdout.write(f"Wrote the {what} of “{target.title}” to {path}.")
        # What stays behind, as the file's description and the import's report name it.
        for sentence in left_out:
            self.stdout.write(f"{sentence[0].upper()}{sentence[1:]}.")


def _write_whole(
    path: Path, study: Study, codebook_only: bool, include_identifying: bool
) -> list[str]:
    """Write the export beside `path` and move it there only when complete: a refusal or
    a full disk leaves no half file, nor an older file overwritten. Returns what the
    project does not carry (study_export_qdpx)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            left_out = study_export_qdpx(
                study=study,
                out=out,
                codebook_only=codebook_only,
                include_identifying=include_identifying,
            )
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return left_out
