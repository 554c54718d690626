"""Every field looks like a field, whatever its type, and help text has one style: the New
study page's number input was small and thinly bordered, the coding page's search box alike,
and the Import page's paragraph under its form was set larger than the help above it. The
demo's pages as its owner, in Chromium: what the browser computes, not the CSS's text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from demo.seed import OWNER
from tests.browser.test_pages import demo_log_in, demo_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each visible field as [its type, its box (border, corners, background, display), its
# padding]: not the font's size, which a toolbar's field takes from its toolbar. A file
# input's padding is its own (null): it frames the input's button, to a text field's height.
FIELDS = """() => [...document.querySelectorAll(
        "input:not([type=checkbox], [type=radio], [type=hidden], [type=color], [type=range]," +
        " [type=submit], [type=button], [type=reset], [type=image]), select, textarea")]
    .filter((field) => field.checkVisibility())
    .map((field) => {
        const s = getComputedStyle(field);
        const type = field.tagName === "INPUT" ? field.type : field.tagName.toLowerCase();
        const box = [s.borderTopWidth, s.borderTopStyle, s.borderTopColor, s.borderRadius,
            s.backgroundColor, s.display].join(" ");
        return [type, box, type === "file" ? null : `${s.paddingTop} ${s.paddingLeft}`];
    })"""
# The style of each visible piece of help text: under a field (.help), a hint (.hint).
HELP = """() => [...document.querySelectorAll(".help, .hint")]
    .filter((element) => element.checkVisibility())
    .map((element) => {
        const s = getComputedStyle(element);
        return `${s.fontSize} ${s.color} ${s.fontWeight}`;
    })"""


def differing(looks: dict) -> str:
    return "fields that look different:\n" + "\n".join(f"{k}: {v}" for k, v in looks.items())


def test_every_field_takes_the_form_style_and_help_text_one_style(demo, live_server):
    study, page = demo
    demo_log_in(page, live_server, OWNER)
    paths = [
        *demo_pages(study, owner=True),
        reverse("retrieve", args=[study.slug]),  # number and date inputs among the filters
        reverse("transcript_search", args=[study.slug]),
        reverse("password_reset"),  # an e-mail input
    ]
    boxes: dict[str, dict] = {}  # {box: {type: the first page showing it}}
    paddings: dict[str, dict] = {}
    helps: dict[str, str] = {}  # {style: the first page showing it}
    for path in paths:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        for kind, box, padding in page.evaluate(FIELDS):
            boxes.setdefault(box, {}).setdefault(kind, path)
            if padding is not None:
                paddings.setdefault(padding, {}).setdefault(kind, path)
        for style in page.evaluate(HELP):
            helps.setdefault(style, path)
    # Every type the app uses was seen, so that none escapes the comparison.
    seen = {kind for kinds in boxes.values() for kind in kinds}
    assert {"text", "number", "date", "search", "email", "file", "select", "textarea"} <= seen
    assert len(boxes) == 1, differing(boxes)
    assert len(paddings) == 1, differing(paddings)
    assert len(helps) == 1, f"help text in several styles: {helps}"
    # The paragraph under the Import page's form is help text, set as the field's help is.
    page.goto(live_server.url + reverse("transcript_import", args=[study.slug]))
    sizes = page.evaluate(
        """() => [".field .help", "#import-section form + p"].map(
            (selector) => getComputedStyle(document.querySelector(selector)).fontSize)"""
    )
    assert sizes[0] == sizes[1], sizes
