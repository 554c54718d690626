"""The text logic of de-identification: finding listed strings, replacing them, moving spans
with them (property tests with random texts, excerpts and lists), and suggestions."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from interviews import deidentify
from interviews.deidentify import Matcher, replace_spans, scrub, suggest
from interviews.textdiff import OffsetMap

NAMES = ["Maria", "Lopez", "Agency C", "Elm Street", "Jo"]
WORDS = ["the", "case", "manager", "said", "maria", "Lopezville", "agency", "c", "street"]


def test_it_finds_whole_words_whatever_the_case_and_longest_first():
    matcher = Matcher([(1, ["Maria Lopez", "Maria"]), (2, ["Agency C"])])
    text = "Maria  Lopez met MARIA at agency c; Mariana and AgencyC are not them."
    assert [(text[s:e], i) for s, e, i in matcher.find(text)] == [
        ("Maria  Lopez", 1),
        ("MARIA", 1),
        ("agency c", 2),
    ]


def test_case_folding_finds_what_ignorecase_alone_would_miss():
    matcher = Matcher([(1, ["Straße"])])
    text = "at STRASSE 5, Strasse 6 and straße 7"
    assert [text[s:e] for s, e, _ in matcher.find(text)] == ["STRASSE", "Strasse", "straße"]


def test_scrub_replaces_only_the_strings_given():
    matcher = Matcher([(1, ["Maria"]), (2, ["Elm Street"])])
    assert scrub("Maria lives on Elm Street", matcher, {1: "[R]"}) == "[R] lives on Elm Street"


# Letters that IGNORECASE takes for others (dotted and dotless i, the long s, the Kelvin
# sign, sharp s, final sigma, the micro sign and mu, beta and its symbol) beside plain ones,
# to build names and texts of.
TRICKY = "aiIİıksſKßẞσςΣµμβϐüÜé-'. \n"


@given(
    forms=st.lists(st.text(TRICKY, min_size=1, max_size=5), min_size=1, max_size=4),
    text=st.text(TRICKY, max_size=60),
)
# "I" matches "İ" (IGNORECASE lowers it to "i") but not its case folding ("i̇"): found, and
# owned by the form that matched.
@example(forms=["İ"], text="I")
def test_the_first_letters_lookahead_finds_what_the_whole_pattern_finds(forms, text):
    """The lookahead on first letters only saves time: the same matches as without it."""
    matcher = Matcher([(n, [form]) for n, form in enumerate(forms)])
    if matcher.pattern is None:
        return
    lookahead, _, whole = matcher.pattern.pattern.partition("])")
    assert lookahead.startswith("(?=[")
    reference = re.compile(whole, re.IGNORECASE)
    assert [(s, e) for s, e, _ in matcher.find(text)] == [
        m.span() for m in reference.finditer(text)
    ]


@given(
    forms=st.lists(st.text(TRICKY + "zZ", min_size=1, max_size=5), min_size=1, max_size=4),
    text=st.text(TRICKY + "zZ", max_size=80),
)
def test_a_long_text_searched_from_its_keys_gives_what_the_pattern_finds(forms, text):
    """Long texts are searched where their lowered text holds a key (a fast scan): the
    same matches as the regular expression over the whole text, whatever the letters."""
    matcher = Matcher([(n, [form]) for n, form in enumerate(forms)])
    if matcher.pattern is None:
        return
    with mock.patch.object(deidentify, "SCAN_FROM", 0):
        found = matcher.find(text)
    assert [(s, e) for s, e, _ in found] == [m.span() for m in matcher.pattern.finditer(text)]


def test_keys_are_each_spelling_ignorecase_takes_for_a_name_start():
    assert Matcher([(1, ["Sam"])]).keys == ["sam", "ſam"]
    assert Matcher([(1, ["Zürich Bahnhof"])]).keys == ["zürich", "zürıch"]
    # "İ" lowers to two letters, but IGNORECASE takes "i" and "ı" for it: a text that
    # keeps its length when lowered holds one of those where "İzmir" matches. Its case
    # folding ("i̇zmir", a dot above) is looked for too.
    assert Matcher([(1, ["İzmir"])]).keys == sorted(
        first + dot + "zm" + second + "r"
        for first in "iı"
        for dot in ["", "\u0307"]
        for second in "iı"
    )


def test_a_letters_spellings_are_what_ignorecase_takes_for_it_lowered():
    """Asked of `re` itself (public behaviour), not read from its private tables."""
    spellings = deidentify._spellings("iİsKkµβßé")
    assert spellings == {
        "i": {"i", "ı"},
        "İ": {"i", "ı"},
        "s": {"s", "ſ"},
        "K": {"k"},  # the Kelvin sign "K" lowers to "k"
        "k": {"k"},
        "µ": {"µ", "μ"},  # the micro sign and the Greek mu
        "β": {"β", "ϐ"},
        "ß": {"ß"},  # "ẞ" lowers to it; "ss" is two letters, found by the folded form
        "é": {"é"},
    }


words = st.sampled_from(NAMES + WORDS)
separators = st.sampled_from([" ", " ", ", ", ". ", "\n", " — "])


@st.composite
def texts_excerpts_lists(draw):
    tokens = draw(st.lists(st.tuples(words, separators), min_size=1, max_size=40))
    text = "".join(word + sep for word, sep in tokens).strip()
    listed = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
    replacements = {
        name: draw(st.sampled_from(["[person]", "X", "[a much longer replacement]", "Ann"]))
        for name in listed
    }
    spans = draw(
        st.lists(
            st.tuples(st.integers(0, len(text)), st.integers(0, len(text))).map(sorted),
            max_size=8,
        )
    )
    return text, replacements, [(s, e) for s, e in spans if s < e]


@given(texts_excerpts_lists(), st.randoms())
def test_an_excerpt_whose_words_were_not_replaced_keeps_them(case, random):
    text, replacements, excerpts = case
    matcher = Matcher((i, [name]) for i, name in enumerate(replacements))
    names = list(replacements)
    found = matcher.find(text)
    # The researcher accepts some occurrences and skips the others.
    accepted = [(s, e, replacements[names[i]]) for s, e, i in found if random.random() < 0.7]
    new = replace_spans(text, accepted)
    offsets = OffsetMap.of_replacements(text, accepted)
    assert offsets.new_length == len(new)
    for start, end in excerpts:
        moved = new[offsets.start(start) : offsets.end(end)]
        touched = any(s < end and start < e for s, e, _ in accepted)
        if not touched:
            assert moved == text[start:end]
        else:
            # Overlapping a replacement: its words changed, so it is marked for review.
            assert moved != text[start:end] or all(
                text[s:e] == w for s, e, w in accepted if s < end and start < e
            )
            # Its replaced words are in it whole, never cut.
            for s, e, words_ in accepted:
                if start <= s and e <= end:
                    assert words_ in moved


@given(texts_excerpts_lists())
def test_after_replacing_every_occurrence_none_is_found_again(case):
    text, replacements, _ = case
    matcher = Matcher((i, [name]) for i, name in enumerate(replacements))
    names = list(replacements)
    accepted = [(s, e, replacements[names[i]]) for s, e, i in matcher.find(text)]
    new = replace_spans(text, accepted)
    # The replacements hold none of the names, so nothing is left to find.
    assert matcher.find(new) == []


def test_suggestions_by_the_lowercase_rule_other_studies_emails_and_phones():
    texts = [
        "R1: I asked Maria about Training. Training matters.\n"
        "Interviewer: Why?\n"
        "R1: Because training helps. Call Maria at 555-123-4567 or maria.l@agency.org.\n"
        "We went to Brookside with Dr Okafor."
    ]
    found = {(s.text, s.kind): s.count for s in suggest(texts, elsewhere=["Okafor", "Nowhere"])}
    assert found[("Maria", "name")] == 2
    assert ("Training", "name") not in found  # also written in lower case: a word
    assert ("We", "name") not in found  # starts a sentence
    assert ("Interviewer", "name") not in found  # a speaker label
    assert found[("Brookside", "name")] == 1
    assert found[("Okafor", "other study")] == 1
    assert ("Nowhere", "other study") not in found
    assert found[("555-123-4567", "phone")] == 1
    assert found[("maria.l@agency.org", "e-mail")] == 1


def test_suggestions_leave_out_the_pronoun_i_the_days_and_the_months():
    texts = [
        "R1: Well, I'm sure I’m right and I'd say I’ve seen Maria on Monday, in March, "
        "or on a Tue in Sept. So I'll ask Isabel."
    ]
    assert {s.text for s in suggest(texts)} == {"Maria", "Isabel"}


def test_suggestions_leave_out_what_is_listed_or_ignored():
    texts = ["R1: I met Maria and Lopez at Brookside."]
    kinds = {s.text for s in suggest(texts, listed=["maria"], ignore=["BROOKSIDE"])}
    assert kinds == {"Lopez"}


SUPERVISOR = "R1: I learned from my supervisor, Dr. Maria Lopez at Riverside Recovery Center."


def test_a_word_after_a_title_or_an_initial_does_not_start_a_sentence():
    texts = ["R1: I asked Dr. Maria and Mrs. Okafor. Then J. Smith came. Later Prof. Adeyemi."]
    # "Then" and "Later" do start sentences (and are never written in lower case here).
    assert {s.text for s in suggest(texts)} == {"Maria", "Okafor", "Smith", "Adeyemi"}


def test_titles_are_not_suggested_as_names():
    texts = ["R1: I saw Dr Okafor, Ms. Lee and Rev. Agnes, and met Prof Adeyemi."]
    assert {s.text for s in suggest(texts)} == {"Okafor", "Lee", "Agnes", "Adeyemi"}


@pytest.mark.parametrize(
    ("said", "name"),
    [
        # "St." was read as a title and left out: "Mary's Hospital" was suggested, and
        # replacing it left "St. [hospital]", which still says which.
        ("I worked at St. Mary's Hospital for years.", "St. Mary's Hospital"),
        ("I worked at St Mary's Hospital for years.", "St Mary's Hospital"),
        ("We sent him to St. John's for detox.", "St. John's"),
        # "Mt" was suggested as a name and "Sinai", after its full stop, read as the first
        # word of a sentence.
        ("She was at Mt. Sinai then.", "Mt. Sinai"),
        ("He was posted to Ft. Lee once.", "Ft. Lee"),
        # After the other words: the street.
        ("The office is on Elm St, near the park.", "Elm St"),
        # At a sentence's start.
        ("St. Mary's Hospital took her.", "St. Mary's Hospital"),
    ],
)
def test_a_places_abbreviation_is_suggested_with_its_name(said, name):
    text = f"R1: {said}"
    assert [s.text for s in suggest([text])] == [name]
    # Listed as suggested, the name is found whole where it was written.
    [(start, end, _)] = Matcher([(1, [name])]).find(text)
    assert text[start:end] == name


def test_a_places_abbreviation_alone_or_a_title_is_no_name():
    texts = [
        "R1: I met Dr. Maria Lopez at St. Mary's.\n"
        "R1: Then St. whatever it was, and Mt. or so.\n"
        "R1: Ms. Okafor and Dr Adeyemi."
    ]
    found = {s.text for s in suggest(texts)}
    assert found == {"Maria Lopez", "St. Mary's", "Okafor", "Adeyemi"}


@pytest.mark.parametrize(
    "said",
    [
        "We tried plan B. Honestly nothing worked.",
        "They give vitamin D. Afterwards some of them feel better.",
        "It was hepatitis C. Eventually he got treated.",
        # The pronoun at a sentence's end.
        "Nobody wanted it more than I. Looking back, that was the problem.",
        "She and I. Afterwards, nothing.",
    ],
)
def test_a_single_capital_after_a_word_in_lower_case_can_end_a_sentence(said):
    """A one-letter word with a full stop was always read as an initial, so the sentence
    after it did not start there: its first word, never written in lower case in the text,
    was suggested as a name ("Honestly", "Afterwards", "Eventually", "Looking")."""
    assert suggest([f"R1: {said}"]) == []


def test_an_initial_still_ends_no_sentence():
    texts = [
        "R1: J. Okafor trained me. Later Dr. A. Adeyemi did, and Maria J. Lopez.\n"
        "R1: At Agency C. Brookside people came."
    ]
    found = {s.text for s in suggest(texts)}
    # After a sentence's end, a title, a name or a capitalised word, a single capital with
    # a full stop is an initial: the word after it is the name's next word.
    assert found == {"Okafor", "Adeyemi", "Maria", "Lopez", "Agency", "Brookside"}


def test_a_run_of_names_is_suggested_once_whole():
    found = {(s.text, s.count) for s in suggest([SUPERVISOR])}
    assert found == {("Maria Lopez", 1), ("Riverside Recovery Center", 1)}


def test_a_runs_words_written_alone_elsewhere_are_suggested_alone_there():
    texts = [SUPERVISOR + "\nR1: Lopez knew the Riverside staff. Ask Maria\nLopez."]
    found = {(s.text, s.count) for s in suggest(texts)}
    # A line break ends a run: a turn or a paragraph ends there, not a name.
    assert found == {
        ("Maria Lopez", 1),
        ("Riverside Recovery Center", 1),
        ("Riverside", 1),
        ("Maria", 1),
    }


def test_a_run_ends_at_a_word_listed_or_ignored_and_a_label_is_no_run():
    texts = ["R1: I met Maria Lopez Garcia at Brookside Shelter.\nDr. Anna Okafor: Yes."]
    found = {s.text for s in suggest(texts, listed=["Lopez"], ignore=["shelter"])}
    assert found == {"Maria", "Garcia", "Brookside"}
