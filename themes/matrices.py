"""Matrices: codes (or themes) down, respondents, protocol questions, an attribute's values
or codes again (co-occurrence) across; excerpts or respondents in the cells.

Each cell counts exactly what the retrieval page shows for the filter it links to (see
retrieval.py, whose rules these are): a code with its branch, a theme with the codes it
gathers, an excerpt's question the part of the interview where it starts, two codes
co-occurring on an excerpt of one when an excerpt of the other shares a character with it
(the same excerpt included). Counted in Python from one read of the study's codings: the
grouping is the same on SQLite and PostgreSQL by construction.

The table is HTML built here, as the themes page's matrix is (themes/matrix.py): two hundred
respondents by a hundred codes is twenty thousand cells, which a template loop renders
several times slower. Every name is escaped.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import numpy as np
from django.utils.safestring import SafeString, mark_safe

from coding.models import Coding, ExcerptStatus
from interviews.models import QuestionSegment

from .grouping import NOT_RECORDED, group_respondents
from .matrix import interviewer_note
from .retrieval import TOGETHER, StudyIndex, revision_cached
from .rollup import nothing_to_count, why_no_answers
from .tables import titled_columns

if TYPE_CHECKING:
    from scipy import sparse

CODES, THEMES = "codes", "themes"
ROW_CHOICES = [(CODES, "Codes"), (THEMES, "Themes")]
RESPONDENT, QUESTION, ATTRIBUTE, CODE = "respondent", "question", "attribute", "code"
BY_CHOICES = [
    (RESPONDENT, "by respondent"),
    (QUESTION, "by protocol question"),
    (ATTRIBUTE, "by an attribute's value"),
    (CODE, "by code (co-occurrence)"),
]
EXCERPTS, RESPONDENTS = "excerpts", "respondents"
COUNT_CHOICES = [(EXCERPTS, "excerpts"), (RESPONDENTS, "respondents")]
# Heat steps: heat-1 (lightest) to heat-5, each a background whose text passes WCAG AA
# (the stylesheet's .heat-N rules; tests/themes/test_matrices.py checks them).
HEAT_STEPS = 5


@dataclass
class Matrix:
    """Counts in the cells; `rows` and `columns` carry each line's label and the retrieval
    filter (query parameters) it stands for."""

    title: str
    corner: str  # the rows' heading: "Code" or "Theme"
    count: str  # EXCERPTS or RESPONDENTS
    rows: list[dict]  # name, depth, params
    columns: list[dict]  # label, title (a longer text or ""), params
    cells: list[list[int]]
    # The excerpts holding only the interviewer's words (Excerpt.interviewer_only) that a
    # cell's link finds but its count leaves out (a column of respondents, or a count of
    # them): the table says so in the cell, so that a cell of such excerpts alone is "0"
    # with its link, not empty. None when no cell leaves any out.
    interviewer: list[list[int]] | None = None
    # By question, when no excerpt can answer one whatever is coded (rollup.why_no_answers),
    # or with no row or column at all (rollup.nothing_to_count): the reason, said in place of a
    # table of empty columns (or of none).
    why_empty: str = ""

    @property
    def heading(self) -> str:
        """What the numbers are, in words, for the page and the file."""
        return f"{self.title}: number of {self.count}"

    @property
    def highest(self) -> int:
        return max((max(row, default=0) for row in self.cells), default=0)


def _rows(index: StudyIndex, rows: str) -> tuple[list[dict], dict[int, list[int]]]:
    """The matrix's rows, and {code id: the rows whose excerpts carry it}."""
    lines, of_code = [], defaultdict(list)
    if rows == THEMES:
        for n, theme in enumerate(index.themes):
            lines.append(
                {"name": theme["name"], "depth": theme["depth"], "params": {"theme": theme["id"]}}
            )
            for code_id in index.theme_codes.get(theme["id"], ()):
                of_code[code_id].append(n)
        return lines, of_code
    for n, code in enumerate(index.codes):
        lines.append(
            {"name": code["name"], "depth": code["depth"], "params": {"code": code["id"]}}
        )
        for code_id in index.code_branch.get(code["id"], {code["id"]}):
            of_code[code_id].append(n)
    return lines, of_code


