"""The REFI-QDA import's measurement (qdpx_import): the scratch study's own export imported
as a new study, as a researcher moving a project in from another tool would.

Timed in a subprocess on the scratch database, as qdpx_export is, a few times only (one
import of the default scale takes seconds). Each import runs in a transaction that is then
rolled back, so the scratch study stays as the other measurements expect it. Measured
after qdpx_export and before `import_200` (writes.py) adds its transcripts: the modules run
in the order of their names.
"""

from __future__ import annotations

import io
import statistics
import time
import tracemalloc

from django.db import connection, transaction

from devtools.benchmark.measuring import Session
from devtools.benchmark.registry import once
from devtools.benchmark.scratch import study_in_subprocess
from interviews.models import Role, Study
from themes.exchange.qdpx_export import study_export_qdpx
from themes.exchange.qdpx_import import ImportReport, study_import_qdpx

# Targets of issue 11 at the default scale.
TARGET_MS = 5000
TARGET_MB = 300
IMPORT_RUNS = 3


def _import_and_undo(data: bytes, owner) -> ImportReport:
    """Import `data` as a new study, then roll it back: nothing stays."""
    with transaction.atomic():
        report = study_import_qdpx(name="benchmark.qdpx", raw=data, owner=owner)
        transaction.set_rollback(True)
    return report


def measure_import(study: Study, runs: int = IMPORT_RUNS) -> dict:
    """Import `study`'s export `runs` times (the first also warms up): median and largest
    ms, the queries of one import, the peak MB allocated (tracemalloc) by one import, what
    one import made ("made": the report's counts), the .qdpx's size in bytes, the targets.
    """
    out = io.BytesIO()
    study_export_qdpx(study=study, out=out, include_identifying=True)
    data = out.getvalue()
    owner = study.memberships.filter(role=Role.OWNER).select_related("user").first().user
    seconds, count = [], 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    for _ in range(runs):
        count = 0
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            report = _import_and_undo(data, owner)
            seconds.append(time.perf_counter() - started)
    tracemalloc.start()
    try:
        _import_and_undo(data, owner)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return {
        "median_ms": round(statistics.median(seconds) * 1000, 1),
        "max_ms": round(max(seconds) * 1000, 1),
        "queries": count,
        "peak_mb": round(peak, 2),
        "made": report.counts,
        "bytes": len(data),
        "target_ms": TARGET_MS,
        "target_mb": TARGET_MB,
    }


@once("qdpx_import")
def qdpx_import(session: Session) -> dict:
    """The scratch study's export imported, timed in a subprocess of its own."""
    target = "devtools.benchmark.qdpx_import.measure_import"
    return study_in_subprocess(session.env, session.workdir, "qdpx_import", target)
