"""Measurement headers for `manage.py benchmark` only; off in every normal deployment.

Enabled by EXCERPTA_MEASUREMENT_HEADERS=1 (with EXCERPTA_DEVTOOLS=1, which installs this app).
Every response then carries X-Query-Count, the number of SQL queries the request made. A
request that sends `X-Measure-Memory: 1` also gets X-Peak-MB, the peak of the Python heap
allocated while serving it, traced with tracemalloc (numpy's arrays, and so pandas', report
to tracemalloc too). Tracing slows Python down several times over, so the benchmark asks for
it only on requests it does not time, and tracing is process-wide, so it assumes one request
at a time (as the benchmark sends them).
"""

from __future__ import annotations

import tracemalloc

from django.db import connection


class MeasurementHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        trace = request.headers.get("X-Measure-Memory") == "1"
        if trace:
            tracemalloc.start()
        try:
            with connection.execute_wrapper(counter):
                response = self.get_response(request)
            if trace:
                response["X-Peak-MB"] = f"{tracemalloc.get_traced_memory()[1] / 2**20:.2f}"
        finally:
            if trace:
                tracemalloc.stop()
        response["X-Query-Count"] = str(count)
        return response
