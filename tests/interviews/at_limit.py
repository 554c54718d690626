"""Transcripts at the limits a real interview never reaches, built for the limit tests."""

from __future__ import annotations

import io
import random
import string
import zipfile

from .test_importers import make_docx

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# Formatting of the kind Word repeats on every run of a heavily edited document.
RUN_PROPERTIES = (
    '<w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:cs="Calibri" w:eastAsia="Calibri"/>'
    '<w:color w:val="1F1F1F"/><w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="en-GB" '
    'w:eastAsia="en-GB" w:bidi="ar-SA"/></w:rPr>'
)


def turn_lines(*, turns: int, words: int) -> list[str]:
    """`turns` lines, interviewer and respondent in turn, `words` words in all, of nine
    letters each (ten characters with the space) drawn from a few thousand made-up words, so
    the text compresses as prose does rather than as one word repeated."""
    rng = random.Random(7)
    vocabulary = ["".join(rng.choices(string.ascii_lowercase, k=9)) for _ in range(3000)]
    per_turn = words // turns
    lines = []
    for n in range(turns):
        label = "I:" if n % 2 == 0 else "R1:"
        lines.append(" ".join([label, *rng.choices(vocabulary, k=per_turn - 1)]))
    return lines


def at_limit_txt(*, turns: int, words: int) -> bytes:
    return "\n".join(turn_lines(turns=turns, words=words)).encode()


def at_limit_docx(*, turns: int, words: int, xml_bytes: int) -> bytes:
    """A .docx of `turns` paragraphs and `words` words whose document.xml is about
    `xml_bytes` long: each paragraph is cut into as many formatted runs as that takes."""
    lines = turn_lines(turns=turns, words=words)
    run_overhead = len(RUN_PROPERTIES) + len('<w:r><w:t xml:space="preserve"></w:t></w:r>')
    text_bytes = sum(len(line) for line in lines)
    runs_per_line = max(1, (xml_bytes - text_bytes) // (run_overhead * len(lines)))
    paragraphs = []
    for line in lines:
        step = max(1, len(line) // runs_per_line + 1)
        runs = "".join(
            f'<w:r>{RUN_PROPERTIES}<w:t xml:space="preserve">{line[i : i + step]}</w:t></w:r>'
            for i in range(0, len(line), step)
        )
        paragraphs.append(f"<w:p>{runs}</w:p>")
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
        f"<w:body>{''.join(paragraphs)}</w:body></w:document>"
    ).encode()
    source = zipfile.ZipFile(io.BytesIO(make_docx(["placeholder"])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            data = document if name == "word/document.xml" else source.read(name)
            archive.writestr(name, data)
    return out.getvalue()
