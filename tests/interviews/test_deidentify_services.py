"""Editing a study's list of identifying strings and applying it to every transcript."""

from __future__ import annotations

import re

import hypothesis
import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from coding import services as coding
from coding.models import Excerpt, ExcerptStatus, UndoEntry
from core.errors import Conflict
from interviews import deidentify, staging
from interviews import services as interviews
from interviews.models import IdentifierSkip, Interview, StagedFile
from themes import services as themes
from themes.models import Quote

from ..conftest import code_span, import_text

TEXT = """Interviewer: Who helped you at first?

R1: My supervisor Maria Lopez did. maria showed me the ropes at Agency C, on Elm Street.

Interviewer: And later?

R1: Later Ms Lopez left. Nobody at Agency C replaced her."""


def _apply_all(study, replace=lambda o: True):
    waiting = deidentify.study_occurrences(study=study)
    return interviews.deidentification_apply(
        study=study, decisions={o.key: replace(o) for o in waiting}
    )


@pytest.fixture
def listed(study):
    maria = interviews.identifier_add(
        study=study, text="Maria Lopez", variants="Maria\nMs Lopez", replacement="[supervisor]"
    )
    agency = interviews.identifier_add(study=study, text="Agency C", replacement="[agency]")
    return maria, agency


def test_it_finds_every_form_whole_words_whatever_the_case(study, listed):
    interview = import_text(study, TEXT, name="R1 Maria Lopez.txt")
    found = deidentify.study_occurrences(study=study)
    words = [(o.in_name, o.words) for o in found]
    assert words == [
        (True, "Maria Lopez"),
        (False, "Maria Lopez"),
        (False, "maria"),
        (False, "Agency C"),
        (False, "Ms Lopez"),
        (False, "Agency C"),
    ]
    first = found[1]
    assert first.before.endswith("My supervisor ")
    assert first.after.startswith(" did.")
    assert interview.text[first.start : first.end] == "Maria Lopez"


def test_it_refuses_an_empty_a_duplicate_or_a_self_containing_entry(study, listed):
    with pytest.raises(ValidationError, match="Type the identifying words"):
        interviews.identifier_add(study=study, text="  ", replacement="[x]")
    with pytest.raises(ValidationError, match="Type what replaces them"):
        interviews.identifier_add(study=study, text="Elm Street", replacement=" ")
    with pytest.raises(ValidationError, match="already in this study's list"):
        interviews.identifier_add(study=study, text="ms lopez", replacement="[x]")
    with pytest.raises(ValidationError, match="holds the words it replaces"):
        interviews.identifier_add(study=study, text="Elm", replacement="[Elm area]")
    assert study.identifiers.count() == 2


@pytest.mark.parametrize(
    ("text", "variants"), [("a", ""), ("I", ""), ("Will", "May\nJ."), ("7", "")]
)
def test_it_refuses_a_form_of_one_letter_or_digit(study, listed, text, variants):
    with pytest.raises(ValidationError, match="too short to look for"):
        interviews.identifier_add(study=study, text=text, replacement="[x]", variants=variants)
    assert study.identifiers.count() == 2


def test_applying_replaces_moves_excerpts_and_marks_those_whose_words_changed(
    study, listed, owner
):
    interview = import_text(study, TEXT)
    code = coding.code_create(study=study, name="Support")
    untouched = code_span(interview, "showed me the ropes", [code], owner)
    named = code_span(interview, "My supervisor Maria Lopez did.", [code], owner)
    later = code_span(interview, "Nobody at Agency C replaced her.", [code], owner)
    theme = themes.theme_create(study=study, name="Support")
    themes.theme_code_attach(theme=theme, code=code)
    quote = themes.quote_add(theme=theme, excerpt=named)
    themes.quote_extract_set(quote=quote, extract="Maria Lopez […]")
    coding.excerpt_memo_set(excerpt=later, memo="Ask Maria again", revision=later.revision)

    report = _apply_all(study)

    interview.refresh_from_db()
    assert "Maria" not in interview.text
    assert "Agency C" not in interview.text
    assert "My supervisor [supervisor] did. [supervisor] showed" in interview.text
    assert report.replaced == 6 - 1
    assert report.transcripts == 1
    untouched.refresh_from_db()
    assert untouched.text == "showed me the ropes"
    assert interview.text[untouched.start : untouched.end] == untouched.text
    assert untouched.status == ExcerptStatus.OK
    named.refresh_from_db()
    assert named.text == "My supervisor [supervisor] did."
    assert named.text == interview.text[named.start : named.end]
    assert named.status == ExcerptStatus.CHANGED
    later.refresh_from_db()
    assert later.text == "Nobody at [agency] replaced her."
    assert later.memo == "Ask [supervisor] again"
    assert Quote.objects.get(pk=quote.pk).extract == "[supervisor] […]"
    assert report.counts["excerpts_marked"] == 2
    assert deidentify.study_unreviewed_count(study=study) == 0
    # The undo history held the words before: undoing could bring the name back.
    assert not UndoEntry.objects.filter(study=study).exists()


