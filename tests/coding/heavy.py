"""Heavily coded transcripts, for the tests of what a big coding page weighs.

The transcript is imported through the import service; its hundreds or thousands of
excerpts are written in bulk, in the shape `coding.services.excerpt_create` gives them
(word-aligned spans in answers, one to three codes each, a third of them nested in or
crossing another), because creating them one by one through the service would take most
of a minute at the limits.
"""

from __future__ import annotations

import random
import re

from coding import services as coding
from coding.models import Coding, Excerpt
from coding.palette import PALETTE
from interviews import services as interviews
from interviews.turns import Turn

WORDS = [
    "client",
    "clients",
    "harm",
    "reduction",
    "support",
    "team",
    "stress",
    "agency",
    "housing",
    "trust",
    "week",
    "plan",
    "meeting",
    "staff",
    "colleagues",
    "caseload",
    "drinking",
    "treatment",
    "family",
    "abstinence",
    "visit",
    "home",
    "really",
    "think",
    "people",
    "said",
    "honestly",
    "doing",
    "better",
    "felt",
    "work",
    "working",
    "change",
    "café",
    "niño",
]
_WORD = re.compile(r"\S+")


def transcript(*, turns: int, words_per_turn: int, seed: int = 3) -> str:
    """`turns` turns, interviewer and respondent R1 in turn, of prose-like words."""
    rng = random.Random(seed)
    lines = []
    for n in range(turns):
        label = "Interviewer:" if n % 2 == 0 else "R1:"
        lines.append(" ".join([label, *rng.choices(WORDS, k=words_per_turn)]) + ".")
    return "\n\n".join(lines)


def coded_transcript(
    study, coder, *, excerpts: int, turns: int, words_per_turn: int, codes: int = 60
):
    """An interview of `study` with `excerpts` excerpts by `coder` over `codes` codes of
    the palette's colours; returns the interview."""
    text = transcript(turns=turns, words_per_turn=words_per_turn)
    outcome = interviews.interview_import(study=study, name="R1-heavy.txt", raw=text.encode())
    assert outcome.ok, outcome.error
    interview = outcome.interview
    colours = list(PALETTE.values())
    code_ids = [
        coding.code_create(study=study, name=f"Code {n:03d}", colour=colours[n % len(colours)]).pk
        for n in range(codes)
    ]
    rng = random.Random(5)
    answers = [
        [m.span() for m in _WORD.finditer(interview.text, turn.label_end, turn.end)]
        for turn in map(Turn._make, interview.turns)
        if not turn.is_interviewer
    ]
    chosen: list[tuple[int, int, int]] = []  # (answer, first word, last word)
    spans: dict[tuple[int, int], None] = {}
    while len(spans) < excerpts:
        if chosen and rng.random() < 1 / 3:
            # Nested in an excerpt already made, or starting inside it and ending after.
            a, i, j = rng.choice(chosen)
            first = rng.randint(i, j)
            last = rng.randint(first, j) if rng.random() < 0.5 else j + rng.randint(1, 15)
        else:
            a = rng.randrange(len(answers))
            first = rng.randrange(len(answers[a]))
            last = first + rng.randint(1, 40)
        last = min(len(answers[a]) - 1, last)
        span = (answers[a][first][0], answers[a][last][1])
        if span not in spans:
            spans[span] = None
            chosen.append((a, first, last))
    rows = Excerpt.objects.bulk_create(
        Excerpt(interview=interview, coder=coder, start=s, end=e, text=interview.text[s:e])
        for s, e in spans
    )
    Coding.objects.bulk_create(
        Coding.of(excerpt=row, code_id=code_id, coder=coder)
        for row in rows
        for code_id in rng.sample(code_ids, rng.randint(1, 3))
    )
    return interview
