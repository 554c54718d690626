"""A worker gives back what a heavy request freed (core.memory; issue 9, a worker's memory)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory

from core import memory
from tests.peak import run_python

needs_glibc = pytest.mark.skipif(
    memory.MALLOC_TRIM is None or memory.resident_mb() is None,
    reason="malloc_trim and /proc are Linux with glibc only; elsewhere the middleware is idle",
)

# A fresh process serves one heavy request, as a worker does: about 80 MB in blocks over 512
# bytes (malloc's, not Python's own allocator), one block in 50 still in use afterwards (a
# cache entry, a template), the rest freed. It prints its resident MB before and after.
HEAVY_REQUEST = """
import json, sys
from core.memory import FreedMemoryMiddleware, resident_mb

kept = []

def heavy_view(request):
    blocks = [bytes(1500) for _ in range(55_000)]
    kept.extend(blocks[::50])
    return "response"

view = FreedMemoryMiddleware(heavy_view) if sys.argv[1] == "middleware" else heavy_view
before = resident_mb()
view(None)
print(json.dumps({"grown_mb": resident_mb() - before, "kept": len(kept)}))
"""


@needs_glibc
def test_a_worker_gives_back_what_a_heavy_request_freed():
    without = run_python(HEAVY_REQUEST, "bare")
    served = run_python(HEAVY_REQUEST, "middleware")

    # Without it, the freed blocks stay in the process (the premise: glibc keeps them).
    assert without["grown_mb"] > 50
    # With it, only what is still in use (1,100 blocks, under 2 MB) and the allocator's
    # scattered pages stay.
    assert served == {"grown_mb": pytest.approx(0, abs=12), "kept": 1100}


@pytest.fixture
def trims(monkeypatch):
    """The calls to malloc_trim, with the worker's size as the test sets it (MB)."""
    calls = []
    size = {"mb": 100.0}
    monkeypatch.setattr(memory, "MALLOC_TRIM", lambda pad: calls.append(pad) or 1)
    monkeypatch.setattr(memory, "resident_mb", lambda: size["mb"])
    return calls, size


def test_it_trims_only_after_the_worker_grew_by_the_threshold(trims):
    calls, size = trims
    grow = {"light": memory.GROWTH_MB / 8, "heavy": memory.GROWTH_MB}

    def view(request):
        size["mb"] += grow[request.GET["kind"]]
        return "response"

    middleware = memory.FreedMemoryMiddleware(view)
    requests = RequestFactory()

    for _ in range(7):
        assert middleware(requests.get("/", {"kind": "light"})) == "response"
    assert calls == []  # 7/8 of the threshold in all
    middleware(requests.get("/", {"kind": "light"}))
    assert calls == [0]  # the threshold reached
    middleware(requests.get("/", {"kind": "light"}))
    assert calls == [0]  # counted again from the size after that trim
    middleware(requests.get("/", {"kind": "heavy"}))
    assert calls == [0, 0]


def test_where_there_is_no_malloc_trim_it_only_passes_the_response_on(monkeypatch):
    monkeypatch.setattr(memory, "MALLOC_TRIM", None)
    middleware = memory.FreedMemoryMiddleware(lambda request: "response")

    assert middleware(RequestFactory().get("/")) == "response"
    assert memory.give_back_freed_memory() is None


def test_it_comes_first_so_that_it_sees_every_other_middleware_s_work():
    assert settings.MIDDLEWARE.index("core.memory.FreedMemoryMiddleware") == (
        1 if settings.MIDDLEWARE[0] == "devtools.measurement.MeasurementHeadersMiddleware" else 0
    )
