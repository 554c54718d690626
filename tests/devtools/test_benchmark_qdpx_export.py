"""The REFI-QDA export in the benchmark (devtools/benchmark/qdpx_export.py)."""

from __future__ import annotations

from devtools.benchmark import registry
from devtools.benchmark.qdpx_export import measure_export
from tests.themes.exchange.everything import export, make_everything


def test_the_export_is_measured_before_import_200_adds_its_transcripts():
    registry.load_areas()
    keys = list(registry.ONCE)
    assert keys.index("qdpx_export") < keys.index("import_200")


def test_it_measures_time_memory_queries_and_size(study, owner, coder):
    make_everything(study, owner, coder)
    result = measure_export(study, runs=2)
    assert result["bytes"] == len(export(study))
    # The de-identification list, with whether a respondent withdrew; the typed fields with
    # the withdrawn R3's transcripts (15c9986: a memo quoting R3 refuses the project); the
    # interviews; the 12 of themes.exchange.reading; the count of quotes left out.
    assert result["queries"] == 16
    assert 0 < result["median_ms"] <= result["p95_ms"]
    assert result["peak_mb"] > 0
    assert (result["target_ms"], result["target_mb"]) == (5000, 300)
