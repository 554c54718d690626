"""The files carry names as plain text: the marks that isolate a name on the page (core.bidi,
U+2066–U+2069) never reach a .docx, .csv or .xlsx, where Word shows them as nothing but a
search, a copy or another program carries invisible characters."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from coding import services as coding
from interviews import memos
from interviews import services as interviews
from interviews.models import InterviewMemo
from tests.conftest import code_span, import_text
from themes import services as themes
from themes.charts import findings_figures
from themes.exports import codebook_docx, findings_docx, memos_docx
from themes.rollup import study_rollup
from themes.tables import excerpts_csv, excerpts_xlsx, matrix_xlsx

ISOLATES = {"\u2066", "\u2067", "\u2068", "\u2069"}


@pytest.fixture
def hebrew(owner):
    """A study whose attribute, code and theme carry Hebrew names: the names the pages
    isolate (the attribute's in the figure's caption)."""
    study = interviews.study_create(title="Harm reduction", owner=owner)
    interviews.attribute_add(study=study, name="שנות ניסיון", kind="number")
    interviews.respondent_create(study=study, pseudonym="R1", attributes={"שנות ניסיון": 2})
    interviews.respondent_create(study=study, pseudonym="R2", attributes={"שנות ניסיון": 9})
    r1 = import_text(study, name="R1.txt")
    r2 = import_text(study, name="R2.txt")
    learning = coding.code_create(study=study, name="למידה", definition="איך למדו.")
    theme = themes.theme_create(study=study, name="הכשרה", description="מאיפה.")
    themes.theme_code_attach(theme=theme, code=learning)
    first = code_span(r1, "About six years", [learning], owner)
    code_span(r2, "the ones nobody else will see", [learning], owner)
    themes.quote_add(theme=theme, excerpt=first)
    memos.memo_create(model=InterviewMemo, author=owner, body="שקט.", interview=r1)
    return study


def _marked(content: bytes) -> dict[str, list[str]]:
    """{part name: [each isolate mark's surroundings]} of every XML or text part of a .docx or
    .xlsx (a zip), or of a .csv's text."""
    if not content.startswith(b"PK"):
        parts = {"csv": content.decode("utf-8-sig")}
    else:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = {
                name: archive.read(name).decode("utf-8")
                for name in archive.namelist()
                if name.endswith((".xml", ".rels"))
            }
    return {
        name: [text[max(0, i - 20) : i + 20] for i, c in enumerate(text) if c in ISOLATES]
        for name, text in parts.items()
        if ISOLATES & set(text)
    }


def test_no_file_carries_the_marks_that_isolate_a_name_on_the_page(hebrew):
    rollup = study_rollup(hebrew)
    # The captions isolate the attribute's name and values (themes.charts): the names the
    # page shows in <bdi>.
    figures = findings_figures(hebrew, rollup)
    assert any(ISOLATES & set(chart.caption) for chart, _ in figures)
    files = {
        "findings": findings_docx(study=hebrew, methods=True, rollup=rollup, figures=figures),
        "codebook": codebook_docx(study=hebrew),
        "memos": memos_docx(study=hebrew),
        "excerpts.csv": excerpts_csv(study=hebrew),
        "excerpts.xlsx": excerpts_xlsx(study=hebrew),
        "matrix": matrix_xlsx(study=hebrew),
    }
    assert {what: _marked(content) for what, content in files.items()} == {
        what: {} for what in files
    }
    # The name is there, as plain text, in a run of its own that Word lays out right to
    # left (w:rtl), as the page's <bdi> does: the words after it stay after it.
    (caption,) = [p for p in _document(files["findings"]).paragraphs if "by שנות" in p.text]
    assert caption.text.startswith("Figure 2. Theme prevalence by שנות ניסיון: the share")
    assert [run.text for run in caption.runs if run.font.rtl] == ["שנות ניסיון"]


def _document(content: bytes):
    return docx.Document(io.BytesIO(content))