@dataclass
class _Coded:
    """The live excerpts of counted respondents that carry a code, as int64 arrays:
    position n is excerpt `ids[n]`, of interview `interview[n]`, [start[n], end[n]) in code
    points; coding k puts code `coding_code[k]` on the excerpt at position
    `coding_excerpt[k]`.

    Arrays, not lists: the entry is kept in Django's cache, which pickles it, and NumPy
    builds them from the rows without a loop in Python per coding."""

    ids: np.ndarray
    interview: np.ndarray
    start: np.ndarray
    end: np.ndarray
    coding_excerpt: np.ndarray
    coding_code: np.ndarray
    # Whether each excerpt holds only the interviewer's words (Excerpt.interviewer_only):
    # such an excerpt counts for no respondent. None in an entry cached before it was kept.
    interviewer_only: np.ndarray | None = None


def _excerpts(index: StudyIndex) -> _Coded:
    """The study's coded excerpts (one query), in the order of their ids."""
    rows = (
        Coding.objects.filter(
            interview_id__in=list(index.respondent_of), excerpt__deleted_at__isnull=True
        )
        .exclude(excerpt__status=ExcerptStatus.ORPHANED)
        .values_list(
            "excerpt_id",
            "code_id",
            "interview_id",
            "excerpt__start",
            "excerpt__end",
            "excerpt__interviewer_only",
        )
    )
    table = np.array(list(rows), dtype=np.int64).reshape(-1, 6)
    ids, first, at = np.unique(table[:, 0], return_index=True, return_inverse=True)
    return _Coded(
        ids=ids,
        interview=table[first, 2],
        start=table[first, 3],
        end=table[first, 4],
        coding_excerpt=at.reshape(-1),
        coding_code=table[:, 1],
        interviewer_only=table[first, 5].astype(bool),
    )


def _incidence(coded: _Coded, of_code: dict[int, list[int]], rows: int) -> sparse.csr_matrix:
    """A 0/1 matrix, excerpts by rows: 1 where the excerpt falls under the row."""
    codes = {code_id: k for k, code_id in enumerate(of_code)}
    gathers = _ones(
        [codes[code_id] for code_id, lines in of_code.items() for _ in lines],
        [line for lines in of_code.values() for line in lines],
        (len(codes), rows),
    )
    # Each coding's code as a column of `gathers` (-1 for a code no row gathers), looked
    # up once per code of the study, not once per coding.
    used, at = np.unique(coded.coding_code, return_inverse=True)
    column = np.array([codes.get(int(code_id), -1) for code_id in used], dtype=np.int64)
    column = column[at.reshape(-1)] if used.size else column
    kept = column >= 0
    carries = _ones(coded.coding_excerpt[kept], column[kept], (len(coded.ids), len(codes)))
    return _binary(carries @ gathers)


def _ones(rows, columns, shape) -> sparse.csr_matrix:
    # SciPy is imported here, not at start-up: only the matrices need it, and a worker
    # that never shows one need not hold it (tests/test_worker_memory.py).
    from scipy import sparse

    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix(
        (data, (np.asarray(rows, dtype=np.int64), np.asarray(columns, dtype=np.int64))),
        shape=shape,
    )


def _binary(matrix) -> sparse.csr_matrix:
    """1 where `matrix` is not 0 (sums of duplicate entries included)."""
    from scipy import sparse

    matrix = sparse.csr_matrix(matrix)
    matrix.data = (matrix.data > 0).astype(np.float32)
    matrix.eliminate_zeros()
    return matrix


def _question_finder(index: StudyIndex):
    """(A function (interview id, position) -> the ProtocolQuestion id of the part holding
    it, the latest-starting one (as retrieval.question_of) or None; whether any transcript
    has a question marked). One query."""
    parts = defaultdict(list)
    for interview_id, start, end, question_id in (
        QuestionSegment.objects.filter(interview__study=index.study)
        .order_by("start")
        .values_list("interview_id", "start", "end", "question_id")
    ):
        parts[interview_id].append((start, end, question_id))
    starts = {interview_id: [p[0] for p in found] for interview_id, found in parts.items()}

    def question(interview_id: int, position: int) -> int | None:
        found = parts.get(interview_id, [])
        n = bisect_right(starts.get(interview_id, []), position)
        for start, end, question_id in reversed(found[:n]):
            if start <= position < end:
                return question_id
        return None

    return question, bool(parts)


