from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from coding.highlight import Marker, Span, lines_of, render_lines_oob, render_transcript
from interviews.turns import find_turns

ALLOWED = {
    "p": {"id", "class", "data-o", "hx-swap-oob"},
    "mark": {"class", "data-x", "data-s", "data-e", "data-codes"},
    "b": {"class"},
    "div": {"class", "id", "data-skip"},
    "span": {"class", "aria-hidden", "data-for"},
    "i": {"class", "data-n"},
}


class Parsed(HTMLParser):
    """Collects the tags, attributes and the text of each line of rendered HTML."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.lines, self.stack, self.marks = [], {}, [], []
        self.line = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        self.stack.append(tag)
        if tag == "p":
            self.line = int(attributes["data-o"])
            self.lines[self.line] = ""
        if tag == "mark":
            self.marks.append(attributes)

    def handle_endtag(self, tag):
        assert self.stack.pop() == tag, "tags must nest properly"
        if tag == "p":
            self.line = None

    def handle_data(self, data):
        if self.line is not None:
            self.lines[self.line] += data


def parse(html: str) -> Parsed:
    parser = Parsed()
    parser.feed(str(html))
    parser.close()
    assert parser.stack == []
    return parser


def lines_by_offset(text: str) -> dict[int, str]:
    out, position = {}, 0
    for raw in text.split("\n"):
        if raw:
            out[position] = raw
        position += len(raw) + 1
    return out


TEXT = "Interviewer: Why?\nR1: Because 😀 it <works> & helps.\n\nR1: Again."


def test_each_line_is_a_paragraph_starting_at_its_offset():
    lines = lines_of(TEXT, find_turns(TEXT, ["R1"]))
    parsed = parse(render_transcript(TEXT, lines, []))
    assert parsed.lines == lines_by_offset(TEXT)
    assert [a["class"] for t, a in parsed.tags if t == "p"] == ["t-i ts", "t-r ts", "t-r ts"]
    labels = [a for t, a in parsed.tags if t == "b"]
    assert len(labels) == 3


def test_user_text_is_escaped_not_interpreted():
    html = str(render_transcript(TEXT, lines_of(TEXT, []), []))
    assert "&lt;works&gt; &amp; helps" in html
    assert "<works>" not in html


def test_overlapping_excerpts_get_their_own_lanes_codes_and_extents():
    start = TEXT.index("Because")
    spans = [
        Span(1, start, start + 20, "teal", "Training"),
        Span(2, start + 8, start + 30, "rose", 'Evil" onmouseover="alert(1)'),
    ]
    parsed = parse(render_transcript(TEXT, lines_of(TEXT, []), spans))
    lanes = {(m["data-x"], m["class"].split()[1]) for m in parsed.marks}
    assert lanes == {("1", "l0"), ("2", "l1")}
    assert {m["data-codes"] for m in parsed.marks} == {"Training", 'Evil" onmouseover="alert(1)'}
    # Every piece tells its excerpt's extent, so the page can find the innermost excerpt.
    extents = {(m["data-x"], int(m["data-s"]), int(m["data-e"])) for m in parsed.marks}
    assert extents == {("1", start, start + 20), ("2", start + 8, start + 30)}
    # No piece is a tab stop of its own: the transcript is one.
    assert not any("tabindex" in m for m in parsed.marks)
    assert parsed.lines == lines_by_offset(TEXT)


def test_an_excerpt_across_lines_is_split_at_the_line_break():
    start, end = TEXT.index("helps"), TEXT.index("Again") + 5
    parsed = parse(render_transcript(TEXT, lines_of(TEXT, []), [Span(7, start, end, "blue", "x")]))
    covered = [m for m in parsed.marks if m["data-x"] == "7"]
    assert len(covered) == 2
    assert parsed.lines == lines_by_offset(TEXT)


def test_question_markers_come_before_the_line_they_open():
    text = "Interviewer: First?\nR1: Yes.\nInterviewer: Second?"
    markers = [Marker(0, 1, "First <question>"), Marker(text.index("Interviewer: Second"), 2, "Q")]
    html = str(render_transcript(text, lines_of(text, []), [], markers))
    assert html.index('id="q-1"') < html.index('data-o="0"')
    assert html.index('id="q-2"') < html.index(f'data-o="{markers[1].position}"')
    assert "First &lt;question&gt;" in html


def test_a_line_swapped_after_an_edit_equals_the_same_line_in_the_page():
    spans = [Span(3, TEXT.index("it"), TEXT.index("helps"), "amber", "A")]
    lines = lines_of(TEXT, find_turns(TEXT, ["R1"]))
    full = str(render_transcript(TEXT, lines, spans))
    one = str(render_lines_oob(TEXT, [lines[1]], spans))
    assert one.replace(' hx-swap-oob="true"', "") in full


pieces = st.sampled_from([*"ab <>&\"'\n:é😀中\u05d0\u0301", "Interviewer: ", "\nR1: ", "&amp;"])
texts = st.lists(pieces, max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(texts, st.lists(st.tuples(st.integers(0, 130), st.integers(1, 40)), max_size=8), st.text())
def test_rendering_never_emits_markup_from_user_text(text, raw_spans, code_name):
    # The colour is never user text (it is checked as #rrggbb), but it is escaped all the
    # same; the names reach the tooltip text and the margin's labels.
    codes = ((code_name, code_name), ("Other", "#123456"))
    spans = [
        Span(n, start, min(start + length, len(text)), code_name, code_name, codes[: n % 3])
        for n, (start, length) in enumerate(raw_spans)
        if start < len(text)
    ]
    lines = lines_of(text, find_turns(text, ["R1"]))
    parsed = parse(render_transcript(text, lines, spans, [Marker(0, 1, code_name)]))
    for tag, attributes in parsed.tags:
        assert tag in ALLOWED
        assert set(attributes) <= ALLOWED[tag]
    assert parsed.lines == lines_by_offset(text)


def test_the_first_and_last_piece_of_an_excerpt_are_marked():
    start = TEXT.index("Because")
    whole = Span(1, start, start + 7, "teal", "A")
    across = Span(2, start + 3, start + 12, "rose", "B")
    parsed = parse(render_transcript(TEXT, lines_of(TEXT, []), [whole, across]))
    classes = {}
    for mark in parsed.marks:
        classes.setdefault(mark["data-x"], []).append(set(mark["class"].split()))
    assert {"xs", "xe"} <= set.union(*classes["1"])
    assert "xs" in classes["2"][0]
    assert "xe" in classes["2"][-1]
    assert "xe" not in classes["2"][0]
