"""The history page of a study: every recorded change, newest first, as people read it.

The records are kept by interviews.history (django-simple-history, one historical table per
model); this module, in the top app, is the one place that knows every recorded model. A
page is one UNION query over the study's records (filtered by user, kind and date, ordered
and cut in the database; its text in themes.sql), then, for each kind on the page, one query
for its records with the record before each (to say what changed), and a few queries naming
what the records point to. What can be restored (the bin: deleted excerpts, codes, themes
and memos) is listed apart, a page at a time (BIN_PER_PAGE), with its Restore buttons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import (
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.formats import date_format

from coding import bin as coding_bin
from coding.models import Code, CodeMemo, Coding, DeletedCode, Excerpt
from core.bidi import isolated
from interviews.history import REGISTRY
from interviews.models import (
    Interview,
    InterviewMemo,
    JournalEntry,
    Respondent,
    Study,
    interviews_named,
)

from . import sql
from .models import Comment, Quote, Theme, ThemeMemo

# Kinds as the filter names them, each with its models (a memo is of four).
KINDS: dict[str, tuple[str, tuple[type, ...]]] = {
    "code": ("Codes", (Code,)),
    "excerpt": ("Excerpts", (Excerpt,)),
    "coding": ("Codes on excerpts", (Coding,)),
    "theme": ("Themes", (Theme,)),
    "quote": ("Quotes", (Quote,)),
    "comment": ("Comments", (Comment,)),
    "memo": ("Memos", (JournalEntry, InterviewMemo, CodeMemo, ThemeMemo)),
    "respondent": ("Respondents", (Respondent,)),
    "transcript": ("Transcripts", (Interview,)),
}
MODELS: tuple[type, ...] = tuple(model for _, models in KINDS.values() for model in models)
NOUNS = {
    Code: "Code",
    Excerpt: "Excerpt",
    Coding: "Code on an excerpt",
    Theme: "Theme",
    Quote: "Quote",
    Comment: "Comment on a theme",
    JournalEntry: "Journal entry",
    InterviewMemo: "Memo on a transcript",
    CodeMemo: "Memo on a code",
    ThemeMemo: "Memo on a theme",
    Respondent: "Respondent",
    Interview: "Transcript",
}
# Fields that move with every write and say nothing a reader needs.
QUIET = {
    "id",
    "revision",
    "updated_at",
    "created_at",
    "name_key",
    "pseudonym_key",
    "pseudonym_order",
    "memo_by_id",
    "memo_at",
    "word_count",
    "version",
    "source_hash",
    "imported_at",
    "imported_by_id",
    "study_id",
    # What the committee was shown: the status beside it says the review began.
    "review_snapshot",
    "interview_id",
    "deleted_by_id",
    # Who resolved a comment is the record's user.
    "resolved_by_id",
}
# Never shown to a reviewer: an uploaded file's name may hold a participant's real name.
WRITERS_ONLY = {"source_name", "source_encoding"}
# Longer texts show only the part that changed, with this many code points around it.
AROUND = 60
PER_PAGE = 50
# A key in a page's address: microseconds since the epoch (UTC), history id, part.
_KEY = re.compile(r"(\d{1,19})-(\d{1,19})-(\d{1,3})")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class HistoryFilter:
    """What the page asks for: a user's id, a kind (a key of KINDS), and a date range
    (inclusive, days in the server's time zone)."""

    user: int | None = None
    kind: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass
class Change:
    """One field's change: its label, and the text before and after (shortened)."""

    label: str
    before: str
    after: str


@dataclass
class Event:
    """One record as the page shows it."""

    noun: str
    action: str  # "added", "changed", "deleted", "restored"
    label: str
    who: str
    when: datetime
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class Key:
    """Where a record stands in the history's order (newest first by `when`, then
    `history_id`, then `part`, its model's position in MODELS: the tables' records share
    ids and moments). A page's address says the key it starts after (`older`) or before
    (`newer`), as str(key): "1764548315123456-812-3" (microseconds since the epoch, UTC)."""

    when: datetime
    history_id: int
    part: int

    def __str__(self) -> str:
        return f"{(self.when - _EPOCH) // timedelta(microseconds=1)}-{self.history_id}-{self.part}"

    @classmethod
    def parse(cls, text: str | None) -> Key | None:
        """The key `text` (str(key)) says, or None when it says none: malformed, a model
        the history does not have, a moment out of datetime's range."""
        match = _KEY.fullmatch(text or "")
        if match is None or int(match[3]) >= len(MODELS) or int(match[2]) >= 2**63:
            return None
        try:
            when = _EPOCH + timedelta(microseconds=int(match[1]))
        except OverflowError:
            return None
        return cls(when, int(match[2]), int(match[3]))


@dataclass
class HistoryPage:
    """One page of the history: its events, newest first, and the keys the pages next to
    it start from (None when there is none): `newer` the first event's, `older` the last's."""

    events: list[Event]
    newer: Key | None
    older: Key | None


def _records(
    study: Study, history_filter: HistoryFilter, beyond: Key | None, limit: int, *, newer=False
):
    """The statement of the study's first `limit` records under `history_filter` beyond
    `beyond` (older than it, or newer when `newer`, nearest first): (sql, params), each row
    (history_date, history_id, part), part the position of its model in MODELS."""
    models = KINDS[history_filter.kind][1] if history_filter.kind else MODELS
    since, until = history_filter.since, history_filter.until
    return sql.history_records_statement(
        [(MODELS.index(model), model.history.model._meta.db_table) for model in models],
        study.pk,
        user_id=history_filter.user,
        # From the first day a date can say, or to the last, bounds nothing: and no datetime
        # holds the day after the last, nor (in UTC) the first day's start in a zone ahead.
        since=_day_start(since) if since and since > date.min else None,
        before=_day_start(until + timedelta(1)) if until and until < date.max else None,
        beyond=(beyond.when, beyond.history_id, beyond.part) if beyond else None,
        newer=newer,
        limit=limit,
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def history_page(
    study: Study,
    history_filter: HistoryFilter,
    *,
    older: Key | None = None,
    newer: Key | None = None,
    reviewer: bool,
) -> HistoryPage:
    """The page of the study's history under `history_filter` that starts after the key
    `older` (its next PER_PAGE older events), or that ends before the key `newer` (the
    PER_PAGE events just newer than it; the newest page when fewer are), or else the newest
    page; newest first. A key no record has any more (erased since) still has its place.

    Queries: one for the page (two when `newer` reaches the newest page), then per model on
    it two (its records with their users, and the records before them; three for themes,
    with their codes), and one per kind of thing the records name (codes, excerpts,
    themes, respondents). `reviewer` leaves out the fields a reviewer may not read
    (uploaded file names)."""
    rows = None
    if newer is not None:
        read = sql.history_records(
            *_records(study, history_filter, newer, PER_PAGE + 1, newer=True)
        )
        if len(read) > PER_PAGE:
            # Nearest the key first: the page is the PER_PAGE nearest, turned newest first;
            # one more means a newer page still, and the key's page is older.
            rows, has_newer, has_older, after = read[PER_PAGE - 1 :: -1], True, True, None
        # Else fewer than a page are newer than the key: the newest page, as full as it can be.
    if rows is None:
        after = older if newer is None else None
        read = sql.history_records(*_records(study, history_filter, after, PER_PAGE + 1))
        rows, has_newer, has_older = read[:PER_PAGE], after is not None, len(read) > PER_PAGE
    parts, rows = rows, [(MODELS[part], pk) for part, pk in rows]
    wanted: dict[type, list[int]] = {}
    for model, pk in rows:
        wanted.setdefault(model, []).append(pk)
    records, previous = {}, {}
    for model, ids in wanted.items():
        before = model.history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        found = model.history.filter(history_id__in=ids).select_related("history_user")
        if model is InterviewMemo:
            found = found.annotate(**_memo_interview())
        found = list(
            found.annotate(
                previous_id=Subquery(before.order_by("-history_id").values("history_id")[:1])
            )
        )
        earlier = [record.previous_id for record in found if record.previous_id]
        prior = {r.history_id: r for r in model.history.filter(history_id__in=earlier)}
        if model is Theme:
            _with_codes([*found, *prior.values()])
        for record in found:
            records[(model, record.history_id)] = record
            previous[(model, record.history_id)] = prior.get(record.previous_id)
    names = _names(records.values(), previous.values())
    events = []
    for model, pk in rows:
        events.append(
            _event(model, records[(model, pk)], previous[(model, pk)], names, reviewer=reviewer)
        )
    # Each record's key, its part as the statement gave it.
    keys = [Key(records[(MODELS[part], pk)].history_date, pk, part) for part, pk in parts]
    return HistoryPage(
        events,
        # Past the last record (or with every record after the key erased since), the way
        # back is to what is newer than the key itself.
        newer=(keys[0] if keys else after) if has_newer else None,
        older=keys[-1] if has_older else None,
    )


def _with_codes(records) -> None:
    """Give each theme's record the ids of the codes it held (`held`), in one query."""
    through = REGISTRY[Theme].m2m_models[Theme._meta.get_field("codes")]
    held: dict[int, set[int]] = {record.history_id: set() for record in records}
    rows = through.objects.filter(history_id__in=list(held)).values_list("history_id", "code_id")
    for history_id, code_id in rows:
        held[history_id].add(code_id)
    for record in records:
        record.held = held[record.history_id]


def _latest(model, ids, column: str) -> dict[int, str]:
    """{id: column} of each row as its newest record has it (deleted rows too)."""
    if not ids:
        return {}
    found = {}
    rows = model.history.filter(id__in=ids).order_by("id", "-history_id")
    for pk, value in rows.values_list("id", column):
        found.setdefault(pk, value)
    return found


# The fields of an interview that name it (Interview.display_name) and its respondent.
NAMING_FIELDS = ("respondent_id", "title", "conducted_on", "imported_at")


def _memo_interview() -> dict:
    """Annotations that give an interview memo's history record its interview's naming
    fields as its newest record has them (memo_interview_title, ...): read with the memo's
    records, so that naming the interview takes no query of its own. None when the
    interview left no record (erased with its respondent)."""
    newest = Interview.history.filter(id=OuterRef("interview_id")).order_by("-history_id")
    return {f"memo_interview_{name}": Subquery(newest.values(name)[:1]) for name in NAMING_FIELDS}


def _names(*groups) -> dict:
    """The names the records point to: codes, excerpts' words, themes, respondents; and
    each transcript's record's name for its interview, and each interview memo's record's
    for the interview it is about (by history id)."""
    codes, excerpts, themes, respondents = set(), set(), set(), set()
    transcripts, memos = {}, {}
    for group in groups:
        for record in group:
            if record is None:
                continue
            model = record.instance_type
            if model in (Code, Coding, CodeMemo):
                codes.add(record.parent_id if model is Code else record.code_id)
            if model in (Coding, Quote):
                excerpts.add(record.excerpt_id)
            if model in (Theme, Quote, ThemeMemo, Comment):
                themes.add(record.parent_id if model is Theme else record.theme_id)
            if model is Theme:
                # The codes it gathered (_with_codes), named where its codes changed.
                codes.update(record.held)
            if model is Interview:
                respondents.add(record.respondent_id)
                transcripts[record.history_id] = Interview(
                    pk=record.id, **{name: getattr(record, name) for name in NAMING_FIELDS}
                )
            # Only the page's own records are annotated (_memo_interview), not those
            # before them, which are not labelled.
            if model is InterviewMemo and getattr(record, "memo_interview_imported_at", None):
                fields = {n: getattr(record, f"memo_interview_{n}") for n in NAMING_FIELDS}
                respondents.add(fields["respondent_id"])
                memos[record.history_id] = Interview(pk=record.interview_id, **fields)
    # Named as the lists name them (Interview.display_name: its title, "Interview of 3 Mar
    # 2025", "Interview imported 30 Nov 2026 (2)"): one query when one is untitled and
    # undated (interviews_named counts the respondent's interviews of that day that are
    # still in the study), none otherwise.
    interviews_named([*transcripts.values(), *memos.values()])
    return {
        "code": _latest(Code, codes - {None}, "name"),
        "excerpt": _latest(Excerpt, excerpts, "text"),
        "theme": _latest(Theme, themes - {None}, "name"),
        "respondent": _latest(Respondent, respondents, "pseudonym"),
        "interview": transcripts,
        "memo_interview": memos,
    }


def _interview_label(interview: Interview, names) -> str:
    """An interview as the history names it (interview_label), its respondent's pseudonym
    as its newest record has it."""
    return interview_label(interview, names["respondent"].get(interview.respondent_id, ""))


def interview_label(interview: Interview, pseudonym: str) -> str:
    """ "R1 · Interview imported 30 Nov 2026 (2)": `interview` as the history and its bin
    name it, its respondent's `pseudonym` ("" when unknown: the name alone) before the
    lists' name for it (Interview.display_name: give it interviews_named's count), each
    part marked with core.bidi.isolated."""
    name = isolated(interview.display_name)
    return f"{isolated(pseudonym)} · {name}" if pseudonym else name


def _label(model, record, names) -> str:
    """What record of `model` is about, for the history page: a name or the start of a text,
    quoted “…” or marked with core.bidi.isolated, to show through the `bdi` filter."""
    if model in (Code, Theme):
        return f"“{record.name}”"
    if model is Excerpt:
        return f"“{_short(record.text or record.previous_text)}”"
    if model is Coding:
        code = names["code"].get(record.code_id, "a code since erased")
        words = names["excerpt"].get(record.excerpt_id, "")
        return f"“{code}” on “{_short(words)}”"
    if model is Quote:
        theme = names["theme"].get(record.theme_id, "a theme")
        words = names["excerpt"].get(record.excerpt_id, "")
        return f"“{_short(words)}” for “{theme}”"
    # Names that are not quoted are marked: a right-to-left one must not take the words
    # around it to its side when the page shows the label (core.bidi).
    if model is Respondent:
        return isolated(record.pseudonym)
    if model is Interview:
        # As the lists name it: a respondent's two interviews, or an untitled one's name
        # alone, would not say which transcript changed ("R1’s transcript" did not).
        return _interview_label(names["interview"][record.history_id], names)
    if model is InterviewMemo:
        # Named as its transcript's records are: "Memo on a transcript" alone did not say
        # which interview the memo is about.
        interview = names["memo_interview"].get(record.history_id)
        on = _interview_label(interview, names) if interview else "a transcript since erased"
        return f"“{_short(record.body)}” (on {on})"
    # A memo, or a comment.
    where = {
        CodeMemo: ("code", "code_id"),
        ThemeMemo: ("theme", "theme_id"),
        Comment: ("theme", "theme_id"),
    }.get(model)
    on = f" (on “{names[where[0]].get(getattr(record, where[1]), '')}”)" if where else ""
    return f"“{_short(record.body)}”{on}"


def _short(text: str, limit: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _event(model, record, before, names, *, reviewer: bool) -> Event:
    action = {"+": "added", "~": "changed", "-": "deleted"}[record.history_type]
    changes = []
    if record.history_type == "~" and before is not None:
        changes = _changes(model, before, record, names, reviewer=reviewer)
        deleted = [c for c in changes if c.label == "deleted at"]
        if deleted:
            # Read on the record: the change's text of an empty moment is "—", not "".
            action = "deleted" if record.deleted_at is not None else "restored"
            changes = [c for c in changes if c.label not in {"deleted at", "deleted by"}]
    elif record.history_type == "+" and before is not None and before.history_type == "-":
        # Written again under the id it had (a code or theme from the bin, the quotes and
        # memos a theme's restore brings back): not new.
        action = "restored"
    user = record.history_user
    return Event(
        noun=NOUNS[model],
        action=action,
        label=_label(model, record, names),
        who=user.get_username() if user is not None else "",
        when=record.history_date,
        changes=changes,
    )


def _changes(model, before, after, names, *, reviewer: bool) -> list[Change]:
    quiet = QUIET | (WRITERS_ONLY if reviewer else set())
    changes = []
    for tracked in model.history.model.tracked_fields:
        name = tracked.attname
        if name in quiet:
            continue
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        label = str(getattr(tracked, "verbose_name", name)).removesuffix(" id")
        if name == "attributes" and isinstance(old, dict) and isinstance(new, dict):
            # Only the attributes that changed, each by its name, not the two whole dicts.
            changes.extend(_attribute_changes(old, new))
            continue
        if name == "parent_id":
            kind = "code" if model is Code else "theme"
            old, new = names[kind].get(old, "none"), names[kind].get(new, "none")
        elif name == "code_id" and model is Coding:
            old, new = names["code"].get(old, old), names["code"].get(new, new)
        changes.append(Change(label, *_shown(old, new)))
    if model is Theme:
        had, has = before.held, after.held
        if had != has:
            changes.append(
                Change(
                    "codes",
                    ", ".join(sorted(names["code"].get(pk, "?") for pk in had - has)) or "—",
                    ", ".join(sorted(names["code"].get(pk, "?") for pk in has - had)) or "—",
                )
            )
    return changes


def _attribute_changes(old: dict, new: dict) -> list[Change]:
    """A respondent's attributes before and after ({name: value}) as one Change per
    attribute that changed, labelled by its name, in the order the newer dict has them
    (those it lost last): "Gender" “Man” → "removed", "—" → “7” for one added."""
    changes = []
    for key in [*new, *(key for key in old if key not in new)]:
        if old.get(key) == new.get(key) and (key in old) == (key in new):
            continue
        before = f"“{_text(old[key])}”" if key in old else "—"
        after = f"“{_text(new[key])}”" if key in new else "removed"
        changes.append(Change(str(key), before, after))
    return changes


def _text(value) -> str:
    """A field's value as the page writes it: a moment as its "When" column does ("1 Dec
    2026, 14:17", in the server's time zone), a day as "5 May 2025"; "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return date_format(
            timezone.localtime(value) if timezone.is_aware(value) else value, "j M Y, H:i"
        )
    if isinstance(value, date):
        return date_format(value, "j M Y")
    return str(value)


def _shown(old, new) -> tuple[str, str]:
    """Before and after as text (_text); of two long texts, only the part that differs,
    with AROUND code points of context each side (common start and end trimmed, linear
    time)."""
    old, new = _text(old), _text(new)
    if len(old) <= 2 * AROUND and len(new) <= 2 * AROUND:
        return old or "—", new or "—"
    shortest = min(len(old), len(new))
    start = 0
    while start < shortest and old[start] == new[start]:
        start += 1
    end = 0
    while end < shortest - start and old[-1 - end] == new[-1 - end]:
        end += 1
    lead = max(0, start - AROUND)

    def cut(text: str) -> str:
        stop = len(text) - end + AROUND
        return ("…" if lead else "") + text[lead:stop] + ("…" if stop < len(text) else "")

    return cut(old), cut(new)


# The bin: what can be restored --------------------------------------------------------------


@dataclass(frozen=True)
class Restorable:
    """A deleted thing that can come back: its kind ("excerpt", "code", "theme", a memo
    kind), the id its Restore button posts, what it is, who deleted it and when."""

    kind: str
    id: int
    label: str
    where: str
    deleted_by: str
    deleted_at: datetime
    detail: str
    author_id: int | None = None
    # What a memo is about, as the changes name it: its interview (interview_label), its
    # code or its theme (quoted).
    on: str = ""


MEMO_KINDS = {
    "journal": JournalEntry,
    "interview": InterviewMemo,
    "code": CodeMemo,
    "theme": ThemeMemo,
}
_MEMO_STUDY = {
    "journal": "study",
    "interview": "interview__study",
    "code": "code__study",
    "theme": "theme__study",
}


# Restorable things listed on one page of the bin, newest deletion first. The history page
# shows the first page, with how many there are and links to the rest.
BIN_PER_PAGE = 20
LAST_BIN_PAGE = 10**6


def bin_page(study: Study, number: int | None) -> Page:
    """Page `number` (from 1; None or less is the first, past the last the last) of what
    the study's bin holds, newest deletion first, as a Paginator's page of Restorable:
    deleted excerpts, codes, themes and memos.

    Only the page is read: one query (themes.sql.bin_page) gives its keys and how many the
    bin holds, then one query per kind on the page reads its items (two for excerpts, with
    their codes). A page past the last reads the last page's keys again (two queries more).
    """
    # A page number no bin reaches (the form takes any digits) is past the last, not an
    # OFFSET too large for the database's integers.
    number = min(max(1, number or 1), LAST_BIN_PAGE)
    keys, count = sql.bin_page(study.pk, BIN_PER_PAGE, (number - 1) * BIN_PER_PAGE)
    if count is None and number > 1:
        _, count = sql.bin_page(study.pk, 1, 0)
        number = max(1, -(-(count or 0) // BIN_PER_PAGE))
        keys, count = sql.bin_page(study.pk, BIN_PER_PAGE, (number - 1) * BIN_PER_PAGE)
    wanted: dict[str, list[int]] = {}
    for kind, pk in keys:
        wanted.setdefault(kind, []).append(pk)
    found = {}
    for kind, ids in wanted.items():
        for item in _bin_items(study, kind, ids):
            found[(kind, item.key)] = item.restorable
    # The Paginator only counts (a range has a length and holds nothing): the page is read.
    paginator = Paginator(range(count or 0), BIN_PER_PAGE)
    return Page([found[key] for key in keys if key in found], number, paginator)


def _deleted_themes(study: Study) -> QuerySet:
    """The records of the deletion of the study's themes that are in the bin: a theme
    whose newest record is its deletion (as theme_restore requires) and that is not back."""
    later = Theme.history.filter(id=OuterRef("id"), history_id__gt=OuterRef("history_id"))
    return (
        Theme.history.filter(history_study_id=study.pk, history_type="-")
        .exclude(id__in=Theme.objects.filter(study=study).values("pk"))
        .exclude(Exists(later))
    )


@dataclass(frozen=True)
class _Found:
    """A bin item under the key themes.sql.bin_page gave it (a theme's is the history
    record of its deletion, not the theme's id its Restore button posts)."""

    key: int
    restorable: Restorable


def _bin_items(study: Study, kind: str, ids: list[int]) -> list[_Found]:
    """The bin's items of one kind by the ids themes.sql.bin_page gave them (one query; two for
    excerpts)."""
    if kind in ("excerpt", "code"):
        if kind == "excerpt":
            items = coding_bin.excerpt_items(coding_bin.deleted_excerpts(study).filter(pk__in=ids))
        else:
            items = coding_bin.code_items(DeletedCode.objects.filter(study=study, pk__in=ids))
        return [
            _Found(
                item.id,
                Restorable(
                    item.kind,
                    item.id,
                    item.label,
                    item.where,
                    item.deleted_by,
                    item.deleted_at,
                    item.detail,
                ),
            )
            for item in items
        ]
    if kind == "theme":
        records = _deleted_themes(study).filter(history_id__in=ids).select_related("history_user")
        return [
            _Found(
                record.history_id,
                Restorable(
                    "theme",
                    record.id,
                    record.name,
                    "",
                    _user(record.history_user),
                    record.history_date,
                    "its codes, quotes, memos and sub-themes",
                ),
            )
            for record in records
        ]
    model = MEMO_KINDS[kind.removeprefix("memo-")]
    memos = model.objects.filter(
        **{_MEMO_STUDY[kind.removeprefix("memo-")]: study}, deleted_at__isnull=False, pk__in=ids
    ).select_related("author")
    on = {}
    if model in (CodeMemo, ThemeMemo):
        # "Memo on a code" alone did not say which: its code (or theme) is named as the
        # changes name it (_label), read in the same query (the join that finds its study).
        about = "code" if model is CodeMemo else "theme"
        memos = list(memos.select_related(about))
        on = {memo.pk: f"“{getattr(memo, about).name}”" for memo in memos}
    if model is InterviewMemo:
        # "Memo on a transcript" alone did not say which: its interview is named as the
        # changes name it, read in the same query (with its respondent; not its transcript
        # text), and one query more for the "(2)" of a
        # respondent's second untitled, undated interview of a day (interviews_named).
        memos = list(
            memos.select_related("interview__respondent").defer(
                "interview__text", "interview__turns", "interview__respondent__attributes"
            )
        )
        interviews_named([memo.interview for memo in memos])
        on = {
            memo.pk: interview_label(memo.interview, memo.interview.respondent.pseudonym)
            for memo in memos
        }
    return [
        _Found(
            memo.pk,
            Restorable(
                kind,
                memo.pk,
                memo.body,
                NOUNS[model],
                _user(memo.author),
                memo.deleted_at,
                "",
                author_id=memo.author_id,
                on=on.get(memo.pk, ""),
            ),
        )
        for memo in memos
    ]


def _user(user) -> str:
    return user.get_username() if user is not None else "someone since removed"
