"""Who changed what, when, before and after: the history of a study's data.

django-simple-history keeps a historical table beside each model that `Recorded` is given
to (codes, excerpts, codings, themes with their codes, quotes, every kind of memo,
respondents, interviews) and writes a record on every `save()` and `delete()`, with the
user of the request (its middleware). Chosen over django-pghistory, whose records come
from PostgreSQL triggers: Excerpta's default database is SQLite, embedded on a laptop.

simple-history sees only `save()` and `delete()`; the services also write with
`bulk_create`, `bulk_update` and `QuerySet.update()`, which send no signal. So each
recorded model's managers use `RecordedQuerySet`, whose bulk writes add the records
themselves: every write, whichever way it is made, leaves its record
(tests/test_history_services.py walks every writing service and compares the tables).

Each record carries the study it belongs to (`history_study_id`), so that the history page
of a study reads its records by one index however the thing was deleted since.
"""

from __future__ import annotations

import contextvars
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from itertools import accumulate

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast, Coalesce, Length
from django.utils import timezone
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords

from . import sql

# Model -> the Recorded that keeps its history (filled as each model class is prepared).
REGISTRY: dict[type[models.Model], Recorded] = {}
# (model label, pk) -> study id, for rows whose study is reached through a parent: a row
# never changes study (an interview, a theme, a code; an excerpt its interview), and the
# id of a committed row is never given to another (AUTOINCREMENT on SQLite, sequences on
# PostgreSQL), so the answers hold for the life of the process. Only committed rows are
# kept here: the id of a row made in a transaction that rolls back is given again (SQLite),
# maybe to a row of another study. Rows of the current transaction are kept apart, on the
# connection, until it commits. Bounded: cleared when it grows past _STUDY_OF_MAX.
_STUDY_OF: dict[tuple[str, int], int] = {}
_STUDY_OF_MAX = 50_000


# Why the records written meanwhile were written, when a service says (see `because`).
_REASON: contextvars.ContextVar[str] = contextvars.ContextVar("history_reason", default="")


@contextmanager
def because(reason: str) -> Iterator[None]:
    """Give the records written inside the block `reason` (at most 100 characters) as
    their change reason: "with theme 12" tells the rows a theme's deletion took with it."""
    token = _REASON.set(reason[:100])
    try:
        yield
    finally:
        _REASON.reset(token)


# Who the records written meanwhile are by, outside a request (see `acting_as`).
_ACTING: contextvars.ContextVar = contextvars.ContextVar("history_user", default=None)


@contextmanager
def acting_as(user) -> Iterator[None]:
    """Attribute the records written inside the block to `user` (a User), for work done
    for someone outside a request: the demo study's loader works as its owner, so that its
    history says who made each change as the researcher's own would."""
    token = _ACTING.set(user)
    try:
        yield
    finally:
        _ACTING.reset(token)


class StudyScopedHistory(models.Model):
    """What every historical table adds to simple-history's: the record's study."""

    history_study_id = models.PositiveIntegerField(null=True)

    class Meta:
        abstract = True


