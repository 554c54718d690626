"""Files imported together in one transaction (services.interviews_import_together, the
batch import's path): a bad file is refused alone and leaves nothing behind, a write that
fails is undone whole and the files imported one by one, and a study changed meanwhile is
read again before anything is written."""

from __future__ import annotations

import logging

import pytest
from django.db import IntegrityError

from interviews import segmentation
from interviews import services as interviews
from interviews.models import Interview, QuestionSegment, Respondent
from tests.conftest import TRANSCRIPT


def _file(name: str, text: str | None = None, **kwargs) -> interviews.ImportFile:
    """The file `name`.txt, whose last turn is `name`'s (the pseudonym it proposes)."""
    text = text if text is not None else f"{TRANSCRIPT}\n\n{name}: my own words."
    return interviews.ImportFile(name=f"{name}.txt", raw=text.encode(), **kwargs)


def _pseudonyms(study) -> list[str]:
    return sorted(study.respondents.values_list("pseudonym", flat=True))


def test_it_imports_every_file_with_its_new_respondent_and_question_sections(study):
    outcomes = interviews.interviews_import_together(
        study=study, files=[_file("R1"), _file("R2", pseudonym="R2")]
    )
    assert [o.ok for o in outcomes] == [True, True]
    assert [o.created_respondent for o in outcomes] == [True, True]
    assert _pseudonyms(study) == ["R1", "R2"]
    for outcome in outcomes:
        interview = Interview.objects.get(pk=outcome.interview.pk)
        assert interview.respondent.pseudonym == outcome.name.removesuffix(".txt")
        assert interview.text.endswith("my own words.")
        assert QuestionSegment.objects.filter(interview=interview).count() == 2
        # Each interview and respondent has its history record, in the study.
        assert interview.history.get().history_study_id == study.pk
        assert interview.respondent.history.get().history_type == "+"


def test_a_refused_file_is_reported_alone_and_makes_no_respondent(study):
    outcomes = interviews.interviews_import_together(
        study=study, files=[_file("R1"), _file("R7", text=""), _file("R3")]
    )
    assert [o.ok for o in outcomes] == [True, False, True]
    assert outcomes[1].message == "R7.txt: refused: it is empty."
    assert _pseudonyms(study) == ["R1", "R3"]


def test_a_file_that_breaks_after_its_new_respondent_was_noted_leaves_no_respondent(
    study, monkeypatch, caplog
):
    real = segmentation.find_segments

    def breaks_on_r2(text, *args, **kwargs):
        if "R2: my own words." in text:
            raise RuntimeError("a bug in the segmentation")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(segmentation, "find_segments", breaks_on_r2)
    with caplog.at_level(logging.ERROR, logger="interviews.services"):
        outcomes = interviews.interviews_import_together(
            study=study, files=[_file("R1"), _file("R2"), _file("R3")]
        )
    assert [o.ok for o in outcomes] == [True, False, True]
    assert outcomes[1].message == "R2.txt: refused: it could not be read (an unexpected error)."
    assert not outcomes[1].created_respondent
    assert _pseudonyms(study) == ["R1", "R3"]
    assert "Importing R2.txt raised instead of refusing" in caplog.text


def test_a_write_that_fails_is_undone_whole_and_the_files_imported_one_by_one(
    study, monkeypatch, caplog
):
    real, calls = interviews._planned_write, []

    def fails_once(context, made, planned):
        calls.append(len(planned))
        real(context, made, planned)
        if len(calls) == 1:
            # After its INSERTs: the transaction must take them all back.
            raise IntegrityError("as if another request had made the same respondent")

    monkeypatch.setattr(interviews, "_planned_write", fails_once)
    with caplog.at_level(logging.ERROR, logger="interviews.services"):
        outcomes = interviews.interviews_import_together(
            study=study, files=[_file("R1"), _file("R2"), _file("R3")]
        )
    # Written together once (undone), then one transaction a file.
    assert calls == [3, 1, 1, 1]
    assert all(o.ok for o in outcomes)
    assert _pseudonyms(study) == ["R1", "R2", "R3"]
    assert Interview.objects.filter(study=study).count() == 3
    assert Respondent.history.filter(history_study_id=study.pk).count() == 3
    assert "now one by one" in caplog.text


def test_a_study_changed_before_the_transaction_is_read_again_inside_it(study, caplog):
    context = interviews.ImportContext(study)
    context.read()
    # Another user adds R5 after the batch read the study, before its transaction.
    interviews.respondent_create(study=study, pseudonym="R5")
    with caplog.at_level(logging.ERROR, logger="interviews.services"):
        [outcome] = interviews.interviews_import_together(
            study=study, files=[_file("R5", pseudonym="r5")], context=context
        )
    assert outcome.ok
    assert not outcome.created_respondent
    assert outcome.interview.respondent.pseudonym == "R5"
    assert _pseudonyms(study) == ["R5"]
    # Made ready again against the study as it is now, not undone and imported one by one.
    assert caplog.text == ""


@pytest.mark.parametrize("import_duplicate", [False, True])
def test_the_same_text_twice_for_a_new_respondent_is_skipped_unless_asked(study, import_duplicate):
    files = [_file("R8"), _file("R8", import_duplicate=import_duplicate)]
    outcomes = interviews.interviews_import_together(study=study, files=files)
    assert outcomes[0].ok
    assert outcomes[0].created_respondent
    assert outcomes[1].ok is import_duplicate
    assert outcomes[1].duplicate is not import_duplicate
    assert not outcomes[1].created_respondent
    assert Interview.objects.filter(study=study).count() == 1 + import_duplicate
    assert _pseudonyms(study) == ["R8"]
