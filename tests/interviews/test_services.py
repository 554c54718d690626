from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.bidi import isolated
from interviews import services
from interviews.models import Interview, Respondent, Role
from tests.conftest import TRANSCRIPT, import_text


def test_it_creates_a_study_with_its_owner(owner):
    study = services.study_create(title="Harm reduction study", owner=owner)
    assert study.slug == "harm-reduction-study"
    assert study.memberships.get().role == Role.OWNER
    again = services.study_create(title="Harm reduction study", owner=owner)
    assert again.slug == "harm-reduction-study-2"


def test_a_study_title_is_stored_without_invisible_characters(owner):
    study = services.study_create(title="\u202eHarm\u200b reduction\u202c", owner=owner)
    assert study.title == "Harm reduction"
    with pytest.raises(ValidationError, match="A study needs a title"):
        services.study_create(title="\u200b\u2060", owner=owner)


def test_a_title_saved_in_the_settings_is_stored_without_invisible_characters(study):
    """The settings save a title as a new study takes it (study_update tidies it as
    study_create does): a title of a zero-width space and a word joiner, pasted, was saved
    as a study that the lists show with no name, and one wrapped in direction overrides
    was stored with them, reversing how the title reads."""
    details = {"research_question": study.research_question, "description": ""}
    with pytest.raises(ValidationError, match="A study needs a title"):
        services.study_update(study=study, title="\u200b\u2060", **details)
    study.refresh_from_db()
    assert study.title == "Harm reduction"
    services.study_update(study=study, title="\u202eHarm\u200b reduction 2\u202c", **details)
    study.refresh_from_db()
    assert study.title == "Harm reduction 2"


def test_it_refuses_a_study_without_a_title(owner):
    with pytest.raises(ValidationError, match="needs a title"):
        services.study_create(title="  ", owner=owner)


def test_a_study_keeps_at_least_one_owner(study, owner):
    membership = study.memberships.get(user=owner)
    with pytest.raises(ValidationError, match="at least one owner"):
        services.membership_set(study=study, username=owner.username, role=Role.CODER)
    with pytest.raises(ValidationError, match="at least one owner"):
        services.membership_remove(membership=membership)


def test_it_refuses_an_unknown_user(study):
    with pytest.raises(ValidationError, match="no user called “nobody”"):
        services.membership_set(study=study, username="nobody", role=Role.CODER)


def test_pseudonyms_are_unique_whatever_their_case(study):
    services.respondent_create(study=study, pseudonym="R1")
    with pytest.raises(ValidationError, match="already has a respondent called “r1”"):
        services.respondent_create(study=study, pseudonym="r1")


def test_numeric_attributes_are_stored_as_numbers(study):
    respondent = services.respondent_create(
        study=study, pseudonym="R2", attributes={"Years of experience": " 3 ", "Unknown": "x"}
    )
    assert respondent.attributes == {"Years of experience": 3}
    with pytest.raises(ValidationError, match="must be a number"):
        services.respondent_update(
            respondent=respondent, pseudonym="R2", attributes={"Years of experience": "many"}
        )


@pytest.mark.parametrize("typed", ["nan", "1e999", "-inf"])
def test_a_number_attribute_must_be_a_finite_number(study, typed):
    # float() reads these, but no database keeps them in a JSON value.
    with pytest.raises(ValidationError, match="must be a number"):
        services.respondent_create(
            study=study, pseudonym="R2", attributes={"Years of experience": typed}
        )


def test_removing_an_attribute_removes_its_values(study):
    respondent = services.respondent_create(
        study=study, pseudonym="R2", attributes={"Years of experience": "3"}
    )
    services.attribute_remove(study=study, name="Years of experience")
    respondent.refresh_from_db()
    assert respondent.attributes == {}
    assert study.attribute_schema == []


def test_a_protocol_asks_each_question_once(study):
    first, second = study.questions.all()
    # Another case, spacing, and a full-width question mark: the same words.
    same = "  " + first.text.upper().replace(" ", "  ").replace("?", "\uff1f")
    with pytest.raises(ValidationError, match="Q1 already asks this question"):
        services.question_add(study=study, text=same)
    with pytest.raises(ValidationError, match="Q2 already asks this question"):
        services.question_update(question=first, text=second.text.lower())
    assert [q.text for q in study.questions.all()] == [first.text, second.text]
    # A question keeps its own words in other letters, and its topic changes alone.
    services.question_update(question=first, text=first.text.lower(), topic="Experience")
    first.refresh_from_db()
    assert (first.text, first.topic) == (first.text.lower(), "Experience")


