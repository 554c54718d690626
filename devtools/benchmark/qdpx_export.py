"""The REFI-QDA export's measurement (qdpx_export): the whole study written as a .qdpx.

Timed in a subprocess on the scratch database, as the calls are, but a few times only: one
export of the default scale takes a second or more, and the calls are timed as many times
as the pages are requested. Measured before `import_200` (writes.py) adds its transcripts,
as the modules run in the order of their names: the study at the benchmark's scale.
"""

from __future__ import annotations

from devtools.benchmark.measuring import Session, time_call
from devtools.benchmark.registry import once
from devtools.benchmark.scratch import study_in_subprocess
from interviews.models import Study
from themes.exchange.qdpx_export import study_export_qdpx

# Targets of issue 11 at the default scale.
TARGET_MS = 5000
TARGET_MB = 300
EXPORT_RUNS = 3


class _Counter:
    """A binary stream that keeps nothing and counts what it is given: what is measured
    is the export, not a copy of its bytes in memory."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data: bytes) -> int:
        self.bytes += len(data)
        return len(data)


def measure_export(study: Study, runs: int = EXPORT_RUNS) -> dict:
    """`runs` exports of `study` after a warm-up: median and p95 ms, queries, peak MB
    allocated (tracemalloc) of one export, the .qdpx's size in bytes and the targets."""
    sizes = []

    def export(study: Study) -> None:
        out = _Counter()
        study_export_qdpx(study=study, out=out)
        sizes.append(out.bytes)

    result = time_call(export, study, runs)
    return {**result, "bytes": max(sizes), "target_ms": TARGET_MS, "target_mb": TARGET_MB}


@once("qdpx_export")
def qdpx_export(session: Session) -> dict:
    """The scratch study's export, timed in a subprocess of its own (measure_export)."""
    target = "devtools.benchmark.qdpx_export.measure_export"
    return study_in_subprocess(session.env, session.workdir, "qdpx_export", target)
