"""Reading REFI-QDA files from other tools into plain dataclasses, leniently and safely.

A project (.qdpx: a zip of the project XML and its sources; or a bare .qde) or a codebook
(.qdc) becomes an `Exchange`: codes, text sources with their selections in code points over
LF-only text, cases, variables, notes and sets. Nothing here touches the database; the
import services (themes.exchange.qdpx_import) write what this returns.

Lenient with what real tools write (../shared/refi/NOTES.md): the project XML under any
name ending .qde, `sources/` or `Sources/`, empty list elements, any `urn:QDA-XML:*`
namespace (elements are matched by local name), BOMs and CRLF in sources, and positions in
UTF-16 code units (NVivo for Windows) or over CRLF counted as one character (ATLAS.ti),
detected per source and converted. What cannot come over (a picture, audio, video or PDF
source, a graph, a link between other things, a selection off the text) is listed in
`Exchange.dropped`; what was changed on the way in `Exchange.adjusted`.

Hardened: the XML parser reads nothing outside the file (no DTD, no entities, no network),
a DTD is refused outright, archive members that climb out of the archive are refused, and
sizes and compression ratios are checked as members inflate (interviews.archive). Every
refusal is an ImportRejected whose message is shown to the researcher as is.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import PurePosixPath

from django.conf import settings
from django.template.defaultfilters import pluralize

from core.upload_limits import over_limit
from interviews.archive import ArchiveLimits, SafeArchive, open_archive
from interviews.text import ImportRejected, decode_text
from interviews.wordml import safe_parser_options

WHAT = "REFI-QDA project"

logger = logging.getLogger(__name__)

# Media sources a text-only tool cannot hold, by element name, as the report names them.
MEDIA_SOURCES = {
    "PictureSource": "an image",
    "PDFSource": "a PDF",
    "AudioSource": "an audio recording",
    "VideoSource": "a video",
}
# Beyond what any real project holds: refused before anything is written, so that a file
# of a million tiny codes cannot keep a worker busy for an hour (each becomes a row).
LIMITS = {"codes": 5_000, "sources": 1_000, "selections": 200_000, "notes": 20_000, "sets": 5_000}

_GUID = re.compile(
    r"^\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?$"
)
_COLOUR = re.compile(r"^#?([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})(?:[0-9A-Fa-f]{2})?$")


@dataclass
class Code:
    """A code of the codebook. colour: "#rrggbb" or "" when the file had none or garbage."""

    guid: str
    name: str
    codable: bool = True
    colour: str = ""
    description: str = ""
    note_guids: list[str] = field(default_factory=list)
    children: list[Code] = field(default_factory=list)


@dataclass
class Selection:
    """A PlainTextSelection: [start, end) in code points of its source's `text`. created,
    modified: its creationDateTime and modifiedDateTime (aware, see _when), None when the
    file wrote none; coded: code guid -> the creationDateTime of its Coding, where written."""

    guid: str
    start: int
    end: int
    name: str = ""
    description: str = ""
    code_guids: list[str] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)
    coder_guid: str = ""
    created: datetime | None = None
    modified: datetime | None = None
    coded: dict[str, datetime] = field(default_factory=dict)


@dataclass
class Source:
    """A text source. text: UTF-8 decoded, BOM removed, line endings as LF; None when the
    file named by plainTextPath is not in the archive (then it is in Exchange.dropped)."""

    guid: str
    name: str
    text: str | None = None
    description: str = ""
    selections: list[Selection] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)
    # variable guid -> value as written
    values: dict[str, str] = field(default_factory=dict)
    # Where the text comes from, until it is read: plainTextPath, or PlainTextContent.
    path: str = ""
    inline: str | None = None


@dataclass
class Variable:
    guid: str
    name: str
    kind: str  # "text" or "number", as interviews.services.ATTRIBUTE_TYPES


@dataclass
class Case:
    guid: str
    name: str
    description: str = ""
    values: dict[str, str] = field(default_factory=dict)
    source_guids: list[str] = field(default_factory=list)


@dataclass
class Note:
    """A Note; created, modified as a Selection's (None when the file wrote none)."""

    guid: str
    name: str
    text: str
    path: str = ""
    created: datetime | None = None
    modified: datetime | None = None


