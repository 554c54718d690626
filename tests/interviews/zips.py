"""Zip archives built by hand for the importer tests, headers lying where a test says so."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


@dataclass
class Member:
    """One member: its deflated bytes and what its headers claim (the truth by default)."""

    name: str
    deflated: bytes
    crc: int
    size: int
    claimed_size: int | None = None
    claimed_compressed: int | None = None

    @classmethod
    def of(cls, name: str, data: bytes) -> Member:
        return cls(name, deflate(data), zlib.crc32(data), len(data))


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def zeros_bomb(mebibytes: int) -> Member:
    """document.xml inflating to `mebibytes` MiB of zeros, in about 1 KB per MiB.

    One MiB of zeros deflated and fully flushed is a self-contained run of blocks; repeating
    it repeats the MiB, so the bomb is built without ever holding what it inflates to.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    mebibyte = bytes(1 << 20)
    block = compressor.compress(mebibyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(mebibyte, crc)
    return Member("word/document.xml", block * mebibytes + final, crc, mebibytes << 20)


def build_zip(members: list[Member]) -> bytes:
    """A zip of `members`, deflated, each header claiming what the member says."""
    body, directory = bytearray(), bytearray()
    for member in members:
        name = member.name.encode()
        size = member.size if member.claimed_size is None else member.claimed_size
        compressed = (
            len(member.deflated)
            if member.claimed_compressed is None
            else member.claimed_compressed
        )
        fields = (member.crc, compressed, size, len(name))
        directory += _CENTRAL.pack(
            b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, *fields, 0, 0, 0, 0, 0, len(body)
        )
        directory += name
        body += _LOCAL.pack(b"PK\x03\x04", 20, 0, 8, 0, 0x21, *fields, 0) + name
        body += member.deflated
    end = _END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(body), 0)
    return bytes(body + directory + end)


def damaged_zip(members: dict[str, bytes], damaged: str) -> bytes:
    """A zip of `members` (stored, names in UTF-8 as zipfile writes them) with one byte of
    member `damaged` changed, so that its CRC no longer checks out when it is read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    raw = bytearray(buffer.getvalue())
    at = zipfile.ZipFile(io.BytesIO(raw)).getinfo(damaged).header_offset
    # The local header: 30 bytes, then the name and the extra field, then the data.
    name_length, extra_length = struct.unpack_from("<2H", raw, at + 26)
    raw[at + 30 + name_length + extra_length] ^= 0xFF
    return bytes(raw)