class Recorded(HistoricalRecords):
    """simple-history's HistoricalRecords, with the record's study filled in.

    `study` names how an instance reaches its study id: "study_id", or "<fk>_id" of a
    parent model that is itself recorded ("interview_id": the interview's study), or
    several of those (see study_of).
    """

    def __init__(self, *, study: str | tuple[str, ...], **kwargs):
        kwargs.setdefault("bases", [StudyScopedHistory])
        super().__init__(**kwargs)
        self.study_path = study

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if hasattr(sender._meta, "simple_history_manager_attribute") and not (
            sender._meta.abstract
        ):
            REGISTRY[sender] = self
            descriptor = vars(sender).get(self.manager_name)
            if type(descriptor) is HistoryDescriptor:
                setattr(sender, self.manager_name, _ManagerMadeOnce(descriptor))

    def get_meta_options(self, model):
        meta = super().get_meta_options(model)
        # The history page reads one study's records newest first, in the order of this
        # index to the last column: a bulk write gives thousands of records one
        # history_date, and without history_id here each page sorted every record of a
        # date (a temporary B-tree; 0.11 s for the benchmark study's first page).
        name = f"h_{model._meta.model_name[:12]}_study_newest"
        fields = ["history_study_id", "-history_date", "-history_id"]
        meta["indexes"] = [models.Index(fields=fields, name=name)]
        return meta

    def study_of(self, instance) -> int | None:
        return study_of(instance, self.study_path)

    def get_change_reason_for_object(self, instance, history_type, using):
        return super().get_change_reason_for_object(instance, history_type, using) or (
            _REASON.get()
        )

    def get_history_user(self, instance):
        return _ACTING.get() or super().get_history_user(instance)

    def create_historical_record(self, instance, history_type, using=None):
        instance._history_study_id = self.study_of(instance)
        super().create_historical_record(instance, history_type, using=using)


class _ManagerMadeOnce(HistoryDescriptor):
    """simple-history's `Model.history`, whose manager class is made once. simple-history
    makes it anew on every access (Manager.from_queryset, which inspects every method of
    the queryset class): 0.56 ms an access, and every record written takes one."""

    def __init__(self, descriptor: HistoryDescriptor):
        super().__init__(descriptor.model, descriptor.manager_class, descriptor.queryset_class)
        self.manager = self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self.manager(self.model, instance)


def _fill_study(sender, history_instance, instance, **kwargs):
    study_id = getattr(instance, "_history_study_id", None)
    if study_id is not None:
        history_instance.history_study_id = study_id


def connect() -> None:
    """Fill each record's study as simple-history creates it (called from ready())."""
    from simple_history.signals import pre_create_historical_record

    pre_create_historical_record.connect(_fill_study, dispatch_uid="history_study")


def study_of(instance, path: str | tuple[str, ...]) -> int | None:
    """The study id of `instance` along `path`: "study_id", or "<parent>_id", or several
    parents tried in turn (the first already loaded on the instance answers; else the last
    is looked up). One query for a parent not seen before in this process, none after."""
    paths = (path,) if isinstance(path, str) else path
    if paths == ("study_id",):
        return instance.study_id
    for name in paths:
        field = instance._meta.get_field(name.removesuffix("_id"))
        if getattr(instance, name) is not None and field.is_cached(instance):
            parent = getattr(instance, field.name)
            if not parent.get_deferred_fields():
                return REGISTRY[field.related_model].study_of(parent)
    field = instance._meta.get_field(paths[-1].removesuffix("_id"))
    parent_id = getattr(instance, paths[-1])
    return None if parent_id is None else _parent_study(field.related_model, parent_id)


def _pending() -> dict[tuple[str, int], int]:
    """The answers found in the current transaction, kept until it commits. The list of
    on-commit callbacks is a new object after every commit and rollback (a savepoint's
    too): while it is the same, so is the transaction."""
    owner, found = getattr(connection, "_history_studies", (None, {}))
    if owner is not connection.run_on_commit:
        found = {}
        connection._history_studies = (connection.run_on_commit, found)
        transaction.on_commit(lambda: _keep(found))
    return found


def _keep(found: dict[tuple[str, int], int]) -> None:
    if len(_STUDY_OF) > _STUDY_OF_MAX:
        _STUDY_OF.clear()
    _STUDY_OF.update(found)


def _parent_study(model: type[models.Model], pk: int) -> int | None:
    key = (model._meta.label, pk)
    if key in _STUDY_OF:
        return _STUDY_OF[key]
    pending = _pending() if connection.in_atomic_block else None
    if pending is not None and key in pending:
        return pending[key]
    recorded = REGISTRY[model]
    row = model._base_manager.filter(pk=pk).first()
    if row is not None:
        study_id = recorded.study_of(row)
    else:
        # Deleted since (a code in the bin): its own history still knows.
        study_id = (
            model.history.filter(id=pk)
            .exclude(history_study_id=None)
            .values_list("history_study_id", flat=True)
            .first()
        )
    if study_id is not None:
        if pending is None:
            _keep({key: study_id})
        else:
            pending[key] = study_id
    return study_id


