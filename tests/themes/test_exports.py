"""Every generated file is opened again and read, as a user's Word or spreadsheet would."""

from __future__ import annotations

import csv
import datetime
import io
import re

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from docx.shared import Pt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coding import services as coding
from coding.models import Code, Coding, Excerpt
from core.sanitise import sanitise_text
from interviews import services as interviews
from interviews.models import Interview, ProtocolQuestion, Respondent, Study
from tests.conftest import TRANSCRIPT, client_for, code_span, import_text
from themes import services as themes
from themes.exports import codebook_docx, findings_docx, unbroken
from themes.models import Quote, Theme
from themes.tables import excerpts_csv, excerpts_xlsx, matrix_xlsx


def read_docx(content: bytes):
    return docx.Document(io.BytesIO(content))


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_the_findings_document(study, themed, owner, django_assert_num_queries):
    # roll-up (the study's revision, then 8), chosen quotes (1), the codings for the
    # codes-by-question figure (1)
    with django_assert_num_queries(11):
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
    assert rows[0] == ["Theme", "Description", "Raised by", "Illustrative quotes"]
    assert rows[1][:3] == ["Training", "Where it came from.", "2 of 2\n(all)"]
    assert rows[1][3] == "“About six years” (R1,\u00a0Q1)"
    assert rows[2][:3] == ["At work", "", "1 of 2\n(one)"]

    assert rows[2][3] == "No quote chosen yet."
    caption = styles[styles.index(("Heading 1", "Findings")) + 1]
    assert caption[0] == "Caption"
    assert caption[1].startswith("Table 1. Themes, the number of respondents")
    assert table.rows[0]._tr.trPr.xpath("w:tblHeader"), "the header repeats on every page"
    assert all(row._tr.trPr.xpath("w:cantSplit") for row in table.rows[1:])
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer
    section = document.sections[0]
    assert section.page_width == docx.shared.Inches(8.5)  # US Letter, the default
    width = section.page_width - section.left_margin - section.right_margin
    # Stored in twentieths of a point: within a twentieth per column.
    assert sum(column.width for column in table.columns) == pytest.approx(width, abs=635 * 4)

    quotes = [text for style, text in styles if style == "Quote"]
    assert quotes == ["“About six years” (R1,\u00a0Q1)"]
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
    # R3's excerpt does not count; Judgement, a sub-code of Learning, is not used yet.
    assert (
        "Used: 1 excerpt from 1 respondent; with its sub-codes, 1 excerpt from 1 respondent"
        in texts
    )
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


def test_the_codebook_document_counts_a_parent_code_with_its_sub_codes(study, themed, owner):
    """A parent code used only through its sub-codes read "Used: 0 excerpts from 0
    respondents" in the codebook .docx, where the Codebook page, Matrices and Charts count
    its branch: the .docx now gives both, as the page does; a code without sub-codes its
    own use alone."""
    learning, colleagues = themed["codes"][:2]
    sources = coding.code_create(study=study, name="Sources of learning")
    for code in (learning, colleagues):
        coding.code_move(code=code, parent=sources)
    texts = [p.text for p in read_docx(codebook_docx(study=study)).paragraphs]
    at = texts.index("Sources of learning")
    assert texts[at + 2] == (
        "Used: 0 excerpts from 0 respondents; with its sub-codes, 2 excerpts from 2 respondents"
    )
    assert texts[texts.index("Learning") + 3] == "Used: 1 excerpt from 1 respondent"


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
    assert first["Codes applied by"] == owner.username
    assert rows[1]["Codes"] == "'=Formula", "formulas are neutralised"
    assert rows[2]["Themes"] == "Training; At work"
    assert "Café regulars" not in content.decode("utf-8-sig")


def test_the_excerpt_tables_name_every_coder_who_applied_its_codes(study, themed, coder):
    """cody adds Colleagues and a second code to olive's first excerpt: the .csv and the
    .xlsx of the study's excerpts name both, once each, by name, under "Codes applied by"
    (it named olive alone, under "Coder", who made the excerpt)."""
    first, second, _ = themed["excerpts"]
    extra = coding.code_create(study=study, name="Extra")
    colleagues = study.codes.get(name="Colleagues")
    coding.excerpt_codes_add(excerpt=first, codes=[colleagues, extra], coder=coder)
    expected = [(first.text, "cody; olive"), (second.text, "olive")]
    rows = csv.DictReader(io.StringIO(excerpts_csv(study=study).decode("utf-8-sig")))
    assert [(row["Text"], row["Codes applied by"]) for row in rows] == expected
    sheet = openpyxl.load_workbook(io.BytesIO(excerpts_xlsx(study=study)))["Excerpts"]
    values = list(sheet.values)
    text, coders = values[0].index("Text"), values[0].index("Codes applied by")
    assert [(row[text], row[coders]) for row in values[1:]] == expected


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


def _workbook(response) -> dict[str, list[tuple]]:
    """{sheet name: its rows of (value, openpyxl's data type) pairs} of an .xlsx answer."""
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return {
        sheet.title: [tuple((cell.value, cell.data_type) for cell in row) for row in sheet.rows]
        for sheet in book.worksheets
    }


