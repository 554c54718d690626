"""De-identification's measurement (deidentify): a five-name list applied to every transcript.

The scratch transcripts hold no names, so five of their rarer words stand in for them (one
with a variant): together about one word in 50, tens of thousands of occurrences at the
default scale, every one replaced, with the excerpts on them moved and marked. Each run
adds the list, reads every occurrence (the preview) and applies them all, in a transaction
rolled back afterwards so that the next run, and the measurements after, find the study as
it was. Timed a few times in a subprocess on the scratch database, as qdpx_export is, and
before `import_200` (writes.py) adds its transcripts: the study at the benchmark's scale.
"""

from __future__ import annotations

import statistics
import time

from django.db import transaction

from devtools.benchmark.measuring import Session, time_call
from devtools.benchmark.registry import once
from devtools.benchmark.scratch import study_in_subprocess
from interviews import deidentify
from interviews import services as interviews
from interviews.models import Study

# Targets of issue 11 at the default scale.
TARGET_MS = 5000
TARGET_MB = 300
RUNS = 3
# (words, variants, replacement): words of the scratch vocabulary (scratch.SPECIAL_WORDS).
NAMES = [
    ("Zürich", "Zurich", "[city]"),
    ("señora", "", "[woman]"),
    ("niño", "", "[child]"),
    ("café", "", "[place]"),
    ("résumé", "", "[document]"),
]


def deidentify_all(study: Study) -> dict[str, int]:
    """List NAMES, read every occurrence and replace them all; rolled back. Returns what
    one run did: {"occurrences": n, "transcripts": t, "excerpts_marked": e}."""
    with transaction.atomic():
        for words, variants, replacement in NAMES:
            interviews.identifier_add(
                study=study, text=words, variants=variants, replacement=replacement
            )
        waiting = deidentify.study_occurrences(study=study)
        report = interviews.deidentification_apply(
            study=study, decisions={occurrence.key: True for occurrence in waiting}
        )
        transaction.set_rollback(True)
    return {
        "occurrences": len(waiting),
        "transcripts": report.transcripts,
        "excerpts_marked": report.counts.get("excerpts_marked", 0),
    }


def measure_deidentify(study: Study, runs: int = RUNS) -> dict:
    """`runs` runs of deidentify_all after a warm-up: median and p95 ms, the median
    processor time (cpu_ms), queries, peak MB allocated (tracemalloc) of one run, what a
    run replaced, and the targets."""
    done, cpu = {}, []

    def run(study: Study) -> None:
        started = time.process_time()
        done.update(deidentify_all(study))
        cpu.append(time.process_time() - started)

    result = time_call(run, study, runs)
    # The processor time of a run (SQLite's included: it runs in this process), apart from
    # the wall time above, which on a shared machine includes waiting for a core.
    cpu_ms = round(statistics.median(cpu) * 1000, 2)
    return {**result, "cpu_ms": cpu_ms, **done, "target_ms": TARGET_MS, "target_mb": TARGET_MB}


@once("deidentify")
def deidentify_measurement(session: Session) -> dict:
    """The five-name list over the scratch study, in a subprocess of its own."""
    target = "devtools.benchmark.deidentify.measure_deidentify"
    return study_in_subprocess(session.env, session.workdir, "deidentify", target)