@dataclass
class CodeSet:
    """A Set: its member codes and notes (memos on it, as Excerpta writes a theme's)."""

    guid: str
    name: str
    description: str = ""
    code_guids: list[str] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)
    # MemberSource elements: a theme cannot gather a source
    sources: int = 0


@dataclass
class Exchange:
    """What a REFI-QDA file holds that Excerpta can take, and what it could not.

    codebook_only: the file was a .qdc (or a project holding no sources).
    project_notes: guids of notes the project itself refers to (NoteRef on Project).
    note_links: note guid -> guids of what a Link ties the note to (ATLAS.ti memos).
    dropped / adjusted: one sentence each, for the report the researcher reads.
    """

    name: str = ""
    origin: str = ""
    codebook_only: bool = False
    users: dict[str, str] = field(default_factory=dict)
    codes: list[Code] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    sets: list[CodeSet] = field(default_factory=list)
    project_notes: list[str] = field(default_factory=list)
    note_links: dict[str, list[str]] = field(default_factory=dict)
    description: str = ""
    dropped: list[str] = field(default_factory=list)
    adjusted: list[str] = field(default_factory=list)
    # Dates written that are no xsd:dateTime: how many, and the first, for the report.
    unread_dates: list[str] = field(default_factory=list)

    def all_codes(self):
        """Every code, parents before their children (depth first)."""
        stack = list(reversed(self.codes))
        while stack:
            code = stack.pop()
            yield code
            stack.extend(reversed(code.children))


def exchange_limits() -> ArchiveLimits:
    """What a .qdpx may hold: its sources are transcripts, so the total is a few times the
    upload limit (NVivo adds a .docx beside each .txt, which is never inflated)."""
    return ArchiveLimits(members=5000, total_bytes=4 * settings.EXCERPTA_MAX_UPLOAD_BYTES)


def read_exchange(name: str, raw: bytes) -> Exchange:
    """Read an uploaded REFI-QDA file: a .qdpx (zip), a bare .qde, or a .qdc codebook.

    name: the uploaded file's name (only its suffix is used, and only when the bytes do not
    say what they are: a .qdpx that is not a zip is refused). raw: the file's bytes.
    Returns an Exchange whose selections are [start, end) in code points of LF-only source
    texts. Raises ImportRejected, with a sentence for the researcher, for a file over the
    upload limit, a damaged or hostile zip, XML that is damaged, declares a DTD or is not a
    REFI-QDA document, or a project with no readable project XML.
    """
    limit = settings.EXCERPTA_MAX_UPLOAD_BYTES
    if len(raw) > limit:
        raise ImportRejected("it is {}, over the {} limit".format(*over_limit(len(raw), limit)))
    if raw.startswith(b"PK"):
        archive = open_archive(raw, limits=exchange_limits(), what=WHAT)
        member = _project_member(archive)
        exchange = _read_xml(archive.read(member))
        if not exchange.codebook_only:
            _read_source_files(exchange, archive)
        return exchange
    if not raw.strip():
        raise ImportRejected("it is empty")
    if name.lower().endswith(".qdpx") and not _looks_like_xml(raw):
        # Its XML would be refused as damaged ("Start tag expected"), which tells the
        # researcher nothing: a .qdpx is a zip archive, and this file is neither that nor
        # a project's XML saved under the archive's name.
        raise ImportRejected(f"it is not a {WHAT} (a .qdpx file is a zip archive, this is not)")
    exchange = _read_xml(raw)
    if not exchange.codebook_only:
        # A bare .qde: its internal:// sources were in the archive it came out of.
        _read_source_files(exchange, None)
    return exchange


