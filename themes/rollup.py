"""The roll-up of codes into themes: the one computation behind the theme pages, the
committee's summaries and every export, so that their numbers always agree.

Counting rules (also in DESIGN.md and the README):
- A theme that gathers a code gathers its whole branch: the code and all its descendants
  in the codebook (see `gathered_links`).
- A theme gathers its own codes and those of its sub-themes.
- An excerpt counts once per theme, however many of the theme's codes it carries.
- A respondent raised a theme when at least one of their excerpts falls under it; an
  excerpt that holds only the interviewer's words (interviews.turns.interviewer_only)
  falls under its themes but counts for no respondent: not in n, the matrices or the
  spread over the questions.
- N counts the respondents who have a transcript and have not withdrawn; withdrawn
  respondents count nowhere (their rows never reach this module, see selectors.py).

Plain Python does the grouping (pandas did, until a worker's memory counted: issue 9); what
leaves this module is lists and dicts of ints and strings.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import caches
from django.db import transaction

from core.naming import branches, tree_order
from interviews.models import Study
from interviews.revisions import study_revision

from . import selectors
from .models import ReviewStatus

# The words a qualitative report uses for "how many respondents", from the most to the fewest.
# The first rule that holds gives the word; these are shown on the themes page as well.
PREVALENCE_RULES = [
    ("none", "no respondent", lambda n, total: n == 0),
    ("all", "every respondent", lambda n, total: n == total),
    ("one", "a single respondent", lambda n, total: n == 1),
    ("most", "three quarters or more", lambda n, total: 4 * n >= 3 * total),
    ("over half", "more than half", lambda n, total: 2 * n > total),
    ("half", "exactly half", lambda n, total: 2 * n == total),
    ("some", "a quarter or more", lambda n, total: 4 * n >= total),
    ("a few", "fewer than a quarter", lambda n, total: True),
]

NUMBER_WORDS = [
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]


def prevalence_word(n: int, total: int) -> str:
    for word, _, holds in PREVALENCE_RULES:
        if holds(n, total):
            return word
    raise AssertionError("the last rule always holds")


def number_word(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"


@dataclass
class QuestionCount:
    number: int | None  # None: before the first marked question
    excerpts: int
    respondents: int


@dataclass
class ThemeSummary:
    id: int
    name: str
    description: str
    parent_id: int | None
    depth: int
    review_status: str
    code_ids: list[int]  # its own codes, not its sub-themes'
    # every code whose excerpts fall under it: its own codes with their branches, and its
    # sub-themes' (see gathered_links), in codebook order
    gathered_code_ids: list[int] = field(default_factory=list)
    # the sub-codes its own codes bring with them (not attached themselves)
    sub_code_ids: list[int] = field(default_factory=list)
    excerpt_ids: list[int] = field(default_factory=list)
    # those of excerpt_ids that hold only the interviewer's words: counted for no respondent
    interviewer_only_ids: list[int] = field(default_factory=list)
    respondent_ids: list[int] = field(default_factory=list)
    total: int = 0
    by_question: list[QuestionCount] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.respondent_ids)

    @property
    def excerpt_count(self) -> int:
        return len(self.excerpt_ids)

    @property
    def interviewer_only_count(self) -> int:
        """How many of its excerpts hold only the interviewer's words: the pages say so,
        since they are in excerpt_count and in no respondent's count."""
        return len(self.interviewer_only_ids)

    @property
    def word(self) -> str:
        return prevalence_word(self.n, self.total)

    @property
    def label(self) -> str:
        """ "over half (5 of 8)", the form the pages and the findings table use."""
        return f"{self.word} ({self.n} of {self.total})"

    @property
    def review_status_label(self) -> str:
        """ "In review": the status as people read it, not as it is stored."""
        return dict(ReviewStatus.choices).get(self.review_status, self.review_status)


def why_no_answers(*, questions: bool, marked: bool) -> str:
    """Why no excerpt can fall in a protocol question's answer, when the study's data says
    so whatever is coded: "the study has no protocol questions" (not `questions`), or that
    no transcript has them marked (not `marked`); "" when some transcript has them marked.
    Said where a page leaves out what it would show by question."""
    if not questions:
        return "the study has no protocol questions"
    if not marked:
        return (
            "no transcript has its protocol questions marked (each interview's Question "
            "markers page)"
        )
    return ""


