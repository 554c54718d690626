"""The benchmark's registry: each area's module registers its keys; the app installs the
development tools only when asked for."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

from devtools.benchmark import registry


def test_every_area_module_registers_its_measurements_and_fill_steps():
    registry.load_areas()
    # Each key comes from its area's module: coding.py, then themes.py (modules by name).
    assert list(registry.REQUESTS).index("codebook") < list(registry.REQUESTS).index("theme_page")
    assert "rollup" in registry.CALLS
    steps = {f"{step.__module__}.{step.__name__}" for step in registry.FILL_STEPS}
    assert "devtools.benchmark.themes.themes" in steps
    assert "devtools.benchmark.coding.selections" in steps


def test_a_key_registered_twice_is_refused():
    registry.load_areas()
    with pytest.raises(ValueError, match="apply_code"):
        registry.once("apply_code")(lambda session: {})
    assert "apply_code" not in registry.ONCE


def _settings_in_a_subprocess(var_dir, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("EXCERPTA_")}
    code = (
        "import django; django.setup(); from django.apps import apps; "
        "print(apps.is_installed('devtools'))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "EXCERPTA_VAR_DIR": str(var_dir),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_development_tools_are_installed_only_when_asked_for(tmp_path):
    assert _settings_in_a_subprocess(tmp_path).stdout.strip() == "False"
    assert _settings_in_a_subprocess(tmp_path, EXCERPTA_DEVTOOLS="1").stdout.strip() == "True"
    refused = _settings_in_a_subprocess(tmp_path, EXCERPTA_MEASUREMENT_HEADERS="1")
    assert refused.returncode != 0
    assert "needs EXCERPTA_DEVTOOLS=1" in refused.stderr


def test_only_some_measurements_are_taken_and_an_unknown_key_is_named():
    registry.load_areas()
    only = ["similar", "rollup", "apply_code_per_floor"]
    assert list(registry.wanted(registry.REQUESTS, only)) == ["similar"]
    assert list(registry.wanted(registry.CALLS, only)) == ["rollup"]
    assert list(registry.wanted(registry.DERIVED, only)) == ["apply_code_per_floor"]
    assert registry.wanted(registry.ONCE, only) == {}
    assert registry.wanted(registry.REQUESTS, []) == registry.REQUESTS
    registry.check_keys(only)
    with pytest.raises(ValueError, match="No measurement is called simlar, zzz; there are "):
        registry.check_keys(["simlar", "similar", "zzz"])
