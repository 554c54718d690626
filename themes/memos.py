"""Every memo of a study in one list: the journal, and the memos on interviews, codes, themes
and excerpts.

The memos live in the apps that own what they are about (interviews.JournalEntry and
InterviewMemo, coding.CodeMemo and Excerpt.memo, themes.ThemeMemo); this module, in the top
app, is the one place that knows them all. The memos page reads them as one UNION query, so
that filtering, ordering and paging happen in the database whatever the number of memos.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Case, CharField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse

from coding.models import CodeMemo, Excerpt
from core.stale import text_token
from interviews.models import Interview, InterviewMemo, JournalEntry, Memo, Study, interviews_named

from .models import ThemeMemo


@dataclass(frozen=True)
class MemoKind:
    """One kind of memo: its model and the field that names what it is about."""

    name: str
    label: str
    plural: str
    model: type[Memo] | None
    target: str


JOURNAL = MemoKind("journal", "Journal entry", "Journal", JournalEntry, "study")
KINDS = {
    kind.name: kind
    for kind in (
        JOURNAL,
        MemoKind("interview", "Interview memo", "Interviews", InterviewMemo, "interview"),
        MemoKind("code", "Code memo", "Codes", CodeMemo, "code"),
        MemoKind("theme", "Theme memo", "Themes", ThemeMemo, "theme"),
        # An excerpt's memo is a field of the excerpt, written on the coding page.
        MemoKind("excerpt", "Excerpt memo", "Excerpts", None, "excerpt"),
    )
}
# The kinds written through the memo forms (not the excerpt's, which the coding page keeps).
WRITABLE = {name: kind for name, kind in KINDS.items() if kind.model is not None}


def target_of(study: Study, kind: MemoKind, target_id: int | None):
    """What a memo of `kind` is about, inside `study`, or None: the study itself for the
    journal, else the interview, code or theme with that id."""
    if kind is JOURNAL:
        return study
    related = {"interview": study.interviews, "code": study.codes, "theme": study.themes}
    manager = related[kind.target]
    if kind.target == "interview":
        manager = manager.select_related("respondent").defer("text", "turns")
    return manager.filter(pk=target_id).first()


def memos_of(study: Study, kind: MemoKind, target) -> QuerySet:
    """The live memos of one thing, newest first, with their authors."""
    return kind.model.objects.filter(
        **{kind.target: target}, deleted_at__isnull=True
    ).select_related("author")


def memos_in_study(study: Study, kind: MemoKind) -> QuerySet:
    """Every memo of `kind` of `study`, those in the bin too."""
    where = {"study": study} if kind is JOURNAL else {f"{kind.target}__study": study}
    return kind.model.objects.filter(**where)


def memo_in_study(study: Study, kind: MemoKind, pk: int, *, deleted: bool = False) -> Memo | None:
    """One memo of `kind` of `study` (a deleted one too when `deleted`), or None."""
    rows = memos_in_study(study, kind).filter(pk=pk).select_related("author")
    if not deleted:
        rows = rows.filter(deleted_at__isnull=True)
    return rows.first()


# The memos page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MemoFilter:
    """What the memos page asks for: kinds (empty: all), an author's user id, a date range
    (inclusive, on the day a memo was written) and words that must all appear."""

    kinds: tuple[str, ...] = ()
    author: int | None = None
    since: date | None = None
    until: date | None = None
    words: tuple[str, ...] = ()
    # Leave out memos on the interviews and excerpts of withdrawn respondents (exports).
    counted_only: bool = False


@dataclass
class MemoRow:
    """One memo as the page and the .docx show it."""

    kind: MemoKind
    id: int
    body: str
    author: str
    author_id: int | None
    written: datetime
    target_id: int | None
    target: str
    interview_id: int | None

    @property
    def own_kind(self) -> bool:
        return self.kind.model is not None

    @property
    def seen(self) -> str:
        """The token of the text shown, that its edit form sends back (core.stale)."""
        return text_token(self.body)


_COLUMNS = (
    "m_kind", "m_id", "m_body", "m_author_id", "m_author", "m_written", "m_target_id",
    "m_target", "m_interview_id",
)  # fmt: skip


def _rows(
    queryset,
    kind: str,
    *,
    narrow: bool = False,
    body,
    author_id,
    author,
    written,
    target_id,
    target,
    interview_id,
):
    """One kind's part of the UNION: the same columns, in the same order, for every kind;
    when `narrow`, only m_kind, m_id and m_written (what orders and counts the list, without
    the joins that name authors and targets)."""
    columns = {
        "m_kind": Value(kind, output_field=CharField()),
        "m_id": F("pk"),
        "m_written": written,
    }
    if not narrow:
        columns |= {
            "m_body": body,
            "m_author_id": author_id,
            "m_author": Coalesce(author, Value("")),
            "m_target_id": target_id,
            "m_target": target,
            "m_interview_id": interview_id,
        }
    # A part of a UNION may not be ordered.
    return (
        queryset.annotate(**columns)
        .values_list(*(name for name in _COLUMNS if name in columns))
        .order_by()
    )


def _filtered(queryset, memo_filter: MemoFilter, body: str, author: str, written: str):
    if memo_filter.author is not None:
        queryset = queryset.filter(**{author: memo_filter.author})
    if memo_filter.since is not None:
        queryset = queryset.filter(**{f"{written}__date__gte": memo_filter.since})
    if memo_filter.until is not None:
        queryset = queryset.filter(**{f"{written}__date__lte": memo_filter.until})
    for word in memo_filter.words:
        queryset = queryset.filter(**{f"{body}__icontains": word})
    return queryset


def _counted(memo_filter: MemoFilter) -> Q:
    if memo_filter.counted_only:
        return Q(interview__respondent__withdrawn_at__isnull=True)
    return Q()


def _part(name: str, study: Study, memo_filter: MemoFilter, *, narrow: bool = False):
    """The query of one kind of memo, filtered, as rows of _COLUMNS (of m_kind, m_id and
    m_written only when `narrow`)."""
    # A typed NULL: PostgreSQL types a UNION's columns part by part, and two untyped NULLs
    # made a column text, which the excerpts' interview ids then could not join (a 500 for
    # the memos of codes, themes and excerpts alone).
    none = Cast(Value(None), output_field=IntegerField())
    if name == "excerpt":
        # Memos saved before their writer was kept name the excerpt's coder.
        rows = (
            Excerpt.objects.filter(interview__study=study)
            .exclude(memo="")
            .filter(_counted(memo_filter))
            .annotate(
                memo_author=Coalesce("memo_by", "coder"),
                memo_written=Coalesce("memo_at", "updated_at"),
            )
        )
        rows = _filtered(rows, memo_filter, "memo", "memo_author", "memo_written")
        return _rows(
            rows,
            name,
            narrow=narrow,
            body=F("memo"),
            author_id=F("memo_author"),
            author=Coalesce("memo_by__username", "coder__username"),
            written=F("memo_written"),
            target_id=F("pk"),
            target=_excerpt_attribution(),
            interview_id=F("interview_id"),
        )
    kind = KINDS[name]
    if kind is JOURNAL:
        rows = JournalEntry.objects.filter(study=study)
        target, target_id = Value("", output_field=CharField()), none
    else:
        rows = kind.model.objects.filter(**{f"{kind.target}__study": study})
        if name == "interview":
            rows = rows.filter(_counted(memo_filter))
        target_id = F(f"{kind.target}_id")
        target = {
            "interview": Concat(
                "interview__respondent__pseudonym", Value(" "), "interview__title",
                output_field=CharField(),
            ),
            "code": F("code__name"),
            "theme": F("theme__name"),
        }[name]  # fmt: skip
    rows = _filtered(
        rows.filter(deleted_at__isnull=True), memo_filter, "body", "author", "created_at"
    )
    return _rows(
        rows,
        name,
        narrow=narrow,
        body=F("body"),
        author_id=F("author_id"),
        author=F("author__username"),
        written=F("created_at"),
        target_id=target_id,
        target=target,
        interview_id=F("interview_id") if name == "interview" else none,
    )


def _excerpt_attribution() -> Case:
    """Whose transcript a memo's excerpt is in, said as the quotes' attribution says it
    (review.attribution): "R2", or "Interviewer to R2" for an excerpt that holds only the
    interviewer's words (Excerpt.interviewer_only), which are not R2's. In the UNION: no
    query more."""
    pseudonym = F("interview__respondent__pseudonym")
    return Case(
        When(
            interviewer_only=True,
            then=Concat(Value("Interviewer to "), pseudonym, output_field=CharField()),
        ),
        default=pseudonym,
        output_field=CharField(),
    )


def study_memos(study: Study, memo_filter: MemoFilter = MemoFilter(), *, narrow: bool = False):
    """Every memo of `study` that `memo_filter` lets through, newest first: one UNION query
    of rows shaped as _COLUMNS (count and slice it, then read it with `memo_rows`); of
    (m_kind, m_id, m_written) rows when `narrow`."""
    names = [name for name in KINDS if not memo_filter.kinds or name in memo_filter.kinds]
    parts = [_part(name, study, memo_filter, narrow=narrow) for name in names]
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return query.order_by("-m_written", "m_kind", "-m_id")


@dataclass
class MemoListing:
    """`study_memos(study, memo_filter)` for a Paginator, read in fewer bytes: counted on
    the narrow rows, and a page is the narrow rows' slice, then the whole rows of those
    memos alone (two queries).

    The whole UNION computed every memo's columns (its author's name, what it is about)
    before sorting them all for one page of 50: at the benchmark's default scale (2,560
    memos) the count took 25 ms and the page 33 ms; narrow, 2.5 and 7 ms, then 2 ms for
    the page's rows, on a loaded machine.
    """

    study: Study
    memo_filter: MemoFilter

    def count(self) -> int:
        return study_memos(self.study, self.memo_filter, narrow=True).count()

    def __getitem__(self, window: slice) -> list[tuple]:
        """The rows (shaped as _COLUMNS) of the memos in `window` of the list."""
        narrow = study_memos(self.study, self.memo_filter, narrow=True)
        keys = [(kind, pk) for kind, pk, _ in narrow[window]]
        if not keys:
            return []
        ids: dict[str, list[int]] = {}
        for kind, pk in keys:
            ids.setdefault(kind, []).append(pk)
        parts = [
            _part(kind, self.study, self.memo_filter).filter(pk__in=ids[kind])
            for kind in KINDS
            if kind in ids
        ]
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        rows = {(row[0], row[1]): row for row in query}
        return [rows[key] for key in keys]


def memo_rows(rows) -> list[MemoRow]:
    """MemoRows of a (sliced) `study_memos` query."""
    return [
        MemoRow(
            KINDS[kind],
            pk,
            body,
            author,
            author_id,
            written,
            target_id,
            target or "",
            interview_id,
        )
        for kind, pk, body, author_id, author, written, target_id, target, interview_id in rows
    ]


def interview_labels(study: Study, rows: list[MemoRow]) -> None:
    """Label the memos on interviews among `rows` by their interview: "R1 · Interview of 3
    Mar 2025" (its pseudonym, its display name), in place of the pseudonym and title the
    UNION gives (an untitled interview was its pseudonym alone). One query, none when no
    row is a memo on an interview; a second when one of those interviews is untitled and
    undated (interviews_named)."""
    ids = {row.target_id for row in rows if row.kind.name == "interview"}
    if not ids:
        return
    shown = (
        Interview.objects.filter(study=study, pk__in=ids)
        .select_related("respondent")
        .only("title", "conducted_on", "imported_at", "respondent__pseudonym")
    )
    names = {i.pk: f"{i.respondent.pseudonym} · {i.display_name}" for i in interviews_named(shown)}
    for row in rows:
        if row.kind.name == "interview" and row.target_id in names:
            row.target = names[row.target_id]


def memo_url(slug: str, row: MemoRow, *, can_write: bool) -> str:
    """Where a memo belongs: the code in the codebook, the theme's page, the interview's
    coding page, the excerpt open on its coding page; a journal entry on the memos page.
    Memos are shown in each of those places."""
    kind = row.kind.name
    if kind == "journal":
        return reverse("memos", args=[slug]) + f"?kind=journal#memo-journal-{row.id}"
    if kind == "code":
        # Writers open the code's editor, where its memos are; readers its row.
        if can_write:
            return reverse("code_edit", args=[slug, row.target_id])
        return reverse("codebook", args=[slug]) + f"#code-{row.target_id}"
    if kind == "theme":
        return reverse("theme_detail", args=[slug, row.target_id]) + "#memos"
    url = reverse("interview_code", args=[slug, row.interview_id])
    # #x<id> is the coding page's own link to an excerpt (static/js/excerpts.js opens it).
    return url + (f"#x{row.target_id}" if kind == "excerpt" else "#memos")
