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
"""

from __future__ import annotations

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
    colour: str  # palette name of its first code, or "none"
    title: str  # its code names, for its description (raw; escaped here)


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


def lines_of(
    text: str, turns: Sequence[Turn], window: tuple[int, int] | None = None
) -> list[Line]:
    """The non-empty lines of a transcript (or those within `window`), with their speakers.

    Only empty lines are left out, so that everything between two rendered lines is line
    breaks: the browser rebuilds the selected text on that assumption.
    """
    first, last = 0, len(text)
    if window is not None:
        first = text.rfind("\n", 0, window[0]) + 1
        found = text.find("\n", max(window[1] - 1, first))
        last = len(text) if found < 0 else found
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


def _render(text, lines, spans, markers, *, oob: bool) -> list[str]:
    ordered = sorted(spans, key=lambda s: (s.start, -s.end, s.id))
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
        _render_line(out, text, line, active, oob)
    for marker in markers[next_marker:]:
        out.append(_marker_html(marker))
    return out


def _marker_html(marker: Marker) -> str:
    return (
        f'<div class="qmark" id="q-{marker.number}" data-skip>'
        f'<span class="qnum">Q{marker.number}</span> '
        f'<span class="qtext">{escape_text(marker.text)}</span></div>'
    )


def _render_line(out: list[str], text: str, line: Line, spans: list[Span], oob: bool) -> None:
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
            f'<mark class="x l{lane_of[span.id]} c-{span.colour}',
            # No title and no tabindex: the transcript is one tab stop, and the page's
            # script describes the excerpts under the caret or pointer in one element
            # (aria-describedby). data-s/data-e let it find the innermost excerpt.
            f'" data-x="{span.id}" data-s="{span.start}" data-e="{span.end}" '
            f'data-codes="{escape_attr(span.title)}">',
        )
        for span in spans
    }

    cuts = {start, end}
    if label_end is not None:
        cuts.add(label_end)
    for span in spans:
        cuts.add(max(span.start, start))
        cuts.add(min(span.end, end))
    points = sorted(cuts)

    for a, b in pairwise(points):
        piece = escape_text(text[a:b])
        if label_end is not None and b <= label_end:
            piece = f'<b class="who">{piece}</b>'
        covering = [s for s in by_lane if s.start <= a and s.end >= b]
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
        out.append("</mark>" * len(covering))
    out.append("</p>")
