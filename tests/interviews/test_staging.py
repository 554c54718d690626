"""Uploads kept for the import preview (issue 7, items 12-13)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from core.bidi import plain
from interviews import services, staging
from interviews.importers import TooLarge
from interviews.models import Interview, StagedFile
from tests.conftest import TRANSCRIPT

Status = StagedFile.Status


def test_each_file_is_judged_on_arrival_and_refusals_keep_no_bytes(study, owner, settings):
    settings.EXCERPTA_MAX_UPLOAD_BYTES = 10_000
    batch = staging.staged_files_stage(
        study=study,
        user=owner,
        uploads=[
            ("R1.txt", TRANSCRIPT.encode()),
            ("R2.txt", b""),
            ("R3.docx", b"PK\x03\x04broken"),
            ("R4.txt", TooLarge(20_000_000)),
            ("R5.odt", b"whatever"),
        ],
    )
    rows = staging.staged_batch(study=study, user=owner, batch=batch)
    assert [row.status for row in rows] == [Status.STAGED] + [Status.REFUSED] * 4
    assert rows[1].message == "R2.txt: refused: it is empty."
    assert rows[3].message.startswith("R4.txt: refused: it is 19.08 MB, over the 0.01 MB limit")
    assert all(bytes(row.data) == b"" for row in rows[1:])
    assert rows[0].pseudonym == "R1"
    assert not study.respondents.exists()


def test_names_propose_only_pseudonyms_shaped_like_the_studys(study):
    assert services.respondent_guess(study=study, name="P07-notes.txt").pseudonym == "P07"
    for name in ("Maria Lopez 2026-03-02.txt", "interview-notes.txt", "Maria.txt"):
        guess = services.respondent_guess(study=study, name=name)
        assert (guess.respondent, guess.pseudonym) == (None, ""), name
    services.respondent_create(study=study, pseudonym="R1")
    assert services.respondent_guess(study=study, name="R2_x.txt").pseudonym == "R2"
    # A study that numbers its respondents R… does not get a P… from a file name.
    assert services.respondent_guess(study=study, name="P3.txt").pseudonym == ""
    assert services.respondent_guess(study=study, name="r1.txt").respondent.pseudonym == "R1"


def test_the_service_never_creates_a_respondent_from_a_name_unlike_a_pseudonym(study):
    outcome = services.interview_import(
        study=study, name="Maria Lopez 2026-03-02.txt", raw=TRANSCRIPT.encode()
    )
    assert not outcome.ok
    assert "“Maria” does not look like this study's pseudonyms" in outcome.error
    assert not study.respondents.exists()


def test_the_batch_goes_on_when_an_importer_breaks_its_promise(study, monkeypatch):
    def explode(name, raw, encoding=None):
        if name == "R2.txt":
            raise KeyError("a bug in an importer")
        return real(name, raw, encoding)

    real = services.read_transcript
    monkeypatch.setattr(services, "read_transcript", explode)
    outcomes = list(
        services.interviews_import(
            study=study,
            files=[
                services.ImportFile(name, f"{TRANSCRIPT}\n\n{name}".encode())
                for name in ("R1.txt", "R2.txt", "R3.txt")
            ],
        )
    )
    assert [o.ok for o in outcomes] == [True, False, True]
    assert outcomes[1].message == "R2.txt: refused: it could not be read (an unexpected error)."
    assert Interview.objects.count() == 2


def test_a_file_is_imported_once_even_if_stepped_twice(study, owner):
    batch = staging.staged_files_stage(
        study=study, user=owner, uploads=[("R1.txt", TRANSCRIPT.encode())]
    )
    rows = staging.staged_batch(study=study, user=owner, batch=batch)
    staging.staged_files_confirm(rows=rows, choices={rows[0].pk: staging.Choice()})
    assert staging.staged_file_import_next(study=study, user=owner, batch=batch) is not None
    assert staging.staged_file_import_next(study=study, user=owner, batch=batch) is None
    assert Interview.objects.count() == 1


def test_the_chosen_date_and_respondent_are_kept(study, owner):
    respondent = services.respondent_create(study=study, pseudonym="R7")
    batch = staging.staged_files_stage(
        study=study, user=owner, uploads=[("R1 2026-03-02.txt", TRANSCRIPT.encode())]
    )
    rows = staging.staged_batch(study=study, user=owner, batch=batch)
    choice = staging.Choice(respondent=respondent, conducted_on=date(2026, 3, 2))
    staging.staged_files_confirm(rows=rows, choices={rows[0].pk: choice})
    staging.staged_files_import(study=study, user=owner, batch=batch)
    interview = Interview.objects.get()
    assert (interview.respondent, interview.conducted_on) == (respondent, date(2026, 3, 2))
    assert not study.respondents.filter(pseudonym="R1").exists()


def test_staged_files_are_erased_after_a_day(study, owner):
    staging.staged_files_stage(study=study, user=owner, uploads=[("R1.txt", b"x")])
    assert staging.staged_files_purge() == 0
    later = timezone.now() + timedelta(days=1, minutes=1)
    assert staging.staged_files_purge(now=later) == 1
    assert not StagedFile.objects.exists()


def test_a_date_is_read_from_a_file_name():
    assert staging.date_from_name("R1 2026-03-02.txt") == date(2026, 3, 2)
    assert staging.date_from_name("R1 2026-02-31.txt") is None
    assert staging.date_from_name("R1.txt") is None


R21 = Path(settings.BASE_DIR).parent / "shared" / "cases" / "R21-tracked-changes.docx"


@pytest.mark.skipif(not R21.exists(), reason="../shared/cases is not beside this checkout")
def test_the_import_result_says_when_tracked_changes_were_found(study):
    outcome = services.interview_import(study=study, name="R21.docx", raw=R21.read_bytes())
    assert outcome.ok, outcome.error
    assert "; it has tracked changes that were never accepted or rejected" in outcome.message


def test_a_withdrawn_respondents_transcript_is_refused_by_name_and_the_rest_imported(study, owner):
    """Whatever way the file is sent to her (its name, a pseudonym typed in the preview, her
    row chosen), a transcript of a respondent who withdrew is refused with the reason, and
    the other files of the batch are imported as before."""
    r3 = services.respondent_create(study=study, pseudonym="R3")
    services.respondent_withdraw(respondent=r3)
    # The day she withdrew, as the message names it (noon: the same day in any zone near UTC).
    r3.withdrawn_at = datetime(2025, 3, 3, 12, tzinfo=UTC)
    r3.save(update_fields=["withdrawn_at"])
    uploads = [
        ("R1.txt", TRANSCRIPT.encode()),
        ("R3.txt", f"{TRANSCRIPT}\nby name".encode()),
        ("notes-a.txt", f"{TRANSCRIPT}\ntyped".encode()),
        ("notes-b.txt", f"{TRANSCRIPT}\nchosen".encode()),
    ]
    batch = staging.staged_files_stage(study=study, user=owner, uploads=uploads)
    rows = staging.staged_batch(study=study, user=owner, batch=batch)
    choices = {
        rows[0].pk: staging.Choice(),
        rows[1].pk: staging.Choice(),
        rows[2].pk: staging.Choice(pseudonym="r3"),
        rows[3].pk: staging.Choice(respondent=r3),
    }
    staging.staged_files_confirm(rows=rows, choices=choices)
    staging.staged_files_import(study=study, user=owner, batch=batch)
    rows = staging.staged_batch(study=study, user=owner, batch=batch)
    assert [row.status for row in rows] == [Status.IMPORTED] + [Status.REFUSED] * 3
    reason = (
        "refused: R3 withdrew from the study on 3 Mar 2025: their transcripts are not "
        "imported (reinstate them on the Respondents page first if that was a mistake)."
    )
    assert [plain(row.message) for row in rows[1:]] == [
        f"{row.name}: {reason}" for row in rows[1:]
    ]
    assert list(study.interviews.values_list("respondent__pseudonym", flat=True)) == ["R1"]
    # One by one too (the preview's steps, the command).
    outcome = services.interview_import(study=study, name="R3.txt", raw=TRANSCRIPT.encode())
    assert (outcome.ok, plain(outcome.message)) == (False, f"R3.txt: {reason}")
    assert study.respondents.count() == 2