def _per_interview(interviews: np.ndarray, value) -> np.ndarray:
    """`value(interview id)` (an int, -1 for none) for each of `interviews`, an int64
    array: computed once per interview, not once per excerpt."""
    unique, at = np.unique(interviews, return_inverse=True)
    values = np.array([value(int(i)) for i in unique], dtype=np.int64)
    return values[at.reshape(-1)] if unique.size else values


def _columns(index: StudyIndex, by: str, attribute: str, coded: _Coded):
    """(columns, each coded excerpt's column: an int64 array, -1 for none, why no excerpt
    can fall in any column or "": see Matrix.why_empty)."""
    if by == RESPONDENT:
        place = {r["id"]: n for n, r in enumerate(index.respondents)}
        columns = [
            {"label": r["pseudonym"], "title": "", "params": {"respondent": r["id"]}}
            for r in index.respondents
        ]
        return (
            columns,
            _per_interview(coded.interview, lambda i: place.get(index.respondent_of[i], -1)),
            "",
        )
    if by == QUESTION:
        place = {q["id"]: n for n, q in enumerate(index.questions)}
        columns = [
            {"label": f"Q{q['number']}", "title": q["text"], "params": {"question": q["id"]}}
            for q in index.questions
        ]
        question, marked = _question_finder(index)
        found = [
            place.get(question(i, s), -1)
            for i, s in zip(coded.interview.tolist(), coded.start.tolist(), strict=True)
        ]
        why = why_no_answers(questions=bool(index.questions), marked=marked)
        return columns, np.array(found, dtype=np.int64), why
    # An attribute's values, grouped as every summary by an attribute groups them
    # (grouping.group_respondents: case-blind, as the retrieval filter matches them);
    # respondents without a value make a "not recorded" group, last, so that the groups add
    # up to every counted respondent. Each column's heading gives its group's size (n).
    groups = group_respondents(
        ((r["id"], r["attributes"].get(attribute)) for r in index.respondents),
        number=index.attribute_type(attribute) == "number",
    )
    place = {member: n for n, group in enumerate(groups) for member in group.members}
    columns = [
        {
            "label": f"{group.label} (n = {len(group.members)})",
            "title": f"{_respondents(len(group.members))} whose {attribute} is "
            + ("not recorded" if group.key == NOT_RECORDED else group.label),
            "params": {"attribute": attribute, "value": group.label},
        }
        for group in groups
    ]
    return (
        columns,
        _per_interview(coded.interview, lambda i: place.get(index.respondent_of[i], -1)),
        "",
    )


def _respondents(n: int) -> str:
    return f"{n} respondent{'' if n == 1 else 's'}"


def build(index: StudyIndex, *, rows: str, by: str, count: str, attribute: str = "") -> Matrix:
    """The matrix of `rows` (CODES or THEMES) `by` RESPONDENT, QUESTION, ATTRIBUTE (the
    values of `attribute`) or CODE (co-occurrence; rows are then codes), counting
    EXCERPTS or RESPONDENTS. One query, two for questions; ValueError for a co-occurrence
    of themes.

    Counted with sparse matrices (SciPy), excerpts by rows: a Python loop over every pair
    of an excerpt's rows took seconds for co-occurrence at 20,000 excerpts.
    """
    if by == CODE and rows != CODES:
        raise ValueError("Co-occurrence is counted between codes.")
    lines, of_code = _rows(index, rows)
    # The study's codings, the biggest read, once per revision of the study.
    coded = revision_cached(index.study, "matrix_codings", lambda: _excerpts(index))
    under = _incidence(coded, of_code, len(lines))
    respondent_ids = [r["id"] for r in index.respondents]
    place = {respondent_id: n for n, respondent_id in enumerate(respondent_ids)}
    respondent = _per_interview(coded.interview, lambda i: place[index.respondent_of[i]])
    alone = coded.interviewer_only
    if alone is None:
        alone = np.zeros(len(coded.ids), dtype=bool)
    if count == RESPONDENTS:
        # The interviewer's words alone count for no respondent (themes.rollup): past the
        # last respondent, they fall in no respondent's count.
        respondent = np.where(alone, len(respondent_ids), respondent)
    left_out = None
    if by == CODE:
        columns = [
            {"label": line["name"], "title": "", "params": {"code": line["params"]["code"]}}
            for line in lines
        ]
        around = _around(coded, under)
        if count == EXCERPTS:
            cells = _crossed(under, around)
        else:
            cells = _cooccurring_respondents(under, around, respondent, len(respondent_ids))
            mine = np.flatnonzero(alone)
            left_out = _crossed(under[mine], around[mine])
        why_empty = ""
        title = "Codes by code (co-occurrence)"
    else:
        columns, column, why_empty = _columns(index, by, attribute, coded)
        if by in (RESPONDENT, ATTRIBUTE) or count == RESPONDENTS:
            # A column of respondents, or a count of them: no respondent's words.
            left_out = _spread(
                under, np.where(alone, column, -1), respondent, len(columns), 0, EXCERPTS
            )
            column = np.where(alone, -1, column)
        cells = _spread(under, column, respondent, len(columns), len(respondent_ids), count)
        title = f"{dict(ROW_CHOICES)[rows]} {dict(BY_CHOICES)[by]}"
        if by == ATTRIBUTE:
            title += f" ({attribute})"
    return Matrix(
        title=title,
        corner="Code" if rows == CODES else "Theme",
        count=count,
        rows=lines,
        columns=columns,
        cells=_integers(cells, lines),
        interviewer=_integers(left_out, lines) if left_out is not None and alone.any() else None,
        why_empty=why_empty
        or nothing_to_count(rows=rows, has_rows=bool(lines), has_columns=bool(columns)),
    )


