"""Finding where each protocol question is asked, by matching interviewer turns to the protocol.

Interviewers paraphrase, shorten and merge questions, so matching is fuzzy: every pair of
(question, interviewer turn) is scored, and the best pairs are taken greedily, each question
and each turn at most once. The researcher corrects the result by hand where it is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from .turns import Turn

# Pairs scoring below this are never matched; in protocol order a lower score is enough than
# out of order, where a question must be asked almost word for word to be recognised. On the
# demo's eight transcripts 35 places all 88 questions on the right turn; 45 misses four.
IN_ORDER_THRESHOLD = 35
OUT_OF_ORDER_THRESHOLD = 75
# A question asked again later (interviewers return to one the respondent left unfinished)
# is recognised only when asked almost word for word, and only after another question's
# part has begun: a probe inside the same answer is not a new asking.
ASKED_AGAIN_THRESHOLD = 85

# Words every question of an interview protocol shares; they say nothing about which one it is.
_STOPWORD_TEXT = """
a about an and any are as at be been being but by can could did do does doing for from had has
have how i if in into is it its me more my of on or our so some such than that the their them
then there these they this those to up us was we were what when where which who why will with
would you your yours yeah okay ok well um uh like just tell say said really thing things kind
sort lot let next question last
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Paraphrases interviewers use for protocol words, each group folded to one stem.
_SYNONYM_GROUPS = {
    "use": "utilize utilizing utilization utilise utilising utilisation using used uses "
    "implement implementing implemented apply applying",
    "change": "evolved evolve evolving changed changes changing",
    "time": "overtime years year",
    "measur": "measure measured measuring",
    "enough": "adequate sufficient",
    "missing": "lacking lack",
    "lower": "decrease reduce ease",
}
_SYNONYMS = {word: stem for stem, words in _SYNONYM_GROUPS.items() for word in words.split()}
_WORD = re.compile(r"[^\W_]+")


class Match(NamedTuple):
    question_index: int
    turn_index: int
    score: int


class Span(NamedTuple):
    question_index: int
    start: int
    end: int
    score: int | None


def _stems(text: str, common: frozenset[str] = frozenset()) -> str:
    """Content words, folded to short stems: "utilizing" and "use" meet, as do "clients" and
    "client"; a six-letter prefix is a crude stemmer but enough to compare questions."""
    stems = []
    for word in _WORD.findall(text.casefold()):
        if word in _STOPWORDS or len(word) < 2:
            continue
        stem = _SYNONYMS.get(word, word)[:6]
        if stem not in common:
            stems.append(stem)
    return " ".join(stems)


def common_stems(questions: Sequence[str]) -> frozenset[str]:
    """Stems in more than half of the protocol's questions (its topic, "harm reduction"):
    they cannot tell one question from another, so matching ignores them."""
    counts: dict[str, int] = {}
    for question in questions:
        for stem in set(_stems(question).split()):
            counts[stem] = counts.get(stem, 0) + 1
    return frozenset(stem for stem, n in counts.items() if n > len(questions) / 2)


def score(question: str, turn_text: str, common: frozenset[str] = frozenset()) -> int:
    """How well an interviewer's words ask a protocol question, 0 to 100."""
    return _stems_score(_stems(question, common), _stems(turn_text, common))


def _stems_score(q: str, t: str) -> int:
    """score() of a question and a turn already reduced to their stems (_stems)."""
    if not q or not t:
        return 0
    from rapidfuzz import fuzz  # imported on first use: see _scores

    # token_set_ratio forgives extra words on either side (a preamble, a merged follow-up);
    # token_sort_ratio keeps a long rambling turn from matching every question a little.
    return round(0.6 * fuzz.token_set_ratio(q, t) + 0.4 * fuzz.token_sort_ratio(q, t))


def _scores(question_stems: list[str], turn_stems: list[str]) -> list[list[int]]:
    """[question][turn] of _stems_score, the two ratios of every pair computed in C by
    rapidfuzz's cdist (a Python call per pair took a third of finding the sections of 200
    transcripts); the arithmetic and rounding are _stems_score's, in Python floats."""
    if not question_stems or not turn_stems:
        return [[_stems_score(q, t) for t in turn_stems] for q in question_stems]
    # numpy (15 MB) and rapidfuzz (4 MB) are imported by the first import of a transcript
    # into a study with a protocol, not as a gunicorn worker loads the app (issue 9: a
    # worker under 160 MB after every page and export, none of which needs them).
    import numpy
    from rapidfuzz import fuzz, process

    set_ratios, sort_ratios = (
        process.cdist(question_stems, turn_stems, scorer=scorer, dtype=numpy.float64).tolist()
        for scorer in (fuzz.token_set_ratio, fuzz.token_sort_ratio)
    )
    return [
        [
            round(0.6 * by_set + 0.4 * by_sort) if q and t else 0
            for t, by_set, by_sort in zip(turn_stems, set_row, sort_row, strict=True)
        ]
        for q, set_row, sort_row in zip(question_stems, set_ratios, sort_ratios, strict=True)
    ]