def erase_respondent_history(respondent_id: int, erased: dict[str, set[int]]) -> None:
    """After an erasure: delete every record of the respondent, of their interviews (the
    ones erased: an interview moved to another respondent since stays) and of the memos
    on those. Adds the interviews' ids to `erased` for the apps above."""
    from .models import Interview, InterviewMemo, Respondent

    Respondent.history.filter(id=respondent_id).delete()
    ever = set(Interview.history.filter(respondent_id=respondent_id).values_list("id", flat=True))
    gone = ever - set(Interview.objects.filter(pk__in=ever).values_list("pk", flat=True))
    Interview.history.filter(id__in=gone).delete()
    InterviewMemo.history.filter(interview_id__in=gone).delete()
    erased[Interview._meta.label] = gone


# What history_scrub reads at a time: at most SCRUB_CHUNK records, and no more records once
# their texts reach SCRUB_CHUNK_LENGTH code points. A transcript's record holds its whole text
# (8,000 words, 45,000 code points; up to 4 bytes each in memory when it has an emoji), an
# excerpt's a few hundred: a read by count alone was either 100 records, and 950 queries
# for the benchmark's default-scale study (their building took 3.5 of the 16 s of a
# profiled de-identification), or too large for transcripts.
SCRUB_CHUNK = 5_000
SCRUB_CHUNK_LENGTH = 2_000_000


def history_scrub(
    *, study_id: int, scrub: Callable[[str], str], finds: Callable[[str], Iterable[int]]
) -> int:
    """Rewrite every text field of the study's history records through `scrub` (a
    de-identification's replacements), and every string of their JSON fields (a
    respondent's attributes, names and values): a name taken out of a transcript, an
    excerpt, a quote or a memo, or out of a field the researcher typed, must not live on in
    the records of how they were. `finds` gives the
    start (code points) of each string `scrub` would replace in a text, which holds no
    match across a NUL character (listed strings hold no control characters). Returns how
    many records changed.

    Per recorded model: one query for the ids of the study's records and the length of
    their texts, then per chunk of them (SCRUB_CHUNK records, SCRUB_CHUNK_LENGTH code
    points of text) one read of their text columns and (when some changed) one write of
    those that changed (interviews.sql, a prepared statement run per row). A chunk's texts
    are searched at once, joined by NUL characters: only the records holding a string
    are scrubbed. Memory stays that of one chunk whatever the history's length.
    """
    # Imported here: deidentify imports the models, which import this module.
    from .deidentify import json_strings, scrub_json

    changed = 0
    db = connections[DEFAULT_DB_ALIAS]
    for model in recorded_models():
        historical = model.history.model
        fields = [
            field
            for field in historical._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
            and field.attname not in ("history_type",)
        ]
        texts = [field.attname for field in fields]
        # A JSON column (a respondent's attributes: their names and values, typed by the
        # researcher) is measured as its text, searched as its strings (json_strings) and
        # scrubbed string by string (scrub_json).
        json = [isinstance(field, models.JSONField) for field in fields]
        measured = [
            Cast(name, TextField()) if j else name for name, j in zip(texts, json, strict=True)
        ]
        length = sum((Coalesce(Length(name), 0) for name in measured), Value(0))
        records = historical.objects.filter(history_study_id=study_id)
        for first, last in _chunks(records.order_by("pk").values_list("pk", length)):
            rows = list(records.filter(pk__gte=first, pk__lte=last).values_list("pk", *texts))
            searched = rows
            if any(json):
                searched = [
                    (pk, *(json_strings(v) if j else v for v, j in zip(values, json, strict=True)))
                    for pk, *values in rows
                ]
            batch = []
            for index in _holding(searched, finds):
                pk, *values = rows[index]
                scrubbed = [
                    (scrub_json(value, scrub) if j else scrub(value)) if value else value
                    for value, j in zip(values, json, strict=True)
                ]
                if scrubbed != values:
                    prepared = [
                        field.get_db_prep_save(value, db) if j else value
                        for field, value, j in zip(fields, scrubbed, json, strict=True)
                    ]
                    batch.append((*prepared, pk))
            sql.history_texts_set(historical._meta.db_table, texts, batch)
            changed += len(batch)
    return changed


