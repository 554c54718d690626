"""The coding page's picker: its list of codes, and the warning about a new code whose
name is close to an existing one ("Peer suport" when "Peer support" exists).

Built in Python like the side list (see sidelist.py): a template loop over a study's codes
cost a few milliseconds on every coding page. Names are escaped; nothing else is user text.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe
from rapidfuzz import fuzz, process

from core.naming import name_key

from .selectors import CodeRow

# rapidfuzz's ratio (0-100, the Levenshtein similarity of two strings) from which a new name
# is taken for a slip of an existing one: "peer suport" / "peer support" scores 96,
# "stress" / "stretch" 77.
SIMILAR_FROM = 85


def render_options(tree: list[tuple], *, oob: bool = False) -> SafeString:
    """`tree` holds (code row, depth) in tree order, as workspace.code_tree gives it."""
    swap = ' hx-swap-oob="true"' if oob else ""
    options = "".join(
        f'<li role="option" id="opt-{code.id}" data-id="{code.id}" '
        f'data-name="{escape(code.name)}" class="depth-{depth}" aria-selected="false">'
        f'<span class="swatch c-{code.colour}" aria-hidden="true"></span>{escape(code.name)}</li>'
        for code, depth in tree
    )
    return mark_safe(
        f'<ul id="code-options" role="listbox" aria-multiselectable="true" aria-label="Codes"'
        f"{swap}>{options}"
        '<li role="option" id="opt-new" data-new class="create" aria-selected="false" hidden>'
        "Create “<span></span>”</li></ul>"
    )


def similar_codes(name: str, codes: Iterable[CodeRow], *, limit: int = 3) -> list[CodeRow]:
    """The codes (at most `limit`, most alike first) whose names look like `name` without
    being it: names compared by their keys (NFC after case folding), a ratio of at least
    SIMILAR_FROM. A code whose key equals `name`'s is the same code, not a similar one."""
    rows = list(codes)
    keys = [name_key(code.name) for code in rows]
    wanted = name_key(name)
    found = process.extract(
        wanted, keys, scorer=fuzz.ratio, score_cutoff=SIMILAR_FROM, limit=limit + 1
    )
    return [rows[index] for key, _score, index in found if key != wanted][:limit]


def render_near_duplicate(name: str, similar: list[CodeRow]) -> SafeString:
    """The picker's warning (swapped out of band into #picker-warning): `name` looks like
    the codes `similar`; a button for each of them and one to create `name` all the same."""
    typed = escape(name)
    names = ", ".join(f"“{escape(code.name)}”" for code in similar)
    uses = "".join(
        f'<button type="button" data-use-code="{code.id}">Use “{escape(code.name)}”</button>'
        for code in similar
    )
    return mark_safe(
        '<div id="picker-warning" class="picker-warning" role="alert" hx-swap-oob="true">'
        f"<p>“{typed}” looks like the code{'s' if len(similar) > 1 else ''} {names}. "
        "Nothing was saved yet.</p>"
        f'{uses}<button type="button" data-confirm-new>Create “{typed}” all the same</button>'
        "</div>"
    )
