"""Data migrations of the coding app, run on a database holding what came before them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from coding.models import Code
from interviews.models import Study

BEFORE = [("coding", "0008_undo_and_bin")]
AFTER = [("coding", "0009_code_colour_hex")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest():
    """Leaves the schema as every later test expects it: all migrations applied."""
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_colours_stored_by_palette_name_become_hex(back_to_the_latest, settings):
    migrate(BEFORE)
    # The colour migration changes no column, and other apps keep their latest schema: the
    # rows are made with today's models, as they were stored before it (by name). The
    # history's tables come later: nothing is recorded meanwhile.
    settings.SIMPLE_HISTORY_ENABLED = False
    study = Study.objects.create(title="S", slug="s")
    for name, colour in [("A", "teal"), ("B", "rose"), ("C", "slate"), ("D", "mauve")]:
        Code.objects.create(study=study, name=name, colour=colour)
    new = migrate(AFTER)
    colours = dict(new.get_model("coding", "Code").objects.values_list("name", "colour"))
    # Each name becomes the colour it stood for; one no palette had becomes the default.
    assert colours == {"A": "#0d9488", "B": "#e11d48", "C": "#475569", "D": "#2563eb"}


@pytest.mark.django_db(transaction=True)
def test_excerpts_of_the_interviewers_words_alone_are_marked(back_to_the_latest):
    old = migrate([("coding", "0017_excerpt_interviewer_only")])
    study = old.get_model("interviews", "Study").objects.create(title="S", slug="s")
    respondent = old.get_model("interviews", "Respondent").objects.create(
        study=study, pseudonym="R2", pseudonym_key="r2"
    )
    text = "Interviewer: How long?\nSix years.\nR2: Since school."
    interview = old.get_model("interviews", "Interview").objects.create(
        study=study, respondent=respondent, text=text
    )
    excerpt = old.get_model("coding", "Excerpt")
    for words in ("How long?", "Six years.", "Since school.", "How long?\nSix years."):
        start = text.index(words)
        excerpt.objects.create(
            interview=interview, start=start, end=start + len(words), text=words
        )
    new = migrate([("coding", "0018_backfill_excerpt_interviewer_only")])
    marked = new.get_model("coding", "Excerpt").objects.filter(interviewer_only=True)
    assert list(marked.values_list("text", flat=True)) == ["How long?"]
