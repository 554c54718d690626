"""Reads for the coding workspace and the codebook, each in a fixed number of queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.naming import branches, is_inside, tree_order
from interviews.counts import study_counts
from interviews.models import (
    Interview,
    QuestionSegment,
    Respondent,
    Study,
    interviews_named,
)

from . import sql
from .highlight import Span
from .models import Code, Coding, Excerpt, ExcerptStatus


@dataclass(frozen=True)
class CodeRow:
    id: int
    name: str
    colour: str
    parent_id: int | None


@dataclass
class ExcerptRow:
    id: int
    start: int
    end: int
    text: str
    memo: str
    revision: int
    status: str
    codes: list[CodeRow] = field(default_factory=list)

    @property
    def span(self) -> Span:
        colour = self.codes[0].colour if self.codes else "none"
        title = " · ".join(code.name for code in self.codes) or "No codes"
        codes = tuple((code.name, code.colour) for code in self.codes)
        return Span(self.id, self.start, self.end, colour, title, codes)


def excerpt_bounds(interview: Interview) -> list[tuple[int, int]]:
    """(start, end) of every live excerpt of an interview, in no order (one light query,
    see sql.excerpt_bounds)."""
    return sql.excerpt_bounds(interview.pk)


def question_markers(interview: Interview) -> list[tuple[int, int, str]]:
    """(offset, question number, question text) where each protocol question starts."""
    return list(
        QuestionSegment.objects.filter(interview=interview)
        .order_by("start")
        .values_list("start", "question__number", "question__text")
    )


def sibling_interviews(study: Study) -> list[tuple[int, str]]:
    """(id, label) of the study's interviews, in the order of the study's list. The label
    is the respondent's pseudonym ("R2"), followed by the interview's name where the
    respondent has several ("R1 · Interview imported 30 Nov 2026 (2)"): the coding page's
    previous and next links then tell a respondent's interviews apart.

    One query; a second, for those interviews' names, only when a respondent has several.
    The names are not read with the first: interviews_named's count was a subquery for each
    row, which made the coding page of a 200-interview study 13 ms slower (17.5 to 30.6 ms,
    the benchmark's transcript_100), for links that name only pseudonyms there."""
    rows = list(
        Interview.objects.filter(study=study)
        .order_by("respondent__pseudonym_order", "respondent_id", "conducted_on", "id")
        .values_list("id", "respondent_id", "respondent__pseudonym")
    )
    several = {r for r, n in Counter(row[1] for row in rows).items() if n > 1}
    names = {}
    if several:
        # order_by(): the model's ordering would join the respondents, for a dict.
        rows_of_several = (
            Interview.objects.filter(study=study, respondent__in=several)
            .only("title", "conducted_on", "imported_at", "respondent_id")
            .order_by()
        )
        names = {
            row.pk: row.display_name
            for row in interviews_named(rows_of_several, all_of_theirs=True)
        }
    return [
        (pk, f"{pseudonym} · {names[pk]}" if pk in names else pseudonym)
        for pk, _, pseudonym in rows
    ]


def respondent_of(interview: Interview) -> Respondent:
    return Respondent.objects.get(pk=interview.respondent_id)


def code_rows(study: Study) -> dict[int, CodeRow]:
    """The study's codes in codebook order, keyed by id (one query, see sql.code_rows)."""
    return {row[0]: CodeRow(*row) for row in sql.code_rows(study.pk)}


def excerpt_rows(
    interview: Interview,
    codes: dict[int, CodeRow],
    *,
    start: int | None = None,
    end: int | None = None,
) -> list[ExcerptRow]:
    """The live excerpts of an interview, or those touching `[start, end)`, in text order.

    One query whatever the number of excerpts (see sql.excerpt_rows); the codes come from
    `codes` (see code_rows), in codebook order.
    """
    window = None if start is None else (start, end)
    found = sql.excerpt_rows(interview.pk, window)
    rows: dict[int, ExcerptRow] = {}
    for *fields, code_id in found:
        row = rows.get(fields[0])
        if row is None:
            row = rows[fields[0]] = ExcerptRow(*fields)
        if code_id in codes:
            row.codes.append(codes[code_id])
    order = {code_id: index for index, code_id in enumerate(codes)}
    for row in rows.values():
        if len(row.codes) > 1:
            row.codes.sort(key=lambda code: order[code.id])
    return list(rows.values())


def excerpt_rows_coded(interview: Interview, *, start: int, end: int) -> list[ExcerptRow]:
    """The live excerpts of an interview touching `[start, end)` (code points), in text
    order, each with its codes in codebook order, read with them (one query, see
    sql.excerpt_rows_coded): what excerpt_rows gives, without the study's codes."""
    rows: dict[int, ExcerptRow] = {}
    for *fields, code_id, name, colour, parent_id in sql.excerpt_rows_coded(
        interview.pk, (start, end)
    ):
        row = rows.get(fields[0])
        if row is None:
            row = rows[fields[0]] = ExcerptRow(*fields)
        if code_id is not None:
            row.codes.append(CodeRow(code_id, name, colour, parent_id))
    return list(rows.values())


def excerpt_row(excerpt: Excerpt, codes: dict[int, CodeRow]) -> ExcerptRow:
    row = ExcerptRow(
        excerpt.pk,
        excerpt.start,
        excerpt.end,
        excerpt.text,
        excerpt.memo,
        excerpt.revision,
        excerpt.status,
    )
    ids = set(excerpt.codings.values_list("code_id", flat=True))
    row.codes = [code for code_id, code in codes.items() if code_id in ids]
    return row


@dataclass
class CodeNode:
    code: Code
    depth: int
    excerpts: int = 0  # its own
    respondents: int = 0
    # with its sub-codes, at any depth: an excerpt or respondent counted once
    branch_excerpts: int = 0
    branch_respondents: int = 0
    children: list[CodeNode] = field(default_factory=list)


def counted_interviews(study: Study) -> dict[int, int]:
    """{interview id: respondent id} for the respondents who count (not withdrawn)."""
    return dict(
        Interview.objects.filter(study=study, respondent__withdrawn_at__isnull=True).values_list(
            "id", "respondent_id"
        )
    )


def _interviews(study: Study) -> list[tuple]:
    """(interview id, respondent id, respondent's withdrawal time or None), one query."""
    return list(
        Interview.objects.filter(study=study).values_list(
            "id", "respondent_id", "respondent__withdrawn_at"
        )
    )


def code_usage(
    study: Study, code_ids: list[int], interviews: list[tuple] | None = None
) -> dict[int, tuple[int, int]]:
    """{code id: (excerpts, respondents)} over live excerpts of respondents who count.

    Written for SQLite at 20,000 excerpts: the totals per code come from one scan of the
    (code, interview) index, never touching excerpt or interview rows. Interviews that need
    care (a withdrawn respondent, deleted excerpts waiting for undo, a respondent with a
    follow-up interview) are few, and are counted again exactly on their own.
    `interviews` (see _interviews) saves reading them again.
    """
    if interviews is None:
        interviews = _interviews(study)
    respondent_by_interview = {
        interview_id: respondent for interview_id, respondent, _ in interviews
    }
    counted = {interview_id for interview_id, _, withdrawn in interviews if withdrawn is None}
    per_respondent = Counter(respondent_by_interview.values())
    special = {
        interview_id
        for interview_id, respondent, withdrawn in interviews
        if withdrawn is not None or per_respondent[respondent] > 1
    }
    # Deleted excerpts and those left without words count nowhere, and those of the
    # interviewer's words alone for no respondent; each set is read through its own small
    # partial index (the last two through one).
    for uncounted in (
        Excerpt.all_objects.filter(deleted_at__isnull=False),
        Excerpt.all_objects.filter(Q(status=ExcerptStatus.ORPHANED) | Q(interviewer_only=True)),
    ):
        special |= (
            set(uncounted.values_list("interview_id", flat=True)) & respondent_by_interview.keys()
        )

    totals = {
        row["code_id"]: [row["n"], row["interviews"]]
        for row in Coding.objects.filter(code_id__in=code_ids)
        .values("code_id")
        .annotate(n=Count("id"), interviews=Count("interview_id", distinct=True))
        .order_by()
    }
    if special:
        pairs = Coding.objects.filter(code_id__in=code_ids, interview_id__in=special)
        for code_id, _, n in _per_pair(pairs):
            totals[code_id][0] -= n
            totals[code_id][1] -= 1
        live = pairs.filter(excerpt__deleted_at__isnull=True, interview_id__in=counted).exclude(
            excerpt__status=ExcerptStatus.ORPHANED
        )
        respondents: dict[int, set] = defaultdict(set)
        theirs = Count("id", filter=Q(excerpt__interviewer_only=False))
        for code_id, interview_id, n, respondents_words in _per_pair(live).annotate(theirs=theirs):
            totals[code_id][0] += n
            # The interviewer's words alone count for no respondent (themes.rollup).
            if respondents_words:
                respondents[code_id].add(respondent_by_interview[interview_id])
        for code_id, found in respondents.items():
            totals[code_id][1] += len(found)
    return {code_id: (n, respondents) for code_id, (n, respondents) in totals.items()}


def branch_usage(
    study: Study,
    pairs: list[tuple[int, int | None]],
    code_ids: list[int],
    interviews: list[tuple] | None = None,
) -> dict[int, tuple[int, int]]:
    """{code id: (excerpts, respondents)} for each of `code_ids` with its whole branch (the
    code and all its descendants, from the study's (code id, parent id) `pairs`), over the
    live excerpts of respondents who count: the counts a theme gathering the code gets.

    An excerpt carrying several codes of a branch, or a respondent with several excerpts,
    counts once. Two queries (the interviews, unless given as for code_usage, then the
    branch's codings).
    """
    branch = branches(pairs)
    wanted = {code_id: branch.get(code_id, {code_id}) for code_id in code_ids}
    respondent_of = {
        interview_id: respondent
        for interview_id, respondent, withdrawn in (interviews or _interviews(study))
        if withdrawn is None
    }
    excerpts_of, respondents_of = _live_codings(set().union(*wanted.values()), respondent_of)
    return {
        code_id: (
            len(set().union(*(excerpts_of[c] for c in members))),
            len(set().union(*(respondents_of[c] for c in members))),
        )
        for code_id, members in wanted.items()
    }


def _live_codings(code_ids: set[int], respondent_of: dict[int, int]):
    """({code id: excerpt ids}, {code id: respondent ids}) over the live excerpts of the
    interviews of `respondent_of` ({interview id: respondent id}, those who count) that
    carry one of `code_ids`; one query. defaultdicts of sets."""
    excerpts_of: dict[int, set] = defaultdict(set)
    respondents_of: dict[int, set] = defaultdict(set)
    for excerpt_id, code_id, interview_id, alone in (
        Coding.objects.filter(
            code_id__in=code_ids,
            interview_id__in=list(respondent_of),
            excerpt__deleted_at__isnull=True,
        )
        .exclude(excerpt__status=ExcerptStatus.ORPHANED)
        .values_list("excerpt_id", "code_id", "interview_id", "excerpt__interviewer_only")
    ):
        excerpts_of[code_id].add(excerpt_id)
        # The interviewer's words alone count for no respondent (themes.rollup).
        if not alone:
            respondents_of[code_id].add(respondent_of[interview_id])
    return excerpts_of, respondents_of


def _per_pair(codings):
    return codings.values_list("code_id", "interview_id").annotate(n=Count("id")).order_by()


def codebook(study: Study) -> list[CodeNode]:
    """The codebook as a flat list in tree order, with usage counts: each code's own, and
    with its sub-codes (four to seven queries: one more when a code has sub-codes).

    Counts leave out deleted excerpts and withdrawn respondents, who count nowhere.
    """
    codes = list(study.codes.order_by("order", "name"))
    interviews = _interviews(study)
    usage = code_usage(study, [code.pk for code in codes], interviews)
    pairs = [(code.pk, code.parent_id) for code in codes]
    # Only a code with sub-codes needs counting again: a leaf's branch is itself.
    parents = sorted({parent_id for _, parent_id in pairs if parent_id is not None})
    branch = branch_usage(study, pairs, parents, interviews) if parents else {}
    nodes = []
    for code, depth in tree_order(codes, id_of=lambda c: c.pk, parent_of=lambda c: c.parent_id):
        own = usage.get(code.pk, (0, 0))
        nodes.append(CodeNode(code, depth, *own, *branch.get(code.pk, own)))
    return nodes


def study_overview(study: Study) -> dict:
    """The study's front page: its interviews with their coding progress (4 queries: the
    interviews with their counts, the study's counts, its questions, its codes). Each
    interview's excerpt_count is what the analysis counts; removed_count, its excerpts
    whose words were removed from the transcript, to review on its coding page."""
    # Each count in a subquery of its own, read through the (interview, ...) index: counted
    # over one join of excerpts and segments, the rows multiplied (100 excerpts by 11
    # segments an interview), and the benchmark's study of 200 interviews took 392 ms
    # against 42 ms (in-process, SQLite, medians of 7; the page 487 against 106 ms).
    live_excerpts = Excerpt.objects.filter(interview=OuterRef("pk"), deleted_at__isnull=True)
    questions_found = QuestionSegment.objects.filter(interview=OuterRef("pk"))
    # An excerpt whose words were removed from the transcript (ORPHANED) is counted apart:
    # the analysis (Excerpts page, exports, codebook, matrices, themes) leaves it out, and
    # the coding page lists it to review.
    removed = Q(status=ExcerptStatus.ORPHANED)
    interviews = (
        study.interviews.select_related("respondent")
        .defer("text", "turns")
        .annotate(
            excerpt_count=_count_of(live_excerpts.exclude(removed), Count("pk")),
            removed_count=_count_of(live_excerpts.filter(removed), Count("pk")),
            segment_count=_count_of(questions_found, Count("question", distinct=True)),
        )
        .order_by("respondent__pseudonym_order", "respondent_id", "conducted_on", "id")
    )
    return {
        # All the study's interviews: their names are told apart from these rows alone.
        "interviews": interviews_named(interviews, all_of_theirs=True),
        "counts": study_counts([study.pk])[study.pk],
        "question_count": study.questions.count(),
        "code_count": study.codes.count(),
    }


def _count_of(rows: QuerySet, counted: Count) -> Coalesce:
    """`counted` over `rows` (filtered on OuterRef("pk")), as a correlated subquery, 0 for
    none: the pattern of Django's "Using aggregates within a Subquery expression"."""
    grouped = rows.order_by().values("interview").annotate(n=counted).values("n")
    return Coalesce(Subquery(grouped), 0)


@dataclass(frozen=True)
class MergeTree:
    """How merging a code into another changes the code tree and what themes gather (see
    merge_tree): names, in codebook order."""

    sub_codes: list[str]  # the source's sub-codes, which become the target's
    lifted: bool  # the target was inside the source, and takes the source's place
    source_gathered_by: list[str]  # what gathers the source, and will gather the target
    target_gathered_by: list[str]  # what gathers the target already


def _gathering():
    """(model, through model, its field to the model, its code column) for each kind of
    thing that gathers codes (a theme's codes), found without importing it (the themes
    app comes after this one)."""
    for relation in Code._meta.related_objects:
        if relation.many_to_many:
            field = relation.field
            code_column = field.m2m_reverse_field_name() + "_id"
            yield (
                relation.related_model,
                field.remote_field.through,
                field.m2m_field_name(),
                code_column,
            )


def merge_tree(*, source: Code, target: Code) -> MergeTree:
    """What a merge of `source` into `target` does to the tree (services.code_merge): the
    source's sub-codes move under the target, a target inside the source is lifted to the
    source's place first, and whatever gathers the source (a theme) gathers the target.

    A theme counts a code with all its sub-codes, so the themes that gather the target
    count the excerpts of its new sub-codes from then on: the merge's confirmation names
    them (a tester merged a parent code into its own child, and a theme went from 4 to 8
    of 8 respondents with nothing said). Queries: the sub-codes, one a level climbed from
    the target, and one per kind of thing that gathers codes (a theme's codes).
    """
    sub_codes = list(
        source.children.exclude(pk=target.pk)
        .order_by("order", "name")
        .values_list("name", flat=True)
    )
    gathered: dict[int, list[str]] = {source.pk: [], target.pk: []}
    for _, through, owner, code_column in _gathering():
        rows = (
            through.objects.filter(**{f"{code_column}__in": [source.pk, target.pk]})
            .order_by(f"{owner}__name")
            .values_list(code_column, f"{owner}__name")
        )
        for code_id, name in rows:
            gathered[code_id].append(name)
    return MergeTree(
        sub_codes=sub_codes,
        lifted=is_inside(target, source),
        source_gathered_by=gathered[source.pk],
        target_gathered_by=gathered[target.pk],
    )


def merge_counts(*, source: Code, target: Code) -> tuple[int, int, int]:
    """(excerpts that carry `source`, those of them that carry `target` already, the other
    excerpts that carry `source` but count nowhere): what the merge's confirmation tells
    the user (one query).

    The first two count as the codebook does (code_usage): live excerpts of respondents
    who count, their words still in the transcript; so the confirmation's number is the
    codebook's. The third are live excerpts of withdrawn respondents and those whose words
    were removed (ORPHANED), which the merge moves too. Deleted excerpts waiting in the
    bin are in none: they count nowhere and come back with the code they carry then.
    """
    live = Coding.objects.filter(excerpt__deleted_at__isnull=True)
    counted = Q(interview__respondent__withdrawn_at__isnull=True) & ~Q(
        excerpt__status=ExcerptStatus.ORPHANED
    )
    both = live.filter(code=target).values("excerpt_id")
    counts = live.filter(code=source).aggregate(
        moving=Count("excerpt_id", filter=counted, distinct=True),
        both=Count("excerpt_id", filter=counted & Q(excerpt_id__in=both), distinct=True),
        uncounted=Count("excerpt_id", filter=~counted, distinct=True),
    )
    return counts["moving"], counts["both"], counts["uncounted"]


@dataclass(frozen=True)
class DeleteEffect:
    """What deleting a code changes (see delete_effect). Shape: `own` and `branch` excerpts
    (the code's own, then those of its sub-codes that do not carry it, counted as the
    codebook counts them), `sub_codes` (names, which move up a level), `gatherers` as
    (name, respondents before, respondents after) for each thing that gathers the code, a
    code above it, or holds one that does (a theme and the themes above it), `total` the
    respondents who count (N)."""

    own: int
    branch: int
    sub_codes: list[str]
    gatherers: list[tuple[str, int, int]]
    total: int

    @property
    def asks(self) -> bool:
        """The delete must be confirmed: excerpts or a theme would lose the code's branch."""
        return bool(self.own or self.branch or self.gatherers)


def delete_effect(*, code: Code) -> DeleteEffect:
    """What deleting `code` does (services.code_delete; coding.bin.code_to_bin): its
    codings go, its sub-codes move up a level (out of its branch), and whatever gathers it
    (a theme) lets it go, so that a theme gathering a parent code with no excerpts of its
    own went from 5 of 8 respondents to 0 with nothing said (found in stop 32). A theme
    counts the branches of the codes it and its sub-themes gather (themes.rollup), and so
    do these counts, over live excerpts of respondents who count. Queries: the codes, the
    interviews, the codings of the branches, and per kind of thing that gathers codes, its
    rows and its links."""
    study = code.study
    pairs = list(Code.objects.filter(study=study).values_list("id", "parent_id"))
    branch = branches(pairs)
    interviews = _interviews(study)
    counted = {
        interview_id: respondent
        for interview_id, respondent, withdrawn in interviews
        if withdrawn is None
    }
    own_ids = {code.pk}
    sub_ids = branch.get(code.pk, {code.pk}) - own_ids
    # Every code's: a theme may gather any.
    carried, said = _live_codings(set(branch), counted)
    own = carried[code.pk]
    under = set().union(*(carried[c] for c in sub_ids)) - own
    # After the delete: the code is gone, its sub-codes are where its parent is.
    after_pairs = [(c, code.parent_id if p == code.pk else p) for c, p in pairs if c != code.pk]
    after_branch = branches(after_pairs)
    gatherers = []
    for model, through, owner, code_column in _gathering():
        nested = any(f.name == "parent" for f in model._meta.fields)
        rows = list(
            model.objects.filter(study=study)
            .order_by("name")
            .values_list("id", "name", *(["parent_id"] if nested else []))
        )
        links: dict[int, set] = defaultdict(set)
        for owner_id, code_id in through.objects.filter(**{f"{owner}__study": study}).values_list(
            f"{owner}_id", code_column
        ):
            links[owner_id].add(code_id)
        holds = branches([(row[0], row[2] if nested else None) for row in rows])
        for row in rows:
            gathered = set().union(*(links[o] for o in holds.get(row[0], {row[0]})))
            # A theme counts each code it gathers with its branch: one above counts it too.
            if not any(code.pk in branch.get(g, {g}) for g in gathered):
                continue
            before = set().union(*(said[c] for g in gathered for c in branch.get(g, {g})))
            left = gathered - {code.pk}
            after = set().union(*(said[c] for g in left for c in after_branch.get(g, {g})))
            gatherers.append((row[1], len(before), len(after)))
    sub_codes = list(code.children.order_by("order", "name").values_list("name", flat=True))
    return DeleteEffect(
        own=len(own),
        branch=len(under),
        sub_codes=sub_codes,
        gatherers=gatherers,
        total=len(set(counted.values())),
    )
