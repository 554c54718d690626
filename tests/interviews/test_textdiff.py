from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from interviews.textdiff import OffsetMap, _matches


def lcs_length(a, b) -> int:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
            )
    return table[0][0]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from("abcd"), max_size=25), st.lists(st.sampled_from("abcd"), max_size=25)
)
def test_matching_runs_are_a_longest_common_subsequence(a, b):
    runs = _matches(a, b)
    last_i = last_j = 0
    for i, j, size in runs:
        assert size > 0
        assert i >= last_i
        assert j >= last_j
        assert a[i : i + size] == b[j : j + size]
        last_i, last_j = i + size, j + size
    assert sum(size for _, _, size in runs) == lcs_length(a, b)


TEXT = (
    "Interviewer: How long have you been doing harm reduction?\n"
    "R1: Six years, at the shelter. Before that, nothing.\n"
    "Interviewer: And what is it like?\n"
    "R1: Tiring, honestly, but good."
)


def moved(old, new, phrase):
    offsets = OffsetMap(old, new)
    start = old.index(phrase)
    return new[offsets.start(start) : offsets.end(start + len(phrase))]


def test_words_after_an_insertion_move_with_it():
    new = TEXT.replace("Six years", "Six long years")
    assert moved(TEXT, new, "at the shelter") == "at the shelter"
    assert moved(TEXT, new, "Tiring, honestly") == "Tiring, honestly"


def test_a_span_with_a_correction_inside_covers_the_corrected_words():
    new = TEXT.replace("Tiring, honestly", "Tiring, frankly")
    assert moved(TEXT, new, "Tiring, honestly, but good") == "Tiring, frankly, but good"


def test_a_deleted_span_collapses():
    new = TEXT.replace(" Before that, nothing.", "")
    offsets = OffsetMap(TEXT, new)
    start = TEXT.index("Before that")
    assert offsets.start(start) >= offsets.end(start + len("Before that"))


def test_repeated_lines_do_not_confuse_the_alignment():
    old = (TEXT + "\n") * 5
    new = old[:200] + "A new line.\n" + old[200:]
    offsets = OffsetMap(old, new)
    for start in range(300, len(old) - 20, 37):
        assert new[offsets.start(start) : offsets.end(start + 15)] == old[start : start + 15]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="ab \n.", max_size=60),
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 5), st.text("xy ", max_size=4)), max_size=3
    ),
    st.integers(0, 60),
    st.integers(1, 10),
)
def test_spans_in_untouched_text_keep_their_words(old, edits, start, length):
    new = old
    for position, cut, insert in edits:
        position = min(position, len(new))
        new = new[:position] + insert + new[position + cut :]
    offsets = OffsetMap(old, new)
    end = min(start + length, len(old))
    start = min(start, end)
    mapped_start, mapped_end = offsets.start(start), offsets.end(end)
    assert 0 <= mapped_start <= len(new)
    assert 0 <= mapped_end <= len(new)
    inside_equal = any(
        block.equal and block.old_start <= start and end <= block.old_end
        for block in offsets.blocks
    )
    if inside_equal and start < end:
        assert new[mapped_start:mapped_end] == old[start:end]
