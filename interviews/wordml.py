"""The text a reader sees in a .docx, read from the XML parts a SafeArchive gives out.

python-docx is not used here: it would read each part whole and trust the zip. The parts are
parsed with lxml under a strict parser (no DTD, no entities, no network, no huge trees) and
streamed paragraph by paragraph, so memory follows the largest paragraph, not the document.

What is kept, and why:
- Tracked changes as Word shows the final text: insertions and moved-to text in, deletions
  and moved-from text out; a deleted paragraph mark joins its paragraph to the next one.
- Tables, one line per row ("Speaker | words" rows become "Speaker: words").
- Text boxes, after the paragraph that anchors them; Word's alternate content is read once.
- Fields by their result (what the page shows), never their code.
- Tabs, line breaks, symbols (w:sym), non-breaking hyphens; soft hyphens are invisible.
- Footnotes and endnotes: the reference becomes "[n]" and the notes follow the transcript.
- Hidden text (w:vanish) is left out, as are headers and footers: they repeat on every page
  and hold titles, page numbers and confidentiality lines, not what was said.
- Comments are left out: they are remarks on the text, not the text.
"""

from __future__ import annotations

import io
import posixpath
from dataclasses import dataclass, field

from .archive import SafeArchive
from .text import ImportRejected

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Word's "Strict Open XML Document" names the same elements in another namespace.
_STRICT_W = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
_TRANSITIONAL_W = W[1:-1].encode()
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_OFFICE_DOCUMENT = "/officeDocument"

P, TBL, TR, TC, R, T = W + "p", W + "tbl", W + "tr", W + "tc", W + "r", W + "t"
INS, DEL, MOVE_FROM, MOVE_TO = W + "ins", W + "del", W + "moveFrom", W + "moveTo"
TXBX, RPR, VANISH = W + "txbxContent", W + "rPr", W + "vanish"
CHANGES = (INS, DEL, MOVE_FROM, MOVE_TO)
# Elements whose content a reader never sees: deleted or moved-away text, field codes,
# properties, and the places comments and notes hang from.
_UNSEEN = frozenset(
    W + name
    for name in [
        *("del", "moveFrom", "delText", "instrText", "delInstrText"),
        *("pPr", "rPr", "tblPr", "trPr", "tcPr", "sectPr"),
        *("commentReference", "annotationRef", "proofErr", "bookmarkStart", "bookmarkEnd"),
        *("footnoteRef", "endnoteRef", "separator", "continuationSeparator"),
    ]
)
# What a run's own elements show.
_RUN_TEXT = {W + "tab": "\t", W + "ptab": "\t", W + "br": "\n", W + "cr": "\n"}
_RUN_TEXT |= {W + "softHyphen": "", W + "noBreakHyphen": "-"}
_NOTE_REFERENCES = {W + "footnoteReference": "footnotes", W + "endnoteReference": "endnotes"}
# The Symbol font puts Greek letters where Latin ones are; other symbol fonts (Wingdings)
# hold pictures with no character to stand for them.
_SYMBOL_GREEK = dict(
    zip(
        range(0x41, 0x7B),
        "ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ[∴]⊥_‾αβχδεφγηιϕκλμνοπθρστυϖωξψζ",
        strict=True,
    )
)


@dataclass
class DocxText:
    """The text of a .docx: `lines` are its paragraphs and table rows, in reading order."""

    lines: list[str]
    tracked_changes: bool = False
    paragraphs: int = 0


@dataclass
class _State:
    paragraph_limit: int
    paragraphs: int = 0
    tracked_changes: bool = False
    # A paragraph whose mark was deleted as a tracked change runs on into the next one.
    carry: str = ""
    # Whether the paragraph being read holds hidden text anywhere.
    vanish: bool = False
    # (kind, note id) in the order the text refers to them; their number is index + 1.
    notes: list[tuple[str, str]] = field(default_factory=list)


def safe_parser_options() -> dict:
    """lxml options for XML from a file a user uploaded: nothing outside it is ever read."""
    return {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
    }


