"""The detector of a withdrawn respondent's pseudonym or words in the researcher's own text
(interviews.mentions)."""

from __future__ import annotations

import pytest

from interviews.mentions import Mention, WithdrawnMatcher

R4 = WithdrawnMatcher({"R4": ["Interviewer: And then?\nR4: I was the baker of  the Night Shift."]})


def _found(text: str) -> list[str]:
    return [text[m.start : m.end] for m in R4.find(text)]


def test_the_pseudonym_is_found_as_a_whole_word_case_sensitive():
    assert _found("Same gap as R4") == ["R4"]
    assert _found("compare R4's view") == ["R4"]
    assert _found("R40 and R41 said so; r4 is not a pseudonym here") == []


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("'", "'"), ('"', '"'), ("‘", "’"), ("“", "”"), ("«", "»"), ("’", "’"), ("”", "“")],
)
def test_a_quoted_phrase_of_their_words_is_found_whatever_the_marks(opening, closing):
    text = f"Detox as a revolving door; compare {opening}The Baker{closing}."
    assert R4.find(text) == [Mention(text.index("The"), text.index("Baker") + 5, "R4")]


def test_the_pseudonym_and_a_quote_after_an_apostrophe_are_both_found():
    assert _found("Detox as a revolving door; compare R4's 'the baker'.") == ["R4", "the baker"]


def test_white_space_and_case_are_not_compared():
    assert _found("as she put it, “THE\n night   shift,”") == ["THE\n night   shift"]


def test_one_word_or_words_not_theirs_are_no_quote():
    assert _found("the “baker” again") == []
    assert _found("“the bakery” and “he baker”") == []
    # Between two quotes is no quote, though their transcript holds "and then".
    assert _found("“x y” and then “z w”") == []


def test_a_respondent_without_a_transcript_is_found_by_the_pseudonym_alone():
    matcher = WithdrawnMatcher({"R9": []})
    assert matcher.find("R9 said 'the baker'") == [Mention(0, 2, "R9")]


def test_a_phrase_is_theirs_only_in_their_lines_and_nowhere_else():
    """The interviewer's line is not R4's words; a phrase a respondent still in the study
    said too, or the protocol's, is no one's own (`others`)."""
    matcher = WithdrawnMatcher(
        {"R4": ["Interviewer: Where did you start?\nR4: At the shelter, you know, nights."]},
        others=["R1: It was, you know, hard.", "Where did you start?"],
    )

    assert matcher.find("'where did you start'") == []
    assert matcher.find("'you know'") == []
    assert matcher.find("'the shelter'") == [Mention(1, 12, "R4")]
