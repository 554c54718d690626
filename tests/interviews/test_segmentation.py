from __future__ import annotations

from pathlib import Path

import pytest

from demo.seed import DEMO_DIR, load_spec
from interviews.segmentation import find_segments, match_questions, score
from interviews.turns import find_turns

PROTOCOL = load_spec()["protocol"]


def test_a_paraphrase_scores_higher_for_its_own_question():
    asked = "So how long have you been doing harm reduction in your work?"
    scores = [score(question, asked) for question in PROTOCOL]
    assert scores.index(max(scores)) == 0


def test_it_matches_paraphrased_questions_in_order_and_skips_probes():
    text = "\n".join(
        [
            "Interviewer: So, to start, how long have you been doing harm reduction?",
            "R1: Six years.",
            "Interviewer: Can you say more about that?",
            "R1: Sure.",
            "Interviewer: Who does it work best for, what kind of client?",
            "R1: Everyone.",
            "Interviewer: How does your agency measure success for clients with addiction?",
            "R1: Days sober.",
        ]
    )
    turns = find_turns(text, ["R1"])
    matches = match_questions(text, turns, PROTOCOL)
    assert [(m.question_index + 1, m.turn_index) for m in matches] == [(1, 0), (2, 4), (9, 6)]


def test_segments_run_from_one_question_to_the_next():
    text = (
        "Interviewer: How long have you been using harm reduction in your practice?\n"
        "R1: Years.\n"
        "Interviewer: What sort of support do you get for your work, from colleagues?\n"
        "R1: Some."
    )
    spans = find_segments(text, find_turns(text, ["R1"]), PROTOCOL)
    assert [(s.question_index + 1, text[s.start : s.end]) for s in spans] == [
        (1, text[: text.index("\nInterviewer: What")]),
        (5, text[text.index("Interviewer: What") :]),
    ]


@pytest.mark.parametrize("pseudonym", [f"R{n}" for n in range(1, 9)])
def test_it_finds_all_eleven_questions_in_each_demo_transcript(pseudonym):
    text = Path(DEMO_DIR / "transcripts" / f"{pseudonym}.txt").read_text(encoding="utf-8")
    turns = find_turns(text, [pseudonym])
    matches = match_questions(text, turns, PROTOCOL)
    assert [m.question_index + 1 for m in matches] == list(range(1, 12))
    # Each question is placed on a turn that asks something, not on the respondent's answer.
    assert all(turns[m.turn_index].is_interviewer for m in matches)


def test_the_matrix_of_scores_is_each_pair_s_score():
    from interviews.segmentation import _scores, _stems, _stems_score, common_stems

    common = common_stems(PROTOCOL)
    questions = [_stems(question, common) for question in PROTOCOL] + [""]
    turns = [
        _stems(turn, common)
        for turn in (
            "So how long have you been doing harm reduction in your work?",
            "What support do you get from colleagues, from your family?",
            "Okay.",  # only stop words: no stems, a score of 0
            "How does your agency measure success?",
            "",
        )
    ]
    assert "" in turns

    matrix = _scores(questions, turns)

    assert matrix == [[_stems_score(q, t) for t in turns] for q in questions]
    assert any(0 < value < 100 for row in matrix for value in row)