def test_both_excerpt_workbooks_are_one_table_written_alike(study, themed, owner):
    """Excerpts → These excerpts (.xlsx) and Themes → Tables → Coded excerpts (.xlsx) were
    two writers that disagreed: years and dates as text, "Interview 7" against "R1
    interview 1", no Memos sheet in the first. Now one table, one writer."""
    first = themed["excerpts"][0]
    coding.excerpt_memo_set(excerpt=first, memo="The longest.", revision=first.revision)
    # R1's second interview: its excerpts are R1's "interview 2" in both files.
    again = interviews.interview_import(
        study=study,
        name="R1-again.txt",
        raw=TRANSCRIPT.encode(),
        respondent=first.interview.respondent,
        import_duplicate=True,
    ).interview
    code_span(again, "They come back", [themed["codes"][1]], owner)
    client = client_for(owner)
    study_book = _workbook(client.get(reverse("export_excerpts_xlsx", args=[study.slug])))
    retrieved = _workbook(client.get(reverse("retrieve_xlsx", args=[study.slug])))

    assert list(study_book) == list(retrieved) == ["Excerpts", "Memos"]
    assert study_book == retrieved, "the same cells, of the same types, on every sheet"
    header = [value for value, _ in study_book["Excerpts"][0]]
    rows = [dict(zip(header, row, strict=True)) for row in study_book["Excerpts"][1:]]
    assert [row["Interview"][0] for row in rows] == [
        "R1 interview 1",
        "R1 interview 2",
        "R2 interview 1",
    ]
    assert rows[0]["Years of experience"] == (2, "n"), "a number stays a number"
    made_on = rows[0]["Excerpt made on"]
    assert made_on[1] == "d", "a date is a date"
    assert made_on[0].date() == timezone.localdate(first.created_at)
    memo = study_book["Memos"][1]
    assert memo[-1] == ("The longest.", "s")
    assert memo[3][1] == "d", "a memo's time is a date and time"


def _dated_excerpt_tables(study, owner, query: str = "") -> dict[str, list[dict]]:
    """Every file of excerpts reopened as rows of {column: value}, dates as dates: the
    study's .csv and .xlsx, and the Excerpts page's downloads for `query`."""
    client = client_for(owner)
    files = {
        "excerpts.csv": excerpts_csv(study=study),
        "excerpts.xlsx": excerpts_xlsx(study=study),
        "retrieved.csv": client.get(reverse("retrieve_csv", args=[study.slug]) + query).content,
        "retrieved.xlsx": client.get(reverse("retrieve_xlsx", args=[study.slug]) + query).content,
    }
    tables = {}
    for name, content in files.items():
        if name.endswith(".xlsx"):
            rows = list(openpyxl.load_workbook(io.BytesIO(content))["Excerpts"].values)
            rows = [[v.date() if hasattr(v, "date") else v for v in row] for row in rows]
        else:
            rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
            rows = [rows[0], *([_read_day(v) for v in row] for row in rows[1:])]
        tables[name] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return tables


def _read_day(value: str):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return value


def test_the_excerpt_files_say_when_codes_were_applied_as_the_coded_filter_reads_it(
    study, themed, owner, coder
):
    """The "Coded on" column held the day the excerpt was made, while the Excerpts page's
    "Coded from/to" selects the day a code was applied (retrieval.CODED_RULE): an excerpt
    made by Olive ten days ago, to which Cody added a code three days ago, is found by
    "coded from" three days ago, yet its row said ten days ago. Every file of excerpts now
    says "Excerpt made on" and "First coded on" / "Last coded on" (the earliest and latest
    day a code the row lists was applied), the filter's day falling between the two."""
    learning, colleagues = themed["codes"]
    first = themed["excerpts"][0]
    coding.excerpt_codes_add(excerpt=first, codes=[colleagues], coder=coder)
    today = timezone.localdate()
    made, added = today - datetime.timedelta(days=10), today - datetime.timedelta(days=3)

    def noon(day):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))

    Excerpt.objects.filter(pk=first.pk).update(created_at=noon(made))
    Coding.objects.filter(excerpt=first, code=learning).update(created_at=noon(made))
    Coding.objects.filter(excerpt=first, code=colleagues).update(created_at=noon(added))

    for name, rows in _dated_excerpt_tables(study, owner).items():
        assert "Coded on" not in rows[0], name
        row = rows[0]
        assert row["Codes"] == "Learning; Colleagues", name
        assert row["Codes applied by"] == "cody; olive", name
        assert (row["Excerpt made on"], row["First coded on"], row["Last coded on"]) == (
            made,
            made,
            added,
        ), name
    # Found by the day Cody's code was applied: the row says so.
    query = f"?coded_from={added.isoformat()}&coded_to={added.isoformat()}"
    for name, rows in _dated_excerpt_tables(study, owner, query).items():
        if name.startswith("retrieved"):
            assert [row["Text"] for row in rows] == ["About six years"], name
            assert rows[0]["First coded on"] <= added <= rows[0]["Last coded on"], name
    # The workbook's headings carry a note saying which day each holds.
    sheet = openpyxl.load_workbook(io.BytesIO(excerpts_xlsx(study=study)))["Excerpts"]
    notes = {cell.value: cell.comment.text for cell in sheet[1] if cell.comment}
    assert "Coded from" in notes["Last coded on"]
    assert "selected as an excerpt" in notes["Excerpt made on"]


