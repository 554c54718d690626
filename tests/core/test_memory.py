"""A worker gives back what a heavy request freed, once the response has gone out
(core.memory; issue 9, a worker's memory)."""

from __future__ import annotations

import http.client
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished
from django.urls import reverse

from core import memory
from tests.peak import run_python

needs_glibc = pytest.mark.skipif(
    memory.MALLOC_TRIM is None or memory.resident_mb() is None,
    reason="malloc_trim and /proc are Linux with glibc only; elsewhere it does nothing",
)

# A fresh process serves one heavy request, as a worker does: about 80 MB in blocks over 512
# bytes (malloc's, not Python's own allocator), one block in 50 still in use afterwards (a
# cache entry, a template), the rest freed. The server then closes the response ("closed")
# or not ("open"); the process prints how much it grew (MB).
HEAVY_REQUEST = """
import json, sys
import django
django.setup()
from django.http import HttpResponse
from core.memory import resident_mb

kept = []

def heavy_view():
    blocks = [bytes(1500) for _ in range(55_000)]
    kept.extend(blocks[::50])
    return HttpResponse("response")

before = resident_mb()
response = heavy_view()
if sys.argv[1] == "closed":
    response.close()  # as a WSGI server does once the response has gone out
print(json.dumps({"grown_mb": resident_mb() - before, "kept": len(kept)}))
"""


@needs_glibc
def test_a_worker_gives_back_what_a_heavy_request_freed_once_its_response_is_closed():
    still_open = run_python(HEAVY_REQUEST, "open")
    closed = run_python(HEAVY_REQUEST, "closed")

    # Until then, the freed blocks stay in the process (the premise: glibc keeps them).
    assert still_open["grown_mb"] > 50
    # After it, only what is still in use (1,100 blocks, under 2 MB) and the allocator's
    # scattered pages stay.
    assert closed == {"grown_mb": pytest.approx(0, abs=12), "kept": 1100}


@pytest.fixture
def trims(monkeypatch):
    """The calls to malloc_trim, with the worker's size as the test sets it (MB), and a
    receiver that counted from 100 MB."""
    calls = []
    size = {"mb": 100.0}
    monkeypatch.setattr(memory, "MALLOC_TRIM", lambda pad: calls.append(pad) or 1)
    monkeypatch.setattr(memory, "resident_mb", lambda: size["mb"])
    return calls, size, memory.FreedMemory()


def test_it_trims_only_after_the_worker_grew_by_the_threshold(trims):
    calls, size, freed = trims

    def request(grown_mb: float) -> None:
        size["mb"] += grown_mb
        freed(signal=request_finished, sender=WSGIHandler)

    for _ in range(7):
        request(memory.GROWTH_MB / 8)
    assert calls == []  # 7/8 of the threshold in all
    request(memory.GROWTH_MB / 8)
    assert calls == [0]  # the threshold reached
    request(memory.GROWTH_MB / 8)
    assert calls == [0]  # counted again from the size after that trim
    request(memory.GROWTH_MB)
    assert calls == [0, 0]


def test_where_there_is_no_malloc_trim_it_does_nothing(monkeypatch):
    monkeypatch.setattr(memory, "MALLOC_TRIM", None)
    freed = memory.FreedMemory()

    assert freed(signal=request_finished, sender=WSGIHandler) is None
    assert freed.after_trim is None
    assert memory.give_back_freed_memory() is None


def test_the_response_goes_out_before_the_memory_is_given_back(monkeypatch):
    """A real HTTP server (wsgiref, a WSGI server as gunicorn is) serves Django: the freeing
    waits until the client holds the whole response. Were it done before the response went
    out, the client would get nothing while it waits, and it would see no response."""
    client_has_response = threading.Event()
    freed = []

    def give_back() -> float:
        freed.append(client_has_response.wait(timeout=10))
        return 100.0

    monkeypatch.setattr(memory, "give_back_freed_memory", give_back)
    monkeypatch.setattr(memory, "resident_mb", lambda: 100.0 + memory.GROWTH_MB)
    # The process's own receiver, as if it had last trimmed at 100 MB.
    monkeypatch.setattr(memory.freed_memory, "after_trim", 100.0)
    server = WSGIServer(("127.0.0.1", 0), _QuietHandler)
    server.set_app(WSGIHandler())
    serving = threading.Thread(target=server.handle_request)
    serving.start()
    try:
        client = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        # The login page: served whole, without the database, to anyone.
        client.request("GET", reverse("login"))
        response = client.getresponse()
        body = response.read()
        client_has_response.set()
        serving.join(timeout=30)
    finally:
        server.server_close()

    assert response.status == 200
    assert b"</html>" in body
    assert freed == [True]  # given back once, and only after the response had gone out
    assert memory.freed_memory.after_trim == 100.0


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass
