"""After a de-identification, the replaced words are in none of the database's files: on
SQLite the write-ahead log kept the pages that held them until a checkpoint
(interviews.services.deidentification_apply)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from interviews import deidentify
from interviews import services as interviews
from tests.conftest import import_text
from tests.interviews.test_erasure import files_holding

# The name as the transcript writes it, broken over two lines: the list holds it with a
# space ("Zqxjvwk Qmplt"), so that these bytes can only be the transcript's.
TEXT = "Interviewer: Who helped?\n\nR1: My supervisor Zqxjvwk\nQmplt did, at first."


@pytest.mark.django_db(transaction=True)
def test_the_replaced_words_are_not_left_in_the_database_files(study):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's files alone: PostgreSQL keeps no write-ahead log of ours to read")
    import_text(study, TEXT)
    interviews.identifier_add(study=study, text="Zqxjvwk Qmplt", replacement="[supervisor]")
    path = Path(connection.settings_dict["NAME"])
    files = [str(path), f"{path}-wal"]
    assert files_holding(files, "zqxjvwk\nqmplt") != [], "the test's words are written"

    waiting = deidentify.study_occurrences(study=study)
    interviews.deidentification_apply(study=study, decisions={o.key: True for o in waiting})

    assert "My supervisor [supervisor] did" in study.interviews.get().text
    assert files_holding(files, "zqxjvwk\nqmplt") == [], "the replaced words are still there"