def read_docx_text(archive: SafeArchive, *, paragraph_limit: int) -> DocxText:
    """Read the main document (and its notes) of a .docx archive.

    Raises ImportRejected when a part is missing, its XML is damaged or has a DTD, or the
    document holds more than `paragraph_limit` paragraphs. lxml errors propagate as
    etree.LxmlError for the caller's parser boundary.
    """
    document = _main_document(archive)
    state = _State(paragraph_limit=paragraph_limit)
    lines: list[str] = []
    blocks = (P, TBL, W + "sdt", W + "customXml")
    for block in _stream(archive.read(document), W + "body", blocks):
        lines.extend(_block_lines(block, state))
    if state.carry:
        lines.append(state.carry)
    if state.notes:
        lines.extend(_notes(archive, document, state))
    return DocxText(lines, state.tracked_changes, state.paragraphs)


def _main_document(archive: SafeArchive) -> str:
    """The main document part named by the package's relationships (word/document.xml in
    every file Word writes)."""
    if "_rels/.rels" in archive:
        for target, kind in _relationships(archive, "_rels/.rels", ""):
            if kind.endswith(_OFFICE_DOCUMENT) and target in archive:
                return target
    if "word/document.xml" in archive:
        return "word/document.xml"
    raise ImportRejected("it is a zip file but not a Word document")


def _relationships(archive: SafeArchive, rels: str, base: str) -> list[tuple[str, str]]:
    """(part name, relationship type) for each internal relationship in a .rels part."""
    found = []
    for element in _stream(archive.read(rels), None, (_RELS,)):
        target = element.get("Target", "")
        if element.get("TargetMode") == "External" or not target:
            continue
        name = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        found.append((posixpath.normpath(name), element.get("Type", "")))
    return found


def _stream(xml: bytes, parent: str | None, tags: tuple[str, ...]):
    """Yield each element with a tag in `tags` whose parent is `parent` (any depth when
    None), then free it: memory follows one block, not the whole part."""
    # lxml (6 MB in a gunicorn worker) is imported by the first .docx read, not as the app
    # loads: most workers never read one (issue 9: a worker under 160 MB).
    from lxml import etree

    if _STRICT_W in xml[:4096]:
        xml = xml.replace(_STRICT_W, _TRANSITIONAL_W)
    context = etree.iterparse(io.BytesIO(xml), events=("end",), tag=tags, **safe_parser_options())
    checked = False
    for _, element in context:
        if not checked:
            if element.getroottree().docinfo.internalDTD is not None:
                raise ImportRejected("it is not a valid Word document (it declares a DTD)")
            checked = True
        if parent is not None and element.getparent().tag != parent:
            continue
        yield element
        element.clear(keep_tail=False)
        while element.getprevious() is not None:
            del element.getparent()[0]


def _block_lines(block, state: _State) -> list[str]:
    """The lines of a body-level element: a paragraph (and its text boxes), a table, or a
    content control wrapping either."""
    if block.tag == P:
        return _paragraph_lines(block, state)
    if block.tag == TBL:
        state.tracked_changes |= _has_changes(block)
        return _table_lines(block, state)
    lines = []
    for child in _content(block):
        lines.extend(_block_lines(child, state))
    return lines


def _content(element):
    """Block children, looking through content controls and custom XML wrappers."""
    for child in element:
        if child.tag in (P, TBL):
            yield child
        elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
            yield from _content(child)


def _paragraph_lines(paragraph, state: _State) -> list[str]:
    state.paragraphs += 1
    if state.paragraphs > state.paragraph_limit:
        raise ImportRejected(
            f"it has more than {state.paragraph_limit:,} paragraphs, over the limit for one "
            "transcript"
        )
    state.tracked_changes |= _has_changes(paragraph)
    # Looking for hidden text run by run is slow; most paragraphs have none. A text box
    # inside is a paragraph of its own, so the outer paragraph's answer is put back after.
    outer, state.vanish = state.vanish, next(paragraph.iter(VANISH), None) is not None
    parts: list[str] = []
    boxes: list[str] = []
    _inline(paragraph, parts, boxes, state)
    state.vanish = outer
    text = state.carry + "".join(parts)
    state.carry = ""
    mark = paragraph.find(f"{W}pPr/{W}rPr/{W}del")
    if mark is not None:
        # Word shows this paragraph joined to the next until the change is rejected.
        state.carry = text
        return boxes
    return [text, *boxes]


def _has_changes(element) -> bool:
    return next(element.iter(*CHANGES), None) is not None


def _inline(element, parts: list[str], boxes: list[str], state: _State) -> None:
    """Append the text a reader sees inside `element` to `parts`, in order; text boxes
    met on the way go to `boxes`."""
    for child in element:
        _inline_one(child, parts, boxes, state)


