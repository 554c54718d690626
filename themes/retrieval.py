"""Retrieving excerpts: the filter behind the retrieval page, its matrices' links and its
exports, so that a number in a matrix and the excerpts behind it always agree.

What counts is what counts everywhere (DESIGN.md): live excerpts (not deleted, not left
without words by an edit) of respondents who have not withdrawn. A code includes its
branch (the code and every sub-code), a theme the codes it gathers (rollup.gathered_links).

The filter runs as one SQL query (indexes on codings do the work); only the words filter
and the ordering are done in Python, because SQLite and PostgreSQL disagree on case-folding
outside ASCII and on collation, and the results must be the same on both.
"""

from __future__ import annotations

import hashlib
import operator
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, reduce
from typing import TypeVar

from django.core.cache import caches
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from coding.models import Code, Coding, Excerpt, ExcerptStatus
from core.naming import branches, order_key, tree_order
from interviews.models import Interview, ProtocolQuestion, QuestionSegment, Study

from . import sql
from .grouping import NOT_RECORDED, group_key
from .models import Theme
from .review import attribution
from .rollup import gathered_links, why_no_answers
from .tables import (
    coder_names,
    excerpt_columns,
    excerpt_row,
    excerpts_workbook,
    interview_labels,
    rows_csv,
    without_question_column,
)

T = TypeVar("T")

# Characters of the transcript shown on each side of an excerpt in a result.
CONTEXT_CHARS = 120

# What a result, on the page or in a file, shows of each excerpt.
ROW_FIELDS = (
    "id",
    "interview_id",
    "start",
    "end",
    "text",
    "memo",
    "created_at",
    "question_id",
    "interviewer_only",
)

ANY, ALL, TOGETHER = "any", "all", "together"
MATCH_CHOICES = [
    (ANY, "any of these codes"),
    (ALL, "all of these codes"),
    (TOGETHER, "these codes on overlapping text (co-occurring)"),
]


@dataclass(frozen=True)
class AttributeCondition:
    """What one respondent attribute must hold: a value (matched as grouping.group_key groups
    it, case-blind), a range of numbers (inclusive), or both; neither means only that the
    attribute is recorded."""

    attribute: str
    value: str = ""
    at_least: float | None = None
    at_most: float | None = None


# What "Coded by" selects, in the words of the retrieval page's help text: who applied a
# code (Coding.coder), as the methods appendix counts coders since 61ba190, so that an
# intercoder check ("what did Cody code under Support?") finds the codes Cody added to
# excerpts Olive made, and not Olive's codes on an excerpt Cody made.
CODER_RULE = (
    "Finds the excerpts to which one of these coders applied a code, whoever made the "
    "excerpt. With codes or themes chosen too, only the codes these coders applied count: "
    "an excerpt is found when they applied one of the chosen codes (with “all of these "
    "codes”, every one of them)."
)

# What "Coded from" and "to" select, in the words of the page's help text: the day a code
# was applied (Coding.created_at), by the coder rule, not the day the excerpt was made: a
# second coder's codes added today to an excerpt made last month are "coded today".
CODED_RULE = (
    "Finds the excerpts to which a code was applied on these days, whenever the excerpt "
    "was made. With codes or themes chosen, only those codes count; with coders chosen, "
    "only the codes they applied."
)


@dataclass(frozen=True)
class Filter:
    """What the researcher asked for; empty fields filter nothing. Ids are the study's.

    `coders` selects by who applied a code (Coding.coder), never by who made the excerpt
    (CODER_RULE): alone, an excerpt carrying a code one of them applied; with `codes` or
    `themes`, each code condition counts only the codings one of them applied (with `match`
    ALL, every chosen code applied by one of them; TOGETHER, the overlapping excerpts'
    codes too). An excerpt whose codes were all removed has no coder and is not found.

    `coded_from` and `coded_to` (inclusive days, in the app's time zone) select by when a
    code was applied (Coding.created_at, CODED_RULE), never by when the excerpt was made:
    an excerpt is found when one of its codings was made on those days, of one of the
    chosen codes (branches included) or themes' codes when there are any (whatever
    `match`), by one of `coders` when there are any. An excerpt without codes is not found."""

    codes: tuple[int, ...] = ()
    match: str = ANY
    themes: tuple[int, ...] = ()
    respondents: tuple[int, ...] = ()
    # Every condition must hold ("years of experience at least 3" and "agency type county").
    attributes: tuple[AttributeCondition, ...] = ()
    questions: tuple[int, ...] = ()  # ProtocolQuestion ids
    coders: tuple[int, ...] = ()  # user ids
    coded_from: date | None = None
    coded_to: date | None = None
    memo: str = ""  # "with", "without" or "" (either)
    words: str = ""
    # Only excerpts whose words an edit or a de-identification of their transcript changed,
    # waiting for a coder to check them.
    review: bool = False


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None


