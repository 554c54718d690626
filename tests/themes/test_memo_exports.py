"""Memos in the exports: the memos .docx and the Memos sheet beside the excerpts."""

from __future__ import annotations

import io

import docx
import openpyxl
from django.urls import reverse
from docx.parts.document import DocumentPart

from coding import services as coding
from coding.models import CodeMemo
from interviews import memos
from interviews.models import InterviewMemo, JournalEntry
from tests.conftest import client_for, code_span
from themes.exports import memos_docx
from themes.models import ThemeMemo
from themes.tables import excerpts_xlsx


def _memos(study, themed, owner, coder):
    r1, _, r3 = themed["interviews"]
    learning, _ = themed["codes"]
    first, _, secret = themed["excerpts"]
    memos.memo_create(model=JournalEntry, author=owner, body="Decided\x0bto merge.", study=study)
    memos.memo_create(model=InterviewMemo, author=owner, body="R1 was at ease.", interview=r1)
    memos.memo_create(model=InterviewMemo, author=owner, body="R3 said too much.", interview=r3)
    memos.memo_create(
        model=CodeMemo, author=coder, body="=SUM(A1) is not a formula", code=learning
    )
    memos.memo_create(model=ThemeMemo, author=coder, body="Split?", theme=themed["training"])
    coding.excerpt_memo_set(excerpt=first, memo="The longest.", revision=first.revision)
    coding.excerpt_memo_set(excerpt=secret, memo="Withdrawn's memo.", revision=secret.revision)


