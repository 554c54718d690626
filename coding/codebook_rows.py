"""The rows of the codebook table, built in Python like the coding page's lists.

A template loop over a study's codes, with their definitions and criteria, cost more than
counting their usage; this renders the same markup in a tenth of the time. Every piece of
user text (names, definitions, criteria, examples) goes through `escape`.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .selectors import CodeNode


def _criteria(code) -> str:
    parts = [
        ("Use when", code.inclusion),
        ("Do not use when", code.exclusion),
        ("Example", f"“{code.example}”" if code.example else ""),
    ]
    items = "".join(f"<dt>{label}</dt><dd>{escape(text)}</dd>" for label, text in parts if text)
    if not items:
        return ""
    return (
        "<details><summary>Criteria and example"
        f'<span class="visually-hidden"> of “{escape(code.name)}”</span></summary>'
        f'<dl class="criteria">{items}</dl></details>'
    )


def _linked(node: CodeNode, retrieve_url: str) -> str:
    """The count of a code's excerpts with its sub-codes, linking to them on the retrieval
    page (which counts a code with its branch too); none, no link."""
    if not retrieve_url or not node.branch_excerpts:
        return str(node.branch_excerpts)
    # The accessible name holds the visible number (WCAG's "label in name").
    label = escape(f"{node.branch_excerpts} excerpts of {node.code.name}", quote=True)
    return (
        f'<a href="{retrieve_url}?code={node.code.pk}" aria-label="{label}">'
        f"{node.branch_excerpts}</a>"
    )


def _row(node: CodeNode, edit_prefix: str, can_write: bool, retrieve_url: str) -> str:
    code = node.code
    definition = f'<p class="definition">{escape(code.definition)}</p>' if code.definition else ""
    actions = ""
    if can_write:
        url = f"{edit_prefix}{code.pk}/"
        # The rest of the name, after the visible word, tells one row's Edit from the next
        # to a screen reader (WCAG 2.5.3: the name begins with what is seen).
        actions = (
            f'<td class="row-actions"><a class="link" href="{url}" hx-get="{url}" '
            'hx-target="#code-editor" hx-swap="outerHTML">Edit<span class="visually-hidden">'
            f" the code “{escape(code.name)}”</span></a></td>"
        )
    return (
        f'<tr id="code-{code.pk}"><th scope="row" class="depth-{node.depth}">'
        f'<span class="swatch c-{code.colour}" aria-hidden="true"></span>'
        f'<span class="code-name">{escape(code.name)}</span>{definition}{_criteria(code)}</th>'
        f'<td class="num">{node.excerpts}</td><td class="num">{_linked(node, retrieve_url)}</td>'
        f'<td class="num">{node.respondents}</td><td class="num">{node.branch_respondents}</td>'
        f"{actions}</tr>"
    )


def render_rows(
    nodes: Iterable[CodeNode], *, edit_prefix: str, can_write: bool, retrieve_url: str = ""
) -> SafeString:
    """The rows; `retrieve_url` is the study's retrieval page, which each code's count of
    excerpts (with its sub-codes) links to."""
    return mark_safe("".join(_row(node, edit_prefix, can_write, retrieve_url) for node in nodes))
