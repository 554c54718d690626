"""What a worker holds: the libraries only downloads or one page need are not loaded at
start-up (issue 9, a worker's memory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

# Libraries only some requests need, and what each weighs in a worker (MB, measured with
# their dependencies beyond pandas and numpy): python-docx (3), openpyxl (13),
# scikit-learn with SciPy (75), matplotlib for the charts (46).
ON_DEMAND = ("docx", "openpyxl", "sklearn", "scipy", "matplotlib")

STARTUP = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, as a worker's first request loads them
print(json.dumps(sorted(name for name in {names} if name in sys.modules)))
"""


def _python(code: str) -> subprocess.CompletedProcess:
    """`code` run by this project's Python in a fresh process, as a worker runs."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_worker_starts_without_the_libraries_only_some_requests_need():
    done = _python(STARTUP.format(names=ON_DEMAND))

    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.splitlines()[-1]) == []


DRAW = """
import json, sys
import django
django.setup()
from themes.charts import Chart
chart = Chart(
    name="prevalence", title="t", caption="c", alt="a", size=(4, 2), kind="prevalence",
    data={"labels": ["Training"], "values": [2], "words": ["all (2 of 2)"], "total": 2},
)
svg, png = chart.svg(), chart.png()
print(json.dumps({
    "svg": svg.lstrip().startswith(b"<?xml") and b"Training" in svg,
    "png": png.startswith(b"\\x89PNG"),
    "matplotlib": "matplotlib" in sys.modules,
}))
"""


def test_a_worker_draws_charts_without_importing_matplotlib():
    """Charts are drawn in a process of their own (themes.drawing): the worker that asked
    for them gets the images and never holds matplotlib's 46 MB."""
    done = _python(DRAW)

    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.splitlines()[-1]) == {
        "svg": True,
        "png": True,
        "matplotlib": False,
    }