def test_skips_are_remembered_and_follow_a_later_edit(study, listed):
    interview = import_text(study, TEXT)
    waiting = deidentify.study_occurrences(study=study)
    keep = next(o for o in waiting if o.words == "Ms Lopez")
    report = interviews.deidentification_apply(
        study=study, decisions={o.key: o is not keep for o in waiting}
    )
    assert (report.replaced, report.skipped) == (4, 1)
    assert deidentify.study_occurrences(study=study) == []
    assert deidentify.study_unreviewed_count(study=study) == 0
    interview.refresh_from_db()
    coding.transcript_edit(
        interview=interview, text="New line.\n\n" + interview.text, version=interview.version
    )
    interview.refresh_from_db()
    skip = IdentifierSkip.objects.get()
    assert interview.text[skip.start : skip.end] == "Ms Lopez"
    assert deidentify.study_occurrences(study=study) == []


def test_file_names_are_deidentified_with_the_text_and_the_kept_uploads(study, listed, owner):
    batch = staging.staged_files_stage(
        study=study, user=owner, uploads=[("R1 Maria Lopez 2026.txt", TEXT.encode())]
    )
    rows = staging.staged_batch(study=study, user=owner, batch=batch)
    staging.staged_files_confirm(rows=rows, choices={rows[0].pk: staging.Choice()})
    staging.staged_files_import(study=study, user=owner, batch=batch)
    interview = Interview.objects.get()
    assert deidentify.study_unreviewed_count(study=study) == 6
    _apply_all(study)
    interview.refresh_from_db()
    assert interview.source_name == "R1 [supervisor] 2026.txt"
    upload = StagedFile.objects.get()
    assert "Maria" not in upload.name
    assert "Maria" not in upload.message


def test_a_stale_preview_changes_nothing(study, listed):
    interview = import_text(study, TEXT)
    waiting = deidentify.study_occurrences(study=study)
    coding.transcript_edit(
        interview=interview, text=interview.text + "\nMore.", version=interview.version
    )
    before = Interview.objects.get(pk=interview.pk).text
    with pytest.raises(Conflict, match="nothing was replaced"):
        interviews.deidentification_apply(study=study, decisions={o.key: True for o in waiting})
    assert Interview.objects.get(pk=interview.pk).text == before
    assert not IdentifierSkip.objects.exists()


def test_unreviewed_count_includes_former_words_kept_for_review(study, listed, owner):
    interview = import_text(study, "R1: I met Maria at work.")
    code = coding.code_create(study=study, name="Work")
    excerpt = code_span(interview, "I met Maria", [code], owner)
    # An edit by hand took the name out: the excerpt keeps it in its former words.
    coding.transcript_edit(
        interview=interview, text="R1: I met her at work.", version=interview.version
    )
    assert deidentify.study_unreviewed_count(study=study) == 1
    excerpt.refresh_from_db()
    coding.excerpt_review(excerpt=excerpt)
    assert deidentify.study_unreviewed_count(study=study) == 0


@pytest.mark.parametrize("transcripts", [1, 3])
def test_applying_takes_the_same_queries_whatever_the_number_of_transcripts(
    study, listed, owner, transcripts, django_assert_num_queries
):
    code = coding.code_create(study=study, name="Support")
    for n in range(transcripts):
        interview = import_text(study, TEXT, name=f"R{n + 1}.txt")
        code_span(interview, "My supervisor Maria Lopez did.", [code], owner)
    decisions = {o.key: True for o in deidentify.study_occurrences(study=study)}
    study = type(study).objects.get(pk=study.pk)
    # 5: savepoint, revision bump, the list, the interviews read once, whole and for update
    # (with respondent and study: both the occurrences checked and the texts replaced),
    # the skips; 7 for all the transcripts: their
    # question sections, their skips, the questions, the interviews written (one UPDATE)
    # and their history records (one INSERT), their sections deleted and written anew (one
    # INSERT); 8: the uploads kept after import (their names), the excerpts of the
    # transcripts changed and those with former words or memos (one read), their moves (one
    # statement run per row), their history records (one INSERT ... SELECT: one record
    # each), the undo history deleted, the quotes with an extract, the themes' review
    # snapshots and the comments (themes.deidentification); 4: each kind of memo read for
    # scrubbing (none changed); 19: the ids of the study's history records of each of the
    # 12 recorded models (with their texts' length), the text and JSON columns of the
    # records of the five that have some here (transcripts, respondents, codes, excerpts,
    # codings: a chunk of interviews.history.SCRUB_CHUNK records at most), and those of the
    # transcripts and of the excerpts rewritten (they held the name); release.
    with django_assert_num_queries(44):
        interviews.deidentification_apply(study=study, decisions=decisions)
    assert Excerpt.objects.filter(status=ExcerptStatus.CHANGED).count() == transcripts


