"""The REFI-QDA downloads from the themes page, in Chromium."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from interviews.services import identifier_add
from tests.browser.conftest import log_in
from tests.themes.exchange.everything import NS, make_everything, schema

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PROJECT = "REFI-QDA project (.qdpx)"


def other_tools(page):
    """Open the themes page's "Other tools" downloads, unless they are open already."""
    if not page.get_by_role("button", name=PROJECT).is_visible():
        page.get_by_text("Other tools").click()


def test_the_owner_downloads_a_valid_project_and_ticks_past_a_refusal(
    page, live_server, study, owner, coder
):
    make_everything(study, owner, coder)
    project = schema("Project-mrt2019.xsd")
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    other_tools(page)
    with page.expect_download() as download:
        page.get_by_role("button", name=PROJECT).click()
    assert download.value.suggested_filename == "harm-reduction-project.qdpx"
    with zipfile.ZipFile(Path(download.value.path())) as archive:
        document = archive.read("project.qde")
        assert len(archive.namelist()) == 3  # two transcripts and the project
    assert [str(error) for error in project.iter_errors(document)] == []
    assert b"R1" in document

    # Identifying strings left unreviewed: the download is refused with the reason...
    identifier_add(study=study, text="colleagues", replacement="[co-workers]")
    page.get_by_role("button", name=PROJECT).click()
    expect(page.get_by_text("Not exported: 1 place in the transcripts")).to_be_visible()
    # ...until the owner ticks that she means it.
    other_tools(page)
    page.get_by_label("include text that is not de-identified").check()
    with page.expect_download() as ticked:
        page.get_by_role("button", name=PROJECT).click()
    with zipfile.ZipFile(Path(ticked.value.path())) as archive:
        ticked_document = archive.read("project.qde")
    # The same project, but that its description now names the list's entry among what no
    # REFI-QDA project holds (themes.exchange.left_out).
    named = b"1 entry of the de-identification list and 2 other members"
    assert named in ticked_document
    assert ticked_document.replace(named, b"2 other members") == document


def test_a_reviewer_downloads_the_codebook(page, live_server, study, owner, coder, reviewer):
    make_everything(study, owner, coder)
    log_in(page, live_server, reviewer)
    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    other_tools(page)
    expect(page.get_by_label("include text that is not de-identified")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="Codebook (.qdc)").click()
    root = Path(download.value.path()).read_bytes()
    assert [str(e) for e in schema("Codebook-mrt2019.xsd").iter_errors(root)] == []
    assert f"{{{NS['c']}}}".encode() not in root  # written with a default namespace
