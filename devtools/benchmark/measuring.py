"""The whole run, the timed rounds of the registered measurements, and their summaries.

The run has four stages, each in its own process so that the user's database is never
touched: a scratch SQLite file is migrated and filled by subprocesses (scratch.py); gunicorn
serves it exactly as `make run` serves the real one (serving.py); this process drives it over
HTTP as a browser would, timing each request and reading the number of SQL queries and the
peak memory from the headers devtools/measurement.py adds; and a last subprocess times the
registered function calls by themselves. What is measured is registered by each area's
module (registry.py).
"""

from __future__ import annotations

import json
import math
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from devtools.benchmark import registry
from devtools.benchmark.scratch import (
    MEMORY_REQUESTS,
    SLUG,
    TRACE_WARMUP,
    WARMUP,
    BenchmarkError,
    Log,
    Sizes,
    build,
    run_subprocess,
    scratch_env,
    stderr_log,
)
from devtools.benchmark.serving import Browser, Response, Server, check, serve
from interviews.models import Study

# A function call has no templates to load: a few calls warm it up.
CALL_WARMUP = 3


@dataclass
class Session:
    """The served scratch study, as `@once` measurements receive it."""

    sizes: Sizes
    plan: dict
    workdir: Path
    env: dict[str, str]
    server: Server
    browser: Browser
    log: Log


def run(
    sizes: Sizes, *, keep: bool = False, log: Log = stderr_log, only: Collection[str] = ()
) -> dict[str, dict]:
    """Build the scratch study, serve it, measure it; returns the results by measurement key.
    `only` names the measurements to take (all when empty); the study is filled whole.

    Raises BenchmarkError when a stage fails (the message says which and why) or `only`
    names a measurement no area registers.
    """
    sizes.check()
    registry.load_areas()
    try:
        registry.check_keys(only)
    except ValueError as error:
        raise BenchmarkError(str(error)) from None
    workdir = Path(tempfile.mkdtemp(prefix="excerpta-benchmark-"))
    try:
        with _sigterm_as_exit():
            env = scratch_env(workdir)
            plan = build(sizes, workdir, env, log)
            with serve(workdir, env, log) as server:
                browser = Browser(server.port)
                timed = measure(browser, plan, sizes.requests, log, only)
                # The memory-traced requests on a server of their own: tracemalloc's records
                # of every block left a worker's heap about 27 MB larger for good, which no
                # deployment ever does, and worker_mb measures the workers that served the
                # timed rounds (their pass over every page and export comes after them).
                peaks: dict[str, list[float]] = {}
                if timed:
                    with serve(workdir, env, log) as tracing:
                        tracer = Browser(tracing.port)
                        peaks = trace_memory(tracer, plan, sizes.requests, log, only)
                results = {
                    key: summarise(key, responses, peaks[key], log)
                    for key, responses in timed.items()
                }
                session = Session(sizes, plan, workdir, env, server, browser, log)
                for key, measurement in registry.wanted(registry.ONCE, only).items():
                    log(f"Measuring {key}")
                    results[key] = measurement(session)
            results |= measure_calls(workdir, env, sizes.requests, log, only)
            for key, compute in registry.wanted(registry.DERIVED, only).items():
                results[key] = compute(results)
            return results
    finally:
        if keep:
            log(f"Kept the scratch study in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """Turn SIGTERM into SystemExit, so that `finally` stops gunicorn when we are killed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def measure(
    browser: Browser, plan: dict, requests: int, log: Log, only: Collection[str] = ()
) -> dict[str, list[Response]]:
    """Warm every request measurement up, then time them in rounds, one request of each per
    round; returns the timed responses by key.

    Interleaving keeps the figures comparable on a machine whose speed drifts (a shared
    virtual machine can halve its speed for a minute): a slow spell slows every measurement
    alike instead of whichever one happened to be running.
    """
    measurements = registry.wanted(registry.REQUESTS, only)
    browser.login(plan["username"], plan["password"])
    log(f"Warming up: {WARMUP} requests of each measurement")
    for n in range(WARMUP):
        for key, make_request in measurements.items():
            check(key, make_request(browser, plan, n))
    log(f"Timing {requests} rounds of {', '.join(measurements)}")
    timed: dict[str, list[Response]] = {key: [] for key in measurements}
    for n in range(requests):
        for key, make_request in measurements.items():
            timed[key].append(check(key, make_request(browser, plan, WARMUP + n)))
    return timed


def trace_memory(
    browser: Browser, plan: dict, requests: int, log: Log, only: Collection[str] = ()
) -> dict[str, list[float]]:
    """Peaks of memory (MB) of MEMORY_REQUESTS requests of each request measurement, each
    traced with tracemalloc in the worker, after TRACE_WARMUP untraced ones of each (which
    load the templates and fill the caches, as the timed rounds did on the other server).
    `browser` talks to a server that serves nothing else."""
    measurements = registry.wanted(registry.REQUESTS, only)
    browser.login(plan["username"], plan["password"])
    first = WARMUP + requests
    for n in range(first, first + TRACE_WARMUP):
        for key, make_request in measurements.items():
            check(key, make_request(browser, plan, n))
    log(f"Tracing the memory of {MEMORY_REQUESTS} more requests of each")
    peaks: dict[str, list[float]] = {key: [] for key in measurements}
    first += TRACE_WARMUP
    for n in range(first, first + MEMORY_REQUESTS):
        for key, make_request in measurements.items():
            response = check(key, make_request(browser, plan, n, **{"X-Measure-Memory": "1"}))
            if response.peak_mb is None:
                raise BenchmarkError(f"{key}: no X-Peak-MB header; is the middleware enabled?")
            peaks[key].append(response.peak_mb)
    return peaks


def summarise(key: str, responses: list[Response], peaks: list[float], log: Log) -> dict:
    """Median and 95th percentile (nearest rank) in ms, the largest query count, and the
    largest peak of memory allocated while serving one request, in MB."""
    counts = [response.queries for response in responses]
    if None in counts:
        raise BenchmarkError(f"{key}: no X-Query-Count header; is the middleware enabled?")
    if len(set(counts)) > 1:
        log(f"warning: {key}: the number of queries varied: {sorted(set(counts))}")
    return {
        **timings([r.seconds for r in responses]),
        "queries": max(counts),
        "peak_mb": max(peaks),
    }


def timings(seconds: list[float]) -> dict:
    """{"median_ms", "p95_ms"} of durations given in seconds, rounded to 0.01 ms."""
    times = sorted(s * 1000 for s in seconds)
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[math.ceil(0.95 * len(times)) - 1], 2),
    }


