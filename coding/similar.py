"""Passages like a code's excerpts: suggestions the researcher may code, never counted before.

The respondents' sentences that no excerpt covers yet are compared with the excerpts of a code
(and its sub-codes) by TF-IDF weighted words and cosine similarity (coding/tfidf.py). Everything
runs here, on this machine: no text leaves it and no language model is downloaded.

Nothing is stored: a suggestion becomes data only when the researcher codes it, through the
same service as a selection on the coding page (coding.services.excerpt_code_selection).
"""

from __future__ import annotations

import hashlib
import pickle
import re
import sys
from dataclasses import dataclass

from django.core.cache import cache

from core.naming import branches
from core.processes import child_output
from interviews.models import Interview, Study
from interviews.turns import turns_from_json

from .models import Code, Excerpt

# A sentence ends at . ! ? or … followed by space, or at a line break (transcripts often
# give each utterance its own line without a full stop).
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
# Shorter sentences ("Yeah.", "Mm-hm, right.") say too little to resemble anything; they are
# joined to the sentence after them.
MIN_WORDS = 6
# Below this cosine similarity a "like" is mostly shared common words.
MIN_SCORE = 0.12
LIMIT = 25
# Fitting 200 transcripts of 8,000 words takes about 5 s on a loaded machine; a stuck
# fitting process is stopped well before a proxy would give up on the request.
FIT_TIMEOUT_S = 120


class FittingError(RuntimeError):
    """The fitting process failed (the message holds the end of what it wrote on stderr)."""


@dataclass(frozen=True)
class Passage:
    """A sentence (or a few short ones) of a respondent's turn: [start, end) in code points."""

    interview_id: int
    start: int
    end: int


@dataclass(frozen=True)
class Suggestion:
    """An uncoded passage like the code's excerpts.

    `score` is the cosine similarity (0 to 1) with the excerpt it is most like, `like_id`.
    """

    interview_id: int
    respondent: str
    version: int
    start: int
    end: int
    text: str
    score: float
    like_id: int
    like_text: str


def passages(text: str, turns_json: list, interview_id: int) -> list[Passage]:
    """The passages of the respondents' turns of one transcript, in text order.

    Each runs from a sentence's first to its last non-space character; a sentence under
    MIN_WORDS words is joined to the next one in its turn (the last one of a turn to the
    one before it).
    """
    found: list[Passage] = []
    for turn in turns_from_json(turns_json):
        if turn.is_interviewer:
            continue
        spans: list[tuple[int, int]] = []
        pending = None
        for start, end in sentences(text, turn.label_end, turn.end):
            start = pending if pending is not None else start
            if len(text[start:end].split()) >= MIN_WORDS:
                spans.append((start, end))
                pending = None
            else:
                pending = start
        if pending is not None and spans:
            spans[-1] = (spans[-1][0], turn.end)
        found += [Passage(interview_id, start, end) for start, end in spans]
    return found


def sentences(text: str, start: int, end: int):
    """(start, end) of each sentence of text[start:end], without the spaces around it."""
    position = start
    for match in [*_SENTENCE_END.finditer(text, start, end), None]:
        stop = match.start() if match else end
        piece = text[position:stop]
        if piece.strip():
            yield (
                position + len(piece) - len(piece.lstrip()),
                position + len(piece.rstrip()),
            )
        if match:
            position = match.end()


@dataclass
class PassageIndex:
    """Every passage of a study's counted transcripts with its TF-IDF vector (row i of
    `matrix` is passage i: interview_ids[i], starts[i], ends[i]), and the fitted vectorizer
    for new texts.

    The passages are three int64 arrays, not Passage objects: Django's local-memory cache
    pickles what it keeps, and unpickling 44,000 objects took 0.4 s of every request at a
    quarter of the benchmark's scale; arrays unpickle as one copy each.
    """

    interview_ids: object  # numpy.ndarray of int64, as the next two
    starts: object
    ends: object
    matrix: object  # scipy.sparse.csr_matrix, float32, rows L2-normalised
    vectorizer: object  # coding.tfidf.Tfidf

    def passage(self, i: int) -> Passage:
        return Passage(int(self.interview_ids[i]), int(self.starts[i]), int(self.ends[i]))