@pytest.mark.parametrize("text", ["\u200b", "\u200d\u2060", " \u200b\ufeff "])
def test_a_question_of_invisible_characters_is_a_question_without_text(study, text):
    # Accepted, it was a question that shows as nothing, and the next such one was
    # refused as "Q3 already asks this question".
    first, second = study.questions.all()
    with pytest.raises(ValidationError, match="A question needs its text"):
        services.question_add(study=study, text=text)
    with pytest.raises(ValidationError, match="A question needs its text"):
        services.question_update(question=first, text=text)
    assert [q.text for q in study.questions.all()] == [first.text, second.text]


def test_questions_can_be_reordered_and_deleted(study):
    first, second = study.questions.all()
    third = services.question_add(study=study, text="What support do you get?")
    services.question_move(question=third, delta=-1)
    assert [q.pk for q in study.questions.all()] == [first.pk, third.pk, second.pk]
    services.question_delete(question=first)
    assert [(q.number, q.pk) for q in study.questions.all()] == [(1, third.pk), (2, second.pk)]


def test_it_imports_a_transcript_for_the_respondent_its_name_starts_with(study):
    outcome = services.interview_import(
        study=study, name="R3-interview.txt", raw=TRANSCRIPT.encode("cp1252", "replace")
    )
    assert outcome.ok
    assert outcome.created_respondent
    interview = outcome.interview
    assert interview.respondent.pseudonym == "R3"
    assert interview.source_encoding == "Western European (Windows-1252)"
    assert interview.word_count == len(interview.text.split())
    assert f"R3-interview.txt: imported for {isolated('R3')} (new respondent)" in outcome.message
    assert outcome.questions_found == 2


def test_a_second_file_for_a_respondent_is_a_follow_up_interview(study):
    import_text(study, name="R1-first.txt")
    outcome = services.interview_import(
        study=study, name="r1_followup.txt", raw=(TRANSCRIPT + "\n\nR1: One more.").encode()
    )
    assert not outcome.created_respondent
    assert Respondent.objects.filter(study=study).count() == 1
    assert Interview.objects.filter(respondent__pseudonym="R1").count() == 2


def test_a_refused_file_leaves_nothing_behind_and_the_batch_goes_on(study):
    outcomes = list(
        services.interviews_import(
            study=study,
            files=[
                services.ImportFile("R7-broken.docx", b"not a zip at all"),
                services.ImportFile("R8-empty.txt", b""),
                services.ImportFile("R9-fine.txt", TRANSCRIPT.encode()),
            ],
        )
    )
    assert [o.ok for o in outcomes] == [False, False, True]
    assert outcomes[0].message.startswith("R7-broken.docx: refused: it is not a valid Word")
    assert outcomes[1].message == "R8-empty.txt: refused: it is empty."
    assert list(study.respondents.values_list("pseudonym", flat=True)) == ["R9"]


def test_a_chosen_respondent_wins_over_the_file_name(study):
    respondent = services.respondent_create(study=study, pseudonym="Maria")
    outcome = services.interview_import(
        study=study, name="R5-interview.txt", raw=TRANSCRIPT.encode(), respondent=respondent
    )
    assert outcome.interview.respondent == respondent
    assert not study.respondents.filter(pseudonym="R5").exists()


def test_a_respondent_of_another_study_is_refused(study, other_study):
    theirs = services.respondent_create(study=other_study, pseudonym="Maria")
    outcome = services.interview_import(
        study=study, name="R5-interview.txt", raw=TRANSCRIPT.encode(), respondent=theirs
    )
    assert not outcome.ok
    assert outcome.error == "That respondent belongs to another study."
    assert not Interview.objects.exists()


def test_it_stores_speaker_turns_and_question_segments(interview):
    assert [turn[3] for turn in interview.turns] == ["i", "r", "i", "r"]
    segments = list(interview.segments.select_related("question"))
    assert [s.question.number for s in segments] == [1, 2]
    assert interview.text[segments[1].start :].startswith("Interviewer: What type of client")
    assert segments[0].end <= segments[1].start


