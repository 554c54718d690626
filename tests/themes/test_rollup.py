"""The roll-up against a small study computed by hand."""

from __future__ import annotations

import io

import docx
import pytest

from coding import selectors as coding_selectors
from coding import services as coding
from interviews import services as interviews
from tests.conftest import code_span, import_text
from themes import services as themes
from themes.exports import findings_docx
from themes.rollup import prevalence_word, study_rollup


@pytest.mark.parametrize(
    ("n", "total", "word"),
    [
        (0, 8, "none"),
        (8, 8, "all"),
        (1, 8, "one"),
        (7, 8, "most"),
        (6, 8, "most"),
        (5, 8, "over half"),
        (4, 8, "half"),
        (3, 8, "some"),
        (2, 8, "some"),
        (2, 10, "a few"),
        (0, 0, "none"),
    ],
)
def test_prevalence_words(n, total, word):
    assert prevalence_word(n, total) == word


@pytest.fixture
def small_study(study):
    """Two counted respondents (R1, R2), one withdrawn (R3), one without a transcript (R4).

    Themes: T1 gathers codes A and B, and has the sub-theme T1a gathering C; T2 gathers B
    (a code in two themes); T3 gathers nothing.
    """
    r1 = import_text(study, name="R1.txt")
    r2 = import_text(study, name="R2.txt")
    r3 = import_text(study, name="R3.txt")
    interviews.respondent_create(study=study, pseudonym="R4")
    a, b, c = (coding.code_create(study=study, name=name) for name in "ABC")
    t1 = themes.theme_create(study=study, name="T1")
    t1a = themes.theme_create(study=study, name="T1a", parent=t1)
    t2 = themes.theme_create(study=study, name="T2")
    t3 = themes.theme_create(study=study, name="T3")
    for theme, code in [(t1, a), (t1, b), (t1a, c), (t2, b)]:
        themes.theme_code_attach(theme=theme, code=code)
    e1 = code_span(r1, "About six years", [a, b])  # Q1; two of T1's codes, counted once
    e2 = code_span(r1, "six years now. I started", [c])  # Q1, overlapping e1
    e3 = code_span(r2, "the ones nobody else will see", [b])  # Q2
    code_span(r3, "About six years", [a])  # withdrawn below: counts nowhere
    gone = code_span(r2, "About six years", [a])
    coding.excerpt_delete(excerpt=gone)  # deleted: counts nowhere
    interviews.respondent_withdraw(respondent=r3.respondent)
    return {
        "themes": (t1, t1a, t2, t3),
        "excerpts": (e1, e2, e3),
        "respondents": (r1.respondent, r2.respondent),
    }


def test_the_rollup_counts_by_hand(small_study, study, django_assert_num_queries):
    t1, _, t2, _ = small_study["themes"]
    e1, e2, e3 = small_study["excerpts"]
    r1, r2 = small_study["respondents"]
    # the study's revision (nothing cached), counted interviews, codings, themes,
    # theme-code links, codes, segments, counted respondents, questions
    with django_assert_num_queries(9):
        rollup = study_rollup(study)
    assert [(s.name, s.depth) for s in rollup.themes] == [
        ("T1", 0),
        ("T1a", 1),
        ("T2", 0),
        ("T3", 0),
    ]
    assert rollup.total == 2
    assert [r["pseudonym"] for r in rollup.respondents] == ["R1", "R2"]
    summary = {s.name: s for s in rollup.themes}
    assert summary["T1"].excerpt_ids == sorted([e1.pk, e2.pk, e3.pk])
    assert summary["T1"].respondent_ids == sorted([r1.pk, r2.pk])
    assert summary["T1"].label == "all (2 of 2)"
    assert summary["T1a"].excerpt_ids == [e2.pk]
    assert summary["T1a"].label == "one (1 of 2)"
    assert summary["T2"].excerpt_ids == sorted([e1.pk, e3.pk])
    assert summary["T2"].word == "all"
    assert summary["T3"].excerpt_ids == []
    assert summary["T3"].label == "none (0 of 2)"
    spread = [(q.number, q.excerpts, q.respondents) for q in summary["T1"].by_question]
    assert spread == [(1, 2, 1), (2, 1, 1)]
    assert rollup.matrix == [[2, 1], [1, 0], [1, 1], [0, 0]]
    assert rollup.excerpt_question == {e1.pk: 1, e2.pk: 1, e3.pk: 2}
    assert sorted(rollup.excerpt_themes[e1.pk]) == sorted([t1.pk, t2.pk])


def test_an_excerpt_before_the_first_question_has_no_question(study):
    text = "Preamble about the day.\n\nInterviewer: How long have you been implementing harm reduction in your practice?\nR1: Long."  # noqa: E501
    interview = import_text(study, text=text, name="R1.txt")
    code = coding.code_create(study=study, name="A")
    theme = themes.theme_create(study=study, name="T")
    themes.theme_code_attach(theme=theme, code=code)
    early = code_span(interview, "Preamble", [code])
    late = code_span(interview, "Long.", [code])
    rollup = study_rollup(study)
    assert rollup.excerpt_question == {early.pk: None, late.pk: 1}
    assert [(q.number, q.excerpts) for q in rollup.themes[0].by_question] == [(1, 1), (None, 1)]