def nothing_to_count(*, rows: str, has_rows: bool, has_columns: bool) -> str:
    """Why a matrix of `rows` ("codes" or "themes") has no row (`has_rows` false) or no
    column (`has_columns` false: its columns come from the counted respondents) to count
    in; "" when it has both. Said in place of a table (or a workbook) of one header cell,
    which a new study showed with no reason."""
    if not has_rows:
        return f"the study has no {rows} yet"
    if not has_columns:
        return (
            "no respondent is counted yet (a respondent counts once a transcript of theirs "
            "is imported, unless they withdrew)"
        )
    return ""


@dataclass
class RollUp:
    themes: list[ThemeSummary]  # in tree order
    respondents: list[dict]  # counted respondents, by pseudonym: id, pseudonym, attributes
    questions: list[dict]
    codes: dict[int, dict]
    # excerpts per theme and respondent, in the order of `themes` and `respondents`
    matrix: list[list[int]]
    excerpt_question: dict[int, int | None]
    segments: dict[int, list[tuple[int, int, int]]]  # interview: (start, end, question number)
    # (excerpt ids, theme ids) in excerpt order, each excerpt's themes in tree order
    theme_pairs: tuple[list[int], list[int]] = field(repr=False, default=([], []))
    # every coded excerpt's id, by respondent (in the order of `respondents`), then
    # interview, then position in the text: the order a reader goes through them
    reading_order: list[int] = field(repr=False, default_factory=list)
    # the excerpts that hold only the interviewer's words (see StudyRows)
    interviewer_only: frozenset[int] = frozenset()
    # of those, how many per theme and respondent (whose transcript holds them), as
    # `matrix`: counted for no one, noted in its cells. None in an entry cached before.
    interviewer_matrix: list[list[int]] | None = None

    @cached_property
    def reading_rank(self) -> dict[int, int]:
        return {excerpt_id: rank for rank, excerpt_id in enumerate(self.reading_order)}

    def in_reading_order(self, excerpt_ids) -> list[int]:
        rank = self.reading_rank
        return sorted(excerpt_ids, key=lambda excerpt_id: rank.get(excerpt_id, len(rank)))

    @cached_property
    def excerpt_themes(self) -> dict[int, list[int]]:
        """The themes each excerpt falls under, in tree order (the tables need it)."""
        themes = defaultdict(list)
        for excerpt_id, theme_id in zip(*self.theme_pairs, strict=True):
            themes[excerpt_id].append(theme_id)
        return dict(themes)

    def theme(self, theme_id: int) -> ThemeSummary:
        return next(summary for summary in self.themes if summary.id == theme_id)

    def question_at(self, interview_id: int, position: int) -> int | None:
        """The protocol question whose part of an interview holds `position`."""
        for start, end, number in self.segments.get(interview_id, []):
            if start <= position < end:
                return number
        return None

    @property
    def why_no_answers(self) -> str:
        """Why no excerpt can fall in a protocol question's answer (see why_no_answers)."""
        return why_no_answers(questions=bool(self.questions), marked=any(self.segments.values()))

    @property
    def why_no_matrix(self) -> str:
        """Why the themes by respondent matrix counts nothing (see nothing_to_count): no
        theme, or no counted respondent; "" when it counts."""
        return nothing_to_count(
            rows="themes", has_rows=bool(self.themes), has_columns=bool(self.respondents)
        )

    @property
    def total(self) -> int:
        return len(self.respondents)

    def matrix_rows(self):
        """(summary, its excerpts per respondent, of those per respondent holding only the
        interviewer's words) for each theme."""
        left_out = self.interviewer_matrix or [[0] * len(self.respondents)] * len(self.themes)
        return list(zip(self.themes, self.matrix, left_out, strict=True))


def study_rollup(study: Study) -> RollUp:
    """The study's roll-up, computed once per revision of its coding and then read from the
    "rollup" cache (settings.CACHES).

    The revision is read first, the rows after it: an entry stored under a revision then
    holds that revision's rows or newer ones, never older (a write that commits in
    between bumps the revision, see interviews.revisions). Entries are stored only when the
    transaction that read them commits (at once outside one): rows read inside a
    transaction that rolls back, or that has written and bumped but not committed, never
    reach the cache. One entry per study: a new revision replaces the old one.
    """
    token = study_revision(study.pk)
    key = f"rollup:{study.pk}"
    cache = caches["rollup"]
    cached = cache.get(key)
    if cached is not None and cached[0] == token:
        return cached[1]
    rollup = build_rollup(selectors.study_rows(study))
    transaction.on_commit(lambda: cache.set(key, (token, rollup)))
    return rollup


