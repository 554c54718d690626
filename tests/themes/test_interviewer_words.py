"""The interviewer's words never count as a respondent's (interviews.turns.interviewer_only).

The fault: coding only the interviewer's line "How long have you been implementing harm
reduction…" in R2's transcript made R2 "raise" the theme: the themes page went from one
respondent to two.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from coding import services as coding
from coding.models import Excerpt
from interviews import services as interviews
from tests.conftest import client_for, code_span, import_text
from themes import services as themes

QUESTION = "How long have you been implementing harm reduction in your practice?"


def url(study, name, *args):
    return reverse(name, args=[study.slug, *args])


def one_answer_under_a_theme(study, owner) -> dict:
    """R1 and R2 counted; "Training" gathers Learning; R1's answer is coded Learning.
    Also the browser's test (tests/browser/test_interviewer_words.py)."""
    for pseudonym in ("R1", "R2"):
        interviews.respondent_create(study=study, pseudonym=pseudonym, attributes={})
    r1 = import_text(study, name="R1.txt")
    r2 = import_text(study, name="R2.txt")
    learning = coding.code_create(study=study, name="Learning")
    training = themes.theme_create(study=study, name="Training")
    themes.theme_code_attach(theme=training, code=learning)
    answer = code_span(r1, "About six years", [learning], owner)
    return {"training": training, "answer": answer, "r2": r2, "learning": learning}


@pytest.fixture
def asked(study, owner):
    """As one_answer_under_a_theme, and R2's interviewer line (the question alone) coded
    Learning."""
    made = one_answer_under_a_theme(study, owner)
    made["question"] = code_span(made["r2"], QUESTION, [made["learning"]], owner)
    return made


def test_coding_the_interviewers_line_marks_the_excerpt(asked):
    assert Excerpt.objects.get(pk=asked["question"].pk).interviewer_only
    assert not Excerpt.objects.get(pk=asked["answer"].pk).interviewer_only


def test_the_themes_page_counts_no_respondent_for_the_interviewers_words(
    study, asked, owner, django_assert_num_queries
):
    client = client_for(owner)
    # session, user, study+role, roll-up (revision, 8), the study's respondent and interview
    # counts (interviews.counts), parent choices of the new-theme form: as without them
    with django_assert_num_queries(14):
        html = client.get(url(study, "themes")).content.decode()
    assert "of the respondents (1 of 2)" in html
    assert "2 excerpts" in html, "the excerpt stays under the theme, found"
    assert "1 excerpt holds only the interviewer’s words and counts for no respondent." in html


def test_the_theme_page_marks_the_interviewers_words(
    study, asked, owner, django_assert_num_queries
):
    client = client_for(owner)
    # session, user, the theme with its study and the user's role, roll-up (revision, 8),
    # quotes, excerpts, codings, comments: as without them
    with django_assert_num_queries(16):
        html = client.get(url(study, "theme_detail", asked["training"].pk)).content.decode()
    assert "Raised by <strong>one</strong> respondent (1 of 2)" in html
    assert "1 excerpt holds only the interviewer’s words and counts for no respondent." in html
    question = html[html.index(f'id="support-{asked["question"].pk}"') :]
    question = question[: question.index("</li>")]
    assert "Interviewer’s words" in question
    answer = html[html.index(f'id="support-{asked["answer"].pk}"') :]
    assert "Interviewer’s words" not in answer[: answer.index("</li>")]


def test_resizing_into_the_answer_makes_it_count_again(study, asked, owner):
    r2 = asked["r2"]
    question = Excerpt.objects.get(pk=asked["question"].pk)
    start = r2.text.index(QUESTION)
    end = r2.text.index("About six years") + len("About six years")
    coding.excerpt_resize(
        excerpt=question,
        start=start,
        end=end,
        seen_text=r2.text[start:end],
        version=r2.version,
        revision=question.revision,
    )
    assert not Excerpt.objects.get(pk=question.pk).interviewer_only
    html = client_for(owner).get(url(study, "themes")).content.decode()
    assert "of the respondents (2 of 2)" in html


def test_the_codebook_counts_no_respondent_for_the_interviewers_words(study, asked, owner):
    from coding.selectors import codebook

    # R1's answer and R2's question, both coded Learning; its parent gathers its branch.
    learning = Excerpt.objects.get(pk=asked["answer"].pk).codings.get().code
    parent = coding.code_create(study=study, name="Where it came from")
    coding.code_move(code=learning, parent=parent)
    nodes = {node.code.name: node for node in codebook(study)}
    assert (nodes["Learning"].excerpts, nodes["Learning"].respondents) == (2, 1)
    branch = nodes["Where it came from"]
    assert (branch.branch_excerpts, branch.branch_respondents) == (2, 1)


