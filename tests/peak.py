"""Peak memory of the current process, for tests that run an import in a fresh process.

ru_maxrss is no use there: Linux carries it over from the parent across fork and exec, so a
child of a large pytest process starts with the parent's peak. VmHWM belongs to the process's
own memory map and can be reset (proc(5), /proc/pid/clear_refs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def reset_peak() -> None:
    """Start the peak over from the memory held now."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> float:
    """The most resident memory this process has held since start or reset_peak(), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status (not Linux?)")


def resident_mb() -> float:
    """The resident memory of this process now, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (not Linux?)")


def run_python(code: str, *args: str, env: dict | None = None, timeout: int = 120):
    """`code` run with `args` by this project's Python in a fresh process, as a worker runs
    (Django's settings module set, no test database; `env` instead of this environment when
    given): the JSON of the last line it prints. Fails the test with the end of its stderr
    if it fails or takes over `timeout` seconds."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=settings.BASE_DIR,
        env=env or {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])
