"""Serving the scratch study with gunicorn, and a keep-alive Browser to talk to it over HTTP.

`serve` starts gunicorn as `make run` does, on a free loopback port, and stops it however we
leave; `Browser` is one keep-alive connection with a cookie jar, reading the query count and
peak memory from the headers devtools/measurement.py adds. tests/test_load.py uses both too.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from devtools.benchmark.scratch import BenchmarkError, Log


@dataclass(frozen=True)
class Server:
    """A running gunicorn: its port on 127.0.0.1 and its master process."""

    port: int
    process: subprocess.Popen


@contextmanager
def served(workdir: Path, env: dict[str, str], log: Log, *, workers: int = 2) -> Iterator[int]:
    """`serve`, yielding only the port."""
    with serve(workdir, env, log, workers=workers) as server:
        yield server.port


@contextmanager
def serve(workdir: Path, env: dict[str, str], log: Log, *, workers: int = 2) -> Iterator[Server]:
    """gunicorn on the scratch database, as `make run` starts it (with `workers` processes;
    the load test runs more); stopped however we leave."""
    port = _free_port()
    log_path = workdir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    # The threads of `make run` also give keep-alive: gunicorn's sync worker closes the
    # connection after every response, which no browser would see.
    command += ["--workers", str(workers), "--threads", "4", "--keep-alive", "30"]
    command += ["--log-level", "warning"]
    with open(log_path, "wb") as output:
        # A session of its own: Ctrl+C reaches only us, and we stop it in order below.
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_up(process, port, log_path)
            log(f"gunicorn is serving it on 127.0.0.1:{port} (pid {process.pid})")
            yield Server(port, process)
        finally:
            _stop(process)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(process: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-3000:]
            raise BenchmarkError(f"gunicorn exited ({process.returncode}):\n{tail}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", reverse("login"))
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    raise BenchmarkError("gunicorn did not answer within 60 seconds.")


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM lets the gunicorn master stop its workers; SIGKILL the group if it hangs."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# Browsing it -----------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: bytes
    seconds: float
    queries: int | None
    peak_mb: float | None
    # Where a redirect sends the browser ("" for none).
    location: str = ""


class Browser:
    """One keep-alive connection with a cookie jar: what a browser tab does, minus the JS."""

    def __init__(self, port: int) -> None:
        self.origin = f"http://127.0.0.1:{port}"
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def get(self, path: str, **headers: str) -> Response:
        return self.request("GET", path, None, headers)

    def post(self, path: str, fields: dict, referer: str, **headers: str) -> Response:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": self.origin + referer,
            "Origin": self.origin,
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
            **headers,
        }
        return self.request("POST", path, urlencode(fields), headers)

    def request(self, method: str, path: str, body: str | None, headers: dict) -> Response:
        headers = {**headers, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        started = time.perf_counter()
        try:
            response, data = self._send(method, path, body, headers)
        except (ConnectionError, http.client.BadStatusLine):
            # The server dropped the idle connection; a browser would reconnect silently.
            self.connection.close()
            response, data = self._send(method, path, body, headers)
        seconds = time.perf_counter() - started
        self._remember(response.headers.get_all("Set-Cookie") or [])
        count, peak = response.getheader("X-Query-Count"), response.getheader("X-Peak-MB")
        return Response(
            response.status,
            data,
            seconds,
            int(count) if count else None,
            float(peak) if peak else None,
            response.getheader("Location") or "",
        )

    def _send(self, method, path, body, headers):
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        return response, response.read()

    def _remember(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def login(self, username: str, password: str) -> None:
        path = reverse("login")
        check("login page", self.get(path))
        fields = {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
        }
        response = self.post(path, fields, referer=path)
        if response.status != 302 or "sessionid" not in self.cookies:
            raise BenchmarkError(f"Logging in failed: HTTP {response.status}.")


def check(key: str, response: Response) -> Response:
    """`response` if it is a 200; raises BenchmarkError with the start of its body if not."""
    if response.status != 200:
        start = response.body[:800].decode("utf-8", errors="replace")
        raise BenchmarkError(f"{key}: HTTP {response.status}:\n{start}")
    return response