@dataclass
class StudyIndex:
    """What filtering needs to know of a study, read in six queries: codes, themes and the
    codes they gather, counted interviews with their respondents, questions, coders."""

    study: Study
    codes: list[dict]  # id, name, colour, parent_id, depth: in codebook (tree) order
    themes: list[dict]  # id, name, parent_id, depth: in tree order
    theme_codes: dict[int, set[int]]  # theme id: every code it gathers (branches included)
    # counted interviews (respondent not withdrawn), in reading order: id, respondent_id,
    # pseudonym, attributes
    interviews: list[dict]
    questions: list[dict]  # id, number, text: by number
    # id, username, member (bool): the study's members and everyone who made one of its
    # excerpts, former members included; by username
    coders: list[dict]

    @cached_property
    def code_branch(self) -> dict[int, set[int]]:
        return branches((code["id"], code["parent_id"]) for code in self.codes)

    @cached_property
    def code_by_id(self) -> dict[int, dict]:
        return {code["id"]: code for code in self.codes}

    @cached_property
    def code_rank(self) -> dict[int, int]:
        return {code["id"]: n for n, code in enumerate(self.codes)}

    @cached_property
    def respondents(self) -> list[dict]:
        """Counted respondents with a transcript, in reading order: id, pseudonym, attributes."""
        found: dict[int, dict] = {}
        for interview in self.interviews:
            found.setdefault(
                interview["respondent_id"],
                {
                    "id": interview["respondent_id"],
                    "pseudonym": interview["pseudonym"],
                    "attributes": interview["attributes"] or {},
                },
            )
        return list(found.values())

    @cached_property
    def respondent_of(self) -> dict[int, int]:
        return {interview["id"]: interview["respondent_id"] for interview in self.interviews}

    @cached_property
    def interview_rank(self) -> dict[int, int]:
        return {interview["id"]: n for n, interview in enumerate(self.interviews)}

    def attribute_type(self, name: str) -> str | None:
        for attribute in self.study.attribute_schema:
            if attribute["name"] == name:
                return attribute["type"]
        return None


def study_index(study: Study) -> StudyIndex:
    """The StudyIndex of `study`, the Study row as read in this request (its revision
    names the cached entry): six queries, one when this revision's entry is cached.

    Everything but the coders is read once per revision of the study (revision_cached).
    The coders are read every time: memberships are not under the revision.
    """
    parts = revision_cached(study, "study_index", lambda: _index_parts(study))
    # Everyone who coded here, members or not: a coder who has left the study still made
    # excerpts that count, and the researcher must be able to single them out.
    coders = sql.study_coders(study.pk)
    return StudyIndex(study=study, coders=coders, **parts)


def revision_cached(
    study: Study, name: str, compute: Callable[[], T], *, using: str = "default"
) -> T:
    """`compute()`, read from Django's cache `using` while the study's revision has not
    moved (interviews.revisions: every write to codes, codings, excerpts, themes,
    interviews, respondents and questions moves it on); `study` is the row as read in this
    request.

    As for the roll-up: the study's row was read before `compute` reads, so an entry
    holds that revision's rows or newer ones, never older; it is stored only when the
    transaction that read it commits. `name` tells the entries of one study apart.
    """
    store = caches[using]
    key = f"{name}:{study.pk}"
    # The creation time too: SQLite gives a deleted study's id to the next one.
    token = (study.revision, study.created_at.isoformat())
    cached = store.get(key)
    if cached is not None and cached[0] == token:
        return cached[1]
    value = compute()
    transaction.on_commit(lambda: store.set(key, (token, value)))
    return value


