"""What a worker holds (issue 9): under 160 MB after a pass over every page and export; the
libraries only downloads or one page need are not loaded at start-up, and pandas never."""

from __future__ import annotations

import pytest

from devtools.benchmark import measuring
from devtools.benchmark.scratch import Sizes
from devtools.benchmark.weight import WORKER_MB_TARGET
from tests.peak import run_python

# Libraries only some requests need, and what each weighs in a worker (MB, measured with
# their dependencies): python-docx (3), openpyxl (9), SciPy's sparse matrices (9), pandas
# (33, no longer used: the roll-up and the tables are plain Python), scikit-learn (66),
# matplotlib for the charts (46); lxml (6: reading a .docx or a REFI-QDA project),
# rapidfuzz (4: a new code's name, finding an imported transcript's questions) and
# charset-normalizer (4: judging an uploaded .txt), which loaded 14 MB at start-up before.
ON_DEMAND = (
    "docx",
    "openpyxl",
    "sklearn",
    "scipy",
    "matplotlib",
    "pandas",
    "lxml",
    "rapidfuzz",
    "charset_normalizer",
)

STARTUP = """
import json, sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every view module, as a worker's first request loads them
print(json.dumps(sorted(name for name in {names} if name in sys.modules)))
"""


def test_a_worker_starts_without_the_libraries_only_some_requests_need():
    assert run_python(STARTUP.format(names=ON_DEMAND)) == []


DRAW = """
import json, sys
import django
django.setup()
from themes.charts import Chart
chart = Chart(
    name="prevalence", title="t", caption="c", alt="a", size=(4, 2), kind="prevalence",
    data={
        "labels": ["Training"], "spans": [1], "depths": [0], "values": [2],
        "words": ["all (2 of 2)"], "total": 2,
    },
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
    assert run_python(DRAW) == {
        "svg": True,
        "png": True,
        "matplotlib": False,
    }


@pytest.mark.slow
def test_a_worker_stays_under_its_memory_limit_after_every_page_and_export():
    """The benchmark's own pass (devtools/benchmark/weight.py) over a small study served by
    gunicorn: every page and export twice, then the largest worker's resident memory. At
    the default scale (200 transcripts, 20,000 excerpts) `manage.py benchmark --only
    worker_mb` measures the same figure; this small study keeps the suite fast, and fails
    all the same when a library or a cache grows a worker past the limit."""
    sizes = Sizes(interviews=12, words=1500, excerpts=1200, codes=12, requests=1)

    results = measuring.run(sizes, only=["worker_mb"], log=lambda line: None)

    assert results["worker_mb"]["pages"] > 30
    assert results["worker_mb"]["rss_mb"] < WORKER_MB_TARGET
