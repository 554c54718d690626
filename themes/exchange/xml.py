"""A streaming XML writer for the exchange files: elements written as they come, never a
tree in memory, every string made fit for XML 1.0 on the way out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import IO
from xml.sax.saxutils import XMLGenerator

from core.sanitise import sanitise_text

Value = str | int | date | datetime | None


def xml_datetime(moment: datetime) -> str:
    """`moment` as xsd:dateTime in UTC, to the second: "2026-03-02T14:05:09Z" (the form
    every sample file writes; a space instead of "T" is invalid)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _attribute(value: Value) -> str:
    if isinstance(value, datetime):
        return xml_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return sanitise_text(str(value))


class XmlWriter:
    """Writes one XML document to the binary stream `out`, in UTF-8 without a BOM.

    Attributes are written in the order given, those whose value is None left out; text
    and attribute values pass `core.sanitise.sanitise_text` (XML 1.0 forbids C0 controls
    and lone surrogates) and are escaped (`&`, `<`, `>`, and `"` and line breaks in
    attributes, which XML would otherwise turn into spaces).
    """

    def __init__(self, out: IO[bytes]) -> None:
        self._xml = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
        self._xml.startDocument()

    @contextmanager
    def element(self, tag: str, /, **attributes: Value) -> Iterator[None]:
        """`<tag …>` … `</tag>` around what the `with` block writes."""
        written = {
            key: _attribute(value) for key, value in attributes.items() if value is not None
        }
        self._xml.startElement(tag, written)
        yield
        self._xml.endElement(tag)

    def empty(self, tag: str, /, **attributes: Value) -> None:
        """`<tag …/>`."""
        with self.element(tag, **attributes):
            pass

    def text(self, tag: str, text: str, /) -> None:
        """`<tag>text</tag>`."""
        with self.element(tag):
            self._xml.characters(sanitise_text(text))

    def end(self) -> None:
        self._xml.endDocument()
