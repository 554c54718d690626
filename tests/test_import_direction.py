"""The dependency arrows run one way: core ← interviews ← coding ← themes, with demo/ and
devtools/ on top, using anything and used by nothing.

Every module of every package is parsed (ast), its imports read wherever they are (at the
top or inside a function), and each is checked against what its package may import. So are
the strings that name a module of another package (an import by name, a dotted path), and,
for interviews/, the URL names of coding/ and themes/ in its code and templates: the pages
interviews/ links to that another app shows go through interviews.pages, which that app
fills in (coding/apps.py).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(settings.BASE_DIR)
APPS = {"core", "interviews", "coding", "themes", "demo", "devtools"}
# What each package may import, besides itself, Django and third-party libraries.
ALLOWED = {
    "core": set(),
    "interviews": {"core"},
    "coding": {"core", "interviews"},
    "themes": {"core", "interviews", "coding"},
    "demo": {"core", "interviews", "coding", "themes", "config"},
    "devtools": {"core", "interviews", "coding", "themes", "config"},
    # The project's wiring (settings, URLs, WSGI) installs the apps; no app imports it.
    "config": {"core", "interviews", "coding", "themes", "demo", "devtools"},
}
# What reverses a URL name given as its first argument.
_URL_CALLS = {"reverse", "reverse_lazy", "redirect", "resolve_url"}
_DOTTED = re.compile(r"^([a-z_]+)\.[A-Za-z_][\w.]*$")


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imported(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every import in `path`, and of every string constant
    shaped like a dotted path into one of the apps ("coding.views.x", "themes.models")."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = _DOTTED.match(node.value)
            if match and match[1] in APPS | {"config"}:
                found.append((node.lineno, match[1]))
    return found


def _wrong_arrows(package: str) -> list[str]:
    allowed = ALLOWED[package] | {package}
    return [
        f"{path.relative_to(ROOT)}:{line} imports {target}"
        for path in _modules(package)
        for line, target in _imported(path)
        if target in (APPS | {"config"}) - allowed
    ]


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_the_packages_below_it(package):
    assert _modules(package), f"{package}/ has no modules: is the layout still the same?"
    assert _wrong_arrows(package) == []


def test_the_check_sees_an_import_inside_a_function_and_a_dotted_string(tmp_path):
    module = tmp_path / "sneaky.py"
    module.write_text(
        "def f():\n    from coding import services\n\nPATH = 'themes.views.theme'\n",
        encoding="utf-8",
    )
    assert _imported(module) == [(2, "coding"), (4, "themes")]


def _url_names(urlconf: str) -> set[str]:
    names, patterns = set(), list(get_resolver(urlconf).url_patterns)
    while patterns:
        pattern = patterns.pop()
        if isinstance(pattern, URLResolver):
            patterns += pattern.url_patterns
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_interviews_names_no_page_of_coding_or_themes():
    upper = (_url_names("coding.urls") | _url_names("themes.urls")) - _url_names("interviews.urls")
    named = []
    for path in _modules("interviews"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) in _URL_CALLS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value in upper
            ):
                name = node.args[0].value
                named.append(f"{path.relative_to(ROOT)}:{node.lineno} reverses {name!r}")
    url_tag = re.compile(r"""{%\s*url\s+['"]([\w-]+)['"]""")
    for path in sorted((ROOT / "templates" / "interviews").rglob("*.html")):
        for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            named += [
                f"{path.relative_to(ROOT)}:{line} links to {name!r}"
                for name in url_tag.findall(text)
                if name in upper
            ]
    assert named == []