def test_the_matrix_as_xlsx(study, themed):
    sheet = openpyxl.load_workbook(io.BytesIO(matrix_xlsx(study=study)))["Themes by respondent"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Theme", "R1", "R2", "Respondents", "Prevalence")
    assert rows[1] == ("Training", 1, 1, "2 of 2", "all")
    assert rows[2] == ("    At work", 0, 1, "1 of 2", "one")


def test_the_themes_by_respondent_workbook_says_why_it_has_nothing_to_count(study, owner, code):
    """With no theme the workbook was one header row ("Theme", "Respondents",
    "Prevalence"), with no reason. Like the Matrices page's .xlsx (Matrix.why_empty), the
    address now goes to the themes page, which says why; once there is something to count,
    the real workbook is served."""
    client = client_for(owner)
    download = reverse("export_matrix_xlsx", args=[study.slug])
    page = reverse("themes", args=[study.slug])

    response = client.get(download, follow=True)
    assert response.redirect_chain == [(page, 302)]
    html = response.content.decode()
    assert html.count("Themes by respondent: nothing to count: the study has no themes yet.") == 1

    training = themes.theme_create(study=study, name="Training")
    themes.theme_code_attach(theme=training, code=code)
    response = client.get(download, follow=True)
    assert response.redirect_chain == [(page, 302)]
    html = response.content.decode()
    reason = "no respondent is counted yet"
    assert html.count(f"Themes by respondent: nothing to count: {reason}") == 1
    assert html.count(f'<p class="empty">Nothing to count: {reason}') == 1  # in its place

    code_span(import_text(study, name="R1.txt"), "About six years", [code], owner)
    response = client.get(download)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Themes by respondent"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [("Theme", "R1", "Respondents", "Prevalence"), ("Training", 1, "1 of 1", "all")]
    assert "Nothing to count" not in client.get(page).content.decode()


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


# Every export starts from the roll-up (the study's revision, then 8 queries when it is
# not cached); what each adds does not depend on how many respondents, excerpts or codes
# the study has.
EXPORT_QUERIES = [
    (findings_docx, 11),  # + the chosen quotes, the codings of the codes-by-question figure
    (codebook_docx, 17),  # + the code tree with its counts, + its sub-codes' codings
    (excerpts_csv, 12),  # + the excerpts, their codings, the interviews (to number them)
    (excerpts_xlsx, 13),  # as the .csv, + the UNION of every kind of memo (its Memos sheet)
    (matrix_xlsx, 9),
]


@pytest.mark.parametrize("extra_respondents", [0, 6])
@pytest.mark.parametrize(("export", "queries"), EXPORT_QUERIES)
def test_exports_make_a_fixed_number_of_queries(
    study, themed, extra_respondents, export, queries, django_assert_num_queries
):
    learning, colleagues = themed["codes"]
    # A sub-code, so that the codebook's count of branches runs in both sizes.
    coding.code_create(study=study, name="Peers", parent=colleagues)
    for n in range(extra_respondents):
        respondent = interviews.respondent_create(
            study=study, pseudonym=f"P{n}", attributes={"Years of experience": n}
        )
        outcome = interviews.interview_import(
            study=study, name="x.txt", raw=TRANSCRIPT.encode(), respondent=respondent
        )
        code_span(outcome.interview, "About six years", [learning, colleagues])
        coding.code_create(study=study, name=f"Extra {n}", parent=learning)

    with django_assert_num_queries(queries):
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
    assert rows["Training"][2].text == "8 of 8\n(all)"
    assert rows["Co-workers or supervisors need more training"][2].text == "5 of 8\n(over half)"
    assert rows["Formal training at their own agency"][2].text == "1 of 8\n(one)"
    assert rows["Learned in school, too abstractly"][2].text == "3 of 8\n(some)"
    assert rows["Uses harm reduction in their own life"][2].text == "3 of 8\n(some)"
    assert rows["Harm reduction lowers their stress"][2].text == "7 of 8\n(most)"
    quotes = rows["Struggles with abstinence-based practice"][3].text
    assert quotes.count("“") == 3
    assert "(R3,\u00a0Q" in quotes


def test_every_export_counts_a_codes_whole_branch(study, branched):
    """The findings table, the matrix and the excerpt table read the same roll-up: a theme
    gathering a parent code whose excerpts sit on its sub-codes has them all."""
    document = read_docx(findings_docx(study=study))
    rows = {row.cells[0].text: row.cells for row in document.tables[0].rows[1:]}
    cells = rows["Support at work"]
    assert cells[2].text == "2 of 2\n(all)"
    assert cells[3].text == "“Café regulars” (R2,\u00a0Q2)", "the quote on a grandchild code shows"
    assert "Raised by all of the respondents (2 of 2)." in [p.text for p in document.paragraphs]

    sheet = openpyxl.load_workbook(io.BytesIO(matrix_xlsx(study=study)))["Themes by respondent"]
    assert list(sheet.iter_rows(values_only=True))[1] == ("Support at work", 2, 1, "2 of 2", "all")

    table = list(csv.DictReader(io.StringIO(excerpts_csv(study=study).decode("utf-8-sig"))))
    assert [row["Themes"] for row in table] == ["Support at work"] * 3


# Typed or uploaded text that Word's XML cannot hold, and line breaks of every kind: Word's
# Shift+Enter (U+000B), U+2028, a C0 and a C1 control, ESC, a non-character. (NUL and lone
# surrogates cannot be stored at all, by either database; test_sanitise covers them.)
NASTY = "A\x0bb\u2028c\x01d\x1b\x9be\ufffe😀\u200f"


def _set_attribute_value(study, themed, value):
    interviews.attribute_add(study=study, name="Agency")
    r1 = themed["interviews"][0].respondent
    Respondent.objects.filter(pk=r1.pk).update(
        attributes={"Years of experience": 2, "Agency": value}
    )


def _set_attribute_name(study, themed, value):
    Study.objects.filter(pk=study.pk).update(attribute_schema=[{"name": value, "type": "number"}])
    r1 = themed["interviews"][0].respondent
    Respondent.objects.filter(pk=r1.pk).update(attributes={value: 2})


def _set_quote(study, themed, value):
    first = themed["excerpts"][0]
    Excerpt.objects.filter(pk=first.pk).update(text=f"Before it. {value} After it.")
    Quote.objects.filter(excerpt=first).update(extract=value)


def _update(model, value, field, **where):
    model.objects.filter(**where).update(**{field: value})


FINDINGS, CODEBOOK, CSV, XLSX, MATRIX = "findings", "codebook", "csv", "xlsx", "matrix"
# field: (how it is stored, bypassing the forms as old data or another path would; the
# exports that print it)
TEXT_FIELDS = {
    "study title": (
        lambda s, t, v: _update(Study, v, "title", pk=s.pk),
        {FINDINGS, CODEBOOK},
    ),
    "research question": (
        lambda s, t, v: _update(Study, v, "research_question", pk=s.pk),
        {FINDINGS},
    ),
    "study description": (lambda s, t, v: _update(Study, v, "description", pk=s.pk), set()),
    "code name": (
        lambda s, t, v: _update(Code, v, "name", pk=t["codes"][0].pk),
        {CODEBOOK, CSV, XLSX},
    ),
    **{
        f"code {field}": (
            lambda s, t, v, field=field: _update(Code, v, field, pk=t["codes"][0].pk),
            {CODEBOOK},
        )
        for field in ("definition", "inclusion", "exclusion", "example")
    },
    "theme name": (
        lambda s, t, v: _update(Theme, v, "name", pk=t["training"].pk),
        {FINDINGS, CODEBOOK, CSV, XLSX, MATRIX},
    ),
    "theme description": (
        lambda s, t, v: _update(Theme, v, "description", pk=t["training"].pk),
        {FINDINGS},
    ),
    "memo": (
        lambda s, t, v: _update(Excerpt, v, "memo", pk=t["excerpts"][0].pk),
        {CSV, XLSX},
    ),
    "comment": (
        lambda s, t, v: themes.comment_add(theme=t["training"], author=None, body=v),
        set(),
    ),
    "pseudonym": (
        lambda s, t, v: _update(Respondent, v, "pseudonym", pk=t["interviews"][0].respondent_id),
        {FINDINGS, CSV, XLSX, MATRIX},
    ),
    "attribute value": (_set_attribute_value, {FINDINGS, CSV, XLSX}),
    "attribute name": (_set_attribute_name, {FINDINGS, CSV, XLSX}),
    "interview title": (
        lambda s, t, v: _update(Interview, v, "title", pk=t["interviews"][0].pk),
        {CSV, XLSX},
    ),
    "transcript text": (
        lambda s, t, v: _update(Excerpt, v, "text", pk=t["excerpts"][0].pk),
        {FINDINGS, CSV, XLSX},
    ),
    "quote": (_set_quote, {FINDINGS, CSV, XLSX}),  # the tables give the whole excerpt
    "protocol question": (
        lambda s, t, v: _update(ProtocolQuestion, v, "text", study=s, number=1),
        {FINDINGS},
    ),
}
EXPORT_URLS = {
    FINDINGS: "export_findings",
    CODEBOOK: "export_codebook",
    CSV: "export_excerpts_csv",
    XLSX: "export_excerpts_xlsx",
    MATRIX: "export_matrix_xlsx",
}
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\u2028\u2029]")


