"""Where offsets of an old transcript text land in its edited version.

A transcript is edited after coding (a typo fixed, a name taken out); every excerpt and
question marker must follow its words. The two texts are compared line by line, then word
by word inside the lines that changed, with Myers' diff, whose cost grows with the number of
differences rather than the length: a few edits in a 50,000-character transcript take
milliseconds (difflib's word-level diff of the whole text took fifteen seconds, and its
longest-block heuristic misaligns transcripts whose lines repeat).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from typing import NamedTuple

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


class Block(NamedTuple):
    old_start: int
    old_end: int
    new_start: int
    new_end: int
    equal: bool


def _pieces(text: str, pattern: re.Pattern | None) -> tuple[list[str], list[int]]:
    """Lines (pattern None) or tokens of `text`, with the offset where each one starts."""
    parts = text.splitlines(keepends=True) if pattern is None else pattern.findall(text)
    starts, position = [], 0
    for part in parts:
        starts.append(position)
        position += len(part)
    starts.append(position)
    return parts, starts


# Beyond this many differences the texts are treated as rewritten between the first and the
# last difference; every excerpt there is then flagged, none lost.
MAX_DIFFERENCES = 4000


def _matches(a: Sequence, b: Sequence) -> list[tuple[int, int, int]]:
    """Matching runs (i, j, length) of a shortest edit script from `a` to `b` (Myers)."""
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(a), len(b)) - prefix and a[len(a) - 1 - suffix] == b[len(b) - 1 - suffix]
    ):
        suffix += 1
    a_mid, b_mid = a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]
    n, m = len(a_mid), len(b_mid)
    runs = [(0, 0, prefix)] if prefix else []
    if n and m:
        for i, j, size in _myers(a_mid, b_mid):
            runs.append((prefix + i, prefix + j, size))
    if suffix:
        runs.append((len(a) - suffix, len(b) - suffix, suffix))
    return runs


def _myers(a: Sequence, b: Sequence) -> list[tuple[int, int, int]]:
    n, m = len(a), len(b)
    frontier = {1: 0}
    trace = []
    for d in range(min(n + m, MAX_DIFFERENCES) + 1):
        trace.append(dict(frontier))
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and frontier.get(k - 1, -1) < frontier.get(k + 1, -1)):
                x = frontier.get(k + 1, 0)
            else:
                x = frontier.get(k - 1, 0) + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            frontier[k] = x
            if x >= n and y >= m:
                return _backtrack(trace, a, b, n, m)
    return []  # too different: no matching runs in between


def _backtrack(trace, a, b, x, y) -> list[tuple[int, int, int]]:
    runs = []
    for d in range(len(trace) - 1, -1, -1):
        frontier = trace[d]
        k = x - y
        if k == -d or (k != d and frontier.get(k - 1, -1) < frontier.get(k + 1, -1)):
            previous_k = k + 1
        else:
            previous_k = k - 1
        previous_x = frontier.get(previous_k, 0)
        previous_y = previous_x - previous_k
        snake = 0
        while x > previous_x and y > previous_y and x > 0 and y > 0 and a[x - 1] == b[y - 1]:
            x, y, snake = x - 1, y - 1, snake + 1
        if snake:
            runs.append((x, y, snake))
        if d > 0:
            x, y = previous_x, previous_y
    return runs[::-1]


def _opcodes(a: Sequence, b: Sequence):
    """(equal?, i1, i2, j1, j2) covering both sequences, from the matching runs."""
    i = j = 0
    for start_a, start_b, size in [*_matches(a, b), (len(a), len(b), 0)]:
        if i < start_a or j < start_b:
            yield False, i, start_a, j, start_b
        if size:
            yield True, start_a, start_a + size, start_b, start_b + size
        i, j = start_a + size, start_b + size


def _blocks(old: str, new: str, pattern, base_old: int, base_new: int) -> list[Block]:
    a, a_starts = _pieces(old, pattern)
    b, b_starts = _pieces(new, pattern)
    blocks = []
    for equal, i1, i2, j1, j2 in _opcodes(a, b):
        tag = "equal" if equal else ("replace" if i2 > i1 and j2 > j1 else "other")
        old_start, old_end = base_old + a_starts[i1], base_old + a_starts[i2]
        new_start, new_end = base_new + b_starts[j1], base_new + b_starts[j2]
        if tag == "replace" and pattern is None:
            # Lines that changed: compare their words, to keep what stayed the same.
            blocks += _blocks(
                old[a_starts[i1] : a_starts[i2]],
                new[b_starts[j1] : b_starts[j2]],
                _TOKEN,
                old_start,
                new_start,
            )
        else:
            blocks.append(Block(old_start, old_end, new_start, new_end, tag == "equal"))
    return blocks


class OffsetMap:
    """Maps offsets (code points) of `old` to offsets of `new`."""

    def __init__(self, old: str, new: str):
        self.blocks = [b for b in _blocks(old, new, None, 0, 0) if b.old_end > b.old_start]
        self.starts = [block.old_start for block in self.blocks]
        self.old_length, self.new_length = len(old), len(new)

    @classmethod
    def of_replacements(cls, old: str, replacements: Sequence[tuple[int, int, str]]) -> OffsetMap:
        """The map of `old` with the spans `[start, end)` (code points, in text order, not
        overlapping, each non-empty) replaced by the strings given: exactly what changed,
        with no diff to guess it. Spans move as after an edit (start() and end() above)."""
        offsets = cls.__new__(cls)
        blocks, position, shift = [], 0, 0
        for start, end, words in replacements:
            if start > position:
                blocks.append(Block(position, start, position + shift, start + shift, True))
            blocks.append(Block(start, end, start + shift, start + shift + len(words), False))
            shift += len(words) - (end - start)
            position = end
        if position < len(old):
            blocks.append(Block(position, len(old), position + shift, len(old) + shift, True))
        offsets.blocks = blocks
        offsets.starts = [block.old_start for block in blocks]
        offsets.old_length, offsets.new_length = len(old), len(old) + shift
        return offsets

    def _block(self, position: int) -> Block | None:
        index = bisect_right(self.starts, position) - 1
        return self.blocks[index] if index >= 0 else None

    def start(self, position: int) -> int:
        """Where a span starting at `position` starts now: text that changed under its
        first character pulls it to the start of the replacement."""
        if position >= self.old_length:
            return self.new_length
        block = self._block(position)
        if block is None:
            return 0
        if block.equal:
            return block.new_start + position - block.old_start
        return block.new_start

    def end(self, position: int) -> int:
        """Where a span ending at `position` (exclusive) ends now."""
        if position <= 0:
            return 0
        block = self._block(position - 1)
        if block is None:
            return 0
        if block.equal:
            return block.new_start + position - block.old_start
        return block.new_end
