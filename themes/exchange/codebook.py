"""The codebook and the themes in REFI-QDA: the code tree (in a project's .qde and in a
.qdc codebook file) and the themes as Sets of codes.

Themes are written as **Sets of codes**, not as a level of the code tree: a code may serve
several themes, which a tree (one parent per code) cannot say without copying the code and
its codings, and a theme gathers codes without changing what they are. Each theme is one
Set: its name, a Description in the layout of `layout.THEME_SECTIONS` (its description,
and its parent theme's name for a sub-theme, since Sets do not nest), a MemberCode per
code attached to it (the code stands for its whole branch, as everywhere in Excerpta), and
in a project a MemberNote per memo on the theme. Sets come in the order of the themes'
tree, a parent before its sub-themes.

Every code is codable (`isCodable="true"`): Excerpta has no folders. Its colour is
`#RRGGBB`; its definition, inclusion and exclusion criteria and example are its
Description, in the layout of `layout.CODE_SECTIONS`. In a project each memo on a code is
a Note its Code refers to (NoteRef); a .qdc has no notes (its schema allows no NoteRef).
"""

from __future__ import annotations

import re
from typing import IO

from .guids import StudyGuids
from .layout import CODE_SECTIONS, THEME_SECTIONS, sections_write
from .reading import StudyContent
from .xml import XmlWriter

CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
_RGB = re.compile(r"#[0-9A-Fa-f]{6}")


class EmptyCodebook(ValueError):
    """A .qdc needs at least one code (its schema's `Codes` holds one or more)."""


def _children(rows: list[tuple]) -> dict[int | None, list[tuple]]:
    """The rows shaped (id, parent_id, ...) by parent id, in the rows' order; a row whose
    parent is not among them is a root (under None)."""
    ids = {row[0] for row in rows}
    children: dict[int | None, list[tuple]] = {}
    for row in rows:
        children.setdefault(row[1] if row[1] in ids else None, []).append(row)
    return children


def _colour(colour: str) -> str | None:
    # Colours are validated on entry; one that is not #rrggbb is left out, not made invalid.
    return colour.upper() if _RGB.fullmatch(colour) else None


def write_codes(
    xml: XmlWriter,
    content: StudyContent,
    guids: StudyGuids,
    notes: dict[int, list[str]] | None = None,
) -> None:
    """`<Codes>` with the study's code tree; `notes` maps a code id to the GUIDs of the
    Notes on it (None in a .qdc). Writes nothing when the study has no codes (an empty
    `<Codes/>` is invalid)."""
    children = _children(content.codes)
    if not content.codes:
        return

    def code(row: tuple) -> None:
        code_id, _, name, colour, definition, inclusion, exclusion, example = row
        description = sections_write(
            CODE_SECTIONS,
            {
                "definition": definition,
                "inclusion": inclusion,
                "exclusion": exclusion,
                "example": example,
            },
        )
        with xml.element(
            "Code",
            guid=guids.of("code", code_id),
            name=name,
            isCodable="true",
            color=_colour(colour),
        ):
            if description:
                xml.text("Description", description)
            for note in (notes or {}).get(code_id, []):
                xml.empty("NoteRef", targetGUID=note)
            for child in children.get(code_id, []):
                code(child)

    with xml.element("Codes"):
        for root in children.get(None, []):
            code(root)


def themes_in_order(content: StudyContent) -> list[tuple]:
    """The themes (id, parent_id, name, description), each parent before its sub-themes,
    siblings in the researcher's order."""
    children = _children(content.themes)
    ordered: list[tuple] = []

    def walk(rows: list[tuple]) -> None:
        for row in rows:
            ordered.append(row)
            walk(children.get(row[0], []))

    walk(children.get(None, []))
    return ordered


def write_sets(
    xml: XmlWriter,
    content: StudyContent,
    guids: StudyGuids,
    *,
    member: str,
    notes: dict[int, list[str]] | None = None,
) -> None:
    """`<Sets>`, one Set per theme (see the module's docstring); `member` is the
    attribute naming a MemberCode's code ("targetGUID" in a project, "guid" in a .qdc),
    `notes` maps a theme id to the GUIDs of the Notes on it (None in a .qdc). Writes
    nothing when the study has no themes."""
    themes = themes_in_order(content)
    if not themes:
        return
    names = {theme_id: name for theme_id, _, name, _ in themes}
    with xml.element("Sets"):
        for theme_id, parent_id, name, description in themes:
            with xml.element("Set", guid=guids.of("theme", theme_id), name=name):
                text = sections_write(
                    THEME_SECTIONS,
                    {"description": description, "parent": names.get(parent_id, "")},
                )
                if text:
                    xml.text("Description", text)
                for code_id in content.theme_codes.get(theme_id, []):
                    xml.empty("MemberCode", **{member: guids.of("code", code_id)})
                for note in (notes or {}).get(theme_id, []):
                    xml.empty("MemberNote", targetGUID=note)


def write_qdc(out: IO[bytes], content: StudyContent, guids: StudyGuids, origin: str) -> None:
    """The study's codebook as a .qdc document (the Codebook schema's `CodeBook`) to the
    binary stream `out`. Raises EmptyCodebook when the study has no codes."""
    if not content.codes:
        raise EmptyCodebook("This study has no codes yet: a codebook file needs at least one.")
    xml = XmlWriter(out)
    with xml.element("CodeBook", xmlns=CODEBOOK_NAMESPACE, origin=origin):
        write_codes(xml, content, guids)
        write_sets(xml, content, guids, member="guid")
    xml.end()