def reopened_text(export: str, content: bytes) -> str:
    """All the text of an export, read back by the library a user's program stands for."""
    if export in (FINDINGS, CODEBOOK):
        return all_text(read_docx(content))
    if export == CSV:
        return "\n".join(
            "\t".join(row) for row in csv.reader(io.StringIO(content.decode("utf-8-sig")))
        )
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


@pytest.mark.parametrize("export", list(EXPORT_URLS))
@pytest.mark.parametrize("field", list(TEXT_FIELDS))
def test_every_text_field_reaches_every_export_safely(study, themed, owner, field, export):
    store, shown_in = TEXT_FIELDS[field]
    value = f"{NASTY} {field}"
    store(study, themed, value)
    study.refresh_from_db()

    response = client_for(owner).get(reverse(EXPORT_URLS[export], args=[study.slug]))

    assert response.status_code == 200
    text = reopened_text(export, response.content)
    assert not UNSAFE.search(text)
    clean = sanitise_text(value)
    assert clean == f"A\nb\ncde😀\u200f {field}", "line breaks stay line breaks"
    if field == "quote" and export == FINDINGS:
        # The extract is printed on one line, between the cuts the researcher made.
        clean = "[…] " + " ".join(clean.split()) + " […]"
    if field == "pseudonym" and export == FINDINGS:
        # In a quote's attribution, with no-break spaces where it must not be broken
        # (themes.exports.unbroken: only before "Q1", this one being too long to keep whole).
        clean = unbroken(f"({clean}, Q1)")
    if export in shown_in:
        assert clean in text
    else:
        assert field not in text