def _inline_one(child, parts: list[str], boxes: list[str], state: _State) -> None:
    tag = child.tag
    if tag in _UNSEEN or not isinstance(tag, str):
        return
    if tag == R:
        _run(child, parts, boxes, state)
    elif tag == MC + "AlternateContent":
        # Choice and Fallback hold the same content for different readers: read one.
        if len(child):
            _inline(child[0], parts, boxes, state)
    elif tag == TXBX:
        boxes.extend(line for line in _box_lines(child, state) if line.strip())
    else:
        # Insertions, moved-to text, hyperlinks, fields, smart tags, content controls,
        # drawings: their text is the reader's.
        _inline(child, parts, boxes, state)


def _run(run, parts: list[str], boxes: list[str], state: _State) -> None:
    for child in run:
        tag = child.tag
        if tag == RPR:
            if state.vanish and _hidden(child):
                # Hidden text (w:vanish) is not shown, nor printed.
                return
        elif tag == T:
            parts.append(child.text or "")
        elif tag in _RUN_TEXT:
            parts.append(_RUN_TEXT[tag])
        elif tag == W + "sym":
            parts.append(_symbol(child))
        elif tag in _NOTE_REFERENCES:
            state.notes.append((_NOTE_REFERENCES[tag], child.get(W + "id", "")))
            parts.append(f"[{len(state.notes)}]")
        else:
            # Drawings and pictures: only the text boxes inside them are text.
            _inline_one(child, [], boxes, state)


def _hidden(properties) -> bool:
    vanish = properties.find(VANISH)
    return vanish is not None and vanish.get(W + "val", "true") not in ("0", "false", "off")


def _symbol(sym) -> str:
    try:
        code = int(sym.get(W + "char", ""), 16)
    except ValueError:
        return ""
    # Word stores symbol-font characters in the private use area, shifted by F000.
    if 0xF000 <= code <= 0xF0FF:
        code -= 0xF000
        font = (sym.get(W + "font") or "").casefold()
        if font == "symbol":
            return _SYMBOL_GREEK.get(code, chr(code) if 0x20 <= code < 0x7F else "")
        return (
            chr(code)
            if 0x20 <= code < 0x7F and not font.startswith(("wingdings", "webdings"))
            else ""
        )
    return chr(code) if 0x20 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else ""


def _box_lines(box, state: _State) -> list[str]:
    lines = []
    for child in _content(box):
        lines.extend(_block_lines(child, state))
    return lines


def _table_lines(table, state: _State) -> list[str]:
    """Flatten a table: "Speaker | words" rows become "Speaker: words" so turns are found."""
    lines = []
    for row in _children(table, TR):
        if row.find(f"{W}trPr/{W}del") is not None:
            continue
        cells = []
        for cell in _children(row, TC):
            text = " ".join(" ".join(_box_lines(cell, state)).split())
            if text:
                cells.append(text)
        if not cells:
            continue
        first = cells[0].rstrip(":")
        if len(cells) >= 2 and len(first) <= 40 and len(first.split()) <= 3:
            lines.append(f"{first}: {' '.join(cells[1:])}")
        else:
            lines.append(" | ".join(cells))
    return lines


def _children(element, tag: str):
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml"):
            yield from _children(child, tag)


def _notes(archive: SafeArchive, document: str, state: _State) -> list[str]:
    """The footnotes and endnotes the text refers to, as "[n] text" lines, in its order."""
    base = posixpath.dirname(document)
    rels = posixpath.join(base, "_rels", posixpath.basename(document) + ".rels")
    parts = {}
    if rels in archive:
        for target, kind in _relationships(archive, rels, base):
            for name in ("footnotes", "endnotes"):
                if kind.endswith("/" + name) and target in archive:
                    parts[name] = target
    texts: dict[tuple[str, str], str] = {}
    for kind, part in parts.items():
        tag = W + kind[:-1]
        for note in _stream(archive.read(part), None, (tag,)):
            lines = []
            for block in _content(note):
                lines.extend(_block_lines(block, state))
            texts[(kind, note.get(W + "id", ""))] = " ".join(" ".join(lines).split())
    lines = [
        f"[{number}] {texts[note]}"
        for number, note in enumerate(state.notes, start=1)
        if texts.get(note)
    ]
    return lines
