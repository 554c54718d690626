"""coding.undo: every coding and codebook action undone leaves the study as it was before."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings

from coding import selectors, services, undo
from coding.models import Code, Coding, Excerpt, UndoEntry
from tests.conftest import code_span
from themes import services as themes
from themes.models import Theme


def state(study) -> dict:
    """Every row an action could touch, and the counts the codebook shows."""
    return {
        "excerpts": sorted(
            Excerpt.all_objects.filter(interview__study=study).values_list(
                "id", "start", "end", "text", "memo", "status", "previous_text", "deleted_at"
            )
        ),
        "codings": sorted(
            Coding.objects.filter(interview__study=study).values_list(
                "excerpt_id", "code_id", "coder_id", "interview_id"
            )
        ),
        "codes": sorted(
            Code.objects.filter(study=study).values_list(
                "id",
                "name",
                "name_key",
                "colour",
                "parent_id",
                "definition",
                "inclusion",
                "exclusion",
                "example",
                "order",
            )
        ),
        "themes": sorted(
            Theme.codes.through.objects.filter(theme__study=study).values_list(
                "theme_id", "code_id"
            )
        ),
        "counts": [
            (node.code.pk, node.depth, node.excerpts, node.respondents)
            for node in selectors.codebook(study)
        ],
    }


def session_key() -> str:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.create()
    return store.session_key


@pytest.fixture
def history(study, owner):
    """Keep journals as the owner's history in one session, and undo from it."""
    key = session_key()

    class History:
        def keep(self, journal, label="an action"):
            entry = undo.keep(
                journal=journal, study=study, user=owner, session_key=key, label=label
            )
            assert entry is not None, "the action noted nothing to undo"
            return entry

        def undo(self, entry_id=None):
            return undo.undo(study=study, user=owner, session_key=key, entry_id=entry_id)

    return History()


def check_round_trip(study, history, action) -> None:
    """Do `action(journal)`, check it changed something, undo it, check all is as before."""
    before = state(study)
    journal = undo.Journal()
    action(journal)
    assert state(study) != before, "the action changed nothing"
    history.keep(journal)
    history.undo()
    assert state(study) == before


def select(interview, phrase):
    start = interview.text.index(phrase)
    return {
        "start": start,
        "end": start + len(phrase),
        "seen_text": phrase,
        "version": interview.version,
    }


def test_it_undoes_coding_a_selection(study, interview, code, owner, history):
    code_span(interview, "About six years", [code])
    check_round_trip(
        study,
        history,
        lambda journal: services.excerpt_code_selection(
            interview=interview,
            coder=owner,
            codes=[code],
            journal=journal,
            **select(interview, "never looked back"),
        ),
    )


def test_it_undoes_coding_with_a_code_created_on_the_spot(study, interview, owner, history):
    def action(journal):
        new = services.code_get_or_create(study=study, name="Belonging", journal=journal)
        services.excerpt_code_selection(
            interview=interview,
            coder=owner,
            codes=[new],
            journal=journal,
            **select(interview, "Café regulars"),
        )

    check_round_trip(study, history, action)
    assert not Code.objects.filter(name="Belonging").exists()


def test_it_undoes_adding_a_code(study, excerpt, owner, history):
    other = services.code_create(study=study, name="Stress")
    check_round_trip(
        study,
        history,
        lambda journal: services.excerpt_codes_add(
            excerpt=excerpt, codes=[other], coder=owner, journal=journal
        ),
    )


def test_it_undoes_adding_a_code_by_selecting_an_excerpts_exact_words(
    study, excerpt, owner, history
):
    other = services.code_create(study=study, name="Stress")
    check_round_trip(
        study,
        history,
        lambda journal: services.excerpt_code_selection(
            interview=excerpt.interview,
            coder=owner,
            codes=[other],
            journal=journal,
            **select(excerpt.interview, excerpt.text),
        ),
    )


def test_it_undoes_removing_a_code_keeping_who_coded_it(study, excerpt, code, history):
    services.excerpt_codes_add(
        excerpt=excerpt, codes=[services.code_create(study=study, name="Stress")], coder=None
    )
    check_round_trip(
        study,
        history,
        lambda journal: services.excerpt_code_remove(excerpt=excerpt, code=code, journal=journal),
    )


