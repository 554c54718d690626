"""interviews.history.records_insert, the one way Excerpta writes history records by hand
(bulk writes, imports, a coded selection): a record it writes is the record
django-simple-history writes on save() and delete(), field for field, and the history page
reads it the same: who, when, why, what was done and to what.

The rows here are saved with Model.save() on purpose (not through the services): that is
the path simple-history records itself, which the helper must match."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone
from simple_history.models import HistoricalRecords

from coding.models import Code, Coding, Excerpt
from interviews import history
from tests.conftest import import_text, span_of
from themes import services as themes
from themes.history import HistoryFilter, history_page

MOMENT = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
MODELS = (Code, Excerpt, Coding)


@contextmanager
def _request_of(user):
    """As simple-history's middleware does while it serves a request of `user`."""
    request = RequestFactory().post("/")
    request.user = user
    HistoricalRecords.context.request = request
    try:
        yield
    finally:
        del HistoricalRecords.context.request


def _work(study, interview, owner, by_hand: str | None) -> None:
    """A code made and renamed, an excerpt made and coded with it, the code taken off again.
    Each step's record is written by simple-history (`by_hand` None), or by records_insert
    from the instance ("objs") or copied from its row ("rows"). Fixed ids, so that both
    ways leave rows of the same ids."""

    def write(obj, history_type: str) -> None:
        model = type(obj)
        if by_hand == "objs":
            history.records_insert(model, history_type, objs=[obj])
        elif by_hand == "rows":
            rows = model._base_manager.filter(pk=obj.pk)
            history.records_insert(model, history_type, rows=rows)

    def save(obj, history_type: str) -> None:
        if by_hand:
            obj.save_without_historical_record()
        else:
            obj.save()
        write(obj, history_type)

    # The dates given: a field's default (timezone.now) was taken before the test's clock.
    code = Code(id=9001, study=study, name="Support", colour="#1f77b4", created_at=MOMENT)
    save(code, "+")
    code.name = "Peer support"
    save(code, "~")
    start, end = span_of(interview, "the ones nobody else will see")
    text = interview.text[start:end]
    excerpt = Excerpt(id=9002, interview=interview, coder=owner, start=start, end=end, text=text)
    excerpt.created_at = excerpt.updated_at = MOMENT
    save(excerpt, "+")
    coding = Coding.of(excerpt=excerpt, code_id=code.pk, coder=owner)
    coding.pk, coding.created_at = 9003, MOMENT
    save(coding, "+")
    if by_hand:
        # Recorded before the row goes (a row must be there to be copied), then deleted
        # with simple-history off, which would record it too.
        write(coding, "-")
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            coding.delete()
    else:
        coding.delete()


def _written(study) -> tuple[list, dict]:
    """The study's history page (its events), and every record's columns but its own id."""
    events = history_page(study, HistoryFilter(), reviewer=False).events
    # The import's records (the transcript, its respondent) are the same in both runs.
    events = [event for event in events if event.when == MOMENT]
    records = {}
    for model in MODELS:
        rows = model.history.filter(history_study_id=study.pk).order_by("history_id").values()
        records[model.__name__] = [
            {key: value for key, value in row.items() if key != "history_id"} for row in rows
        ]
    return events, records


@pytest.mark.parametrize("by_hand", ["objs", "rows"])
def test_a_record_written_by_hand_is_the_one_simple_history_writes(
    study, owner, by_hand, monkeypatch
):
    interview = import_text(study)
    monkeypatch.setattr(timezone, "now", lambda: MOMENT)
    with transaction.atomic():
        with _request_of(owner), history.because("Checked with the team"):
            _work(study, interview, owner, by_hand=None)
        expected = _written(study)
        transaction.set_rollback(True)
    events, records = expected
    assert sorted((event.noun, event.action) for event in events) == [
        ("Code", "added"),
        ("Code", "changed"),
        ("Code on an excerpt", "added"),
        ("Code on an excerpt", "deleted"),
        ("Excerpt", "added"),
    ]
    assert {event.who for event in events} == {owner.username}
    assert {event.when for event in events} == {MOMENT}
    assert records["Code"][1]["history_change_reason"] == "Checked with the team"
    assert records["Coding"][1]["history_type"] == "-"

    with _request_of(owner), history.because("Checked with the team"):
        _work(study, interview, owner, by_hand=by_hand)
    assert _written(study) == expected


@pytest.mark.parametrize("by_hand", ["objs", "rows"])
def test_outside_a_request_a_record_by_hand_has_no_user(study, by_hand):
    interview = import_text(study)
    code = Code.objects.create(study=study, name="Support")
    Code.history.all().delete()
    if by_hand == "objs":
        history.records_insert(Code, "~", objs=[code])
    else:
        history.records_insert(Code, "~", rows=Code.objects.filter(study=study))
    [record] = Code.history.all()
    assert (record.history_user, record.history_type, record.history_change_reason) == (
        None,
        "~",
        "",
    )
    assert record.history_study_id == interview.study_id


def test_the_rows_of_a_queryset_are_copied_in_one_statement(
    study, owner, django_assert_num_queries
):
    interview = import_text(study)
    code = Code.objects.create(study=study, name="Support")
    words = ("About six years", "never looked back", "Café regulars")
    excerpts = []
    for n, phrase in enumerate(words):
        start, end = span_of(interview, phrase)
        text = interview.text[start:end]
        excerpts.append(
            Excerpt(id=9100 + n, interview=interview, coder=owner, start=start, end=end, text=text)
        )
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        Excerpt.all_objects.bulk_create(excerpts)
        Coding.objects.bulk_create(
            Coding.of(excerpt=excerpt, code_id=code.pk, coder=owner) for excerpt in excerpts
        )
    # The INSERT ... SELECT of the records, the study of each found through the join.
    with django_assert_num_queries(1):
        history.records_insert(Coding, "+", rows=Coding.objects.filter(code=code))
    records = Coding.history.order_by("excerpt_id")
    assert [(r.excerpt_id, r.history_study_id) for r in records] == [
        (excerpt.pk, study.pk) for excerpt in excerpts
    ]


def test_nothing_is_written_with_the_history_off(study, settings):
    code = Code.objects.create(study=study, name="Support")
    Code.history.all().delete()
    settings.SIMPLE_HISTORY_ENABLED = False
    history.records_insert(Code, "+", objs=[code])
    history.records_insert(Code, "+", rows=Code.objects.all())
    assert not Code.history.exists()


def test_what_cannot_be_written_by_hand_is_refused(study):
    code = Code.objects.create(study=study, name="Support")
    with pytest.raises(ValueError, match="none of"):
        history.records_insert(Code, "*", objs=[code])
    with pytest.raises(ValueError, match="not both"):
        history.records_insert(Code, "+", objs=[code], rows=Code.objects.all())
    with pytest.raises(ValueError, match="give the objects or the rows"):
        history.records_insert(Code, "+")
    history.records_insert(Code, "+", objs=[])  # no objects, no records
    assert Code.history.count() == 1
    theme = themes.theme_create(study=study, name="Training")
    with pytest.raises(ValueError, match="keep links"):
        history.records_insert(type(theme), "~", objs=[theme])
