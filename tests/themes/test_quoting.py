"""A quote's chosen words are whole words of the excerpt (themes.quoting.extract_pieces):
a cut inside a word changes what the respondent said, and the findings would print it."""

from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from themes.quoting import extract_pieces, quote_text

SAID = "Because I'm not the sobriety police. I don't have to catch anybody. O’Brien’s team."


@pytest.mark.parametrize(
    ("words", "cut"),
    [
        ("I don […] have to catch anybody.", "I don"),
        ("Because I […] not the sobriety police.", "Because I"),
        ("Because I' […] not the sobriety police.", "Because I"),
        ("[…] t have to catch anybody.", "t have to catch anybody."),
        ("O […] team.", "O"),
        ("O’Brien […] team.", "O’Brien"),
    ],
    ids=["before-nt", "before-m", "typed-apostrophe", "after-apostrophe", "name", "possessive"],
)
def test_a_cut_at_an_apostrophe_inside_a_word_is_refused(words, cut):
    """Before: "I don […] have to catch anybody." was saved and the findings printed
    "[…] I don […] have to catch anybody. […]", the "n't" of "don't" left out."""
    with pytest.raises(ValidationError) as refused:
        extract_pieces(SAID, words)
    assert f"“{cut}” cuts a word of the excerpt in two" in refused.value.messages[0]


def test_a_cut_inside_a_decomposed_letter_is_refused():
    said = unicodedata.normalize("NFD", "Le café ferme tôt.")
    with pytest.raises(ValidationError, match="cuts a word"):
        extract_pieces(said, unicodedata.normalize("NFD", "Le cafe […] tôt."))


@pytest.mark.parametrize(
    ("words", "printed"),
    [
        ("I don't have […] anybody.", "[…] I don't have […] anybody. […]"),
        ("Because I'm […] police.", "Because I'm […] police. […]"),
        ("“Because I'm not the sobriety police.”", "Because I'm not the sobriety police. […]"),
        ("O’Brien’s team.", "[…] O’Brien’s team."),
    ],
)
def test_whole_words_with_apostrophes_are_printed_as_chosen(words, printed):
    assert quote_text(SAID, words) == printed
