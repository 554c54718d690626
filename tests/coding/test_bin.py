"""coding.bin: deleted codes and excerpts wait in the bin, come back with their links, and
are erased after the retention the setting EXCERPTA_BIN_DAYS gives."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from coding import bin, services, undo
from coding import services as coding
from coding.models import Code, DeletedCode, Excerpt, UndoEntry
from core.errors import Conflict
from tests.coding.test_undo import session_key, state
from tests.conftest import code_span
from themes import services as themes


def test_a_restored_code_gets_its_codings_parent_children_and_themes_back(
    study, interview, excerpt, code, owner
):
    parent = services.code_create(study=study, name="Practice")
    services.code_move(code=code, parent=parent)
    child = services.code_create(study=study, name="On the job", parent=code)
    gone = code_span(interview, "never looked back", [code])
    services.excerpt_delete(excerpt=gone)
    theme = themes.theme_create(study=study, name="Training theme")
    themes.theme_code_attach(theme=theme, code=code)
    code.refresh_from_db()
    before = state(study)

    code_id = code.pk
    services.code_delete(code=code, force=True, actor=owner)
    assert not Code.objects.filter(pk=code_id).exists()
    assert not excerpt.codings.exists()
    assert Code.objects.get(pk=child.pk).parent_id == parent.pk
    item = DeletedCode.objects.get()
    assert (item.name, item.deleted_by) == ("Training", owner)
    [listed] = [row for row in bin.bin_items(study) if row.kind == "code"]
    assert (listed.label, listed.deleted_by, listed.detail) == (
        "Training",
        owner.username,
        "2 codings",
    )

    bin.code_restore(item=item)
    assert state(study) == before
    # The coding of the excerpt still in the bin came back too, for when it is restored.
    assert list(gone.codings.values_list("code_id", flat=True)) == [code_id]
    assert not DeletedCode.objects.exists()


def test_a_code_is_not_restored_over_one_of_the_same_name(study, code):
    services.code_delete(code=code, force=True)
    services.code_create(study=study, name="TRAINING")
    with pytest.raises(Conflict, match="exists now: rename it first"):
        bin.code_restore(item=DeletedCode.objects.get())
    assert DeletedCode.objects.exists()


def test_a_code_whose_parent_is_gone_comes_back_at_the_top(study, code):
    parent = services.code_create(study=study, name="Practice")
    services.code_move(code=code, parent=parent)
    code.refresh_from_db()
    code_id = code.pk
    services.code_delete(code=code, force=True)
    services.code_delete(code=parent, force=True)
    bin.code_restore(item=DeletedCode.objects.get(code_id=code_id))
    assert Code.objects.get(pk=code_id).parent_id is None


def test_the_bin_lists_deleted_excerpts_with_who_and_when(study, excerpt, owner):
    services.excerpt_delete(excerpt=excerpt, actor=owner)
    [item] = bin.bin_items(study)
    assert (item.kind, item.id, item.label) == ("excerpt", excerpt.pk, excerpt.text)
    assert (item.where, item.deleted_by, item.detail) == ("R1", owner.username, "Training")


def test_what_waited_longer_than_the_retention_is_erased(study, interview, code, settings):
    settings.EXCERPTA_BIN_DAYS = 10
    old = code_span(interview, "About six years", [code])
    recent = code_span(interview, "Café regulars", [code])
    services.excerpt_delete(excerpt=old)
    services.excerpt_delete(excerpt=recent)
    other = services.code_create(study=study, name="Stress")
    services.code_delete(code=other)
    long_ago = timezone.now() - timedelta(days=11)
    Excerpt.all_objects.filter(pk=old.pk).update(deleted_at=long_ago)
    DeletedCode.objects.update(deleted_at=long_ago)
    kept = code_span(interview, "never looked back", [code])
    # Any deletion purges; so does the command.
    services.excerpt_delete(excerpt=kept)
    assert not Excerpt.all_objects.filter(pk=old.pk).exists()
    assert not DeletedCode.objects.exists()
    assert Excerpt.all_objects.filter(pk=recent.pk).exists()
    Excerpt.all_objects.filter(pk=recent.pk).update(deleted_at=long_ago)
    call_command("purge_bin")
    assert not Excerpt.all_objects.filter(pk=recent.pk).exists()
    assert Excerpt.all_objects.filter(pk=kept.pk).exists()


def test_the_undo_history_of_an_ended_session_is_erased(study, excerpt, code, owner, capsys):
    journal = undo.Journal()
    services.excerpt_code_remove(excerpt=excerpt, code=code, journal=journal)
    alive, ended = session_key(), "logged-out-session"
    for key in (alive, ended):
        undo.keep(journal=journal, study=study, user=owner, session_key=key, label="Removed")
    call_command("purge_bin")
    assert list(UndoEntry.objects.values_list("session_key", flat=True)) == [alive]
    assert "1 undo entries erased" in capsys.readouterr().out


def test_a_restore_racing_a_new_code_of_its_name_is_refused(study, code, monkeypatch):
    services.code_delete(code=code, force=True)
    services.code_create(study=study, name="Training")
    # As if the other code was made after the look-up: the unique name key refuses.
    monkeypatch.setattr(bin, "find_by_name", lambda rows, name: None)
    with pytest.raises(Conflict, match="at the same moment"):
        bin.code_restore(item=DeletedCode.objects.get())
    assert DeletedCode.objects.exists()
    assert list(Code.objects.values_list("name", flat=True)) == ["Training"]


def test_deleted_excerpts_are_erased_after_the_bins_retention(interview, code, settings):
    old = code_span(interview, "About six years", [code])
    coding.excerpt_delete(excerpt=old)
    days = settings.EXCERPTA_BIN_DAYS + 1
    Excerpt.all_objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=days))
    recent = code_span(interview, "Café regulars", [code])
    coding.excerpt_delete(excerpt=recent)
    assert not Excerpt.all_objects.filter(pk=old.pk).exists()
    assert Excerpt.all_objects.filter(pk=recent.pk).exists()