@given(value=st.text(alphabet=st.characters(exclude_categories=["Cs"])))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_text_in_every_field_leaves_every_export_readable(study, themed, value):
    """Hypothesis: whatever a code definition, a theme name and a memo hold (anything a
    database can store), every export is written and reads back."""
    value = value.replace("\x00", "")  # neither database stores NUL
    _update(Code, value, "definition", pk=themed["codes"][0].pk)
    _update(Theme, value or "x", "name", pk=themed["training"].pk)
    _update(Excerpt, value, "memo", pk=themed["excerpts"][0].pk)
    for export, make in (
        (CODEBOOK, codebook_docx),
        (FINDINGS, findings_docx),
        (CSV, excerpts_csv),
        (XLSX, excerpts_xlsx),
        (MATRIX, matrix_xlsx),
    ):
        text = reopened_text(export, make(study=study))
        assert not UNSAFE.search(text)


def test_text_typed_into_the_forms_is_stored_sanitised(study, themed, owner):
    client = client_for(owner)
    client.post(
        reverse("codebook", args=[study.slug]),
        {"name": "Peer\x01 support", "definition": "One\x0btwo\u2028three\x00", "colour": ""},
    )
    code = Code.objects.get(name="Peer support")
    assert code.definition == "One\ntwo\nthree"
    first = themed["excerpts"][0]
    client.post(
        reverse("excerpt_memo", args=[study.slug, first.pk]),
        {"memo": "Why\x0bthis\x1b?", "revision": first.revision},
    )
    first.refresh_from_db()
    assert first.memo == "Why\nthis?"
    client.post(reverse("respondents", args=[study.slug]), {"pseudonym": "R\x019", "attr-0": "4"})
    assert study.respondents.filter(pseudonym="R9").exists()


def test_the_excerpt_tables_give_each_excerpt_its_memo(study, themed):
    first = themed["excerpts"][0]
    coding.excerpt_memo_set(excerpt=first, memo="Six years: the longest.", revision=first.revision)
    rows = list(csv.DictReader(io.StringIO(excerpts_csv(study=study).decode("utf-8-sig"))))
    assert [row["Memo"] for row in rows] == ["Six years: the longest.", ""]
    sheet = openpyxl.load_workbook(io.BytesIO(excerpts_xlsx(study=study)))["Excerpts"]
    table = list(sheet.iter_rows(values_only=True))
    memo = table[0].index("Memo")
    assert [row[memo] for row in table[1:]] == ["Six years: the longest.", None]


def test_whole_numbers_print_as_whole_numbers_in_every_export(study, themed):
    """A number column holding 7 and 7.5 (pandas would make both floats) prints "7"."""
    r1, r2 = (interview.respondent for interview in themed["interviews"][:2])
    Respondent.objects.filter(pk=r1.pk).update(attributes={"Years of experience": 7.0})
    Respondent.objects.filter(pk=r2.pk).update(attributes={"Years of experience": 7.5})

    rows = list(csv.DictReader(io.StringIO(excerpts_csv(study=study).decode("utf-8-sig"))))
    assert [row["Years of experience"] for row in rows] == ["7", "7.5"]
    sheet = openpyxl.load_workbook(io.BytesIO(excerpts_xlsx(study=study)))["Excerpts"]
    values = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == [7, 7.5]
    assert type(values[0]) is int
    method = all_text(read_docx(findings_docx(study=study)))
    assert "Years of experience ranged from 7 to 7.5" in method
    assert "7.0" not in method


@pytest.mark.parametrize(
    "typed",
    ["they looked down on me", "“they looked down on me”", '"they looked down on me"'],
)
def test_the_codebook_quotes_an_example_once(study, themed, typed):
    coding.code_create(study=study, name="Judgement", example=typed)
    texts = [p.text for p in read_docx(codebook_docx(study=study)).paragraphs]
    assert "Example: “they looked down on me”" in texts


def _table_rows(study):
    [table] = read_docx(findings_docx(study=study)).tables
    return {row.cells[0].text: row.cells for row in table.rows[1:]}


def test_a_theme_without_quotes_of_its_own_shows_its_sub_themes_quotes(study, themed, owner):
    training, at_work = themed["training"], themed["at_work"]
    for quote in training.quotes.all():
        themes.quote_remove(quote=quote)
    themes.quote_add(theme=at_work, excerpt=themed["excerpts"][1])

    rows = _table_rows(study)

    quote = "“the ones nobody else will see” (R2,\u00a0Q2)"
    assert rows["Training"][3].text == quote, "gathered from its sub-theme"
    assert rows["At work"][3].text == quote


