"""Turning bytes into transcript text: decoding and the one-time normalisation."""

from __future__ import annotations

import codecs
import re
import unicodedata

from core.sanitise import sanitise_text


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
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise ImportRejected(
            "its characters are in an encoding Excerpta does not recognise "
            "(save it as plain text in UTF-8)",
            kind="unreadable",
        ) from None


def _decode_as(raw: bytes, encoding: str) -> tuple[str, str]:
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError):
        raise ImportRejected(f"“{encoding}” is not an encoding Excerpta knows") from None
    try:
        text = raw.decode(info.name)
    except UnicodeDecodeError:
        raise ImportRejected(f"it is not valid {info.name} text", kind="unreadable") from None
    except LookupError:
        # Python's codec registry also holds bytes-to-bytes transforms (base64, zip, rot13):
        # they are no way to read text.
        raise ImportRejected(f"“{encoding}” is not a text encoding") from None
    # A BOM decodes to U+FEFF; it is a marker, not text.
    return text.removeprefix("\ufeff"), info.name


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
