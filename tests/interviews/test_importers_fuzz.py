"""Whatever bytes arrive, an importer answers with a transcript or a clean refusal.

Three kinds of input: arbitrary bytes, a valid .docx with bytes changed anywhere, and a valid
zip holding a fuzzed word/document.xml. A refusal must be one the importer meant: the message
kept for faults nobody has met yet ("it could not be read") fails the test too.

The normal run tries a few thousand cases; the run marked slow, tens of thousands.
"""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interviews.encodings import CHOICES
from interviews.importers import ReadText, read_transcript
from interviews.text import ImportRejected

from .test_importers import make_docx

VALID_DOCX = make_docx(
    ["Interviewer: How long have you worked here?", "R1: Six years, more or less."],
    table=[["Interviewer", "And before?"], ["R1", "A shelter."]],
)
with zipfile.ZipFile(io.BytesIO(VALID_DOCX)) as _archive:
    PARTS = {name: _archive.read(name) for name in _archive.namelist()}
DOCUMENT_XML = PARTS["word/document.xml"]

NORMAL, SLOW = 800, 10_000
# No choice (the ladder), every encoding the import page offers, and names a caller of
# read_transcript might pass that are no text encoding at all.
CODECS = [None, *CHOICES, "base64", "rot13", "zip", "hex", "idna", "no such codec", "utf-7"]


def read_or_refuse(name: str, raw: bytes, encoding: str | None = None) -> None:
    try:
        result = read_transcript(name, raw, encoding)
    except ImportRejected as refused:
        message = str(refused)
        assert message
        assert "could not be read" not in message, message
    else:
        assert isinstance(result, ReadText)
        assert result.text.strip()


def with_document(xml: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in PARTS.items():
            archive.writestr(name, xml if name == "word/document.xml" else data)
    return out.getvalue()


def flipped(raw: bytes, flips: list[tuple[int, int]]) -> bytes:
    damaged = bytearray(raw)
    for position, value in flips:
        damaged[position % len(damaged)] = value
    return bytes(damaged)


def fuzz(examples: int):
    """The three fuzz tests at `examples` cases each."""
    fuzz_settings = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )

    @fuzz_settings
    @given(st.binary(max_size=4096), st.sampled_from(["x.txt", "x.docx"]), st.sampled_from(CODECS))
    def arbitrary_bytes(raw, name, encoding):
        read_or_refuse(name, raw, encoding)
        # A zip's signature first, so the bytes reach the archive reader.
        read_or_refuse("x.docx", b"PK\x03\x04" + raw)

    @fuzz_settings
    @given(st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=6))
    def damaged_docx(flips):
        read_or_refuse("R1.docx", flipped(VALID_DOCX, flips))

    @fuzz_settings
    @given(
        st.one_of(
            st.binary(max_size=2048),
            st.lists(
                st.tuples(st.integers(0, len(DOCUMENT_XML) - 1), st.integers(0, 255)),
                min_size=1,
                max_size=8,
            ).map(lambda flips: flipped(DOCUMENT_XML, flips)),
            st.text(max_size=200).map(
                lambda text: DOCUMENT_XML.replace(b"Six years", text.encode("utf-8", "replace"))
            ),
        )
    )
    def fuzzed_document_xml(xml):
        read_or_refuse("R1.docx", with_document(xml))

    return arbitrary_bytes, damaged_docx, fuzzed_document_xml


(
    test_arbitrary_bytes_are_read_or_refused,
    test_a_damaged_docx_is_read_or_refused,
    test_a_fuzzed_document_xml_is_read_or_refused,
) = fuzz(NORMAL)
_slow = fuzz(SLOW)
test_arbitrary_bytes_at_length = pytest.mark.slow(_slow[0])
test_a_damaged_docx_at_length = pytest.mark.slow(_slow[1])
test_a_fuzzed_document_xml_at_length = pytest.mark.slow(_slow[2])


def first_central_record(raw: bytes) -> int:
    """Where the zip's central directory starts (read from its end record)."""
    start = struct.unpack_from("<L", raw, raw.rindex(b"PK\x05\x06") + 16)[0]
    assert raw[start : start + 4] == b"PK\x01\x02"
    return start


@pytest.mark.parametrize("value", [0xFF, 25, 63, 0])
def test_a_damaged_version_needed_field_is_a_refusal(value):
    # The fault the issue found: one byte, the "version needed" of the first record of the
    # central directory, made zipfile raise NotImplementedError, which nothing caught.
    raw = bytearray(VALID_DOCX)
    raw[first_central_record(VALID_DOCX) + 6] = value
    read_or_refuse("R1.docx", bytes(raw))


def test_a_damaged_compression_method_is_a_refusal_that_says_so():
    raw = bytearray(VALID_DOCX)
    record = first_central_record(VALID_DOCX)
    # Find the document's record in the central directory and give it an unknown method.
    while raw[record : record + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<3H", raw, record + 28)
        if raw[record + 46 : record + 46 + name_length] == b"word/document.xml":
            raw[record + 10] = 99
            break
        record += 46 + name_length + extra_length + comment_length
    else:
        pytest.fail("no word/document.xml in the central directory")
    with pytest.raises(ImportRejected, match="compression Excerpta cannot read"):
        read_transcript("R1.docx", bytes(raw))