def test_the_codes_by_respondent_matrix_counts_no_respondent_for_them(study, asked):
    from themes import matrices, retrieval

    index = retrieval.study_index(study)
    for count in ("excerpts", "respondents"):
        matrix = matrices.build(index, rows="codes", by="respondent", count=count)
        cells = {
            (line["name"], column["label"]): value
            for line, values in zip(matrix.rows, matrix.cells, strict=True)
            for column, value in zip(matrix.columns, values, strict=True)
        }
        assert cells[("Learning", "R1")] == 1
        assert cells[("Learning", "R2")] == 0, count
    by_question = matrices.build(index, rows="themes", by="question", count="respondents")
    assert max(max(row) for row in by_question.cells) <= 1


def test_the_interviewers_words_are_not_offered_as_a_quote(study, asked, owner):
    training, question = asked["training"], asked["question"]
    client = client_for(owner)
    html = client.get(url(study, "theme_detail", training.pk)).content.decode()
    item = html[html.index(f'id="support-{question.pk}"') :]
    item = item[: item.index("</li>")]
    assert "Choose as a quote" not in item
    assert "Not offered as a quote: these are the interviewer’s words, no respondent’s." in item
    # A stale page or a forged request is refused, with the reason, and nothing is chosen.
    response = client.post(url(study, "quote_toggle", training.pk, question.pk), {"choose": "1"})
    assert "holds only the interviewer’s words" in response.content.decode()
    assert not training.quotes.exists()


def test_a_quote_chosen_on_them_before_prints_as_the_interviewers(study, asked, owner):
    import io

    import docx

    from themes.exports import findings_docx
    from themes.models import Quote

    training, question = asked["training"], asked["question"]
    # Chosen before the rule refused it: made directly, as such a row stands in the database.
    Quote.objects.create(theme=training, excerpt=question, order=1)
    document = docx.Document(io.BytesIO(findings_docx(study=study)))
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    [printed] = quotes
    assert printed.startswith(f"“{QUESTION}” (Interviewer\u00a0to\u00a0R2")
    [table] = document.tables
    assert "(Interviewer\u00a0to\u00a0R2" in table.rows[1].cells[3].text
    html = client_for(owner).get(url(study, "theme_detail", training.pk)).content.decode()
    assert "(Interviewer to R2" in html


def _result(html: str, excerpt) -> str:
    """The <li> of `excerpt` on the Excerpts page."""
    item = html[html.index(f'id="result-{excerpt.pk}"') :]
    return item[: item.index("</li>")]


def test_the_excerpts_page_marks_the_interviewers_words_and_counts_no_respondent(
    study, asked, owner, django_assert_num_queries
):
    client = client_for(owner)
    # session, user, study and role; the study's codes, themes, theme-codes, interviews
    # with respondents, questions, members; the matching excerpts; the page's excerpts
    # with their context; their codes: as without them
    with django_assert_num_queries(12):
        html = client.get(url(study, "retrieve"), {"code": asked["learning"].pk}).content.decode()
    counts = html[html.index('id="results-title"') :]
    counts = " ".join(counts[: counts.index("</h2>")].split())
    assert '<span data-count="excerpts">2</span> excerpts' in counts
    assert '<span data-count="respondents">1</span> respondent ·' in counts
    assert "1 excerpt holds only the interviewer’s words and counts for no respondent." in html
    question = _result(html, asked["question"])
    assert "(Interviewer to R2, Q1)" in question
    assert "Interviewer’s words" in question
    answer = _result(html, asked["answer"])
    assert "(R1, Q1)" in answer
    assert "Interviewer’s words" not in answer


WHOSE = "Interviewer’s words"


def _files(client, study, name: str, query: dict) -> list[list[dict]]:
    """The .csv and the .xlsx at the URL `name` (with `name` "…_csv" and "…_xlsx"), each
    reopened (csv, openpyxl) as its rows by column title."""
    import csv
    import io

    import openpyxl

    text = client.get(reverse(f"{name}_csv", args=[study.slug]), query)
    text = text.content.decode("utf-8-sig")
    from_csv = list(csv.DictReader(io.StringIO(text)))
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse(f"{name}_xlsx", args=[study.slug]), query).content)
    ).worksheets[0]
    titles, *rows = sheet.iter_rows(values_only=True)
    assert sheet.cell(1, titles.index(WHOSE) + 1).comment.text.startswith("“yes”: ")
    from_xlsx = [dict(zip(titles, row, strict=True)) for row in rows]
    return [from_csv, from_xlsx]


@pytest.mark.parametrize(
    ("name", "query"), [("retrieve", "code"), ("export_excerpts", None)], ids=["page", "study"]
)
def test_the_excerpt_files_say_whose_words_they_are(study, asked, owner, name, query):
    """The Excerpts page's .csv and .xlsx, and the study's excerpts, list the question under
    R2 (the transcript it is in) with "yes" under "Interviewer’s words"; R1's answer has
    that cell empty."""
    client = client_for(owner)
    for rows in _files(client, study, name, {query: asked["learning"].pk} if query else {}):
        whose = {(row["Respondent"], row["Text"]): row[WHOSE] or "" for row in rows}
        assert whose == {("R1", "About six years"): "", ("R2", QUESTION): "yes"}


