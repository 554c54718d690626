"""The methods appendix of the findings document (themes/appendix.py, themes/exports.py)."""

from __future__ import annotations

import io

import docx
import pytest
from django.urls import reverse

from coding import services as coding
from interviews import memos
from interviews import services as interviews
from interviews.erasure import respondent_erase
from interviews.models import InterviewMemo, JournalEntry
from tests.conftest import TRANSCRIPT, client_for, code_span, import_text
from themes import services as themes
from themes.appendix import prevalence_rows, software
from themes.exports import findings_docx


def _appendix(content: bytes):
    """(style, text) of the paragraphs from the methods appendix on, and its tables."""
    document = docx.Document(io.BytesIO(content))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    start = styled.index(("Heading 1", "Appendix: methods"))
    tables = [
        [[cell.text for cell in row.cells] for row in table.rows] for table in document.tables
    ]
    return styled[start:], tables[1:]  # the findings table comes first


def test_the_prevalence_words_for_eight_respondents_are_the_papers():
    assert prevalence_rows(8) == [
        ("none", "no respondent", "0"),
        ("all", "every respondent", "8"),
        ("one", "a single respondent", "1"),
        ("most", "three quarters or more", "6–7"),
        ("over half", "more than half", "5"),
        ("half", "exactly half", "4"),
        ("some", "a quarter or more", "2–3"),
        ("a few", "fewer than a quarter", "(none with this N)"),
    ]


def test_the_findings_have_a_methods_appendix_when_asked(study, themed, owner, coder):
    r1, _, r3 = themed["interviews"]
    memos.memo_create(model=JournalEntry, author=owner, body="Doubt.", study=study)
    memos.memo_create(model=InterviewMemo, author=owner, body="Noisy.", interview=r1)
    memos.memo_create(model=InterviewMemo, author=owner, body="Withdrawn.", interview=r3)
    assert "Appendix: methods" not in [
        p.text for p in docx.Document(io.BytesIO(findings_docx(study=study))).paragraphs
    ]

    content = findings_docx(study=study, methods=True)
    styled, (prevalence, coreq) = _appendix(content)
    headings = [text for style, text in styled if style.startswith("Heading")]
    assert headings == [
        "Appendix: methods",
        "Respondents and interviews",
        "Protocol",
        "Coding",
        "Counting rules",
        "Dates",
        "Software",
        "Reporting checklist (COREQ)",
    ]
    text = "\n".join(text for _, text in styled)
    assert (
        "Two respondents with a transcript counted (N = 2); one respondent withdrew and counts "
        "nowhere."
    ) in text
    assert "Two interviews," in text
    assert "A semi-structured protocol of two open questions" in text
    assert (
        "The codebook holds two codes in one level (two at the top level); two themes (one "
        "main, one sub-theme) gather two codes, each with its sub-codes."
    ) in text
    assert "Two excerpts of counted respondents were coded by one coder." in text
    assert "The study's members: one owner, one coder, one reviewer." in text
    assert (
        "List Bullet",
        "An excerpt counts once per theme however many of the theme's codes it carries.",
    ) in styled
    assert f"Coded and counted with {software()}." in text
    assert software().startswith("Excerpta ")
    assert prevalence[0] == ["Word", "When", "Respondents of 2"]
    assert ["all", "every respondent", "2"] in prevalence
    rows = {row[0]: row[2] for row in coreq[1:]}
    assert coreq[0] == ["No.", "Item", "In this study"]
    assert rows["12"] == "2 respondents (N)."
    assert rows["13"] == "1 respondent withdrew after the interview and counts nowhere."
    assert rows["20"] == "1 journal entry; 1 memo on interviews."
    assert rows["24"] == "1."
    assert rows["29"] == "1 quote, each with its respondent's pseudonym and protocol question."
    # No user names, as in the rest of the findings.
    raw = content.decode("latin-1")
    for name in (owner.username, coder.username):
        assert name not in text
        assert name not in raw


UNMARKED = "R9: About six years now. I started at the shelter and never looked back."


def _item_29(study) -> str:
    _, (_, coreq) = _appendix(findings_docx(study=study, methods=True))
    return {row[0]: row[2] for row in coreq[1:]}["29"]


def test_coreq_29_says_what_the_quotes_give_as_they_are(study, themed, owner):
    """Item 29 said every quote gives its protocol question where some were attributed
    "(R9)": their excerpts answer no question (a transcript whose questions are not
    marked). It says what the printed quotes give."""
    training = themed["training"]
    learning = themed["codes"][0]
    every = "1 quote, each with its respondent's pseudonym and protocol question."
    assert _item_29(study) == every
    free = import_text(study, UNMARKED, name="R9.txt")
    themes.quote_add(theme=training, excerpt=code_span(free, "never looked back", [learning]))
    document = docx.Document(io.BytesIO(findings_docx(study=study)))
    quoted = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert [text[text.rindex("(") :] for text in quoted] == ["(R1,\xa0Q1)", "(R9)"]
    assert _item_29(study) == (
        "2 quotes, each with its respondent's pseudonym and, where it answers one, its "
        "protocol question."
    )
    themes.quote_remove(quote=training.quotes.get(excerpt=themed["excerpts"][0]))
    assert _item_29(study) == "1 quote, each with its respondent's pseudonym."


