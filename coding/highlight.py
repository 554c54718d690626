"""Rendering a coded transcript as HTML: the hot path of the coding page.

The text is cut at every excerpt boundary, every line break and every speaker label; each
piece is escaped on its own and wrapped in one <mark> per excerpt that covers it. The raw
text is sliced, never the escaped HTML (slicing escaped text splits entities and shifts
offsets). All markup comes from the literals below; every piece of user text (transcript,
code names, question text) goes through `escape` first. That is why the one `mark_safe` at
the end is sound, and tests/coding/test_highlight.py parses the output to prove it.

Each line of the transcript is one <p data-o="offset">, rendered only from the excerpts that
touch it, so a line re-rendered after an edit is identical to the same line in a full page:
the coding endpoints swap just the lines an edit touched.

The coding margin (coding stripes, as desktop QDA tools draw them) is rendered in the same
pass, inside the lines, so that CSS alone lines it up with the text however the lines wrap:
- a stripe (`span.stripe`) sits in the excerpt's first piece of each line it covers; it is
  absolutely positioned in the line's right margin, at the height where it stands in the
  text (its static position) when the excerpt starts there, at the line's top when the
  excerpt comes from the line before, and reaches down to the line's bottom (the line clips
  it);
- where the excerpt ends, an eraser (`span.stripe-end`) paints the margin's background over its
  lane from the next visual line down; later stripes in that lane paint over the eraser;
- at the excerpt's start, a label (`span.stripe-label`) names its codes, in their colours.
Each excerpt keeps one lane of the margin across all its lines (`margin_lanes`), so a window
of lines re-rendered alone must hold whole clusters of overlapping excerpts
(`margin_window`). None of this adds text to a line: names are shown by CSS from `data-n`
attributes, so a line's textContent stays the transcript's text, which the selection
script counts offsets in. The margin is aria-hidden: the codes reach assistive technology
through the excerpt itself. Whether it shows is the page's business (a class on the
transcript), so a line renders the same either way.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from html import escape as _escape
from itertools import pairwise
from typing import NamedTuple

from django.utils.safestring import SafeString, mark_safe

from interviews.turns import Turn

# Excerpts overlapping within one line are drawn as stacked underlines, one lane each; past
# the last lane they share it (the side list and the description still tell them apart).
# Their tints are translucent, so overlaps also read as darker text backgrounds.
MAX_LANE = 3
# Stripes in the margin: one lane per excerpt across the transcript, up to this one. Past it
# excerpts share the last lane, and their stripes run to the end of their lines (an eraser
# there would cut a stripe that shares the lane).
MAX_MARGIN_LANE = 5
# A stripe shows at most this many code colours, in turn along its length; its label names
# every code.
MAX_STRIPE_COLOURS = 4


def escape_text(value: str) -> str:
    # Most of a transcript holds no &, < or >: such text is returned as it is.
    if "&" not in value and "<" not in value and ">" not in value:
        return value
    return _escape(value, quote=False)


def escape_attr(value: str) -> str:
    return _escape(value, quote=True)


class Span(NamedTuple):
    """An excerpt as the renderer sees it."""

    id: int
    start: int
    end: int
    colour: str  # colour of its first code (#rrggbb), or "none"
    title: str  # its code names, for its description (raw; escaped here)
    # (name, colour) of each of its codes, in codebook order; without them the margin
    # shows `title` in `colour`.
    codes: tuple[tuple[str, str], ...] = ()


class Line(NamedTuple):
    start: int
    end: int
    speaker: str  # "i", "r", or "n" outside any turn
    label_end: int | None  # where the speaker label ends, on a turn's first line
    opens_turn: bool


class Marker(NamedTuple):
    """Where a protocol question starts."""

    position: int
    number: int
    text: str


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """[start, end) widened to whole lines: from the start of start's line to the end of the
    line holding end - 1 (without its line break)."""
    first = text.rfind("\n", 0, start) + 1
    found = text.find("\n", max(end - 1, first))
    return first, len(text) if found < 0 else found


def lines_of(
    text: str, turns: Sequence[Turn], window: tuple[int, int] | None = None
) -> list[Line]:
    """The non-empty lines of a transcript (or those within `window`), with their speakers.

    Only empty lines are left out, so that everything between two rendered lines is line
    breaks: the browser rebuilds the selected text on that assumption.
    """
    first, last = 0, len(text)
    if window is not None:
        first, last = _line_bounds(text, *window)
    lines = []
    turn_index = bisect_right([turn.end for turn in turns], first)
    position = first
    for raw in text[first:last].split("\n"):
        start, end = position, position + len(raw)
        position = end + 1
        if not raw:
            continue
        while turn_index < len(turns) and turns[turn_index].end <= start:
            turn_index += 1
        turn = turns[turn_index] if turn_index < len(turns) else None
        if turn is not None and turn.start <= start < turn.end:
            opens = turn.start == start
            lines.append(Line(start, end, turn.speaker, turn.label_end if opens else None, opens))
        else:
            lines.append(Line(start, end, "n", None, False))
    return lines


def render_transcript(
    text: str, lines: Sequence[Line], spans: Iterable[Span], markers: Sequence[Marker] = ()
) -> SafeString:
    """The whole transcript: every line, with question markers before the line they open."""
    return mark_safe("".join(_render(text, lines, spans, markers, oob=False)))


def render_lines_oob(text: str, lines: Sequence[Line], spans: Iterable[Span]) -> SafeString:
    """Some lines only, each marked for an htmx out-of-band swap by its id."""
    return mark_safe("".join(_render(text, lines, spans, (), oob=True)))


def margin_lanes(spans: Iterable[Span]) -> tuple[dict[int, int], set[int]]:
    """({excerpt id: lane of its stripe}, ids of excerpts whose stripe shares the last lane
    with an overlapping one). Empty excerpts get no lane.

    Greedy in text order (start, longest first): each excerpt takes the first lane free
    where it starts. All lanes are free again wherever no excerpt spans across, so an
    excerpt's lane depends only on its cluster (the excerpts linked to it through
    overlaps): margin_window relies on that.
    """
    lanes: dict[int, int] = {}
    ends: list[int] = []  # where the last excerpt of each lane ends
    crowded: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.id)):
        if span.end <= span.start:
            continue
        lane = next((i for i, busy in enumerate(ends) if busy <= span.start), len(ends))
        if lane == len(ends):
            ends.append(0)
        ends[lane] = span.end
        lanes[span.id] = min(lane, MAX_MARGIN_LANE)
        if lane >= MAX_MARGIN_LANE:
            crowded.append(span)
    shared = set()
    for index, span in enumerate(crowded):
        for other in crowded[:index]:
            if other.end > span.start:
                shared |= {span.id, other.id}
    return lanes, shared


def margin_window(
    text: str, bounds: Iterable[tuple[int, int]], start: int, end: int
) -> tuple[int, int]:
    """[start, end) (code points) widened to whole lines and to whole clusters of overlapping
    excerpts, until both hold. `bounds` holds (start, end) of every live excerpt of the
    transcript. The lines of the window can then be re-rendered with the excerpts touching
    them and show the same stripe lanes as the whole page."""
    clusters: list[list[int]] = []
    for first, last in sorted(bounds):
        if last <= first:
            continue
        if clusters and first < clusters[-1][1]:
            clusters[-1][1] = max(clusters[-1][1], last)
        else:
            clusters.append([first, last])
    while True:
        low, high = _line_bounds(text, start, end)
        for first, last in clusters:
            if first < high and last > low:
                low, high = min(low, first), max(high, last)
        if (low, high) == (start, end):
            return low, high
        start, end = low, high


def _render(text, lines, spans, markers, *, oob: bool) -> list[str]:
    ordered = sorted(spans, key=lambda s: (s.start, -s.end, s.id))
    margin = _Margin(text, *margin_lanes(ordered))
    out: list[str] = []
    next_span, active = 0, []
    next_marker = 0
    for line in lines:
        while next_marker < len(markers) and markers[next_marker].position < line.end:
            out.append(_marker_html(markers[next_marker]))
            next_marker += 1
        while next_span < len(ordered) and ordered[next_span].start < line.end:
            active.append(ordered[next_span])
            next_span += 1
        active = [span for span in active if span.end > line.start]
        _render_line(out, text, line, active, oob, margin)
    for marker in markers[next_marker:]:
        out.append(_marker_html(marker))
    return out


def _marker_html(marker: Marker) -> str:
    return (
        f'<div class="qmark" id="q-{marker.number}" data-skip>'
        f'<span class="qnum">Q{marker.number}</span> '
        f'<span class="qtext">{escape_text(marker.text)}</span></div>'
    )


class _Margin:
    """The margin's markup for the excerpts of one render, each piece built once."""

    def __init__(self, text: str, lanes: dict[int, int], shared: set[int]):
        self.text, self.lanes, self.shared = text, lanes, shared
        self._stripes: dict[int, str] = {}
        self._labels: dict[int, str] = {}

    @staticmethod
    def codes(span: Span) -> tuple[tuple[str, str], ...]:
        return span.codes or ((span.title, span.colour),)

    def stripe(self, span: Span, cont: bool) -> str:
        colours = self._stripes.get(span.id)
        if colours is None:
            shown = [colour for _, colour in self.codes(span)][:MAX_STRIPE_COLOURS]
            colours = self._stripes[span.id] = (
                f" n{len(shown)}" if len(shown) > 1 else "",
                "".join(f'<i class="c-{escape_attr(colour)}"></i>' for colour in shown),
            )
        several, items = colours
        return (
            f'<span class="stripe m{self.lanes[span.id]}{" cont" if cont else ""}{several}" '
            f'data-for="{span.id}" aria-hidden="true">{items}</span>'
        )

    def label(self, span: Span, alternate: bool) -> str:
        items = self._labels.get(span.id)
        if items is None:
            items = self._labels[span.id] = "".join(
                f'<i class="c-{escape_attr(colour)}" data-n="{escape_attr(name)}"></i>'
                for name, colour in self.codes(span)
            )
        return (
            f'<span class="stripe-label{" alt" if alternate else ""}" data-for="{span.id}" '
            f'aria-hidden="true">{items}</span>'
        )

    def eraser(self, span: Span) -> str:
        return f'<span class="stripe-end m{self.lanes[span.id]}" aria-hidden="true"></span>'

    def runs_on(self, span: Span, line_end: int) -> bool:
        """Whether `span` goes on into a later line's text (it may end in the breaks)."""
        if span.end <= line_end:
            return False
        position = line_end
        while position < span.end and self.text[position] == "\n":
            position += 1
        return position < span.end


