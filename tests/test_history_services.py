"""Every service that writes what the history keeps leaves a record of each row it wrote.

simple-history records `save()` and `delete()`; the services also write in bulk
(`bulk_create`, `bulk_update`, `QuerySet.update`), which Excerpta's `RecordedQuerySet`
records itself (interviews/history.py). Each writing service is walked here: every row of
a recorded model is read before and after, and each row created, changed or deleted must
have a new record of that kind whose fields are the row's as it is now, in the row's
study; a theme whose codes changed must have a record holding its codes as they are now.
`test_every_writing_service_is_walked` fails on a service neither walked nor said to
write nothing the history keeps.
"""

from __future__ import annotations

import inspect

import pytest

from coding import autocode, undo
from coding import bin as coding_bin
from coding import services as coding
from coding.models import CodeMemo
from interviews import history
from interviews import memos as memo_services
from interviews import services as interviews
from interviews.models import InterviewMemo, JournalEntry
from themes import services as themes
from themes.models import Theme, ThemeMemo

from .test_revisions import LEAVES_ROLLUP, WALK


def _theme_restore(ctx):
    _comments(ctx)
    themes.theme_delete(theme=ctx["training"])
    ctx["warm"]()
    themes.theme_restore(study=ctx["study"], theme_id=ctx["training"].pk)


def _comments(ctx):
    """A comment, a reply to it, and the thread resolved: the threads a theme's restore
    brings back from the records."""
    training, owner = ctx["training"], ctx["owner"]
    question = themes.comment_add(theme=training, author=owner, body="Why R1 only?")
    themes.comment_add(theme=training, author=owner, body="R2 never said so.", parent=question)
    themes.comment_resolve(comment=question, user=owner)


def _quote_add(ctx):
    themes.quote_add(theme=ctx["at_work"], excerpt=ctx["excerpts"][1])


def _quote_extract(ctx):
    quote = ctx["training"].quotes.first()
    themes.quote_extract_set(quote=quote, extract="About six […]")


def _quote_remove(ctx):
    themes.quote_remove(quote=ctx["training"].quotes.first())


def _quote_move(ctx):
    # Training shows R1's quote and, through its sub-theme At work, R2's excerpt.
    quote = themes.quote_add(theme=ctx["training"], excerpt=ctx["excerpts"][1])
    ctx["warm"]()
    themes.quote_move(quote=quote, delta=-1)


def _memos(ctx):
    """One memo of every kind written, edited, deleted and restored."""
    study, owner = ctx["study"], ctx["owner"]
    targets = [
        (JournalEntry, {"study": study}),
        (InterviewMemo, {"interview": ctx["interviews"][0]}),
        (CodeMemo, {"code": ctx["codes"][0]}),
        (ThemeMemo, {"theme": ctx["training"]}),
    ]
    for model, target in targets:
        memo = memo_services.memo_create(model=model, author=owner, body="First.", **target)
        memo_services.memo_update(memo=memo, author=owner, body="Second.")
        memo_services.memo_delete(memo=memo, author=owner)
        memo_services.memo_restore(memo=memo, author=owner)


HISTORY_WALK = {
    **WALK,
    "theme_restore": _theme_restore,
    "comment_add": _comments,
    "comment_resolve": _comments,
    "quote_add": _quote_add,
    "quote_extract_set": _quote_extract,
    "quote_remove": _quote_remove,
    "quote_move": _quote_move,
    "memo_create": _memos,
    "memo_update": _memos,
    "memo_delete": _memos,
    "memo_restore": _memos,
    # Writes through the services walked above (code_to_bin, code_merge).
    "record_owners": WALK["code_merge"],
}

# Services that write nothing the history keeps, and why.
NO_HISTORY = {
    **{
        name: reason
        for name, reason in LEAVES_ROLLUP.items()
        if reason in {"outside the roll-up", "writes nothing by itself"}
    },
    "memo_text": "reads and checks a memo's text",
    "purge": "erases what waited in the bin past its time, and every record of it: "
    "tests/interviews/test_deidentify_history.py",
}

# Walks that write only what the history does not keep (the protocol and its sections).
OUTSIDE_HISTORY = {
    "question_add",
    "question_update",
    "questions_reorder",
    "question_move",
    "question_delete",
    "segments_detect",
    "segments_set",
}

SERVICE_MODULES = (interviews, coding, themes, coding_bin, undo, autocode, memo_services)


def test_every_writing_service_is_walked():
    public = {
        name
        for module in SERVICE_MODULES
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__ and not name.startswith("_")
    }
    unknown = public - HISTORY_WALK.keys() - NO_HISTORY.keys()
    assert not unknown, f"walk these in HISTORY_WALK or say why in NO_HISTORY: {sorted(unknown)}"


def _state() -> dict:
    """{model: {pk: {attname: value}}} of every recorded model, and each theme's codes."""
    state = {}
    for model in history.recorded_models():
        fields = [field.attname for field in model.history.model.tracked_fields]
        state[model] = {row["id"]: row for row in model._base_manager.values(*fields)}
    state["theme codes"] = {
        theme.pk: {code.pk for code in theme.codes.all()}
        for theme in Theme.objects.prefetch_related("codes")
    }
    return state


def _last_ids() -> dict:
    return {
        model: model.history.order_by("-history_id").values_list("history_id", flat=True).first()
        or 0
        for model in history.recorded_models()
    }


@pytest.mark.parametrize("service", sorted(HISTORY_WALK))
def test_the_service_leaves_a_record_of_every_row_it_wrote(service, study, owner, themed):
    before, since = {}, {}

    def warm():
        # Some walks write first (a deletion to restore, say): compare from there.
        before.update(_state())
        since.update(_last_ids())

    warm()
    HISTORY_WALK[service]({**themed, "study": study, "owner": owner, "warm": warm})
    after = _state()
    written = 0
    for model in history.recorded_models():
        records = {}
        for record in model.history.filter(history_id__gt=since[model]).order_by("history_id"):
            records[record.id] = record  # the newest record of each row
        old, new = before[model], after[model]
        for pk in old.keys() | new.keys():
            if old.get(pk) == new.get(pk):
                continue
            written += 1
            record = records.get(pk)
            assert record is not None, f"{model.__name__} {pk} was written without a record"
            assert record.history_study_id == study.pk, (model, pk)
            if pk not in new:
                assert record.history_type == "-", (model, pk)
                continue
            assert record.history_type == ("+" if pk not in old else "~") or (
                pk not in old and record.history_type == "~"
            ), (model, pk, record.history_type)
            as_recorded = {name: getattr(record, name) for name in new[pk]}
            assert as_recorded == new[pk], f"{model.__name__} {pk}: the record is not the row"
    themes_now = after["theme codes"]
    for pk, codes in themes_now.items():
        if codes != before["theme codes"].get(pk):
            written += 1
            record = Theme.history.filter(id=pk).order_by("-history_id").first()
            assert record.history_id > since[Theme], f"theme {pk}'s codes changed unrecorded"
            assert {row.code_id for row in record.codes.all()} == codes, f"theme {pk}'s codes"
    assert bool(written) != (service in OUTSIDE_HISTORY), f"{written} rows written"
