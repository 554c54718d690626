"""Every generated file is opened again and read, as a user's Word or spreadsheet would."""

from __future__ import annotations

import csv
import io

import docx
import openpyxl
import pytest
from django.core.management import call_command

from coding import services as coding
from interviews import services as interviews
from tests.conftest import TRANSCRIPT, code_span
from themes import services as themes
from themes.exports import codebook_docx, findings_docx, shorten
from themes.tables import excerpts_csv, excerpts_xlsx, matrix_xlsx


def read_docx(content: bytes):
    return docx.Document(io.BytesIO(content))


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_the_findings_document(study, themed, owner, django_assert_max_num_queries):
    # roll-up (8), chosen quotes (1)
    with django_assert_max_num_queries(9):
        content = findings_docx(study=study)
    document = read_docx(content)
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert styles[0] == ("Title", "Harm reduction")
    assert ("Subtitle", "Research question: How do case managers cope?") in styles
    headings = [text for style, text in styles if style.startswith("Heading")]
    assert headings == [
        "Method",
        "Findings",
        "Training",
        "At work",
        "Appendix: interview protocol",
    ]
    method = next(text for style, text in styles if text.startswith("The findings draw on"))
    assert "two respondents" in method
    assert "protocol of two open questions" in method
    assert "Years of experience ranged from 2 to 9 (median 5.5)." in method

    [table] = document.tables
    assert table.style.name == "Light Grid Accent 1"
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Theme", "Description", "Respondents", "Illustrative quotes"]
    assert rows[1][:3] == ["Training", "Where it came from.", "2/2 (all)"]
    assert rows[1][3] == "“About six years” (R1, Q1)"
    assert rows[2][:3] == ["At work", "", "1/2 (one)"]

    quotes = [text for style, text in styles if style == "Quote"]
    assert quotes == ["“About six years” (R1, Q1)"]
    appendix = [text for style, text in styles if style == "List Number"]
    assert appendix == [q.text for q in study.questions.all()]


def test_the_findings_hold_nothing_from_a_withdrawn_respondent_or_a_user_name(
    study, themed, owner, coder
):
    content = findings_docx(study=study)
    document = read_docx(content)
    text = all_text(document)
    assert "Café regulars" not in text, "R3 withdrew"
    assert "R3" not in text
    raw = content.decode("latin-1")
    for username in (owner.username, coder.username, "python-docx"):
        assert username not in text
        assert username not in raw  # not in the document's properties either
    assert document.core_properties.author == ""


def test_quotes_in_the_table_are_shortened_with_an_ellipsis():
    text = " ".join(f"w{n}" for n in range(60))
    assert shorten(text, 5) == "w0 w1 w2 w3 w4 …"
    assert shorten("short quote") == "short quote"


def test_the_codebook_document(study, themed):
    coding.code_create(
        study=study,
        name="Judgement",
        parent=themed["codes"][0],
        definition="Feeling judged by staff.",
        inclusion="The client says so.",
        exclusion="Staff say it of others.",
        example="they looked down on me",
    )
    document = read_docx(codebook_docx(study=study))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 2", "Learning") in paragraphs
    texts = [text for _, text in paragraphs]
    assert "Themes: Training" in texts
    assert "Definition: How they learned." in texts
    assert "Used: 1 excerpt from 1 respondent" in texts  # R3's excerpt does not count
    assert "Themes: At work" in texts
    judgement = texts.index("Judgement")
    assert paragraphs[judgement][0] == "Heading 3", "a child code sits under its parent"
    assert texts[judgement + 1 : judgement + 6] == [
        "Themes: none",
        "Definition: Feeling judged by staff.",
        "Use when: The client says so.",
        "Do not use when: Staff say it of others.",
        "Example: “they looked down on me”",
    ]


def test_the_excerpt_table_as_csv(study, themed, owner):
    interview = themed["interviews"][0]
    coding.code_create(study=study, name="=Formula")
    code_span(interview, "They come back", [study.codes.get(name="=Formula")])
    content = excerpts_csv(study=study)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [r["Respondent"] for r in rows] == ["R1", "R1", "R2"]
    first = rows[0]
    assert first["Years of experience"] == "2"
    assert first["Question"] == "Q1"
    assert first["Codes"] == "Learning"
    assert first["Themes"] == "Training"
    assert first["Text"] == "About six years"
    assert first["Coder"] == owner.username
    assert rows[1]["Codes"] == "'=Formula", "formulas are neutralised"
    assert rows[2]["Themes"] == "Training; At work"
    assert "Café regulars" not in content.decode("utf-8-sig")


