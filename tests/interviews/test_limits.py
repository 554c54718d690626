"""Limits no real interview reaches: refused beyond them with the limit in the message, and
an import at the limits stays under 10 s of CPU and 300 MB."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError

from interviews import services
from interviews.importers import read_transcript
from interviews.text import ImportRejected
from tests.peak import run_python

from .at_limit import at_limit_docx, at_limit_txt
from .test_wordml import p, r, word_docx


@pytest.mark.parametrize(
    ("setting", "limit", "text", "message"),
    [
        ("EXCERPTA_MAX_TRANSCRIPT_CHARS", 100, "I: " + "a" * 98, "more than 100 characters"),
        (
            "EXCERPTA_MAX_TRANSCRIPT_WORDS",
            10,
            "I: one two three four five six seven eight nine ten",
            "more than 10 words",
        ),
        (
            "EXCERPTA_MAX_TRANSCRIPT_TURNS",
            3,
            "I: a?\nR1: b\nI: c?\nR1: d",
            "more than 3 speaker turns",
        ),
    ],
)
def test_it_refuses_a_transcript_over_a_limit_and_says_which(
    settings, setting, limit, text, message
):
    setattr(settings, setting, limit)
    with pytest.raises(ImportRejected, match=message):
        read_transcript("R1.txt", text.encode())
    with pytest.raises(ImportRejected, match=message):
        read_transcript("R1.docx", word_docx("".join(p(r(line)) for line in text.splitlines())))
    # One less is allowed.
    shorter = text[:limit] if "CHARS" in setting else text.rsplit(maxsplit=1)[0]
    if "TURNS" in setting:
        shorter = text.rsplit("\n", 1)[0]
    assert read_transcript("R1.txt", shorter.encode()).text


def test_it_refuses_a_docx_with_more_xml_than_the_limit_and_says_it(settings):
    settings.EXCERPTA_MAX_DOCX_XML_BYTES = 1024 * 1024
    raw = at_limit_docx(turns=100, words=4000, xml_bytes=2 * 1024 * 1024)
    with pytest.raises(ImportRejected, match="more than 1 MB, over the limit for one Word"):
        read_transcript("R1.docx", raw)


def test_it_refuses_a_docx_with_too_many_paragraphs(settings):
    settings.EXCERPTA_MAX_DOCX_PARAGRAPHS = 50
    with pytest.raises(ImportRejected, match="more than 50 paragraphs"):
        read_transcript("R1.docx", word_docx(p(r("R1: a")) * 51))
    assert read_transcript("R1.docx", word_docx(p(r("R1: a")) * 50)).text


def test_a_file_of_many_tiny_turns_is_refused_at_once():
    # The file that took a worker down: 9 MB of "I: q?" / "R1: a" lines, 786,432 turns.
    raw = b"I: q?\nR1: a\n" * 393_216
    started = time.process_time()
    with pytest.raises(ImportRejected, match="over the limit for one transcript"):
        read_transcript("R1.txt", raw)
    assert time.process_time() - started < 2


# A fresh, migrated process imports one file at the limits through the import service into its own
# SQLite database, and reports the CPU time and the growth of its peak memory (tests.peak, MB).
_IMPORT_AT_LIMIT = """
import json, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from interviews import services
from django.test import Client
owner = get_user_model().objects.create_user("owner")
study = services.study_create(title="Limits", owner=owner)
for n in range(11):
    services.question_add(study=study, text=f"Question {n} about support and stress?")
raw = open(sys.argv[1], "rb").read()
from tests.peak import peak_mb, reset_peak, resident_mb
reset_peak()
before = resident_mb()
started, wall = time.process_time(), time.monotonic()
outcome = services.interview_import(study=study, name=sys.argv[2], raw=raw)
cpu, wall = time.process_time() - started, time.monotonic() - wall
after = peak_mb()
client = Client()
client.force_login(owner)
pages = {}
for name in ("interview_code", "interview_questions"):
    response = client.get(f"/studies/{study.slug}/interviews/{outcome.interview.pk}/"
                          + ("" if name == "interview_code" else "questions/"))
    pages[name] = [response.status_code, len(response.content)]
print(json.dumps({
    "error": outcome.error, "characters": len(outcome.interview.text),
    "turns": len(outcome.interview.turns), "cpu_s": cpu, "wall_s": wall,
    "growth_mb": after - before, "pages": pages,
}))
"""


def import_in_fresh_process(tmp_path, name: str, raw: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(raw)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "EXCERPTA_SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        "EXCERPTA_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "EXCERPTA_ALLOWED_HOSTS": "testserver",
    }
    # Migrating takes more memory than an import: done in a process of its own, so that it
    # does not hide the import's peak.
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=django_settings.BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    return run_python(_IMPORT_AT_LIMIT, str(path), name, env=env, timeout=600)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["txt", "docx"])
def test_an_import_at_the_limits_takes_under_10_s_and_300_mb(tmp_path, kind):
    turns = django_settings.EXCERPTA_MAX_TRANSCRIPT_TURNS
    words = django_settings.EXCERPTA_MAX_TRANSCRIPT_WORDS
    if kind == "txt":
        raw = at_limit_txt(turns=turns, words=words)
    else:
        # Formatted runs fill the XML up to 1 MB under its limit.
        xml = django_settings.EXCERPTA_MAX_DOCX_XML_BYTES - 1024 * 1024
        raw = at_limit_docx(turns=turns, words=words, xml_bytes=xml)
    measured = import_in_fresh_process(tmp_path, f"R1-at-limit.{kind}", raw)
    print(f"\nAt the limits ({kind}): {measured}")
    assert measured["error"] == ""
    assert measured["turns"] == turns
    assert measured["characters"] > 0.95 * django_settings.EXCERPTA_MAX_TRANSCRIPT_CHARS
    # CPU time, not wall time: the test machine is shared, the cost of an import is not.
    assert measured["cpu_s"] < 10
    assert measured["growth_mb"] < 300
    assert measured["pages"]["interview_code"][0] == 200
    assert measured["pages"]["interview_questions"][0] == 200


def test_an_edit_beyond_a_limit_is_refused_and_changes_nothing(interview, settings):
    settings.EXCERPTA_MAX_TRANSCRIPT_TURNS = 4
    before = interview.text
    longer = before + "\n\nInterviewer: One more?"
    with pytest.raises(ValidationError, match="more than 4 speaker turns"):
        services.interview_text_replace(
            interview=interview, text=longer, version=interview.version
        )
    interview.refresh_from_db()
    assert interview.text == before
