"""Reading uploaded files (.txt, .docx) into normalised transcript text.

Every failure becomes ImportRejected with a message fit for the user; nothing else escapes.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings

from .text import ImportRejected, decode_text, normalise

SUPPORTED_SUFFIXES = (".txt", ".docx")

# Bounds on what a .docx may declare before python-docx is allowed to inflate it: a 1 MB zip
# bomb otherwise takes about 1 GB of memory (RELIABILITY.md, T11).
DOCX_MAX_MEMBERS = 500
DOCX_MAX_UNPACKED = 50 * 1024 * 1024
DOCX_MAX_RATIO = 100
DOCX_RATIO_FLOOR = 1024 * 1024


@dataclass(frozen=True)
class TooLarge:
    """Stands for an upload over the size limit, which is refused without being read."""

    size: int


@dataclass(frozen=True)
class ReadText:
    text: str
    encoding: str


def read_transcript(name: str, raw: bytes | TooLarge, encoding: str | None = None) -> ReadText:
    """Return the normalised text of an uploaded transcript file, or raise ImportRejected.

    `encoding` (a codec name) decodes a .txt file in it instead of guessing; other kinds
    ignore it.
    """
    suffix = PurePath(name).suffix.lower()
    limit = settings.EXCERPTA_MAX_UPLOAD_BYTES
    size = raw.size if isinstance(raw, TooLarge) else len(raw)
    if size > limit:
        raise ImportRejected(
            f"it is {_megabytes(size)}, over the {_megabytes(limit)} limit for one file"
        )
    if suffix == ".txt":
        text, encoding = decode_text(raw, encoding)
    elif suffix == ".docx":
        text, encoding = read_docx(raw), "Word document"
    elif suffix == ".doc":
        raise ImportRejected("old Word .doc files are not supported: save it as .docx")
    else:
        kinds = " or ".join(SUPPORTED_SUFFIXES)
        raise ImportRejected(f"it is not a {kinds} file")
    text = normalise(text)
    if not text.strip():
        raise ImportRejected("it is empty")
    return ReadText(text=text, encoding=encoding)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_zip(raw: bytes) -> None:
    """Refuse a .docx whose zip directory declares too much, before anything is inflated.

    The declared sizes bound what zipfile will actually inflate (it stops at file_size), so
    checking them is enough.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise ImportRejected("it is not a valid Word document (the file is damaged)") from None
    if len(members) > DOCX_MAX_MEMBERS:
        raise ImportRejected("it is not a valid Word document (too many parts)")
    if sum(member.file_size for member in members) > DOCX_MAX_UNPACKED:
        raise ImportRejected("it unpacks to more than 50 MB, far more than any transcript")
    for member in members:
        if member.file_size > DOCX_RATIO_FLOOR and member.file_size > DOCX_MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise ImportRejected("it is compressed suspiciously tightly (a zip bomb?)")
    if "word/document.xml" not in {member.filename for member in members}:
        raise ImportRejected("it is a zip file but not a Word document")


def read_docx(raw: bytes) -> str:
    """Paragraphs in document order; each table row becomes one line."""
    if not raw.startswith(b"PK"):
        raise ImportRejected("it is not a valid Word document (it is not a .docx zip)")
    check_zip(raw)
    import docx  # imported here: it is slow to import and only imports need it

    try:
        document = docx.Document(io.BytesIO(raw))
        lines = []
        for block in document.iter_inner_content():
            if isinstance(block, docx.table.Table):
                lines.extend(_table_lines(block))
            else:
                lines.append(block.text)
    # A parser boundary: python-docx, lxml and zipfile raise a dozen unrelated exception types
    # on damaged files (KeyError, zlib.error, NotImplementedError, XMLSyntaxError...). Any of
    # them means the same thing to the user.
    except Exception:
        raise ImportRejected("it is not a valid Word document (it could not be read)") from None
    return "\n\n".join(line for line in lines if line.strip())


def _table_lines(table) -> list[str]:
    """Flatten a table: "Speaker | words" rows become "Speaker: words" so turns are found."""
    lines = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            # Merged cells repeat in python-docx's row.cells; keep one copy.
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if not cells:
            continue
        first = cells[0].rstrip(":")
        if len(cells) >= 2 and len(first) <= 40 and len(first.split()) <= 3:
            lines.append(f"{first}: {' '.join(cells[1:])}")
        else:
            lines.append(" | ".join(cells))
    return lines
