"""The list of codes in the coding page's picker.

Built in Python like the side list (see sidelist.py): a template loop over a study's codes
cost a few milliseconds on every coding page. Names are escaped; nothing else is user text.
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe


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