# Timing function calls by themselves -------------------------------------------------------


def measure_calls(
    workdir: Path, env: dict[str, str], requests: int, log: Log, only: Collection[str] = ()
) -> dict:
    """Time every `@call` measurement (of `only`, when given) in one subprocess on the
    scratch database."""
    calls = registry.wanted(registry.CALLS, only)
    if not calls:
        return {}
    log(f"Timing {requests} calls of {', '.join(calls)}")
    out = workdir / "calls.json"
    code = (
        "import django; django.setup(); "
        "from devtools.benchmark.measuring import calls_main; calls_main()"
    )
    command = [sys.executable, "-c", code, str(requests), str(out), *calls]
    run_subprocess(command, env, "calls")
    return json.loads(out.read_text())


def calls_main() -> None:
    """Entry point of the calls subprocess: how many calls to time, where to write them,
    and the keys of the calls to time."""
    requests, out, keys = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    registry.load_areas()
    study = Study.objects.get(slug=SLUG)
    calls = registry.wanted(registry.CALLS, keys)
    results = {key: time_call(fn, study, requests) for key, fn in calls.items()}
    out.write_text(json.dumps(results))


def time_call(function, study, requests: int) -> dict:
    """`function(study)` timed `requests` times after a warm-up: timings, the largest number
    of queries of one call, and the largest peak of memory allocated by one call (MB)."""
    for _ in range(CALL_WARMUP):
        function(study)
    seconds, counts = [], set()
    for _ in range(requests):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            function(study)
            seconds.append(time.perf_counter() - started)
        counts.add(count)
    peaks = []
    for _ in range(MEMORY_REQUESTS):
        tracemalloc.start()
        try:
            function(study)
            peaks.append(round(tracemalloc.get_traced_memory()[1] / 2**20, 2))
        finally:
            tracemalloc.stop()
    return {**timings(seconds), "queries": max(counts), "peak_mb": max(peaks)}