NAMES = ["Maria", "Lopez", "Agency C", "Elm Street"]
FILLER = ["the", "case", "manager", "said", "maria", "Lopezville", "agency", "street", "Elm"]


@st.composite
def transcripts_and_choices(draw):
    tokens = draw(
        st.lists(
            st.tuples(
                st.sampled_from(NAMES + FILLER), st.sampled_from([" ", ", ", ". ", "\n", "; "])
            ),
            min_size=3,
            max_size=40,
        )
    )
    text = "R1: " + "".join(word + sep for word, sep in tokens).strip()
    listed = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
    # Excerpts from word to word (a speaker label never starts one).
    words = [m.span() for m in re.finditer(r"\w+", text) if m.start() >= 4]
    spans = draw(
        st.lists(
            st.tuples(st.integers(0, len(words) - 1), st.integers(0, 3)), min_size=1, max_size=6
        )
    )
    excerpts = {(words[i][0], words[min(i + n, len(words) - 1)][1]) for i, n in spans}
    return text, listed, sorted(excerpts), draw(st.randoms())


@hypothesis.settings(
    max_examples=20, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)
@given(case=transcripts_and_choices())
def test_property_excerpts_keep_their_words_unless_replaced_and_are_marked_if_so(
    study, owner, code, case
):
    text, listed, spans, random = case
    with transaction.atomic():
        interview = import_text(study, text)
        assert interview.text == text
        excerpts = [code_span(interview, span, [code], owner) for span in spans]
        replacement = {name: f"[{n}]" for n, name in enumerate(listed)}
        for name, words in replacement.items():
            interviews.identifier_add(study=study, text=name, replacement=words)
        waiting = deidentify.study_occurrences(study=study)
        decisions = {o.key: random.random() < 0.7 for o in waiting}
        interviews.deidentification_apply(study=study, decisions=decisions)
        replaced = [(o.start, o.end) for o in waiting if decisions[o.key]]
        new = Interview.objects.get(pk=interview.pk).text
        for excerpt in excerpts:
            old_words, start, end = excerpt.text, excerpt.start, excerpt.end
            excerpt.refresh_from_db()
            assert excerpt.text == new[excerpt.start : excerpt.end]
            touched = any(s < end and start < e for s, e in replaced)
            if touched:
                assert excerpt.status == ExcerptStatus.CHANGED
            else:
                assert excerpt.text == old_words
                assert excerpt.status == ExcerptStatus.OK
        # Whatever was kept is not asked again; whatever was replaced is gone.
        assert deidentify.study_occurrences(study=study) == []
        transaction.set_rollback(True)


def test_unreviewed_count_leaves_out_respondents_who_withdrew(study, listed, owner):
    """No export holds a withdrawn respondent's words, so a name left in them (transcript,
    file name or an excerpt's former words) does not block the export of the others'."""
    import_text(study, "R1: Nothing to hide here.", name="R1.txt")
    gone = import_text(study, "R2: I met Maria at Agency C.", name="R2 Maria Lopez.txt")
    code = coding.code_create(study=study, name="Work")
    code_span(gone, "I met Maria", [code], owner)
    coding.transcript_edit(interview=gone, text="R2: I met her at Agency C.", version=gone.version)
    # The file name's "Maria Lopez", the text's "Agency C", the excerpt's former "Maria".
    assert deidentify.study_unreviewed_count(study=study) == 3

    interviews.respondent_withdraw(respondent=gone.respondent)
    assert deidentify.study_unreviewed_count(study=study) == 0
    # The de-identification page still lists them: they stay until erased.
    assert len(deidentify.study_occurrences(study=study)) == 2

    interviews.respondent_reinstate(respondent=gone.respondent)
    assert deidentify.study_unreviewed_count(study=study) == 3
