"""The REFI-QDA import in the benchmark (devtools/benchmark/qdpx_import.py)."""

from __future__ import annotations

import subprocess
import sys

from coding.models import Code
from devtools.benchmark.qdpx_import import measure_import
from interviews.models import Study
from tests.themes.exchange.everything import make_everything


def test_the_import_is_measured_after_the_export_and_before_import_200():
    # In a fresh process, as the benchmark loads its areas: this test process imported the
    # import's module (above) before load_areas could order it.
    code = (
        "import django; django.setup(); from devtools.benchmark import registry; "
        "registry.load_areas(); print(' '.join(registry.ONCE))"
    )
    keys = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert keys.index("qdpx_export") < keys.index("qdpx_import") < keys.index("import_200")


def test_it_measures_an_import_and_leaves_nothing(study, owner, coder):
    make_everything(study, owner, coder)
    studies, codes = Study.objects.count(), Code.objects.count()

    result = measure_import(study, runs=2)

    assert result["made"]["excerpts"] == 5
    assert result["made"]["codes"] == 4
    assert result["queries"] > 0
    assert 0 < result["median_ms"] <= result["max_ms"]
    assert result["peak_mb"] > 0
    assert (result["target_ms"], result["target_mb"]) == (5000, 300)
    # Each import was rolled back: the scratch study stays as the other measurements need.
    assert (Study.objects.count(), Code.objects.count()) == (studies, codes)
