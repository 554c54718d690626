"""What the benchmark measures and what it puts in its scratch study, registered by area.

Each area of the app has its own module in this package (`coding.py`, `themes.py`, ...) that
registers, with the decorators below:

- `@fill_step`: a function of a `Scratch` (the study being filled; scratch.py) that adds
  what the area's measurements need (rows in bulk) and writes what its requests must know
  into `scratch.plan` (a JSON-able dict: ids, never model instances).
- `page("key", "url_name", *plan_keys)`: a GET of one of the study's pages or downloads,
  the simplest request measurement (one line); with `warm=True`, an untimed GET of the
  same page goes first, so that what is timed is the page read from the worker's caches
  (the roll-up, computed once per change of the study: themes.rollup.study_rollup).
- `@request("key")`: a function `(browser, plan, n, **headers) -> Response` that sends the
  n-th request of the measurement (n counts from 0 over warm-up, timed and memory-traced
  requests). Timed in interleaved rounds; reported as median_ms, p95_ms, queries, peak_mb.
- `@call("key")`: a function of the `Study` timed by itself in a subprocess on the scratch
  database, outside the web server (the roll-up). Reported in the same shape.
- `@once("key")`: a function of the `Session` (the served study; measuring.py) run once
  after the timed rounds, returning the dict printed for its key, in whatever shape the
  measurement needs (a byte count, a worker's memory).
- `@derived("key")`: a function of the results of the whole run (a dict by key) returning
  the dict printed for its key: a figure computed from others, such as a ratio.

Every module of the package is imported by `load_areas()`, so a new area is a new module and
nothing else; keys come out in the order of the modules' names, then of registration.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Collection
from typing import Any

from django.urls import reverse

FILL_STEPS: list[Callable[..., None]] = []
REQUESTS: dict[str, Callable[..., Any]] = {}
CALLS: dict[str, Callable[..., Any]] = {}
ONCE: dict[str, Callable[..., dict]] = {}
DERIVED: dict[str, Callable[[dict], dict]] = {}


def _register(table: dict, key: str) -> Callable:
    def decorator(function: Callable) -> Callable:
        if key in REQUESTS or key in CALLS or key in ONCE or key in DERIVED:
            raise ValueError(f"Benchmark key {key!r} is registered twice.")
        table[key] = function
        return function

    return decorator


def fill_step(function: Callable[..., None]) -> Callable[..., None]:
    """Register `function(scratch)` to run when the scratch study is filled, after the
    study, its codes, interviews and excerpts exist."""
    FILL_STEPS.append(function)
    return function


def request(key: str) -> Callable:
    """Register a request measurement under `key` (see the module's docstring)."""
    return _register(REQUESTS, key)


def page(key: str, url_name: str, *plan_keys: str, warm: bool = False) -> Callable:
    """Register under `key` a GET of `reverse(url_name, args=[slug, *plan[plan_keys]])`:
    a page or a download of the scratch study (plan_keys name ids a fill step wrote).

    `warm`: send the same GET once, untimed, just before. Other measurements write to the
    study in every round (apply_code, comment_post), which moves its revision on, so
    without it a page that reads the roll-up would always be the first after a change.
    The browser's keep-alive connection stays with one gunicorn worker, whose cache the
    untimed GET fills.
    """

    def get(browser, plan: dict, n: int, **headers: str):
        args = [plan["slug"], *(plan[name] for name in plan_keys)]
        path = reverse(url_name, args=args)
        if warm:
            # Imported here: serving imports scratch, which imports this module.
            from devtools.benchmark.serving import check

            check(key, browser.get(path))
        return browser.get(path, **headers)

    return _register(REQUESTS, key)(get)


def call(key: str) -> Callable:
    """Register a function of the study, timed by itself, under `key`."""
    return _register(CALLS, key)


def once(key: str) -> Callable:
    """Register a function of the session, run once after the timed rounds, under `key`."""
    return _register(ONCE, key)


def derived(key: str) -> Callable:
    """Register under `key` a function of the run's results, computed after all others."""
    return _register(DERIVED, key)


def check_keys(only: Collection[str]) -> None:
    """Raise ValueError naming any of `only` that no area registered (call load_areas
    first)."""
    known = {*REQUESTS, *CALLS, *ONCE, *DERIVED}
    unknown = sorted(set(only) - known)
    if unknown:
        raise ValueError(
            f"No measurement is called {', '.join(unknown)}; there are {', '.join(sorted(known))}."
        )


def wanted(table: dict[str, Any], only: Collection[str]) -> dict[str, Any]:
    """The measurements of `table` among `only`, in their order; all of them when `only`
    is empty. A derived figure is computed only when asked for with what it needs."""
    return dict(table) if not only else {key: v for key, v in table.items() if key in only}


def load_areas() -> None:
    """Import every module of this package, so that each registers its measurements."""
    package = importlib.import_module(__package__)
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"{__package__}.{module.name}")