def _looks_like_xml(raw: bytes) -> bool:
    """Whether `raw` begins as an XML document does: "<" after any white space and UTF-8
    byte order mark, or a UTF-16 byte order mark."""
    return raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw.lstrip(
        b"\xef\xbb\xbf \t\r\n"
    ).startswith(b"<")


def _project_member(archive: SafeArchive) -> str:
    """The project XML: project.qde as the spec says, else the one .qde at the top (ATLAS.ti
    names it after the project)."""
    top = [n for n in archive.names if "/" not in n and n.lower().endswith(".qde")]
    exact = [n for n in top if n.lower() == "project.qde"]
    if exact:
        return exact[0]
    if len(top) == 1:
        return top[0]
    if not top:
        raise ImportRejected(f"it is a zip file but not a {WHAT} (it holds no .qde project file)")
    raise ImportRejected(f"it is not a valid {WHAT} (it holds {len(top)} .qde project files)")


# XML ---------------------------------------------------------------------------------------


def _local(element) -> str:
    """The element's name without its namespace ("" for a comment or a processing
    instruction). A project names a dozen kinds of element 120,000 times (20,000
    selections): each tag is split once, then looked up."""
    tag = element.tag
    local = _LOCAL_NAMES.get(tag)
    if local is None:
        if not isinstance(tag, str):
            return ""
        local = tag.rpartition("}")[2]
        # Bounded: a hostile file may name every element differently.
        if len(_LOCAL_NAMES) < 1024:
            _LOCAL_NAMES[tag] = local
    return local


_LOCAL_NAMES: dict[str, str] = {}


# lxml matches "{*}name" in any namespace or none, as _local does, in C: matching each child
# by _local in Python took half the reading of a project of 5,000 selections.
def _children(element, name: str):
    return list(element.iterchildren(f"{{*}}{name}"))


def _child(element, name: str):
    return next(element.iterchildren(f"{{*}}{name}"), None)


def _items(element, wrapper: str, name: str):
    """The `name` children of the list element `wrapper` (<Codes>, <Sets>...): none when the
    list is missing or empty (Taguette writes <Sets/>, which the schema forbids)."""
    found = _child(element, wrapper)
    return [] if found is None else _children(found, name)


def _text(element, name: str) -> str:
    """The text of the child `name` (Description, PlainTextContent, TextValue...), or ""."""
    child = _child(element, name) if element is not None else None
    return (child.text or "").strip() if child is not None else ""


def _parse(raw: bytes):
    # lxml (6 MB in a gunicorn worker) is imported by the first project read, not as the app
    # loads (issue 9: a worker under 160 MB after every page and export).
    from lxml import etree

    parser = etree.XMLParser(**safe_parser_options())
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as error:
        if "DOCTYPE" in str(error) or b"<!DOCTYPE" in raw[:4096]:
            raise ImportRejected(f"it is not a valid {WHAT} (it declares a DTD)") from None
        # lxml's words ("Opening and ending tag mismatch: Code line 3 and Codes") are for
        # us, not for the researcher: logged, and she reads what is wrong in hers.
        logger.info("Damaged REFI-QDA XML: %s", error.msg)
        raise ImportRejected(
            f"it is not a valid {WHAT} (its XML is damaged: it was not saved whole, or "
            "was changed by hand)"
        ) from None
    except (ValueError, UnicodeError, etree.LxmlError):
        raise ImportRejected(f"it is not a valid {WHAT} (its XML is not readable text)") from None
    except RecursionError:
        raise ImportRejected(f"it is not a valid {WHAT} (its XML is nested too deeply)") from None
    # Entities are never expanded (resolve_entities off), but a file with a DTD is no real
    # REFI-QDA export and may only be an attempt at entity expansion: refused outright.
    if root.getroottree().docinfo.internalDTD is not None or root.getroottree().docinfo.doctype:
        raise ImportRejected(f"it is not a valid {WHAT} (it declares a DTD)")
    return root