def _index_parts(study: Study) -> dict:
    """The fields of a StudyIndex but the study and its coders (five queries)."""
    codes = list(
        Code.objects.filter(study=study)
        .order_by("order", "name")
        .values("id", "name", "colour", "parent_id")
    )
    themes = list(
        Theme.objects.filter(study=study)
        .order_by("order", "name")
        .values("id", "name", "parent_id")
    )
    attached = list(
        Theme.codes.through.objects.filter(theme__study=study).values_list("theme_id", "code_id")
    )
    interviews = list(
        Interview.objects.filter(study=study, respondent__withdrawn_at__isnull=True).values(
            "id",
            "respondent_id",
            "conducted_on",
            pseudonym=F("respondent__pseudonym"),
            attributes=F("respondent__attributes"),
        )
    )
    # Sorted here rather than by the database: collations differ between SQLite and
    # PostgreSQL, and the order of results must not. The respondents' order is the one of
    # every page (core.naming.order_key, as Respondent's default ordering).
    interviews.sort(
        key=lambda i: (
            order_key(i["pseudonym"]),
            i["respondent_id"],
            i["conducted_on"] or date.min,
            i["id"],
        )
    )
    questions = list(
        ProtocolQuestion.objects.filter(study=study)
        .order_by("number")
        .values("id", "number", "text")
    )
    ordered = tree_order(codes, id_of=lambda c: c["id"], parent_of=lambda c: c["parent_id"])
    for code, depth in ordered:
        code["depth"] = depth
    tree = tree_order(themes, id_of=lambda t: t["id"], parent_of=lambda t: t["parent_id"])
    for theme, depth in tree:
        theme["depth"] = depth
    summaries = [_ThemeNode(theme["id"], theme["parent_id"]) for theme, _ in tree]
    gathered: dict[int, set[int]] = defaultdict(set)
    for theme_id, code_id in gathered_links(summaries, attached, codes):
        gathered[theme_id].add(code_id)
    return {
        "codes": [code for code, _ in ordered],
        "themes": [theme for theme, _ in tree],
        "theme_codes": dict(gathered),
        "interviews": interviews,
        "questions": questions,
    }


@dataclass(frozen=True)
class _ThemeNode:
    """The two fields of a theme that rollup.gathered_links reads."""

    id: int
    parent_id: int | None


def _carrying(
    code_ids: set[int] | None,
    coders: tuple[int, ...] = (),
    *,
    coded_from: date | None = None,
    coded_to: date | None = None,
) -> Q:
    """Excerpts carrying one of `code_ids` (any code when None), applied by one of
    `coders` (user ids) when there are any, on a day from `coded_from` to `coded_to`
    (inclusive, in the app's time zone) when given: who applied a code and when is the
    Coding's coder and created_at, as the methods appendix counts coders
    (themes.appendix), not who made the excerpt and when."""
    codings = Coding.objects.all()
    if code_ids is not None:
        codings = codings.filter(code_id__in=code_ids)
    if coders:
        codings = codings.filter(coder_id__in=coders)
    if coded_from:
        codings = codings.filter(created_at__date__gte=coded_from)
    if coded_to:
        codings = codings.filter(created_at__date__lte=coded_to)
    return Q(id__in=codings.values("excerpt_id"))


def _overlapping(code_ids: set[int], coders: tuple[int, ...] = ()) -> Exists:
    """A live excerpt of the same interview carrying one of `code_ids` (applied by one of
    `coders` when there are any) shares at least one character with the outer excerpt
    (the outer excerpt itself included)."""
    codings = Coding.objects.filter(
        code_id__in=code_ids,
        interview_id=OuterRef("interview_id"),
        excerpt__start__lt=OuterRef("end"),
        excerpt__end__gt=OuterRef("start"),
        excerpt__deleted_at__isnull=True,
    ).exclude(excerpt__status=ExcerptStatus.ORPHANED)
    if coders:
        codings = codings.filter(coder_id__in=coders)
    return Exists(codings)


def _code_condition(
    index: StudyIndex, codes: tuple[int, ...], match: str, coders: tuple[int, ...] = ()
) -> Q:
    sets = [index.code_branch.get(code_id, {code_id}) for code_id in dict.fromkeys(codes)]
    if match == ALL:
        condition = Q()
        for code_ids in sets:
            condition &= _carrying(code_ids, coders)
        return condition
    if match == TOGETHER and len(sets) > 1:
        # An excerpt carrying one of the codes, that every other code's excerpts overlap.
        either = []
        for n, code_ids in enumerate(sets):
            mine = _carrying(code_ids, coders)
            for other in sets[:n] + sets[n + 1 :]:
                mine &= Q(_overlapping(other, coders))
            either.append(mine)
        return reduce(operator.or_, either)
    return _carrying(set().union(*sets), coders)


