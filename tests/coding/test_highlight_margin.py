"""The coding margin as coding/highlight.py renders it: a stripe per excerpt in one lane over
all its lines, an eraser where it ends, a label of its codes where it starts."""

from __future__ import annotations

import random
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from coding.highlight import (
    MAX_MARGIN_LANE,
    Span,
    lines_of,
    margin_lanes,
    margin_window,
    render_lines_oob,
    render_transcript,
)
from interviews.turns import find_turns

TEXT = (
    "Interviewer: What support do you get?\n\n"
    "R1: From colleagues mostly, in the hallway. The supervisors try.\n"
    "My partner listens at home.\n\n"
    "Interviewer: Is it enough?\n\n"
    "R1: Not really, no."
)


class Margin(HTMLParser):
    """Per excerpt: its stripes, labels and erasers, each with the line it is in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.line = None
        self.marks: list[str] = []
        self.open: list[tuple[str, dict]] = []
        self.stripes: dict[str, list[dict]] = {}
        self.labels: dict[str, list[dict]] = {}
        self.erasers: dict[str, list[dict]] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "p":
            self.line = int(attributes["data-o"])
        if tag == "mark":
            self.marks.append(attributes["data-x"])
        classes = attributes.get("class", "").split()
        if tag == "span" and self.marks:
            kind = {"stripe": self.stripes, "stripe-label": self.labels}.get(classes[0])
            if classes[0] == "stripe-end":
                kind = self.erasers
            if kind is not None:
                entry = {"line": self.line, "classes": set(classes), "items": []}
                # A stripe or label names its excerpt and stands in one of the marks
                # around it; an eraser stands in its own excerpt's mark.
                owner = attributes.get("data-for", self.marks[-1])
                assert owner in self.marks
                kind.setdefault(owner, []).append(entry)
                self.open.append((tag, entry))
                assert attributes["aria-hidden"] == "true"
                return
        if tag == "i" and self.open:
            self.open[-1][1]["items"].append(attributes)
        self.open.append((tag, None))

    def handle_endtag(self, tag):
        if tag == "mark":
            self.marks.pop()
        if tag != "p":
            self.open.pop()

    def handle_data(self, data):
        # Nothing of the margin is text: a line's text stays the transcript's.
        assert not any(entry for _, entry in self.open if entry is not None), data


def margin(html) -> Margin:
    parser = Margin()
    parser.feed(str(html))
    parser.close()
    return parser


def lane(entries) -> set[str]:
    return {c for entry in entries for c in entry["classes"] if c[0] == "m" and c[1:].isdigit()}


def span(n, phrase, codes=(("Training", "#0d9488"),), occurrence=0, until=None):
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(phrase, start + 1)
    end = TEXT.index(until) + len(until) if until else start + len(phrase)
    names = " · ".join(name for name, _ in codes)
    return Span(n, start, end, codes[0][1] if codes else "none", names or "No codes", codes)


def render(spans):
    return render_transcript(TEXT, lines_of(TEXT, find_turns(TEXT, ["R1"])), spans)


def test_a_label_names_every_code_in_its_colour_escaped():
    hostile = '<b>Boss</b> & "co" \' onclick=alert(1)'
    codes = (("Stress", "#3cb44b"), (hostile, "#911eb4"))
    parsed = margin(render([span(1, "From colleagues", codes)]))
    [label] = parsed.labels["1"]
    assert [(i["data-n"], i["class"]) for i in label["items"]] == [
        ("Stress", "c-#3cb44b"),
        (hostile, "c-#911eb4"),
    ]
    html = str(render([span(1, "From colleagues", ((hostile, "#911eb4"),))]))
    assert "<b>Boss" not in html
    assert "&lt;b&gt;Boss&lt;/b&gt; &amp; &quot;co&quot; &#x27; onclick=alert(1)" in html


def test_an_excerpt_with_several_codes_has_a_stripe_of_all_their_colours():
    codes = (("A", "#111111"), ("B", "#222222"), ("C", "#333333"))
    [stripe] = margin(render([span(1, "From colleagues", codes)])).stripes["1"]
    assert "n3" in stripe["classes"]
    assert [i["class"] for i in stripe["items"]] == ["c-#111111", "c-#222222", "c-#333333"]
    # A stripe shows four colours at most; the label names every code.
    five = tuple((name, f"#00000{n}") for n, name in enumerate("ABCDE"))
    parsed = margin(render([span(1, "From colleagues", five)]))
    assert len(parsed.stripes["1"][0]["items"]) == 4
    assert [i["data-n"] for i in parsed.labels["1"][0]["items"]] == list("ABCDE")


def test_an_excerpt_without_codes_says_so():
    parsed = margin(render([span(1, "From colleagues", codes=())]))
    assert [(i["data-n"], i["class"]) for i in parsed.labels["1"][0]["items"]] == [
        ("No codes", "c-none")
    ]


def test_overlapping_excerpts_take_their_own_lanes_and_keep_them_over_every_line():
    outer = span(1, "From colleagues", until="partner listens")
    inner = span(2, "in the hallway")
    later = span(3, "The supervisors", until="My partner")
    apart = span(4, "Not really")
    parsed = margin(render([outer, inner, later, apart]))
    assert lane(parsed.stripes["1"]) == {"m0"}
    assert lane(parsed.stripes["2"]) == {"m1"}
    # "in the hallway" ended before "The supervisors" began: its lane is free again.
    assert lane(parsed.stripes["3"]) == {"m1"}
    assert lane(parsed.stripes["4"]) == {"m0"}
    # One stripe per line an excerpt covers: where it starts (with its label), and at the
    # top of each line it runs on into.
    first, second = (lines_of(TEXT, [])[n].start for n in (1, 2))
    assert [(s["line"], "cont" in s["classes"]) for s in parsed.stripes["1"]] == [
        (first, False),
        (second, True),
    ]
    assert [label["line"] for label in parsed.labels["1"]] == [first]
    assert [label["line"] for label in parsed.labels["3"]] == [first]


def test_a_stripe_stops_where_its_excerpt_ends_and_runs_on_where_it_goes_on():
    ends_inside = span(1, "From colleagues")
    ends_with_its_line = span(2, "The supervisors try.")
    runs_on = span(3, "The supervisors", until="My partner")
    into_the_breaks = span(4, "listens at home.", until="home.\n\n")
    parsed = margin(render([ends_inside, ends_with_its_line, runs_on, into_the_breaks]))
    second = lines_of(TEXT, [])[2].start
    assert [e["line"] for e in parsed.erasers["1"]] == [lines_of(TEXT, [])[1].start]
    assert len(parsed.erasers["2"]) == 1
    # It runs on into the next line: no eraser before its last line.
    assert [e["line"] for e in parsed.erasers["3"]] == [second]
    # An excerpt that ends in the line breaks after its words stops with its words.
    assert [e["line"] for e in parsed.erasers["4"]] == [second]


def test_beyond_the_last_lane_excerpts_share_it_and_run_to_their_lines_end():
    start = TEXT.index("From")
    nested = [
        Span(n, start + n, start + 40 - n, "#0d9488", f"Code {n}")
        for n in range(MAX_MARGIN_LANE + 2)
    ]
    lanes, shared = margin_lanes(nested)
    assert sorted(lanes.values()) == [*range(MAX_MARGIN_LANE), MAX_MARGIN_LANE, MAX_MARGIN_LANE]
    assert shared == {MAX_MARGIN_LANE, MAX_MARGIN_LANE + 1}
    parsed = margin(render(nested))
    assert not ({str(n) for n in shared} & parsed.erasers.keys())
    assert {str(n) for n in range(MAX_MARGIN_LANE)} <= parsed.erasers.keys()


def test_the_margin_adds_no_text_to_a_line():
    # Margin() fails on any text inside a stripe, label or eraser; and the lines' text is
    # the transcript's.
    outer = span(1, "From colleagues", until="partner listens")
    html = render([outer, span(2, "in the hallway", (("Ünïcode <&>", "#e6194b"),))])
    margin(html)
    assert "Ünïcode" not in "".join(
        piece.split(">", 1)[-1] for piece in str(html).split("<") if piece
    )


# -- Re-rendering some lines after an edit -------------------------------------------------

LINES = [f"R1: line {n} " + "word " * (n % 7) for n in range(30)]
LONG_TEXT = "\n".join(LINES)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, len(LONG_TEXT) - 1), st.integers(1, 120)), max_size=25),
    st.integers(0, len(LONG_TEXT) - 1),
    st.integers(1, 60),
)
def test_lines_redrawn_after_an_edit_equal_the_same_lines_of_the_page(raw, edit_at, size):
    spans = [
        Span(n, start, min(start + length, len(LONG_TEXT)), "#0d9488", f"C{n}")
        for n, (start, length) in enumerate(raw)
    ]
    all_lines = lines_of(LONG_TEXT, [])
    page = str(render_transcript(LONG_TEXT, all_lines, spans))
    start, end = margin_window(
        LONG_TEXT,
        [(s.start, s.end) for s in spans],
        edit_at,
        min(edit_at + size, len(LONG_TEXT)),
    )
    window = lines_of(LONG_TEXT, [], (start, end))
    # What workspace.changes_html draws: the window's lines, from the excerpts touching them.
    touching = [s for s in spans if s.start < window[-1].end and s.end > window[0].start]
    for line in window:
        one = str(render_lines_oob(LONG_TEXT, [line], touching))
        assert one.replace(' hx-swap-oob="true"', "") in page


def test_the_window_grows_to_every_excerpt_linked_by_overlaps():
    text = "\n".join(f"line {n}" for n in range(10))
    starts = [text.index(f"line {n}") for n in range(10)]
    # Lines 2-3, 3-5 and 5-6 are chained by overlaps; line 8 stands alone.
    bounds = [
        (starts[2], starts[3] + 3),
        (starts[3] + 1, starts[5] + 2),
        (starts[5], starts[6] + 2),
        (starts[8], starts[8] + 4),
    ]
    assert margin_window(text, bounds, starts[2] + 1, starts[2] + 2) == (
        starts[2],
        starts[6] + len("line 6"),
    )
    assert margin_window(text, bounds, starts[8], starts[8] + 1) == (
        starts[8],
        starts[8] + len("line 8"),
    )
    assert margin_window(text, bounds, starts[0], starts[0] + 1) == (starts[0], starts[0] + 6)


def test_lanes_depend_only_on_the_overlaps_of_an_excerpt():
    rng = random.Random(7)
    spans = []
    for n in range(200):
        start = rng.randrange(0, 5000)
        spans.append(Span(n, start, start + rng.randrange(1, 300), "#0d9488", "C"))
    lanes, _ = margin_lanes(spans)
    # Any excerpt: drop every excerpt outside its cluster and its lane stays.
    for chosen in spans[:20]:
        cluster = {chosen.id}
        grew = True
        while grew:
            members = [s for s in spans if s.id in cluster]
            more = {s.id for s in spans for m in members if s.start < m.end and m.start < s.end}
            grew = not more <= cluster
            cluster |= more
        alone, _ = margin_lanes([s for s in spans if s.id in cluster])
        assert alone[chosen.id] == lanes[chosen.id]


def test_the_margin_stands_after_the_first_character_a_reader_sees():
    # Right before the words, at a soft line break, the stripe would stand on the line
    # before; after a split character, it would break the character up.
    for first in ["F", "e\u0301", "👩\u200d🔬", "👍🏽", "🇫🇷", "中"]:
        text = f"R1: {first}rom here on."
        start = text.index(first)
        html = str(
            render_transcript(
                text, lines_of(text, []), [Span(1, start, len(text), "#0d9488", "A")]
            )
        )
        assert f'>{first}<span class="stripe m0" data-for="1"' in html, first