def test_the_memos_document(study, themed, owner, coder, django_assert_num_queries):
    _memos(study, themed, owner, coder)
    # the UNION of the five kinds of memo, the words of the memoed excerpts
    with django_assert_num_queries(2):
        content = memos_docx(study=study)
    document = docx.Document(io.BytesIO(content))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert styled[0] == ("Title", "Memos: Harm reduction")
    headings = [(style, text) for style, text in styled if style.startswith("Heading")]
    assert headings == [
        ("Heading 1", "Study journal"),
        ("Heading 1", "Interviews"),
        ("Heading 2", "R1"),
        ("Heading 1", "Codes"),
        ("Heading 2", "Learning"),
        ("Heading 1", "Themes"),
        ("Heading 2", "Training"),
        ("Heading 1", "Excerpts"),
        ("Heading 2", "R1"),
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Decided\nto merge." in text
    assert "=SUM(A1) is not a formula" in text
    assert ("Quote", "“About six years”") in styled
    assert "The longest." in text
    # Nothing of a withdrawn respondent, and no user names.
    assert "R3" not in text
    assert "Withdrawn's memo." not in text
    raw = content.decode("latin-1")
    for name in (owner.username, coder.username):
        assert name not in text
        assert name not in raw


def test_the_memos_document_looks_each_style_up_once(study, themed, owner, monkeypatch):
    # Resolving a style's name read every style of the document, once per paragraph: most
    # of the 16 s the memos of the benchmark's default scale took. Each is resolved once.
    learning, growing = themed["codes"]
    for n in range(20):
        for code in (learning, growing):
            memos.memo_create(model=CodeMemo, author=owner, body=f"Note {n}.", code=code)
        memos.memo_create(model=JournalEntry, author=owner, body=f"Day {n}.", study=study)
    lookups = []
    resolve = DocumentPart.get_style_id

    def counted(part, style, style_type):
        lookups.append(style)
        return resolve(part, style, style_type)

    monkeypatch.setattr(DocumentPart, "get_style_id", counted)
    document = docx.Document(io.BytesIO(memos_docx(study=study)))
    styled = [p.style.name for p in document.paragraphs]
    assert styled.count("Heading 2") == 2
    assert styled.count("Normal") == 60
    assert sorted(lookups) == ["Heading 1", "Heading 2", "Title"]


def test_an_empty_study_has_a_memos_document_that_says_so(study, owner):
    response = client_for(owner).get(reverse("export_memos_docx", args=[study.slug]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="harm-reduction-memos.docx"'
    document = docx.Document(io.BytesIO(response.content))
    assert "No memos have been written in this study yet." in [p.text for p in document.paragraphs]


def test_the_excerpt_workbook_has_every_memo_on_a_sheet(study, themed, owner, coder):
    _memos(study, themed, owner, coder)
    book = openpyxl.load_workbook(io.BytesIO(excerpts_xlsx(study=study)))
    assert book.sheetnames == ["Excerpts", "Memos"]
    sheet = book["Memos"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Kind", "About", "Author", "Written", "Memo")
    memos_by_kind = {(row[0], row[4]) for row in rows[1:]}
    assert memos_by_kind == {
        ("Journal entry", "Decided\nto merge."),
        ("Interview memo", "R1 was at ease."),
        ("Code memo", "'=SUM(A1) is not a formula"),
        ("Theme memo", "Split?"),
        ("Excerpt memo", "The longest."),
    }
    excerpts = book["Excerpts"]
    header = [cell.value for cell in excerpts[1]]
    memo_column = [
        row[header.index("Memo")] for row in excerpts.iter_rows(min_row=2, values_only=True)
    ]
    assert "The longest." in memo_column
    assert "Withdrawn's memo." not in memo_column


def test_an_excerpts_words_stay_whole_and_on_the_page_of_its_memo(study, themed, owner, coder):
    _memos(study, themed, owner, coder)
    document = docx.Document(io.BytesIO(memos_docx(study=study)))
    paragraphs = document.paragraphs
    [at] = [n for n, p in enumerate(paragraphs) if p.style.name == "Quote"]
    quote, memo = paragraphs[at], paragraphs[at + 1]
    assert (quote.text, memo.text.split(". ", 1)[1]) == ("“About six years”", "The longest.")
    assert quote.paragraph_format.keep_together
    assert quote.paragraph_format.keep_with_next


def test_a_memo_of_several_paragraphs_is_written_as_several_paragraphs(study, themed, owner):
    """A memo typed with blank lines between its paragraphs was one Word paragraph of line
    breaks. Each of its paragraphs is now a paragraph of the memo's style, a single line
    break kept inside its paragraph; the words of an excerpt that span two paragraphs of
    the transcript are two Quote paragraphs, kept on the page of its memo."""
    body = "First thought.\n\nSecond,\nwith a break.\r\n\r\n \n\tThird.\n\n"
    memos.memo_create(model=JournalEntry, author=owner, body=body, study=study)
    r1 = themed["interviews"][0]
    start = r1.text.index("About six years")
    end = r1.text.index("What type") + len("What type")
    excerpt = code_span(r1, (start, end), [themed["codes"][0]], owner)
    coding.excerpt_memo_set(excerpt=excerpt, memo="Spans.\n\nTwo answers.", revision=1)

    document = docx.Document(io.BytesIO(memos_docx(study=study)))

    paragraphs = document.paragraphs
    at = next(n for n, p in enumerate(paragraphs) if p.text.endswith("First thought."))
    journal = paragraphs[at : at + 3]
    assert [p.text.split(". ", 1)[-1] for p in journal] == [
        "First thought.",
        "Second,\nwith a break.",
        "Third.",
    ]
    assert {p.style.name for p in journal} == {"Normal"}
    assert [len(p._p.xpath(".//w:br")) for p in journal] == [0, 1, 0]
    assert paragraphs[at + 3].style.name.startswith("Heading"), "nothing after the memo"

    memo = next(n for n, p in enumerate(paragraphs) if p.text.endswith(". Spans."))
    quotes = paragraphs[memo - 2 : memo]
    assert {p.style.name for p in quotes} == {"Quote"}
    assert [p.text for p in quotes] == [
        "“About six years now. I started at the shelter 😀 and never looked back.",
        "Interviewer: What type”",
    ]
    assert all(q.paragraph_format.keep_together for q in quotes)
    assert all(q.paragraph_format.keep_with_next for q in quotes)
    after = paragraphs[memo : memo + 2]
    assert [p.text.split(". ", 1)[-1] for p in after] == ["Spans.", "Two answers."]
