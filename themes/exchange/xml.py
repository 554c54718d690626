"""A streaming XML writer for the exchange files: elements written as they come, never a
tree in memory, every string made fit for XML 1.0 on the way out.

Hand-made rather than xml.sax's XMLGenerator, for speed alone: a study's project holds
some 100,000 elements, and the generator's per-element cost (a dict of attributes
escaped one by one, a write per piece) was most of an export's time. The escaping is the
standard library's rules, the same characters, as simple replacements.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import IO

from core.sanitise import sanitise_text

Value = str | int | date | datetime | None

# Anything core.sanitise.sanitise_text would change (controls but tab and newline, line
# separators, the two non-characters, surrogates): most strings have none, and are then
# written without the three substitutions sanitising costs.
_UNFIT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")
# Pieces kept before they are encoded and written in one go.
_PIECES = 2048


def fit(text: str) -> str:
    """`text` as sanitise_text leaves it (only computed when it would change anything)."""
    return sanitise_text(text) if _UNFIT.search(text) else text


def escape_text(text: str) -> str:
    return fit(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attribute(text: str) -> str:
    # Line breaks and tabs as references: a parser turns literal ones into spaces.
    return escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def xml_datetime(moment: datetime) -> str:
    """`moment` as xsd:dateTime in UTC, to the second: "2026-03-02T14:05:09Z" (the form
    every sample file writes; a space instead of "T" is invalid)."""
    # isoformat is several times faster than strftime, and an export writes 50,000 dates.
    return moment.astimezone(UTC).isoformat(timespec="seconds")[:-6] + "Z"  # "+00:00" off


def _attribute(value: Value) -> str:
    if isinstance(value, str):
        return escape_attribute(value)
    if isinstance(value, datetime):
        return xml_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _Close:
    """What `XmlWriter.element` returns: leaving the `with` block writes the end tag."""

    __slots__ = ("_tag", "_writer")

    def __init__(self, writer: XmlWriter, tag: str) -> None:
        self._writer, self._tag = writer, tag

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        self._writer.put(f"</{self._tag}>")


class XmlWriter:
    """Writes one XML document to the binary stream `out`, in UTF-8 without a BOM.

    Attributes are written in the order given, those whose value is None left out; text
    and attribute values pass `core.sanitise.sanitise_text` (XML 1.0 forbids C0 controls
    and lone surrogates) and are escaped (`&`, `<`, `>`, and `"`, tabs and line breaks in
    attributes). Call `end()` when done: it writes what is still buffered.
    """

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self._pieces = ['<?xml version="1.0" encoding="utf-8"?>\n']

    def put(self, piece: str) -> None:
        self._pieces.append(piece)
        if len(self._pieces) >= _PIECES:
            self._flush()

    def _flush(self) -> None:
        self._out.write("".join(self._pieces).encode("utf-8"))
        self._pieces = []

    @staticmethod
    def _tag(tag: str, attributes: dict[str, Value]) -> str:
        written = "".join(
            f' {key}="{_attribute(value)}"'
            for key, value in attributes.items()
            if value is not None
        )
        return f"<{tag}{written}"

    def element(self, tag: str, /, **attributes: Value) -> _Close:
        """`<tag …>` now, `</tag>` when the `with` block it opens is left."""
        self.put(self._tag(tag, attributes) + ">")
        return _Close(self, tag)

    def empty(self, tag: str, /, **attributes: Value) -> None:
        """`<tag …/>`."""
        self.put(self._tag(tag, attributes) + "/>")

    def text(self, tag: str, text: str, /) -> None:
        """`<tag>text</tag>`."""
        self.put(f"<{tag}>{escape_text(text)}</{tag}>")

    def end(self) -> None:
        self._flush()