# A record whose texts are this long (code points) or longer is scrubbed without being
# searched first (a transcript's, which holds the names anyway): _holding searches the others.
SEARCHED_UNDER = 2_000


def _holding(rows: list[tuple], finds: Callable[[str], Iterable[int]]) -> list[int]:
    """The indexes in `rows` ((pk, text, ...) tuples) of those whose texts may hold a string
    `finds` finds: the long ones (SEARCHED_UNDER), and those of the others that do, their
    texts searched as one, joined by NUL characters (one search of a chunk instead of a
    call per text: 143,500 texts at the benchmark's default scale)."""
    long, short = [], []
    for index, (_, *texts) in enumerate(rows):
        if sum(len(text) for text in texts if text) >= SEARCHED_UNDER:
            long.append(index)
        else:
            short.append(index)
    values = [value or "" for index in short for value in rows[index][1:]]
    if not values:
        return long
    # Where each text's share of the joined one ends, its NUL included.
    ends = list(accumulate(len(value) + 1 for value in values))
    per_row = len(values) // len(short)
    found = {short[bisect_right(ends, start) // per_row] for start in finds("\0".join(values))}
    return sorted(found.union(long))


def _chunks(sizes: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The (first, last) ids of consecutive runs of `sizes` ((id, length), ids ascending):
    at most SCRUB_CHUNK ids a run, and a run ends with the id that brings its length to
    SCRUB_CHUNK_LENGTH or more."""
    first = last = None
    count = total = 0
    for pk, length in sizes:
        if first is None:
            first = pk
        last, count, total = pk, count + 1, total + length
        if count >= SCRUB_CHUNK or total >= SCRUB_CHUNK_LENGTH:
            yield first, last
            first, count, total = None, 0, 0
    if first is not None:
        yield first, last


def current_user():
    """The user named by `acting_as`, else the logged-in user of the request being served
    (simple-history's middleware keeps it), else None (a command, a test calling
    services)."""
    if (acting := _ACTING.get()) is not None:
        return acting
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def stamp() -> tuple[datetime, str, int | None] | None:
    """What a record written now carries besides its row: (its date, the change reason
    given by `because`, the id of the request's user or None); None when the history is
    off (SIMPLE_HISTORY_ENABLED = False)."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return None
    user = current_user()
    return timezone.now(), _REASON.get(), user.pk if user is not None else None


def record(objs: Iterable[models.Model], history_type: str) -> None:
    """Write a record of each of `objs` (instances of one recorded model, as they are now):
    "+" created, "~" changed, "-" deleted. One INSERT for plain models (records_insert); a
    model that keeps its many-to-many links in its records (a theme's codes) takes two
    more queries whatever the number of objects: its links read, and their records
    inserted (as simple-history writes them, a link record per link of each record)."""
    objs = list(objs)
    if not objs or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    model = type(objs[0])._meta.concrete_model
    recorded = REGISTRY[model]
    if not recorded.m2m_fields:
        records_insert(model, history_type, objs=objs)
        return
    user = current_user()
    historical = model.history.model
    rows = []
    for obj in objs:
        row = historical(
            history_type=history_type,
            history_user=user,
            history_change_reason=_REASON.get(),
            history_study_id=recorded.study_of(obj),
            **{field.attname: getattr(obj, field.attname) for field in historical.tracked_fields},
        )
        rows.append(row)
    now = timezone.now()
    for row in rows:
        row.history_date = now
    historical.objects.bulk_create(rows)
    for field in recorded.m2m_fields:
        _record_links(recorded, field, rows)


# What a record says was done to its row, as simple-history writes it in history_type.
HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
# The columns a record holds besides its row's (simple-history's, and the study).
_STAMP = ("history_date", "history_change_reason", "history_type", "history_user_id")


def records_insert(
    model: type[models.Model],
    history_type: str,
    *,
    objs: Iterable[models.Model] | None = None,
    rows: models.QuerySet | None = None,
) -> None:
    """Write history records of rows of `model` by hand, as django-simple-history writes
    them on save() and delete(): the one way Excerpta writes records without save() (bulk
    writes, imports, a coded selection). Each record holds

    - the row's fields that simple-history keeps (`tracked_fields`: all but those the
      model's Recorded excludes), as they are now;
    - history_type: `history_type`, "+" created, "~" changed or "-" deleted;
    - history_date: the moment of this call (timezone.now(), one for every record);
    - history_user_id: the logged-in user of the request being served (current_user), or
      NULL outside a request (a command, a test calling services);
    - history_change_reason: the innermost `because`, else "";
    - history_study_id: the row's study, found along its Recorded's `study` path.

    The rows are either `objs`, instances of `model` in memory (each value prepared by its
    field as the ORM would; a row deleted meanwhile or never saved is recorded as given),
    or `rows`, a QuerySet of `model` whose rows the database copies as stored (INSERT ...
    SELECT: for many rows just written, which nothing in memory holds whole). One
    statement (interviews.sql: one prepared INSERT run per object, or one INSERT ...
    SELECT); none for no objects, or when the history is off (SIMPLE_HISTORY_ENABLED =
    False). Raises ValueError for another history_type, for both or neither of `objs` and
    `rows`, and for a model whose records keep many-to-many links (a theme: see record).
    """
    if history_type not in HISTORY_TYPES:
        raise ValueError(f"history_type {history_type!r} is none of + ~ -.")
    if (objs is None) == (rows is None):
        raise ValueError("records_insert: give the objects or the rows to record, not both.")
    objs = list(objs) if objs is not None else []
    recorded = REGISTRY[model]
    if recorded.m2m_fields:
        raise ValueError(f"{model.__name__}'s records keep links: write them with record().")
    written = stamp()
    if written is None or (rows is None and not objs):
        return
    date, reason, user_id = written
    table, tracked, columns, fields = _record_columns(model)
    if rows is not None:
        # The stamp's values as expressions of the SELECT, typed by the record's fields,
        # so that each database gets them as it stores them (a date as SQLite's text).
        constants = [
            models.Value(value, output_field=field)
            for field, value in zip(
                fields[len(tracked) : -1], (date, reason, history_type, user_id), strict=True
            )
        ]
        select = rows.order_by().values_list(*tracked, *constants, _study_lookup(model))
        sql.history_records_copy(table, columns, *select.query.sql_with_params())
        return
    stamped = (date, reason, history_type, user_id)
    # The connection itself, not django.db.connection, whose every attribute is looked up
    # through a thread-local: a third of the time of preparing a record's values.
    db = connections[DEFAULT_DB_ALIAS]
    prepared = []
    for obj in objs:
        values = [getattr(obj, name) for name in tracked]
        values += [*stamped, recorded.study_of(obj)]
        prepared.append(
            tuple(f.get_db_prep_save(v, db) for f, v in zip(fields, values, strict=True))
        )
    sql.history_records_insert(table, columns, prepared)


@cache
def _record_columns(model: type[models.Model]) -> tuple[str, list[str], list[str], list]:
    """What a record of `model` is written into: (its historical table, the attnames of
    the row's fields it keeps, its columns in the order records_insert gives them, their
    fields)."""
    historical = model.history.model
    tracked = [field.attname for field in historical.tracked_fields]
    names = [*tracked, *_STAMP, "history_study_id"]
    fields = [historical._meta.get_field(name) for name in names]
    return historical._meta.db_table, tracked, [f.column for f in fields], fields


def _study_lookup(model: type[models.Model]) -> str:
    """The ORM lookup from a row of `model` to its study's id ("interview__study_id"),
    along the last of its Recorded's paths (the one study_of looks up)."""
    path = REGISTRY[model].study_path
    last = path if isinstance(path, str) else path[-1]
    if last == "study_id":
        return last
    field = model._meta.get_field(last.removesuffix("_id"))
    return f"{field.name}__{_study_lookup(field.related_model)}"


def _record_links(recorded: Recorded, field, rows: list[models.Model]) -> None:
    """The link records of `rows` (records just inserted, with their ids) for the
    many-to-many `field`: each record holds the links its object has now, as
    simple-history's create_historical_record_m2ms writes them, for all rows at once."""
    through = field.remote_field.through
    source = field.m2m_field_name()
    links = through.objects.filter(**{f"{source}__in": [row.id for row in rows]})
    by_object: dict[int, list] = {}
    for link in links:
        by_object.setdefault(getattr(link, f"{source}_id"), []).append(link)
    link_history = recorded.m2m_models[field]
    names = [f.attname for f in through._meta.concrete_fields]
    link_history.objects.bulk_create(
        link_history(history=row, **{name: getattr(link, name) for name in names})
        for row in rows
        for link in by_object.get(row.id, [])
    )


def record_changed(model: type[models.Model], pks: Iterable[int]) -> None:
    """Record the rows `pks` of `model` as they are now ("~"): one query to read them, then
    as `record`. Rows that no longer exist are skipped."""
    pks = list(pks)
    if pks and model in REGISTRY:
        record(model._base_manager.filter(pk__in=pks), "~")


# Set while RecordedQuerySet.bulk_update runs Django's, whose UPDATEs go through update().
_BULK_UPDATING: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "history_bulk_updating", default=False
)


class RecordedQuerySet(models.QuerySet):
    """A QuerySet whose bulk writes leave history records, as save() and delete() do.

    - bulk_create: one INSERT of records after the rows' (their ids are known on SQLite and
      PostgreSQL). With ignore_conflicts the ids are not known: refused.
    - bulk_update: one INSERT of records of the objects as given (read again first, in one
      query, when they were read in part): one record each.
    - update: the rows are read (locked, on PostgreSQL) before, updated, read again and
      recorded: three queries more than a bare UPDATE.
    - delete: Django's deletion sends post_delete for each row of a recorded model (so it
      reads them first), and simple-history records each one.
    """

    def bulk_create(self, objs, *args, **kwargs):
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise ValueError(
                f"{self.model.__name__}: bulk_create with conflicts left unknown cannot be "
                "recorded in the history; create only rows that are new."
            )
        created = super().bulk_create(objs, *args, **kwargs)
        record(created, "+")
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        # Django's bulk_update writes through update() on a copy of this queryset, which
        # would record every row a first time (reading it twice): the objects are recorded
        # once, below.
        token = _BULK_UPDATING.set(True)
        try:
            updated = super().bulk_update(objs, fields, *args, **kwargs)
        finally:
            _BULK_UPDATING.reset(token)
        if any(obj.get_deferred_fields() for obj in objs):
            # Read partly (.only()): the rows are read again whole, in one query.
            record_changed(self.model, [obj.pk for obj in objs])
        else:
            record(objs, "~")
        return updated

    def update(self, **kwargs):
        if _BULK_UPDATING.get():
            return super().update(**kwargs)
        rows = self
        if connection.in_atomic_block and connection.features.has_select_for_update_of:
            # Held until the write commits: the rows recorded are the rows updated.
            rows = rows.select_for_update(of=("self",))
        pks = list(rows.values_list("pk", flat=True))
        if not pks:
            return 0
        updated = super().update(**kwargs)
        record_changed(self.model, pks)
        return updated

    update.alters_data = True


@cache
def recorded_models() -> tuple[type[models.Model], ...]:
    """Every model whose history is kept, in app order."""
    return tuple(model for model in apps.get_models() if model in REGISTRY)