def test_the_excerpt_table_as_xlsx(study, themed):
    coding.code_create(study=study, name="=Formula")
    code_span(themed["interviews"][0], "They come back", [study.codes.get(name="=Formula")])
    book = openpyxl.load_workbook(io.BytesIO(excerpts_xlsx(study=study)))
    sheet = book["Excerpts"]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Respondent", "Years of experience", "Interview"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    rows = [
        dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert [row["Text"] for row in rows] == [
        "About six years",
        "They come back",
        "the ones nobody else will see",
    ]
    assert rows[0]["Years of experience"] == 2, "a number stays a number"
    assert rows[1]["Codes"] == "'=Formula", "formulas are neutralised"
    assert rows[2]["Themes"] == "Training; At work"
    assert rows[2]["Question"] == "Q2"


def test_the_matrix_as_xlsx(study, themed):
    sheet = openpyxl.load_workbook(io.BytesIO(matrix_xlsx(study=study)))["Themes by respondent"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Theme", "R1", "R2", "Respondents", "Prevalence")
    assert rows[1] == ("Training", 1, 1, "2 of 2", "all")
    assert rows[2] == ("    At work", 0, 1, "1 of 2", "one")


def test_the_matrix_keeps_its_columns_whatever_the_respondents_are_called(study, themed):
    """A pseudonym that reads like a column title, or like a formula, changes no other
    column, and a theme named like a formula is neutralised."""
    theme_named = interviews.respondent_create(study=study, pseudonym="Theme")
    plus = interviews.respondent_create(study=study, pseudonym="+R9")
    for respondent in (theme_named, plus):
        outcome = interviews.interview_import(
            study=study, name="x.txt", raw=TRANSCRIPT.encode(), respondent=respondent
        )
        code_span(outcome.interview, "About six years", [themed["codes"][0]])
    themes.theme_create(study=study, name="@Risk")

    sheet = openpyxl.load_workbook(io.BytesIO(matrix_xlsx(study=study)))["Themes by respondent"]
    rows = list(sheet.iter_rows(values_only=True))

    assert rows[0] == (
        "Theme",
        "'+R9",
        "R1",
        "R2",
        "Theme (respondent)",
        "Respondents",
        "Prevalence",
    )
    assert rows[1] == ("Training", 1, 1, 1, 1, "4 of 4", "all")
    assert rows[3] == ("'@Risk", 0, 0, 0, 0, "0 of 4", "none")


def test_every_matrix_column_has_a_title_of_its_own(study, themed):
    for pseudonym in ("Theme", "Theme (respondent)"):
        respondent = interviews.respondent_create(study=study, pseudonym=pseudonym)
        interviews.interview_import(
            study=study, name="x.txt", raw=TRANSCRIPT.encode(), respondent=respondent
        )

    sheet = openpyxl.load_workbook(io.BytesIO(matrix_xlsx(study=study)))["Themes by respondent"]
    header = next(sheet.iter_rows(values_only=True))

    assert len(set(header)) == len(header)
    assert "Theme (respondent)" in header
    assert "Theme (respondent 2)" in header


def test_the_excerpt_table_keeps_its_columns_whatever_the_attributes_are_called(study, themed):
    interviews.attribute_add(study=study, name="Question")
    interviews.attribute_add(study=study, name="Agency")
    r1 = themed["interviews"][0].respondent
    interviews.respondent_update(
        respondent=r1,
        pseudonym="R1",
        attributes={"Years of experience": "2", "Question": "-3+4", "Agency": "@Agency C"},
    )
    coding.code_create(study=study, name="+Plus")
    code_span(themed["interviews"][0], "They come back", [study.codes.get(name="+Plus")])

    for content in (excerpts_csv(study=study), excerpts_xlsx(study=study)):
        if content.startswith(b"PK"):
            sheet = openpyxl.load_workbook(io.BytesIO(content))["Excerpts"]
            table = [list(row) for row in sheet.iter_rows(values_only=True)]
        else:
            table = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        header, first, second = table[0], table[1], table[2]

        assert header[:4] == [
            "Respondent",
            "Years of experience",
            "Question (attribute)",
            "Agency",
        ]
        assert header.count("Question") == 1
        row = dict(zip(header, first, strict=True))
        assert row["Question (attribute)"] == "'-3+4"
        assert row["Agency"] == "'@Agency C"
        assert row["Question"] == "Q1", "the protocol question is still there"
        assert dict(zip(header, second, strict=True))["Codes"] == "'+Plus"


# Every export starts from the roll-up (8 queries); what each adds does not depend on how
# many respondents, excerpts or codes the study has.
EXPORT_QUERIES = [
    (findings_docx, 9),  # + the chosen quotes
    (codebook_docx, 16),  # + the code tree with its counts, + its sub-codes' codings
    (excerpts_csv, 10),  # + the excerpts, their codings
    (excerpts_xlsx, 10),
    (matrix_xlsx, 8),
]


@pytest.mark.parametrize("extra_respondents", [0, 6])
@pytest.mark.parametrize(("export", "queries"), EXPORT_QUERIES)
def test_exports_make_a_fixed_number_of_queries(
    study, themed, extra_respondents, export, queries, django_assert_max_num_queries
):
    learning, colleagues = themed["codes"]
    for n in range(extra_respondents):
        respondent = interviews.respondent_create(
            study=study, pseudonym=f"P{n}", attributes={"Years of experience": n}
        )
        outcome = interviews.interview_import(
            study=study, name="x.txt", raw=TRANSCRIPT.encode(), respondent=respondent
        )
        code_span(outcome.interview, "About six years", [learning, colleagues])
        coding.code_create(study=study, name=f"Extra {n}", parent=learning)

    with django_assert_max_num_queries(queries):
        content = export(study=study)

    assert content


def test_the_findings_command(study, themed, tmp_path):
    out = io.StringIO()
    target = tmp_path / "findings.docx"
    call_command("export_findings", "--study", study.slug, "--output", str(target), stdout=out)
    assert "Wrote the findings" in out.getvalue()
    assert read_docx(target.read_bytes()).paragraphs[0].text == "Harm reduction"


@pytest.mark.django_db
def test_the_demo_findings_read_like_the_paper():
    call_command("seed_demo", stdout=io.StringIO())
    from interviews.models import Study

    document = read_docx(findings_docx(study=Study.objects.get()))
    rows = {row.cells[0].text: row.cells for row in document.tables[0].rows[1:]}
    assert rows["Training"][2].text == "8/8 (all)"
    assert rows["Co-workers or supervisors need more training"][2].text == "5/8 (over half)"
    assert rows["Formal training at their own agency"][2].text == "1/8 (one)"
    assert rows["Learned in school, too abstractly"][2].text == "3/8 (some)"
    assert rows["Uses harm reduction in their own life"][2].text == "3/8 (some)"
    assert rows["Harm reduction lowers their stress"][2].text == "7/8 (most)"
    quotes = rows["Struggles with abstinence-based practice"][3].text
    assert quotes.count("“") == 3
    assert "(R3, Q" in quotes


def test_every_export_counts_a_codes_whole_branch(study, branched):
    """The findings table, the matrix and the excerpt table read the same roll-up: a theme
    gathering a parent code whose excerpts sit on its sub-codes has them all."""
    document = read_docx(findings_docx(study=study))
    rows = {row.cells[0].text: row.cells for row in document.tables[0].rows[1:]}
    cells = rows["Support at work"]
    assert cells[2].text == "2/2 (all)"
    assert cells[3].text == "“Café regulars” (R2, Q2)", "the quote on a grandchild code shows"
    assert "Raised by all of the respondents (2 of 2)." in [p.text for p in document.paragraphs]

    sheet = openpyxl.load_workbook(io.BytesIO(matrix_xlsx(study=study)))["Themes by respondent"]
    assert list(sheet.iter_rows(values_only=True))[1] == ("Support at work", 2, 1, "2 of 2", "all")

    table = list(csv.DictReader(io.StringIO(excerpts_csv(study=study).decode("utf-8-sig"))))
    assert [row["Themes"] for row in table] == ["Support at work"] * 3
