"""A page's own buttons sit together at the right of its heading: the studies page spread
"New study" and "Import from another tool" across the heading's row, the first one left in
the middle of the page, far from the second. Every page of the demo as its owner, in
Chromium: where the browser places them, not the template's text."""

from __future__ import annotations

from itertools import pairwise

import pytest

from demo.seed import OWNER
from tests.browser.test_pages import demo_log_in, demo_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The heading's controls that share a row (same top), each as [left, right, its words],
# left to right: links and buttons shown as buttons, outside the block of the <h1>.
HEAD_CONTROLS = """() => {
    const head = document.querySelector(".pagehead");
    if (!head) return [];
    const title = head.querySelector("h1").closest(".pagehead > *");
    const rows = {};
    for (const control of head.querySelectorAll(".button, button")) {
        if (title.contains(control) || !control.checkVisibility()) continue;
        const box = control.getBoundingClientRect();
        (rows[Math.round(box.top)] ||= []).push([box.left, box.right, control.textContent.trim()]);
    }
    return Object.values(rows).map((row) => row.sort((a, b) => a[0] - b[0]));
}"""
# Further apart than this, two buttons of one row read as two unrelated things.
MOST_GAP_PX = 32


def test_a_page_s_buttons_sit_together_beside_its_heading(demo, live_server):
    study, page = demo
    demo_log_in(page, live_server, OWNER)
    apart = []
    for path in demo_pages(study, owner=True):
        page.goto(live_server.url + path)
        for row in page.evaluate(HEAD_CONTROLS):
            for left, right in pairwise(row):
                gap = right[0] - left[1]
                if gap > MOST_GAP_PX:
                    apart.append(f"{path}: “{left[2]}” and “{right[2]}”, {gap:.0f} px")
    assert apart == [], "buttons spread across a page's head:\n" + "\n".join(apart)