def test_it_undoes_resizing(study, excerpt, history):
    check_round_trip(
        study,
        history,
        lambda journal: services.excerpt_resize(
            excerpt=excerpt,
            revision=excerpt.revision,
            journal=journal,
            **select(excerpt.interview, "the ones nobody else will see. Café regulars"),
        ),
    )


def test_it_undoes_editing_a_memo(study, excerpt, history):
    services.excerpt_memo_set(excerpt=excerpt, memo="First thought", revision=excerpt.revision)
    check_round_trip(
        study,
        history,
        lambda journal: services.excerpt_memo_set(
            excerpt=excerpt, memo="Second thought", revision=excerpt.revision, journal=journal
        ),
    )


def test_it_undoes_deleting_an_excerpt(study, excerpt, owner, history):
    check_round_trip(
        study,
        history,
        lambda journal: services.excerpt_delete(excerpt=excerpt, actor=owner, journal=journal),
    )


def test_it_undoes_keeping_a_changed_excerpt(study, excerpt, history):
    interview = excerpt.interview
    text = interview.text.replace("nobody else will see", "nobody else would see")
    services.transcript_edit(interview=interview, text=text, version=interview.version)
    changed = Excerpt.objects.get(pk=excerpt.pk)
    assert changed.status == "changed"
    check_round_trip(
        study,
        history,
        lambda journal: services.excerpt_review(excerpt=changed, journal=journal),
    )


def test_it_undoes_creating_a_code(study, code, history):
    check_round_trip(
        study,
        history,
        lambda journal: services.code_create(
            study=study, name="Stress", parent=code, journal=journal
        ),
    )


def test_it_undoes_renaming_and_editing_a_code(study, excerpt, code, history):
    check_round_trip(
        study,
        history,
        lambda journal: services.code_update(
            code=code,
            revision=code.revision,
            name="Formal training",
            colour="red",
            parent=None,
            definition="Courses and supervision.",
            journal=journal,
        ),
    )


def test_it_undoes_moving_a_code(study, excerpt, code, history):
    other = services.code_create(study=study, name="Learning")
    check_round_trip(
        study,
        history,
        lambda journal: services.code_move(code=code, parent=other, journal=journal),
    )


def test_it_undoes_deleting_a_code_with_its_links(study, interview, excerpt, code, history):
    parent = services.code_create(study=study, name="Practice")
    services.code_move(code=code, parent=parent)
    services.code_create(study=study, name="On the job", parent=code)
    code_span(interview, "never looked back", [code])
    theme = themes.theme_create(study=study, name="Training theme")
    themes.theme_code_attach(theme=theme, code=code)
    code.refresh_from_db()
    check_round_trip(
        study,
        history,
        lambda journal: services.code_delete(code=code, force=True, journal=journal),
    )


def test_it_undoes_a_merge(study, interview, code, owner, history):
    source = services.code_create(study=study, name="Learning")
    services.code_create(study=study, name="At school", parent=source)
    # The target sits inside the source: the merge lifts it out first.
    services.code_move(code=code, parent=source)
    code.refresh_from_db()
    theme = themes.theme_create(study=study, name="Training theme")
    themes.theme_code_attach(theme=theme, code=source)
    other_theme = themes.theme_create(study=study, name="Other theme")
    themes.theme_code_attach(theme=other_theme, code=source)
    themes.theme_code_attach(theme=other_theme, code=code)
    code_span(interview, "six years", [code, source], owner)
    code_span(interview, "never looked back", [source], owner)
    check_round_trip(
        study,
        history,
        lambda journal: services.code_merge(source=source, target=code, journal=journal),
    )


def test_undo_goes_back_through_the_history_newest_first(study, excerpt, code, history):
    before = state(study)
    for memo in ("one", "two"):
        journal = undo.Journal()
        services.excerpt_memo_set(
            excerpt=excerpt, memo=memo, revision=excerpt.revision, journal=journal
        )
        history.keep(journal, f"Memo {memo}")
    assert history.undo().label == "Memo two"
    assert Excerpt.objects.get(pk=excerpt.pk).memo == "one"
    assert history.undo().label == "Memo one"
    assert state(study) == before
    with pytest.raises(undo.NothingToUndo):
        history.undo()