def build_rollup(rows: selectors.StudyRows) -> RollUp:
    """The roll-up of `rows`, by the counting rules of this module's docstring.

    Plain Python over the codings' tuples: at 200 transcripts and 20,000 excerpts it takes
    about as long as pandas did, and a worker that never imports pandas holds about 40 MB
    less (issue 9: a worker under 160 MB after every page and export).
    """
    summaries = _tree(rows.themes, rows.theme_codes)
    total = len(rows.respondents)
    links = gathered_links(summaries, rows.theme_codes, rows.codes)
    _set_gathered_codes(summaries, links, rows.codes)
    themes_of_code = defaultdict(list)
    for theme_id, code_id in links:
        themes_of_code[code_id].append(theme_id)
    question = _question_of(rows.codings, rows.segments)

    # Each (theme, excerpt) once, however many of the theme's codes the excerpt carries.
    respondent_of = {}
    under = defaultdict(set)  # theme id: its excerpts' ids
    for excerpt_id, code_id, _interview_id, respondent_id, _start in rows.codings:
        respondent_of[excerpt_id] = respondent_id
        for theme_id in themes_of_code.get(code_id, ()):
            under[theme_id].add(excerpt_id)
    # (question, respondent) of each excerpt: a theme's spread over the questions.
    place = {excerpt: (number, respondent_of[excerpt]) for excerpt, number in question.items()}
    alone = rows.interviewer_only

    respondent_ids = [respondent["id"] for respondent in rows.respondents]
    matrix, interviewer_matrix = [], []
    themes_of_excerpt = defaultdict(list)  # in tree order, as `summaries`
    for summary in summaries:
        summary.total = total
        excerpt_ids = sorted(under.get(summary.id, ()))
        # The interviewer's words alone count for no respondent (this module's docstring).
        theirs = [excerpt_id for excerpt_id in excerpt_ids if excerpt_id not in alone]
        per_respondent = Counter(map(respondent_of.__getitem__, theirs))
        matrix.append([per_respondent.get(respondent_id, 0) for respondent_id in respondent_ids])
        asked = Counter(respondent_of[e] for e in excerpt_ids if e in alone)
        interviewer_matrix.append([asked.get(respondent, 0) for respondent in respondent_ids])
        if not excerpt_ids:
            continue
        for excerpt_id in excerpt_ids:
            themes_of_excerpt[excerpt_id].append(summary.id)
        summary.excerpt_ids = excerpt_ids
        summary.interviewer_only_ids = [e for e in excerpt_ids if e in alone]
        summary.respondent_ids = sorted(per_respondent)
        excerpts = Counter(map(question.__getitem__, excerpt_ids))
        respondents = Counter(number for number, _ in set(map(place.__getitem__, theirs)))
        # By question number, the part before the first marked question last.
        summary.by_question = [
            QuestionCount(number, excerpts[number], respondents[number])
            for number in sorted(excerpts, key=lambda number: (number is None, number or 0))
        ]

    in_excerpt_order = sorted(themes_of_excerpt.items())
    return RollUp(
        themes=summaries,
        respondents=rows.respondents,
        questions=sorted(rows.questions, key=lambda q: q["number"]),
        codes={code["id"]: code for code in rows.codes},
        matrix=matrix,
        excerpt_question=question,
        segments=_segments_by_interview(rows.segments),
        theme_pairs=(
            [excerpt_id for excerpt_id, themes in in_excerpt_order for _ in themes],
            [theme_id for _, themes in in_excerpt_order for theme_id in themes],
        ),
        reading_order=_reading_order(rows.codings, respondent_ids),
        interviewer_only=rows.interviewer_only,
        interviewer_matrix=interviewer_matrix,
    )