def _interviews(study: Study):
    return Interview.objects.filter(study=study, respondent__withdrawn_at__isnull=True)


def passage_index(study: Study) -> PassageIndex:
    """The study's PassageIndex, from Django's cache while no counted transcript changed.

    The key holds every counted interview's id and text version, so an edit, an import, a
    deletion or a withdrawal makes a new index (and the old one expires unread). Fitting it
    is the slow part (about 3 s for 200 transcripts of 8,000 words on a busy laptop).
    """
    versions = list(_interviews(study).order_by("pk").values_list("pk", "version"))
    signature = hashlib.sha256(repr(versions).encode()).hexdigest()[:32]
    key = f"similar:{study.pk}:{signature}"
    index = cache.get(key)
    if index is None:
        index = _fit(study)
        cache.set(key, index, timeout=60 * 60)
    return index


def _fit(study: Study) -> PassageIndex:
    """The study's PassageIndex, fitted in a short-lived process of its own (fit_main).

    Fitting makes a Python object of every passage and word of every transcript (35,000
    passages at 200 transcripts of 8,000 words): freed afterwards, they stayed in the worker
    as some 17 MB of half-empty memory that no allocator gives back (issue 9: a worker under
    160 MB after every page and export). The worker reads the transcripts, so the fitting
    process sees what this request sees (its transaction included) and needs no database;
    it answers with the index, a few large arrays. Its start costs about half a second, once
    per change of the study's transcripts (passage_index caches the index).

    Raises FittingError when the process fails or takes over FIT_TIMEOUT_S seconds.
    """
    rows = list(_interviews(study).values_list("pk", "text", "turns"))
    answer = child_output(
        ["-c", _FIT_MAIN],
        stdin=pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL),
        timeout=FIT_TIMEOUT_S,
        doing="Fitting the similar passages",
        error=FittingError,
    )
    # Our own child's answer, never anything a user sent.
    return pickle.loads(answer)


_FIT_MAIN = "import django; django.setup(); from coding.similar import fit_main; fit_main()"


def fit_main() -> None:
    """Entry point of the fitting process (_fit): [(interview id, text, turns), ...]
    pickled on stdin, the PassageIndex of their passages pickled on stdout."""
    # Written by _fit, our parent.
    rows = pickle.load(sys.stdin.buffer)
    sys.stdout.buffer.write(pickle.dumps(fit_rows(rows), protocol=pickle.HIGHEST_PROTOCOL))


def fit_rows(rows) -> PassageIndex:
    """The PassageIndex of the passages of `rows`, [(interview id, text, turns JSON), ...]:
    the TF-IDF vectors of every passage, for new texts to be compared with."""
    # SciPy (under coding.tfidf) is imported here: in the fitting process, never at a
    # worker's start.
    import numpy as np

    from .tfidf import Tfidf

    found: list[Passage] = []
    texts: list[str] = []
    for interview_id, text, turns in rows:
        for passage in passages(text, turns, interview_id):
            found.append(passage)
            texts.append(text[passage.start : passage.end])
    vectorizer = Tfidf()
    matrix = vectorizer.fit_transform(texts) if texts else None
    columns = [[passage.interview_id for passage in found], [p.start for p in found]]
    columns.append([passage.end for passage in found])
    return PassageIndex(*(np.array(c, dtype=np.int64) for c in columns), matrix, vectorizer)


@dataclass(frozen=True)
class Comparison:
    """What similar_passages compared (the code's excerpts, counting its sub-codes') and
    what it found, most alike first."""

    excerpts: int
    suggestions: list[Suggestion]


