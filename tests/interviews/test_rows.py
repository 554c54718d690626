"""fetch_one builds the instance Model.objects.raw() builds, only faster: checked field by
field, converted values included (dates, JSON), on whichever database the suite runs."""

from __future__ import annotations

import gc
import threading
import weakref

import pytest
from django.contrib.auth import get_user_model
from django.db import connections

from coding.models import Excerpt
from interviews import access
from interviews.models import Interview, Study
from interviews.rows import fetch_one


def field_values(instance):
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
        if field.attname not in instance.get_deferred_fields()
    }


def both(model, sql, params):
    expected = next(iter(model.objects.raw(sql, params)), None)
    got = fetch_one(model, sql, params)
    return expected, got


def test_a_study_with_the_members_role(study, owner):
    expected, got = both(Study, access._STUDY_FOR_USER, [study.slug, owner.pk])
    assert type(got) is Study
    assert field_values(got) == field_values(expected)
    assert got.member_role == expected.member_role == "owner"
    assert got.created_at.tzinfo is not None
    assert got._state.adding is False
    assert got._state.db == "default"


@pytest.mark.parametrize("columns", [access._ALL_COLUMNS, access._WITHOUT_TEXT])
def test_an_interview_whole_or_without_its_text(interview, columns):
    sql = access._INTERVIEW_IN_STUDY.format(columns=columns)
    expected, got = both(Interview, sql, [interview.pk, interview.study_id])
    assert field_values(got) == field_values(expected)
    assert got.get_deferred_fields() == expected.get_deferred_fields()
    if columns == access._ALL_COLUMNS:
        assert got.turns == interview.turns, "JSON comes back decoded"
        assert got.text == interview.text
    else:
        assert got.get_deferred_fields() == {"text", "turns"}


def test_an_excerpt_and_a_user(excerpt, owner):
    expected, got = both(Excerpt, "SELECT * FROM coding_excerpt WHERE id = %s", [excerpt.pk])
    assert field_values(got) == field_values(expected)
    user_model = get_user_model()
    table = user_model._meta.db_table
    expected, got = both(user_model, f"SELECT * FROM {table} WHERE id = %s", [owner.pk])
    assert field_values(got) == field_values(expected)
    assert got.check_password("pw-" + owner.username)


def test_no_row_is_none(db):
    assert fetch_one(Study, "SELECT * FROM interviews_study WHERE id = %s", [-1]) is None


def test_a_query_without_the_primary_key_is_refused(study):
    with pytest.raises(ValueError, match="primary key"):
        fetch_one(Study, "SELECT slug FROM interviews_study", [])


def test_columns_in_any_order_land_in_their_fields(study):
    sql = "SELECT title, slug, id FROM interviews_study WHERE id = %s"
    got = fetch_one(Study, sql, [study.pk])
    assert (got.pk, got.slug, got.title) == (study.pk, study.slug, study.title)
    assert "description" in got.get_deferred_fields()


def test_a_column_named_twice_is_refused(study):
    with pytest.raises(ValueError, match="twice"):
        fetch_one(Study, "SELECT id, slug, slug FROM interviews_study", [])


def test_plans_do_not_outlive_their_connection(db):
    """Each server thread has its own connection; closed ones must not pile up in memory
    (runserver opens a thread per request)."""
    seen = []

    def in_a_thread():
        wrapper = connections["default"]
        # No table: the test's own transaction keeps its rows from other connections. JSON
        # and a date, for a plan that holds converters (on SQLite, bound to the connection).
        sql = """SELECT 7 AS id, '["Agency"]' AS attribute_schema,
                        '2026-11-27 10:00:00' AS created_at"""
        study = fetch_one(Study, sql, [])
        assert (study.pk, study.attribute_schema) == (7, ["Agency"])
        seen.append(weakref.ref(wrapper))
        wrapper.close()

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    gc.collect()

    assert len(seen) == 1
    assert seen[0]() is None
