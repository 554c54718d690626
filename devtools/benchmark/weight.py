"""Weight: what the 400-excerpt coding page weighs on the wire (`page_bytes`) and what a
gunicorn worker holds after a pass over every page and export of the study (`worker_mb`)."""

from __future__ import annotations

import gzip
from pathlib import Path

from django.urls import get_resolver, reverse

from devtools.benchmark.measuring import Session
from devtools.benchmark.registry import fill_step, once
from devtools.benchmark.scratch import BenchmarkError, Scratch
from devtools.benchmark.serving import check

# Targets of issue 9 ("speed where users wait").
PAGE_BYTES_TARGET = 100_000
WORKER_MB_TARGET = 160
# The pages of one interview, theme or code visited in the pass: name -> the plan's key of
# the id the URL takes after the study's slug.
OBJECT_PAGES = {
    "interview_code": "transcript_400",
    "interview_questions": "transcript_400",
    "interview_edit": "transcript_400",
    "transcript_text": "transcript_400",
    "theme_detail": "theme",
    "code_edit": "code",
    "code_similar": "code",
}
# Pages that fetch a part of themselves with htmx once shown: the pass asks for it too.
HTMX_PARTS = ("code_similar",)


@fill_step
def a_code(scratch: Scratch) -> None:
    """The code whose pages the pass visits."""
    scratch.plan["code"] = scratch.code_ids[0]


@once("page_bytes")
def page_bytes(session: Session) -> dict:
    """The 400-excerpt coding page as a browser gets it (gzip accepted): bytes on the wire,
    and bytes of HTML once inflated."""
    path = reverse("interview_code", args=[session.plan["slug"], session.plan["transcript_400"]])
    body = check("page_bytes", session.browser.get(path, **{"Accept-Encoding": "gzip"})).body
    raw = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    return {"bytes": len(body), "raw_bytes": len(raw), "target_bytes": PAGE_BYTES_TARGET}


def every_page(plan: dict) -> list[tuple[str, dict]]:
    """(path, headers) of every page and download of the study that a GET shows: those whose
    URL takes the study's slug alone, OBJECT_PAGES and their HTMX_PARTS; and the list of
    studies."""
    paths = [reverse("study_list")]
    for name, patterns in get_resolver().reverse_dict.items():
        if isinstance(name, str) and patterns[0][0][1] == ["slug"]:
            paths.append(reverse(name, args=[plan["slug"]]))
    objects = {
        name: reverse(name, args=[plan["slug"], plan[key]]) for name, key in OBJECT_PAGES.items()
    }
    pages = [(path, {}) for path in sorted({*paths, *objects.values()})]
    return pages + [(objects[name], {"HX-Request": "true"}) for name in HTMX_PARTS]


@once("worker_mb")
def worker_mb(session: Session) -> dict:
    """Resident memory (MB) of the gunicorn workers after every page and export of the study
    has been asked for twice (after the timed rounds, which ran first): the largest, each
    worker's, and how many pages the pass asked for. A POST-only URL (405) is passed over.

    The workers measured served the warm-up and the timed rounds of every request
    measurement, then this pass; since issue 9 the memory-traced requests (X-Peak-MB) go to
    a server of their own (measuring.trace_memory): tracemalloc, which no deployment runs,
    left a worker's heap about 27 MB larger for good, and this figure is a deployment's."""
    shown = 0
    for _ in range(2):
        for path, headers in every_page(session.plan):
            response = session.browser.get(path, **headers)
            if response.status == 405:
                continue
            if response.status not in (200, 302):
                raise BenchmarkError(f"worker_mb: {path}: HTTP {response.status}")
            shown += 1
    workers = [resident_mb(pid) for pid in children(session.server.process.pid)]
    if not workers:
        raise BenchmarkError("worker_mb: no gunicorn worker found.")
    return {
        "rss_mb": max(workers),
        "workers_mb": sorted(workers),
        "pages": shown // 2,
        "target_mb": WORKER_MB_TARGET,
    }


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name, in parentheses, may hold spaces: the fields follow its end.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def resident_mb(pid: int) -> float:
    """VmRSS of process `pid`, in MB (2**20 bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise BenchmarkError(f"No VmRSS for process {pid}.")
