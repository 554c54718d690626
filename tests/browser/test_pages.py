"""Every page of the demo study, as its owner and as its reviewer, in Chromium: no console
error, no Content-Security-Policy violation, a favicon, and no request that fails."""

from __future__ import annotations

import pytest
from django.urls import reverse

from demo.seed import OWNER, REVIEWER, seed_demo
from interviews.models import Study
from tests.browser.conftest import select_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects what the page's policy refused, which the console may word in many ways.
WATCH_CSP = """
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
        const where = `${event.sourceFile}:${event.lineNumber}`;
        window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
    });
"""


def demo_log_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-demo")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def demo_pages(study: Study, *, owner: bool) -> list[str]:
    """Every page a member reaches from the navigation, each of the study's tabs included
    (fragments that htmx swaps into these pages are loaded by the pages' own scripts, and
    watched the same way)."""
    slug = study.slug
    interview = study.interviews.order_by("respondent__pseudonym").first()
    theme_pks = list(study.themes.values_list("pk", flat=True))
    code = study.codes.order_by("pk").first()
    pages = [
        reverse("study_list"),
        reverse("password_change"),
        reverse("study_detail", args=[slug]),
        reverse("members", args=[slug]),
        reverse("protocol", args=[slug]),
        reverse("respondents", args=[slug]),
        reverse("interview_code", args=[slug, interview.pk]),
        reverse("interview_questions", args=[slug, interview.pk]),
        reverse("codebook", args=[slug]),
        reverse("themes", args=[slug]),
        *(reverse("theme_detail", args=[slug, pk]) for pk in theme_pks),
        reverse("retrieve", args=[slug]),
        reverse("transcript_search", args=[slug]) + "?q=client",
        reverse("matrix", args=[slug]),
        reverse("charts", args=[slug]),
        reverse("memos", args=[slug]),
        reverse("journal", args=[slug]),
        reverse("history", args=[slug]),
        reverse("deidentify_list", args=[slug]),
        reverse("deidentify_preview", args=[slug]),
    ]
    if owner:
        pages += [
            reverse("study_create"),
            reverse("project_import"),
            reverse("codebook_upload", args=[slug]),
            reverse("study_settings", args=[slug]),
            reverse("transcript_import", args=[slug]),
            reverse("interview_edit", args=[slug, interview.pk]),
            reverse("transcript_text", args=[slug, interview.pk]),
            reverse("code_edit", args=[slug, code.pk]),
            reverse("theme_edit", args=[slug, theme_pks[0]]),
        ]
    return pages


def owner_s_demo_pages(page, live_server, study: Study, *, width: int):
    """Each of demo_pages(owner=True), as the demo's owner in a window `width` px wide:
    yields its path once `page` has loaded it."""
    page.set_viewport_size({"width": width, "height": 900})
    demo_log_in(page, live_server, OWNER)
    for path in demo_pages(study, owner=True):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        yield path


@pytest.mark.parametrize("username", [OWNER, REVIEWER])
def test_every_demo_page_is_clean_in_the_browser(browser, live_server, username):
    seed_demo(password="pw-demo")
    study = Study.objects.get()
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.add_init_script(WATCH_CSP)
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"script: {error}"))
    # A request the browser dropped because the test moved on to the next page (the
    # favicon, fetched last) is no broken resource; any other failure is.
    page.on(
        "requestfailed",
        lambda r: (
            r.failure != "net::ERR_ABORTED" and problems.append(f"failed: {r.url} ({r.failure})")
        ),
    )
    page.on(
        "response",
        lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"),
    )
    demo_log_in(page, live_server, username)
    found = {}
    for path in demo_pages(study, owner=username == OWNER):
        problems.clear()
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # requests the page makes once loaded
        favicon = page.evaluate(
            "() => document.querySelector('link[rel=icon]')?.getAttribute('href') || ''"
        )
        if not favicon.endswith(".svg"):
            problems.append("no SVG favicon linked")
        problems.extend(f"csp: {v}" for v in page.evaluate("() => window.__violations"))
        # The tab's name, then the study's once (base.html adds it: a page that names it in
        # its own title too read "Charts · Study · Study").
        if page.title().count(study.title) > 1:
            problems.append(f"the study's title twice in the window's: {page.title()}")
        if problems:
            found[path] = list(problems)
    context.close()
    assert not found, "\n".join(f"{path}: {what}" for path, what in found.items())


@pytest.mark.parametrize("width", [1400, 900])
def test_the_theme_by_respondent_counts_stay_on_one_line(browser, live_server, width):
    seed_demo(password="pw-demo")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    page = context.new_page()
    demo_log_in(page, live_server, OWNER)
    page.goto(f"{live_server.url}/studies/{Study.objects.get().slug}/themes/")
    cells = page.evaluate(
        """() => [...document.querySelectorAll(".matrix-table td.num")].map((td) => {
            const range = document.createRange();
            range.selectNodeContents(td);
            const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
            const style = getComputedStyle(td);
            const inner = td.clientHeight - parseFloat(style.paddingTop)
                - parseFloat(style.paddingBottom);
            return [td.textContent, lines.size, inner, parseFloat(style.lineHeight)];
        })"""
    )
    assert any(text == "8 of 8" for text, *_ in cells)
    wrapped = [text for text, lines, _, _ in cells if lines > 1]
    assert wrapped == [], "a count broken over lines"
    # The rendered height: a row is as tall as its theme's name, never taller for a count.
    tall = [(text, inner) for text, _, inner, line in cells if text and inner > 2.5 * line]
    assert tall == []
    context.close()


def test_coding_and_reviewing_raise_no_console_error(browser, live_server):
    """What a page does after it loads (the picker, the panel, messages, swapped parts)
    is held to the same: no console error, nothing the policy refuses."""
    seed_demo(password="pw-demo")
    study = Study.objects.get()
    interview = study.interviews.order_by("respondent__pseudonym").first()
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.add_init_script(WATCH_CSP)
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    demo_log_in(page, live_server, OWNER)

    page.goto(live_server.url + reverse("interview_code", args=[study.slug, interview.pk]))
    words = " ".join(interview.text.split("\n")[2].split()[1:4])
    select_text(page, words)
    page.keyboard.press("c")
    page.keyboard.type("A brand new code")
    page.keyboard.press("Enter")
    page.locator("#flash").get_by_text("Coded as").wait_for()
    page.locator("#transcript mark").first.click()
    page.wait_for_timeout(300)
    page.keyboard.press("Escape")
    problems.extend(page.evaluate("() => window.__violations"))

    page.goto(live_server.url + reverse("themes", args=[study.slug]))
    page.get_by_text("Tables").click()
    theme = study.themes.order_by("pk").first()
    page.goto(live_server.url + reverse("theme_detail", args=[study.slug, theme.pk]))
    page.get_by_role("button", name="Show in context").first.click()
    page.wait_for_timeout(300)
    page.get_by_role("button", name="Choose as a quote").first.click()
    page.wait_for_timeout(300)
    problems.extend(page.evaluate("() => window.__violations"))
    context.close()
    assert problems == []
