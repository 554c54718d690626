"""Work done in a short-lived process of its own, so that what it allocates never stays in a
gunicorn worker (issue 9: a worker under 160 MB after every page and export): the charts
(themes.drawing), the similar passages' index (coding.similar) and the heavy downloads
(`file_from_child`: the Word documents, the spreadsheets, the REFI-QDA project)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import tempfile

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.module_loading import import_string


class ChildFailed(RuntimeError):
    """A short-lived process failed or took too long; the message says which and why (the
    end of its stderr), for the log, not for the user."""


def child_output(
    arguments: list[str],
    *,
    stdin: bytes,
    timeout: int,
    doing: str,
    error: type[Exception],
    pass_fds: tuple[int, ...] = (),
) -> bytes:
    """What `python ARGUMENTS` (this project's Python, in the project's directory, with this
    process's environment: its DJANGO_SETTINGS_MODULE too) writes on stdout, given `stdin`.
    `pass_fds`: file descriptors of this process the child inherits (same numbers).

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
            pass_fds=pass_fds,
        )
    except subprocess.TimeoutExpired as timed_out:
        raise error(f"{doing} took over {timeout} s.") from timed_out
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", errors="replace")[-2000:]
        raise error(f"{doing} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


def dotted_name(kind: type) -> str:
    """ "themes.charts.ChartError": where `kind` is defined, as import_string reads it."""
    return f"{kind.__module__}.{kind.__qualname__}"


def file_from_child(
    function: str,
    *,
    kwargs: dict,
    refusals: tuple[type[Exception], ...],
    timeout: int,
    doing: str,
    error: type[Exception],
) -> bytes:
    """The bytes `FUNCTION(**kwargs)` returns, made in a short-lived process of its own
    (`python -m core.child`), so that neither the libraries it imports (python-docx,
    openpyxl: 12 MB) nor what it allocates while building the file (tens of MB at the
    benchmark's scale, which a worker's heap keeps) stay in the worker.

    `function` is the dotted path of a function of the app (never text from a request);
    `kwargs` go to the child pickled (model instances, rows with dates: this process is the
    only writer of that pipe). The child queries on its own connection to this connection's
    database (a connection must not cross into another process), and writes the bytes into
    an unnamed temporary file this process opened and reads back in one piece.

    Inside a transaction (a caller's `atomic`, a test's), the function runs in this process
    instead: another connection would not see what the transaction wrote and not yet
    committed, and the file must hold what the caller sees. Views run in autocommit.

    Raises one of `refusals` with its message when the function raised it in the child (an
    export refused, charts that could not be drawn), `error` when the child failed ("`doing`
    failed (exit N):" with the end of its stderr) or took over `timeout` seconds.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        return import_string(function)(**kwargs)
    with tempfile.TemporaryFile() as out:
        # One line of JSON the child reads before Django is set up (which database), then
        # the arguments, which it can unpickle only once the models are loaded.
        header = {
            "function": function,
            "refusals": [dotted_name(kind) for kind in refusals],
            "database": str(connection.settings_dict["NAME"]),
            "fd": out.fileno(),
        }
        answer = child_output(
            ["-m", "core.child"],
            stdin=json.dumps(header).encode() + b"\n" + pickle.dumps(kwargs),
            timeout=timeout,
            doing=doing,
            error=error,
            pass_fds=(out.fileno(),),
        )
        reply = json.loads(answer)
        if "refused" in reply:
            kind = {dotted_name(kind): kind for kind in refusals}[reply["refused"]]
            raise kind(reply["message"])
        out.seek(0)
        content = out.read()
    if len(content) != reply["bytes"]:
        raise error(f"{doing} failed: {len(content)} bytes of {reply['bytes']} came back.")
    return content