def gathered_links(
    summaries: list[ThemeSummary], theme_codes: list[tuple[int, int]], codes: list[dict]
) -> list[tuple[int, int]]:
    """Every (theme id, code id) whose excerpts fall under the theme: the rule, once.

    A theme gathers each code attached to it with the code's whole branch (the code and
    all its descendants in the codebook), and a theme gathers what its sub-themes gather.
    An excerpt carrying several of these codes still counts once per theme: the caller
    drops duplicate (theme, excerpt) pairs.
    """
    parent = {summary.id: summary.parent_id for summary in summaries}
    branch = branches((code["id"], code["parent_id"]) for code in codes)
    return sorted(
        {
            (ancestor, code_id)
            for theme_id, attached in theme_codes
            for code_id in branch.get(attached, (attached,))
            for ancestor in _self_and_ancestors(theme_id, parent)
        }
    )


def _set_gathered_codes(summaries, links, codes: list[dict]) -> None:
    ordered = tree_order(codes, id_of=lambda c: c["id"], parent_of=lambda c: c["parent_id"])
    rank = {code["id"]: n for n, (code, _) in enumerate(ordered)}
    by_theme = defaultdict(list)
    for theme_id, code_id in links:
        by_theme[theme_id].append(code_id)
    branch = branches((code["id"], code["parent_id"]) for code in codes)

    def in_codebook_order(code_ids) -> list[int]:
        return sorted(code_ids, key=lambda code_id: rank.get(code_id, len(rank)))

    for summary in summaries:
        summary.gathered_code_ids = in_codebook_order(by_theme.get(summary.id, []))
        own = set(summary.code_ids)
        summary.sub_code_ids = in_codebook_order(
            {sub for code_id in own for sub in branch.get(code_id, ())} - own
        )


def _reading_order(codings: list[tuple], respondent_ids: list[int]) -> list[int]:
    """Every coded excerpt's id, by respondent (in the order of `respondent_ids`; one who is
    not counted, withdrawn say, after everyone who is), interview, start, then id."""
    position = {respondent_id: n for n, respondent_id in enumerate(respondent_ids)}
    last = len(respondent_ids)
    keys = {
        excerpt_id: (position.get(respondent_id, last), interview_id, start, excerpt_id)
        for excerpt_id, _code_id, interview_id, respondent_id, start in codings
    }
    return sorted(keys, key=keys.__getitem__)


def _segments_by_interview(segments: list[dict]) -> dict[int, list[tuple[int, int, int]]]:
    found = defaultdict(list)
    for segment in segments:
        found[segment["interview_id"]].append(
            (segment["start"], segment["end"], segment["number"])
        )
    return dict(found)


def _tree(themes: list[dict], theme_codes: list[tuple[int, int]]) -> list[ThemeSummary]:
    """Themes in tree order (each followed by its sub-themes), with their depth."""
    own_codes = defaultdict(list)
    for theme_id, code_id in theme_codes:
        own_codes[theme_id].append(code_id)
    return [
        ThemeSummary(
            id=theme["id"],
            name=theme["name"],
            description=theme["description"],
            parent_id=theme["parent_id"],
            depth=depth,
            review_status=theme["review_status"],
            code_ids=sorted(own_codes.get(theme["id"], [])),
        )
        for theme, depth in tree_order(
            themes, id_of=lambda t: t["id"], parent_of=lambda t: t["parent_id"]
        )
    ]


def _self_and_ancestors(theme_id: int, parent: dict[int, int | None]):
    seen = set()
    while theme_id is not None and theme_id not in seen:
        seen.add(theme_id)
        yield theme_id
        theme_id = parent.get(theme_id)


def _question_of(codings: list[tuple], segments: list[dict]) -> dict[int, int | None]:
    """{excerpt id: the protocol question whose part of the interview its start falls in},
    None before the first marked question or in a gap between two parts.

    Each excerpt is looked up in the part that starts last at or before it, and counts for
    that question only if it also starts before that part ends (as pandas' merge_asof
    found it before): a question asked twice has two parts, each answer counted once.
    """
    starts_of = defaultdict(list)
    for segment in sorted(segments, key=lambda s: (s["interview_id"], s["start"])):
        starts_of[segment["interview_id"]].append(segment)
    bounds = {
        interview_id: [segment["start"] for segment in found]
        for interview_id, found in starts_of.items()
    }
    question = {}
    for excerpt_id, _code_id, interview_id, _respondent_id, start in codings:
        if excerpt_id in question:
            continue
        found = starts_of.get(interview_id)
        number = None
        if found:
            index = bisect_right(bounds[interview_id], start) - 1
            if index >= 0 and start < found[index]["end"]:
                number = found[index]["number"]
        question[excerpt_id] = number
    return question
