from __future__ import annotations

import io
import sys
import zipfile
from functools import partial

import docx
import pytest

from interviews import services, staging
from interviews.importers import TooLarge, read_transcript
from interviews.models import StagedFile
from interviews.text import ImportRejected, normalise
from tests.conftest import TRANSCRIPT


def make_docx(paragraphs=(), table=None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_it_reads_docx_paragraphs_in_order():
    raw = make_docx(["Interviewer: How long?", "R2: Four years.", "", "Interviewer: Thanks."])
    read = read_transcript("R2.docx", raw)
    assert read.text == "Interviewer: How long?\n\nR2: Four years.\n\nInterviewer: Thanks."
    assert read.encoding == "Word document"


def test_it_flattens_tables_into_speaker_turns():
    raw = make_docx(
        ["Transcript of R4"],
        table=[["Interviewer", "What support do you get?"], ["R4", "Mostly my supervisor."]],
    )
    read = read_transcript("R4.docx", raw)
    assert read.text.splitlines()[-3:] == [
        "Interviewer: What support do you get?",
        "",
        "R4: Mostly my supervisor.",
    ]


def test_it_refuses_a_docx_that_is_not_a_zip():
    with pytest.raises(ImportRejected, match="not a valid Word document"):
        read_transcript("R1.docx", b"This is plain text pretending to be Word.")


@pytest.mark.parametrize("name", ["R1.txt", "R1.docx"])
def test_it_refuses_an_empty_file_as_empty(name):
    # An empty .docx was "not a valid Word document", as a damaged one is.
    with pytest.raises(ImportRejected) as refused:
        read_transcript(name, b"")
    assert (str(refused.value), refused.value.kind) == ("it is empty", "empty")


def test_it_refuses_a_text_file_of_blank_lines():
    with pytest.raises(ImportRejected, match="empty"):
        read_transcript("R1.txt", b"\r\n  \r\n\t\r\n")


def test_it_refuses_a_zip_without_a_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ImportRejected, match="not a Word document"):
        read_transcript("R1.docx", buffer.getvalue())


def test_it_refuses_a_zip_bomb_before_inflating_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("word/document.xml", b"\x00" * (60 * 1024 * 1024))
    raw = buffer.getvalue()
    assert len(raw) < 200_000
    with pytest.raises(ImportRejected, match=r"50 MB|zip bomb"):
        read_transcript("R1.docx", raw)


def test_it_refuses_a_damaged_docx():
    raw = bytearray(make_docx(["Interviewer: hello", "R1: hi"]))
    # Damage the compressed text itself: parts the importer never reads (styles) may be
    # damaged without harm to the transcript.
    info = zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo("word/document.xml")
    data = info.header_offset + 30 + len(info.filename) + len(info.extra)
    raw[data : data + info.compress_size] = b"\xff" * info.compress_size
    with pytest.raises(ImportRejected, match="Word document"):
        read_transcript("R1.docx", bytes(raw))


def test_it_refuses_files_over_the_size_limit(settings):
    settings.EXCERPTA_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ImportRejected, match="limit for one file"):
        read_transcript("R1.txt", b"a" * 1001)
    assert read_transcript("R1.txt", b"a" * 1000).text == "a" * 1000


def test_a_file_just_over_the_size_limit_is_not_said_to_be_the_limit(settings):
    settings.EXCERPTA_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    with pytest.raises(ImportRejected) as refused:
        read_transcript("R1.docx", TooLarge(10 * 1024 * 1024 + 40_000))
    assert str(refused.value) == "it is 10.04 MB, over the 10 MB limit for one file"


@pytest.mark.parametrize(
    ("name", "message"),
    [("R1.pdf", "not a .txt or .docx file"), ("R1.doc", "save it as .docx"), ("R1", "not a")],
)
def test_it_names_the_problem_with_other_file_types(name, message):
    with pytest.raises(ImportRejected, match=message):
        read_transcript(name, b"whatever")


# Fuzzing of every importer: test_importers_fuzz.py.


def _word_counts(work, text: str) -> int:
    """How many times `work()` splits `text`, as read (normalised) or as given, into
    words (str.split, as the limits and Interview.set_text count them)."""
    texts = {text, normalise(text)}
    calls = []

    def profile(frame, event, arg):
        split = event == "c_call" and getattr(arg, "__name__", "") == "split"
        if split and getattr(arg, "__self__", None) in texts:
            calls.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return len(calls)


def test_an_imported_transcript_s_words_are_counted_once(study, owner):
    text = TRANSCRIPT * 40
    outcome = None

    def work():
        nonlocal outcome
        outcome = services.interview_import(study=study, name="R1.txt", raw=text.encode())

    assert _word_counts(work, text) == 1
    assert outcome.interview.word_count == len(normalise(text).split())
    # The preview of a staged file counts them once too, and says the same number.
    uploads = [("R2.txt", text.encode())]
    batch = staging.staged_files_stage(study=study, user=owner, uploads=uploads)
    row = StagedFile.objects.get(batch=batch)
    previews = []
    preview = partial(staging.staged_file_preview, row=row, identifiers=[])
    assert _word_counts(lambda: previews.append(preview()), text) == 1
    assert previews[0].words == outcome.interview.word_count
