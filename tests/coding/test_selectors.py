"""Code usage counts, checked against a plain computation over every coding."""

from __future__ import annotations

import random

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coding import services
from coding.models import Coding
from coding.selectors import code_usage, codebook, study_overview
from interviews import services as interviews
from interviews.turns import turns_from_json
from tests.conftest import TRANSCRIPT, client_for, code_span, import_text


def naive_usage(study):
    excerpts, respondents = {}, {}
    for coding in Coding.objects.select_related("excerpt__interview__respondent"):
        excerpt = coding.excerpt
        respondent = excerpt.interview.respondent
        if excerpt.deleted_at or respondent.withdrawn_at or respondent.study_id != study.pk:
            continue
        excerpts[coding.code_id] = excerpts.get(coding.code_id, 0) + 1
        found = respondents.setdefault(coding.code_id, set())
        # The interviewer's words alone count for no respondent (README, the counting rules).
        if not excerpt.interviewer_only:
            found.add(respondent.pk)
    return {code: (n, len(respondents[code])) for code, n in excerpts.items()}


def test_usage_matches_a_plain_count_in_every_special_case(study, other_study):
    rng = random.Random(7)
    codes = [services.code_create(study=study, name=f"C{n}") for n in range(6)]
    foreign = services.code_create(study=other_study, name="Elsewhere")
    imported = [import_text(study, name=f"R{n}-interview.txt") for n in range(1, 6)]
    # A second interview of R1 (its text differs: the same text again is refused).
    followup = TRANSCRIPT.replace("😀", "🙂")
    imported.append(import_text(study, text=followup, name="R1-followup.txt"))
    import_text(other_study, name="R1.txt")
    # Four-letter spans, none touching a speaker label (where a selection is trimmed).
    turns = turns_from_json(imported[0].turns)
    words = [
        (i, i + 4)
        for i in range(0, len(TRANSCRIPT) - 4, 7)
        if TRANSCRIPT[i] != "\n" and services.outside_labels(turns, i, i + 4) == (i, i + 4)
    ]
    made = []
    for interview in imported:
        for start, end in rng.sample(words, 12):
            excerpt = code_span(interview, (start, end), rng.sample(codes, rng.randint(1, 3)))
            made.append(excerpt)
    for excerpt in rng.sample(made, 10):
        services.excerpt_delete(excerpt=excerpt)
    interviews.respondent_withdraw(respondent=imported[3].respondent)

    usage = code_usage(study, [code.pk for code in codes])
    assert usage == naive_usage(study)
    assert foreign.pk not in usage
    assert any(n > 0 for n, _ in usage.values())


def test_the_codebook_counts_each_code_with_its_sub_codes(branched, study):
    support, colleagues, supervisor, family = branched["codes"]
    nodes = {node.code.pk: node for node in codebook(study)}
    own = {pk: (n.excerpts, n.respondents) for pk, n in nodes.items()}
    branch = {pk: (n.branch_excerpts, n.branch_respondents) for pk, n in nodes.items()}
    # R3 (withdrawn) counts nowhere; the excerpt coded Support and Family counts once.
    assert own == {
        support.pk: (1, 1),
        colleagues.pk: (1, 1),
        supervisor.pk: (1, 1),
        family.pk: (1, 1),
    }
    assert branch == {
        support.pk: (3, 2),
        colleagues.pk: (2, 2),
        supervisor.pk: (1, 1),
        family.pk: (1, 1),
    }


def test_the_study_page_counts_each_interview_s_excerpts_and_questions_apart(study):
    first = import_text(study, name="R1-interview.txt")
    second = import_text(study, text=TRANSCRIPT.replace("😀", "🙂"), name="R2-interview.txt")
    code = services.code_create(study=study, name="Years")
    for words in ("six years", "Café regulars"):
        code_span(first, words, [code])
    services.excerpt_delete(excerpt=code_span(first, "never looked back", [code]))
    with CaptureQueriesContext(connection) as queries:
        rows = study_overview(study)["interviews"]
    # Each count is a subquery of its own: counted over one join of an interview's excerpts
    # and its segments, the rows read were their product (1,100 an interview of 100
    # excerpts and 11 answers: 392 ms for the benchmark's 200 interviews, against 42).
    [listed] = [q["sql"] for q in queries.captured_queries if "excerpt_count" in q["sql"]]
    assert 'JOIN "coding_excerpt"' not in listed
    assert 'JOIN "interviews_questionsegment"' not in listed
    # The deleted excerpt is not counted; each question found once.
    counts = {row.pk: (row.excerpt_count, row.segment_count) for row in rows}
    assert counts == {first.pk: (2, 2), second.pk: (0, 2)}


def test_the_study_page_counts_an_excerpt_whose_words_were_removed_apart(study, owner):
    """An excerpt whose words were removed from the transcript (a text edit) is left out of
    every count of the analysis (Excerpts page, exports, codebook, themes): the study page
    counted it still, 18 where every other page said 17. It now counts as they do, and
    says how many wait on the coding page to be reviewed."""
    interview = import_text(study, name="R1-interview.txt")
    code = services.code_create(study=study, name="Years")
    for words in ("six years", "Café regulars", "never looked back"):
        code_span(interview, words, [code])
    services.transcript_edit(
        interview=interview, text=interview.text.replace("never looked back", ""), version=1
    )
    [row] = study_overview(study)["interviews"]
    assert (row.excerpt_count, row.removed_count) == (2, 1)
    page = client_for(owner).get(reverse("study_detail", args=[study.slug])).content.decode()
    coding_page = reverse("interview_code", args=[study.slug, interview.pk])
    assert f'2 <a class="muted" href="{coding_page}">+ 1 with its words removed</a>' in page
