"""Giving the memory a request freed back to the operating system (issue 9: a worker under
160 MB after every page and export).

A big download (every excerpt to .xlsx, the REFI-QDA project) or the first fit of the similar
passages allocates tens of MB for a few seconds and frees them when it is done. CPython hands
objects over 512 bytes (transcripts, excerpt texts, lists of tens of thousands of rows) to the
C library's malloc, and glibc keeps what they freed inside the process, scattered between
blocks still in use, so a worker's resident memory only ever grows towards the sum of the
largest requests each of its threads served. `malloc_trim(0)` returns every whole free page
to the kernel. With the garbage collection before it, it takes up to 220 ms on a loaded
machine, so it runs only after a request that grew the worker noticeably while it ran, and
only once that request's response has gone out (FreedMemory, on Django's `request_started`
and `request_finished`). Nothing is freed that is still in use: the caches (the roll-up, the
similar passages' index) stay.

Linux with glibc only (where the app is served by gunicorn); elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import threading
from collections.abc import Callable

# Trim after a request that grew the worker this much while it ran (MB), leaving it this much
# larger than after the previous trim: far above what an ordinary page leaves behind, far
# below what an export does.
GROWTH_MB = 8

_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20 if hasattr(os, "sysconf") else 0


def _libc() -> ctypes.CDLL | None:
    """The C library, or None where it cannot be loaded."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


_LIBC = _libc()
# glibc's malloc_trim, or None where there is none (macOS, Windows, musl).
MALLOC_TRIM: Callable[[int], int] | None = getattr(_LIBC, "malloc_trim", None)
# glibc's mallopt and its parameter for the number of arenas (malloc.h: M_ARENA_MAX).
_MALLOPT: Callable[[int, int], int] | None = getattr(_LIBC, "mallopt", None)
_M_ARENA_MAX = -8
# The arenas a worker's threads allocate from. glibc gives each new thread an arena of its
# own (up to 8 per core), and what a request frees stays in the arena of the thread that
# served it: a worker of four threads grew towards four times the largest request. Measured
# on the benchmark's default-scale study (its rounds, then the pass over every page and
# export, load 9 on 2 cores): 202-223 MB with an arena per thread, 180-183 MB with one. The
# threads seldom allocate at the same moment (Python's GIL), so they hardly wait on it.
ARENAS = 1


# glibc's mallopt parameter for the size from which a block is a mapping of its own, handed
# back to the kernel as soon as it is freed (malloc.h: M_MMAP_THRESHOLD), and the size a
# worker keeps it at: glibc's own starting value. Left to itself, glibc raises it to the
# size of each such block freed (up to 32 MB): after one download's bytes were freed, the
# large blocks of every later request (a page's HTML, a file's bytes, the lists of 20,000
# rows) came from the heap instead, and what they freed stayed there, scattered between
# blocks in use, until a trim. Setting it also stops glibc raising the trim threshold with
# it (M_TRIM_THRESHOLD stays 128 KB). On the benchmark's default-scale study, one worker
# after three rounds of every request key and the pass over every page and export twice
# (load 4-6 on 2 cores): 136.9 MB with it, 148.5-157.9 MB without; a trim then gave back
# 3.5 MB with it, 26 MB without; benchmark --only worker_mb: 129.6 MB (load 4). The price
# is paid by every page that builds large blocks (the roll-up's dicts of every excerpt, the
# page's HTML): each is a fresh mapping the kernel zeroes. The themes and theme pages took
# 19-26 and 14-21 ms instead of 13-15 and 11-13 ms (the Django test client in turn with
# and without it, four processes each, load 4 on 2 cores; issue 9's target is 60 ms). A
# threshold of 256 or 512 KB cost the same (in-process: 101-107 MB, against 101-104 at
# 128 KB and 124-134 without), and 1 MB with an 8 MB trim threshold left 152.2 MB.
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024


