"""`manage.py benchmark`, run end to end at a tiny size: build, serve with gunicorn, measure.

The command never uses the suite's database (it builds its own scratch SQLite and drops
DATABASE_URL for its subprocesses), so this test needs no `db` fixture and runs the same on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from devtools.benchmark import registry
from devtools.benchmark.scratch import MEMORY_REQUESTS, TRACE_WARMUP, WARMUP

# It builds a study, starts gunicorn and measures every page: tens of seconds. `make test`
# (and so CI) runs the tests marked slow; `pytest -m "not slow"` leaves them out while working.
pytestmark = pytest.mark.slow

# The keys the benchmark has always printed; areas add more in their own modules.
MEASUREMENTS = {
    "apply_code",
    "transcript_100",
    "transcript_400",
    "codebook",
    "themes_page",
    "theme_page",
    "themes_page_first",
    "findings_docx",
    "excerpts_xlsx",
    "rollup",
    "floor",
    "apply_code_per_floor",
}
TINY = ["--interviews=4", "--words=600", "--excerpts=60", "--codes=6", "--requests=3"]


@pytest.fixture(scope="module")
def run():
    """One tiny run, kept on disk so that the scratch study can be checked; removed after."""
    out, err = StringIO(), StringIO()
    call_command("benchmark", *TINY, "--keep", stdout=out, stderr=err)
    kept = re.search(r"Kept the scratch study in (\S+)", err.getvalue())
    assert kept, err.getvalue()
    workdir = Path(kept[1])
    yield json.loads(out.getvalue()), workdir
    shutil.rmtree(workdir)


def test_it_prints_one_json_object_of_timings_query_counts_and_memory(run):
    results, _ = run
    registered = (
        set(registry.REQUESTS) | set(registry.CALLS) | set(registry.ONCE) | set(registry.DERIVED)
    )
    assert set(results) == registered
    assert registered >= MEASUREMENTS
    # Requests and calls are timed alike; a measurement run once reports in its own shape.
    for key in set(registry.REQUESTS) | set(registry.CALLS):
        result = results[key]
        assert set(result) == {"median_ms", "p95_ms", "queries", "peak_mb"}, key
        assert result["median_ms"] > 0, key
        assert result["p95_ms"] >= result["median_ms"], key
        assert isinstance(result["queries"], int), key
        assert result["queries"] > 0, key
        assert result["peak_mb"] > 0, key
    # Building the findings document holds more than coding one selection does. (The
    # spreadsheet of every excerpt is built by a process of its own, which is not traced:
    # its key's peak is the worker's side, themes.views.exports.DOWNLOADS.)
    assert results["findings_docx"]["peak_mb"] > results["apply_code"]["peak_mb"]


def test_it_prints_apply_code_against_the_floor_measured_in_the_same_run(run):
    results, _ = run
    # The floor: the session, the user, one INSERT.
    assert results["floor"]["queries"] == 3
    # Coding a selection: the session, the user, the interview with its study and role,
    # BEGIN, the study's revision moved on, the version and the codes held with the same
    # span, the codes' names and the excerpts' bounds (one statement), two INSERTs and
    # their history records, the undo entry, the redrawn lines' excerpts with their codes.
    assert results["apply_code"]["queries"] == 12
    ratio = results["apply_code_per_floor"]
    expected = results["apply_code"]["median_ms"] / results["floor"]["median_ms"]
    assert ratio == {"ratio": round(expected, 2), "target_at_most": 2}


def test_it_builds_the_study_the_measured_pages_need(run):
    _, workdir = run
    with sqlite3.connect(workdir / "benchmark.sqlite3") as db:
        per_interview = db.execute(
            "SELECT interview_id, count(*) FROM coding_excerpt WHERE deleted_at IS NULL"
            " GROUP BY interview_id ORDER BY 1"
        ).fetchall()
        codings = db.execute(
            "SELECT count(*) FROM coding_coding GROUP BY excerpt_id ORDER BY 1"
        ).fetchall()
        codes = db.execute("SELECT count(*), count(parent_id) FROM coding_code").fetchone()
    counts = [count for _, count in per_interview]
    # 60 excerpts: min(100, 60 // 4) and min(400, 60 // 2) in the measured two, 15 in the
    # other two; apply_code and themes_page_first each added one excerpt per request to
    # those others (warm-up, timed, the tracing server's warm-up, memory-traced). Live
    # excerpts, as the pages show them: the history's fill adds excerpts deleted into the
    # bin (devtools/benchmark/history.py).
    assert counts[:2] == [15, 30]
    assert sum(counts[2:]) == 15 + 2 * (WARMUP + 3 + TRACE_WARMUP + MEMORY_REQUESTS)
    assert {count for (count,) in codings} <= {1, 2, 3}
    assert codes[0] == 6
    assert 0 < codes[1] < 6


def test_excerpts_are_word_aligned_slices_of_their_transcript(run):
    _, workdir = run
    with sqlite3.connect(workdir / "benchmark.sqlite3") as db:
        rows = db.execute(
            "SELECT i.text, i.word_count, e.start, e.end, e.text FROM coding_excerpt e "
            "JOIN interviews_interview i ON i.id = e.interview_id"
        ).fetchall()
    for transcript, word_count, start, end, text in rows:
        # SQLite holds the offsets the app computed in code points, as Python slices.
        assert transcript[start:end] == text
        assert text == text.strip()
        assert start == 0 or transcript[start - 1].isspace()
        assert end == len(transcript) or transcript[end].isspace()
        assert word_count == len(transcript.split())
    # An emoji outside the BMP: one code point, two UTF-16 units in the browser.
    assert any(ord(char) > 0xFFFF for transcript, *_ in rows for char in transcript)


def test_it_refuses_a_study_too_small_to_measure():
    with pytest.raises(CommandError, match="at least 3"):
        call_command("benchmark", "--interviews=2", stdout=StringIO(), stderr=StringIO())


def test_it_weighs_the_coding_page_on_the_wire_and_a_worker_after_every_page(run):
    results, _ = run
    weight = results["page_bytes"]
    worker = results["worker_mb"]

    # Gzipped on the wire, several times smaller than the HTML it inflates to.
    assert 0 < 3 * weight["bytes"] < weight["raw_bytes"]
    assert weight["target_bytes"] == 100_000
    # Every page and download of the study was asked for, and each worker measured.
    assert worker["pages"] > 20
    assert len(worker["workers_mb"]) == 2
    assert 50 < worker["rss_mb"] == max(worker["workers_mb"])
    assert worker["target_mb"] == 160
