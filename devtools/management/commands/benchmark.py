from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from devtools.benchmark import measuring, scratch


class Command(BaseCommand):
    help = (
        "Time coding a selection, the coding page, the codebook, the themes pages and the "
        "exports on a synthetic study, served by gunicorn from a scratch SQLite database in "
        "a temporary directory (never the database under var/), and the roll-up function by "
        "itself. Prints one JSON object on stdout: for each measurement its median and "
        "95th-percentile time in ms, its SQL queries per request and its peak memory in MB; "
        "progress goes to stderr. The two measured transcripts get min(100, excerpts/4) and "
        "min(400, excerpts/2) excerpts, so exactly 100 and 400 from 2,000 excerpts up; the "
        "others share the rest. Each area registers its measurements in its own module of "
        "devtools/benchmark/."
    )

    def add_arguments(self, parser):
        defaults = scratch.Sizes()
        parser.add_argument("--interviews", type=int, default=defaults.interviews)
        parser.add_argument("--words", type=int, default=defaults.words, help="per transcript")
        parser.add_argument("--excerpts", type=int, default=defaults.excerpts, help="in all")
        parser.add_argument("--codes", type=int, default=defaults.codes)
        parser.add_argument(
            "--requests",
            type=int,
            default=defaults.requests,
            help=f"timed requests per measurement, after {scratch.WARMUP} warm-up requests",
        )
        parser.add_argument(
            "--keep", action="store_true", help="keep the temporary directory; print its path"
        )
        parser.add_argument(
            "--only",
            nargs="+",
            default=[],
            metavar="KEY",
            help="take only these measurements (the study is filled whole all the same)",
        )

    def handle(self, *args, **options):
        sizes = scratch.Sizes(
            interviews=options["interviews"],
            words=options["words"],
            excerpts=options["excerpts"],
            codes=options["codes"],
            requests=options["requests"],
        )
        try:
            results = measuring.run(
                sizes, keep=options["keep"], log=self.stderr.write, only=options["only"]
            )
        except scratch.BenchmarkError as error:
            raise CommandError(str(error)) from None
        except KeyboardInterrupt:
            # run() has already stopped gunicorn and removed the scratch study on its way out.
            raise CommandError("Interrupted.") from None
        self.stdout.write(json.dumps(results, indent=2))