def _read_xml(raw: bytes) -> Exchange:
    from lxml import etree  # imported on first use: see _parse

    root = _parse(raw)
    namespace = etree.QName(root).namespace or ""
    if namespace and not namespace.startswith("urn:QDA-XML:"):
        raise ImportRejected(f"it is XML but not a {WHAT} (its namespace is “{namespace}”)")
    kind = _local(root)
    exchange = Exchange()
    if kind == "CodeBook":
        exchange.codebook_only = True
        exchange.origin = root.get("origin", "")
        exchange.codes = _codes(_child(root, "Codes"), exchange, set())
        _sets(root, exchange, member_attribute="guid")
        _check_limits(exchange)
        return exchange
    if kind != "Project":
        raise ImportRejected(f"it is XML but not a {WHAT} (its root element is “{kind}”)")
    exchange.name = (root.get("name") or "").strip()
    exchange.origin = root.get("origin", "")
    for user in _items(root, "Users", "User"):
        exchange.users[user.get("guid", "")] = user.get("name") or user.get("id") or ""
    codebook = _child(root, "CodeBook")
    seen: set[str] = set()
    if codebook is not None:
        exchange.codes = _codes(_child(codebook, "Codes"), exchange, seen)
    _variables(root, exchange)
    _cases(root, exchange)
    _sources(root, exchange)
    _notes(root, exchange)
    _links(root, exchange)
    _sets(root, exchange, member_attribute="targetGUID")
    for graph in _items(root, "Graphs", "Graph"):
        exchange.dropped.append(
            f"the graph “{graph.get('name') or 'unnamed'}” (Excerpta has no graphs)"
        )
    exchange.description = _text(root, "Description")
    exchange.project_notes = _note_refs(root)
    if exchange.unread_dates:
        n = len(exchange.unread_dates)
        exchange.adjusted.append(
            f"{n} date{pluralize(n)} the file wrote could not be read as a date and time "
            f"(“{exchange.unread_dates[0]}”): the time of the import stands in for "
            + ("them" if n > 1 else "it")
        )
    _check_limits(exchange)
    exchange.codebook_only = not exchange.sources
    return exchange