def test_a_study_without_codings_rolls_up_to_zeros(study):
    themes.theme_create(study=study, name="Empty")
    rollup = study_rollup(study)
    assert rollup.themes[0].label == "none (0 of 0)"
    assert rollup.matrix == [[]]


def test_a_theme_gathers_the_whole_branch_of_its_codes(branched, study):
    support, colleagues, supervisor, family = branched["codes"]
    r1, r2 = branched["respondents"]
    rollup = study_rollup(study)
    summary = rollup.theme(branched["theme"].pk)
    # The child's, the grandchild's and the parent's excerpts; the one carrying both
    # Support and Family once; R3's (withdrawn) nowhere.
    assert summary.excerpt_ids == sorted(e.pk for e in branched["excerpts"])
    assert summary.respondent_ids == sorted([r1.pk, r2.pk])
    assert (summary.n, summary.total, summary.label) == (2, 2, "all (2 of 2)")
    assert rollup.matrix == [[2, 1]]
    assert summary.code_ids == [support.pk]
    assert summary.gathered_code_ids == [support.pk, colleagues.pk, supervisor.pk, family.pk]
    assert summary.sub_code_ids == [colleagues.pk, supervisor.pk, family.pk]


def test_a_sub_code_attached_too_does_not_count_twice(branched, study):
    _, colleagues, supervisor, _ = branched["codes"]
    theme = branched["theme"]
    themes.theme_code_attach(theme=theme, code=supervisor)
    parent = themes.theme_create(study=study, name="Relationships")
    themes.theme_code_attach(theme=parent, code=colleagues)
    theme.parent = parent
    theme.save(update_fields=["parent"])
    rollup = study_rollup(study)
    assert rollup.theme(theme.pk).excerpt_count == 3
    # The parent theme gathers its sub-theme's branch and its own (Colleagues, with
    # Supervisor under it): every excerpt once.
    assert rollup.theme(parent.pk).excerpt_count == 3
    assert rollup.matrix == [[2, 1], [2, 1]]


def test_a_withdrawn_respondent_counts_in_no_branch(branched, study):
    _, colleagues, _, _ = branched["codes"]
    theme = themes.theme_create(study=study, name="Colleagues only")
    themes.theme_code_attach(theme=theme, code=colleagues)
    summary = study_rollup(study).theme(theme.pk)
    first, _, third = branched["excerpts"]
    assert summary.excerpt_ids == sorted([first.pk, third.pk])  # not R3's
    assert summary.label == "all (2 of 2)"


def test_a_question_asked_twice_counts_each_answer_once(study, owner):
    first, second = study.questions.all()
    interview = import_text(
        study,
        "Interviewer: How long have you been implementing harm reduction in your practice?\n\n"
        "R1: Six years.\n\n"
        "Interviewer: What type of client does it work best for?\n\n"
        "R1: The ones nobody sees.\n\n"
        "Interviewer: How long have you been implementing harm reduction in your practice?\n\n"
        "R1: Counting the shelter, eight.",
    )
    assert [s.question_id for s in interview.segments.all()] == [first.pk, second.pk, first.pk]
    code = coding.code_create(study=study, name="Years")
    theme = themes.theme_create(study=study, name="Experience")
    themes.theme_code_attach(theme=theme, code=code)
    early = code_span(interview, "Six years", [code], owner)
    middle = code_span(interview, "nobody sees", [code], owner)
    late = code_span(interview, "Counting the shelter", [code], owner)
    rollup = study_rollup(study)
    assert rollup.excerpt_question == {early.pk: 1, middle.pk: 2, late.pk: 1}
    spread = [(q.number, q.excerpts, q.respondents) for q in rollup.themes[0].by_question]
    # Q1: one excerpt in each of its two answers, from one respondent.
    assert spread == [(1, 2, 1), (2, 1, 1)]
    # The study's front page counts the questions found, not the times they were asked.
    overview = coding_selectors.study_overview(study)
    assert [row.segment_count for row in overview["interviews"]] == [2]


def test_words_removed_from_a_transcript_are_never_counted_or_exported(study, themed):
    first = themed["excerpts"][0]
    interview = first.interview
    coding.transcript_edit(
        interview=interview, text=interview.text.replace("About six years now.", ""), version=1
    )
    first.refresh_from_db()
    assert (first.status, first.text) == ("orphaned", "")
    rollup = study_rollup(study)
    assert first.pk not in rollup.theme(themed["training"].pk).excerpt_ids
    document = docx.Document(io.BytesIO(findings_docx(study=study)))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "About six years" not in text