def _integers(counts, lines: list[dict]) -> list[list[int]]:
    return np.rint(counts).astype(int).tolist() if len(lines) else []


def _spread(under, column, respondent, columns: int, respondents: int, count: str):
    """Rows by columns: the excerpts (or their respondents) under each row in each column."""
    placed = np.flatnonzero(column >= 0)
    if count == EXCERPTS:
        keys, width = column[placed], columns
    else:
        keys, width = column[placed] * respondents + respondent[placed], columns * respondents
    chosen = _ones(placed, keys, (under.shape[0], width))
    found = (under.T @ chosen).toarray()
    if count == EXCERPTS:
        return found
    # A respondent counts once in a cell however many of their excerpts are in it.
    return (found > 0).reshape(under.shape[1], columns, respondents).sum(axis=2)


def _around(coded: _Coded, under) -> sparse.csr_matrix:
    """Excerpts by rows: 1 where the excerpt, or an excerpt overlapping it, is under the
    row."""
    a, b = _overlapping_pairs(coded)
    first, second = np.concatenate([a, b]), np.concatenate([b, a])
    size = len(coded.ids)
    near = _binary(_ones(first, second, (size, size)) @ under)  # rows of overlapping others
    return _binary(under + near)  # the excerpt's rows and theirs


def _crossed(under, around) -> np.ndarray:
    """Rows by rows: the excerpts (of `under`'s) carrying one code that an excerpt
    carrying the other overlaps (itself included)."""
    # e counts in (a, b) when it is under a and b is around it, or the reverse; as
    # `under` lies within `around`, the two overlap exactly where e is under both.
    crossed = (under.T @ around).toarray()
    return crossed + crossed.T - (under.T @ under).toarray()


def _cooccurring_respondents(under, around, respondent, respondents: int) -> np.ndarray:
    """Rows by rows: the respondents of the excerpts _crossed counts."""
    total = np.zeros((under.shape[1], under.shape[1]))
    order = np.argsort(respondent, kind="stable")
    bounds = np.searchsorted(respondent[order], np.arange(respondents + 1))
    for r in range(respondents):
        mine = order[bounds[r] : bounds[r + 1]]
        if len(mine):
            found = (under[mine].T @ around[mine]).toarray() > 0
            total += found | found.T
    return total


def _overlapping_pairs(coded: _Coded) -> tuple[np.ndarray, np.ndarray]:
    """(a, b), two int64 arrays of positions in `coded`: every two excerpts of one
    interview that share a character, each pair once.

    A sweep, vectorised: the excerpts in text order (by interview, start, end), each
    paired with those after it that start before it ends. Positions are made study-wide
    (interview id times a length longer than any transcript, plus the code point), so that
    one sorted array holds every interview and no pair crosses two. The same sweep as a
    loop in Python took a third of a co-occurrence matrix's time at 20,000 excerpts.
    """
    if not len(coded.ids):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.lexsort((coded.end, coded.start, coded.interview))
    stride = int(coded.end.max()) + 1
    base = coded.interview[order] * stride
    starts, ends = base + coded.start[order], base + coded.end[order]
    # Those after position k that start before excerpt k ends: k + 1 up to `stop`.
    here = np.arange(len(order))
    stop = np.searchsorted(starts, ends, side="left")
    counts = np.maximum(stop - here - 1, 0)
    first = np.repeat(here, counts)
    # The n-th pair of excerpt k is with the excerpt at k + 1 + n.
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return order[first], order[first + 1 + offsets]


