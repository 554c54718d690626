"""Every field looks like a field, whatever its type, and help text has one style: the New
study page's number input was small and thinly bordered, the coding page's search box alike,
and the Import page's paragraph under its form was set larger than the help above it. The
demo's pages as its owner, in Chromium: what the browser computes, not the CSS's text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from demo.seed import OWNER
from tests.browser.test_pages import demo_log_in, demo_pages, owner_s_demo_pages

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


# Each visible bordered button (not a link-like, icon or toggle one) with a one-line field
# beside it in its row (overlapping it from top to bottom, within 2rem left or right):
# [its words, the field's type, how much lower its top and its bottom are, in px].
BESIDE = """() => {
    const oneLine = [...document.querySelectorAll(
        "input:not([type=checkbox], [type=radio], [type=hidden], [type=color], [type=range]," +
        " [type=submit], [type=button], [type=reset], [type=image], [type=file])," +
        " select:not([multiple])")].filter((field) => field.checkVisibility());
    const buttons = [...document.querySelectorAll("button, .button")].filter((button) =>
        button.checkVisibility() && !button.matches(".link, .icon, .toggle"));
    const found = [];
    for (const button of buttons) {
        const b = button.getBoundingClientRect();
        const field = oneLine.find((field) => {
            const f = field.getBoundingClientRect();
            const near = Math.min(Math.abs(b.left - f.right), Math.abs(f.left - b.right)) < 32;
            return near && f.top < b.bottom && b.top < f.bottom;
        });
        if (field) {
            const f = field.getBoundingClientRect();
            const words = button.textContent.trim();
            found.push([words, field.type, b.top - f.top, b.bottom - f.bottom]);
        }
    }
    return found;
}"""


@pytest.mark.parametrize("width", [1400, 800])
def test_a_button_beside_a_one_line_field_shares_its_top_and_bottom(demo, live_server, width):
    # Before: a button was 40 px tall against the fields' 42 (its line-height 1.4 against
    # their 1.5), its top 2 px lower than theirs (the History page's Show beside its dates,
    # the Respondents page's Add); the Search page's, set at the bottom of the field's help,
    # stood 25 px lower.
    study, page = demo
    beside, offsets = [], []
    for path in owner_s_demo_pages(page, live_server, study, width=width):
        for words, kind, top, bottom in page.evaluate(BESIDE):
            beside.append((path, words))
            if (top, bottom) != (0, 0):
                offsets.append((path, words, kind, top, bottom))
    # The filters' Show buttons, the forms' Add buttons, the search's among them.
    assert len(beside) > 10, beside
    assert offsets == []
