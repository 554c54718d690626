from __future__ import annotations

import pytest

from coding.picker import similar_codes
from coding.selectors import CodeRow

CODES = [
    CodeRow(1, "Peer support", "teal", None),
    CodeRow(2, "Stress", "rose", None),
    CodeRow(3, "Émotion", "blue", None),
    CodeRow(4, "Peer supporters", "amber", None),
]


@pytest.mark.parametrize(
    ("typed", "similar"),
    [
        ("Peer suport", [1]),  # a letter left out
        ("peer  SUPORT", [1]),  # case and spaces do not count
        ("Peer supporter", [4, 1]),  # most alike first
        ("Emotion", [3]),  # an accent left out
        ("Emotoin", []),  # and two letters swapped: too far
        ("Stretch", []),  # a different word
        # The same name is the same code, not a similar one (only the others are).
        ("PEER SUPPORT", [4]),
        ("E\u0301motion", []),  # the same name in another normal form
    ],
)
def test_similar_codes_are_those_a_slip_of_the_keys_away(typed, similar):
    assert [code.id for code in similar_codes(typed, CODES)] == similar
