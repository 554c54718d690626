"""Reading uploaded files (.txt, .docx) into normalised transcript text.

Every failure becomes ImportRejected with a message fit for the user that says what is wrong
with the file; nothing else escapes.
"""

from __future__ import annotations

import logging
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath

from django.conf import settings

from core.upload_limits import over_limit

from .archive import ArchiveLimits, open_archive
from .text import UTF8_SLIPS_NAME, ImportRejected, decode_text, normalise, utf8_with_slips
from .wordml import read_docx_text

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".docx")

TRACKED_CHANGES_WARNING = (
    "it has tracked changes that were never accepted or rejected: it was imported as Word "
    "shows the final text (insertions in, deletions out); check it against the document"
)

# A line that opens with a short label and a colon ("R1:", "Interviewer:"): every speaker
# turn starts with one, so their number bounds the turns whatever the pseudonyms are.
_LABEL_LINE = re.compile(r"^[^\S\n]*[^\n:]{1,40}:(?=[ \t]|$)", re.MULTILINE)


@dataclass(frozen=True)
class TooLarge:
    """Stands for an upload over the size limit, which is refused without being read."""

    size: int


@dataclass(frozen=True)
class ReadText:
    """An uploaded file read as a transcript.

    text: normalised (see text.normalise). encoding: a human name of where it came from
    ("UTF-8", "Word document"). words: the number of words of `text`, as Interview.set_text
    counts them, counted once with the limits. warnings: sentences for the import page
    about things the researcher should check (tracked changes found, say); empty when
    nothing is doubtful.
    """

    text: str
    encoding: str
    words: int
    warnings: tuple[str, ...] = ()
    tracked_changes: bool = False


def read_transcript(name: str, raw: bytes | TooLarge, encoding: str | None = None) -> ReadText:
    """Return the normalised text of an uploaded transcript file, or raise ImportRejected.

    `encoding` (a codec name) decodes a .txt file in it instead of guessing; other kinds
    ignore it. Refuses files over EXCERPTA_MAX_UPLOAD_BYTES, of an unsupported type, damaged,
    empty, or over the transcript limits (check_transcript_limits).
    """
    suffix = file_suffix(name)
    limit = settings.EXCERPTA_MAX_UPLOAD_BYTES
    size = raw.size if isinstance(raw, TooLarge) else len(raw)
    if size > limit:
        raise ImportRejected(
            "it is {}, over the {} limit for one file".format(*over_limit(size, limit)),
            kind="too-big",
        )
    if not size and suffix in SUPPORTED_SUFFIXES:
        # Not "damaged": an empty .docx is no zip at all, and she should hear it is empty.
        raise ImportRejected("it is empty", kind="empty")
    warnings: tuple[str, ...] = ()
    tracked = False
    if suffix == ".txt":
        text, encoding = decode_text(raw, encoding)
        if encoding == UTF8_SLIPS_NAME:
            warnings = (utf8_with_slips(raw).warning(),)
    elif suffix == ".docx":
        text, tracked = read_docx(raw)
        encoding = "Word document"
        warnings = (TRACKED_CHANGES_WARNING,) if tracked else ()
    elif suffix == ".doc":
        raise ImportRejected(
            "old Word .doc files are not supported: save it as .docx", kind="wrong-type"
        )
    else:
        kinds = " or ".join(SUPPORTED_SUFFIXES)
        raise ImportRejected(f"it is not a {kinds} file", kind="wrong-type")
    # The limits are those of the text kept, normalised (at most as long; 0.15 s for the
    # 9 MB of the largest upload), and its words are counted once, for them and for it.
    text = normalise(text)
    if not text.strip():
        raise ImportRejected("it is empty", kind="empty")
    words = check_transcript_limits(text)
    return ReadText(
        text=text, encoding=encoding, words=words, warnings=warnings, tracked_changes=tracked
    )


def file_suffix(name: str) -> str:
    """The kind a file's name says, lower case: ".txt" for "R1.TXT", and for ".txt" too (a
    file with no name before its kind, which pathlib reads as a hidden file of no kind)."""
    base = PurePath(name).name
    return "." + base.rsplit(".", 1)[1].lower() if "." in base else ""


