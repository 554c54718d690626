"""A name de-identified in the transcripts leaves the history and every memo too, and what
the bin purges for good leaves the history with it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import models
from django.utils import timezone

from coding import bin as coding_bin
from coding import services as coding
from coding.models import Code, CodeMemo, Coding, Excerpt
from interviews import deidentify, history
from interviews import services as interviews
from interviews.memos import memo_create
from interviews.models import InterviewMemo, JournalEntry
from themes import services as themes
from themes.history import HistoryFilter, history_page
from themes.models import ThemeMemo

from ..conftest import code_span, import_text

NAME = "Zbigniewa"
TEXT = f"""Interviewer: Who helped you?

R1: {NAME} did, at first. Later nobody helped, and {NAME} left the agency."""


def _texts_in_history(study_id: int) -> list[str]:
    """Every text field of every history record of the study."""
    found = []
    for model in history.recorded_models():
        historical = model.history.model
        texts = [
            field.attname
            for field in historical._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField)
        ]
        for row in historical.objects.filter(history_study_id=study_id).values_list(*texts):
            found += [value for value in row if value]
    return found


@pytest.mark.parametrize(
    ("chunk", "length"),
    [(history.SCRUB_CHUNK, history.SCRUB_CHUNK_LENGTH), (2, 10**9), (10**9, 1)],
)
def test_applying_a_replacement_scrubs_the_history_and_every_kind_of_memo(
    study, owner, chunk, length, monkeypatch
):
    # Records are read a chunk at a time: with chunks of 2 records, or of one record (each
    # longer than 1 code point), every kind spans several.
    monkeypatch.setattr(history, "SCRUB_CHUNK", chunk)
    monkeypatch.setattr(history, "SCRUB_CHUNK_LENGTH", length)
    interview = import_text(study, TEXT, name=f"R1 {NAME}.txt")
    code = coding.code_create(study=study, name="Support")
    excerpt = code_span(interview, f"{NAME} did, at first", [code], owner)
    coding.excerpt_memo_set(excerpt=excerpt, memo=f"{NAME} again", revision=excerpt.revision)
    theme = themes.theme_create(study=study, name="Training")
    memos = [
        memo_create(model=JournalEntry, author=owner, body=f"Met {NAME}.", study=study),
        memo_create(model=InterviewMemo, author=owner, body=f"{NAME}?", interview=interview),
        memo_create(model=CodeMemo, author=owner, body=f"As {NAME} said", code=code),
        memo_create(model=ThemeMemo, author=owner, body=f"{NAME} twice", theme=theme),
    ]
    # The name is in the records of the transcript, the excerpt and each memo.
    assert sum(NAME in text for text in _texts_in_history(study.pk)) >= 7

    interviews.identifier_add(study=study, text=NAME, replacement="[co-worker]")
    waiting = deidentify.study_occurrences(study=study)
    interviews.deidentification_apply(study=study, decisions={o.key: True for o in waiting})

    assert NAME not in Excerpt.objects.get(pk=excerpt.pk).memo
    for memo in memos:
        memo.refresh_from_db()
        assert NAME not in memo.body
        assert "[co-worker]" in memo.body
    texts = _texts_in_history(study.pk)
    assert [text for text in texts if NAME in text] == []
    assert any("[co-worker] did, at first" in text for text in texts)


def test_a_purge_erases_the_history_of_what_it_erases(study, owner, settings):
    interview = import_text(study, TEXT)
    code = coding.code_create(study=study, name="Support")
    kept = code_span(interview, "Later nobody helped", [code], owner)
    gone = code_span(interview, "left the agency", [code], owner)
    coding.excerpt_delete(excerpt=gone, actor=owner)
    assert Excerpt.history.filter(id=gone.pk).exists()
    Excerpt.all_objects.filter(pk=gone.pk).update(
        deleted_at=timezone.now() - timedelta(days=settings.EXCERPTA_BIN_DAYS + 1)
    )

    erased = coding_bin.purge()

    assert erased["excerpts"] == 1
    assert not Excerpt.history.filter(id=gone.pk).exists()
    assert not Coding.history.filter(excerpt_id=gone.pk).exists()
    # What was not purged keeps its history.
    assert Excerpt.history.filter(id=kept.pk).exists()
    assert Code.history.filter(id=code.pk).exists()


def test_each_excerpt_a_replacement_changes_has_one_record_of_the_change(study, owner):
    """One change, one record: the excerpt moved, its words replaced, its former words and
    memo scrubbed, all read on the history page as one "changed" event."""
    interview = import_text(study, TEXT)
    code = coding.code_create(study=study, name="Support")
    named = code_span(interview, f"{NAME} did, at first", [code], owner)
    coding.excerpt_memo_set(excerpt=named, memo=f"Ask {NAME}", revision=named.revision)
    later = code_span(interview, f"and {NAME} left", [code], owner)
    untouched = code_span(interview, "Later nobody helped", [code], owner)
    # An excerpt in another transcript with the name in its memo alone.
    elsewhere = code_span(
        import_text(study, "R2: Nothing to say.", name="R2.txt"), "Nothing to say", [code], owner
    )
    coding.excerpt_memo_set(excerpt=elsewhere, memo=f"{NAME}?", revision=elsewhere.revision)
    excerpts = [named, later, untouched, elsewhere]
    theme = themes.theme_create(study=study, name="Training")
    themes.theme_code_attach(theme=theme, code=code)
    quote = themes.quote_add(theme=theme, excerpt=named)
    themes.quote_extract_set(quote=quote, extract=f"{NAME} did […]")
    journal = memo_create(model=JournalEntry, author=owner, body=f"Met {NAME}.", study=study)
    # Every row the replacement changes, of each kind.
    changed = [*excerpts, interview, quote, journal]
    before = {row: type(row).history.filter(id=row.pk).count() for row in changed}

    interviews.identifier_add(study=study, text=NAME, replacement="[co-worker]")
    waiting = deidentify.study_occurrences(study=study)
    interviews.deidentification_apply(study=study, decisions={o.key: True for o in waiting})

    written = {row: type(row).history.filter(id=row.pk).count() - before[row] for row in changed}
    # The untouched excerpt moved with the text before it (its offsets changed): a record too.
    assert written == dict.fromkeys(changed, 1)
    events = history_page(study, HistoryFilter(kind="excerpt"), reviewer=False).events
    newest = events[: len(excerpts)]
    assert [event.action for event in newest] == ["changed"] * len(excerpts)
    by_label = {event.label: event for event in newest}
    event = by_label["“[co-worker] did, at first”"]
    changes = {change.label: (change.before, change.after) for change in event.changes}
    # The record before was scrubbed too (no name lives on in the history): what the page
    # shows changed is where it ends (the replacement is longer) and the mark for review.
    assert changes == {"end": (str(named.end), str(named.end + 2)), "status": ("ok", "changed")}
    # The record holds the excerpt as it is now, whole.
    record = Excerpt.history.filter(id=named.pk).latest("history_id")
    named.refresh_from_db()
    assert (record.start, record.end, record.text, record.memo, record.previous_text) == (
        named.start,
        named.end,
        named.text,
        named.memo,
        named.previous_text,
    )
    assert record.history_study_id == study.pk