def similar_passages(code: Code, *, limit: int = LIMIT) -> Comparison:
    """Up to `limit` uncoded passages most like the excerpts of `code` and its sub-codes,
    most alike first; none when the code has no excerpts or the study no uncoded passage.

    "Uncoded" means that no live excerpt (of any code) overlaps the passage. Each passage is
    scored by its cosine similarity with the excerpt it is most like (not with their
    average), so a code whose excerpts say different things finds passages like each.
    """
    study = code.study
    pairs = Code.objects.filter(study=study).values_list("pk", "parent_id")
    branch = branches(pairs).get(code.pk, {code.pk})
    excerpts = list(
        Excerpt.objects.filter(
            codings__code__in=branch, interview__respondent__withdrawn_at__isnull=True
        )
        .distinct()
        .order_by("pk")
        .values_list("pk", "text")
    )
    index = passage_index(study) if excerpts else None
    if index is None or index.matrix is None:
        return Comparison(len(excerpts), [])
    import numpy as np

    from .tfidf import closest

    excerpt_vectors = index.vectorizer.transform([text for _, text in excerpts])
    # Only uncoded passages can be suggested, so only they are compared: at the default
    # scale of the benchmark, 22,000 of 35,000 passages.
    candidates = np.flatnonzero(~_coded(index, study))
    best, like_of = closest(index.matrix[candidates], excerpt_vectors)
    alike = np.flatnonzero(best >= MIN_SCORE)
    # Most alike first; a stable sort keeps equal scores in passage order.
    ranked = alike[np.argsort(-best[alike], kind="stable")][:limit]
    chosen = [(index.passage(candidates[n]), float(best[n]), excerpts[like_of(n)]) for n in ranked]
    return Comparison(len(excerpts), _suggestions(chosen))


def _coded(index: PassageIndex, study: Study):
    """A bool array over the index's passages: True where a live excerpt (of any code) of
    the study shares a character with the passage (one query)."""
    import numpy as np

    spans = np.array(
        list(
            Excerpt.objects.filter(interview__study=study).values_list(
                "interview_id", "start", "end"
            )
        ),
        dtype=np.int64,
    ).reshape(-1, 3)
    return overlapped(index.interview_ids, index.starts, index.ends, spans)


def overlapped(interview_ids, starts, ends, spans):
    """For passages i, [starts[i], ends[i]) of interview interview_ids[i] (three int64
    arrays of n values, code points), a bool array of n values: True where one of `spans`
    (an int64 array of shape (m, 3): interview id, start, end) shares a character with it.

    A sweep, vectorised: positions are made study-wide (interview id times a length longer
    than any transcript, plus the code point), so that one sorted array holds every
    interview's spans in text order; a passage [s, e) is overlapped when, among the spans
    starting before e, the furthest end lies beyond s. A loop in Python over 20,000
    excerpts for 35,000 passages took 0.2 s.
    """
    import numpy as np

    found = np.zeros(len(interview_ids), dtype=bool)
    if not spans.shape[0] or not found.size:
        return found
    stride = int(max(spans[:, 2].max(), ends.max())) + 1
    span_starts = spans[:, 0] * stride + spans[:, 1]
    order = np.argsort(span_starts, kind="stable")
    # The furthest end so far: an earlier interview's positions all lie below a later
    # interview's first, so the running maximum never carries one's end into the next.
    furthest = np.maximum.accumulate(spans[order, 0] * stride + spans[order, 2])
    base = interview_ids * stride
    before = np.searchsorted(span_starts[order], base + ends, side="left") - 1
    some = before >= 0
    found[some] = furthest[before[some]] > base[some] + starts[some]
    return found


def _suggestions(chosen) -> list[Suggestion]:
    """The chosen passages with their words, taken from the transcripts as they are now."""
    ids = {passage.interview_id for passage, _, _ in chosen}
    interviews = {
        row[0]: row[1:]
        for row in Interview.objects.filter(pk__in=ids).values_list(
            "pk", "text", "version", "respondent__pseudonym"
        )
    }
    suggestions = []
    for passage, score, (like_id, like_text) in chosen:
        text, version, pseudonym = interviews[passage.interview_id]
        suggestions.append(
            Suggestion(
                interview_id=passage.interview_id,
                respondent=pseudonym,
                version=version,
                start=passage.start,
                end=passage.end,
                text=text[passage.start : passage.end],
                score=round(score, 3),
                like_id=like_id,
                like_text=like_text,
            )
        )
    return suggestions
