"""Hand-written SQL lives in one module per app, beside the measurement that keeps it there
(issue 9): everything else goes through the ORM, so that a reader finds every statement of
an app in one place and new code copies the ORM's shape."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from django.conf import settings

# What writes SQL by hand: a cursor, raw(), RawSQL, extra(). Migrations may (RunSQL).
RAW_SQL = re.compile(r"\.cursor\(|\.raw\(|\bRawSQL\(|\.extra\(|\.execute(many)?\(")
# The health check's `SELECT 1` asks whether the database answers, not for data.
ALLOWED = {"config/health.py"}


def raw_sql_modules() -> dict[str, list[str]]:
    """{top-level package: [modules in it that write SQL by hand]}."""
    root = Path(settings.BASE_DIR)
    found = defaultdict(list)
    for path in sorted(root.glob("*/**/*.py")):
        relative = path.relative_to(root)
        top = relative.parts[0]
        if top in {"tests", ".venv", "var", "node_modules"} or "migrations" in relative.parts:
            continue
        if relative.as_posix() in ALLOWED:
            continue
        if RAW_SQL.search(path.read_text(encoding="utf-8")):
            found[top].append(relative.as_posix())
    return found


def test_each_app_writes_its_sql_in_one_module_named_for_it():
    found = raw_sql_modules()
    assert found, "the scan found no SQL module at all: is it reading the right folder?"
    for app, modules in found.items():
        assert len(modules) == 1, f"{app} writes SQL in several modules: {modules}"
        assert modules[0].endswith("sql.py"), f"{modules[0]}: move its SQL to {app}/sql.py"


def test_the_hand_made_row_builder_session_store_and_login_backend_are_gone():
    root = Path(settings.BASE_DIR)
    for module in ("interviews/rows.py", "config/sessions.py", "config/backends.py"):
        assert not (root / module).exists(), module
