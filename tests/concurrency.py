"""Run the same action in several threads at the same moment, each on its own connection.

Used by the race tests of every app. Each thread has its own database connection (Django
keeps one per thread), so on PostgreSQL the actions really overlap; a barrier lets them all
start together. On SQLite they queue for the write lock (IMMEDIATE transactions), which
must never surface as "database is locked".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, connections
from django.test import Client

# Enough workers to overlap on two cores, few enough to keep the tests quick.
WORKERS = 8


@dataclass
class Outcome:
    """What each worker returned (in worker order) and every exception one raised."""

    results: list = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    @property
    def statuses(self) -> list[int]:
        return [response.status_code for response in self.results]

    def assert_answered(self, *statuses: int) -> None:
        """No worker raised (the test client raises what a view raises, so a 500 shows
        here with its traceback) and every answer has one of `statuses`."""
        assert self.errors == []
        assert [status for status in self.statuses if status not in statuses] == []


def race(action: Callable[[int], object], workers: int = WORKERS) -> Outcome:
    """Call `action(i)` for i in range(workers), all at once; returns what happened.

    Never raises: the caller asserts on the outcome, so a failure shows every error.
    """
    barrier = threading.Barrier(workers)
    results: list = [None] * workers
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            # Connect before the barrier, so that connecting does not spread the start.
            connection.ensure_connection()
            barrier.wait(timeout=60)
            results[i] = action(i)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker never finished"
    return Outcome(results=results, errors=errors)


def clients_for(users, workers: int = WORKERS) -> list[Client]:
    """One logged-in test client per worker, taking `users` in turn; the client raises
    what a view raises, so a 500 shows as its exception."""
    clients = []
    for i in range(workers):
        client = Client()
        client.force_login(users[i % len(users)])
        clients.append(client)
    return clients


def post_race(clients: list[Client], url: str, data: dict | Callable[[int], dict], **extra):
    """Every client POSTs to `url` at once; `data` may depend on the worker's number."""

    def post(i: int):
        payload = data(i) if callable(data) else data
        return clients[i].post(url, payload, **extra)

    return race(post, workers=len(clients))