def _when(element, attribute: str, exchange: Exchange) -> datetime | None:
    """The element's `attribute` read as an xsd:dateTime ("2020-01-15T10:00:00Z", with or
    without fractions of a second or an offset), aware; one without an offset is taken as
    UTC (QualCoder writes local time with a Z appended: no truer reading exists). None when
    the attribute is absent or empty; one that is no date is noted in
    exchange.unread_dates (then the importer dates the record at the import)."""
    value = (element.get(attribute) or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        exchange.unread_dates.append(value[:40])
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _check_limits(exchange: Exchange) -> None:
    counts = {
        "codes": sum(1 for _ in exchange.all_codes()),
        "sources": len(exchange.sources),
        "selections": sum(len(source.selections) for source in exchange.sources),
        "notes": len(exchange.notes),
        "sets": len(exchange.sets),
    }
    for what, count in counts.items():
        if count > LIMITS[what]:
            raise ImportRejected(
                f"it holds {count:,} {what}, more than the {LIMITS[what]:,} Excerpta takes "
                "from one project (no real project comes near it)"
            )


def _guid(element, attribute: str = "guid") -> str:
    """A GUID as one spelling (upper case, no braces): tools differ in both."""
    return _spelling(element.get(attribute) or "")


@lru_cache(maxsize=4096)
def _spelling(value: str) -> str:
    # Cached: a project names the same few codes and users in each of its thousands of
    # selections.
    value = value.strip()
    match = _GUID.match(value)
    return match.group(1).upper() if match else value.upper()


def _note_refs(element) -> list[str]:
    return [_guid(ref, "targetGUID") for ref in _children(element, "NoteRef")]


def _colour(value: str | None) -> str:
    """#rrggbb from #rrggbb, #rgb, with or without #, an alpha byte ignored; else ""."""
    match = _COLOUR.match((value or "").strip())
    if not match:
        return ""
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.lower()


def _codes(codes_element, exchange: Exchange, seen: set[str]) -> list[Code]:
    """The code tree under a <Codes> (or a <Code>'s children); an empty <Codes/> is none."""
    found: list[Code] = []
    if codes_element is None:
        return found
    for element in _children(codes_element, "Code"):
        guid = _guid(element)
        name = unicodedata.normalize("NFC", (element.get("name") or "").strip())
        if not name:
            exchange.adjusted.append("a code without a name was named “Unnamed code”")
            name = "Unnamed code"
        if guid in seen:
            exchange.dropped.append(f"the code “{name}”, a second code with the GUID {guid}")
            continue
        seen.add(guid)
        colour = _colour(element.get("color"))
        if element.get("color") and not colour:
            exchange.adjusted.append(
                f"the code “{name}” had a colour Excerpta cannot read "
                f"(“{element.get('color')}”): it takes one of the palette"
            )
        code = Code(
            guid=guid,
            name=name,
            codable=(element.get("isCodable") or "true").strip().lower() not in ("false", "0"),
            colour=colour,
            description=_text(element, "Description"),
            note_guids=_note_refs(element),
        )
        code.children = _codes(element, exchange, seen)
        found.append(code)
    return found


def _variables(root, exchange: Exchange) -> None:
    for element in _items(root, "Variables", "Variable"):
        kind = (element.get("typeOfVariable") or "Text").strip()
        exchange.variables.append(
            Variable(
                guid=_guid(element),
                name=(element.get("name") or "").strip(),
                kind="number" if kind in ("Integer", "Float") else "text",
            )
        )
        if kind in ("Boolean", "Date", "DateTime"):
            exchange.adjusted.append(
                f"the variable “{element.get('name')}” ({kind}) was brought in as text"
            )


def _values(element) -> dict[str, str]:
    """variable guid -> value, from the VariableValue children of a Case or a TextSource."""
    values = {}
    for value in _children(element, "VariableValue"):
        ref = _child(value, "VariableRef")
        if ref is None:
            continue
        written = ""
        for child in value:
            if _local(child).endswith("Value") and child.text is not None:
                written = child.text.strip()
        values[_guid(ref, "targetGUID")] = written
    return values


def _cases(root, exchange: Exchange) -> None:
    for element in _items(root, "Cases", "Case"):
        exchange.cases.append(
            Case(
                guid=_guid(element),
                name=(element.get("name") or "").strip(),
                description=_text(element, "Description"),
                values=_values(element),
                source_guids=[_guid(ref, "targetGUID") for ref in _children(element, "SourceRef")],
            )
        )


def _sources(root, exchange: Exchange) -> None:
    sources = _child(root, "Sources")
    for element in [] if sources is None else sources:
        kind = _local(element)
        name = (element.get("name") or "").strip() or "unnamed"
        if kind in MEDIA_SOURCES:
            exchange.dropped.append(
                f"the source “{name}”, {MEDIA_SOURCES[kind]} (Excerpta holds text only), with "
                "its selections"
            )
            continue
        if kind != "TextSource":
            continue
        source = Source(
            guid=_guid(element),
            name=name,
            description=_text(element, "Description"),
            note_guids=_note_refs(element),
            values=_values(element),
        )
        content = _child(element, "PlainTextContent")
        source.path = element.get("plainTextPath") or ""
        source.inline = content.text if content is not None else None
        # Positions as the file wrote them, until the text is read and they are converted.
        source.selections = [
            _selection(s, exchange) for s in _children(element, "PlainTextSelection")
        ]
        others = [
            c
            for c in element
            if _local(c).endswith("Selection") and _local(c) != "PlainTextSelection"
        ]
        if others:
            exchange.dropped.append(
                f"{len(others)} selection{pluralize(len(others))}"
                f" of “{name}” not on its text (Excerpta codes text "
                "only)"
            )
        whole = _children(element, "Coding")
        if whole:
            exchange.dropped.append(
                f"{len(whole)} coding{pluralize(len(whole))}"
                f" of the whole source “{name}” (Excerpta codes passages)"
            )
        exchange.sources.append(source)


def _selection(element, exchange: Exchange) -> Selection:
    """A PlainTextSelection as the file wrote it. Its children are read in one pass (a
    project holds tens of thousands of selections): its Codings with their CodeRef, date
    and NoteRefs, its own NoteRefs, its Description."""

    def position(attribute: str) -> int:
        try:
            return int((element.get(attribute) or "").strip())
        except ValueError:
            return -1

    codings, code_guids, own_notes, coding_notes = [], [], [], []
    coded: dict[str, datetime] = {}
    description = None
    for child in element:
        local = _local(child)
        if local == "Coding":
            codings.append(child)
            ref = None
            for part in child:
                inner = _local(part)
                if inner == "CodeRef" and ref is None:
                    ref = part
                elif inner == "NoteRef":
                    coding_notes.append(_guid(part, "targetGUID"))
            if ref is not None:
                code_guids.append(_guid(ref, "targetGUID"))
                when = _when(child, "creationDateTime", exchange)
                if when is not None:
                    coded.setdefault(code_guids[-1], when)
        elif local == "NoteRef":
            own_notes.append(_guid(child, "targetGUID"))
        elif local == "Description" and description is None:
            description = (child.text or "").strip()
    coder = element.get("creatingUser") or (codings[0].get("creatingUser") if codings else "")
    return Selection(
        guid=_guid(element),
        start=position("startPosition"),
        end=position("endPosition"),
        name=element.get("name") or "",
        description=description or "",
        code_guids=code_guids,
        note_guids=own_notes + coding_notes,
        coder_guid=(coder or "").upper(),
        created=_when(element, "creationDateTime", exchange),
        modified=_when(element, "modifiedDateTime", exchange),
        coded=coded,
    )


def _notes(root, exchange: Exchange) -> None:
    for element in _items(root, "Notes", "Note"):
        content = _child(element, "PlainTextContent")
        note = Note(
            guid=_guid(element),
            name=(element.get("name") or "").strip(),
            text=(content.text or "").strip() if content is not None else "",
            created=_when(element, "creationDateTime", exchange),
            modified=_when(element, "modifiedDateTime", exchange),
        )
        note.path = element.get("plainTextPath") or ""
        if not note.text and not note.path:
            note.text = _text(element, "Description")
        exchange.notes.append(note)


def _links(root, exchange: Exchange) -> None:
    notes = {note.guid for note in exchange.notes}
    for element in _items(root, "Links", "Link"):
        origin, target = _guid(element, "originGUID"), _guid(element, "targetGUID")
        # A note linked to a selection (ATLAS.ti's memo on a quotation, NVivo's annotation)
        # is that selection's memo; any other link has nowhere to go.
        if origin in notes:
            exchange.note_links.setdefault(origin, []).append(target)
        elif target in notes:
            exchange.note_links.setdefault(target, []).append(origin)
        else:
            exchange.dropped.append(
                f"the link “{element.get('name') or 'unnamed'}” (Excerpta keeps no links "
                "between excerpts or codes)"
            )


def _sets(root, exchange: Exchange, *, member_attribute: str) -> None:
    for element in _items(root, "Sets", "Set"):
        members = [_local(c) for c in element]
        exchange.sets.append(
            CodeSet(
                guid=_guid(element),
                name=(element.get("name") or "").strip() or "Unnamed set",
                description=_text(element, "Description"),
                code_guids=[
                    _guid(c, member_attribute if c.get(member_attribute) else "targetGUID")
                    for c in _children(element, "MemberCode")
                ],
                note_guids=[_guid(c, "targetGUID") for c in _children(element, "MemberNote")],
                sources=members.count("MemberSource"),
            )
        )


# Source texts and positions ------------------------------------------------------------------


def _internal(path: str) -> str | None:
    """The file name inside sources/ of an internal:// path; None for other schemes."""
    if path.startswith("internal://"):
        return path[len("internal://") :].lstrip("/")
    if "://" not in path and path:
        # qc writes a bare file name (NOTES.md: demo.qdpx); it can only mean sources/.
        return path
    return None


def _members(archive: SafeArchive | None) -> dict[str, str]:
    """The archive's member names by their lower case (the first of those alike), for
    _member_for: built once for all the sources, not searched through for each."""
    members: dict[str, str] = {}
    for member in archive.names if archive is not None else ():
        members.setdefault(member.lower(), member)
    return members


def _member_for(members: dict[str, str], file_name: str) -> str | None:
    """sources/NAME or Sources/NAME (any case of the folder), as the archive spells it
    (`members`: see _members)."""
    if not file_name or ".." in PurePosixPath(file_name).parts:
        return None
    return members.get(("sources/" + file_name).lower())


def _read_file(
    archive: SafeArchive | None,
    members: dict[str, str],
    path: str,
    what: str,
    exchange: Exchange,
) -> str | None:
    file_name = _internal(path)
    member = _member_for(members, file_name or "")
    if member is None:
        where = "outside the project" if file_name is None else "missing from the project"
        exchange.dropped.append(f"{what} (its text file is {where})")
        return None
    try:
        text, _ = decode_text(archive.read(member, limit=settings.EXCERPTA_MAX_UPLOAD_BYTES))
    except ImportRejected as rejected:
        # A text that cannot be had refuses the project: a study missing one of its
        # transcripts would count wrongly without anyone noticing.
        raise ImportRejected(f"it holds {what}, which cannot be read ({rejected})") from None
    return text.removeprefix("\ufeff")


def _read_source_files(exchange: Exchange, archive: SafeArchive | None) -> None:
    members = _members(archive)
    for source in exchange.sources:
        if source.inline is not None and source.inline.strip():
            # XML already turned CRLF into LF in character data.
            raw_text = source.inline
        elif source.path:
            what = f"the source “{source.name}”"
            raw_text = _read_file(archive, members, source.path, what, exchange)
        else:
            exchange.dropped.append(f"the source “{source.name}” (it has no text)")
            raw_text = None
        selections, source.selections = source.selections, []
        if raw_text is not None and not raw_text.strip():
            exchange.dropped.append(f"the source “{source.name}” (its text is empty)")
            raw_text = None
        if raw_text is None:
            if selections:
                exchange.dropped.append(
                    f"{len(selections)} selection{pluralize(len(selections))} of “{source.name}”"
                )
            continue
        source.text, source.selections = _positions(source.name, raw_text, selections, exchange)
    for note in exchange.notes:
        if not note.text and note.path:
            what = f"the note “{note.name or note.guid}”"
            note.text = (_read_file(archive, members, note.path, what, exchange) or "").strip()


@dataclass(frozen=True)
class _Reading:
    """One way of counting positions: in UTF-16 code units or code points, over the text
    as stored or with CRLF counted as one character."""

    utf16: bool
    crlf_as_one: bool

    def describe(self) -> str:
        unit = "UTF-16 code units (as NVivo for Windows counts)" if self.utf16 else "characters"
        line = ", a Windows line break counted as one" if self.crlf_as_one else ""
        return f"{unit}{line}"


def _preferred(origin: str) -> list[_Reading]:
    """The readings to try, the one the producer is known to use first (NOTES.md §3.6)."""
    readings = [
        _Reading(False, False),
        _Reading(True, False),
        _Reading(False, True),
        _Reading(True, True),
    ]
    origin = origin.lower()
    if "nvivo" in origin and "windows" in origin:
        readings.insert(0, readings.pop(1))
    elif "atlas" in origin:
        readings.insert(0, readings.pop(2))
    return readings


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class _Utf16:
    """Converts UTF-16 offsets of a text to code-point offsets. Only the characters outside
    the Basic Multilingual Plane (two units each) are listed, found by a regex (C speed): a
    600,000-character transcript with 900 emoji is read in milliseconds, not seconds."""

    def __init__(self, text: str) -> None:
        # The UTF-16 offset of each astral character: its code-point offset plus one unit
        # for each astral character before it.
        self.astral = [m.start() + n for n, m in enumerate(_ASTRAL.finditer(text))]
        self.units = len(text) + len(self.astral)

    def point(self, unit: int) -> int:
        """The code-point offset of UTF-16 offset `unit`; -1 outside the text or between
        the two units of one character."""
        if not 0 <= unit <= self.units:
            return -1
        before = bisect_left(self.astral, unit)
        if before and self.astral[before - 1] == unit - 1:
            return -1
        return unit - before


def _on_boundary(text: str, position: int) -> bool:
    if position <= 0 or position >= len(text):
        return True
    return not (text[position - 1].isalnum() and text[position].isalnum())


def _positions(name: str, raw_text: str, selections: list[Selection], exchange: Exchange):
    """The source text with LF line endings and its selections in code points over it.

    The reading that puts most selection ends on word boundaries wins (NOTES.md §3.6: the
    NVivo sample scores 295/303 as UTF-16 and about 80 as code points); a tie goes to what
    the producer is known to write, else to the standard's code points.
    """
    lf_text = raw_text.replace("\r\n", "\n")
    crs = [m.start() for m in re.finditer("\r\n", raw_text)]
    has_crlf = len(lf_text) != len(raw_text)
    wide = _ASTRAL.search(raw_text) is not None
    readings = [
        r
        for r in _preferred(exchange.origin)
        if (wide or not r.utf16) and (has_crlf or not r.crlf_as_one)
    ]
    best, best_spans, best_score = None, [], -1
    for reading in readings:
        base = lf_text if reading.crlf_as_one else raw_text
        units = _Utf16(base) if reading.utf16 else None
        spans = []
        for selection in selections:
            start, end = selection.start, selection.end
            if units is not None:
                start, end = units.point(start), units.point(end)
            if not reading.crlf_as_one:
                start, end = _to_lf(crs, start), _to_lf(crs, end)
            spans.append((start, end))
        if len(readings) == 1:
            # Nothing to choose between (no CRLF, no character outside the BMP, as in most
            # projects): scoring 20,000 selections would only cost time.
            best, best_spans = reading, spans
            break
        score = sum(
            0 <= s < e <= len(lf_text) and _on_boundary(lf_text, s) and _on_boundary(lf_text, e)
            for s, e in spans
        )
        if score > best_score:
            best, best_spans, best_score = reading, spans, score
        if score == len(spans):
            # Every selection on the text and on word boundaries: no later reading can
            # score more, and a tie goes to the earlier one (scoring the UTF-16 reading of
            # 20,000 selections of a text with emoji cost a sixth of reading the project).
            break
    if selections and best is not None and (best.utf16 or best.crlf_as_one):
        exchange.adjusted.append(
            f"the positions in “{name}” were counted in {best.describe()}: converted to characters"
        )
    kept = []
    for selection, (start, end) in zip(selections, best_spans, strict=True):
        if not 0 <= start < end <= len(lf_text):
            exchange.dropped.append(
                f"a selection of “{name}” at {selection.start}–{selection.end} (it does not "
                "land on the text)"
            )
            continue
        selection.start, selection.end = start, end
        kept.append(selection)
    return lf_text, kept


def _to_lf(crs: list[int], position: int) -> int:
    """A code-point offset in a text as an offset in it with every CRLF as LF (`crs`: the
    offsets of the CR of each CRLF); -1 stays -1. Between CR and LF lands on the LF."""
    if position < 0:
        return position
    return position - bisect_left(crs, position)