def test_the_reviews_list_of_changes_names_the_interviewers_words_as_such(
    study, asked, owner, reviewer
):
    """Taking Learning off Training while it is in review: the committee's list of
    excerpts no longer under the theme names R2's question as the interviewer's, not as
    R2's words; R1's answer stays "R1, Q1"."""
    training = asked["training"]
    client_for(owner).post(url(study, "theme_status", training.pk), {"status": "in_review"})
    themes.theme_code_detach(theme=training, code=asked["learning"])
    html = client_for(reviewer).get(url(study, "theme_detail", training.pk)).content.decode()
    changes = html[html.index('id="changes-title"') : html.index("</section>")]
    assert "<li>Interviewer to <bdi>R2</bdi>, Q1: “<bdi>How long have you" in changes
    assert "<li><bdi>R1</bdi>, Q1: “<bdi>About six years" in changes


def _cell_of_r2(html: str) -> tuple[str, str]:
    """(link, text) of the matrix cell whose link filters by R2's excerpts: the only one
    with the note."""
    [(link, text)] = re.findall(r'<a href="([^"]+)">(0\u00a0<small[^<]*</small>)</a>', html)
    return link.replace("&amp;", "&"), text


@pytest.mark.parametrize(
    "page",
    [
        ("themes", {}),
        ("matrix", {"rows": "themes", "by": "respondent"}),
        ("matrix", {"rows": "codes", "by": "respondent", "count": "respondents"}),
    ],
    ids=["themes-page", "themes-by-respondent", "codes-by-respondent"],
)
def test_a_matrix_cell_of_the_interviewers_words_alone_links_to_them(study, asked, owner, page):
    """R2's cell under Training (or Learning) counts 0, and is no longer an empty cell
    without a link: "0 · 1 in the interviewer’s words", a link to the Excerpts page that
    lists R2's question."""
    client = client_for(owner)
    name, query = page
    html = client.get(url(study, name), query).content.decode()
    link, text = _cell_of_r2(html)
    note = '<small class="interviewer-words">·\u00a01 in the interviewer’s words</small>'
    assert text == f"0\u00a0{note}"
    found = client.get(link).content.decode()
    assert "(Interviewer to R2, Q1)" in _result(found, asked["question"])
    assert '<span data-count="respondents">0</span>' in found


@pytest.fixture
def memos(study, asked):
    """A memo on R1's answer and one on R2's question, the interviewer's words."""
    for excerpt, memo in ((asked["answer"], "The answer."), (asked["question"], "Leading?")):
        excerpt = Excerpt.objects.get(pk=excerpt.pk)
        coding.excerpt_memo_set(excerpt=excerpt, memo=memo, revision=excerpt.revision)
    return asked


def test_the_memos_document_heads_a_memo_on_them_as_the_interviewers(study, memos, owner):
    """The Memos .docx headed the memo on R2's question "R2", as if R2 had said it: it is
    "Interviewer to R2", as the quotes' attribution says it; R1's answer stays "R1"."""
    import io

    import docx

    response = client_for(owner).get(url(study, "export_memos_docx"))
    document = docx.Document(io.BytesIO(response.content))
    texts = [(p.style.name, p.text) for p in document.paragraphs]
    excerpts = texts[texts.index(("Heading 1", "Excerpts")) :]
    headings = [text for style, text in excerpts if style == "Heading 2"]
    assert headings == ["Interviewer to R2", "R1"]
    asked_at = excerpts.index(("Heading 2", "Interviewer to R2"))
    assert excerpts[asked_at + 1] == ("Quote", f"“{QUESTION}”")


def test_the_memos_page_and_files_name_a_memo_on_them_as_the_interviewers(study, memos, owner):
    """The Memos page, and the memos sheet of the excerpts workbook, say what each excerpt
    memo is about as the quotes' attribution does: "Interviewer to R2"."""
    import io

    import openpyxl

    client = client_for(owner)
    html = client.get(url(study, "memos")).content.decode()
    assert ">Interviewer to R2<span" in html
    assert ">R1<span" in html
    assert ">R2<span" not in html
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(url(study, "export_excerpts_xlsx")).content)
    )
    about = {row[1] for row in book["Memos"].iter_rows(min_row=2, values_only=True)}
    assert about == {"Interviewer to R2", "R1"}


def test_the_bin_names_a_deleted_excerpt_of_them_as_the_interviewers(study, asked, owner):
    """The History page's bin listed R2's deleted question as "Excerpt of R2: “How long…”",
    as if R2 had said it; it says they are the interviewer's words. R1's answer stays
    "Excerpt of R1"."""
    for excerpt in (asked["question"], asked["answer"]):
        coding.excerpt_delete(excerpt=Excerpt.objects.get(pk=excerpt.pk), actor=owner)
    html = client_for(owner).get(url(study, "history")).content.decode()
    assert "Excerpt of R2 (interviewer’s words): “<bdi>How long have you" in html
    assert "Excerpt of R1: “<bdi>About six years" in html
