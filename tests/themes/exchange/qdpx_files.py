"""REFI-QDA files built for the import tests, shaped as the tools write them
(../shared/refi/NOTES.md): the samples themselves are read where ../shared is present."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from django.conf import settings

PROJECT_NS = "urn:QDA-XML:project:1.0"
SHARED_SAMPLES = Path(settings.BASE_DIR).parent / "shared" / "refi" / "samples"

G_USER = "11111111-1111-4111-8111-111111111111"
G_PARENT = "21111111-1111-4111-8111-111111111111"
G_CHILD = "22222222-2222-4222-8222-222222222222"
G_OTHER = "23333333-3333-4333-8333-333333333333"
G_SOURCE = "31111111-1111-4111-8111-111111111111"
G_VAR = "41111111-1111-4111-8111-111111111111"
G_CASE = "51111111-1111-4111-8111-111111111111"
G_NOTE = "61111111-1111-4111-8111-111111111111"
G_JOURNAL = "62222222-2222-4222-8222-222222222222"
G_SET = "71111111-1111-4111-8111-111111111111"

# A transcript as NVivo for Windows writes it: a BOM, CRLF, and characters outside the
# Basic Multilingual Plane before the coded words (each two UTF-16 code units).
TRANSCRIPT = (
    "Interviewer: How did you start?\r\n"
    "R1: At the shelter 😀😀 and never looked back.\r\n"
    "Interviewer: Support?\r\n"
    "R1: My colleagues, every day.\r\n"
)


def utf16_span(text: str, words: str) -> tuple[int, int]:
    """[start, end) of `words` in `text` in UTF-16 code units, as NVivo for Windows counts."""
    start = text.index(words)
    before = len(text[:start].encode("utf-16-le")) // 2
    return before, before + len(words.encode("utf-16-le")) // 2


def point_span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def selection(
    guid: str, span: tuple[int, int], *codes: str, description: str = "", notes=()
) -> str:
    codings = "".join(
        f'<Coding guid="{guid[:-4]}{i:04d}"><CodeRef targetGUID="{code}"/></Coding>'
        for i, code in enumerate(codes)
    )
    described = f"<Description>{description}</Description>" if description else ""
    refs = "".join(f'<NoteRef targetGUID="{n}"/>' for n in notes)
    return (
        f'<PlainTextSelection guid="{guid}" startPosition="{span[0]}" endPosition="{span[1]}" '
        f'creatingUser="{G_USER}">{described}{codings}{refs}</PlainTextSelection>'
    )


def project_xml(
    *,
    origin: str = "NVivo for Windows 12.6",
    selections: str = "",
    source_path: str = f"internal://{G_SOURCE}.txt",
    extra_sources: str = "",
    extra: str = "",
    namespace: str = PROJECT_NS,
    codebook: str | None = None,
) -> bytes:
    """A project like NVivo's: a code tree, one text source in a case, a variable, a memo
    on the source and a journal note, a set of codes; `extra` goes before </Project>."""
    if codebook is None:
        codebook = (
            "<CodeBook><Codes>"
            f'<Code guid="{G_PARENT}" name="Support" isCodable="false" color="#FF0000">'
            "<Description>Help from anyone.</Description>"
            f'<Code guid="{G_CHILD}" name="Colleagues" isCodable="true" color="rgb(1,2,3)"/>'
            "</Code>"
            f'<Code guid="{G_OTHER}" name="Start" isCodable="true" color="#0a0"/>'
            "</Codes></CodeBook>"
        )
    case = (
        f'<Case guid="{G_CASE}" name="R1"><VariableValue><VariableRef targetGUID="{G_VAR}"/>'
        f'<IntegerValue>6</IntegerValue></VariableValue><SourceRef targetGUID="{G_SOURCE}"/>'
        "</Case>"
    )
    source = (
        f'<TextSource guid="{G_SOURCE}" name="First interview" '
        f"plainTextPath={quoteattr(source_path)}>"
        f'{selections}<NoteRef targetGUID="{G_NOTE}"/></TextSource>'
    )
    notes = (
        f'<Note guid="{G_NOTE}" name="On the interview">'
        "<PlainTextContent>Tired voice.</PlainTextContent></Note>"
        f'<Note guid="{G_JOURNAL}" name="Journal"><PlainTextContent>Day one.</PlainTextContent>'
        "</Note>"
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\r\n<Project xmlns="{namespace}" '
        f'name="Peer support" origin={quoteattr(origin)}>'
        f'<Users><User guid="{G_USER}" name="Ann Coder"/></Users>'
        f"{codebook}"
        f'<Variables><Variable guid="{G_VAR}" name="Years" typeOfVariable="Integer"/>'
        "</Variables>"
        f"<Cases>{case}</Cases><Sources>{source}{extra_sources}</Sources><Notes>{notes}</Notes>"
        f'<Sets><Set guid="{G_SET}" name="Work life"><MemberCode targetGUID="{G_CHILD}"/></Set>'
        "</Sets>"
        f"{extra}<Description>An imported project.</Description></Project>"
    ).encode()


def coded_project(**kwargs) -> bytes:
    """project_xml with two selections counted in UTF-16 units over TRANSCRIPT (with BOM)."""
    return project_xml(
        selections=selection(
            "81111111-1111-4111-8111-111111111111",
            utf16_span(TRANSCRIPT, "never looked back"),
            G_OTHER,
            description="Turning point.",
        )
        + selection(
            "82222222-2222-4222-8222-222222222222",
            utf16_span(TRANSCRIPT, "My colleagues, every day."),
            G_CHILD,
        ),
        **kwargs,
    )


def qdpx(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def nvivo_qdpx(
    xml: bytes | None = None, *, folder: str = "Sources", qde: str = "project.qde"
) -> bytes:
    """A .qdpx as NVivo for Windows writes it: Sources/ with a capital, a BOM and CRLF."""
    return qdpx(
        {
            qde: xml if xml is not None else coded_project(),
            f"{folder}/{G_SOURCE}.txt": b"\xef\xbb\xbf" + TRANSCRIPT.encode(),
            f"{folder}/{G_SOURCE}.docx": b"not read",
        }
    )


def codebook_qdc(namespace: str = "urn:QDA-XML:codebook:1.0", *names: str) -> bytes:
    codes = "".join(
        f'<Code guid="9{i:07d}-0000-4000-8000-000000000000" name="{n}" isCodable="true"/>'
        for i, n in enumerate(names or ("Support", "Hope"))
    )
    return (
        '\ufeff<?xml version="1.0" encoding="utf-8"?>'
        f'<CodeBook xmlns="{namespace}" origin="Taguette 1.5.2">'
        f"<Codes>{codes}</Codes><Sets/></CodeBook>"
    ).encode()


def samples() -> list[Path]:
    """The real files in ../shared/refi/samples, or a skip saying why there are none."""
    if not SHARED_SAMPLES.is_dir():
        pytest.skip(f"the REFI-QDA samples are not here ({SHARED_SAMPLES} is absent)")
    return sorted(p for p in SHARED_SAMPLES.iterdir() if p.suffix in (".qdpx", ".qde", ".qdc"))
