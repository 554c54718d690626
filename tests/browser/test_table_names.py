"""Every table of the demo's pages has one name, shown once: the heading above it, which
screen readers also get as the table's name (aria-labelledby). No caption repeats it: the
matrices page showed "Codes by respondent: number of excerpts" twice, as its heading and as
the table's caption."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from coding import services as coding
from demo.seed import OWNER, seed_demo
from interviews import services as interviews
from interviews.models import Study
from tests.browser.test_pages import demo_log_in, demo_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each table: its caption's words (null for none) and the elements its aria-labelledby
# names, as [tag, visible words, shown] (null for an id that is not on the page).
TABLES = """() => [...document.querySelectorAll("table")].map((table) => ({
    caption: table.caption ? table.caption.innerText.trim() : null,
    label: table.getAttribute("aria-label"),
    names: (table.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean)
        .map((id) => document.getElementById(id))
        .map((el) => el && [el.tagName, el.innerText.trim(), el.checkVisibility()]),
}))"""

HEADING = "Codes by respondent: number of excerpts"


def test_the_matrix_heading_is_shown_once_and_names_the_table(page, live_server):
    seed_demo(password="pw-demo")
    study = Study.objects.get()
    demo_log_in(page, live_server, OWNER)
    page.goto(live_server.url + reverse("matrix", args=[study.slug]) + "?by=respondent")

    expect(page.get_by_text(HEADING, exact=True)).to_have_count(1)
    expect(page.get_by_role("heading", name=HEADING, exact=True)).to_be_visible()
    expect(page.get_by_role("table", name=HEADING, exact=True)).to_be_visible()


def test_every_table_is_named_by_the_one_heading_above_it(page, live_server):
    seed_demo(password="pw-demo")
    study = Study.objects.get()
    # The tables the demo leaves empty, and so does not draw: the bin and the list of
    # words to de-identify.
    unused = coding.code_create(study=study, name="Unused")
    coding.code_delete(code=unused)
    interviews.identifier_add(study=study, text="Zebedee Quill", replacement="[name]")
    demo_log_in(page, live_server, OWNER)
    slug = study.slug
    pages = [
        *demo_pages(study, owner=True),
        reverse("history", args=[slug]),
        reverse("matrix", args=[slug]) + "?by=code",
        reverse("matrix", args=[slug]) + "?rows=themes&by=attribute&count=respondents",
    ]
    named, problems = set(), []
    for path in pages:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        for table in page.evaluate(TABLES):
            names = table["names"]
            if table["caption"] is not None or table["label"] is not None:
                problems.append(f"{path}: a caption or label besides the heading: {table}")
            elif len(names) != 1 or names[0] is None:
                problems.append(f"{path}: not named by one element on the page: {table}")
            elif names[0][0] not in {"H1", "H2", "H3"} or not names[0][2]:
                problems.append(f"{path}: not named by a heading that is shown: {table}")
            else:
                # Chromium's name for the table is the heading's words, once.
                expect(page.get_by_role("table", name=names[0][1], exact=True)).to_have_count(1)
                named.add(names[0][1])
    assert problems == []
    # Not vacuous: every kind of table was seen.
    assert {
        study.title,
        "Codebook",
        "Respondents",
        "Members",
        "Where each question is asked",
        "Themes by respondent",
        "Where in the interviews",
        "Bin",
        "The list",
    } <= named
    assert any(name.startswith("Codes by") for name in named), named
