from __future__ import annotations

from interviews.turns import Turn, find_turns, interviewer_only, turns_from_json, turns_of


def test_it_finds_labelled_turns_and_their_continuations():
    text = (
        "Interviewer: Hello.\nR3: Hi there.\nA second paragraph.\n\n"
        "I: Next?\nQ: And?\nRespondent: Yes."
    )
    turns = find_turns(text, ["R3"])
    assert [(text[t.start : t.label_end], t.speaker) for t in turns] == [
        ("Interviewer:", "i"),
        ("R3:", "r"),
        ("I:", "i"),
        ("Q:", "i"),
        ("Respondent:", "r"),
    ]
    second = turns[1]
    assert text[second.start : second.end] == "R3: Hi there.\nA second paragraph."


def test_it_ignores_colons_that_are_not_speaker_labels():
    text = "Interviewer: We met at 10:30.\nNote: the tape stops.\nR1: Ratio 3:1, roughly."
    turns = find_turns(text, ["R1"])
    assert [t.speaker for t in turns] == ["i", "r"]
    assert (
        text[turns[0].start : turns[0].end]
        == "Interviewer: We met at 10:30.\nNote: the tape stops."
    )


def test_it_reads_labels_after_a_timestamp_and_in_any_case():
    text = "[00:01:02] INTERVIEWER: Ready?\n(01:05) r7: Ready."
    assert [t.speaker for t in find_turns(text, ["R7"])] == ["i", "r"]


def test_text_before_the_first_label_belongs_to_no_turn():
    text = "Transcript, 3 March.\n\nInterviewer: Start."
    turns = find_turns(text)
    assert turns[0].start == text.index("Interviewer")


def test_a_bare_r_i_or_q_label_is_a_speaker_turn():
    text = "I: How long?\nR: Six years.\nQ: And before?\nR: Nothing like it."
    turns = find_turns(text)
    assert [(text[t.start : t.label_end], t.speaker) for t in turns] == [
        ("I:", "i"),
        ("R:", "r"),
        ("Q:", "i"),
        ("R:", "r"),
    ]
    assert text[turns[1].start : turns[1].end] == "R: Six years."


def test_an_interviews_turns_are_made_once_while_its_turns_stay_the_same(interview):
    turns = turns_of(interview)
    assert turns == turns_from_json(interview.turns)
    assert turns_of(interview) is turns
    # A new list of turns (an edit of the transcript) is read anew.
    interview.turns = [[0, 4, 10, "i"]]
    assert turns_of(interview) == [Turn(0, 4, 10, "i")]


INTERVIEW = (
    "Transcript, 3 March. Interviewer: not a label here.\n"
    "Interviewer: So how long have you been doing harm reduction?\n"
    "Six years, give or take.\n"
    "Maria: I started at the shelter.\n"
    "R2: And I never looked back.\n"
    "I: Next one?\n"
    "Q: And then?\n"
    "[00:12:31] INTERVIEWER: After a timestamp.\n"
    "Interviewer: The last line"
)


def _only(phrase: str) -> bool:
    start = INTERVIEW.index(phrase)
    return interviewer_only(INTERVIEW, start, start + len(phrase))


def test_the_interviewers_words_are_the_labelled_line_only():
    assert _only("So how long have you been doing harm reduction?")
    assert _only("how long")
    assert _only("Next one?")
    assert _only("And then?")
    assert _only("After a timestamp.")
    assert _only("The last line")


def test_continuations_unknown_labels_and_text_before_any_label_are_not_the_interviewers():
    # A line with no label or an unknown one continues the interviewer's turn in find_turns,
    # but may be the respondent's answer: it counts for the respondent.
    assert not _only("Six years, give or take.")
    assert not _only("I started at the shelter.")
    assert not _only("Transcript, 3 March.")
    assert not _only("not a label here.")
    assert not _only("And I never looked back.")


def test_a_span_reaching_past_the_line_or_into_the_label_is_not_the_interviewers():
    assert not _only("harm reduction?\nSix years")
    assert not _only("Interviewer: So how long")
    assert not _only("Next one?\nQ: And then?")