def _chosen_codes(index: StudyIndex, flt: Filter) -> set[int] | None:
    """Every code the filter's codes (with their branches) and themes name; None when it
    names none."""
    if not (flt.codes or flt.themes):
        return None
    return set().union(
        *(index.code_branch.get(code_id, {code_id}) for code_id in flt.codes),
        *(index.theme_codes.get(theme_id, set()) for theme_id in flt.themes),
    )


def question_of() -> Subquery:
    """The ProtocolQuestion id of the part of the interview an excerpt starts in."""
    return Subquery(
        QuestionSegment.objects.filter(
            interview_id=OuterRef("interview_id"),
            start__lte=OuterRef("start"),
            end__gt=OuterRef("start"),
        )
        .order_by("-start")
        .values("question_id")[:1]
    )


def _interview_ids(index: StudyIndex, flt: Filter) -> list[int]:
    respondents = {respondent["id"]: respondent for respondent in index.respondents}
    wanted = set(flt.respondents) if flt.respondents else set(respondents)
    wanted = {
        respondent_id
        for respondent_id in wanted
        if respondent_id in respondents
        and all(
            _attribute_holds(respondents[respondent_id]["attributes"].get(c.attribute), c)
            for c in flt.attributes
        )
    }
    return [i["id"] for i in index.interviews if i["respondent_id"] in wanted]


def _attribute_holds(value, condition: AttributeCondition) -> bool:
    # Matched as the summaries by an attribute group values (grouping.group_key), so that
    # a matrix's or chart's group opens exactly its respondents' excerpts.
    if condition.value.strip() and group_key(condition.value) == NOT_RECORDED:
        # The "not recorded" group; a range cannot hold then.
        missing = group_key(value) == NOT_RECORDED
        return missing and condition.at_least is None and condition.at_most is None
    if group_key(value) == NOT_RECORDED:
        return False
    if condition.value and group_key(value) != group_key(condition.value):
        return False
    low, high = condition.at_least, condition.at_most
    if low is not None or high is not None:
        number = _number(value)
        if number is None:
            return False
        if low is not None and number < low:
            return False
        if high is not None and number > high:
            return False
    return True


def matching(index: StudyIndex, flt: Filter) -> QuerySet:
    """The excerpts `flt` selects, all but its words (see words_match): a queryset of
    Excerpt, not ordered. Raises nothing; an impossible filter selects nothing."""
    excerpts = Excerpt.objects.filter(interview_id__in=_interview_ids(index, flt)).exclude(
        status=ExcerptStatus.ORPHANED
    )
    # "Coded by" narrows which codes count: with codes or themes chosen, only the codings
    # the chosen coders applied; alone, any code they applied (CODER_RULE).
    if flt.codes:
        excerpts = excerpts.filter(_code_condition(index, flt.codes, flt.match, flt.coders))
    if flt.themes:
        gathered = set().union(*(index.theme_codes.get(t, set()) for t in flt.themes))
        excerpts = excerpts.filter(_carrying(gathered, flt.coders))
    if flt.coders and not (flt.codes or flt.themes):
        excerpts = excerpts.filter(_carrying(None, flt.coders))
    if flt.questions:
        excerpts = excerpts.annotate(question_id=question_of()).filter(
            question_id__in=flt.questions
        )
    if flt.coded_from or flt.coded_to:
        # When a code was applied, by the same rule (CODED_RULE): one coding of the chosen
        # codes (any when none), applied by a chosen coder (any when none), on those days.
        excerpts = excerpts.filter(
            _carrying(
                _chosen_codes(index, flt),
                flt.coders,
                coded_from=flt.coded_from,
                coded_to=flt.coded_to,
            )
        )
    if flt.memo == "with":
        excerpts = excerpts.exclude(memo="")
    elif flt.memo == "without":
        excerpts = excerpts.filter(memo="")
    if flt.review:
        excerpts = excerpts.filter(status=ExcerptStatus.CHANGED)
    return excerpts


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def words_match(text: str, words: str) -> bool:
    """Whether every word of `words` occurs in `text`, whatever the case (a "quoted phrase"
    counts as one word)."""
    folded = _fold(text)
    return all(_fold(word) in folded for word in split_words(words))


def split_words(words: str) -> list[str]:
    return [a or b for a, b in re.findall(r'"([^"]+)"|(\S+)', words) if (a or b).strip()]


