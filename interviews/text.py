"""Turning bytes into transcript text: decoding and the one-time normalisation."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from core.sanitise import sanitise_text

from .encoding_names import UTF8_SLIPS, UTF8_SLIPS_NAME, label


class ImportRejected(Exception):
    """A file that cannot become a transcript. The message is shown to the user as is;
    `kind` says it in a word or two for a count of refusals ("1 refused (empty)"): one of
    KINDS' keys, "damaged" unless the raiser knows better."""

    KINDS = {
        "empty": "empty",
        "too-big": "too big",
        "too-long": "too long",
        "wrong-type": "wrong type",
        "unreadable": "unreadable text",
        "damaged": "damaged",
    }

    def __init__(self, message: str, *, kind: str = "damaged"):
        super().__init__(message)
        self.kind = kind


# Longest BOM first: the UTF-32 LE BOM begins with the UTF-16 LE one.
_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
]


def decode_text(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode a plain-text transcript; returns (text, a human name of the encoding).

    With `encoding` (a Python codec name the researcher chose), the bytes are decoded strictly
    in it, a byte-order mark of that encoding dropped; ImportRejected if they are not valid in
    it. Otherwise the ladder is BOM, then strict UTF-8, then Windows-1252. Charset detectors
    are not used here: they misread short Spanish and French cp1252 files as cp1250
    (RELIABILITY.md, T14); interviews.encodings judges whether the ladder's answer is readable.
    """
    if encoding:
        return _decode_as(raw, encoding)
    for bom, codec, name in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(codec), name
            except UnicodeDecodeError:
                raise ImportRejected(
                    f"it starts with a {name} byte-order mark but is not valid {name} text",
                    kind="unreadable",
                ) from None
    if b"\x00" in raw:
        raise ImportRejected(
            "it looks like a binary file, not text (save it as plain text in UTF-8)",
            kind="unreadable",
        )
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    mixed = utf8_with_slips(raw)
    if mixed is not None:
        return mixed.text, UTF8_SLIPS_NAME
    try:
        return raw.decode("cp1252"), label("cp1252")
    except UnicodeDecodeError:
        raise ImportRejected(
            "its characters are in an encoding Excerpta does not recognise "
            "(save it as plain text in UTF-8)",
            kind="unreadable",
        ) from None


def _decode_as(raw: bytes, encoding: str) -> tuple[str, str]:
    if encoding == UTF8_SLIPS:
        mixed = utf8_with_slips(raw)
        if mixed is None:
            raise ImportRejected("it is not UTF-8 text with a few bytes of Windows-1252")
        return mixed.text.removeprefix("\ufeff"), UTF8_SLIPS_NAME
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError):
        raise ImportRejected(f"“{encoding}” is not an encoding Excerpta knows") from None
    try:
        text = raw.decode(info.name)
    except UnicodeDecodeError:
        raise ImportRejected(
            f"it is not valid {label(info.name)} text", kind="unreadable"
        ) from None
    except LookupError:
        # Python's codec registry also holds bytes-to-bytes transforms (base64, zip, rot13):
        # they are no way to read text.
        raise ImportRejected(f"“{encoding}” is not a text encoding") from None
    # A BOM decodes to U+FEFF; it is a marker, not text.
    return text.removeprefix("\ufeff"), label(info.name)


# A UTF-8 file with a few bytes of Windows-1252 in it (encoding_names.UTF8_SLIPS): an
# apostrophe or quotes pasted from a Word document into a UTF-8 text. Read as Windows-1252
# whole, every other accented letter of the file turned to mojibake ("cafÃ©") without a
# word; read as UTF-8 with those bytes in Windows-1252, only they may be wrong, and the
# import says which lines hold them.
# The bytes that are not UTF-8, as Python's surrogateescape error handler keeps them.
_ESCAPED = re.compile("[\udc80-\udcff]")
# Characters of valid UTF-8 sequences that are not ASCII.
_MULTIBYTE = re.compile("[^\x00-\x7f\udc80-\udcff]")
# How many of the odd bytes the import's message names.
SLIPS_SHOWN = 5


@dataclass(frozen=True)
class Slips:
    """A file read as UTF-8 with its odd bytes in Windows-1252: `text`, and `bytes` as
    (line number from 1, the byte, what it was read as), in file order."""

    text: str
    bytes: tuple[tuple[int, int, str], ...]

    def warning(self) -> str:
        """What the import says of it: "1 byte is not UTF-8 and was read as Windows-1252:
        line 12 (0x92, read as ’); check that line"."""
        n = len(self.bytes)
        shown = [f"line {line} (0x{b:02X}, read as {ch})" for line, b, ch in self.bytes]
        more = f" and {n - SLIPS_SHOWN:,} more" if n > SLIPS_SHOWN else ""
        return (
            f"{n:,} {'byte is' if n == 1 else 'bytes are'} not UTF-8 and "
            f"{'was' if n == 1 else 'were'} read as Windows-1252: "
            f"{', '.join(shown[:SLIPS_SHOWN])}{more}; check "
            f"{'that line' if n == 1 else 'those lines'}"
        )


def utf8_with_slips(raw: bytes) -> Slips | None:
    """`raw` read as UTF-8 with the bytes that are not UTF-8 read as Windows-1252, when it
    is a UTF-8 file with a few such bytes: at least one, each defined in Windows-1252, and
    no more of them than the file has UTF-8 characters beyond ASCII (else it is a
    Windows-1252 file whose bytes happen to form some UTF-8, and the ladder reads it so).
    None otherwise. One pass in C over the file, then one per odd byte."""
    escaped = raw.decode("utf-8", "surrogateescape")
    found = [(match.start(), ord(match.group()) - 0xDC00) for match in _ESCAPED.finditer(escaped)]
    if not found or len(found) > len(_MULTIBYTE.findall(escaped)):
        return None
    try:
        read = [bytes([byte]).decode("cp1252") for _, byte in found]
    except UnicodeDecodeError:
        return None
    pieces, slips, last, line, counted = [], [], 0, 1, 0
    for (at, byte), char in zip(found, read, strict=True):
        line += escaped.count("\n", counted, at)
        counted = at
        pieces += [escaped[last:at], char]
        slips.append((line, byte, char))
        last = at + 1
    pieces.append(escaped[last:])
    return Slips(text="".join(pieces), bytes=tuple(slips))


_TRAILING_SPACE = re.compile("[ \t]+\n")


def normalise(text: str) -> str:
    """Bring transcript text into the one form all offsets refer to.

    Line endings become \\n (Word's manual line break and page break too), the text is put in
    Unicode NFC, characters that .docx export could not write are removed, and trailing
    spaces on lines and blank lines at either end are dropped. Done once, at import.
    """
    # The one rule every export relies on: line breaks as \n, no control characters.
    text = sanitise_text(text)
    text = unicodedata.normalize("NFC", text)
    text = _TRAILING_SPACE.sub("\n", text)
    return text.strip("\n").rstrip()
