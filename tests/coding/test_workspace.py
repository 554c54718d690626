"""What an edit of the coding page redraws (coding.workspace): the lines it touched, widened
to whole clusters of overlapping excerpts, read without reading every excerpt of the
transcript."""

from __future__ import annotations

import random

from coding.highlight import margin_window
from coding.models import Excerpt
from coding.selectors import code_rows
from coding.workspace import _redrawn
from tests.conftest import code_span, import_text

LINES = [f"R1: line {n:02} " + "word " * (1 + n % 5) for n in range(40)]
TEXT = "\n".join(LINES)


def _starts(interview) -> list[int]:
    """Where the words of each line start (after its "R1: " label)."""
    return [interview.text.index(f"line {n:02}") for n in range(len(LINES))]


def _line(interview, n: int) -> tuple[int, int]:
    """[start, end) of line `n`, its label included, without its line break."""
    start = interview.text.index(LINES[n].rstrip())
    return start, start + len(LINES[n].rstrip())


def test_the_redrawn_windows_are_those_of_every_excerpt_of_the_transcript(study, code, owner):
    interview = import_text(study, text=TEXT)
    rng = random.Random(11)
    text = interview.text
    for _ in range(30):
        # Words of what was said, anywhere, some spanning several lines.
        start = rng.randrange(len(text) - 2)
        end = min(len(text), start + rng.randint(2, 90))
        if text[start:end].strip() and ":" not in text[start:end]:
            code_span(interview, (start, end), [code], owner)
    excerpts = list(Excerpt.objects.filter(interview=interview))
    bounds = [(e.start, e.end) for e in excerpts]
    codes = code_rows(study)
    for _ in range(60):
        start = rng.randrange(len(text) - 1)
        ranges = [(start, min(len(text), start + rng.randint(1, 40)))]
        if rng.random() < 0.3:  # a resize redraws where the excerpt was and where it is
            other = rng.randrange(len(text) - 1)
            ranges.append((other, other + 1))
        windows, rows = _redrawn(interview, codes, ranges)
        assert windows == [margin_window(text, bounds, s, e) for s, e in ranges]
        low, high = min(w[0] for w in windows), max(w[1] for w in windows)
        shown = {e.pk for e in excerpts if e.start < high and e.end > low}
        assert shown <= {row.id for row in rows}


def test_one_query_reads_the_lines_unless_a_cluster_reaches_past_them(
    study, code, owner, django_assert_num_queries
):
    interview = import_text(study, text=TEXT)
    starts = _starts(interview)
    codes = code_rows(study)
    code_span(interview, (starts[1], starts[1] + 7), [code], owner)
    # Lines 10 to 14, chained by overlaps: an edit of line 10 must redraw down to line 14.
    code_span(interview, (starts[10], starts[12] + 4), [code], owner)
    code_span(interview, (starts[12], starts[14] + 4), [code], owner)
    # The excerpts of line 1's lines: one query.
    with django_assert_num_queries(1):
        windows, _ = _redrawn(interview, codes, [(starts[1], starts[1] + 2)])
    assert windows == [_line(interview, 1)]
    # Line 10's excerpt reaches line 12, whose other excerpt reaches line 14: three reads.
    with django_assert_num_queries(3):
        windows, rows = _redrawn(interview, codes, [(starts[10], starts[10] + 2)])
    assert windows == [(_line(interview, 10)[0], _line(interview, 14)[1])]
    assert len(rows) == 2
