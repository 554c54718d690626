"""Setting Excerpta up from a fresh clone (`make setup`, shared by `make run` and `make
test`) says nothing but what goes wrong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings


@pytest.mark.slow
def test_the_editable_install_prints_no_notice(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    # The Makefile's install, in a virtual environment of its own (the project alone: its
    # dependencies are this one's, read through a .pth of theirs).
    site = next((venv / "lib").glob("python3*/site-packages"))
    here = next(p for p in sys.path if p.endswith("site-packages"))
    (site / "theirs.pth").write_text(here + "\n")
    install = [venv / "bin" / "python", "-m", "pip", "install", "--quiet"]
    done = subprocess.run(
        [*install, "--disable-pip-version-check", "--no-deps", "-e", settings.BASE_DIR],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    # pip's own complaints about this machine's configuration (an index folder it lacks)
    # are not the project's.
    said = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.strip() and not line.startswith("WARNING: Location")
    ]
    assert said == []
    probe = "import interviews; print(interviews.__file__)"
    found = subprocess.run(
        [venv / "bin" / "python", "-c", probe], capture_output=True, text=True, cwd=tmp_path
    )
    assert Path(found.stdout.strip()).parent == Path(settings.BASE_DIR) / "interviews"
