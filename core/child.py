"""The process core.processes.file_from_child starts: `python -m core.child` makes one file
with a function of the app and exits, so that what making it imported and allocated goes
with it (issue 9: a worker under 160 MB after every page and export).

Request, on stdin: one line of JSON, {"function": dotted path, "refusals": [dotted paths
of exception classes], "database": the NAME of the default database, "fd": the file
descriptor to write to}, then the pickled keyword arguments (a dict). It calls
FUNCTION(**arguments), which returns bytes, and writes them to `fd`.

Answer, as JSON on stdout: {"bytes": how many were written}, or {"refused": the dotted path
of the class, "message": its text} when the function raised one of `refusals`. Anything
else is an exit status of 1 with the traceback on stderr.
"""

from __future__ import annotations

import json
import os
import pickle
import sys


def main() -> None:
    request = json.loads(sys.stdin.buffer.readline())
    import django
    from django.conf import settings

    # The caller's database, which is this settings module's but for its name under a
    # test run (the test database); read before any connection is made.
    settings.DATABASES["default"]["NAME"] = request["database"]
    django.setup()

    from django.db import connections
    from django.utils.module_loading import import_string

    from core.processes import dotted_name

    refusals = tuple(import_string(name) for name in request["refusals"])
    arguments = pickle.load(sys.stdin.buffer)
    function = import_string(request["function"])
    try:
        content = function(**arguments)
    except refusals as refused:
        answer = {"refused": dotted_name(type(refused)), "message": str(refused)}
    else:
        with os.fdopen(request["fd"], "wb") as out:
            out.write(content)
        answer = {"bytes": len(content)}
    connections.close_all()
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
