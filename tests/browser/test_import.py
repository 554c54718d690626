"""The two-step import in Chromium: upload a batch, check the preview, import (issue 7, 12-14)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from interviews.models import Interview
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
