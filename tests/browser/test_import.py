"""The two-step import in Chromium: upload a batch, check the preview, import (issue 7, 12-14)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from interviews.models import Interview, StagedFile
from tests.browser.conftest import log_in
from tests.conftest import TRANSCRIPT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GREEK = "Ερευνητής: Πώς ήταν η πρώτη μέρα;\n\nΑπάντηση: Καλημέρα, ήταν δύσκολη αλλά ενδιαφέρουσα."


def test_a_batch_with_a_bad_file_is_previewed_confirmed_and_imported(
    page, live_server, study, owner, tmp_path
):
    good = tmp_path / "R1-interview.txt"
    good.write_text(TRANSCRIPT, encoding="utf-8")
    bad = tmp_path / "R2-interview.docx"
    bad.write_bytes(b"not a word file")
    greek = tmp_path / "interview-notes.txt"
    greek.write_bytes(GREEK.encode("iso8859-7"))
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("transcript_import", args=[study.slug]))
    page.set_input_files("input[type=file]", [str(good), str(bad), str(greek)])
    page.get_by_role("button", name="Upload and preview").click()

    # The preview: nothing imported yet, the bad file named with its reason.
    expect(page.locator("#batch-section")).to_contain_text(
        "R2-interview.docx: refused: it is not a valid Word document"
    )
    assert not Interview.objects.exists()
    first = page.locator('li.staged-file[data-file="R1-interview.txt"]')
    expect(first).to_contain_text("“R1” would be a new respondent")
    expect(first.locator("select[name=f0-respondent]")).to_have_value("new")
    notes = page.locator('li.staged-file[data-file="interview-notes.txt"]')
    expect(notes).to_contain_text("choose its respondent")
    expect(notes).to_contain_text("not readable text")

    # Importing before choosing is refused for that file, and keeps every other choice.
    page.get_by_role("button", name="Import", exact=True).click()
    expect(notes).to_contain_text("Choose who this file belongs to.")
    assert not Interview.objects.exists()

    notes.locator("select[name=f2-respondent]").select_option("new")
    notes.locator("input[name=f2-pseudonym]").fill("R3")
    notes.locator("select[name=f2-encoding]").select_option("cp1252")
    expect(notes.locator(".first-lines")).to_contain_text("Ðþò Þôáí")
    notes.locator("select[name=f2-encoding]").select_option("iso8859-7")
    expect(notes.locator(".first-lines")).to_contain_text("Πώς ήταν η πρώτη μέρα;")
    page.get_by_role("button", name="Import", exact=True).click()

    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("2 imported, 1 refused")
    expect(progress).to_contain_text("R1-interview.txt: imported for R1 (new respondent)")
    expect(progress).to_contain_text("interview-notes.txt: imported for R3 (new respondent)")
    expect(progress).to_contain_text("R2-interview.docx: refused")
    texts = dict(Interview.objects.values_list("respondent__pseudonym", "text"))
    assert set(texts) == {"R1", "R3"}
    assert "Καλημέρα" in texts["R3"]


def test_an_upload_over_the_limits_is_said_before_it_is_sent(
    page, live_server, study, owner, tmp_path, settings
):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    settings.EXCERPTA_MAX_UPLOAD_BATCH_BYTES = 1024 * 1024
    chosen = []
    for n in range(3):
        chosen.append(tmp_path / f"R{n}-interview.txt")
        chosen[-1].write_text(TRANSCRIPT, encoding="utf-8")
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else 0)
    log_in(page, live_server, owner)
    url = live_server.url + reverse("transcript_import", args=[study.slug])
    page.goto(url)
    posts.clear()
    page.set_input_files("input[type=file]", [str(path) for path in chosen])
    flash = page.locator("#flash")
    expect(flash).to_contain_text("You chose 3 files; one upload takes at most 2.")
    expect(page.get_by_role("button", name="Upload and preview")).to_be_disabled()
    # Sent all the same (Enter in a field would): it is stopped, the message said again.
    page.locator("#flash [data-dismiss]").click()
    page.locator("#import-section form").evaluate("form => form.requestSubmit()")
    expect(flash).to_contain_text("You chose 3 files; one upload takes at most 2.")
    # Nothing was sent: the page and the files chosen stay as they were.
    page.wait_for_timeout(300)
    assert posts == []
    assert page.url == url
    assert page.locator("input[type=file]").evaluate("input => input.files.length") == 3
    assert not StagedFile.objects.exists()

    big = tmp_path / "R9-interview.txt"
    big.write_bytes(b"R9: " + b"x" * (1024 * 1024 + 20_000))
    page.set_input_files("input[type=file]", [str(big)])
    page.locator("#import-section form").evaluate("form => form.requestSubmit()")
    expect(flash).to_contain_text(
        "The files you chose come to 1.02 MB; one upload takes at most 1 MB."
    )
    page.wait_for_timeout(300)
    assert posts == []


@pytest.mark.parametrize("where", ["transcripts", "project", "codebook"])
def test_a_choice_within_the_limits_clears_the_message_of_the_one_before(
    page, live_server, study, owner, tmp_path, settings, where
):
    """Files over the limits chosen, then files within them: the limits' message goes, and
    the upload can be sent, on every form that uploads."""
    settings.EXCERPTA_MAX_UPLOAD_BATCH_BYTES = 1024 * 1024
    url, button = {
        "transcripts": (reverse("transcript_import", args=[study.slug]), "Upload and preview"),
        "project": (reverse("project_import"), "Import"),
        "codebook": (reverse("codebook_upload", args=[study.slug]), "Import"),
    }[where]
    big = tmp_path / "big.txt"
    big.write_bytes(b"R9: " + b"x" * (1024 * 1024 + 20_000))
    small = tmp_path / "small.txt"
    small.write_text(TRANSCRIPT, encoding="utf-8")
    log_in(page, live_server, owner)
    page.goto(live_server.url + url)
    submit = page.get_by_role("button", name=button, exact=True)
    flash = page.locator("#flash")
    page.set_input_files("input[type=file]", str(big))
    expect(flash).to_contain_text("one upload takes at most 1 MB")
    expect(submit).to_be_disabled()

    page.set_input_files("input[type=file]", str(small))
    expect(flash).not_to_contain_text("one upload takes at most")
    expect(submit).to_be_enabled()
    expect(page.locator("input[type=file]")).not_to_have_attribute("aria-invalid", "true")
    # And it is sent: the server answers for the file (a preview, or its refusal).
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        submit.click()
    assert answer.value.status == 200


def test_the_summary_and_notes_follow_the_choices_before_import(
    page, live_server, study, owner, tmp_path
):
    """Each choice changed in the preview is judged at once: the summary and the file's
    note say what Import would do, the focus stays where the keyboard left it, and nothing
    is imported."""
    good = tmp_path / "R1-interview.txt"
    good.write_text(TRANSCRIPT, encoding="utf-8")
    greek = tmp_path / "interview-notes.txt"
    greek.write_bytes(GREEK.encode("iso8859-7"))
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("transcript_import", args=[study.slug]))
    page.set_input_files("input[type=file]", [str(good), str(greek)])
    page.get_by_role("button", name="Upload and preview").click()
    summary = page.locator(".import-summary")
    expect(summary).to_have_text("2 files: 1 ready, 1 needs a respondent and an encoding")

    notes = page.locator('li.staged-file[data-file="interview-notes.txt"]')
    respondent = notes.locator("select[name=f1-respondent]")
    respondent.focus()
    respondent.select_option("new")
    pseudonym = notes.locator("input[name=f1-pseudonym]")
    pseudonym.fill("R3")
    pseudonym.press("Tab")  # a typed field is judged as she leaves it
    expect(notes).to_contain_text("“R3” would be a new respondent")
    expect(summary).to_have_text("2 files: 1 ready, 1 needs an encoding")
    encoding = notes.locator("select[name=f1-encoding]")
    encoding.focus()
    encoding.press("ArrowDown")  # the keyboard chooses the first encoding offered
    expect(summary).to_have_text("2 files: 2 ready")
    expect(encoding).to_be_focused()

    first = page.locator('li.staged-file[data-file="R1-interview.txt"]')
    first.locator("select[name=f0-respondent]").select_option("skip")
    expect(summary).to_have_text("2 files: 1 ready, 1 left out")
    expect(first).not_to_contain_text("would be a new respondent")
    assert not Interview.objects.exists()
    assert set(StagedFile.objects.values_list("status", flat=True)) == {StagedFile.Status.STAGED}

    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#import-progress")).to_contain_text("1 imported, 1 skipped")
