"""De-identification in the benchmark (devtools/benchmark/deidentify.py)."""

from __future__ import annotations

from devtools.benchmark import registry
from devtools.benchmark.deidentify import measure_deidentify
from interviews.models import Identifier, Interview
from tests.conftest import import_text

TEXT = "R1: I met the señora at the café in Zurich.\n\nR1: Then the niño came, and Zürich."


def test_it_is_measured_before_import_200_adds_its_transcripts():
    registry.load_areas()
    keys = list(registry.ONCE)
    assert keys.index("deidentify") < keys.index("import_200")


def test_it_replaces_every_name_and_leaves_the_study_as_it_was(study):
    for n in range(2):
        import_text(study, TEXT, name=f"R{n + 1}.txt")
    result = measure_deidentify(study, runs=2)
    assert result["occurrences"] == 10
    assert result["transcripts"] == 2
    # Rolled back: the next run, and every later measurement, sees the study unchanged.
    assert not Identifier.objects.exists()
    assert set(Interview.objects.values_list("text", flat=True)) == {TEXT}
    assert 0 < result["median_ms"] <= result["p95_ms"]
    assert result["cpu_ms"] > 0
    assert result["peak_mb"] > 0
    assert (result["target_ms"], result["target_mb"]) == (5000, 300)
