"""Every page passes axe-core in Chromium with no serious or critical violation (issue 8,
item 10): the pages of the demo study as its owner and as its reviewer (the list of
test_pages), the coding page with the picker open and with an excerpt open in the panel, the
import preview, the bin, and the account pages, anonymous and logged in.

axe-core comes from npm (package.json at the repo root; `make test` runs `npm install`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from coding.models import Excerpt
from demo.seed import OWNER, REVIEWER
from tests.browser.conftest import select_text
from tests.browser.test_pages import demo_log_in, demo_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

# Serious and critical violations only, each as "rule: target: help". axe leaves an ARIA
# reference to an element that is not on the page (aria-describedby naming a missing help
# text) "to review" rather than failing it; a missing element is a fault here, so counted.
RUN_AXE = """async () => {
    const results = await axe.run(document);
    const missing = results.incomplete.filter((v) => v.id === "aria-valid-attr-value");
    return results.violations.concat(missing)
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}: ${v.help}`));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm install` (make test does)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, source: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands now.

    The script is evaluated rather than added as a <script> tag: the strict CSP would refuse
    a tag (Playwright's evaluate runs outside the page's policy)."""
    page.evaluate(source)
    return page.evaluate(RUN_AXE)


def sweep(page, url: str, source: str, found: dict) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)  # fragments the page loads once ready
    if violations := axe_violations(page, source):
        found[url] = violations


def report(found: dict) -> str:
    return "\n".join(f"{url}\n  " + "\n  ".join(what) for url, what in found.items())


def test_the_account_pages_pass_axe_when_logged_out(demo, live_server, axe_source):
    _, page = demo
    found = {}
    for name, args in [
        ("login", []),
        ("password_reset", []),
        ("password_reset_done", []),
        ("password_reset_confirm", ["MQ", "not-a-token"]),
        ("password_reset_complete", []),
    ]:
        sweep(page, live_server.url + reverse(name, args=args), axe_source, found)
    # The page after logging out.
    demo_log_in(page, live_server, OWNER)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state("load")
    if violations := axe_violations(page, axe_source):
        found["logged out"] = violations
    assert not found, report(found)


@pytest.mark.parametrize("username", [OWNER, REVIEWER])
def test_every_demo_page_passes_axe(demo, live_server, axe_source, username):
    study, page = demo
    owner = username == OWNER
    demo_log_in(page, live_server, username)
    extra = [
        reverse("password_change_done"),
        reverse("transcript_search", args=[study.slug]) + '?q=harm OR "the client"',
        reverse("retrieve", args=[study.slug]) + "?memo=junk",  # a filter with an error
        reverse("matrix", args=[study.slug]) + "?by=code",
        reverse("matrix", args=[study.slug]) + "?rows=themes&by=attribute&count=respondents",
    ]
    found = {}
    for path in demo_pages(study, owner=owner) + extra:
        sweep(page, live_server.url + path, axe_source, found)

    # The coding page with an excerpt open in the side panel.
    interview = study.interviews.order_by("respondent__pseudonym").first()
    page.goto(live_server.url + reverse("interview_code", args=[study.slug, interview.pk]))
    page.locator("#transcript mark").first.click()
    expect(page.locator("#excerpt-detail")).to_have_attribute("data-x", re.compile(r"\d+"))
    page.wait_for_timeout(200)
    if violations := axe_violations(page, axe_source):
        found["coding page, excerpt open"] = violations

    if owner:
        # The coding page with the code picker open on a selection.
        page.keyboard.press("Escape")
        select_text(page, " ".join(interview.text.split("\n")[2].split()[1:4]))
        page.keyboard.press("c")
        expect(page.locator("#code-panel")).to_be_visible()
        page.wait_for_timeout(200)
        if violations := axe_violations(page, axe_source):
            found["coding page, picker open"] = violations
    assert not found, report(found)


def test_the_import_preview_passes_axe(demo, live_server, axe_source, tmp_path):
    study, page = demo
    good = tmp_path / "R9-interview.txt"
    good.write_text("Interviewer: How was it?\n\nR9: Busy, but fine.\n", encoding="utf-8")
    bad = tmp_path / "R10-interview.docx"
    bad.write_bytes(b"not a word file")
    demo_log_in(page, live_server, OWNER)
    page.goto(live_server.url + reverse("transcript_import", args=[study.slug]))
    page.set_input_files("input[type=file]", [str(good), str(bad)])
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#batch-section")).to_contain_text("R10-interview.docx")
    page.wait_for_timeout(200)
    violations = axe_violations(page, axe_source)
    assert violations == [], "\n".join(violations)


def test_the_sweep_reports_a_fault_planted_in_a_page(demo, live_server, axe_source):
    """The sweep can fail: a nameless button and an unlabelled field are reported."""
    _, page = demo
    page.goto(live_server.url + reverse("login"))
    page.evaluate(
        """() => {
            const form = document.querySelector("main form");
            form.append(document.createElement("button"));
            const input = document.createElement("input");
            input.id = "planted";
            form.append(input);
        }"""
    )
    violations = axe_violations(page, axe_source)
    assert [v.split(":")[0] for v in violations] == ["button-name", "label"]
    assert "#planted" in violations[1]


def test_pages_in_their_other_states_pass_axe(demo, live_server, axe_source):
    """What a page shows after the user acts: a filled bin, the theme tables open, an
    excerpt's context shown, a form answered with errors, a wrong password, a 404."""
    study, page = demo
    found = {}

    def check(what: str) -> None:
        page.wait_for_timeout(200)
        if violations := axe_violations(page, axe_source):
            found[what] = violations

    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", OWNER)
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    expect(page.locator("main")).to_contain_text("do not match")
    check("login, wrong password")

    demo_log_in(page, live_server, OWNER)
    code = study.codes.order_by("pk").first()
    coding.excerpt_delete(excerpt=Excerpt.objects.filter(interview__study=study).first())
    coding.code_delete(code=code, force=True)
    page.goto(live_server.url + reverse("history", args=[study.slug]))
    expect(page.locator("table.bin")).to_contain_text(code.name)
    check("history with a code and an excerpt in the bin")

    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    page.get_by_text("Tables").click()
    check("themes, tables open")

    theme = study.themes.order_by("pk").first()
    page.goto(live_server.url + reverse("theme_detail", args=[study.slug, theme.pk]))
    page.get_by_role("button", name="Show in context").first.click()
    expect(page.locator("[id^=context-]").first).not_to_be_empty()
    check("theme, an excerpt's context shown")

    page.goto(live_server.url + reverse("study_create"))
    page.fill("input[name=title]", "   ")  # passes the browser's check, not the server's
    page.get_by_role("button", name="Create study").click()
    expect(page.locator("main")).to_contain_text("This field is required.")
    check("new study, refused with errors")

    page.goto(live_server.url + reverse("members", args=[study.slug]))
    page.fill("#member-section input[name=username]:visible", "   ")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#member-section")).to_contain_text("This field is required.")
    check("members, refused with errors")

    page.goto(live_server.url + "/studies/no-such-study/")
    check("404 page")
    assert not found, report(found)