def check_transcript_limits(text: str) -> int:
    """Refuse a text beyond what any real interview reaches (ImportRejected), naming the
    limit: EXCERPTA_MAX_TRANSCRIPT_CHARS code points, EXCERPTA_MAX_TRANSCRIPT_WORDS words,
    EXCERPTA_MAX_TRANSCRIPT_TURNS speaker turns (lines opening with a label such as "R1:").
    Returns the number of words of `text`, as Interview.set_text counts them, so that a
    text checked is not counted again (set_text's `word_count`)."""
    limits = (
        ("characters", len(text), settings.EXCERPTA_MAX_TRANSCRIPT_CHARS),
        ("words", None, settings.EXCERPTA_MAX_TRANSCRIPT_WORDS),
        ("speaker turns", None, settings.EXCERPTA_MAX_TRANSCRIPT_TURNS),
    )
    counted = {}
    for what, count, limit in limits:
        if count is None:
            count = counted[what] = _count(what, text, limit)
        if count > limit:
            raise ImportRejected(
                f"it has more than {limit:,} {what}, over the limit for one transcript "
                "(no interview comes near it; split the file if it really is one)",
                kind="too-long",
            )
    return counted["words"]


def _count(what: str, text: str, limit: int) -> int:
    """Count the words or the labelled lines of `text`, compared with `limit` by the
    caller."""
    if what == "words":
        # The words as Interview.set_text counts them (the same whitespace as \S+), at C
        # speed: counting regex matches one by one in Python took 0.5 s of an import of 50
        # transcripts. The text is within the characters' limit, checked first.
        return len(text.split())
    # Likewise the labelled lines, found in C; at most one per line of a text within the
    # characters' limit.
    return len(_LABEL_LINE.findall(text))


def docx_limits() -> ArchiveLimits:
    """The archive limits for a .docx: total_bytes is the XML Excerpta reads from it."""
    return ArchiveLimits(total_bytes=settings.EXCERPTA_MAX_DOCX_XML_BYTES)


@cache
def _damage() -> tuple[tuple[type[BaseException], str], ...]:
    """What each exception a damaged .docx raises means, for the refusal message: (kind,
    reason), the first that matches is said. This is the parser boundary: zipfile, zlib and
    lxml raise a dozen unrelated types on damaged files.

    A function, not a constant, so that lxml (6 MB in a gunicorn worker) is imported by the
    first .docx read rather than as the app loads (issue 9: a worker under 160 MB after
    every page and export, most of which never read a Word file)."""
    from lxml import etree

    return (
        (zipfile.BadZipFile, "the zip structure is damaged"),
        (zipfile.LargeZipFile, "the zip structure is damaged"),
        (NotImplementedError, "it uses a zip feature or compression Excerpta cannot read"),
        (zlib.error, "a compressed part is damaged"),
        (EOFError, "a compressed part is cut short"),
        (struct.error, "the zip structure is damaged"),
        (KeyError, "a part it needs is missing"),
        (etree.LxmlError, "the XML of its text is damaged"),
        (UnicodeError, "the XML of its text is not in a readable encoding"),
        (MemoryError, "it is too large to read"),
        (RecursionError, "its text is nested too deeply"),
        (ValueError, "the zip structure is damaged"),
        (OSError, "the zip structure is damaged"),
    )


def read_docx(raw: bytes) -> tuple[str, bool]:
    """(text, tracked changes found) of a .docx: paragraphs in document order, one line per
    table row, blank lines between; notes at the end. Raises ImportRejected."""
    if not raw.startswith(b"PK"):
        raise ImportRejected("it is not a valid Word document (it is not a .docx zip)")
    damage = _damage()
    try:
        archive = open_archive(raw, limits=docx_limits())
        document = read_docx_text(archive, paragraph_limit=settings.EXCERPTA_MAX_DOCX_PARAGRAPHS)
    except ImportRejected:
        raise
    except tuple(kind for kind, _ in damage) as error:
        reason = next(message for kind, message in damage if isinstance(error, kind))
        raise ImportRejected(f"it is not a valid Word document ({reason})") from None
    except Exception:
        # Anything else is a fault we have not met yet: refuse the file all the same, and log
        # it so that it gets a message of its own (the fuzz tests fail on this log line).
        logger.exception("Unexpected error reading a .docx")
        raise ImportRejected("it is not a valid Word document (it could not be read)") from None
    return "\n\n".join(line for line in document.lines if line.strip()), document.tracked_changes