def match_questions(text: str, turns: Sequence[Turn], questions: Sequence[str]) -> list[Match]:
    """The interviewer turn that asks each question, where one is found.

    First the best alignment in protocol order (questions may be skipped, probes come in
    between), then any question still unplaced that some other turn asks almost verbatim.
    """
    asked = [i for i, turn in enumerate(turns) if turn.is_interviewer]
    common = common_stems(questions)
    # Each question and each turn reduced to its stems once, not once per pair: stemming
    # took 80% of an import's time in this function (50 transcripts of 8,000 words).
    question_stems = [_stems(question, common) for question in questions]
    turn_stems = [_stems(text[turns[i].label_end : turns[i].end], common) for i in asked]
    scores = _scores(question_stems, turn_stems)
    pairs = _align(scores, IN_ORDER_THRESHOLD)
    placed_questions = {q for q, _ in pairs}
    placed_turns = {t for _, t in pairs}
    extra = sorted(
        (-scores[q][t], q, t)
        for q in range(len(questions))
        for t in range(len(asked))
        if q not in placed_questions and scores[q][t] >= OUT_OF_ORDER_THRESHOLD
    )
    for _, q, t in extra:
        if q not in placed_questions and t not in placed_turns:
            pairs.append((q, t))
            placed_questions.add(q)
            placed_turns.add(t)
    pairs = _asked_again(scores, pairs)
    return sorted(
        (Match(q, asked[t], scores[q][t]) for q, t in pairs), key=lambda match: match.turn_index
    )


def _asked_again(scores: list[list[int]], pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Add the turns that ask an already placed question again, after another question.

    Walking the turns in order, a turn no question is placed on and that asks the question
    of an earlier part (not the part it is in) word for word starts a new part for it.
    """
    at_turn = {t: q for q, t in pairs}
    found = list(pairs)
    current = None
    for t in range(len(scores[0]) if scores else 0):
        if t in at_turn:
            current = at_turn[t]
            continue
        best = max(range(len(scores)), key=lambda q: scores[q][t])
        asked_before = any(q == best for q in at_turn.values())
        if scores[best][t] >= ASKED_AGAIN_THRESHOLD and asked_before and best != current:
            found.append((best, t))
            at_turn[t] = current = best
    # A question whose next part is its own again would be one answer cut in two: the turn
    # added here is then a repetition inside the same asking, not a new one.
    ordered = sorted(found, key=lambda pair: pair[1])
    added = set(found) - set(pairs)
    return [
        pair
        for i, pair in enumerate(ordered)
        if pair not in added or i + 1 == len(ordered) or ordered[i + 1][0] != pair[0]
    ]


def _align(scores: list[list[int]], threshold: int) -> list[tuple[int, int]]:
    """Monotone alignment of questions to turns maximising the sum of (score - threshold)."""
    n_questions = len(scores)
    n_turns = len(scores[0]) if scores else 0
    best = [[0] * (n_turns + 1) for _ in range(n_questions + 1)]
    for q in range(1, n_questions + 1):
        for t in range(1, n_turns + 1):
            value = max(best[q - 1][t], best[q][t - 1])
            gain = scores[q - 1][t - 1] - threshold
            if gain >= 0:
                value = max(value, best[q - 1][t - 1] + gain + 1)
            best[q][t] = value
    pairs, q, t = [], n_questions, n_turns
    while q > 0 and t > 0:
        gain = scores[q - 1][t - 1] - threshold
        if gain >= 0 and best[q][t] == best[q - 1][t - 1] + gain + 1:
            pairs.append((q - 1, t - 1))
            q, t = q - 1, t - 1
        elif best[q][t] == best[q - 1][t]:
            q -= 1
        else:
            t -= 1
    return pairs[::-1]


def spans_from_starts(text: str, starts: Sequence[tuple[int, int, int | None]]) -> list[Span]:
    """Segments from (question_index, start offset, score) markers: each runs to the next."""
    ordered = sorted(starts, key=lambda item: item[1])
    spans = []
    for index, (question_index, start, value) in enumerate(ordered):
        end = ordered[index + 1][1] if index + 1 < len(ordered) else len(text)
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append(Span(question_index, start, end, value))
    return spans


def find_segments(text: str, turns: Sequence[Turn], questions: Sequence[str]) -> list[Span]:
    matches = match_questions(text, turns, questions)
    return spans_from_starts(
        text, [(m.question_index, turns[m.turn_index].start, m.score) for m in matches]
    )