def test_the_findings_download_takes_the_appendix_when_ticked(study, themed, reviewer):
    client = client_for(reviewer)
    url = reverse("export_findings", args=[study.slug])
    plain = docx.Document(io.BytesIO(client.get(url).content))
    ticked = docx.Document(io.BytesIO(client.get(url, {"methods": "1"}).content))
    assert "Appendix: methods" not in [p.text for p in plain.paragraphs]
    assert "Appendix: methods" in [p.text for p in ticked.paragraphs]
    # Only the box's value ticks it: methods=0 (or any other) in a link was read as ticked.
    for value in ("0", "no", ""):
        unticked = docx.Document(io.BytesIO(client.get(url, {"methods": value}).content))
        assert "Appendix: methods" not in [p.text for p in unticked.paragraphs], value
    page = client.get(reverse("themes", args=[study.slug])).content.decode()
    assert 'name="methods" value="1"' in page


def _withdrawn_lines(study) -> tuple[str, str]:
    """The appendix's sentence on respondents and its COREQ item 13."""
    styled, (_, coreq) = _appendix(findings_docx(study=study, methods=True))
    sentence = next(text for _, text in styled if "counted (N = " in text)
    return sentence, {row[0]: row[2] for row in coreq[1:]}["13"]


def test_an_erased_respondent_still_counts_among_those_who_withdrew(study, themed):
    """Zero, one and several withdrawals, erased or kept: the words agree with the number,
    and an erasure (which keeps no pseudonym) still counts as a withdrawal."""
    r1, r2, r3 = (interview.respondent for interview in themed["interviews"])
    # A withdrawn respondent with no transcript never took part: not a withdrawal here.
    never = interviews.respondent_create(study=study, pseudonym="R9")
    interviews.respondent_withdraw(respondent=never)
    respondent_erase(respondent=never, typed="R9")
    interviews.respondent_reinstate(respondent=r3)
    assert _withdrawn_lines(study) == (
        "Three respondents with a transcript counted (N = 3); none withdrew.",
        "No respondent withdrew.",
    )

    interviews.respondent_withdraw(respondent=r3)
    respondent_erase(respondent=r3, typed="R3")
    sentence, item = _withdrawn_lines(study)
    assert sentence == (
        "Two respondents with a transcript counted (N = 2); one respondent withdrew and counts "
        "nowhere (one erased since)."
    )
    assert item == "1 respondent withdrew after the interview and counts nowhere (1 erased since)."
    assert "R3" not in sentence + item

    interviews.respondent_withdraw(respondent=r2)
    sentence, item = _withdrawn_lines(study)
    assert sentence == (
        "One respondent with a transcript counted (N = 1); two respondents withdrew and count "
        "nowhere (one erased since)."
    )
    assert item == "2 respondents withdrew after the interview and count nowhere (1 erased since)."
    respondent_erase(respondent=r2, typed="R2")
    interviews.respondent_withdraw(respondent=r1)
    assert _withdrawn_lines(study)[1] == (
        "3 respondents withdrew after the interview and count nowhere (2 erased since)."
    )


@pytest.mark.parametrize("extra", [0, 5])
def test_the_appendix_makes_a_fixed_number_of_queries(
    study, themed, owner, extra, django_assert_num_queries
):
    for n in range(extra):
        memos.memo_create(model=JournalEntry, author=owner, body=f"Entry {n}", study=study)
    # roll-up (9: the study's revision, then its rows), chosen quotes, the codes-by-question
    # figure's codings; then withdrawn respondents, erasures of respondents with a transcript,
    # the interviews' aggregate, codes applied per coder, excerpts that carry a code,
    # members per role, journal entries, memos on interviews
    with django_assert_num_queries(19):
        findings_docx(study=study, methods=True)


def test_the_command_writes_the_appendix(study, themed, tmp_path):
    from django.core.management import call_command

    target = tmp_path / "findings.docx"
    call_command(
        "export_findings",
        "--study",
        study.slug,
        "--output",
        str(target),
        "--methods",
        stdout=io.StringIO(),
    )
    assert "Appendix: methods" in [p.text for p in docx.Document(str(target)).paragraphs]


def _coding_lines(study) -> tuple[str, dict[str, str]]:
    """The appendix's sentence on who coded, and its COREQ items by number."""
    styled, (_, coreq) = _appendix(findings_docx(study=study, methods=True))
    sentence = next(text for _, text in styled if "of counted respondents w" in text)
    return sentence, {row[0]: row[2] for row in coreq[1:]}


def test_a_second_coder_who_adds_codes_counts_and_a_codeless_excerpt_is_not_coded(
    study, themed, owner, coder
):
    """The fault: the appendix counted coders by who made each excerpt, so a second coder
    who added her codes to the first one's excerpts was not there ("coded by one coder",
    COREQ item 24 "1."), and an excerpt whose codes were all removed still counted as
    coded."""
    first, second, _ = themed["excerpts"]
    learning = themed["codes"][0]
    coding.excerpt_codes_add(excerpt=second, codes=[learning], coder=coder)
    sentence, items = _coding_lines(study)
    assert sentence == (
        "Two excerpts of counted respondents were coded by two coders: coder 1 applied 2 "
        "codes (67% of the 3 applied); coder 2 applied 1 code (33% of the 3 applied)."
    )
    assert items["24"] == "2."

    coding.excerpt_code_remove(excerpt=first, code=learning)
    sentence, items = _coding_lines(study)
    assert sentence.startswith("One excerpt of counted respondents was coded by two coders:")
    assert items["24"] == "2."


def test_one_repeat_interview_is_said_in_the_singular(study, themed):
    r1 = themed["interviews"][0]
    again = import_text(study, TRANSCRIPT + "\nR1: One thing more.", name="R1-again.txt")
    assert again.respondent == r1.respondent
    styled, (_, coreq) = _appendix(findings_docx(study=study, methods=True))
    text = "\n".join(text for _, text in styled)
    assert "; one repeat interview of a respondent interviewed before." in text
    assert {row[0]: row[2] for row in coreq[1:]}["18"] == "1 repeat interview."