def test_question_markers_can_be_corrected_by_hand(interview, study):
    first, second = study.questions.all()
    second_turn = interview.turns[2][0]
    services.segments_set(interview=interview, markers={0: second.pk, second_turn: first.pk})
    segments = list(interview.segments.select_related("question"))
    assert [(s.question.number, s.start, s.score) for s in segments] == [
        (2, 0, None),
        (1, second_turn, None),
    ]
    with pytest.raises(services.MarkerRefused, match="where a speaker turn starts") as refused:
        services.segments_set(interview=interview, markers={5: first.pk})
    assert refused.value.start == 5


def test_turns_left_out_keep_their_markers(interview):
    second_turn = interview.turns[2][0]
    detected = [(s.start, s.question_id, s.score) for s in interview.segments.all()]
    assert len(detected) == 2
    services.segments_set(interview=interview, markers={second_turn: None})
    assert [(s.start, s.question_id, s.score) for s in interview.segments.all()] == detected[:1]


TWICE_ASKED = (
    "Interviewer: How long have you been implementing harm reduction in your practice?\n\n"
    "R1: Six years.\n\n"
    "Interviewer: What type of client does it work best for?\n\n"
    "R1: The ones nobody sees. But about the years, let me say more.\n\n"
    "Interviewer: How long have you been implementing harm reduction in your practice?\n\n"
    "R1: Counting the shelter, eight."
)


def test_a_question_may_start_again_after_another(study):
    first, second = study.questions.all()
    interview = import_text(study, TWICE_ASKED)
    asked = [turn[0] for turn in interview.turns if turn[3] == "i"]
    services.segments_set(
        interview=interview,
        markers={asked[0]: first.pk, asked[1]: second.pk, asked[2]: first.pk},
    )
    assert [(s.question_id, s.start) for s in interview.segments.all()] == [
        (first.pk, asked[0]),
        (second.pk, asked[1]),
        (first.pk, asked[2]),
    ]


def test_detection_finds_a_question_asked_again_word_for_word(study):
    first, second = study.questions.all()
    interview = import_text(study, TWICE_ASKED)
    asked = [turn[0] for turn in interview.turns if turn[3] == "i"]
    assert [(s.question_id, s.start) for s in interview.segments.all()] == [
        (first.pk, asked[0]),
        (second.pk, asked[1]),
        (first.pk, asked[2]),
    ]
    # Found: two questions, however many times asked.
    assert services.segments_detect(interview=interview) == 2


def test_the_same_question_at_two_marked_turns_in_a_row_is_refused_at_the_changed_row(study):
    first, _ = study.questions.all()
    interview = import_text(
        study, "Interviewer: First?\n\nR1: One.\n\nInterviewer: And?\n\nR1: More."
    )
    asked = [turn[0] for turn in interview.turns if turn[3] == "i"]
    services.segments_set(interview=interview, markers={asked[0]: first.pk, asked[1]: None})
    with pytest.raises(services.MarkerRefused, match="Q1 already starts") as refused:
        services.segments_set(interview=interview, markers={asked[1]: first.pk})
    assert refused.value.start == asked[1]
    # The earlier row is the one blamed when it is the one being changed.
    services.segments_set(interview=interview, markers={asked[0]: None, asked[1]: first.pk})
    with pytest.raises(services.MarkerRefused) as refused:
        services.segments_set(interview=interview, markers={asked[0]: first.pk})
    assert refused.value.start == asked[0]
    assert [(s.question_id, s.start) for s in interview.segments.all()] == [(first.pk, asked[1])]


def test_a_batch_reads_the_study_again_when_someone_else_wrote_between_two_files(study):
    """The protocol and respondents are read once per batch, unless another write moved the
    study's revision between two files: then the next file sees the new question."""
    files = [
        services.ImportFile(name=f"R{n}.txt", raw=f"{TRANSCRIPT}\n\nR{n}: {n}".encode())
        for n in (1, 2)
    ]
    outcomes = services.interviews_import(study=study, files=files)
    first = next(outcomes)
    assert first.ok
    assert first.questions_total == 2
    services.question_add(study=study, text="What support do you get?")
    second = next(outcomes)
    assert second.ok
    assert second.questions_total == 3
    # The same text again is skipped, read from what the batch knows: nothing is made.
    refused = services.interview_import(
        study=study, name="R1.txt", raw=f"{TRANSCRIPT}\n\nR1: 1".encode()
    )
    assert refused.duplicate
    assert study.respondents.count() == 2
