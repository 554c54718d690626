"""No module of ours leans on a private part of Python's standard library (issue 11): a name
starting with "_" in a standard module (re._casefix, sys._getframe)
may change or go without notice from one Python version to the next, and with it what the
code does. Public behaviour only; a test names each module that breaks the rule."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from django.conf import settings

STDLIB = frozenset(sys.stdlib_module_names)
SKIPPED = {".venv", "var", "node_modules", ".git"}


def _private(dotted: str) -> bool:
    """Whether `dotted` ("re._casefix") names a private part of a standard module."""
    top, *rest = dotted.split(".")
    return top in STDLIB and any(part.startswith("_") and not part.endswith("__") for part in rest)


def private_uses(source: str) -> list[str]:
    """The private standard-library names `source` imports or reaches ("re._casefix")."""
    tree = ast.parse(source)
    found, imported = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                imported.add(alias.asname or alias.name.split(".")[0])
                if _private(alias.name):
                    found.append(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if _private(node.module):
                found.append(node.module)
            else:
                names = (f"{node.module}.{alias.name}" for alias in node.names)
                found += [name for name in names if _private(name)]
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in imported
            and _private(f"{node.value.id}.{node.attr}")
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return sorted(set(found))


def test_it_finds_each_way_of_reaching_a_private_part():
    source = (
        "import re\nimport sre_compile\nfrom re._casefix import _EXTRA_CASES\n"
        "from re import _parser\nimport json.decoder\nfrom collections import abc\n"
        "x = re._MAXCACHE\ny = re.__name__\nz = mine._helper\n"
    )
    assert private_uses(source) == ["re._MAXCACHE", "re._casefix", "re._parser"]


def test_no_module_uses_a_private_part_of_the_standard_library():
    root = Path(settings.BASE_DIR)
    paths = [
        path
        for path in sorted(root.glob("**/*.py"))
        if not SKIPPED & set(path.relative_to(root).parts)
    ]
    assert len(paths) > 100, "the scan found few modules: is it reading the right folder?"
    found = {
        path.relative_to(root).as_posix(): uses
        for path in paths
        if (uses := private_uses(path.read_text(encoding="utf-8")))
    }
    assert found == {}