def test_an_empty_quotes_cell_says_why(study, themed):
    themes.theme_create(study=study, name="Empty")
    coded_nowhere = themes.theme_create(study=study, name="Uncoded")
    themes.theme_code_attach(
        theme=coded_nowhere, code=coding.code_create(study=study, name="Unused")
    )

    rows = _table_rows(study)

    assert rows["At work"][3].text == "No quote chosen yet."
    assert rows["Empty"][3].text == "No code attached yet."
    assert rows["Uncoded"][3].text == "No excerpt counts under this theme."


def test_a_quote_is_printed_whole_or_as_the_extract_the_researcher_chose(study, themed, owner):
    interview = themed["interviews"][0]
    long = code_span(
        interview,
        "Honestly, the ones nobody else will see. Café regulars, people like that.",
        [themed["codes"][0]],
        owner,
    )
    quote = themes.quote_add(theme=themed["training"], excerpt=long)
    cell = _table_rows(study)["Training"][3].text
    assert "“Honestly, the ones nobody else will see. Café regulars, people like that.”" in cell

    themes.quote_extract_set(quote=quote, extract="the ones nobody [...] Café regulars")
    cell = _table_rows(study)["Training"][3].text
    assert "“[…] the ones nobody […] Café regulars […]” (R1,\u00a0Q2)" in cell
    quotes = [p.text for p in read_docx(findings_docx(study=study)).paragraphs]
    assert "“[…] the ones nobody […] Café regulars […]” (R1,\u00a0Q2)" in quotes


def test_a_quote_no_longer_under_its_theme_leaves_the_findings(study, themed, owner):
    training, learning = themed["training"], themed["codes"][0]
    themes.theme_code_detach(theme=training, code=learning)
    html = client_for(owner).get(reverse("theme_detail", args=[study.slug, training.pk]))
    assert "no longer carries any of the theme" in html.content.decode()
    document = docx.Document(io.BytesIO(findings_docx(study=study)))
    assert not [p for p in document.paragraphs if p.style.name == "Quote"]


def test_the_method_says_who_has_no_value_so_the_parts_add_up(study, themed, owner):
    """R12 has no attribute recorded and R4 no "Gender": each attribute's sentence counts
    them as "not recorded", so its parts add up to N (four)."""
    interviews.attribute_add(study=study, name="Gender")
    for pseudonym, attributes in (("R4", {"Years of experience": 4}), ("R12", {})):
        interviews.respondent_create(study=study, pseudonym=pseudonym, attributes=attributes)
        import_text(study, name=f"{pseudonym}.txt")
    for pseudonym, gender in (("R1", "Woman"), ("R2", "Man")):
        respondent = Respondent.objects.get(study=study, pseudonym=pseudonym)
        interviews.respondent_update(
            respondent=respondent,
            pseudonym=pseudonym,
            attributes={**respondent.attributes, "Gender": gender},
        )
    document = docx.Document(io.BytesIO(findings_docx(study=study)))
    method = next(p.text for p in document.paragraphs if p.text.startswith("The findings draw"))
    assert "interviews with four respondents" in method
    assert "Years of experience ranged from 2 to 9 (median 4; not recorded (1))." in method
    assert "Gender: Man (1), Woman (1), not recorded (2)." in method


def test_each_quote_in_the_findings_table_is_a_paragraph_of_its_own_with_space_between(
    study, themed, owner
):
    """Several quotes of a theme shared one cell with nothing between them but the line's
    end, so a reader could not tell where one ended and the next began. Each is now its own
    paragraph, kept whole, its attribution at its end, with space above all but the first."""
    second = code_span(themed["interviews"][0], "Café regulars", [themed["codes"][0]], owner)
    themes.quote_add(theme=themed["training"], excerpt=second)

    cell = _table_rows(study)["Training"][3]

    assert [p.text for p in cell.paragraphs] == [
        "“About six years” (R1,\u00a0Q1)",
        "“Café regulars” (R1,\u00a0Q2)",
    ]
    first, then = cell.paragraphs
    assert not first.paragraph_format.space_before, "no gap above the cell's first quote"
    assert then.paragraph_format.space_before == Pt(6)
    assert first.paragraph_format.keep_together
    assert then.paragraph_format.keep_together
    # The quote's words in italics, its attribution upright, in the same paragraph.
    assert [(run.text, run.italic) for run in then.runs] == [
        ("“Café regulars” ", True),
        ("(R1,\u00a0Q2)", None),
    ]


def test_a_quote_in_the_findings_text_is_kept_whole_with_its_attribution(study, themed):
    document = read_docx(findings_docx(study=study))
    [quote] = [p for p in document.paragraphs if p.style.name == "Quote"]
    assert quote.text == "“About six years” (R1,\u00a0Q1)"
    assert quote.paragraph_format.keep_together


def test_text_of_several_paragraphs_is_written_as_several_paragraphs(study, themed, owner):
    """A theme's description, a code's definition and a quote whose words span two
    paragraphs of the transcript were each one Word paragraph of line breaks. Each of their
    paragraphs is now a paragraph of its own (a single line break kept inside it): in the
    theme's section and in the findings table's cells, and in the codebook."""
    training, learning = themed["training"], themed["codes"][0]
    _update(
        Theme, "Where it came from.\n\nAnd where it went,\nlater.\n", "description", pk=training.pk
    )
    _update(Code, "One.\r\n\r\nTwo.", "definition", pk=learning.pk)
    r1 = themed["interviews"][0]
    start = r1.text.index("About six years")
    end = r1.text.index("What type") + len("What type")
    themes.quote_add(theme=training, excerpt=code_span(r1, (start, end), [learning], owner))

    document = read_docx(findings_docx(study=study))

    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    at = paragraphs.index(("Heading 1", "Training"))
    spans = "“About six years now. I started at the shelter 😀 and never looked back."
    assert paragraphs[at + 1 : at + 7] == [
        ("Normal", "Where it came from."),
        ("Normal", "And where it went,\nlater."),
        ("Normal", "Raised by all of the respondents (2 of 2)."),
        ("Quote", "“About six years” (R1,\u00a0Q1)"),
        ("Quote", spans),
        ("Quote", "Interviewer: What type” (R1,\u00a0Q1)"),
    ]
    first, then = document.paragraphs[at + 5 : at + 7]
    assert first.paragraph_format.keep_with_next, "a quote's paragraphs stay on one page"
    assert then.paragraph_format.keep_together

    row = next(row for row in document.tables[0].rows if row.cells[0].text == "Training")
    description, quotes = row.cells[1], row.cells[3]
    assert [p.text for p in description.paragraphs] == [
        "Where it came from.",
        "And where it went,\nlater.",
    ]
    assert [p.text for p in quotes.paragraphs] == [
        "“About six years” (R1,\u00a0Q1)",
        spans,
        "Interviewer: What type” (R1,\u00a0Q1)",
    ]
    gaps = [p.paragraph_format.space_before for p in quotes.paragraphs]
    assert gaps == [None, Pt(6), None], "space above each quote, none inside one"
    assert [(r.text, r.italic) for r in quotes.paragraphs[2].runs] == [
        ("Interviewer: What type” ", True),
        ("(R1,\u00a0Q1)", None),
    ]
    cells = (description, quotes)
    sizes = {r.font.size for cell in cells for p in cell.paragraphs for r in p.runs}
    assert sizes == {Pt(9)}, "every paragraph in the table's font"

    codebook = [p.text for p in read_docx(codebook_docx(study=study)).paragraphs]
    at = codebook.index("Definition: One.")
    assert codebook[at + 1] == "Two."


def test_a_description_s_paragraphs_read_apart_in_the_findings_table(study, themed):
    """The table's style puts no space between a cell's paragraphs: a description's second
    paragraph began on the next line as a line break inside the first did, and a reader of
    the table could not tell them apart (the theme's section, in Normal, spaces them)."""
    _update(
        Theme,
        "Where it came from.\n\nAnd where it went,\nlater.\n\nThen.",
        "description",
        pk=themed["training"].pk,
    )
    document = read_docx(findings_docx(study=study))
    row = next(row for row in document.tables[0].rows if row.cells[0].text == "Training")
    description = row.cells[1].paragraphs
    assert [p.text for p in description] == [
        "Where it came from.",
        "And where it went,\nlater.",
        "Then.",
    ]
    assert [p.paragraph_format.space_before for p in description] == [None, Pt(6), Pt(6)]


@pytest.mark.parametrize(
    ("attribution", "written"),
    [
        ("(R1, Q3)", "(R1,\u00a0Q3)"),
        ("(Case Manager A, Q11)", "(Case\u00a0Manager\u00a0A,\u00a0Q11)"),
        ("(R1)", "(R1)"),
        (
            "(The case manager from the fourth agency, Q3)",
            "(The case manager from the fourth agency,\u00a0Q3)",
        ),
        ("(The case manager from the fourth agency)", "(The case manager from the fourth agency)"),
    ],
)
def test_an_attribution_is_kept_whole_when_a_line_of_the_table_holds_it(attribution, written):
    # Longer, kept whole, it was cut inside a word where the quotes column ended
    # (tests/themes/test_findings_rendering.py shows it on the page).
    assert unbroken(attribution) == written


@pytest.mark.parametrize("value", ["\n\n\n", " \t\n ", "\x01\x02"])
def test_a_code_s_text_of_nothing_to_print_prints_no_label(study, themed, value):
    # Stored before the forms cleaned what they take (or another way), such a definition
    # was printed as "Definition: " and nothing.
    code = themed["codes"][0]
    for field in ("definition", "inclusion", "exclusion", "example"):
        _update(Code, value, field, pk=code.pk)
    texts = [p.text for p in read_docx(codebook_docx(study=study)).paragraphs]
    at = texts.index(code.name)
    assert texts[at + 1].startswith("Themes: ")
    assert texts[at + 2].startswith("Used: ")


def _protocol_removed(study):
    """The study's protocol deleted as a researcher would, question by question."""
    for question in list(study.questions.all()):
        interviews.question_delete(question=question)


def test_the_findings_of_a_study_without_a_protocol_say_nothing_of_one(study, themed):
    _protocol_removed(study)
    document = read_docx(findings_docx(study=study, methods=True))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    headings = [text for style, text in styles if style.startswith("Heading")]
    assert "Appendix: interview protocol" not in headings
    assert "Protocol" not in headings, "the methods appendix has no protocol section either"
    assert not [text for style, text in styles if style == "List Number"]
    method = next(text for style, text in styles if text.startswith("The findings draw on"))
    assert method.startswith(
        "The findings draw on interviews with two respondents. Respondents are named by "
        "pseudonym only."
    )
    # The figures' captions aside: the codes-by-question chart is a fault of its own.
    text = "\n".join(
        [text for style, text in styles if style != "Caption"]
        + [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    )
    for wording in ("protocol", "appendix on the interview", "open question", "Q1"):
        assert wording not in text
    coreq = {row.cells[0].text: row.cells[2].text for row in document.tables[-1].rows}
    assert "17" not in coreq, "the interview guide is not one the study records"
    assert coreq["29"] == "1 quote, each with its respondent's pseudonym."
    quotes = [text for style, text in styles if style == "Quote"]
    assert quotes == ["“About six years” (R1)"]


UNMARKED = "R1: About six years now. I started at the shelter and never looked back."


def _excerpt_tables(study, owner) -> dict[str, list[list]]:
    """Every file of excerpts, reopened: the study's .csv and .xlsx (sheet Excerpts), and
    the Excerpts page's downloads of all its excerpts."""
    client = client_for(owner)
    files = {
        "excerpts.csv": excerpts_csv(study=study),
        "excerpts.xlsx": excerpts_xlsx(study=study),
        "retrieved.csv": client.get(reverse("retrieve_csv", args=[study.slug])).content,
        "retrieved.xlsx": client.get(reverse("retrieve_xlsx", args=[study.slug])).content,
    }
    tables = {}
    for name, content in files.items():
        if name.endswith(".xlsx"):
            sheet = openpyxl.load_workbook(io.BytesIO(content))["Excerpts"]
            tables[name] = [["" if v is None else v for v in row] for row in sheet.values]
        else:
            tables[name] = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return tables


def test_the_excerpt_tables_leave_out_a_question_column_no_excerpt_fills(study, owner):
    """With no protocol, or one marked in no transcript, every excerpt's Question cell was
    blank: the column is left out then, the others in their order; kept when any excerpt
    answers a question."""
    learning = coding.code_create(study=study, name="Learning")
    marked = import_text(study, name="R1.txt")
    code_span(marked, "About six years", [learning], owner)
    front = ["Respondent", "Years of experience", "Interview", "Question"]
    dates = ["First coded on", "Last coded on", "Excerpt made on"]
    words = ["Codes", "Themes", "Interviewer’s words", "Text", "Memo", "Codes applied by"]
    with_protocol = [*front, *words, *dates]
    for name, table in _excerpt_tables(study, owner).items():
        assert table[0] == with_protocol, name
        assert [row[3] for row in table[1:]] == ["Q1"], name
    # A transcript whose questions are not marked: only some excerpts answer one, and the
    # column stays, blank where there is no question.
    unmarked = import_text(study, UNMARKED, name="R2.txt")
    code_span(unmarked, "never looked back", [learning], owner)
    for name, table in _excerpt_tables(study, owner).items():
        assert table[0] == with_protocol, name
        assert [row[3] for row in table[1:]] == ["Q1", ""], name

    interviews.interview_delete(interview=marked)
    without = [title for title in with_protocol if title != "Question"]
    for name, table in _excerpt_tables(study, owner).items():
        assert table[0] == without, name
        assert [row[:3] for row in table[1:]] == [["R2", "", "R2 interview 1"]], name
        assert table[1][3:7] == ["Learning", "", "", "never looked back"], name
    for question in list(study.questions.all()):
        interviews.question_delete(question=question)
    for name, table in _excerpt_tables(study, owner).items():
        assert table[0] == without, name


def test_a_filtered_download_keeps_the_study_s_question_column(study, owner):
    """The Excerpts page's downloads have the study's columns whatever the filter selects:
    with one transcript's questions marked, a download of only the unmarked transcript's
    excerpts still has its Question column, blank, where a script reading the files by
    column finds it in every other download of the study."""
    learning = coding.code_create(study=study, name="Learning")
    marked = import_text(study, name="R1.txt")
    code_span(marked, "About six years", [learning], owner)
    unmarked = import_text(study, UNMARKED, name="R2.txt")
    code_span(unmarked, "never looked back", [learning], owner)
    client = client_for(owner)
    query = {"respondent": [unmarked.respondent_id]}
    as_csv = client.get(reverse("retrieve_csv", args=[study.slug]), query).content
    as_xlsx = client.get(reverse("retrieve_xlsx", args=[study.slug]), query).content
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx))["Excerpts"]
    tables = {
        "csv": list(csv.reader(io.StringIO(as_csv.decode("utf-8-sig")))),
        "xlsx": [["" if v is None else v for v in row] for row in sheet.values],
    }
    for name, table in tables.items():
        assert table[0][2:5] == ["Interview", "Question", "Codes"], name
        assert [row[:4] for row in table[1:]] == [["R2", "", "R2 interview 1", ""]], name
