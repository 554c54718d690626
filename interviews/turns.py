"""Speaker turns: lines that open with "Interviewer:", "R3:" and the like."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from .models import Speaker

INTERVIEWER_LABELS = frozenset(
    {"interviewer", "i", "q", "int", "moderator", "facilitator", "researcher"}
)
RESPONDENT_LABELS = frozenset({"respondent", "r", "a", "participant", "interviewee", "p"})

# An optional timestamp ("[00:12:31]", "(12:31)"), then a short label, then a colon followed by
# whitespace or the end of the line ("Note: 10:30" must not read as a label "Note").
_LABEL = re.compile(
    r"^(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?[\])]?[ \t]+)?(?P<label>[^\n:]{1,40}?)[ \t]*:(?=[ \t]|$)",
    re.MULTILINE,
)


class Turn(NamedTuple):
    start: int
    label_end: int
    end: int
    speaker: str

    @property
    def is_interviewer(self) -> bool:
        return self.speaker == Speaker.INTERVIEWER


def find_turns(text: str, pseudonyms: Iterable[str] = ()) -> list[Turn]:
    """The speaker turns of a transcript, in text order.

    A turn runs from its label to the next label; lines without a label continue the turn
    before them. Text before the first label belongs to no turn.
    """
    respondent_labels = RESPONDENT_LABELS | {p.casefold() for p in pseudonyms}
    openings = []
    for match in _LABEL.finditer(text):
        label = " ".join(match["label"].split()).casefold()
        if label in INTERVIEWER_LABELS:
            openings.append((match.start(), match.end(), Speaker.INTERVIEWER.value))
        elif label in respondent_labels:
            openings.append((match.start(), match.end(), Speaker.RESPONDENT.value))
    turns = []
    for index, (start, label_end, speaker) in enumerate(openings):
        end = openings[index + 1][0] if index + 1 < len(openings) else len(text)
        while end > label_end and text[end - 1].isspace():
            end -= 1
        turns.append(Turn(start, label_end, end, speaker))
    return turns


def interviewer_only(text: str, start: int, end: int) -> bool:
    """Whether the excerpt `[start, end)` of `text` (code points, as Excerpt) holds only the
    interviewer's words: it lies wholly within one line that opens with an interviewer label
    (INTERVIEWER_LABELS, after an optional timestamp), after that label.

    Only the labelled line itself: a line with no label, or an unrecognised one ("Maria:", a
    pseudonym not known yet), continues the turn before it in find_turns, and may well be
    the respondent's answer, so it is never taken for the interviewer's here. Text before any
    label is not either. The rule reads the text alone, never the pseudonyms, so that it
    holds the same on every page and export (README, "Interviewer's words"). An empty span
    (an excerpt whose words an edit removed) holds no one's words: False.
    """
    if start >= end:
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", line_start)
    if line_end == -1:
        line_end = len(text)
    if end > line_end:
        return False
    match = _LABEL.match(text, line_start)
    if match is None or start < match.end():
        return False
    return " ".join(match["label"].split()).casefold() in INTERVIEWER_LABELS


def respondent_runs(text: str) -> list[str]:
    """`text` less the interviewer's lines, as the runs of lines between them, in text
    order, blank runs left out. A line that opens with an interviewer label
    (INTERVIEWER_LABELS, after an optional timestamp) is the interviewer's: the rule of
    interviewer_only, which reads the labelled line alone; every other line, an unlabelled
    one that may continue the interviewer's turn included, may be the respondent's. Used to
    tell whose words a phrase is (interviews.mentions): one that lies within a run."""
    runs: list[str] = []
    lines: list[str] = []
    for line in text.split("\n"):
        match = _LABEL.match(line)
        if match and " ".join(match["label"].split()).casefold() in INTERVIEWER_LABELS:
            runs.append("\n".join(lines))
            lines = []
        else:
            lines.append(line)
    runs.append("\n".join(lines))
    return [run for run in runs if run.strip()]


def turns_from_json(data: list) -> list[Turn]:
    return [Turn(*row) for row in data]


def turns_of(interview) -> list[Turn]:
    """The speaker turns of `interview` (its `turns` read as Turn), made once per instance
    while its `turns` stays the same list: coding a selection reads them twice, to keep
    labels out of the excerpt and to redraw its lines, and making a transcript's 130-odd
    Turns took 0.2 ms each time (the benchmark's transcripts, load 9 on 2 cores)."""
    made = interview.__dict__.get("_turns_made")
    if made is not None and made[0] is interview.turns:
        return made[1]
    turns = turns_from_json(interview.turns)
    interview.__dict__["_turns_made"] = (interview.turns, turns)
    return turns
