"""The .qdpx container: a ZIP archive written in one pass, byte-identical for the same
content.

Determinism: every member has the same fixed date (1980-01-01, the earliest a ZIP can
say), Unix permissions 0644 and the same compression; members come in the order written.
The stream is always written as if it could not seek (sizes in data descriptors after each
member): zipfile would otherwise write other bytes to a file than to an HTTP response, and
two exports of one study must compare equal wherever they were written.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
# zlib's fastest level: compressing was a third of an export's time at the default (6),
# for files a third smaller; fixed, as the bytes depend on it.
COMPRESS_LEVEL = 1
# Members are written through a buffer of this size: the XML writer's many small writes
# would each go through zlib and the CRC otherwise.
BUFFER_BYTES = 256 * 1024


class _Forward:
    """`out` with nothing but write and flush: no tell, no seek (see the module)."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out

    def write(self, data: bytes) -> int:
        self._out.write(data)
        return len(data)

    def flush(self) -> None:
        flush = getattr(self._out, "flush", None)
        if flush is not None:
            flush()


class _Raw(io.RawIOBase):
    """A zip member's writer as a raw stream, for io.BufferedWriter to buffer."""

    def __init__(self, member: IO[bytes]) -> None:
        self._member = member

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._member.write(bytes(data))
        return len(data)


class Archive:
    """A deterministic ZIP archive written to the binary stream `out`; use as a context
    manager, which writes the central directory on leaving."""

    def __init__(self, out: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(_Forward(out), "w", compression=zipfile.ZIP_DEFLATED)

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self._zip.close()

    @contextmanager
    def member(self, name: str) -> Iterator[IO[bytes]]:
        """A buffered binary stream writing the member `name` (a path with "/")."""
        info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        # Python 3.11 reads a member's level from here only (3.13 names it compress_level).
        info._compresslevel = COMPRESS_LEVEL
        info.create_system = 3  # Unix, whatever the platform that writes it
        info.external_attr = 0o100644 << 16
        with self._zip.open(info, "w") as raw:
            buffered = io.BufferedWriter(_Raw(raw), buffer_size=BUFFER_BYTES)
            yield buffered
            buffered.flush()
