"""`Model.history` of every recorded model (interviews.history): its manager class is made
once, not on every access, and it still reads the records of a model or of one row."""

from __future__ import annotations

from coding.models import Code, Excerpt
from interviews import history


def test_the_history_manager_class_is_made_once_per_model():
    # simple-history's own descriptor builds a new manager class on every access, which
    # every record written pays for (Manager.from_queryset inspects the queryset's methods).
    for model in history.recorded_models():
        assert type(model.history) is type(model.history), model.__name__


def test_the_history_still_reads_a_models_and_a_rows_records(code):
    assert Code.history.filter(id=code.pk).count() == 1
    assert code.history.get().name == code.name
    assert code.history.get().history_type == "+"
    assert not Excerpt.history.exists()
