"""Importing a codebook from another tool into a study, in Chromium: the codebook page
leads to the upload, the report says what came over, and the codebook then lists the new
codes beside the ones it had (issue 11, item 6)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding.services import code_create
from tests.browser.conftest import log_in
from tests.themes.exchange.qdpx_files import codebook_qdc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coder_imports_a_codebook_from_the_codebook_page(
    page, live_server, study, coder, tmp_path
):
    code_create(study=study, name="Support", user=coder)
    path = tmp_path / "taguette.qdc"
    path.write_bytes(codebook_qdc("urn:QDA-XML:codebook:1.0", "Support", "Hope", "Burnout"))
    log_in(page, live_server, coder)
    page.goto(live_server.url + reverse("codebook", args=[study.slug]))
    page.get_by_role("link", name="Import a codebook…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Import a codebook into {study.title}"
    )
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Import").click()

    report = page.locator(".import-report")
    # "Support" was there already: it is kept, and only the two new codes are made.
    expect(report).to_contain_text(
        "Made: 2 codes. Already in the study and left as they were: 1 code."
    )
    report.get_by_role("link", name=study.title).click()
    expect(page).to_have_url(live_server.url + reverse("codebook", args=[study.slug]))
    tree = page.get_by_role("region", name="Codes")
    for name in ("Support", "Hope", "Burnout"):
        expect(tree.get_by_role("rowheader", name=name)).to_be_visible()
    assert sorted(study.codes.values_list("name", flat=True)) == ["Burnout", "Hope", "Support"]


def test_a_reviewer_is_not_offered_the_import(page, live_server, study, reviewer):
    log_in(page, live_server, reviewer)
    page.goto(live_server.url + reverse("codebook", args=[study.slug]))
    expect(page.get_by_role("link", name="Export (.qdc)")).to_be_visible()
    expect(page.get_by_role("link", name="Import a codebook…")).to_have_count(0)