def test_a_stale_undo_is_refused_and_changes_nothing(study, excerpt, code, coder, history):
    journal = undo.Journal()
    services.excerpt_code_remove(excerpt=excerpt, code=code, journal=journal)
    entry = history.keep(journal, "Removed Training.")
    # Someone else codes the excerpt again meanwhile.
    services.excerpt_codes_add(excerpt=excerpt, codes=[code], coder=coder)
    changed = state(study)
    with pytest.raises(undo.Stale, match=r"“Removed Training\.” cannot be undone: the excerpt"):
        history.undo()
    assert state(study) == changed
    # It is set aside: the next undo does not stumble on it again.
    assert UndoEntry.objects.get(pk=entry.pk).spent_at is not None
    with pytest.raises(undo.NothingToUndo):
        history.undo()


def test_a_stale_step_rolls_back_the_steps_undone_before_it(study, interview, owner, history):
    journal = undo.Journal()
    new = services.code_get_or_create(study=study, name="Belonging", journal=journal)
    services.excerpt_code_selection(
        interview=interview,
        coder=owner,
        codes=[new],
        journal=journal,
        **select(interview, "Café regulars"),
    )
    history.keep(journal)
    # The new code is used elsewhere since: undoing the excerpt alone would be half an undo.
    code_span(interview, "six years", [new])
    changed = state(study)
    with pytest.raises(undo.Stale, match="in use since"):
        history.undo()
    assert state(study) == changed


def test_a_deleted_excerpt_whose_words_an_edit_changed_comes_back_for_review(
    study, excerpt, owner, history
):
    journal = undo.Journal()
    services.excerpt_delete(excerpt=excerpt, actor=owner, journal=journal)
    history.keep(journal)
    interview = excerpt.interview
    text = interview.text.replace("nobody else will see", "nobody sees")
    services.transcript_edit(interview=interview, text=text, version=interview.version)
    history.undo()
    back = Excerpt.objects.get(pk=excerpt.pk)
    assert (back.status, back.text) == ("changed", "the ones nobody sees")
    assert back.previous_text == "the ones nobody else will see"
    assert back.codings.count() == 1


def test_an_undo_of_a_resize_after_the_words_were_edited_is_refused(study, excerpt, history):
    journal = undo.Journal()
    wider = "the ones nobody else will see. Café regulars"
    services.excerpt_resize(
        excerpt=excerpt,
        revision=excerpt.revision,
        journal=journal,
        **select(excerpt.interview, wider),
    )
    history.keep(journal)
    interview = excerpt.interview
    text = interview.text.replace("Café regulars", "Regulars")
    services.transcript_edit(interview=interview, text=text, version=interview.version)
    changed = state(study)
    with pytest.raises(undo.Stale, match="changed since"):
        history.undo()
    assert state(study) == changed


def test_a_user_undoes_only_their_own_actions_in_their_session(
    study, excerpt, code, owner, coder, history
):
    journal = undo.Journal()
    services.excerpt_code_remove(excerpt=excerpt, code=code, journal=journal)
    entry = history.keep(journal)
    with pytest.raises(undo.UnknownEntry):
        undo.undo(study=study, user=coder, session_key=entry.session_key, entry_id=entry.pk)
    with pytest.raises(undo.NothingToUndo):
        undo.undo(study=study, user=coder, session_key=entry.session_key)
    with pytest.raises(undo.NothingToUndo):
        undo.undo(study=study, user=owner, session_key=session_key())
    assert not excerpt.codings.exists()


def test_a_merge_is_not_undone_over_a_later_change_of_its_codings(
    study, interview, code, owner, history
):
    source = services.code_create(study=study, name="Learning")
    moved = code_span(interview, "never looked back", [source], owner)
    journal = undo.Journal()
    services.code_merge(source=source, target=code, journal=journal)
    history.keep(journal)
    services.excerpt_code_remove(excerpt=moved, code=code)
    changed = state(study)
    with pytest.raises(undo.Stale, match="changed or deleted since"):
        history.undo()
    assert state(study) == changed


def test_an_undo_racing_another_request_is_refused_not_a_500(study, code, history, monkeypatch):
    journal = undo.Journal()
    services.code_update(
        code=code,
        revision=code.revision,
        name="Formal training",
        colour="red",
        parent=None,
        journal=journal,
    )
    history.keep(journal)
    services.code_create(study=study, name="Training")
    changed = state(study)
    # As if the other code was made after the undo's check: the unique name key refuses.
    monkeypatch.setattr(undo, "clean_unique_name", lambda siblings, name, **kwargs: name)
    with pytest.raises(undo.Stale, match="at the same moment"):
        history.undo()
    assert state(study) == changed
