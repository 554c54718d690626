"""Every demo page's forms and tables at 1280 and 800 px wide, in Chromium, measured with
getBoundingClientRect: no label, field or button stands against another (the Matrices
page's .xlsx button touched the filter row above it, the Excerpts page's labels the list
boxes above them); no word in a table breaks mid-word where the page has room for it (the
Respondents table at 800 px: "Agenc|y A"); no button's words go over two lines."""

from __future__ import annotations

import pytest

from tests.browser.test_pages import owner_s_demo_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The least room, in px, between a label, a field or a button and the next one beside or
# under it (a label and its own field are 7 px apart, the fields of a row 12).
LEAST_GAP = 4
# [a, b, the gap in px] for each two visible labels, fields or buttons (neither inside the
# other, nor a label and the field it names) that stand in line, one under or beside the
# other, less than LEAST_GAP apart.
TOUCHING = """(least) => {
    const items = [...document.querySelectorAll(
        "input:not([type=hidden], [type=checkbox], [type=radio]), select, textarea," +
        " button, .button, label")]
        .filter((item) => item.checkVisibility() && !item.closest(".visually-hidden")
            && !item.matches(".link"));
    const name = (item) => (item.textContent.trim() || item.name || item.tagName)
        .replace(/\\s+/g, " ").slice(0, 40);
    const found = [];
    items.forEach((a, i) => items.slice(i + 1).forEach((b) => {
        if (a.contains(b) || b.contains(a)) return;
        if ((a.htmlFor && a.htmlFor === b.id) || (b.htmlFor && b.htmlFor === a.id)) return;
        const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
        if (!r.width || !s.width) return;
        const across = Math.min(r.right, s.right) - Math.max(r.left, s.left);
        const down = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
        let gap = null;
        if (across > 0 && down <= 0) gap = Math.max(s.top - r.bottom, r.top - s.bottom);
        if (down > 0 && across <= 0) gap = Math.max(s.left - r.right, r.left - s.right);
        if (gap !== null && gap < least) found.push([name(a), name(b), Math.round(gap)]);
    }));
    return found;
}"""

# Each word (between spaces, hyphens, dashes, slashes and "·") of a visible table cell
# whose letters are on more than one line: broken mid-word.
BROKEN_WORDS = """() => {
    const found = [];
    for (const cell of document.querySelectorAll("table th, table td")) {
        if (!cell.checkVisibility()) continue;
        const texts = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = texts.nextNode(); node; node = texts.nextNode()) {
            for (const word of node.data.matchAll(/[^\\s\\-\u2013\u2014\\/\u00b7]{2,}/g)) {
                const range = document.createRange();
                range.setStart(node, word.index);
                range.setEnd(node, word.index + word[0].length);
                const lines = new Set([...range.getClientRects()]
                    .filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top)));
                if (lines.size > 1) found.push(word[0]);
            }
        }
    }
    return found;
}"""
# The words of each visible button whose words are on more than one line.
WRAPPED_BUTTONS = """() => [...document.querySelectorAll("button, .button")]
    .filter((button) => button.checkVisibility() && !button.closest(".visually-hidden"))
    .filter((button) => {
        const range = document.createRange();
        range.selectNodeContents(button);
        const lines = new Set([...range.getClientRects()]
            .filter((rect) => rect.width > 1 && rect.height > 4)
            .map((rect) => Math.round(rect.top / 4)));
        return lines.size > 1;
    })
    .map((button) => button.textContent.trim().replace(/\\s+/g, " "))"""


@pytest.mark.parametrize("width", [1280, 800])
def test_forms_and_tables_keep_their_room_at_1280_and_800(demo, live_server, width):
    study, page = demo
    touching, broken, wrapped = [], [], []
    for path in owner_s_demo_pages(page, live_server, study, width=width):
        touching += [(path, *pair) for pair in page.evaluate(TOUCHING, LEAST_GAP)]
        broken += [(path, word) for word in page.evaluate(BROKEN_WORDS)]
        wrapped += [(path, words) for words in page.evaluate(WRAPPED_BUTTONS)]
    # Before: the Matrices page's "This matrix (.xlsx)" 0 px under its fields and Show;
    # the Excerpts filter's "Excerpts with" under the Codes list box, "Respondents" under
    # the Themes one, an attribute condition's fields under one another, 0 px.
    assert touching == []
    # Before, at 800 px: the Respondents table's attribute values and withdrawal windows
    # ("Agenc|y A", "Woma|n", "(interview|ed"), its actions kept on one line taking the room.
    assert broken == []
    # Before: the Matrices page's "All excerpts" (at both widths) and a study page's
    # "Import transcripts" (at 800 px), in the page's head, over two lines.
    assert wrapped == []
