"""The stated layout of the descriptions an export writes, and its reading back.

REFI-QDA gives a code one free-text `Description`, a Set (a theme) likewise. Excerpta's
code has four texts and a theme has a parent, so they are written as labelled sections,
in this order, each left out when empty:

    Definition:
    <the definition>

    Inclusion criteria:
    <the inclusion criteria>

    Exclusion criteria:
    <the exclusion criteria>

    Example:
    <the example>

A heading is a line of its own, ending with a colon, at the start or after a blank line;
another tool shows the whole as one readable text. A theme's Set description is
"Description:" then "Sub-theme of:" (the parent theme's name), in the same way.

Reading back (`sections_read`) takes the known headings in that order; a text that does
not start with one of them (a description written by another tool) is all the first
field (the definition, the theme's description). Known limit: a field whose own text
holds, after a blank line, a line that is exactly a later heading ("Example:") is read
back split there.
"""

from __future__ import annotations

from collections.abc import Sequence

CODE_SECTIONS = (
    ("definition", "Definition"),
    ("inclusion", "Inclusion criteria"),
    ("exclusion", "Exclusion criteria"),
    ("example", "Example"),
)
THEME_SECTIONS = (("description", "Description"), ("parent", "Sub-theme of"))


def sections_write(sections: Sequence[tuple[str, str]], values: dict[str, str]) -> str:
    """The description of `values` (field name -> text) in the layout of `sections`
    ((field, heading) pairs); "" when every field is empty. Texts are stripped of
    surrounding white space, nothing else."""
    parts = [
        f"{heading}:\n{values[field].strip()}"
        for field, heading in sections
        if values.get(field, "").strip()
    ]
    return "\n\n".join(parts)


def sections_read(sections: Sequence[tuple[str, str]], text: str) -> dict[str, str]:
    """The fields of a description in the layout of `sections`: a dict with every field
    of `sections`, "" for those absent. The inverse of `sections_write` (see the module's
    known limit); a text in no known layout is all the first field."""
    values = {field: "" for field, _ in sections}
    text = text.replace("\r\n", "\n").strip()
    # Each heading is looked for after the one before it, so the order is the stated one.
    found: list[tuple[str, int, int]] = []
    position = 0
    for field, heading in sections:
        marker = f"{heading}:\n"
        if text.startswith(marker, position) and position == 0:
            at = 0
        else:
            at = text.find(f"\n\n{marker}", position)
            if at < 0:
                continue
            at += 2
        found.append((field, at, at + len(marker)))
        position = at + len(marker)
    if not found or found[0][1] != 0:
        values[sections[0][0]] = text
        return values
    for (field, _, begin), following in zip(found, [*found[1:], None], strict=True):
        end = following[1] - 2 if following else len(text)
        values[field] = text[begin:end].strip()
    return values