def cell_query(matrix: Matrix, row: int, column: int, by: str) -> str:
    """The retrieval page's query string for one cell of `matrix`."""
    return _cell_queries(matrix, by)(row, column)


def _cell_queries(matrix: Matrix, by: str):
    """A function (row, column) -> the cell's query string, each row's and column's part
    encoded once: urlencode joins its pairs with "&", so the parts joined the same way
    are what it gives for the whole. Encoding each cell's pairs anew took most of the
    time of a matrix of 60 codes by 200 respondents."""
    rows = [urlencode(list(line["params"].items())) for line in matrix.rows]
    columns = [urlencode(list(column["params"].items())) for column in matrix.columns]
    match = "&" + urlencode([("match", TOGETHER)]) if by == CODE else ""
    return lambda row, column: f"{rows[row]}&{columns[column]}{match}"


def heat(value: int, highest: int) -> int:
    """The heat step (0 for an empty cell, else 1 to HEAT_STEPS) of `value`."""
    if value <= 0 or highest <= 0:
        return 0
    return max(1, math.ceil(HEAT_STEPS * value / highest))


def render(
    matrix: Matrix, *, by: str, retrieve_url: str, labelled_by: str = "matrix-title"
) -> SafeString:
    """The matrix as an HTML table: each non-empty cell a link to its excerpts on the
    retrieval page at `retrieve_url`, coloured by its heat step, with how many of them
    hold only the interviewer's words and are not counted (interviewer_note); then the key of its
    columns' longer texts (_key). Its name is the page's
    heading of it, the element of id `labelled_by` (aria-labelledby): a caption of the
    same words showed them twice."""
    highest = matrix.highest
    head = "".join(
        f'<th scope="col" class="num">{escape(column["label"])}</th>' for column in matrix.columns
    )
    body = []
    query = _cell_queries(matrix, by)
    left_out = matrix.interviewer or [[0] * len(matrix.columns)] * len(matrix.rows)
    for r, (line, counts) in enumerate(zip(matrix.rows, matrix.cells, strict=True)):
        cells = "".join(
            f'<td class="num heat-{heat(value, highest)}"><a href="{retrieve_url}?'
            f'{escape(query(r, c))}">{value}{interviewer_note(alone)}</a></td>'
            if value or alone
            else '<td class="num"></td>'
            for c, (value, alone) in enumerate(zip(counts, left_out[r], strict=True))
        )
        body.append(
            f'<tr><th scope="row" class="depth-{line["depth"]}">{escape(line["name"])}</th>'
            f"{cells}</tr>"
        )
    return mark_safe(
        f'<table class="grid matrix-table heat-table" aria-labelledby="{escape(labelled_by)}">'
        f'<thead><tr><th scope="col">{matrix.corner}</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{_key(matrix)}"
    )


def _key(matrix: Matrix) -> str:
    """The columns' longer texts (a question's words, who an attribute's group holds) under
    the table, as a list of label and text: shown, not in a tooltip (title=) that keyboard
    and touch users never see. "" when no column has one."""
    entries = "".join(
        f"<dt>{escape(column['label'])}</dt><dd>{escape(column['title'])}</dd>"
        for column in matrix.columns
        if column["title"]
    )
    return f'<dl class="legend matrix-key">{entries}</dl>' if entries else ""


def table(matrix: Matrix) -> tuple[list[str], list[list]]:
    """(column titles, rows) of `matrix` for a spreadsheet: names indented by depth."""
    rows = [
        ["    " * line["depth"] + line["name"], *counts]
        for line, counts in zip(matrix.rows, matrix.cells, strict=True)
    ]
    labels = [column["label"] for column in matrix.columns]
    return [matrix.corner, *titled_columns(labels, "column", [matrix.corner])], rows
