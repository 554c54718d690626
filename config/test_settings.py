"""The test suite's settings: the app's own, with the development tools installed, so that
the benchmark's tests run (pyproject.toml points pytest-django here)."""

from __future__ import annotations

import os

os.environ.setdefault("EXCERPTA_DEVTOOLS", "1")

from config.settings import *  # noqa: F403