def limit_mmap_threshold() -> bool:
    """Keep blocks of MMAP_THRESHOLD bytes or more mappings of their own in this process,
    which go back to the kernel as each is freed (glibc no longer raises the threshold).
    Call it as the process starts (core.apps.CoreConfig.ready does). Returns True when
    done; False where there is no glibc, or where MALLOC_MMAP_THRESHOLD_ is set in the
    environment: the operator's choice stands."""
    if _MALLOPT is None or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    return _MALLOPT(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1


def limit_arenas() -> bool:
    """Make every thread of this process allocate from ARENAS arena(s). It must run before
    the threads that serve requests first allocate (core.apps.CoreConfig.ready does, as a
    worker loads the app). Returns True when done; False where there is no glibc, or where
    MALLOC_ARENA_MAX is set in the environment: the operator's choice stands."""
    if _MALLOPT is None or "MALLOC_ARENA_MAX" in os.environ:
        return False
    return _MALLOPT(_M_ARENA_MAX, ARENAS) == 1


def resident_mb() -> float | None:
    """This process's resident memory in MB (2**20 bytes), from /proc (about 10 µs); None
    where there is no /proc."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_MB
    except (OSError, IndexError, ValueError):
        return None


def give_back_freed_memory() -> float | None:
    """Collect cyclic garbage, then return every whole free page of the C heap to the
    kernel. Returns the resident MB after it, None where it cannot be done.

    The collection first: a Word document's tree (python-docx over lxml) is held in cycles
    until Python's collector runs, 14 MB after the memos document at the default scale. It
    is the costly part (220 ms at 130 MB on a loaded machine; the trim itself 0.3 ms), which
    is why it runs only after a request that grew the worker (GROWTH_MB)."""
    if MALLOC_TRIM is None:
        return None
    gc.collect()
    MALLOC_TRIM(0)
    return resident_mb()


class FreedMemory:
    """Gives freed memory back after a request that grew the worker by GROWTH_MB or more
    while it ran and left it GROWTH_MB above its size after the last trim (the first request
    that loads the views does, then every heavy download): `started` receives Django's
    `request_started`, the instance itself `request_finished` (both connected by
    core.apps.CoreConfig.ready).

    Growth counts from the request's start, not only from the last trim: a trim also gives
    back the free pages between the blocks in use, which ordinary pages then take again one
    request after another. Counted from the trim alone, the themes page at the default scale
    (a 0.5 MB page) took the worker from 90 to 98 MB in four or five requests and set off
    another trim (140-220 ms, load 6), which the next request waited for: themes_page's
    median went from 21 to 40 ms and its p95 from 48 to 209 ms (100 rounds, alternated,
    load 6 on 2 cores); each of its pages grew the worker by under 2 MB while it ran, 6 MB
    the first one after a trim.

    Django sends `request_finished` when the server closes the response, which a WSGI
    server does after the last byte went out (PEP 3333; gunicorn, and Django's test client
    as it emulates one): the user never waits for the collection. Everything the response
    made (its compressed copy) is counted too.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.after_trim = resident_mb() if MALLOC_TRIM is not None else None
        # The worker's size as each thread's request began (a thread serves one at a time).
        self.local = threading.local()

    def started(self, **kwargs) -> None:
        """Note the worker's size as a request begins (Django's `request_started`)."""
        if self.after_trim is not None:
            self.local.before = resident_mb()

    def __call__(self, **kwargs) -> None:
        if self.after_trim is None:
            return
        before = self.local.__dict__.pop("before", None)
        now = resident_mb()
        if now is None:
            return
        # A request_finished without its request_started counts from the last trim alone.
        since = self.after_trim if before is None else max(before, self.after_trim)
        if now - since < GROWTH_MB:
            return
        # One thread trims at a time; another that finished meanwhile skips it.
        if self.lock.acquire(blocking=False):
            try:
                self.after_trim = give_back_freed_memory() or now
            finally:
                self.lock.release()


# The process's one receiver, so that its count of growth spans every request.
freed_memory = FreedMemory()
