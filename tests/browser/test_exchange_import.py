"""Importing another tool's project in Chromium: the upload says it is working, then the
report lists what came over and what did not (issue 11, item 6)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from interviews.models import Study
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import AXE, axe_violations
from tests.themes.exchange.qdpx_files import coded_project, nvivo_qdpx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_project_is_imported_from_the_list_of_studies(page, live_server, owner, tmp_path):
    extra = '<AudioSource guid="92222222-2222-4222-8222-222222222222" name="call.m4a"/>'
    path = tmp_path / "peer.qdpx"
    path.write_bytes(nvivo_qdpx(coded_project(extra_sources=extra)))
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("study_list"))
    page.get_by_role("link", name="Import from another tool").click()
    page.set_input_files("input[type=file]", str(path))
    # Held until the page has shown that it is working: the import runs in the request.
    busy = page.locator(".busy-message")
    expect(busy).to_be_hidden()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Import").click()
    assert answer.value.status == 200

    report = page.locator(".import-report")
    expect(report).to_contain_text("Made: 3 codes, 1 respondent, 1 interview, 2 excerpts")
    expect(report).to_contain_text("the source “call.m4a”, an audio recording")
    expect(busy).to_be_hidden()
    study = Study.objects.get()
    report.get_by_role("link", name="Peer support").click()
    expect(page).to_have_url(live_server.url + reverse("themes", args=[study.slug]))


def test_the_progress_message_shows_while_the_import_runs(page, live_server, owner, tmp_path):
    path = tmp_path / "peer.qdpx"
    path.write_bytes(nvivo_qdpx())
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("project_import"))
    page.set_input_files("input[type=file]", str(path))
    # The answer is held back until the message has been seen.
    seen = []

    def hold(route):
        seen.append(page.locator(".busy-message").is_visible())
        route.continue_()

    page.route(
        "**/import/project/",
        lambda route: hold(route) if route.request.method == "POST" else route.continue_(),
    )
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".import-report")).to_be_visible()
    assert seen == [True]


def test_the_report_passes_axe(page, live_server, owner, tmp_path):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm install` (make test does)")
    extra = '<AudioSource guid="92222222-2222-4222-8222-222222222222" name="call.m4a"/>'
    path = tmp_path / "peer.qdpx"
    path.write_bytes(nvivo_qdpx(coded_project(extra_sources=extra)))
    log_in(page, live_server, owner)
    page.goto(live_server.url + reverse("project_import"))
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".import-report")).to_be_visible()

    assert axe_violations(page, AXE.read_text(encoding="utf-8")) == []
