"""The one way Excerpta opens a zip archive (.docx now, .qdpx later).

Nothing in a zip's headers is trusted: a member that claims 1,000 bytes may inflate to a
gibibyte, a name may climb out of the archive with "../", a directory may list a million
members. Members are inflated as a stream in small chunks and counted as they come, so what
is held in memory never passes the cap by more than one chunk, whatever the headers declare.

Every problem is raised as ImportRejected with a message for the researcher.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from core.bidi import isolated
from core.naming import tidy

from .text import ImportRejected

# A member's general purpose flag bit 0: its data is encrypted (the zip format, 4.4.4).
_ENCRYPTED = 0x1
# Inflate this much at a time: the most a member can overshoot its cap.
CHUNK = 64 * 1024

# The end-of-central-directory record: signature, disk numbers, entry counts, directory
# size and offset, comment length (APPNOTE.TXT 4.3.16).
_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIGNATURE = b"PK\x05\x06"
# The smallest central-directory record (46 bytes) plus a generous allowance for its name and
# extra fields: a directory longer than this per allowed member is refused before parsing.
_DIRECTORY_BYTES_PER_MEMBER = 46 + 1024


_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    OSError,
    ValueError,
    struct.error,
)


# The direction marks (LRM, RLM): core.naming.tidy takes out the bidirectional embeddings,
# overrides and isolates but keeps these inside a name, which some scripts need; a part's
# name needs none.
_DIRECTION_MARKS = re.compile("[\u200e\u200f]")


def part_named(name: str) -> str:
    """How a refusal names a part of the archive: “word/document.xml”, tidied (core.naming:
    no control characters nor bidirectional embeddings, overrides and isolates, white space
    made single spaces) without direction marks either, and marked with core.bidi.isolated.
    The name is the file's, not ours: a hostile one may hold a right-to-left override that
    shows the rest of the message backwards, a line break, or a terminal's escapes for a
    command's output. Quoted like every name the app puts in a sentence; "?" when nothing
    printable is left. Never raises."""
    shown = tidy(_DIRECTION_MARKS.sub("", name))
    return f"“{isolated(shown or '?')}”"


def _reason(error: Exception) -> str:
    if isinstance(error, NotImplementedError):
        return "it uses a compression Excerpta cannot read"
    if isinstance(error, EOFError):
        return "it is cut short"
    return "its compressed data does not check out"


@dataclass(frozen=True)
class ArchiveLimits:
    """What an archive may hold.

    members: how many entries its directory may list.
    total_bytes: bytes inflated over every member read, altogether.
    ratio: the most a member may inflate per compressed byte, once it is over ratio_floor
        bytes (small parts of real files compress far better than big ones).
    """

    members: int = 1000
    total_bytes: int = 50 * 1024 * 1024
    ratio: int = 100
    ratio_floor: int = 1024 * 1024


class SafeArchive:
    """A zip archive read under ArchiveLimits. Build it with open_archive()."""

    def __init__(self, zipped: zipfile.ZipFile, size: int, limits: ArchiveLimits, what: str):
        self._zip = zipped
        self._size = size
        self._limits = limits
        self._what = what
        self._members = {info.filename: info for info in zipped.infolist()}
        self.inflated = 0

    @property
    def names(self) -> list[str]:
        return list(self._members)

    def __contains__(self, name: str) -> bool:
        return name in self._members

    def read(self, name: str, *, limit: int | None = None) -> bytes:
        """The inflated bytes of member `name`.

        limit: the most this member may inflate to (bytes), on top of the archive's total.
        Raises ImportRejected when the member is missing, damaged, inflates beyond a cap
        or compresses more tightly than ArchiveLimits.ratio allows.
        """
        info = self._members.get(name)
        if info is None:
            raise ImportRejected(
                f"it is not a valid {self._what} (the part {part_named(name)} is missing)"
            )
        if info.flag_bits & _ENCRYPTED:
            # zipfile would ask for a password (a RuntimeError): a saved-with-password file,
            # or one damaged bit in the member's header.
            raise ImportRejected(
                f"it is not a valid {self._what} (the part {part_named(name)} is encrypted: "
                "save the file without a password and import it again)"
            )
        # What the member may inflate to, from what it actually occupies in the file: the
        # compressed size in its header may lie too, but the file is only so long.
        stored = max(min(info.compress_size, self._size), 1)
        ratio_cap = max(self._limits.ratio * stored, self._limits.ratio_floor)
        left = self._limits.total_bytes - self.inflated
        cap = min(left, ratio_cap, limit if limit is not None else left)
        # BytesIO hands its buffer over in getvalue() without a copy: the member is held
        # once, not as chunks and again as their join.
        buffer, size = io.BytesIO(), 0
        try:
            with self._zip.open(info) as member:
                while chunk := member.read(CHUNK):
                    size += len(chunk)
                    if size > cap:
                        raise ImportRejected(self._over_cap_message(cap, left, ratio_cap, limit))
                    buffer.write(chunk)
        # zipfile checks the CRC and the sizes as it goes and raises on a mismatch, zlib on a
        # damaged stream; a header naming an unknown method raises NotImplementedError.
        except _DAMAGED as error:
            raise ImportRejected(
                f"it is not a valid {self._what} (the part {part_named(name)} is damaged: "
                f"{_reason(error)})"
            ) from None
        self.inflated += size
        return buffer.getvalue()

    def _over_cap_message(self, cap: int, left: int, ratio_cap: int, limit: int | None) -> str:
        if cap == ratio_cap and cap < left:
            return "it is compressed far more tightly than any document (a zip bomb?)"
        total = self._limits.total_bytes if limit is None or limit > left else limit
        return (
            f"its contents unpack to more than {total / (1024 * 1024):.0f} MB, over the limit for "
            f"one {self._what}"
        )


def open_archive(raw: bytes, *, limits: ArchiveLimits, what: str = "Word document") -> SafeArchive:
    """Open `raw` as a zip after checking its directory; `what` names the kind of file in
    messages ("Word document").

    Refuses (ImportRejected) a file that is not a zip, whose directory lists more members
    than limits.members, holds a member name that is absolute or climbs with "..", or
    declares a member that inflates beyond the ratio.
    """
    _check_directory_size(raw, limits, what)
    try:
        zipped = zipfile.ZipFile(io.BytesIO(raw))
        members = zipped.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise ImportRejected(f"it is not a valid {what} (the zip structure is damaged)") from None
    except (NotImplementedError, struct.error, zlib.error, UnicodeDecodeError):
        raise ImportRejected(
            f"it is not a valid {what} (its zip directory is damaged or uses features "
            "Excerpta cannot read)"
        ) from None
    if len(members) > limits.members:
        raise ImportRejected(f"it is not a valid {what} (more than {limits.members} parts)")
    for info in members:
        if not _safe_name(info.filename):
            raise ImportRejected(
                f"it is not a valid {what} (it holds a part named outside the archive)"
            )
        if info.file_size > limits.ratio_floor and info.file_size > limits.ratio * max(
            info.compress_size, 1
        ):
            raise ImportRejected(
                "it is compressed far more tightly than any document (a zip bomb?)"
            )
    return SafeArchive(zipped, len(raw), limits, what)


def _check_directory_size(raw: bytes, limits: ArchiveLimits, what: str) -> None:
    """Refuse a directory too long to hold limits.members entries before zipfile builds an
    object for each of them (a 10 MB file can list 200,000)."""
    # The record sits at the end, followed only by a comment of at most 65,535 bytes.
    at = raw.rfind(_EOCD_SIGNATURE, max(0, len(raw) - _EOCD.size - 0xFFFF))
    if at < 0 or at + _EOCD.size > len(raw):
        raise ImportRejected(f"it is not a valid {what} (it is not a zip archive)")
    _, _, _, _, entries, directory_size, _, _ = _EOCD.unpack_from(raw, at)
    if entries > limits.members or directory_size > limits.members * _DIRECTORY_BYTES_PER_MEMBER:
        raise ImportRejected(f"it is not a valid {what} (more than {limits.members} parts)")


def _safe_name(name: str) -> bool:
    """A relative name that stays inside the archive: no drive, no root, no "..", no NUL."""
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or ":" in name:
        return False
    return ".." not in PurePosixPath(name).parts
