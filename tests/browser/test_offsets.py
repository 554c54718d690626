"""static/js/offsets.js in Chromium: code points (Python's str indices, what the server
stores) against UTF-16 units (what the DOM counts), checked against Python's own counting."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

CASES = [
    "plain ASCII, nothing to convert",
    "Six years 😀 with clients",  # an astral emoji: 1 code point, 2 units
    "e\u0301motion and \u00e9motion",  # a combining acute is a code point of its own
    "👩\u200d👩\u200d👧 family, 🇬🇷 flag",  # ZWJ sequences and regional indicators
    "𠀀𠀁 CJK extension B, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 maths letters",
    "line one\nline two 😀\n\nline four",  # line breaks (LF only, as stored)
    "😀😀😀",
    "",
]


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture
def offsets(page, live_server):
    """The module's exports, reachable in the page as window.offsets."""
    page.goto(live_server.url + "/static/js/offsets.js")
    page.evaluate("async () => { window.offsets = await import('/static/js/offsets.js'); }")
    return page


@pytest.mark.parametrize("text", CASES)
def test_length_in_code_points_is_pythons_len(offsets, text):
    assert offsets.evaluate("(s) => offsets.cpLength(s)", text) == len(text)


@pytest.mark.parametrize("text", CASES)
def test_units_for_every_prefix(offsets, text):
    got = offsets.evaluate(
        """(s) => {
            const out = [];
            for (let n = 0; n <= offsets.cpLength(s) + 1; n++) out.push(offsets.unitsFor(s, n));
            return out;
        }""",
        text,
    )
    expected = [units(text[:n]) for n in range(len(text) + 2)]
    assert got == expected
    # And back: the prefix of that many units is that many code points.
    back = offsets.evaluate(
        "(s) => [...Array(offsets.cpLength(s) + 1).keys()]"
        ".map(n => offsets.cpLength(s.slice(0, offsets.unitsFor(s, n))))",
        text,
    )
    assert back == list(range(len(text) + 1))


def test_a_lone_surrogate_counts_as_one_code_point_as_in_python(offsets):
    # Python: len("a\ud800b") == 3, and a low surrogate first does not pair either.
    got = offsets.evaluate(
        """() => {
            const lone = "a" + String.fromCharCode(0xd800) + "b";
            const reversed = String.fromCharCode(0xdc00, 0xd800);
            return [offsets.cpLength(lone), offsets.unitsFor(lone, 2),
                    offsets.cpLength(reversed), offsets.cpLength(lone.slice(0, 2))];
        }"""
    )
    assert got == [3, 2, 2, 2]
