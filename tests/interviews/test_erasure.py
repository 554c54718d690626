"""Erasing a withdrawn respondent: what goes, what stays, and that no word is left behind."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.urls import reverse

from coding import services as coding
from coding import undo
from coding.models import Coding, Excerpt, UndoEntry
from interviews import services as interviews
from interviews.erasure import respondent_erase
from interviews.memos import memo_create
from interviews.models import Erasure, Interview, InterviewMemo, Respondent, StagedFile
from tests.conftest import client_for, code_span, import_text
from themes import services as themes
from themes.models import Quote
from themes.rollup import study_rollup

MARKER = "Zqxjvwk Marker 7731"


def marked_text(pseudonym: str) -> str:
    return (
        "Interviewer: Who helped you most?\n\n"
        f"{pseudonym}: My supervisor {MARKER} listened every week, and that kept me going.\n"
    )


@pytest.fixture
def two(study, owner):
    """R1 and R2, each with a transcript, an excerpt, a quote; R2 also has a deleted
    excerpt in the bin, a memo holding the marker, an undo entry and a staged upload."""
    code = coding.code_create(study=study, name="Support")
    theme = themes.theme_create(study=study, name="Support at work")
    themes.theme_code_attach(theme=theme, code=code)
    r1 = import_text(study, marked_text("R1").replace(MARKER, "Smith"), name="R1.txt")
    r2 = import_text(study, marked_text("R2"), name="R2.txt")
    kept = code_span(r1, "My supervisor Smith listened", [code], owner)
    erased = code_span(r2, f"My supervisor {MARKER} listened", [code], owner)
    binned = code_span(r2, "that kept me going", [code], owner)
    coding.excerpt_delete(excerpt=binned)
    journal = undo.Journal()
    coding.excerpt_memo_set(
        excerpt=erased, memo=f"Memo about {MARKER}", revision=erased.revision, journal=journal
    )
    undo.keep(journal=journal, study=study, user=owner, session_key="s" * 32, label="Memo")
    themes.quote_add(theme=theme, excerpt=kept)
    themes.quote_add(theme=theme, excerpt=erased)
    StagedFile.objects.create(
        study=study,
        user=owner,
        batch="6f1c3a52-7c1e-4f43-9d8e-3f0f8c1e2a11",
        position=0,
        name="R2.txt",
        size=100,
        data=marked_text("R2").encode(),
        status=StagedFile.Status.IMPORTED,
        interview=r2,
    )
    return {"r1": r1, "r2": r2, "kept": kept, "erased": erased, "theme": theme}


def test_only_a_withdrawn_respondent_is_erased(two):
    respondent = two["r2"].respondent
    with pytest.raises(ValidationError, match="Only a withdrawn respondent"):
        respondent_erase(respondent=respondent, typed="R2")
    assert Interview.objects.filter(pk=two["r2"].pk).exists()


@pytest.mark.parametrize("typed", ["r2", "R", "R22", ""])
def test_the_pseudonym_must_be_typed_exactly(two, typed):
    respondent = two["r2"].respondent
    interviews.respondent_withdraw(respondent=respondent)
    with pytest.raises(ValidationError, match="Nothing was erased"):
        respondent_erase(respondent=respondent, typed=typed)
    assert Excerpt.all_objects.filter(interview=two["r2"]).count() == 2
    assert not Erasure.objects.exists()


def test_erasing_removes_everything_of_theirs_and_keeps_a_dated_record(study, two):
    respondent = two["r2"].respondent
    interviews.respondent_withdraw(respondent=respondent)
    study.refresh_from_db()
    revision = study.revision
    record = respondent_erase(respondent=respondent, typed=" R2 ", note="")
    study.refresh_from_db()
    assert study.revision > revision, "a roll-up cached before is never read again"
    assert not Respondent.objects.filter(pk=respondent.pk).exists()
    assert not Interview.objects.filter(pk=two["r2"].pk).exists()
    assert not Excerpt.all_objects.filter(interview_id=two["r2"].pk).exists()
    assert not Coding.objects.filter(excerpt_id=two["erased"].pk).exists()
    assert list(Quote.objects.values_list("excerpt_id", flat=True)) == [two["kept"].pk]
    assert not StagedFile.objects.exists()
    assert not UndoEntry.objects.exists()
    assert record.removed == {"transcripts": 1, "excerpts": 1, "quotes": 1}
    assert (record.study, record.note) == (study, "")
    # R1 is untouched, and the counts are recomputed without R2.
    assert Excerpt.objects.filter(interview=two["r1"]).count() == 1
    rollup = study_rollup(study)
    assert [r["pseudonym"] for r in rollup.respondents] == ["R1"]
    assert rollup.themes[0].label == "all (1 of 1)"


def test_erasing_removes_uploads_waiting_unassigned_whose_file_name_holds_the_pseudonym(
    study, owner, two
):
    def upload(name):
        return StagedFile.objects.create(
            study=study,
            user=owner,
            batch="0b7e2f34-5d1a-4c6e-8f0a-2c9d4e6b1a33",
            position=StagedFile.objects.count(),
            name=name,
            size=10,
            data=marked_text("R2").encode(),
        )

    named = [upload("R2-interview.docx"), upload("interview_r2.txt"), upload("R2.txt")]
    others = [upload("R22-interview.docx"), upload("R1.txt"), upload("AR2.txt")]
    respondent = two["r2"].respondent
    interviews.respondent_withdraw(respondent=respondent)

    respondent_erase(respondent=respondent, typed="R2")

    left = set(StagedFile.objects.values_list("pk", flat=True))
    assert left == {upload.pk for upload in others}
    assert not left & {upload.pk for upload in named}


def text_columns():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.TextField | models.CharField | models.JSONField):
                yield model, field.name


@pytest.mark.django_db(transaction=True)
def test_no_erased_word_is_left_in_any_table_nor_in_the_database_files(study, owner, two):
    # The marker is taken out of R2's transcript first: its words are then only in the
    # history (the transcript's and the excerpt's records before the edit), as a
    # researcher removing a name before erasing would leave them.
    r2 = two["r2"]
    coding.transcript_edit(interview=r2, text=r2.text.replace(MARKER, "[name]"), version=1)
    assert not Interview.objects.filter(text__icontains="Zqxjvwk").exists()
    assert Interview.history.filter(text__icontains="Zqxjvwk").exists()
    assert Excerpt.history.filter(text__icontains="Zqxjvwk").exists()
    assert Quote.history.filter(excerpt_id=two["erased"].pk).exists()
    interviews.respondent_withdraw(respondent=two["r2"].respondent)
    respondent_erase(respondent=two["r2"].respondent, typed="R2")
    for model, name in text_columns():
        lookup = {f"{name}__icontains": "Zqxjvwk"}
        if isinstance(model._meta.get_field(name), models.JSONField):
            lookup = {f"{name}__icontains": "Zqxjvwk"} if connection.vendor != "postgresql" else {}
        if lookup:
            assert not model._default_manager.filter(**lookup).exists(), (model, name)
    if connection.vendor != "sqlite":
        return  # On PostgreSQL the rows are gone (above); the README says what files keep.
    path = Path(connection.settings_dict["NAME"])
    files = [str(path), f"{path}-wal"]
    assert files_holding(files, "zqxjvwk") == [], "the erased words are still there"
    # Smith, in R1's transcript, is still there: the search looks where the text is.
    assert files_holding(files, "smith") != []


# Read in another process: closing a file descriptor of a live SQLite database drops every
# POSIX lock this process holds on it (SQLite's documented pitfall), after which another
# process (the load test's gunicorn) may delete the shared-memory file under our connections.
_FIND = (
    "import os, sys\n"
    "needle = sys.argv[1].encode()\n"
    "print('\\n'.join(p for p in sys.argv[2:] if os.path.exists(p)"
    " and needle in open(p, 'rb').read().lower()))"
)


def files_holding(paths: list[str], needle: str) -> list[str]:
    """The files among `paths` that hold `needle` (lower case) in any case, read raw."""
    done = subprocess.run(
        [sys.executable, "-c", _FIND, needle, *paths],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.split()


# The page -----------------------------------------------------------------------------------


def erase_url(study, respondent):
    return reverse("respondent_erase", args=[study.slug, respondent.pk])


def test_the_page_asks_for_the_pseudonym_and_erases(study, two, owner):
    respondent = two["r2"].respondent
    interviews.respondent_withdraw(respondent=respondent)
    client = client_for(owner)
    page = client.get(erase_url(study, respondent))
    assert page.status_code == 200
    assert "<strong>1</strong> transcript and the upload it came from" in page.content.decode()
    wrong = client.post(erase_url(study, respondent), {"typed": "R1"})
    assert wrong.status_code == 400
    assert "That is not the pseudonym as shown" in wrong.content.decode()
    assert Respondent.objects.filter(pk=respondent.pk).exists()
    done = client.post(erase_url(study, respondent), {"typed": "R2", "note": "Withdrew 3 May"})
    assert done.status_code == 302
    assert not Respondent.objects.filter(pk=respondent.pk).exists()
    assert Erasure.objects.get().note == "Withdrew 3 May"
    table = client.get(reverse("respondents", args=[study.slug])).content.decode()
    assert "Erased: 1 transcript, 1 excerpt, 1 quote" in table


def test_the_page_says_how_many_go_and_the_themes_their_quotes_leave(
    study, themed, owner, django_assert_num_queries
):
    """The page said what kinds of things go ("every excerpt", "the quotes chosen"), not how
    many nor from which themes: it counts each, names the themes (escaped) and the memos."""
    r3 = themed["interviews"][2]
    respondent = r3.respondent
    interviews.respondent_reinstate(respondent=respondent)
    odd = themes.theme_create(study=study, name="<i>Odd</i> one")
    themes.theme_code_attach(theme=odd, code=themed["codes"][0])
    secret = themed["excerpts"][2]
    themes.quote_add(theme=odd, excerpt=secret)
    coding.excerpt_memo_set(excerpt=secret, memo="Ask about the café.", revision=secret.revision)
    binned = code_span(r3, "They come back", [themed["codes"][0]], owner)
    coding.excerpt_delete(excerpt=binned)
    memo_create(model=InterviewMemo, author=owner, body="Noisy room.", interview=r3)
    interviews.respondent_withdraw(respondent=respondent)
    client = client_for(owner)
    # session, user, the study with the user's role, the respondent, then what goes:
    # transcripts with their memos, excerpts with theirs, quotes by theme
    with django_assert_num_queries(7):
        page = client.get(erase_url(study, respondent)).content.decode()
    text = " ".join(re.sub(r"<[^>]*>", "", page).split())
    assert "1 transcript and the upload it came from, with 1 memo written on it;" in text
    assert (
        "2 excerpts of it, deleted ones in the bin included, with their codes and 1 excerpt "
        "memo;" in text
    )
    assert (
        "2 quotes chosen from those excerpts, under “Training”, “&lt;i&gt;Odd&lt;/i&gt; one”;"
        in (text)
    )


def test_a_respondent_taking_part_is_not_offered_for_erasure(study, two, owner):
    respondent = two["r2"].respondent
    client = client_for(owner)
    assert (
        erase_url(study, respondent)
        not in client.get(reverse("respondents", args=[study.slug])).content.decode()
    )
    page = client.get(erase_url(study, respondent)).content.decode()
    assert "Only a withdrawn respondent can be erased" in page
    refused = client.post(erase_url(study, respondent), {"typed": "R2"})
    assert refused.status_code == 400
    assert Respondent.objects.filter(pk=respondent.pk).exists()


@pytest.mark.parametrize("who", ["coder", "reviewer"])
def test_only_the_owner_may_erase(study, two, who, request):
    respondent = two["r2"].respondent
    interviews.respondent_withdraw(respondent=respondent)
    client = client_for(request.getfixturevalue(who))
    assert client.post(erase_url(study, respondent), {"typed": "R2"}).status_code == 403
    assert Respondent.objects.filter(pk=respondent.pk).exists()