@dataclass
class Result:
    """The excerpts a filter selects, in reading order (respondent, interview, position).

    `respondent_ids` are the respondents they count for: an excerpt of the interviewer's
    words alone (Excerpt.interviewer_only) counts for none (README, counting rules), as in
    the roll-up and the matrices; `interviewer_only` says how many such excerpts `ids`
    holds, and `interview_ids` counts their interviews too (that is where they are found)."""

    ids: list[int]
    interview_ids: set[int] = field(default_factory=set)
    respondent_ids: set[int] = field(default_factory=set)
    interviewer_only: int = 0


def retrieve(index: StudyIndex, flt: Filter) -> Result:
    """Every excerpt `flt` selects (one query), with the interviews they come from and the
    respondents they count for (Result)."""
    fields = ["id", "interview_id", "start", "end", "interviewer_only"]
    # Unordered (Excerpt's Meta orders by position): the rows are sorted below.
    rows = matching(index, flt).order_by().values_list(*fields, *(["text"] if flt.words else []))
    if flt.words:
        rows = [row[:5] for row in rows if words_match(row[5], flt.words)]
    rank = index.interview_rank
    ordered = sorted(rows, key=lambda row: (rank[row[1]], row[2], row[3], row[0]))
    interviewers = sum(1 for row in ordered if row[4])
    return Result(
        ids=[row[0] for row in ordered],
        interview_ids={row[1] for row in ordered},
        respondent_ids={index.respondent_of[row[1]] for row in ordered if not row[4]},
        interviewer_only=interviewers,
    )


def cached_result(index: StudyIndex, flt: Filter) -> Result:
    """retrieve(index, flt), computed once per revision of the study and filter (the
    "retrieval" cache, revision_cached): the pages after the first read a slice of it,
    and its counts are counted once. One query when not cached, none when cached.

    The result depends on nothing outside the revision: the filter names codes, themes,
    respondents, questions and coders by id, and excerpts, codings, codes, themes,
    respondents (withdrawal included) and question sections all move the revision.
    """
    # A digest, not the filter itself: a key must be short and plain for every backend.
    digest = hashlib.sha256(repr(flt).encode()).hexdigest()[:32]
    return revision_cached(
        index.study, f"retrieval:{digest}", lambda: retrieve(index, flt), using="retrieval"
    )


def result_rows(index: StudyIndex, ids: list[int]) -> list[dict]:
    """One page of results, in the order of `ids` (two queries): each excerpt's text with
    up to CONTEXT_CHARS code points of the transcript on each side, its codes (in codebook
    order), the coders who applied them (tables.coder_names), respondent, question, who
    made the excerpt (coder_name) and when, whether it holds only the interviewer's words
    (interviewer_only), and its "(R3, Q7)" attribution ("(Interviewer to R3, Q7)" then,
    review.attribution)."""
    if not ids:
        return []
    rows = {row["id"]: row for row in sql.result_excerpts(ids, CONTEXT_CHARS)}
    codes, coders = defaultdict(list), defaultdict(list)
    names = {coder["id"]: coder["username"] for coder in index.coders}
    # Through the ORM: the statement by hand saved 0.4 ms a page, under what keeps a query
    # in themes/sql.py. Only the codes the index holds count (export_table does the same):
    # a code applied since it was read is not shown, nor its coder.
    codings = Coding.objects.filter(excerpt_id__in=ids).values_list(
        "excerpt_id", "code_id", "coder_id"
    )
    for excerpt_id, code_id, coder_id in codings:
        if code_id in index.code_by_id:
            codes[excerpt_id].append(index.code_by_id[code_id])
            coders[excerpt_id].append(names.get(coder_id))
    numbers = {question["id"]: question["number"] for question in index.questions}
    pseudonyms = {r["id"]: r["pseudonym"] for r in index.respondents}
    found = []
    for excerpt_id in ids:
        row = rows.get(excerpt_id)
        if row is None:  # deleted between the two reads
            continue
        row["codes"] = sorted(codes[excerpt_id], key=lambda c: index.code_rank[c["id"]])
        row["coders"] = coder_names(coders[excerpt_id])
        row["pseudonym"] = pseudonyms[index.respondent_of[row["interview_id"]]]
        row["question"] = numbers.get(row["question_id"])
        row["attribution"] = attribution(
            row["pseudonym"], row["question"], interviewer=row["interviewer_only"]
        )
        context, first = row.pop("context"), max(row["start"] - CONTEXT_CHARS, 0)
        row["before"] = _trim_before(context[: row["start"] - first], row["start"])
        row["after"] = _trim_after(context[row["end"] - first :])
        found.append(row)
    return found