def _first_character_end(text: str, start: int, end: int) -> int:
    """Where the first character a reader sees in text[start:end] ends: after its first
    code point and the combining marks, variation selectors, emoji modifiers, tags and
    zero-width joins that belong with it (an element between them would break it up)."""
    position = start + 1
    if position < end and _regional(text[start]) and _regional(text[position]):
        return position + 1  # a flag: two regional indicators
    while position < end:
        if text[position] == "\u200d" and position + 1 < end:
            position += 2
        elif _attached(text[position]):
            position += 1
        else:
            break
    return position


def _regional(character: str) -> bool:
    return "\U0001f1e6" <= character <= "\U0001f1ff"


def _attached(character: str) -> bool:
    """A code point drawn with the one before it: a mark (which variation selectors are),
    an emoji skin-tone modifier or a tag character."""
    return (
        unicodedata.category(character) in ("Mn", "Mc", "Me")
        or "\U0001f3fb" <= character <= "\U0001f3ff"
        or "\U000e0020" <= character <= "\U000e007f"
    )


def _render_line(
    out: list[str], text: str, line: Line, spans: list[Span], oob: bool, margin: _Margin
) -> None:
    start, end, label_end = line.start, line.end, line.label_end
    classes = f"t-{line.speaker} ts" if line.opens_turn else f"t-{line.speaker}"
    swap = ' hx-swap-oob="true"' if oob else ""
    out.append(f'<p id="p-{start}" class="{classes}" data-o="{start}"{swap}>')
    if not spans and label_end is None:
        out.append(escape_text(text[start:end]))
        out.append("</p>")
        return

    # Lanes: the first lane free where the excerpt starts within this line.
    lane_of, lane_ends = {}, []
    for span in spans:
        clipped = max(span.start, start)
        lane = next((i for i, busy in enumerate(lane_ends) if busy <= clipped), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(0)
        lane_ends[lane] = min(span.end, end)
        lane_of[span.id] = min(lane, MAX_LANE)
    # The highest lane is the outermost element: its underline sits lowest, and a lone
    # excerpt in lane 0 keeps its underline close to the text.
    by_lane = sorted(spans, key=lambda s: -lane_of[s.id])
    opening = {
        span.id: (
            f'<mark class="x l{lane_of[span.id]} c-{escape_attr(span.colour)}',
            # No title and no tabindex: the transcript is one tab stop, and the page's
            # script describes the excerpts under the caret or pointer in one element
            # (aria-describedby). data-s/data-e let it find the innermost excerpt.
            f'" data-x="{span.id}" data-s="{span.start}" data-e="{span.end}" '
            f'data-codes="{escape_attr(span.title)}">',
        )
        for span in spans
    }

    # The margin: where each excerpt's stripe goes (its first piece in this line), and
    # where it stops (its last piece here, unless it goes on into the next line). Labels
    # of excerpts starting in the same line alternate between two heights, so that two
    # starting on one visual line do not cover each other.
    stripe_at: dict[int, set[int]] = {}
    stop_at: dict[int, set[int]] = {}
    starting = 0
    alternate = set()
    for span in spans:
        if span.id not in margin.lanes:
            continue
        stripe_at.setdefault(max(span.start, start), set()).add(span.id)
        if span.start >= start:
            if starting % 2:
                alternate.add(span.id)
            starting += 1
        if span.id not in margin.shared and not margin.runs_on(span, end):
            stop_at.setdefault(min(span.end, end), set()).add(span.id)

    cuts = {start, end}
    if label_end is not None:
        cuts.add(label_end)
    for span in spans:
        cuts.add(max(span.start, start))
        cuts.add(min(span.end, end))
    points = sorted(cuts)

    for a, b in pairwise(points):
        covering = [s for s in by_lane if s.start <= a and s.end >= b]
        starting = stripe_at.get(a) if covering else None
        if starting is None:
            piece = escape_text(text[a:b])
        else:
            # Stripes and labels go right after the piece's first character: there they
            # stand on the line where the excerpt's words start (just before them, at a
            # soft line break, they would stand on the line before), and the highlight's
            # own first box stays its words (browser automation clicks a highlight's first
            # box). They name their excerpt (data-for): they may sit in an inner one's mark.
            split = _first_character_end(text, a, b)
            parts = "".join(
                margin.stripe(span, cont=span.start < start)
                + (margin.label(span, span.id in alternate) if span.start == a else "")
                for span in covering
                if span.id in starting
            )
            piece = escape_text(text[a:split]) + parts + escape_text(text[split:b])
        if label_end is not None and b <= label_end:
            piece = f'<b class="who">{piece}</b>'
        if not covering:
            out.append(piece)
            continue
        for span in covering:
            # xs and xe round the corners where an excerpt begins and ends.
            head, tail = opening[span.id]
            out.append(
                head + (" xs" if span.start == a else "") + (" xe" if span.end == b else "") + tail
            )
        out.append(piece)
        stops = stop_at.get(b)
        if stops is None:
            out.append("</mark>" * len(covering))
            continue
        # An eraser goes after its excerpt's last words, in its own mark.
        for span in reversed(covering):
            if span.id in stops:
                out.append(margin.eraser(span))
            out.append("</mark>")
    out.append("</p>")
