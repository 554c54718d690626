"""Work done in a short-lived process of its own, so that what it allocates never stays in a
gunicorn worker (issue 9: a worker under 160 MB after every page and export): the charts
(themes.drawing) and the similar passages' index (coding.similar)."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings


def child_output(
    arguments: list[str], *, stdin: bytes, timeout: int, doing: str, error: type[Exception]
) -> bytes:
    """What `python ARGUMENTS` (this project's Python, in the project's directory, with this
    process's environment: its DJANGO_SETTINGS_MODULE too) writes on stdout, given `stdin`.

    Raises `error` saying "`doing` took over `timeout` s." or "`doing` failed (exit N):"
    with the end of its stderr.
    """
    try:
        done = subprocess.run(
            [sys.executable, *arguments],
            input=stdin,
            capture_output=True,
            cwd=settings.BASE_DIR,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as timed_out:
        raise error(f"{doing} took over {timeout} s.") from timed_out
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", errors="replace")[-2000:]
        raise error(f"{doing} failed (exit {done.returncode}):\n{tail}")
    return done.stdout