def _trim_before(text: str, start: int) -> str:
    """The context before an excerpt, from a word's start ("…" when cut)."""
    if start > CONTEXT_CHARS and " " in text:
        return "… " + text.split(" ", 1)[1].lstrip()
    return text


def _trim_after(text: str) -> str:
    if len(text) >= CONTEXT_CHARS and " " in text:
        return text.rsplit(" ", 1)[0].rstrip() + " …"
    return text


def export_table(index: StudyIndex, flt: Filter) -> tuple[list[str], list[list]]:
    """(column titles, rows) of every excerpt `flt` selects, in reading order, for a .csv
    or .xlsx file: the columns and rows of the study's own excerpt table
    (tables.excerpt_columns, tables.excerpt_row): the same columns whatever `flt` selects,
    the Question column left out only when none of the study's excerpts can answer a
    question (tables.without_question_column). Four queries whatever the number of
    excerpts."""
    selected = matching(index, flt).annotate(question_id=question_of())
    rows = list(selected.values(*ROW_FIELDS, title=F("interview__title")))
    if flt.words:
        rows = [row for row in rows if words_match(row["text"], flt.words)]
    rank = index.interview_rank
    rows.sort(key=lambda row: (rank[row["interview_id"]], row["start"], row["end"], row["id"]))
    codes, coders, coded_at = defaultdict(set), defaultdict(list), defaultdict(list)
    names = {coder["id"]: coder["username"] for coder in index.coders}
    # A subquery, not a list of ids: SQLite refuses more than 32,766 parameters.
    for excerpt_id, code_id, coder_id, moment in Coding.objects.filter(
        excerpt_id__in=matching(index, flt).values("id")
    ).values_list("excerpt_id", "code_id", "coder_id", "created_at"):
        # Only the codes the index holds, as on the page (result_rows): a code applied
        # since the index was read (the file is made later, by a process of its own) is
        # neither in the Codes column nor its coder among those who applied them.
        if code_id in index.code_by_id:
            codes[excerpt_id].add(code_id)
            coders[excerpt_id].append(names.get(coder_id))
            coded_at[excerpt_id].append(moment)
    numbers = {question["id"]: question["number"] for question in index.questions}
    respondents = {r["id"]: r for r in index.respondents}
    labels = interview_labels(
        index.interviews, {r["id"]: r["pseudonym"] for r in index.respondents}
    )
    attributes = index.study.attribute_names
    table = []
    for row in rows:
        respondent = respondents[index.respondent_of[row["interview_id"]]]
        mine = codes[row["id"]]
        table.append(
            excerpt_row(
                pseudonym=respondent["pseudonym"],
                attributes=respondent["attributes"],
                attribute_names=attributes,
                interview=row["title"] or labels[row["interview_id"]],
                question=numbers.get(row["question_id"]),
                codes=[c["name"] for c in index.codes if c["id"] in mine],
                themes=[
                    t["name"] for t in index.themes if mine & index.theme_codes.get(t["id"], set())
                ],
                interviewer=row["interviewer_only"],
                text=row["text"],
                memo=row["memo"],
                coders=coder_names(coders[row["id"]]),
                coded_at=coded_at[row["id"]],
                made_at=row["created_at"],
            )
        )
    columns = excerpt_columns(attributes)
    # Read as the roll-up reads it (RollUp.why_no_answers), so that every download of the
    # study has the columns of its own excerpt table.
    marked = QuestionSegment.objects.filter(interview__study=index.study).exists()
    if why_no_answers(questions=bool(index.questions), marked=marked):
        return without_question_column(columns, table)
    return columns, table


def retrieved_file(*, study: Study, index: StudyIndex, flt: Filter, kind: str) -> bytes:
    """Every excerpt `flt` selects as a file of `kind`: "csv" (tables.rows_csv) or "xlsx"
    (tables.excerpts_workbook, with the study's memos). Made by a process of its own
    (themes.views.retrieval.retrieve_download), given the worker's `index` pickled: the
    rows of every excerpt, and openpyxl for the workbook, then leave with it (issue 9)."""
    columns, rows = export_table(index, flt)
    if kind == "csv":
        return rows_csv(rows, columns)
    return excerpts_workbook(study=study, rows=rows, columns=columns)
