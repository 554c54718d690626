"""A worker gives back what a heavy request freed, once the response has gone out
(core.memory; issue 9, a worker's memory)."""

from __future__ import annotations

import http.client
import os
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
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
from django.core.signals import request_started
from django.http import HttpResponse
from core.memory import resident_mb

kept = []

def heavy_view():
    blocks = [bytes(1500) for _ in range(55_000)]
    kept.extend(blocks[::50])
    return HttpResponse("response")

before = resident_mb()
request_started.send(sender=None)  # as a WSGI handler does before the view
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


# A fresh process whose four threads (as a gunicorn worker's) serve a heavy request each in
# turn: about 20 MB in blocks over 512 bytes, one in 50 kept. It prints how much it grew (MB).
THREADS_IN_TURN = """
import json, threading
import django
django.setup()
from core.memory import resident_mb

turn = [threading.Event() for _ in range(4)]
done = [threading.Event() for _ in range(4)]
kept = []

def serve(i):
    kept.append(bytes(1000))  # the thread's first allocation gives it its arena
    turn[i].wait()
    blocks = [bytes(1500) for _ in range(14_000)]
    kept.extend(blocks[::50])
    del blocks
    done[i].set()

threads = [threading.Thread(target=serve, args=(i,)) for i in range(4)]
for thread in threads:
    thread.start()
before = resident_mb()
for i in range(4):
    turn[i].set()
    done[i].wait()
grown = resident_mb() - before
for thread in threads:
    thread.join()
print(json.dumps({"grown_mb": grown}))
"""


@needs_glibc
def test_a_worker_s_threads_reuse_what_another_thread_freed():
    """One arena for every thread (core.memory.ARENAS): a request served by another thread
    reuses what the last one freed. MALLOC_ARENA_MAX in the environment is left alone, which
    gives the premise: an arena per thread keeps each thread's largest request."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    environment.pop("MALLOC_ARENA_MAX", None)
    one_arena = run_python(THREADS_IN_TURN, env=environment)
    arena_each = run_python(THREADS_IN_TURN, env={**environment, "MALLOC_ARENA_MAX": "8"})

    assert arena_each["grown_mb"] > 60  # four requests of 20 MB, each kept in its arena
    assert one_arena["grown_mb"] < 30  # one request's worth, reused by the next


# A fresh process, set up as a worker ("worker") or with glibc left to itself ("bare"),
# frees a download's 10 MB of bytes, then serves a request of 30 MB in blocks of 300 KB (a
# page's HTML, a file's bytes, the lists of every excerpt), one in 25 still in use
# afterwards. It prints how much that request left it grown (MB).
LARGE_BLOCKS = """
import json, sys
if sys.argv[1] == "worker":
    import django
    django.setup()
from core.memory import resident_mb

download = b"x" * (10 * 2**20)
del download
before = resident_mb()
blocks = [b"x" * 300_000 for _ in range(100)]
kept = blocks[::25]
del blocks
print(json.dumps({"grown_mb": resident_mb() - before, "kept": len(kept)}))
"""


@needs_glibc
def test_large_blocks_go_back_to_the_kernel_as_they_are_freed():
    """core.memory.MMAP_THRESHOLD: glibc no longer raises the size from which a block is a
    mapping of its own after a large one was freed, so a later request's large blocks leave
    with it, but for those still in use. MALLOC_MMAP_THRESHOLD_ in the environment would
    set the threshold itself: it is left out of both processes."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    environment.pop("MALLOC_MMAP_THRESHOLD_", None)
    bare = run_python(LARGE_BLOCKS, "bare", env=environment)
    worker = run_python(LARGE_BLOCKS, "worker", env=environment)

    # The premise: left to itself, glibc keeps what the request freed in its heap.
    assert bare["grown_mb"] > 20
    # Only the four blocks still in use (1.2 MB) stay.
    assert worker == {"grown_mb": pytest.approx(1.2, abs=1.5), "kept": 4}


@pytest.fixture
def trims(monkeypatch):
    """The calls to malloc_trim, with the worker's size as the test sets it (MB), and a
    receiver that counted from 100 MB."""
    calls = []
    size = {"mb": 100.0}
    monkeypatch.setattr(memory, "MALLOC_TRIM", lambda pad: calls.append(pad) or 1)
    monkeypatch.setattr(memory, "resident_mb", lambda: size["mb"])
    return calls, size, memory.FreedMemory()


def test_it_trims_only_after_a_request_that_grew_the_worker_by_the_threshold(trims):
    calls, size, freed = trims

    def request(grown_mb: float) -> None:
        freed.started(signal=request_started, sender=WSGIHandler)
        size["mb"] += grown_mb
        freed(signal=request_finished, sender=WSGIHandler)

    # Ordinary pages, each taking a little more of the heap a trim gave back: 30 requests
    # grow the worker by 3.75 times the threshold in all, none by an eighth of it.
    for _ in range(30):
        request(memory.GROWTH_MB / 8)
    assert calls == []
    request(memory.GROWTH_MB)  # a heavy download
    assert calls == [0]
    request(memory.GROWTH_MB / 2)
    assert calls == [0]
    # Growth seen at the end of a request whose start was not seen counts from the last trim.
    size["mb"] += memory.GROWTH_MB / 2
    freed(signal=request_finished, sender=WSGIHandler)
    assert calls == [0, 0]


def test_each_thread_counts_from_its_own_request_s_start(trims):
    """gunicorn's threads serve requests side by side: a heavy download that began before
    an ordinary page and ends after it is counted from its own start."""
    calls, size, freed = trims
    done = threading.Event()

    def ordinary_page() -> None:
        freed.started(signal=request_started, sender=WSGIHandler)
        size["mb"] += 1
        freed(signal=request_finished, sender=WSGIHandler)
        done.set()

    freed.started(signal=request_started, sender=WSGIHandler)  # the download begins
    size["mb"] += memory.GROWTH_MB - 1
    page = threading.Thread(target=ordinary_page)
    page.start()
    page.join()
    assert done.is_set()
    assert calls == []  # the page grew the worker by 1 MB
    freed(signal=request_finished, sender=WSGIHandler)  # the download ends, 8 MB larger
    assert calls == [0]


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
    size = {"mb": 100.0}
    monkeypatch.setattr(memory, "resident_mb", lambda: size["mb"])
    # The process's own receivers, as if it had last trimmed at 100 MB; the request grows
    # the worker by the threshold once its start is noted (receivers run in the order they
    # were connected, the app's first).
    monkeypatch.setattr(memory.freed_memory, "after_trim", 100.0)

    def grow(**kwargs) -> None:
        size["mb"] += memory.GROWTH_MB

    request_started.connect(grow)
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
        request_started.disconnect(grow)
        server.server_close()

    assert response.status == 200
    assert b"</html>" in body
    assert freed == [True]  # given back once, and only after the response had gone out
    assert memory.freed_memory.after_trim == 100.0


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass
