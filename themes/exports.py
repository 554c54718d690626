"""The Word documents a study produces: the findings and the codebook.

Pure functions returning bytes (STYLE.md, rule 28), fed by the same roll-up as the pages.
Confidentiality: pseudonyms only; withdrawn respondents never reach the roll-up or the quote
rows; no user name is written anywhere, the document's own properties included.
"""

from __future__ import annotations

import io
import statistics
from collections import Counter, defaultdict
from datetime import date

from django.utils import timezone
from docx import Document
from docx.shared import Cm, Pt

from coding.selectors import codebook as codebook_nodes
from interviews.models import Study

from . import selectors
from .review import attribution
from .rollup import RollUp, ThemeSummary, number_word, study_rollup

TABLE_STYLE = "Light Grid Accent 1"
QUOTES_IN_TABLE = 3
# In the table a quote is cut after this many words (with an ellipsis, as in print); the
# theme's own section below the table gives every chosen quote in full.
TABLE_QUOTE_WORDS = 40
COLUMN_WIDTHS = (Cm(3.4), Cm(4.2), Cm(2.6), Cm(6.8))


def shorten(text: str, words: int = TABLE_QUOTE_WORDS) -> str:
    parts = text.split()
    if len(parts) <= words:
        return text
    return " ".join(parts[:words]).rstrip(",;:") + " …"


def _document(title: str) -> Document:
    document = Document()
    properties = document.core_properties
    # python-docx would sign the file "python-docx"; a user name must never appear instead.
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.title = title
    return document


def _bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def prevalence_sentence(summary: ThemeSummary) -> str:
    if summary.n == 0:
        return f"Not raised by any respondent (0 of {summary.total})."
    if summary.word == "one":
        return f"Raised by one respondent (1 of {summary.total})."
    return f"Raised by {summary.word} of the respondents ({summary.n} of {summary.total})."


def method_paragraph(study: Study, rollup: RollUp) -> str:
    """A short account of who was interviewed with what, computed from the study's data."""
    total = rollup.total
    questions = len(rollup.questions)
    sentences = [
        f"The findings draw on semi-structured interviews with {number_word(total)} "
        f"respondent{'s' if total != 1 else ''}, conducted with a protocol of "
        f"{number_word(questions)} open question{'s' if questions != 1 else ''} "
        "(see the appendix). Respondents are named by pseudonym only."
    ]
    for attribute in study.attribute_schema:
        values = [
            respondent["attributes"][attribute["name"]]
            for respondent in rollup.respondents
            if respondent["attributes"].get(attribute["name"]) not in (None, "")
        ]
        if values:
            sentences.append(_describe(attribute, values))
    return " ".join(sentences)


def _describe(attribute: dict, values: list) -> str:
    name = attribute["name"]
    if attribute["type"] == "number":
        low, high, middle = min(values), max(values), statistics.median(values)
        middle = int(middle) if float(middle).is_integer() else round(middle, 1)
        return f"{name} ranged from {low} to {high} (median {middle})."
    counts = Counter(str(value) for value in values)
    if len(counts) > 8:
        return f"{name}: {len(counts)} different values."
    listed = ", ".join(f"{value} ({n})" for value, n in sorted(counts.items()))
    return f"{name}: {listed}."


def _quotes(study: Study, rollup: RollUp) -> dict[int, list[tuple[str, str]]]:
    """The chosen quotes of each theme as (text, attribution), in the researcher's order."""
    under = {summary.id: set(summary.excerpt_ids) for summary in rollup.themes}
    quotes = defaultdict(list)
    for row in selectors.quote_rows(study):
        if row["excerpt_id"] not in under.get(row["theme_id"], ()):
            continue  # no longer under the theme: the theme page shows it for removal
        question = rollup.question_at(row["interview_id"], row["start"])
        quotes[row["theme_id"]].append((row["text"], attribution(row["pseudonym"], question)))
    return quotes


def findings_docx(*, study: Study, today: date | None = None) -> bytes:
    """The findings: title block, method, the findings table, a section per theme, the
    protocol as an appendix. Real Word styles, so that it drops into a thesis template."""
    rollup = study_rollup(study)
    quotes = _quotes(study, rollup)
    document = _document(f"Findings: {study.title}")
    document.add_paragraph(study.title, style="Title")
    if study.research_question:
        document.add_paragraph(f"Research question: {study.research_question}", style="Subtitle")
    day = today or timezone.localdate()
    document.add_paragraph(f"Findings as of {day.day} {day:%B %Y}.")

    document.add_heading("Method", level=1)
    document.add_paragraph(method_paragraph(study, rollup))

    document.add_heading("Findings", level=1)
    _findings_table(document, rollup, quotes)

    for summary in rollup.themes:
        document.add_heading(summary.name, level=min(1 + summary.depth, 3))
        if summary.description:
            document.add_paragraph(summary.description)
        document.add_paragraph(prevalence_sentence(summary))
        for text, source in quotes.get(summary.id, []):
            document.add_paragraph(f"“{text}” {source}", style="Quote")

    document.add_heading("Appendix: interview protocol", level=1)
    for question in rollup.questions:
        document.add_paragraph(question["text"], style="List Number")
    return _bytes(document)


def _findings_table(document, rollup: RollUp, quotes) -> None:
    table = document.add_table(rows=1, cols=4)
    table.style = TABLE_STYLE
    table.autofit = False
    for cell, heading in zip(
        table.rows[0].cells,
        ("Theme", "Description", "Respondents", "Illustrative quotes"),
        strict=True,
    ):
        cell.text = heading
    for summary in rollup.themes:
        theme, description, respondents, examples = table.add_row().cells
        theme.text = summary.name
        if summary.depth:
            theme.paragraphs[0].paragraph_format.left_indent = Cm(0.5 * summary.depth)
        description.text = summary.description
        respondents.text = f"{summary.n}/{summary.total} ({summary.word})"
        chosen = quotes.get(summary.id, [])[:QUOTES_IN_TABLE]
        for index, (text, source) in enumerate(chosen):
            paragraph = examples.paragraphs[0] if index == 0 else examples.add_paragraph()
            paragraph.add_run(f"“{shorten(text)}” ").italic = True
            paragraph.add_run(source)
    # Word reads each cell's width, LibreOffice the table grid's: set both.
    for column, width in zip(table.columns, COLUMN_WIDTHS, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, COLUMN_WIDTHS, strict=True):
            cell.width = width
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)


def codebook_docx(*, study: Study) -> bytes:
    """Every code in tree order with its themes, definition, criteria, example and counts."""
    themes_of = defaultdict(list)
    for summary in study_rollup(study).themes:
        for code_id in summary.code_ids:
            themes_of[code_id].append(summary.name)
    document = _document(f"Codebook: {study.title}")
    document.add_paragraph(f"Codebook: {study.title}", style="Title")
    for node in codebook_nodes(study):
        code = node.code
        document.add_heading(code.name, level=min(2 + node.depth, 4))
        fields = [
            ("Themes", "; ".join(themes_of.get(code.pk, [])) or "none"),
            ("Definition", code.definition),
            ("Use when", code.inclusion),
            ("Do not use when", code.exclusion),
            ("Example", f"“{code.example}”" if code.example else ""),
            (
                "Used",
                f"{node.excerpts} excerpt{'s' if node.excerpts != 1 else ''} from "
                f"{node.respondents} respondent{'s' if node.respondents != 1 else ''}",
            ),
        ]
        for label, value in fields:
            if value:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{label}: ").bold = True
                paragraph.add_run(value)
    return _bytes(document)
